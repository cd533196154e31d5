"""Reading the command line's inputs and writing its results without losing data or reporting false success.

Where a result goes decides how it is written:

- a regular file (``-o FILE``, ``-i``, a kustomize overlay) is replaced atomically: the new text goes to a
  temporary file beside it, which is then renamed over it; several files are all or nothing;
- stdout (``-o -`` too), a ``/dev/stdout``-style name, a character device or a FIFO is written straight
  through: renaming a file over ``/dev/null`` or a FIFO would replace the node itself.

Every failure is a ``FileError`` naming the file as the user wrote it (never a temporary file) and saying what
was left behind. SIGINT, SIGTERM and SIGHUP become ``Interrupted`` (see ``stop_on_signals``): a write of
regular files that is interrupted is undone like one that fails. Nothing here knows about YAML or
Kubernetes: the data are bytes.
"""

from __future__ import annotations

import errno
import os
import stat
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, Any, Iterator, Mapping, NoReturn, Sequence

from .._errors import FileError

__all__ = [
    "STDIN",
    "STDOUT",
    "InPlace",
    "Interrupted",
    "Source",
    "flush_stdout",
    "is_stdin",
    "make_folder",
    "read_inputs",
    "stop_on_signals",
    "write_files",
    "write_output",
    "write_stderr",
    "write_stdout",
]

STDIN = "<stdin>"
STDOUT = "<stdout>"


# ---------------------------------------------------------------------------------------------------------
# Signals
# ---------------------------------------------------------------------------------------------------------


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
        import signal

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
    import signal

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
def _critical() -> Iterator[None]:
    """A block that a signal does not interrupt: it is raised when the block ends (if it ends normally;
    after an exception, it is left for the code that handles it, see ``_take_pending``)."""
    _signals.critical += 1
    try:
        yield
    finally:
        _signals.critical -= 1
    signum = _take_pending()
    if signum is not None:
        raise Interrupted(signum)


def _take_pending() -> int | None:
    """The signal that arrived during critical sections, now that none is open (marking the run stopping)."""
    if _signals.critical or _signals.pending is None:
        return None
    signum, _signals.pending = _signals.pending, None
    _signals.stopping = True
    return signum


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
        self._read: dict[str, _Fingerprint] = {}  # real path -> the file as it was read

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
                self._read[os.path.realpath(name)] = _fingerprint(os.fstat(self._held[key]))
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
                with _critical():  # the descriptor is recorded as soon as it exists, to be closed
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


_Fingerprint = tuple[int, int, int, int]


def _key(info: os.stat_result) -> tuple[int, int]:
    return info.st_dev, info.st_ino


def _fingerprint(info: os.stat_result) -> _Fingerprint:
    """What tells that a file is still the one that was read: the same inode, size and modification time."""
    return info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns


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
            else:  # a stream without a descriptor (a test's capture): its write may be partial too
                count = buffer.write(view[written:])
                written = len(view) if count is None else written + count
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
        descriptor = os.open(name, os.O_WRONLY | getattr(os, "O_NOCTTY", 0))  # a terminal must not become ours
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


def make_folder(name: str) -> None:
    """Create the folder ``name`` and its parents where they are missing, or raise ``FileError``."""
    try:
        os.makedirs(name, exist_ok=True)
    except FileExistsError:
        raise FileError("exists and is not a folder; nothing was written", source=name, errno=errno.EEXIST) from None
    except OSError as exc:
        raise FileError(f"{exc.strerror or exc}; nothing was written", source=name, errno=exc.errno) from None


# ---------------------------------------------------------------------------------------------------------
# Regular files: all or nothing
# ---------------------------------------------------------------------------------------------------------


def write_files(
    pairs: Sequence[tuple[str, bytes]],
    *,
    backup: str | None = None,
    create: bool = False,
    expected: Mapping[str, _Fingerprint] | None = None,
) -> None:
    """Write each ``(name, data)`` as a regular file, every one or none, raising ``FileError`` on failure.

    The new texts go to temporary files beside their targets first; only when all exist (and are synced)
    are they renamed over the targets. With ``backup``, each original is first given the name
    ``TARGET+backup`` (replacing a backup already there), before its target is replaced. Whatever fails
    (or is interrupted), what was done is undone: every target and backup is what it was, and no temporary
    file is left. A symbolic link's target is written, not the link; a file named twice is written once.
    The mode, owner and group of a file are kept (as far as the process may set them). ``create`` allows
    targets that do not exist yet (they are created with the umask's mode). ``expected`` maps real paths to
    the files as they were read (see ``InPlace``): a file that has changed since is refused.

    Example: ``write_files([("a.yaml", b"..."), ("b.yaml", b"...")], backup=".ori")``.
    """
    replacements: dict[str, _Replacement] = {}
    for name, data in pairs:
        replacement = _Replacement.of(name, data, backup=backup, create=create)
        first = replacements.setdefault(replacement.path, replacement)
        if first.data != data:  # one file named twice (`x` and `./x`, or through a link): it is written once
            raise FileError(f"is {first.name} too, and the two results differ; no file was changed", source=name)
    _Transaction(list(replacements.values()), expected or {}).run()


