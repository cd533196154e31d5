"""What every transform shares: selectors, plans of RFC 6902 operations, results, and pipelines.

A transform is two pure functions: ``plan_X(manifest, options) -> Plan`` decides the operations, and
``X(manifest, options) -> Result`` applies that plan through the core. Neither changes its inputs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

from .._errors import OptionsError, SelectorError
from .._manifest import Document, KubeObject, Manifest
from .._manifest import _objects_of as objects_of
from ._options import Checked, trusted

__all__ = [
    "Selector",
    "Edit",
    "Plan",
    "Change",
    "Result",
    "Step",
    "select",
    "objects_matching",
    "might_mention",
    "execute",
    "pipeline",
    "apply",
    "KIND_ALIASES",
    "TransformOptions",
    "AUTOSCALERS",
    "ingress_gateway",
]

# kubectl's short names and plurals, lower-case, for the kinds this tool meets.
KIND_ALIASES: Mapping[str, str] = MappingProxyType({
    alias: kind
    for kind, aliases in {
        "Service": ("svc", "service", "services"),
        "Deployment": ("deploy", "deployment", "deployments"),
        "DaemonSet": ("ds", "daemonset", "daemonsets"),
        "StatefulSet": ("sts", "statefulset", "statefulsets"),
        "ReplicaSet": ("rs", "replicaset", "replicasets"),
        "Pod": ("po", "pod", "pods"),
        "Job": ("job", "jobs"),
        "CronJob": ("cj", "cronjob", "cronjobs"),
        "ConfigMap": ("cm", "configmap", "configmaps"),
        "Namespace": ("ns", "namespace", "namespaces"),
        "HorizontalPodAutoscaler": ("hpa", "horizontalpodautoscaler", "horizontalpodautoscalers"),
        "ServiceAccount": ("sa", "serviceaccount", "serviceaccounts"),
        "ReplicationController": ("rc", "replicationcontroller", "replicationcontrollers"),
        "PodDisruptionBudget": ("pdb", "poddisruptionbudget", "poddisruptionbudgets"),
        "CustomResourceDefinition": ("crd", "crds", "customresourcedefinition", "customresourcedefinitions"),
    }.items()
    for alias in aliases
})


def canonical_kind(kind: str) -> str:
    """``svc`` -> ``Service``; an unknown spelling is kept as written (custom kinds)."""
    return KIND_ALIASES.get(kind.lower(), kind)


@dataclass(frozen=True, kw_only=True)
class Selector(Checked):
    """Which objects a transform acts on: kind, namespace, name and labels, each optional.

    Example:
        >>> Selector.parse("svc/istio-ingressgateway", namespace="istio-system").kind
        'Service'
    """

    kind: str | None = None
    namespace: str | None = None
    name: str | None = None
    labels: dict[str, str] = field(default_factory=dict)

    def _check(self) -> None:
        if self.kind is not None:
            object.__setattr__(self, "kind", canonical_kind(self.kind))

    @classmethod
    def parse(cls, text: str, namespace: str | None = None) -> Selector:
        """kubectl's ``TYPE/NAME`` (or ``TYPE``, or ``NAMESPACE/TYPE/NAME``) spelling, with ``-l``-style labels after ``,``-free ``@``.

        ``deploy/istio-pilot``, ``svc/istio-ingressgateway``, ``ns`` (every Namespace).
        """
        parts = text.split("/")
        if len(parts) == 1:
            return cls(kind=parts[0], namespace=namespace)
        if len(parts) == 2:
            return cls(kind=parts[0], name=parts[1], namespace=namespace)
        if len(parts) == 3 and namespace is None:
            return cls(namespace=parts[0], kind=parts[1], name=parts[2])
        raise OptionsError(f"cannot read the selector {text!r}: write TYPE/NAME, e.g. deploy/istio-pilot")

    def matches(self, obj: KubeObject) -> bool:
        """True when ``obj`` has this kind, namespace, name and labels (unset fields match anything)."""
        if self.kind is not None and obj.kind != self.kind:
            return False
        if self.name is not None and obj.name != self.name:
            return False
        if self.namespace is not None and (obj.namespace or "default") != self.namespace:
            return False
        return all(obj.labels.get(k) == v for k, v in self.labels.items())

    def describe(self) -> str:
        text = f"{self.kind or '*'}/{self.name or '*'}"
        if self.namespace:
            text += f" in namespace {self.namespace}"
        if self.labels:
            text += " with labels " + ",".join(f"{k}={v}" for k, v in self.labels.items())
        return text


@dataclass(frozen=True, kw_only=True)
class TransformOptions(Checked):
    """Base of every transform's options: immutable, checked when built, unknown fields refused.

    ``XOptions(...)`` checks its arguments and ``XOptions.validate(mapping)`` reads data (recipes, JSON);
    both raise pydantic's ValidationError for a bad value. See ``_options`` for why these are dataclasses.
    """

    allow_no_match: bool = False


with trusted():
    AUTOSCALERS = Selector(kind="HorizontalPodAutoscaler")  # every HPA: the objects that point at a workload


def ingress_gateway(kind: str | None = None) -> Selector:
    """``istio-system/istio-ingressgateway`` (of ``kind``, or any kind): the guide's target, the defaults' too."""
    with trusted():  # a constant: its types are right
        return Selector(kind=kind, namespace="istio-system", name="istio-ingressgateway")


def select(manifest: Manifest, selector: Selector, *, allow_no_match: bool = False, what: str = "") -> list[KubeObject]:
    """The objects ``selector`` matches; SelectorError when none does, unless ``allow_no_match``."""
    found = [obj for obj in objects_matching(manifest, selector)]
    if not found and not allow_no_match:
        near = sorted({o.name for o in manifest.objects() if o.kind == selector.kind and o.name})
        hint = f"; {selector.kind} objects here: {', '.join(near[:8])}" if near else ""
        raise SelectorError(
            f"{what + ': ' if what else ''}no object matches {selector.describe()}{hint}",
            source=manifest.source,
        )
    return found


def might_mention(text: str, word: str) -> bool:
    """False only when no scalar of ``text`` can have a value that contains ``word``.

    A value differs from its source text only through line folding (which leaves a space), the escapes of
    double-quoted scalars and the base64 of ``!!binary`` ones. Of those escapes, only ``\\x``, ``\\u``, ``\\U``, ``\\/`` and an escaped line break
    can stand for letters, digits or ``/``; so a word of such characters that is absent from a text free of
    those escapes is in none of its values. Used to skip parsing documents a selector cannot match.
    """
    if word in text:
        return True
    if "binary" in text:
        return True  # a !!binary scalar's value is its base64 decoded (however the tag is spelled, it says binary)
    if any(ch in word for ch in _FOLDED_OR_ESCAPED):
        return True  # folding and quoting make such words too many ways; look at the document
    return _ESCAPE_OF_AN_ORDINARY_CHARACTER.search(text) is not None


_FOLDED_OR_ESCAPED = frozenset(" \t\n\r\"'\\")
_ESCAPE_OF_AN_ORDINARY_CHARACTER = re.compile(r"\\[xuU/\r\n]")


def objects_matching(manifest: Manifest, selector: Selector) -> Iterator[KubeObject]:
    """The objects ``selector`` matches, parsing only documents whose text can mention its kind and name."""
    words = [w for w in (selector.kind, selector.name) if w]
    for doc in manifest.documents:
        if all(might_mention(doc.text, w) for w in words):
            yield from (obj for obj in objects_of(doc) if selector.matches(obj))


@dataclass(frozen=True)
class Edit:
    """RFC 6902 operations on one object, with paths relative to the object.

    An operation ``{"op": "remove", "path": ""}`` removes the whole object (its document, or its List item).
    """

    document: int
    pointer: str
    line: int
    object: str
    operations: tuple[Mapping[str, Any], ...]
    reason: str = ""

    @classmethod
    def on(cls, obj: KubeObject, operations: Iterable[Mapping[str, Any]], reason: str = "") -> Edit:
        return cls(obj.document, obj.pointer, obj.line, obj.describe(), tuple(operations), reason)


@dataclass(frozen=True)
class Plan:
    """What a transform would do: edits per object, and warnings for the user."""

    transform: str
    edits: tuple[Edit, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not any(edit.operations for edit in self.edits)


@dataclass(frozen=True)
class Change:
    """One applied operation, for reports: where it happened and what it did."""

    transform: str
    source: str
    document: int
    line: int
    object: str
    op: str
    pointer: str
    reason: str = ""

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.transform}: {self.object}: {self.op} {self.pointer or '/'}" + (
            f" ({self.reason})" if self.reason else ""
        )


@dataclass(frozen=True)
class Result:
    """A transform's outcome: the new manifest, the changes made, and warnings."""

    manifest: Manifest
    changes: tuple[Change, ...] = ()
    warnings: tuple[str, ...] = ()
    plans: tuple[Plan, ...] = field(default=(), repr=False)

    @property
    def changed(self) -> bool:
        return bool(self.changes)


