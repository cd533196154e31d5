"""``node_port``: make a Service reachable on every node's address (step 1 of the guide: "no cloud here").

The Service's ``type`` becomes ``NodePort`` and the fields that only a LoadBalancer understands go
(``loadBalancerIP``, ``loadBalancerSourceRanges``, ``loadBalancerClass``, ``allocateLoadBalancerNodePorts``,
and ``healthCheckNodePort``, which the API server refuses on any other type). Existing ``nodePort`` values are
kept, so clients that already know them keep working. ``node_ports`` fixes the nodePort of chosen ports
(Service ``port`` -> ``nodePort``); each must lie in the cluster's node-port range (``node_port_range``, by
default Kubernetes' 30000-32767) and must not be used by another Service port of the manifest.

Options:
    selector: the Service(s); default ``Service istio-system/istio-ingressgateway`` (``target`` is accepted too).
    node_ports: Service port -> nodePort, e.g. ``{80: 31380}``.
    node_port_range: the inclusive range nodePorts must lie in.
    allow_no_match: a selector that matches nothing is not an error.

Example:
    >>> from istio_patch import load
    >>> m = load("kind: Service\\nmetadata:\\n  name: gw\\nspec:\\n  type: LoadBalancer\\n  ports:\\n  - port: 80\\n")
    >>> out = node_port(m, selector=Selector(kind="Service", name="gw"), node_ports={80: 31380})
    >>> print(out.manifest.render(), end="")
    kind: Service
    metadata:
      name: gw
    spec:
      type: NodePort
      ports:
      - port: 80
        nodePort: 31380
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .._errors import ModelValidationError, OptionsError
from .._manifest import Manifest
from .._models import Service
from ._base import (
    Edit,
    Plan,
    Result,
    SelectingOptions,
    Selector,
    ingress_gateway,
    objects_matching,
    one_namespace,
    select,
    typed,
)
from ._descriptor import Flag, Modifier, Transform
from ._options import FieldError, trusted

__all__ = ["NodePortOptions", "plan_node_port", "node_port", "LOAD_BALANCER_ONLY", "TRANSFORM"]

# Fields a Service may carry only as a LoadBalancer (healthCheckNodePort: LoadBalancer with Local traffic).
LOAD_BALANCER_ONLY = (
    "loadBalancerIP",
    "loadBalancerSourceRanges",
    "loadBalancerClass",
    "allocateLoadBalancerNodePorts",
    "healthCheckNodePort",
)

with trusted():
    _SERVICES = Selector(kind="Service")


@dataclass(frozen=True, kw_only=True)
class NodePortOptions(SelectingOptions):
    """Options of :func:`node_port`."""

    ALIASES = {"target": "selector"}

    selector: Selector = ingress_gateway("Service")
    node_ports: dict[int, int] = field(default_factory=dict)
    node_port_range: tuple[int, int] = (30000, 32767)

    def _check(self) -> None:
        low, high = self.node_port_range
        if low > high:
            raise ValueError(f"the node-port range {low}-{high} is empty")
        for port, wanted in self.node_ports.items():
            if not 1 <= port <= 65535:
                raise FieldError(("node_ports", port), f"{port} is not a port (1-65535)")
            if not low <= wanted <= high:
                raise FieldError(("node_ports", port), f"nodePort {wanted} for port {port} is outside the node-port range {low}-{high}")
        seen: dict[int, int] = {}
        for port, wanted in self.node_ports.items():
            if wanted in seen:
                raise FieldError(("node_ports", port), f"nodePort {wanted} is given to both port {seen[wanted]} and port {port}")
            seen[wanted] = port


def plan_node_port(manifest: Manifest, options: NodePortOptions) -> Plan:
    """The operations that turn the selected Services into NodePort Services.

    Raises SelectorError when nothing matches (unless ``allow_no_match``), OptionsError for a selector that
    names another kind, a port the Service does not have, or a nodePort another Service holds;
    ModelValidationError for a Service whose fields do not have Kubernetes' types.
    """
    found = select(manifest, options.selector, allow_no_match=options.allow_no_match, what="node_port")
    one_namespace(found, options.selector, options, what="node_port", source=manifest.source)
    services: list[Service] = []
    for obj in found:
        if obj.kind != "Service":
            raise OptionsError(f"node_port: {obj.describe()} is not a Service", source=obj.source, line=obj.line)
        services.append(typed(manifest, obj, Service))
    edits = [Edit.on(service, _operations(manifest, service, options), "Service type NodePort") for service in services]
    notes = [f"node_port: {s.describe()} is already NodePort" for s, e in zip(services, edits) if not e.operations]
    return Plan("node_port", tuple(edits), notes=tuple(notes))


def _operations(manifest: Manifest, service: Service, options: NodePortOptions) -> list[dict[str, Any]]:
    if not service.has("spec"):
        return [{"op": "add", "path": "/spec", "value": {"type": "NodePort"}}]
    spec = service.spec
    if spec.type == "ExternalName":
        raise OptionsError(
            f"node_port: {service.describe()} is an ExternalName Service, which has no ports to open on nodes",
            source=service.origin.source if service.origin else None,
            line=_line(manifest, service, "/spec/type"),
        )
    ops: list[dict[str, Any]] = []
    if not spec.has("type"):
        ops.append({"op": "add", "path": "/spec/type", "value": "NodePort"})
    elif spec.type != "NodePort":
        ops.append({"op": "replace", "path": "/spec/type", "value": "NodePort"})
    ops.extend({"op": "remove", "path": f"/spec/{key}"} for key in LOAD_BALANCER_ONLY if spec.has(key))
    ops.extend(_node_port_operations(manifest, service, options))
    return ops


def _node_port_operations(manifest: Manifest, service: Service, options: NodePortOptions) -> list[dict[str, Any]]:
    if not options.node_ports:
        return []
    index: dict[int | None, int] = {}
    ports = service.spec.ports or []
    for i, entry in enumerate(ports):
        index.setdefault(entry.port, i)
    missing = [port for port in options.node_ports if port not in index]
    if missing:
        have = ", ".join(str(p) for p in index) or "none"
        raise OptionsError(
            f"node_port: {service.describe()} has no port {missing[0]} (its ports: {have})",
            source=_source(service),
            line=_line(manifest, service, "/spec/ports"),
        )
    _refuse_taken(manifest, service, options.node_ports, index)
    ops: list[dict[str, Any]] = []
    for port, wanted in options.node_ports.items():
        entry = ports[index[port]]
        path = f"/spec/ports/{index[port]}/nodePort"
        if not entry.has("nodePort"):
            ops.append({"op": "add", "path": path, "value": wanted})
        elif entry.node_port != wanted:
            ops.append({"op": "replace", "path": path, "value": wanted})
    return ops


def _refuse_taken(manifest: Manifest, service: Service, wanted: Mapping[int, int], index: Mapping[int | None, int]) -> None:
    """A nodePort is a node-wide resource: no other Service port of the manifest may hold a wanted one."""
    origin = service.origin
    ours = {(origin.index, origin.pointer, i) for i in index.values()} if origin else set()
    values = set(wanted.values())
    for obj in objects_matching(manifest, _SERVICES):
        try:
            other = typed(manifest, obj, Service)
        except ModelValidationError:
            continue  # a Service the API server would refuse holds no nodePort
        for i, entry in enumerate(other.spec.ports or []):
            if entry.node_port not in values:
                continue
            if (obj.index, obj.pointer, i) in ours and entry.port in wanted:
                continue  # the port being set holds it already (or gives it up)
            raise OptionsError(
                f"node_port: nodePort {entry.node_port} is already used by {obj.describe()} port {entry.port}",
                source=obj.source,
                line=_line(manifest, other, f"/spec/ports/{i}/nodePort"),
            )


def _source(service: Service) -> str | None:
    return service.origin.source if service.origin else None


def _line(manifest: Manifest, service: Service, pointer: str) -> int | None:
    origin = service.origin
    if origin is None:
        return None
    return manifest.documents[origin.index].position(origin.pointer + pointer)[0]


def node_port(
    manifest: Manifest,
    options: NodePortOptions | None = None,
    *,
    selector: Selector | str | None = None,
    namespace: str | None = None,
    node_ports: Mapping[int, int] | None = None,
    node_port_range: tuple[int, int] | None = None,
    all_namespaces: bool | None = None,
    allow_no_match: bool | None = None,
) -> Result:
    """Make Services NodePort (:func:`plan_node_port`); pass ``options`` or the options as keywords.

    ``selector`` is a Selector or kubectl's ``TYPE/NAME`` (with ``namespace``); by default the Istio ingress
    gateway's Service.
    """
    keywords = dict(selector=selector, namespace=namespace, node_ports=node_ports, node_port_range=node_port_range, all_namespaces=all_namespaces, allow_no_match=allow_no_match)
    return TRANSFORM.call(manifest, options, keywords)


def _node_port_value(text: str) -> tuple[int, int]:
    port, _, value = text.partition("=")
    if not (port.strip().isdigit() and value.strip().isdigit()):
        raise ValueError(f"--node-port-value takes PORT=NODEPORT, e.g. 80=31380, not {text!r}")
    return int(port), int(value)


TRANSFORM = Transform(
    name="node_port",
    summary="Service type LoadBalancer -> NodePort, LoadBalancer-only fields removed (the guide's step 1)",
    options=NodePortOptions,
    plan=plan_node_port,
    function=node_port,
    flag=Flag("--node-port", option="selector", metavar="SVC", help="Service to NodePort, e.g. svc/istio-ingressgateway"),
    modifiers=(
        Modifier(
            "--node-port-value",
            option="node_ports",
            metavar="PORT=NODEPORT",
            help="a fixed nodePort for a Service port; repeatable",
            parse=_node_port_value,
            repeat="merge",
        ),
    ),
    doc=__doc__ or "",
)
