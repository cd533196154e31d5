"""to_daemonset: golden cases per apiVersion, update strategies, HPAs, comment mode, errors, idempotence."""

from __future__ import annotations

import doctest

import pytest
from _transform_cases import FIXTURES, options_of

from istio_patch import ModelValidationError, OptionsError, SelectorError, load, load_path
from istio_patch.transforms import Selector, ToDaemonSetOptions, _to_daemonset, plan_to_daemonset, to_daemonset


def _warnings(name: str) -> tuple[str, ...]:
    case = FIXTURES / "to_daemonset" / name
    return to_daemonset(load_path(case / "input.yaml"), ToDaemonSetOptions.validate(options_of(case))).warnings


def test_warns_about_what_cannot_be_carried_and_the_removed_hpa() -> None:
    path = FIXTURES / "to_daemonset" / "extensions-v1beta1" / "input.yaml"
    assert _warnings("extensions-v1beta1") == (
        "to_daemonset: Deployment istio-system/istio-ingressgateway: maxSurge 1 dropped: a DaemonSet cannot surge",
        "to_daemonset: Deployment istio-system/istio-ingressgateway: maxUnavailable 0 dropped: a DaemonSet without "
        "surge must take a pod down to replace it (the default, 1, applies)",
        f"to_daemonset: removed HorizontalPodAutoscaler istio-system/istio-ingressgateway ({path}:26): an HPA cannot "
        "scale a DaemonSet (keep_hpa=True keeps it)",
    )


def test_keep_hpa_warns_that_it_will_not_work() -> None:
    path = FIXTURES / "to_daemonset" / "keep-hpa" / "input.yaml"
    assert _warnings("keep-hpa") == (
        f"to_daemonset: kept HorizontalPodAutoscaler shop/web ({path}:18), but it targets Deployment web, which is "
        "now a DaemonSet: an HPA cannot scale a DaemonSet, so it will not work",
    )


def test_recreate_is_reported() -> None:
    assert _warnings("apps-v1-comment") == (
        "to_daemonset: Deployment agent: strategy Recreate has no DaemonSet equivalent; pods are replaced one node "
        "at a time",
    )


def test_the_hpa_removal_is_reported_as_a_change() -> None:
    case = FIXTURES / "to_daemonset" / "extensions-v1beta1"
    result = to_daemonset(load_path(case / "input.yaml"), ToDaemonSetOptions())
    removed = [c for c in result.changes if c.pointer == ""]
    assert [(c.op, c.line, c.object) for c in removed] == [("remove", 26, "HorizontalPodAutoscaler istio-system/istio-ingressgateway")]


DEPLOYMENT = """\
apiVersion: {version}
kind: Deployment
metadata:
  name: gw
spec:
  replicas: 1
  strategy:
    rollingUpdate:
      maxUnavailable: {unavailable}
  template:
    metadata:
      labels: {{app: gw}}
"""


@pytest.mark.parametrize(
    ("version", "unavailable", "strategy"),
    [
        ("extensions/v1beta1", "0", {"type": "RollingUpdate"}),
        ("extensions/v1beta1", '"0%"', {"type": "RollingUpdate"}),
        ("extensions/v1beta1", "1", {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1}}),
        ("apps/v1beta2", "0", None),
        ("apps/v1beta2", "30%", {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "30%"}}),
        ("apps/v1beta1", "0", None),
    ],
)
def test_update_strategy_is_valid_for_the_api_version(version: str, unavailable: str, strategy: object) -> None:
    text = DEPLOYMENT.format(version=version, unavailable=unavailable)
    out = load(to_daemonset(load(text), selector=Selector(kind="deploy", name="gw")).manifest.render())
    data = out.documents[0].data
    assert data["kind"] == "DaemonSet"
    assert data["spec"].get("updateStrategy") == strategy
    assert "replicas" not in data["spec"] and "strategy" not in data["spec"]


def test_apps_v1beta1_moves_to_apps_v1_with_the_selector_it_defaulted_to() -> None:
    text = DEPLOYMENT.format(version="apps/v1beta1", unavailable="1")
    data = to_daemonset(load(text), selector=Selector(kind="deploy", name="gw")).manifest.documents[0].data
    assert data["apiVersion"] == "apps/v1"
    assert data["spec"]["selector"] == {"matchLabels": {"app": "gw"}}


def test_apps_v1beta1_keeps_an_existing_selector() -> None:
    text = DEPLOYMENT.format(version="apps/v1beta1", unavailable="1") + "  selector:\n    matchLabels: {app: gw, tier: edge}\n"
    data = to_daemonset(load(text), selector=Selector(kind="deploy", name="gw")).manifest.documents[0].data
    assert data["spec"]["selector"] == {"matchLabels": {"app": "gw", "tier": "edge"}}


