"""``label_namespaces``: set labels on Namespace objects (step 10 of the guide).

The guide ran ``kubectl label namespace default istio-injection=enabled`` so that Istio injects its sidecar
into the Pods of ``default``. This transform writes the same labels into the manifest: on each Namespace
named in ``names`` (top-level or inside ``kind: List``), each label is added, or its value replaced; labels
already right are left alone, so a second run changes nothing.

The namespaces are named explicitly (there is no "every Namespace"): labelling a namespace changes what
runs in it, so it should never happen by accident. A name with no Namespace object in the manifest is a
SelectorError, unless ``create_missing`` is set: then a Namespace document is appended for it (in the order
of ``names``) after a ``---`` line, written with the stream's line breaks. Applying such a document to an
existing namespace (``default`` always exists) just adds the labels, as ``kubectl label`` would.
``allow_no_match`` skips missing names instead.

Options:
    names: the namespaces, e.g. ``["default"]``.
    labels: label -> value, e.g. ``{"istio-injection": "enabled"}``; keys and values follow Kubernetes'
        label syntax (checked).
    create_missing: append a Namespace document for each name the manifest lacks.

Example:
    >>> from istio_patch import load
    >>> m = load("apiVersion: v1\\nkind: Namespace\\nmetadata:\\n  name: demo\\n")
    >>> out = label_namespaces(m, names=["demo", "default"], labels={"istio-injection": "enabled"}, create_missing=True)
    >>> print(out.manifest.render(), end="")
    apiVersion: v1
    kind: Namespace
    metadata:
      name: demo
      labels:
        istio-injection: enabled
    ---
    apiVersion: v1
    kind: Namespace
    metadata:
      name: default
      labels:
        istio-injection: enabled
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from .._emit import key_text, scalar_text
from .._errors import SelectorError
from .._manifest import Manifest
from .._models import Namespace
from .._pointer import escape
from ._base import (
    Change,
    Edit,
    Plan,
    Result,
    Selector,
    TransformOptions,
    execute,
    objects_matching,
    typed,
)
from ._descriptor import Flag, Modifier, Transform
from ._options import Bounds, FieldError, trusted

__all__ = ["LabelNamespacesOptions", "plan_label_namespaces", "label_namespaces", "TRANSFORM"]

with trusted():
    _NAMESPACES = Selector(kind="Namespace")

_NAME = re.compile(r"([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9]\Z")
_PREFIX = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\Z")
_NAMESPACE = re.compile(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\Z")


@dataclass(frozen=True, kw_only=True)
class LabelNamespacesOptions(TransformOptions):
    """Options of :func:`label_namespaces`."""

    names: Annotated[list[str], Bounds(min_length=1)]
    labels: Annotated[dict[str, str], Bounds(min_length=1)]
    create_missing: bool = False

    def _check(self) -> None:
        for index, name in enumerate(self.names):
            if not _NAMESPACE.match(name):
                raise FieldError(("names", index), f"{name!r} is not a namespace name (lower-case letters, digits and '-', at most 63)")
        object.__setattr__(self, "names", list(dict.fromkeys(self.names)))
        for key, text in self.labels.items():
            prefix, _, name = key.rpartition("/")
            if not _NAME.match(name) or (prefix and (len(prefix) > 253 or not _PREFIX.match(prefix))) or (not prefix and "/" in key):
                raise FieldError(("labels", key), f"{key!r} is not a label key (an optional DNS prefix and '/', then a name of at most 63 characters)")
            if text and not _NAME.match(text):
                raise FieldError(("labels", key), f"{text!r} is not a label value for {key} (at most 63 letters, digits, '-', '_' or '.')")


def plan_label_namespaces(manifest: Manifest, options: LabelNamespacesOptions) -> Plan:
    """The operations that set the labels on the named Namespaces (new documents are made by the caller).

    Raises SelectorError for a name with no Namespace when neither ``create_missing`` nor ``allow_no_match``.
    """
    edits = []
    notes = []
    found: set[str] = set()
    namespaces = list(objects_matching(manifest, _NAMESPACES))
    for obj in namespaces:
        if obj.name not in options.names:
            continue
        found.add(obj.name)
        namespace = typed(manifest, obj, Namespace)
        ops = _operations(namespace, options.labels)
        if ops:
            edits.append(Edit.on(namespace, ops, "labels " + ",".join(f"{k}={v}" for k, v in options.labels.items())))
        else:
            notes.append(f"label_namespaces: {namespace.describe()} has the labels already")
    missing = [name for name in options.names if name not in found]
    if missing and not options.create_missing and not options.allow_no_match:
        have = sorted({o.name for o in namespaces if o.name})
        raise SelectorError(
            f"label_namespaces: no Namespace named {', '.join(missing)}"
            + (f"; Namespaces here: {', '.join(have)}" if have else "; the manifest has no Namespace")
            + " (create_missing=True adds them)",
            source=manifest.source,
        )
    return Plan("label_namespaces", tuple(edits), notes=tuple(notes))


def _operations(namespace: Namespace, labels: dict[str, str]) -> list[dict[str, Any]]:
    if not namespace.has("metadata"):
        return [{"op": "add", "path": "/metadata", "value": {"labels": dict(labels)}}]
    current = namespace.metadata.labels
    if current is None:
        return [{"op": "add", "path": "/metadata/labels", "value": dict(labels)}]
    ops: list[dict[str, Any]] = []
    for key, value in labels.items():
        if key not in current:
            ops.append({"op": "add", "path": f"/metadata/labels/{escape(key)}", "value": value})
        elif current[key] != value:
            ops.append({"op": "replace", "path": f"/metadata/labels/{escape(key)}", "value": value})
    return ops


def _missing(manifest: Manifest, options: LabelNamespacesOptions) -> list[str]:
    present = {o.name for o in objects_matching(manifest, _NAMESPACES)}
    return [name for name in options.names if name not in present]


def _namespace_document(name: str, labels: dict[str, str], newline: str, after_text: bool) -> str:
    lines = ["---", "apiVersion: v1", "kind: Namespace", "metadata:", f"  name: {scalar_text(name)}", "  labels:"]
    lines.extend(f"    {key_text(k)}: {scalar_text(v)}" for k, v in labels.items())
    text = newline.join(lines) + newline
    return newline + text if after_text else text


def _newline(manifest: Manifest) -> str:
    text = manifest.render()
    at = text.find("\n")
    return "\r\n" if at > 0 and text[at - 1] == "\r" else "\n"


def label_namespaces(
    manifest: Manifest,
    options: LabelNamespacesOptions | None = None,
    *,
    names: Sequence[str] | None = None,
    labels: Mapping[str, str] | None = None,
    create_missing: bool | None = None,
    allow_no_match: bool | None = None,
) -> Result:
    """Label Namespaces (:func:`plan_label_namespaces`), appending the missing ones when ``create_missing``;
    pass ``options`` or the options as keywords."""
    keywords = dict(names=names, labels=labels, create_missing=create_missing, allow_no_match=allow_no_match)
    return TRANSFORM.call(manifest, options, keywords)


def _run(manifest: Manifest, options: LabelNamespacesOptions) -> Result:
    result = execute(manifest, plan_label_namespaces(manifest, options))
    if not options.create_missing:
        return result
    missing = _missing(result.manifest, options)
    if not missing:
        return result
    current = result.manifest
    text = current.last_text()  # the new documents go at the end of the (last) file
    newline = _newline(current)
    # a stream without a final line break gets one before the first new `---`
    texts = [
        _namespace_document(name, options.labels, newline, i == 0 and bool(text) and not text.endswith("\n"))
        for i, name in enumerate(missing)
    ]
    appended = current.with_documents_appended(texts)
    changes = list(result.changes)
    for name, doc in zip(missing, appended.documents[len(current.documents) :]):
        first = doc.line + doc.text[: doc.text.index("apiVersion:")].count("\n")  # the object starts there
        changes.append(Change("label_namespaces", doc.source, doc.number, first, f"Namespace {name}", "add", "", "created with its labels"))
    warnings = list(result.warnings) + [
        f"label_namespaces: added a Namespace {name} to the manifest, which every cluster has already: applying it "
        f"only labels {name}, but `kubectl delete -f` of this manifest would delete the namespace {name}; "
        f"`kubectl label namespace {name} {_label_args(options.labels)}` labels it without that risk"
        for name in missing
        if name in _EVERY_CLUSTER_HAS
    ]
    return Result(appended, tuple(changes), tuple(warnings), result.plans, result.notes)


# Namespaces that exist in every cluster: a manifest that creates them gets them deleted with it.
_EVERY_CLUSTER_HAS = frozenset({"default", "kube-system", "kube-public", "kube-node-lease"})


def _label_args(labels: Mapping[str, str]) -> str:
    return " ".join(f"{key}={value}" for key, value in labels.items())


def _label(text: str) -> tuple[str, str]:
    key, eq, value = text.partition("=")
    if not eq or not key:
        raise ValueError(f"--label takes KEY=VALUE, e.g. istio-injection=enabled, not {text!r}")
    return key, value


TRANSFORM = Transform(
    name="label_namespaces",
    summary="set labels on Namespace objects, e.g. istio-injection=enabled (step 10)",
    options=LabelNamespacesOptions,
    plan=plan_label_namespaces,
    function=label_namespaces,
    run=_run,
    flag=Flag("--label-namespace", option="names", metavar="NAME", help="label a Namespace (with --label k=v)", parse=lambda text: [text]),
    modifiers=(
        Modifier("--label", option="labels", metavar="KEY=VALUE", help="a label to set; repeatable", parse=_label, repeat="merge"),
        Modifier("--add-missing", option="create_missing", help="add the Namespace when the manifest lacks it"),
    ),
    doc=__doc__ or "",
)
