"""Typed, immutable views of Kubernetes objects (pydantic v2): what the transforms and checks read.

A model is built from an object's Kubernetes view and declares the fields istio-patch reads, with the types
the API server insists on (``strict``: a ``containerPort: "80"`` string is refused, not coerced). Every other
field is allowed and kept as it was (``extra="allow"``), so ``model.to_data()`` gives back exactly the view it
was built from: nothing is lost, renamed or defaulted on the way. Declared fields are optional wherever the
API server would accept an object without them, so that a model never refuses an object for a field no one
reads.

Field names are snake_case in Python and Kubernetes' camelCase on the wire (``container_port`` is
``containerPort``; the irregular ones, such as ``hostIP``, are spelt out). Models are frozen; a changed object
is a copy (``model.model_copy(update={...})``, or :meth:`KubeModel.without` to drop fields), and
``Edit.between(before, after)`` turns the difference into RFC 6902 operations.

A :class:`Registry` maps ``(apiVersion, kind)`` to a model class; :data:`DEFAULT_REGISTRY` knows the built-in
kinds, and :meth:`Registry.with_model` adds custom ones (Istio's CRDs, say).

Validators are built on first use (``defer_build``): a run pays for the models of the objects it reads.
"""

# No ``from __future__ import annotations`` here: pydantic would evaluate every field's annotation from its text
# when each class is made, which is a third of importing this module; the few annotations that name a class
# defined further down are quoted instead.
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, SerializerFunctionWrapHandler, model_serializer
from pydantic import ValidationError as _PydanticValidationError
from pydantic.alias_generators import to_camel

from ._errors import ModelValidationError

__all__ = [
    "Origin",
    "KubeModel",
    "ObjectMeta",
    "KubeObjectModel",
    "GenericObject",
    "ContainerPort",
    "ResourceRequirements",
    "Container",
    "Toleration",
    "PodSpec",
    "PodTemplateSpec",
    "LabelSelector",
    "RollingUpdate",
    "DeploymentStrategy",
    "DaemonSetUpdateStrategy",
    "StatefulSetUpdateStrategy",
    "DeploymentSpec",
    "DaemonSetSpec",
    "StatefulSetSpec",
    "ReplicaSetSpec",
    "ReplicationControllerSpec",
    "JobSpec",
    "JobTemplateSpec",
    "CronJobSpec",
    "HostPortClaim",
    "Workload",
    "Deployment",
    "DaemonSet",
    "StatefulSet",
    "ReplicaSet",
    "ReplicationController",
    "Job",
    "CronJob",
    "Pod",
    "ServicePort",
    "ServiceSpec",
    "Service",
    "CrossVersionObjectReference",
    "MetricSpec",
    "HorizontalPodAutoscalerSpec",
    "HorizontalPodAutoscaler",
    "ConfigMap",
    "Namespace",
    "WebhookClientConfig",
    "Webhook",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
    "CustomResourceDefinitionVersion",
    "CustomResourceDefinitionNames",
    "CustomResourceDefinitionSpec",
    "CustomResourceDefinition",
    "PodDisruptionBudgetSpec",
    "PodDisruptionBudget",
    "Registry",
    "DEFAULT_REGISTRY",
    "WORKLOAD_KINDS",
]

M = TypeVar("M", bound="KubeModel")

# A resource quantity as written: "500m", "2Gi", 1, 0.5.
Quantity = int | float | str
# An int or a percentage, as in maxUnavailable: 1 or "25%".
IntOrString = int | str
# Label and annotation values: Kubernetes reads a null value as "".
LabelMap = dict[str, str | None]


@dataclass(frozen=True)
class Origin:
    """Where an object was read: file, document, JSON pointer inside it, line.

    Attributes:
        source: the file name (or ``"<string>"``).
        index: the document's 0-based position in the stream (``manifest.documents[index]``).
        document: the document's 1-based number in its file.
        pointer: where the object sits in its document ("" for the document itself, "/items/3" in a List).
        line: 1-based line of the file where the object starts.
    """

    source: str
    index: int
    pointer: str
    line: int
    document: int = 0

    def __post_init__(self) -> None:
        if self.document == 0:
            object.__setattr__(self, "document", self.index + 1)

    def __str__(self) -> str:
        return f"{self.source}:{self.line}"


