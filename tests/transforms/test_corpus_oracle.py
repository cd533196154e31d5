"""The presets on the real Istio manifests agree with ../shared/tools/oracle.py (Kubernetes semantics).

The oracle is independent of istio-patch: it applies the guide's edits to PyYAML data. Each test is skipped
with its reason when the shared corpus or the oracle is absent. The files that hold none of the presets'
targets (the CRDs, the kube-apiserver manifest) are run with ``allow_no_match``: they must come out as they
went in, which is also what the oracle expects of them.
"""

from __future__ import annotations

import pytest
from _transform_cases import corpus_file
from _transform_cases import oracle as load_oracle

from istio_patch import SelectorError, load_path
from istio_patch.transforms import apply, preset

FILES = ["istio-1.0.0/istio-demo.yaml", "istio-1.0.0/istio-demo-auth.yaml", "istio-1.2.3/istio-demo.yaml"]
WITHOUT_TARGETS = ["istio-1.0.0/crds.yaml", "kubeadm-1.15/kube-apiserver.yaml"]
COMBINATIONS = [
    ("bare-metal",),
    ("cn-mirror",),
    ("small-nodes",),
    ("bare-metal", "cn-mirror", "small-nodes"),
    ("small-nodes", "bare-metal"),
]


def _presets(names: tuple[str, ...]) -> list:
    return [step for name in names for step in preset(name)]


@pytest.mark.parametrize("names", COMBINATIONS, ids="+".join)
@pytest.mark.parametrize("relative", FILES)
def test_semantics_agree_with_the_oracle(relative: str, names: tuple[str, ...]) -> None:
    oracle = load_oracle()
    path = corpus_file(relative)
    steps = _presets(names)
    before = path.read_text(encoding="utf-8-sig")
    after = apply(load_path(path), steps).manifest.render()
    want = oracle.expected(before, list(names))
    got = oracle._norm(oracle.docs(after))
    assert oracle.first_difference(want, got) is None


@pytest.mark.parametrize("names", COMBINATIONS, ids="+".join)
@pytest.mark.parametrize("relative", FILES)
def test_idempotent(relative: str, names: tuple[str, ...]) -> None:
    path = corpus_file(relative)
    steps = _presets(names)
    once = apply(load_path(path), steps).manifest
    again = apply(once, _presets(names))
    assert again.changes == ()
    assert again.manifest.render() == once.render()


def test_bare_metal_on_the_guides_file_is_a_small_diff() -> None:
    oracle = load_oracle()
    path = corpus_file("istio-1.0.0/istio-demo.yaml")
    before = path.read_text(encoding="utf-8")
    after = apply(load_path(path), preset("bare-metal")).manifest.render()
    # kind (2), replicas (1), two hostPorts (2), the HPA document (17), updateStrategy for extensions/v1beta1 (2)
    assert oracle.changed_lines(before, after) == 24
    assert oracle.changed_lines(before, after) <= 25


def test_small_nodes_on_the_guides_file_comments_the_four_lines() -> None:
    oracle = load_oracle()
    path = corpus_file("istio-1.0.0/istio-demo.yaml")
    before = path.read_text(encoding="utf-8")
    after = apply(load_path(path), preset("small-nodes")).manifest.render()
    assert oracle.changed_lines(before, after) == 8
    assert "          # resources:\n            # requests:\n              # cpu: 500m\n              # memory: 2048Mi\n" in after


def test_the_oracle_would_notice_a_wrong_output() -> None:
    """Guards the check above: an output that skipped the DaemonSet conversion must not pass."""
    oracle = load_oracle()
    path = corpus_file("istio-1.0.0/istio-demo.yaml")
    before = path.read_text(encoding="utf-8")
    partial = apply(load_path(path), preset("bare-metal")[:1]).manifest.render()
    assert oracle.first_difference(oracle.expected(before, ["bare-metal"]), oracle._norm(oracle.docs(partial))) is not None


@pytest.mark.parametrize("relative", WITHOUT_TARGETS)
def test_files_without_the_targets_pass_through_with_allow_no_match(relative: str) -> None:
    oracle = load_oracle()
    path = corpus_file(relative)
    names = ["bare-metal", "cn-mirror", "small-nodes"]
    steps = [step for name in names for step in preset(name, allow_no_match=True)]
    before = path.read_bytes()
    result = apply(load_path(path), steps)
    assert result.changes == ()
    assert result.manifest.to_bytes() == before
    text = before.decode("utf-8-sig")
    assert oracle.first_difference(oracle.expected(text, names), oracle._norm(oracle.docs(text))) is None


@pytest.mark.parametrize("relative", WITHOUT_TARGETS)
def test_files_without_the_targets_are_refused_by_strict_presets(relative: str) -> None:
    with pytest.raises(SelectorError, match="no object matches Service/istio-ingressgateway in namespace istio-system"):
        apply(load_path(corpus_file(relative)), preset("bare-metal"))
