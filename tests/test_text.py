"""Decoding and cutting a stream into document segments."""

from __future__ import annotations

import pytest

from istio_patch import DecodeError
from istio_patch._text import LineIndex, decode, split_documents


def _segments(text: str) -> list[str]:
    cuts = split_documents(text)
    assert "".join(text[a:b] for a, b in cuts) == text
    return [text[a:b] for a, b in cuts]


def test_decode_keeps_the_bom_apart() -> None:
    assert decode(b"\xef\xbb\xbfa: 1\n", "f") == ("a: 1\n", True)
    assert decode("\ufeffa: 1\n", "f") == ("a: 1\n", True)
    assert decode(b"a: 1\n", "f") == ("a: 1\n", False)


def test_decode_names_the_first_bad_byte() -> None:
    with pytest.raises(DecodeError) as caught:
        decode(b"a: 1\nb: caf\xe9\n", "m.yaml")
    err = caught.value
    assert (err.byte_offset, err.line, err.column) == (11, 2, 7)
    assert str(err) == "m.yaml:2:7: the input is not UTF-8 text: byte 0xe9 at byte offset 11 does not decode"


def test_decode_counts_the_bom_in_the_byte_offset() -> None:
    with pytest.raises(DecodeError) as caught:
        decode(b"\xef\xbb\xbfx\xff", "m.yaml")
    assert caught.value.byte_offset == 4


def test_decode_refuses_utf16() -> None:
    with pytest.raises(DecodeError) as caught:
        decode("a: 1\n".encode("utf-16"), "m.yaml")
    assert str(caught.value) == (
        "m.yaml:1:1: the input is UTF-16 or UTF-32 (it starts with that byte-order mark); convert it to UTF-8"
    )


def test_decode_error_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        decode(b"\x80", "m")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", [""]),
        ("a: 1\n", ["a: 1\n"]),
        ("---\na: 1\n", ["---\na: 1\n"]),
        ("# c\n---\na\n---\nb\n", ["# c\n", "---\na\n", "---\nb\n"]),
        ("a\n---\nb", ["a\n", "---\nb"]),
        ("--- a\n--- b\n", ["--- a\n", "--- b\n"]),
        ("---\n---\n", ["---\n", "---\n"]),
        ("a\n...\n# after\n", ["a\n...\n", "# after\n"]),
        ("a\n...\n", ["a\n...\n"]),
        ("%YAML 1.1\n---\na\n", ["%YAML 1.1\n---\na\n"]),
        ("%YAML 1.1\n# c\n\n---\na\n", ["%YAML 1.1\n# c\n\n---\na\n"]),
        ("a\n...\n%YAML 1.1\n---\nb\n", ["a\n...\n", "%YAML 1.1\n---\nb\n"]),
        ("---\r\na\r\n---\r\nb\r\n", ["---\r\na\r\n", "---\r\nb\r\n"]),
        ("---\ta\n", ["---\ta\n"]),
    ],
)
def test_split_documents(text: str, expected: list[str]) -> None:
    assert _segments(text) == expected


@pytest.mark.parametrize("text", ["a: |\n  ---\n", "----\n", "---x\n", "a: '\n---x'\n", " ---\n", "....\n"])
def test_markers_that_are_not_markers(text: str) -> None:
    assert _segments(text) == [text]


def test_line_index() -> None:
    index = LineIndex("ab\r\ncd\n\nef")
    assert index.position(0) == (1, 1)
    assert index.position(5) == (2, 2)
    assert index.position(9) == (4, 2)
    assert index.line_of(7) == 2
    assert index.line_text(0) == "ab"
    assert index.line_text(3) == "ef"


def test_decode_calls_nul_bytes_binary() -> None:
    with pytest.raises(DecodeError) as caught:
        decode(b"a: 1\nb\x00", "m.yaml")
    assert str(caught.value) == "m.yaml:2:2: the input is binary data, not YAML text: it holds a NUL byte at byte offset 6"
