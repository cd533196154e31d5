"""Writing results (``istio_patch.cli._files``): special files written through, regular files all or nothing."""

from __future__ import annotations

import errno
import os
import stat
import threading
from pathlib import Path

import pytest

from istio_patch._errors import FileError
from istio_patch.cli import _files

DATA = b"kind: Namespace\nmetadata: {name: demo}\n"


def hidden(folder: Path) -> list[str]:
    """Files a write may have left behind (temporary files and saved originals start with a dot)."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


# --------------------------------------------------------------------------------------------------------
# write_output: where -o writes
# --------------------------------------------------------------------------------------------------------


def test_write_output_dash_is_stdout(capsysbinary):
    _files.write_output("-", DATA)
    assert capsysbinary.readouterr().out == DATA


def test_write_output_through_a_fifo(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    _files.write_output(str(fifo), DATA * 10_000)  # more than a pipe holds: the reader must be there
    reader.join(10)
    assert received == [DATA * 10_000]
    assert stat.S_ISFIFO(fifo.lstat().st_mode)


def test_write_output_through_a_character_device():
    _files.write_output("/dev/null", DATA)
    assert stat.S_ISCHR(os.lstat("/dev/null").st_mode)


def test_write_output_to_a_descriptor(tmp_path):
    read_end, write_end = os.pipe()
    try:
        _files.write_output(f"/dev/fd/{write_end}", DATA)
        assert os.read(read_end, 1000) == DATA
    finally:
        os.close(read_end)
        os.close(write_end)


def test_write_output_creates_and_replaces_regular_files(tmp_path):
    target = tmp_path / "out.yaml"
    _files.write_output(str(target), DATA)
    assert target.read_bytes() == DATA
    _files.write_output(str(target), b"x\n")
    assert target.read_bytes() == b"x\n"
    assert hidden(tmp_path) == []


def test_write_output_refuses_a_directory(tmp_path):
    with pytest.raises(FileError) as caught:
        _files.write_output(str(tmp_path), DATA)
    assert str(caught.value) == f"{tmp_path}: is a directory; name a file to write"


# --------------------------------------------------------------------------------------------------------
# write_files: regular files, all or nothing, backups first
# --------------------------------------------------------------------------------------------------------


def test_write_files_keeps_backups_and_replaces_old_ones(tmp_path):
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    first.write_bytes(b"a\n")
    second.write_bytes(b"b\n")
    (tmp_path / "a.yaml.ori").write_bytes(b"older\n")
    (tmp_path / "b.yaml.ori").symlink_to("elsewhere")  # a link in the way is replaced, as sed does
    _files.write_files([(str(first), b"A\n"), (str(second), b"B\n")], backup=".ori")
    assert (first.read_bytes(), second.read_bytes()) == (b"A\n", b"B\n")
    assert (tmp_path / "a.yaml.ori").read_bytes() == b"a\n"
    assert (tmp_path / "b.yaml.ori").read_bytes() == b"b\n" and not (tmp_path / "b.yaml.ori").is_symlink()
    assert hidden(tmp_path) == []


def test_write_files_undoes_backups_and_renames(tmp_path, monkeypatch):
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    first.write_bytes(b"a\n")
    second.write_bytes(b"b\n")
    (tmp_path / "b.yaml.ori").symlink_to("elsewhere")
    real_replace = os.replace

    def failing(src, dst):
        if os.fspath(dst) == str(second):
            raise OSError(errno.EIO, "Input/output error", str(dst))
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", failing)
    with pytest.raises(FileError) as caught:
        _files.write_files([(str(first), b"A\n"), (str(second), b"B\n")], backup=".ori")
    assert str(caught.value) == f"{second}: Input/output error; no file was changed"
    assert (first.read_bytes(), second.read_bytes()) == (b"a\n", b"b\n")
    assert not (tmp_path / "a.yaml.ori").exists()
    assert os.readlink(tmp_path / "b.yaml.ori") == "elsewhere"
    assert hidden(tmp_path) == []


def test_write_files_says_what_it_could_not_put_back(tmp_path, monkeypatch):
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    first.write_bytes(b"a\n")
    second.write_bytes(b"b\n")
    real_replace = os.replace

    def failing(src, dst):
        if os.fspath(dst) == str(second) or os.fspath(src).endswith(".orig"):  # and the undo fails too
            raise OSError(errno.EIO, "Input/output error", str(dst))
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", failing)
    with pytest.raises(FileError) as caught:
        _files.write_files([(str(first), b"A\n"), (str(second), b"B\n")])
    kept = hidden(tmp_path)
    assert len(kept) == 1 and kept[0].startswith(".a.yaml.") and (tmp_path / kept[0]).read_bytes() == b"a\n"
    assert str(caught.value) == (
        f"{second}: Input/output error; these could not be put back as they were: {first} (its original is {tmp_path / kept[0]})"
    )


def test_write_files_creates_files_with_the_umask_mode(tmp_path):
    old = os.umask(0o027)
    try:
        _files.write_files([(str(tmp_path / "new.yaml"), DATA)], create=True)
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.yaml").stat().st_mode) == 0o640


def test_write_files_refuses_special_files(tmp_path):
    os.mkfifo(tmp_path / "fifo")
    with pytest.raises(FileError) as caught:
        _files.write_files([(str(tmp_path / "fifo"), DATA)])
    assert str(caught.value) == f"{tmp_path / 'fifo'}: is a FIFO, not a regular file; no file was changed"


# --------------------------------------------------------------------------------------------------------
# write_files: owner and group, one file named twice
# --------------------------------------------------------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="giving a file to another owner needs root")
def test_write_files_keeps_owner_group_and_set_id_bits(tmp_path):
    target = tmp_path / "a.yaml"
    target.write_bytes(b"a\n")
    os.chown(target, 12345, 23456)
    target.chmod(0o2755)  # chown clears set-group-ID: the mode is set after it
    _files.write_files([(str(target), b"A\n")], backup=".ori")
    info = target.stat()
    assert (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (12345, 23456, 0o2755)
    backup = (tmp_path / "a.yaml.ori").stat()
    assert (backup.st_uid, backup.st_gid) == (12345, 23456)


def test_write_files_keeps_what_it_may_when_not_root(tmp_path, monkeypatch):
    target = tmp_path / "a.yaml"
    target.write_bytes(b"a\n")
    original = target.stat()
    calls = []

    def only_the_group(descriptor, uid, gid):  # what an unprivileged member of the file's group may do
        calls.append((uid, gid))
        if uid != -1:
            raise PermissionError(errno.EPERM, "Operation not permitted")

    real_fstat = os.fstat
    monkeypatch.setattr(os, "fchown", only_the_group)
    monkeypatch.setattr(os, "fstat", lambda d: os.stat_result((*real_fstat(d)[:4], original.st_uid + 1, *real_fstat(d)[5:])))
    _files.write_files([(str(target), b"A\n")])
    assert calls == [(original.st_uid, original.st_gid), (-1, original.st_gid)]
    assert target.read_bytes() == b"A\n"


def test_write_files_writes_a_file_named_twice_once(tmp_path):
    target = tmp_path / "a.yaml"
    target.write_bytes(b"a\n")
    (tmp_path / "link.yaml").symlink_to("a.yaml")
    _files.write_files([(str(target), b"A\n"), (str(tmp_path / "link.yaml"), b"A\n")], backup=".ori")
    assert (tmp_path / "a.yaml.ori").read_bytes() == b"a\n" and target.read_bytes() == b"A\n"
    assert hidden(tmp_path) == []
    with pytest.raises(FileError) as caught:
        _files.write_files([(str(target), b"1\n"), (str(tmp_path / "link.yaml"), b"2\n")])
    assert str(caught.value) == f"{tmp_path / 'link.yaml'}: is {target} too, and the two results differ; no file was changed"
    assert target.read_bytes() == b"A\n"

