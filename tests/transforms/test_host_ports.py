"""host_ports: golden cases, mappings, conflicts with file:line, and the two-replicas-on-one-node warning."""

from __future__ import annotations

import doctest

import pytest

from istio_patch import OptionsError, SelectorError, load
from istio_patch.transforms import HostPortsOptions, Selector, _host_ports, host_ports, plan_host_ports


def test_default_ports_and_target() -> None:
    options = HostPortsOptions()
    assert options.host_port_of() == {80: 80, 443: 443}
    assert options.selector == Selector(namespace="istio-system", name="istio-ingressgateway")


WORKLOAD = """\
apiVersion: apps/v1
kind: {kind}
metadata:
  name: gw
spec:
  replicas: {replicas}
  template:
    spec:
      containers:
      - name: proxy
        ports:
        - containerPort: 80
          hostPort: {host}
        - containerPort: 443
"""


def _workload(kind: str = "Deployment", replicas: int = 1, host: int = 80) -> str:
    return WORKLOAD.format(kind=kind, replicas=replicas, host=host)


def test_an_existing_different_host_port_is_a_conflict_at_its_line() -> None:
    with pytest.raises(OptionsError) as caught:
        host_ports(load(_workload(host=8080), source="gw.yaml"), selector=Selector(name="gw"))
    assert str(caught.value) == (
        "gw.yaml:13: host_ports: container proxy of Deployment gw already has hostPort 8080 for containerPort 80 "
        "(wanted 80) (at /spec/template/spec/containers/0/ports/0/hostPort)"
    )


def test_two_ports_cannot_take_the_same_host_port() -> None:
    text = _workload(host=8443).replace("- containerPort: 443\n", "- containerPort: 443\n        - containerPort: 8443\n")
    with pytest.raises(OptionsError) as caught:
        host_ports(load(text, source="gw.yaml"), selector=Selector(name="gw"), ports=[443, {"container_port": 8443, "host_port": 443}])
    assert str(caught.value) == (
        "gw.yaml:15: host_ports: hostPort 443/TCP for containerPort 8443 of container proxy in Deployment gw is "
        "already held by containerPort 443 of container proxy (at /spec/template/spec/containers/0/ports/2/hostPort)"
    )


def test_same_host_port_on_other_protocols_is_fine() -> None:
    text = "kind: Pod\nmetadata: {name: dns}\nspec:\n  containers:\n  - name: dns\n    ports:\n" \
        "    - {containerPort: 53, protocol: UDP}\n    - {containerPort: 53, protocol: TCP}\n"
    out = host_ports(load(text), selector=Selector(name="dns"), ports=[53]).manifest.render()
    assert out.count("hostPort: 53") == 2


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (_workload(replicas=2), "has replicas: 2"),
        (_workload() + "---\nkind: HorizontalPodAutoscaler\nmetadata: {name: h}\nspec:\n  scaleTargetRef: {kind: Deployment, name: gw}\n",
         "is scaled by HorizontalPodAutoscaler h"),
    ],
)
def test_warns_when_two_replicas_can_share_a_node(text: str, reason: str) -> None:
    result = host_ports(load(text, source="gw.yaml"), selector=Selector(name="gw"))
    assert result.warnings == (
        f"host_ports: Deployment gw (gw.yaml:1) {reason}; two of its pods on one node would ask for the same "
        "hostPort, and the second stays Pending (a DaemonSet avoids this)",
    )


@pytest.mark.parametrize("text", [_workload(replicas=1), _workload(kind="DaemonSet", replicas=3)])
def test_no_warning_for_one_replica_or_a_daemonset(text: str) -> None:
    assert host_ports(load(text), selector=Selector(name="gw")).warnings == ()


def test_a_missing_port_is_an_error() -> None:
    with pytest.raises(OptionsError) as caught:
        host_ports(load(_workload()), selector=Selector(name="gw"), ports=[8080])
    assert str(caught.value) == "<string>:1: host_ports: Deployment gw has no containerPort 8080"


