"""``modernize``: move objects off the API versions a chosen Kubernetes release no longer serves.

Istio 1.0's manifests were written for Kubernetes 1.15; later releases removed the API versions they use.
Given ``kubernetes_version``, this transform converts exactly the objects whose apiVersion that release no
longer serves, and nothing else (an object whose version is merely deprecated stays as it is):

==========================================  ==================================  ==========
from                                        to                                  removed in
==========================================  ==================================  ==========
Deployment, DaemonSet, ReplicaSet,          ``apps/v1``                         1.16
StatefulSet in ``extensions/v1beta1``,
``apps/v1beta1``, ``apps/v1beta2``
RBAC kinds ``rbac.authorization.k8s.io/``   ``rbac.authorization.k8s.io/v1``    1.22
``v1alpha1``, ``v1beta1``
Mutating/ValidatingWebhookConfiguration     ``admissionregistration.k8s.io/v1`` 1.22
``admissionregistration.k8s.io/v1beta1``
CustomResourceDefinition                    ``apiextensions.k8s.io/v1``         1.22
``apiextensions.k8s.io/v1beta1``
PodDisruptionBudget ``policy/v1beta1``      ``policy/v1``                       1.25
HorizontalPodAutoscaler                     ``autoscaling/v2``                  1.25
``autoscaling/v2beta1``
HorizontalPodAutoscaler                     ``autoscaling/v2``                  1.26
``autoscaling/v2beta2``
==========================================  ==================================  ==========

What each conversion adds, beyond the new apiVersion:

- Workloads: ``spec.selector`` when it is absent, as ``matchLabels`` with *all* the pod template's labels as
  written (the last writing of a repeated label). That is the selector the old API versions defaulted to,
  so it equals the selector a running object already has; selectors are immutable, and any other choice would
  make ``kubectl apply`` fail on an upgraded cluster. The price: changing a template label later needs a new
  selector, and so a delete and re-create. A HorizontalPodAutoscaler's ``scaleTargetRef`` that names a removed
  workload version is moved to ``apps/v1`` too (the HPA controller cannot find ``extensions`` Deployments).
  A DaemonSet or StatefulSet without ``updateStrategy`` gets a warning: the default changed from
  ``OnDelete`` to ``RollingUpdate``.
- HorizontalPodAutoscaler ``v2beta1``: each metric's target becomes a ``target`` block
  (``targetAverageUtilization: 60`` -> ``target: {type: Utilization, averageUtilization: 60}``,
  ``targetAverageValue`` -> ``AverageValue``, ``targetValue`` -> ``Value``), ``metricName``/``selector``
  become ``metric: {name, selector}``, and an Object metric's ``target`` reference becomes ``describedObject``.
  ``v2beta2`` has v2's shape: only the apiVersion changes.
- Webhook configurations: each webhook gets the values v1beta1 defaulted to for the fields v1 requires or
  defaults differently: ``admissionReviewVersions: [v1beta1]``, ``failurePolicy: Ignore``,
  ``matchPolicy: Exact``, ``timeoutSeconds: 30``; ``sideEffects`` (v1beta1's default ``Unknown`` is refused by
  v1) becomes ``None``, with a warning to check that the webhook really has no side effects. A webhook that
  declares ``sideEffects: Some`` is left for you to fix, with a warning.
- CustomResourceDefinitions: ``spec.version`` becomes ``spec.versions`` (served and stored); the top-level
  ``validation``, ``subresources`` and ``additionalPrinterColumns`` move into each version, and printer
  columns' ``JSONPath`` becomes ``jsonPath``; a CRD without a schema gets ``{type: object,
  x-kubernetes-preserve-unknown-fields: true}`` (v1beta1 kept unknown fields); ``scope`` defaults to
  ``Namespaced``. What v1 cannot express the same way (pruning of fields a schema does not declare,
  ``preserveUnknownFields: true``, a schema without a root ``type: object``, webhook conversion) is a warning
  naming the CRD.
- PodDisruptionBudget: an empty selector (``{}``) selected no pod in v1beta1 and selects every pod of the
  namespace in v1: a warning says so.

Objects of other removed API versions (Ingress, CronJob, PodSecurityPolicy, ...) are reported in warnings,
not converted. Edits are minimal: the apiVersion line changes and the added lines appear; moved values (a CRD's
schema, a renamed field) are removed and added again.

Options:
    kubernetes_version: the target release, ``"1.25"`` (``"v1.25"`` and ``"1.25.3"`` are read as 1.25).

Example:
    >>> from istio_patch import load
    >>> m = load("apiVersion: policy/v1beta1\\nkind: PodDisruptionBudget\\nmetadata:\\n  name: p\\n")
    >>> print(modernize(m, kubernetes_version="1.25").manifest.render(), end="")
    apiVersion: policy/v1
    kind: PodDisruptionBudget
    metadata:
      name: p
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .._manifest import KubeObject, Manifest
from .._models import (
    CustomResourceDefinition,
    CustomResourceDefinitionVersion,
    DaemonSet,
    Deployment,
    HorizontalPodAutoscaler,
    KubeObjectModel,
    MutatingWebhookConfiguration,
    PodDisruptionBudget,
    ReplicaSet,
    StatefulSet,
    ValidatingWebhookConfiguration,
)
from .._versions import Version, parse_kubernetes_version
from ._base import Edit, Plan, Result, TransformOptions, typed
from ._descriptor import Flag, Transform
from ._options import FieldError

__all__ = ["ModernizeOptions", "plan_modernize", "modernize", "TRANSFORM"]

Op = dict[str, Any]


@dataclass(frozen=True, kw_only=True)
class ModernizeOptions(TransformOptions):
    """Options of :func:`modernize`."""

    kubernetes_version: str

    def _check(self) -> None:
        try:
            parse_kubernetes_version(self.kubernetes_version)
        except ValueError as exc:
            raise FieldError(("kubernetes_version",), str(exc)) from None

    @property
    def target(self) -> Version:
        """The target release as (major, minor)."""
        return parse_kubernetes_version(self.kubernetes_version)


@dataclass(frozen=True)
class _Conversion:
    """Objects of ``kinds`` in one of ``old`` API versions move to ``new`` once ``removed_in`` is reached."""

    old: frozenset[str]
    kinds: frozenset[str]
    removed_in: Version
    new: str
    more: Callable[[Any], tuple[list[Op], list[str]]]


_WORKLOAD_KINDS = frozenset({"Deployment", "DaemonSet", "ReplicaSet", "StatefulSet"})
_OLD_WORKLOAD_VERSIONS = frozenset({"extensions/v1beta1", "apps/v1beta1", "apps/v1beta2"})
_WEBHOOK_KINDS = frozenset({"MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"})

# Old API versions that later releases removed and this transform does not convert, with what replaces them.
_NOT_CONVERTED: Mapping[tuple[str, str], tuple[Version, str]] = {
    ("extensions/v1beta1", "Ingress"): ((1, 22), "networking.k8s.io/v1 (its backend shape changed)"),
    ("networking.k8s.io/v1beta1", "Ingress"): ((1, 22), "networking.k8s.io/v1 (its backend shape changed)"),
    ("extensions/v1beta1", "NetworkPolicy"): ((1, 16), "networking.k8s.io/v1"),
    ("extensions/v1beta1", "PodSecurityPolicy"): ((1, 16), "policy/v1beta1 (itself removed in 1.25)"),
    ("policy/v1beta1", "PodSecurityPolicy"): ((1, 25), "Pod Security admission (namespace labels)"),
    ("batch/v1beta1", "CronJob"): ((1, 25), "batch/v1"),
    ("batch/v2alpha1", "CronJob"): ((1, 21), "batch/v1"),
    ("scheduling.k8s.io/v1beta1", "PriorityClass"): ((1, 22), "scheduling.k8s.io/v1"),
    ("storage.k8s.io/v1beta1", "StorageClass"): ((1, 22), "storage.k8s.io/v1"),
    ("apiregistration.k8s.io/v1beta1", "APIService"): ((1, 22), "apiregistration.k8s.io/v1"),
    ("certificates.k8s.io/v1beta1", "CertificateSigningRequest"): ((1, 22), "certificates.k8s.io/v1"),
}


def plan_modernize(manifest: Manifest, options: ModernizeOptions) -> Plan:
    """The operations that move every object off the API versions ``options.kubernetes_version`` removed.

    Objects already on served versions get no edit (and are not read as models), so the plan of a modernized
    manifest is empty. ModelValidationError names a field of a converted object that does not have
    Kubernetes' type.
    """
    target = options.target
    edits: list[Edit] = []
    said: dict[str, list[KubeObject]] = {}  # each note once, with the objects it is about
    for obj in manifest.objects():
        if not _concerns(obj, target):
            continue
        model: KubeObjectModel = typed(manifest, obj)
        ops, notes = _operations(model, target)
        if ops:
            edits.append(Edit.on(model, ops, _reason(obj, target)))
        for note in notes:
            said.setdefault(note, []).append(obj)
    return Plan("modernize", tuple(edits), tuple(_warning(note, objects) for note, objects in said.items()))


def _warning(note: str, objects: list[KubeObject]) -> str:
    """One warning per note: about one object, or about several at once (a chart's twelve Deployments)."""
    if len(objects) == 1:
        obj = objects[0]
        return f"modernize: {obj.describe()} ({obj.source}:{obj.line}): {note}"
    listed = ", ".join(f"{obj.describe()} ({obj.source}:{obj.line})" for obj in objects)
    return f"modernize: {len(objects)} objects: {note}: {listed}"


def modernize(
    manifest: Manifest,
    options: ModernizeOptions | None = None,
    *,
    kubernetes_version: str | None = None,
    allow_no_match: bool | None = None,
) -> Result:
    """Move objects off the API versions ``kubernetes_version`` no longer serves (:func:`plan_modernize`);
    pass ``options`` or the options as keywords."""
    return TRANSFORM.call(manifest, options, dict(kubernetes_version=kubernetes_version, allow_no_match=allow_no_match))


def _concerns(obj: KubeObject, target: Version) -> bool:
    """Whether ``obj`` may need a conversion or a warning at ``target`` (decided without reading it as a model)."""
    removed = _NOT_CONVERTED.get((obj.api_version or "", obj.kind or ""))
    return (
        _conversion_of(obj, target) is not None
        or (obj.kind == "HorizontalPodAutoscaler" and target >= (1, 16))
        or (removed is not None and target >= removed[0])
    )


def _conversion_of(obj: KubeObject | KubeObjectModel, target: Version) -> _Conversion | None:
    for conversion in _CONVERSIONS:
        if obj.api_version in conversion.old and obj.kind in conversion.kinds and target >= conversion.removed_in:
            return conversion
    return None


def _reason(obj: KubeObject, target: Version) -> str:
    conversion = _conversion_of(obj, target)
    if conversion is None:
        return "scaleTargetRef names a workload API version that is no longer served"
    since = conversion.removed_in
    return f"{obj.api_version} {obj.kind} is not served since Kubernetes {since[0]}.{since[1]}"


def _operations(obj: KubeObjectModel, target: Version) -> tuple[list[Op], list[str]]:
    ops: list[Op] = []
    notes: list[str] = []
    conversion = _conversion_of(obj, target)
    if conversion is not None:
        ops.append({"op": "replace", "path": "/apiVersion", "value": conversion.new})
        more_ops, more_notes = conversion.more(obj)
        ops.extend(more_ops)
        notes.extend(more_notes)
    if isinstance(obj, HorizontalPodAutoscaler) and target >= (1, 16):
        ops.extend(_scale_target_ops(obj))
    removed = _NOT_CONVERTED.get((obj.api_version or "", obj.kind or ""))
    if removed is not None and target >= removed[0]:
        since, replacement = removed
        notes.append(
            f"{obj.api_version} {obj.kind} is not served since Kubernetes {since[0]}.{since[1]} and modernize "
            f"does not convert it: rewrite it by hand for {replacement}"
        )
    return ops, notes


# ---- workloads ---------------------------------------------------------------------------------------------

# Fields of the old workload versions that apps/v1 does not have (the API server drops them).
_WORKLOAD_ONLY_OLD = ("rollbackTo", "templateGeneration")


def _workload(obj: Deployment | DaemonSet | ReplicaSet | StatefulSet) -> tuple[list[Op], list[str]]:
    spec = obj.spec
    ops: list[Op] = []
    notes: list[str] = []
    if not spec.has("selector"):
        labels = obj.template_labels()
        if labels:
            ops.append({"op": "add", "path": "/spec/selector", "value": {"matchLabels": dict(labels)}})
            notes.append(
                "apps/v1 requires spec.selector: added matchLabels with all the pod template's labels, the selector "
                f"{obj.api_version} defaulted to (selectors are immutable; changing a template label later needs a "
                "new object)"
            )
        else:
            notes.append(
                "apps/v1 requires spec.selector and the pod template has no labels to build one from: add both by hand"
            )
    for key in _WORKLOAD_ONLY_OLD:
        if spec.has(key):
            ops.append({"op": "remove", "path": f"/spec/{key}"})
            notes.append(f"removed spec.{key}, which apps/v1 does not have")
    if obj.kind in ("DaemonSet", "StatefulSet") and not spec.has("updateStrategy") and obj.api_version != "apps/v1beta2":
        notes.append(
            f"the default updateStrategy of a {obj.kind} was OnDelete in {obj.api_version} and is RollingUpdate in "
            "apps/v1: add 'updateStrategy: {type: OnDelete}' to keep manual updates"
        )
    return ops, notes


def _scale_target_ops(obj: HorizontalPodAutoscaler) -> list[Op]:
    ref = obj.spec.scale_target_ref
    if ref is not None and ref.api_version in _OLD_WORKLOAD_VERSIONS and ref.kind in _WORKLOAD_KINDS:
        return [{"op": "replace", "path": "/spec/scaleTargetRef/apiVersion", "value": "apps/v1"}]
    return []


# ---- HorizontalPodAutoscaler -------------------------------------------------------------------------------


def _hpa_v2beta1(obj: HorizontalPodAutoscaler) -> tuple[list[Op], list[str]]:
    ops: list[Op] = []
    notes: list[str] = []
    for i, metric in enumerate(obj.spec.metrics or ()):
        kind = metric.type
        field = _METRIC_SOURCES.get(kind or "")
        body = getattr(metric, field) if field else None
        if field is None or body is None:
            notes.append(f"metric {i} (type {kind!r}) has no autoscaling/v2 conversion: check it by hand")
            continue
        base = f"/spec/metrics/{i}/{field}"
        metric_ops, metric_notes = _METRIC_CONVERSIONS[field](base, body)
        ops.extend(metric_ops)
        notes.extend(f"metric {i} ({kind}): {note}" for note in metric_notes)
    if obj.has("status"):
        notes.append("status has the autoscaling/v2beta1 shape; the API server ignores it, remove it")
    return ops, notes


def _metric_target(
    base: str, body: Mapping[str, Any], fields: tuple[tuple[str, str, str], ...]
) -> tuple[list[Op], list[str]]:
    """Replace the first old target field present (in ``fields`` order) by a v2 ``target`` block."""
    present = [(old, kind, new) for old, kind, new in fields if old in body]
    if not present:
        return [], ["it has no target value: add a target block by hand"]
    ops: list[Op] = [{"op": "remove", "path": f"{base}/{old}"} for old, _, _ in present]
    old, kind, new = present[0]
    ops.append({"op": "add", "path": f"{base}/target", "value": {"type": kind, new: body[old]}})
    notes = [f"{extra} dropped: v2 takes one target, kept {old}" for extra, _, _ in present[1:]]
    return ops, notes


def _metric_identifier(base: str, body: Mapping[str, Any], selector_field: str) -> list[Op]:
    if "metricName" not in body:
        return []
    identifier: dict[str, Any] = {"name": body["metricName"]}
    ops: list[Op] = [{"op": "remove", "path": f"{base}/metricName"}]
    if selector_field in body:
        identifier["selector"] = body[selector_field]
        ops.append({"op": "remove", "path": f"{base}/{selector_field}"})
    ops.append({"op": "add", "path": f"{base}/metric", "value": identifier})
    return ops


_METRIC_SOURCES = {"Resource": "resource", "Pods": "pods", "Object": "object", "External": "external"}
_AVERAGE_UTILIZATION = ("targetAverageUtilization", "Utilization", "averageUtilization")
_AVERAGE_VALUE = ("targetAverageValue", "AverageValue", "averageValue")
_VALUE = ("targetValue", "Value", "value")


def _resource_metric(base: str, body: Mapping[str, Any]) -> tuple[list[Op], list[str]]:
    return _metric_target(base, body, (_AVERAGE_UTILIZATION, _AVERAGE_VALUE))


def _pods_metric(base: str, body: Mapping[str, Any]) -> tuple[list[Op], list[str]]:
    ops, notes = _metric_target(base, body, (_AVERAGE_VALUE,))
    return _metric_identifier(base, body, "selector") + ops, notes


def _external_metric(base: str, body: Mapping[str, Any]) -> tuple[list[Op], list[str]]:
    ops, notes = _metric_target(base, body, (_VALUE, _AVERAGE_VALUE))
    return _metric_identifier(base, body, "metricSelector") + ops, notes


def _object_metric(base: str, body: Mapping[str, Any]) -> tuple[list[Op], list[str]]:
    ops: list[Op] = []
    # v2beta1's "target" is the object described; v2 calls that describedObject and uses "target" for the value
    if "target" in body:
        ops += [
            {"op": "remove", "path": f"{base}/target"},
            {"op": "add", "path": f"{base}/describedObject", "value": body["target"]},
        ]
    target_ops, notes = _metric_target(base, body, (_VALUE, ("averageValue", "AverageValue", "averageValue")))
    return ops + _metric_identifier(base, body, "selector") + target_ops, notes


_METRIC_CONVERSIONS: Mapping[str, Callable[[str, Mapping[str, Any]], tuple[list[Op], list[str]]]] = {
    "resource": _resource_metric,
    "pods": _pods_metric,
    "object": _object_metric,
    "external": _external_metric,
}


def _nothing_more(obj: KubeObjectModel) -> tuple[list[Op], list[str]]:
    return [], []


# ---- PodDisruptionBudget -----------------------------------------------------------------------------------


def _pdb(obj: PodDisruptionBudget) -> tuple[list[Op], list[str]]:
    selector = obj.spec.selector
    if selector is not None and not selector.match_labels and not selector.match_expressions:
        return [], [
            "its empty selector selected no pod in policy/v1beta1 and selects every pod of the namespace in policy/v1"
        ]
    return [], []


# ---- admission webhooks ------------------------------------------------------------------------------------

# What v1beta1 defaulted to where v1 requires a value or defaults to another one.
_WEBHOOK_DEFAULTS: tuple[tuple[str, Any], ...] = (
    ("admissionReviewVersions", ["v1beta1"]),
    ("failurePolicy", "Ignore"),
    ("matchPolicy", "Exact"),
    ("timeoutSeconds", 30),
)


def _webhooks(obj: MutatingWebhookConfiguration | ValidatingWebhookConfiguration) -> tuple[list[Op], list[str]]:
    ops: list[Op] = []
    notes: list[str] = []
    for i, webhook in enumerate(obj.webhooks or ()):
        name = webhook.name if webhook.has("name") else i
        side_effects = webhook.side_effects if webhook.has("sideEffects") else "Unknown"
        if side_effects == "Unknown":
            path = f"/webhooks/{i}/sideEffects"
            ops.append({"op": "replace" if webhook.has("sideEffects") else "add", "path": path, "value": "None"})
            notes.append(
                f"webhook {name}: sideEffects Unknown (v1beta1's default) is refused by v1: set to None; check that "
                "the webhook has no side effects (or supports dry run and say NoneOnDryRun)"
            )
        elif side_effects == "Some":
            notes.append(
                f"webhook {name}: sideEffects Some is refused by v1: the webhook must support dry run "
                "(NoneOnDryRun) or have no side effects (None); set it by hand"
            )
        filled = []
        for key, value in _WEBHOOK_DEFAULTS:
            if not webhook.has(key):
                ops.append({"op": "add", "path": f"/webhooks/{i}/{key}", "value": value})
                filled.append(f"{key}: {_shown(value)}")
        if filled:
            notes.append(f"webhook {name}: filled in v1beta1's defaults, which v1 requires or changed: {', '.join(filled)}")
    return ops, notes


def _shown(value: Any) -> str:
    return "[" + ", ".join(map(str, value)) + "]" if isinstance(value, list) else str(value)


# ---- CustomResourceDefinition ------------------------------------------------------------------------------

_PRESERVE_UNKNOWN = {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
# Top-level v1beta1 fields that v1 has per version (and the key they get there).
_PER_VERSION = (
    ("validation", "schema"),
    ("subresources", "subresources"),
    ("additionalPrinterColumns", "additionalPrinterColumns"),
)


def _crd(obj: CustomResourceDefinition) -> tuple[list[Op], list[str]]:
    spec = obj.spec
    if spec is None:
        return [], ["it has no spec: write spec.group, spec.names, spec.scope and spec.versions by hand"]
    written = spec.to_data()  # the values that move, exactly as written
    ops: list[Op] = []
    notes: list[str] = []
    shared = {
        new: _columns(spec.additional_printer_columns or []) if old == "additionalPrinterColumns" else written[old]
        for old, new in _PER_VERSION
        if spec.has(old)
    }
    ops.extend({"op": "remove", "path": f"/spec/{old}"} for old, _ in _PER_VERSION if spec.has(old))
    if spec.versions:
        if spec.has("version"):
            ops.append({"op": "remove", "path": "/spec/version"})
        for i, version in enumerate(spec.versions):
            ops.extend(_version_ops(f"/spec/versions/{i}", version, shared))
            schema = version.schema_ if version.has("schema") else shared.get("schema")
            notes.extend(_schema_notes(schema, spec.preserve_unknown_fields))
    elif spec.version is not None:
        entry = {"name": spec.version, "served": True, "storage": True, **shared}
        entry.setdefault("schema", {"openAPIV3Schema": dict(_PRESERVE_UNKNOWN)})
        ops += [{"op": "remove", "path": "/spec/version"}, {"op": "add", "path": "/spec/versions", "value": [entry]}]
        notes.extend(_schema_notes(shared.get("schema"), spec.preserve_unknown_fields))
    else:
        notes.append("it names no version (spec.version or spec.versions): add spec.versions by hand")
    if not spec.has("scope"):
        ops.append({"op": "add", "path": "/spec/scope", "value": "Namespaced"})
    if spec.preserve_unknown_fields is True:
        ops.append({"op": "remove", "path": "/spec/preserveUnknownFields"})
        notes.append(
            "removed preserveUnknownFields: true, which v1 refuses: v1 prunes fields the schema does not declare "
            "unless the schema says x-kubernetes-preserve-unknown-fields"
        )
    if (spec.conversion or {}).get("strategy") == "Webhook":
        notes.append(
            "its conversion webhook is not converted: v1 moves webhookClientConfig to conversion.webhook.clientConfig "
            "and requires conversionReviewVersions"
        )
    return ops, list(dict.fromkeys(notes))  # one note per CRD, however many versions it has


def _version_ops(base: str, version: CustomResourceDefinitionVersion, shared: Mapping[str, Any]) -> list[Op]:
    ops: list[Op] = []
    for i, column in enumerate(version.additional_printer_columns or ()):
        if "JSONPath" in column:
            ops += [
                {"op": "remove", "path": f"{base}/additionalPrinterColumns/{i}/JSONPath"},
                {"op": "add", "path": f"{base}/additionalPrinterColumns/{i}/jsonPath", "value": column["JSONPath"]},
            ]
    for key, value in shared.items():
        if not version.has(key):
            ops.append({"op": "add", "path": f"{base}/{key}", "value": value})
    if not version.has("schema") and "schema" not in shared:
        ops.append({"op": "add", "path": f"{base}/schema", "value": {"openAPIV3Schema": dict(_PRESERVE_UNKNOWN)}})
    return ops


def _columns(columns: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Printer columns with ``JSONPath`` spelled ``jsonPath``, each keeping its other fields in order."""
    return [{("jsonPath" if key == "JSONPath" else key): value for key, value in column.items()} for column in columns]


def _schema_notes(schema: object, preserve_unknown_fields: bool | None) -> list[str]:
    root = schema.get("openAPIV3Schema") if isinstance(schema, Mapping) else None
    if root is None:
        return []
    notes = []
    if not isinstance(root, Mapping) or root.get("type") != "object":
        notes.append("its schema has no root 'type: object', which v1 requires: fix the schema by hand")
    if preserve_unknown_fields is not False and not (isinstance(root, Mapping) and root.get("x-kubernetes-preserve-unknown-fields")):
        notes.append(
            "v1beta1 kept fields its schema does not declare and v1 prunes them: check that the schema declares "
            "every field in use (v1 also requires a type on every schema node)"
        )
    return notes


_CONVERSIONS: tuple[_Conversion, ...] = (
    _Conversion(_OLD_WORKLOAD_VERSIONS, _WORKLOAD_KINDS, (1, 16), "apps/v1", _workload),
    _Conversion(
        frozenset({"rbac.authorization.k8s.io/v1beta1", "rbac.authorization.k8s.io/v1alpha1"}),
        frozenset({"Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"}),
        (1, 22),
        "rbac.authorization.k8s.io/v1",
        _nothing_more,
    ),
    _Conversion(
        frozenset({"admissionregistration.k8s.io/v1beta1"}),
        _WEBHOOK_KINDS,
        (1, 22),
        "admissionregistration.k8s.io/v1",
        _webhooks,
    ),
    _Conversion(
        frozenset({"apiextensions.k8s.io/v1beta1"}),
        frozenset({"CustomResourceDefinition"}),
        (1, 22),
        "apiextensions.k8s.io/v1",
        _crd,
    ),
    _Conversion(frozenset({"policy/v1beta1"}), frozenset({"PodDisruptionBudget"}), (1, 25), "policy/v1", _pdb),
    _Conversion(
        frozenset({"autoscaling/v2beta1"}),
        frozenset({"HorizontalPodAutoscaler"}),
        (1, 25),
        "autoscaling/v2",
        _hpa_v2beta1,
    ),
    _Conversion(
        frozenset({"autoscaling/v2beta2"}),
        frozenset({"HorizontalPodAutoscaler"}),
        (1, 26),
        "autoscaling/v2",
        _nothing_more,
    ),
)


TRANSFORM = Transform(
    name="modernize",
    summary="move objects off the API versions a Kubernetes release no longer serves",
    options=ModernizeOptions,
    plan=plan_modernize,
    function=modernize,
    flag=Flag("--modernize", option="kubernetes_version", metavar="X.Y", help="move objects off the API versions Kubernetes X.Y no longer serves"),
    doc=__doc__ or "",
)