def execute(manifest: Manifest, plan: Plan) -> Result:
    """Apply a plan's edits to ``manifest``, reporting each operation in the plan's order.

    Each document is edited on its own, List items last first so that removing one never moves the pointer
    of another still to be edited; the new stream is then put together once, so the cost follows the edits
    and one pass over the documents, not edits times documents.
    """
    by_document: dict[int, list[Edit]] = {}
    for edit in plan.edits:
        by_document.setdefault(edit.document, []).append(edit)
    texts: dict[int, str | None] = {}
    groups_by_document: dict[int, list[list[Change]]] = {}
    for document in sorted(by_document):
        doc: Document | None = manifest.documents[document]
        groups = groups_by_document[document] = []
        for edit in sorted(by_document[document], key=lambda e: _item_order(e.pointer), reverse=True):
            assert doc is not None  # a removed document ends its loop
            changes: list[Change] = []
            groups.append(changes)
            if _removes_object(edit):
                doc = None if edit.pointer == "" else doc.apply([{"op": "remove", "path": edit.pointer}])
                changes.append(Change(plan.transform, manifest.source, document, edit.line, edit.object, "remove", edit.pointer, edit.reason))
                if doc is None:
                    break  # the document is gone; nothing else in it can be edited
                continue
            if not edit.operations:
                continue
            doc = doc.apply(edit.operations, base=edit.pointer)
            changes.extend(
                Change(plan.transform, manifest.source, document, edit.line, edit.object, op["op"], edit.pointer + op["path"], edit.reason)
                for op in edit.operations
                if op["op"] != "test"
            )
        texts[document] = None if doc is None else doc.text
    ordered = [
        change
        for document in sorted(groups_by_document)
        for group in reversed(groups_by_document[document])  # edits ran last item first
        for change in group
    ]
    return Result(manifest.edited(texts), tuple(ordered), plan.warnings, (plan,))


def _removes_object(edit: Edit) -> bool:
    return any(op["op"] == "remove" and op["path"] == "" for op in edit.operations)


def _item_order(pointer: str) -> tuple[int, ...]:
    return tuple(int(p) for p in pointer.split("/") if p.isdigit())


Step = Callable[[Manifest], Result]


def pipeline(*steps: Step) -> Step:
    """Compose steps in order into one step; reports are concatenated."""

    def run(manifest: Manifest) -> Result:
        return apply(manifest, steps)

    return run


def apply(manifest: Manifest, steps: Sequence[Step]) -> Result:
    """Run ``steps`` in order, each on the previous one's output, and merge their reports."""
    changes: list[Change] = []
    warnings: list[str] = []
    plans: list[Plan] = []
    current = manifest
    for step in steps:
        result = step(current)
        current = result.manifest
        changes.extend(result.changes)
        warnings.extend(result.warnings)
        plans.extend(result.plans)
    return Result(current, tuple(changes), tuple(warnings), tuple(plans))