class KubeModel(BaseModel):
    """Base of every model: frozen, strict, camelCase on the wire, unknown fields kept."""

    model_config = ConfigDict(
        frozen=True,
        extra="allow",
        strict=True,
        alias_generator=to_camel,
        validate_by_alias=True,
        validate_by_name=True,
        serialize_by_alias=True,
        defer_build=True,
    )

    def to_data(self) -> dict[str, Any]:
        """The Kubernetes data of this model: the fields that were given, under their wire names."""
        return self.model_dump(mode="python", by_alias=True, exclude_unset=True)

    @model_serializer(mode="wrap")
    def _only_what_was_written(self, handler: SerializerFunctionWrapHandler) -> Any:
        # pydantic counts an unknown key among the fields given by its name: a key spelt like a field's Python
        # name (`cluster_ip`, not `clusterIP`) would bring the field out as null. It is an unknown field only.
        data = handler(self)
        extra = self.model_extra
        if extra and isinstance(data, dict):
            for name, info in type(self).model_fields.items():
                if name in extra and info.alias and info.alias != name and getattr(self, name) == info.default:
                    data.pop(info.alias, None)
        return data

    def has(self, name: str) -> bool:
        """Whether the field ``name`` (Python or wire spelling) was present in the data, even as null."""
        field = _python_name(type(self), name)
        if field is not None:
            return field in self.model_fields_set
        return name in (self.model_extra or {})

    def without(self: M, *names: str) -> M:
        """A copy without the fields ``names`` (Python or wire spelling): they read as unset and are not dumped."""
        cls = type(self)
        dropped_fields = {f for f in (_python_name(cls, n) for n in names) if f is not None}
        dropped_extras = {n for n in names if _python_name(cls, n) is None}
        kept = {f: getattr(self, f) for f in self.model_fields_set if f not in dropped_fields and f in cls.model_fields}
        extras = {k: v for k, v in (self.model_extra or {}).items() if k not in dropped_extras}
        copy = cls.model_construct(_fields_set=set(kept), **kept, **extras)
        if isinstance(self, KubeObjectModel):
            copy._origin = self._origin  # type: ignore[attr-defined]
        return copy


def _python_name(cls: type[KubeModel], name: str) -> str | None:
    if name in cls.model_fields:
        return name
    for field_name, info in cls.model_fields.items():
        if info.alias == name:
            return field_name
    return None


class ObjectMeta(KubeModel):
    name: str | None = None
    namespace: str | None = None
    generate_name: str | None = None
    labels: LabelMap | None = None
    annotations: LabelMap | None = None


class KubeObjectModel(KubeModel):
    """Base of the object models: apiVersion, kind and metadata, and where the object was read."""

    api_version: str | None = None
    kind: str
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)

    _origin: Origin | None = PrivateAttr(default=None)

    @property
    def origin(self) -> Origin | None:
        """Where the object was read (``None`` for an object built in Python)."""
        return self._origin

    @property
    def name(self) -> str | None:
        return self.metadata.name

    @property
    def namespace(self) -> str | None:
        return self.metadata.namespace

    def describe(self) -> str:
        """``Kind namespace/name``, for messages."""
        where = f"{self.namespace}/{self.name}" if self.namespace else str(self.name)
        return f"{self.kind} {where}"


class GenericObject(KubeObjectModel):
    """Any object: apiVersion, kind and metadata typed, the rest kept as it is."""


# ---- pods ---------------------------------------------------------------------------------------------------


class ContainerPort(KubeModel):
    container_port: int | None = None
    host_port: int | None = None
    host_ip: str | None = Field(default=None, alias="hostIP")
    name: str | None = None
    protocol: str | None = None

    @property
    def protocol_or_default(self) -> str:
        return self.protocol or "TCP"

    @property
    def holds_host_port(self) -> bool:
        """Whether the port claims a port on the node: Kubernetes reads a null or 0 hostPort as none."""
        return bool(self.host_port)


