"""Golden cases of the workload transforms: a folder per case with input.yaml, options.json, expected.yaml."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "transforms"
CORPUS = ROOT.parent / "shared" / "corpus"


def cases(transform: str) -> list[Path]:
    """The case folders of one transform, sorted by name."""
    return sorted(p for p in (FIXTURES / transform).iterdir() if (p / "input.yaml").is_file())


def options_of(case: Path) -> dict[str, Any]:
    return json.loads((case / "options.json").read_text(encoding="utf-8"))
