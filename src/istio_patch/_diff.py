"""Unified diffs of two manifests, at a cost that follows the edit.

A line diff of two whole files (``difflib``) is quadratic on long inputs: an 18 MB manifest with a few edits
takes minutes. Two Manifests, though, say where they differ: a transform changes a document's text in place,
removes whole documents or appends new ones, and every untouched document keeps its text. So the documents
are aligned first (equal texts, in order), only the runs of documents that differ are diffed line by line
(small texts), and their hunks are placed at the documents' lines, with context merged across document
boundaries as a whole-file diff would.

The output is what ``difflib.unified_diff`` prints for the same two texts in the common cases (edits inside
documents, documents removed or appended), with lines cut at ``\\n`` only, as ``patch`` and ``git apply``
read them: CRLF line ends are kept, and a last line without a newline is followed by
``\\ No newline at end of file``.

Example:
    >>> from istio_patch import load
    >>> before = load("---\\nkind: A\\n---\\nkind: B\\nspec: {type: LoadBalancer}\\n")
    >>> after = before.replace_text(1, "---\\nkind: B\\nspec: {type: NodePort}\\n")
    >>> print(unified_diff(before, after, old_name="a/x.yaml", new_name="b/x.yaml"), end="")
    --- a/x.yaml
    +++ b/x.yaml
    @@ -2,4 +2,4 @@
     kind: A
     ---
     kind: B
    -spec: {type: LoadBalancer}
    +spec: {type: NodePort}
"""

from __future__ import annotations

import difflib
import os
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from operator import attrgetter

from ._manifest import Document, Manifest
from ._text import BOM

__all__ = ["unified_diff", "unified_diff_lines", "diff_path", "NO_NEWLINE"]

NO_NEWLINE = "\\ No newline at end of file\n"

# (tag, i1, i2, j1, j2) as difflib's opcodes: lines i1:i2 of the old text become lines j1:j2 of the new one
_Opcode = tuple[str, int, int, int, int]


def unified_diff(before: Manifest, after: Manifest, *, old_name: str, new_name: str, context: int = 3) -> str:
    """The unified diff that turns ``before``'s text into ``after``'s ("" when they are the same).

    ``old_name`` and ``new_name`` go into the ``---`` and ``+++`` lines as they are (see :func:`diff_path`);
    ``context`` is the number of unchanged lines around each change.
    """
    return "".join(unified_diff_lines(before, after, old_name=old_name, new_name=new_name, context=context))


def unified_diff_lines(before: Manifest, after: Manifest, *, old_name: str, new_name: str, context: int = 3) -> Iterator[str]:
    """:func:`unified_diff` line by line, each ending with ``\\n`` (a last line without one is followed by
    :data:`NO_NEWLINE` in the same string, so that colouring a line colours the line alone)."""
    old, new = _Side(before), _Side(after)
    started = False
    for group in _grouped(_opcodes(old, new), context):
        if not started:
            started = True
            yield f"--- {old_name}\n"
            yield f"+++ {new_name}\n"
        first, last = group[0], group[-1]
        yield f"@@ -{_range(first[1], last[2])} +{_range(first[3], last[4])} @@\n"
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                yield from _marked(" ", old.lines(i1, i2))
                continue
            if tag in ("replace", "delete"):
                yield from _marked("-", old.lines(i1, i2))
            if tag in ("replace", "insert"):
                yield from _marked("+", new.lines(j1, j2))


def diff_path(name: str, cwd: str | None = None) -> str:
    """A file name for the ``a/`` and ``b/`` of diff headers that ``patch -p1`` and ``git apply`` accept.

    A relative name stays as written. An absolute one (or one that climbs with ``..``) becomes relative to
    the working directory when the file lies below it, and otherwise loses its leading ``/``, as
    ``git diff --no-index`` writes it: ``a//srv/x.yaml`` would be refused as an absolute path.

    Example:
        >>> diff_path("/srv/app/x.yaml", cwd="/srv"), diff_path("/etc/x.yaml", cwd="/srv"), diff_path("x.yaml")
        ('app/x.yaml', 'etc/x.yaml', 'x.yaml')
    """
    if not os.path.isabs(name) and ".." not in name.replace("\\", "/").split("/"):
        return name
    here = os.path.abspath(cwd if cwd is not None else os.getcwd())
    full = os.path.normpath(os.path.join(here, name))
    inside = os.path.relpath(full, here)
    if inside != os.curdir and inside != os.pardir and not inside.startswith(os.pardir + os.sep):
        return inside
    return full.lstrip("/")


# ---------------------------------------------------------------------------------------------------------
# Lines of a manifest, read only where asked
# ---------------------------------------------------------------------------------------------------------


