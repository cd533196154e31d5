"""``host-ports``: one hostPort asked for by two workloads (or two containers).

A hostPort is a port of the node: two pods asking for the same hostPort, protocol and host IP cannot run on one
node, so the second stays ``Pending``. On bare metal the gateway DaemonSet holds 80 and 443 on every node, so any
other workload asking for them cannot be scheduled anywhere.

Fails::

    kind: DaemonSet            # on every node
    ...
        ports: [{containerPort: 80, hostPort: 80}]
    ---
    kind: Deployment
    ...
        ports: [{containerPort: 8080, hostPort: 80}]

Passes: each hostPort held by one workload. A ``hostPort`` of 0 or null is none (Kubernetes reads it so).
"""

from __future__ import annotations

from typing import Iterator

from .._manifest import Manifest
from .._models import WORKLOAD_KINDS, Workload
from ._base import Context, Finding, Rule

__all__ = ["RULE"]


def check(context: Context) -> Iterator[Finding]:
    held: dict[tuple[str, int, str], tuple[Manifest, Workload, str]] = {}
    for manifest, workload in context.of_kinds(*WORKLOAD_KINDS):
        if not isinstance(workload, Workload):
            continue
        for pointer, container in workload.containers():
            for j, port in enumerate(container.ports or ()):
                if not port.holds_host_port:
                    continue
                assert port.host_port is not None
                key = (port.host_ip or "0.0.0.0", port.host_port, port.protocol_or_default)
                first = held.get(key)
                if first is None:
                    held[key] = (manifest, workload, str(container.name))
                    continue
                other = first[1]
                same = f", container {first[2]}" if other is workload else ""
                yield context.finding(
                    RULE,
                    manifest,
                    workload,
                    f"{pointer}/ports/{j}/hostPort",
                    f"{workload.describe()}: hostPort {key[1]}/{key[2]} is also used by {other.describe()} ({other.origin}{same}); "
                    "their pods cannot share a node",
                )


RULE = Rule("host-ports", "error", "one hostPort asked for by two workloads, whose pods then cannot share a node", check, doc=__doc__ or "")
