"""strip_resources: golden cases in both modes, the emptied resources key, errors, idempotence."""

from __future__ import annotations

import doctest

import pytest

from istio_patch import OptionsError, SelectorError, load
from istio_patch.transforms import Selector, StripResourcesOptions, _strip_resources, plan_strip_resources, strip_resources

POD = """\
kind: Pod
metadata:
  name: p
spec:
  containers:
  - name: app
    resources:
      limits:
        memory: 1Gi
      requests:
        memory: 1Gi
"""


@pytest.mark.parametrize(
    ("which", "mode", "expected"),
    [
        ("requests", "remove", POD.replace("      requests:\n        memory: 1Gi\n", "")),
        ("limits", "remove", POD.replace("      limits:\n        memory: 1Gi\n", "")),
        ("both", "remove", POD.replace("    resources:\n      limits:\n        memory: 1Gi\n      requests:\n        memory: 1Gi\n", "")),
        ("limits", "comment", POD.replace("      limits:\n        memory: 1Gi\n", "      # limits:\n        # memory: 1Gi\n")),
        ("both", "comment", POD.replace("    resources:\n      limits:\n        memory: 1Gi\n      requests:\n        memory: 1Gi\n",
                                        "    # resources:\n      # limits:\n        # memory: 1Gi\n      # requests:\n        # memory: 1Gi\n")),
    ],
)
def test_which_and_mode(which: str, mode: str, expected: str) -> None:
    out = strip_resources(load(POD), selector=Selector(kind="po", name="p"), resources=which, mode=mode).manifest.render()
    assert out == expected


def test_which_is_also_spelled_resources() -> None:
    assert StripResourcesOptions.validate({"selector": Selector(name="p"), "which": "limits"}).resources == "limits"
    assert StripResourcesOptions(selector=Selector(name="p"), resources="both").resources == "both"


def test_other_resource_members_keep_resources() -> None:
    text = POD.replace("      limits:\n        memory: 1Gi\n", "      claims: []\n")
    out = strip_resources(load(text), selector=Selector(name="p")).manifest.render()
    assert out == text.replace("      requests:\n        memory: 1Gi\n", "")


def test_an_unknown_container_is_an_error() -> None:
    with pytest.raises(OptionsError) as caught:
        strip_resources(load(POD), selector=Selector(name="p"), containers=["discovery"])
    assert str(caught.value) == "<string>: strip_resources: no selected workload has a container discovery (containers: app)"


def test_a_selector_matching_nothing_is_an_error_unless_allowed() -> None:
    with pytest.raises(SelectorError) as caught:
        strip_resources(load(POD), selector=Selector(kind="deploy", name="istio-pilot"))
    assert str(caught.value) == "<string>: strip_resources: no object matches Deployment/istio-pilot"
    assert not strip_resources(load(POD), selector=Selector(kind="deploy", name="x"), allow_no_match=True).changes


def test_a_selector_is_required() -> None:
    with pytest.raises(OptionsError, match="^StripResourcesOptions: missing 1 required option: 'selector'$"):
        StripResourcesOptions()  # type: ignore[call-arg]
    with pytest.raises(OptionsError, match="^StripResourcesOptions: selector: this option is required$"):
        StripResourcesOptions.validate({"which": "limits"})
    with pytest.raises(OptionsError, match="^StripResourcesOptions: selector: this option is required$"):
        strip_resources(load(POD))


def test_plan_is_pure() -> None:
    manifest = load(POD)
    plan = plan_strip_resources(manifest, StripResourcesOptions(selector=Selector(name="p"), mode="comment"))
    assert [dict(op) for op in plan.edits[0].operations] == [
        {"op": "remove", "path": "/spec/containers/0/resources/requests", "comment": True}
    ]
    assert manifest.render() == POD


def test_docstring_example() -> None:
    assert doctest.testmod(_strip_resources).failed == 0


def test_comment_mode_keeps_the_values_when_resources_follows_the_dash() -> None:
    text = "kind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - resources:\n      requests: {cpu: 1}\n    name: app\n"
    out = strip_resources(load(text), selector=Selector(name="p"), mode="comment").manifest.render()
    assert "requests: {cpu: 1}" in out
    assert out == (
        "kind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
        "    # resources:\n      # requests: {cpu: 1}\n  - name: app\n"
    )
