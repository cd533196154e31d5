from istio_patch import load
from istio_patch.checks import check

SERVICES = """\
kind: Service
metadata: {name: a}
spec:
  type: NodePort
  ports:
  - port: 80
    nodePort: 40000
  - port: 53
    protocol: UDP
    nodePort: 30053
---
kind: Service
metadata: {name: b}
spec:
  type: NodePort
  ports:
  - port: 53
    nodePort: 30053
  - port: 54
    protocol: UDP
    nodePort: 30053
"""


def test_out_of_range_and_held_twice_with_the_same_protocol() -> None:
    assert [str(f) for f in check(load(SERVICES, source="s.yaml"))] == [
        "s.yaml:7:5: [node-ports] Service a: nodePort 40000 is outside the node port range 30000-32767",
        "s.yaml:21:5: [node-ports] Service b: nodePort 30053/UDP is also used by Service a (s.yaml:1)",
    ]


def test_the_range_is_an_option() -> None:
    findings = check(load(SERVICES), node_port_range=(30000, 40000))
    assert [f.message for f in findings] == ["Service b: nodePort 30053/UDP is also used by Service a (<string>:1)"]


def test_distinct_node_ports_in_range_pass() -> None:
    assert check(load(SERVICES.replace("40000", "30080").replace("nodePort: 30053\n---", "nodePort: 30054\n---"))) == []
