"""The docs' examples run: what a reader copies works."""

from __future__ import annotations

import os
import re
import sys
import types
from pathlib import Path

import pytest

from istio_patch import load
from istio_patch._recipe import build_steps, parse_recipe
from istio_patch.transforms import _descriptor, registry

ROOT = Path(__file__).resolve().parent.parent


def blocks(name: str, language: str) -> list[str]:
    text = (ROOT / "docs" / name).read_text(encoding="utf-8")
    return re.findall(rf"```{language}\n(.*?)```", text, flags=re.S)


@pytest.fixture
def private_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    """Transforms the docs register are gone after the test."""
    registry()
    monkeypatch.setattr(_descriptor, "_registry", dict(_descriptor._registry))


def run_example(monkeypatch: pytest.MonkeyPatch, **names: object) -> dict[str, object]:
    """The python blocks of docs/extending.md run in order, as one module, from the repository's root."""
    monkeypatch.chdir(ROOT)
    module = types.ModuleType("extending_example")
    module.__dict__.update(names)
    monkeypatch.setitem(sys.modules, module.__name__, module)  # dataclasses look their module up
    code = blocks("extending.md", "python")
    assert len(code) == 4
    for block in code:
        exec(compile(block, "docs/extending.md", "exec"), module.__dict__)
    return module.__dict__


def test_the_extension_example_runs(private_registry: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    run_example(monkeypatch)
    printed = capsys.readouterr().out
    assert "edge_nodes: DaemonSet istio-system/istio-ingressgateway: add /spec/template/spec/nodeSelector" in printed
    assert "warning: to_daemonset: removed HorizontalPodAutoscaler" in printed

    # the recipe item the page shows works, now that the transform is registered
    (recipe,) = blocks("extending.md", "yaml")
    steps = build_steps(parse_recipe(recipe, source="extending.md"))
    manifest = load((ROOT / "examples" / "istio-demo-mini.yaml").read_bytes())
    for _, step in steps:
        manifest = step(manifest).manifest
    assert "effect: NoExecute" in manifest.render()


def test_the_example_edit_changes_only_the_lines_it_adds(private_registry: None, monkeypatch: pytest.MonkeyPatch) -> None:
    namespace = run_example(monkeypatch, print=lambda *a, **k: None)
    before = (ROOT / "examples" / "istio-demo-mini.yaml").read_text()
    after = namespace["edge_nodes"](load(before), selector="deploy/istio-ingressgateway", namespace="istio-system")  # type: ignore[operator]
    old, new = before.splitlines(), after.manifest.render().splitlines()
    assert [line for line in old if line not in new] == []  # nothing removed or rewritten
    assert len(new) - len(old) == 6  # nodeSelector with its label, tolerations with one item of three keys
    assert os.path.basename(after.changes[0].source) == "<string>"


def test_the_readme_python_example_runs(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(ROOT)
    (code,) = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), flags=re.S)
    exec(compile(code, "README.md", "exec"), {"__name__": "readme_example"})
    printed = capsys.readouterr().out
    assert "warning: to_daemonset: removed HorizontalPodAutoscaler istio-system/istio-ingressgateway" in printed
    assert "host_ports: DaemonSet istio-system/istio-ingressgateway: add /spec/template/spec/containers/0/ports/0/hostPort" in printed
    assert "['NodePort', 'ClusterIP']" in printed
