"""``hpa-target``: a HorizontalPodAutoscaler whose target cannot be scaled, or is not in the manifest.

An HPA scales a Deployment, StatefulSet or ReplicaSet; it cannot scale a DaemonSet, which is what the
gateway's Deployment becomes on bare metal: the HPA then fails forever (``FailedGetScale``). An HPA whose
target is in no file of the manifest scales nothing until that object exists.

Fails::

    kind: HorizontalPodAutoscaler
    spec:
      scaleTargetRef: {apiVersion: apps/v1, kind: DaemonSet, name: gw}

Passes: an HPA that targets a Deployment of the manifest; no HPA for a DaemonSet.
"""

from __future__ import annotations

from collections.abc import Iterator

from .._models import HorizontalPodAutoscaler
from ._base import Context, Finding, Rule

__all__ = ["RULE"]


def check(context: Context) -> Iterator[Finding]:
    workloads = {(o.kind, o.namespace or "default", o.name) for _, o in context.objects()}
    for manifest, hpa in context.of_kinds("HorizontalPodAutoscaler"):
        ref = hpa.spec.scale_target_ref if isinstance(hpa, HorizontalPodAutoscaler) else None
        if ref is None:
            continue
        kind, name, namespace = ref.kind, ref.name, hpa.namespace or "default"
        if kind == "DaemonSet" or (kind and name and ("DaemonSet", namespace, name) in workloads and (kind, namespace, name) not in workloads):
            yield context.finding(
                RULE, manifest, hpa, "/spec/scaleTargetRef", f"{hpa.describe()} targets DaemonSet {namespace}/{name}, which an HPA cannot scale; remove the HPA"
            )
        elif kind and name and (kind, namespace, name) not in workloads:
            yield context.finding(
                RULE, manifest, hpa, "/spec/scaleTargetRef", f"{hpa.describe()} targets {kind} {namespace}/{name}, which is not in the manifest"
            )


RULE = Rule("hpa-target", "error", "an HPA that targets a DaemonSet, or an object not in the manifest", check, doc=__doc__ or "")
