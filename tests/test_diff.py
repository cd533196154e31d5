"""Unified diffs of two manifests: the same text as difflib's whole-file diff, read by patch and git apply."""

from __future__ import annotations

import difflib
import doctest
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from istio_patch import Manifest, _diff, load, transforms
from istio_patch._diff import NO_NEWLINE, diff_path, unified_diff

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"


def difflib_diff(before: str, after: str, old_name: str = "a/x.yaml", new_name: str = "b/x.yaml") -> str:
    """What the command line printed before: difflib over the whole texts, with the no-newline marker."""
    out = []
    for line in difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True), old_name, new_name):
        out.append(line if line.endswith("\n") else line + "\n" + NO_NEWLINE)
    return "".join(out)


def diff(before: Manifest, after: Manifest) -> str:
    return unified_diff(before, after, old_name="a/x.yaml", new_name="b/x.yaml")


def apply_unified(old: str, patch: str) -> str:
    """A strict reader of unified diffs: every context and removed line must be where the hunk says."""
    lines = old.split("\n")
    old_lines = [line + "\n" for line in lines[:-1]] + ([lines[-1]] if lines[-1] else [])
    rows = patch.split("\n")[:-1]
    out: list[str] = []
    at = 0  # next line of old to copy
    k = 0
    while k < len(rows):
        row = rows[k]
        if row.startswith(("--- ", "+++ ")):
            k += 1
            continue
        assert row.startswith("@@ -"), row
        ranges = row.split(" ")[1:3]
        (a, b), (_, d) = ([int(x) for x in (r[1:] + ",1").split(",")[:2]] for r in ranges)
        start = a - 1 if b else a
        assert start >= at
        out.extend(old_lines[at:start])
        at = start
        seen_old = seen_new = 0
        k += 1
        while k < len(rows) and not rows[k].startswith("@@"):
            tag, text = rows[k][0], rows[k][1:] + "\n"
            if k + 1 < len(rows) and rows[k + 1] == NO_NEWLINE.rstrip("\n"):
                text = text[:-1]
                k += 1
            if tag in " -":
                assert old_lines[at] == text, (at, old_lines[at], text)
                at += 1
                seen_old += 1
            if tag in " +":
                out.append(text)
                seen_new += 1
            k += 1
        assert (seen_old, seen_new) == (b, d), row
    out.extend(old_lines[at:])
    return "".join(out)


# ---------------------------------------------------------------------------------------------------------
# small cases, against difflib
# ---------------------------------------------------------------------------------------------------------


def docs(*bodies: str) -> str:
    return "".join(f"---\n{body}" for body in bodies)


BODIES = [f"kind: ConfigMap\nmetadata:\n  name: c{i}\ndata:\n  a: '1'\n  b: '2'\n" for i in range(8)]


def test_the_module_examples_hold():
    assert doctest.testmod(_diff, raise_on_error=True).attempted >= 2


def test_no_change_is_no_diff():
    before = load(docs(*BODIES))
    assert diff(before, before) == ""
    assert diff(before, load(docs(*BODIES))) == ""


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda m: m.replace_text(3, m.documents[3].text.replace("'1'", "'one'")), id="in-place"),
        pytest.param(lambda m: m.replace_text(0, m.documents[0].text.replace("'1'", "'one'")), id="first-line-region"),
        pytest.param(lambda m: m.replace_text(7, m.documents[7].text + "  c: '3'\n"), id="appended-line-at-end"),
        pytest.param(lambda m: m.without_document(4), id="removed-document"),
        pytest.param(lambda m: m.without_document(0), id="removed-first-document"),
        pytest.param(lambda m: m.without_document(7), id="removed-last-document"),
        pytest.param(lambda m: m.with_documents_appended(["---\nkind: Namespace\nmetadata: {name: new}\n"]), id="appended"),
        pytest.param(
            lambda m: m.edited({2: m.documents[2].text.replace("b:", "B:"), 3: None, 5: m.documents[5].text.replace("a:", "A:")}),
            id="hunks-merge-across-documents",
        ),
        pytest.param(lambda m: m.edited({i: None for i in range(8)}), id="everything-removed"),
    ],
)
def test_equals_difflib(change):
    before = load(docs(*BODIES))
    after = change(before)
    expected = difflib_diff(before.render(), after.render())
    assert expected  # the case changes something
    assert diff(before, after) == expected
    assert apply_unified(before.render(), expected) == after.render()


