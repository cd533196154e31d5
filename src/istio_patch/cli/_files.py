"""Writing results where they go, without losing data or reporting false success.

- a regular file (``-o FILE``, ``-i``, a kustomize overlay) is replaced atomically: the new text goes to a
  temporary file beside it, which is then renamed over it; several files are one transaction, undone as a whole
  when any step fails or a signal arrives; owner, group and mode are kept;
- a ``/dev/stdout``-style name, a character device or a FIFO is written straight through: renaming a file over
  ``/dev/null`` or a FIFO would replace the node itself.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import NoReturn

from .._errors import FileError
from ._signals import Interrupted, critical, deferred, stop_on_signals, take_pending
from ._streams import STDOUT, descriptor_of, kind_of, write_error, write_some, write_stderr, write_stdout

__all__ = ["write_output", "write_files", "make_folder", "remove_quietly", "Fingerprint", "fingerprint"]

Fingerprint = tuple[int, int, int, int]  # device, inode, size, mtime in ns: the file as it was read


def fingerprint(info: os.stat_result) -> Fingerprint:
    """What tells that a file is still the one that was read: the same inode, size and modification time."""
    return info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns


def write_output(name: str, data: bytes | Iterable[bytes]) -> None:
    """Write the result (bytes, or bytes a chunk at a time) where ``-o NAME`` says: ``-`` is stdout, a regular
    file (or a new one) is replaced atomically, and a character device, a FIFO or a ``/dev/stdout``-style name
    is written straight through.

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
        write_files([(name, data if isinstance(data, bytes) else b"".join(data))], backup=None, create=True)  # joined once, to write
    elif stat.S_ISDIR(mode):
        raise FileError("is a directory; name a file to write", source=name)
    elif stat.S_ISCHR(mode) or stat.S_ISFIFO(mode):
        _write_through(name, data)
    else:
        raise FileError(f"is a {kind_of(mode)}; -o writes regular files, character devices and FIFOs; nothing was written", source=name)


def _write_through(name: str, data: bytes | Iterable[bytes]) -> None:
    """Write a character device or a FIFO in place (opening a FIFO waits for its reader, as a shell's ``>`` does)."""
    try:
        descriptor = os.open(name, os.O_WRONLY | getattr(os, "O_NOCTTY", 0))  # a terminal must not become ours
    except OSError as exc:
        raise FileError(f"{exc.strerror or exc}; nothing was written", source=name, errno=exc.errno) from None
    try:
        if stat.S_ISREG(os.fstat(descriptor).st_mode):  # it became a regular file meanwhile: replace it instead
            os.close(descriptor)
            descriptor = -1
            write_files([(name, data if isinstance(data, bytes) else b"".join(data))], backup=None, create=True)
            return
        _write_to_descriptor(name, descriptor, data)
    finally:
        if descriptor >= 0:
            os.close(descriptor)


def _write_to_descriptor(name: str, descriptor: int, data: bytes | Iterable[bytes]) -> None:
    if descriptor == 2:
        write_stderr("")  # what Python holds for stderr goes first
    written = 0
    try:
        for chunk in (data,) if isinstance(data, bytes) else data:
            view = memoryview(chunk)
            done = 0
            while done < len(view):
                count = write_some(descriptor, view[done:])
                done += count
                written += count
    except OSError as exc:
        raise write_error(name, exc, written) from None


def make_folder(name: str) -> None:
    """Create the folder ``name`` and its parents where they are missing, or raise ``FileError``."""
    try:
        os.makedirs(name, exist_ok=True)
    except FileExistsError:
        raise FileError("exists and is not a folder; nothing was written", source=name, errno=errno.EEXIST) from None
    except OSError as exc:
        raise FileError(f"{exc.strerror or exc}; nothing was written", source=name, errno=exc.errno) from None


def write_files(
    pairs: Sequence[tuple[str, bytes]],
    *,
    backup: str | None = None,
    create: bool = False,
    expected: Mapping[str, Fingerprint] | None = None,
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

    def __init__(self, replacements: Sequence[_Replacement], expected: Mapping[str, Fingerprint]) -> None:
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
                    with critical():  # a file's backup and rename go together, or not at all
                        self._commit(replacement)
                with critical():
                    committed = True  # from here on, the files are written: nothing is undone
                    for replacement in self.replacements:
                        remove_quietly(replacement.saved)
                        remove_quietly(replacement.old_backup)
            except BaseException as exc:
                if committed:  # a signal while the second names were removed: raised as it came
                    raise
                self._fail(exc)

    def _fail(self, exc: BaseException) -> NoReturn:
        """Undo, without letting a signal cut the undo short, then say what happened and what was left."""
        with deferred():
            failures = self._undo()
        outcome = self._outcome(failures)
        signum = take_pending()  # a signal during the undo: the user asked to stop, whatever else failed
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
                if fingerprint(os.stat(replacement.path)) != expected:
                    raise _StepFailed(replacement.name, "changed since it was read (another program wrote it meanwhile)")

    def _prepare(self, replacement: _Replacement) -> None:
        """The new text in a temporary file beside the target, synced, with the original's mode."""
        import tempfile

        folder = os.path.dirname(replacement.path)
        descriptor = -1
        with _naming(replacement.name):
            try:
                with critical():  # the name is recorded as soon as the file exists, for the undo to remove it
                    descriptor, replacement.temporary = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(replacement.path)[:100]}.", suffix=".tmp")
                view = memoryview(replacement.data)
                written = 0
                while written < len(view):  # a piece at a time: a signal stops a long write between pieces
                    written += write_some(descriptor, view[written:])
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
                    remove_quietly(keep)
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
                    _put_back(replacement.path, replacement.saved)
                    replacement.saved, replacement.replaced = None, False
                except OSError:
                    kept = f" (its original is {replacement.saved})" if replacement.saved else ""
                    failures.append(f"{replacement.name}{kept}")
                    replacement.saved = None  # keep the original's second name: it may be the only one left
            if replacement.backup_made and replacement.backup is not None:
                try:
                    _put_back(replacement.backup, replacement.old_backup)
                    replacement.old_backup, replacement.backup_made = None, False
                except OSError:
                    failures.append(replacement.backup)
                    replacement.old_backup = None
            remove_quietly(replacement.temporary)
            remove_quietly(replacement.saved)
            remove_quietly(replacement.old_backup)
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
            remove_quietly(name)
            raise
        return name


def remove_quietly(path: str | None) -> None:
    if path is None:
        return
    try:
        os.unlink(path)
    except OSError:
        pass


def _put_back(path: str, original: str | None) -> None:
    """Give ``path`` its original again (kept under the name ``original``), or take away the file written there
    when there was none; OSError when the file system refuses."""
    if original is not None:
        os.replace(original, path)
    else:
        os.unlink(path)
