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

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any

from .._errors import ModelValidationError, OptionsError, SelectorError
from .._manifest import Manifest
from .._manifest import _objects_of as objects_of
from .._models import (
    WORKLOAD_KINDS,
    Container,
    ContainerPort,
    HorizontalPodAutoscaler,
    HostPortClaim,
    KubeObjectModel,
    Service,
    Workload,
)
from ._base import (
    Edit,
    Plan,
    Result,
    SelectingOptions,
    Selector,
    autoscalers_of,
    documents_mentioning,
    ingress_gateway,
    objects_matching,
    one_namespace,
    select,
    typed,
)
from ._descriptor import Flag, Modifier, Transform
from ._options import Bounds, Checked

__all__ = ["HostPortsOptions", "PortMapping", "plan_host_ports", "host_ports", "TRANSFORM"]


Port = Annotated[int, Bounds(ge=1, le=65535, strict=True)]  # strict: true and "80" are not ports


@dataclass(frozen=True, kw_only=True)
class PortMapping(Checked):
    """A container port and the host port it should be reachable on."""

    container_port: Port
    host_port: Port


@dataclass(frozen=True, kw_only=True)
class HostPortsOptions(SelectingOptions):
    """Options of :func:`host_ports`."""

    ALIASES = {"target": "selector"}

    selector: Selector = ingress_gateway()
    ports: list[PortMapping | Port] = field(default_factory=lambda: [80, 443])
    containers: list[str] = field(default_factory=list)

    def _check(self) -> None:
        seen: dict[int, int] = {}
        for index, port in enumerate(self.ports):
            if isinstance(port, bool) or not isinstance(port, (int, PortMapping)):
                raise ValueError(f"port {index + 1} is {port!r}: a port is a number or a container/host pair")
            number = port.container_port if isinstance(port, PortMapping) else port
            if number in seen:
                raise ValueError(f"containerPort {number} is given twice")
            seen[number] = index

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
    candidates = [obj for obj in objects_matching(manifest, options.selector) if obj.kind in WORKLOAD_KINDS]
    one_namespace(candidates, options.selector, options, what="host_ports", source=manifest.source)
    workloads = [w for w in (typed(manifest, obj) for obj in candidates) if isinstance(w, Workload) and w.pod_spec() is not None]
    if not workloads:
        if options.allow_no_match:
            return Plan("host_ports")
        matched = select(manifest, options.selector, what="host_ports")  # raises when nothing matches at all
        raise SelectorError(
            f"host_ports: {options.selector.describe()} matches no workload (only {matched[0].describe()})",
            source=manifest.source,
        )
    edits: list[Edit] = []
    warnings: list[str] = []
    notes: list[str] = []
    autoscalers: list[HorizontalPodAutoscaler] | None = None  # looked for once, and only if a workload can have replicas
    node_ports: list[tuple[HostPortClaim, KubeObjectModel]] | None = None  # the other holders of node ports, found once
    for workload in workloads:
        ops, added = _operations(manifest, workload, options, wanted)
        edits.append(Edit.on(workload, ops, "hostPort for the node's address"))
        if added:
            if node_ports is None:
                node_ports = _node_ports(manifest)
            warnings.extend(_clashes(workload, added, node_ports))
        if not ops:
            notes.append(f"host_ports: {workload.describe()} has every hostPort already")
        if autoscalers is None and not workload.ONE_POD_PER_NODE:
            autoscalers = autoscalers_of(manifest)
        crowd = _can_share_a_node(autoscalers or [], workload)
        if crowd:
            warnings.append(
                f"host_ports: {workload.describe()} ({workload.origin}) {crowd}; two of its pods on one node "
                "would ask for the same hostPort, and the second stays Pending (a DaemonSet avoids this)"
            )
    return Plan("host_ports", tuple(edits), tuple(warnings), tuple(notes))


