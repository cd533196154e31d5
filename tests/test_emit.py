"""Writing new values: plain only when it reads back the same under go-yaml v2 and YAML 1.1."""

from __future__ import annotations

import pytest

from istio_patch._emit import Layout, after_dash, after_key, double_quoted, flow_text, literal_block, plain_ok, scalar_text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, "null"), (True, "true"), (False, "false"), (80, "80"), (1.5, "1.5"), (2.0, "2.0"),
        (float("inf"), ".inf"), ("plain", "plain"), ("two words", "two words"), ("y", '"y"'), ("no", '"no"'),
        ("80", '"80"'), ("0x1F", '"0x1F"'), ("", '""'), ("a: b", '"a: b"'), ("#x", '"#x"'), ("- x", '"- x"'),
        ("-x", "-x"), ("key:", '"key:"'), (" lead", '" lead"'), ("tab\there", '"tab\\there"'), ("é", "é"),
        ("2001-12-14", '"2001-12-14"'), ("docker.io/istio/proxy:1.0.0", "docker.io/istio/proxy:1.0.0"),
        ("--- x", '"--- x"'), ("...", '"..."'), ("---", '"---"'), ("----", "----"), ("---x", "---x"),
    ],
)  # fmt: skip
def test_scalar_text(value: object, text: str) -> None:
    assert scalar_text(value) == text


def test_preferred_quoting() -> None:
    assert scalar_text("x", quote="'") == "'x'"
    assert scalar_text("it's", quote="'") == "'it''s'"
    assert scalar_text("a\nb", quote="'") == '"a\\nb"'
    assert scalar_text("x", quote='"') == '"x"'


def test_flow_context_is_stricter() -> None:
    assert plain_ok("a,b") and not plain_ok("a,b", flow=True)
    assert flow_text({"a": [1, "x, y"], "k:v": {}}) == '{a: [1, "x, y"], "k:v": {}}'


def test_double_quoted_escapes() -> None:
    assert double_quoted('a"b\\c\n\t\x01\u2028') == '"a\\"b\\\\c\\n\\t\\x01\\u2028"'


def test_literal_block() -> None:
    assert literal_block("a\nb\n", 2, "\n") == "|\n  a\n  b"
    assert literal_block("a\n\nb", 4, "\r\n") == "|-\r\n    a\r\n\r\n    b"
    assert literal_block("a\nb\n\n", 2, "\n") == "|+\n  a\n  b\n"
    assert literal_block("one line\n", 2, "\n") is None
    assert literal_block(" lead\nx\n", 2, "\n") is None
    assert literal_block("a\n  \nb\n", 2, "\n") is None


def test_block_values_follow_the_layout() -> None:
    layout = Layout(step=4, seq_offset=0, newline="\r\n")
    assert after_key({"a": [1, {"b": 2}]}, 2, layout) == "\r\n      a:\r\n      - 1\r\n      - b: 2"
    lone = Layout(step=2, seq_offset=2, lone_dash=True)
    assert after_dash({"a": 1, "b": 2}, 2, lone) == "\n    a: 1\n    b: 2"
    assert after_dash({"a": 1}, 0, Layout(dash_gap=3)) == "   a: 1"
    assert after_key([], 0, Layout()) == " []"
