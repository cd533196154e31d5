"""Where the time of one `istio-patch apply` goes: imports, phases, and the top functions under cProfile.

    .venv/bin/python benchmarks/breakdown.py                 # imports + phases + top 20 functions
    .venv/bin/python benchmarks/breakdown.py --top 40 --presets bare-metal,small-nodes

Imports are timed in fresh interpreters (``-X importtime``, median of 5) with bytecode caching on, as an
installed package has it. Phases are timed in this process, steady state (after one warm-up), median of 5.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "istio-1.2.3" / "istio-demo.yaml"
IMPORTS = ("istio_patch", "istio_patch._cli", "istio_patch._edit", "istio_patch.transforms", "pydantic.main", "yaml")
_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = os.path.join(tempfile.gettempdir(), "istio-patch-bench-pycache")
    return env


def import_costs(module: str, runs: int = 5) -> tuple[float, list[tuple[str, float]]]:
    """(cumulative ms of importing ``module``, self ms per top-level package), medians over fresh interpreters."""
    env = child_env()
    subprocess.run([sys.executable, "-c", f"import {module}"], env=env, check=True)  # fill the bytecode cache
    totals: list[float] = []
    per_package: dict[str, list[float]] = {}
    for _ in range(runs):
        err = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", f"import {module}"], env=env, capture_output=True, text=True
        ).stderr
        own: Counter[str] = Counter()
        for line in err.splitlines():
            match = _LINE.match(line)
            if not match:
                continue
            name = match.group(4)
            key = name if name.startswith("istio_patch") else name.split(".")[0]
            own[key] += int(match.group(1)) / 1000
            if name == module and len(match.group(3)) == 1:
                totals.append(int(match.group(2)) / 1000)
        for key, value in own.items():
            per_package.setdefault(key, []).append(value)
    ranked = sorted(((k, statistics.median(v)) for k, v in per_package.items()), key=lambda kv: -kv[1])
    return statistics.median(totals), ranked


def timed(fn: Callable[[], Any], runs: int = 5) -> float:
    fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--presets", default="bare-metal,cn-mirror,small-nodes")
    parser.add_argument("--top", type=int, default=20)
    parser.add_argument("--no-imports", action="store_true", help="skip the import timings")
    args = parser.parse_args()
    presets = [p for p in args.presets.split(",") if p]
    if not args.corpus.is_file():
        print(f"skipped: {args.corpus} is absent")
        return 0

    if not args.no_imports:
        print("## Import time (fresh interpreter, bytecode cached, median of 5)\n")
        for module in IMPORTS:
            total, ranked = import_costs(module)
            top = ", ".join(f"{k} {v:.1f}" for k, v in ranked[:6])
            print(f"- `{module}`: {total:.0f} ms (own time by package, ms: {top})")
        print()

    import istio_patch
    from istio_patch import transforms
    from istio_patch._manifest import check_syntax

    text = args.corpus.read_text(encoding="utf-8")
    source = str(args.corpus)
    print(f"## Phases in process ({args.corpus.name}, steady state, median of 5)\n")
    manifest = istio_patch.load(text, source=source)
    objects = manifest.objects()
    gateway = next(o for o in objects if o.kind == "Deployment" and o.name == "istio-ingressgateway")
    ops = [
        {"op": "replace", "path": "/kind", "value": "DaemonSet"},
        {"op": "remove", "path": "/spec/replicas"},
        {"op": "add", "path": "/metadata/labels/tier", "value": "edge"},
    ]

    def steps() -> list[Any]:
        return [step for name in presets for step in transforms.preset(name)]

    def load_only() -> None:
        istio_patch.load(text, source=source)

    def load_check() -> None:
        check_syntax(istio_patch.load(text, source=source))

    def load_objects() -> None:
        istio_patch.load(text, source=source).objects()

    def one_edit() -> None:
        fresh = istio_patch.load(text, source=source)
        fresh.objects()
        fresh.apply(ops, document=gateway.document).render()

    def whole() -> None:
        transforms.apply(istio_patch.load(text, source=source), steps()).manifest.render()

    import yaml

    phases = [
        ("load (decode + split into documents)", load_only),
        ("load + check_syntax (compose + view of every document)", load_check),
        ("load + objects()", load_objects),
        ("load + objects() + Manifest.apply (3 ops on the gateway Deployment) + render", one_edit),
        (f"load + presets {', '.join(presets)} + render", whole),
        ("baseline: yaml.load_all with CSafeLoader", lambda: list(yaml.load_all(text, Loader=yaml.CSafeLoader))),
        ("baseline: yaml.compose_all with CSafeLoader", lambda: list(yaml.compose_all(text, Loader=yaml.CSafeLoader))),
    ]
    for label, fn in phases:
        try:
            print(f"- {label}: {timed(fn):.1f} ms")
        except Exception as exc:
            print(f"- {label}: not available yet ({type(exc).__name__}: {exc})")

    for label, fn in (("load + objects() + one edit", one_edit), ("load + presets + render", whole)):
        print(f"\n## cProfile: {label} (top {args.top} by own time)\n")
        profiler = cProfile.Profile()
        try:
            profiler.runcall(fn)
        except Exception as exc:
            print(f"not available yet ({type(exc).__name__}: {exc})")
            continue
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.strip_dirs().sort_stats("tottime").print_stats(args.top)
        print("```\n" + "\n".join(out.getvalue().strip().splitlines()[3:]) + "\n```")
    return 0


if __name__ == "__main__":
    sys.exit(main())
