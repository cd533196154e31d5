"""Typed, immutable views of the Kubernetes objects the transforms read (pydantic v2).

Only the fields the transforms use are declared; every other field is allowed and kept (``extra="allow"``),
so a model never loses data. Field names are snake_case in Python and camelCase in YAML.
A registry maps (apiVersion, kind) to a model; Istio's and anyone's custom kinds can be registered.
"""

from __future__ import annotations

from typing import Any, Optional

from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as _PydanticValidationError
from pydantic.alias_generators import to_camel

from ._errors import ModelValidationError
from ._manifest import KubeObject

__all__ = [
    "KubeModel",
    "ObjectMeta",
    "GenericObject",
    "ContainerPort",
    "ResourceRequirements",
    "Container",
    "PodSpec",
    "PodTemplateSpec",
    "WorkloadSpec",
    "Workload",
    "Deployment",
    "DaemonSet",
    "StatefulSet",
    "Pod",
    "ServicePort",
    "ServiceSpec",
    "Service",
    "CrossVersionObjectReference",
    "HorizontalPodAutoscalerSpec",
    "HorizontalPodAutoscaler",
    "ConfigMap",
    "Namespace",
    "Registry",
    "DEFAULT_REGISTRY",
    "model_of",
]


class KubeModel(BaseModel):
    """Base of the models: frozen, camelCase aliases, unknown fields kept."""

    model_config = ConfigDict(frozen=True, extra="allow", alias_generator=to_camel, populate_by_name=True, defer_build=True)


class ObjectMeta(KubeModel):
    name: Optional[str] = None
    namespace: Optional[str] = None
    labels: Optional[dict[str, str]] = None
    annotations: Optional[dict[str, Optional[str]]] = None


class GenericObject(KubeModel):
    """Any object: apiVersion, kind and metadata."""

    api_version: Optional[str] = None
    kind: str
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)


class ContainerPort(KubeModel):
    container_port: int
    host_port: Optional[int] = None
    name: Optional[str] = None
    protocol: Optional[str] = None


class ResourceRequirements(KubeModel):
    requests: Optional[dict[str, Any]] = None
    limits: Optional[dict[str, Any]] = None


class Container(KubeModel):
    name: str
    image: Optional[str] = None
    args: Optional[list[str]] = None
    command: Optional[list[str]] = None
    ports: Optional[list[ContainerPort]] = None
    resources: Optional[ResourceRequirements] = None


class PodSpec(KubeModel):
    containers: list[Container] = Field(default_factory=list)
    init_containers: Optional[list[Container]] = None
    ephemeral_containers: Optional[list[Container]] = None
    host_network: Optional[bool] = None

    def all_containers(self) -> list[tuple[str, int, Container]]:
        """(field, index, container) for init, regular and ephemeral containers, in that order."""
        out: list[tuple[str, int, Container]] = []
        for field_name, items in (
            ("initContainers", self.init_containers),
            ("containers", self.containers),
            ("ephemeralContainers", self.ephemeral_containers),
        ):
            out.extend((field_name, i, c) for i, c in enumerate(items or []))
        return out


class PodTemplateSpec(KubeModel):
    metadata: Optional[ObjectMeta] = None
    spec: PodSpec = Field(default_factory=PodSpec)


class WorkloadSpec(KubeModel):
    replicas: Optional[int] = None
    selector: Optional[dict[str, Any]] = None
    template: PodTemplateSpec = Field(default_factory=PodTemplateSpec)
    strategy: Optional[dict[str, Any]] = None
    update_strategy: Optional[dict[str, Any]] = None


class Workload(GenericObject):
    spec: WorkloadSpec = Field(default_factory=WorkloadSpec)


class Deployment(Workload):
    pass


class DaemonSet(Workload):
    pass


class StatefulSet(Workload):
    pass


class Pod(GenericObject):
    spec: PodSpec = Field(default_factory=PodSpec)


class ServicePort(KubeModel):
    port: int
    name: Optional[str] = None
    protocol: Optional[str] = None
    target_port: Optional[int | str] = None
    node_port: Optional[int] = None


class ServiceSpec(KubeModel):
    type: Optional[str] = None
    ports: list[ServicePort] = Field(default_factory=list)
    selector: Optional[dict[str, str]] = None


class Service(GenericObject):
    spec: ServiceSpec = Field(default_factory=ServiceSpec)


class CrossVersionObjectReference(KubeModel):
    kind: str
    name: str
    api_version: Optional[str] = None


class HorizontalPodAutoscalerSpec(KubeModel):
    scale_target_ref: CrossVersionObjectReference
    min_replicas: Optional[int] = None
    max_replicas: Optional[int] = None


class HorizontalPodAutoscaler(GenericObject):
    spec: HorizontalPodAutoscalerSpec


class ConfigMap(GenericObject):
    data: Optional[dict[str, Optional[str]]] = None


class Namespace(GenericObject):
    pass


class Registry:
    """Maps (apiVersion, kind) to a model class; ``None`` as apiVersion matches any version of the kind.

    Registries are values: :meth:`with_model` returns a new registry, so registering a custom kind never
    changes what other code sees.
    """

    def __init__(self, models: dict[tuple[str | None, str], type[GenericObject]] | None = None) -> None:
        self._models = dict(models or {})

    def with_model(self, kind: str, model: type[GenericObject], api_version: str | None = None) -> Registry:
        """A new registry that also maps ``(api_version, kind)`` to ``model``."""
        return Registry({**self._models, (api_version, kind): model})

    def model_for(self, api_version: str | None, kind: str | None) -> type[GenericObject]:
        if kind is None:
            return GenericObject
        return self._models.get((api_version, kind)) or self._models.get((None, kind)) or GenericObject

    def validate(self, obj: KubeObject) -> GenericObject:
        """The typed model of ``obj``; ModelValidationError names the document, line and JSON pointer."""
        model = self.model_for(obj.api_version, obj.kind)
        try:
            return model.model_validate(obj.data)
        except _PydanticValidationError as exc:
            first = exc.errors()[0]
            pointer = obj.pointer + "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in first["loc"])
            raise ModelValidationError(
                f"{obj.describe()} does not fit {model.__name__}: {first['msg']}",
                source=obj.source,
                document=obj.document,
                line=obj.line,
                pointer=pointer,
            ) from None


DEFAULT_REGISTRY = Registry(
    {
        (None, "Deployment"): Deployment,
        (None, "DaemonSet"): DaemonSet,
        (None, "StatefulSet"): StatefulSet,
        (None, "ReplicaSet"): Workload,
        (None, "Pod"): Pod,
        (None, "Service"): Service,
        (None, "HorizontalPodAutoscaler"): HorizontalPodAutoscaler,
        (None, "ConfigMap"): ConfigMap,
        (None, "Namespace"): Namespace,
    }
)


def model_of(obj: KubeObject, registry: Registry = DEFAULT_REGISTRY) -> GenericObject:
    """Shorthand for ``registry.validate(obj)``."""
    return registry.validate(obj)
