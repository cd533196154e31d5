"""Plans per object, and the same edits as a kustomize overlay that ``kubectl kustomize`` builds as ``apply`` does."""

from __future__ import annotations

import json
from typing import Any, Sequence

import pytest

from istio_patch import Manifest, load, transforms
from istio_patch._overlay import OVERLAY_MARKER, ObjectPlan, OverlayError, kustomize_overlay, object_plans, overlay_files
from istio_patch.transforms import LabelNamespacesOptions, ModernizeOptions

GATEWAY = """\
apiVersion: v1
kind: Service
metadata:
  name: istio-ingressgateway
  namespace: istio-system
spec:
  type: LoadBalancer
  ports:
  - port: 80
---
apiVersion: autoscaling/v2beta1
kind: HorizontalPodAutoscaler
metadata:
  name: istio-ingressgateway
  namespace: istio-system
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: istio-ingressgateway}
  maxReplicas: 5
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: istio-ingressgateway
  namespace: istio-system
spec:
  replicas: 1
  selector:
    matchLabels: {app: gw}
  template:
    metadata:
      labels: {app: gw}
    spec:
      containers:
      - name: istio-proxy
        image: docker.io/istio/proxyv2:1.0.0
        ports:
        - containerPort: 80
        - containerPort: 443
"""


def modernize() -> list[transforms.Step]:
    return [transforms.transform_named("modernize").step(ModernizeOptions(kubernetes_version="1.25"))]


