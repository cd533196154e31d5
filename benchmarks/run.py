"""Benchmarks for issue 6: istio-patch against kustomize, ruamel.yaml and libyaml, as ratios.

Run from the repository root with the project's interpreter:

    .venv/bin/python benchmarks/run.py            # the four rows of issue 6, median of 5 alternating runs
    .venv/bin/python benchmarks/run.py --quick    # 3 runs a side: a quick look, not a verdict
    .venv/bin/python benchmarks/run.py --big      # adds the ~100 MB row (about 1.5 minutes, ~2 GB of memory)

Each row runs the two sides alternately (A B, B A, A B, ...) after one untimed warm-up of each, and compares
medians, so that a busy neighbour on the machine slows both sides alike. Peak memory is the maximum resident
set size of each child process, read with GNU time (``/usr/bin/time -f %M``) when present, else ``os.wait4``.

Exit status: 0 when every measured target is met, 1 when a target is missed, 2 when a row could not be
measured because istio-patch failed (for example while a transform is still being written). Rows whose
baseline is absent (no kubectl, no corpus) are reported as skipped and do not fail the run.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "istio-1.2.3" / "istio-demo.yaml"
PRESETS = ["bare-metal", "cn-mirror", "small-nodes"]  # --presets replaces this list
PYCACHE = Path(tempfile.gettempdir()) / "istio-patch-bench-pycache"
TIMEOUT = 600.0  # seconds for any one child; a hung child fails its row instead of the whole run

# The ruamel.yaml baseline: a plain round trip, no edit (duplicate keys allowed, as Kubernetes allows them).
RUAMEL_ROUND_TRIP = """\
import sys
from ruamel.yaml import YAML
yaml = YAML()
yaml.allow_duplicate_keys = True
with open(sys.argv[1], encoding="utf-8") as handle:
    documents = list(yaml.load_all(handle))
yaml.dump_all(documents, sys.stdout)
"""

# kustomize's comparable edits: the Service type, the Deployment's replicas, one image.
KUSTOMIZATION = """\
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
- {resource}
patches:
- target: {{kind: Service, namespace: istio-system, name: istio-ingressgateway}}
  patch: |-
    - op: replace
      path: /spec/type
      value: NodePort
- target: {{kind: Deployment, namespace: istio-system, name: istio-ingressgateway}}
  patch: |-
    - op: remove
      path: /spec/replicas
images:
- name: docker.io/istio/pilot
  newName: registry.cn-shanghai.aliyuncs.com/istio/pilot