def test_a_missing_container_is_an_error() -> None:
    with pytest.raises(OptionsError) as caught:
        host_ports(load(_workload()), selector=Selector(name="gw"), containers=["istio-proxy"])
    assert str(caught.value) == "<string>:1: host_ports: Deployment gw has no container istio-proxy (its containers: proxy)"


def test_a_selector_matching_only_other_kinds_is_an_error() -> None:
    with pytest.raises(SelectorError) as caught:
        host_ports(load("kind: Service\nmetadata: {name: gw}\n"), selector=Selector(name="gw"))
    assert str(caught.value) == "<string>: host_ports: */gw matches no workload (only Service gw)"


def test_a_selector_matching_nothing_is_an_error_unless_allowed() -> None:
    with pytest.raises(SelectorError) as caught:
        host_ports(load(_workload()), selector=Selector(kind="ds", name="gw"))
    assert str(caught.value) == "<string>: host_ports: no object matches DaemonSet/gw"
    assert not host_ports(load(_workload()), selector=Selector(kind="ds", name="gw"), allow_no_match=True).changes


def test_plan_is_pure() -> None:
    manifest = load(_workload())
    plan = plan_host_ports(manifest, HostPortsOptions(selector=Selector(name="gw")))
    assert [dict(op) for op in plan.edits[0].operations] == [
        {"op": "add", "path": "/spec/template/spec/containers/0/ports/1/hostPort", "value": 443}
    ]
    assert manifest.render() == _workload()


def test_docstring_example() -> None:
    assert doctest.testmod(_host_ports).failed == 0


# ---- node ports held twice: warned when the transform makes them so ------------------------------------------

GATEWAY = """\
kind: DaemonSet
metadata: {name: gw, namespace: istio-system}
spec:
  template:
    spec:
      containers:
      - name: proxy
        ports: [{containerPort: 80}, {containerPort: 31380}]
---
kind: DaemonSet
metadata: {name: router, namespace: edge}
spec:
  template:
    spec:
      hostNetwork: true
      containers:
      - name: router
        ports: [{containerPort: 80}]
---
kind: Service
metadata: {name: web}
spec:
  type: NodePort
  ports: [{port: 8080, nodePort: 31380}]
"""


def test_a_host_port_another_workload_or_a_node_port_holds_is_warned() -> None:
    result = host_ports(load(GATEWAY, source="g.yaml"), selector="ds/gw", namespace="istio-system", ports=[80, 31380])
    assert result.warnings == (
        "host_ports: DaemonSet istio-system/gw (g.yaml:1) now holds hostPort 80/TCP, also held by DaemonSet edge/router "
        "(g.yaml:10); their pods cannot share a node",
        "host_ports: DaemonSet istio-system/gw (g.yaml:1) now holds hostPort 31380/TCP, also the nodePort of Service web "
        "(g.yaml:20), which kube-proxy holds on every node",
    )


def test_a_null_or_zero_host_port_is_none_and_gets_the_wanted_one() -> None:
    # Kubernetes reads hostPort null and 0 as "no hostPort": they are not a conflict
    for written in ("null", "0"):
        text = GATEWAY.replace("{containerPort: 80}, {containerPort: 31380}", f"{{containerPort: 80, hostPort: {written}}}")
        result = host_ports(load(text), selector="ds/gw", namespace="istio-system", ports=[80])
        assert f"hostPort: {written}" not in result.manifest.render() and "hostPort: 80" in result.manifest.render()
        assert [c.op for c in result.changes] == ["replace"]


def test_a_host_port_written_as_text_is_refused_with_its_position() -> None:
    from istio_patch import ModelValidationError

    text = GATEWAY.replace("{containerPort: 80}, {containerPort: 31380}", '{containerPort: 80, hostPort: "80"}')
    with pytest.raises(ModelValidationError) as info:
        host_ports(load(text, source="g.yaml"), selector="ds/gw", namespace="istio-system", ports=[80])
    assert (info.value.line, info.value.pointer) == (8, "/spec/template/spec/containers/0/ports/0/hostPort")
