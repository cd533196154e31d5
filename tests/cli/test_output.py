"""Reading inputs and writing results (``istio_patch.cli._output``): special files, streams, all or nothing.

The command line's use of these functions is tested in tests/test_cli.py; here each function is driven
directly, and the cases that need a process of their own (closed streams, signals, concurrent runs) run a
child interpreter started with ``sys.executable``.
"""

from __future__ import annotations

import errno
import os
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from istio_patch._errors import FileError
from istio_patch.cli import _output

DATA = b"kind: Namespace\nmetadata: {name: demo}\n"


def hidden(folder: Path) -> list[str]:
    """Files a write may have left behind (temporary files and saved originals start with a dot)."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


# --------------------------------------------------------------------------------------------------------
# names and kinds
# --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "descriptor"),
    [
        ("/dev/stdin", 0),
        ("/dev/stdout", 1),
        ("/dev/stderr", 2),
        ("/dev/fd/63", 63),
        ("/proc/self/fd/3", 3),
        ("/proc/thread-self/fd/4", 4),
        (f"/proc/{os.getpid()}/fd/5", 5),
        ("/dev/null", None),
        ("/dev/fd/x", None),
        ("out.yaml", None),
    ],
)
def test_descriptor_of_names_the_streams(name, descriptor):
    assert _output.descriptor_of(name) == descriptor


def test_descriptor_of_follows_links_to_the_streams(tmp_path):
    (tmp_path / "out").symlink_to("/dev/stdout")
    (tmp_path / "via").symlink_to("out")
    assert _output.descriptor_of(str(tmp_path / "via")) == 1
    (tmp_path / "plain").symlink_to("missing.yaml")
    assert _output.descriptor_of(str(tmp_path / "plain")) is None


def test_kind_of_names_what_a_file_is(tmp_path):
    os.mkfifo(tmp_path / "fifo")
    assert _output.kind_of(os.stat(tmp_path / "fifo").st_mode) == "FIFO"
    assert _output.kind_of(os.stat(tmp_path).st_mode) == "directory"
    assert _output.kind_of(os.stat("/dev/null").st_mode) == "character device"
    assert _output.kind_of(stat.S_IFBLK) == "block device"


# --------------------------------------------------------------------------------------------------------
# write_output: where -o writes
# --------------------------------------------------------------------------------------------------------


def test_write_output_dash_is_stdout(capsysbinary):
    _output.write_output("-", DATA)
    assert capsysbinary.readouterr().out == DATA


def test_write_output_through_a_fifo(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    _output.write_output(str(fifo), DATA * 10_000)  # more than a pipe holds: the reader must be there
    reader.join(10)
    assert received == [DATA * 10_000]
    assert stat.S_ISFIFO(fifo.lstat().st_mode)


def test_write_output_through_a_character_device():
    _output.write_output("/dev/null", DATA)
    assert stat.S_ISCHR(os.lstat("/dev/null").st_mode)


def test_write_output_to_a_descriptor(tmp_path):
    read_end, write_end = os.pipe()
    try:
        _output.write_output(f"/dev/fd/{write_end}", DATA)
        assert os.read(read_end, 1000) == DATA
    finally:
        os.close(read_end)
        os.close(write_end)


def test_write_output_creates_and_replaces_regular_files(tmp_path):
    target = tmp_path / "out.yaml"
    _output.write_output(str(target), DATA)
    assert target.read_bytes() == DATA
    _output.write_output(str(target), b"x\n")
    assert target.read_bytes() == b"x\n"
    assert hidden(tmp_path) == []


def test_write_output_refuses_a_directory(tmp_path):
    with pytest.raises(FileError) as caught:
        _output.write_output(str(tmp_path), DATA)
    assert str(caught.value) == f"{tmp_path}: is a directory; name a file to write"


# --------------------------------------------------------------------------------------------------------
# the standard streams
# --------------------------------------------------------------------------------------------------------


def stdout_to(monkeypatch, descriptor: int) -> None:
    monkeypatch.setattr(sys, "stdout", open(descriptor, "w", closefd=False))


def test_write_stdout_completes_partial_writes(monkeypatch, tmp_path):
    target = tmp_path / "out"
    real = os.write
    with open(target, "wb") as handle:
        stdout_to(monkeypatch, handle.fileno())
        monkeypatch.setattr(os, "write", lambda fd, data: real(fd, bytes(data[:7])))
        _output.write_stdout(DATA)
    assert target.read_bytes() == DATA


def test_write_stdout_reports_a_failure_after_a_partial_write(monkeypatch, tmp_path):
    real = os.write
    calls = []

    def fills_up(fd, data):
        calls.append(fd)
        if len(calls) > 1:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(fd, bytes(data[:7]))

    with open(tmp_path / "out", "wb") as handle:
        stdout_to(monkeypatch, handle.fileno())
        monkeypatch.setattr(os, "write", fills_up)
        with pytest.raises(FileError) as caught:
            _output.write_stdout(DATA)
        monkeypatch.undo()
        # stdout now points at /dev/null: Python's own flush at exit cannot fail a second time
        assert os.path.samestat(os.fstat(handle.fileno()), os.stat(os.devnull))
    assert str(caught.value) == "<stdout>: No space left on device; the output is incomplete"
    assert caught.value.errno == errno.ENOSPC
    assert (tmp_path / "out").read_bytes() == DATA[:7]


def test_write_stdout_into_a_closed_pipe(monkeypatch):
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        stdout_to(monkeypatch, write_end)
        with pytest.raises(FileError) as caught:
            _output.write_stdout(DATA)
    finally:
        os.close(write_end)
    assert str(caught.value) == "<stdout>: Broken pipe; nothing was written"
    assert caught.value.errno == errno.EPIPE


def test_write_stdout_when_stdout_is_closed(monkeypatch):
    monkeypatch.setattr(sys, "stdout", None)  # what Python sets when descriptor 1 is closed at startup
    with pytest.raises(FileError) as caught:
        _output.write_stdout(DATA)
    assert str(caught.value) == "<stdout>: is closed; nothing was written"


def test_flush_stdout_reports_what_python_could_not_write(monkeypatch):
    if not os.path.exists("/dev/full"):
        pytest.skip("needs /dev/full")
    with open("/dev/full", "wb") as full:
        stdout_to(monkeypatch, full.fileno())
        sys.stdout.write("usage: ...\n")
        with pytest.raises(FileError) as caught:
            _output.flush_stdout()
    assert str(caught.value) == "<stdout>: No space left on device; nothing was written"


def test_write_stderr_never_raises(monkeypatch):
    monkeypatch.setattr(sys, "stderr", None)
    _output.write_stderr("istio-patch: error: x\n")
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        monkeypatch.setattr(sys, "stderr", open(write_end, "w", closefd=False))
        _output.write_stderr("istio-patch: error: x\n")
    finally:
        os.close(write_end)


def test_read_inputs_from_a_closed_stdin(monkeypatch):
    monkeypatch.setattr(sys, "stdin", None)
    with pytest.raises(FileError) as caught:
        _output.read_inputs(["-"])
    assert str(caught.value) == "<stdin>: is closed; name the files to read"


# --------------------------------------------------------------------------------------------------------
# write_files: regular files, all or nothing, backups first
# --------------------------------------------------------------------------------------------------------


def test_write_files_keeps_backups_and_replaces_old_ones(tmp_path):
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    first.write_bytes(b"a\n")
    second.write_bytes(b"b\n")
    (tmp_path / "a.yaml.ori").write_bytes(b"older\n")
    (tmp_path / "b.yaml.ori").symlink_to("elsewhere")  # a link in the way is replaced, as sed does
    _output.write_files([(str(first), b"A\n"), (str(second), b"B\n")], backup=".ori")
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
        _output.write_files([(str(first), b"A\n"), (str(second), b"B\n")], backup=".ori")
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
        _output.write_files([(str(first), b"A\n"), (str(second), b"B\n")])
    kept = hidden(tmp_path)
    assert len(kept) == 1 and kept[0].startswith(".a.yaml.") and (tmp_path / kept[0]).read_bytes() == b"a\n"
    assert str(caught.value) == (
        f"{second}: Input/output error; these could not be put back as they were: {first} (its original is {tmp_path / kept[0]})"
    )


def test_write_files_creates_files_with_the_umask_mode(tmp_path):
    old = os.umask(0o027)
    try:
        _output.write_files([(str(tmp_path / "new.yaml"), DATA)], create=True)
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.yaml").stat().st_mode) == 0o640


def test_write_files_refuses_special_files(tmp_path):
    os.mkfifo(tmp_path / "fifo")
    with pytest.raises(FileError) as caught:
        _output.write_files([(str(tmp_path / "fifo"), DATA)])
    assert str(caught.value) == f"{tmp_path / 'fifo'}: is a FIFO, not a regular file; no file was changed"


# --------------------------------------------------------------------------------------------------------
# signals: in this process
# --------------------------------------------------------------------------------------------------------


def wait_for_handlers() -> None:
    """Python runs a signal's handler between two bytecodes of the main thread: give it some."""
    for _ in range(50):
        time.sleep(0.001)


