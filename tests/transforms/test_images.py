"""images: the listing of every image a manifest pulls, with its places."""

from __future__ import annotations

import doctest
from dataclasses import asdict

import pytest
from _transform_cases import CORPUS

from istio_patch import load, load_path
from istio_patch.transforms import ImageUse, images
from istio_patch.transforms import _images


def _listing(uses: tuple[ImageUse, ...]) -> list[dict[str, object]]:
    return [{"reference": u.reference, "pulled": u.pulled, "places": [asdict(p) for p in u.places]} for u in uses]


def test_the_guides_file_names_13_images_in_20_places() -> None:
    path = CORPUS / "istio-1.0.0" / "istio-demo.yaml"
    if not path.is_file():
        pytest.skip(f"the shared corpus is absent ({path} not found)")
    uses = images(load_path(path))
    assert len(uses) == 13
    assert sum(len(u.places) for u in uses) == 20
    lines = path.read_text(encoding="utf-8").splitlines()
    grep = {i + 1 for i, line in enumerate(lines) if "image:" in line}
    missed = [(u.reference, p.line) for u in uses for p in u.places if p.line not in grep]
    assert missed == [("gcr.io/istio-release/proxyv2:1.0.0", 646)]
    assert uses[0].reference == "gcr.io/istio-release/proxy_init:1.0.0"  # in the injector template, first in the file
    templates = [(p.line, p.object) for u in uses for p in u.places if p.template]
    assert templates == [(602, "ConfigMap istio-system/istio-sidecar-injector"), (646, "ConfigMap istio-system/istio-sidecar-injector")]
    for use in uses:  # every place's line shows the reference
        assert all(use.reference in lines[p.line - 1] for p in use.places)


def test_unique_by_the_image_pulled() -> None:
    text = (
        "kind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - {name: a, image: nginx}\n"
        "  - {name: b, image: 'docker.io/library/nginx:latest'}\n  - {name: c, image: 'nginx:1.15'}\n"
    )
    assert [(u.reference, u.pulled, [p.line for p in u.places]) for u in images(load(text))] == [
        ("nginx", "docker.io/library/nginx:latest", [5, 6]),
        ("nginx:1.15", "docker.io/library/nginx:1.15", [7]),
    ]


def test_free_text_needs_a_registry_and_a_tag_unless_after_image() -> None:
    text = (
        "kind: ConfigMap\nmetadata: {name: c}\ndata:\n"
        "  hub: gcr.io/istio-release\n"  # a prefix, not an image
        "  addr: istio-pilot.istio-system:15010\n"
        "  url: https://gcr.io/istio-release/pilot:1.0.0\n"
        "  words: nginx and redis:5\n"
        "  pod: |\n    - image: redis:5\n    - name: x\n      command: [run, quay.io/a/b@sha256:" + "ab" * 32 + "]\n"
    )
    assert [(u.reference, [p.line for p in u.places]) for u in images(load(text))] == [
        ("redis:5", [9]),
        ("quay.io/a/b@sha256:" + "ab" * 32, [11]),
    ]


def test_an_image_field_that_is_no_reference_is_skipped() -> None:
    text = "kind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - {name: a, image: '{{ .Values.image }}'}\n  - {name: b, image: ''}\n"
    assert images(load(text)) == ()


def test_place_str() -> None:
    use = images(load("kind: Pod\nmetadata: {name: p, namespace: demo}\nspec:\n  containers:\n  - {name: a, image: nginx}\n"))[0]
    assert str(use.places[0]) == "5: Pod demo/p /spec/containers/0/image"
    assert use.line == 5


def test_docstrings() -> None:
    assert doctest.testmod(_images).failed == 0
