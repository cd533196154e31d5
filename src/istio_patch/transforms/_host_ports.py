"""``host_ports``: open chosen container ports on the node's own address (step 3 of the guide).

For each chosen container port of the selected workloads, ``hostPort`` is set to the ``containerPort`` (or
to the host port a mapping gives), right under it. A port that already has that hostPort is left alone; a
port that has a *different* hostPort is a conflict and raises OptionsError naming its file and line, since
silently moving a port someone chose would break whoever relies on it.

Two pods asking for the same hostPort cannot run on one node, so a warning says when the workload can put
two replicas on one node: a Deployment, StatefulSet or ReplicaSet with ``replicas`` above 1, or one that a
HorizontalPodAutoscaler scales. A DaemonSet (one pod per node) is fine, which is why the guide converts the
gateway first.

Options:
    selector: the workload(s); default ``istio-system/istio-ingressgateway`` of any workload kind (``target``
        too), so it works before and after ``to_daemonset``.
    ports: container ports, each an int (hostPort = containerPort) or ``{container_port, host_port}``;
        default ``[80, 443]``.
    containers: container names to edit; empty means all. Every chosen port must exist in some container.
    allow_no_match: a selector that matches nothing is not an error.

Example:
    >>> from istio_patch import load
    >>> m = load("kind: DaemonSet\\nmetadata:\\n  name: gw\\nspec:\\n  template:\\n    spec:\\n      containers:\\n"
    ...          "      - name: proxy\\n        ports:\\n        - containerPort: 80\\n")
    >>> print(host_ports(m, selector=Selector(name="gw"), ports=[80]).manifest.render(), end="")
    kind: DaemonSet
    metadata:
      name: gw
    spec:
      template:
        spec:
          containers:
          - name: proxy
            ports:
            - containerPort: 80
              hostPort: 80
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any, Union

from .._errors import OptionsError, SelectorError
from .._manifest import KubeObject, Manifest
from ._base import AUTOSCALERS, Edit, Plan, Result, Selector, TransformOptions, execute, ingress_gateway, objects_matching, select
from ._options import Bounds, Checked
from .._workloads import containers_of, get, line_at, pod_spec_pointer

__all__ = ["HostPortsOptions", "PortMapping", "plan_host_ports", "host_ports"]


Port = Annotated[int, Bounds(ge=1, le=65535)]


@dataclass(frozen=True, kw_only=True)
class PortMapping(Checked):
    """A container port and the host port it should be reachable on."""

    container_port: Port
    host_port: Port


@dataclass(frozen=True, kw_only=True)
class HostPortsOptions(TransformOptions):
    """Options of :func:`host_ports`."""

    ALIASES = {"target": "selector"}

    selector: Selector = ingress_gateway()
    ports: list[Union[PortMapping, int]] = field(default_factory=lambda: [80, 443])
    containers: list[str] = field(default_factory=list)

    def host_port_of(self) -> dict[int, int]:
        """containerPort -> hostPort for every chosen port."""
        return {
            p.container_port if isinstance(p, PortMapping) else p: p.host_port if isinstance(p, PortMapping) else p
            for p in self.ports
        }


def plan_host_ports(manifest: Manifest, options: HostPortsOptions) -> Plan:
    """The operations that add the hostPorts, and the warnings about replicas sharing a node.

    Raises SelectorError when no workload matches (unless ``allow_no_match``); OptionsError for a port or
    container the workloads do not have, and for an existing different hostPort.
    """
    wanted = options.host_port_of()
    found = [obj for obj in objects_matching(manifest, options.selector) if pod_spec_pointer(obj) is not None]
    if not found:
        if options.allow_no_match:
            return Plan("host_ports")
        matched = select(manifest, options.selector, what="host_ports")  # raises when nothing matches at all
        raise SelectorError(
            f"host_ports: {options.selector.describe()} matches no workload (only {matched[0].describe()})",
            source=manifest.source,
        )
    edits: list[Edit] = []
    warnings: list[str] = []
    autoscalers: list[KubeObject] | None = None  # looked for once, and only if a workload can have replicas
    for obj in found:
        ops = _operations(manifest, obj, options, wanted)
        edits.append(Edit.on(obj, ops, "hostPort for the node's address"))
        if autoscalers is None and obj.kind not in _ONE_POD_PER_NODE:
            autoscalers = list(objects_matching(manifest, AUTOSCALERS))
        crowd = _can_share_a_node(autoscalers or [], obj)
        if crowd:
            warnings.append(
                f"host_ports: {obj.describe()} ({obj.source}:{obj.line}) {crowd}; two of its pods on one node "
                "would ask for the same hostPort, and the second stays Pending (a DaemonSet avoids this)"
            )
    return Plan("host_ports", tuple(edits), tuple(warnings))


def _operations(
    manifest: Manifest, obj: KubeObject, options: HostPortsOptions, wanted: dict[int, int]
) -> list[dict[str, Any]]:
    names = set(options.containers)
    containers = [(p, c) for p, c in containers_of(obj) if not names or c.get("name") in names]
    missing_names = names - {c.get("name") for _, c in containers}
    if missing_names:
        have = ", ".join(str(c.get("name")) for _, c in containers_of(obj)) or "none"
        raise OptionsError(
            f"host_ports: {obj.describe()} has no container {sorted(missing_names)[0]} (its containers: {have})",
            source=obj.source,
            line=obj.line,
        )
    ops: list[dict[str, Any]] = []
    seen: set[int] = set()
    claims = _claims(obj)  # a hostPort is the node's: two ports of one pod cannot both hold it
    for pointer, container in containers:
        ports = container.get("ports")
        for i, port in enumerate(ports if isinstance(ports, list) else []):
            if not isinstance(port, dict) or port.get("containerPort") not in wanted:
                continue
            number = port["containerPort"]
            seen.add(number)
            path = f"{pointer}/ports/{i}/hostPort"
            if "hostPort" not in port:
                claim = (wanted[number], str(port.get("protocol") or "TCP"))
                if claim in claims:
                    raise OptionsError(
                        f"host_ports: hostPort {claim[0]}/{claim[1]} for containerPort {number} of container "
                        f"{container.get('name')} in {obj.describe()} is already held by {claims[claim]}",
                        source=obj.source,
                        line=line_at(manifest, obj, f"{pointer}/ports/{i}"),
                        pointer=obj.pointer + path,
                    )
                claims[claim] = f"containerPort {number} of container {container.get('name')}"
                ops.append({"op": "add", "path": path, "value": wanted[number]})
            elif port["hostPort"] != wanted[number]:
                raise OptionsError(
                    f"host_ports: container {container.get('name')} of {obj.describe()} already has hostPort "
                    f"{port['hostPort']} for containerPort {number} (wanted {wanted[number]})",
                    source=obj.source,
                    line=line_at(manifest, obj, path),
                    pointer=obj.pointer + path,
                )
    unseen = [n for n in wanted if n not in seen]
    if unseen:
        raise OptionsError(
            f"host_ports: {obj.describe()} has no containerPort {unseen[0]}",
            source=obj.source,
            line=obj.line,
        )
    return ops


def _claims(obj: KubeObject) -> dict[tuple[int, str], str]:
    """(hostPort, protocol) -> which port already holds it, over every container of ``obj``'s pod."""
    held: dict[tuple[int, str], str] = {}
    for _, container in containers_of(obj):
        ports = container.get("ports")
        for port in ports if isinstance(ports, list) else []:
            if isinstance(port, dict) and isinstance(port.get("hostPort"), int) and port["hostPort"]:
                key = (port["hostPort"], str(port.get("protocol") or "TCP"))
                held.setdefault(key, f"containerPort {port.get('containerPort')} of container {container.get('name')}")
    return held


_ONE_POD_PER_NODE = ("DaemonSet", "Pod", "Job", "CronJob")


def _can_share_a_node(autoscalers: list[KubeObject], obj: KubeObject) -> str:
    """Why ``obj`` can run two pods on one node ("" when it cannot)."""
    if obj.kind in _ONE_POD_PER_NODE:
        return ""
    replicas = get(obj.data, "/spec/replicas")
    if isinstance(replicas, int) and replicas > 1:
        return f"has replicas: {replicas}"
    for hpa in autoscalers:
        target = get(hpa.data, "/spec/scaleTargetRef")
        if (
            isinstance(target, dict)
            and target.get("kind") == obj.kind
            and target.get("name") == obj.name
            and (hpa.namespace or "default") == (obj.namespace or "default")
        ):
            return f"is scaled by {hpa.describe()}"
    return ""


def host_ports(manifest: Manifest, options: HostPortsOptions | None = None, **kwargs: Any) -> Result:
    """Apply :func:`plan_host_ports`; ``kwargs`` build the options when ``options`` is not given."""
    return execute(manifest, plan_host_ports(manifest, options or HostPortsOptions.validate(kwargs)))
