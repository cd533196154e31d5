"""The quick syntax check: libyaml's parser over the stream, a batch of documents at a time, with the verdict
and the error of building every document."""

from __future__ import annotations

import os
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import istio_patch._syntax as syntax
from istio_patch import IstioPatchError, check_syntax, load
from istio_patch._syntax import check_syntax_quickly

# Document bodies, good and bad: unclosed flow collections and quotes, tabs, what only the core refuses.
BODIES = st.sampled_from(
    [
        "a: 1\n", "b: [1, 2]\n", "c: {d: e}\n", "f: 'g'\n", 'h: "i\\x41"\n', "j: |\n  k\n", "- l\n- m\n", "# only a comment\n", "",
        "n: [1,\n", "o: 'p\n", 'q: "r\n', "s:\n\tt: u\n", "v: w: x\n", "y: &a 1\nz: *a\n", "aa: !!int bb\n", "? [cc]\n: dd\n",
        "ee: 1\nee: 2\n", "...\n", "ff: |\n  ---\n", "gg\nhh: 1\n", "%YAML 1.1\n", "ii: \U0001f510\n",
    ]
)  # fmt: skip
STARTS = st.sampled_from(["---\n", "--- ", "", "...\n---\n", "# c\n---\n", "%YAML 1.1\n---\n"])


def _verdict(check, text: str) -> str:
    try:
        check(load(text, source="f.yaml"))
    except IstioPatchError as exc:
        return str(exc)
    return "ok"


@settings(max_examples=int(os.environ.get("ISTIO_PATCH_EXAMPLES", "300")), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(STARTS, BODIES), max_size=8), st.integers(1, 60))
def test_the_quick_check_says_what_building_every_document_says(documents: list[tuple[str, str]], batch: int) -> None:
    text = "".join(start + body for start, body in documents)
    saved, syntax._BATCH = syntax._BATCH, batch  # batches of a document or a few
    try:
        assert _verdict(check_syntax_quickly, text) == _verdict(check_syntax, text)
    finally:
        syntax._BATCH = saved


def test_the_first_error_of_a_batch_is_the_one_said() -> None:
    text = "".join(f"---\na{i}: 1\n" for i in range(50)) + "---\nb: [1,\n---\nc: 'd\n" + "".join(f"---\ne{i}: 1\n" for i in range(50))
    assert _verdict(check_syntax_quickly, text) == _verdict(check_syntax, text)
    assert _verdict(check_syntax_quickly, text).startswith("f.yaml:103:1: did not find expected node content (while parsing a flow node) (document 51)")


_ONE_EXPRESSION = re.compile(r"[&*!?]|<<|[\]}][ \t]*:|^ {120,}|(?:-[ \t]+){20,}", re.MULTILINE)
_PARTS = st.sampled_from(["a", " ", "\t", "\n", "\r", "-", "- ", "-\t", "]", "}", ":", "[", "{", "&", "*", "!", "?", "<", "<<", " " * 60, "- " * 7])


@settings(max_examples=int(os.environ.get("ISTIO_PATCH_EXAMPLES", "300")), deadline=None)
@given(st.lists(_PARTS, max_size=40).map("".join))
def test_what_only_the_core_refuses_is_found_as_one_expression_finds_it(text: str) -> None:
    expected = text.count("[") + text.count("{") < 20 and not _ONE_EXPRESSION.search(text)
    assert syntax._only_libyaml_can_object(text) == expected


def test_progress_is_told_documents_checked_in_order_up_to_the_total() -> None:
    from istio_patch._syntax import check_syntax_quickly

    text = "".join(f"---\nkind: ConfigMap\nmetadata: {{name: c{i}}}\n" for i in range(2500))
    text += "---\nx: &a 1\ny: *a\n" * 3000  # documents the event scan looks at one by one
    manifest = load(text)
    told: list[tuple[int, int]] = []
    check_syntax_quickly(manifest, lambda done, total: told.append((done, total)))
    assert told[-1] == (5500, 5500) and {total for _, total in told} == {5500}
    assert [done for done, _ in told] == sorted(done for done, _ in told) and len(told) > 3