def test_crlf_lines_are_kept():
    before = load(docs(*BODIES).replace("\n", "\r\n"))
    after = before.replace_text(2, before.documents[2].text.replace("'2'", "'two'"))
    out = diff(before, after)
    assert "-  b: '2'\r\n+  b: 'two'\r\n" in out
    assert out == difflib_diff(before.render(), after.render())


@pytest.mark.parametrize(
    ("old", "new", "ending"),
    [("b: '2'", "b: 'x'", "+  b: 'x'\n"), ("a: '1'", "a: 'x'", "   b: '2'\n")],
    ids=["last-line-changed", "last-line-in-context"],
)
def test_a_missing_final_newline_is_marked(old, new, ending):
    before = load(docs(*BODIES)[:-1])
    after = before.replace_text(7, before.documents[7].text.replace(old, new))
    out = diff(before, after)
    assert out == difflib_diff(before.render(), after.render())
    assert out.endswith(ending + NO_NEWLINE)
    assert apply_unified(before.render(), out) == after.render()


def test_the_byte_order_mark_stays_on_the_first_line():
    before = load("\ufeffkind: ConfigMap\nmetadata: {name: c}\n")
    after = before.replace_text(0, "kind: ConfigMap\nmetadata: {name: d}\n")
    assert diff(before, after) == "--- a/x.yaml\n+++ b/x.yaml\n@@ -1,2 +1,2 @@\n \ufeffkind: ConfigMap\n-metadata: {name: c}\n+metadata: {name: d}\n"


def test_only_newlines_end_lines():
    # difflib's splitlines() also cuts at form feeds and U+2028, which patch does not: a hunk would not apply
    before = load("kind: ConfigMap\ndata:\n  a: \"x\x0cy\u2028z\"\n  b: '1'\n")
    after = before.replace_text(0, before.documents[0].text.replace("'1'", "'2'"))
    out = diff(before, after)
    assert out == "--- a/x.yaml\n+++ b/x.yaml\n@@ -1,4 +1,4 @@\n kind: ConfigMap\n data:\n   a: \"x\x0cy\u2028z\"\n-  b: '1'\n+  b: '2'\n"
    assert apply_unified(before.render(), out) == after.render()


def test_a_removed_document_is_placed_where_difflib_places_it():
    # the removed document ends like the one before it: the block could be written 3 lines higher
    tail = "spec:\n  a: 1\n  b: 2\n"
    bodies = [f"kind: X\nmetadata: {{name: n{i}}}\n{tail}" for i in range(3)]
    for removed in range(3):
        before = load(docs(*bodies))
        after = before.without_document(removed)
        assert diff(before, after) == difflib_diff(before.render(), after.render())


def test_only_changed_documents_are_diffed_line_by_line(monkeypatch):
    seen: list[int] = []
    real = difflib.SequenceMatcher

    class Recording(real):  # type: ignore[misc, valid-type]
        def __init__(self, isjunk, a, b, autojunk=True):
            seen.append(len(a) + len(b))
            super().__init__(isjunk, a, b, autojunk=autojunk)

    monkeypatch.setattr(_diff.difflib, "SequenceMatcher", Recording)
    before = load(docs(*(BODIES * 500)))  # 4,000 documents, 28,000 lines
    after = before.edited({10: before.documents[10].text.replace("'1'", "'x'"), 3000: None})
    out = diff(before, after)
    assert out.count("\n@@ ") + out.startswith("@@") == 2
    assert max(seen) <= 2 * BODIES[0].count("\n") + 2


# ---------------------------------------------------------------------------------------------------------
# any edits: the diff turns the old text into the new one
# ---------------------------------------------------------------------------------------------------------

