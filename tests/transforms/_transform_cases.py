"""Shared helpers of the transforms' tests: fixture folders, the shared corpus and its reference checker."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "transforms"
CORPUS = ROOT.parent / "shared" / "corpus"
ORACLE_PATH = ROOT.parent / "shared" / "tools" / "oracle.py"


def cases(transform: str) -> list[Path]:
    """The case folders of one transform, sorted by name."""
    return sorted(p for p in (FIXTURES / transform).iterdir() if (p / "input.yaml").is_file())


def options_of(case: Path) -> dict[str, Any]:
    return json.loads((case / "options.json").read_text(encoding="utf-8"))


def corpus_file(relative: str) -> Path:
    """A file of the shared corpus, or a skip saying it is absent."""
    path = CORPUS / relative
    if not path.is_file():
        pytest.skip(f"the shared corpus is absent ({path} not found)")
    return path


def oracle() -> ModuleType:
    """The shared reference checker (../shared/tools/oracle.py) as a module, or a skip saying it is absent."""
    if not ORACLE_PATH.is_file():
        pytest.skip(f"the oracle is absent ({ORACLE_PATH} not found)")
    spec = importlib.util.spec_from_file_location("istio_patch_oracle", ORACLE_PATH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
