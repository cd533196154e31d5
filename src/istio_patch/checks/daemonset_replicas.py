"""``daemonset-replicas``: a DaemonSet with ``replicas``.

A DaemonSet runs one pod on every node it may run on; it has no ``replicas``. The field is dropped by the API
server (or refused with ``kubectl apply --validate=strict``), and usually means a Deployment was converted by
hand and the field forgotten, as in step 2 of the field guide.

Fails::

    kind: DaemonSet
    spec:
      replicas: 2

Passes: no ``replicas``.
"""

from __future__ import annotations

from collections.abc import Iterator

from ._base import Context, Finding, Rule

__all__ = ["RULE"]


def check(context: Context) -> Iterator[Finding]:
    for manifest, daemonset in context.of_kinds("DaemonSet"):
        if daemonset.spec.has("replicas"):  # type: ignore[attr-defined]
            yield context.finding(
                RULE, manifest, daemonset, "/spec/replicas", f"{daemonset.describe()} has replicas: a DaemonSet runs one pod per node and has no replicas"
            )


RULE = Rule("daemonset-replicas", "error", "a DaemonSet with replicas, which it does not have", check, doc=__doc__ or "")
