"""RFC 6902 operations written into the text: only the lines they need change, in the neighbours' style."""

from __future__ import annotations

import json
import time
from typing import Any

import jsonpatch
import pytest

from istio_patch import EditError, IstioPatchError, PatchTestFailed, load
from istio_patch._edit import parse_pointer, same_data


def edit(text: str, *ops: dict[str, Any]) -> str:
    return load(text).apply(list(ops), index=0).render()


def refused(text: str, *ops: dict[str, Any], cls: type = EditError) -> IstioPatchError:
    manifest = load(text, source="f.yaml")
    with pytest.raises(cls) as caught:
        manifest.apply(list(ops), index=0)
    assert manifest.render() == text  # a Manifest never changes
    return caught.value


# ---- add -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "op", "expected"),
    [
        ("a: 1\nb: 2\n", {"op": "add", "path": "/c", "value": 3}, "a: 1\nb: 2\nc: 3\n"),
        ("a: 1\n", {"op": "add", "path": "/c", "value": {"d": [1, "two"]}}, "a: 1\nc:\n  d:\n    - 1\n    - two\n"),
        ("a:\n- x\n", {"op": "add", "path": "/b", "value": ["w"]}, "a:\n- x\nb:\n- w\n"),
        ("a:\n    b: 1\n", {"op": "add", "path": "/a/c", "value": {"d": 1}}, "a:\n    b: 1\n    c:\n        d: 1\n"),
        ("a: {x: 1}\n", {"op": "add", "path": "/a/z", "value": {"k": [1]}}, "a: {x: 1, z: {k: [1]}}\n"),
        ("a: {}\n", {"op": "add", "path": "/a/z", "value": 1}, "a: {z: 1}\n"),
        ("a: [1, 3]\n", {"op": "add", "path": "/a/1", "value": 2}, "a: [1, 2, 3]\n"),
        ("a: [1]\n", {"op": "add", "path": "/a/-", "value": "x y"}, "a: [1, x y]\n"),
        ("a: []\n", {"op": "add", "path": "/a/-", "value": "b"}, "a: [b]\n"),
        ("a:\n- x\n- z\n", {"op": "add", "path": "/a/1", "value": "w"}, "a:\n- x\n- w\n- z\n"),
        ("a:\n  - x\n", {"op": "add", "path": "/a/0", "value": "w"}, "a:\n  - w\n  - x\n"),
        ("a:\n-   x: 1\n", {"op": "add", "path": "/a/-", "value": {"x": 2, "z": 3}}, "a:\n-   x: 1\n-   x: 2\n    z: 3\n"),
        ("a: 1\nb: 2", {"op": "add", "path": "/c", "value": 3}, "a: 1\nb: 2\nc: 3"),
        ("a: 1\n", {"op": "add", "path": "/a", "value": 2}, "a: 2\n"),
        ("a:\n", {"op": "add", "path": "/a", "value": "v"}, "a: v\n"),
        ("a: 1\n# trailing comment\n", {"op": "add", "path": "/b", "value": 2}, "a: 1\nb: 2\n# trailing comment\n"),
        ("a: 1\n", {"op": "add", "path": "/t", "value": "true"}, 'a: 1\nt: "true"\n'),
        ("a: 1\n", {"op": "add", "path": "/y", "value": 1}, 'a: 1\n"y": 1\n'),
        ("a: 1\n", {"op": "add", "path": "/s", "value": "two\nlines\n"}, "a: 1\ns: |\n  two\n  lines\n"),
    ],
)  # fmt: skip
def test_add(text: str, op: dict[str, Any], expected: str) -> None:
    assert edit(text, op) == expected


def test_add_keeps_crlf() -> None:
    text = "spec:\r\n  ports:\r\n  - port: 80\r\n"
    out = edit(
        text,
        {"op": "add", "path": "/spec/ports/-", "value": {"port": 443, "name": "https"}},
        {"op": "add", "path": "/spec/type", "value": "NodePort"},
    )
    assert out == "spec:\r\n  ports:\r\n  - port: 80\r\n  - port: 443\r\n    name: https\r\n  type: NodePort\r\n"


@pytest.mark.parametrize(
    ("index", "expected"),
    [
        ("-", "x:\n  -\n    name: a\n  -\n    name: b\n    v: 1\n"),
        ("0", "x:\n  -\n    name: b\n    v: 1\n  -\n    name: a\n"),
    ],
)
def test_add_copies_the_lone_dash_style(index: str, expected: str) -> None:
    assert edit("x:\n  -\n    name: a\n", {"op": "add", "path": f"/x/{index}", "value": {"name": "b", "v": 1}}) == expected


def test_add_to_the_root() -> None:
    assert edit("a: 1\n", {"op": "add", "path": "", "value": {"z": 1}}) == "z: 1\n"
    assert edit("--- \na: 1\n", {"op": "replace", "path": "", "value": [1]}) == "--- \n- 1\n"


