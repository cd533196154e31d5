"""Benchmarks for issue 6: istio-patch against kustomize, ruamel.yaml and libyaml, as ratios.

Run from the repository root with the project's interpreter:

    .venv/bin/python benchmarks/run.py            # the four rows of issue 6, median of 5 alternating runs
    .venv/bin/python benchmarks/run.py --quick    # 3 runs a side: a quick look, not a verdict
    .venv/bin/python benchmarks/run.py --big      # adds the ~100 MB row (about 1.5 minutes, ~2 GB of memory)
    .venv/bin/python benchmarks/run.py --scale    # adds rows 5-7: every command on 18 MB, 10^6 tiny documents,
                                                  # one 920 KB string of references (minutes; several GB)
    .venv/bin/python benchmarks/run.py --scale-only   # rows 5-7 alone

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
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "istio-1.2.3" / "istio-demo.yaml"
PRESETS = ["bare-metal", "cn-mirror", "small-nodes"]  # --presets replaces this list
PYCACHE = Path(tempfile.gettempdir()) / "istio-patch-bench-pycache"
TIMEOUT = 600.0  # seconds for any one child; a hung child fails its row instead of the whole run (--timeout)

# Rows 5-7 (--scale): every command's cost follows the edit, on inputs that used to expose quadratic loops.
SCALE_COPIES = 32  # 18.2 MB of the 1.2.3 demo
TINY_DOCUMENTS = 1_000_000
TINY_DOCUMENT = "---\nkind: ConfigMap\nmetadata: {{name: c{}}}\n"
QUADRATIC_REFERENCE = "gcr.io/istio-release/proxyv2:1.0.0 "
QUADRATIC_BYTES = 920_000
SCALE_LIMIT = 120.0  # seconds: far past every target of rows 5-7; a child still running then is a miss

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


class TooSlow(Unavailable):
    """A child was killed at its time limit: for a row with a time target, a measured miss."""

    def __init__(self, limit: float) -> None:
        super().__init__(f"killed after {limit:.0f} s")
        self.limit = limit


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


def run_child(argv: list[str], cwd: Path | None = None, ok: tuple[int, ...] = (0,), limit: float | None = None) -> Run:
    """Run ``argv`` with stdout discarded; its wall time and peak RSS. Raises Unavailable on failure.

    ``ok`` are the exit codes that mean success (``check`` exits 1 when it finds something). A child still
    running after ``limit`` seconds (default: --timeout) is killed, and TooSlow raised.

    Peak memory comes from GNU time when present. ``os.wait4`` alone is not enough: a child is forked from
    this process, and the kernel counts the resident pages it shared with us before ``exec`` into its
    ``ru_maxrss``, so every child would weigh at least as much as the benchmark itself.
    """
    with tempfile.TemporaryFile() as errors, tempfile.NamedTemporaryFile("r", suffix=".rss") as rss:
        command = [TIME_BIN, "-f", "%M", "-o", rss.name, *argv] if TIME_BIN else argv
        start = time.perf_counter()
        proc = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=errors, cwd=cwd, env=CHILD_ENV,
            start_new_session=True,  # its own process group: a kill reaches the child of GNU time too
        )
        limit = TIMEOUT if limit is None else limit
        killer = threading.Timer(limit, _kill_group, (proc.pid,))
        killer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            killer.cancel()
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode not in ok:
            if seconds >= limit:
                raise TooSlow(limit)
            errors.seek(0)
            lines = errors.read().decode("utf-8", "replace").strip().splitlines()
            raise Unavailable(f"exit {proc.returncode}: {lines[-1] if lines else 'no message'}")
        peak_kb = int(rss.read().split()[-1]) if TIME_BIN else usage.ru_maxrss
    return Run(seconds, peak_kb / 1024)


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def alternate(a: Callable[[], Run], b: Callable[[], Run], repeats: int, warm_up: bool = True) -> tuple[list[Run], list[Run]]:
    """One untimed warm-up each (unless not ``warm_up``), then ``repeats`` runs a side in the order AB, BA, AB, ..."""
    if warm_up:
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
        return [skipped("1", what_t, "<= 0.8 (aim 0.5)", reason), skipped("1m", what_m, "<= 1.0", reason)]
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
        return [unavailable("1", what_t, "<= 0.8 (aim 0.5)", str(exc)), unavailable("1m", what_m, "<= 1.0", str(exc))]
    t_ours, t_theirs = median(ours, "seconds"), median(theirs, "seconds")
    m_ours, m_theirs = median(ours, "peak_mb"), median(theirs, "peak_mb")
    time_ratio, mem_ratio = t_ours / t_theirs, m_ours / m_theirs
    return [
        Row("1", what_t, fmt_s(t_ours), fmt_s(t_theirs), time_ratio, "<= 0.8 (aim 0.5)", verdict(time_ratio, 0.8)),
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
    except Exception as exc:
        return [unavailable("3", what, target, f"{type(exc).__name__}: {exc}")]
    text = corpus.read_text(encoding="utf-8")

    def ours() -> Run:
        start = time.perf_counter()
        try:
            steps = [step for name in PRESETS for step in transforms.preset(name)]
            transforms.apply(istio_patch.load(text, source=str(corpus)), steps).manifest.render()
        except Exception as exc:
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


def istio_patch(*argv: str) -> list[str]:
    return [sys.executable, "-m", "istio_patch", *argv]


# (label, argv before the file, exit codes that mean success) of the commands rows 5 and 6 run
APPLY = ("`apply --preset bare-metal`", ("apply", "--preset", "bare-metal"), (0,))
COMMANDS = [
    ("`apply --preset bare-metal --diff`", ("apply", "--preset", "bare-metal", "--diff"), (0,)),
    ("`images`", ("images",), (0,)),
    ("`check`", ("check",), (0, 1)),
    ("`summary`", ("summary",), (0,)),
]


def row_scale_commands(corpus: Path, work: Path, repeats: int) -> list[Row]:
    """Row 5: on 32 copies, each command against ``apply`` on the same file, side by side; 5m: their memory."""
    path = concatenate(corpus, SCALE_COPIES, work / "scale.yaml")
    size = path.stat().st_size / 1e6
    target = "<= 1.5"
    rows: list[Row] = []
    medians: dict[str, Run] = {}
    for letter, (label, argv, ok) in zip("abcd", COMMANDS):
        what = f"{label} vs {APPLY[0]}, {SCALE_COPIES} copies ({size:.1f} MB)"
        try:
            ours, base = alternate(
                lambda argv=argv, ok=ok: run_child(istio_patch(*argv, str(path)), ok=ok, limit=SCALE_LIMIT),
                lambda: run_child(istio_patch(*APPLY[1], str(path)), limit=SCALE_LIMIT),
                repeats,
            )
        except TooSlow as exc:
            rows.append(Row(f"5{letter}", what, f"> {exc.limit:.0f} s (killed)", "-", None, target, "MISSED"))
            continue
        except Unavailable as exc:
            rows.append(unavailable(f"5{letter}", what, target, str(exc)))
            continue
        t_ours, t_base = median(ours, "seconds"), median(base, "seconds")
        medians[label] = Run(t_ours, median(ours, "peak_mb"))
        medians.setdefault(APPLY[0], Run(t_base, median(base, "peak_mb")))
        rows.append(Row(f"5{letter}", what, fmt_s(t_ours), fmt_s(t_base), t_ours / t_base, target, verdict(t_ours / t_base, 1.5)))
        print(f"  ... 5{letter} done", file=sys.stderr, flush=True)
    for label, _, _ in [APPLY, *COMMANDS]:
        run = medians.get(label)
        what = f"peak memory per input MB, {SCALE_COPIES} copies: {label}"
        if run is None:
            rows.append(unavailable("5m", what, "<= 4 MiB/MB", "its time row did not finish"))
            continue
        per_mb = run.peak_mb / size
        rows.append(Row("5m", what, f"{per_mb:.1f} MiB/MB ({fmt_mb(run.peak_mb)})", "-", per_mb, "<= 4 MiB/MB", verdict(per_mb, 4.0)))
    return rows


def tiny_documents(target: Path, count: int) -> Path:
    """``count`` documents of one short line of data each: the cost of a document, not of its size."""
    with open(target, "w", encoding="utf-8") as out:
        for start in range(0, count, 10_000):
            out.write("".join(TINY_DOCUMENT.format(i) for i in range(start, min(count, start + 10_000))))
    return target


def row_tiny(corpus: Path, work: Path, count: int, repeats: int) -> list[Row]:
    """Row 6: time and memory per input MB on ``count`` tiny documents, against the same on 32 copies.

    Both inputs are run side by side (alternately), for ``apply`` (with --allow-no-match: tiny documents hold
    no gateway) and ``images``.
    """
    path = tiny_documents(work / "tiny.yaml", count)
    copies = concatenate(corpus, SCALE_COPIES, work / "scale.yaml")
    size, size_32 = path.stat().st_size / 1e6, copies.stat().st_size / 1e6
    rows: list[Row] = []
    cases = [("apply", ("apply", "--preset", "bare-metal", "--allow-no-match")), ("images", ("images",))]
    for name, argv in cases:
        what_t = f"{count:,} tiny documents ({size:.0f} MB): `{name}` time per MB vs {SCALE_COPIES} copies"
        what_m = f"{count:,} tiny documents ({size:.0f} MB): `{name}` memory per MB vs {SCALE_COPIES} copies"
        try:
            tiny, scale = alternate(
                lambda argv=argv: run_child(istio_patch(*argv, str(path)), limit=10 * SCALE_LIMIT),
                lambda argv=argv: run_child(istio_patch(*argv, str(copies)), limit=SCALE_LIMIT),
                repeats,
                warm_up=False,
            )
        except TooSlow as exc:
            rows += [
                Row(f"6t-{name}", what_t, f"> {exc.limit:.0f} s (killed)", "-", None, "<= 2", "MISSED"),
                unavailable(f"6m-{name}", what_m, "<= 2", str(exc)),
            ]
            continue
        except Unavailable as exc:
            rows += [unavailable(f"6t-{name}", what_t, "<= 2", str(exc)), unavailable(f"6m-{name}", what_m, "<= 2", str(exc))]
            continue
        t_tiny, t_32 = median(tiny, "seconds") / size, median(scale, "seconds") / size_32
        m_tiny, m_32 = median(tiny, "peak_mb") / size, median(scale, "peak_mb") / size_32
        rows += [
            Row(f"6t-{name}", what_t, f"{t_tiny:.2f} s/MB ({fmt_s(t_tiny * size)})", f"{t_32:.2f} s/MB", t_tiny / t_32, "<= 2", verdict(t_tiny / t_32, 2.0)),
            Row(f"6m-{name}", what_m, f"{m_tiny:.1f} MiB/MB ({fmt_mb(m_tiny * size)})", f"{m_32:.1f} MiB/MB", m_tiny / m_32, "<= 2", verdict(m_tiny / m_32, 2.0)),
        ]
        print(f"  ... 6-{name} done", file=sys.stderr, flush=True)
    path.unlink()
    return rows


def quadratic_string(target: Path) -> Path:
    """A ConfigMap whose one string repeats an image reference to ``QUADRATIC_BYTES``: one string, many places."""
    body = QUADRATIC_REFERENCE * (QUADRATIC_BYTES // len(QUADRATIC_REFERENCE))
    target.write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: many-references\n  namespace: istio-system\n"
        f"data:\n  images: {body.strip()}\n",
        encoding="utf-8",
    )
    return target


def row_quadratic(work: Path, repeats: int) -> list[Row]:
    """Row 7: ``images`` and ``apply --preset cn-mirror`` on one 920 KB string of references: at most 2 s each.

    A run slower than five times the target is not repeated, one past SCALE_LIMIT is killed: one says enough.
    """
    path = quadratic_string(work / "quadratic.yaml")
    size = path.stat().st_size / 1e3
    rows = []
    for name, argv in [("images", ("images",)), ("apply --preset cn-mirror", ("apply", "--preset", "cn-mirror"))]:
        what = f"`{name}` on one {size:.0f} KB string of repeated references"
        try:
            runs = [run_child(istio_patch(*argv, str(path)), limit=SCALE_LIMIT)]
            if runs[0].seconds < 10.0:
                runs += [run_child(istio_patch(*argv, str(path)), limit=SCALE_LIMIT) for _ in range(repeats)]
        except TooSlow as exc:
            rows.append(Row("7", what, f"> {exc.limit:.0f} s (killed)", "-", None, "<= 2 s", "MISSED"))
            continue
        except Unavailable as exc:
            rows.append(unavailable("7", what, "<= 2 s", str(exc)))
            continue
        seconds = median(runs[1:] or runs, "seconds")
        note = "" if len(runs) > 1 else " (1 run)"
        rows.append(Row("7", what, fmt_s(seconds) + note, "-", seconds, "<= 2 s", verdict(seconds, 2.0)))
    return rows


# --- reporting ----------------------------------------------------------------------------------------------


def environment() -> list[str]:
    import yaml

    where = subprocess.run(
        [sys.executable, "-c", "import istio_patch, os; print(os.path.dirname(istio_patch.__file__))"],
        capture_output=True, text=True, check=False, env=CHILD_ENV,
    ).stdout.strip()
    lines = [
        f"istio-patch measured: {where or 'not importable'} (as the children import it; PYTHONPATH=src for this tree)",
        f"Python {platform.python_version()} ({platform.python_implementation()}, {sys.executable})",
        f"{platform.platform()}, {os.cpu_count()} CPUs",
        f"PyYAML {yaml.__version__} (libyaml: {'yes' if getattr(yaml, '__with_libyaml__', False) else 'no'})",
    ]
    try:
        from importlib.metadata import version

        lines.append(f"ruamel.yaml {version('ruamel.yaml')}")
    except Exception:
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
        value = "-" if r.value is None else (f"{r.value:.0f} MB" if r.number == "4m" else f"{r.value:.1f} s" if r.number == "7" else f"{r.value:.2f}")
        out.append(f"| {r.number} | {r.what} | {r.ours} | {r.theirs} | {value} | {r.target} | {r.verdict} |")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    global CHILD_ENV, TIMEOUT
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 runs a side instead of 5 (not a verdict)")
    parser.add_argument("--repeats", type=int, default=None, help="runs a side (default 5; at least 5 for a verdict)")
    parser.add_argument("--big", action="store_true", help="add the ~100 MB row")
    parser.add_argument("--scale", action="store_true", help="add rows 5-7: 32 copies, tiny documents, one long string")
    parser.add_argument("--scale-only", action="store_true", help="rows 5-7 alone")
    parser.add_argument("--tiny-documents", type=int, default=TINY_DOCUMENTS, metavar="N", help="row 6's documents (default %(default)s)")
    parser.add_argument("--timeout", type=float, default=TIMEOUT, metavar="S", help="seconds before a child is killed (default %(default)s)")
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="the workload (default: istio-1.2.3 demo)")
    parser.add_argument(
        "--as-is", action="store_true", help="run children in this environment as it is (no bytecode cache fix)"
    )
    parser.add_argument("--presets", default=",".join(PRESETS), help="comma-separated presets (default: %(default)s)")
    args = parser.parse_args(argv)
    CHILD_ENV = None if args.as_is else installed_like_env()
    TIMEOUT = args.timeout
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
        scale: list[Row] = []
        if not args.scale_only:
            steps: list[Callable[[], list[Row]]] = [
                lambda: row_kustomize(args.corpus, work, repeats),
                lambda: row_ruamel(args.corpus, repeats),
            ]
            for step in steps:
                rows += step()
                print(f"  ... {rows[-1].number} done ({time.perf_counter() - started:.0f} s)", file=sys.stderr, flush=True)
            scaling, facts = row_scaling(args.corpus, work, repeats)
            big = row_big(args.corpus, work, facts) if args.big else []
        if args.scale or args.scale_only:
            big_repeats = 1 if args.quick else 3  # a run takes up to minutes: fewer runs, no warm-up
            scale += row_scale_commands(args.corpus, work, repeats)
            scale += row_tiny(args.corpus, work, args.tiny_documents, big_repeats)
            scale += row_quadratic(work, repeats)
            print(f"  ... 5-7 done ({time.perf_counter() - started:.0f} s)", file=sys.stderr, flush=True)
        if not args.scale_only:
            # last: it imports istio_patch into this process, which every later child would otherwise inherit
            rows += row_in_process(args.corpus, repeats) + scaling + big
        rows += scale

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