def test_stop_on_signals_turns_sigterm_into_interrupted():
    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(_output.Interrupted) as caught:
        with _output.stop_on_signals():
            os.kill(os.getpid(), signal.SIGTERM)
            wait_for_handlers()
    assert (caught.value.signum, caught.value.name, caught.value.exit_code) == (signal.SIGTERM, "SIGTERM", 143)
    assert isinstance(caught.value, KeyboardInterrupt)
    assert signal.getsignal(signal.SIGTERM) == before


def test_a_critical_section_holds_a_signal_until_it_ends():
    reached = False
    with _output.stop_on_signals():
        with pytest.raises(_output.Interrupted) as caught:
            with _output._critical():
                os.kill(os.getpid(), signal.SIGINT)
                wait_for_handlers()
                reached = True
        assert reached and caught.value.signum == signal.SIGINT
        os.kill(os.getpid(), signal.SIGINT)  # the run is stopping: a second signal is dropped
        wait_for_handlers()


def test_an_ignored_signal_stays_ignored():
    old = signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        with _output.stop_on_signals():
            assert signal.getsignal(signal.SIGHUP) == signal.SIG_IGN
            os.kill(os.getpid(), signal.SIGHUP)
            wait_for_handlers()
    finally:
        signal.signal(signal.SIGHUP, old)


