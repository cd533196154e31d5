"""label_namespaces: golden cases, created Namespaces, and the refusals."""

from __future__ import annotations

import doctest

import pytest
from _transform_cases import cases, options_of
from pydantic import ValidationError

from istio_patch import OptionsError, SelectorError, load, load_path
from istio_patch.transforms import LabelNamespacesOptions, _label_namespaces, label_namespaces, plan_label_namespaces

INJECT = {"istio-injection": "enabled"}


def test_created_namespaces_are_reported_where_they_start() -> None:
    case = cases("label_namespaces")[0].parent / "create-missing"
    result = label_namespaces(load_path(case / "input.yaml"), LabelNamespacesOptions.validate(options_of(case)))
    assert [(c.document, c.line, c.object, c.op, c.pointer, c.reason) for c in result.changes] == [
        (1, 4, "Namespace bookinfo", "add", "/metadata/labels", "labels istio-injection=enabled"),  # under metadata:
        (2, 9, "Namespace default", "add", "", "created with its labels"),  # documents are numbered from 1
        (3, 16, "Namespace staging", "add", "", "created with its labels"),
    ]
    objects = result.manifest.objects()
    assert [(o.name, o.line, dict(o.labels)) for o in objects] == [
        ("bookinfo", 2, INJECT),
        ("default", 9, INJECT),
        ("staging", 16, INJECT),
    ]


def test_a_missing_namespace_is_an_error() -> None:
    text = "kind: Namespace\nmetadata: {name: bookinfo}\n"
    with pytest.raises(SelectorError) as info:
        label_namespaces(load(text, source="ns.yaml"), names=["default", "bookinfo"], labels=INJECT)
    assert str(info.value) == (
        "ns.yaml: label_namespaces: no Namespace named default; Namespaces here: bookinfo (create_missing=True adds them)"
    )
    with pytest.raises(SelectorError) as info:
        plan_label_namespaces(load("kind: Pod\nmetadata: {name: p}\n"), LabelNamespacesOptions(names=["a", "b"], labels=INJECT))
    assert info.value.message == "label_namespaces: no Namespace named a, b; the manifest has no Namespace (create_missing=True adds them)"


def test_allow_no_match_skips_missing_names() -> None:
    text = "kind: Namespace\nmetadata: {name: bookinfo}\n"
    result = label_namespaces(load(text), names=["default", "bookinfo"], labels=INJECT, allow_no_match=True)
    assert result.manifest.render() == "kind: Namespace\nmetadata: {name: bookinfo, labels: {istio-injection: enabled}}\n"


def test_an_empty_stream_gets_the_namespace() -> None:
    result = label_namespaces(load(""), names=["default"], labels=INJECT, create_missing=True)
    assert result.manifest.render() == "---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: default\n  labels:\n    istio-injection: enabled\n"


def test_other_kinds_with_the_name_are_not_namespaces() -> None:
    text = "kind: ConfigMap\nmetadata: {name: default}\n"
    with pytest.raises(SelectorError):
        label_namespaces(load(text), names=["default"], labels=INJECT)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"names": ["Default"], "labels": INJECT}, "Value error, 'Default' is not a namespace name (lower-case letters, digits and '-', at most 63)"),
        ({"names": [], "labels": INJECT}, "List should have at least 1 item after validation, not 0"),
        ({"names": ["default"], "labels": {}}, "Dictionary should have at least 1 item after validation, not 0"),
        (
            {"names": ["default"], "labels": {"istio injection": "enabled"}},
            "Value error, 'istio injection' is not a label key (an optional DNS prefix and '/', then a name of at most 63 characters)",
        ),
        (
            {"names": ["default"], "labels": {"Example.com/x": "y"}},
            "Value error, 'Example.com/x' is not a label key (an optional DNS prefix and '/', then a name of at most 63 characters)",
        ),
        (
            {"names": ["default"], "labels": {"istio-injection": "on!"}},
            "Value error, 'on!' is not a label value for istio-injection (at most 63 letters, digits, '-', '_' or '.')",
        ),
    ],
)
def test_options_are_checked(options: dict[str, object], message: str) -> None:
    with pytest.raises(OptionsError) as info:
        LabelNamespacesOptions.validate(options)
    assert isinstance(info.value.__cause__, ValidationError)
    assert info.value.__cause__.errors()[0]["msg"] == message
    assert info.value.message.endswith(message.removeprefix("Value error, "))


def test_an_empty_label_value_is_allowed() -> None:
    assert LabelNamespacesOptions(names=["default"], labels={"example.com/flag": ""}).labels == {"example.com/flag": ""}


def test_docstrings() -> None:
    assert doctest.testmod(_label_namespaces).failed == 0


def test_adding_a_namespace_every_cluster_has_is_warned() -> None:
    result = label_namespaces(load("kind: Namespace\nmetadata: {name: demo}\n"), names=["default", "demo", "shop"],
                              labels={"istio-injection": "enabled"}, create_missing=True)
    assert result.warnings == (
        "label_namespaces: added a Namespace default to the manifest, which every cluster has already: applying it only "
        "labels default, but `kubectl delete -f` of this manifest would delete the namespace default; "
        "`kubectl label namespace default istio-injection=enabled` labels it without that risk",
    )
