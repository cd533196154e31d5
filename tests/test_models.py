"""Typed models: built from the Kubernetes view, dumped back to exactly that view, strict where the API is."""

from __future__ import annotations

import dataclasses
import doctest
from pathlib import Path

import pytest
from pydantic import ValidationError

import istio_patch.models
from istio_patch import ModelValidationError, SelectorError, load
from istio_patch._edit import same_data
from istio_patch.models import (
    DEFAULT_REGISTRY,
    ConfigMap,
    DaemonSet,
    Deployment,
    GenericObject,
    KubeObjectModel,
    Origin,
    Pod,
    Service,
    Workload,
)

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"

DEPLOYMENT = """\
# a comment
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: prod
  labels: {app: web}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: app
        image: nginx:1.25
        ports:
        - containerPort: 80
          someFutureField: [1, 2]
      priorityClassName: high
---
kind: Service
metadata: {name: web, namespace: prod}
spec:
  type: LoadBalancer
  ports:
  - {port: 80, targetPort: http}
"""


def corpus_files() -> list[Path]:
    files = sorted(CORPUS.glob("*/*.yaml")) if CORPUS.is_dir() else []
    if not files:
        pytest.skip(f"the shared corpus is absent ({CORPUS} not found)")
    return files


def test_every_corpus_object_round_trips_through_its_model() -> None:
    count = 0
    for path in corpus_files():
        manifest = load(path.read_bytes(), source=str(path))
        for obj in manifest.objects():
            model = manifest.typed(obj)
            assert type(model) is DEFAULT_REGISTRY.model_for(obj.api_version, obj.kind)
            assert same_data(model.to_data(), obj.data), f"{obj.source}:{obj.line}: {obj.describe()}"
            count += 1
    assert count >= 500  # the corpus's objects, not an empty loop


def test_unknown_fields_are_kept_where_they_were_written() -> None:
    deployment = load(DEPLOYMENT).objects(Deployment)[0]
    container = deployment.spec.template.spec.containers[0]  # type: ignore[union-attr, index]
    assert container.ports[0].model_extra == {"someFutureField": [1, 2]}  # type: ignore[index]
    assert deployment.spec.template.spec.model_extra == {"priorityClassName": "high"}  # type: ignore[union-attr]


def test_typed_access_by_model_and_by_kubectl_name() -> None:
    manifest = load(DEPLOYMENT, source="web.yaml")
    assert [d.name for d in manifest.objects(Deployment)] == ["web"]
    assert [type(o).__name__ for o in manifest.objects(Workload)] == ["Deployment"]
    assert [o.kind for o in manifest.objects(GenericObject)] == ["Deployment", "Service"]
    service = manifest.get("svc/web", namespace="prod")
    assert isinstance(service, Service) and service.type == "LoadBalancer"
    assert service.origin == Origin("web.yaml", 1, "", 24)
    assert (service.origin.document, str(service.origin)) == (2, "web.yaml:24")
    assert manifest.get("deployment.apps/web").name == "web"  # what `kubectl get -o name` prints


def test_a_lookup_that_finds_nothing_or_several_says_so() -> None:
    manifest = load(DEPLOYMENT + "---\nkind: Service\nmetadata: {name: web, namespace: dev}\n", source="m.yaml")
    with pytest.raises(SelectorError) as none:
        manifest.get("svc/api")
    assert str(none.value) == "m.yaml: no object matches Service/api"
    with pytest.raises(SelectorError) as several:
        manifest.get("svc/web")
    assert str(several.value) == (
        "m.yaml: 2 objects match Service/web: Service prod/web (line 24), Service dev/web (line 31); say which"
    )


def test_a_value_the_api_server_refuses_is_a_positioned_error_not_a_coercion() -> None:
    text = DEPLOYMENT.replace("containerPort: 80", 'containerPort: "80"')
    with pytest.raises(ModelValidationError) as caught:
        load(text, source="web.yaml").objects(Deployment)
    error = caught.value
    assert (error.source, error.line, error.column, error.pointer, error.document) == (
        "web.yaml", 20, 26, "/spec/template/spec/containers/0/ports/0/containerPort", 1
    )
    assert error.headline() == (
        "web.yaml:20:26: Deployment prod/web: /spec/template/spec/containers/0/ports/0/containerPort: "
        "must be an integer, not the string '80' (document 1, at /spec/template/spec/containers/0/ports/0/containerPort)"
    )
    assert isinstance(error.__cause__, ValidationError)


def test_a_missing_required_type_and_a_union_are_located_in_the_data() -> None:
    text = "kind: Deployment\nmetadata: {name: d}\nspec:\n  strategy:\n    rollingUpdate:\n      maxUnavailable: [1]\n"
    with pytest.raises(ModelValidationError) as caught:
        load(text).objects(Deployment)
    assert caught.value.pointer == "/spec/strategy/rollingUpdate/maxUnavailable"
    assert caught.value.line == 6