class _StepFailed(Exception):
    """A step of a transaction failed: ``name`` is the file to name in the message, ``reason`` says why."""

    def __init__(self, name: str, reason: str, code: int | None = None) -> None:
        super().__init__(name, reason)
        self.name, self.reason, self.code = name, reason, code


@dataclass
class _Replacement:
    """One file of a transaction, and how far its writing got: a failure undoes exactly what was done."""

    name: str  # as the user wrote it: every message names this, never a temporary file
    path: str  # the regular file that is written (symbolic links followed)
    data: bytes
    original: os.stat_result | None  # the file that is replaced; None when it is created
    backup: str | None = None  # where the original is kept
    temporary: str | None = None  # the new text, until it is renamed over path
    saved: str | None = None  # a second name of the original, to put it back
    old_backup: str | None = None  # a second name of the backup that the new one replaces
    backup_made: bool = False
    replaced: bool = False

    @classmethod
    def of(cls, name: str, data: bytes, *, backup: str | None, create: bool) -> _Replacement:
        path = os.path.realpath(name)
        try:
            original: os.stat_result | None = os.stat(path)
        except FileNotFoundError:
            if not create:
                raise FileError("No such file or directory; no file was changed", source=name, errno=errno.ENOENT) from None
            original = None
        except OSError as exc:
            raise FileError(f"{exc.strerror or exc}; no file was changed", source=name, errno=exc.errno) from None
        if original is not None and not stat.S_ISREG(original.st_mode):
            raise FileError(f"is a {kind_of(original.st_mode)}, not a regular file; no file was changed", source=name)
        return cls(name, path, data, original, backup=None if backup is None or original is None else path + backup)


class _Transaction:
    """Temporary files, then backups and renames; on any failure, everything done is undone."""

    def __init__(self, replacements: Sequence[_Replacement], expected: Mapping[str, _Fingerprint]) -> None:
        self.replacements = list(replacements)
        self.expected = expected

    def run(self) -> None:
        with stop_on_signals():
            self._check_backups()
            committed = False
            try:
                for replacement in self.replacements:
                    self._prepare(replacement)
                self._check_unchanged()
                for replacement in self.replacements:
                    with _critical():  # a file's backup and rename go together, or not at all
                        self._commit(replacement)
                with _critical():
                    committed = True  # from here on, the files are written: nothing is undone
                    for replacement in self.replacements:
                        _remove_quietly(replacement.saved)
                        _remove_quietly(replacement.old_backup)
            except BaseException as exc:
                if committed:  # a signal while the second names were removed: raised as it came
                    raise
                self._fail(exc)

    def _fail(self, exc: BaseException) -> NoReturn:
        """Undo, without letting a signal cut the undo short, then say what happened and what was left."""
        _signals.critical += 1
        try:
            failures = self._undo()
        finally:
            _signals.critical -= 1
        outcome = self._outcome(failures)
        signum = _take_pending()  # a signal during the undo: the user asked to stop, whatever else failed
        if signum is not None:
            raise Interrupted(signum, outcome) from None
        if isinstance(exc, _StepFailed):
            raise FileError(f"{exc.reason}; {outcome}", source=exc.name, errno=exc.code) from None
        if isinstance(exc, KeyboardInterrupt):
            raise Interrupted(getattr(exc, "signum", 2), outcome) from None
        raise exc

    def _check_backups(self) -> None:
        """Refuse, before anything is written, backups that cannot be made: a folder or a special file in
        the way, or a backup that is itself one of the files being written."""
        written = {r.path for r in self.replacements}
        for replacement in self.replacements:
            backup = replacement.backup
            if backup is None:
                continue
            if backup in written:
                raise FileError(f"is both written and the backup of {replacement.name}; no file was changed", source=backup)
            try:
                mode = os.lstat(backup).st_mode
            except FileNotFoundError:
                continue
            except OSError as exc:
                raise FileError(f"{exc.strerror or exc}; no file was changed", source=backup, errno=exc.errno) from None
            if not (stat.S_ISREG(mode) or stat.S_ISLNK(mode)):
                raise FileError(f"is a {kind_of(mode)}, so the backup of {replacement.name} cannot be kept there; no file was changed", source=backup)

    def _check_unchanged(self) -> None:
        """Refuse to replace a file that another program changed since it was read: its edit would be lost."""
        for replacement in self.replacements:
            expected = self.expected.get(replacement.path)
            if expected is None:
                continue
            with _naming(replacement.name):
                if _fingerprint(os.stat(replacement.path)) != expected:
                    raise _StepFailed(replacement.name, "changed since it was read (another program wrote it meanwhile)")

    def _prepare(self, replacement: _Replacement) -> None:
        """The new text in a temporary file beside the target, synced, with the original's mode."""
        import tempfile

        folder = os.path.dirname(replacement.path)
        descriptor = -1
        with _naming(replacement.name):
            try:
                with _critical():  # the name is recorded as soon as the file exists, for the undo to remove it
                    descriptor, replacement.temporary = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(replacement.path)[:100]}.", suffix=".tmp")
                view = memoryview(replacement.data)
                written = 0
                while written < len(view):  # a piece at a time: a signal stops a long write between pieces
                    written += _write_some(descriptor, view[written:])
                os.fsync(descriptor)
                _keep_owner(descriptor, replacement.original)
                # after the owner: chown clears the set-id bits
                os.chmod(descriptor if os.chmod in os.supports_fd else replacement.temporary, _mode_for(replacement.original))
            finally:
                if descriptor >= 0:
                    os.close(descriptor)

    def _commit(self, replacement: _Replacement) -> None:
        """The backup first (when asked), then the new text renamed over the target."""
        if replacement.original is not None:
            with _naming(replacement.name):
                replacement.saved = _second_name(replacement.path)
        if replacement.backup is not None:
            backup = replacement.backup
            with _naming(backup):
                if os.path.lexists(backup):
                    replacement.old_backup = _second_name(backup)
                keep = _second_name(replacement.path)
                try:
                    os.replace(keep, backup)
                except OSError:
                    _remove_quietly(keep)
                    raise
                replacement.backup_made = True
        with _naming(replacement.name):
            assert replacement.temporary is not None
            os.replace(replacement.temporary, replacement.path)
            replacement.temporary, replacement.replaced = None, True

    def _undo(self) -> list[str]:
        """Put every target and backup back as it was and remove every temporary name; the files that could
        not be put back are returned, each with where its original is kept."""
        failures = []
        for replacement in reversed(self.replacements):
            if replacement.replaced:
                try:
                    if replacement.saved is not None:
                        os.replace(replacement.saved, replacement.path)
                        replacement.saved = None
                    else:
                        os.unlink(replacement.path)
                    replacement.replaced = False
                except OSError:
                    kept = f" (its original is {replacement.saved})" if replacement.saved else ""
                    failures.append(f"{replacement.name}{kept}")
                    replacement.saved = None  # keep the original's second name: it may be the only one left
            if replacement.backup_made and replacement.backup is not None:
                try:
                    if replacement.old_backup is not None:
                        os.replace(replacement.old_backup, replacement.backup)
                        replacement.old_backup = None
                    else:
                        os.unlink(replacement.backup)
                    replacement.backup_made = False
                except OSError:
                    failures.append(replacement.backup)
                    replacement.old_backup = None
            _remove_quietly(replacement.temporary)
            _remove_quietly(replacement.saved)
            _remove_quietly(replacement.old_backup)
            replacement.temporary = replacement.saved = replacement.old_backup = None
        return failures

    @staticmethod
    def _outcome(failures: Sequence[str]) -> str:
        if not failures:
            return "no file was changed"
        return f"these could not be put back as they were: {', '.join(failures)}"


