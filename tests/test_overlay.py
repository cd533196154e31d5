"""Plans per object, and the same edits as a kustomize overlay that ``kubectl kustomize`` builds as ``apply`` does."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import yaml

from istio_patch import Manifest, load, load_path, transforms
from istio_patch._overlay import OVERLAY_MARKER, ObjectPlan, OverlayError, kustomize_overlay, object_plans, overlay_files
from istio_patch.transforms import DedupeKeysOptions, LabelNamespacesOptions, ModernizeOptions

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"  # beside the checkout, as in test_cli
KUBECTL = shutil.which("kubectl")
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # yaml.safe_load_all's reading, at libyaml's speed
needs_kubectl = pytest.mark.skipif(KUBECTL is None, reason="kubectl (with its built-in kustomize) is not installed")

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
    assert [(p.index, p.pointer, p.line, p.transforms, p.removes_object) for p in plans] == [
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
    assert [(p.index, p.transforms) for p in plans] == [(0, ["label_namespaces"])]
    assert added == [1]


def test_plans_follow_the_documents_a_split_inserts() -> None:
    glued = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n---\n"
    manifest = load(glued + GATEWAY, source="gw.yaml")
    split = transforms.transform_named("split_glued").step(transforms.SplitGluedOptions())
    result = transforms.apply(manifest, [split, *transforms.preset("bare-metal")])
    plans, added = object_plans(manifest, [result], result.manifest)
    assert [(plan.index, plan.obj.describe() if plan.obj else None) for plan in plans] == [
        (1, "Service istio-system/istio-ingressgateway"),
        (2, "HorizontalPodAutoscaler istio-system/istio-ingressgateway"),
        (3, "Deployment istio-system/istio-ingressgateway"),
    ]
    assert added == [1]  # ConfigMap b, which the split brings out of the first document


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
    return [ObjectPlan(manifest.source, o.index, o.pointer, o.line, o, ["custom"], [edit]) for o in manifest.objects()]


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


FOLDED = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: scripts
  namespace: istio-system
data:
  cleanup: >
    for s in $(list); do
      delete $s;
    done
  plain: >
    folded
    into one line
  literal: |
    for s in $(list); do
      delete $s;
    done
"""


def test_folded_scalars_kustomize_misreads_are_put_back() -> None:
    """go-yaml v3 (kustomize's reader) adds a line break before a more-indented line of a ``>`` scalar."""
    files = kustomize_overlay(load(FOLDED, source="cm.yaml"), [])
    assert files["kustomization.yaml"] == kustomization(
        ["cm.yaml"],
        [
            {
                "path": "patch-001-configmap-scripts.yaml",
                "target": {"group": "", "version": "v1", "kind": "ConfigMap", "name": "scripts", "namespace": "istio-system"},
            }
        ],
    )
    assert files["patch-001-configmap-scripts.yaml"] == (
        '[\n  {\n    "op": "replace",\n    "path": "/data/cleanup",\n    "value": "for s in $(list); do\\n  delete $s;\\ndone\\n"\n  }\n]\n'
    )


def test_put_back_values_come_before_the_edits_of_their_object() -> None:
    text = FOLDED.replace("kind: ConfigMap", "kind: Secret").replace("\ndata:", "\nstringData:") + "type: Opaque\n"
    text += "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: istio-ingressgateway\n  namespace: istio-system\nspec:\n  type: LoadBalancer\n"
    steps = [transforms.transform_named("node_port").step(transforms.NodePortOptions(selector=transforms.ingress_gateway("Service")))]
    files = kustomize_overlay(load(text, source="s.yaml"), steps)
    assert [name for name in files if name.startswith("patch-")] == [
        "patch-001-secret-scripts.yaml",
        "patch-002-service-istio-ingressgateway.yaml",
    ]
    assert files["patch-001-secret-scripts.yaml"] == as_json(
        [{"op": "replace", "path": "/stringData/cleanup", "value": "for s in $(list); do\n  delete $s;\ndone\n"}]
    )
    # on an edited object: the value Kubernetes reads, then the transform's operations planned on it
    pod = (
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n    note: >\n      first\n        indented, déjà\n"
        "spec:\n  containers:\n  - name: c\n    image: gcr.io/istio-release/pilot:1.0.0\n"
    )
    files = kustomize_overlay(load(pod, source="p.yaml"), transforms.preset("cn-mirror"))
    assert files["patch-001-pod-p.yaml"] == as_json(
        [
            {"op": "replace", "path": "/metadata/annotations/note", "value": "first\n  indented, déjà\n"},
            {"op": "replace", "path": "/spec/containers/0/image", "value": "docker.io/istio/pilot:1.0.0"},
        ]
    )