# ---- remove ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "path", "expected"),
    [
        ("a: 1\nb: 2\nc: 3\n", "/b", "a: 1\nc: 3\n"),
        ("a:\n  b:\n    c: 1\n\n  d: 2\n", "/a/b", "a:\n\n  d: 2\n"),
        ("a: 1\nb: |\n  x\n\n  y\n\nc: 3\n", "/b", "a: 1\n\nc: 3\n"),
        ("a: 1  # one\nb: 2  # two\n", "/a", "b: 2  # two\n"),
        ("a: 1\nb: 2", "/b", "a: 1"),
        ("a: 1\r\nb: 2", "/b", "a: 1"),
        ("a: {x: 1, z: 2}\n", "/a/x", "a: {z: 2}\n"),
        ("a: {x: 1, z: 2}\n", "/a/z", "a: {x: 1}\n"),
        ("a: {x: 1}\n", "/a/x", "a: {}\n"),
        ("a: [1, 2, 3]\n", "/a/0", "a: [2, 3]\n"),
        ("a: [1, 2, 3]\n", "/a/2", "a: [1, 2]\n"),
        ("a:\n- x\n- y\n", "/a/0", "a:\n- y\n"),
        ("a:\n- x: 1\n  z: 2\n- w\n", "/a/0", "a:\n- w\n"),
        ("a:\n  -\n    x: 1\n  -\n    x: 2\n", "/a/1", "a:\n  -\n    x: 1\n"),
        ("a:\n- x\n", "/a/0", "a: []\n"),
        ("metadata:\n  labels:\n    app: a\n", "/metadata/labels/app", "metadata:\n  labels: {}\n"),
        ("a: 1\n", "/a", "{}\n"),
    ],
)
def test_remove(text: str, path: str, expected: str) -> None:
    assert edit(text, {"op": "remove", "path": path}) == expected


def test_remove_in_comment_mode() -> None:
    text = "resources:\n  requests:\n    cpu: 500m\n    memory: 2048Mi\n"
    out = edit(text, {"op": "remove", "path": "/resources/requests/memory", "comment": True})
    assert out == "resources:\n  requests:\n    cpu: 500m\n    # memory: 2048Mi\n"
    assert edit("l:\n- a\n- b\n- c\n", {"op": "remove", "path": "/l/1", "comment": True}) == "l:\n- a\n# - b\n- c\n"
    nested = edit("a:\n  b:\n    c: 1\n\n    # old\n  d: 2\n", {"op": "remove", "path": "/a/b", "comment": True})
    assert nested == "a:\n  # b:\n    # c: 1\n\n    # old\n  d: 2\n"


def test_remove_of_the_whole_document_is_left_to_the_manifest() -> None:
    err = refused("a: 1\n", {"op": "remove", "path": ""})
    assert err.message == "cannot remove: can't remove the whole document"


# ---- remove: the earlier writings of a repeated key ------------------------------------------------------


def earlier(path: str, **extra: Any) -> dict[str, Any]:
    return {"op": "remove", "path": path, "writings": "earlier", **extra}


@pytest.mark.parametrize(
    ("text", "path", "expected"),
    [
        ("a: 1\nb: 3\na: 2\n", "/a", "b: 3\na: 2\n"),
        ("labels:\n  app: a\n  chart: c\n  app: b\n", "/labels/app", "labels:\n  chart: c\n  app: b\n"),
        ("a: 1\na: 2\na: 3\nb: 4\n", "/a", "a: 3\nb: 4\n"),
        ("a: 1\na: 1\n", "/a", "a: 1\n"),
        ("a: {x: 1, x: 2}\n", "/a/x", "a: {x: 2}\n"),
        ("a: {y: 0, x: 1, z: 5, x: 2}\n", "/a/x", "a: {y: 0, z: 5, x: 2}\n"),
        ("l:\n- app: a\n  x: 1\n  app: b\n", "/l/0/app", "l:\n- x: 1\n  app: b\n"),
        ("l:\n-\n  app: a\n  app: b\n", "/l/0/app", "l:\n-\n  app: b\n"),
        ("a: 1\r\nb: 3\r\na: 2\r\n", "/a", "b: 3\r\na: 2\r\n"),
        ("a:\n  x: 1\n  x: 2\na: 3\n", "/a", "a: 3\n"),
        ("a:\n  b: 1\n  # inside\n  c: 2\n# above\na: 3\n", "/a", "# above\na: 3\n"),
        ("a: 1  # lost\na: 2  # kept\n", "/a", "a: 2  # kept\n"),
        ("a: 1\n'a': 2\n\"a\": 3\n", "/a", "\"a\": 3\n"),
        ("on: 1\ntrue: 2\n", "/true", "true: 2\n"),
        ("m: &m {k: 1, k: 2}\nc: *m\n", "/m/k", "m: &m {k: 2}\nc: *m\n"),
        ("m: &m {k: 1, k: 2}\nc: *m\n", "/c/k", "m: &m {k: 2}\nc: *m\n"),
        ("d: &d {m: 1}\nr:\n  m: 2\n  m: 3\n  <<: *d\n", "/r/m", "d: &d {m: 1}\nr:\n  m: 3\n  <<: *d\n"),
        ("a: 1\nb: 2\n", "/a", "a: 1\nb: 2\n"),
    ],
)  # fmt: skip
def test_remove_earlier_writings_keeps_the_one_kubernetes_reads(text: str, path: str, expected: str) -> None:
    out = edit(text, earlier(path))
    assert out == expected
    assert load(out).documents[0].data == load(text).documents[0].data
    assert not load(out).duplicates()


