"""``split_glued``: put back the ``---`` line between objects written one after the other in one document.

A Helm template that holds two objects without a ``---`` between them renders one YAML document in which the
second object's keys repeat the first's at the root. Kubernetes keeps the last writing of each key, so it reads
the second object and silently loses the first (Istio 1.1.0's demo lost a certmanager CustomResourceDefinition
this way). This transform finds such documents and inserts the missing ``---`` line, so that the lost object
comes back; a warning names it, with its file and line.

A document is read as glued objects only when that is plain (the rule of ``istio_patch._glued``):

- its root is a block mapping without a merge key (``<<``);
- each root key written again is ``apiVersion`` or ``kind``, and the key right after it is the other of the two:
  a new object starts there with its identity, as objects are written;
- every object so found holds ``apiVersion``, ``kind`` and ``metadata``.

Anything else (``kind`` written twice by mistake, say) is one object with a repeated key, for ``dedupe_keys``.
The ``---`` goes before the new object's first key, or before the comment lines right above it that are not
indented further (up to a blank line), which usually describe it; it ends with the document's line break.

The result is verified: each new document's Kubernetes view must be what its part of the text says, and
together, later keys winning, they must be what Kubernetes read from the glued document. An object that uses an
alias whose anchor is in the object before it is not split (a warning says so): the ``---`` would leave the
alias without its anchor.

This changes what gets applied: the lost object is created, and keys that only the first object wrote no longer
reach the second (a warning lists them). It is therefore opt-in: no preset runs it. Its plan has no RFC 6902
operations (a ``---`` line is none), only the warnings and the places of the new documents (``Plan.inserted``);
a second run changes nothing.

Example:
    >>> from istio_patch import load
    >>> m = load("apiVersion: v1\\nkind: ConfigMap\\nmetadata: {name: a}\\napiVersion: v1\\nkind: ConfigMap\\nmetadata: {name: b}\\n")
    >>> out = split_glued(m)
    >>> print(out.manifest.render(), end="")
    apiVersion: v1
    kind: ConfigMap
    metadata: {name: a}
    ---
    apiVersion: v1
    kind: ConfigMap
    metadata: {name: b}
    >>> print(out.warnings[0])
    split_glued: <string>:1: ConfigMap a was written in one document with ConfigMap b (line 4), without a `---` between them: Kubernetes never saw it; a `---` line now brings it back
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .._edit import same_data
from .._errors import EditError
from .._glued import GluedObject, glued_objects
from .._manifest import Document, Manifest
from ._base import Change, Plan, Result, TransformOptions
from ._descriptor import Flag, Transform

__all__ = ["SplitGluedOptions", "plan_split_glued", "split_glued", "TRANSFORM"]


@dataclass(frozen=True, kw_only=True)
class SplitGluedOptions(TransformOptions):
    """Options of :func:`split_glued` (none of its own)."""


@dataclass(frozen=True)
class _Found:
    doc: Document
    objects: tuple[GluedObject, ...]

    @property
    def blocked(self) -> GluedObject | None:
        """The first object that uses an anchor of an object before it, if one does."""
        return next((obj for obj in self.objects if obj.alias_line is not None), None)


def _survey(manifest: Manifest) -> list[_Found]:
    found = []
    for doc in manifest.documents:
        objects = glued_objects(doc)
        if objects:
            found.append(_Found(doc, objects))
    return found


def plan_split_glued(manifest: Manifest, options: SplitGluedOptions) -> Plan:
    """What :func:`split_glued` would do, as warnings: the objects that come back and what changes for the others.

    A ``---`` line is no RFC 6902 operation, so the plan holds no edits.
    """
    return _plan(manifest, _survey(manifest))


def _plan(manifest: Manifest, found: list[_Found]) -> Plan:
    warnings: list[str] = []
    for item in found:
        source = item.doc.source
        blocked = item.blocked
        if blocked is not None:
            warnings.append(
                f"split_glued: {source}:{blocked.line}: {blocked.describe()} follows another object in one document without "
                f"a `---`, but uses on line {blocked.alias_line} an alias whose anchor is in the object before it; "
                "a `---` would leave the alias without its anchor, so the document is left as it is: write the alias out first"
            )
            continue
        for before, after in zip(item.objects, item.objects[1:]):
            warnings.append(
                f"split_glued: {source}:{before.line}: {before.describe()} was written in one document with {after.describe()} "
                f"(line {after.line}), without a `---` between them: Kubernetes never saw it; a `---` line now brings it back"
            )
        last = item.objects[-1]
        leaked = [key for obj in item.objects[:-1] for key in obj.keys if key not in last.keys]
        if leaked:
            keys = ", ".join(dict.fromkeys(leaked))
            warnings.append(
                f"split_glued: {source}:{last.line}: {last.describe()} no longer gets {keys} from the object(s) before it, "
                "which Kubernetes read into it"
            )
    notes = () if found else (f"split_glued: {manifest.source} holds no objects written without a `---` between them",)
    return Plan("split_glued", (), tuple(warnings), notes, _inserted(found))


def _inserted(found: list[_Found]) -> tuple[int, ...]:
    """The positions of the documents the splits make, in the stream they leave (the first part keeps its place)."""
    positions: list[int] = []
    for item in found:
        if item.blocked is None:
            start = item.doc.index + len(positions)
            positions.extend(range(start + 1, start + len(item.objects)))
    return tuple(positions)


def split_glued(manifest: Manifest, options: SplitGluedOptions | None = None, *, allow_no_match: bool | None = None) -> Result:
    """Insert the missing ``---`` lines between objects glued together in one document (see the module);
    pass ``options`` or the options as keywords."""
    return TRANSFORM.call(manifest, options, {"allow_no_match": allow_no_match})


def _run(manifest: Manifest, options: SplitGluedOptions) -> Result:
    found = _survey(manifest)
    plan = _plan(manifest, found)
    current = manifest
    changes: list[Change] = []
    for item in reversed(found):  # from the end, so that the documents before keep their indices
        if item.blocked is not None:
            continue
        for number in range(len(item.objects) - 1, 0, -1):  # from the last object, so that offsets hold
            current = current.split_document(item.doc.index, item.objects[number].offset)
        _verify(current, item)
        for before, after in zip(item.objects, item.objects[1:]):
            reason = f"a `---` inserted before {after.describe()} (line {after.line}): the object comes back"
            changes.append(Change("split_glued", item.doc.source, item.doc.index + 1, before.line, before.describe(), "add", "", reason))
    changes.sort(key=lambda change: (change.document, change.line))
    return Result(current, tuple(changes), plan.warnings, (plan,), plan.notes)


def _verify(manifest: Manifest, item: _Found) -> None:
    """The new documents read as their parts of the text say, and together as the glued document read."""
    parts = manifest.documents[item.doc.index : item.doc.index + len(item.objects)]
    joined: dict[str, Any] = {}
    for doc, obj in zip(parts, item.objects):
        data = doc.data
        if not same_data(data, dict(obj.data)):
            raise EditError(
                f"splitting the document would not read back as {obj.describe()}; nothing was changed (please report this with the document)",
                source=doc.source,
                document=item.doc.index + 1,
                line=obj.line,
            )
        for key, value in data.items():
            joined.pop(key, None)
            joined[key] = value
    if not same_data(joined, item.doc.data):
        raise EditError(
            "the split documents would not hold what Kubernetes read from the document; nothing was changed "
            "(please report this with the document)",
            source=item.doc.source,
            document=item.doc.index + 1,
            line=item.doc.line,
        )


TRANSFORM = Transform(
    name="split_glued",
    summary="insert the missing `---` between objects written one after the other in one document (opt-in)",
    options=SplitGluedOptions,
    plan=plan_split_glued,
    function=split_glued,
    run=_run,
    flag=Flag("--split-glued", option=None, metavar=None, help="insert the `---` missing between objects glued in one document"),
    doc=__doc__ or "",
)
