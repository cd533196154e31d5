"""admission_plugins: golden cases, the kubeadm 1.15 manifest, and the refusals."""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest
from _transform_cases import CORPUS, cases, options_of
from pydantic import ValidationError

from istio_patch import OptionsError, SelectorError, load, load_path
from istio_patch.transforms import AdmissionPluginsOptions, _admission_plugins, admission_plugins, apply, plan_admission_plugins, preset

WEBHOOKS = ["MutatingAdmissionWebhook", "ValidatingAdmissionWebhook"]


@pytest.mark.parametrize("case", cases("admission_plugins"), ids=lambda p: p.name)
def test_idempotent_and_one_line(case: Path) -> None:
    options = AdmissionPluginsOptions.validate(options_of(case))
    before = load_path(case / "input.yaml")
    once = admission_plugins(before, options)
    old, new = before.render().splitlines(), once.manifest.render().splitlines()
    assert len(once.changes) == 1
    assert len(new) - len(old) in (0, 1)
    assert sum(1 for line in new if line not in old) == 1
    again = admission_plugins(once.manifest, options)
    assert again.changes == ()
    assert again.manifest.render() == once.manifest.render()


def test_the_kubeadm_manifest_changes_one_line() -> None:
    path = CORPUS / "kubeadm-1.15" / "kube-apiserver.yaml"
    if not path.is_file():
        pytest.skip(f"the shared corpus is absent ({path} not found)")
    before = path.read_text(encoding="utf-8")
    result = apply(load_path(path), preset("admission-webhooks"))
    after = result.manifest.render()
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    changed = [(a, b) for a, b in zip(old, new) if a != b]
    assert len(old) == len(new)
    assert changed == [
        (
            "    - --enable-admission-plugins=NodeRestriction\n",
            "    - --enable-admission-plugins=NodeRestriction,MutatingAdmissionWebhook,ValidatingAdmissionWebhook\n",
        )
    ]
    assert [(c.op, c.pointer, c.object) for c in result.changes] == [("replace", "/spec/containers/0/command/5", "Pod kube-system/kube-apiserver")]
    assert apply(result.manifest, preset("admission-webhooks")).changes == ()


def test_the_legacy_flag_warns_when_resource_quota_is_no_longer_last() -> None:
    case = cases("admission_plugins")[0].parent / "admission-control-1.9"
    result = admission_plugins(load_path(case / "input.yaml"), plugins=WEBHOOKS)
    assert result.warnings == (
        "admission_plugins: Pod kube-system/kube-apiserver: --admission-control runs plugins in its order, and the new "
        "ones now come after ResourceQuota; Kubernetes 1.9 recommends ResourceQuota last",
    )


def _pod(*command: str, name: str = "kube-apiserver", kind: str = "Pod") -> str:
    items = "".join(f"    - {c}\n" for c in command)
    return f"kind: {kind}\nmetadata:\n  name: kube-apiserver\n  namespace: kube-system\nspec:\n  containers:\n  - name: {name}\n    command:\n{items}"


def test_an_empty_flag_gets_the_plugins() -> None:
    result = admission_plugins(load(_pod("kube-apiserver", "--enable-admission-plugins=")), plugins=WEBHOOKS)
    assert result.manifest.render().endswith("    - --enable-admission-plugins=MutatingAdmissionWebhook,ValidatingAdmissionWebhook\n")


def test_duplicates_in_the_options_are_dropped() -> None:
    assert AdmissionPluginsOptions(plugins=["A", "B", "A"]).plugins == ["A", "B"]


def test_both_flags_are_refused() -> None:
    text = _pod("kube-apiserver", "--admission-control=NodeRestriction", "--enable-admission-plugins=NodeRestriction")
    with pytest.raises(OptionsError) as info:
        plan_admission_plugins(load(text, source="api.yaml"), AdmissionPluginsOptions(plugins=WEBHOOKS))
    assert str(info.value) == (
        "api.yaml:1: admission_plugins: Pod kube-system/kube-apiserver sets both --admission-control and "
        "--enable-admission-plugins, which the API server refuses; keep one of them"
    )


def test_a_disabled_plugin_is_refused() -> None:
    text = _pod("kube-apiserver", "--disable-admission-plugins=ValidatingAdmissionWebhook")
    with pytest.raises(OptionsError) as info:
        plan_admission_plugins(load(text, source="api.yaml"), AdmissionPluginsOptions(plugins=WEBHOOKS))
    assert info.value.message == (
        "admission_plugins: Pod kube-system/kube-apiserver disables ValidatingAdmissionWebhook in "
        "--disable-admission-plugins; enable it there first"
    )


def test_a_pod_without_the_api_server_is_refused() -> None:
    with pytest.raises(OptionsError) as info:
        plan_admission_plugins(load(_pod("etcd", name="etcd")), AdmissionPluginsOptions(plugins=WEBHOOKS))
    assert info.value.message == (
        "admission_plugins: Pod kube-system/kube-apiserver has no kube-apiserver container (none is named kube-apiserver or runs it)"
    )


def test_another_kind_is_refused() -> None:
    with pytest.raises(OptionsError) as info:
        plan_admission_plugins(
            load(_pod("kube-apiserver", kind="Deployment")),
            AdmissionPluginsOptions(plugins=WEBHOOKS, selector={"kind": "deploy", "name": "kube-apiserver"}),
        )
    assert info.value.message == "admission_plugins: Deployment kube-system/kube-apiserver is not a Pod"


def test_no_api_server_pod_is_a_selector_error() -> None:
    with pytest.raises(SelectorError) as info:
        admission_plugins(load("kind: Pod\nmetadata: {name: etcd}\n", source="etcd.yaml"), plugins=WEBHOOKS)
    assert str(info.value) == "etcd.yaml: admission_plugins: no object matches Pod/kube-apiserver; Pod objects here: etcd"
    assert admission_plugins(load("kind: Pod\nmetadata: {name: etcd}\n"), plugins=WEBHOOKS, allow_no_match=True).changes == ()


@pytest.mark.parametrize(
    ("plugins", "message"),
    [
        (["Mutating,Validating"], "Value error, 'Mutating,Validating' is not an admission plugin name (letters and digits, e.g. MutatingAdmissionWebhook)"),
        ([], "List should have at least 1 item after validation, not 0"),
    ],
)
def test_plugin_names_are_checked(plugins: list[str], message: str) -> None:
    with pytest.raises(OptionsError) as info:
        AdmissionPluginsOptions(plugins=plugins)
    assert isinstance(info.value.__cause__, ValidationError)
    assert info.value.__cause__.errors()[0]["msg"] == message
    assert info.value.message.endswith(message.removeprefix("Value error, "))


def test_docstrings() -> None:
    assert doctest.testmod(_admission_plugins).failed == 0
