"""What a manifest will create, per namespace: the guide's "verify" table, before installing.

The data is what ``kubectl get svc,deploy,ds -n NS`` would show once the manifest is applied: Services with their
type, cluster IP and ports, workloads with how many pods they run and their images.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from ._manifest import Manifest
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
    objects = [(m, o) for m in group for o in m.objects()]
    autoscalers = [m.typed(o, HorizontalPodAutoscaler) for m, o in objects if o.kind == "HorizontalPodAutoscaler"]
    services: dict[str, list[ServiceSummary]] = {}
    workloads: dict[str, list[WorkloadSummary]] = {}
    order: list[str] = []
    for manifest, obj in objects:
        namespace = obj.namespace or "default"
        if obj.kind == "Service":
            service = manifest.typed(obj, Service)
            services.setdefault(namespace, []).append(_service(service))
        elif obj.kind in WORKLOAD_KINDS:
            workload = manifest.typed(obj)
            assert isinstance(workload, Workload)
            workloads.setdefault(namespace, []).append(_workload(workload, autoscalers))
        else:
            continue
        if namespace not in order:
            order.append(namespace)
    return Summary(tuple(NamespaceSummary(ns, tuple(services.get(ns, ())), tuple(workloads.get(ns, ()))) for ns in order))


def _service(service: Service) -> ServiceSummary:
    ports = tuple(
        PortSummary(p.port, p.protocol_or_default, p.node_port, p.target_port, p.name) for p in service.spec.ports or ()
    )
    origin = service.origin
    assert origin is not None
    return ServiceSummary(service.name, service.type, service.spec.cluster_ip, ports, origin.source, origin.line)


def _workload(workload: Workload, autoscalers: Sequence[HorizontalPodAutoscaler]) -> WorkloadSummary:
    images = tuple(dict.fromkeys(c.image for _, c in workload.containers() if c.image))
    origin = workload.origin
    assert origin is not None
    return WorkloadSummary(workload.kind, workload.name, _replicas(workload, autoscalers), images, origin.source, origin.line)


def _replicas(workload: Workload, autoscalers: Sequence[HorizontalPodAutoscaler]) -> str:
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
        parallelism = getattr(workload.spec, "parallelism", None)
        return str(parallelism) if parallelism is not None else "1 (default)"
    replicas = workload.replicas
    return str(replicas) if replicas is not None else "1 (default)"
