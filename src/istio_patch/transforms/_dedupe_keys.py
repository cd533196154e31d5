"""``dedupe_keys``: remove the writings of repeated keys that Kubernetes does not read.

A mapping key written twice is legal YAML: Kubernetes keeps the last writing without a word, and kustomize
refuses the whole file (so ``plan --format kustomize`` refuses it too). Istio 1.0's demos write the gateway
Deployments' ``app`` label twice. This transform removes every earlier writing of every repeated key and keeps
the last, so the objects Kubernetes reads stay exactly what they were: the core checks that the Kubernetes view
of each edited document is unchanged, as it checks every edit.

What goes is a losing writing's entry, as ``remove`` takes one away: from its key's line to the last line of its
value, the comments on those lines included. The comment lines above it stay: they are not part of the entry,
and often say something about the lines after it too. In a flow mapping (``{app: a, app: b}``) the entry and
its comma go; an entry on a sequence's dash line (``- app: a``) gives its place to the key after it.

- Every document is deduplicated, objects or not; a ``selector`` limits the work to the objects it matches
  (for a ``kind: List`` item, that item only).
- Keys are compared as Kubernetes reads them: ``1`` and ``"1"``, ``on`` and ``true`` are one key. A key
  written again with the same value is repeated all the same: its earlier writings go too.
- Inside a losing writing nothing is looked at: it goes whole.
- A merge key (``<<``) written twice is no repeated key (each merge applies). A key repeated inside a merge
  key's own value (``<<: {a: 1, a: 2}``) is left as it is, with a warning: no JSON pointer reaches it.
- A losing writing holding an anchor that an alias uses elsewhere is an EditError (write the alias out first).
- A document that holds objects written one after the other without a ``---`` (see ``split_glued``) keeps its
  repeated root keys, with a warning: they are another object, which removing them would lose for good.
  Run ``split_glued`` first; its keys repeated deeper down are removed as anywhere else.

Each writing removed is one change, at its line, with the line Kubernetes reads; a second run changes nothing.

Options:
    selector: the objects to deduplicate; by default every document.

Example:
    >>> from istio_patch import load
    >>> m = load("kind: Deployment\\nmetadata:\\n  name: gw\\n  labels:\\n    app: a\\n    chart: c\\n    app: b\\n")
    >>> out = dedupe_keys(m)
    >>> print(out.manifest.render(), end="")
    kind: Deployment
    metadata:
      name: gw
      labels:
        chart: c
        app: b
    >>> print(out.changes[0])
    <string>:5: dedupe_keys: Deployment gw: remove /metadata/labels/app (repeated on line 7, which Kubernetes reads)
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .._glued import GluedObject, glued_objects
from .._kube import is_merge_key, mapping_key
from .._manifest import Document, KubeObject, Manifest
from .._manifest import _objects_of as objects_of
from .._parse import MappingNode, Node, SequenceNode
from .._pointer import join, resolve, tokens
from ._base import Change, Edit, Plan, Result, SelectingOptions, Selector, execute, one_namespace, select
from ._descriptor import Flag, Transform

__all__ = ["DedupeKeysOptions", "plan_dedupe_keys", "dedupe_keys", "TRANSFORM"]


@dataclass(frozen=True, kw_only=True)
class DedupeKeysOptions(SelectingOptions):
    """Options of :func:`dedupe_keys`."""

    ALIASES = {"target": "selector"}

    selector: Selector | None = None


@dataclass(frozen=True)
class _Repeated:
    """A key written more than once in one mapping of document ``index``: where each writing is."""

    index: int
    path: tuple[str, ...]  # the key's pointer tokens in the document
    lines: tuple[int, ...]  # 1-based file lines of the writings, the last one Kubernetes reads
    reachable: bool  # False inside a merge key's value, where no pointer goes


def plan_dedupe_keys(manifest: Manifest, options: DedupeKeysOptions) -> Plan:
    """One ``{"op": "remove", "path": P, "writings": "earlier"}`` per repeated key, on the object that holds it."""
    return _plan(manifest, options, *_survey(manifest, options))


@dataclass(frozen=True)
class _Glued:
    """A document of glued objects, whose repeated root keys are left alone."""

    doc: Document
    objects: tuple[GluedObject, ...]


def _plan(manifest: Manifest, options: DedupeKeysOptions, repeats: list[_Repeated], glued: list[_Glued]) -> Plan:
    edits: dict[tuple[int, str], list[dict[str, Any]]] = {}
    owners: dict[tuple[int, str], tuple[int, str]] = {}
    warnings: list[str] = []
    for repeat in repeats:
        doc = manifest.documents[repeat.index]
        if not repeat.reachable:
            warnings.append(
                f"dedupe_keys: {doc.source}:{repeat.lines[0]}: the key {repeat.path[-1]!r} is repeated inside the value of a "
                "merge key (<<), which no JSON pointer reaches; it is left as it is"
            )
            continue
        pointer, line, name = _owner(doc, repeat.path)
        owners[(repeat.index, pointer)] = (line, name)
        relative = repeat.path[len(tokens(pointer)) :]
        edits.setdefault((repeat.index, pointer), []).append({"op": "remove", "path": join(relative), "writings": "earlier"})
    for item in glued:
        objects = " and ".join(f"{obj.describe()} (line {obj.line})" for obj in item.objects)
        warnings.append(
            f"dedupe_keys: {item.doc.source}:{item.objects[1].line}: document {item.doc.index + 1} holds {objects} without "
            f"a `---` between them; its repeated root keys are left as they are, since removing them would lose "
            f"{item.objects[0].describe()} for good: run split_glued (--split-glued) first"
        )
    plan_edits = tuple(
        Edit(index, pointer, owners[(index, pointer)][0], owners[(index, pointer)][1], tuple(ops), "repeated keys")
        for (index, pointer), ops in sorted(edits.items())
    )
    notes = () if repeats or glued else (f"dedupe_keys: {_where(manifest, options)} writes no key twice",)
    return Plan("dedupe_keys", plan_edits, tuple(warnings), notes)


def _where(manifest: Manifest, options: DedupeKeysOptions) -> str:
    return manifest.source if options.selector is None else options.selector.describe()


def _owner(doc: Document, path: tuple[str, ...]) -> tuple[str, int, str]:
    """The pointer, line and description of the innermost object of ``doc`` that holds ``path``."""
    found: KubeObject | None = None
    for obj in objects_of(doc):
        inside = tuple(tokens(obj.pointer))
        if inside == path[: len(inside)] and (found is None or len(obj.pointer) > len(found.pointer)):
            found = obj
    if found is None:
        return "", doc.line, f"document {doc.index + 1}"
    return found.pointer, found.line, found.describe()


def _scopes(manifest: Manifest, options: DedupeKeysOptions) -> list[tuple[int, tuple[str, ...]]]:
    """(document index, pointer tokens) of each part of the manifest to deduplicate, none inside another."""
    if options.selector is None:
        return [(doc.index, ()) for doc in manifest.documents]
    found = select(manifest, options.selector, allow_no_match=options.allow_no_match, what="dedupe_keys")
    one_namespace(found, options.selector, options, what="dedupe_keys", source=manifest.source)
    chosen = sorted({(obj.index, tuple(tokens(obj.pointer))) for obj in found})
    return [
        (index, path)
        for index, path in chosen
        if not any(other != path and other == path[: len(other)] for i, other in chosen if i == index)
    ]


def _survey(manifest: Manifest, options: DedupeKeysOptions) -> tuple[list[_Repeated], list[_Glued]]:
    """Every repeated key of the selection, in document order, and the glued documents whose roots are left
    alone. Only the writings Kubernetes reads are walked into: what is inside a losing writing goes with it."""
    repeats: list[_Repeated] = []
    glued: list[_Glued] = []
    for index, path in _scopes(manifest, options):
        doc = manifest.documents[index]
        if not doc.duplicates:  # the view lists them: a document without any is not walked
            continue
        start = resolve(doc.node, list(path))
        if not start.complete or start.node is None:
            continue
        objects = glued_objects(doc) if not path else ()
        if objects:
            glued.append(_Glued(doc, objects))
        repeats.extend(_walk(doc, start.node, path, skip_root=bool(objects)))
    return repeats, glued


def _walk(doc: Document, top: Node, path: tuple[str, ...], skip_root: bool) -> Iterator[_Repeated]:
    """The repeated keys below ``top``, reached as Kubernetes reads the document, in the order they are written;
    a node shared through aliases once, at its anchor; the values of merge keys last, as unreachable."""
    seen: set[int] = set()
    merged: list[tuple[Node, tuple[str, ...]]] = []
    stack: list[tuple[Node, tuple[str, ...], bool]] = [(top, path, True)]
    found: list[_Repeated] = []
    while stack or merged:
        if stack:
            node, where, reachable = stack.pop()
        else:
            (node, where), reachable = merged.pop(), False
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, SequenceNode):
            stack.extend((item, where + (str(i),), reachable) for i, item in reversed(list(enumerate(node.value))))
        elif isinstance(node, MappingNode):
            writings: dict[str, list[tuple[Node, Node]]] = {}
            for key, value in node.value:
                if is_merge_key(key):
                    merged.insert(0, (value, where))
                else:
                    writings.setdefault(mapping_key(key), []).append((key, value))
            for name, pairs in writings.items():
                if len(pairs) > 1 and not (skip_root and node is top):
                    lines = tuple(doc.line + key.start_mark.line for key, _ in pairs)
                    found.append(_Repeated(doc.index, where + (name,), lines, reachable))
            # in the order they are written, so that a node shared through aliases is met at its anchor
            stack.extend((pairs[-1][1], where + (name,), reachable) for name, pairs in reversed(writings.items()))
    yield from sorted(found, key=lambda repeat: repeat.lines)


def dedupe_keys(
    manifest: Manifest,
    options: DedupeKeysOptions | None = None,
    *,
    selector: Selector | str | None = None,
    namespace: str | None = None,
    all_namespaces: bool | None = None,
    allow_no_match: bool | None = None,
) -> Result:
    """Remove the writings of repeated keys that Kubernetes does not read (:func:`plan_dedupe_keys`); pass
    ``options`` or the options as keywords."""
    keywords = dict(selector=selector, namespace=namespace, all_namespaces=all_namespaces, allow_no_match=allow_no_match)
    return TRANSFORM.call(manifest, options, keywords)


def _run(manifest: Manifest, options: DedupeKeysOptions) -> Result:
    """The plan, executed, with one change per writing removed (the plan has one operation per repeated key)."""
    repeats, glued = _survey(manifest, options)
    plan = _plan(manifest, options, repeats, glued)
    result = execute(manifest, plan)
    changes = []
    for repeat in repeats:
        if not repeat.reachable:
            continue
        doc = manifest.documents[repeat.index]
        _, _, name = _owner(doc, repeat.path)
        last = repeat.lines[-1]
        for line in repeat.lines[:-1]:
            reason = f"repeated on line {last}, which Kubernetes reads"
            changes.append(Change("dedupe_keys", doc.source, repeat.index + 1, line, name, "remove", join(repeat.path), reason))
    changes.sort(key=lambda change: (change.document, change.line))
    return Result(result.manifest, tuple(changes), result.warnings, result.plans, result.notes)


TRANSFORM = Transform(
    name="dedupe_keys",
    summary="remove the writings of repeated keys that Kubernetes does not read (kustomize refuses them)",
    options=DedupeKeysOptions,
    plan=plan_dedupe_keys,
    function=dedupe_keys,
    run=_run,
    flag=Flag("--dedupe-keys", option=None, metavar=None, help="remove the writings of repeated keys that Kubernetes does not read"),
    doc=__doc__ or "",
)