def test_remove_earlier_writings_in_comment_mode() -> None:
    assert edit("a: 1\nb: 2\na: 3\n", earlier("/a", comment=True)) == "# a: 1\nb: 2\na: 3\n"


@pytest.mark.parametrize("brk", ["\r", "\x85"])
def test_remove_earlier_writings_with_lone_line_breaks(brk: str) -> None:
    assert edit("a: 1\nb: 3\na: 2\n".replace("\n", brk), earlier("/a")) == "b: 3\na: 2\n".replace("\n", brk)


def test_remove_earlier_writings_is_not_a_removal_for_jsonpatch() -> None:
    # the key is still there for the operations after it, with the value Kubernetes read
    out = edit("a: 1\nb: 3\na: 2\n", earlier("/a"), {"op": "test", "path": "/a", "value": 2}, {"op": "replace", "path": "/a", "value": 5})
    assert out == "b: 3\na: 5\n"


@pytest.mark.parametrize(
    ("text", "op", "message"),
    [
        ("a: 1\nb: 2\n", earlier("/c"), "no such key"),
        ("a: [1, 2]\n", earlier("/a/0"), "only a mapping's key is written more than once; this is a sequence's item"),
        ("a: 1\n", earlier(""), "only a mapping's key is written more than once; the path names the whole document"),
        ("a: &x 1\nb: *x\na: 2\n", earlier("/a"), "this value holds the anchor &x that an alias elsewhere refers to; write the alias out first"),
        ("a: 1\n", {"op": "add", "path": "/b", "value": 1, "writings": "earlier"}, 'operation 1 (add): "writings" goes with remove only'),
        ("a: 1\na: 2\n", {"op": "remove", "path": "/a", "writings": "all"},
         'operation 1 (remove): "writings" can only be "earlier" (the writings of a repeated key that Kubernetes does not read), not \'all\''),
    ],
)  # fmt: skip
def test_remove_earlier_writings_refusals(text: str, op: dict[str, Any], message: str) -> None:
    assert refused(text, op).message == message


def test_remove_earlier_writings_is_verified_against_the_view(monkeypatch: pytest.MonkeyPatch) -> None:
    from istio_patch import _edit

    # were the winning writing taken away instead, the view would change: the edit is refused
    def wrong(current: Any, mapping: Any, i: int, comment: bool = False) -> None:
        _remove_entry(current, mapping, len(mapping.value) - 1, comment)

    _remove_entry = _edit._remove_entry
    monkeypatch.setattr(_edit, "_remove_entry", wrong)
    err = refused("a: 1\nb: 3\na: 2\n", earlier("/a"))
    assert err.message.startswith("the edit could not be written in place without changing other data")


# ---- replace ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value", "expected"),
    [
        ("a: x  # keep\nb: 1\n", "z", "a: z  # keep\nb: 1\n"),
        ("a: 'q'  # keep\n", "new", "a: 'new'  # keep\n"),
        ('a: "q"\n', "it's", 'a: "it\'s"\n'),
        ("a: 'q'\n", "it's", "a: 'it''s'\n"),
        ("a: x\n", "yes", 'a: "yes"\n'),
        ("a: x\n", "1.0", 'a: "1.0"\n'),
        ("a: x\n", 80, "a: 80\n"),
        ("a: 80\n", None, "a: null\n"),
        ("a: x\n", False, "a: false\n"),
        ("a: &anchor x\n", "y2", "a: &anchor y2\n"),
        ("a: !!str 1\n", "2", "a: !!str 2\n"),
        ("a: |\n  one\n  two\n", "three\nfour\n", "a: |\n  three\n  four\n"),
        ("a: x  # keep\nb: 1\n", {"k": "v"}, "a:  # keep\n  k: v\nb: 1\n"),
        ("a:\n  b: 1  # c\n  c: 2\nd: 3\n", 5, "a: 5\nd: 3\n"),
        ("a:  # note\n  b: 1\nd: 3\n", {"c": 2}, "a:  # note\n  c: 2\nd: 3\n"),
        ("a:\n- 1\n- 2\n", [3], "a:\n- 3\n"),
        ("a: [1, {b: 2}]\n", "v", "a: v\n"),
        ("a: {b: 1}\n", {"c": [1, 2]}, "a: {c: [1, 2]}\n"),
        ("a: 1\r\nb: 2\r\n", {"c": 1}, "a:\r\n  c: 1\r\nb: 2\r\n"),
    ],
)
def test_replace(text: str, value: Any, expected: str) -> None:
    assert edit(text, {"op": "replace", "path": "/a", "value": value}) == expected