def test_a_signal_during_a_write_undoes_it(tmp_path, monkeypatch):
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    first.write_bytes(b"a\n")
    second.write_bytes(b"b\n")
    real_replace = os.replace

    def interrupted_after(src, dst):
        real_replace(src, dst)
        if os.fspath(dst) == str(first):
            os.kill(os.getpid(), signal.SIGTERM)  # held until this file's rename is complete, then undone
            wait_for_handlers()

    monkeypatch.setattr(os, "replace", interrupted_after)
    with pytest.raises(_output.Interrupted) as caught:
        _output.write_files([(str(first), b"A\n"), (str(second), b"B\n")], backup=".ori")
    assert (caught.value.signum, caught.value.outcome) == (signal.SIGTERM, "no file was changed")
    assert (first.read_bytes(), second.read_bytes()) == (b"a\n", b"b\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.yaml", "b.yaml"]


# --------------------------------------------------------------------------------------------------------
# signals: a child run of the command line, stopped at a chosen point
# --------------------------------------------------------------------------------------------------------

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "istio-demo-mini.yaml"
MIRROR = ["--mirror", "gcr.io/istio-release=docker.io/istio"]  # a real transform, which changes the example

# Runs the command line with one function of `os` (or `gc`) replaced: on its Nth call the replacement does
# the call, writes the ready file, and waits until the go file exists, so the test can send a signal at that
# very point (a signal that is held, in a critical section, is raised only once the wait ends).
CHILD = """
import os, sys, time, gc
ready, go, module, function, nth = sys.argv[1:6]
owner = {"os": os, "gc": gc}[module]
real = getattr(owner, function)
calls = []

def paused(*args, **kwargs):
    result = real(*args, **kwargs)
    calls.append(1)
    if len(calls) == int(nth):
        open(ready, "w").close()
        while not os.path.exists(go):
            time.sleep(0.005)
    return result

setattr(owner, function, paused)
from istio_patch._cli import main_entry
sys.argv = ["istio-patch", *sys.argv[6:]]
main_entry()
"""


def stopped(tmp_path: Path, argv: list, where: tuple[str, str, int], signum: int) -> tuple[int, bytes]:
    """Run ``istio-patch ARGV`` in a child, send ``signum`` when it reaches ``where``; exit code and stderr."""
    ready, go = tmp_path.parent / f"{tmp_path.name}.ready", tmp_path.parent / f"{tmp_path.name}.go"
    module, function, nth = where
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(ready), str(go), module, function, str(nth), *map(str, argv)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while not ready.exists():
            assert child.poll() is None, child.stderr.read().decode()
            assert time.monotonic() < deadline, "the child never reached the point"
            time.sleep(0.005)
        child.send_signal(signum)
        time.sleep(0.05)  # let the handler run (or be held) before the wait ends
        go.touch()
        stderr = child.stderr.read()
        return child.wait(60), stderr
    finally:
        if child.poll() is None:
            child.kill()
        child.stderr.close()


@pytest.fixture
def manifests(tmp_path):
    folder = tmp_path / "files"
    folder.mkdir()
    for i in range(20):
        (folder / f"m{i:02}.yaml").write_bytes(EXAMPLE.read_bytes())
    return folder


def unchanged(folder: Path) -> bool:
    return all(p.read_bytes() == EXAMPLE.read_bytes() for p in folder.iterdir())


