"""Glued documents: the rule that tells objects written one after the other from a repeated key, and where each starts."""

from __future__ import annotations

import pytest

from istio_patch import load
from istio_patch._glued import glued_objects

FIRST = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n"
SECOND = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n"


def objects(text: str) -> list[tuple[int, int, int, str]]:
    return [(obj.offset, obj.line, obj.column, obj.describe()) for obj in glued_objects(load(text).documents[0])]


def test_two_objects_in_one_document() -> None:
    assert objects(FIRST + SECOND) == [(0, 1, 1, "ConfigMap a"), (len(FIRST), 5, 1, "ConfigMap b")]


@pytest.mark.parametrize(
    ("between", "kept"),
    [
        ("# b\n", ""),  # the comment right above the object goes with it
        ("# a's end\n\n# b\n", "# a's end\n\n"),  # up to a blank line
        ("\n", "\n"),
        ("  # a's last words\n# b\n", "  # a's last words\n"),  # indented further: the object above's
    ],
)
def test_the_comment_lines_right_above_an_object_are_its_own(between: str, kept: str) -> None:
    ((_, _, _, _), (offset, line, _, _)) = objects(FIRST + between + SECOND)
    assert offset == len(FIRST + kept) and line == 5 + between.count("\n")


def test_lines_of_a_block_scalar_that_look_like_comments_stay_in_it() -> None:
    text = FIRST + "data:\n  script: |\n    echo a\n    # not a comment\n# b\n" + SECOND
    ((_, _, _, _), (offset, _, _, _)) = objects(text)
    assert text[offset:].startswith("# b\napiVersion")


def test_objects_start_with_kind_or_api_version_and_may_be_several() -> None:
    third = "kind: Namespace\napiVersion: v1\nmetadata: {name: ns, labels: {x: y}}\n"
    assert [describe for *_, describe in objects("---\n" + FIRST + SECOND + third)] == ["ConfigMap a", "ConfigMap b", "Namespace ns"]


@pytest.mark.parametrize(
    "text",
    [
        FIRST + SECOND.replace("kind: ConfigMap\n", ""),  # apiVersion again, no kind after it
        FIRST + "kind: ConfigMap\n",  # kind written twice by mistake
        FIRST + SECOND.replace("metadata:\n  name: b\n", ""),  # the second is no whole object
        FIRST.replace("metadata:\n  name: a\n", "") + SECOND,  # nor the first
        FIRST + "data: {}\ndata: {}\n" + SECOND,  # another key repeated first
        FIRST + "<<: {x: 1}\n" + SECOND,  # a merge key
        "{apiVersion: v1, kind: A, metadata: {}, apiVersion: v1, kind: B, metadata: {}}\n",  # a flow root
        FIRST,
        "- " + FIRST.replace("\n", "\n  "),
    ],
)
def test_what_is_not_plainly_glued(text: str) -> None:
    assert objects(text) == []


def test_keys_spelt_with_escapes_are_read_as_kubernetes_reads_them() -> None:
    assert [describe for *_, describe in objects(FIRST + SECOND.replace("apiVersion", '"api\\x56ersion"'))] == ["ConfigMap a", "ConfigMap b"]


def test_an_alias_of_an_anchor_in_the_object_before_is_named() -> None:
    text = FIRST.replace("  name: a\n", "  name: &n a\n") + SECOND.replace("  name: b\n", "  labels: {x: *n}\n  name: b\n")
    first, second = glued_objects(load(text).documents[0])
    assert (first.alias_line, second.alias_line) == (None, 8)
    assert dict(second.data) == {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"labels": {"x": "a"}, "name": "b"}}
