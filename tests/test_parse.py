"""Composing one segment with libyaml, and the syntax errors it reports."""

from __future__ import annotations

from pathlib import Path

import pytest

from istio_patch import YAMLSyntaxError, load, load_path
from istio_patch._parse import (
    PLAIN,
    MappingNode,
    ScalarNode,
    SequenceNode,
    _compose_redefining,
    _compose_with,
    aliases,
    compose,
)


def _error(text: str, first_line: int = 0) -> YAMLSyntaxError:
    """The error of ``text`` as the third document of a file, starting ``first_line`` lines below its top."""
    with pytest.raises(YAMLSyntaxError) as caught:
        compose(text, source="f.yaml", document=3, first_line=first_line + 1)
    return caught.value


def test_plain_scalars_stay_unresolved() -> None:
    root = compose("a: 1\nb: '1'\nc: !!int 1\n", source="f", document=1, first_line=1)
    assert isinstance(root, MappingNode)
    assert [v.tag for _, v in root.value] == [PLAIN, "tag:yaml.org,2002:str", "tag:yaml.org,2002:int"]


def test_marks_are_offsets_in_the_segment() -> None:
    root = compose("# c\nkey: value\n", source="f", document=1, first_line=11)
    key, value = root.value[0]
    assert (key.start_mark.index, key.start_mark.line, value.start_mark.column) == (4, 1, 5)


def test_comment_only_segment_has_no_node() -> None:
    assert compose("# only a comment\n", source="f", document=1, first_line=1) is None
    assert compose("", source="f", document=1, first_line=1) is None


def test_error_positions_are_file_relative() -> None:
    err = _error("---\na: [1,\n", first_line=40)
    assert (err.source, err.document, err.line) == ("f.yaml", 3, 43)


def test_unclosed_quote_names_where_the_quote_starts() -> None:
    err = _error('a: "abc\nb: 2\n')
    assert err.headline() == (
        "f.yaml:3:1: found unexpected end of stream "
        "(while scanning a quoted scalar that starts at line 1, column 4) (document 3)"
    )


def test_tab_indentation_is_named() -> None:
    err = _error("a:\n\tb: 1\n")
    assert str(err) == (
        "f.yaml:2:1: a tab character cannot indent YAML or start a value; use spaces (document 3)\n"
        "    \tb: 1\n"
        "    ^"
    )


def test_content_after_document_end_in_one_segment() -> None:
    # load() keeps content after `...` in the segment of that `...`, as libyaml reads the stream
    err = _error("a: 1\n...\nb: 2\n")
    assert err.headline() == "f.yaml:3:1: did not find expected <document start> (document 3)"


def test_control_character() -> None:
    err = _error("a: \x07\n")
    assert err.headline() == "f.yaml:1:4: the character U+0007 is not allowed in YAML (document 3)"


def test_nesting_beyond_libyaml_limit_is_a_syntax_error() -> None:
    err = _error("[" * 20_000 + "]" * 20_000)
    assert err.message == "exceeded maximum nesting depth (while increasing flow level)"


def test_aliases_are_placed_where_they_are_written() -> None:
    text = "a: &x {k: 1}\nb: [*x, 2, *x]\nc: *x\n"
    root = compose(text, source="f", document=1, first_line=1)
    found = aliases(text, root)
    b, c = root.value[1][1], root
    assert [(a.parent, a.slot, text[a.start : a.end]) for a in found] == [(b, 0, "*x"), (b, 2, "*x"), (c, 5, "*x")]
    assert all(a.target is root.value[0][1] for a in found)  # the anchored node, whose marks are the anchor's
    assert aliases("a: &x 1\n", compose("a: &x 1\n", source="f", document=1, first_line=1)) == []


def test_an_anchor_defined_again_wins_for_the_aliases_after_it() -> None:
    # legal YAML, which go-yaml (so Kubernetes) and kustomize accept; PyYAML's composers refuse it
    text = "kind: A\na: &x 1\nb: &x 2\nc: *x\nd: [&y 3, *y, &y 4, *y]\n"
    assert load(text).documents[0].data == {"kind": "A", "a": 1, "b": 2, "c": 2, "d": [3, 3, 4, 4]}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: &x 1\nb: &x 2\nc: *z\n", "f.yaml:3:4: found undefined alias (document 3)"),
        ("a: &x 1\nb: &x 2\n---\nc: 1\n", "f.yaml:3:1: a second document starts here without a '---' line of its own (document 3)"),
        ("a: &x 1\nb: &x [2\n", "f.yaml:3:1: did not find expected ',' or ']' (while parsing a flow sequence that starts at line 2, column 7) (document 3)"),
    ],
)
def test_errors_of_a_document_with_an_anchor_defined_again(text: str, message: str) -> None:
    assert _error(text).headline() == message


def _shape(node: object) -> object:
    """Everything composing decides about a node tree: kinds, tags, values, styles and marks."""
    if node is None:
        return None
    marks = (node.start_mark.index, node.start_mark.line, node.start_mark.column, node.end_mark.index)  # type: ignore[attr-defined]
    if isinstance(node, ScalarNode):
        return ("scalar", node.tag, node.value, node.style, marks)
    if isinstance(node, SequenceNode):
        return ("seq", node.tag, node.flow_style, marks, [_shape(item) for item in node.value])
    assert isinstance(node, MappingNode)
    return ("map", node.tag, node.flow_style, marks, [(_shape(k), _shape(v)) for k, v in node.value])


FIXTURES = sorted((Path(__file__).resolve().parent / "fixtures" / "roundtrip").glob("*.yaml"))


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_the_python_composer_builds_what_libyamls_builds(path: Path) -> None:
    for doc in load_path(path).documents:
        expected = _shape(compose(doc.text, source="f", document=1, first_line=1))
        assert _shape(_compose_with(doc.text, _compose_redefining)) == expected


def test_json_surrogate_pairs_and_raw_line_separators_read_as_json_reads_them() -> None:
    import json

    text = '{"a": "\\ud83d\\udd10 x \\\\ud83d", "b": [1,\n "\\ud83d\\udd10\u2028\x85"], "c": 1}'
    doc = load(text).documents[0]
    assert doc.data == json.loads(text) == {"a": "\U0001f510 x \\ud83d", "b": [1, "\U0001f510\u2028\x85"], "c": 1}
    c = doc.node.value[2][1]
    assert (c.start_mark.index, c.start_mark.line, c.start_mark.column) == (text.index("1}"), 1, 25)  # marks in the text as written
    assert doc.position("/b/1") == (2, 2)


def test_surrogate_escapes_outside_json_documents_stay_refused() -> None:
    # YAML's double-quoted escapes name characters, never UTF-16 halves: libyaml and go-yaml refuse them
    assert _error('a: "\\ud83d\\udd10"\n').message.startswith("found invalid Unicode character escape code")
    assert _error('{"a": "\\ud83d"}').message.startswith("found invalid Unicode character escape code")  # a lone half
