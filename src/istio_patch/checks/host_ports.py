"""``host-ports``: a port of the node asked for twice: by two workloads, or by a workload and a Service's nodePort.

A hostPort is a port of the node, and so is every container port of a pod that uses the node's network
(``hostNetwork: true``). Two pods holding the same port, protocol and address (``0.0.0.0`` is every address)
cannot run on one node: the second stays ``Pending``. On bare metal the gateway DaemonSet holds 80 and 443 on
every node, so any other workload asking for them cannot be scheduled anywhere. A hostPort equal to a Service's
nodePort clashes with kube-proxy, which holds every nodePort on every node.

Fails::

    kind: DaemonSet            # on every node
    ...
        ports: [{containerPort: 80, hostPort: 80}]
    ---
    kind: Deployment
    ...
        ports: [{containerPort: 8080, hostPort: 80}]

Passes: each node port held once. A ``hostPort`` of 0 or null is none (Kubernetes reads it so).
"""

from __future__ import annotations

from collections.abc import Iterator

from .._manifest import Manifest
from .._models import WORKLOAD_KINDS, HostPortClaim, Service, Workload
from ._base import Context, Finding, Rule

__all__ = ["RULE"]


def check(context: Context) -> Iterator[Finding]:
    node_ports = {
        (port.node_port, port.protocol_or_default): service
        for _, service in context.of_kinds("Service")
        if isinstance(service, Service)
        for port in service.spec.ports or ()
        if port.node_port is not None
    }
    held: list[tuple[HostPortClaim, Workload]] = []
    for manifest, workload in context.of_kinds(*WORKLOAD_KINDS):
        if not isinstance(workload, Workload):
            continue
        for claim in workload.host_ports():
            yield from _against_node_ports(context, manifest, workload, claim, node_ports)
            first = next(((c, w) for c, w in held if c.clashes(claim)), None)
            if first is None:
                held.append((claim, workload))
                continue
            other_claim, other = first
            same = f", container {other_claim.container}" if other is workload else ""
            yield context.finding(
                RULE,
                manifest,
                workload,
                claim.pointer,
                f"{workload.describe()}: hostPort {claim.port}/{claim.protocol} is also used by {other.describe()} ({other.origin}{same}); "
                "their pods cannot share a node",
            )


def _against_node_ports(
    context: Context, manifest: Manifest, workload: Workload, claim: HostPortClaim, node_ports: dict[tuple[int, str], Service]
) -> Iterator[Finding]:
    service = node_ports.get((claim.port, claim.protocol))
    if service is not None:
        yield context.finding(
            RULE,
            manifest,
            workload,
            claim.pointer,
            f"{workload.describe()}: hostPort {claim.port}/{claim.protocol} is also the nodePort of {service.describe()} "
            f"({service.origin}), which kube-proxy holds on every node",
        )


RULE = Rule("host-ports", "error", "a port of the node asked for by two workloads, or by a workload and a nodePort", check, doc=__doc__ or "")
