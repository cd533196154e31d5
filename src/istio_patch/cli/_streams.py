"""The standard streams, every byte accounted for, and what a name given for an output really is.

Every failure is a ``FileError`` naming the stream as the user knows it (``<stdout>``); after one, stdout points
at ``/dev/null`` so that Python's flush at exit adds nothing.
"""

from __future__ import annotations

import codecs
import errno
import os
import stat
import sys
from collections.abc import Iterable
from typing import IO, Any

from .._errors import FileError

__all__ = ["STDIN", "STDOUT", "write_stdout", "flush_stdout", "write_stderr", "descriptor_of", "kind_of", "write_error", "write_some"]

STDIN = "<stdin>"
STDOUT = "<stdout>"


def write_stdout(data: bytes | Iterable[bytes], *, name: str = STDOUT) -> None:
    """Write all of ``data`` (bytes, or bytes a chunk at a time) to stdout, or raise ``FileError``
    (``errno.EPIPE`` when the reader has left).

    A write to a pipe or a file can be partial (a full disk, a file size limit) and the next one fails:
    every byte is accounted for, and after a failure stdout is pointed at ``/dev/null`` so that Python's
    own flush at exit does not fail a second time.
    """
    stream = sys.stdout
    if stream is None:  # Python found descriptor 1 closed when it started
        raise FileError("is closed; nothing was written", source=name, errno=errno.EBADF)
    chunks = (data,) if isinstance(data, (bytes, bytearray, memoryview)) else data
    buffer = getattr(stream, "buffer", None)
    written = 0
    try:
        stream.flush()  # text written earlier goes first
        if buffer is None:  # a text-only stream (some test harnesses): newlines are passed through unchanged
            decoder = codecs.getincrementaldecoder("utf-8")("replace")
            for chunk in chunks:
                stream.write(decoder.decode(chunk))
            stream.write(decoder.decode(b"", final=True))
            stream.flush()
            return
        buffer.flush()
        descriptor = _descriptor(buffer)
        for chunk in chunks:
            view = memoryview(chunk)
            done = 0
            while done < len(view):
                if descriptor is not None:
                    count = write_some(descriptor, view[done:])
                else:  # a stream without a descriptor (a test's capture): its write may be partial too
                    result = buffer.write(view[done:])
                    count = len(view) - done if result is None else result
                done += count
                written += count
        if descriptor is None:
            buffer.flush()
    except (OSError, ValueError) as exc:
        _silence(stream)
        raise write_error(name, exc, written) from None


def flush_stdout() -> None:
    """Flush what Python holds for stdout (``--help`` text), raising ``FileError`` if it cannot be written."""
    stream = sys.stdout
    if stream is None:
        return
    try:
        stream.flush()
    except (OSError, ValueError) as exc:
        _silence(stream)
        raise write_error(STDOUT, exc, 0) from None


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


def write_some(descriptor: int, view: memoryview) -> int:
    """One ``write`` of at most 1 MiB (so that a signal is handled between pieces); waits on a non-blocking
    descriptor that is full instead of failing."""
    try:
        return os.write(descriptor, view[: 1 << 20])
    except BlockingIOError:
        import select

        select.select([], [descriptor], [])
        return 0


def write_error(name: str, exc: BaseException, written: int) -> FileError:
    if isinstance(exc, OSError) and exc.errno != errno.EBADF:
        left = "the output is incomplete" if written else "nothing was written"
        return FileError(f"{exc.strerror or exc}; {left}", source=name, errno=exc.errno)
    return FileError("is closed; nothing was written", source=name, errno=errno.EBADF)


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
