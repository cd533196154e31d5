"""The field guide's hand edits as transforms: pure functions from a Manifest to a Result.

Each transform ``X`` is declared once, by a :class:`Transform` descriptor in its own module, and comes with
typed options (``XOptions``, frozen dataclasses checked when built; ``XOptions.validate(mapping)`` for data),
a planner ``plan_X(manifest, options)`` that returns the RFC 6902 operations it would apply, and ``X(manifest,
options=None, **options)`` that applies them through the core, changing only the lines the operations require.
Planners read typed models (``istio_patch.models``) of the objects they selected. Presets bundle the guide's
steps by name; :func:`register` adds a transform of one's own (docs/extending.md).

Example:
    >>> from istio_patch import load_path, transforms
    >>> m = load_path("istio-demo.yaml")  # doctest: +SKIP
    >>> result = transforms.apply(m, transforms.preset("bare-metal"))  # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

from ._base import (
    AUTOSCALERS,
    Change,
    Edit,
    Plan,
    Result,
    Selector,
    Step,
    TransformOptions,
    apply,
    execute,
    ingress_gateway,
    pipeline,
    select,
)
from ._descriptor import Flag, Modifier, Transform, register, registry, transform_named
from ._options import FieldError
from ._presets import PRESETS, preset

_FRAMEWORK = [
    "AUTOSCALERS",
    "Change",
    "Edit",
    "FieldError",
    "Flag",
    "ImagePlace",
    "ImageReport",
    "ImageUse",
    "ImageWarning",
    "Modifier",
    "PRESETS",
    "Plan",
    "ResolvedPlace",
    "Result",
    "Selector",
    "Step",
    "Transform",
    "TransformOptions",
    "apply",
    "execute",
    "image_report",
    "images",
    "ingress_gateway",
    "pipeline",
    "preset",
    "register",
    "registry",
    "select",
    "transform_named",
]


def _exports() -> dict[str, Any]:
    """What each registered transform exports: its function, planner, options class and the types they use."""
    names: dict[str, Any] = {}
    for transform in registry().values():
        names[transform.name] = transform.function
        names[f"plan_{transform.name}"] = transform.plan
        names[transform.options.__name__] = transform.options
        for extra in transform.exports:
            names[extra.__name__] = extra
    return names


def __getattr__(name: str) -> Any:
    if name == "__all__":
        return sorted(set(_FRAMEWORK) | set(_exports()))
    if name in ("images", "image_report", "ImagePlace", "ImageUse", "ImageReport", "ImageWarning", "ResolvedPlace"):
        from . import _images

        return getattr(_images, name)
    exports = _exports()
    if name in exports:
        return exports[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_FRAMEWORK) | set(_exports()))