def test_folded_scalars_in_list_items_aliases_and_merge_keys() -> None:
    text = (
        "apiVersion: v1\nkind: List\nitems:\n"
        "- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a}\n  data:\n    x: &script >-\n      one\n        two\n"
        "- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: b}\n  data:\n    <<: {w: *script}\n    z: *script\n"
        "- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: c}\n  data:\n    x: >  # no more-indented line\n      one\n      two\n"
    )
    files = kustomize_overlay(load(text, source="list.yaml"), [])
    assert [name for name in files if name.startswith("patch-")] == ["patch-001-configmap-a.yaml", "patch-002-configmap-b.yaml"]
    assert files["patch-001-configmap-a.yaml"] == as_json([{"op": "replace", "path": "/data/x", "value": "one\n  two"}])
    assert files["patch-002-configmap-b.yaml"] == as_json(
        [
            {"op": "replace", "path": "/data/w", "value": "one\n  two"},
            {"op": "replace", "path": "/data/z", "value": "one\n  two"},
        ]
    )


def test_an_unnamed_object_gets_no_put_back_patch() -> None:
    """kustomize refuses a file with an object without a name, so there is nothing to target."""
    text = FOLDED.replace("  name: scripts\n", "")
    assert kustomize_overlay(load(text, source="cm.yaml"), []) == {"cm.yaml": text, "kustomization.yaml": kustomization(["cm.yaml"], [])}


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
        "keeps the last value), so no overlay was written. Remove the duplicates first (`istio-patch apply --dedupe-keys` "
        "writes the manifest without them), or use `istio-patch apply` or `plan --format json`"
    )
    assert isinstance(caught.value, ValueError)
    # the plans of dedupe_keys would be real removals in a patch: the files are refused all the same
    manifest = load(text, source="gw.yaml")
    result = transforms.apply(manifest, [transforms.transform_named("dedupe_keys").step(DedupeKeysOptions())])
    assert [op.get("writings") for plan in object_plans(manifest, [result], result.manifest)[0] for op in plan.operations] == ["earlier"] * 2
    with pytest.raises(OverlayError):
        overlay_files([manifest], [object_plans(manifest, [result], result.manifest)])
    assert kustomize_overlay(result.manifest, transforms.preset("bare-metal"))  # once the duplicates are gone


def test_glued_objects_are_split_before_their_duplicates_go() -> None:
    text = GATEWAY.replace("---\napiVersion: autoscaling/v2beta1\n", "apiVersion: autoscaling/v2beta1\n")
    with pytest.raises(OverlayError) as caught:
        kustomize_overlay(load(text, source="gw.yaml"), [])
    assert str(caught.value) == (
        "gw.yaml:1:1: the key 'apiVersion' is repeated (and 3 more); kustomize refuses manifests with duplicate keys "
        "(Kubernetes keeps the last value), so no overlay was written. Remove the duplicates first (`istio-patch apply "
        "--split-glued --dedupe-keys` writes the manifest without them), or use `istio-patch apply` or `plan --format json`"
    )


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


# --------------------------------------------------------------------------------------------------------
# kubectl kustomize builds what apply builds
# --------------------------------------------------------------------------------------------------------

Key = tuple[Any, Any, Any, Any]


def flattened(documents: Iterable[Any]) -> list[Any]:
    """The objects of a stream as Kubernetes and kustomize take them: a ``kind: List`` stands for its items."""
    found = []
    for data in documents:
        if isinstance(data, dict) and data.get("kind") == "List" and isinstance(data.get("items"), list):
            found.extend(data["items"])
        elif data is not None:
            found.append(data)
    return found


def applied_objects(manifest: Manifest) -> list[Any]:
    """istio-patch's Kubernetes view of ``manifest``: what ``apply`` hands to the API server."""
    return flattened(d.data for d in manifest.documents if not d.is_empty)


