"""No global mutable state: loads and edits from several threads give the same results as one thread."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import istio_patch

ROUNDTRIP = Path(__file__).resolve().parent / "fixtures" / "roundtrip"
CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "istio-1.0.0" / "istio-demo.yaml"


def _work(path: Path) -> tuple[str, tuple, str]:
    manifest = istio_patch.load_path(path)
    edited = manifest
    for obj in manifest.objects():
        if obj.pointer == "" and isinstance(obj.data.get("metadata"), dict):
            edited = edited.apply([{"op": "add", "path": "/metadata/annotations~1x", "value": "y z"}], index=obj.index)
    dups = tuple((i, d.key, d.line) for i, d in manifest.duplicates())
    return manifest.render(), dups, edited.render()


def test_threads_agree_with_one_thread() -> None:
    paths = sorted(p for p in ROUNDTRIP.glob("*.yaml") if p.stem not in ("anchors",))
    if CORPUS.is_file():
        paths.append(CORPUS)
    expected = [_work(p) for p in paths]
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(_work, paths * 3))
    assert results == expected * 3


def test_a_shared_manifest_is_read_from_several_threads() -> None:
    manifest = istio_patch.load_path(ROUNDTRIP / "kind-list.yaml")
    ops = [{"op": "replace", "path": "/items/1/metadata/name", "value": "renamed"}]

    def read(_: int) -> tuple:
        return tuple(o.name for o in manifest.objects()), manifest.apply(ops, index=0).render()

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = set(pool.map(read, range(16)))
    assert len(results) == 1
