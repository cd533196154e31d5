"""The field guide's hand edits as transforms: pure functions from a Manifest to a Result.

Each transform ``X`` comes with typed options (``XOptions``, frozen dataclasses checked by pydantic when built,
``XOptions.validate(mapping)`` for data) and a planner ``plan_X`` that returns
the RFC 6902 operations it would apply; ``X`` applies them through the core, changing only the lines the
operations require. Presets bundle the guide's steps by name.

Example:
    >>> from istio_patch import load, transforms
    >>> m = load(open("istio-demo.yaml", "rb").read(), source="istio-demo.yaml")  # doctest: +SKIP
    >>> result = transforms.apply(m, transforms.preset("bare-metal"))  # doctest: +SKIP
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the names below load on first use (PEP 562): a CLI call imports only what it runs
    from ._admission_plugins import AdmissionPluginsOptions, admission_plugins, plan_admission_plugins
    from ._base import Change, Edit, Plan, Result, Selector, Step, TransformOptions, apply, execute, pipeline, select
    from ._host_ports import HostPortsOptions, host_ports, plan_host_ports
    from ._images import ImageUse, images
    from ._label_namespaces import LabelNamespacesOptions, label_namespaces, plan_label_namespaces
    from ._mirror_images import MirrorImagesOptions, MirrorRule, mirror_images, plan_mirror_images
    from ._modernize import ModernizeOptions, modernize, plan_modernize
    from ._node_port import NodePortOptions, node_port, plan_node_port
    from ._presets import PRESETS, preset
    from ._strip_resources import StripResourcesOptions, plan_strip_resources, strip_resources
    from ._to_daemonset import ToDaemonSetOptions, plan_to_daemonset, to_daemonset

_HOME = {
    "AdmissionPluginsOptions": "._admission_plugins",
    "Change": "._base",
    "Edit": "._base",
    "HostPortsOptions": "._host_ports",
    "ImageUse": "._images",
    "LabelNamespacesOptions": "._label_namespaces",
    "MirrorImagesOptions": "._mirror_images",
    "MirrorRule": "._mirror_images",
    "ModernizeOptions": "._modernize",
    "NodePortOptions": "._node_port",
    "PRESETS": "._presets",
    "Plan": "._base",
    "Result": "._base",
    "Selector": "._base",
    "Step": "._base",
    "StripResourcesOptions": "._strip_resources",
    "ToDaemonSetOptions": "._to_daemonset",
    "TransformOptions": "._base",
    "admission_plugins": "._admission_plugins",
    "apply": "._base",
    "execute": "._base",
    "host_ports": "._host_ports",
    "images": "._images",
    "label_namespaces": "._label_namespaces",
    "mirror_images": "._mirror_images",
    "modernize": "._modernize",
    "node_port": "._node_port",
    "pipeline": "._base",
    "plan_admission_plugins": "._admission_plugins",
    "plan_host_ports": "._host_ports",
    "plan_label_namespaces": "._label_namespaces",
    "plan_mirror_images": "._mirror_images",
    "plan_modernize": "._modernize",
    "plan_node_port": "._node_port",
    "plan_strip_resources": "._strip_resources",
    "plan_to_daemonset": "._to_daemonset",
    "preset": "._presets",
    "select": "._base",
    "strip_resources": "._strip_resources",
    "to_daemonset": "._to_daemonset",
}


def __getattr__(name: str) -> Any:
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


__all__ = [
    "AdmissionPluginsOptions",
    "Change",
    "Edit",
    "HostPortsOptions",
    "ImageUse",
    "LabelNamespacesOptions",
    "MirrorImagesOptions",
    "MirrorRule",
    "ModernizeOptions",
    "NodePortOptions",
    "PRESETS",
    "Plan",
    "Result",
    "Selector",
    "Step",
    "StripResourcesOptions",
    "ToDaemonSetOptions",
    "TransformOptions",
    "admission_plugins",
    "apply",
    "execute",
    "host_ports",
    "images",
    "label_namespaces",
    "mirror_images",
    "modernize",
    "node_port",
    "pipeline",
    "plan_admission_plugins",
    "plan_host_ports",
    "plan_label_namespaces",
    "plan_mirror_images",
    "plan_modernize",
    "plan_node_port",
    "plan_strip_resources",
    "plan_to_daemonset",
    "preset",
    "select",
    "strip_resources",
    "to_daemonset",
]
