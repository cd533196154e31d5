"""Reading inputs (``istio_patch.cli._inputs``): edits in place lock their files and never overwrite a change."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from _child import CHILD, EXAMPLE, MIRROR

from istio_patch._errors import FileError
from istio_patch.cli import _inputs

DATA = b"kind: Namespace\nmetadata: {name: demo}\n"


def hidden(folder: Path) -> list[str]:
    """Files a write may have left behind (temporary files and saved originals start with a dot)."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


# --------------------------------------------------------------------------------------------------------
# concurrent edits: runs on one file take turns; a change by another program is never overwritten
# --------------------------------------------------------------------------------------------------------


def test_in_place_locks_its_files_while_it_edits_them(tmp_path):
    import fcntl

    target = tmp_path / "a.yaml"
    target.write_bytes(b"a\n")
    with _inputs.InPlace([str(target), f"{tmp_path}/./a.yaml"]) as edit:
        assert [s.data for s in edit.sources] == [b"a\n", b"a\n"]
        with open(target, "rb") as other:
            with pytest.raises(BlockingIOError):
                fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
        edit.write([b"A\n", b"A\n"])
    assert target.read_bytes() == b"A\n"
    with open(target, "rb") as other:
        fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)  # given up


def test_in_place_refuses_a_file_changed_since_it_was_read(tmp_path):
    target = tmp_path / "a.yaml"
    target.write_bytes(b"a\n")
    with _inputs.InPlace([str(target)]) as edit:
        (tmp_path / "new").write_bytes(b"someone else's edit\n")
        os.replace(tmp_path / "new", target)  # as sed -i or an editor saves
        with pytest.raises(FileError) as caught:
            edit.write([b"A\n"])
    assert str(caught.value) == f"{target}: changed since it was read (another program wrote it meanwhile); no file was changed"
    assert target.read_bytes() == b"someone else's edit\n"
    assert hidden(tmp_path) == []


def waiting_for_a_lock(pid: int) -> bool:
    """Whether the process waits for a file lock (/proc/locks marks waiting requests with '->')."""
    try:
        with open("/proc/locks") as locks:
            return any("->" in line and f" {pid} " in line for line in locks)
    except OSError:
        return False


def test_concurrent_runs_on_one_file_keep_both_edits(tmp_path):
    target = tmp_path / "demo.yaml"
    target.write_bytes(EXAMPLE.read_bytes())
    ready, go = tmp_path / "ready", tmp_path / "go"
    first = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(ready), str(go), "os", "fsync", "1", "apply", *MIRROR, "-i", str(target)],
        stderr=subprocess.PIPE,
    )
    second = None
    try:
        deadline = time.monotonic() + 60
        while not ready.exists():  # the first run has read the file and written its temporary file
            assert first.poll() is None and time.monotonic() < deadline
            time.sleep(0.005)
        second = subprocess.Popen(
            [sys.executable, "-m", "istio_patch", "apply", "--mirror", "quay.io/coreos=mirror.example/coreos", "-i", str(target)],
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 5  # long enough for a run that does not wait to have read the file
        while second.poll() is None and not waiting_for_a_lock(second.pid) and time.monotonic() < deadline:
            time.sleep(0.01)
        go.touch()
        assert (first.wait(60), first.stderr.read()) == (0, b"")
        assert (second.wait(60), second.stderr.read()) == (0, b"")
    finally:
        for child in (first, second):
            if child is not None:
                if child.poll() is None:
                    child.kill()
                child.stderr.close()
    text = target.read_bytes()
    assert b"docker.io/istio/pilot:1.0.0" in text and b"mirror.example/coreos/hyperkube:v1.7.6_coreos.0" in text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo.yaml", "go", "ready"]


def test_a_run_never_overwrites_a_change_made_while_it_ran(tmp_path):
    target = tmp_path / "demo.yaml"
    target.write_bytes(EXAMPLE.read_bytes())
    ready, go = tmp_path / "ready", tmp_path / "go"
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(ready), str(go), "os", "fsync", "1", "apply", *MIRROR, "-i", str(target)],
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while not ready.exists():
            assert child.poll() is None and time.monotonic() < deadline
            time.sleep(0.005)
        (tmp_path / "edited").write_bytes(b"# edited by hand meanwhile\n" + EXAMPLE.read_bytes())
        os.replace(tmp_path / "edited", target)  # as `sed -i` does, without any lock
        go.touch()
        code, err = child.wait(60), child.stderr.read()
    finally:
        if child.poll() is None:
            child.kill()
        child.stderr.close()
    assert (code, err) == (2, f"istio-patch: error: {target}: changed since it was read (another program wrote it meanwhile); no file was changed\n".encode())
    assert target.read_bytes() == b"# edited by hand meanwhile\n" + EXAMPLE.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo.yaml", "go", "ready"]


def test_in_place_without_file_locks_still_edits(tmp_path, monkeypatch):
    import fcntl

    def no_locks(descriptor, operation):
        raise OSError(errno.ENOLCK, "No locks available")

    monkeypatch.setattr(fcntl, "flock", no_locks)
    target = tmp_path / "a.yaml"
    target.write_bytes(b"a\n")
    with _inputs.InPlace([str(target)]) as edit:
        edit.write([b"A\n"])
    assert target.read_bytes() == b"A\n"