def _operations(
    manifest: Manifest, workload: Workload, options: HostPortsOptions, wanted: dict[int, int]
) -> tuple[list[dict[str, Any]], list[HostPortClaim]]:
    """The operations, and the node ports they make the workload's pods hold."""
    names = set(options.containers)
    every = list(workload.containers())
    containers = [(p, c) for p, c in every if not names or c.name in names]
    missing_names = names - {c.name for _, c in containers}
    if missing_names:
        have = ", ".join(str(c.name) for _, c in every) or "none"
        raise OptionsError(
            f"host_ports: {workload.describe()} has no container {sorted(missing_names)[0]} (its containers: {have})",
            source=_source(workload),
            line=_line(manifest, workload, ""),
        )
    ops: list[dict[str, Any]] = []
    added: list[HostPortClaim] = []
    seen: set[int] = set()
    claims = _claims(every)  # a hostPort is the node's: two ports of one pod cannot both hold it
    for pointer, container in containers:
        for i, port in enumerate(container.ports or ()):
            number = port.container_port
            if number not in wanted:
                continue
            seen.add(number)
            path = f"{pointer}/ports/{i}/hostPort"
            if not port.holds_host_port:  # absent, null or 0: Kubernetes reads each as "no hostPort"
                claim = (wanted[number], port.protocol_or_default)
                if claim in claims:
                    raise OptionsError(
                        f"host_ports: hostPort {claim[0]}/{claim[1]} for containerPort {number} of container "
                        f"{container.name} in {workload.describe()} is already held by {claims[claim]}",
                        source=_source(workload),
                        line=_line(manifest, workload, f"{pointer}/ports/{i}"),
                        pointer=_pointer(workload, path),
                    )
                claims[claim] = f"containerPort {number} of container {container.name}"
                ops.append({"op": "replace" if port.has("hostPort") else "add", "path": path, "value": wanted[number]})
                added.append(HostPortClaim(port.host_ip or "0.0.0.0", wanted[number], port.protocol_or_default, path, container.name))
            elif port.host_port != wanted[number]:
                raise OptionsError(
                    f"host_ports: container {container.name} of {workload.describe()} already has hostPort "
                    f"{port.host_port} for containerPort {number} (wanted {wanted[number]})",
                    source=_source(workload),
                    line=_line(manifest, workload, path),
                    pointer=_pointer(workload, path),
                )
    unseen = [n for n in wanted if n not in seen]
    if unseen:
        raise OptionsError(
            f"host_ports: {workload.describe()} has no containerPort {unseen[0]}",
            source=_source(workload),
            line=_line(manifest, workload, ""),
        )
    return ops, added


# A document can hold a node port only if its text names one of these.
_HOLDER_WORDS = ("hostPort", "hostNetwork", "nodePort")


def _node_ports(manifest: Manifest) -> list[tuple[HostPortClaim, KubeObjectModel]]:
    """Every node port the manifest's objects hold: workloads' hostPorts (and host-network ports), nodePorts.

    Only documents whose text names hostPort, hostNetwork or nodePort can hold one; the others are not parsed.
    """
    held: list[tuple[HostPortClaim, KubeObjectModel]] = []
    for document in documents_mentioning(manifest.documents, _HOLDER_WORDS, every=False):
        for obj in objects_of(document):
            if obj.kind not in WORKLOAD_KINDS and obj.kind != "Service":
                continue
            try:
                model = typed(manifest, obj)
            except ModelValidationError:
                continue  # an object the API server refuses holds nothing
            if isinstance(model, Workload):
                held.extend((claim, model) for claim in model.host_ports())
            elif isinstance(model, Service):
                held.extend(
                    (HostPortClaim("0.0.0.0", p.node_port, p.protocol_or_default, f"/spec/ports/{i}/nodePort", None), model)
                    for i, p in enumerate(model.spec.ports or ())
                    if p.node_port is not None
                )
    return held


