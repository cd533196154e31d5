"""``to_daemonset``: run a Deployment's pods on every node instead (step 2 of the guide).

The object's ``kind`` becomes ``DaemonSet`` and the fields a DaemonSet does not have go: ``replicas``,
``strategy``, ``progressDeadlineSeconds``, ``paused`` and ``rollbackTo`` (with ``mode="comment"`` they are
commented out, as the guide did with ``replicas: 1``). Everything else, the pod template above all, stays.

The result is valid for its apiVersion:

- ``extensions/v1beta1``, ``apps/v1beta2`` and ``apps/v1`` have a DaemonSet kind and keep their apiVersion.
- ``apps/v1beta1`` has none: the object moves to ``apps/v1`` (served since Kubernetes 1.9 and still today,
  where ``apps/v1beta2`` went away in 1.16). ``apps/v1`` requires ``spec.selector``; when it is absent it is
  written as ``matchLabels`` equal to the pod template's labels, which is exactly what ``apps/v1beta1``
  defaulted it to, so the same pods are selected.

Update strategy (a Deployment rolls its pods; a DaemonSet should keep doing so on upgrades):

- ``extensions/v1beta1`` DaemonSets default to ``OnDelete``, under which ``kubectl apply`` of a new version
  changes nothing until someone deletes each pod by hand. So the DaemonSet gets
  ``updateStrategy: {type: RollingUpdate}`` explicitly: upgrades keep rolling as the Deployment's did.
- ``apps/v1beta2`` and ``apps/v1`` DaemonSets default to ``RollingUpdate``, so nothing is written unless there
  is an explicit value to carry.
- ``maxUnavailable`` is carried when it is valid for a DaemonSet (not ``0`` or ``0%``: without surge, which a
  1.15 DaemonSet lacks, a DaemonSet must be allowed to take a pod down). ``maxSurge`` is never carried.
  Whatever is dropped is reported as a warning. A Deployment's ``Recreate`` has no DaemonSet equivalent; a
  rolling update one node at a time comes closest, and is what the defaults above give.

A HorizontalPodAutoscaler whose ``scaleTargetRef`` names the Deployment (same namespace) cannot scale a
DaemonSet: it is removed, with a warning. With ``keep_hpa=True`` it stays, with a warning that it will not
work. The transform is idempotent: a DaemonSet that matches the selector with its kind changed to DaemonSet
is taken as already converted (leftover fields and HPAs are still cleaned up).

Options:
    selector: the Deployment(s); default ``Deployment istio-system/istio-ingressgateway`` (``target`` too).
    keep_hpa: keep the HorizontalPodAutoscalers that targeted the Deployment.
    mode: ``remove`` the Deployment-only fields, or ``comment`` them out.
    allow_no_match: a selector that matches nothing is not an error.

Example:
    >>> from istio_patch import load
    >>> m = load("apiVersion: apps/v1\\nkind: Deployment\\nmetadata:\\n  name: gw\\nspec:\\n  replicas: 1\\n"
    ...          "  selector:\\n    matchLabels: {app: gw}\\n  template:\\n    metadata:\\n      labels: {app: gw}\\n")
    >>> print(to_daemonset(m, selector=Selector(kind="Deployment", name="gw")).manifest.render(), end="")
    apiVersion: apps/v1
    kind: DaemonSet
    metadata:
      name: gw
    spec:
      selector:
        matchLabels: {app: gw}
      template:
        metadata:
          labels: {app: gw}
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Literal

from .._errors import ModelValidationError
from .._manifest import Manifest
from .._models import DaemonSet, Deployment, DeploymentStrategy
from ._base import (
    Edit,
    Plan,
    Result,
    SelectingOptions,
    Selector,
    autoscalers_of,
    ingress_gateway,
    objects_matching,
    one_namespace,
    select,
    typed,
)
from ._descriptor import Flag, Modifier, Transform
from ._options import FieldError, trusted

__all__ = ["ToDaemonSetOptions", "plan_to_daemonset", "to_daemonset", "DEPLOYMENT_ONLY", "TRANSFORM"]

# Deployment spec fields a DaemonSet spec does not have.
DEPLOYMENT_ONLY = ("replicas", "strategy", "progressDeadlineSeconds", "paused", "rollbackTo")

# apiVersions without a DaemonSet kind, and where their objects move.
_MOVED = {"apps/v1beta1": "apps/v1"}
# apiVersions whose DaemonSet defaults to OnDelete.
_ON_DELETE_BY_DEFAULT = ("extensions/v1beta1",)


@dataclass(frozen=True, kw_only=True)
class ToDaemonSetOptions(SelectingOptions):
    """Options of :func:`to_daemonset`."""

    ALIASES = {"target": "selector"}

    selector: Selector = ingress_gateway("Deployment")
    keep_hpa: bool = False
    mode: Literal["remove", "comment"] = "remove"

    def _check(self) -> None:
        if self.selector.kind not in (None, "Deployment", "DaemonSet"):
            raise FieldError(("selector",), f"it names {self.selector.kind} objects; to_daemonset converts Deployments")


def plan_to_daemonset(manifest: Manifest, options: ToDaemonSetOptions) -> Plan:
    """The operations that turn the selected Deployments into DaemonSets, and remove their HPAs.

    Raises SelectorError when neither a Deployment nor an already converted DaemonSet matches (unless
    ``allow_no_match``), ModelValidationError when an ``apps/v1beta1`` Deployment has neither a selector nor
    template labels to build one from, or when a field it reads does not have Kubernetes' type.
    """
    selector = options.selector
    with trusted():  # the selector was checked when the options were built
        any_kind, deployments = replace(selector, kind=None), replace(selector, kind="Deployment")
    found = [obj for obj in objects_matching(manifest, any_kind) if obj.kind in ("Deployment", "DaemonSet")]
    one_namespace(found, selector, options, what="to_daemonset", source=manifest.source)
    if not found:
        # no Deployment matched: let select() word the error (or accept the miss when it is allowed)
        select(manifest, deployments, allow_no_match=options.allow_no_match, what="to_daemonset")
        return Plan("to_daemonset")
    edits: list[Edit] = []
    warnings: list[str] = []
    notes: list[str] = []
    autoscalers = autoscalers_of(manifest)  # once, not once per workload: 8 copies, 8 workloads
    handled: set[tuple[int, str]] = set()
    for obj in found:
        workload = typed(manifest, obj)
        assert isinstance(workload, (Deployment, DaemonSet))  # found holds the objects of these two kinds only
        ops, cautions = _operations(manifest, workload, options)
        edits.append(Edit.on(workload, ops, "Deployment to DaemonSet"))
        warnings.extend(cautions)
        if not ops:
            notes.append(f"to_daemonset: {workload.describe()} is a DaemonSet already")
        for hpa in autoscalers:
            origin = hpa.origin
            assert origin is not None
            if not hpa.scales("Deployment", workload.name, workload.namespace) or (origin.index, origin.pointer) in handled:
                continue  # a stream holding the same Deployment twice (concatenated copies) names it twice
            handled.add((origin.index, origin.pointer))
            if options.keep_hpa:
                warnings.append(
                    f"to_daemonset: kept {hpa.describe()} ({origin}), but it targets Deployment {workload.name}, "
                    "which is now a DaemonSet: an HPA cannot scale a DaemonSet, so it will not work"
                )
            else:
                edits.append(Edit.on(hpa, [{"op": "remove", "path": ""}], f"an HPA cannot scale DaemonSet {workload.name}"))
                warnings.append(
                    f"to_daemonset: removed {hpa.describe()} ({origin}): an HPA cannot scale a DaemonSet "
                    "(keep_hpa=True keeps it)"
                )
    return Plan("to_daemonset", tuple(edits), tuple(warnings), tuple(notes))


def _operations(manifest: Manifest, workload: Deployment | DaemonSet, options: ToDaemonSetOptions) -> tuple[list[dict[str, Any]], list[str]]:
    spec = workload.spec
    ops: list[dict[str, Any]] = []
    warnings: list[str] = []
    api_version = workload.api_version or ""
    target_version = _MOVED.get(api_version, api_version)
    if target_version != api_version:
        ops.append({"op": "replace", "path": "/apiVersion", "value": target_version})
        if not spec.has("selector"):
            ops.append({"op": "add", "path": "/spec/selector", "value": {"matchLabels": _template_labels(manifest, workload)}})
    if workload.kind != "DaemonSet":
        ops.append({"op": "replace", "path": "/kind", "value": "DaemonSet"})
    comment = {"comment": True} if options.mode == "comment" else {}
    ops.extend({"op": "remove", "path": f"/spec/{key}", **comment} for key in DEPLOYMENT_ONLY if spec.has(key))
    if isinstance(workload, Deployment) and not spec.has("updateStrategy"):
        strategy, notes = _update_strategy(workload, workload.spec.strategy, target_version)
        warnings.extend(notes)
        if strategy is not None:
            ops.append({"op": "add", "path": "/spec/updateStrategy", "value": strategy})
    return ops, warnings


def _template_labels(manifest: Manifest, workload: Deployment | DaemonSet) -> dict[str, Any]:
    labels = workload.template_labels()
    if not labels:
        origin = workload.origin
        assert origin is not None  # read from the manifest by the planner
        raise ModelValidationError(
            f"to_daemonset: {workload.describe()} is apps/v1beta1, which has no DaemonSet; apps/v1 needs spec.selector, "
            "and the pod template has no labels to build one from: add spec.selector first",
            source=origin.source,
            line=manifest.documents[origin.index].position(origin.pointer + "/spec/template")[0],
            pointer=origin.pointer + "/spec/selector",
        )
    return labels


def _update_strategy(
    workload: Deployment, strategy: DeploymentStrategy | None, api_version: str
) -> tuple[dict[str, Any] | None, list[str]]:
    """The DaemonSet updateStrategy that carries the Deployment's intent, and warnings for what cannot be."""
    kind = (strategy.type if strategy is not None else None) or "RollingUpdate"
    rolling = strategy.rolling_update if strategy is not None else None
    warnings: list[str] = []
    carried: dict[str, Any] = {}
    if rolling is not None and rolling.has("maxSurge"):
        warnings.append(f"to_daemonset: {workload.describe()}: maxSurge {rolling.max_surge} dropped: a DaemonSet cannot surge")
    if rolling is not None and rolling.has("maxUnavailable"):
        value = rolling.max_unavailable
        if value in (0, "0%", "0"):
            warnings.append(
                f"to_daemonset: {workload.describe()}: maxUnavailable {value} dropped: a DaemonSet without surge must "
                "take a pod down to replace it (the default, 1, applies)"
            )
        else:
            carried["maxUnavailable"] = value
    if kind == "Recreate":
        warnings.append(
            f"to_daemonset: {workload.describe()}: strategy Recreate has no DaemonSet equivalent; pods are replaced "
            "one node at a time"
        )
    if carried:
        return {"type": "RollingUpdate", "rollingUpdate": carried}, warnings
    if api_version in _ON_DELETE_BY_DEFAULT:
        return {"type": "RollingUpdate"}, warnings
    return None, warnings