def test_apps_v1beta1_without_labels_is_refused() -> None:
    text = "apiVersion: apps/v1beta1\nkind: Deployment\nmetadata:\n  name: gw\nspec:\n  template:\n    spec: {}\n"
    with pytest.raises(ModelValidationError) as caught:
        to_daemonset(load(text), selector=Selector(kind="deploy", name="gw"))
    assert str(caught.value) == (
        "<string>:7: to_daemonset: Deployment gw is apps/v1beta1, which has no DaemonSet; apps/v1 needs "
        "spec.selector, and the pod template has no labels to build one from: add spec.selector first "
        "(at /spec/selector)"
    )


def test_hpa_matching_needs_same_namespace_kind_and_name() -> None:
    text = (
        "kind: Deployment\nmetadata: {name: gw, namespace: a}\nspec: {replicas: 2}\n---\n"
        "kind: HorizontalPodAutoscaler\nmetadata: {name: h1, namespace: b}\nspec:\n  scaleTargetRef: {kind: Deployment, name: gw}\n---\n"
        "kind: HorizontalPodAutoscaler\nmetadata: {name: h2, namespace: a}\nspec:\n  scaleTargetRef: {kind: StatefulSet, name: gw}\n---\n"
        "kind: HorizontalPodAutoscaler\nmetadata: {name: h3, namespace: a}\nspec:\n  scaleTargetRef: {kind: Deployment, name: gw2}\n---\n"
        "kind: HorizontalPodAutoscaler\nmetadata: {name: h4, namespace: a}\nspec:\n  scaleTargetRef: {kind: Deployment, name: gw}\n"
    )
    out = to_daemonset(load(text), selector=Selector(kind="deploy", namespace="a", name="gw")).manifest
    assert [o.name for o in out.objects()] == ["gw", "h1", "h2", "h3"]


def test_comment_mode_comments_out_the_deployment_fields() -> None:
    text = "kind: Deployment\nmetadata:\n  name: gw\nspec:\n  replicas: 1\n  paused: false\n  template: {}\n"
    out = to_daemonset(load(text), selector=Selector(name="gw"), mode="comment").manifest.render()
    assert out == "kind: DaemonSet\nmetadata:\n  name: gw\nspec:\n  # replicas: 1\n  # paused: false\n  template: {}\n"


def test_refuses_selectors_of_other_kinds() -> None:
    with pytest.raises(OptionsError) as caught:
        to_daemonset(load("kind: Service\n"), selector=Selector(kind="svc", name="gw"))
    assert str(caught.value) == "ToDaemonSetOptions: selector: it names Service objects; to_daemonset converts Deployments"


def test_a_selector_matching_nothing_is_an_error_unless_allowed() -> None:
    text = "kind: Deployment\nmetadata:\n  name: pilot\n"
    with pytest.raises(SelectorError) as caught:
        to_daemonset(load(text), selector=Selector(kind="deploy", name="gw"))
    assert str(caught.value) == "<string>: to_daemonset: no object matches Deployment/gw; Deployment objects here: pilot"
    assert not to_daemonset(load(text), selector=Selector(kind="deploy", name="gw"), allow_no_match=True).changes


def test_an_existing_daemonset_is_taken_as_converted_and_cleaned() -> None:
    text = "apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: gw\nspec:\n  replicas: 1\n  template: {}\n"
    out = to_daemonset(load(text), selector=Selector(kind="deploy", name="gw")).manifest.render()
    assert out == text.replace("  replicas: 1\n", "")


def test_plan_is_pure() -> None:
    manifest = load(DEPLOYMENT.format(version="apps/v1", unavailable="1"))
    before = manifest.render()
    plan = plan_to_daemonset(manifest, ToDaemonSetOptions(selector=Selector(name="gw")))
    assert [op["path"] for op in plan.edits[0].operations] == ["/kind", "/spec/replicas", "/spec/strategy", "/spec/updateStrategy"]
    assert manifest.render() == before


def test_docstring_example() -> None:
    assert doctest.testmod(_to_daemonset).failed == 0


def test_autoscalers_are_looked_for_once_however_many_workloads_match(monkeypatch) -> None:
    # eight copies of a manifest mean eight Deployments: one search for HPAs, not one per Deployment
    one = (FIXTURES / "to_daemonset" / "keep-hpa" / "input.yaml").read_text()
    manifest = load(("---\n" + one) * 8)
    searches = []
    from istio_patch.transforms import _base

    original = _base.objects_matching  # where both the Deployments and the HPAs are looked for
    monkeypatch.setattr(_base, "objects_matching", lambda m, s: searches.append(s.kind) or original(m, s))
    monkeypatch.setattr(_to_daemonset, "objects_matching", _base.objects_matching)
    plan = plan_to_daemonset(manifest, ToDaemonSetOptions(selector=Selector(kind="Deployment", namespace="shop", name="web")))
    assert searches.count("HorizontalPodAutoscaler") == 1
    removed = [(e.index, e.pointer) for e in plan.edits if e.operations == ({"op": "remove", "path": ""},)]
    assert len(removed) == len(set(removed)) == 8  # each copy's HPA, once, though every copy names all eight
    assert sum("removed HorizontalPodAutoscaler" in w for w in plan.warnings) == 8
