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

from .._errors import ModelValidationError, OptionsError
from .._manifest import KubeObject, Manifest
from ._base import AUTOSCALERS, Edit, Plan, Result, Selector, TransformOptions, execute, ingress_gateway, objects_matching, select
from .._workloads import get, line_at
from ._options import trusted

__all__ = ["ToDaemonSetOptions", "plan_to_daemonset", "to_daemonset", "DEPLOYMENT_ONLY"]

# Deployment spec fields a DaemonSet spec does not have.
DEPLOYMENT_ONLY = ("replicas", "strategy", "progressDeadlineSeconds", "paused", "rollbackTo")

# apiVersions without a DaemonSet kind, and where their objects move.
_MOVED = {"apps/v1beta1": "apps/v1"}
# apiVersions whose DaemonSet defaults to OnDelete.
_ON_DELETE_BY_DEFAULT = ("extensions/v1beta1",)


@dataclass(frozen=True, kw_only=True)
class ToDaemonSetOptions(TransformOptions):
    """Options of :func:`to_daemonset`."""

    ALIASES = {"target": "selector"}

    selector: Selector = ingress_gateway("Deployment")
    keep_hpa: bool = False
    mode: Literal["remove", "comment"] = "remove"


def plan_to_daemonset(manifest: Manifest, options: ToDaemonSetOptions) -> Plan:
    """The operations that turn the selected Deployments into DaemonSets, and remove their HPAs.

    Raises SelectorError when neither a Deployment nor an already converted DaemonSet matches (unless
    ``allow_no_match``), OptionsError for a selector of another kind, ModelValidationError when an
    ``apps/v1beta1`` Deployment has neither a selector nor template labels to build one from.
    """
    selector = options.selector
    if selector.kind not in (None, "Deployment", "DaemonSet"):
        raise OptionsError(f"to_daemonset: the selector names {selector.kind} objects; it converts Deployments")
    with trusted():  # the selector was checked when the options were built
        any_kind, deployments = replace(selector, kind=None), replace(selector, kind="Deployment")
    found = [obj for obj in objects_matching(manifest, any_kind) if _is_workload(obj)]
    if not found:
        # no Deployment matched: let select() word the error (or accept the miss when it is allowed)
        select(manifest, deployments, allow_no_match=options.allow_no_match, what="to_daemonset")
        return Plan("to_daemonset")
    edits: list[Edit] = []
    warnings: list[str] = []
    autoscalers = list(objects_matching(manifest, AUTOSCALERS))  # once, not once per workload: 8 copies, 8 workloads
    handled: set[tuple[int, str]] = set()
    for obj in found:
        ops, notes = _operations(manifest, obj, options)
        edits.append(Edit.on(obj, ops, "Deployment to DaemonSet"))
        warnings.extend(notes)
        for hpa in _autoscalers_of(autoscalers, obj):
            if (hpa.document, hpa.pointer) in handled:
                continue  # a stream holding the same Deployment twice (concatenated copies) names it twice
            handled.add((hpa.document, hpa.pointer))
            where = f"{hpa.source}:{hpa.line}"
            if options.keep_hpa:
                warnings.append(
                    f"to_daemonset: kept {hpa.describe()} ({where}), but it targets Deployment {obj.name}, "
                    "which is now a DaemonSet: an HPA cannot scale a DaemonSet, so it will not work"
                )
            else:
                edits.append(Edit.on(hpa, [{"op": "remove", "path": ""}], f"an HPA cannot scale DaemonSet {obj.name}"))
                warnings.append(
                    f"to_daemonset: removed {hpa.describe()} ({where}): an HPA cannot scale a DaemonSet "
                    "(the keep_hpa option, --keep-hpa on the command line, keeps it)"
                )
    return Plan("to_daemonset", tuple(edits), tuple(warnings))


def _is_workload(obj: KubeObject) -> bool:
    return obj.kind in ("Deployment", "DaemonSet")


