"""What every command shares: the program's name, exit codes, usage errors, and writing to the terminal."""

from __future__ import annotations

from collections.abc import Iterable

from ._progress import progress
from ._streams import write_stderr, write_stdout

__all__ = ["PROG", "EXIT_OK", "EXIT_FOUND", "EXIT_ERROR", "EXIT_BROKEN_PIPE", "UsageError", "Failure", "out", "err", "warn", "printable"]

PROG = "istio-patch"
EXIT_OK, EXIT_FOUND, EXIT_ERROR = 0, 1, 2
EXIT_BROKEN_PIPE = 128 + 13  # the reader of stdout left: what a shell reports for a writer killed by SIGPIPE


class UsageError(Exception):
    """A command line that cannot be run (exit 2, with the usage line)."""


class Failure(Exception):
    """An error already described for the user (exit 2)."""


def out(text: str | bytes | Iterable[bytes]) -> None:
    """Write to stdout (text, bytes, or bytes a chunk at a time), every byte accounted for (FileError otherwise)."""
    progress.clear()  # stdout may be the same terminal
    write_stdout(text.encode("utf-8") if isinstance(text, str) else text)


def err(text: str) -> None:
    """One message on stderr (dropped if stderr is closed), on a line of its own (the progress line goes first)."""
    progress.clear()
    write_stderr(text.rstrip("\n") + "\n")


def warn(text: str) -> None:
    err(f"{PROG}: warning: {printable(text)}")


def printable(text: str) -> str:
    """``text`` with control characters (C0 but tab and line feed, DEL, C1) shown as U+FFFD: names from the input
    never drive the terminal."""
    return "".join("\ufffd" if (ord(ch) < 32 and ch not in "\t\n") or 127 <= ord(ch) < 160 else ch for ch in text)