def _clashes(workload: Workload, added: Sequence[HostPortClaim], held: Sequence[tuple[HostPortClaim, KubeObjectModel]]) -> list[str]:
    """Warnings for the node ports the workload now holds that another object holds already."""
    warnings = []
    origin = workload.origin
    for claim in added:
        for other_claim, other in held:
            if other.origin == origin or not claim.clashes(other_claim):
                continue
            if isinstance(other, Service):
                why = f"also the nodePort of {other.describe()} ({other.origin}), which kube-proxy holds on every node"
            else:
                why = f"also held by {other.describe()} ({other.origin}); their pods cannot share a node"
            warnings.append(f"host_ports: {workload.describe()} ({origin}) now holds hostPort {claim.port}/{claim.protocol}, {why}")
    return warnings


def _claims(containers: Sequence[tuple[str, Container]]) -> dict[tuple[int, str], str]:
    """(hostPort, protocol) -> which port already holds it, over every container of a pod."""
    held: dict[tuple[int, str], str] = {}
    for _, container in containers:
        for port in container.ports or ():
            if port.holds_host_port:
                key = (_host_port(port), port.protocol_or_default)
                held.setdefault(key, f"containerPort {port.container_port} of container {container.name}")
    return held


def _host_port(port: ContainerPort) -> int:
    assert port.host_port is not None
    return port.host_port


def _can_share_a_node(autoscalers: list[HorizontalPodAutoscaler], workload: Workload) -> str:
    """Why ``workload`` can run two pods on one node ("" when it cannot)."""
    if workload.ONE_POD_PER_NODE:
        return ""
    replicas = workload.replicas
    if replicas is not None and replicas > 1:
        return f"has replicas: {replicas}"
    for hpa in autoscalers:
        if hpa.scales(workload.kind, workload.name, workload.namespace):
            return f"is scaled by {hpa.describe()}"
    return ""


def _source(workload: Workload) -> str | None:
    return workload.origin.source if workload.origin else None


def _pointer(workload: Workload, path: str) -> str:
    return (workload.origin.pointer if workload.origin else "") + path


def _line(manifest: Manifest, workload: Workload, pointer: str) -> int | None:
    origin = workload.origin
    if origin is None:
        return None
    if not pointer:
        return origin.line
    return manifest.documents[origin.index].position(origin.pointer + pointer)[0]


def host_ports(
    manifest: Manifest,
    options: HostPortsOptions | None = None,
    *,
    selector: Selector | str | None = None,
    namespace: str | None = None,
    ports: Sequence[int | PortMapping | dict[str, int]] | None = None,
    containers: Sequence[str] | None = None,
    all_namespaces: bool | None = None,
    allow_no_match: bool | None = None,
) -> Result:
    """Open container ports on the node's address (:func:`plan_host_ports`); ``options`` or keywords.

    ``selector`` is a Selector or kubectl's ``TYPE/NAME`` (with ``namespace``); by default the Istio ingress
    gateway, of any workload kind; ``ports`` are container ports (hostPort = containerPort) or mappings.
    """
    keywords = dict(selector=selector, namespace=namespace, ports=ports, containers=containers, all_namespaces=all_namespaces, allow_no_match=allow_no_match)
    return TRANSFORM.call(manifest, options, keywords)


def _port(text: str) -> int | dict[str, int]:
    host, _, container = text.rpartition(":")
    if not container.isdigit() or (host and not host.isdigit()):
        raise ValueError(f"--port takes [HOST:]CONTAINER, e.g. 80 or 8080:80, not {text!r}")
    return int(container) if not host else {"container_port": int(container), "host_port": int(host)}


TRANSFORM = Transform(
    name="host_ports",
    summary="hostPort on chosen container ports, so the node's own address serves them (step 3)",
    options=HostPortsOptions,
    plan=plan_host_ports,
    function=host_ports,
    flag=Flag("--host-ports", option="selector", metavar="WORKLOAD", help="add hostPorts to a workload's container ports (with --port)"),
    modifiers=(
        Modifier("--port", option="ports", metavar="[HOST:]CONTAINER", help="a container port (and its host port); repeatable", parse=_port, repeat="append"),
        Modifier("--container", option="containers", metavar="NAME", help="only this container; repeatable", repeat="append"),
    ),
    exports=(PortMapping,),
    doc=__doc__ or "",
)
