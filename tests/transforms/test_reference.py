"""The image reference grammar: parsing, normalising, and finding references in free text."""

from __future__ import annotations

import doctest
import os

import _slow_images
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from istio_patch.transforms import _reference
from istio_patch.transforms._reference import Reference, find_image_references, find_references, is_domain, is_registry

DIGEST = "sha256:" + "0123456789abcdef" * 4


@pytest.mark.parametrize(
    ("text", "domain", "path", "tag", "digest"),
    [
        ("nginx", None, ("nginx",), None, None),
        ("nginx:1.15", None, ("nginx",), "1.15", None),
        ("istio/pilot:1.0.0", None, ("istio", "pilot"), "1.0.0", None),
        ("gcr.io/istio-release/proxy_init:1.0.0", "gcr.io", ("istio-release", "proxy_init"), "1.0.0", None),
        ("localhost/a", "localhost", ("a",), None, None),
        ("localhost:5000/team/db:9.6", "localhost:5000", ("team", "db"), "9.6", None),
        ("registry:5000/db", "registry:5000", ("db",), None, None),
        (f"quay.io/coreos/hyperkube:v1.7.6_coreos.0@{DIGEST}", "quay.io", ("coreos", "hyperkube"), "v1.7.6_coreos.0", DIGEST),
        (f"gcr.io/a/b@{DIGEST}", "gcr.io", ("a", "b"), None, DIGEST),
        ("a__b/c--d/e.f", None, ("a__b", "c--d", "e.f"), None, None),
    ],
)
def test_parse(text: str, domain: str | None, path: tuple[str, ...], tag: str | None, digest: str | None) -> None:
    ref = Reference.parse(text)
    assert ref == Reference(domain, path, tag, digest)
    assert str(ref) == text


@pytest.mark.parametrize(
    "text",
    ["", "Nginx", "gcr.io/Istio/pilot", "a//b", "a/", "/a", "nginx:", "nginx:-x", "nginx@sha256:abc", "a b", "https://gcr.io/a/b:1",
     "gcr.io/a/b:" + "x" * 129, "-a/b", "a_/b"],
)
def test_not_references(text: str) -> None:
    assert Reference.parse(text) is None


@pytest.mark.parametrize(
    ("text", "normalized", "pulled"),
    [
        ("nginx", "docker.io/library/nginx", "docker.io/library/nginx:latest"),
        ("istio/pilot:1.0.0", "docker.io/istio/pilot:1.0.0", "docker.io/istio/pilot:1.0.0"),
        ("docker.io/nginx", "docker.io/library/nginx", "docker.io/library/nginx:latest"),
        ("index.docker.io/library/nginx:1", "docker.io/library/nginx:1", "docker.io/library/nginx:1"),
        ("gcr.io/a:1", "gcr.io/a:1", "gcr.io/a:1"),
        (f"gcr.io/a@{DIGEST}", f"gcr.io/a@{DIGEST}", f"gcr.io/a@{DIGEST}"),
    ],
)
def test_normalized_and_pulled(text: str, normalized: str, pulled: str) -> None:
    ref = Reference.parse(text)
    assert ref is not None
    assert str(ref.normalized()) == normalized
    assert ref.pulled() == pulled


def test_domain_rules() -> None:
    assert is_domain("gcr.io") and is_domain("localhost") and is_domain("registry:5000")
    assert not is_domain("istio") and not is_domain("library")
    assert is_registry("localhost:5000") and is_registry("gcr.io") and not is_registry("gcr.io/x")


def test_find_references_keeps_to_boundaries() -> None:
    text = (
        'image: "gcr.io/istio-release/proxy_init:1.0.0"\n'
        "see https://gcr.io/istio-release/pilot:1.0.0 and xgcr.io/istio-release/a:1\n"
        "--hub=gcr.io/istio-release-backup/pilot:1.0.0, [quay.io/a/b:2]\n"
        "pull gcr.io/x/y:1.0.\n"
    )
    found = [(f.text, f.image_field) for f in find_references(text) if f.reference.domain]
    assert found == [
        ("gcr.io/istio-release/proxy_init:1.0.0", True),
        ("xgcr.io/istio-release/a:1", False),  # another registry: rules compare components, not text
        ("gcr.io/istio-release-backup/pilot:1.0.0", False),
        ("quay.io/a/b:2", False),
        ("gcr.io/x/y:1.0.", False),
    ]


def test_image_key_is_a_yaml_key_on_the_same_line() -> None:
    fields = {f.text: f.image_field for f in find_references("  - image: nginx\n  myimage: redis\n  image:\n  busybox\n")}
    assert fields == {"nginx": True, "redis": False, "busybox": False, "image": False, "myimage": False}


def test_docstrings() -> None:
    assert doctest.testmod(_reference).failed == 0


# ---------------------------------------------------------------------------------------------------------
# the fast word scan finds what the plain one found
# ---------------------------------------------------------------------------------------------------------


PIECES = st.sampled_from(
    ["gcr.io", "/", "istio", ":", "1.0", "@", DIGEST, "-", ".", "_", "image:", " ", "\t", "\n", '"', "'", "=", "[", ",", "A", "x", "localhost", "5000", "https://", "{{", "é", "\xa0", "+"]
)


@settings(max_examples=int(os.environ.get("ISTIO_PATCH_EXAMPLES", "300")), deadline=None)
@given(st.lists(PIECES, max_size=40).map("".join))
@example("pull localhost:5000/team/db:9.6, registry:5000/db@" + DIGEST + " and gcr.io/x/y:1.0.")
@example("image: nginx\n- image: 'redis:5'\nmyimage: busybox\nimage:" + " " * 60 + "quay.io/a/b:1")
@example('{"image": "gcr.io/a/b:V1", "x": "localhost/a:latest"} [quay.io/c/d@' + DIGEST + "] =docker.io/e/f:2-")
def test_find_references_matches_the_plain_scan(text: str) -> None:
    assert list(find_references(text)) == _slow_images.find_references(text)
    assert list(find_image_references(text)) == _slow_images.image_references(text)


def test_image_references_in_a_json_dashboard_are_the_slashed_words() -> None:
    text = '{"panels": [{"title": "pilot", "image": "gcr.io/a/b:1", "expr": "rate(x[1m])", "url": "quay.io/c/d"}]} ' * 50
    assert [f.text for f in find_image_references(text)] == ["gcr.io/a/b:1"] * 50
    assert list(find_image_references(text)) == _slow_images.image_references(text)
