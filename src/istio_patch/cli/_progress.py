"""One line on stderr that says what a long run is doing, rewritten in place, and gone when the run speaks.

Shown only when stderr is a terminal, the input is large (more than ``LARGE_BYTES`` of text or ``LARGE_DOCUMENTS``
documents) and the command was not told to be quiet: a pipe, a log file or a CI job never receives it. The line is
cleared before any message is written to stderr and when the run ends, so it never mixes with them.
"""

from __future__ import annotations

import sys
import time

__all__ = ["LARGE_BYTES", "LARGE_DOCUMENTS", "progress"]

LARGE_BYTES = 20_000_000
LARGE_DOCUMENTS = 10_000
_INTERVAL = 0.1  # seconds between two redraws of the same phase: the terminal is not the bottleneck


class _Progress:
    def __init__(self) -> None:
        self.allowed = False  # the command may show progress (a terminal, not quiet)
        self.active = False  # the input is large: progress is shown
        self._shown = False
        self._last = 0.0
        self._label = ""
        self._characters = self._documents = 0

    def allow(self, quiet: bool) -> None:
        """Called once the command line is read: progress may be shown if stderr is a terminal and not ``quiet``."""
        stream = sys.stderr
        try:
            self.allowed = not quiet and stream is not None and stream.isatty()
        except (AttributeError, ValueError):  # a closed or replaced stream
            self.allowed = False
        self.active = False
        self._characters = self._documents = 0

    def read(self, characters: int, documents: int = 0) -> None:
        """Count input (a file's size before it is read, or a manifest once loaded): once the input is large,
        progress is shown for the rest of the run."""
        self._characters += characters
        self._documents += documents
        if self.allowed and (self._characters > LARGE_BYTES or self._documents > LARGE_DOCUMENTS):
            self.active = True

    def show(self, label: str, done: int | None = None, total: int | None = None) -> None:
        """Say ``label`` (with ``done/total``); the same phase is redrawn at most every ``_INTERVAL`` seconds."""
        if not self.active:
            return
        now = time.monotonic()
        if label == self._label and now - self._last < _INTERVAL and done != total:
            return
        self._label, self._last = label, now
        count = f" {done:,}/{total:,}" if done is not None and total is not None else ""
        self._write(f"\r\x1b[Kistio-patch: {label}{count}")
        self._shown = True

    def clear(self) -> None:
        """Take the line away (before a message, and at the end)."""
        if self._shown:
            self._shown = False
            self._label = ""
            self._write("\r\x1b[K")

    def _write(self, text: str) -> None:
        stream = sys.stderr
        try:
            stream.write(text)
            stream.flush()
        except (OSError, ValueError, AttributeError):  # a closed terminal: the run goes on without its line
            self.active = False


progress = _Progress()
