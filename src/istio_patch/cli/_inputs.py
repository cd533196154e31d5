"""Reading the command line's inputs: files (FIFOs too), stdin, and files locked for an edit in place."""

from __future__ import annotations

import errno
import os
import stat
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO

from .._errors import FileError
from ._files import Fingerprint, fingerprint, write_files
from ._signals import critical
from ._streams import STDIN, descriptor_of, kind_of

__all__ = ["Source", "read_inputs", "Reader", "InPlace", "is_stdin"]


@dataclass(frozen=True)
class Source:
    """One input: ``name`` as the user wrote it (for messages), ``path`` (``None`` for stdin) and its bytes."""

    name: str
    path: str | None
    data: bytes


def read_inputs(names: Sequence[str]) -> list[Source]:
    """Read each named file (a FIFO too), ``-`` or ``/dev/stdin`` meaning stdin (the caller makes sure stdin
    is named once at most); a directory is refused with a hint."""
    sources = []
    for name in names:
        if name == "-":
            sources.append(Source(STDIN, None, _read_stdin()))
            continue
        if is_stdin(name):  # read what Python reads as stdin: opening /dev/stdin again fails for a socket
            sources.append(Source(name, None, _read_stdin(name)))
            continue
        try:
            with open(name, "rb") as handle:
                sources.append(Source(name, name, handle.read()))
        except IsADirectoryError:
            raise FileError("is a directory; name the manifest files in it", source=name) from None
        except OSError as exc:
            raise FileError(exc.strerror or str(exc), source=name, errno=exc.errno) from None
    return sources


class Reader:
    """One input opened to be read a piece at a time (``read(size)``), as ``load`` reads a binary file: a
    failure to read is a ``FileError`` naming it, as :func:`read_inputs` names it. Close it (or use ``with``);
    stdin stays open."""

    def __init__(self, name: str) -> None:
        self.name = STDIN if name == "-" else name
        self._owned = not is_stdin(name)
        self._file: IO[bytes]
        if self._owned:
            try:
                self._file = open(name, "rb")
            except IsADirectoryError:
                raise FileError("is a directory; name the manifest files in it", source=name) from None
            except OSError as exc:
                raise FileError(exc.strerror or str(exc), source=name, errno=exc.errno) from None
            return
        stream = sys.stdin
        if stream is None:  # Python found descriptor 0 closed when it started
            raise FileError("is closed; name the files to read", source=self.name, errno=errno.EBADF)
        buffer = getattr(stream, "buffer", None)
        self._file = buffer if buffer is not None else _Encoded(stream)  # type: ignore[assignment]

    def read(self, size: int = -1) -> bytes:
        try:
            return self._file.read(size)
        except ValueError:  # stdin closed since
            raise FileError("is closed; name the files to read", source=self.name, errno=errno.EBADF) from None
        except OSError as exc:
            raise FileError(exc.strerror or str(exc), source=self.name, errno=exc.errno) from None

    def close(self) -> None:
        if self._owned:
            self._file.close()

    def __enter__(self) -> Reader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Encoded:
    """A text-only stdin (some test harnesses) read as UTF-8 bytes, all at once."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.data: bytes | None = None

    def read(self, size: int = -1) -> bytes:
        if self.data is None:
            self.data = self.stream.read().encode("utf-8")
        size = len(self.data) if size < 0 else size
        chunk, self.data = self.data[:size], self.data[size:]
        return chunk


class InPlace:
    """The files of an edit in place: locked, then read; written all or nothing by ``write``.

    Each file is locked (``flock``, exclusive, on the file itself) before it is read and until the edit is
    written or given up, so that two runs on one file take turns instead of one silently losing the other's
    edit. A program that does not lock (an editor, ``sed -i``) and changes a file meanwhile makes ``write``
    refuse. Files are locked in one order (device and inode), so runs naming the same files in different
    orders cannot wait for each other forever.

    Example::

        with InPlace(["a.yaml", "b.yaml"]) as edit:
            edit.write([edited(s.data) for s in edit.sources], backup=".ori")
    """

    def __init__(self, names: Sequence[str]) -> None:
        self.names = list(names)
        self.sources: list[Source] = []
        self._held: dict[tuple[int, int], int] = {}  # (device, inode) -> locked descriptor
        self._read: dict[str, Fingerprint] = {}  # real path -> the file as it was read

    def __enter__(self) -> InPlace:
        for name in self.names:  # in the order given, before anything is opened
            _check_editable(name)
        try:
            keys = self._lock()
            texts: dict[tuple[int, int], bytes] = {}
            for name in self.names:
                key = keys[name]
                if key not in texts:
                    texts[key] = self._read_locked(name, key)
                self._read[os.path.realpath(name)] = fingerprint(os.fstat(self._held[key]))
                self.sources.append(Source(name, name, texts[key]))
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def write(self, outputs: Sequence[bytes], *, backup: str | None = None) -> None:
        """Write each source's new text where it differs from what was read (see ``write_files``)."""
        pairs = [(source.name, data) for source, data in zip(self.sources, outputs) if data != source.data]
        write_files(pairs, backup=backup, expected=self._read)

    def close(self) -> None:
        """Give up the locks (closing the descriptors does)."""
        held, self._held = self._held, {}
        for descriptor in held.values():
            try:
                os.close(descriptor)
            except OSError:
                pass

    def _lock(self) -> dict[str, tuple[int, int]]:
        """Lock every file, in order; the (device, inode) of each name."""
        try:
            import fcntl
        except ImportError:  # no flock here: the check in write_files still refuses a lost update
            fcntl = None  # type: ignore[assignment]
        for _ in range(100):
            keys = {name: _identity(name) for name in self.names}
            paths = {key: os.path.realpath(name) for name, key in reversed(keys.items())}
            for key in sorted(paths):
                with critical():  # the descriptor is recorded as soon as it exists, to be closed
                    descriptor = self._held[key] = _open_for_reading(paths[key], self.names)
                if fcntl is not None:
                    try:
                        fcntl.flock(descriptor, fcntl.LOCK_EX)  # waits while another run edits the file
                    except OSError:  # a file system without locks: the check in write_files remains
                        pass
                if _key(os.fstat(descriptor)) != key or _identity(paths[key]) != key:
                    break  # replaced before the lock was ours (another run's edit): start again, in order
            else:
                return keys
            self.close()
        raise FileError("keeps being replaced by another program; no file was changed", source=self.names[0])

    def _read_locked(self, name: str, key: tuple[int, int]) -> bytes:
        chunks = []
        try:
            with open(self._held[key], "rb", closefd=False) as handle:
                handle.seek(0)
                while chunk := handle.read(1 << 20):
                    chunks.append(chunk)
        except OSError as exc:
            raise FileError(exc.strerror or str(exc), source=name, errno=exc.errno) from None
        return b"".join(chunks)


