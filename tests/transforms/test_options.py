"""Options as checked dataclasses: pydantic's type check on construction, ``trusted`` constants, aliases."""

from __future__ import annotations

import dataclasses

import pytest
from pydantic import ValidationError

from istio_patch import OptionsError
from istio_patch.transforms import (
    PRESETS,
    AdmissionPluginsOptions,
    HostPortsOptions,
    NodePortOptions,
    Selector,
    StripResourcesOptions,
    preset,
)
from istio_patch.transforms._host_ports import PortMapping
from istio_patch.transforms._options import FieldError, canonical_names, field_types, trusted


@pytest.mark.parametrize("name", sorted(PRESETS))
@pytest.mark.parametrize("allow_no_match", [False, True])
def test_every_presets_options_pass_the_full_check(name: str, allow_no_match: bool) -> None:
    # presets build their options inside trusted(); checked from plain data they must come out the same
    for step in preset(name, allow_no_match=allow_no_match):
        options = step.keywords["options"]  # type: ignore[attr-defined]
        assert type(options).validate(dataclasses.asdict(options)) == options


def test_construction_checks_and_coerces_the_types() -> None:
    assert NodePortOptions(node_ports={"80": "31380"}).node_ports == {80: 31380}  # type: ignore[dict-item]
    with pytest.raises(OptionsError) as info:
        NodePortOptions(node_ports={80: "thirty"})  # type: ignore[dict-item]
    assert str(info.value) == "NodePortOptions: node_ports.80: Input should be a valid integer, unable to parse string as an integer"
    assert isinstance(info.value.__cause__, ValidationError)  # pydantic's own error stays as the cause
    assert info.value.__cause__.errors()[0]["loc"] == ("node_ports", 80)
    with pytest.raises(OptionsError, match="greater than or equal to 1"):
        PortMapping(container_port=0, host_port=80)


def test_nested_values_are_checked_too() -> None:
    options = HostPortsOptions.validate({"ports": [{"container_port": 80, "host_port": 8080}, 443]})
    assert options.ports == [PortMapping(container_port=80, host_port=8080), 443]
    assert HostPortsOptions.validate({"selector": {"kind": "deploy"}}).selector.kind == "Deployment"


def test_trusted_skips_the_type_check_but_not_the_rules() -> None:
    with trusted():
        odd = Selector(kind="svc", name=5)  # type: ignore[arg-type]
        assert (odd.kind, odd.name) == ("Service", 5)  # kind spelled out by _check; the type left as given
        with pytest.raises(FieldError) as info:
            AdmissionPluginsOptions(plugins=["Good", "bad-name"])
    assert info.value.loc == ("plugins", 1)
    with pytest.raises(OptionsError, match="^Selector: name: Input should be a valid string$"):
        Selector(name=5)  # type: ignore[arg-type]


def test_options_are_frozen() -> None:
    options = StripResourcesOptions(selector=Selector(name="p"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        options.mode = "comment"  # type: ignore[misc]


def test_aliases_are_read_from_data_only_once() -> None:
    assert canonical_names(StripResourcesOptions, {"target": 1, "which": 2}) == {"selector": 1, "resources": 2}
    with pytest.raises(OptionsError, match="'which' and 'resources' are the same option"):
        StripResourcesOptions.validate({"selector": Selector(), "which": "limits", "resources": "both"})


def test_unknown_options_are_refused() -> None:
    with pytest.raises(OptionsError) as info:
        NodePortOptions.validate({"colour": "red"})
    assert str(info.value) == (
        "NodePortOptions: colour: no such option (the options are: allow_no_match, all_namespaces, selector, node_ports, node_port_range)"
    )
    assert info.value.__cause__.errors()[0]["loc"] == ("colour",)
    with pytest.raises(OptionsError, match="NodePortOptions"):
        NodePortOptions.validate(["not", "a", "mapping"])  # type: ignore[arg-type]


def test_missing_and_unknown_keywords_are_options_errors_too() -> None:
    with pytest.raises(OptionsError, match="^StripResourcesOptions: missing 1 required option: 'selector'$"):
        StripResourcesOptions()  # type: ignore[call-arg]
    with pytest.raises(OptionsError, match="^NodePortOptions: got an unexpected option 'colour'$"):
        NodePortOptions(colour="red")  # type: ignore[call-arg]


def test_selectors_are_read_from_kubectl_spellings_in_options() -> None:
    options = StripResourcesOptions.validate({"selector": "deploy/istio-pilot", "namespace": "istio-system"})
    assert options.selector == Selector(kind="Deployment", name="istio-pilot", namespace="istio-system")
    assert StripResourcesOptions(selector="deployment.apps/web").selector == Selector(kind="Deployment", name="web")  # type: ignore[arg-type]
    # a namespace alone moves the default selector there (-n for the Istio namespace)
    assert NodePortOptions.validate({"namespace": "mesh"}).selector == Selector(kind="Service", name="istio-ingressgateway", namespace="mesh")
    with pytest.raises(OptionsError, match="cannot read the selector"):
        StripResourcesOptions.validate({"selector": "a/b/c/d"})


def test_bounds_reach_the_json_schema() -> None:
    port = PortMapping.json_schema()["properties"]["container_port"]
    assert (port["minimum"], port["maximum"]) == (1, 65535)
    assert AdmissionPluginsOptions.json_schema()["properties"]["plugins"]["minItems"] == 1


def test_field_types_resolve_the_annotations() -> None:
    types = field_types(StripResourcesOptions)
    assert list(types) == ["allow_no_match", "all_namespaces", "selector", "containers", "resources", "mode"]
    assert types["selector"] is Selector and types["allow_no_match"] is bool


@pytest.mark.parametrize(
    ("ports", "message"),
    [
        ([0], "HostPortsOptions: ports.0: Input should be greater than or equal to 1"),
        ([70000], "HostPortsOptions: ports.0: Input should be less than or equal to 65535"),
        ([True], "HostPortsOptions: ports.0: Input should be a valid integer"),
        (["80"], "HostPortsOptions: ports.0: Input should be a valid integer"),
        ([80, 80], "HostPortsOptions: containerPort 80 is given twice"),
        ([{"container_port": 0, "host_port": 2}], "HostPortsOptions: ports.0.container_port: Input should be greater than or equal to 1"),
    ],
)
def test_ports_kubernetes_would_refuse_are_refused_when_built(ports: list[object], message: str) -> None:
    # the complaint shown is the one of the union member of the value's own type, located without member names
    with pytest.raises(OptionsError) as info:
        HostPortsOptions(ports=ports)  # type: ignore[arg-type]
    assert str(info.value) == message
