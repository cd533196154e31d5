"""The one exception family of istio-patch.

Every error carries where it happened (source name, document index, 1-based line and column, JSON pointer)
as attributes, and its message shows them, so a caller can either read the fields or print the error.
Each subclass also derives from the built-in exception a Python caller would expect to catch.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = [
    "IstioPatchError",
    "DecodeError",
    "YAMLSyntaxError",
    "LimitError",
    "EditError",
    "PatchTestFailed",
    "ModelValidationError",
    "SelectorError",
    "OptionsError",
    "FileError",
]


class IstioPatchError(Exception):
    """Base of every error istio-patch raises on purpose.

    Attributes:
        message: the bare description, without position.
        source: the file name or ``"<string>"``; ``None`` when unknown.
        document: 1-based number of the document in the stream, or ``None``.
        line: 1-based line in the source, or ``None``.
        column: 1-based column (characters) in the source, or ``None``.
        pointer: JSON pointer (RFC 6901) inside the document, or ``None``.
        snippet: the source line the error points at, or ``None``.
    """

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        document: int | None = None,
        line: int | None = None,
        column: int | None = None,
        pointer: str | None = None,
        snippet: str | None = None,
    ) -> None:
        self.message = _printable(message)  # it may quote the input: key names, values
        self.source = source
        self.document = document
        self.line = line
        self.column = column
        self.pointer = pointer
        self.snippet = snippet
        super().__init__(self.__str__())

    @property
    def location(self) -> str:
        """``FILE:LINE:COL`` as far as it is known (``FILE`` alone, or empty)."""
        parts = [_printable(self.source or "<string>")]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def headline(self) -> str:
        """One line: location, message, and the document and pointer where they add information.

        An error about no input at all (options built in Python, say) has no location to show.
        """
        extra = []
        if self.document is not None:
            extra.append(f"document {self.document}")
        if self.pointer is not None:
            extra.append(f"at {_printable(self.pointer) or '/'}")
        suffix = f" ({', '.join(extra)})" if extra else ""
        if self.source is None and self.line is None and self.document is None:
            return f"{self.message}{suffix}"
        return f"{self.location}: {self.message}{suffix}"

    def __str__(self) -> str:
        text = self.headline()
        if self.snippet is not None and self.column is not None:
            line, column = _visible(self.snippet.rstrip("\r\n"), self.column - 1)
            caret = "".join("\t" if ch == "\t" else " " for ch in line[:column]) + "^"
            text += f"\n    {line}\n    {caret}"
        return text

    def __reduce__(self) -> tuple[Any, ...]:  # keep the keyword-only fields when pickled (multiprocessing, pytest-xdist)
        return (_rebuild, (type(self), self.message, self._fields()))

    def _fields(self) -> dict[str, object]:
        return {
            "source": self.source,
            "document": self.document,
            "line": self.line,
            "column": self.column,
            "pointer": self.pointer,
            "snippet": self.snippet,
        }


_SNIPPET_WIDTH = 120
# What a terminal may act on, or cannot print: C0 controls but the tab, DEL, C1 controls (U+009B is CSI, as
# ESC [ is), and lone surrogates, which no UTF-8 output can hold.
_UNPRINTABLE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\ud800-\udfff]")


def _printable(text: str) -> str:
    """``text`` with every character a terminal could be driven by, or could not print, shown as U+FFFD."""
    return _UNPRINTABLE.sub("\ufffd", text)


def _visible(line: str, column: int) -> tuple[str, int]:
    """The part of a source line worth printing around ``column`` (0-based), with control characters (C0 and
    C1) shown as U+FFFD so that a terminal is never driven by the input; returns the text and the caret's new
    column."""
    if len(line) > _SNIPPET_WIDTH:
        start = max(0, min(column - _SNIPPET_WIDTH // 2, len(line) - _SNIPPET_WIDTH))
        end = start + _SNIPPET_WIDTH
        prefix = "..." if start > 0 else ""
        line = prefix + line[start:end] + ("..." if end < len(line) else "")
        column = column - start + len(prefix)
    return _printable(line), column


def _rebuild(cls: type[IstioPatchError], message: str, fields: dict[str, object]) -> IstioPatchError:
    return cls(message, **fields)  # type: ignore[arg-type]


class DecodeError(IstioPatchError, ValueError):
    """The input is not UTF-8 text (``byte_offset`` says where it stops being so)."""

    def __init__(self, message: str, *, byte_offset: int | None = None, **where: object) -> None:
        self.byte_offset = byte_offset
        super().__init__(message, **where)  # type: ignore[arg-type]

    def _fields(self) -> dict[str, object]:
        return {**super()._fields(), "byte_offset": self.byte_offset}


class YAMLSyntaxError(IstioPatchError, ValueError):
    """The text is not YAML that Kubernetes' decoder would accept."""


class LimitError(IstioPatchError, ValueError):
    """A document would cost more than the work budget allows (alias expansion, nesting)."""


class EditError(IstioPatchError, ValueError):
    """An RFC 6902 operation cannot be applied (missing path, shared alias, merge key, ...)."""


class PatchTestFailed(EditError, AssertionError):
    """An RFC 6902 ``test`` operation found a different value."""


class ModelValidationError(IstioPatchError, ValueError):
    """An object does not fit its typed model."""


class SelectorError(IstioPatchError, LookupError):
    """A selector matched no object (or an ambiguous one) where one was required."""


class OptionsError(IstioPatchError, ValueError):
    """Transform options or a recipe are invalid or contradict each other."""


class FileError(IstioPatchError, OSError):
    """A file, stdin or stdout cannot be read or written as the command line was asked to.

    ``source`` names the file as the user wrote it (``<stdin>``, ``<stdout>`` for the streams), never a
    temporary file; the message says what was left behind (``no file was changed``, ``the output is
    incomplete``). ``errno`` is the system's error number when there is one (``errno.EPIPE``: the reader left).
    """

    def __init__(self, message: str, *, errno: int | None = None, **where: object) -> None:
        super().__init__(message, **where)  # type: ignore[arg-type]
        self.errno = errno

    @property
    def location(self) -> str:
        return _printable(self.source) if self.source else ""

    def headline(self) -> str:
        return f"{self.location}: {self.message}" if self.source else self.message

    def _fields(self) -> dict[str, object]:
        return {**super()._fields(), "errno": self.errno}