LINES = st.sampled_from(["a: 1\n", "a: 2\n", "b: x\n", "\n", "# c\n", "  - i\n", "k: v\r\n", "metadata:\n"])
BODY = st.lists(LINES, min_size=0, max_size=6).map("".join)


@settings(max_examples=int(os.environ.get("ISTIO_PATCH_EXAMPLES", "200")), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    bodies=st.lists(BODY, min_size=1, max_size=12),
    edits=st.lists(st.tuples(st.integers(0, 11), st.one_of(st.none(), BODY)), max_size=5),
    appended=st.lists(BODY, max_size=2),
    final_newline=st.booleans(),
    context=st.integers(0, 4),
)
def test_the_diff_turns_the_old_text_into_the_new_one(bodies, edits, appended, final_newline, context):
    text = docs(*bodies)
    if not final_newline:
        text += "last: line"
    before = load(text)
    changes = {i: (None if body is None else f"---\n{body}") for i, body in edits if i < len(before.documents)}
    after = before.edited(changes).with_documents_appended(f"---\n{body}" for body in appended) if final_newline else before.edited(changes)
    out = unified_diff(before, after, old_name="a/x.yaml", new_name="b/x.yaml", context=context)
    if before.render() == after.render():
        assert out == ""
    else:
        assert out.startswith("--- a/x.yaml\n+++ b/x.yaml\n@@ -")
        assert apply_unified(before.render(), out) == after.render()


# ---------------------------------------------------------------------------------------------------------
# the corpus with the presets: difflib's very text, and patch and git apply accept it
# ---------------------------------------------------------------------------------------------------------

CORPUS_CASES = [
    (demo, preset)
    for demo in ("istio-1.0.0/istio-demo.yaml", "istio-1.2.3/istio-demo.yaml")
    for preset in ("bare-metal", "cn-mirror", "small-nodes", "bare-metal+cn-mirror+small-nodes")
]


def preset_result(relative: str, presets: str) -> tuple[Manifest, Manifest]:
    path = CORPUS / relative
    if not path.is_file():
        pytest.skip(f"the shared corpus is absent ({path} not found)")
    before = load(path.read_bytes(), source=str(path))
    steps = [step for name in presets.split("+") for step in transforms.preset(name, allow_no_match=True)]
    return before, transforms.apply(before, steps).manifest


@pytest.mark.parametrize(("relative", "presets"), CORPUS_CASES)
def test_corpus_diffs_equal_difflib(relative, presets):
    before, after = preset_result(relative, presets)
    assert diff(before, after) == difflib_diff(before.render(), after.render())


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed")
    return found


@pytest.mark.parametrize(("relative", "presets"), [c for c in CORPUS_CASES if c[0].startswith("istio-1.0.0") or "+" in c[1]])
@pytest.mark.parametrize("tool", ["patch", "git"])
def test_patch_and_git_apply_accept_the_diff(relative, presets, tool, tmp_path):
    before, after = preset_result(relative, presets)
    out = diff(before, after)
    if not out:
        pytest.skip(f"{presets} changes nothing in {relative}")
    (tmp_path / "x.yaml").write_bytes(before.to_bytes())
    argv = [_tool("patch"), "-p1", "--quiet"] if tool == "patch" else [_tool("git"), "apply", "-p1"]
    subprocess.run(argv, cwd=tmp_path, input=out.encode("utf-8"), check=True, capture_output=True)
    assert (tmp_path / "x.yaml").read_bytes() == after.to_bytes()


# ---------------------------------------------------------------------------------------------------------
# names in the headers
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("x.yaml", "x.yaml"),
        ("dir/x.yaml", "dir/x.yaml"),
        ("./x.yaml", "./x.yaml"),
        ("/srv/app/x.yaml", "app/x.yaml"),
        ("/srv/app/../x.yaml", "x.yaml"),
        ("/etc/x.yaml", "etc/x.yaml"),
        ("../etc/x.yaml", "etc/x.yaml"),
        ("<stdin>", "<stdin>"),
    ],
)
def test_diff_path(name, expected):
    assert diff_path(name, cwd="/srv") == expected