def test_replace_inside_flow() -> None:
    assert edit("a: [1, {b: 2}]\n", {"op": "replace", "path": "/a/1/b", "value": "x, y"}) == 'a: [1, {b: "x, y"}]\n'


def test_replace_edits_the_last_writing_of_a_duplicate() -> None:
    assert edit("a: 1\nb: 3\na: 2\n", {"op": "replace", "path": "/a", "value": 9}) == "a: 1\nb: 3\na: 9\n"


def test_remove_removes_every_writing_of_a_duplicate() -> None:
    assert edit("a: 1\nb: 3\na: 2\n", {"op": "remove", "path": "/a"}) == "b: 3\n"


def test_duplicate_labels_of_a_gateway() -> None:
    text = "labels:\n  app: ingressgateway\n  chart: gateways\n  app: istio-ingressgateway\n"
    out = edit(text, {"op": "replace", "path": "/labels/app", "value": "gw"})
    assert out == "labels:\n  app: ingressgateway\n  chart: gateways\n  app: gw\n"


# ---- substring replacement inside strings ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value", "expected"),
    [
        ("a: image docker.io/istio/proxy:1.0 here\n", "image mirror.cn/istio/proxy:1.0 here",
         "a: image mirror.cn/istio/proxy:1.0 here\n"),
        ("a: plain\n  multi docker.io/x\n  line\n", "plain multi mirror/x line", "a: plain\n  multi mirror/x\n  line\n"),
        ("a: 'it''s docker.io/x'\n", "it's mirror/x", "a: 'it''s mirror/x'\n"),
        ('a: "x\\ty docker.io/x"\n', "x\ty mirror/x", 'a: "x\\ty mirror/x"\n'),
        ('a: "one \\\n  docker.io/x two"\n', "one mirror/x two", 'a: "one \\\n  mirror/x two"\n'),
        ("a: |\n  image: docker.io/x:1\n  other\n", "image: mirror/x:1\nother\n", "a: |\n  image: mirror/x:1\n  other\n"),
        ("a: >\n  folded docker.io/x:1\n  more\n", "folded mirror/x:1 more\n", "a: >\n  folded mirror/x:1\n  more\n"),
        ("a: |-\n  [[ .Image ]] docker.io/p\n\n  tail  # not a comment\n", "[[ .Image ]] m/p\n\ntail  # not a comment",
         "a: |-\n  [[ .Image ]] m/p\n\n  tail  # not a comment\n"),
    ],
)  # fmt: skip
def test_replace_changes_only_the_differing_words(text: str, value: str, expected: str) -> None:
    assert edit(text, {"op": "replace", "path": "/a", "value": value}) == expected


def test_substring_replacement_gives_way_to_a_rewrite_when_it_cannot_be_done() -> None:
    # the old word also occurs in an escape's source text; the scalar is written anew, still double-quoted
    out = edit('a: "\\u0041 A"\n', {"op": "replace", "path": "/a", "value": "A B"})
    assert out == 'a: "A B"\n'


# ---- move, copy, test ------------------------------------------------------------------------------------


def test_move_and_copy() -> None:
    assert edit("l:\n- a\n- b\n", {"op": "move", "from": "/l/0", "path": "/l/-"}) == "l:\n- b\n- a\n"
    assert edit("a:\n  b: 1\nc: 2\n", {"op": "copy", "from": "/a", "path": "/d"}) == "a:\n  b: 1\nc: 2\nd:\n  b: 1\n"
    assert edit("a: 1\nb: 2\n", {"op": "move", "from": "/a", "path": "/c"}) == "b: 2\nc: 1\n"


def test_test_operation() -> None:
    assert edit("a: 1\n", {"op": "test", "path": "/a", "value": 1}) == "a: 1\n"
    err = refused("a: 1\nb: 2\n", {"op": "replace", "path": "/a", "value": 2}, {"op": "test", "path": "/b", "value": 3},
                  cls=PatchTestFailed)  # fmt: skip
    assert err.pointer == "/b"
    assert err.headline() == (
        "f.yaml: test failed: 2 (<class 'int'>) is not equal to tested value 3 (<class 'int'>) (document 1, at /b)"
    )


def test_test_tells_types_apart() -> None:
    refused("a: 1\n", {"op": "test", "path": "/a", "value": "1"}, cls=PatchTestFailed)


def test_a_long_string_of_identical_references_is_edited_in_linear_time() -> None:
    old = " ".join(["gcr.io/istio-release/x:1"] * 9_200)  # 230 KB
    new = old.replace("gcr.io/istio-release", "docker.io/istio")
    text = f'kind: ConfigMap\ndata:\n  t: "{old}"\n'
    started = time.perf_counter()
    out = edit(text, {"op": "replace", "path": "/data/t", "value": new})
    assert time.perf_counter() - started < 5  # it took 40 s when each reference was counted anew
    assert out == f'kind: ConfigMap\ndata:\n  t: "{new}"\n'


# ---- values Kubernetes reads differently, or that no text can hold ---------------------------------------


