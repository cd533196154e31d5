"""split_glued: the object that comes back, the documents after the split, the verification, and dedupe after it."""

from __future__ import annotations

import doctest
from dataclasses import replace

import pytest
from _transform_cases import FIXTURES

from istio_patch import EditError, load
from istio_patch.transforms import PRESETS, SplitGluedOptions, _split_glued, apply, dedupe_keys, plan_split_glued, preset, split_glued

GLUED = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n"


def certmanager() -> bytes:
    return (FIXTURES / "split_glued" / "certmanager-crds" / "input.yaml").read_bytes()


def test_the_lost_object_comes_back_as_a_change_and_a_warning() -> None:
    manifest = load(certmanager() + b"---\nkind: ServiceAccount\nmetadata: {name: later}\n", source="crds.yaml")
    result = split_glued(manifest)
    assert [str(change) for change in result.changes] == [
        (
            "crds.yaml:3: split_glued: CustomResourceDefinition clusterissuers.certmanager.k8s.io: add / (a `---` inserted "
            "before CustomResourceDefinition issuers.certmanager.k8s.io (line 23): the object comes back)"
        )
    ]
    names = [(obj.kind, obj.name, obj.index, obj.line) for obj in result.manifest.objects()]
    assert names == [
        ("CustomResourceDefinition", "clusterissuers.certmanager.k8s.io", 0, 3),
        ("CustomResourceDefinition", "issuers.certmanager.k8s.io", 1, 24),
        ("ServiceAccount", "certmanager", 2, 44),
        ("ServiceAccount", "later", 3, 50),
    ]
    assert [obj.name for obj in manifest.objects()] == ["issuers.certmanager.k8s.io", "certmanager", "later"]
    assert [(d.index, d.line) for d in load(result.manifest.render()).documents] == [(d.index, d.line) for d in result.manifest.documents]


def test_the_plan_has_no_operations_only_what_it_would_do() -> None:
    plan = plan_split_glued(load(GLUED, source="g.yaml"), SplitGluedOptions())
    assert plan.edits == ()
    assert plan.warnings == (
        (
            "split_glued: g.yaml:1: ConfigMap a was written in one document with ConfigMap b (line 4), without a `---` "
            "between them: Kubernetes never saw it; a `---` line now brings it back"
        ),
    )


def test_the_plan_says_where_the_new_documents_go() -> None:
    third = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n"
    blocked = GLUED.replace("{name: a}", "{name: &n a}").replace("{name: b}", "{name: b, labels: {x: *n}}")
    text = "---\n".join([GLUED + third, "kind: Pod\nmetadata: {name: p}\n", blocked, GLUED])
    manifest = load(text)
    plan = plan_split_glued(manifest, SplitGluedOptions())
    assert plan.inserted == (1, 2, 6)
    result = split_glued(manifest)
    assert [obj.name for obj in result.manifest.objects()] == ["a", "b", "c", "p", "b", "a", "b"]
    assert [result.manifest.documents[i].data["metadata"]["name"] for i in plan.inserted] == ["b", "c", "b"]


def test_nothing_glued_is_a_note() -> None:
    result = split_glued(load("kind: Pod\nmetadata: {name: p}\n", source="p.yaml"))
    assert (result.changes, result.warnings, result.notes) == ((), (), ("split_glued: p.yaml holds no objects written without a `---` between them",))


def test_split_then_dedupe_leaves_no_duplicate_and_loses_no_object() -> None:
    text = certmanager().replace(b"    app: certmanager\n", b"    app: certmanager\n    app: certmanager\n")
    result = apply(load(text), [lambda m: split_glued(m), lambda m: dedupe_keys(m)])
    assert not result.manifest.duplicates() and not [w for w in result.warnings if w.startswith("dedupe_keys")]
    assert [obj.name for obj in result.manifest.objects()] == ["clusterissuers.certmanager.k8s.io", "issuers.certmanager.k8s.io", "certmanager"]


def test_a_split_that_would_not_read_back_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from istio_patch import _glued

    real = _glued.glued_objects

    def wrong(doc):  # the second object claims a key it does not have
        objects = real(doc)
        return objects[:1] + (replace(objects[1], data={**objects[1].data, "extra": 1}),) if objects else objects

    monkeypatch.setattr(_split_glued, "glued_objects", wrong)
    manifest = load(GLUED, source="g.yaml")
    with pytest.raises(EditError) as caught:
        split_glued(manifest)
    assert str(caught.value) == (
        "g.yaml:4: splitting the document would not read back as ConfigMap b; nothing was changed "
        "(please report this with the document) (document 1)"
    )
    assert manifest.render() == GLUED


def test_no_preset_runs_it() -> None:
    for name in PRESETS:
        assert all(step.keywords["options"].__class__ is not SplitGluedOptions for step in preset(name))  # type: ignore[attr-defined]


def test_docstring_example() -> None:
    assert doctest.testmod(_split_glued).failed == 0
