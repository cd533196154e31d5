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

from dataclasses import dataclass, field
from typing import Any, Literal

from .._errors import OptionsError, SelectorError
from .._manifest import Manifest
from ._base import Edit, Plan, Result, Selector, TransformOptions, execute, objects_matching, select
from .._workloads import containers_of, pod_spec_pointer

__all__ = ["StripResourcesOptions", "plan_strip_resources", "strip_resources"]

_KEYS = {"requests": ("requests",), "limits": ("limits",), "both": ("requests", "limits")}


@dataclass(frozen=True, kw_only=True)
class StripResourcesOptions(TransformOptions):
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
    found = [obj for obj in objects_matching(manifest, options.selector) if pod_spec_pointer(obj) is not None]
    if not found:
        if options.allow_no_match:
            return Plan("strip_resources")
        matched = select(manifest, options.selector, what="strip_resources")
        raise SelectorError(
            f"strip_resources: {options.selector.describe()} matches no workload (only {matched[0].describe()})",
            source=manifest.source,
        )
    names = set(options.containers)
    present = {c.get("name") for obj in found for _, c in containers_of(obj)}
    if names - present:
        have = ", ".join(sorted(str(n) for n in present)) or "none"
        raise OptionsError(
            f"strip_resources: no selected workload has a container {sorted(names - present)[0]} (containers: {have})",
            source=manifest.source,
        )
    keys = _KEYS[options.resources]
    comment = {"comment": True} if options.mode == "comment" else {}
    edits = []
    for obj in found:
        ops: list[dict[str, Any]] = []
        for pointer, container in containers_of(obj):
            resources = container.get("resources")
            if (names and container.get("name") not in names) or not isinstance(resources, dict):
                continue
            going = [k for k in keys if k in resources]
            if not going:
                continue
            if set(going) == set(resources):  # nothing would be left: the whole key goes
                ops.append({"op": "remove", "path": f"{pointer}/resources", **comment})
            else:
                ops.extend({"op": "remove", "path": f"{pointer}/resources/{k}", **comment} for k in going)
        edits.append(Edit.on(obj, ops, f"resource {options.resources} stripped"))
    return Plan("strip_resources", tuple(edits))


def strip_resources(manifest: Manifest, options: StripResourcesOptions | None = None, **kwargs: Any) -> Result:
    """Apply :func:`plan_strip_resources`; ``kwargs`` build the options when ``options`` is not given."""
    return execute(manifest, plan_strip_resources(manifest, options or StripResourcesOptions.validate(kwargs)))
