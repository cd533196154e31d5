"""Reading the command line's inputs and writing its results without losing data or reporting false success.

Where a result goes decides how it is written:

- a regular file (``-o FILE``, ``-i``, a kustomize overlay) is replaced atomically: the new text goes to a
  temporary file beside it, which is then renamed over it; several files are all or nothing;
- stdout (``-o -`` too), a ``/dev/stdout``-style name, a character device or a FIFO is written straight
  through: renaming a file over ``/dev/null`` or a FIFO would replace the node itself.

Every failure is a ``FileError`` naming the file as the user wrote it (never a temporary file) and saying what
was left behind. Nothing here knows about YAML or Kubernetes: the data are bytes.
"""

from __future__ import annotations

import errno
import os
import stat
import sys
from dataclasses import dataclass
from typing import IO, Any, Sequence

from .._errors import FileError

__all__ = [
    "STDIN",
    "STDOUT",
    "Source",
    "flush_stdout",
    "read_inputs",
    "write_files",
    "write_output",
    "write_stderr",
    "write_stdout",
]

STDIN = "<stdin>"
STDOUT = "<stdout>"


# ---------------------------------------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """One input: ``name`` as the user wrote it (for messages), ``path`` (``None`` for stdin) and its bytes."""

    name: str
    path: str | None
    data: bytes


def read_inputs(names: Sequence[str]) -> list[Source]:
    """Read each named file, ``-`` meaning stdin (the caller makes sure stdin is named once at most)."""
    sources = []
    for name in names:
        if name == "-":
            sources.append(Source(STDIN, None, _read_stdin()))
            continue
        try:
            with open(name, "rb") as handle:
                sources.append(Source(name, name, handle.read()))
        except IsADirectoryError:
            raise FileError("is a directory; name the manifest files in it", source=name) from None
        except OSError as exc:
            raise FileError(exc.strerror or str(exc), source=name, errno=exc.errno) from None
    return sources


def _read_stdin() -> bytes:
    stream = sys.stdin
    if stream is None:  # Python found descriptor 0 closed when it started
        raise FileError("is closed; name the files to read", source=STDIN, errno=errno.EBADF)
    try:
        buffer = getattr(stream, "buffer", None)
        return buffer.read() if buffer is not None else stream.read().encode("utf-8")
    except ValueError:  # closed since
        raise FileError("is closed; name the files to read", source=STDIN, errno=errno.EBADF) from None
    except OSError as exc:
        raise FileError(exc.strerror or str(exc), source=STDIN, errno=exc.errno) from None


# ---------------------------------------------------------------------------------------------------------
# The standard streams
# ---------------------------------------------------------------------------------------------------------


def write_stdout(data: bytes, *, name: str = STDOUT) -> None:
    """Write all of ``data`` to stdout, or raise ``FileError`` (``errno.EPIPE`` when the reader has left).

    A write to a pipe or a file can be partial (a full disk, a file size limit) and the next one fails:
    every byte is accounted for, and after a failure stdout is pointed at ``/dev/null`` so that Python's
    own flush at exit does not fail a second time.
    """
    stream = sys.stdout
    if stream is None:  # Python found descriptor 1 closed when it started
        raise FileError("is closed; nothing was written", source=name, errno=errno.EBADF)
    buffer = getattr(stream, "buffer", None)
    text = data.decode("utf-8", "replace") if buffer is None else ""
    written = 0
    try:
        stream.flush()  # text written earlier goes first
        if buffer is None:  # a text-only stream (some test harnesses): newlines are passed through unchanged
            stream.write(text)
            stream.flush()
            return
        buffer.flush()
        descriptor = _descriptor(buffer)
        view = memoryview(data)
        while written < len(view):
            if descriptor is not None:
                written += _write_some(descriptor, view[written:])
            else:  # a stream without a descriptor: its write may be partial too
                written += buffer.write(view[written:]) or 0
        if descriptor is None:
            buffer.flush()
    except (OSError, ValueError) as exc:
        _silence(stream)
        raise _write_error(name, exc, written) from None


def flush_stdout() -> None:
    """Flush what Python holds for stdout (``--help`` text), raising ``FileError`` if it cannot be written."""
    stream = sys.stdout
    if stream is None:
        return
    try:
        stream.flush()
    except (OSError, ValueError) as exc:
        _silence(stream)
        raise _write_error(STDOUT, exc, 0) from None


