"""modernize: golden cases per conversion, warnings word for word, version gating, and the Istio corpus."""

from __future__ import annotations

import doctest
import functools
import importlib.util
import re
from collections import Counter
from pathlib import Path

import pytest
from _transform_cases import CORPUS, FIXTURES, options_of
from pydantic import ValidationError

from istio_patch import OptionsError, load, load_path
from istio_patch.transforms import ModernizeOptions, _modernize, apply, modernize, plan_modernize

HAS_VALIDATE = importlib.util.find_spec("kubernetes_validate") is not None
needs_validate = pytest.mark.skipif(not HAS_VALIDATE, reason="the validate extra (kubernetes-validate) is not installed")


def _run(case: Path):
    manifest = load((case / "input.yaml").read_bytes(), source="input.yaml")
    return modernize(manifest, ModernizeOptions.validate(options_of(case)))


# Cases whose output the target release accepts as it is (the others keep something to fix by hand, and warn).
CLEAN = [
    "crd-per-version",
    "crd-with-validation",
    "crd-without-schema",
    "crlf",
    "hpa-v2beta1",
    "hpa-v2beta2-1.26",
    "pdb",
    "rbac",
    "webhooks",
]


@needs_validate
@pytest.mark.parametrize("name", CLEAN)
def test_golden_output_validates(name: str) -> None:
    from istio_patch._validate import validate

    release = "1.26" if name.endswith("1.26") else "1.25"  # the oldest schemas kubernetes-validate ships
    assert validate(load_path(FIXTURES / "modernize" / name / "expected.yaml"), release) == ()


def test_changes_name_the_object_and_pointer() -> None:
    WHY = "policy/v1beta1 PodDisruptionBudget is not served since Kubernetes 1.25"
    result = _run(FIXTURES / "modernize" / "pdb")
    assert [(c.line, c.object, c.op, c.pointer, c.reason) for c in result.changes] == [
        (1, "PodDisruptionBudget web", "replace", "/apiVersion", WHY),
        (12, "PodDisruptionBudget everything", "replace", "/apiVersion", WHY),
    ]


HPA_V2BETA1 = """\
apiVersion: autoscaling/v2beta1
kind: HorizontalPodAutoscaler
metadata:
  name: h
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: d}
  metrics:
  - type: Resource
    resource:
      name: cpu
      targetAverageUtilization: 60
"""


@pytest.mark.parametrize("version", ["1.16", "1.22", "1.24"])
def test_does_only_what_the_release_requires(version: str) -> None:
    assert plan_modernize(load(HPA_V2BETA1), ModernizeOptions(kubernetes_version=version)).empty


def test_converts_when_the_release_removed_the_version() -> None:
    out = modernize(load(HPA_V2BETA1), kubernetes_version="1.25").manifest.render()
    assert out == HPA_V2BETA1.replace("v2beta1", "v2").replace(
        "targetAverageUtilization: 60\n", "target:\n        type: Utilization\n        averageUtilization: 60\n"
    )


def test_keeps_only_one_target_when_v2beta1_had_two() -> None:
    text = HPA_V2BETA1.replace("name: cpu\n", "name: memory\n      targetAverageValue: 1Gi\n")
    result = modernize(load(text), kubernetes_version="1.25")
    assert "averageUtilization: 60" in result.manifest.render()
    assert "targetAverageValue" not in result.manifest.render()
    assert result.warnings == (
        "modernize: HorizontalPodAutoscaler h (<string>:1): metric 0 (Resource): targetAverageValue dropped: "
        "v2 takes one target, kept targetAverageUtilization",
    )


def test_warns_about_a_metric_without_target() -> None:
    text = HPA_V2BETA1.replace("      targetAverageUtilization: 60\n", "")
    result = modernize(load(text), kubernetes_version="1.25")
    assert result.warnings == (
        "modernize: HorizontalPodAutoscaler h (<string>:1): metric 0 (Resource): it has no target value: "
        "add a target block by hand",
    )


