"""images: the listing of every image a manifest pulls, with its places."""

from __future__ import annotations

import doctest
import json
import os
from dataclasses import asdict

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
import _slow_images
from _transform_cases import CORPUS, FIXTURES

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


# ---------------------------------------------------------------------------------------------------------
# one pass per string gives what a count per place gave
# ---------------------------------------------------------------------------------------------------------


def _corpus_manifests() -> list[tuple[str, str]]:
    files = sorted(CORPUS.glob("*/*.yaml"))
    if not files:
        pytest.skip(f"the shared corpus is absent ({CORPUS} not found)")
    texts = [(str(p.relative_to(CORPUS)), p.read_text(encoding="utf-8")) for p in files]
    demo = (CORPUS / "istio-1.2.3" / "istio-demo.yaml").read_text(encoding="utf-8")
    return texts + [("istio-1.2.3/istio-demo.yaml twice", demo + demo)]


def test_the_corpus_lists_what_the_plain_scan_listed() -> None:
    for name, text in _corpus_manifests():
        manifest = load(text, source=name)
        assert images(manifest) == _slow_images.images(manifest), name


REFERENCE_PIECES = st.sampled_from(
    ["gcr.io/a/b:1", "gcr.io/a/b:1", "quay.io/c/d:2", "image: nginx", "image:", " ", "  ", "\n", "\n\n", "x", ".", ",", '"', "'", "\\", "#", "[[ .X ]]", "é"]
)
STYLES = st.sampled_from([None, '"', "'", "|", ">"])


@settings(max_examples=int(os.environ.get("ISTIO_PATCH_EXAMPLES", "200")), deadline=None)
@given(values=st.lists(st.lists(REFERENCE_PIECES, max_size=30).map("".join), min_size=1, max_size=3), style=STYLES, width=st.sampled_from([20, 80, 1000]))
def test_places_are_where_the_plain_count_put_them(values: list[str], style: str | None, width: int) -> None:
    # every scalar style, line folding and escape: places are counted in the source as before, or fall back
    # to the scalar's first line as before
    data = {"kind": "ConfigMap", "metadata": {"name": "c"}, "data": {f"k{i}": v for i, v in enumerate(values)}}
    manifest = load(yaml.safe_dump(data, default_style=style, width=width, allow_unicode=True))
    assert images(manifest) == _slow_images.images(manifest)


def test_a_string_naming_an_image_thousands_of_times() -> None:
    lines = ["gcr.io/istio-release/proxyv2:1.0.0 " * 20 + "quay.io/x/y:1" for _ in range(100)]
    text = "kind: ConfigMap\nmetadata: {name: big}\ndata:\n  a: |\n" + "".join(f"    {line}\n" for line in lines)
    text += '  b: "' + "gcr.io/istio-release/proxyv2:1.0.0\\n" * 50 + '"\n'
    manifest = load(text)
    uses = images(manifest)
    assert uses == _slow_images.images(manifest)
    assert [len(u.places) for u in uses] == [2050, 100]
    assert [p.line for p in uses[0].places[:21]] == [5] * 20 + [6]
    assert uses[0].places[-1].line == 105  # a double-quoted string on one line: each \n is an escape


def test_line_of_one_place() -> None:
    manifest = load("kind: ConfigMap\nmetadata: {name: c}\ndata:\n  a: |\n    x gcr.io/a/b:1\n    gcr.io/a/b:1\n")
    string = next(s for s in _images.string_values(manifest.documents[0]) if s.tokens == ("data", "a"))
    assert [_images.line_of(string, start, "gcr.io/a/b:1") for start in (2, 15)] == [5, 6]
    assert _images.line_of(string) == 4
    # a start where the text is not, as before: counted one by one
    for start, text in [(-3, "gcr.io/a/b:1"), (100, "gcr.io/a/b:1"), (0, "gcr.io/a/b:1"), (5, "x"), (0, "nowhere")]:
        assert _images.line_of(string, start, text) == _slow_images.line_of(string, start, text)