@pytest.mark.parametrize(
    ("text", "op", "expected"),
    [
        # Kubernetes reads an integer beyond int64 and uint64 as a float64: so does the edit
        ("a: 1\n", {"op": "replace", "path": "/a", "value": 10**30}, "a: 1e+30\n"),
        ("a: 1\n", {"op": "add", "path": "/b", "value": [-(10**30)]}, "a: 1\nb:\n  - -1e+30\n"),
        ("a: 1e30\n", {"op": "test", "path": "/a", "value": 10**30}, "a: 1e30\n"),
        # JSON keys are strings
        ("a: 1\n", {"op": "add", "path": "/b", "value": {1: "x", None: 2, False: 3}}, 'a: 1\nb:\n  "1": x\n  "null": 2\n  "false": 3\n'),
        ("a: 1\n", {"op": "add", "path": "/b", "value": ("x", 1)}, "a: 1\nb:\n  - x\n  - 1\n"),
        # `--- x` and `... x` at column 0 would be document markers
        ("a: 1\n", {"op": "add", "path": "/--- x", "value": 1}, 'a: 1\n"--- x": 1\n'),
        ("a: 1\n", {"op": "add", "path": "/... x", "value": 1}, 'a: 1\n"... x": 1\n'),
        ("a: 1\n", {"op": "replace", "path": "", "value": "--- x"}, '"--- x"\n'),
        # blanks after a replaced value do not trail the last line of a block
        ("a: 1   \nb: 2\n", {"op": "replace", "path": "/a", "value": {"k": "x\ny\n"}}, "a:\n  k: |\n    x\n    y\nb: 2\n"),
        ("- 1   \n- 2\n", {"op": "replace", "path": "/0", "value": {"k": "x\ny\n"}}, "- k: |\n    x\n    y\n- 2\n"),
        ("a: 1   \n", {"op": "replace", "path": "", "value": {"k": "x\ny\n"}}, "k: |\n  x\n  y\n"),
        ("a: |\n  x\n  y   \nb: 2\n", {"op": "replace", "path": "/a", "value": "p\nq\n"}, "a: |\n  p\n  q\nb: 2\n"),
        # a comment after an empty value stays once
        ("a: # c\nb: 1\n", {"op": "replace", "path": "/a", "value": {"x": 1}}, "a: # c\n  x: 1\nb: 1\n"),
    ],
)  # fmt: skip
def test_values_as_kubernetes_reads_them(text: str, op: dict[str, Any], expected: str) -> None:
    assert edit(text, op) == expected


@pytest.mark.parametrize(
    ("op", "message"),
    [
        ({"op": "add", "path": "/b", "value": "x\ud800"}, "operation 1: the value holds a lone surrogate (U+D800), which UTF-8 text cannot hold"),
        ({"op": "add", "path": "/\udc00", "value": 1}, "operation 1: the pointer holds a lone surrogate, which no YAML text can hold"),
        ({"op": "add", "path": "/b", "value": b"x"}, "operation 1: a value of type bytes cannot be written as YAML (use str, int, float, bool, None, lists and dicts)"),
        ({"op": "add", "path": "/b", "value": {(1, 2): 1}}, "operation 1: a key of type tuple cannot be a JSON key"),
        ({"op": "add", "path": "/b", "value": {1: "x", "1": "y"}}, "operation 1: two keys of the value become the same JSON key '1'"),
        ({"op": "add", "path": "/b", "value": 10**400}, "operation 1: an integer of 1329 bits is beyond even a float64"),
        ({"op": "add", "path": "/b", "value": [[[[]]]]}, None),
    ],
)  # fmt: skip
def test_values_no_text_can_hold_are_refused(op: dict[str, Any], message: str | None) -> None:
    if message is None:  # nesting: refused past the view's limit only
        assert edit("a: 1\n", op) == "a: 1\nb:\n  - - - []\n"
        deep: Any = []
        for _ in range(300):
            deep = [deep]
        op = {**op, "value": deep}
        message = "operation 1: the value nests more than 200 levels deep"
    assert refused("a: 1\n", op).message == message


MERGED_AFTER = "a: 1\n<<: {a: 2, b: 3}\nc: 4\n"  # go-yaml v2 applies the merge after `a: 1`: a is 2


@pytest.mark.parametrize("op", [{"op": "remove", "path": "/a"}, {"op": "replace", "path": "/a", "value": 7}])
def test_a_key_overridden_by_a_later_merge_is_refused(op: dict[str, Any]) -> None:
    assert refused(MERGED_AFTER, op).headline() == (
        "f.yaml:2:1: this key's value comes from a merge key (<<) written after it; edit the merged mapping "
        "(document 1, at /a)"
    )


def test_keys_beside_a_later_merge_are_ordinary() -> None:
    assert edit(MERGED_AFTER, {"op": "replace", "path": "/c", "value": 5}) == "a: 1\n<<: {a: 2, b: 3}\nc: 5\n"
    assert edit(MERGED_AFTER, {"op": "add", "path": "/d", "value": 5}) == MERGED_AFTER + "d: 5\n"
    merged_before = "<<: {a: 2}\na: 1\n"  # written after the merge, the key wins and is editable
    assert edit(merged_before, {"op": "replace", "path": "/a", "value": 7}) == "<<: {a: 2}\na: 7\n"


