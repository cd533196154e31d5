"""What every transform shares: selectors, plans of RFC 6902 operations, results, and pipelines.

A transform is two pure functions: ``plan_X(manifest, options) -> Plan`` decides the operations, and
``X(manifest, options) -> Result`` applies that plan through the core. Neither changes its inputs.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields
from itertools import accumulate
from typing import TYPE_CHECKING, Any, TypeVar, overload

from .._errors import EditError, OptionsError, SelectorError
from .._kinds import KIND_ALIASES, canonical_kind, split_ref
from .._manifest import Document, KubeObject, Manifest
from .._manifest import _objects_of as objects_of
from ._options import Checked, trusted

if TYPE_CHECKING:
    from .._models import HorizontalPodAutoscaler, KubeObjectModel

    M = TypeVar("M", bound=KubeObjectModel)

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
    "documents_mentioning",
    "execute",
    "pipeline",
    "apply",
    "KIND_ALIASES",
    "TransformOptions",
    "AUTOSCALERS",
    "ingress_gateway",
    "typed",
    "canonical_kind",
    "SelectingOptions",
    "one_namespace",
]


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
        """kubectl's ``TYPE/NAME`` (or ``TYPE``, or ``NAMESPACE/TYPE/NAME``) spelling; OptionsError for others.

        ``deploy/istio-pilot``, ``svc/istio-ingressgateway``, ``deployment.apps/istio-pilot`` (what
        ``kubectl get -o name`` prints), ``ns`` (every Namespace).
        """
        try:
            written, kind, name = split_ref(text)
        except ValueError as exc:
            raise OptionsError(str(exc)) from None
        if written is not None and namespace is not None and written != namespace:
            raise OptionsError(f"the selector {text!r} names namespace {written}, and the namespace given is {namespace}")
        return cls(kind=kind, name=name or None, namespace=written or namespace)

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
    both raise OptionsError for a bad value. A selector may be written as kubectl does (``"deploy/web"``),
    with ``namespace`` beside it in data; ``namespace`` alone moves the default selector to that namespace
    (so that ``-n mesh`` finds the Istio objects in ``mesh``). See ``_options`` for why these are dataclasses.
    """

    allow_no_match: bool = False

    @classmethod
    def _prepare(cls, data: dict[str, Any]) -> dict[str, Any]:
        selector_fields = [f for f in fields(cls) if f.name == "selector"]
        if not selector_fields or "namespace" in {f.name for f in fields(cls)}:
            return data
        namespace = data.pop("namespace", None)
        if namespace is not None and (not isinstance(namespace, str) or not namespace):
            raise cls.invalid(("namespace",), "the namespace is a non-empty name", namespace)
        value = data.get("selector")
        if isinstance(value, str):
            try:
                data["selector"] = Selector.parse(value, namespace=namespace)
            except OptionsError as exc:
                raise cls.invalid(("selector",), exc.message, value) from None
        elif isinstance(value, Mapping) and namespace is not None:
            data["selector"] = {**value, "namespace": namespace}
        elif isinstance(value, Selector) and namespace is not None:
            with trusted():
                data["selector"] = Selector(kind=value.kind, name=value.name, labels=value.labels, namespace=namespace)
        elif value is None and namespace is not None:
            default = selector_fields[0].default
            with trusted():
                if isinstance(default, Selector):
                    data["selector"] = Selector(kind=default.kind, name=default.name, labels=default.labels, namespace=namespace)
                else:
                    data["selector"] = Selector(namespace=namespace)
        return data


with trusted():
    AUTOSCALERS = Selector(kind="HorizontalPodAutoscaler")  # every HPA: the objects that point at a workload


def ingress_gateway(kind: str | None = None) -> Selector:
    """``istio-system/istio-ingressgateway`` (of ``kind``, or any kind): the guide's target, the defaults' too."""
    with trusted():  # a constant: its types are right
        return Selector(kind=kind, namespace="istio-system", name="istio-ingressgateway")


@dataclass(frozen=True, kw_only=True)
class SelectingOptions(TransformOptions):
    """Base of the options of transforms that pick objects by a ``selector``.

    A selector that names an object but no namespace, and matches objects of that name in several namespaces,
    is an error (kubectl looks in one namespace unless told ``-A``), unless ``all_namespaces``.
    """

    all_namespaces: bool = False