class ResourceRequirements(KubeModel):
    requests: dict[str, Quantity] | None = None
    limits: dict[str, Quantity] | None = None


class Container(KubeModel):
    name: str | None = None
    image: str | None = None
    command: list[str] | None = None
    args: list[str] | None = None
    ports: list[ContainerPort] | None = None
    resources: ResourceRequirements | None = None


class Toleration(KubeModel):
    key: str | None = None
    operator: str | None = None
    value: str | None = None
    effect: str | None = None
    toleration_seconds: int | None = None


# The container lists of a pod spec, in the order Kubernetes starts them.
CONTAINER_FIELDS = (("init_containers", "initContainers"), ("containers", "containers"), ("ephemeral_containers", "ephemeralContainers"))


class PodSpec(KubeModel):
    containers: list[Container] | None = None
    init_containers: list[Container] | None = None
    ephemeral_containers: list[Container] | None = None
    host_network: bool | None = None
    node_selector: LabelMap | None = None
    tolerations: list[Toleration] | None = None

    def all_containers(self) -> Iterator[tuple[str, Container]]:
        """(pointer relative to the pod spec, container) for init, regular and ephemeral containers, in that order."""
        for field_name, wire in CONTAINER_FIELDS:
            for i, container in enumerate(getattr(self, field_name) or ()):
                yield f"/{wire}/{i}", container


class PodTemplateSpec(KubeModel):
    metadata: ObjectMeta | None = None
    spec: PodSpec | None = None


class LabelSelector(KubeModel):
    match_labels: LabelMap | None = None
    match_expressions: list[dict[str, Any]] | None = None


class RollingUpdate(KubeModel):
    max_unavailable: IntOrString | None = None
    max_surge: IntOrString | None = None


class DeploymentStrategy(KubeModel):
    type: str | None = None
    rolling_update: RollingUpdate | None = None


class DaemonSetUpdateStrategy(KubeModel):
    type: str | None = None
    rolling_update: RollingUpdate | None = None


class StatefulSetUpdateStrategy(KubeModel):
    type: str | None = None


class DeploymentSpec(KubeModel):
    replicas: int | None = None
    selector: LabelSelector | None = None
    template: PodTemplateSpec | None = None
    strategy: DeploymentStrategy | None = None
    min_ready_seconds: int | None = None
    revision_history_limit: int | None = None
    progress_deadline_seconds: int | None = None
    paused: bool | None = None


class DaemonSetSpec(KubeModel):
    selector: LabelSelector | None = None
    template: PodTemplateSpec | None = None
    update_strategy: DaemonSetUpdateStrategy | None = None
    min_ready_seconds: int | None = None
    revision_history_limit: int | None = None


class StatefulSetSpec(KubeModel):
    replicas: int | None = None
    selector: LabelSelector | None = None
    template: PodTemplateSpec | None = None
    service_name: str | None = None
    update_strategy: StatefulSetUpdateStrategy | None = None


class ReplicaSetSpec(KubeModel):
    replicas: int | None = None
    selector: LabelSelector | None = None
    template: PodTemplateSpec | None = None


class ReplicationControllerSpec(KubeModel):
    replicas: int | None = None
    selector: LabelMap | None = None
    template: PodTemplateSpec | None = None


class JobSpec(KubeModel):
    parallelism: int | None = None
    completions: int | None = None
    template: PodTemplateSpec | None = None


class JobTemplateSpec(KubeModel):
    metadata: ObjectMeta | None = None
    spec: JobSpec | None = None


class CronJobSpec(KubeModel):
    schedule: str | None = None
    job_template: JobTemplateSpec | None = None


@dataclass(frozen=True)
class HostPortClaim:
    """A port of the node that a pod holds: address, port, protocol, and where it is asked for."""

    host_ip: str
    port: int
    protocol: str
    pointer: str  # relative to the object
    container: str | None

    def clashes(self, other: "HostPortClaim") -> bool:
        """Whether two pods holding these could not run on one node (0.0.0.0 is every address)."""
        return (
            self.port == other.port
            and self.protocol == other.protocol
            and (self.host_ip == other.host_ip or "0.0.0.0" in (self.host_ip, other.host_ip))
        )