def test_a_binary_scalar_is_replaced_by_the_text_it_stands_for() -> None:
    text = "image: !!binary Z2NyLmlvL2lzdGlvLXJlbGVhc2UvcGlsb3Q6MS4wLjA=\nname: x\n"
    assert edit(text, {"op": "replace", "path": "/image", "value": "docker.io/istio/pilot:1.0.0"}) == (
        "image: docker.io/istio/pilot:1.0.0\nname: x\n"
    )
    assert edit(text, {"op": "test", "path": "/image", "value": "gcr.io/istio-release/pilot:1.0.0"}) == text


# ---- found by fuzzing edits of the round-trip fixtures -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "op", "expected"),
    [
        # an explicit key starts at its `?`
        ("a: 1\n? b\n: 2\n", {"op": "remove", "path": "/b"}, "a: 1\n"),
        ("x:\n- c: 1\n  ? b\n  : 2\n", {"op": "remove", "path": "/x/0/b"}, "x:\n- c: 1\n"),
        ("{c: 1, ? b : 2}", {"op": "remove", "path": "/b"}, "{c: 1}"),
        # a block scalar cannot end a text without a final line break, nor come before blank lines holding spaces
        ("a: 1\nb: 2", {"op": "add", "path": "/c", "value": {"k": "x\ny\n"}}, 'a: 1\nb: 2\nc:\n  k: "x\\ny\\n"'),
        ("a: |\n  x\n  y", {"op": "replace", "path": "/a", "value": "p\nq\n"}, 'a: "p\\nq\\n"'),
        ("a:\n- 1", {"op": "add", "path": "/a/-", "value": "x\ny\n"}, 'a:\n- 1\n- "x\\ny\\n"'),
        ("d:\n  k: v\n    \n", {"op": "add", "path": "/t", "value": "x\ny\n"}, 'd:\n  k: v\nt: "x\\ny\\n"\n    \n'),
        ("d:\n  k: v\n\n\nz: 1\n", {"op": "add", "path": "/d/t", "value": "x\ny\n"}, "d:\n  k: v\n  t: |\n    x\n    y\n\n\nz: 1\n"),
        # a comment after a one-line value goes on the block's first line, never into it
        ("a: {k: 1} # c\nb: 1\n", {"op": "replace", "path": "/a", "value": "p\nq\n"}, "a: | # c\n  p\n  q\nb: 1\n"),
        ("a: {k: 1} # c\r\nb: 1\r\n", {"op": "replace", "path": "/a", "value": "p\nq\n"}, "a: | # c\r\n  p\r\n  q\r\nb: 1\r\n"),
        # the comment of a replaced block's last line goes with it
        ("m:\n  name: x  # c\nb: 1\n", {"op": "replace", "path": "/m", "value": "p\nq\n"}, "m: |\n  p\n  q\nb: 1\n"),
        # an explicit tag goes when the new value does not fit it; an anchor stays
        ("a:\n- &f !!str 3\n", {"op": "replace", "path": "/a/0", "value": 1}, "a:\n- 1\n"),
        ("a:\n- &f !!str 3\n", {"op": "replace", "path": "/a/0", "value": "x"}, "a:\n- &f !!str x\n"),
        ("a:\n- &f '3'\n", {"op": "replace", "path": "/a/0", "value": 4}, "a:\n- &f 4\n"),
    ],
)  # fmt: skip
def test_fuzzed_edits(text: str, op: dict[str, Any], expected: str) -> None:
    assert edit(text, op) == expected


@pytest.mark.parametrize("brk", ["\r", "\x85", "\u2028", "\u2029"])
def test_documents_whose_lines_end_in_cr_nel_ls_or_ps_alone_are_edited_with_their_line_break(brk: str) -> None:
    text = "a:\n  x: 1\nb: |\n  p\n  q\nc: 2\n".replace("\n", brk)
    out = edit(
        text,
        {"op": "add", "path": "/a/z", "value": [1]},
        {"op": "remove", "path": "/c"},
        {"op": "add", "path": "/d", "value": "m\nn\n"},
    )
    block = "d: |\n  m\n  n\n" if brk in "\r\x85" else 'd: "m\\nn\\n"\n'  # LS and PS are a block's content
    assert out == ("a:\n  x: 1\n  z:\n    - 1\nb: |\n  p\n  q\n" + block).replace("\n", brk)


def test_removing_a_key_that_a_merge_key_also_gives_is_refused() -> None:
    text = "d: &d {m: 1}\nr:\n  <<: *d\n  m: 2\n"
    assert refused(text, {"op": "remove", "path": "/r/m"}).headline() == (
        "f.yaml:3:3: a merge key (<<) gives this key a value too, which removing it here would bring back; "
        "edit the merged mapping (document 1, at /r/m)"
    )


# ---- JSON documents stay JSON -----------------------------------------------------------------------------

