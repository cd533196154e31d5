"""Signals (``istio_patch.cli._signals``): SIGINT, SIGTERM and SIGHUP undo an interrupted write, in process and in a child run."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
from _child import EXAMPLE, MIRROR, stopped

from istio_patch.cli import _files, _signals

DATA = b"kind: Namespace\nmetadata: {name: demo}\n"


@pytest.fixture(autouse=True)
def signals_as_in_a_terminal():
    """The suite may run where SIGINT and SIGHUP are ignored (a background job, `nohup`, some CI runners), which
    the command line rightly keeps ignoring: these tests, and the children they start, get a terminal's
    handlers, and the suite's own are put back after each test."""
    defaults = {signal.SIGINT: signal.default_int_handler, signal.SIGHUP: signal.SIG_DFL, signal.SIGTERM: signal.SIG_DFL}
    before = {number: signal.getsignal(number) for number in defaults}
    for number, handler in defaults.items():
        if before[number] == signal.SIG_IGN:
            signal.signal(number, handler)
    yield
    for number, handler in before.items():
        signal.signal(number, handler)


def hidden(folder: Path) -> list[str]:
    """Files a write may have left behind (temporary files and saved originals start with a dot)."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


# --------------------------------------------------------------------------------------------------------
# signals: in this process
# --------------------------------------------------------------------------------------------------------


def wait_for_handlers() -> None:
    """Python runs a signal's handler between two bytecodes of the main thread: give it some."""
    for _ in range(50):
        time.sleep(0.001)


def test_stop_on_signals_turns_sigterm_into_interrupted():
    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(_signals.Interrupted) as caught:
        with _signals.stop_on_signals():
            os.kill(os.getpid(), signal.SIGTERM)
            wait_for_handlers()
    assert (caught.value.signum, caught.value.name, caught.value.exit_code) == (signal.SIGTERM, "SIGTERM", 143)
    assert isinstance(caught.value, KeyboardInterrupt)
    assert signal.getsignal(signal.SIGTERM) == before


def test_a_critical_section_holds_a_signal_until_it_ends():
    reached = False
    with _signals.stop_on_signals():
        with pytest.raises(_signals.Interrupted) as caught:
            with _signals.critical():
                os.kill(os.getpid(), signal.SIGINT)
                wait_for_handlers()
                reached = True
        assert reached and caught.value.signum == signal.SIGINT
        os.kill(os.getpid(), signal.SIGINT)  # the run is stopping: a second signal is dropped
        wait_for_handlers()


def test_an_ignored_signal_stays_ignored():
    old = signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        with _signals.stop_on_signals():
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
    with pytest.raises(_signals.Interrupted) as caught:
        _files.write_files([(str(first), b"A\n"), (str(second), b"B\n")], backup=".ori")
    assert (caught.value.signum, caught.value.outcome) == (signal.SIGTERM, "no file was changed")
    assert (first.read_bytes(), second.read_bytes()) == (b"a\n", b"b\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.yaml", "b.yaml"]


# --------------------------------------------------------------------------------------------------------
# signals: a child run of the command line, stopped at a chosen point
# --------------------------------------------------------------------------------------------------------

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

