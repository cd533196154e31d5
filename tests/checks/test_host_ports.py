from istio_patch import load
from istio_patch.checks import check

TWO = """\
kind: DaemonSet
metadata: {name: gw}
spec:
  template:
    spec:
      containers:
      - name: proxy
        ports: [{containerPort: 80, hostPort: 80}]
---
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      containers:
      - name: web
        ports:
        - containerPort: 8080
          hostPort: 80
"""


def test_one_host_port_asked_for_twice_is_reported() -> None:
    (finding,) = check(load(TWO, source="w.yaml"))
    assert str(finding) == (
        "w.yaml:19:11: [host-ports] Deployment web: hostPort 80/TCP is also used by DaemonSet gw (w.yaml:1); their pods cannot share a node"
    )


def test_another_protocol_or_host_ip_or_a_null_or_zero_host_port_passes() -> None:
    assert check(load(TWO.replace("hostPort: 80\n", "hostPort: 80\n          protocol: UDP\n"))) == []
    two_addresses = TWO.replace("hostPort: 80}]", "hostPort: 80, hostIP: 10.0.0.1}]")
    assert check(load(two_addresses.replace("hostPort: 80\n", "hostPort: 80\n          hostIP: 10.0.0.2\n"))) == []
    assert check(load(TWO.replace("hostPort: 80\n", "hostPort: 0\n"))) == []
    assert check(load(TWO.replace("hostPort: 80\n", "hostPort: null\n"))) == []


def test_every_address_clashes_with_one_address() -> None:
    # the scheduler reads 0.0.0.0 as every address of the node
    assert [f.rule for f in check(load(TWO.replace("hostPort: 80\n", "hostPort: 80\n          hostIP: 10.0.0.2\n")))] == ["host-ports"]


def test_a_host_network_pods_container_ports_are_node_ports() -> None:
    text = TWO.replace("          hostPort: 80\n", "").replace("      containers:\n      - name: web", "      hostNetwork: true\n      containers:\n      - name: web").replace("8080", "80")
    (finding,) = check(load(text, source="w.yaml"))
    assert finding.message == "Deployment web: hostPort 80/TCP is also used by DaemonSet gw (w.yaml:1); their pods cannot share a node"
    assert finding.pointer == "/spec/template/spec/containers/0/ports/0/containerPort"


def test_a_host_port_that_is_a_node_port_is_reported() -> None:
    text = TWO.replace("hostPort: 80}]", "hostPort: 30080}]") + "---\nkind: Service\nmetadata: {name: s}\nspec:\n  ports: [{port: 80, nodePort: 30080}]\n"
    (finding,) = check(load(text, source="w.yaml"))
    assert str(finding) == (
        "w.yaml:8:37: [host-ports] DaemonSet gw: hostPort 30080/TCP is also the nodePort of Service s (w.yaml:21), "
        "which kube-proxy holds on every node"
    )