def test_models_are_frozen_and_edits_are_copies() -> None:
    service = load(DEPLOYMENT).get("svc/web")
    with pytest.raises(ValidationError):
        service.kind = "Pod"  # type: ignore[misc]
    changed = service.model_copy(update={"spec": service.spec.model_copy(update={"type": "NodePort"})})
    assert (service.type, changed.type) == ("LoadBalancer", "NodePort")
    assert changed.origin == service.origin


def test_without_drops_fields_and_has_tells_presence() -> None:
    deployment = load(DEPLOYMENT).objects(Deployment)[0]
    assert deployment.spec.has("replicas") and deployment.spec.has("minReadySeconds") is False
    smaller = deployment.spec.without("replicas", "strategy")
    assert not smaller.has("replicas") and smaller.replicas is None
    assert "replicas" not in smaller.to_data() and smaller.to_data()["selector"] == {"matchLabels": {"app": "web"}}
    pod_spec = deployment.spec.template.spec  # type: ignore[union-attr]
    assert "priorityClassName" not in pod_spec.without("priorityClassName").to_data()  # type: ignore[union-attr]
    assert deployment.without("metadata").origin == deployment.origin


def test_null_labels_are_empty_and_explicit_nulls_survive_the_round_trip() -> None:
    text = "kind: ConfigMap\nmetadata:\n  name: c\n  labels: {a: }\ndata:\n  k: null\nbinaryData: null\n"
    manifest = load(text)
    config = manifest.objects(ConfigMap)[0]
    assert config.metadata.labels == {"a": None}
    assert same_data(config.to_data(), manifest.objects()[0].data)


def test_a_snake_case_key_in_the_data_is_an_unknown_field_not_the_python_field() -> None:
    manifest = load("kind: Service\nmetadata: {name: s}\nspec:\n  cluster_ip: x\n")
    service = manifest.objects(Service)[0]
    assert service.spec.cluster_ip is None and service.spec.model_extra == {"cluster_ip": "x"}
    assert same_data(service.to_data(), manifest.objects()[0].data)


def test_workloads_know_where_their_pod_spec_is() -> None:
    manifest = load(
        "kind: CronJob\nmetadata: {name: c}\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n"
        "          initContainers: [{name: i}]\n          containers: [{name: a}]\n---\n"
        "kind: Pod\nmetadata: {name: p, labels: {x: z}}\nspec:\n  containers: [{name: b}]\n"
    )
    cron, pod = manifest.objects(Workload)
    assert [p for p, _ in cron.containers()] == [
        "/spec/jobTemplate/spec/template/spec/initContainers/0",
        "/spec/jobTemplate/spec/template/spec/containers/0",
    ]
    assert [(p, c.name) for p, c in pod.containers()] == [("/spec/containers/0", "b")]
    assert isinstance(pod, Pod) and pod.template_labels() == {"x": "z"} and pod.ONE_POD_PER_NODE


def test_custom_kinds_are_registered_on_a_new_registry() -> None:
    class VirtualService(KubeObjectModel):
        pass

    registry = DEFAULT_REGISTRY.with_model("VirtualService", VirtualService)
    manifest = load("apiVersion: networking.istio.io/v1alpha3\nkind: VirtualService\nmetadata: {name: v}\n")
    assert type(manifest.objects(GenericObject, registry=registry)[0]) is GenericObject  # generic, as asked
    assert type(manifest.typed(manifest.objects()[0], registry=registry)) is VirtualService
    assert DEFAULT_REGISTRY.model_for(None, "VirtualService") is GenericObject  # the default did not change


def test_objects_handed_out_cannot_change_the_manifest() -> None:
    from istio_patch import transforms

    manifest = load(DEPLOYMENT)
    obj = manifest.objects()[1]
    obj.data["spec"]["type"] = "ClusterIP"  # a copy: the caller may change it
    obj.data.clear()
    typed = manifest.objects(Service)[0]
    typed.model_extra  # noqa: B018 - reading is fine
    typed.spec.ports[0].to_data()["port"] = 1  # type: ignore[index]
    with pytest.raises(TypeError):
        obj.labels["x"] = "y"  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        obj.kind = "Pod"  # type: ignore[misc]
    result = transforms.node_port(manifest, selector="svc/web", namespace="prod")  # the manifest is intact
    assert result.manifest.render() == DEPLOYMENT.replace("type: LoadBalancer", "type: NodePort")


def test_a_manifest_shows_itself_in_one_short_line() -> None:
    manifest = load(DEPLOYMENT * 1000, source="big.yaml")
    assert repr(manifest) == f"<Manifest 'big.yaml': {len(manifest.documents)} documents, {len(DEPLOYMENT.encode()) * 1000:,} bytes>"
    assert "\n" not in repr(manifest.documents[0]) and len(repr(manifest.documents[0])) < 200


def test_docstring_examples() -> None:
    from istio_patch import _models

    assert doctest.testmod(istio_patch.models).failed == 0
    assert doctest.testmod(_models).failed == 0
    assert DaemonSet.ONE_POD_PER_NODE and not Deployment.ONE_POD_PER_NODE
