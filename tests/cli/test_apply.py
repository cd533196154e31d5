"""``apply`` with the habits of kubectl and sed: -f, -o, -iSUFFIX, -q, -v."""

from __future__ import annotations

from pathlib import Path

import pytest

from istio_patch.cli import main

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "istio-demo-mini.yaml"


def run(capsysbinary: pytest.CaptureFixture[bytes], *argv: object) -> tuple[int, bytes, str]:
    code = main([str(a) for a in argv])
    out, err = capsysbinary.readouterr()
    return code, out, err.decode()


def test_f_names_a_file_as_kubectl_takes_it(capsysbinary) -> None:
    assert run(capsysbinary, "apply", "-f", EXAMPLE)[:2] == (0, EXAMPLE.read_bytes())
    code, out, _ = run(capsysbinary, "summary", "-f", EXAMPLE)
    assert code == 0 and b"istio-ingressgateway" in out


@pytest.mark.parametrize("word", ["yaml", "json", "name"])
def test_o_with_a_kubectl_output_format_is_refused_with_a_hint(capsysbinary, tmp_path, monkeypatch, word) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsysbinary, "apply", "-o", word, EXAMPLE)
    assert (code, out) == (2, b"") and not (tmp_path / word).exists()
    assert err.startswith(f"istio-patch apply: -o {word} would write a file named '{word}': here -o names the output file")
    assert run(capsysbinary, "apply", "-o", f"./{word}", EXAMPLE)[0] == 0 and (tmp_path / word).exists()


def test_sed_style_in_place_suffix_gets_a_hint(capsysbinary) -> None:
    code, _, err = run(capsysbinary, "apply", "-i.ori", "--preset", "bare-metal", EXAMPLE)
    assert code == 2 and err.startswith("istio-patch: -i.ori: sed's -iSUFFIX is written -i --backup .ori here\n")


def test_q_silences_warnings_and_v_says_what_was_done_already(capsysbinary, tmp_path) -> None:
    assert "warning" in run(capsysbinary, "apply", "--preset", "bare-metal", EXAMPLE)[2]
    code, _, err = run(capsysbinary, "apply", "--preset", "bare-metal", "-q", EXAMPLE)
    assert (code, err) == (0, "")
    once = tmp_path / "once.yaml"
    once.write_bytes(run(capsysbinary, "apply", "--preset", "bare-metal", EXAMPLE)[1])
    code, _, err = run(capsysbinary, "apply", "--preset", "bare-metal", "-v", once)
    assert code == 0
    assert "istio-patch: node_port: Service istio-system/istio-ingressgateway is already NodePort" in err
    assert "istio-patch: to_daemonset: DaemonSet istio-system/istio-ingressgateway is a DaemonSet already" in err


def test_v_reports_the_line_each_change_edits(capsysbinary) -> None:
    code, _, err = run(capsysbinary, "apply", "--preset", "bare-metal", "-v", "-q", EXAMPLE)
    assert code == 0
    assert f"{EXAMPLE}:56: node_port: Service istio-system/istio-ingressgateway: replace /spec/type (Service type NodePort)" in err.splitlines()


def test_identical_warnings_are_said_once_with_a_count(capsysbinary, monkeypatch) -> None:
    from istio_patch import transforms
    from istio_patch.transforms import Plan, execute

    def warns(manifest):
        return execute(manifest, Plan("stand_in", (), ("the same thing",)))

    monkeypatch.setattr(transforms, "preset", lambda name, **options: [warns, warns, warns])
    code, _, err = run(capsysbinary, "apply", "--preset", "bare-metal", EXAMPLE)
    assert (code, err) == (0, "istio-patch: warning: the same thing (3 times)\n")


def test_split_files_are_one_manifest_and_each_keeps_its_edits(capsysbinary, tmp_path) -> None:
    # helm template --output-dir writes one object per file: the gateway's HPA is removed all the same
    text = EXAMPLE.read_text()
    documents = text.split("\n---\n")
    service = next(d for d in documents if "kind: Service" in d and "name: istio-ingressgateway" in d)
    deployment = next(d for d in documents if "kind: Deployment" in d and "name: istio-ingressgateway" in d)
    hpa = next(d for d in documents if "kind: HorizontalPodAutoscaler" in d)
    files = []
    for name, body in (("svc.yaml", service), ("dep.yaml", deployment), ("hpa.yaml", hpa)):
        path = tmp_path / name
        path.write_text(body.strip("-\n") + "\n")
        files.append(path)
    code, _, err = run(capsysbinary, "apply", "--preset", "bare-metal", "-i", *files)
    assert code == 0 and "removed HorizontalPodAutoscaler istio-system/istio-ingressgateway (" in err and "hpa.yaml:" in err
    assert "type: NodePort" in files[0].read_text() and "LoadBalancer" not in files[0].read_text()
    assert "kind: DaemonSet" in files[1].read_text() and "hostPort: 80" in files[1].read_text()
    assert files[2].read_text() == ""  # the HPA's file is empty: it held the HPA alone


