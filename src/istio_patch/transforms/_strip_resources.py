"""``strip_resources``: drop resource requests and/or limits of chosen containers (step 7 of the guide).

On small nodes a pod that requests more than any node has stays Pending ("Insufficient memory"); the guide
commented out the pilot's ``requests``. ``resources`` says what goes: ``requests``, ``limits`` or ``both``
(``which`` is accepted too). With ``mode="comment"`` the lines become YAML comments, values readable, so a
person can restore them; with ``mode="remove"`` they are deleted. When nothing else would be left in a
container's ``resources``, the ``resources`` key itself is removed (or commented out) rather than left empty.

Options:
    selector: the workload(s) (any kind with a pod spec: Deployment, DaemonSet, StatefulSet, Pod, ...).
    containers: container names (init and ephemeral containers included); empty means all. A name that no
        selected workload has is an error.
    resources: ``requests`` (default), ``limits`` or ``both``.
    mode: ``remove`` (default) or ``comment``.
    allow_no_match: a selector that matches nothing is not an error.

Example:
    >>> from istio_patch import load
    >>> m = load("kind: Pod\\nmetadata:\\n  name: p\\nspec:\\n  containers:\\n  - name: app\\n    resources:\\n"
    ...          "      requests:\\n        memory: 2048Mi\\n")
    >>> out = strip_resources(m, selector=Selector(kind="Pod", name="p"), mode="comment")
    >>> print(out.manifest.render(), end="")
    kind: Pod
    metadata:
      name: p
    spec:
      containers:
      - name: app
        # resources:
          # requests:
            # memory: 2048Mi
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from .._errors import OptionsError, SelectorError
from .._manifest import Manifest
from .._models import WORKLOAD_KINDS, Workload
from ._base import (
    Edit,
    Plan,
    Result,
    SelectingOptions,
    Selector,
    objects_matching,
    one_namespace,
    select,
    typed,
)
from ._descriptor import Flag, Modifier, Transform

__all__ = ["StripResourcesOptions", "plan_strip_resources", "strip_resources", "TRANSFORM"]

_KEYS = {"requests": ("requests",), "limits": ("limits",), "both": ("requests", "limits")}


@dataclass(frozen=True, kw_only=True)
class StripResourcesOptions(SelectingOptions):
    """Options of :func:`strip_resources`."""

    ALIASES = {"target": "selector", "which": "resources"}

    selector: Selector
    containers: list[str] = field(default_factory=list)
    resources: Literal["requests", "limits", "both"] = "requests"
    mode: Literal["remove", "comment"] = "remove"


def plan_strip_resources(manifest: Manifest, options: StripResourcesOptions) -> Plan:
    """The operations that remove (or comment out) the chosen resources.

    Raises SelectorError when no workload matches (unless ``allow_no_match``), OptionsError for a container
    name that none of the selected workloads has.
    """
    candidates = [obj for obj in objects_matching(manifest, options.selector) if obj.kind in WORKLOAD_KINDS]
    one_namespace(candidates, options.selector, options, what="strip_resources", source=manifest.source)
    workloads = [w for w in (typed(manifest, obj) for obj in candidates) if isinstance(w, Workload) and w.pod_spec() is not None]
    if not workloads:
        if options.allow_no_match:
            return Plan("strip_resources")
        matched = select(manifest, options.selector, what="strip_resources")
        raise SelectorError(
            f"strip_resources: {options.selector.describe()} matches no workload (only {matched[0].describe()})",
            source=manifest.source,
        )
    names = set(options.containers)
    present = {c.name for w in workloads for _, c in w.containers()}
    if names - present:
        have = ", ".join(sorted(str(n) for n in present)) or "none"
        raise OptionsError(
            f"strip_resources: no selected workload has a container {sorted(names - present)[0]} (containers: {have})",
            source=manifest.source,
        )
    keys = _KEYS[options.resources]
    comment = {"comment": True} if options.mode == "comment" else {}
    edits = []
    notes = []
    for workload in workloads:
        ops: list[dict[str, Any]] = []
        for pointer, container in workload.containers():
            resources = container.resources
            if (names and container.name not in names) or resources is None:
                continue
            going = [k for k in keys if resources.has(k)]
            if not going:
                continue
            if set(going) == set(resources.to_data()):  # nothing would be left: the whole key goes
                ops.append({"op": "remove", "path": f"{pointer}/resources", **comment})
            else:
                ops.extend({"op": "remove", "path": f"{pointer}/resources/{k}", **comment} for k in going)
        edits.append(Edit.on(workload, ops, f"resource {options.resources} stripped"))
        if not ops:
            notes.append(f"strip_resources: {workload.describe()} has no resource {options.resources} to strip")
    return Plan("strip_resources", tuple(edits), notes=tuple(notes))


def strip_resources(
    manifest: Manifest,
    options: StripResourcesOptions | None = None,
    *,
    selector: Selector | str | None = None,
    namespace: str | None = None,
    containers: Sequence[str] | None = None,
    resources: Literal["requests", "limits", "both"] | None = None,
    mode: Literal["remove", "comment"] | None = None,
    all_namespaces: bool | None = None,
    allow_no_match: bool | None = None,
) -> Result:
    """Remove or comment out resource requests/limits (:func:`plan_strip_resources`); ``options`` or keywords.

    ``selector`` is a Selector or kubectl's ``TYPE/NAME`` (with ``namespace``), e.g. ``"deploy/istio-pilot"``.
    """
    keywords = dict(selector=selector, namespace=namespace, containers=containers, resources=resources, mode=mode, all_namespaces=all_namespaces, allow_no_match=allow_no_match)
    return TRANSFORM.call(manifest, options, keywords)


TRANSFORM = Transform(
    name="strip_resources",
    summary="drop (or comment out) containers' resource requests or limits, for small nodes (step 7)",
    options=StripResourcesOptions,
    plan=plan_strip_resources,
    function=strip_resources,
    flag=Flag("--strip-resources", option="selector", metavar="WORKLOAD", help="remove resource requests/limits (with --container, --mode)"),
    modifiers=(
        Modifier("--container", option="containers", metavar="NAME", help="only this container; repeatable", repeat="append"),
        Modifier("--mode", option="mode", choices=("remove", "comment"), help="remove the lines, or comment them out"),
        Modifier("--resources", option="resources", choices=("requests", "limits", "both"), help="what to strip (default requests)"),
    ),
    doc=__doc__ or "",
)
