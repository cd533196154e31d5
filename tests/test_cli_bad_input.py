"""The bad-input fixtures of tests/bad_input/ through the command line (see tests/bad_input/README.md).

Whatever the fixture's expectation file says, the command line must: exit 0 or 2, never print a traceback,
print nothing to stdout when it fails, say ``istio-patch: error: `` first, and under ``-i`` leave the file
byte-identical with no temporary file beside it. Each fixture's expected exit code and first error line
(``NAME.expected``) are compared word for word.

The fixtures run in process, through ``main(argv)``; one fresh interpreter per command
(``test_each_command_in_a_fresh_interpreter``) shows that the installed entry point behaves the same.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

import pytest

from istio_patch.cli import main

BAD = Path(__file__).resolve().parent / "bad_input"


def inputs() -> list[Path]:
    if not BAD.is_dir():
        return []
    return sorted(
        p
        for p in BAD.iterdir()
        if p.suffix == ".yaml" and p.with_suffix(".expected").exists()
    )


CASES = inputs()
pytestmark = pytest.mark.skipif(not CASES, reason="tests/bad_input/ has no fixtures yet")


class Done(NamedTuple):
    returncode: int
    stdout: bytes
    stderr: bytes


@pytest.fixture
def cli(capsysbinary: pytest.CaptureFixture[bytes], monkeypatch: pytest.MonkeyPatch):
    """Runs ``main(argv)`` in this process with ``stdin`` as its standard input, in ``cwd`` if given."""

    def run(*argv: object, stdin: bytes | None = None, cwd: Path | None = None) -> Done:
        with monkeypatch.context() as patch:
            if cwd is not None:
                patch.chdir(cwd)
            patch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin or b"")))
            code = main([str(a) for a in argv])
        out, err = capsysbinary.readouterr()
        return Done(code, out, err)

    return run


def fresh(*argv: object, cwd: Path | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "istio_patch", *map(str, argv)],
        cwd=cwd,
        capture_output=True,
        timeout=60,  # the budget is 20 s per run; a hang fails here rather than stalling the suite
    )


def expectation(case: Path) -> tuple[int, str]:
    """(exit code, first line of stderr) from ``CASE.expected`` (format: tests/bad_input/README.md)."""
    fields = {}
    for line in case.with_suffix(".expected").read_text(encoding="utf-8").splitlines():
        key, _, value = line.partition(":")
        fields[key.strip()] = value.strip()
    return int(fields["exit"]), fields.get("message", "")


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input_from_a_file(case: Path, cli) -> None:
    done = cli("apply", case.name, cwd=BAD)  # run from inside the folder: messages name the bare file
    stderr = done.stderr.decode("utf-8", errors="replace")
    assert done.returncode in (0, 2), stderr
    assert "Traceback" not in stderr
    if done.returncode == 2:
        assert done.stdout == b""
        assert stderr.startswith("istio-patch: error: ")
    else:
        assert done.stdout == case.read_bytes()  # accepted input passes through byte for byte
    code, message = expectation(case)
    assert done.returncode == code
    assert stderr.splitlines()[:1] == ([f"istio-patch: error: {message}"] if message else [])


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input_from_stdin(case: Path, cli) -> None:
    done = cli("apply", "--preset", "bare-metal", "--allow-no-match", stdin=case.read_bytes())
    stderr = done.stderr.decode("utf-8", errors="replace")
    assert done.returncode in (0, 2), stderr
    assert "Traceback" not in stderr
    if done.returncode == 2:
        assert done.stdout == b""
    elif case.stat().st_size:
        assert done.stdout != b""  # a post-renderer never receives an empty manifest for a non-empty one


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input_in_place_leaves_the_file_alone(case: Path, tmp_path: Path, cli) -> None:
    target = tmp_path / case.name
    shutil.copy(case, target)
    done = cli("apply", "--mirror", "gcr.io/istio-release=docker.io/istio", "-i", "--backup", ".ori", target)
    assert "Traceback" not in done.stderr.decode("utf-8", errors="replace")
    if done.returncode != 0:
        assert done.returncode == 2
        assert target.read_bytes() == case.read_bytes()
        assert sorted(p.name for p in tmp_path.iterdir()) == [case.name]
    else:
        assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize("command", ["images", "check", "summary", "plan"])
def test_every_command_refuses_bad_input_cleanly(command: str, cli) -> None:
    for case in CASES:
        done = cli(command, case)
        stderr = done.stderr.decode("utf-8", errors="replace")
        assert done.returncode in (0, 1, 2), (case.name, stderr)
        assert "Traceback" not in stderr, case.name
        if done.returncode == 2:
            assert done.stdout == b"" and stderr.startswith("istio-patch: error: "), case.name


SMOKE = {  # one fixture per command, each of another kind of failure
    "apply": "unclosed-quote.yaml",
    "images": "alias-bomb.yaml",
    "check": "not-utf8.yaml",
    "summary": "tab-indentation.yaml",
    "plan": "deep-nesting.yaml",
}


@pytest.mark.parametrize("command", sorted(SMOKE))
def test_each_command_in_a_fresh_interpreter(command: str) -> None:
    """The entry point as installed: the same exit code and first line as the in-process run's expectation."""
    case = BAD / SMOKE[command]
    done = fresh(command, case.name, cwd=BAD)
    stderr = done.stderr.decode("utf-8", errors="replace")
    assert "Traceback" not in stderr
    assert done.returncode == 2 and done.stdout == b""
    code, message = expectation(case)
    assert (done.returncode, stderr.splitlines()[:1]) == (code, [f"istio-patch: error: {message}"])
