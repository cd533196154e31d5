"""``invalid-object``: a field whose value the API server refuses (``containerPort: "80"``).

Kubernetes' API server decodes each object into its Go types and refuses the object when a field has the
wrong type: ``kubectl apply`` fails on it. The other rules read the fields of the kinds they know through
istio-patch's typed models, which refuse the same values; this rule reports each such object once, at the
offending field, instead of letting it pass unchecked.

Fails::

    ports:
    - containerPort: "80"      # a string where the API wants an integer

Passes: ``containerPort: 80``.
"""

from __future__ import annotations

from collections.abc import Iterator

from ._base import READ_KINDS, Context, Finding, Rule

__all__ = ["RULE"]

def check(context: Context) -> Iterator[Finding]:
    # the kinds the other rules read (READ_KINDS); an object of another kind is none of check's business
    for manifest, obj in context.objects():
        if obj.kind in READ_KINDS:
            context.typed(manifest, obj)
    for manifest, obj, error in context.refused:
        yield Finding(
            manifest.source,
            error.line or obj.line,
            error.column or 1,
            RULE.id,
            error.message,
            RULE.severity,
            obj.document,
            error.pointer,
        )


RULE = Rule("invalid-object", "error", "a field whose value the API server refuses", check, doc=__doc__ or "")