class _Side:
    """One manifest's text as lines (cut at ``\\n``), split into lines only for the documents asked about."""

    def __init__(self, manifest: Manifest) -> None:
        self.documents: Sequence[Document] = manifest.documents
        self.texts = [doc.text for doc in manifest.documents]
        if manifest.bom and self.texts:
            self.texts[0] = BOM + self.texts[0]  # the first line of the file carries it, as in the bytes
        self._split: dict[int, list[str]] = {}
        last = self.documents[-1] if self.documents else None
        self.total = 0 if last is None else last.line - 1 + _line_count(self.texts[-1])

    def start(self, index: int) -> int:
        """0-based first line of document ``index`` (the line count for ``index == len(documents)``)."""
        return self.documents[index].line - 1 if index < len(self.documents) else self.total  # Document.line is 1-based

    def document_lines(self, index: int) -> list[str]:
        lines = self._split.get(index)
        if lines is None:
            lines = self._split[index] = _split_lines(self.texts[index])
        return lines

    def lines(self, lo: int, hi: int) -> list[str]:
        """Lines ``lo`` to ``hi`` (0-based, ``hi`` excluded) of the whole text."""
        out: list[str] = []
        index = bisect_right(self.documents, lo + 1, key=attrgetter("line")) - 1  # the document holding line lo
        while lo < hi and index < len(self.documents):
            start = self.documents[index].line - 1
            taken = self.document_lines(index)[lo - start : hi - start]
            out.extend(taken)
            lo += len(taken)
            index += 1
        return out


def _line_count(text: str) -> int:
    return text.count("\n") + (1 if text and not text.endswith("\n") else 0)