def test_sigint_while_the_temporary_files_are_written(manifests):
    files = sorted(manifests.iterdir())
    code, err = stopped(manifests, ["apply", *MIRROR, "-i", "--backup", ".ori", *files], ("os", "fsync", 3), signal.SIGINT)
    assert (code, err) == (130, b"istio-patch: interrupted by SIGINT; no file was changed\n")
    assert sorted(manifests.iterdir()) == files and unchanged(manifests)


def test_sigterm_while_the_files_are_renamed(manifests):
    files = sorted(manifests.iterdir())
    # two renames a file (its backup, then itself): the signal comes after the fifth file is replaced
    code, err = stopped(manifests, ["apply", *MIRROR, "-i", "--backup", ".ori", *files], ("os", "replace", 10), signal.SIGTERM)
    assert (code, err) == (143, b"istio-patch: interrupted by SIGTERM; no file was changed\n")
    assert sorted(manifests.iterdir()) == files and unchanged(manifests)


def test_sighup_while_one_large_file_is_written(tmp_path):
    target = tmp_path / "big.yaml"
    original = EXAMPLE.read_bytes() + b"---\nkind: ConfigMap\nmetadata: {name: big}\ndata:\n  blob: " + b"x" * 5_000_000 + b"\n"
    target.write_bytes(original)
    code, err = stopped(tmp_path, ["apply", *MIRROR, "-i", target], ("os", "write", 2), signal.SIGHUP)
    assert (code, err) == (129, b"istio-patch: interrupted by SIGHUP; no file was changed\n")
    assert target.read_bytes() == original
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.yaml"]


def test_a_signal_once_the_files_are_written_leaves_them_written(manifests):
    files = sorted(manifests.iterdir())
    # the first unlink removes the first original's second name: from there on nothing is undone
    code, err = stopped(manifests, ["apply", *MIRROR, "-i", *files], ("os", "unlink", 1), signal.SIGINT)
    assert (code, err) == (130, b"istio-patch: interrupted by SIGINT\n")
    assert sorted(manifests.iterdir()) == files
    assert all(b"docker.io/istio/pilot:1.0.0" in p.read_bytes() for p in files)


def test_a_signal_at_the_very_end_is_one_line(tmp_path):
    target = tmp_path / "out.yaml"
    # gc.set_threshold runs twice: as main() starts, and as it returns, once Python's own handlers are back
    code, err = stopped(tmp_path, ["apply", EXAMPLE, "-o", target], ("gc", "set_threshold", 2), signal.SIGINT)
    assert (code, err) == (130, b"istio-patch: interrupted\n")
    assert target.read_bytes() == EXAMPLE.read_bytes()


# --------------------------------------------------------------------------------------------------------
# write_files: owner and group, one file named twice
# --------------------------------------------------------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="giving a file to another owner needs root")
def test_write_files_keeps_owner_group_and_set_id_bits(tmp_path):
    target = tmp_path / "a.yaml"
    target.write_bytes(b"a\n")
    os.chown(target, 12345, 23456)
    target.chmod(0o2755)  # chown clears set-group-ID: the mode is set after it
    _output.write_files([(str(target), b"A\n")], backup=".ori")
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
    _output.write_files([(str(target), b"A\n")])
    assert calls == [(original.st_uid, original.st_gid), (-1, original.st_gid)]
    assert target.read_bytes() == b"A\n"


def test_write_files_writes_a_file_named_twice_once(tmp_path):
    target = tmp_path / "a.yaml"
    target.write_bytes(b"a\n")
    (tmp_path / "link.yaml").symlink_to("a.yaml")
    _output.write_files([(str(target), b"A\n"), (str(tmp_path / "link.yaml"), b"A\n")], backup=".ori")
    assert (tmp_path / "a.yaml.ori").read_bytes() == b"a\n" and target.read_bytes() == b"A\n"
    assert hidden(tmp_path) == []
    with pytest.raises(FileError) as caught:
        _output.write_files([(str(target), b"1\n"), (str(tmp_path / "link.yaml"), b"2\n")])
    assert str(caught.value) == f"{tmp_path / 'link.yaml'}: is {target} too, and the two results differ; no file was changed"
    assert target.read_bytes() == b"A\n"


# --------------------------------------------------------------------------------------------------------
# concurrent edits: runs on one file take turns; a change by another program is never overwritten
# --------------------------------------------------------------------------------------------------------


def test_in_place_locks_its_files_while_it_edits_them(tmp_path):
    import fcntl

    target = tmp_path / "a.yaml"
    target.write_bytes(b"a\n")
    with _output.InPlace([str(target), f"{tmp_path}/./a.yaml"]) as edit:
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
    with _output.InPlace([str(target)]) as edit:
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
    with _output.InPlace([str(target)]) as edit:
        edit.write([b"A\n"])
    assert target.read_bytes() == b"A\n"
