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

from dataclasses import dataclass, field
from typing import Any

from .._errors import OptionsError
from .._manifest import KubeObject, Manifest
from ._base import Edit, Plan, Result, Selector, TransformOptions, execute, ingress_gateway, select
from .._workloads import line_at

__all__ = ["NodePortOptions", "plan_node_port", "node_port", "LOAD_BALANCER_ONLY"]

# Fields a Service may carry only as a LoadBalancer (healthCheckNodePort: LoadBalancer with Local traffic).
LOAD_BALANCER_ONLY = (
    "loadBalancerIP",
    "loadBalancerSourceRanges",
    "loadBalancerClass",
    "allocateLoadBalancerNodePorts",
    "healthCheckNodePort",
)


@dataclass(frozen=True, kw_only=True)
class NodePortOptions(TransformOptions):
    """Options of :func:`node_port`."""

    ALIASES = {"target": "selector"}

    selector: Selector = ingress_gateway("Service")
    node_ports: dict[int, int] = field(default_factory=dict)
    node_port_range: tuple[int, int] = (30000, 32767)


def plan_node_port(manifest: Manifest, options: NodePortOptions) -> Plan:
    """The operations that turn the selected Services into NodePort Services.

    Raises SelectorError when nothing matches (unless ``allow_no_match``), OptionsError for a selector that
    names another kind, a nodePort outside the range, used twice, or a port the Service does not have.
    """
    low, high = options.node_port_range
    for port, wanted in options.node_ports.items():
        if not low <= wanted <= high:
            raise OptionsError(
                f"node_port: nodePort {wanted} for port {port} is outside the node-port range {low}-{high}",
                source=manifest.source,
            )
    seen: dict[int, int] = {}
    for port, wanted in options.node_ports.items():
        if wanted in seen:
            raise OptionsError(
                f"node_port: nodePort {wanted} is given to both port {seen[wanted]} and port {port}",
                source=manifest.source,
            )
        seen[wanted] = port
    found = select(manifest, options.selector, allow_no_match=options.allow_no_match, what="node_port")
    edits = []
    for obj in found:
        if obj.kind != "Service":
            raise OptionsError(f"node_port: {obj.describe()} is not a Service", source=obj.source, line=obj.line)
        edits.append(Edit.on(obj, _operations(manifest, obj, options), "Service type NodePort"))
    return Plan("node_port", tuple(edits))


def _operations(manifest: Manifest, service: KubeObject, options: NodePortOptions) -> list[dict[str, Any]]:
    spec = service.data.get("spec")
    if not isinstance(spec, dict):
        return [{"op": "add", "path": "/spec", "value": {"type": "NodePort"}}]
    if spec.get("type") == "ExternalName":
        raise OptionsError(
            f"node_port: {service.describe()} is an ExternalName Service, which has no ports to open on nodes",
            source=service.source,
            line=line_at(manifest, service, "/spec/type"),
        )
    ops: list[dict[str, Any]] = []
    if "type" not in spec:
        ops.append({"op": "add", "path": "/spec/type", "value": "NodePort"})
    elif spec["type"] != "NodePort":
        ops.append({"op": "replace", "path": "/spec/type", "value": "NodePort"})
    ops.extend({"op": "remove", "path": f"/spec/{key}"} for key in LOAD_BALANCER_ONLY if key in spec)
    ops.extend(_node_port_operations(manifest, service, spec, options))
    return ops


def _node_port_operations(
    manifest: Manifest, service: KubeObject, spec: dict[str, Any], options: NodePortOptions
) -> list[dict[str, Any]]:
    if not options.node_ports:
        return []
    ports = spec.get("ports") if isinstance(spec.get("ports"), list) else []
    index: dict[Any, int] = {}
    for i, entry in enumerate(ports):
        if isinstance(entry, dict):
            index.setdefault(entry.get("port"), i)
    missing = [port for port in options.node_ports if port not in index]
    if missing:
        have = ", ".join(str(p) for p in index) or "none"
        raise OptionsError(
            f"node_port: {service.describe()} has no port {missing[0]} (its ports: {have})",
            source=service.source,
            line=line_at(manifest, service, "/spec/ports"),
        )
    _refuse_taken(manifest, service, options.node_ports, index)
    ops: list[dict[str, Any]] = []
    for port, wanted in options.node_ports.items():
        entry = ports[index[port]]
        path = f"/spec/ports/{index[port]}/nodePort"
        if "nodePort" not in entry:
            ops.append({"op": "add", "path": path, "value": wanted})
        elif entry["nodePort"] != wanted:
            ops.append({"op": "replace", "path": path, "value": wanted})
    return ops


def _refuse_taken(manifest: Manifest, service: KubeObject, wanted: dict[int, int], index: dict[Any, int]) -> None:
    """A nodePort is a node-wide resource: no other Service port of the manifest may hold a wanted one."""
    ours = {(service.document, service.pointer, i) for i in index.values()}
    values = set(wanted.values())
    for obj in manifest.objects():
        if obj.kind != "Service":
            continue
        spec = obj.data.get("spec")
        ports = spec.get("ports") if isinstance(spec, dict) else None
        for i, entry in enumerate(ports if isinstance(ports, list) else []):
            if not isinstance(entry, dict) or entry.get("nodePort") not in values:
                continue
            if (obj.document, obj.pointer, i) in ours and entry.get("port") in wanted:
                continue  # the port being set holds it already (or gives it up)
            raise OptionsError(
                f"node_port: nodePort {entry['nodePort']} is already used by {obj.describe()} port {entry.get('port')}",
                source=obj.source,
                line=line_at(manifest, obj, f"/spec/ports/{i}/nodePort"),
            )


def node_port(manifest: Manifest, options: NodePortOptions | None = None, **kwargs: Any) -> Result:
    """Apply :func:`plan_node_port`; ``kwargs`` build the options when ``options`` is not given."""
    return execute(manifest, plan_node_port(manifest, options or NodePortOptions.validate(kwargs)))
