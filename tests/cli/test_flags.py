"""Transform flags in command-line order: -n and modifiers belong to the step before them, presets included."""

from __future__ import annotations

import pytest

from istio_patch.cli import main

TWO_NAMESPACES = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: prod}
spec:
  replicas: 2
  template:
    spec:
      containers:
      - name: web
        resources: {requests: {cpu: 1}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: staging}
spec:
  replicas: 2
  template:
    spec:
      containers:
      - name: web
        resources: {requests: {cpu: 1}}
"""


def run(capsysbinary: pytest.CaptureFixture[bytes], *argv: object) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsysbinary.readouterr()
    return code, out.decode(), err.decode()


@pytest.fixture
def deployments(tmp_path):
    path = tmp_path / "web.yaml"
    path.write_text(TWO_NAMESPACES)
    return path


def test_n_belongs_to_the_transform_flag_before_it(capsysbinary, deployments) -> None:
    code, out, _ = run(capsysbinary, "apply", "--strip-resources", "deploy/web", "-n", "prod", "--to-daemonset", "deploy/web", "-n", "staging", deployments)
    assert code == 0
    prod, staging = out.split("---\n")
    assert "resources" not in prod and "kind: Deployment" in prod  # stripped, not converted
    assert "resources" in staging and "kind: DaemonSet" in staging  # converted, not stripped


def test_n_before_every_flag_is_the_default_of_all(capsysbinary, deployments) -> None:
    code, out, _ = run(capsysbinary, "apply", "-n", "staging", "--strip-resources", "deploy/web", deployments)
    prod, staging = out.split("---\n")
    assert code == 0 and "resources" in prod and "resources" not in staging


def test_a_name_in_several_namespaces_needs_n_or_all_namespaces(capsysbinary, deployments) -> None:
    code, _, err = run(capsysbinary, "apply", "--strip-resources", "deploy/web", deployments)
    assert code == 2
    assert err == (
        f"istio-patch: error: {deployments}: strip_resources: Deployment/web matches objects in 2 namespaces: "
        "Deployment prod/web (line 1), Deployment staging/web (line 12); say which with -n NAMESPACE, or -A for every one of them\n"
    )
    code, out, _ = run(capsysbinary, "apply", "--strip-resources", "deploy/web", "-A", deployments)
    assert code == 0 and "resources" not in out


def test_presets_honour_n(capsysbinary, tmp_path) -> None:
    path = tmp_path / "mesh.yaml"
    path.write_text("apiVersion: v1\nkind: Service\nmetadata: {name: istio-ingressgateway, namespace: mesh}\nspec: {type: LoadBalancer}\n")
    code, out, _ = run(capsysbinary, "apply", "--preset", "bare-metal", "-n", "mesh", "--allow-no-match", path)
    assert code == 0 and "type: NodePort" in out
    code, out, err = run(capsysbinary, "apply", "--preset", "bare-metal", path)
    assert code == 2 and "Service istio-ingressgateway exists in namespace mesh (-n says where to look)" in err


def test_a_modifier_after_a_preset_sets_its_transforms_option(capsysbinary) -> None:
    from pathlib import Path

    example = Path(__file__).resolve().parents[2] / "examples" / "istio-demo-mini.yaml"
    code, out, err = run(capsysbinary, "apply", "--preset", "bare-metal", "--keep-hpa", example)
    assert code == 0 and "kind: HorizontalPodAutoscaler" in out
    assert "kept HorizontalPodAutoscaler istio-system/istio-ingressgateway" in err
    code, _, err = run(capsysbinary, "apply", "--preset", "bare-metal", example)
    assert code == 0 and "(--keep-hpa keeps it)" in err  # the hint names the flag that works here
    code, _, err = run(capsysbinary, "apply", "--preset", "cn-mirror", "--keep-hpa", example)
    assert code == 2 and "--keep-hpa belongs after --to-daemonset, or a preset that runs it" in err


def test_repeated_values_of_a_modifier_must_agree(capsysbinary, tmp_path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("kind: Service\nmetadata: {name: s}\nspec: {ports: [{port: 80}]}\n")
    code, _, err = run(capsysbinary, "apply", "--node-port", "svc/s", "--node-port-value", "80=30080", "--node-port-value", "80=30081", path)
    assert code == 2 and "--node-port-value gives 80 twice (30080 and 30081); give it once" in err
    code, _, err = run(capsysbinary, "apply", "-n", "", "--node-port", "svc/s", path)
    assert code == 2 and "-n needs a namespace name" in err
