"""Property tests: edits agree with jsonpatch, leave other lines alone, and fail cleanly; round trips hold."""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

import jsonpatch
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import istio_patch
from istio_patch import EditError, IstioPatchError
from istio_patch._edit import _as_kubernetes_reads, same_data

# ISTIO_PATCH_EXAMPLES raises the example count for a longer local run (CI keeps the default).
SETTINGS = settings(max_examples=int(os.environ.get("ISTIO_PATCH_EXAMPLES", "60")), deadline=None, suppress_health_check=[HealthCheck.too_slow])
CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "istio-1.0.0" / "istio-demo.yaml"

KEYS = st.sampled_from(["name", "image", "port", "labels", "spec", "value", "items", "a b", "x-y", "k8s.io/app"])
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-1000, 100000),
    st.sampled_from(["", "text", "two words", "yes", "1.0", "docker.io/istio/proxy:1.0", "a: b", "#x", "multi\nline\n"]),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(KEYS, inner, max_size=3)),
    max_leaves=8,
)
DOCUMENTS = st.dictionaries(KEYS, VALUES, min_size=1, max_size=5)


def _dump(data: Any, flow: bool, indent: int) -> str:
    return yaml.safe_dump(data, default_flow_style=flow, sort_keys=False, indent=indent, allow_unicode=True)


def _paths(value: Any, prefix: str = "") -> list[str]:
    found = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            found += _paths(child, f"{prefix}/{key.replace('~', '~0').replace('/', '~1')}")
    elif isinstance(value, list):
        for i, child in enumerate(value):
            found += _paths(child, f"{prefix}/{i}")
    return found


@st.composite
def operations(draw: st.DrawFn, view: Any) -> list[dict[str, Any]]:
    ops = []
    current = copy.deepcopy(view)
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in _paths(current) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        kind = draw(st.sampled_from(["add", "remove", "replace", "move", "copy", "test"]))
        op: dict[str, Any] = {"op": kind, "path": path}
        if kind in ("add", "replace"):
            op["value"] = draw(VALUES)
        if kind == "add":
            op["path"] = path.rsplit("/", 1)[0] + "/" + draw(st.sampled_from(["new", "-", "0", "name"]))
        if kind == "test":
            op["value"] = copy.deepcopy(jsonpatch.JsonPointer(path).resolve(current))
        if kind in ("move", "copy"):
            op["from"] = path
            op["path"] = draw(st.sampled_from(paths)).rsplit("/", 1)[0] + "/moved"
        try:
            current = jsonpatch.apply_patch(current, [op])
        except (jsonpatch.JsonPatchException, jsonpatch.JsonPointerException):
            continue  # only operations that RFC 6902 accepts are kept
        ops.append(op)
    return ops


def _check_edit(text: str, ops: list[dict[str, Any]]) -> None:
    manifest = istio_patch.load(text)
    before = manifest.documents[0].data
    expected = jsonpatch.apply_patch(before, ops)
    try:
        out = manifest.apply(ops, index=0)
    except EditError as exc:
        # refusals are allowed (shared aliases, merge keys, or an edit that cannot be verified)
        assert manifest.render() == text, str(exc)
        return
    assert same_data(out.documents[0].data, expected)
    istio_patch.check_syntax(out)


@SETTINGS
@given(data=DOCUMENTS, flow=st.booleans(), indent=st.sampled_from([2, 4]), ops=st.data())
def test_generated_edits_agree_with_jsonpatch(data: Any, flow: bool, indent: int, ops: st.DataObject) -> None:
    text = _dump(data, flow, indent)
    view = istio_patch.load(text).documents[0].data
    _check_edit(text, ops.draw(operations(view)))


@SETTINGS
@given(data=DOCUMENTS, flow=st.booleans(), indent=st.sampled_from([2, 4]))
def test_generated_yaml_round_trips(data: Any, flow: bool, indent: int) -> None:
    text = "# head\n---\n" + _dump(data, flow, indent) + "---\n" + _dump(data, not flow, indent)
    manifest = istio_patch.load(text)
    assert manifest.render() == text
    istio_patch.check_syntax(manifest)