class _naming:
    """Turns an ``OSError`` inside the block into ``_StepFailed`` naming ``name`` (not a temporary file)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, traceback: object) -> None:
        if isinstance(exc, OSError):
            raise _StepFailed(self.name, exc.strerror or str(exc), exc.errno) from None


def _keep_owner(descriptor: int, original: os.stat_result | None) -> None:
    """Give the new file the original's owner and group, or its group alone, or neither: as ``sed -i`` does,
    a process that may not (not root, not a member of the group) keeps what it is allowed."""
    if original is None or not hasattr(os, "fchown"):
        return
    current = os.fstat(descriptor)
    if (current.st_uid, current.st_gid) == (original.st_uid, original.st_gid):
        return
    for owner in (original.st_uid, -1):
        try:
            os.fchown(descriptor, owner, original.st_gid)
            return
        except PermissionError:
            continue


def _mode_for(original: os.stat_result | None) -> int:
    """The original's permission bits, or for a new file what ``open()`` would give it (0666 less the umask)."""
    if original is not None:
        return stat.S_IMODE(original.st_mode)
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _second_name(path: str) -> str:
    """A hidden second name, beside ``path``, for the file it names (a hard link, or a copy where the file
    system has none); a symbolic link gets a second link, not its target."""
    folder, base = os.path.split(path)
    while True:
        name = os.path.join(folder, f".{base[:100]}.{os.urandom(4).hex()}.orig")
        try:
            os.link(path, name, follow_symlinks=False)
            return name
        except FileExistsError:
            continue
        except OSError:
            pass
        if os.path.islink(path):
            os.symlink(os.readlink(path), name)
            return name
        import shutil

        try:
            shutil.copy2(path, name)
        except BaseException:
            _remove_quietly(name)
            raise
        return name


def _remove_quietly(path: str | None) -> None:
    if path is None:
        return
    try:
        os.unlink(path)
    except OSError:
        pass
