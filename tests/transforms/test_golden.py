"""Every transform's golden cases, from its fixture folder: a new transform's folder runs with no new test code.

``tests/fixtures/transforms/<transform>/<case>/`` holds ``input.yaml``, ``options.json`` and ``expected.yaml``
(and ``warnings.txt`` when the warnings are part of the case). Each case must turn its input into its expected
output byte for byte, and applying the transform again must change and report nothing. The presets' cases
(``presets/expected-<preset>.yaml``) and the image listings (``images/<case>/expected.json``) are checked here too.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import pytest
from _transform_cases import FIXTURES, options_of

from istio_patch import load
from istio_patch.transforms import Transform, apply, images, preset, registry, transform_named


def transform_cases() -> list[tuple[str, Path]]:
    found = []
    for folder in sorted(p for p in FIXTURES.iterdir() if p.is_dir() and p.name not in ("presets", "images")):
        found += [(folder.name, case) for case in sorted(folder.iterdir()) if (case / "input.yaml").is_file()]
    return found


CASES = transform_cases()


def run(transform: Transform, case: Path, manifest=None):
    manifest = manifest or load((case / "input.yaml").read_bytes(), source="input.yaml")
    return transform.apply(manifest, transform.options.validate(options_of(case)))


def test_every_fixture_folder_is_a_transform_and_every_transform_has_cases() -> None:
    assert {name for name, _ in CASES} == set(registry())


@pytest.mark.parametrize(("name", "case"), CASES, ids=[f"{n}/{c.name}" for n, c in CASES])
def test_golden(name: str, case: Path) -> None:
    result = run(transform_named(name), case)
    assert result.manifest.to_bytes() == (case / "expected.yaml").read_bytes()
    if (case / "warnings.txt").is_file():
        assert list(result.warnings) == (case / "warnings.txt").read_text(encoding="utf-8").splitlines()


@pytest.mark.parametrize(("name", "case"), CASES, ids=[f"{n}/{c.name}" for n, c in CASES])
def test_idempotent(name: str, case: Path) -> None:
    transform = transform_named(name)
    once = run(transform, case).manifest
    again = run(transform, case, once)
    assert not again.changes
    assert again.manifest.render() == once.render()


PRESETS = sorted(p.name[len("expected-") : -len(".yaml")] for p in (FIXTURES / "presets").glob("expected-*.yaml"))


@pytest.mark.parametrize("name", PRESETS)
def test_preset_golden_and_idempotent(name: str) -> None:
    source = (FIXTURES / "presets" / "input.yaml").read_bytes()
    once = apply(load(source), preset(name))
    assert once.manifest.to_bytes() == (FIXTURES / "presets" / f"expected-{name}.yaml").read_bytes()
    again = apply(once.manifest, preset(name))
    assert not again.changes and again.manifest.render() == once.manifest.render()


IMAGE_CASES = sorted(p for p in (FIXTURES / "images").iterdir() if p.is_dir())


@pytest.mark.parametrize("case", IMAGE_CASES, ids=lambda p: p.name)
def test_images_golden(case: Path) -> None:
    expected = json.loads((case / "expected.json").read_text(encoding="utf-8"))
    listing = [
        {"reference": u.reference, "pulled": u.pulled, "places": [asdict(p) for p in u.places]}
        for u in images(load((case / "input.yaml").read_bytes(), source=str(case / "input.yaml")))
    ]
    assert listing == expected