def _check_editable(name: str, mode: int | None = None) -> None:
    """Refuse what cannot be replaced by a regular file without loss: a FIFO or a device would be replaced
    by a file (and reading a FIFO waits for a writer), a directory is not a manifest. ``mode``: the file's
    ``st_mode`` when it is already open."""
    if mode is None:
        try:
            mode = os.stat(name).st_mode
        except OSError as exc:
            raise FileError(exc.strerror or str(exc), source=name, errno=exc.errno) from None
    if stat.S_ISDIR(mode):
        raise FileError("is a directory; name the manifest files in it", source=name)
    if not stat.S_ISREG(mode):
        raise FileError(f"is a {kind_of(mode)}, not a regular file: -i cannot edit it in place; no file was changed", source=name)


def _identity(name: str) -> tuple[int, int]:
    try:
        return _key(os.stat(name))
    except OSError as exc:
        raise FileError(exc.strerror or str(exc), source=name, errno=exc.errno) from None


def _open_for_reading(path: str, names: Sequence[str]) -> int:
    """Open a file to edit; ``O_NONBLOCK`` so that a FIFO swapped in since the check cannot make it wait."""
    name = next((n for n in names if os.path.realpath(n) == path), path)
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise FileError(exc.strerror or str(exc), source=name, errno=exc.errno) from None
    try:
        _check_editable(name, os.fstat(descriptor).st_mode)
    except BaseException:
        os.close(descriptor)
        raise
    return descriptor




def _key(info: os.stat_result) -> tuple[int, int]:
    return info.st_dev, info.st_ino


def is_stdin(name: str) -> bool:
    """Whether a file name means stdin: ``-``, ``/dev/stdin``, ``/dev/fd/0`` and the like."""
    return name == "-" or descriptor_of(name) == 0


def _read_stdin(name: str = STDIN) -> bytes:
    stream = sys.stdin
    if stream is None:  # Python found descriptor 0 closed when it started
        raise FileError("is closed; name the files to read", source=name, errno=errno.EBADF)
    try:
        buffer = getattr(stream, "buffer", None)
        return buffer.read() if buffer is not None else stream.read().encode("utf-8")
    except ValueError:  # closed since
        raise FileError("is closed; name the files to read", source=name, errno=errno.EBADF) from None
    except OSError as exc:
        raise FileError(exc.strerror or str(exc), source=name, errno=exc.errno) from None
