"""Mutated real documents either load and round-trip byte for byte, or raise the library's own error."""

from __future__ import annotations

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


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
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
            doc.duplicates
            if isinstance(doc.data, dict):  # an edit of a document that loaded is verified or refused
                manifest.apply([{"op": "add", "path": "/fuzzed", "value": {"a": [1]}}], document=doc.index)
    except IstioPatchError as exc:
        assert str(exc)
