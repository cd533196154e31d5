"""The field guide's hand edits as transforms: pure functions from a Manifest to a Result.

Each transform ``X`` comes with typed options (``XOptions``, pydantic) and a planner ``plan_X`` that returns
the RFC 6902 operations it would apply; ``X`` applies them through the core, changing only the lines the
operations require. Presets bundle the guide's steps by name.

Example:
    >>> from istio_patch import load, transforms
    >>> m = load(open("istio-demo.yaml", "rb").read(), source="istio-demo.yaml")  # doctest: +SKIP
    >>> result = transforms.apply(m, transforms.preset("bare-metal"))  # doctest: +SKIP
"""

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