"""


class Unavailable(Exception):
    """A side of a row cannot be run (yet); the message says why."""


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_mb: float


@dataclass(frozen=True)
class Row:
    """One line of the table: ``ours`` and ``theirs`` are medians (seconds or MB); ``ratio`` is ours/theirs."""

    number: str
    what: str
    ours: str
    theirs: str
    value: float | None
    target: str
    verdict: str  # "ok", "MISSED", "skipped: ...", "not available yet: ..."


CHILD_ENV: dict[str, str] | None = None  # None: the caller's environment (--as-is)


def installed_like_env() -> dict[str, str]:
    """The caller's environment with bytecode caching on, as an installed package has it.

    A session that sets PYTHONDONTWRITEBYTECODE=1 would otherwise recompile every module of the project on
    every run (about 80 ms here). The cache goes to a temporary directory, not into the source tree.
    """
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    return env


TIME_BIN = shutil.which("time", path="/usr/bin:/bin")  # GNU time, for per-child peak memory


def run_child(argv: list[str], cwd: Path | None = None) -> Run:
    """Run ``argv`` with stdout discarded; its wall time and peak RSS. Raises Unavailable on failure.

    Peak memory comes from GNU time when present. ``os.wait4`` alone is not enough: a child is forked from
    this process, and the kernel counts the resident pages it shared with us before ``exec`` into its
    ``ru_maxrss``, so every child would weigh at least as much as the benchmark itself.
    """
    with tempfile.TemporaryFile() as errors, tempfile.NamedTemporaryFile("r", suffix=".rss") as rss:
        command = [TIME_BIN, "-f", "%M", "-o", rss.name, *argv] if TIME_BIN else argv
        start = time.perf_counter()
        proc = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=errors, cwd=cwd, env=CHILD_ENV
        )
        killer = threading.Timer(TIMEOUT, proc.kill)
        killer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            killer.cancel()
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            errors.seek(0)
            lines = errors.read().decode("utf-8", "replace").strip().splitlines()
            raise Unavailable(f"exit {proc.returncode}: {lines[-1] if lines else 'no message'}")
        peak_kb = int(rss.read().split()[-1]) if TIME_BIN else usage.ru_maxrss
    return Run(seconds, peak_kb / 1024)


def alternate(a: Callable[[], Run], b: Callable[[], Run], repeats: int) -> tuple[list[Run], list[Run]]:
    """One untimed warm-up each, then ``repeats`` runs a side in the order AB, BA, AB, ..."""
    a()
    b()
    runs_a: list[Run] = []
    runs_b: list[Run] = []
    for i in range(repeats):
        if i % 2 == 0:
            runs_a.append(a())
            runs_b.append(b())
        else:
            runs_b.append(b())
            runs_a.append(a())
    return runs_a, runs_b


def median(runs: list[Run], attr: str) -> float:
    return statistics.median(getattr(r, attr) for r in runs)


def verdict(value: float, limit: float) -> str:
    return "ok" if value <= limit else "MISSED"


def istio_patch_argv(path: Path) -> list[str]:
    argv = [sys.executable, "-m", "istio_patch", "apply"]
    for name in PRESETS:
        argv += ["--preset", name]
    return argv + [str(path)]


def concatenate(source: Path, copies: int, target: Path) -> Path:
    """``copies`` copies of ``source`` as one stream (a `---` line between copies when needed)."""
    text = source.read_bytes()
    joint = b"" if text.rstrip().endswith(b"\n---") or text.rstrip() == b"---" else b"---\n"
    if not text.endswith(b"\n"):
        text += b"\n"
    with open(target, "wb") as out:
        for i in range(copies):
            out.write(text)
            if i != copies - 1:
                out.write(joint)
    return target


def fmt_s(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 10 else f"{seconds:.1f} s"


def fmt_mb(mb: float) -> str:
    return f"{mb:.0f} MB"


def unavailable(number: str, what: str, target: str, reason: str) -> Row:
    return Row(number, what, "-", "-", None, target, f"not available yet: {reason}")


def skipped(number: str, what: str, target: str, reason: str) -> Row:
    return Row(number, what, "-", "-", None, target, f"skipped: {reason}")


# --- the rows -----------------------------------------------------------------------------------------------


def row_kustomize(corpus: Path, work: Path, repeats: int) -> list[Row]:
    what_t, what_m = "process time vs `kubectl kustomize`", "peak memory vs `kubectl kustomize`"
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        reason = "kubectl is not installed"
        return [skipped("1", what_t, "<= 1.0 (aim 0.5)", reason), skipped("1m", what_m, "<= 1.0", reason)]
    overlay = work / "kustomize"
    overlay.mkdir()
    shutil.copyfile(corpus, overlay / corpus.name)
    (overlay / "kustomization.yaml").write_text(KUSTOMIZATION.format(resource=corpus.name), encoding="utf-8")
    try:
        ours, theirs = alternate(
            lambda: run_child(istio_patch_argv(corpus)),
            lambda: run_child([kubectl, "kustomize", str(overlay)]),
            repeats,
        )
    except Unavailable as exc:
        return [unavailable("1", what_t, "<= 1.0 (aim 0.5)", str(exc)), unavailable("1m", what_m, "<= 1.0", str(exc))]
    t_ours, t_theirs = median(ours, "seconds"), median(theirs, "seconds")
    m_ours, m_theirs = median(ours, "peak_mb"), median(theirs, "peak_mb")
    time_ratio, mem_ratio = t_ours / t_theirs, m_ours / m_theirs
    return [
        Row("1", what_t, fmt_s(t_ours), fmt_s(t_theirs), time_ratio, "<= 1.0 (aim 0.5)", verdict(time_ratio, 1.0)),
        Row("1m", what_m, fmt_mb(m_ours), fmt_mb(m_theirs), mem_ratio, "<= 1.0", verdict(mem_ratio, 1.0)),
    ]


def row_ruamel(corpus: Path, repeats: int) -> list[Row]:
    what, target = "process time vs ruamel.yaml round trip (no edit)", "<= 0.30"
    try:
        run_child([sys.executable, "-c", "import ruamel.yaml"])
    except Unavailable:
        return [skipped("2", what, target, f"ruamel.yaml is not importable by {sys.executable}")]
    try:
        ours, theirs = alternate(
            lambda: run_child(istio_patch_argv(corpus)),
            lambda: run_child([sys.executable, "-c", RUAMEL_ROUND_TRIP, str(corpus)]),
            repeats,
        )
    except Unavailable as exc:
        return [unavailable("2", what, target, str(exc))]
    t_ours, t_theirs = median(ours, "seconds"), median(theirs, "seconds")
    ratio = t_ours / t_theirs
    return [Row("2", what, fmt_s(t_ours), fmt_s(t_theirs), ratio, target, verdict(ratio, 0.30))]


def row_in_process(corpus: Path, repeats: int) -> list[Row]:
    what, target = f"in process: load + {len(PRESETS)} presets + render vs libyaml `load_all` (CSafeLoader)", "<= 3"
    import yaml

    if not getattr(yaml, "__with_libyaml__", False):
        return [skipped("3", what, target, "PyYAML was built without libyaml")]
    try:
        import istio_patch
        from istio_patch import transforms
    except Exception as exc:  # noqa: BLE001 - any import failure means "not there yet"
        return [unavailable("3", what, target, f"{type(exc).__name__}: {exc}")]
    text = corpus.read_text(encoding="utf-8")

    def ours() -> Run:
        start = time.perf_counter()
        try:
            steps = [step for name in PRESETS for step in transforms.preset(name)]
            transforms.apply(istio_patch.load(text, source=str(corpus)), steps).manifest.render()
        except Exception as exc:  # noqa: BLE001
            raise Unavailable(f"{type(exc).__name__}: {exc}") from None
        return Run(time.perf_counter() - start, 0.0)

    def theirs() -> Run:
        start = time.perf_counter()
        for _ in yaml.load_all(text, Loader=yaml.CSafeLoader):
            pass
        return Run(time.perf_counter() - start, 0.0)

    try:
        a, b = alternate(ours, theirs, repeats)
    except Unavailable as exc:
        return [unavailable("3", what, target, str(exc))]
    t_ours, t_theirs = median(a, "seconds"), median(b, "seconds")
    ratio = t_ours / t_theirs
    return [Row("3", what, fmt_s(t_ours), fmt_s(t_theirs), ratio, target, verdict(ratio, 3.0))]


def row_scaling(corpus: Path, work: Path, repeats: int) -> tuple[list[Row], dict[str, float]]:
    what_t, what_m = "process time, 8 copies vs 1 copy", "peak memory, 8 copies"
    eight = concatenate(corpus, 8, work / "eight.yaml")
    size_mb = eight.stat().st_size / 1e6
    try:
        big, one = alternate(lambda: run_child(istio_patch_argv(eight)), lambda: run_child(istio_patch_argv(corpus)), repeats)
    except Unavailable as exc:
        return [unavailable("4", what_t, "<= 8", str(exc)), unavailable("4m", what_m, "<= 300 MB", str(exc))], {}
    t_big, t_one = median(big, "seconds"), median(one, "seconds")
    m_big, m_one = median(big, "peak_mb"), median(one, "peak_mb")
    ratio = t_big / t_one
    facts = {"size_1": corpus.stat().st_size / 1e6, "size_8": size_mb, "mem_1": m_one, "mem_8": m_big, "time_8": t_big}
    return [
        Row("4", f"{what_t} ({size_mb:.1f} MB)", fmt_s(t_big), fmt_s(t_one), ratio, "<= 8", verdict(ratio, 8.0)),
        Row("4m", f"{what_m} (1 copy: {fmt_mb(m_one)})", fmt_mb(m_big), "-", m_big, "<= 300 MB", verdict(m_big, 300.0)),
    ], facts


def row_big(corpus: Path, work: Path, facts: dict[str, float]) -> list[Row]:
    """One run on ~100 MB: it must complete, and each extra MB of input must cost no more memory than at 4.5 MB."""
    what, target = "~100 MB: memory per extra input MB, vs the same at 8 copies", "<= 1.5"
    if not facts:
        return [unavailable("4big", what, target, "the 8-copy row did not run")]
    copies = math.ceil(100e6 / corpus.stat().st_size)
    path = concatenate(corpus, copies, work / "big.yaml")
    size = path.stat().st_size / 1e6
    try:
        run = run_child(istio_patch_argv(path))
    except Unavailable as exc:
        return [unavailable("4big", what, target, str(exc))]
    finally:
        path.unlink()
    per_mb_big = (run.peak_mb - facts["mem_1"]) / (size - facts["size_1"])
    per_mb_8 = max((facts["mem_8"] - facts["mem_1"]) / (facts["size_8"] - facts["size_1"]), 1e-9)
    ratio = per_mb_big / per_mb_8
    ours = f"{per_mb_big:.1f} MB/MB ({fmt_mb(run.peak_mb)} peak for {size:.0f} MB)"
    time_per_mb = run.seconds / size, facts["time_8"] / facts["size_8"]
    return [
        Row("4big", what, ours, f"{per_mb_8:.1f} MB/MB", ratio, target, verdict(ratio, 1.5)),
        Row(
            "4big-t",
            "~100 MB: time per input MB, vs the same at 8 copies (no target; for information)",
            f"{time_per_mb[0]:.2f} s/MB ({fmt_s(run.seconds)})",
            f"{time_per_mb[1]:.2f} s/MB",
            time_per_mb[0] / time_per_mb[1],
            "-",
            "info",
        ),
    ]


# --- reporting ----------------------------------------------------------------------------------------------


def environment() -> list[str]:
    import yaml

    lines = [
        f"Python {platform.python_version()} ({platform.python_implementation()}, {sys.executable})",
        f"{platform.platform()}, {os.cpu_count()} CPUs",
        f"PyYAML {yaml.__version__} (libyaml: {'yes' if getattr(yaml, '__with_libyaml__', False) else 'no'})",
    ]
    try:
        from importlib.metadata import version

        lines.append(f"ruamel.yaml {version('ruamel.yaml')}")
    except Exception:  # noqa: BLE001
        lines.append("ruamel.yaml: not installed")
    kubectl = shutil.which("kubectl")
    if kubectl:
        out = subprocess.run([kubectl, "version", "--client"], capture_output=True, text=True, check=False).stdout
        lines.append(", ".join(line.strip() for line in out.splitlines() if line.strip()))
    else:
        lines.append("kubectl: not installed (row 1 skipped)")
    return lines


def table(rows: list[Row]) -> str:
    out = [
        "| # | measure | istio-patch | baseline | ratio | target | result |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        value = "-" if r.value is None else (f"{r.value:.0f} MB" if r.number == "4m" else f"{r.value:.2f}")
        out.append(f"| {r.number} | {r.what} | {r.ours} | {r.theirs} | {value} | {r.target} | {r.verdict} |")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 runs a side instead of 5 (not a verdict)")
    parser.add_argument("--repeats", type=int, default=None, help="runs a side (default 5; at least 5 for a verdict)")
    parser.add_argument("--big", action="store_true", help="add the ~100 MB row")
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="the workload (default: istio-1.2.3 demo)")
    parser.add_argument(
        "--as-is", action="store_true", help="run children in this environment as it is (no bytecode cache fix)"
    )
    parser.add_argument("--presets", default=",".join(PRESETS), help="comma-separated presets (default: %(default)s)")
    args = parser.parse_args(argv)
    global CHILD_ENV
    CHILD_ENV = None if args.as_is else installed_like_env()
    PRESETS[:] = [name.strip() for name in args.presets.split(",") if name.strip()]
    repeats = args.repeats or (3 if args.quick else 5)

    if not args.corpus.is_file():
        print(f"skipped: the workload {args.corpus} is absent (it lives in ../shared/corpus/; see docs/performance.md)")
        return 0
    size = args.corpus.stat().st_size
    print(f"workload: {args.corpus} ({size / 1e3:.0f} KB), presets: {', '.join(PRESETS)}")
    print(f"medians of {repeats} alternating runs a side, after one warm-up each")
    if TIME_BIN:
        print(f"peak memory: {TIME_BIN} -f %M, per child")
    else:
        print("peak memory: os.wait4 (no GNU time): each child also counts this process's resident pages")
    if CHILD_ENV is not None:
        print(f"children run with bytecode caching on (PYTHONPYCACHEPREFIX={PYCACHE}), as an installed package")
    for line in environment():
        print(line)
    print(flush=True)

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="istio-patch-bench-") as tmp:
        work = Path(tmp)
        rows: list[Row] = []
        steps: list[Callable[[], list[Row]]] = [
            lambda: row_kustomize(args.corpus, work, repeats),
            lambda: row_ruamel(args.corpus, repeats),
        ]
        for step in steps:
            rows += step()
            print(f"  ... {rows[-1].number} done ({time.perf_counter() - started:.0f} s)", file=sys.stderr, flush=True)
        scaling, facts = row_scaling(args.corpus, work, repeats)
        big = row_big(args.corpus, work, facts) if args.big else []
        # last: it imports istio_patch into this process, which every later child would otherwise inherit
        in_process = row_in_process(args.corpus, repeats)
        rows += in_process + scaling + big

    print(table(rows))
    print(f"\ntotal benchmark time: {time.perf_counter() - started:.0f} s")
    if repeats < 5:
        print("note: fewer than 5 runs a side; re-run without --quick for a verdict")
    if any(r.verdict == "MISSED" for r in rows):
        print("result: a target was MISSED")
        return 1
    if any(r.verdict.startswith("not available") for r in rows):
        print("result: some rows could not be measured yet")
        return 2
    print("result: every measured target met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
