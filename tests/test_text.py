"""Decoding and cutting a stream into document segments."""

from __future__ import annotations

import os
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from istio_patch import DecodeError, IstioPatchError, check_syntax, load, load_path
from istio_patch._edit import same_data
from istio_patch._kube import build_view
from istio_patch._parse import _NodeLoader
from istio_patch._text import LineIndex, decode, decode_in_pieces, decode_stream, piece_ends, split_documents

# ISTIO_PATCH_EXAMPLES raises the example count for a longer local run (CI keeps the default).
SETTINGS = settings(max_examples=int(os.environ.get("ISTIO_PATCH_EXAMPLES", "300")), deadline=None, suppress_health_check=[HealthCheck.too_slow])


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


# ---- the cuts agree with libyaml ------------------------------------------------------------------------

LINES = st.sampled_from(
    [
        "---", "--- a", "--- |", "--- # c", "---\t", "...", "... # c", "%YAML 1.1", "%TAG !e! tag:e.com,2000:",
        "# comment", "  # indented", "\t# tab", "\t", "", "  ", "a", "b: 1", "- x", "  y", "c: |", "c: |+", "  lit", "'q", "q'",
        '"d', "[a,", "b]", "k: v # c", "----", "...x", "!e!t z", "&a x", "*a", "%x", "?", "x: --- y",
    ]
)  # fmt: skip
BREAKS = st.sampled_from(["\n", "\r\n", "\r", "\x85", "\u2028", "\u2029"])


@st.composite
def streams(draw: st.DrawFn) -> str:
    lines = draw(st.lists(LINES, max_size=10))
    breaks = draw(st.lists(BREAKS, min_size=len(lines), max_size=len(lines)))
    text = "".join(line + brk for line, brk in zip(lines, breaks))
    return text[: -len(breaks[-1])] if lines and draw(st.booleans()) else text


def _libyaml_documents(text: str) -> list[Any] | None:
    """The documents libyaml reads from the whole stream (as data), or None when it refuses the stream."""
    try:
        return [build_view(node)[0] for node in yaml.compose_all(text, Loader=_NodeLoader)]
    except (yaml.YAMLError, IstioPatchError):
        return None


def _our_documents(text: str) -> list[Any] | None:
    manifest = load(text)
    try:
        check_syntax(manifest)
    except IstioPatchError:
        return None
    return [doc.data for doc in manifest.documents if doc.node is not None]


@SETTINGS
@given(streams())
def test_segments_are_the_documents_libyaml_reads(text: str) -> None:
    assert "".join(text[a:b] for a, b in split_documents(text)) == text
    expected, actual = _libyaml_documents(text), _our_documents(text)
    assert (expected is None) == (actual is None)
    assert expected is None or same_data(expected, actual)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: 1\u2028---\nb: 2\n", ["a: 1\u2028", "---\nb: 2\n"]),
        ("a: 1\x85--- b\n", ["a: 1\x85", "--- b\n"]),
        ("a: 1\r---\rb: 2\r", ["a: 1\r", "---\rb: 2\r"]),
        ("a\n---\u2028b\n", ["a\n", "---\u2028b\n"]),
        ("a\n...\nb\n", ["a\n...\nb\n"]),  # libyaml refuses content after `...` without `---`: so does the segment
        ("x\n--- a\n...\n...\n--- b\n", ["x\n", "--- a\n...\n...\n", "--- b\n"]),
        ("a\n---\n%YAML 1.1\n---\nb", ["a\n", "---\n", "%YAML 1.1\n---\nb"]),
        ("---\na: 1\n# c\n%YAML 1.1\n---\nb\n", ["---\na: 1\n", "# c\n%YAML 1.1\n---\nb\n"]),
        ("a\n%YAML 1.1\n---\nb\n", ["a\n%YAML 1.1\n", "---\nb\n"]),  # the `%` line continues the plain scalar
    ],
)
def test_split_documents_as_libyaml_does(text: str, expected: list[str]) -> None:
    assert _segments(text) == expected


def test_the_concatenation_of_two_outputs_reads_back() -> None:
    # what the command line writes for `apply d.yaml d.yaml`: the second file after a `---` line of its own
    text = "%YAML 1.1\n---\nkind: A\n---\n%YAML 1.1\n---\nkind: A\n"
    assert [doc.data for doc in load(text).documents] == [{"kind": "A"}, None, {"kind": "A"}]


# ---- pieces: the text decoded and cut a piece at a time ---------------------------------------------------


def _segments_by_pieces(data: str | bytes, size: int) -> list[str]:
    out: list[str] = []
    start = 0
    for end in piece_ends(data, 0, size):
        piece = data[start:end]
        text = piece if isinstance(piece, str) else piece.decode("utf-8")
        out.extend(text[a:b] for a, b in split_documents(text))
        start = end
    return out