def normalised(value: Any, path: tuple[str, ...] = ()) -> Any:
    """``value`` with the differences that are not differences for the API server taken out.

    - kustomize removes ``metadata.annotations`` when it is null or ``{}`` (it strips its own bookkeeping
      annotations and drops the map they leave empty); the API server stores an absent, a null and an empty
      annotation map alike. Other nulls and empty maps kustomize keeps, and so are compared.
    - JSON has one kind of number: ``1000`` and ``1000.0`` are the same value once sent (kustomize writes
      ``1e3`` as ``1000``). Booleans stay apart from numbers (Python's ``True == 1`` would hide a change).
    kustomize keeps ``metadata.namespace`` of cluster-scoped objects and key order does not matter here, so
    nothing else is touched.
    """
    if isinstance(value, dict):
        out = {k: normalised(v, path + (k,)) for k, v in value.items()}
        if path == ("metadata",) and out.get("annotations") in (None, {}):
            out.pop("annotations", None)
        return out
    if isinstance(value, list):
        return [normalised(v, path) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def keyed(objects: Iterable[Any]) -> dict[Key, str]:
    """Objects by (apiVersion, kind, namespace, name), each as canonical JSON of its normalised data."""
    found: dict[Key, str] = {}
    for obj in objects:
        metadata = obj.get("metadata") or {}
        key = (obj.get("apiVersion"), obj.get("kind"), metadata.get("namespace"), metadata.get("name"))
        assert key not in found, f"{key} twice in one build"
        found[key] = json.dumps(normalised(obj), sort_keys=True, indent=1, ensure_ascii=False)
    return found


def differences(label: str, built: dict[Key, str], expected: dict[Key, str]) -> list[str]:
    import difflib

    problems = [f"{label}: kustomize builds no {key}" for key in expected if key not in built]
    problems += [f"{label}: kustomize builds {key}, apply does not" for key in built if key not in expected]
    for key in expected.keys() & built.keys():
        if built[key] != expected[key]:
            diff = difflib.unified_diff(expected[key].splitlines(), built[key].splitlines(), "apply", "kustomize", lineterm="", n=1)
            problems.append(f"{label}: {key} differs:\n" + "\n".join(list(diff)[:40]))
    return problems


def kustomize_builds(folders: Sequence[Path]) -> list[subprocess.CompletedProcess[str]]:
    """``kubectl kustomize`` of each folder, several at a time (one build takes a few tenths of a second)."""
    assert KUBECTL is not None

    def build(folder: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run([KUBECTL, "kustomize", str(folder)], capture_output=True, text=True, timeout=300, check=False)

    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(build, folders))


def check_overlays(tmp_path: Path, cases: Sequence[tuple[str, dict[str, str], list[Any]]]) -> list[str]:
    """Write each case's overlay, build them all, and compare with the objects ``apply`` gives."""
    folders = []
    for number, (_, files, _) in enumerate(cases):
        folder = tmp_path / f"overlay-{number}"
        folder.mkdir()
        for name, text in files.items():
            (folder / name).write_text(text, encoding="utf-8")
        folders.append(folder)
    problems = []
    for (label, _, expected), done in zip(cases, kustomize_builds(folders)):
        if done.returncode != 0:
            problems.append(f"{label}: kubectl kustomize failed: {done.stderr.strip()}")
            continue
        built = flattened(yaml.load_all(done.stdout, Loader=SAFE_LOADER))
        problems += differences(label, keyed(built), keyed(expected))
    return problems


@needs_kubectl
def test_kustomize_builds_what_apply_builds(tmp_path: Path) -> None:
    """Small cases for each thing the overlay has to get right, built by the real kustomize."""
    cases: list[tuple[str, dict[str, str], list[Any]]] = []

    def case(label: str, manifest: Manifest, steps: list[transforms.Step]) -> None:
        cases.append((label, kustomize_overlay(manifest, steps), applied_objects(transforms.apply(manifest, steps).manifest)))

    case("bare-metal: patches and a removed object", load(GATEWAY, source="gw.yaml"), transforms.preset("bare-metal"))
    rbac = (
        "apiVersion: rbac.authorization.k8s.io/v1beta1\nkind: ClusterRole\nmetadata:\n  name: r\n  namespace: istio-system\nrules: []\n"
        "---\n"
        "apiVersion: rbac.authorization.k8s.io/v1beta1\nkind: ClusterRoleBinding\nmetadata:\n  name: r\n  namespace: istio-system\n"
        "roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: r}\nsubjects: []\n"
        "---\n"
        "apiVersion: admissionregistration.k8s.io/v1beta1\nkind: MutatingWebhookConfiguration\nmetadata:\n  name: w\n"
        "  namespace: istio-system\nwebhooks:\n- name: w.example.com\n  clientConfig: {service: {name: s, namespace: istio-system}}\n"
    )
    case("modernize: cluster-scoped objects with a namespace", load(rbac, source="rbac.yaml"), modernize())
    case("a folded scalar kustomize misreads", load(FOLDED, source="cm.yaml"), [])
    lists = (
        "apiVersion: v1\nkind: List\nitems:\n"
        "- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a}\n  data:\n    x: &script >-\n      one\n        two\n"
        "- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: b}\n  data:\n    <<: {w: *script}\n    z: *script\n"
        "- apiVersion: v1\n  kind: Service\n  metadata: {name: istio-ingressgateway, namespace: istio-system}\n  spec: {type: LoadBalancer}\n"
    )
    case("List items, aliases and merge keys", load(lists, source="list.yaml"), transforms.preset("bare-metal", allow_no_match=True))

    # plans made by hand, on custom kinds whose scope only the CRDs say
    crds, custom = load(CRDS, source="crds.yaml"), load(CUSTOM, source="custom.yaml")
    plans = custom_plans(custom)
    edited = custom
    for plan in plans:
        edited = edited.apply(plan.operations, index=plan.index)
    cases.append(
        (
            "custom kinds, one cluster-scoped",
            overlay_files([crds, custom], [([], []), (plans, [])]),
            applied_objects(crds) + applied_objects(edited),
        )
    )
    problems = check_overlays(tmp_path, cases)
    assert not problems, "\n\n".join(problems)


def without_duplicates(manifest: Manifest) -> Manifest:
    """``manifest`` without the lines of the repeated keys whose value lost: the same objects, as Kubernetes reads them."""
    lines = manifest.render().split("\n")
    losing = {dup.line - 1 for _, dup in manifest.duplicates()}
    for _, dup in manifest.duplicates():
        assert not isinstance(dup.lost_value, (dict, list)), "only one-line duplicates are taken out"
    cleaned = load("\n".join(line for number, line in enumerate(lines) if number not in losing), source=manifest.source)
    assert not cleaned.duplicates()
    assert applied_objects(cleaned) == applied_objects(manifest)
    return cleaned


def corpus_steps() -> dict[str, list[transforms.Step]]:
    steps = {name: transforms.preset(name, allow_no_match=True) for name in transforms.PRESETS}
    steps["modernize 1.25"] = modernize()
    steps["bare-metal + modernize 1.25"] = transforms.preset("bare-metal", allow_no_match=True) + modernize()
    return steps


@needs_kubectl
def test_kustomize_builds_what_apply_builds_on_the_corpus(tmp_path: Path) -> None:
    """Every corpus file, with every preset that changes it, modernize 1.25, and bare-metal with modernize 1.25.

    kustomize refuses input with duplicate keys, so the overlay refuses such files (Istio 1.0.0's demos: their
    gateway Deployments carry two ``app`` labels), and the refusal is checked. ``dedupe_keys`` then removes the
    lines whose value Kubernetes drops (the same objects; exactly those lines), and the overlays of the result
    are built: they hold the corpus's only cluster-scoped objects with a namespace.
    Combinations that change nothing are left out, and identical overlays are built once.
    """
    if not CORPUS.is_dir():
        pytest.skip(f"the corpus of real manifests is not at {CORPUS}")
    paths = sorted(CORPUS.glob("*/*.yaml"))
    assert paths, f"no manifests in {CORPUS}"
    inputs = []
    for path in paths:
        manifest = load_path(path)
        label = str(path.relative_to(CORPUS))
        dups = manifest.duplicates()
        if dups:
            with pytest.raises(OverlayError) as caught:
                kustomize_overlay(manifest, [])
            first = dups[0][1]
            assert str(caught.value) == (
                f"{path}:{first.line}:{first.column}: the key '{first.key}' is repeated"
                + (f" (and {len(dups) - 1} more)" if len(dups) > 1 else "")
                + "; kustomize refuses manifests with duplicate keys (Kubernetes keeps the last value), so no overlay "
                "was written. Remove the duplicates first (`istio-patch apply --dedupe-keys` writes the manifest without "
                "them), or use `istio-patch apply` or `plan --format json`"
            )
            deduped = transforms.transform_named("dedupe_keys").apply(manifest, DedupeKeysOptions()).manifest
            assert deduped.render() == without_duplicates(manifest).render()
            manifest, label = deduped, f"{label} (after dedupe_keys)"
        inputs.append((label, manifest))
    cases: list[tuple[str, dict[str, str], list[Any]]] = []
    seen: set[str] = set()
    exercised: set[str] = set()
    for label, manifest in inputs:
        for name, steps in corpus_steps().items():
            result = transforms.apply(manifest, steps)
            if not result.changed:
                continue
            # what kustomize_overlay does (its duplicate check aside), without applying the steps a second time
            files = overlay_files([manifest], [object_plans(manifest, [result], result.manifest)])
            exercised.add(name)
            fingerprint = json.dumps(files, sort_keys=True)
            if fingerprint not in seen:
                seen.add(fingerprint)
                cases.append((f"{label}, {name}", files, applied_objects(result.manifest)))
    assert exercised == set(corpus_steps()), "each preset and modernize changes some corpus file"
    problems = check_overlays(tmp_path, cases)
    assert not problems, "\n\n".join(problems)
