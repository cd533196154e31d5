"""dedupe_keys: one change per writing removed, the selection, the plan's operations, and Istio 1.0.0's demos."""

from __future__ import annotations

import doctest

import pytest
from _transform_cases import FIXTURES, corpus_file

from istio_patch import EditError, SelectorError, load, load_path
from istio_patch.transforms import DedupeKeysOptions, _dedupe_keys, dedupe_keys, plan_dedupe_keys

LABELS = "kind: Service\nmetadata:\n  name: {name}\n  namespace: {namespace}\n  labels:\n    app: a\n    app: b\n"


def test_each_writing_removed_is_a_change_at_its_line() -> None:
    text = "kind: ConfigMap\nmetadata:\n  name: c\ndata:\n  k: 1\n  j: 0\n  k: 2\n  k: 3\n"
    result = dedupe_keys(load(text, source="c.yaml"))
    assert result.manifest.render() == "kind: ConfigMap\nmetadata:\n  name: c\ndata:\n  j: 0\n  k: 3\n"
    assert [str(change) for change in result.changes] == [
        "c.yaml:5: dedupe_keys: ConfigMap c: remove /data/k (repeated on line 8, which Kubernetes reads)",
        "c.yaml:7: dedupe_keys: ConfigMap c: remove /data/k (repeated on line 8, which Kubernetes reads)",
    ]
    assert [(change.document, change.op) for change in result.changes] == [(1, "remove"), (1, "remove")]


def test_the_plan_removes_only_the_earlier_writings_of_each_key() -> None:
    manifest = load("kind: List\nitems:\n- kind: Pod\n  metadata: {name: p, name: q}\n  spec: {a: 1, a: 2}\n")
    plan = plan_dedupe_keys(manifest, DedupeKeysOptions())
    ((edit),) = plan.edits
    assert (edit.index, edit.pointer, edit.line, edit.object) == (0, "/items/0", 3, "Pod q")
    assert edit.operations == (
        {"op": "remove", "path": "/metadata/name", "writings": "earlier"},
        {"op": "remove", "path": "/spec/a", "writings": "earlier"},
    )
    assert manifest.render() == "kind: List\nitems:\n- kind: Pod\n  metadata: {name: p, name: q}\n  spec: {a: 1, a: 2}\n"


def test_what_is_inside_a_losing_writing_goes_with_it() -> None:
    text = "kind: ConfigMap\nmetadata:\n  name: c\n  labels: {a: 1, a: 2}\n  labels: {b: 1}\n"
    result = dedupe_keys(load(text))
    assert result.manifest.render() == "kind: ConfigMap\nmetadata:\n  name: c\n  labels: {b: 1}\n"
    assert [(change.line, change.pointer) for change in result.changes] == [(4, "/metadata/labels")]


def test_a_selector_limits_the_work_to_its_objects() -> None:
    text = LABELS.format(name="gw", namespace="istio-system") + "---\n" + LABELS.format(name="gw", namespace="other")
    result = dedupe_keys(load(text), selector="svc/gw", namespace="istio-system")
    assert result.manifest.render() == text.replace("    app: a\n", "", 1)
    with pytest.raises(SelectorError) as caught:
        dedupe_keys(load(text, source="s.yaml"), selector="svc/gw")
    assert str(caught.value) == (
        "s.yaml: dedupe_keys: Service/gw matches objects in 2 namespaces: Service istio-system/gw (line 1), Service other/gw "
        "(line 9); say which with namespace=NAME, or all_namespaces=True for every one of them"
    )
    with pytest.raises(SelectorError) as caught:
        dedupe_keys(load(text, source="s.yaml"), selector="deploy/gw")
    assert str(caught.value) == "s.yaml: dedupe_keys: no object matches Deployment/gw"
    assert dedupe_keys(load(text), selector="deploy/gw", allow_no_match=True).manifest.render() == text


def test_a_list_item_selected_is_deduplicated_alone() -> None:
    text = "kind: List\nitems:\n- kind: Pod\n  metadata: {name: p, name: p}\n- kind: Pod\n  metadata: {name: q, name: q}\nx: 1\nx: 2\n"
    out = dedupe_keys(load(text), selector="pod/q").manifest.render()
    assert out == "kind: List\nitems:\n- kind: Pod\n  metadata: {name: p, name: p}\n- kind: Pod\n  metadata: {name: q}\nx: 1\nx: 2\n"
    assert dedupe_keys(load(text), selector="List").manifest.render() == (
        "kind: List\nitems:\n- kind: Pod\n  metadata: {name: p}\n- kind: Pod\n  metadata: {name: q}\nx: 2\n"
    )


def test_nothing_to_do_is_a_note() -> None:
    result = dedupe_keys(load("kind: Pod\nmetadata: {name: p}\n", source="p.yaml"))
    assert (result.changes, result.notes) == ((), ("dedupe_keys: p.yaml writes no key twice",))


def test_a_losing_writing_that_holds_an_anchor_in_use_is_refused() -> None:
    text = "kind: ConfigMap\nmetadata: {name: c}\ndata:\n  a: &x one\n  b: *x\n  a: two\n"
    with pytest.raises(EditError) as caught:
        dedupe_keys(load(text, source="c.yaml"))
    assert caught.value.headline() == (
        "c.yaml:4:6: this value holds the anchor &x that an alias elsewhere refers to; write the alias out first "
        "(document 1, at /data/a)"
    )


def test_istio_1_0_0_demos_lose_their_duplicate_labels_and_nothing_kubernetes_reads() -> None:
    for name, lines in (("istio-demo.yaml", [2896, 3033]), ("istio-demo-auth.yaml", [3038, 3175])):
        manifest = load_path(corpus_file(f"istio-1.0.0/{name}"))
        result = dedupe_keys(manifest)
        assert [(change.line, change.object, change.pointer) for change in result.changes] == [
            (lines[0], "Deployment istio-system/istio-egressgateway", "/metadata/labels/app"),
            (lines[1], "Deployment istio-system/istio-ingressgateway", "/metadata/labels/app"),
        ]
        assert not result.manifest.duplicates() and not result.warnings
        assert [doc.data for doc in result.manifest.documents] == [doc.data for doc in manifest.documents]
        before, after = manifest.render().split("\n"), result.manifest.render().split("\n")
        assert after == [line for number, line in enumerate(before, start=1) if number not in lines]  # those lines only


def test_docstring_example() -> None:
    assert doctest.testmod(_dedupe_keys).failed == 0


def test_the_fixtures_cover_the_cases_the_docs_name() -> None:
    assert {p.name for p in (FIXTURES / "dedupe_keys").iterdir()} >= {
        "gateway-labels", "crlf-no-final-newline", "selector", "merge-keys-and-aliases", "glued-root-left"
    }  # fmt: skip