def write_stderr(text: str) -> None:
    """Write a message to stderr if it can be written: there is nowhere else to report a failure."""
    stream = sys.stderr
    if stream is None:
        return
    try:
        stream.write(text)
        stream.flush()
    except (OSError, ValueError):
        _silence(stream)


def _descriptor(stream: IO[Any]) -> int | None:
    try:
        return stream.fileno()
    except (OSError, ValueError, AttributeError):  # io.UnsupportedOperation is both an OSError and a ValueError
        return None


def _silence(stream: IO[Any]) -> None:
    """Point a failed stream's descriptor at /dev/null: Python flushes it again at exit, and must not fail."""
    descriptor = _descriptor(stream)
    if descriptor is None:
        return
    try:
        null = os.open(os.devnull, os.O_WRONLY)
    except OSError:
        return
    try:
        os.dup2(null, descriptor)
    except OSError:
        pass
    finally:
        os.close(null)


def _write_some(descriptor: int, view: memoryview) -> int:
    """One ``write`` of at most 1 MiB (so that a signal is handled between pieces); waits on a non-blocking
    descriptor that is full instead of failing."""
    try:
        return os.write(descriptor, view[: 1 << 20])
    except BlockingIOError:
        import select

        select.select([], [descriptor], [])
        return 0


def _write_error(name: str, exc: BaseException, written: int) -> FileError:
    if isinstance(exc, OSError) and exc.errno != errno.EBADF:
        left = "the output is incomplete" if written else "nothing was written"
        return FileError(f"{exc.strerror or exc}; {left}", source=name, errno=exc.errno)
    return FileError("is closed; nothing was written", source=name, errno=errno.EBADF)


# ---------------------------------------------------------------------------------------------------------
# Outputs
# ---------------------------------------------------------------------------------------------------------


def write_output(name: str, data: bytes) -> None:
    """Write the result where ``-o NAME`` says: ``-`` is stdout, a regular file (or a new one) is replaced
    atomically, and a character device, a FIFO or a ``/dev/stdout``-style name is written straight through.

    Example: ``write_output("-", b"kind: List\\n")`` prints; ``write_output("/dev/null", ...)`` leaves the device.
    """
    descriptor = None if name == "-" else descriptor_of(name)
    if name == "-" or descriptor == 1:
        write_stdout(data, name=STDOUT if name == "-" else name)
        return
    if descriptor is not None:
        _write_to_descriptor(name, descriptor, data)
        return
    try:
        mode = os.stat(name).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise FileError(f"{exc.strerror or exc}; nothing was written", source=name, errno=exc.errno) from None
    if mode is None or stat.S_ISREG(mode):
        write_files([(name, data)], backup=None, create=True)
    elif stat.S_ISDIR(mode):
        raise FileError("is a directory; name a file to write", source=name)
    elif stat.S_ISCHR(mode) or stat.S_ISFIFO(mode):
        _write_through(name, data)
    else:
        raise FileError(f"is a {kind_of(mode)}; -o writes regular files, character devices and FIFOs; nothing was written", source=name)


def descriptor_of(name: str) -> int | None:
    """The file descriptor of this process that a ``/dev/stdout``-style name stands for, or ``None``.

    ``/dev/stdin``, ``/dev/stdout``, ``/dev/stderr``, ``/dev/fd/N`` and ``/proc/self/fd/N`` (or this process's
    id), also reached through symbolic links: opening such a name would start a new file description (at
    offset 0, without ``O_APPEND``), and renaming a file over it would replace what the shell redirected to.
    """
    path = os.path.abspath(name)
    for _ in range(40):  # as many links as the kernel follows
        number = _descriptor_name(path)
        if number is not None:
            return number
        try:
            link = os.readlink(path)
        except OSError:  # not a link (or not there): an ordinary name
            return None
        path = os.path.normpath(os.path.join(os.path.dirname(path), link))
    return None


def _descriptor_name(path: str) -> int | None:
    streams = {"/dev/stdin": 0, "/dev/stdout": 1, "/dev/stderr": 2}
    if path in streams:
        return streams[path]
    for folder in ("/dev/fd/", "/proc/self/fd/", "/proc/thread-self/fd/", f"/proc/{os.getpid()}/fd/"):
        if path.startswith(folder) and path[len(folder):].isdigit():
            return int(path[len(folder):])
    return None