def one_namespace(found: Sequence[KubeObject], selector: Selector, options: SelectingOptions, *, what: str, source: str) -> None:
    """SelectorError when ``selector`` names objects without a namespace and ``found`` spans several namespaces."""
    if selector.namespace is not None or selector.name is None or options.all_namespaces:
        return
    namespaces = sorted({obj.namespace or "default" for obj in found})
    if len(namespaces) > 1:
        places = ", ".join(f"{obj.describe()} (line {obj.line})" for obj in found)
        raise SelectorError(
            f"{what}: {selector.describe()} matches objects in {len(namespaces)} namespaces: {places}; "
            "say which with namespace=NAME, or all_namespaces=True for every one of them",
            source=source,
        )


@overload
def typed(manifest: Manifest, obj: KubeObject, model: None = None) -> KubeObjectModel: ...
@overload
def typed(manifest: Manifest, obj: KubeObject, model: type[M]) -> M: ...
def typed(manifest: Manifest, obj: KubeObject, model: type[Any] | None = None) -> Any:
    """The typed model of ``obj`` (the registry's for its kind, or ``model``): what a transform reads."""
    return manifest.typed(obj, model)


def autoscalers_of(manifest: Manifest) -> list[HorizontalPodAutoscaler]:
    """Every HorizontalPodAutoscaler of ``manifest``, typed; one the API server would refuse scales nothing and
    is left out."""
    from .._errors import ModelValidationError
    from .._models import HorizontalPodAutoscaler

    found = []
    for obj in objects_matching(manifest, AUTOSCALERS):
        try:
            found.append(typed(manifest, obj, HorizontalPodAutoscaler))
        except ModelValidationError:
            continue
    return found


def select(manifest: Manifest, selector: Selector, *, allow_no_match: bool = False, what: str = "") -> list[KubeObject]:
    """The objects ``selector`` matches; SelectorError when none does, unless ``allow_no_match``.

    The error says where the near matches are: the same name in another namespace, a close name, or the
    objects of that kind there are.
    """
    found = [obj for obj in objects_matching(manifest, selector)]
    if not found and not allow_no_match:
        raise SelectorError(f"{what + ': ' if what else ''}no object matches {selector.describe()}{_near(manifest, selector)}", source=manifest.source)
    return found


# How many names a "did you mean" error lists before it says how many more there are.
_SHOWN_NAMES = 12


def _near(manifest: Manifest, selector: Selector) -> str:
    """Where the objects a selector nearly matched are, for its error: the most useful hint first."""
    import difflib

    objects = manifest.objects()
    kinds = {o.kind for o in objects}
    if selector.name is None and selector.kind not in kinds and selector.kind not in KIND_ALIASES.values():
        named = sorted({f"{(o.kind or '').lower()}/{o.name}" for o in objects if o.name == selector.kind})
        if named:  # `--node-port istio-ingressgateway`: a name where TYPE/NAME was wanted
            return f"; a selector is TYPE/NAME: did you mean {' or '.join(named)}?"
        return "; a selector is TYPE/NAME, e.g. svc/istio-ingressgateway"
    same_kind = [o for o in objects if o.kind == selector.kind and o.name]
    if selector.name is not None and selector.namespace is not None:
        elsewhere = sorted({o.namespace or "default" for o in same_kind if o.name == selector.name and selector.labels.items() <= o.labels.items()})
        if elsewhere:
            return f"; {selector.kind} {selector.name} exists in namespace {', '.join(elsewhere)} (-n says where to look)"
    if selector.name is None or not same_kind:
        return ""
    names = sorted({o.name for o in same_kind if o.name})
    close = difflib.get_close_matches(selector.name, names, n=2, cutoff=0.8)
    listed = ", ".join(names[:_SHOWN_NAMES]) + (f", … ({len(names) - _SHOWN_NAMES} more)" if len(names) > _SHOWN_NAMES else "")
    hint = f"; did you mean {' or '.join(close)}? " if close else "; "
    return f"{hint}{selector.kind} objects here: {listed}"


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
# What makes might_mention look at a document whatever the word: a !!binary scalar, or an escape of the kind
# that can stand for a letter, a digit or "/".
_HIDES_WORDS = re.compile(r"binary|\\[xuU/\r\n]")
# The documents searched at once: their texts joined, about this many characters. A longer document, or one
# that is not ASCII (whose join would be two or four bytes a character), is searched alone, without a copy.
_BATCH = 1 << 18