HPA_V1 = """\
apiVersion: autoscaling/v1
kind: HorizontalPodAutoscaler
metadata:
  name: h
spec:
  scaleTargetRef:
    apiVersion: extensions/v1beta1
    kind: {kind}
    name: d
"""


def test_moves_an_old_scale_target_of_any_hpa() -> None:
    text = HPA_V1.format(kind="Deployment")
    result = modernize(load(text), kubernetes_version="1.16")
    assert result.manifest.render() == text.replace("extensions/v1beta1", "apps/v1")
    assert [c.reason for c in result.changes] == ["scaleTargetRef names a workload API version that is no longer served"]


def test_leaves_a_scale_target_of_another_kind() -> None:
    text = HPA_V1.format(kind="Scalable")
    assert plan_modernize(load(text), ModernizeOptions(kubernetes_version="1.30")).empty


def test_warns_about_a_daemonset_that_relied_on_on_delete() -> None:
    text = (
        "apiVersion: extensions/v1beta1\nkind: DaemonSet\nmetadata:\n  name: ds\n"
        "spec:\n  selector: {matchLabels: {a: b}}\n  template: {metadata: {labels: {a: b}}}\n"
    )
    result = modernize(load(text), kubernetes_version="1.16")
    assert result.manifest.render() == text.replace("extensions/v1beta1", "apps/v1")
    assert result.warnings == (
        "modernize: DaemonSet ds (<string>:1): the default updateStrategy of a DaemonSet was OnDelete in "
        "extensions/v1beta1 and is RollingUpdate in apps/v1: add 'updateStrategy: {type: OnDelete}' to keep manual updates",
    )


def test_never_touches_documents_that_are_not_objects() -> None:
    text = "# just a comment\n---\n- a list\n---\nplain scalar\n---\n"
    result = modernize(load(text), kubernetes_version="1.30")
    assert not result.changes and result.manifest.render() == text


@pytest.mark.parametrize(("text", "expected"), [("1.25", (1, 25)), ("v1.25", (1, 25)), ("1.25.3", (1, 25)), (" 1.9 ", (1, 9))])
def test_reads_kubernetes_versions(text: str, expected: tuple[int, int]) -> None:
    assert _modernize.parse_kubernetes_version(text) == expected


@pytest.mark.parametrize("text", ["latest", "2.0", "1", "1.x", ""])
def test_refuses_unreadable_versions(text: str) -> None:
    with pytest.raises(OptionsError) as caught:
        modernize(load("kind: Service\n"), kubernetes_version=text)
    assert caught.value.message == f"ModernizeOptions: kubernetes_version: cannot read the Kubernetes version {text!r}: write it as 1.25"


def test_the_version_is_checked_by_the_options() -> None:
    with pytest.raises(OptionsError, match="cannot read the Kubernetes version 'banana'"):
        ModernizeOptions(kubernetes_version="banana")
    assert ModernizeOptions(kubernetes_version="v1.25.3").target == (1, 25)


def test_the_version_is_required() -> None:
    with pytest.raises(OptionsError, match="kubernetes_version"):
        ModernizeOptions()  # type: ignore[call-arg]
    with pytest.raises(OptionsError, match="kubernetes_version") as info:
        ModernizeOptions.validate({})
    assert isinstance(info.value.__cause__, ValidationError)


def test_docstring_example() -> None:
    assert doctest.testmod(_modernize, raise_on_error=True).attempted >= 1


# ---- the Istio corpus --------------------------------------------------------------------------------------

DEMO_100 = CORPUS / "istio-1.0.0" / "istio-demo.yaml"
DEMO_123 = CORPUS / "istio-1.2.3" / "istio-demo.yaml"


def _corpus(path: Path):
    if not path.is_file():
        pytest.skip(f"the shared corpus is not here ({path} is missing)")
    return load_path(path)


# Lines modernize may take out of the 1.0.0 demo: apiVersions, a CRD's `version`, an HPA's old metric target.
_REMOVABLE = re.compile(r"^\s*(- )?(apiVersion|version|targetAverageUtilization): ")