@SETTINGS
@given(streams(), st.integers(min_value=0, max_value=12))
def test_pieces_cut_as_the_whole_text_is_cut(text: str, size: int) -> None:
    expected = _segments(text)
    assert _segments_by_pieces(text, size) == expected
    assert _segments_by_pieces(text.encode("utf-8"), size) == expected


def test_pieces_end_before_a_marker_after_a_line_feed_and_never_after_a_directive() -> None:
    text = "a\n---\nb\n--- c\n%YAML 1.1\n---\nd\n---\ne\n"
    assert list(piece_ends(text, 0, 1)) == [2, 8, len(text)]
    assert list(piece_ends(text.encode(), 0, 1)) == [2, 8, len(text)]
    assert list(piece_ends("a\r---\nb\n", 0, 1)) == [8]  # a line feed only: CR, NEL, LS and PS merely cut less


def test_a_long_stream_is_never_decoded_whole() -> None:
    import tracemalloc

    # one emoji in one document would make a whole decoded text four bytes a character
    document = "---\nkind: ConfigMap\ndata:\n  a: " + "x" * 1000 + "\n"
    data = ("---\nkind: Dashboard\ndata:\n  title: \U0001f510\n" + document * 3000).encode("utf-8")
    tracemalloc.start()
    try:
        manifest = load(data)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert manifest.to_bytes() == data
    assert peak < 2 * len(data)  # the documents' texts (one byte a character) and a piece; not 4 bytes a character


def test_a_byte_that_does_not_decode_in_a_later_piece_is_named_as_decode_names_it() -> None:
    data = b"---\na: 1\n" * 100_000 + b"---\nb: \xff\n"
    with pytest.raises(DecodeError) as whole:
        decode(data, "m.yaml")
    with pytest.raises(DecodeError) as pieces:
        load(data, source="m.yaml")
    assert str(pieces.value) == str(whole.value) == "m.yaml:200002:4: the input is not UTF-8 text: byte 0xff at byte offset 900007 does not decode"


class _Trickle:
    """A binary file that gives at most ``most`` bytes a read, as a pipe may."""

    def __init__(self, data: bytes, most: int) -> None:
        self.data, self.most, self.at = data, most, 0

    def read(self, size: int = -1) -> bytes:
        n = min(self.most, len(self.data) - self.at, size if size >= 0 else len(self.data))
        self.at += n
        return self.data[self.at - n : self.at]


def _outcome(make: Any) -> tuple[str, Any]:
    try:
        pieces, bom = make()
        text = "".join(pieces)
    except DecodeError as exc:
        return "error", str(exc)
    return "ok", (bom, text)


BAD_BYTES = st.sampled_from([b"\x00", b"\xff", b"\xc3", b"\xe2\x80", b"\xef\xbb\xbf", b"\xff\xfe", b"\n---\n", b"\xc2\x85---\n"])


@SETTINGS
@given(streams(), st.lists(st.tuples(st.integers(0, 200), BAD_BYTES), max_size=3), st.integers(1, 9), st.integers(1, 5))
def test_a_file_read_a_piece_at_a_time_reads_as_its_bytes(text: str, inserts: list[tuple[int, bytes]], size: int, most: int) -> None:
    data = text.encode("utf-8")
    for at, bad in inserts:
        at = min(at, len(data))
        data = data[:at] + bad + data[at:]
    expected = _outcome(lambda: decode_in_pieces(data, "f.yaml"))
    assert _outcome(lambda: decode_stream(_Trickle(data, most), "f.yaml", size)) == expected  # type: ignore[arg-type]
    if expected[0] == "ok":
        pieces, _ = decode_stream(_Trickle(data, most), "f.yaml", size)  # type: ignore[arg-type]
        assert [segment for piece in pieces for segment in _segments(piece)] == _segments(expected[1][1])
    else:
        with pytest.raises(DecodeError) as caught:
            decode(data, "f.yaml")
        assert expected[1] == str(caught.value)


def test_a_file_is_loaded_a_piece_at_a_time(tmp_path: Any) -> None:
    import tracemalloc

    text = "".join(f"---\nkind: ConfigMap\nmetadata: {{name: c{i}}}\ndata:\n  a: {'x' * 1000}\n" for i in range(3000))
    path = tmp_path / "big.yaml"
    path.write_text(text, encoding="utf-8")
    tracemalloc.start()
    try:
        manifest = load_path(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert manifest.render() == text and manifest.documents[-1].line == 5 * 2999 + 1
    assert peak < 1.7 * len(text)  # the documents (their texts and more) and a piece or two of bytes: never all the bytes
