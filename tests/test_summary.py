"""``summary``: what a manifest will create, per namespace, read in one pass over the documents."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from istio_patch import ModelValidationError, YAMLSyntaxError, load, load_path
from istio_patch._models import WORKLOAD_KINDS, HorizontalPodAutoscaler, Service, Workload
from istio_patch._summary import _replicas, _Scale, _service, summary

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
FILES = sorted(CORPUS.glob("*/*.yaml")) + sorted((ROOT / "examples").glob("*.yaml"))


def _two_passes(manifest: Any) -> list[tuple[str, list[Any], list[Any]]]:
    """The summary as it was made before: every object listed, the HPAs typed, then each Service and workload."""
    objects = list(manifest.objects())
    autoscalers = [manifest.typed(o, HorizontalPodAutoscaler) for o in objects if o.kind == "HorizontalPodAutoscaler"]
    out: dict[str, tuple[list[Any], list[Any]]] = {}
    for obj in objects:
        namespace = obj.namespace or "default"
        if obj.kind == "Service":
            out.setdefault(namespace, ([], []))[0].append(_service(manifest.typed(obj, Service)))
        elif obj.kind in WORKLOAD_KINDS:
            w = manifest.typed(obj)
            assert isinstance(w, Workload)
            scale = _Scale(w.kind, w.name, w.namespace, w.replicas, getattr(w.spec, "parallelism", None))
            images = tuple(dict.fromkeys(c.image for _, c in w.containers() if c.image))
            out.setdefault(namespace, ([], []))[1].append((w.kind, w.name, _replicas(scale, autoscalers), images, w.origin.line))
    return [(ns, services, workloads) for ns, (services, workloads) in out.items()]


def _one_pass(manifest: Any) -> list[tuple[str, list[Any], list[Any]]]:
    return [
        (ns.name, list(ns.services), [(w.kind, w.name, w.replicas, w.images, w.line) for w in ns.workloads])
        for ns in summary(manifest).namespaces
    ]


@pytest.mark.parametrize("path", FILES or [None], ids=lambda p: "none" if p is None else f"{p.parent.name}/{p.name}")
def test_one_pass_gives_what_two_passes_gave(path: Path | None) -> None:
    if path is None:
        pytest.skip("no corpus")
    manifest = load_path(path)
    assert _one_pass(manifest) == _two_passes(manifest)


HPA = "---\nkind: HorizontalPodAutoscaler\napiVersion: autoscaling/v1\nmetadata: {{name: h}}\nspec: {{maxReplicas: {max}, scaleTargetRef: {{kind: Deployment, name: d}}}}\n"
SERVICE = "---\nkind: Service\nmetadata: {{name: s}}\nspec:\n  ports: [{{port: {port}}}]\n"
DEPLOYMENT = "---\nkind: Deployment\nmetadata: {name: d}\nspec:\n  replicas: 2\n"


def _refusal(text: str) -> str:
    with pytest.raises((ModelValidationError, YAMLSyntaxError)) as caught:
        summary(load(text, source="m.yaml"))
    return str(caught.value)


def test_a_refused_hpa_is_said_before_a_refused_service_written_before_it() -> None:
    text = SERVICE.format(port='"x"') + HPA.format(max='"y"')
    assert _refusal(text).split("\n")[0] == (
        "m.yaml:10:21: HorizontalPodAutoscaler h: /spec/maxReplicas: must be an integer, not the string 'y' (document 2, at /spec/maxReplicas)"
    )


def test_a_yaml_error_is_said_before_what_the_models_refuse() -> None:
    text = SERVICE.format(port='"x"') + HPA.format(max='"y"') + "---\nkind: A\nb: [1,\n"
    assert _refusal(text).split("\n")[0] == "m.yaml:14:1: did not find expected node content (while parsing a flow node) (document 3)"


def test_an_hpa_written_after_its_workload_sets_its_replicas() -> None:
    text = DEPLOYMENT + SERVICE.format(port=80) + HPA.format(max=5)
    (namespace,) = summary(load(text)).namespaces
    assert [(w.name, w.replicas) for w in namespace.workloads] == [("d", "HPA 1-5")]
