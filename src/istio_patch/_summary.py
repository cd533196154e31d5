"""What a manifest will create, per namespace: the guide's "verify" table, before installing.

The data is what ``kubectl get svc,deploy,ds -n NS`` would show once the manifest is applied: Services with their
type, cluster IP and ports, workloads with how many pods they run and their images.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ._errors import ModelValidationError
from ._manifest import Manifest, _objects_of
from ._models import WORKLOAD_KINDS, HorizontalPodAutoscaler, Service, Workload

__all__ = ["Summary", "NamespaceSummary", "ServiceSummary", "PortSummary", "WorkloadSummary", "summary"]


@dataclass(frozen=True)
class PortSummary:
    """A Service port as kubectl's PORT(S) column writes it: ``80:31380/TCP``."""

    port: int | None
    protocol: str
    node_port: int | None = None
    target_port: int | str | None = None
    name: str | None = None

    def __str__(self) -> str:
        return f"{self.port}{f':{self.node_port}' if self.node_port is not None else ''}/{self.protocol}"

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"port": self.port, "protocol": self.protocol}
        for key, value in (("nodePort", self.node_port), ("targetPort", self.target_port), ("name", self.name)):
            if value is not None:
                out[key] = value
        return out


@dataclass(frozen=True)
class ServiceSummary:
    """A Service: its type (``ClusterIP`` when none is written), its cluster IP as written, its ports.

    ``cluster_ip`` is ``None`` when the API server will assign one, and ``"None"`` for a headless Service.
    """

    name: str | None
    type: str
    cluster_ip: str | None
    ports: tuple[PortSummary, ...]
    source: str
    line: int

    @property
    def headless(self) -> bool:
        return self.cluster_ip == "None"

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "type": self.type, "clusterIP": self.cluster_ip, "ports": [p.to_json() for p in self.ports]}


@dataclass(frozen=True)
class WorkloadSummary:
    """A workload: its kind and name, how many pods it runs, and its images.

    ``replicas`` says it as a person would: ``"3"``, ``"1 (default)"`` when none is written, ``"HPA 1-5"`` when a
    HorizontalPodAutoscaler decides, ``"per node"`` for a DaemonSet, ``"scheduled"`` for a CronJob.
    """

    kind: str
    name: str | None
    replicas: str
    images: tuple[str, ...]
    source: str
    line: int

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "name": self.name, "replicas": self.replicas, "images": list(self.images)}


@dataclass(frozen=True)
class NamespaceSummary:
    name: str
    services: tuple[ServiceSummary, ...]
    workloads: tuple[WorkloadSummary, ...]


@dataclass(frozen=True)
class Summary:
    """Per namespace, in order of first appearance: its Services and workloads."""

    namespaces: tuple[NamespaceSummary, ...]

    def to_json(self) -> dict[str, Any]:
        """``{namespace: {"services": [...], "workloads": [...]}}``, ports as objects."""
        return {
            ns.name: {"services": [s.to_json() for s in ns.services], "workloads": [w.to_json() for w in ns.workloads]}
            for ns in self.namespaces
        }


def summary(manifests: Manifest | Sequence[Manifest]) -> Summary:
    """What ``manifests`` (one, or several read as one) will create, per namespace.

    Raises ModelValidationError for a Service, workload or HPA whose fields the API server would refuse.

    Example:
        >>> from istio_patch import load
        >>> m = load("kind: Service\\nmetadata: {name: web}\\nspec:\\n  type: NodePort\\n  ports: [{port: 80, nodePort: 30080}]\\n")
        >>> service = summary(m).namespaces[0].services[0]
        >>> (service.name, service.type, str(service.ports[0]))
        ('web', 'NodePort', '80:30080/TCP')
    """
    group = [manifests] if isinstance(manifests, Manifest) else list(manifests)
    autoscalers: list[HorizontalPodAutoscaler] = []
    services: dict[str, list[ServiceSummary]] = {}
    workloads: dict[str, list[tuple[WorkloadSummary, _Scale]]] = {}
    order: list[str] = []
    # One pass, each object typed while its document is at hand (the HPAs decide workloads' replicas at the end).
    # What is refused is said once every document is read, as if the HPAs were typed first: a YAML error, then
    # the first HPA refused, then the first Service or workload.
    refused: list[ModelValidationError | None] = [None, None]  # the first HPA, the first Service or workload
    for manifest in group:
        for document in manifest.documents:
            for obj in _objects_of(document):
                namespace = obj.namespace or "default"
                if obj.kind == "HorizontalPodAutoscaler":
                    try:
                        autoscalers.append(manifest.typed(obj, HorizontalPodAutoscaler))
                    except ModelValidationError as exc:
                        refused[0] = refused[0] or exc
                    continue
                if refused[1] is not None or (obj.kind != "Service" and obj.kind not in WORKLOAD_KINDS):
                    continue
                try:
                    if obj.kind == "Service":
                        services.setdefault(namespace, []).append(_service(manifest.typed(obj, Service)))
                    else:
                        workload = manifest.typed(obj)
                        assert isinstance(workload, Workload)
                        workloads.setdefault(namespace, []).append(_workload(workload))
                except ModelValidationError as exc:
                    refused[1] = exc
                    continue
                if namespace not in order:
                    order.append(namespace)
    first = refused[0] or refused[1]
    if first is not None:
        raise first
    return Summary(
        tuple(
            NamespaceSummary(
                ns,
                tuple(services.get(ns, ())),
                tuple(dataclasses.replace(w, replicas=_replicas(scale, autoscalers)) for w, scale in workloads.get(ns, ())),
            )
            for ns in order
        )
    )


@dataclass(frozen=True)
class _Scale:
    """What a workload's replicas depend on, besides the HPAs: read while its typed model is at hand."""

    kind: str
    name: str | None
    namespace: str | None
    replicas: int | None
    parallelism: int | None


def _service(service: Service) -> ServiceSummary:
    ports = tuple(
        PortSummary(p.port, p.protocol_or_default, p.node_port, p.target_port, p.name) for p in service.spec.ports or ()
    )
    origin = service.origin
    assert origin is not None
    return ServiceSummary(service.name, service.type, service.spec.cluster_ip, ports, origin.source, origin.line)


def _workload(workload: Workload) -> tuple[WorkloadSummary, _Scale]:
    images = tuple(dict.fromkeys(c.image for _, c in workload.containers() if c.image))
    origin = workload.origin
    assert origin is not None
    scale = _Scale(workload.kind, workload.name, workload.namespace, workload.replicas, getattr(getattr(workload, "spec", None), "parallelism", None))
    return WorkloadSummary(workload.kind, workload.name, "", images, origin.source, origin.line), scale


def _replicas(workload: _Scale, autoscalers: Sequence[HorizontalPodAutoscaler]) -> str:
    if workload.kind == "DaemonSet":
        return "per node"
    if workload.kind == "CronJob":
        return "scheduled"
    if workload.kind == "Pod":
        return "1"
    for hpa in autoscalers:
        if hpa.scales(workload.kind, workload.name, workload.namespace):
            low = hpa.spec.min_replicas if hpa.spec.min_replicas is not None else 1
            return f"HPA {low}-{hpa.spec.max_replicas}"
    if workload.kind == "Job":
        return str(workload.parallelism) if workload.parallelism is not None else "1 (default)"
    return str(workload.replicas) if workload.replicas is not None else "1 (default)"
