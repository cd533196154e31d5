"""Decoding bytes and cutting a YAML stream into document segments, without parsing it.

The segments partition the text: joining them gives the input back byte for byte. Cutting is done with
one regular expression over the text, so its cost is a scan of it; the YAML parser only ever sees one
segment at a time, and only when something asks about that document (libyaml's scanner is asked only
whether a `%` line after a document's content is a directive, which real manifests never hold).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, BinaryIO

from ._errors import DecodeError

BOM = "\ufeff"

# YAML's line breaks as libyaml reads them: LF, CR (alone or before LF), NEL, LS and PS.
_BREAK_CHARS = "\n\r\x85\u2028\u2029"
# A document marker is `---` or `...` at column 0 (after any line break), followed by a blank, a break or the
# end. The column is checked apart: a literal search is several times faster than one anchored on line starts.
# (Capturing groups would make it slower still: `text[pos]` tells the two apart.)
_MARKER = re.compile(r"(?:---|\.\.\.)(?=[ \t\n\r\x85\u2028\u2029]|\Z)")
# One line and its break (the last line may have none).
_LINE = re.compile(r"[^\n\r\x85\u2028\u2029]*(?:\r\n|[\n\r\x85\u2028\u2029])?")


def decode(data: bytes | bytearray | memoryview | str, source: str) -> tuple[str, bool]:
    """Return the text without its byte-order mark, and whether it had one.

    ``data`` is text, or UTF-8 bytes (``bytearray`` and ``memoryview`` read as bytes). Raises DecodeError
    naming the first byte that is not UTF-8 (or the first character of text that UTF-8 cannot hold), with its
    line and column, and for anything that is neither text nor bytes.
    """
    if isinstance(data, (bytearray, memoryview)):
        data = bytes(data)
    if isinstance(data, str):
        _refuse_surrogates(data, source)
        if data.startswith(BOM):
            return data[1:], True
        return data, False
    _check_bytes(data, source)
    bom = data.startswith(_UTF8_BOM)
    body = data[3:] if bom else data
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _not_utf8(data, exc.start + (3 if bom else 0), source) from None
    return text, bom


def decode_in_pieces(data: bytes | bytearray | memoryview | str, source: str) -> tuple[Iterator[str], bool]:
    """:func:`decode`'s text as consecutive pieces, each of which :func:`split_documents` cuts as it would cut
    the whole text, and whether there was a byte-order mark.

    The whole text of bytes never exists as one string: Python stores a string at the width of its widest
    character, so one emoji in one document would make the text of every document four bytes a character;
    a piece (and each document cut from it) gets its own width. Errors are :func:`decode`'s (a piece that
    does not decode raises as it is reached).
    """
    if isinstance(data, (bytearray, memoryview)):
        data = bytes(data)
    if isinstance(data, str):
        text, bom = decode(data, source)
        return _text_pieces(text), bom
    _check_bytes(data, source)
    bom = data.startswith(_UTF8_BOM)
    return _decoded_pieces(data, 3 if bom else 0, source), bom


# A piece is about this long (characters or bytes): long enough that cutting costs nothing, short enough that
# the offsets of its documents and its decoded text are small beside the documents' texts.
PIECE_SIZE = 1 << 18
# Where pieces may end: before a `---` marker at the start of a line after a line feed. split_documents cuts
# the whole text there unless a directive (a `%` line) comes between the cut before and this one (see
# ``_document_start``), so a piece that holds a `%` line at a line start is never ended: the rest of the
# text is one piece. What follows a cut never depends on what precedes it.
_PIECE_END = re.compile(r"\n(?=---(?:[ \t\n\r\x85\u2028\u2029]|\Z))")
_PIECE_END_BYTES = re.compile(rb"\n(?=---(?:[ \t\n\r]|\xc2\x85|\xe2\x80[\xa8\xa9]|\Z))")
_DIRECTIVE_LINE = re.compile(r"[\n\r\x85\u2028\u2029]%")
_DIRECTIVE_LINE_BYTES = re.compile(rb"[\n\r\x85\xa8\xa9]%")  # also after a continuation byte: merely cuts less


def piece_ends(data: str | bytes, start: int = 0, size: int = PIECE_SIZE) -> Iterator[int]:
    """The offsets where the pieces of ``data[start:]`` end, the last one ``len(data)`` (see :func:`decode_in_pieces`)."""
    end_at: re.Pattern[Any] = _PIECE_END if isinstance(data, str) else _PIECE_END_BYTES
    directive: re.Pattern[Any] = _DIRECTIVE_LINE if isinstance(data, str) else _DIRECTIVE_LINE_BYTES
    percent: Any = "%" if isinstance(data, str) else b"%"
    while True:
        found = end_at.search(data, start + size) if len(data) - start > size else None
        end = found.end() if found is not None else len(data)
        if end < len(data) and (data.startswith(percent, start) or directive.search(data, start, end)):
            end = len(data)
        yield end
        if end == len(data):
            return
        start = end


def _text_pieces(text: str) -> Iterator[str]:
    start = 0
    for end in piece_ends(text):
        yield text if end - start == len(text) else text[start:end]
        start = end


def _decoded_pieces(data: bytes, start: int, source: str) -> Iterator[str]:
    view = memoryview(data)
    for end in piece_ends(data, start):
        try:
            yield str(view[start:end], "utf-8")
        except UnicodeDecodeError as exc:
            raise _not_utf8(data, start + exc.start, source) from None
        start = end


def decode_stream(handle: BinaryIO, source: str, size: int = PIECE_SIZE) -> tuple[Iterator[str], bool]:
    """:func:`decode_in_pieces` for a binary file, read ``size`` bytes at a time: the file's bytes are never
    held whole, only those of the piece being cut (and a read ahead of it).

    Errors are :func:`decode`'s, with the same positions: a NUL byte is named wherever it is, and before a
    byte that does not decode (as :func:`decode` checks the one before the other), so a byte that does not
    decode is named once the file has been read to its end. ``OSError`` of reading is the caller's.
    """
    if not callable(getattr(handle, "read", None)):
        raise DecodeError(f"the input must be text (str) or UTF-8 bytes, not {type(handle).__name__}", source=source)
    reader = _StreamReader(handle, source, size)
    return reader.pieces(), reader.bom


class _StreamReader:
    """The state of :func:`decode_stream`: the bytes read and not yet decoded, and where they are in the file.

    ``pending`` starts at the start of the file or of a line, so that positions are counted in it alone.
    """

    def __init__(self, handle: BinaryIO, source: str, size: int) -> None:
        self.read, self.source, self.size = handle.read, source, max(size, 1)
        self.pending = bytearray()  # appended to, and cut from the front, in place
        self.offset = 0  # of pending[0] in the file
        self.lines = 0  # line feeds before pending
        self.eof = False
        while len(self.pending) < 3 and self._read(check=False):
            pass
        if self.pending.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise _utf16(source)
        self._refuse_nul(self.pending, 0)
        self.bom = self.pending.startswith(_UTF8_BOM)

    def pieces(self) -> Iterator[str]:
        start = 3 if self.bom else 0
        error: DecodeError | None = None
        whole = False  # a `%` line was met: the rest of the file is one piece (see piece_ends)
        while True:
            end = None if whole else self._piece_end(start)
            if end is None:
                if self._read():
                    continue
                end = len(self.pending)
            if end < len(self.pending) and (self.pending.startswith(b"%", start) or _DIRECTIVE_LINE_BYTES.search(self.pending, start, end)):
                whole = True
                continue
            if error is None:
                try:
                    piece = str(memoryview(self.pending)[start:end], "utf-8")
                except UnicodeDecodeError as exc:
                    error = _not_utf8(self.pending, start + exc.start, self.source, self.offset, self.lines)
                else:
                    yield piece
            self.lines += self.pending.count(b"\n", 0, end)
            self.offset += end
            del self.pending[:end]
            start = 0
            if self.eof and not self.pending:
                break
        if error is not None:  # the whole file was read: it holds no NUL byte, which would be named first
            raise error

    def _piece_end(self, start: int) -> int | None:
        """Where the piece from ``start`` ends in what was read, or None when more must be read to tell."""
        if len(self.pending) - start <= self.size:
            return None
        found = _PIECE_END_BYTES.search(self.pending, start + self.size)
        if found is None or (not self.eof and found.end() + 6 > len(self.pending)):  # its marker may go on
            return None
        return found.end()

    def _read(self, check: bool = True) -> bool:
        """Read more of the file (False at its end), refusing a NUL byte as it comes."""
        if self.eof:
            return False
        chunk = self.read(self.size)
        if not chunk:
            self.eof = True
            return False
        if check:
            self._refuse_nul(chunk, len(self.pending))
        self.pending += chunk
        return True

    def _refuse_nul(self, chunk: bytes | bytearray, at: int) -> None:
        nul = chunk.find(b"\x00")
        if nul >= 0:
            raise _binary(bytes(self.pending[:at]) + chunk[:nul], self.source, self.offset, self.lines)


_UTF8_BOM = b"\xef\xbb\xbf"


def _check_bytes(data: object, source: str) -> None:
    """DecodeError for what is not bytes, for UTF-16 and UTF-32, and for binary data (a NUL byte)."""
    if not isinstance(data, bytes):
        raise DecodeError(f"the input must be text (str) or UTF-8 bytes, not {type(data).__name__}", source=source)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _utf16(source)
    nul = data.find(b"\x00")
    if nul >= 0:  # YAML text never holds NUL; UTF-16 without a byte-order mark and binary files do
        raise _binary(data[:nul], source)


def _utf16(source: str) -> DecodeError:
    return DecodeError(
        "the input is UTF-16 or UTF-32 (it starts with that byte-order mark); convert it to UTF-8",
        source=source,
        byte_offset=0,
        line=1,
        column=1,
    )


def _binary(before: bytes, source: str, offset: int = 0, lines: int = 0) -> DecodeError:
    """The error for a NUL byte after ``before``, which starts at the start of the file or of a line, at byte
    ``offset`` of the file after ``lines`` line feeds."""
    nul = offset + len(before)
    return DecodeError(
        f"the input is binary data, not YAML text: it holds a NUL byte at byte offset {nul}",
        source=source,
        byte_offset=nul,
        line=lines + before.count(b"\n") + 1,
        column=len(before[before.rfind(b"\n") + 1 :].decode("utf-8", errors="replace")) + 1,
    )


def _not_utf8(data: bytes | bytearray, at: int, source: str, offset: int = 0, lines: int = 0) -> DecodeError:
    """The error for ``data[at]``, a byte that does not decode; ``data`` starts at the start of the file or of
    a line, at byte ``offset`` of the file after ``lines`` line feeds."""
    line_start = data.rfind(b"\n", 0, at) + 1
    column = len(data[line_start:at].decode("utf-8", errors="replace")) + 1
    return DecodeError(
        f"the input is not UTF-8 text: byte 0x{data[at]:02x} at byte offset {offset + at} does not decode",
        source=source,
        byte_offset=offset + at,
        line=lines + data.count(b"\n", 0, at) + 1,
        column=column,
    )


_SURROGATE = re.compile("[\ud800-\udfff]")


def _refuse_surrogates(text: str, source: str) -> None:
    """A str may hold lone surrogates (from ``surrogateescape``, or a bad ``\\ud800`` decoding); no YAML text can."""
    found = _SURROGATE.search(text)
    if found is None:
        return
    at = found.start()
    line_start = text.rfind("\n", 0, at) + 1
    raise DecodeError(
        f"the text holds a lone surrogate (U+{ord(found.group()):04X}), which is not a character UTF-8 can hold",
        source=source,
        line=text.count("\n", 0, at) + 1,
        column=at - line_start + 1,
    )


def occurrences(text: str, piece: str) -> list[int]:
    """Offsets of ``piece`` in ``text``, overlapping ones included (so that none hides inside another)."""
    found = []
    at = text.find(piece)
    while at >= 0:
        found.append(at)
        at = text.find(piece, at + 1)
    return found


def split_documents(text: str) -> list[tuple[int, int]]:
    """Cut the stream into (start, end) segments, one for each document and for leading comments.

    The cuts are where libyaml's parser ends one document and starts the next, so that each segment composes
    alone as libyaml would compose it in the whole stream:
    - a segment starts at a `---` line (column 0 after any YAML line break: LF, CR, CRLF, NEL, LS, PS);
      `%` directives just before it, and the comments around them, stay with the `---` they precede;
    - a `...` line ends its segment when what follows, up to the next `---` or `%` line or the end, is only
      comments, blank lines or more `...` lines (which libyaml skips); content after `...` without a `---`
      stays in the segment, where libyaml refuses it as it does in the whole stream.
    Text before the first marker (comments, or a bare first document) is a segment of its own. The segments
    cover the text exactly.
    """
    cuts = [0]
    skip_to = 0  # the `...` lines after a first one belong to its run
    for match in _MARKER.finditer(text):
        pos = match.start()
        if pos < skip_to or (pos > 0 and text[pos - 1] not in _BREAK_CHARS):
            continue
        if text[pos] == "-":
            cut = _document_start(text, cuts[-1], pos)
            if cut is not None and cut > cuts[-1]:
                cuts.append(cut)
        else:  # `...`
            skip_to, cut = _document_end(text, pos)
            if cut is not None and cuts[-1] < cut < len(text):
                cuts.append(cut)
    bounds = cuts + [len(text)]
    return [(bounds[i], bounds[i + 1]) for i in range(len(cuts)) if bounds[i] < bounds[i + 1] or i == 0]


def _line_end(text: str, pos: int) -> int:
    """The offset after the line break that ends the line of ``pos`` (or the end of the text)."""
    match = _LINE.match(text, pos)
    assert match is not None  # the pattern matches the empty string
    return match.end()


def _line_kind(text: str, start: int, end: int) -> str:
    """The kind of the line ``text[start:end]``: "blank", "comment", "directive" or "other"."""
    body = text[start:end].rstrip(_BREAK_CHARS)
    if text.startswith("%", start):
        return "directive"
    stripped = body.lstrip(" \t")
    if not stripped:
        return "blank"
    return "comment" if stripped.startswith("#") else "other"


def _has_percent_line(text: str, start: int, end: int) -> bool:
    """Whether a line of ``text[start:end]`` (``start`` being a line start) starts with `%`."""
    at = text.find("%", start, end)
    while at >= 0:
        if at == start or text[at - 1] in _BREAK_CHARS:
            return True
        at = text.find("%", at + 1, end)
    return False


def _document_end(text: str, pos: int) -> tuple[int, int | None]:
    """For the `...` line at ``pos``: the end of its run of `...` lines, and where to cut (None: no cut)."""
    last = _line_end(text, pos)
    at = last
    while at < len(text):
        end = _line_end(text, at)
        if _MARKER.match(text, at) and text[at] == ".":
            last = at = end
        elif _line_kind(text, at, end) in ("blank", "comment"):
            at = end
        else:
            break
    if at >= len(text) or text.startswith("%", at) or (_MARKER.match(text, at) and text[at] == "-"):
        return last, last
    return last, None


def _document_start(text: str, previous: int, pos: int) -> int | None:
    """Where the document whose `---` is at ``pos`` starts (None: it stays in the segment from ``previous``)."""
    if pos == previous:
        return None
    if not _has_percent_line(text, previous, pos):
        return pos
    if _is_directive_prelude(text, previous, pos):
        return None
    lines = _prelude_before(text, previous, pos)
    directives = [i for i, (_, kind) in enumerate(lines) if kind == "directive"]
    if not directives:
        return pos
    first = directives[0]
    comments = [i for i, (_, kind) in enumerate(lines) if kind == "comment"]
    if not any(c < first for c in comments) and not _is_directive_token(text, previous, lines[first][0]):
        # the `%` line continues a plain scalar (`a` on the line before); a comment line would end it
        after = [c for c in comments if c > first]
        if not after or not any(d > after[0] for d in directives):
            return pos
        return lines[after[0]][0]
    return next(start for start, kind in lines if kind != "blank")


def _prelude_before(text: str, previous: int, pos: int) -> list[tuple[int, str]]:
    """The lines just before ``pos`` (and after ``previous``) that are directives, comments or blank, in order."""
    found: list[tuple[int, str]] = []
    end = pos
    while end > previous:
        start = max(text.rfind(ch, previous, end - 1) for ch in _BREAK_CHARS) + 1
        if text[end - 1] == "\n" and end - 2 >= previous and text[end - 2] == "\r":
            start = max(text.rfind(ch, previous, end - 2) for ch in _BREAK_CHARS) + 1
        start = max(start, previous)
        kind = _line_kind(text, start, end)
        if kind == "other":
            break
        found.append((start, kind))
        end = start
    return found[::-1]


def _is_directive_token(text: str, start: int, at: int) -> bool:
    """Whether libyaml's scanner, reading from ``start``, reads the `%` line at ``at`` as a directive.

    At column 0 it does, unless the line continues a plain scalar. Rare (a directive after a document's
    content), so the scanner's cost is paid only then. Text the scanner refuses stays in one segment, which
    libyaml then refuses as it refuses the whole stream.
    """
    import yaml

    from ._parse import _NodeLoader

    end = _line_end(text, at)
    loader = _NodeLoader(text[start:end])
    try:
        while loader.check_token():
            token = loader.get_token()
            if token.start_mark.index >= at - start and not isinstance(token, yaml.BlockEndToken):
                return isinstance(token, yaml.DirectiveToken) and token.start_mark.index == at - start
    except yaml.YAMLError:
        return False
    finally:
        loader.dispose()
    return False


def _is_directive_prelude(text: str, start: int, end: int) -> bool:
    """True when text[start:end] is only directives, comments and blank lines, with one directive at least."""
    if not _has_percent_line(text, start, end):
        return False
    pos = start
    seen_directive = False
    while pos < end:
        line_end = min(_line_end(text, pos), end)
        kind = _line_kind(text, pos, line_end)
        if kind == "other":
            return False
        seen_directive |= kind == "directive"
        pos = line_end
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