def kind_of(mode: int) -> str:
    """What a file is, in words (``"FIFO"``, ``"character device"``, ...), from its ``st_mode``."""
    kinds = [
        (stat.S_ISREG, "regular file"),
        (stat.S_ISDIR, "directory"),
        (stat.S_ISCHR, "character device"),
        (stat.S_ISBLK, "block device"),
        (stat.S_ISFIFO, "FIFO"),
        (stat.S_ISSOCK, "socket"),
        (stat.S_ISLNK, "symbolic link"),
    ]
    return next((word for test, word in kinds if test(mode)), "special file")


def _write_through(name: str, data: bytes) -> None:
    """Write a character device or a FIFO in place (opening a FIFO waits for its reader, as a shell's ``>`` does)."""
    try:
        descriptor = os.open(name, os.O_WRONLY | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise FileError(f"{exc.strerror or exc}; nothing was written", source=name, errno=exc.errno) from None
    try:
        if stat.S_ISREG(os.fstat(descriptor).st_mode):  # it became a regular file meanwhile: replace it instead
            os.close(descriptor)
            descriptor = -1
            write_files([(name, data)], backup=None, create=True)
            return
        _write_to_descriptor(name, descriptor, data)
    finally:
        if descriptor >= 0:
            os.close(descriptor)


def _write_to_descriptor(name: str, descriptor: int, data: bytes) -> None:
    if descriptor == 2:
        write_stderr("")  # what Python holds for stderr goes first
    view = memoryview(data)
    written = 0
    try:
        while written < len(view):
            written += _write_some(descriptor, view[written:])
    except OSError as exc:
        raise _write_error(name, exc, written) from None


# ---------------------------------------------------------------------------------------------------------
# Regular files: all or nothing
# ---------------------------------------------------------------------------------------------------------


def write_files(pairs: Sequence[tuple[str, bytes]], *, backup: str | None, create: bool = False) -> None:
    """Write every file or none: temporary files beside the targets first, then renames.

    The originals stay byte-identical until every new text exists on disk; a failing rename puts back the
    ones already done. File modes are kept; a symlink's target is edited, not the link.
    """
    import tempfile

    temps: list[tuple[str, str]] = []  # (temporary, target)
    saved: list[tuple[str, str]] = []  # (hard link to the original, target)
    done: list[str] = []
    try:
        for path, data in pairs:
            target = os.path.realpath(path)
            try:
                mode: int | None = stat.S_IMODE(os.stat(target).st_mode)
            except FileNotFoundError:
                if not create:
                    raise
                mode = None
            folder = os.path.dirname(target) or "."
            fd, temp = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(target)}.", suffix=".tmp")
            temps.append((temp, target))
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            if mode is None:
                umask = os.umask(0)
                os.umask(umask)
                mode = 0o666 & ~umask
            os.chmod(temp, mode)
        for temp, target in temps:
            if (backup is not None or len(temps) > 1) and os.path.lexists(target):
                keep = _link_beside(target)
                saved.append((keep, target))
        for temp, target in temps:
            os.replace(temp, target)
            done.append(target)
    except OSError as exc:
        originals = {target: keep for keep, target in saved}
        for target in done:  # put back what was replaced; take away what was created
            try:
                if target in originals:
                    os.replace(originals[target], target)
                else:
                    os.unlink(target)
            except OSError:
                pass
        for keep, _ in saved:
            _remove_quietly(keep)
        for temp, _ in temps:
            _remove_quietly(temp)
        raise FileError(f"{exc.strerror or exc}; no file was changed", source=exc.filename, errno=exc.errno) from None
    for keep, target in saved:
        if backup is not None:
            os.replace(keep, target + backup)
        else:
            _remove_quietly(keep)


def _link_beside(target: str) -> str:
    """A hidden second name for the original (a hard link, or a copy where links are not possible)."""
    import shutil
    import tempfile

    folder = os.path.dirname(target) or "."
    fd, keep = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(target)}.", suffix=".orig")
    os.close(fd)
    os.unlink(keep)
    try:
        os.link(target, keep)
    except OSError:
        shutil.copy2(target, keep)
    return keep


def _remove_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
