"""``load-balancer``: a ``type: LoadBalancer`` Service on bare metal (runs with ``--bare-metal`` only).

Without a cloud provider (or MetalLB and the like), nothing gives such a Service an external address: it stays
``<pending>`` forever, which is step 1 of the field guide. Make it a NodePort Service (``--node-port`` or
``--preset bare-metal``).

Fails (with ``--bare-metal``)::

    kind: Service
    spec:
      type: LoadBalancer

Passes: ``type: NodePort`` or ``ClusterIP``.
"""

from __future__ import annotations

from collections.abc import Iterator

from .._models import Service
from ._base import CheckOptions, Context, Finding, Rule

__all__ = ["RULE"]


def check(context: Context) -> Iterator[Finding]:
    for manifest, service in context.of_kinds("Service"):
        if isinstance(service, Service) and service.spec.type == "LoadBalancer":
            yield context.finding(
                RULE,
                manifest,
                service,
                "/spec/type",
                f"{service.describe()} is type LoadBalancer: on bare metal nothing will give it an external address "
                "(use --node-port or --preset bare-metal)",
            )


def _on_bare_metal(options: CheckOptions) -> bool:
    return options.bare_metal


RULE = Rule(
    "load-balancer",
    "error",
    "a LoadBalancer Service on bare metal never gets an external address",
    check,
    enabled=_on_bare_metal,
    doc=__doc__ or "",
)