class Workload(KubeObjectModel):
    """An object that runs pods: it has a pod spec somewhere (``POD_SPEC`` says where)."""

    # The Python fields that lead to the pod spec, and the JSON pointer they make.
    POD_SPEC_PATH: ClassVar[tuple[str, ...]] = ("spec", "template", "spec")
    POD_SPEC: ClassVar[str] = "/spec/template/spec"
    # Whether the controller can put two of its pods on one node.
    ONE_POD_PER_NODE: ClassVar[bool] = False

    def pod_spec(self) -> PodSpec | None:
        """The pod spec, or ``None`` when the object has none written."""
        node: Any = self
        for name in self.POD_SPEC_PATH:
            if node is None or not node.has(name):
                return None
            node = getattr(node, name)
        return node if isinstance(node, PodSpec) else None

    def with_pod_spec(self: "W", spec: PodSpec) -> "W":
        """A copy whose pod spec is ``spec`` (the levels above it are written if they were absent)."""
        return _with_path(self, self.POD_SPEC_PATH, spec)

    def _template(self) -> PodTemplateSpec | None:
        node: Any = self
        for name in self.POD_SPEC_PATH[:-1]:
            if node is None or not node.has(name):
                return None
            node = getattr(node, name)
        return node if isinstance(node, PodTemplateSpec) else None

    def template_labels(self) -> LabelMap:
        """The pod template's labels ({} when there are none)."""
        template = self._template()
        metadata = template.metadata if template is not None else None
        return dict(metadata.labels or {}) if metadata is not None else {}

    def containers(self) -> Iterator[tuple[str, Container]]:
        """(pointer relative to the object, container) for every init, regular and ephemeral container."""
        spec = self.pod_spec()
        if spec is not None:
            for pointer, container in spec.all_containers():
                yield self.POD_SPEC + pointer, container

    def host_ports(self) -> Iterator[HostPortClaim]:
        """The node ports its pods hold: every ``hostPort``, and every container port when the pod uses the node's
        network (``hostNetwork: true``), where a container port is a port of the node."""
        spec = self.pod_spec()
        if spec is None:
            return
        for pointer, container in self.containers():
            for i, port in enumerate(container.ports or ()):
                number = port.host_port if port.holds_host_port else (port.container_port if spec.host_network else None)
                if number:
                    field = "hostPort" if port.holds_host_port else "containerPort"
                    where = f"{pointer}/ports/{i}/{field}"
                    yield HostPortClaim(port.host_ip or "0.0.0.0", number, port.protocol_or_default, where, container.name)

    @property
    def replicas(self) -> int | None:
        """``spec.replicas`` as written (``None`` when absent), for the kinds that have it."""
        spec = getattr(self, "spec", None)
        value = getattr(spec, "replicas", None) if spec is not None else None
        return value if isinstance(value, int) else None


W = TypeVar("W", bound=Workload)


def _with_path(model: M, path: tuple[str, ...], value: KubeModel) -> M:
    """``model`` with the field at ``path`` (Python names) replaced by ``value``, copying each level above it."""
    name, rest = path[0], path[1:]
    if not rest:
        return model.model_copy(update={name: value})
    child = getattr(model, name) if model.has(name) else None
    if child is None:
        child = _field_model(type(model), name).model_construct()
    return model.model_copy(update={name: _with_path(child, rest, value)})


def _field_model(cls: type[KubeModel], name: str) -> type[KubeModel]:
    """The model class a field holds (``Optional[PodSpec]`` -> ``PodSpec``)."""
    from typing import get_args

    annotation = cls.model_fields[name].annotation
    for candidate in (annotation, *get_args(annotation)):
        if isinstance(candidate, type) and issubclass(candidate, KubeModel):
            return candidate
    raise TypeError(f"{cls.__name__}.{name} does not hold a model")