def documents_mentioning(documents: Sequence[Document], words: Sequence[str], *, every: bool = True) -> Iterator[Document]:
    """The documents that might mention every one of ``words`` (``every``), or any of them, as
    :func:`might_mention` tells, in order.

    The texts of consecutive documents are searched together, a batch at a time, and each occurrence is given
    to its document by its offset: for a stream of a million small documents that is a search of the text,
    not a million calls per word. A document that holds one occurrence is not searched further for that word.
    """
    plain = [w for w in words if w and not _FOLDED_OR_ESCAPED.intersection(w)]
    if (every and not plain) or (not every and len(plain) < len(words)):
        yield from documents  # every document might (no word to look for, or one that any text may hide)
        return
    if not plain:
        return  # any of no words: none
    for batch in _batches(documents):
        text = batch[0].text if len(batch) == 1 else "".join(doc.text for doc in batch)
        ends = list(accumulate(len(doc.text) for doc in batch))
        chosen = _holding(text, ends, None, _HIDES_WORDS)
        found = [_holding(text, ends, word) for word in plain]
        if every:
            chosen |= set.intersection(*found)
        else:
            chosen = chosen.union(*found)
        yield from (batch[i] for i in sorted(chosen))


def _batches(documents: Sequence[Document]) -> Iterator[Sequence[Document]]:
    start = length = 0
    for end, doc in enumerate(documents):
        if not doc.text.isascii():  # a wide text alone: joined, it would widen its neighbours
            if start < end:
                yield documents[start:end]
            yield documents[end : end + 1]
            start, length = end + 1, 0
            continue
        length += len(doc.text)
        if length >= _BATCH:
            yield documents[start : end + 1]
            start, length = end + 1, 0
    if start < len(documents):
        yield documents[start:]


def _holding(text: str, ends: list[int], word: str | None, pattern: re.Pattern[str] | None = None) -> set[int]:
    """Which of the documents whose texts end at ``ends`` in ``text`` hold ``word`` (or a match of ``pattern``)
    wholly in their own text."""
    held: set[int] = set()
    at = 0
    while True:
        if word is not None:
            start = text.find(word, at)
            if start < 0:
                return held
            end = start + len(word)
        else:
            assert pattern is not None
            match = pattern.search(text, at)
            if match is None:
                return held
            start, end = match.span()
        index = bisect_right(ends, start)
        if end <= ends[index]:
            held.add(index)
            at = ends[index]  # one occurrence is enough: on to the next document
        else:
            at = start + 1  # across two documents: it is in neither


def objects_matching(manifest: Manifest, selector: Selector) -> Iterator[KubeObject]:
    """The objects ``selector`` matches, parsing only documents whose text can mention its kind and name."""
    words = [w for w in (selector.kind, selector.name) if w]
    for doc in documents_mentioning(manifest.documents, words):
        yield from (obj for obj in objects_of(doc) if selector.matches(obj))


@dataclass(frozen=True)
class Edit:
    """RFC 6902 operations on one object, with paths relative to the object.

    ``index`` is the 0-based position of the object's document in the stream, ``pointer`` the object's place in
    it, ``line`` its 1-based line. An operation ``{"op": "remove", "path": ""}`` removes the whole object (its
    document, or its List item).
    """

    index: int
    pointer: str
    line: int
    object: str
    operations: tuple[Mapping[str, Any], ...]
    reason: str = ""

    @classmethod
    def on(cls, obj: KubeObject | KubeObjectModel, operations: Iterable[Mapping[str, Any]], reason: str = "") -> Edit:
        """Operations on ``obj`` (a manifest's object, or a typed model read from one), paths relative to it."""
        if isinstance(obj, KubeObject):
            return cls(obj.index, obj.pointer, obj.line, obj.describe(), tuple(operations), reason)
        origin = obj.origin
        if origin is None:
            raise EditError(f"{obj.describe()} was not read from a manifest, so there is nothing to edit")
        return cls(origin.index, origin.pointer, origin.line, obj.describe(), tuple(operations), reason)

    @classmethod
    def between(cls, before: KubeObjectModel, after: KubeObjectModel, reason: str = "") -> Edit:
        """The edit that turns ``before`` (read from a manifest) into ``after``: "here is the object as it should be".

        ``after`` is usually ``before.model_copy(update=...)``, or another kind built from its data (a Deployment
        made a DaemonSet). The operations are the RFC 6902 difference of the two objects' data (jsonpatch),
        so only what differs is written.

        Example:
            >>> from istio_patch import load
            >>> from istio_patch.models import Service
            >>> m = load("kind: Service\\nmetadata: {name: web}\\nspec:\\n  type: LoadBalancer\\n")
            >>> web = m.objects(Service)[0]
            >>> Edit.between(web, web.model_copy(update={"spec": web.spec.model_copy(update={"type": "NodePort"})})).operations
            ({'op': 'replace', 'path': '/spec/type', 'value': 'NodePort'},)
        """
        return cls.on(before, data_difference(before.to_data(), after.to_data()), reason)


