"""``duplicate-keys``: a mapping key written twice.

Kubernetes reads the last writing and ignores the others without a word, so the earlier value looks as if it
applied and does not. kustomize refuses such a manifest outright. Istio 1.0's demo has two: the ingress and
egress gateways' ``app`` labels.

Fails::

    metadata:
      labels:
        app: istio-ingressgateway
        chart: gateways
        app: ingressgateway        # the first app label is silently lost

Passes: each key once.
"""

from __future__ import annotations

from typing import Iterator

from ._base import Context, Finding, Rule

__all__ = ["RULE"]


def check(context: Context) -> Iterator[Finding]:
    for manifest in context.manifests:
        for index, dup in context.duplicates(manifest):
            yield Finding(
                manifest.source,
                dup.line,
                dup.column,
                RULE.id,
                f"the key {dup.key!r} is repeated at {dup.pointer or '/'}; Kubernetes keeps the value on line {dup.winning_line}",
                RULE.severity,
                manifest.documents[index].number,
                dup.pointer,
            )


RULE = Rule("duplicate-keys", "warning", "a mapping key written twice: Kubernetes keeps the last value", check, doc=__doc__ or "")
