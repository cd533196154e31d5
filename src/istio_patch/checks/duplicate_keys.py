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

``--dedupe-keys`` (``dedupe_keys``) removes the earlier writings, which changes nothing Kubernetes reads. A root
key repeated because two objects were written in one document without a ``---`` (``glued-documents``) is the
first object lost, not a duplicate to remove: ``--split-glued`` separates them.
"""

from __future__ import annotations

from collections.abc import Iterator

from .._glued import glued_objects
from ._base import Context, Finding, Rule

__all__ = ["RULE"]


def check(context: Context) -> Iterator[Finding]:
    for manifest in context.manifests:
        glued: dict[int, bool] = {}
        for index, dup in context.duplicates(manifest):
            if dup.pointer == "" and index not in glued:
                glued[index] = bool(glued_objects(manifest.documents[index]))
            fix = "objects glued in one document: --split-glued separates them" if glued.get(index) and dup.pointer == "" else "--dedupe-keys removes the earlier ones"
            yield Finding(
                manifest.source,
                dup.line,
                dup.column,
                RULE.id,
                f"the key {dup.key!r} is repeated at {dup.pointer or '/'}; Kubernetes keeps the value on line {dup.winning_line} ({fix})",
                RULE.severity,
                manifest.documents[index].number,
                dup.pointer,
            )


RULE = Rule("duplicate-keys", "warning", "a mapping key written twice: Kubernetes keeps the last value", check, doc=__doc__ or "")
