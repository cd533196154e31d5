"""``glued-documents``: two objects written one after the other in one document, the ``---`` between them missing.

A Helm template that holds two objects without a ``---`` renders one document in which the second object's
keys repeat the first's at the root. Kubernetes keeps the last writing of each key: it reads the second object
and silently loses the first. Istio 1.1.0's demo lost a certmanager CustomResourceDefinition this way. The
finding is at the line where the next object starts and names the object lost; ``--split-glued``
(``split_glued``) inserts the ``---``.

A repeated root key counts as a new object only when that is plain: it is ``apiVersion`` or ``kind``, the key
after it is the other of the two, and each object holds ``apiVersion``, ``kind`` and ``metadata``. Other repeated
keys are ``duplicate-keys``.

Fails::

    apiVersion: apiextensions.k8s.io/v1beta1
    kind: CustomResourceDefinition
    metadata:
      name: clusterissuers.certmanager.k8s.io
    apiVersion: apiextensions.k8s.io/v1beta1     # a new object: the one above is lost
    kind: CustomResourceDefinition
    metadata:
      name: issuers.certmanager.k8s.io

Passes: a ``---`` line before the second ``apiVersion``.
"""

from __future__ import annotations

from collections.abc import Iterator

from .._glued import glued_objects
from ._base import Context, Finding, Rule

__all__ = ["RULE"]


def check(context: Context) -> Iterator[Finding]:
    for manifest in context.manifests:
        for doc in manifest.documents:
            objects = glued_objects(doc)
            for before, after in zip(objects, objects[1:]):
                yield Finding(
                    manifest.source,
                    after.line,
                    after.column,
                    RULE.id,
                    f"{after.describe()} starts here without a `---` before it, so Kubernetes reads one object and loses "
                    f"{before.describe()} (line {before.line}); --split-glued inserts the `---`",
                    RULE.severity,
                    doc.index + 1,
                    "",
                )


RULE = Rule("glued-documents", "error", "two objects in one document, the `---` between them missing: the first is lost", check, doc=__doc__ or "")
