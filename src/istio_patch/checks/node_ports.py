"""``node-ports``: a nodePort outside the cluster's node-port range, or held by two Services.

The API server refuses a nodePort outside ``--service-node-port-range`` (30000-32767 by default; ``check
--node-port-range`` says yours), and a second Service asking for a nodePort that one already holds (same
protocol) is refused when it is created: the install stops half way.

Fails::

    ports:
    - port: 81
      nodePort: 40000          # outside 30000-32767

Passes: nodePorts in the range, each held by one Service port.
"""

from __future__ import annotations

from collections.abc import Iterator

from .._manifest import Manifest
from .._models import Service
from ._base import Context, Finding, Rule

__all__ = ["RULE"]


def check(context: Context) -> Iterator[Finding]:
    low, high = context.options.node_port_range
    held: dict[tuple[int, str], tuple[Manifest, Service]] = {}
    for manifest, service in context.of_kinds("Service"):
        if not isinstance(service, Service):
            continue
        for i, port in enumerate(service.spec.ports or ()):
            if port.node_port is None:
                continue
            value, protocol = port.node_port, port.protocol_or_default
            where = f"/spec/ports/{i}/nodePort"
            if not low <= value <= high:
                yield context.finding(RULE, manifest, service, where, f"{service.describe()}: nodePort {value} is outside the node port range {low}-{high}")
            first = held.get((value, protocol))
            if first is not None and first[1] is not service:
                yield context.finding(
                    RULE,
                    manifest,
                    service,
                    where,
                    f"{service.describe()}: nodePort {value}/{protocol} is also used by {first[1].describe()} ({first[1].origin})",
                )
            held.setdefault((value, protocol), (manifest, service))


RULE = Rule("node-ports", "error", "a nodePort outside the node-port range, or held by two Services", check, doc=__doc__ or "")