class Deployment(Workload):
    spec: DeploymentSpec = Field(default_factory=DeploymentSpec)


class DaemonSet(Workload):
    ONE_POD_PER_NODE: ClassVar[bool] = True
    spec: DaemonSetSpec = Field(default_factory=DaemonSetSpec)


class StatefulSet(Workload):
    spec: StatefulSetSpec = Field(default_factory=StatefulSetSpec)


class ReplicaSet(Workload):
    spec: ReplicaSetSpec = Field(default_factory=ReplicaSetSpec)


class ReplicationController(Workload):
    spec: ReplicationControllerSpec = Field(default_factory=ReplicationControllerSpec)


class Job(Workload):
    ONE_POD_PER_NODE: ClassVar[bool] = True
    spec: JobSpec = Field(default_factory=JobSpec)


class CronJob(Workload):
    POD_SPEC_PATH: ClassVar[tuple[str, ...]] = ("spec", "job_template", "spec", "template", "spec")
    POD_SPEC: ClassVar[str] = "/spec/jobTemplate/spec/template/spec"
    ONE_POD_PER_NODE: ClassVar[bool] = True
    spec: CronJobSpec = Field(default_factory=CronJobSpec)


class Pod(Workload):
    POD_SPEC_PATH: ClassVar[tuple[str, ...]] = ("spec",)
    POD_SPEC: ClassVar[str] = "/spec"
    ONE_POD_PER_NODE: ClassVar[bool] = True
    spec: PodSpec = Field(default_factory=PodSpec)

    def template_labels(self) -> LabelMap:
        return dict(self.metadata.labels or {})


# ---- services -----------------------------------------------------------------------------------------------


class ServicePort(KubeModel):
    port: int | None = None
    target_port: IntOrString | None = None
    node_port: int | None = None
    protocol: str | None = None
    name: str | None = None

    @property
    def protocol_or_default(self) -> str:
        return self.protocol or "TCP"


class ServiceSpec(KubeModel):
    type: str | None = None
    ports: list[ServicePort] | None = None
    selector: LabelMap | None = None
    cluster_ip: str | None = Field(default=None, alias="clusterIP")
    external_name: str | None = None
    load_balancer_ip: str | None = Field(default=None, alias="loadBalancerIP")
    load_balancer_source_ranges: list[str] | None = None
    load_balancer_class: str | None = None
    allocate_load_balancer_node_ports: bool | None = None
    health_check_node_port: int | None = None
    external_traffic_policy: str | None = None


class Service(KubeObjectModel):
    spec: ServiceSpec = Field(default_factory=ServiceSpec)

    @property
    def type(self) -> str:
        """The Service's type, ``ClusterIP`` when none is written (Kubernetes' default)."""
        return self.spec.type or "ClusterIP"


# ---- autoscaling --------------------------------------------------------------------------------------------


class CrossVersionObjectReference(KubeModel):
    kind: str | None = None
    name: str | None = None
    api_version: str | None = None


class MetricSpec(KubeModel):
    """One metric of an HPA; its source (``resource``, ``pods``, ``object``, ``external``) differs by version."""

    type: str | None = None
    resource: dict[str, Any] | None = None
    pods: dict[str, Any] | None = None
    object: dict[str, Any] | None = None
    external: dict[str, Any] | None = None


class HorizontalPodAutoscalerSpec(KubeModel):
    scale_target_ref: CrossVersionObjectReference | None = None
    min_replicas: int | None = None
    max_replicas: int | None = None
    metrics: list[MetricSpec] | None = None


class HorizontalPodAutoscaler(KubeObjectModel):
    spec: HorizontalPodAutoscalerSpec = Field(default_factory=HorizontalPodAutoscalerSpec)

    def scales(self, kind: str, name: str | None, namespace: str | None) -> bool:
        """Whether this HPA targets the workload ``kind``/``name`` of ``namespace`` (its own namespace)."""
        ref = self.spec.scale_target_ref
        return (
            ref is not None
            and ref.kind == kind
            and ref.name == name
            and (self.namespace or "default") == (namespace or "default")
        )


