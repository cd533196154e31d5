"""Decoding bytes and cutting a YAML stream into document segments, without parsing it.

The segments partition the text: joining them gives the input back byte for byte. Cutting is done with
one regular expression over line starts, so its cost is a scan of the text; the YAML parser only ever
sees one segment at a time, and only when something asks about that document.
"""

from __future__ import annotations

import re

from ._errors import DecodeError

BOM = "\ufeff"

# A document marker is `---` or `...` at column 0, followed by a blank or the end of the line.
_MARKER = re.compile(r"^(?:(---)|(\.\.\.))(?=[ \t\r\n]|\Z)", re.MULTILINE)
# A directive is tried first: the blank-or-comment branch also matches (emptily) at a "%".
_PRELUDE_LINE = re.compile(r"%[^\n]*\r?\n?|[ \t]*(?:#[^\n]*)?\r?\n?")


def decode(data: bytes | str, source: str) -> tuple[str, bool]:
    """Return the text without its byte-order mark, and whether it had one.

    Raises DecodeError naming the first byte that is not UTF-8, with its line and column.
    """
    if isinstance(data, str):
        if data.startswith(BOM):
            return data[1:], True
        return data, False
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DecodeError(
            "the input is UTF-16 or UTF-32 (it starts with that byte-order mark); convert it to UTF-8",
            source=source,
            byte_offset=0,
            line=1,
            column=1,
        )
    nul = data.find(b"\x00")
    if nul >= 0:  # YAML text never holds NUL; UTF-16 without a byte-order mark and binary files do
        before = data[:nul]
        raise DecodeError(
            f"the input is binary data, not YAML text: it holds a NUL byte at byte offset {nul}",
            source=source,
            byte_offset=nul,
            line=before.count(b"\n") + 1,
            column=len(before[before.rfind(b"\n") + 1 :].decode("utf-8", errors="replace")) + 1,
        )
    bom = data.startswith(b"\xef\xbb\xbf")
    body = data[3:] if bom else data
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = exc.start + (3 if bom else 0)
        before = data[:offset]
        line = before.count(b"\n") + 1
        line_start = before.rfind(b"\n") + 1
        column = len(data[line_start:offset].decode("utf-8", errors="replace")) + 1
        raise DecodeError(
            f"the input is not UTF-8 text: byte 0x{data[offset]:02x} at byte offset {offset} does not decode",
            source=source,
            byte_offset=offset,
            line=line,
            column=column,
        ) from None
    return text, bom


def split_documents(text: str) -> list[tuple[int, int]]:
    """Cut the stream into (start, end) segments, one for each document and for leading comments.

    A segment starts at a `---` line, except that `%` directives and the comments around them stay with
    the `---` they precede; a `...` line ends its segment. Text before the first marker (comments, or a
    bare first document) is a segment of its own. The segments cover the text exactly.
    """
    cuts = [0]
    for match in _MARKER.finditer(text):
        pos = match.start()
        if match.group(1):  # ---
            if pos != cuts[-1] and not _is_directive_prelude(text, cuts[-1], pos):
                cuts.append(pos)
        else:  # ...: the segment ends after this line
            end = text.find("\n", pos)
            end = len(text) if end < 0 else end + 1
            if end < len(text):
                cuts.append(end)
    bounds = cuts + [len(text)]
    return [(bounds[i], bounds[i + 1]) for i in range(len(cuts)) if bounds[i] < bounds[i + 1] or i == 0]


def _is_directive_prelude(text: str, start: int, end: int) -> bool:
    """True when text[start:end] is only directives, comments and blank lines, with one directive at least."""
    chunk = text[start:end]
    if "%" not in chunk:
        return False
    pos = 0
    seen_directive = False
    while pos < len(chunk):
        match = _PRELUDE_LINE.match(chunk, pos)
        if match is None or match.end() == pos:
            return False
        seen_directive |= chunk[pos] == "%"
        pos = match.end()
    return seen_directive


class LineIndex:
    """1-based line and column of character offsets in one text, by binary search over line starts."""

    __slots__ = ("_starts", "_text")

    def __init__(self, text: str) -> None:
        self._text = text
        self._starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def line_of(self, offset: int) -> int:
        """0-based line holding ``offset``."""
        from bisect import bisect_right

        return bisect_right(self._starts, offset) - 1

    def position(self, offset: int) -> tuple[int, int]:
        """(1-based line, 1-based column) of ``offset``."""
        line = self.line_of(offset)
        return line + 1, offset - self._starts[line] + 1

    def line_text(self, line0: int) -> str:
        """The text of 0-based line ``line0``, without its line break."""
        start = self._starts[line0]
        end = self._text.find("\n", start)
        return self._text[start : (len(self._text) if end < 0 else end)].rstrip("\r")