def _operations(
    manifest: Manifest, obj: KubeObject, options: ToDaemonSetOptions
) -> tuple[list[dict[str, Any]], list[str]]:
    spec = obj.data.get("spec") if isinstance(obj.data.get("spec"), dict) else {}
    ops: list[dict[str, Any]] = []
    warnings: list[str] = []
    api_version = obj.api_version or ""
    target_version = _MOVED.get(api_version, api_version)
    if target_version != api_version:
        ops.append({"op": "replace", "path": "/apiVersion", "value": target_version})
        if "selector" not in spec:
            selector = {"matchLabels": _template_labels(manifest, obj)}
            ops.append({"op": "add", "path": "/spec/selector", "value": selector})
    if obj.kind != "DaemonSet":
        ops.append({"op": "replace", "path": "/kind", "value": "DaemonSet"})
    comment = {"comment": True} if options.mode == "comment" else {}
    ops.extend({"op": "remove", "path": f"/spec/{key}", **comment} for key in DEPLOYMENT_ONLY if key in spec)
    if "updateStrategy" not in spec and obj.kind == "Deployment":
        strategy, notes = _update_strategy(obj, spec.get("strategy"), target_version)
        warnings.extend(notes)
        if strategy is not None:
            ops.append({"op": "add", "path": "/spec/updateStrategy", "value": strategy})
    return ops, warnings


def _template_labels(manifest: Manifest, obj: KubeObject) -> dict[str, Any]:
    labels = get(obj.data, "/spec/template/metadata/labels")
    if not isinstance(labels, dict) or not labels:
        raise ModelValidationError(
            f"to_daemonset: {obj.describe()} is apps/v1beta1, which has no DaemonSet; apps/v1 needs spec.selector, "
            "and the pod template has no labels to build one from: add spec.selector first",
            source=obj.source,
            line=line_at(manifest, obj, "/spec/template"),
            pointer=obj.pointer + "/spec/selector",
        )
    return dict(labels)


def _update_strategy(obj: KubeObject, strategy: Any, api_version: str) -> tuple[dict[str, Any] | None, list[str]]:
    """The DaemonSet updateStrategy that carries the Deployment's intent, and warnings for what cannot be."""
    strategy = strategy if isinstance(strategy, dict) else {}
    kind = strategy.get("type", "RollingUpdate")
    rolling = strategy.get("rollingUpdate") if isinstance(strategy.get("rollingUpdate"), dict) else {}
    warnings: list[str] = []
    carried: dict[str, Any] = {}
    if "maxSurge" in rolling:
        warnings.append(
            f"to_daemonset: {obj.describe()}: maxSurge {rolling['maxSurge']} dropped: a DaemonSet cannot surge"
        )
    if "maxUnavailable" in rolling:
        value = rolling["maxUnavailable"]
        if value in (0, "0%", "0"):
            warnings.append(
                f"to_daemonset: {obj.describe()}: maxUnavailable {value} dropped: a DaemonSet without surge must "
                "take a pod down to replace it (the default, 1, applies)"
            )
        else:
            carried["maxUnavailable"] = value
    if kind == "Recreate":
        warnings.append(
            f"to_daemonset: {obj.describe()}: strategy Recreate has no DaemonSet equivalent; pods are replaced "
            "one node at a time"
        )
    if carried:
        return {"type": "RollingUpdate", "rollingUpdate": carried}, warnings
    if api_version in _ON_DELETE_BY_DEFAULT:
        return {"type": "RollingUpdate"}, warnings
    return None, warnings


def _autoscalers_of(autoscalers: list[KubeObject], workload: KubeObject) -> list[KubeObject]:
    namespace = workload.namespace or "default"
    found = []
    for obj in autoscalers:
        target = get(obj.data, "/spec/scaleTargetRef")
        if (
            isinstance(target, dict)
            and target.get("kind") == "Deployment"
            and target.get("name") == workload.name
            and (obj.namespace or "default") == namespace
        ):
            found.append(obj)
    return found


def to_daemonset(manifest: Manifest, options: ToDaemonSetOptions | None = None, **kwargs: Any) -> Result:
    """Apply :func:`plan_to_daemonset`; ``kwargs`` build the options when ``options`` is not given."""
    return execute(manifest, plan_to_daemonset(manifest, options or ToDaemonSetOptions.validate(kwargs)))
