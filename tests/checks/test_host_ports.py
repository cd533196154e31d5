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
    assert check(load(TWO.replace("hostPort: 80\n", "hostPort: 80\n          hostIP: 10.0.0.1\n"))) == []
    assert check(load(TWO.replace("hostPort: 80\n", "hostPort: 0\n"))) == []
    assert check(load(TWO.replace("hostPort: 80\n", "hostPort: null\n"))) == []