JSON_DOC = json.dumps(
    {"kind": "Deployment", "spec": {"replicas": 1, "ports": [{"containerPort": 80}], "labels": {}}, "name": "x"}, indent=4
) + "\n"


@pytest.mark.parametrize(
    "op",
    [
        {"op": "add", "path": "/spec/ports/0/hostPort", "value": 80},
        {"op": "add", "path": "/spec/updateStrategy", "value": {"type": "RollingUpdate", "n": [1, None, True]}},
        {"op": "add", "path": "/spec/ports/-", "value": {"containerPort": 443, "name": "y"}},
        {"op": "add", "path": "/spec/ports/0", "value": "no"},
        {"op": "add", "path": "/spec/labels/app", "value": "on"},
        {"op": "replace", "path": "/kind", "value": "DaemonSet"},
        {"op": "replace", "path": "/spec/replicas", "value": "2 \x01\x85\u2028 é 🔐"},
        {"op": "replace", "path": "/name", "value": "x\x01y"},
        {"op": "replace", "path": "/spec/ports", "value": []},
        {"op": "replace", "path": "", "value": {"kind": "List", "items": []}},
        {"op": "remove", "path": "/spec/replicas"},
        {"op": "remove", "path": "/name"},
        {"op": "move", "from": "/spec/replicas", "path": "/replicas"},
    ],
)  # fmt: skip
def test_edits_of_a_json_document_write_json(op: dict[str, Any]) -> None:
    out = edit(JSON_DOC, op)
    assert json.loads(out) == jsonpatch.apply_patch(json.loads(JSON_DOC), [op])


def test_new_json_members_follow_their_neighbours_lines() -> None:
    out = edit(JSON_DOC, {"op": "add", "path": "/spec/ports/0/hostPort", "value": 80}, {"op": "add", "path": "/z", "value": [1]})
    assert '                "containerPort": 80,\n                "hostPort": 80\n' in out
    assert out.endswith('    "name": "x",\n    "z": [1]\n}\n')
    one_line = '{"kind": "A", "spec": {"ports": [80]}}'
    assert edit(one_line, {"op": "add", "path": "/spec/ports/-", "value": 443}, {"op": "add", "path": "/spec/x", "value": "y"}) == (
        '{"kind": "A", "spec": {"ports": [80, 443], "x": "y"}}'
    )


def test_a_json_document_cannot_hold_nan() -> None:
    err = refused('{"a": 1}', {"op": "replace", "path": "/a", "value": float("nan")})
    assert err.headline() == "f.yaml:1: a JSON document cannot hold NaN or an infinite number (document 1, at /a)"


def test_flow_mappings_of_yaml_documents_stay_yaml() -> None:
    assert edit('a: {"k": 1}\n', {"op": "add", "path": "/a/m", "value": "x"}) == 'a: {"k": 1, m: x}\n'


# ---- refusals --------------------------------------------------------------------------------------------


def test_shared_alias_nodes_are_refused() -> None:
    err = refused("p: &s {a: 1}\nq: *s\n", {"op": "replace", "path": "/q/a", "value": 2})
    assert str(err) == (
        "f.yaml:1:4: this node is shared through an anchor and aliases; edit the anchored node's text, "
        "or write the alias out, first (document 1, at /q)\n"
        "    p: &s {a: 1}\n"
        "       ^"
    )
    refused("p: &s {a: 1}\nq: *s\n", {"op": "replace", "path": "/p/a", "value": 2})


def test_anchor_without_alias_is_editable() -> None:
    assert edit("p: &s {a: 1}\n", {"op": "replace", "path": "/p/a", "value": 2}) == "p: &s {a: 2}\n"


# A block that ends in an alias ends where the alias is written, not at the anchor the alias names.
ENDS_IN_ALIAS = "defs:\n  r: &res\n    cpu: 1\nspec:\n  containers:\n  - name: a\n    resources: *res\nother: 1\n"


@pytest.mark.parametrize(
    ("op", "expected"),
    [
        ({"op": "remove", "path": "/spec/containers/0"}, "spec:\n  containers: []\nother: 1\n"),
        ({"op": "remove", "path": "/spec"}, "other: 1\n"),
        ({"op": "replace", "path": "/spec", "value": {"x": 1}}, "spec:\n  x: 1\nother: 1\n"),
        ({"op": "add", "path": "/spec/z", "value": 1}, "spec:\n  containers:\n  - name: a\n    resources: *res\n  z: 1\nother: 1\n"),
        (
            {"op": "add", "path": "/spec/containers/-", "value": {"name": "b"}},
            "spec:\n  containers:\n  - name: a\n    resources: *res\n  - name: b\nother: 1\n",
        ),
    ],
)
def test_a_block_ending_in_an_alias_ends_at_the_alias(op: dict[str, Any], expected: str) -> None:
    assert edit(ENDS_IN_ALIAS, op) == "defs:\n  r: &res\n    cpu: 1\n" + expected


