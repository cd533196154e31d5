"""The static list of ``istio_patch.transforms``' names (``__all__`` and the block type checkers read) against the
descriptors, which declare each transform once: adding a built-in transform without listing it fails here."""

from __future__ import annotations

import ast
from pathlib import Path

import istio_patch.transforms as transforms
from istio_patch.transforms import _exports

INIT = Path(transforms.__file__)


def built_in_exports() -> dict[str, str]:
    """name -> module of what each built-in transform exports (transforms registered by tests left out)."""
    return {name: value.__module__ for name, value in _exports().items() if value.__module__.startswith("istio_patch.")}


def typing_block() -> dict[str, str]:
    """name -> module of the imports of the ``if TYPE_CHECKING:`` block, but the images listing's."""
    names = {}
    for node in ast.parse(INIT.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            for item in node.body:
                if isinstance(item, ast.ImportFrom) and item.module != "_images":
                    names.update({alias.name: f"istio_patch.transforms.{item.module}" for alias in item.names})
    return names


def expected_imports() -> list[str]:
    """The import lines the TYPE_CHECKING block should hold, as isort orders them: what a failure asks for."""
    by_module: dict[str, list[str]] = {}
    for name, module in built_in_exports().items():
        by_module.setdefault(module.rsplit(".", 1)[1], []).append(name)
    return [f"from .{module} import {', '.join(sorted(names, key=lambda n: (not n[0].isupper(), n)))}" for module, names in sorted(by_module.items())]


def test_the_typing_block_imports_what_each_built_in_transform_exports() -> None:
    assert typing_block() == built_in_exports(), "the TYPE_CHECKING block of transforms/__init__.py should import:\n" + "\n".join(expected_imports())


def test_all_lists_the_framework_and_every_built_in_transform() -> None:
    assert sorted(transforms.__all__) == sorted(set(transforms._FRAMEWORK) | set(built_in_exports()))
    assert len(transforms.__all__) == len(set(transforms.__all__))
    for name in transforms.__all__:
        assert getattr(transforms, name) is not None
