"""Documents that hold several objects written one after the other, the ``---`` line between them missing.

Helm renders each template into the stream as it is written; a template that holds two objects without a
``---`` between them makes one YAML document whose root keys are written twice. Kubernetes keeps the last
writing of each key, so it reads one object and the one before is silently lost (Istio 1.1.0's demo lost
a certmanager CustomResourceDefinition this way).

A document is read as glued objects when all of this holds, and as one object (whose repeated keys are
ordinary duplicates) otherwise:

- its root is a block mapping without a merge key (``<<``);
- going through the root keys in order, each key written again within the current object is ``apiVersion``
  or ``kind``, and the key right after it is the other one of the two: a new object starts there, with its
  identity, as objects are written (``apiVersion`` then ``kind``, or ``kind`` then ``apiVersion``);
- every object so found holds ``apiVersion``, ``kind`` and ``metadata``: each is a whole object.

A new object's text starts at the line of its first key, with the comment lines right above it that are not
indented further (up to a blank line, or the end of the object before), which usually describe it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ._kube import build_view, is_merge_key, mapping_key
from ._parse import MappingNode, aliases

if TYPE_CHECKING:
    from ._manifest import Document

__all__ = ["GluedObject", "glued_objects"]

_IDENTITY = frozenset({"apiVersion", "kind"})
_WHOLE = frozenset({"apiVersion", "kind", "metadata"})


@dataclass(frozen=True)
class GluedObject:
    """One of the objects a glued document holds.

    Attributes:
        offset: where its text starts in the document's text (a ``---`` line goes there); 0 for the first.
        line: the 1-based file line of its first key; ``column`` that key's 1-based column.
        keys: its root keys (JSON keys), in order.
        data: its Kubernetes view, read alone.
        alias_line: the 1-based file line of an alias in it whose anchor is in an object before it (the
            ``---`` would leave that alias without its anchor), or None.
    """

    offset: int
    line: int
    column: int
    keys: tuple[str, ...]
    data: Mapping[str, Any] = field(repr=False)
    alias_line: int | None = None

    def describe(self) -> str:
        """``Kind namespace/name``, as messages name objects."""
        metadata = self.data.get("metadata")
        metadata = metadata if isinstance(metadata, dict) else {}
        name, namespace = metadata.get("name"), metadata.get("namespace")
        where = f"{namespace}/{name}" if isinstance(namespace, str) and namespace else str(name)
        return f"{self.data.get('kind')} {where}"


def glued_objects(doc: Document) -> tuple[GluedObject, ...]:
    """The objects ``doc`` holds glued together, in order; ``()`` when it holds one, or is not plainly glued.

    Only the root's keys are read (``doc.node``): the cost is a parse of the document, paid only by documents
    whose text names ``apiVersion`` and ``kind`` twice each.
    """
    text = doc.text
    spelt_otherwise = "\\" in text or "binary" in text  # a key written with escapes, or in base64
    if (text.count("apiVersion") < 2 or text.count("kind") < 2) and not spelt_otherwise:
        return ()
    root = doc.node
    if not isinstance(root, MappingNode) or root.flow_style or any(is_merge_key(key) for key, _ in root.value):
        return ()
    keys = [mapping_key(key) for key, _ in root.value]
    starts = _object_starts(keys)
    if len(starts) < 2:
        return ()
    ends = starts[1:] + [len(keys)]
    if any(not _WHOLE <= set(keys[start:end]) for start, end in zip(starts, ends)):
        return ()
    offsets = [0] + [_text_start(doc, root, start) for start in starts[1:]]
    crossing = _crossing_aliases(doc, root, offsets)
    found = []
    for number, (start, end) in enumerate(zip(starts, ends)):
        key = root.value[start][0]
        found.append(
            GluedObject(
                offset=offsets[number],
                line=doc.line + key.start_mark.line,
                column=key.start_mark.column + 1,
                keys=tuple(keys[start:end]),
                data={keys[i]: build_view(root.value[i][1])[0] for i in range(start, end)},
                alias_line=crossing.get(number),
            )
        )
    return tuple(found)


def _object_starts(keys: list[str]) -> list[int]:
    """The indices of the root keys where an object starts (see the module's rule); ``[0]`` when one object."""
    starts = [0]
    seen: set[str] = set()
    for i, name in enumerate(keys):
        if name in seen:
            if name not in _IDENTITY or i + 1 == len(keys) or {name, keys[i + 1]} != _IDENTITY:
                return [0]  # a key written twice that starts no object: one object with a duplicate key
            starts.append(i)
            seen = set()
        seen.add(name)
    return starts


def _text_start(doc: Document, root: MappingNode, index: int) -> int:
    """Where the object whose first key is root pair ``index`` starts: that key's line, or the comment lines
    right above it, never before the end of the pair before."""
    from ._edit import _Text  # its positions: where a value ends, trailing comments and blank lines aside

    positions = _Text(doc.text, doc.source, doc.index + 1, doc.line)
    mapping = positions.root
    assert isinstance(mapping, MappingNode)  # the same text, parsed again
    text = doc.text
    key = root.value[index][0]
    start = positions.line_start(key.start_mark.index)
    previous = mapping.value[index - 1]
    bound = positions.after_line(max(positions.entry_end(mapping, index - 1) - 1, previous[0].start_mark.index))
    while start > bound:
        above = positions.line_start(start - 1)
        line = text[above:start]
        body = line.lstrip(" \t")
        if not body.startswith("#") or len(line) - len(body) > key.start_mark.column:
            break  # a comment indented further belongs to the object above
        start = above
    return start


def _crossing_aliases(doc: Document, root: MappingNode, offsets: list[int]) -> dict[int, int]:
    """Object number -> the file line of its first alias whose anchor is in an object before it."""
    if "*" not in doc.text:
        return {}
    found: dict[int, int] = {}
    for alias in aliases(doc.text, root):
        at = sum(1 for offset in offsets[1:] if offset <= alias.start)
        anchored = sum(1 for offset in offsets[1:] if offset <= alias.target.start_mark.index)
        if anchored < at and at not in found:
            found[at] = doc.line + doc.text.count("\n", 0, alias.start)
    return found
