"""SIGINT, SIGTERM and SIGHUP as one exception, ``Interrupted``, so that an interrupted write is undone, not cut off."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["Interrupted", "stop_on_signals", "critical", "deferred", "take_pending"]


class Interrupted(KeyboardInterrupt):
    """SIGINT, SIGTERM or SIGHUP asked the run to stop (a ``KeyboardInterrupt``, whichever it was).

    ``outcome`` says what an interrupted write left (``"no file was changed"``), or is ``None`` when the
    signal did not interrupt a write of regular files.
    """

    def __init__(self, signum: int = 2, outcome: str | None = None) -> None:
        super().__init__(signum)
        self.signum, self.outcome = signum, outcome

    @property
    def name(self) -> str:
        try:
            return signal.Signals(self.signum).name
        except ValueError:
            return f"signal {self.signum}"

    @property
    def exit_code(self) -> int:
        """128 + the signal's number, as a shell reports a process the signal ended: 130, 143, 129."""
        return 128 + self.signum


class _Signals:
    """What the handler of ``stop_on_signals`` needs to know."""

    def __init__(self) -> None:
        self.installed = False
        self.critical = 0  # open critical sections: a signal waits until the last one closes
        self.pending: int | None = None  # a signal that arrived in a critical section
        self.stopping = False  # Interrupted was raised: later signals must not cut the undo short

    def reset(self, *, installed: bool) -> None:
        self.installed, self.critical, self.pending, self.stopping = installed, 0, None, False


_signals = _Signals()


def _on_signal(signum: int, frame: object) -> None:
    if _signals.stopping:
        return
    if _signals.critical:
        if _signals.pending is None:
            _signals.pending = signum
        return
    _signals.stopping = True
    raise Interrupted(signum)


@contextmanager
def stop_on_signals() -> Iterator[None]:
    """Within the block, SIGINT, SIGTERM and SIGHUP raise ``Interrupted`` in the main thread.

    Without it SIGTERM and SIGHUP would end the process where it stands, leaving temporary files behind.
    A signal the process was started to ignore (a background job's SIGINT) stays ignored. Nested uses,
    and uses outside the main thread (where Python cannot handle signals), change nothing. Only the first
    signal raises; later ones are dropped while the run stops. A signal that arrives while the handlers are
    put back is raised when they are.
    """

    if _signals.installed:
        yield
        return
    previous: dict[int, Any] = {}
    for name in ("SIGINT", "SIGTERM", "SIGHUP"):
        number = getattr(signal, name, None)
        if number is not None and signal.getsignal(number) != signal.SIG_IGN:
            previous[number] = signal.getsignal(number)
    try:
        for number in previous:
            signal.signal(number, _on_signal)
    except ValueError:  # not the main thread: signals are not delivered here anyway
        yield
        return
    _signals.reset(installed=True)
    try:
        yield
    finally:
        _signals.critical += 1
        for number, handler in previous.items():
            signal.signal(number, handler if handler is not None else signal.SIG_DFL)
        pending = None if _signals.stopping else _signals.pending
        _signals.reset(installed=False)
    if pending is not None:
        raise Interrupted(pending)


@contextmanager
def critical() -> Iterator[None]:
    """A block that a signal does not interrupt: it is raised when the block ends (if it ends normally;
    after an exception, it is left for the code that handles it, see ``take_pending``)."""
    _signals.critical += 1
    try:
        yield
    finally:
        _signals.critical -= 1
    signum = take_pending()
    if signum is not None:
        raise Interrupted(signum)


def take_pending() -> int | None:
    """The signal that arrived during critical sections, now that none is open (marking the run stopping)."""
    if _signals.critical or _signals.pending is None:
        return None
    signum, _signals.pending = _signals.pending, None
    _signals.stopping = True
    return signum


@contextmanager
def deferred() -> Iterator[None]:
    """Signals that arrive within the block wait (an undo in progress must finish); ``take_pending`` gets them."""
    _signals.critical += 1
    try:
        yield
    finally:
        _signals.critical -= 1
