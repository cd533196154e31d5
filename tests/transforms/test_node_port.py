"""node_port: golden cases, LoadBalancer-only fields, fixed nodePorts and their validation."""

from __future__ import annotations

import doctest

import pytest
from _transform_cases import FIXTURES, options_of
from pydantic import ValidationError

from istio_patch import OptionsError, SelectorError, load, load_path
from istio_patch.transforms import NodePortOptions, Selector, _node_port, node_port, plan_node_port


def test_reports_each_change_with_its_object_and_pointer() -> None:
    case = FIXTURES / "node_port" / "load-balancer"
    result = node_port(load_path(case / "input.yaml"), NodePortOptions.validate(options_of(case)))
    assert sorted((c.op, c.pointer, c.line, c.object) for c in result.changes) == [
        ("add", "/spec/ports/1/nodePort", 25, "Service istio-system/istio-ingressgateway"),  # the lines that change
        ("remove", "/spec/allocateLoadBalancerNodePorts", 15, "Service istio-system/istio-ingressgateway"),
        ("remove", "/spec/loadBalancerIP", 11, "Service istio-system/istio-ingressgateway"),
        ("remove", "/spec/loadBalancerSourceRanges", 12, "Service istio-system/istio-ingressgateway"),
        ("replace", "/spec/type", 10, "Service istio-system/istio-ingressgateway"),
    ]


SERVICE = """\
kind: Service
metadata:
  name: gw
  namespace: istio-system
spec:
  type: LoadBalancer
  healthCheckNodePort: 32000
  loadBalancerClass: example.com/lb
  ports:
  - port: 80
    nodePort: 31380
  - port: 443
---
kind: Service
metadata:
  name: other
spec:
  ports:
  - port: 9000
    nodePort: 31390
"""
GW = Selector(kind="Service", namespace="istio-system", name="gw")


def test_removes_health_check_node_port_and_load_balancer_class() -> None:
    out = node_port(load(SERVICE), selector=GW).manifest.render()
    assert out == SERVICE.replace("LoadBalancer\n  healthCheckNodePort: 32000\n  loadBalancerClass: example.com/lb\n", "NodePort\n")


def test_replaces_an_existing_node_port_when_asked() -> None:
    out = node_port(load(SERVICE), selector=GW, node_ports={80: 30080}).manifest.render()
    assert "  - port: 80\n    nodePort: 30080\n" in out


def test_target_is_accepted_as_the_selector_in_data() -> None:
    assert NodePortOptions.validate({"target": GW}).selector == GW
    assert node_port(load(SERVICE), selector=GW).changed
    with pytest.raises(OptionsError, match="same option") as info:
        NodePortOptions.validate({"target": GW, "selector": GW})
    assert isinstance(info.value.__cause__, ValidationError)


def test_selectors_may_be_written_as_kubectl_does() -> None:
    assert node_port(load(SERVICE), selector="svc/gw", namespace="istio-system").changed
    assert node_port(load(SERVICE), selector="istio-system/service/gw").changed
    with pytest.raises(OptionsError, match="give options or keyword options, not both"):
        node_port(load(SERVICE), NodePortOptions(selector=GW), selector="svc/gw")


def test_the_function_lists_its_options() -> None:
    import inspect

    assert list(inspect.signature(node_port).parameters) == [
        "manifest", "options", "selector", "namespace", "node_ports", "node_port_range", "all_namespaces", "allow_no_match",
    ]


def test_default_target_is_the_ingress_gateway() -> None:
    assert NodePortOptions().selector == Selector(kind="Service", namespace="istio-system", name="istio-ingressgateway")


@pytest.mark.parametrize(
    ("node_ports", "message"),
    [
        ({443: 29999}, "NodePortOptions: node_ports.443: nodePort 29999 for port 443 is outside the node-port range 30000-32767"),
        ({80: 31000, 443: 31000}, "NodePortOptions: node_ports.443: nodePort 31000 is given to both port 80 and port 443"),
        ({8080: 31000}, "<string>:10: node_port: Service istio-system/gw has no port 8080 (its ports: 80, 443)"),
        ({443: 31390}, "<string>:20: node_port: nodePort 31390 is already used by Service other port 9000"),
        ({443: 31380}, "<string>:11: node_port: nodePort 31380 is already used by Service istio-system/gw port 80"),
    ],
)
def test_refuses_bad_node_ports(node_ports: dict[int, int], message: str) -> None:
    with pytest.raises(OptionsError) as caught:
        node_port(load(SERVICE), selector=GW, node_ports=node_ports)
    assert str(caught.value) == message


def test_a_port_may_keep_or_move_its_own_node_port() -> None:
    out = node_port(load(SERVICE), selector=GW, node_ports={80: 31380, 443: 31443}).manifest.render()
    assert "  - port: 443\n    nodePort: 31443\n" in out


def test_node_port_range_is_an_option() -> None:
    out = node_port(load(SERVICE), selector=GW, node_ports={443: 20443}, node_port_range=(20000, 22767))
    assert "nodePort: 20443" in out.manifest.render()


def test_refuses_external_name_services() -> None:
    text = "kind: Service\nmetadata:\n  name: gw\nspec:\n  type: ExternalName\n  externalName: example.org\n"
    with pytest.raises(OptionsError) as caught:
        node_port(load(text), selector=Selector(kind="Service", name="gw"))
    assert str(caught.value) == (
        "<string>:5: node_port: Service gw is an ExternalName Service, which has no ports to open on nodes"
    )


def test_refuses_objects_that_are_not_services() -> None:
    with pytest.raises(OptionsError) as caught:
        node_port(load("kind: Deployment\nmetadata:\n  name: gw\n"), selector=Selector(name="gw"))
    assert str(caught.value) == "<string>:1: node_port: Deployment gw is not a Service"


def test_a_selector_matching_nothing_is_an_error_unless_allowed() -> None:
    with pytest.raises(SelectorError) as caught:
        node_port(load(SERVICE), selector=Selector(kind="svc", name="gateway"))
    assert str(caught.value) == "<string>: node_port: no object matches Service/gateway; Service objects here: gw, other"
    result = node_port(load(SERVICE), selector=Selector(kind="svc", name="gateway"), allow_no_match=True)
    assert not result.changes and result.manifest.render() == SERVICE


def test_never_selects_documents_that_are_not_objects() -> None:
    text = "# just a comment\n---\n- a list\n---\nspec: {type: LoadBalancer}\n---\n" + SERVICE
    out = node_port(load(text), selector=GW).manifest.render()
    assert out.startswith("# just a comment\n---\n- a list\n---\nspec: {type: LoadBalancer}\n---\n")


def test_plan_is_pure() -> None:
    manifest = load(SERVICE)
    plan = plan_node_port(manifest, NodePortOptions(selector=GW))
    assert [op["op"] for edit in plan.edits for op in edit.operations] == ["replace", "remove", "remove"]
    assert manifest.render() == SERVICE


def test_docstring_example() -> None:
    assert doctest.testmod(_node_port).failed == 0
