"""validate: offline schema checks with positions, skipped custom kinds, and clear errors about the extra."""

from __future__ import annotations

import doctest
import importlib.util
import sys

import pytest

from istio_patch import OptionsError, _validate, load
from istio_patch._validate import Problem, available_versions, validate

needs_validate = pytest.mark.skipif(
    importlib.util.find_spec("kubernetes_validate") is None,
    reason="the validate extra (kubernetes-validate) is not installed",
)

MANIFEST = """\
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  bogus: 1
  ports:
  - port: http
---
apiVersion: extensions/v1beta1
kind: Deployment
metadata: {name: old}
---
apiVersion: v1
kind: List
items:
- apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: listed
    namespace: shop
  spec:
    template: {}
- apiVersion: networking.istio.io/v1alpha3
  kind: Gateway
  metadata: {name: gw}
"""


@needs_validate
def test_reports_each_problem_with_line_and_pointer() -> None:
    problems = validate(load(MANIFEST, source="m.yaml"), "1.25")
    assert [str(p) for p in problems] == [
        "m.yaml:8: error: Service web: /spec/ports/0/port: 'http' is not of type 'integer'",
        "m.yaml:10: error: Deployment old: /apiVersion: Kubernetes 1.25 does not serve extensions/v1beta1 Deployment; "
        "it serves Deployment as apps/v1",
        "m.yaml:22: error: Deployment shop/listed: /items/0/spec: 'selector' is a required property",
        "m.yaml:24: skipped: Gateway gw: /items/1: networking.istio.io/v1alpha3 Gateway is not built in: "
        "its CustomResourceDefinition defines it",
    ]


@needs_validate
def test_problem_fields() -> None:
    first = validate(load(MANIFEST, source="m.yaml"), "1.25")[0]
    assert first == Problem(
        source="m.yaml",
        line=8,
        document=1,
        pointer="/spec/ports/0/port",
        object="Service web",
        severity="error",
        message="'http' is not of type 'integer'",
    )


@needs_validate
def test_strict_refuses_unknown_fields_at_the_field() -> None:
    problems = validate(load(MANIFEST, source="m.yaml"), "1.25", strict=True)
    assert str(problems[0]) == "m.yaml:6: error: Service web: /spec/bogus: unknown field 'bogus'"
    assert len(problems) == 5


@needs_validate
def test_a_valid_manifest_has_no_problems() -> None:
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: b\n"
    assert validate(load(text), "1.30") == ()


@needs_validate
def test_the_last_writing_of_a_repeated_key_is_the_one_reported() -> None:
    text = "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec:\n  ports:\n  - port: 80\n    port: x\n"
    (problem,) = validate(load(text), "1.25")
    assert (problem.line, problem.pointer) == (8, "/spec/ports/0/port")


@needs_validate
def test_an_object_without_api_version_is_an_error() -> None:
    (problem,) = validate(load("kind: ConfigMap\nmetadata:\n  name: c\n"), "1.25")
    assert str(problem) == "<string>:1: error: ConfigMap c: /apiVersion: the object has no apiVersion"


@needs_validate
def test_a_kind_no_release_serves_in_a_built_in_group_is_an_error() -> None:
    (problem,) = validate(load("apiVersion: apps/v1\nkind: Widget\nmetadata:\n  name: w\n"), "1.25")
    assert problem.message == "Kubernetes 1.25 does not serve apps/v1 Widget"


@needs_validate
def test_names_the_available_versions() -> None:
    import kubernetes_validate

    with pytest.raises(OptionsError) as caught:
        validate(load(MANIFEST), "1.15")
    assert caught.value.message == (
        f"validate: kubernetes-validate {kubernetes_validate.__version__} has no schemas for Kubernetes 1.15; "
        f"it has {', '.join(available_versions())}"
    )
    assert "1.25" in available_versions()


def test_refuses_an_unreadable_version() -> None:
    with pytest.raises(OptionsError) as caught:
        validate(load(MANIFEST), "latest")
    assert caught.value.message == "validate: cannot read the Kubernetes version 'latest': write it as 1.25"


def test_says_how_to_install_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "kubernetes_validate", None)  # makes the import fail
    _validate._folders.cache_clear()
    try:
        with pytest.raises(OptionsError) as caught:
            validate(load(MANIFEST), "1.25")
    finally:
        _validate._folders.cache_clear()
    assert caught.value.message == (
        "validate: the kubernetes-validate package is not installed; install it with: pip install 'kubernetes-validate>=1.28' (in istio-patch's environment; the extra 'validate' of its source)"
    )


def test_problem_text() -> None:
    problem = Problem("f.yaml", 3, 0, "", "Gateway gw", "skipped", "not built in")
    assert str(problem) == "f.yaml:3: skipped: Gateway gw: /: not built in"


@needs_validate
def test_docstring_example() -> None:
    assert doctest.testmod(_validate, raise_on_error=True).attempted >= 1
