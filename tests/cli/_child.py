"""Running the command line in a child process that stops at a chosen call, for signal and concurrency tests."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

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
from istio_patch.cli import main_entry
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


