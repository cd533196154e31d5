"""Mutated real documents either load and round-trip byte for byte, or raise the library's own error; the command
line ends on them with exit code 0, 1 or 2, no traceback and no hang.

CI runs a few seconds of each; ``ISTIO_PATCH_FUZZ_EXAMPLES=5000`` runs that many mutated documents through each
test (about half a minute for the command line).
"""

from __future__ import annotations

import contextlib
import io
import os
import signal
import tempfile
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import istio_patch
from istio_patch import IstioPatchError

ROOT = Path(__file__).resolve().parent
SEEDS = [p.read_bytes() for p in sorted((ROOT / "fixtures" / "roundtrip").glob("*.yaml")) if p.stat().st_size]
CORPUS = ROOT.parent.parent / "shared" / "corpus" / "istio-1.0.0" / "istio-demo.yaml"
if CORPUS.is_file():  # a few real documents of the corpus, when it is there
    SEEDS += [b"---" + chunk for chunk in CORPUS.read_bytes().split(b"\n---")[100:106]]


def _mutate(data: bytes, kind: str, at: int, value: int) -> bytes:
    lines = data.split(b"\n")
    line = at % max(len(lines), 1)
    pos = at % max(len(data), 1)
    if kind == "flip":
        return data[:pos] + bytes([data[pos] ^ (1 << (value % 8))]) + data[pos + 1 :] if data else data
    if kind == "truncate":
        return data[:pos]
    if kind == "delete-line":
        return b"\n".join(lines[:line] + lines[line + 1 :])
    if kind == "duplicate-line":
        return b"\n".join(lines[: line + 1] + lines[line:])
    if kind == "tab":
        return data[:pos] + b"\t" + data[pos:]
    if kind == "control":
        return data[:pos] + bytes([value % 32]) + data[pos:]
    return data[:pos] + bytes([value]) + data[pos:]  # any byte


MUTATIONS = st.lists(
    st.tuples(
        st.sampled_from(["flip", "truncate", "delete-line", "duplicate-line", "tab", "control", "byte"]),
        st.integers(0, 1 << 20),
        st.integers(0, 255),
    ),
    min_size=1,
    max_size=4,
)


@settings(max_examples=max(150, int(os.environ.get("ISTIO_PATCH_FUZZ_EXAMPLES", "0"))), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.sampled_from(SEEDS), mutations=MUTATIONS)
def test_mutated_documents_load_or_fail_cleanly(seed: bytes, mutations: list) -> None:
    data = seed
    for kind, at, value in mutations:
        data = _mutate(data, kind, at, value)
    try:
        manifest = istio_patch.load(data, source="fuzz.yaml")
        assert manifest.to_bytes() == data
        istio_patch.check_syntax(manifest)
        for obj in manifest.objects():
            obj.describe()
        for doc in manifest.documents:
            doc.duplicates  # noqa: B018 - reading the attribute composes the document
            if isinstance(doc.data, dict):  # an edit of a document that loaded is verified or refused
                manifest.apply([{"op": "add", "path": "/fuzzed", "value": {"a": [1]}}], index=doc.index)
    except IstioPatchError as exc:
        assert str(exc)


# ---- the command line on mutated documents ------------------------------------------------------------------

# ISTIO_PATCH_FUZZ_EXAMPLES raises the number of mutated documents for a longer local run (CI keeps a few seconds).
CLI_EXAMPLES = int(os.environ.get("ISTIO_PATCH_FUZZ_EXAMPLES", "40"))
CLI_SECONDS = 10  # per command: more is a hang
COMMANDS = [
    ["apply", "--preset", "bare-metal", "--preset", "cn-mirror", "--preset", "small-nodes", "--allow-no-match"],
    ["images"],
    ["check", "--forbid-registry", "gcr.io"],
]


def _corpus_documents() -> list[bytes]:
    """Seeds: documents of every corpus file, those the presets edit and a sample of the others (the fixtures
    alone when the corpus is absent)."""
    corpus = ROOT.parent.parent / "shared" / "corpus"
    transforms = ROOT / "fixtures" / "transforms"
    found = list(SEEDS) + [p.read_bytes() for p in sorted(transforms.glob("*/*/input.yaml"))]
    found += [(transforms / "presets" / "input.yaml").read_bytes()] * 10  # every preset edits it
    for path in sorted(corpus.glob("*/*.yaml")):
        chunks = [b"---" + chunk + b"\n" for chunk in path.read_bytes().split(b"\n---")]
        edited = [c for c in chunks if b"istio-ingressgateway" in c or b"istio-pilot" in c or b"kube-apiserver" in c]
        found += edited + chunks[:: max(1, len(chunks) // 30)]
    return found


CLI_SEEDS = _corpus_documents()


def _cli_mutate(data: bytes, kind: str, at: int, value: int) -> bytes:
    lines = data.split(b"\n")
    line = at % max(len(lines), 1)
    pos = at % max(len(data), 1)
    if kind == "indent":  # shift a line left or right
        text = lines[line]
        lines[line] = text[2:] if value % 2 and text.startswith(b"  ") else b"  " + text
        return b"\n".join(lines)
    if kind == "insert":  # a character YAML gives a meaning to
        return data[:pos] + b":-&*!'\"#|>{}[],%@`?"[value % 19 : value % 19 + 1] + data[pos:]
    if kind == "anchor":  # an anchor, or an alias of one, at the start of a value
        word = b"&a " if value % 2 else b"*a "
        return data[:pos] + word + data[pos:]
    return _mutate(data, kind, at, value)


CLI_MUTATIONS = st.lists(
    st.tuples(
        st.sampled_from(["flip", "delete-line", "duplicate-line", "indent", "insert", "anchor", "truncate", "tab", "control", "byte"]),
        st.integers(0, 1 << 20),
        st.integers(0, 255),
    ),
    min_size=1,
    max_size=4,
)


class _Hang(BaseException):
    """Raised by the alarm past CLI_SECONDS: not an Exception, so that the command line cannot catch it."""


def _run(argv: list[str]) -> tuple[int, str, float]:
    from istio_patch.cli import main

    def hang(signum: int, frame: object) -> None:
        raise _Hang(f"{' '.join(argv)} ran over {CLI_SECONDS} s")

    alarm = hasattr(signal, "SIGALRM")  # POSIX; elsewhere a hang is seen once it ends
    previous = signal.signal(signal.SIGALRM, hang) if alarm else None
    if alarm:
        signal.alarm(CLI_SECONDS)
    out, err = io.StringIO(), io.StringIO()
    started = time.perf_counter()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(argv)
    finally:
        if alarm:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, previous)
    return code, err.getvalue(), time.perf_counter() - started


@settings(max_examples=CLI_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)
@given(seed=st.sampled_from(CLI_SEEDS), mutations=CLI_MUTATIONS)
def test_the_command_line_on_mutated_documents_ends_cleanly(seed: bytes, mutations: list) -> None:
    data = seed
    for kind, at, value in mutations:
        data = _cli_mutate(data, kind, at, value)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.yaml"
        path.write_bytes(data)
        for command in COMMANDS:
            code, stderr, seconds = _run([*command, str(path)])
            assert code in (0, 1, 2), stderr
            assert "Traceback" not in stderr and "internal error" not in stderr, stderr
            assert seconds < CLI_SECONDS
            assert path.read_bytes() == data  # only -i writes the file
