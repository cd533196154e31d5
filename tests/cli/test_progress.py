"""The progress line: on a terminal, for large inputs, never on a pipe or with -q, and never mixed with messages."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from istio_patch.cli import main
from istio_patch.cli._progress import LARGE_DOCUMENTS

CLEAR = "\r\x1b[K"


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def tiny_documents(path: Path, count: int) -> Path:
    path.write_text("".join(f"---\nkind: ConfigMap\nmetadata: {{name: c{i}}}\n" for i in range(count)))
    return path


def run(monkeypatch: pytest.MonkeyPatch, stderr: io.StringIO, *argv: object) -> tuple[int, str]:
    monkeypatch.setattr(sys, "stderr", stderr)
    code = main([str(a) for a in argv])
    return code, stderr.getvalue()


def test_a_large_input_on_a_terminal_shows_progress_and_clears_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = tiny_documents(tmp_path / "many.yaml", LARGE_DOCUMENTS + 1)
    out = tmp_path / "out.yaml"
    code, err = run(monkeypatch, Terminal(), "apply", "--mirror", "gcr.io=x.io", "--allow-no-match", source, "-o", out)
    assert code == 0 and out.read_bytes() == source.read_bytes()
    assert f"{CLEAR}istio-patch: checking {source}: documents {LARGE_DOCUMENTS + 1:,}/{LARGE_DOCUMENTS + 1:,}" in err
    assert f"{CLEAR}istio-patch: step 1 of 1: --mirror" in err
    # the warning starts on a cleared line and ends it; the run ends with the line taken away
    assert f"{CLEAR}istio-patch: warning: mirror_images: no image reference matches gcr.io" in err
    assert err.endswith(CLEAR)
    assert "".join(err.split(CLEAR)).count("\n") == 1  # nothing but the warning takes a line of its own


@pytest.mark.parametrize("command", [["images"], ["check"], ["summary"], ["plan"]])
def test_every_command_reading_a_large_input_shows_it(command: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = tiny_documents(tmp_path / "many.yaml", LARGE_DOCUMENTS + 1)
    _, err = run(monkeypatch, Terminal(), *command, source)
    assert f"{CLEAR}istio-patch: checking {source}: documents" in err and err.endswith(CLEAR)


def test_no_progress_with_quiet_on_a_pipe_or_for_a_small_input(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    large = tiny_documents(tmp_path / "many.yaml", LARGE_DOCUMENTS + 1)
    small = tiny_documents(tmp_path / "few.yaml", LARGE_DOCUMENTS)
    argv = ["apply", "--mirror", "gcr.io=x.io", "--allow-no-match", "-o", str(tmp_path / "out.yaml")]
    assert run(monkeypatch, Terminal(), *argv, "-q", large) == (0, "")
    assert "\r" not in run(monkeypatch, io.StringIO(), *argv, large)[1]  # stderr is a pipe or a file
    assert "\r" not in run(monkeypatch, Terminal(), *argv, small)[1]


def test_an_error_after_progress_is_on_a_clean_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = tiny_documents(tmp_path / "many.yaml", LARGE_DOCUMENTS + 1)
    with source.open("a") as handle:
        handle.write("---\nkind: [\n")
    code, err = run(monkeypatch, Terminal(), "summary", source)
    assert code == 2
    assert f"{CLEAR}istio-patch: error: {source}:" in err
