"""The check rules as a family: discovered from their modules, documented, run only when they apply."""

from __future__ import annotations

import doctest

import pytest

import istio_patch.checks
from istio_patch import OptionsError, load
from istio_patch.checks import CheckOptions, check, rules


def test_every_rule_module_declares_one_documented_rule() -> None:
    found = rules()
    assert list(found) == sorted(found)
    assert set(found) == {
        "daemonset-replicas", "duplicate-keys", "forbidden-registry", "glued-documents", "host-ports", "hpa-target",
        "invalid-object", "load-balancer", "node-ports",
    }
    for rule in found.values():
        assert rule.doc.startswith(f"``{rule.id}``: ") and "Fails" in rule.doc and "Passes" in rule.doc
        assert rule.severity in ("error", "warning") and rule.summary


def test_select_runs_only_the_rules_asked_for() -> None:
    text = "kind: DaemonSet\nmetadata: {name: a, labels: {x: a, x: b}}\nspec: {replicas: 2}\n"
    assert [f.rule for f in check(load(text))] == ["duplicate-keys", "daemonset-replicas"]
    assert [f.rule for f in check(load(text), select=["daemonset-replicas"])] == ["daemonset-replicas"]
    with pytest.raises(OptionsError, match="check: no rule 'nope'"):
        check(load(text), select=["nope"])


def test_options_are_checked() -> None:
    with pytest.raises(OptionsError, match="the node port range 40000-30000 is not a range of ports"):
        CheckOptions(node_port_range=(40000, 30000))
    with pytest.raises(OptionsError, match="forbid_registries is a list"):
        CheckOptions(forbid_registries="gcr.io")  # type: ignore[arg-type]


def test_several_files_are_one_manifest() -> None:
    one = load("kind: Service\nmetadata: {name: a}\nspec:\n  ports: [{port: 80, nodePort: 30080}]\n", source="a.yaml")
    two = load("kind: Service\nmetadata: {name: b}\nspec:\n  ports: [{port: 80, nodePort: 30080}]\n", source="b.yaml")
    (finding,) = check([one, two])
    assert str(finding) == "b.yaml:4:22: [node-ports] Service b: nodePort 30080/TCP is also used by Service a (a.yaml:1)"
    assert (finding.document, finding.pointer, finding.severity) == (1, "/spec/ports/0/nodePort", "error")


def test_docstring_example() -> None:
    assert doctest.testmod(istio_patch.checks).failed == 0


def test_a_check_reads_each_document_once(monkeypatch: pytest.MonkeyPatch) -> None:
    import istio_patch._manifest as manifest_module

    deployment = "---\nkind: Deployment\nmetadata: {{name: d{0}}}\nspec:\n  template:\n    spec:\n      containers: [{{name: c, image: i, ports: [{{containerPort: 80}}]}}]\n"
    service = "---\nkind: Service\nmetadata: {{name: s{0}}}\nspec:\n  ports: [{{port: 80, nodePort: {1}}}]\n"
    text = "".join(deployment.format(i) + service.format(i, 30000 + i) for i in range(300)) + "---\nkind: A\nmetadata: {a: 1, a: 2}\n"
    manifest = load(text, source="m.yaml")
    composed = []
    real = manifest_module.compose
    monkeypatch.setattr(manifest_module, "compose", lambda *a, **k: composed.append(1) or real(*a, **k))
    (finding,) = check(manifest, bare_metal=True)
    assert finding.rule == "duplicate-keys"
    assert len(composed) == len(manifest.documents)  # not once for the objects, once for each rule's models, once for the keys