def _split_lines(text: str) -> list[str]:
    """Lines with their ends; only ``\\n`` ends a line (``\\r``, form feeds and U+2028 do not, for patch)."""
    parts = text.split("\n")
    lines = [part + "\n" for part in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


# ---------------------------------------------------------------------------------------------------------
# Aligning documents, then diffing lines where they differ
# ---------------------------------------------------------------------------------------------------------


def _changed_runs(old: list[str], new: list[str]) -> Iterator[tuple[int, int, int, int]]:
    """(i1, i2, j1, j2): runs of documents ``old[i1:i2]`` that became ``new[j1:j2]``, between equal ones.

    One pass: equal texts pair up; at a difference both sides are read ahead together until a text of one
    side was already seen on the other, the nearest place where they agree again. Untouched documents keep
    their text (usually the very same string), so comparing them costs nothing. Each read-ahead is charged
    to the run it delimits, so the whole alignment is linear in the number of documents.
    """
    i = j = 0
    n, m = len(old), len(new)
    while i < n and j < m:
        if old[i] == new[j]:
            i += 1
            j += 1
            continue
        seen_old: dict[str, int] = {}
        seen_new: dict[str, int] = {}
        anchor: tuple[int, int] | None = None
        step = 0
        while anchor is None and (i + step < n or j + step < m):
            if i + step < n:
                seen_old.setdefault(old[i + step], i + step)
            if j + step < m:
                seen_new.setdefault(new[j + step], j + step)
            candidates = []
            if i + step < n and old[i + step] in seen_new:
                candidates.append((i + step, seen_new[old[i + step]]))
            if j + step < m and new[j + step] in seen_old:
                candidates.append((seen_old[new[j + step]], j + step))
            if candidates:
                anchor = min(candidates, key=sum)
            step += 1
        if anchor is None:
            break
        yield i, anchor[0], j, anchor[1]
        i, j = anchor
    if i < n or j < m:
        yield i, n, j, m


def _opcodes(old: _Side, new: _Side) -> list[_Opcode]:
    """difflib-style opcodes over the whole texts, with adjacent equal ranges merged."""
    codes: list[_Opcode] = []

    def add(tag: str, i1: int, i2: int, j1: int, j2: int) -> None:
        if i1 == i2 and j1 == j2:
            return
        if tag == "equal" and codes and codes[-1][0] == "equal":
            codes[-1] = ("equal", codes[-1][1], i2, codes[-1][3], j2)
        else:
            codes.append((tag, i1, i2, j1, j2))

    line_old = line_new = 0
    for i1, i2, j1, j2 in _changed_runs(old.texts, new.texts):
        a1, a2, b1, b2 = old.start(i1), old.start(i2), new.start(j1), new.start(j2)
        add("equal", line_old, a1, line_new, b1)
        a, b = old.lines(a1, a2), new.lines(b1, b2)
        matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
        for tag, k1, k2, l1, l2 in _trimmed(list(matcher.get_opcodes()), a, b):
            add(tag, a1 + k1, a1 + k2, b1 + l1, b1 + l2)
        line_old, line_new = a2, b2
    add("equal", line_old, old.total, line_new, new.total)
    return _slid(codes, old, new)


def _trimmed(codes: Sequence[_Opcode], a: list[str], b: list[str]) -> list[_Opcode]:
    """A changed region's opcodes with the lines its first and last changes share with their outside.

    In a whole-file diff the unchanged text around the region grows into it as far as lines match (a blank
    line, ``---``); the region's own diff cannot see that text, so it is done here.
    """
    codes = list(codes)
    if codes and codes[0][0] != "equal":
        _, i1, i2, j1, j2 = codes[0]
        n = 0
        while i1 + n < i2 and j1 + n < j2 and a[i1 + n] == b[j1 + n]:
            n += 1
        if n:
            codes[0:1] = [("equal", i1, i1 + n, j1, j1 + n), (_tag(i1 + n, i2, j1 + n, j2), i1 + n, i2, j1 + n, j2)]
    if codes and codes[-1][0] != "equal":
        _, i1, i2, j1, j2 = codes[-1]
        n = 0
        while i2 - n > i1 and j2 - n > j1 and a[i2 - n - 1] == b[j2 - n - 1]:
            n += 1
        if n:
            codes[-1:] = [(_tag(i1, i2 - n, j1, j2 - n), i1, i2 - n, j1, j2 - n), ("equal", i2 - n, i2, j2 - n, j2)]
    return codes


def _tag(i1: int, i2: int, j1: int, j2: int) -> str:
    return "replace" if i1 < i2 and j1 < j2 else "delete" if i1 < i2 else "insert"


def _slid(codes: list[_Opcode], old: _Side, new: _Side) -> list[_Opcode]:
    """The lines removed (or added) as a block placed where a whole-file ``difflib`` diff places them.

    A removed document often starts with the lines that follow it (``---``, a ``# Source:`` header) or ends
    with those before it, so the block may be written a few lines higher or lower with the same meaning.
    difflib settles it by taking the longest unchanged stretch first and growing it as far as lines match:
    the longer neighbour of the block takes the shared lines, the earlier one when both are as long.
    """
    for k, (tag, i1, i2, j1, j2) in enumerate(codes):
        if tag not in ("delete", "insert"):
            continue
        side, lo, hi = (old, i1, i2) if tag == "delete" else (new, j1, j2)
        before = codes[k - 1] if k > 0 and codes[k - 1][0] == "equal" else None
        after = codes[k + 1] if k + 1 < len(codes) and codes[k + 1][0] == "equal" else None
        above = before[2] - before[1] if before is not None else 0
        below = after[2] - after[1] if after is not None else 0
        up = _shared(side, lo - 1, hi - 1, -1, above)
        down = _shared(side, lo, hi, 1, below)
        if not up and not down:
            continue
        shift = -up if below + up > above + down else down
        if shift and before is not None and after is not None:
            codes[k - 1] = ("equal", before[1], before[2] + shift, before[3], before[4] + shift)
            codes[k + 1] = ("equal", after[1] + shift, after[2], after[3] + shift, after[4])
            codes[k] = (tag, i1 + shift, i2 + shift, j1 + shift, j2 + shift)
    return [code for code in codes if code[1] != code[2] or code[3] != code[4]]


def _shared(side: _Side, first: int, last: int, step: int, limit: int) -> int:
    """How many lines, going ``step`` from ``first`` and ``last`` together, are equal (at most ``limit``)."""
    count = 0
    while count < limit:
        a, b = first + count * step, last + count * step
        if a < 0 or b >= side.total or side.lines(a, a + 1) != side.lines(b, b + 1):
            break
        count += 1
    return count


def _grouped(codes: list[_Opcode], context: int) -> Iterator[list[_Opcode]]:
    """The opcodes cut into hunks with ``context`` lines around changes: ``SequenceMatcher.get_grouped_opcodes``."""
    if not codes:
        codes = [("equal", 0, 1, 0, 1)]
    if codes[0][0] == "equal":
        tag, i1, i2, j1, j2 = codes[0]
        codes[0] = tag, max(i1, i2 - context), i2, max(j1, j2 - context), j2
    if codes[-1][0] == "equal":
        tag, i1, i2, j1, j2 = codes[-1]
        codes[-1] = tag, i1, min(i2, i1 + context), j1, min(j2, j1 + context)
    group: list[_Opcode] = []
    for tag, i1, i2, j1, j2 in codes:
        if tag == "equal" and i2 - i1 > 2 * context:  # a long unchanged stretch ends a hunk
            group.append((tag, i1, min(i2, i1 + context), j1, min(j2, j1 + context)))
            yield group
            group = []
            i1, j1 = max(i1, i2 - context), max(j1, j2 - context)
        group.append((tag, i1, i2, j1, j2))
    if group and not (len(group) == 1 and group[0][0] == "equal"):
        yield group


def _range(start: int, stop: int) -> str:
    """A hunk's line range as unified diffs write it (1-based; an empty range names the line before it)."""
    length = stop - start
    if length == 1:
        return f"{start + 1}"
    return f"{start + 1 if length else start},{length}"


def _marked(prefix: str, lines: list[str]) -> Iterator[str]:
    for line in lines:
        yield prefix + line if line.endswith("\n") else f"{prefix}{line}\n{NO_NEWLINE}"