def test_corpus_diff_is_minimal() -> None:
    manifest = _corpus(DEMO_100)
    out = modernize(manifest, kubernetes_version="1.25").manifest
    # lines as a multiset, so that a diff tool's choice of alignment around blank lines does not matter
    removed = Counter(manifest.render().splitlines()) - Counter(out.render().splitlines())
    assert removed and [line for line in removed if not _REMOVABLE.match(line)] == []


@pytest.mark.parametrize("path", [DEMO_100, DEMO_123], ids=["istio-1.0.0", "istio-1.2.3"])
def test_corpus_is_idempotent(path: Path) -> None:
    once = modernize(_corpus(path), kubernetes_version="1.26").manifest
    assert plan_modernize(once, ModernizeOptions(kubernetes_version="1.26")).empty


@needs_validate
def test_istio_123_demo_modernized_for_125_validates() -> None:
    from istio_patch._validate import validate

    manifest = _corpus(DEMO_123)
    assert [p for p in validate(manifest, "1.25") if p.severity == "error"], "the original should fail on 1.25"
    problems = validate(modernize(manifest, kubernetes_version="1.25").manifest, "1.25")
    assert [str(p) for p in problems if p.severity != "skipped"] == []
    assert {p.object.split()[0] for p in problems} <= {"attributemanifest", "handler", "instance", "rule", "DestinationRule"}


@needs_validate
def test_istio_100_demo_after_bare_metal_then_modernize_validates() -> None:
    from istio_patch._validate import validate
    from istio_patch.transforms import preset

    manifest = _corpus(DEMO_100)
    try:
        steps = preset("bare-metal")
    except (ImportError, OptionsError) as exc:  # presets are written by another part of the project
        pytest.skip(f"the bare-metal preset is not available: {exc}")
    result = apply(manifest, [*steps, functools.partial(modernize, kubernetes_version="1.25")])
    problems = validate(result.manifest, "1.25")
    assert [str(p) for p in problems if p.severity != "skipped"] == []
    assert any(o.kind == "DaemonSet" and o.api_version == "apps/v1" for o in result.manifest.objects())


def test_a_crd_without_spec_only_warns() -> None:
    text = "apiVersion: apiextensions.k8s.io/v1beta1\nkind: CustomResourceDefinition\nmetadata:\n  name: x.example.com\n"
    result = modernize(load(text), kubernetes_version="1.22")
    assert result.manifest.render() == text.replace("v1beta1", "v1")
    assert result.warnings == (
        "modernize: CustomResourceDefinition x.example.com (<string>:1): it has no spec: write spec.group, "
        "spec.names, spec.scope and spec.versions by hand",
    )


def test_corpus_crds_convert_cleanly() -> None:
    manifest = _corpus(CORPUS / "istio-1.0.0" / "crds.yaml")
    result = modernize(manifest, kubernetes_version="1.22")
    assert result.warnings == ()
    assert {o.api_version for o in result.manifest.objects()} == {"apiextensions.k8s.io/v1"}
    assert all(len(o.data["spec"]["versions"]) == 1 and "version" not in o.data["spec"] for o in result.manifest.objects())


def test_one_note_about_several_objects_is_one_warning() -> None:
    text = "".join(
        f"---\napiVersion: extensions/v1beta1\nkind: Deployment\nmetadata: {{name: d{i}}}\nspec:\n  template:\n"
        "    metadata:\n      labels: {app: x}\n"
        for i in range(3)
    )
    warnings = modernize(load(text, source="d.yaml"), kubernetes_version="1.25").warnings
    assert len(warnings) == 1
    assert warnings[0].startswith("modernize: 3 objects: apps/v1 requires spec.selector: added matchLabels")
    assert warnings[0].endswith(": Deployment d0 (d.yaml:2), Deployment d1 (d.yaml:10), Deployment d2 (d.yaml:18)")
