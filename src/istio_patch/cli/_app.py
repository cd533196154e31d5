"""The command line's entry points: parse, dispatch to a command, and turn every error into one line and a code."""

from __future__ import annotations

import argparse
import errno
import sys
from collections.abc import Callable, Sequence

from .._errors import FileError
from ._common import EXIT_BROKEN_PIPE, EXIT_ERROR, EXIT_OK, PROG, Failure, UsageError, err, out
from ._parser import COMMANDS, build
from ._progress import progress
from ._signals import Interrupted, stop_on_signals
from ._streams import flush_stdout

__all__ = ["main", "main_entry"]


def _command(name: str) -> Callable[[argparse.Namespace], int]:
    """The function that runs the command ``name`` (its module is imported only when it runs)."""
    from importlib import import_module

    module = import_module("._apply" if name in ("apply", "plan") else "._report", __package__)
    command: Callable[[argparse.Namespace], int] = getattr(module, name)
    return command


def main(argv: list[str] | None = None) -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``) and return the exit code."""
    import gc

    # Node trees and views hold millions of containers and no cycles, yet every collection of the oldest
    # generation re-scans all of them: with the default thresholds an 18 MB input spends about a sixth of its
    # time in the collector. A run is short: collect rarely (cycles are still reclaimed), then give the caller
    # its settings back.
    thresholds = gc.get_threshold()
    gc.set_threshold(100_000, 50, 100)
    try:
        with stop_on_signals():  # SIGTERM and SIGHUP too: a write in progress is undone, not cut off
            return _main(list(sys.argv[1:] if argv is None else argv))
    except KeyboardInterrupt as exc:  # a signal as the run ended
        return _interrupted(exc)
    finally:
        gc.set_threshold(*thresholds)


def _main(argv: list[str]) -> int:
    debug = "--debug" in argv
    try:
        _refuse_habits_of_other_tools(argv)
        try:
            args = build(_command_in(argv)).parse_args(argv)
        except SystemExit as exc:  # --help, or argparse's own exit
            flush_stdout()  # the help text must reach stdout, or the exit code say it did not
            return int(exc.code or 0)
        if args.version:
            from .. import __version__

            out(f"{PROG} {__version__}\n")
            return EXIT_OK
        progress.allow(getattr(args, "quiet", False))
        if args.command is None:
            names = list(COMMANDS)
            raise UsageError(f"{PROG}: say which command to run: {', '.join(names[:-1])} or {names[-1]} (see --help)")
        code = _command(args.command)(args)
        progress.clear()
        flush_stdout()
        return code
    except UsageError as exc:
        err(f"{exc}\n{_usage_hint(argv)}")
        return EXIT_ERROR
    except Failure as exc:
        err(f"{PROG}: error: {exc}")
        return EXIT_ERROR
    except FileError as exc:  # `istio-patch images | head -1`, a full disk, a closed stream
        err(f"{PROG}: error: {exc}")
        return EXIT_BROKEN_PIPE if exc.errno == errno.EPIPE else EXIT_ERROR
    except KeyboardInterrupt as exc:
        return _interrupted(exc)
    except Exception as exc:
        return _unexpected(exc, debug)


def _unexpected(exc: Exception, debug: bool) -> int:
    from .._errors import IstioPatchError
    from ._hints import on_the_command_line

    if debug:
        import traceback

        traceback.print_exc()
    if isinstance(exc, IstioPatchError):
        err(f"{PROG}: error: {on_the_command_line(str(exc))}")
    elif isinstance(exc, RecursionError):
        err(f"{PROG}: error: the input nests too deeply to process")
    elif isinstance(exc, MemoryError):
        err(f"{PROG}: error: out of memory")
    else:
        hint = "" if debug else " (run with --debug for the traceback)"
        err(f"{PROG}: error: internal error: {type(exc).__name__}: {exc}{hint}; please report it")
    return EXIT_ERROR


def main_entry() -> None:
    """The ``istio-patch`` console script (and ``python -m istio_patch``)."""
    try:
        code = main()
    except KeyboardInterrupt:  # after main() gave Python its own handlers back: the run was over
        err(f"{PROG}: interrupted")
        code = 130
    raise SystemExit(code)


def _interrupted(exc: KeyboardInterrupt) -> int:
    """One line for SIGINT, SIGTERM or SIGHUP (with what an interrupted write left), and 128 + its number."""
    stop = exc if isinstance(exc, Interrupted) else Interrupted()
    err(f"{PROG}: interrupted by {stop.name}{'; ' + stop.outcome if stop.outcome else ''}")
    return stop.exit_code


def _refuse_habits_of_other_tools(argv: Sequence[str]) -> None:
    """What sed and kubectl users write and this tool reads otherwise gets a hint, not a surprise."""
    for arg in argv:
        if arg == "--":
            return
        if arg.startswith("-i") and len(arg) > 2 and not arg.startswith("--"):
            raise UsageError(f"{PROG}: {arg}: sed's -iSUFFIX is written -i --backup {arg[2:]} here")


def _command_in(argv: Sequence[str]) -> str | None:
    """The command the arguments name (only its own arguments need building), or None."""
    return next((a for a in argv if a in COMMANDS), None)


def _usage_hint(argv: Sequence[str]) -> str:
    command = _command_in(argv)
    return f"Run `{PROG} {command + ' ' if command else ''}--help` for usage."