# ---- configuration ------------------------------------------------------------------------------------------


class ConfigMap(KubeObjectModel):
    data: dict[str, str | None] | None = None
    binary_data: dict[str, str] | None = None


class Namespace(KubeObjectModel):
    pass


# ---- admission webhooks -------------------------------------------------------------------------------------


class WebhookClientConfig(KubeModel):
    url: str | None = None
    service: dict[str, Any] | None = None
    ca_bundle: str | None = None


class Webhook(KubeModel):
    name: str | None = None
    client_config: WebhookClientConfig | None = None
    side_effects: str | None = None
    failure_policy: str | None = None
    match_policy: str | None = None
    timeout_seconds: int | None = None
    admission_review_versions: list[str] | None = None


class MutatingWebhookConfiguration(KubeObjectModel):
    webhooks: list[Webhook] | None = None


class ValidatingWebhookConfiguration(KubeObjectModel):
    webhooks: list[Webhook] | None = None


# ---- custom resource definitions ----------------------------------------------------------------------------


class CustomResourceDefinitionVersion(KubeModel):
    name: str | None = None
    served: bool | None = None
    storage: bool | None = None
    schema_: dict[str, Any] | None = Field(default=None, alias="schema")
    subresources: dict[str, Any] | None = None
    additional_printer_columns: list[dict[str, Any]] | None = None


class CustomResourceDefinitionNames(KubeModel):
    kind: str | None = None
    plural: str | None = None
    singular: str | None = None
    short_names: list[str] | None = None


class CustomResourceDefinitionSpec(KubeModel):
    group: str | None = None
    names: CustomResourceDefinitionNames | None = None
    scope: str | None = None
    version: str | None = None
    versions: list[CustomResourceDefinitionVersion] | None = None
    validation: dict[str, Any] | None = None
    subresources: dict[str, Any] | None = None
    additional_printer_columns: list[dict[str, Any]] | None = None
    preserve_unknown_fields: bool | None = None
    conversion: dict[str, Any] | None = None


class CustomResourceDefinition(KubeObjectModel):
    spec: CustomResourceDefinitionSpec | None = None


# ---- disruption budgets -------------------------------------------------------------------------------------


class PodDisruptionBudgetSpec(KubeModel):
    selector: LabelSelector | None = None
    min_available: IntOrString | None = None
    max_unavailable: IntOrString | None = None


class PodDisruptionBudget(KubeObjectModel):
    spec: PodDisruptionBudgetSpec = Field(default_factory=PodDisruptionBudgetSpec)


# ---- the registry -------------------------------------------------------------------------------------------


class Registry:
    """Maps (apiVersion, kind) to a model class; ``None`` as apiVersion matches any version of the kind.

    Registries are values: :meth:`with_model` returns a new registry, so registering a custom kind never
    changes what other code sees.

    Example:
        >>> class VirtualService(GenericObject): ...
        >>> registry = DEFAULT_REGISTRY.with_model("VirtualService", VirtualService)
        >>> registry.model_for("networking.istio.io/v1alpha3", "VirtualService").__name__
        'VirtualService'
    """

    def __init__(self, models: Mapping[tuple[str | None, str], type[KubeObjectModel]] | None = None) -> None:
        self._models = dict(models or {})

    def with_model(self, kind: str, model: type[KubeObjectModel], api_version: str | None = None) -> "Registry":
        """A new registry that also maps ``(api_version, kind)`` to ``model``."""
        return Registry({**self._models, (api_version, kind): model})

    def model_for(self, api_version: str | None, kind: str | None) -> type[KubeObjectModel]:
        """The model of objects of ``kind`` at ``api_version`` (``GenericObject`` for kinds it does not know)."""
        if kind is None:
            return GenericObject
        return self._models.get((api_version, kind)) or self._models.get((None, kind)) or GenericObject

    def kinds_of(self, model: type[KubeObjectModel]) -> frozenset[str]:
        """The kinds whose model is ``model`` or a subclass of it (every kind for the generic models)."""
        return frozenset(kind for (_, kind), cls in self._models.items() if issubclass(cls, model))

    def __repr__(self) -> str:
        return f"Registry({len(self._models)} kinds)"