def data_difference(before: Any, after: Any) -> list[dict[str, Any]]:
    """RFC 6902 operations that turn ``before`` into ``after`` (JSON-like data), as jsonpatch computes them.

    jsonpatch compares with ``==``, for which ``1``, ``1.0`` and ``true`` are equal; where that hides a
    difference Kubernetes would see, the differing value is replaced as a whole.
    """
    import jsonpatch

    from .._edit import same_data

    operations: list[dict[str, Any]] = list(jsonpatch.make_patch(before, after))
    if same_data(jsonpatch.apply_patch(before, operations), after):
        return operations
    return _replacements(before, after, "")


def _replacements(before: Any, after: Any, pointer: str) -> list[dict[str, Any]]:
    from .._edit import same_data
    from .._pointer import escape

    if same_data(before, after):
        return []
    if isinstance(before, dict) and isinstance(after, dict):
        ops: list[dict[str, Any]] = [{"op": "remove", "path": f"{pointer}/{escape(k)}"} for k in before if k not in after]
        for key, value in after.items():
            path = f"{pointer}/{escape(key)}"
            ops += _replacements(before[key], value, path) if key in before else [{"op": "add", "path": path, "value": value}]
        return ops
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        return [op for i, (a, b) in enumerate(zip(before, after)) for op in _replacements(a, b, f"{pointer}/{i}")]
    return [{"op": "replace", "path": pointer, "value": after}]


@dataclass(frozen=True)
class Plan:
    """What a transform would do: edits per object, warnings for the user, and notes on what it found done
    already (``Service istio-system/istio-ingressgateway is already NodePort``), which ``-v`` shows.

    ``inserted`` lists the 0-based positions, in the stream its run leaves, of the documents a transform's own
    ``run`` puts between others (``split_glued``), so that what reads plans (``plan``, overlays) can tell the
    documents apart; documents appended at the end, and those its edits remove, need not be listed.
    """

    transform: str
    edits: tuple[Edit, ...] = ()
    warnings: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    inserted: tuple[int, ...] = ()

    @property
    def empty(self) -> bool:
        return not any(edit.operations for edit in self.edits)


@dataclass(frozen=True)
class Change:
    """One applied operation, for reports: where it happened (the file, the document's 1-based number, the 1-based
    line the operation edits in the input) and what it did."""

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
    notes: tuple[str, ...] = ()

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
        by_document.setdefault(edit.index, []).append(edit)
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
                changes.append(Change(plan.transform, manifest.documents[document].source, document + 1, edit.line, edit.object, "remove", edit.pointer, edit.reason))
                if doc is None:
                    break  # the document is gone; nothing else in it can be edited
                continue
            if not edit.operations:
                continue
            original = manifest.documents[document]
            changes.extend(
                Change(plan.transform, original.source, document + 1, _line_of(original, edit.pointer + op["path"]), edit.object, op["op"],
                       edit.pointer + op["path"], edit.reason)
                for op in edit.operations
                if op["op"] != "test"
            )
            doc = doc.apply(edit.operations, base=edit.pointer)
        texts[document] = None if doc is None else doc.text
    ordered = [
        change
        for document in sorted(groups_by_document)
        for group in reversed(groups_by_document[document])  # edits ran last item first
        for change in group
    ]
    return Result(manifest.edited(texts), tuple(ordered), plan.warnings, (plan,), plan.notes)


def _line_of(document: Document, pointer: str) -> int:
    """The line an operation at ``pointer`` changes, in the input: its member's (key) line, or for an addition
    the line of the nearest member that exists."""
    from .._pointer import resolve, tokens

    parts = tokens(pointer)
    found = resolve(document.node, parts, key=True)
    if not found.complete:
        found = resolve(document.node, parts[: found.depth], key=True)
    return document.line + (found.node.start_mark.line if found.node is not None else 0)


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
    notes: list[str] = []
    current = manifest
    for step in steps:
        result = step(current)
        current = result.manifest
        changes.extend(result.changes)
        warnings.extend(result.warnings)
        plans.extend(result.plans)
        notes.extend(result.notes)
    return Result(current, tuple(changes), tuple(warnings), tuple(plans), tuple(notes))