def to_daemonset(
    manifest: Manifest,
    options: ToDaemonSetOptions | None = None,
    *,
    selector: Selector | str | None = None,
    namespace: str | None = None,
    keep_hpa: bool | None = None,
    mode: Literal["remove", "comment"] | None = None,
    all_namespaces: bool | None = None,
    allow_no_match: bool | None = None,
) -> Result:
    """Make Deployments DaemonSets (:func:`plan_to_daemonset`); pass ``options`` or the options as keywords.

    ``selector`` is a Selector or kubectl's ``TYPE/NAME`` (with ``namespace``); by default the Istio ingress
    gateway's Deployment.
    """
    keywords = dict(selector=selector, namespace=namespace, keep_hpa=keep_hpa, mode=mode, all_namespaces=all_namespaces, allow_no_match=allow_no_match)
    return TRANSFORM.call(manifest, options, keywords)


TRANSFORM = Transform(
    name="to_daemonset",
    summary="Deployment -> DaemonSet valid for its apiVersion, its HorizontalPodAutoscaler removed (step 2)",
    options=ToDaemonSetOptions,
    plan=plan_to_daemonset,
    function=to_daemonset,
    flag=Flag("--to-daemonset", option="selector", metavar="DEPLOY", help="Deployment to DaemonSet, e.g. deploy/istio-ingressgateway"),
    modifiers=(
        Modifier("--keep-hpa", option="keep_hpa", help="keep the HorizontalPodAutoscaler that targeted the Deployment"),
        Modifier(
            "--mode",
            option="mode",
            choices=("remove", "comment"),
            help="remove the lines, or comment them out",
        ),
    ),
    doc=__doc__ or "",
)