# ---- switches: --dedupe-keys and --split-glued take no value -------------------------------------------------

GLUED = (
    "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: a\n  namespace: istio-system\n"
    "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: b\n  namespace: istio-system\n  labels: {x: 1, x: 2}\n"
)


def test_dedupe_keys_reports_each_writing_it_removes(capsysbinary) -> None:
    code, out, err = run(capsysbinary, "apply", "--dedupe-keys", "-v", EXAMPLE)
    assert code == 0
    assert out == EXAMPLE.read_bytes().replace(b"    app: ingressgateway\n", b"", 1)
    assert err.splitlines() == [
        f"{EXAMPLE}:99: dedupe_keys: Deployment istio-system/istio-ingressgateway: remove /metadata/labels/app "
        "(repeated on line 101, which Kubernetes reads)"
    ]


def test_dedupe_keys_takes_n_and_selects_nothing_else(capsysbinary, tmp_path) -> None:
    path = tmp_path / "two.yaml"
    path.write_text("kind: Pod\nmetadata: {name: p, namespace: a, name: p}\n---\nkind: Pod\nmetadata: {name: p, namespace: b, name: p}\n")
    code, out, _ = run(capsysbinary, "apply", "--dedupe-keys", "-n", "b", path)
    assert (code, out.decode()) == (0, "kind: Pod\nmetadata: {name: p, namespace: a, name: p}\n---\nkind: Pod\nmetadata: {namespace: b, name: p}\n")


def test_a_deduplicated_manifest_exports_as_an_overlay(capsysbinary, tmp_path) -> None:
    deduped = tmp_path / "deduped.yaml"
    assert run(capsysbinary, "apply", "--dedupe-keys", "-o", deduped, EXAMPLE)[0] == 0
    code, _, err = run(capsysbinary, "plan", "--preset", "bare-metal", "--format", "kustomize", "--out", tmp_path / "o", deduped)
    assert code == 0, err
    assert (tmp_path / "o" / "kustomization.yaml").is_file()


def test_split_glued_brings_the_lost_object_back_and_dedupe_keys_after_it_cleans_up(capsysbinary, tmp_path) -> None:
    path = tmp_path / "sa.yaml"
    path.write_text(GLUED)
    code, out, err = run(capsysbinary, "apply", "--split-glued", "--dedupe-keys", path)
    assert code == 0
    assert out.decode() == (
        "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: a\n  namespace: istio-system\n---\n"
        "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: b\n  namespace: istio-system\n  labels: {x: 2}\n"
    )
    assert err == (
        f"istio-patch: warning: split_glued: {path}:1: ServiceAccount istio-system/a was written in one document with "
        f"ServiceAccount istio-system/b (line 6), without a `---` between them: Kubernetes never saw it; a `---` line now brings it back\n"
    )
    code, _, err = run(capsysbinary, "apply", "--dedupe-keys", path)
    assert code == 0 and "run split_glued (--split-glued) first" in err


def test_switches_take_no_value_in_help(capsysbinary) -> None:
    code, out, _ = run(capsysbinary, "apply", "--help")
    assert code == 0
    text = out.decode()
    assert "  --dedupe-keys " in text and "  --split-glued " in text and "--dedupe-keys DEDUPE" not in text


# --------------------------------------------------------------------------------------------------------
# memory: the text is held once (its documents), read from the file a piece at a time
# --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("argv", [["apply", "--preset", "bare-metal", "--allow-no-match"], ["images"], ["check"], ["summary"]])
def test_a_command_holds_its_input_about_once(tmp_path, monkeypatch, argv) -> None:
    import os
    import sys
    import tracemalloc

    document = "---\nkind: ConfigMap\nmetadata: {name: c%d}\ndata:\n  a: " + "x" * 2000 + "\n"
    text = "".join(document % i for i in range(1500)) + "---\nkind: ConfigMap\nmetadata: {name: e}\ndata: {a: \U0001f510}\n"
    (tmp_path / "big.yaml").write_text(text, encoding="utf-8")
    (tmp_path / "small.yaml").write_text(document % 0, encoding="utf-8")
    with open(os.devnull, "w") as null:
        monkeypatch.setattr(sys, "stdout", null)
        assert main([*argv, str(tmp_path / "small.yaml")]) == 0  # every module imported before measuring
        tracemalloc.start()
        try:
            assert main([*argv, str(tmp_path / "big.yaml")]) == 0
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    # the documents' texts, a piece of the file and what a command works on; not the file's bytes besides, nor
    # the whole text decoded, rendered, encoded and joined (ten times the input before)
    assert peak < 1.7 * len(text)
