"""One pointer walk: keys read as the Kubernetes view reads them, the last writing wins, merge keys skipped."""

from __future__ import annotations

import pytest

from istio_patch import load
from istio_patch._pointer import child, join, resolve, tokens

TEXT = """\
kind: ConfigMap
metadata: {name: c}
data:
  on: x
  0x10: y
  a/b: z
  a/b: last
  <<: {merged: m}
"""


def test_keys_are_compared_by_their_kubernetes_value() -> None:
    doc = load(TEXT).documents[0]
    assert doc.position("/data/16") == (5, 9)  # 0x10 is the integer 16, whose key is "16"
    assert doc.position("/data/true") == (4, 7)  # `on` is the boolean true
    assert doc.position("/data/16", key=True) == (5, 3)


def test_the_last_writing_wins_and_escapes_are_rfc_6901() -> None:
    doc = load(TEXT).documents[0]
    assert doc.position("/data/a~1b") == (7, 8)
    assert doc.data["data"]["a/b"] == "last"


def test_merge_keys_are_not_members_and_missing_tokens_stop_at_the_ancestor() -> None:
    doc = load(TEXT).documents[0]
    assert child(resolve(doc.node, ["data"]).node, "<<") is None
    found = resolve(doc.node, ["data", "nope", "deeper"])
    assert (found.complete, found.depth) == (False, 1)
    assert doc.position("/data/nope") == doc.position("/data")


def test_tokens_and_join_round_trip() -> None:
    assert tokens("/a~1b/~0c/0") == ["a/b", "~c", "0"]
    assert join(["a/b", "~c", 0]) == "/a~1b/~0c/0"
    assert tokens("") == []
    with pytest.raises(ValueError, match="a JSON pointer starts with '/'"):
        tokens("a/b")


def test_the_validator_and_the_document_agree() -> None:
    from istio_patch._validate import _line_of

    manifest = load(TEXT)
    obj = manifest.objects()[0]
    assert _line_of(manifest, obj, "/data/16") == 5 == manifest.documents[0].position("/data/16", key=True)[0]