def as_json(value: Any) -> str:
    """A patch file's text: JSON, two-space indents, characters as they are, a final newline."""
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def kustomization(resources: Sequence[str], patches: Sequence[dict[str, Any]]) -> str:
    body: dict[str, Any] = {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization", "resources": list(resources)}
    if patches:
        body["patches"] = list(patches)
    return OVERLAY_MARKER + "\n" + json.dumps(body, indent=2) + "\n"


# --------------------------------------------------------------------------------------------------------
# object_plans
# --------------------------------------------------------------------------------------------------------


def test_object_plans_map_edits_back_to_the_original_documents() -> None:
    """bare-metal removes the HPA (document 2) before host_ports edits the DaemonSet, then document 2 of 3."""
    manifest = load(GATEWAY, source="gw.yaml")
    result = transforms.apply(manifest, transforms.preset("bare-metal"))
    plans, added = object_plans(manifest, [result], result.manifest)
    assert added == []
    assert [(p.document, p.pointer, p.line, p.transforms, p.removes_object) for p in plans] == [
        (0, "", 1, ["node_port"], False),
        (1, "", 11, ["to_daemonset"], True),
        (2, "", 20, ["to_daemonset", "host_ports"], False),
    ]
    assert plans[2].operations == [
        {"op": "replace", "path": "/kind", "value": "DaemonSet"},
        {"op": "remove", "path": "/spec/replicas"},
        {"op": "add", "path": "/spec/template/spec/containers/0/ports/0/hostPort", "value": 80},
        {"op": "add", "path": "/spec/template/spec/containers/0/ports/1/hostPort", "value": 443},
    ]
    assert plans[0].to_json() == {
        "file": "gw.yaml",
        "line": 1,
        "document": 1,
        "pointer": "",
        "apiVersion": "v1",
        "kind": "Service",
        "namespace": "istio-system",
        "name": "istio-ingressgateway",
        "transforms": ["node_port"],
        "operations": [{"op": "replace", "path": "/spec/type", "value": "NodePort"}],
    }


def test_object_plans_report_the_documents_a_step_adds() -> None:
    manifest = load("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n", source="ns.yaml")
    step = transforms.transform_named("label_namespaces").step(
        LabelNamespacesOptions(names=["a", "b"], labels={"istio-injection": "enabled"}, create_missing=True)
    )
    result = transforms.apply(manifest, [step])
    plans, added = object_plans(manifest, [result], result.manifest)
    assert [(p.document, p.transforms) for p in plans] == [(0, ["label_namespaces"])]
    assert added == [1]


# --------------------------------------------------------------------------------------------------------
# overlay_files and kustomize_overlay: exact texts
# --------------------------------------------------------------------------------------------------------


def test_the_overlay_of_bare_metal() -> None:
    manifest = load(GATEWAY, source="deploy/gw.yaml")
    files = kustomize_overlay(manifest, transforms.preset("bare-metal"))
    assert list(files) == [
        "gw.yaml",
        "patch-001-service-istio-ingressgateway.yaml",
        "patch-002-horizontalpodautoscaler-istio-ingressgateway.yaml",
        "patch-003-deployment-istio-ingressgateway.yaml",
        "kustomization.yaml",
    ]
    assert files["gw.yaml"] == GATEWAY  # the resource is the input, byte for byte
    assert files["kustomization.yaml"].split("\n", 1)[0] == OVERLAY_MARKER  # the CLI overwrites only its own overlays
    assert files["kustomization.yaml"] == (
        "# Generated by istio-patch (plan --format kustomize): rewritten by the next export, edit the recipe instead.\n"
        "{\n"
        '  "apiVersion": "kustomize.config.k8s.io/v1beta1",\n'
        '  "kind": "Kustomization",\n'
        '  "resources": [\n'
        '    "gw.yaml"\n'
        "  ],\n"
        '  "patches": [\n'
        "    {\n"
        '      "path": "patch-001-service-istio-ingressgateway.yaml",\n'
        '      "target": {\n'
        '        "group": "",\n'
        '        "version": "v1",\n'
        '        "kind": "Service",\n'
        '        "name": "istio-ingressgateway",\n'
        '        "namespace": "istio-system"\n'
        "      }\n"
        "    },\n"
        "    {\n"
        '      "path": "patch-002-horizontalpodautoscaler-istio-ingressgateway.yaml"\n'
        "    },\n"
        "    {\n"
        '      "path": "patch-003-deployment-istio-ingressgateway.yaml",\n'
        '      "target": {\n'
        '        "group": "apps",\n'
        '        "version": "v1",\n'
        '        "kind": "Deployment",\n'
        '        "name": "istio-ingressgateway",\n'
        '        "namespace": "istio-system"\n'
        "      }\n"
        "    }\n"
        "  ]\n"
        "}\n"
    )
    assert files["patch-001-service-istio-ingressgateway.yaml"] == (
        '[\n  {\n    "op": "replace",\n    "path": "/spec/type",\n    "value": "NodePort"\n  }\n]\n'
    )
    assert files["patch-002-horizontalpodautoscaler-istio-ingressgateway.yaml"] == (
        "{\n"
        '  "$patch": "delete",\n'
        '  "apiVersion": "autoscaling/v2beta1",\n'
        '  "kind": "HorizontalPodAutoscaler",\n'
        '  "metadata": {\n'
        '    "name": "istio-ingressgateway",\n'
        '    "namespace": "istio-system"\n'
        "  }\n"
        "}\n"
    )
    assert files["patch-003-deployment-istio-ingressgateway.yaml"] == as_json(
        [
            {"op": "replace", "path": "/kind", "value": "DaemonSet"},
            {"op": "remove", "path": "/spec/replicas"},
            {"op": "add", "path": "/spec/template/spec/containers/0/ports/0/hostPort", "value": 80},
            {"op": "add", "path": "/spec/template/spec/containers/0/ports/1/hostPort", "value": 443},
        ]
    )


def test_without_edits_the_overlay_is_the_resources_alone() -> None:
    manifest = load(GATEWAY, source="<stdin>")
    assert kustomize_overlay(manifest, []) == {"stdin.yaml": GATEWAY, "kustomization.yaml": kustomization(["stdin.yaml"], [])}


def test_resources_are_named_after_their_sources() -> None:
    """Two inputs with one base name, and an input named like the kustomization, are numbered by position."""
    manifests = [load("a: 1\n", source="x/in.yaml"), load("b: 2\n", source="y/in.yaml"), load("c: 3\n", source="kustomization.yaml")]
    files = overlay_files(manifests, [([], [])] * 3)
    assert files == {
        "in.yaml": "a: 1\n",
        "2-in.yaml": "b: 2\n",
        "3-kustomization.yaml": "c: 3\n",
        "kustomization.yaml": kustomization(["in.yaml", "2-in.yaml", "3-kustomization.yaml"], []),
    }


def test_cluster_scoped_objects_are_targeted_without_their_namespace() -> None:
    """Old charts give ClusterRoles and webhook configurations a namespace; kustomize ignores it for them."""
    text = (
        "apiVersion: rbac.authorization.k8s.io/v1beta1\nkind: ClusterRole\nmetadata:\n  name: r\n  namespace: istio-system\nrules: []\n"
        "---\n"
        "apiVersion: rbac.authorization.k8s.io/v1beta1\nkind: Role\nmetadata:\n  name: r\n  namespace: istio-system\nrules: []\n"
    )
    files = kustomize_overlay(load(text, source="rbac.yaml"), modernize())
    assert files["kustomization.yaml"] == kustomization(
        ["rbac.yaml"],
        [
            {
                "path": "patch-001-clusterrole-r.yaml",
                "target": {"group": "rbac.authorization.k8s.io", "version": "v1beta1", "kind": "ClusterRole", "name": "r"},
            },
            {
                "path": "patch-002-role-r.yaml",
                "target": {
                    "group": "rbac.authorization.k8s.io",
                    "version": "v1beta1",
                    "kind": "Role",
                    "name": "r",
                    "namespace": "istio-system",
                },
            },
        ],
    )
    assert files["patch-001-clusterrole-r.yaml"] == as_json(
        [{"op": "replace", "path": "/apiVersion", "value": "rbac.authorization.k8s.io/v1"}]
    )


CRDS = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: meshes.example.com
spec:
  group: example.com
  scope: Cluster
  names: {kind: Mesh, plural: meshes}
  versions:
  - {name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: rules.example.com
spec:
  group: example.com
  scope: Namespaced
  names: {kind: Rule, plural: rules}
  versions:
  - {name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}}
"""
CUSTOM = """\
apiVersion: example.com/v1
kind: Mesh
metadata: {name: m, namespace: istio-system}
spec: {size: 1}
---
apiVersion: example.com/v1
kind: Rule
metadata: {name: m, namespace: istio-system}
spec: {size: 1}
---
apiVersion: other.example.org/v1
kind: Mesh
metadata: {name: m, namespace: istio-system}
spec: {size: 1}
"""


def custom_plans(manifest: Manifest) -> list[ObjectPlan]:
    """The same edit on every object of ``manifest``: the overlay only says plans, whoever made them."""
    edit = {"op": "replace", "path": "/spec/size", "value": 2}
    return [ObjectPlan(manifest.source, o.document, o.pointer, o.line, o, ["custom"], [edit]) for o in manifest.objects()]


def test_kinds_a_crd_declares_cluster_scoped_are_targeted_without_namespace() -> None:
    """Scope comes from the CRDs of every input: Mesh of example.com is cluster-scoped, Mesh of another group is not."""
    crds, custom = load(CRDS, source="crds.yaml"), load(CUSTOM, source="custom.yaml")
    files = overlay_files([crds, custom], [([], []), (custom_plans(custom), [])])
    assert files["kustomization.yaml"] == kustomization(
        ["crds.yaml", "custom.yaml"],
        [
            {"path": "patch-001-mesh-m.yaml", "target": {"group": "example.com", "version": "v1", "kind": "Mesh", "name": "m"}},
            {
                "path": "patch-002-rule-m.yaml",
                "target": {"group": "example.com", "version": "v1", "kind": "Rule", "name": "m", "namespace": "istio-system"},
            },
            {
                "path": "patch-003-mesh-m.yaml",
                "target": {"group": "other.example.org", "version": "v1", "kind": "Mesh", "name": "m", "namespace": "istio-system"},
            },
        ],
    )


def test_a_crd_the_api_server_refuses_declares_no_kind() -> None:
    crd = CRDS.split("---\n")[0].replace("  names: {kind: Mesh, plural: meshes}\n", "  names: {kind: [Mesh], plural: meshes}\n")
    custom = load(CUSTOM, source="custom.yaml")
    files = overlay_files([load(crd, source="crds.yaml"), custom], [([], []), (custom_plans(custom), [])])
    assert json.loads(files["kustomization.yaml"].split("\n", 1)[1])["patches"][0]["target"] == {
        "group": "example.com",
        "version": "v1",
        "kind": "Mesh",
        "name": "m",
        "namespace": "istio-system",
    }


# --------------------------------------------------------------------------------------------------------
# what an overlay cannot say
# --------------------------------------------------------------------------------------------------------


def test_duplicate_keys_are_refused() -> None:
    text = GATEWAY.replace("  type: LoadBalancer\n", "  type: ClusterIP\n  type: LoadBalancer\n")
    text = text.replace("  maxReplicas: 5\n", "  maxReplicas: 1\n  maxReplicas: 5\n")
    with pytest.raises(OverlayError) as caught:
        kustomize_overlay(load(text, source="gw.yaml"), transforms.preset("bare-metal"))
    assert str(caught.value) == (
        "gw.yaml:7:3: the key 'type' is repeated (and 1 more); kustomize refuses manifests with duplicate keys (Kubernetes "
        "keeps the last value), so no overlay was written. Remove the duplicates first, or use `istio-patch apply` or "
        "`plan --format json`"
    )
    assert isinstance(caught.value, ValueError)


def test_added_documents_are_refused() -> None:
    manifest = load("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n", source="ns.yaml")
    step = transforms.transform_named("label_namespaces").step(
        LabelNamespacesOptions(names=["a", "b"], labels={"istio-injection": "enabled"}, create_missing=True)
    )
    with pytest.raises(OverlayError) as caught:
        kustomize_overlay(manifest, [step])
    assert str(caught.value) == (
        "ns.yaml: the transforms add documents; write them with `istio-patch apply` (kustomize overlays here only patch)"
    )


def test_an_edited_object_without_a_name_is_refused() -> None:
    text = "apiVersion: v1\nkind: Pod\nmetadata: {}\nspec:\n  containers:\n  - name: c\n    image: gcr.io/istio-release/pilot:1.0.0\n"
    with pytest.raises(OverlayError) as caught:
        kustomize_overlay(load(text, source="pod.yaml"), transforms.preset("cn-mirror"))
    assert str(caught.value) == "pod.yaml:1: an edited document is not a named object; kustomize cannot target it"

