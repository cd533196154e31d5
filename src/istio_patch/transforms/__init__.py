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

from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:
    # What type checkers and editors see of the names below, which load on first use (PEP 562) so that a run
    # imports only the transforms it runs. The block lists the built-in transforms' exports; a test holds it to
    # the descriptors, which remain the only place a transform is declared.
    from ._admission_plugins import AdmissionPluginsOptions, admission_plugins, plan_admission_plugins
    from ._dedupe_keys import DedupeKeysOptions, dedupe_keys, plan_dedupe_keys
    from ._host_ports import HostPortsOptions, PortMapping, host_ports, plan_host_ports
    from ._images import ImagePlace, ImageReport, ImageUse, ImageWarning, ResolvedPlace, image_report, images
    from ._label_namespaces import LabelNamespacesOptions, label_namespaces, plan_label_namespaces
    from ._mirror_images import MirrorImagesOptions, MirrorRule, mirror_images, plan_mirror_images
    from ._modernize import ModernizeOptions, modernize, plan_modernize
    from ._node_port import NodePortOptions, node_port, plan_node_port
    from ._split_glued import SplitGluedOptions, plan_split_glued, split_glued
    from ._strip_resources import StripResourcesOptions, plan_strip_resources, strip_resources
    from ._to_daemonset import ToDaemonSetOptions, plan_to_daemonset, to_daemonset

_IMAGES = ("ImagePlace", "ImageReport", "ImageUse", "ImageWarning", "ResolvedPlace", "image_report", "images")
# The public names: the framework's, then what each built-in transform exports (tests/transforms/test_exports.py
# holds the second list to the descriptors). Transforms registered later are reachable as attributes too.
__all__ = [
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
_FRAMEWORK = tuple(__all__)
__all__ += [
    "AdmissionPluginsOptions", "admission_plugins", "plan_admission_plugins",
    "DedupeKeysOptions", "dedupe_keys", "plan_dedupe_keys",
    "HostPortsOptions", "PortMapping", "host_ports", "plan_host_ports",
    "LabelNamespacesOptions", "label_namespaces", "plan_label_namespaces",
    "MirrorImagesOptions", "MirrorRule", "mirror_images", "plan_mirror_images",
    "ModernizeOptions", "modernize", "plan_modernize",
    "NodePortOptions", "node_port", "plan_node_port",
    "SplitGluedOptions", "plan_split_glued", "split_glued",
    "StripResourcesOptions", "plan_strip_resources", "strip_resources",
    "ToDaemonSetOptions", "plan_to_daemonset", "to_daemonset",
]  # fmt: skip


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
    if name in _IMAGES:
        from . import _images

        return getattr(_images, name)
    exports = _exports()
    if name in exports:
        return exports[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_FRAMEWORK) | set(_exports()))