@pytest.mark.parametrize(
    ("text", "op", "expected"),
    [
        ("a: &n 1\ns:\n- q: [1]\n  k: *n\n- 2\n", {"op": "remove", "path": "/s/0"}, "a: &n 1\ns:\n- 2\n"),
        ("a: &n 1\ns: [*n, 2]\n", {"op": "remove", "path": "/s/0"}, "a: &n 1\ns: [2]\n"),
        ("a: &n 1\ns: [2, *n]\n", {"op": "add", "path": "/s/-", "value": 3}, "a: &n 1\ns: [2, *n, 3]\n"),
        ("a: &n 1\ns: {k: *n}\n", {"op": "add", "path": "/s/j", "value": 3}, "a: &n 1\ns: {k: *n, j: 3}\n"),
        ("a: &n 1\ns: {k: *n, j: 2}\n", {"op": "remove", "path": "/s/j"}, "a: &n 1\ns: {k: *n}\n"),
        ("a: &n 1\ns:\n  - *n\n  - x\n", {"op": "replace", "path": "/s/1", "value": {"z": 1}}, "a: &n 1\ns:\n  - *n\n  - z: 1\n"),
        ("k: &k name\nm:\n  *k : 1\n  b: 2\n", {"op": "remove", "path": "/m/name"}, "k: &k name\nm:\n  b: 2\n"),
    ],
)
def test_aliases_are_placed_where_they_are_written(text: str, op: dict[str, Any], expected: str) -> None:
    assert edit(text, op) == expected


def test_small_nodes_on_requests_that_end_in_an_alias() -> None:
    text = "m: &mem 1Gi\nresources:\n  requests:\n    cpu: 1\n    memory: *mem\n  limits: {}\n"
    op = {"op": "remove", "path": "/resources/requests", "comment": True}
    assert edit(text, op) == "m: &mem 1Gi\nresources:\n  # requests:\n    # cpu: 1\n    # memory: *mem\n  limits: {}\n"


def test_taking_away_an_anchor_that_an_alias_uses_is_refused() -> None:
    text = "r:\n  requests:\n    memory: &mem 1Gi\n  limits:\n    memory: *mem\n"
    err = refused(text, {"op": "remove", "path": "/r/requests"})
    assert str(err) == (
        "f.yaml:3:13: this value holds the anchor &mem that an alias elsewhere refers to; write the alias out first "
        "(document 1, at /r/requests)\n"
        "        memory: &mem 1Gi\n"
        "                ^"
    )
    refused(text, {"op": "replace", "path": "/r/requests", "value": {}})
    refused("a: [&x 1, *x]\n", {"op": "remove", "path": "/a/0"})
    # an anchor whose aliases all go with it may go
    assert edit("a:\n  b: &x 1\n  c: *x\nd: 2\n", {"op": "remove", "path": "/a"}) == "d: 2\n"


def test_merge_key_members_are_refused() -> None:
    text = "p: &s {a: 1}\nq:\n  <<: *s\n  b: 2\n"
    err = refused(text, {"op": "replace", "path": "/q/a", "value": 2})
    assert err.headline() == "f.yaml:3:3: this key comes from a merge key (<<); edit the merged mapping (document 1, at /q/a)"
    # members written out in the mapping itself are ordinary
    assert edit(text, {"op": "replace", "path": "/q/b", "value": 3}) == "p: &s {a: 1}\nq:\n  <<: *s\n  b: 3\n"


@pytest.mark.parametrize(
    ("op", "message"),
    [
        ({"op": "remove", "path": "/zz"}, "cannot remove: can't remove a non-existent object 'zz'"),
        ({"op": "replace", "path": "/a/b", "value": 1}, "cannot replace: Document '<class 'int'>' does not support indexing, must be mapping/sequence or support __getitem__"),
        ({"op": "frob", "path": "/a"}, "operation 2 is not an RFC 6902 operation: {'op': 'frob', 'path': '/a'}"),
        ({"op": "add", "path": "/a"}, "operation 2 (add) needs a value"),
        ({"op": "move", "path": "/a"}, "operation 2 (move) needs a 'from' pointer"),
        ({"op": "add", "path": "a", "value": 1}, "a JSON pointer starts with '/': 'a'"),
    ],
)
def test_failing_operation_changes_nothing(op: dict[str, Any], message: str) -> None:
    err = refused("a: 1\nb: 2\n", {"op": "replace", "path": "/b", "value": 3}, op)
    assert err.message == message


def test_edit_error_names_the_pointer_and_the_line() -> None:
    err = refused("---\nspec:\n  ports: [80]\n", {"op": "remove", "path": "/spec/ports/3"})
    assert (err.pointer, err.line, err.column) == ("/spec/ports/3", 3, 10)


# ---- helpers ---------------------------------------------------------------------------------------------


def test_parse_pointer() -> None:
    assert parse_pointer("") == []
    assert parse_pointer("/a~1b/c~0d/") == ["a/b", "c~d", ""]


def test_same_data_tells_types_apart() -> None:
    assert same_data({"a": [1, None]}, {"a": [1, None]})
    assert not same_data(1, 1.0)
    assert not same_data(1, True)
    assert not same_data(0, None)
    assert same_data(float("nan"), float("nan"))
