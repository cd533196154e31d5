"""The command line, driven in-process through ``main(argv)`` and as the installed ``istio-patch`` script.

The mechanics (reading, writing, in-place, diff, check, exit codes, plans) are tested with a small stand-in
preset built on the real transforms framework, so that they do not depend on any one transform; the guide's
real presets are tested at the end of the file on the example manifest.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from istio_patch import SelectorError, load
from istio_patch.cli import main

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "cli"
EXAMPLE = ROOT / "examples" / "istio-demo-mini.yaml"
CRLF = FIXTURES / "crlf-service.yaml"
TWO = FIXTURES / "two-services.yaml"
CLEAN = FIXTURES / "clean.yaml"
PITFALLS = FIXTURES / "pitfalls.yaml"


# --------------------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------------------


def stand_in_step(manifest):
    """Every LoadBalancer Service becomes NodePort: a real plan, executed by the real framework."""
    from istio_patch.transforms import Edit, Plan, Selector, execute, select

    edits = [
        Edit.on(obj, [{"op": "replace", "path": "/spec/type", "value": "NodePort"}], "no cloud here")
        for obj in select(manifest, Selector(kind="Service"), what="stand-in")
        if obj.data.get("spec", {}).get("type") == "LoadBalancer"
    ]
    return execute(manifest, Plan("stand_in", tuple(edits), ("the stand-in warns",) if edits else ()))


def drop_hpa_step(manifest):
    """Removes every HorizontalPodAutoscaler (whole documents), as to_daemonset does."""
    from istio_patch.transforms import Edit, Plan, Selector, execute, select

    edits = [Edit.on(obj, [{"op": "remove", "path": ""}], "gone") for obj in select(manifest, Selector(kind="hpa"), allow_no_match=True)]
    return execute(manifest, Plan("drop_hpa", tuple(edits)))


@pytest.fixture
def stand_in(monkeypatch):
    """``--preset bare-metal`` runs the stand-in steps."""
    from istio_patch import transforms

    monkeypatch.setattr(transforms, "preset", lambda name, allow_no_match=False: [stand_in_step, drop_hpa_step])


def run(capsysbinary, *argv, stdin: bytes | None = None, monkeypatch=None):
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
    code = main([str(a) for a in argv])
    out, err = capsysbinary.readouterr()
    return code, out, err.decode()


def nodeport_text(path: Path) -> bytes:
    return path.read_bytes().replace(b"type: LoadBalancer", b"type: NodePort").replace(b"type: 'LoadBalancer'", b"type: 'NodePort'")


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


# --------------------------------------------------------------------------------------------------------
# apply: input and output
# --------------------------------------------------------------------------------------------------------


def test_apply_without_transforms_prints_the_input_byte_for_byte(capsysbinary):
    code, out, err = run(capsysbinary, "apply", CRLF)
    assert (code, out, err) == (0, CRLF.read_bytes(), "")


def test_apply_reads_stdin_when_no_file_is_named(capsysbinary, monkeypatch):
    data = b"\xef\xbb\xbfkind: Namespace\r\nmetadata: {name: x}  # kept\r\n"
    code, out, err = run(capsysbinary, "apply", stdin=data, monkeypatch=monkeypatch)
    assert (code, out, err) == (0, data, "")


def test_apply_reads_stdin_from_a_dash(capsysbinary, monkeypatch):
    code, out, _ = run(capsysbinary, "apply", "-", stdin=CRLF.read_bytes(), monkeypatch=monkeypatch)
    assert (code, out) == (0, CRLF.read_bytes())


def test_apply_empty_input_gives_empty_output(capsysbinary, monkeypatch, stand_in):
    code, out, err = run(capsysbinary, "apply", "--preset", "bare-metal", stdin=b"", monkeypatch=monkeypatch)
    assert (code, out, err) == (0, b"", "")


def test_apply_preset_changes_only_the_needed_lines(capsysbinary, stand_in):
    code, out, err = run(capsysbinary, "apply", "--preset", "bare-metal", TWO)
    assert code == 0
    assert out == nodeport_text(TWO)
    assert err == "istio-patch: warning: the stand-in warns\n"


def test_apply_keeps_crlf_and_comments(capsysbinary, stand_in):
    code, out, _ = run(capsysbinary, "apply", "--preset", "bare-metal", CRLF)
    assert code == 0
    assert out == CRLF.read_bytes().replace(b"LoadBalancer   # cloud", b"NodePort   # cloud")


def test_apply_verbose_reports_each_change(capsysbinary, stand_in):
    code, _, err = run(capsysbinary, "apply", "--preset", "bare-metal", "-v", CLEAN, TWO)
    assert code == 0
    assert err.splitlines()[1:] == [
        f"{TWO}:8: stand_in: Service demo/web: replace /spec/type (no cloud here)",  # the line that changes
        f"{TWO}:19: stand_in: Service demo/api: replace /spec/type (no cloud here)",
    ]


def test_apply_several_files_to_stdout_are_one_stream(capsysbinary, stand_in):
    code, out, _ = run(capsysbinary, "apply", "--preset", "bare-metal", CLEAN, TWO)
    assert code == 0
    assert out == CLEAN.read_bytes() + b"---\n" + nodeport_text(TWO)
    assert len([d for d in load(out).documents if not d.is_empty]) == 3


def test_apply_output_file(capsysbinary, tmp_path, stand_in):
    target = tmp_path / "out.yaml"
    code, out, _ = run(capsysbinary, "apply", "--preset", "bare-metal", TWO, "-o", target)
    assert (code, out) == (0, b"")
    assert target.read_bytes() == nodeport_text(TWO)
    assert leftovers(tmp_path) == []


def test_apply_output_file_keeps_an_existing_mode(capsysbinary, tmp_path, stand_in):
    target = tmp_path / "out.yaml"
    target.write_text("old\n")
    target.chmod(0o600)
    assert run(capsysbinary, "apply", TWO, "-o", target)[0] == 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert target.read_bytes() == TWO.read_bytes()


# --------------------------------------------------------------------------------------------------------
# apply -i
# --------------------------------------------------------------------------------------------------------


@pytest.fixture
def workdir(tmp_path):
    for source in (TWO, CLEAN, CRLF):
        shutil.copy(source, tmp_path / source.name)
    return tmp_path


def test_in_place_without_backup(capsysbinary, workdir, stand_in):
    target = workdir / TWO.name
    target.chmod(0o640)
    code, out, _ = run(capsysbinary, "apply", "--preset", "bare-metal", "-i", target)
    assert (code, out) == (0, b"")
    assert target.read_bytes() == nodeport_text(TWO)
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert sorted(p.name for p in workdir.iterdir()) == sorted([TWO.name, CLEAN.name, CRLF.name])


def test_in_place_with_backup_keeps_the_original(capsysbinary, workdir, stand_in):
    target = workdir / TWO.name
    code, _, _ = run(capsysbinary, "apply", "--preset", "bare-metal", "--in-place", "--backup", ".ori", target)
    assert code == 0
    assert (workdir / (TWO.name + ".ori")).read_bytes() == TWO.read_bytes()
    assert target.read_bytes() == nodeport_text(TWO)
    assert leftovers(workdir) == []


def test_in_place_leaves_unchanged_files_alone(capsysbinary, workdir, stand_in):
    clean = workdir / CLEAN.name
    os.utime(clean, (1_000_000, 1_000_000))
    code, _, _ = run(capsysbinary, "apply", "--preset", "bare-metal", "-i", "--backup", ".ori", clean, workdir / TWO.name)
    assert code == 0
    assert clean.stat().st_mtime == 1_000_000
    assert not (workdir / (CLEAN.name + ".ori")).exists()
    assert (workdir / (TWO.name + ".ori")).exists()


def test_in_place_follows_a_symlink_to_its_target(capsysbinary, workdir, stand_in):
    link = workdir / "link.yaml"
    link.symlink_to(workdir / TWO.name)
    assert run(capsysbinary, "apply", "--preset", "bare-metal", "-i", link)[0] == 0
    assert link.is_symlink()
    assert (workdir / TWO.name).read_bytes() == nodeport_text(TWO)


def test_in_place_several_files_all_or_nothing_on_bad_input(capsysbinary, workdir, stand_in):
    bad = workdir / "bad.yaml"
    bad.write_bytes(b"kind: Service\nmetadata: {name: 'x}\n")
    code, out, err = run(capsysbinary, "apply", "--preset", "bare-metal", "-i", workdir / TWO.name, bad)
    assert (code, out) == (2, b"")
    assert err.startswith(f"istio-patch: error: {bad}:3:1: found unexpected end of stream")  # the wording is the core's
    assert (workdir / TWO.name).read_bytes() == TWO.read_bytes()
    assert bad.read_bytes() == b"kind: Service\nmetadata: {name: 'x}\n"
    assert leftovers(workdir) == []


def test_in_place_failed_rename_puts_every_file_back(capsysbinary, workdir, monkeypatch, stand_in):
    first, second = workdir / TWO.name, workdir / CRLF.name
    real_replace = os.replace
    calls = []

    def failing_replace(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise PermissionError(13, "Permission denied", str(dst))
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", failing_replace)
    code, _, err = run(capsysbinary, "apply", "--preset", "bare-metal", "-i", first, second)
    assert code == 2
    assert err.endswith(f"\nistio-patch: error: {second}: Permission denied; no file was changed\n")
    assert first.read_bytes() == TWO.read_bytes()
    assert second.read_bytes() == CRLF.read_bytes()
    assert leftovers(workdir) == []


def test_in_place_failed_temporary_write_changes_nothing(capsysbinary, workdir, monkeypatch, stand_in):
    import tempfile

    real = tempfile.mkstemp
    count = []

    def full_disk(*args, **kwargs):
        count.append(1)
        if len(count) == 2:
            raise OSError(28, "No space left on device")
        return real(*args, **kwargs)

    monkeypatch.setattr(tempfile, "mkstemp", full_disk)
    code, _, err = run(capsysbinary, "apply", "--preset", "bare-metal", "-i", workdir / TWO.name, workdir / CRLF.name)
    assert code == 2
    assert err.endswith(f"\nistio-patch: error: {workdir / CRLF.name}: No space left on device; no file was changed\n")
    assert (workdir / TWO.name).read_bytes() == TWO.read_bytes()
    assert leftovers(workdir) == []


# --------------------------------------------------------------------------------------------------------
# apply --diff / --check
# --------------------------------------------------------------------------------------------------------


def test_diff_is_a_unified_diff(capsysbinary, stand_in, monkeypatch):
    monkeypatch.chdir(ROOT)  # an absolute name below the working directory is written relative to it
    code, out, _ = run(capsysbinary, "apply", "--preset", "bare-metal", "--diff", CLEAN, TWO)
    assert code == 0
    assert out.decode() == (
        "--- a/tests/fixtures/cli/two-services.yaml\n+++ b/tests/fixtures/cli/two-services.yaml\n"
        "@@ -5,7 +5,7 @@\n   name: web\n   namespace: demo\n spec:\n-  type: LoadBalancer\n+  type: NodePort\n   ports:\n   - port: 80\n     nodePort: 30080\n"
        "@@ -16,7 +16,7 @@\n   name: api\n   namespace: demo\n spec:\n-  type: 'LoadBalancer'\n+  type: 'NodePort'\n   ports:\n   - port: 8080\n     protocol: UDP\n"
    )


def test_diff_in_colour_when_asked(capsysbinary, stand_in):
    _, out, _ = run(capsysbinary, "apply", "--preset", "bare-metal", "--diff", "--color", "always", CLEAN, TWO)
    assert b"\x1b[31m-  type: LoadBalancer\x1b[0m\n" in out
    assert b"\x1b[32m+  type: NodePort\x1b[0m\n" in out


def test_diff_marks_a_missing_final_newline(capsysbinary, tmp_path, stand_in):
    target = tmp_path / "x.yaml"
    target.write_bytes(b"kind: Service\nmetadata: {name: a}\nspec:\n  type: LoadBalancer")
    _, out, _ = run(capsysbinary, "apply", "--preset", "bare-metal", "--diff", target)
    assert out.decode().endswith("-  type: LoadBalancer\n\\ No newline at end of file\n+  type: NodePort\n\\ No newline at end of file\n")


@pytest.mark.parametrize("tool", ["patch", "git"])
@pytest.mark.parametrize("inside", [True, False], ids=["below-the-working-directory", "elsewhere"])
def test_diff_of_an_absolute_path_applies_with_p1(capsysbinary, stand_in, monkeypatch, tmp_path, tool, inside):
    if shutil.which(tool) is None:
        pytest.skip(f"{tool} is not installed")
    work = tmp_path / "work"
    target = (work if inside else tmp_path / "elsewhere") / "two.yaml"
    target.parent.mkdir(parents=True, exist_ok=True)
    work.mkdir(exist_ok=True)
    shutil.copyfile(TWO, target)
    monkeypatch.chdir(work)
    _, out, _ = run(capsysbinary, "apply", "--preset", "bare-metal", "--diff", str(target.resolve()))
    name = "two.yaml" if inside else str(target.resolve()).lstrip("/")
    assert out.startswith(f"--- a/{name}\n+++ b/{name}\n".encode())
    # patch -p1 from the working directory, or from / for a file outside it (git diff --no-index's spelling)
    argv = ["patch", "-p1", "--quiet"] if tool == "patch" else ["git", "apply", "-p1"]
    subprocess.run(argv, cwd=work if inside else "/", input=out, check=True, capture_output=True)
    assert target.read_bytes() == nodeport_text(TWO)


def test_check_exits_1_when_something_would_change(capsysbinary, stand_in):
    code, out, err = run(capsysbinary, "apply", "--preset", "bare-metal", "--check", CLEAN, TWO)
    assert (code, out) == (1, b"")
    assert err.endswith(f"istio-patch: {TWO}: would change\n")


def test_check_exits_0_when_nothing_would_change(capsysbinary, stand_in):
    assert run(capsysbinary, "apply", "--preset", "bare-metal", "--check", CLEAN) == (0, b"", "")


def test_check_with_diff_prints_the_diff_and_exits_1(capsysbinary, stand_in, monkeypatch):
    monkeypatch.chdir(ROOT)
    code, out, _ = run(capsysbinary, "apply", "--preset", "bare-metal", "--check", "--diff", TWO)
    assert code == 1
    assert out.startswith(b"--- a/tests/fixtures/cli/two-services.yaml\n")


# --------------------------------------------------------------------------------------------------------
# errors and usage
# --------------------------------------------------------------------------------------------------------


def test_missing_file(capsysbinary):
    assert run(capsysbinary, "apply", "nope.yaml") == (2, b"", "istio-patch: error: nope.yaml: No such file or directory\n")


def test_a_directory_is_not_a_manifest(capsysbinary, tmp_path):
    code, _, err = run(capsysbinary, "images", tmp_path)
    assert (code, err) == (2, f"istio-patch: error: {tmp_path}: is a directory; name the manifest files in it\n")


def test_yaml_error_is_reported_with_file_line_and_column(capsysbinary, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("kind: Service\nmetadata:\n  name: [a, b\n")
    code, out, err = run(capsysbinary, "apply", bad)
    assert (code, out) == (2, b"")
    assert err.startswith(f"istio-patch: error: {bad}:4:1: ")
    assert "Traceback" not in err


def test_not_utf8_names_the_byte_offset(capsysbinary, monkeypatch):
    code, out, err = run(capsysbinary, "summary", stdin=b"kind: Namespace\nmetadata: {name: \xff}\n", monkeypatch=monkeypatch)
    assert (code, out) == (2, b"")
    assert err == (
        "istio-patch: error: <stdin>:2:18: the input is not UTF-8 text: byte 0xff at byte offset 33 does not decode\n"
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["apply", "--backup", ".ori", "x.yaml"], "istio-patch apply: --backup needs -i/--in-place"),
        (["apply", "-i"], "istio-patch apply: -i/--in-place needs files (stdin cannot be edited in place)"),
        (["apply", "-i", "-"], "istio-patch apply: -i/--in-place needs files (stdin cannot be edited in place)"),
        (["apply", "-i", "-o", "y", "x.yaml"], "istio-patch apply: argument -o/--output: not allowed with argument -i/--in-place"),
        (["apply", "--container", "discovery", "x.yaml"], "istio-patch apply: --container belongs after --host-ports or --strip-resources, or a preset that runs it"),
        (["apply", "--node-port", "svc/a", "--mode", "comment"], "istio-patch apply: --mode belongs after --strip-resources or --to-daemonset, or a preset that runs it"),
        (["apply", "--mirror", "gcr.io", "x.yaml"], "istio-patch apply: --mirror takes FROM=TO, e.g. gcr.io/istio-release=docker.io/istio"),
        (["plan", "--format", "kustomize"], "istio-patch plan: --format kustomize needs --out DIR"),
        (["plan", "--out", "d"], "istio-patch plan: --out goes with --format kustomize"),
        (["check", "--node-port-range", "3-2"], "istio-patch check: --node-port-range takes FROM-TO, e.g. 30000-32767"),
        (["frobnicate"], "istio-patch: argument COMMAND: invalid choice: 'frobnicate' (choose from apply, images, plan, check, summary, validate)"),
        ([], "istio-patch: say which command to run: apply, images, plan, check, summary or validate (see --help)"),
        (["validate", "x.yaml"], "istio-patch validate: the following arguments are required: --kubernetes-version"),
    ],
)
def test_usage_errors_exit_2(capsysbinary, argv, message):
    code, out, err = run(capsysbinary, *argv)
    assert (code, out) == (2, b"")
    first = err.splitlines()[0]
    assert first.replace("'apply', 'images', 'plan', 'check', 'summary', 'validate'", "apply, images, plan, check, summary, validate") == message
    assert err.splitlines()[1].startswith("Run `istio-patch ")


def test_two_uses_of_stdin_are_refused(capsysbinary):
    assert run(capsysbinary, "images", "-", "-")[:2] == (2, b"")


def test_internal_errors_are_one_line_without_debug(capsysbinary, monkeypatch):
    from istio_patch import transforms

    def broken(name):
        raise ZeroDivisionError("oops")

    monkeypatch.setattr(transforms, "preset", broken)
    code, out, err = run(capsysbinary, "apply", "--preset", "bare-metal", CLEAN)
    assert (code, out) == (2, b"")
    assert err == "istio-patch: error: internal error: ZeroDivisionError: oops (run with --debug for the traceback); please report it\n"
    code, _, err = run(capsysbinary, "apply", "--debug", "--preset", "bare-metal", CLEAN)
    assert code == 2 and "Traceback (most recent call last)" in err


def test_a_failure_after_some_work_prints_nothing_to_stdout(capsysbinary, monkeypatch):
    from istio_patch import EditError, transforms

    def fails(manifest):
        raise EditError("cannot edit this", source=manifest.source, line=3, column=5)

    monkeypatch.setattr(transforms, "preset", lambda name: [stand_in_step, fails])
    code, out, err = run(capsysbinary, "apply", "--preset", "bare-metal", TWO)
    assert (code, out) == (2, b"")
    assert err == f"istio-patch: error: {TWO}:3:5: cannot edit this\n"


def test_a_step_that_empties_the_input_is_refused(capsysbinary, monkeypatch):
    from istio_patch import transforms

    monkeypatch.setattr(transforms, "preset", lambda name: [drop_everything])
    code, out, err = run(capsysbinary, "apply", "--preset", "bare-metal", CLEAN)
    assert (code, out) == (2, b"")
    assert err == f"istio-patch: error: {CLEAN}: the transforms left nothing of a non-empty input; nothing was written\n"


def drop_everything(manifest):
    from istio_patch.transforms import Result

    return Result(manifest.without_document(0))


def test_a_selector_must_match_in_one_file_at_least(capsysbinary, monkeypatch):
    from istio_patch import transforms
    from istio_patch.transforms import Selector, select

    def needs_api(manifest):
        select(manifest, Selector.parse("svc/api"))
        return stand_in_step(manifest)

    monkeypatch.setattr(transforms, "preset", lambda name: [needs_api])
    code, out, _ = run(capsysbinary, "apply", "--preset", "bare-metal", CLEAN, TWO)
    assert code == 0 and out == CLEAN.read_bytes() + b"---\n" + nodeport_text(TWO)
    code, out, err = run(capsysbinary, "apply", "--preset", "bare-metal", CLEAN, CRLF)
    assert (code, out) == (2, b"")
    assert err == (
        f"istio-patch: error: {CLEAN}, {CRLF}: --preset bare-metal: no object matches Service/api; Service objects here: web "
        "(in none of the 2 files)\n"
    )


def test_selector_errors_surface_as_the_librarys_error():
    with pytest.raises(SelectorError):
        from istio_patch.transforms import Selector, select

        select(load(CLEAN.read_bytes()), Selector.parse("svc/none"))


# --------------------------------------------------------------------------------------------------------
# help and version
# --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "example"),
    [
        ("apply", "istio-patch apply --preset bare-metal istio-demo.yaml > istio-demo-bare.yaml"),
        ("images", "istio-patch images istio-demo.yaml | xargs -n1 docker pull"),
        ("plan", "istio-patch plan --preset bare-metal --format kustomize --out overlay/ istio-demo.yaml"),
        ("check", "istio-patch check --bare-metal --forbid-registry gcr.io istio-demo.yaml"),
        ("summary", "istio-patch summary istio-demo.yaml"),
        ("validate", "istio-patch apply --preset bare-metal --modernize 1.25 istio-demo.yaml | istio-patch validate --kubernetes-version 1.25"),
    ],
)
def test_every_command_has_help_with_a_worked_example(capsys, command, example):
    assert main([command, "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: istio-patch {command} ")
    assert example in out


def test_top_level_help_and_version(capsys):
    assert main(["--help"]) == 0
    assert "apply     apply transforms; print the result" in capsys.readouterr().out
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == "istio-patch 0.1.0\n"


# --------------------------------------------------------------------------------------------------------
# plan
# --------------------------------------------------------------------------------------------------------


def test_plan_json_lists_operations_per_object(capsysbinary, stand_in):
    code, out, _ = run(capsysbinary, "plan", "--preset", "bare-metal", TWO, EXAMPLE)
    assert code == 0
    plans = json.loads(out)
    assert [(p["file"], p["line"], p["kind"], p["name"], p["transforms"], p["operations"]) for p in plans] == [
        (str(TWO), 2, "Service", "web", ["stand_in"], [{"op": "replace", "path": "/spec/type", "value": "NodePort"}]),
        (str(TWO), 13, "Service", "api", ["stand_in"], [{"op": "replace", "path": "/spec/type", "value": "NodePort"}]),
        (str(EXAMPLE), 46, "Service", "istio-ingressgateway", ["stand_in"], [{"op": "replace", "path": "/spec/type", "value": "NodePort"}]),
        (str(EXAMPLE), 191, "HorizontalPodAutoscaler", "istio-ingressgateway", ["drop_hpa"], [{"op": "remove", "path": ""}]),
    ]
    assert plans[2]["document"] == 4 and plans[2]["namespace"] == "istio-system" and plans[2]["apiVersion"] == "v1"


def test_plan_without_transforms_is_empty(capsysbinary):
    assert run(capsysbinary, "plan", TWO) == (0, b"[]\n", "")


def test_plan_kustomize_refuses_duplicate_keys(capsysbinary, tmp_path, stand_in):
    code, _, err = run(capsysbinary, "plan", "--preset", "bare-metal", "--format", "kustomize", "--out", tmp_path / "o", EXAMPLE)
    assert code == 2
    assert err == (
        f"istio-patch: error: {EXAMPLE}:99:5: the key 'app' is repeated; kustomize refuses manifests with duplicate keys "
        "(Kubernetes keeps the last value), so no overlay was written. Remove the duplicates first (`istio-patch apply "
        "--dedupe-keys` writes the manifest without them), or use `istio-patch apply` or `plan --format json`\n"
    )
    assert not (tmp_path / "o").exists() or not any((tmp_path / "o").iterdir())


def _objects(text: str) -> dict:
    import yaml

    found = {}
    for doc in yaml.safe_load_all(text):
        if isinstance(doc, dict):
            meta = doc.get("metadata") or {}
            found[(doc["kind"], meta.get("namespace"), meta.get("name"))] = _without_nulls(doc)
    return found


def _without_nulls(value):
    """kustomize drops null fields (``annotations:`` with nothing under it); Kubernetes reads them as absent too."""
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl (with kustomize) is not installed")
def test_plan_kustomize_builds_the_same_objects(capsysbinary, tmp_path, stand_in):
    source = tmp_path / "in.yaml"
    source.write_bytes(EXAMPLE.read_bytes().replace(b"    app: ingressgateway\n", b""))
    overlay = tmp_path / "overlay"
    assert run(capsysbinary, "plan", "--preset", "bare-metal", "--format", "kustomize", "--out", overlay, source)[0] == 0
    assert sorted(p.name for p in overlay.iterdir()) == [
        "in.yaml",
        "kustomization.yaml",
        "patch-001-service-istio-ingressgateway.yaml",
        "patch-002-horizontalpodautoscaler-istio-ingressgateway.yaml",
    ]
    built = subprocess.run(["kubectl", "kustomize", str(overlay)], capture_output=True, text=True, timeout=120)
    assert built.returncode == 0, built.stderr
    code, out, _ = run(capsysbinary, "apply", "--preset", "bare-metal", source)
    assert code == 0
    assert _objects(built.stdout) == _objects(out.decode())


# --------------------------------------------------------------------------------------------------------
# check
# --------------------------------------------------------------------------------------------------------


def test_check_reports_the_guides_pitfalls(capsysbinary):
    code, out, err = run(capsysbinary, "check", "--bare-metal", PITFALLS)
    assert (code, err) == (1, "")
    p = str(PITFALLS)
    assert out.decode().splitlines() == [
        f"{p}:7:3: [load-balancer] Service demo/edge is type LoadBalancer: on bare metal nothing will give it an external address (use --node-port or --preset bare-metal)",
        f"{p}:12:5: [node-ports] Service demo/edge: nodePort 40000 is outside the node port range 30000-32767",
        f"{p}:23:5: [node-ports] Service demo/edge2: nodePort 30080/TCP is also used by Service demo/edge ({p}:1)",
        f"{p}:31:3: [daemonset-replicas] DaemonSet demo/gw has replicas: a DaemonSet runs one pod per node and has no replicas",
        f"{p}:54:11: [host-ports] Deployment demo/other: hostPort 80/TCP is also used by DaemonSet demo/gw ({p}:25); their pods cannot share a node",
        f"{p}:62:3: [hpa-target] HorizontalPodAutoscaler demo/gw targets DaemonSet demo/gw, which an HPA cannot scale; remove the HPA",
        f"{p}:74:3: [hpa-target] HorizontalPodAutoscaler demo/ghost targets Deployment demo/ghost, which is not in the manifest",
    ]


def test_check_load_balancers_only_on_bare_metal(capsysbinary):
    code, out, _ = run(capsysbinary, "check", TWO)
    assert (code, out) == (0, b"")


def test_check_custom_node_port_range(capsysbinary):
    code, out, _ = run(capsysbinary, "check", "--node-port-range", "30000-30010", CLEAN)
    assert code == 1
    assert out.decode() == f"{CLEAN}:10:5: [node-ports] Service demo/web: nodePort 30080 is outside the node port range 30000-30010\n"


def test_check_duplicate_keys_and_clean_input(capsysbinary):
    code, out, _ = run(capsysbinary, "check", EXAMPLE)
    assert code == 1
    assert out.decode() == f"{EXAMPLE}:99:5: [duplicate-keys] the key 'app' is repeated at /metadata/labels; Kubernetes keeps the value on line 101 (--dedupe-keys removes the earlier ones)\n"
    assert run(capsysbinary, "check", "--bare-metal", CLEAN) == (0, b"", "")


# --------------------------------------------------------------------------------------------------------
# summary
# --------------------------------------------------------------------------------------------------------


def test_summary_writes_ports_as_kubectl_does(capsysbinary):
    code, out, _ = run(capsysbinary, "summary", EXAMPLE)
    assert code == 0
    assert out.decode() == (
        "namespace istio-system\n"
        "  SERVICE                TYPE           CLUSTER-IP   PORT(S)\n"
        "  istio-ingressgateway   LoadBalancer   (assigned)   80:31380/TCP,443:31390/TCP,31400:31400/TCP\n"
        "  istio-pilot            ClusterIP      (assigned)   15010/TCP,8080/TCP\n"
        "\n"
        "  WORKLOAD                          REPLICAS      IMAGES\n"
        "  Deployment/istio-ingressgateway   HPA 1-5       gcr.io/istio-release/proxyv2:1.0.0\n"
        "  Deployment/istio-pilot            1             gcr.io/istio-release/pilot:1.0.0,gcr.io/istio-release/proxyv2:1.0.0\n"
        "  Job/istio-cleanup-secrets         1 (default)   quay.io/coreos/hyperkube:v1.7.6_coreos.0\n"
    )


def test_summary_json_and_daemonsets_run_per_node(capsysbinary):
    code, out, _ = run(capsysbinary, "summary", "--json", PITFALLS, TWO)
    assert code == 0
    demo = json.loads(out)["demo"]
    assert demo["services"][-1] == {"name": "api", "type": "LoadBalancer", "clusterIP": None, "ports": [{"port": 8080, "protocol": "UDP"}]}
    assert demo["workloads"][0] == {"kind": "DaemonSet", "name": "gw", "replicas": "per node", "images": ["gcr.io/istio-release/proxyv2:1.0.0"]}


# --------------------------------------------------------------------------------------------------------
# the installed entry point, as a subprocess
# --------------------------------------------------------------------------------------------------------

SCRIPT = Path(sys.executable).parent / "istio-patch"


def script(*argv, stdin: bytes = b"", cwd=None):
    command = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "istio_patch"]
    return subprocess.run(command + [str(a) for a in argv], input=stdin, capture_output=True, timeout=60, cwd=cwd)


def test_entry_point_stdin_to_stdout_byte_for_byte():
    done = script("apply", stdin=CRLF.read_bytes())
    assert (done.returncode, done.stdout, done.stderr) == (0, CRLF.read_bytes(), b"")


def test_module_entry_point():
    done = subprocess.run([sys.executable, "-m", "istio_patch", "apply", str(CRLF)], capture_output=True, timeout=60)
    assert (done.returncode, done.stdout) == (0, CRLF.read_bytes())


def test_entry_point_exit_codes():
    assert script("check", "--bare-metal", PITFALLS).returncode == 1
    assert script("check", CLEAN).returncode == 0
    bad = script("apply", stdin=b"a: [1\n")
    assert (bad.returncode, bad.stdout) == (2, b"")
    assert bad.stderr.startswith(b"istio-patch: error: <stdin>:2:1: ")
    assert b"Traceback" not in bad.stderr
    assert script("apply", "--no-such-flag").returncode == 2


def test_entry_point_summary_and_help():
    done = script("summary", EXAMPLE)
    assert done.returncode == 0 and b"80:31380/TCP" in done.stdout
    assert script("apply", "--help").returncode == 0


def test_entry_point_in_place(tmp_path):
    target = tmp_path / "x.yaml"
    shutil.copy(CRLF, target)
    done = script("apply", "-i", "--backup", ".ori", target)
    assert done.returncode == 0
    assert target.read_bytes() == CRLF.read_bytes()  # no transform: nothing to change, nothing written
    assert not (tmp_path / "x.yaml.ori").exists()


def _after_runs(*argvs: list[str]) -> tuple[list[int], set[str]]:
    """Exit codes of ``main(argv)`` run in order in a fresh interpreter, and the typed models whose validators it built."""
    code = (
        "import sys, json, inspect; from istio_patch.cli import main; "
        f"codes = [main(argv) for argv in {[list(map(str, a)) for a in argvs]!r}]; sys.stdout.flush(); "
        "m = sys.modules.get('istio_patch._models'); "
        "built = [n for n, c in vars(m).items() if inspect.isclass(c) and issubclass(c, m.KubeModel) and c.__pydantic_complete__] if m else []; "
        "print(json.dumps([codes, built]), file=sys.stderr)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    codes, built = json.loads(done.stderr.strip().splitlines()[-1])
    return codes, set(built)


def test_a_run_without_transforms_builds_no_model():
    codes, built = _after_runs(["apply", CLEAN], ["apply", EXAMPLE])
    assert codes == [0, 0] and built == set()


def test_presets_build_the_validators_of_the_kinds_they_read_and_no_other():
    # pydantic's first validation of a model costs milliseconds: a run pays for the models it reads
    codes, built = _after_runs(["apply", "--preset", "bare-metal", "--preset", "cn-mirror", "--preset", "small-nodes", EXAMPLE])
    assert codes == [0]
    assert {"Service", "Deployment", "DaemonSet", "HorizontalPodAutoscaler"} <= built
    assert built.isdisjoint({"ConfigMap", "CustomResourceDefinition", "MutatingWebhookConfiguration", "Namespace", "PodDisruptionBudget", "Pod"})


# --------------------------------------------------------------------------------------------------------
# the guide's real transforms and presets, on the example manifest
# --------------------------------------------------------------------------------------------------------


ORACLE = ROOT.parent / "shared" / "tools" / "oracle.py"
RECIPE = ROOT / "examples" / "recipe.yaml"


def oracle(source: Path, output: bytes, tmp_path: Path, *presets: str) -> str:
    if not ORACLE.exists():
        pytest.skip("../shared/tools/oracle.py is absent")
    result = tmp_path / "oracle-output.yaml"
    result.write_bytes(output)
    argv = [sys.executable, str(ORACLE), str(source), str(result)]
    for name in presets:
        argv += ["--preset", name]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_quick_start_line_applies_the_three_presets(capsysbinary, tmp_path):
    presets = ("bare-metal", "cn-mirror", "small-nodes")
    argv = ["apply"] + [a for name in presets for a in ("--preset", name)] + [EXAMPLE]
    code, out, _ = run(capsysbinary, *argv)
    assert code == 0 and out != EXAMPLE.read_bytes()
    assert "semantic=ok" in oracle(EXAMPLE, out, tmp_path, *presets)
    again = tmp_path / "again.yaml"
    again.write_bytes(out)
    assert run(capsysbinary, *argv[:-1], again)[:2] == (0, out)  # idempotent
    assert run(capsysbinary, *argv[:-1], "--check", again)[0] == 0


def test_example_recipe_equals_its_presets_and_flags(capsysbinary):
    by_recipe = run(capsysbinary, "apply", "--recipe", RECIPE, EXAMPLE)
    by_flags = run(
        capsysbinary, "apply", "--preset", "bare-metal", "--preset", "cn-mirror",
        "--strip-resources", "deploy/istio-pilot", "-n", "istio-system", "--container", "discovery", "--mode", "comment", EXAMPLE,
    )
    assert by_recipe[0] == 0 and by_recipe[:2] == by_flags[:2]
    assert b"#               memory: 2048Mi" in by_recipe[1] or b"# memory: 2048Mi" in by_recipe[1] or b"#memory: 2048Mi" in by_recipe[1]


def test_one_flag_per_transform_does_the_bare_metal_preset(capsysbinary, tmp_path):
    code, out, err = run(
        capsysbinary, "apply", "-n", "istio-system",
        "--node-port", "svc/istio-ingressgateway",
        "--to-daemonset", "deploy/istio-ingressgateway",
        "--host-ports", "ds/istio-ingressgateway", "--port", "80", "--port", "443",
        EXAMPLE,
    )
    assert code == 0, err
    assert "semantic=ok" in oracle(EXAMPLE, out, tmp_path, "bare-metal")


def test_mirror_flags(capsysbinary, tmp_path):
    code, out, _ = run(
        capsysbinary, "apply",
        "--mirror", "gcr.io/istio-release=docker.io/istio",
        "--mirror", "quay.io/coreos/hyperkube:v1.7.6_coreos.0=registry.cn-shanghai.aliyuncs.com/gcr-k8s/hyperkube:v1.7.6_coreos.0",
        EXAMPLE,
    )
    assert code == 0
    assert "semantic=ok" in oracle(EXAMPLE, out, tmp_path, "cn-mirror")
    assert b"gcr.io" not in out.split(b"\n", 3)[3] and b"quay.io" not in out.split(b"\n", 3)[3]


def test_two_mirror_rules_for_one_source_are_refused_before_reading(capsysbinary):
    code, out, err = run(capsysbinary, "apply", "--mirror", "gcr.io=a.io", "--mirror", "gcr.io=b.io", "nope.yaml")
    assert (code, out) == (2, b"")
    assert err == "istio-patch: error: --mirror: mirror_images: rules.1: two rules for gcr.io contradict each other: -> a.io and -> b.io\n"


def test_images_lists_every_reference_once_in_order(capsysbinary):
    code, out, _ = run(capsysbinary, "images", EXAMPLE)
    assert code == 0
    assert out.decode().splitlines() == [
        "gcr.io/istio-release/proxy_init:1.0.0",
        "gcr.io/istio-release/proxyv2:1.0.0",
        "gcr.io/istio-release/pilot:1.0.0",
        "quay.io/coreos/hyperkube:v1.7.6_coreos.0",
    ]


def test_images_json(capsysbinary):
    code, out, _ = run(capsysbinary, "images", "--json", EXAMPLE)
    assert code == 0
    listing = json.loads(out)
    assert [entry["image"] for entry in listing][:2] == ["gcr.io/istio-release/proxy_init:1.0.0", "gcr.io/istio-release/proxyv2:1.0.0"]
    assert len(listing[1]["uses"]) == 3  # the template string, the gateway, the pilot's sidecar


def test_images_prints_what_it_cannot_resolve_on_stderr(capsysbinary):
    code, out, err = run(capsysbinary, "images", EXAMPLE)
    assert code == 0 and len(out.decode().splitlines()) == 4
    assert err == (
        f"istio-patch: warning: {EXAMPLE}:34: ConfigMap istio-system/istio-sidecar-injector /data/config: the image "
        '[[ index .ObjectMeta.Annotations "sidecar.istio.io/proxyImage" ]] cannot be resolved: .ObjectMeta is known only '
        "when a Pod is injected, not from the manifest\n"
    )


def test_images_json_says_what_template_text_builds_an_image(capsysbinary):
    injector = ROOT / "tests" / "fixtures" / "transforms" / "images" / "injector-values" / "input.yaml"
    code, out, _ = run(capsysbinary, "images", "--json", injector)
    assert code == 0
    first = json.loads(out)[0]
    assert first["image"] == "docker.io/istio/proxy_init:1.2.3"
    assert first["uses"] == [
        {
            "source": str(injector), "document": 1, "line": 18, "object": "ConfigMap istio-system/istio-sidecar-injector",
            "pointer": "/data/config", "image_field": False, "template": True,
            "expression": "{{ .Values.global.hub }}/{{ .Values.global.proxy_init.image }}:{{ .Values.global.tag }}",
        }
    ]


def test_check_forbidden_registry(capsysbinary):
    code, out, _ = run(capsysbinary, "check", "--forbid-registry", "quay.io", CLEAN, EXAMPLE)
    assert code == 1
    lines = [line for line in out.decode().splitlines() if "forbidden" in line]
    assert len(lines) == 1
    assert lines[0].startswith(f"{EXAMPLE}:186:18:") and lines[0].endswith(": [forbidden-registry] the image quay.io/coreos/hyperkube:v1.7.6_coreos.0 comes from the forbidden registry quay.io")


def test_unknown_option_from_a_flag(capsysbinary):
    code, _, err = run(capsysbinary, "apply", "--strip-resources", "deploy/istio-pilot", "--mode", "comment", "--resources", "limits", EXAMPLE)
    assert code in (0, 2) and "Traceback" not in err


def test_post_renderer_script(tmp_path):
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    script_path = ROOT / "examples" / "post-render.sh"
    done = subprocess.run([str(script_path)], input=EXAMPLE.read_bytes(), capture_output=True, timeout=60, env=env)
    assert done.returncode == 0, done.stderr
    assert b"type: NodePort" in done.stdout and b"docker.io/istio/pilot:1.0.0" in done.stdout
    failed = subprocess.run([str(script_path)], input=b"kind: Service\nmetadata: {name: 'x}\n", capture_output=True, timeout=60, env=env)
    assert failed.returncode == 2 and failed.stdout == b""


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl (with kustomize) is not installed")
def test_plan_kustomize_with_the_real_presets(capsysbinary, tmp_path):
    source = tmp_path / "in.yaml"
    source.write_bytes(EXAMPLE.read_bytes().replace(b"    app: ingressgateway\n", b""))
    overlay = tmp_path / "overlay"
    argv = ["--preset", "bare-metal", "--preset", "cn-mirror", "--preset", "small-nodes"]
    assert run(capsysbinary, "plan", *argv, "--format", "kustomize", "--out", overlay, source)[0] == 0
    built = subprocess.run(["kubectl", "kustomize", str(overlay)], capture_output=True, text=True, timeout=120)
    assert built.returncode == 0, built.stderr
    code, out, _ = run(capsysbinary, "apply", *argv, source)
    assert code == 0
    assert _objects(built.stdout) == _objects(out.decode())


# --------------------------------------------------------------------------------------------------------
# modernize and validate (issue 7)
# --------------------------------------------------------------------------------------------------------

OLD_APIS = FIXTURES / "validate.yaml"
CORPUS = ROOT.parent / "shared" / "corpus"


def _has_kubernetes_validate() -> bool:
    try:
        import kubernetes_validate  # noqa: F401
    except ImportError:
        return False
    return True


needs_schemas = pytest.mark.skipif(not _has_kubernetes_validate(), reason="the validate extra (kubernetes-validate) is not installed")


def corpus_file(relative: str) -> Path:
    path = CORPUS / relative
    if not path.exists():
        pytest.skip(f"../shared/corpus/{relative} is absent")
    return path


@needs_schemas
def test_validate_prints_each_problem_and_exits_1_on_an_error(capsysbinary):
    code, out, err = run(capsysbinary, "validate", "--kubernetes-version", "1.25", OLD_APIS)
    assert (code, err) == (1, "")
    assert out.decode().splitlines() == [
        f"{OLD_APIS}:17: error: Service demo/broken: /spec/ports/0/port: 'http' is not of type 'integer'",
        f"{OLD_APIS}:20: skipped: Gateway ingress: /: networking.istio.io/v1alpha3 Gateway is not built in: "
        "its CustomResourceDefinition defines it",
        f"{OLD_APIS}:27: error: PodDisruptionBudget pilot: /apiVersion: Kubernetes 1.25 does not serve policy/v1beta1 "
        "PodDisruptionBudget; it serves PodDisruptionBudget as policy/v1",
    ]


@needs_schemas
def test_validate_skipped_kinds_alone_exit_0(capsysbinary, monkeypatch):
    gateway = b"apiVersion: networking.istio.io/v1alpha3\nkind: Gateway\nmetadata: {name: g}\n"
    code, out, _ = run(capsysbinary, "validate", "--kubernetes-version", "v1.25.3", stdin=gateway, monkeypatch=monkeypatch)
    assert code == 0
    assert out.decode() == (
        "<stdin>:1: skipped: Gateway g: /: networking.istio.io/v1alpha3 Gateway is not built in: its CustomResourceDefinition defines it\n"
    )


@needs_schemas
def test_validate_clean_input_prints_nothing(capsysbinary):
    assert run(capsysbinary, "validate", "--kubernetes-version", "1.25", CLEAN) == (0, b"", "")


@needs_schemas
def test_validate_strict_refuses_undeclared_fields(capsysbinary, tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text("apiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec:\n  colour: red\n  ports: [{port: 80}]\n")
    assert run(capsysbinary, "validate", "--kubernetes-version", "1.25", path)[:2] == (0, b"")
    code, out, _ = run(capsysbinary, "validate", "--kubernetes-version", "1.25", "--strict", path)
    assert (code, out.decode()) == (1, f"{path}:6: error: Service s: /spec/colour: unknown field 'colour'\n")


@needs_schemas
def test_validate_names_the_releases_it_has(capsysbinary):
    import kubernetes_validate

    from istio_patch._validate import available_versions

    code, out, err = run(capsysbinary, "validate", "--kubernetes-version", "1.9", "missing.yaml")  # refused before reading
    assert (code, out) == (2, b"")
    assert err == (
        f"istio-patch: error: validate: kubernetes-validate {kubernetes_validate.__version__} has no schemas for "
        f"Kubernetes 1.9; it has {', '.join(available_versions())}\n"
    )


def test_validate_refuses_an_unreadable_version_before_reading(capsysbinary):
    code, out, err = run(capsysbinary, "validate", "--kubernetes-version", "latest", "missing.yaml")
    assert (code, out, err) == (2, b"", "istio-patch: error: validate: cannot read the Kubernetes version 'latest': write it as 1.25\n")


def test_validate_without_the_extra_says_how_to_install_it():
    code = (
        "import sys; sys.modules['kubernetes_validate'] = None; from istio_patch.cli import main; "
        f"sys.exit(main(['validate', '--kubernetes-version', '1.25', {str(CLEAN)!r}]))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        "istio-patch: error: validate: the kubernetes-validate package is not installed; "
        "install it with: pip install 'kubernetes-validate>=1.28' (in istio-patch's environment; the extra 'validate' of its source)\n"
    )


def test_apply_modernize_flag(capsysbinary):
    code, out, err = run(capsysbinary, "apply", "--modernize", "1.25", OLD_APIS)
    assert (code, err) == (0, "")
    assert out == OLD_APIS.read_bytes().replace(b"apiVersion: policy/v1beta1\n", b"apiVersion: policy/v1\n")
    assert run(capsysbinary, "apply", "--modernize", "1.24", OLD_APIS)[:2] == (0, OLD_APIS.read_bytes())  # still served


def test_plan_modernize_flag(capsysbinary):
    code, out, _ = run(capsysbinary, "plan", "--modernize", "1.25", OLD_APIS)
    assert code == 0
    assert [(p["line"], p["kind"], p["transforms"], p["operations"]) for p in json.loads(out)] == [
        (27, "PodDisruptionBudget", ["modernize"], [{"op": "replace", "path": "/apiVersion", "value": "policy/v1"}]),
    ]


def test_modernize_flag_refuses_an_unreadable_version_before_reading(capsysbinary):
    code, out, err = run(capsysbinary, "apply", "--modernize", "1.3x", "missing.yaml")
    assert (code, out) == (2, b"")
    assert err == "istio-patch: error: --modernize 1.3x: modernize: kubernetes_version: cannot read the Kubernetes version '1.3x': write it as 1.25\n"


@needs_schemas
@pytest.mark.parametrize(("demo", "presets"), [("istio-1.2.3/istio-demo.yaml", ()), ("istio-1.0.0/istio-demo.yaml", ("bare-metal",))])
def test_modernized_demo_validates_clean_for_every_built_in_kind(capsysbinary, tmp_path, demo, presets):
    source = corpus_file(demo)
    argv = [a for name in presets for a in ("--preset", name)]
    assert run(capsysbinary, "validate", "--kubernetes-version", "1.25", source)[0] == 1  # as shipped: removed APIs
    result = tmp_path / "modernized.yaml"
    assert run(capsysbinary, "apply", *argv, "--modernize", "1.25", "-o", result, source)[0] == 0
    code, out, _ = run(capsysbinary, "validate", "--kubernetes-version", "1.25", result)
    lines = out.decode().splitlines()
    assert code == 0
    assert lines and all(": skipped: " in line for line in lines)  # Istio's own kinds: only their CRDs know them


def test_label_namespace_add_missing_flag(capsysbinary, monkeypatch):
    service = b"apiVersion: v1\nkind: Service\nmetadata: {name: a}\n"
    code, out, _ = run(capsysbinary, "apply", "--label-namespace", "default", "--label", "istio-injection=enabled", "--add-missing",
                       stdin=service, monkeypatch=monkeypatch)
    assert code == 0
    assert out.startswith(service + b"---\n") and b"name: default" in out and b"istio-injection: enabled" in out


# --------------------------------------------------------------------------------------------------------
# the quick syntax check of apply and plan (issue 6)
# --------------------------------------------------------------------------------------------------------

# Inputs whose errors only composing or the Kubernetes view find, and their look-alikes that are fine.
SYNTAX_CASES = {
    "collection key": "kind: A\n[a, b]: 1\n",
    "explicit collection key": "kind: A\n? - a\n: 1\n",
    "collection key in flow": "{[a]: 1}\n",
    "bad !!int": "kind: A\nx: !!int abc\n",
    "good !!int": "kind: A\nx: !!int '12'\n",
    "bad !!bool after a good document": "kind: A\n---\nx: !!bool maybe\n---\nkind: [\n",
    "custom tag": "x: !foo bar\n",
    "merge key of a scalar": "kind: A\n<<: foo\n",
    "merge key of a mapping": "kind: A\n<<: {a: 1}\n",
    "duplicate anchor": "kind: A\na: &x 1\nb: &x 2\nc: *x\n",
    "undefined alias": "kind: A\na: *nope\n",
    "recursive alias": "a: &x [*x]\n",
    "201 levels": "a: " + "[" * 200 + "]" * 200 + "\n",
    "199 levels": "a: " + "[" * 198 + "]" * 198 + "\n",
    "alias bomb": "a: &a [1,1,1,1,1,1,1,1,1,1]\n"
    + "".join(f"{n}: &{n} [{', '.join(['*' + p] * 10)}]\n" for p, n in zip("abcde", "bcdef"))
    + "g: [" + ", ".join(["*f"] * 10) + "]\n",
    "syntax error in document 2": "kind: A\n---\nkind: [\n",
    "tab": "kind: A\n\tb: 1\n",
    "control character": "kind: A\nx: \x07\n",
    "null key": "~: 1\n",
    "comments and empty documents": "---\nkind: A\n---\n# c\n---\n...\nkind: B\n",
    "201 block levels by indentation": "".join(" " * i + "a:\n" for i in range(201)) + " " * 201 + "b: 1\n",
    "201 levels of inline dashes": "- " * 201 + "a\n",
    "deep indentation with dashes": "".join(" " * i + "a:\n" for i in range(119)) + " " * 119 + "- " * 19 + "- b\n",
}


def _verdict(check, text: str) -> str:
    from istio_patch import IstioPatchError

    try:
        check(load(text, source="f.yaml"))
    except IstioPatchError as exc:
        return str(exc)
    return "ok"


def _bad_inputs() -> dict[str, str]:
    folder = ROOT / "tests" / "bad_input"
    found = {}
    for path in sorted(folder.glob("*.yaml")):
        try:
            found[path.name] = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            continue  # refused before any parsing
    return found


@pytest.mark.parametrize("text", [*SYNTAX_CASES.values(), *_bad_inputs().values()], ids=[*SYNTAX_CASES, *_bad_inputs()])
def test_quick_syntax_check_raises_what_check_syntax_raises(text):
    from istio_patch import check_syntax
    from istio_patch._syntax import check_syntax_quickly as _check_syntax_quickly

    assert _verdict(_check_syntax_quickly, text) == _verdict(check_syntax, text)


@pytest.mark.parametrize("relative", ["istio-1.2.3/istio-demo.yaml", "istio-1.0.0/istio-demo.yaml", "istio-1.0.0/crds.yaml",
                                      "kubeadm-1.15/kube-apiserver.yaml"])
def test_quick_syntax_check_accepts_the_corpus(relative):
    from istio_patch._syntax import check_syntax_quickly as _check_syntax_quickly

    assert _verdict(_check_syntax_quickly, corpus_file(relative).read_text(encoding="utf-8")) == "ok"


def test_apply_builds_only_the_documents_it_reads(capsysbinary, tmp_path, monkeypatch):
    import istio_patch._manifest as manifest_module

    composed = []
    compose = manifest_module.compose
    monkeypatch.setattr(manifest_module, "compose", lambda text, **kw: composed.append(kw["document"]) or compose(text, **kw))
    path = tmp_path / "three.yaml"
    path.write_bytes(b"# head\n---\nkind: A\n---\nkind: B\nx: [1, 2]\n---\nkind: C\n")
    assert run(capsysbinary, "apply", path)[:2] == (0, path.read_bytes())
    assert composed == []  # no transform: no document needs building
    composed.clear()
    assert run(capsysbinary, "summary", path)[0] == 0
    assert composed == [1, 2, 3, 4]


def test_main_gives_the_callers_gc_thresholds_back(capsysbinary):
    import gc

    before = gc.get_threshold()
    run(capsysbinary, "apply", CLEAN)
    assert gc.get_threshold() == before


def test_presets_with_allow_no_match_pass_a_file_without_their_targets_through(capsysbinary, tmp_path):
    path = tmp_path / "other.yaml"
    path.write_bytes(b"# not Istio\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: 'b'}\n")
    code, out, err = run(capsysbinary, "apply", "--preset", "bare-metal", "--preset", "small-nodes", "--allow-no-match", str(path))
    assert (code, out) == (0, path.read_bytes())
    code, out, err = run(capsysbinary, "apply", "--preset", "bare-metal", str(path))
    assert code == 2 and out == b""
    assert err.startswith("istio-patch: error: ")
    assert "no object matches Service/istio-ingressgateway in namespace istio-system" in err


def test_check_forbidden_registry_points_inside_template_strings(capsysbinary):
    code, out, _ = run(capsysbinary, "check", "--forbid-registry", "gcr.io", EXAMPLE)
    assert code == 1
    lines = out.decode().splitlines()
    template = [line for line in lines if ":36:" in line]
    assert template == [f"{EXAMPLE}:36:9: [forbidden-registry] the image gcr.io/istio-release/proxyv2:1.0.0 comes from the forbidden registry gcr.io"]


def test_check_lists_its_rules_and_runs_the_ones_asked_for(capsysbinary):
    code, out, _ = run(capsysbinary, "check", "--list-rules")
    assert code == 0
    lines = out.decode().splitlines()
    assert [line.split()[0] for line in lines] == sorted(line.split()[0] for line in lines)
    assert "daemonset-replicas   error    a DaemonSet with replicas, which it does not have" in lines
    code, out, _ = run(capsysbinary, "check", "--bare-metal", "--rule", "hpa-target", PITFALLS)
    assert code == 1 and {line.split(" ", 2)[1] for line in out.decode().splitlines()} == {"[hpa-target]"}
    code, _, err = run(capsysbinary, "check", "--rule", "nope", PITFALLS)
    assert code == 2 and err.startswith("istio-patch: error: check: no rule 'nope' (the rules are: daemonset-replicas,")


def test_check_formats_for_machines(capsysbinary):
    from sarif_pydantic import Sarif

    code, out, _ = run(capsysbinary, "check", "--format", "sarif", "--bare-metal", PITFALLS)
    assert code == 1 and len(Sarif.model_validate_json(out).runs[0].results) == 7
    code, out, _ = run(capsysbinary, "check", "--format", "github", "--bare-metal", PITFALLS)
    assert code == 1 and out.decode().startswith(f"::error file={PITFALLS},line=7,col=3,title=load-balancer::Service demo/edge")
    code, out, _ = run(capsysbinary, "check", "--format", "json", CLEAN)
    assert (code, json.loads(out)) == (0, [])


def test_check_never_prints_terminal_controls_from_the_input(capsysbinary, tmp_path):
    path = tmp_path / "evil.yaml"
    path.write_text('kind: DaemonSet\nmetadata: {name: "gw\\e[31m\\u009b2J"}\nspec: {replicas: 1}\n', encoding="utf-8")
    code, out, _ = run(capsysbinary, "check", path)
    assert code == 1 and "\x1b" not in out.decode() and "\x9b" not in out.decode() and "gw\ufffd[31m\ufffd2J" in out.decode()


# --------------------------------------------------------------------------------------------------------
# where -o writes: special files are written through, never replaced (see also tests/cli/test_output.py)
# --------------------------------------------------------------------------------------------------------


def test_output_to_a_fifo_writes_through_it(capsysbinary, tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    spare = tmp_path / "spare"  # a second name of the FIFO: frees the reader should the FIFO be replaced
    os.link(fifo, spare)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    try:
        code, out, err = run(capsysbinary, "apply", CRLF, "-o", fifo)
    finally:
        if reader.is_alive():
            try:
                os.close(os.open(spare, os.O_WRONLY | os.O_NONBLOCK))
            except OSError:
                pass
        reader.join(10)
    assert (code, out, err) == (0, b"", "")
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert received == [CRLF.read_bytes()]


def test_output_to_a_character_device_writes_through_it(capsysbinary, tmp_path):
    null = tmp_path / "fakenull"
    try:
        os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))
        os.close(os.open(null, os.O_WRONLY))
    except OSError as exc:
        pytest.skip(f"a device node cannot be made or opened here (root or CAP_MKNOD, no nodev mount): {exc}")
    assert run(capsysbinary, "apply", CRLF, "-o", null) == (0, b"", "")
    assert stat.S_ISCHR(null.lstat().st_mode)
    assert leftovers(tmp_path) == []


def test_output_to_dev_stdout_through_a_pipe():
    done = script("apply", CRLF, "-o", "/dev/stdout")
    assert (done.returncode, done.stdout, done.stderr) == (0, CRLF.read_bytes(), b"")


def test_output_to_dev_stdout_appends_where_the_shell_appends(tmp_path):
    log = tmp_path / "log"
    log.write_bytes(b"before\n")
    with open(log, "ab") as handle:  # `istio-patch apply -o /dev/stdout x.yaml >> log`
        done = subprocess.run([sys.executable, "-m", "istio_patch", "apply", str(CRLF), "-o", "/dev/stdout"],
                              stdout=handle, stderr=subprocess.PIPE, timeout=60)
    assert (done.returncode, done.stderr) == (0, b"")
    assert log.read_bytes() == b"before\n" + CRLF.read_bytes()


def test_output_dash_is_stdout(capsysbinary, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run(capsysbinary, "apply", CRLF, "-o", "-") == (0, CRLF.read_bytes(), "")
    assert list(tmp_path.iterdir()) == []


def test_output_needs_a_name(capsysbinary):
    code, out, err = run(capsysbinary, "apply", CRLF, "-o", "")
    assert (code, out) == (2, b"")
    assert err.splitlines()[0] == "istio-patch apply: -o needs a file name ('-' for stdout)"


def test_output_to_a_directory_is_refused_plainly(capsysbinary, tmp_path):
    code, out, err = run(capsysbinary, "apply", CRLF, "-o", tmp_path)
    assert (code, out, err) == (2, b"", f"istio-patch: error: {tmp_path}: is a directory; name a file to write\n")
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------------------------------------
# stdout, stdin and stderr that fail: a clear error and a non-zero exit, never a silent truncation
# --------------------------------------------------------------------------------------------------------


def cli_process(*argv, closing: tuple[int, ...] = (), limit: int | None = None, **kwargs) -> subprocess.CompletedProcess[bytes]:
    """``python -m istio_patch ARGV`` with the given standard descriptors closed, or a file size limit (a
    write past it is partial, then fails with EFBIG, as on a full disk)."""

    def prepare() -> None:
        for number in closing:
            os.close(number)
        if limit is not None:
            import resource
            import signal

            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # fail the write instead of killing the process
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    kwargs.setdefault("stderr", subprocess.PIPE)
    return subprocess.run([sys.executable, "-m", "istio_patch", *map(str, argv)], preexec_fn=prepare, timeout=60, **kwargs)


def test_a_partial_write_to_stdout_fails_the_run(tmp_path):
    out = tmp_path / "out.yaml"
    with open(out, "wb") as handle:
        done = cli_process("apply", EXAMPLE, stdout=handle, limit=4096)
    assert done.returncode == 2
    assert done.stderr == b"istio-patch: error: <stdout>: File too large; the output is incomplete\n"
    assert out.stat().st_size == 4096


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_a_full_stdout_is_a_clear_error():
    with open("/dev/full", "wb") as full:
        done = cli_process("apply", CRLF, stdout=full)
    assert (done.returncode, done.stderr) == (2, b"istio-patch: error: <stdout>: No space left on device; nothing was written\n")


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_help_onto_a_full_stdout_is_a_clear_error():
    with open("/dev/full", "wb") as full:
        done = cli_process("apply", "--help", stdout=full)
    assert (done.returncode, done.stderr) == (2, b"istio-patch: error: <stdout>: No space left on device; nothing was written\n")


def test_a_closed_pipe_exits_141_with_one_line(tmp_path):
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader has already gone, as `| head -c 0` does
    try:
        done = cli_process("apply", CRLF, stdout=write_end)
    finally:
        os.close(write_end)
    assert (done.returncode, done.stderr) == (141, b"istio-patch: error: <stdout>: Broken pipe; nothing was written\n")


def test_a_reader_that_leaves_early_exits_141(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_bytes(CRLF.read_bytes() * 5000)  # more than a pipe holds
    child = subprocess.Popen([sys.executable, "-m", "istio_patch", "apply", str(big)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert child.stdout.read(10)  # `| head -c 10`
    child.stdout.close()
    stderr = child.stderr.read()
    assert (child.wait(60), stderr) == (141, b"istio-patch: error: <stdout>: Broken pipe; the output is incomplete\n")


def test_a_closed_stdout_is_a_clear_error():
    done = cli_process("apply", CRLF, closing=(1,))
    assert (done.returncode, done.stderr) == (2, b"istio-patch: error: <stdout>: is closed; nothing was written\n")


def test_a_closed_stdin_is_a_clear_error():
    done = cli_process("apply", closing=(0,), stdout=subprocess.PIPE)
    assert (done.returncode, done.stdout, done.stderr) == (2, b"", b"istio-patch: error: <stdin>: is closed; name the files to read\n")


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_a_closed_stderr_still_fails_the_run():
    with open("/dev/full", "wb") as full:
        done = cli_process("apply", CRLF, closing=(2,), stdout=full, stderr=None)
    assert done.returncode == 2


# --------------------------------------------------------------------------------------------------------
# --backup: the backup exists before the original is replaced; any failure leaves every file as it was
# --------------------------------------------------------------------------------------------------------


def test_backup_onto_a_directory_is_refused_before_anything_is_written(capsysbinary, workdir, stand_in):
    target = workdir / TWO.name
    (workdir / (TWO.name + ".ori")).mkdir()
    code, out, err = run(capsysbinary, "apply", "--preset", "bare-metal", "-i", "--backup", ".ori", target)
    assert (code, out) == (2, b"")
    assert err.endswith(f"\nistio-patch: error: {target}.ori: is a directory, so the backup of {target} cannot be kept there; no file was changed\n")
    assert target.read_bytes() == TWO.read_bytes()
    assert leftovers(workdir) == []


def test_backup_suffix_with_a_slash_is_a_usage_error(capsysbinary, workdir, stand_in):
    target = workdir / TWO.name
    code, out, err = run(capsysbinary, "apply", "--preset", "bare-metal", "-i", "--backup", "/x", target)
    assert (code, out) == (2, b"")
    assert err.splitlines()[0] == "istio-patch apply: --backup takes a suffix without '/', e.g. .ori (the backup stays beside its file)"
    assert target.read_bytes() == TWO.read_bytes()
    assert leftovers(workdir) == []


def test_backup_that_is_also_edited_is_refused(capsysbinary, workdir, stand_in):
    target, other = workdir / TWO.name, workdir / (TWO.name + ".ori")
    shutil.copy(TWO, other)
    code, _, err = run(capsysbinary, "apply", "--preset", "bare-metal", "-i", "--backup", ".ori", target, other)
    assert code == 2
    assert err.endswith(f"\nistio-patch: error: {other}: is both written and the backup of {target}; no file was changed\n")
    assert target.read_bytes() == TWO.read_bytes() and other.read_bytes() == TWO.read_bytes()
    assert leftovers(workdir) == []


def test_backup_exists_before_the_original_is_replaced(capsysbinary, workdir, monkeypatch, stand_in):
    target = workdir / TWO.name
    backup = workdir / (TWO.name + ".ori")
    real_replace = os.replace
    seen = []

    def watching(src, dst):
        if os.fspath(dst) == str(target):
            seen.append(backup.read_bytes() if backup.exists() else None)
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", watching)
    assert run(capsysbinary, "apply", "--preset", "bare-metal", "-i", "--backup", ".ori", target)[0] == 0
    assert seen == [TWO.read_bytes()]
    assert backup.read_bytes() == TWO.read_bytes() and target.read_bytes() == nodeport_text(TWO)
    assert leftovers(workdir) == []


def test_a_failure_after_the_backups_puts_back_files_and_old_backups(capsysbinary, workdir, monkeypatch, stand_in):
    first, second = workdir / TWO.name, workdir / CRLF.name
    old_backup = workdir / (TWO.name + ".ori")
    old_backup.write_bytes(b"an older backup\n")
    real_replace = os.replace

    def failing(src, dst):
        if os.fspath(dst) == str(second):
            raise PermissionError(13, "Permission denied", str(dst))
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", failing)
    code, _, err = run(capsysbinary, "apply", "--preset", "bare-metal", "-i", "--backup", ".ori", first, second)
    assert code == 2
    assert err.endswith(f"\nistio-patch: error: {second}: Permission denied; no file was changed\n")
    assert first.read_bytes() == TWO.read_bytes() and second.read_bytes() == CRLF.read_bytes()
    assert old_backup.read_bytes() == b"an older backup\n"
    assert not (workdir / (CRLF.name + ".ori")).exists()
    assert leftovers(workdir) == []


def test_a_backup_that_cannot_be_made_changes_nothing(capsysbinary, workdir, monkeypatch, stand_in):
    target = workdir / TWO.name
    real_replace = os.replace

    def failing(src, dst):
        if os.fspath(dst).endswith(".ori"):
            raise PermissionError(13, "Permission denied", str(dst))
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", failing)
    code, _, err = run(capsysbinary, "apply", "--preset", "bare-metal", "-i", "--backup", ".ori", target)
    assert code == 2
    assert err.endswith(f"\nistio-patch: error: {target}.ori: Permission denied; no file was changed\n")
    assert target.read_bytes() == TWO.read_bytes()
    assert sorted(p.name for p in workdir.iterdir()) == sorted([TWO.name, CLEAN.name, CRLF.name])


# --------------------------------------------------------------------------------------------------------
# -i keeps owner and group, and writes a file named twice once
# --------------------------------------------------------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="giving a file to another owner needs root")
def test_in_place_keeps_owner_group_and_mode(capsysbinary, workdir, stand_in):
    target = workdir / TWO.name
    os.chown(target, 12345, 23456)
    target.chmod(0o640)
    assert run(capsysbinary, "apply", "--preset", "bare-metal", "-i", "--backup", ".ori", target)[0] == 0
    assert target.read_bytes() == nodeport_text(TWO)
    info = target.stat()
    assert (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (12345, 23456, 0o640)


@pytest.mark.parametrize("spelling", ["same", "dot-slash", "symlink"])
def test_in_place_writes_a_file_named_twice_once(capsysbinary, workdir, monkeypatch, stand_in, spelling):
    monkeypatch.chdir(workdir)
    (workdir / "link.yaml").symlink_to(TWO.name)
    other = {"same": TWO.name, "dot-slash": f"./{TWO.name}", "symlink": "link.yaml"}[spelling]
    code, out, _ = run(capsysbinary, "apply", "--preset", "bare-metal", "-i", "--backup", ".ori", TWO.name, other)
    assert (code, out) == (0, b"")
    assert (workdir / TWO.name).read_bytes() == nodeport_text(TWO)
    assert (workdir / (TWO.name + ".ori")).read_bytes() == TWO.read_bytes()
    assert leftovers(workdir) == []


# --------------------------------------------------------------------------------------------------------
# --check never writes; errors name the user's files, never a temporary file
# --------------------------------------------------------------------------------------------------------


def test_check_in_place_writes_nothing(capsysbinary, workdir, stand_in):
    target = workdir / TWO.name
    code, out, err = run(capsysbinary, "apply", "--preset", "bare-metal", "--check", "-i", "--backup", ".ori", target)
    assert (code, out) == (1, b"")
    assert err.endswith(f"istio-patch: {target}: would change\n")
    assert target.read_bytes() == TWO.read_bytes()
    assert sorted(p.name for p in workdir.iterdir()) == sorted([TWO.name, CLEAN.name, CRLF.name])
    assert run(capsysbinary, "apply", "--preset", "bare-metal", "--check", "-i", workdir / CLEAN.name)[:2] == (0, b"")


@pytest.mark.parametrize("where", ["out.yaml", "-"])
def test_check_with_an_output_writes_nothing(capsysbinary, tmp_path, monkeypatch, stand_in, where):
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsysbinary, "apply", "--preset", "bare-metal", "--check", "-o", where, TWO)
    assert (code, out) == (1, b"")
    assert err.endswith(f"istio-patch: {TWO}: would change\n")
    assert list(tmp_path.iterdir()) == []


def test_output_into_a_missing_folder_names_the_output(capsysbinary, tmp_path):
    target = tmp_path / "missing" / "out.yaml"
    code, out, err = run(capsysbinary, "apply", CRLF, "-o", target)
    assert (code, out, err) == (2, b"", f"istio-patch: error: {target}: No such file or directory; no file was changed\n")
    assert list(tmp_path.iterdir()) == []


def test_a_failed_temporary_file_is_reported_as_its_target(tmp_path):
    target = tmp_path / "out.yaml"
    done = cli_process("apply", EXAMPLE, "-o", target, limit=1000, stdout=subprocess.PIPE)
    assert (done.returncode, done.stdout) == (2, b"")
    assert done.stderr == f"istio-patch: error: {target}: File too large; no file was changed\n".encode()
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------------------------------------
# inputs that are not regular files
# --------------------------------------------------------------------------------------------------------


def test_a_fifo_can_be_read(capsysbinary, tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    writer = threading.Thread(target=lambda: fifo.write_bytes(CRLF.read_bytes()), daemon=True)
    writer.start()
    assert run(capsysbinary, "apply", fifo) == (0, CRLF.read_bytes(), "")
    writer.join(10)


def test_dev_stdin_reads_stdin(capsysbinary, monkeypatch):
    code, out, err = run(capsysbinary, "apply", "/dev/stdin", stdin=CRLF.read_bytes(), monkeypatch=monkeypatch)
    assert (code, out, err) == (0, CRLF.read_bytes(), "")


def test_dev_stdin_reads_a_socket():
    import socket

    ours, theirs = socket.socketpair()
    with ours, theirs:
        ours.sendall(CRLF.read_bytes())
        ours.shutdown(socket.SHUT_WR)
        done = subprocess.run([sys.executable, "-m", "istio_patch", "apply", "/dev/stdin"], stdin=theirs, capture_output=True, timeout=60)
    assert (done.returncode, done.stdout, done.stderr) == (0, CRLF.read_bytes(), b"")


def test_stdin_under_two_names_is_read_once(capsysbinary):
    code, out, err = run(capsysbinary, "apply", "-", "/dev/stdin")
    assert (code, out) == (2, b"")
    assert err.splitlines()[0] == "istio-patch: stdin ('-') can be read only once"


def test_in_place_refuses_stdin_by_any_name(capsysbinary):
    code, out, err = run(capsysbinary, "apply", "-i", "/dev/stdin")
    assert (code, out) == (2, b"")
    assert err.splitlines()[0] == "istio-patch apply: -i/--in-place needs files (stdin cannot be edited in place)"


def test_in_place_refuses_a_device(capsysbinary):
    code, out, err = run(capsysbinary, "apply", "-i", "/dev/null")
    assert (code, out) == (2, b"")
    assert err == "istio-patch: error: /dev/null: is a character device, not a regular file: -i cannot edit it in place; no file was changed\n"


def test_in_place_refuses_a_fifo_before_writing_anything(workdir):
    fifo = workdir / "fifo.yaml"
    os.mkfifo(fifo)
    # the FIFO has no writer: reading it would wait forever, hence the time limit
    done = subprocess.run([sys.executable, "-m", "istio_patch", "apply", "--mirror", "docker.io=mirror.example", "-i", str(workdir / TWO.name), str(fifo)],
                          capture_output=True, timeout=20)
    assert (done.returncode, done.stdout) == (2, b"")
    assert done.stderr == f"istio-patch: error: {fifo}: is a FIFO, not a regular file: -i cannot edit it in place; no file was changed\n".encode()
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert (workdir / TWO.name).read_bytes() == TWO.read_bytes()
    assert leftovers(workdir) == []


def test_in_place_refuses_a_directory(capsysbinary, tmp_path):
    code, out, err = run(capsysbinary, "apply", "-i", tmp_path)
    assert (code, out, err) == (2, b"", f"istio-patch: error: {tmp_path}: is a directory; name the manifest files in it\n")


def test_plan_kustomize_out_must_be_a_folder(capsysbinary, tmp_path, stand_in):
    taken = tmp_path / "taken"
    taken.write_bytes(b"x\n")
    code, out, err = run(capsysbinary, "plan", "--preset", "bare-metal", "--format", "kustomize", "--out", taken, TWO)
    assert (code, out) == (2, b"")
    assert err.endswith(f"\nistio-patch: error: {taken}: exists and is not a folder; nothing was written\n")
    code, _, err = run(capsysbinary, "plan", "--preset", "bare-metal", "--format", "kustomize", "--out", taken / "overlay", TWO)
    assert code == 2
    assert err.endswith(f"\nistio-patch: error: {taken / 'overlay'}: Not a directory; nothing was written\n")
    assert taken.read_bytes() == b"x\n"


def test_post_renderer_script_finds_istio_patch_without_an_activated_environment(tmp_path):
    # right after the Quick start nothing is on PATH but the system's tools: the script uses the project's .venv,
    # or ISTIO_PATCH, or says what is missing
    script_path = ROOT / "examples" / "post-render.sh"
    bare = {"PATH": "/usr/bin:/bin"}
    venv = ROOT / ".venv" / "bin" / "istio-patch"
    if venv.exists():
        done = subprocess.run([str(script_path)], input=EXAMPLE.read_bytes(), capture_output=True, timeout=60, env=bare)
        assert done.returncode == 0 and b"type: NodePort" in done.stdout
    chosen = dict(bare, ISTIO_PATCH=str(Path(sys.executable).parent / "istio-patch"))
    if Path(chosen["ISTIO_PATCH"]).exists():
        done = subprocess.run([str(script_path)], input=EXAMPLE.read_bytes(), capture_output=True, timeout=60, env=chosen)
        assert done.returncode == 0 and b"type: NodePort" in done.stdout
    copy = tmp_path / "post-render.sh"
    copy.write_bytes(script_path.read_bytes())
    copy.chmod(0o755)
    missing = subprocess.run([str(copy)], input=b"", capture_output=True, timeout=60, env=bare)
    assert (missing.returncode, missing.stdout) == (127, b"")
    assert missing.stderr == b"post-render.sh: istio-patch is not installed here: install it, or set ISTIO_PATCH to its path\n"


def test_summary_and_check_without_a_registry_rule_load_no_transform():
    code = (
        "import sys; from istio_patch.cli import main; "
        f"codes = [main(['summary', {str(EXAMPLE)!r}]), main(['check', '--bare-metal', {str(EXAMPLE)!r}])]; sys.stdout.flush(); "
        "print(codes, sorted(m for m in sys.modules if m.startswith('istio_patch.transforms')), file=sys.stderr)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stderr.strip().splitlines()[-1] == "[0, 1] []"