DEFAULT_REGISTRY = Registry(
    {
        (None, "Deployment"): Deployment,
        (None, "DaemonSet"): DaemonSet,
        (None, "StatefulSet"): StatefulSet,
        (None, "ReplicaSet"): ReplicaSet,
        (None, "ReplicationController"): ReplicationController,
        (None, "Job"): Job,
        (None, "CronJob"): CronJob,
        (None, "Pod"): Pod,
        (None, "Service"): Service,
        (None, "HorizontalPodAutoscaler"): HorizontalPodAutoscaler,
        (None, "ConfigMap"): ConfigMap,
        (None, "Namespace"): Namespace,
        (None, "MutatingWebhookConfiguration"): MutatingWebhookConfiguration,
        (None, "ValidatingWebhookConfiguration"): ValidatingWebhookConfiguration,
        (None, "CustomResourceDefinition"): CustomResourceDefinition,
        (None, "PodDisruptionBudget"): PodDisruptionBudget,
    }
)

# Kinds that run pods, with their models.
WORKLOAD_KINDS: frozenset[str] = DEFAULT_REGISTRY.kinds_of(Workload)


def build(model: type[M], data: Any, *, origin: Origin | None = None, describe: str = "", locate: Any = None) -> M:
    """``model`` validated from Kubernetes data (wire names only), with ``origin`` attached.

    ``locate(pointer) -> (line, column, snippet)`` places a refused field in the file; the ModelValidationError
    names the object, the field's JSON pointer and what was wrong.
    """
    try:
        instance = model.model_validate(data, by_alias=True, by_name=False)
    except _PydanticValidationError as exc:
        raise _refusal(model, exc, data, origin, describe, locate) from exc
    if origin is not None and isinstance(instance, KubeObjectModel):
        instance._origin = origin
    return instance


def _refusal(
    model: type[KubeModel], exc: _PydanticValidationError, data: Any, origin: Origin | None, describe: str, locate: Any
) -> ModelValidationError:
    from ._pointer import join

    error = exc.errors(include_url=False)[0]
    relative = join(_data_path(data, error["loc"]))
    pointer = (origin.pointer if origin is not None else "") + relative
    what = describe or model.__name__
    message = f"{what}: {relative or '/'}: {_reason(error)}"
    line = column = None
    snippet = None
    if locate is not None:
        line, column, snippet = locate(pointer)
    elif origin is not None:
        line = origin.line
    return ModelValidationError(
        message,
        source=origin.source if origin is not None else None,
        document=origin.document if origin is not None else None,
        line=line,
        column=column,
        pointer=pointer,
        snippet=snippet,
    )


def _data_path(data: Any, loc: tuple[Any, ...]) -> list[str | int]:
    """``loc`` as a path in ``data``: pydantic adds the names of union members (``int``, ``str``), which are not."""
    path: list[str | int] = []
    for part in loc:
        if isinstance(data, dict) and part in data:
            data = data[part]
        elif isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
            data = data[part]
        elif isinstance(part, str) and not isinstance(data, dict):
            continue  # a union member's name below a scalar
        else:
            data = None
        path.append(part)
    return path


_EXPECTED = {
    "int_type": "an integer",
    "string_type": "a string",
    "bool_type": "a boolean (true or false)",
    "dict_type": "a mapping",
    "list_type": "a list",
    "float_type": "a number",
    "model_type": "a mapping",
    "missing": None,
}


def _reason(error: Mapping[str, Any]) -> str:
    kind = error["type"]
    if kind == "missing":
        return "this field is required"
    expected = _EXPECTED.get(kind)
    found = _kind_of(error.get("input"))
    if expected:
        return f"must be {expected}, not {found}"
    return f"{error['msg']} (found {found})"


def _kind_of(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int):
        return f"the integer {value}"
    if isinstance(value, float):
        return f"the number {value}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"the string {shown!r}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__
