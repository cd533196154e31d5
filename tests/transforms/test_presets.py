"""Presets: the guide's edits by name, on a small manifest in the shape of the Istio 1.0.0 demo."""

from __future__ import annotations

import doctest

import pytest
from _transform_cases import FIXTURES

from istio_patch import OptionsError, SelectorError, load, load_path
from istio_patch.transforms import PRESETS, _presets, apply, preset

PRESET_DIR = FIXTURES / "presets"
INPUT = PRESET_DIR / "input.yaml"


def test_the_presets_are_the_guides() -> None:
    assert list(PRESETS) == ["bare-metal", "cn-mirror", "small-nodes", "admission-webhooks"]


def test_an_unknown_preset_names_the_known_ones() -> None:
    with pytest.raises(OptionsError) as caught:
        preset("bare_metal")
    assert str(caught.value) == (
        "unknown preset 'bare_metal'; did you mean 'bare-metal'? (the presets are: bare-metal, cn-mirror, small-nodes, admission-webhooks)"
    )


def test_bare_metal_reports_the_removed_hpa() -> None:
    result = apply(load_path(INPUT), preset("bare-metal"))
    assert result.warnings == (
        f"to_daemonset: removed HorizontalPodAutoscaler istio-system/istio-ingressgateway ({INPUT}:95): an HPA "
        "cannot scale a DaemonSet (keep_hpa=True keeps it)",
    )
    assert [p.transform for p in result.plans] == ["node_port", "to_daemonset", "host_ports"]


def test_bare_metal_without_an_hpa_is_fine() -> None:
    text = INPUT.read_text(encoding="utf-8")
    without = text[: text.index("apiVersion: autoscaling/v2beta1")] + "\n"
    result = apply(load(without), preset("bare-metal"))
    assert result.warnings == ()
    assert [o.kind for o in result.manifest.objects()] == ["Service", "DaemonSet", "Deployment", "ConfigMap"]


def test_presets_are_strict_about_their_target() -> None:
    with pytest.raises(SelectorError) as caught:
        apply(load("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: default\n", source="ns.yaml"), preset("bare-metal"))
    assert str(caught.value) == "ns.yaml: node_port: no object matches Service/istio-ingressgateway in namespace istio-system"
    with pytest.raises(SelectorError) as caught:
        apply(load("kind: Namespace\n", source="ns.yaml"), preset("small-nodes"))
    assert str(caught.value) == "ns.yaml: strip_resources: no object matches Deployment/istio-pilot in namespace istio-system"


def test_each_call_gives_fresh_steps() -> None:
    assert preset("small-nodes") is not preset("small-nodes")


def test_cn_mirror_rewrites_every_istio_release_image() -> None:
    text = INPUT.read_text(encoding="utf-8")
    result = apply(load(text), preset("cn-mirror"))
    assert result.manifest.render() == text.replace("gcr.io/istio-release", "docker.io/istio")


def test_admission_webhooks_enables_both_plugins() -> None:
    text = (
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: kube-apiserver\n  namespace: kube-system\nspec:\n  containers:\n"
        "  - command:\n    - kube-apiserver\n    - --enable-admission-plugins=NodeRestriction\n    name: kube-apiserver\n"
    )
    out = apply(load(text), preset("admission-webhooks")).manifest.render()
    assert out == text.replace("=NodeRestriction", "=NodeRestriction,MutatingAdmissionWebhook,ValidatingAdmissionWebhook")


def test_docstring_example() -> None:
    assert doctest.testmod(_presets).failed == 0