@SETTINGS
@given(data=DOCUMENTS, key=KEYS, value=SCALARS, other=st.data())
def test_lines_outside_the_touched_entry_are_unchanged(data: Any, key: str, value: Any, other: st.DataObject) -> None:
    text = _dump(data, False, 2)
    manifest = istio_patch.load(text)
    root = manifest.documents[0].node
    view = manifest.documents[0].data
    target = other.draw(st.sampled_from(list(view)))
    entries = [(k.start_mark.line, v.end_mark.line) for k, v in root.value]
    index = list(view).index(target)
    assume(len(entries) == len(view))  # no key written twice
    first, after = entries[index][0], entries[index + 1][0] if index + 1 < len(entries) else None
    out = manifest.apply([{"op": "replace", "path": "/" + target.replace("~", "~0").replace("/", "~1"), "value": value}], index=0)
    old_lines, new_lines = text.splitlines(True), out.render().splitlines(True)
    assert new_lines[:first] == old_lines[:first]
    if after is not None:
        tail = len(old_lines) - after
        assert new_lines[len(new_lines) - tail :] == old_lines[after:]


def _corpus_documents() -> list[str]:
    if not CORPUS.is_file():
        return ["apiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec:\n  ports:\n  - port: 80\n"]
    docs = istio_patch.load_path(CORPUS).documents
    return [d.text for d in docs if isinstance(d.data, dict)][::7]


@SETTINGS
@given(text=st.sampled_from(_corpus_documents()), ops=st.data())
def test_corpus_edits_agree_with_jsonpatch(text: str, ops: st.DataObject) -> None:
    view = istio_patch.load(text).documents[0].data
    _check_edit(text, ops.draw(operations(view)))


@SETTINGS
@given(data=DOCUMENTS, ops=st.lists(st.fixed_dictionaries({"op": st.sampled_from(["add", "remove", "replace", "move", "copy", "test", "bogus"]), "path": st.sampled_from(["", "/", "/name", "/spec/0", "/missing/x", "/items/-", "bad"]), "value": VALUES}), max_size=3))  # fmt: skip
def test_any_operation_list_raises_only_our_errors(data: Any, ops: list[dict[str, Any]]) -> None:
    text = _dump(data, False, 2)
    manifest = istio_patch.load(text)
    try:
        manifest.apply(ops, index=0)
    except IstioPatchError:
        pass
    assert manifest.render() == text


JSON_STRINGS = st.text(st.characters(blacklist_categories=("Cs",)), max_size=6)  # astral characters included
JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-(10**20), 10**20), st.floats(allow_nan=False, allow_infinity=False), JSON_STRINGS),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(KEYS, inner, max_size=3)),
    max_leaves=8,
)


@SETTINGS
@given(
    data=st.dictionaries(KEYS, JSON_VALUES, min_size=1, max_size=5),
    indent=st.sampled_from([None, 2, 4]),
    ascii_only=st.booleans(),
    ops=st.data(),
)
def test_edits_of_json_documents_write_json(data: dict[str, Any], indent: int | None, ascii_only: bool, ops: st.DataObject) -> None:
    text = json.dumps(data, indent=indent, ensure_ascii=ascii_only) + "\n"  # ensure_ascii writes surrogate pairs
    manifest = istio_patch.load(text)
    view = manifest.documents[0].data
    assert same_data(view, _as_kubernetes_reads(json.loads(text), "", ""))  # numbers beyond int64 are floats
    chosen = ops.draw(operations(view))
    try:
        out = manifest.apply(chosen, index=0).render()
    except EditError as exc:
        assert manifest.render() == text, str(exc)
        return
    expected = _as_kubernetes_reads(jsonpatch.apply_patch(json.loads(text), chosen), "", "")
    assert same_data(_as_kubernetes_reads(json.loads(out), "", ""), expected)


def _fixture_documents() -> list[str]:
    found = []
    for path in sorted((Path(__file__).resolve().parent / "fixtures" / "roundtrip").glob("*.yaml")):
        for doc in istio_patch.load_path(path).documents:
            try:
                if isinstance(doc.data, dict):
                    found.append(doc.text)
            except IstioPatchError:
                continue
    return found


@SETTINGS
@given(text=st.sampled_from(_fixture_documents()), ops=st.data())
def test_fixture_edits_are_written_or_refused_for_a_reason(text: str, ops: st.DataObject) -> None:
    # anchors, merge keys, block scalars, flow, explicit keys, CRLF, trailing blanks, no final newline
    view = json.loads(json.dumps(istio_patch.load(text).documents[0].data))  # aliases shared nothing in JSON
    chosen = ops.draw(operations(view))
    try:
        out = istio_patch.load(text).apply(chosen, index=0)
    except EditError as exc:
        assert "please report" not in exc.message, exc.message  # a refusal says why; a bug asks to be reported
        return
    assert same_data(out.documents[0].data, jsonpatch.apply_patch(view, chosen))
