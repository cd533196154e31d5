"""Presets: the guide's hand edits by name, as lists of steps (see SEED.md).

- ``bare-metal``: steps 1-3 on ``istio-system/istio-ingressgateway``: the Service becomes NodePort, the
  Deployment a DaemonSet (its HorizontalPodAutoscaler removed), and container ports 80 and 443 get hostPorts.
- ``cn-mirror``: step 4: ``gcr.io/istio-release`` -> ``docker.io/istio``, and
  ``quay.io/coreos/hyperkube:v1.7.6_coreos.0`` ->
  ``registry.cn-shanghai.aliyuncs.com/gcr-k8s/hyperkube:v1.7.6_coreos.0``.
- ``small-nodes``: step 7: the ``requests`` of container ``discovery`` of Deployment
  ``istio-system/istio-pilot`` commented out, as the guide did.
- ``admission-webhooks``: step 9: ``MutatingAdmissionWebhook`` and ``ValidatingAdmissionWebhook`` enabled in
  a kube-apiserver static Pod manifest.

A preset's options are constants: they are built without pydantic's type check (``_options.trusted``),
and a test checks every one of them. Presets are strict: a preset applied to a manifest without its target raises SelectorError, as a
transform does, because a preset that silently did nothing would look like success. The one optional part
is the gateway's HPA in ``bare-metal`` (SEED.md removes it when there is one). Apply a preset only to the
file it is for (``admission-webhooks`` to kube-apiserver.yaml, the others to the Istio manifest).

Example:
    >>> from istio_patch import load
    >>> [type(step).__name__ for step in preset("bare-metal")]
    ['partial', 'partial', 'partial']
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from .._errors import OptionsError
from ._base import Selector, Step, ingress_gateway
from ._descriptor import unknown
from ._host_ports import TRANSFORM as HOST_PORTS
from ._host_ports import HostPortsOptions
from ._node_port import TRANSFORM as NODE_PORT
from ._node_port import NodePortOptions
from ._options import trusted
from ._strip_resources import TRANSFORM as STRIP_RESOURCES
from ._strip_resources import StripResourcesOptions
from ._to_daemonset import TRANSFORM as TO_DAEMONSET
from ._to_daemonset import ToDaemonSetOptions

__all__ = ["PRESETS", "preset", "preset_transforms", "ISTIO_NAMESPACE"]

# Where Istio's charts install their objects; a preset's -n / namespace moves its selectors elsewhere.
ISTIO_NAMESPACE = "istio-system"


def _in(selector: Selector, namespace: str | None) -> Selector:
    return selector if namespace is None else Selector(kind=selector.kind, name=selector.name, labels=selector.labels, namespace=namespace)


def _bare_metal(allow_no_match: bool, namespace: str | None) -> list[Step]:
    return [
        NODE_PORT.step(NodePortOptions(selector=_in(ingress_gateway("Service"), namespace), allow_no_match=allow_no_match)),
        TO_DAEMONSET.step(ToDaemonSetOptions(selector=_in(ingress_gateway("Deployment"), namespace), allow_no_match=allow_no_match)),
        HOST_PORTS.step(HostPortsOptions(selector=_in(ingress_gateway("DaemonSet"), namespace), ports=[80, 443], allow_no_match=allow_no_match)),
    ]


def _cn_mirror(allow_no_match: bool, namespace: str | None) -> list[Step]:
    from ._mirror_images import (
        TRANSFORM as MIRROR_IMAGES,  # loaded only when this preset is used
    )
    from ._mirror_images import MirrorImagesOptions, MirrorRule

    rules = [
        MirrorRule(source="gcr.io/istio-release", target="docker.io/istio"),
        MirrorRule(
            source="quay.io/coreos/hyperkube:v1.7.6_coreos.0",
            target="registry.cn-shanghai.aliyuncs.com/gcr-k8s/hyperkube:v1.7.6_coreos.0",
        ),
    ]
    return [MIRROR_IMAGES.step(MirrorImagesOptions(rules=rules, allow_no_match=allow_no_match))]


def _small_nodes(allow_no_match: bool, namespace: str | None) -> list[Step]:
    options = StripResourcesOptions(
        selector=Selector(kind="Deployment", namespace=namespace or ISTIO_NAMESPACE, name="istio-pilot"),
        containers=["discovery"],
        resources="requests",
        mode="comment",
        allow_no_match=allow_no_match,
    )
    return [STRIP_RESOURCES.step(options)]


def _admission_webhooks(allow_no_match: bool, namespace: str | None) -> list[Step]:
    from ._admission_plugins import (
        TRANSFORM as ADMISSION_PLUGINS,  # loaded only when this preset is used
    )
    from ._admission_plugins import AdmissionPluginsOptions

    options = AdmissionPluginsOptions(
        plugins=["MutatingAdmissionWebhook", "ValidatingAdmissionWebhook"],
        selector=Selector(kind="Pod", name="kube-apiserver", namespace=namespace),
        allow_no_match=allow_no_match,
    )
    return [ADMISSION_PLUGINS.step(options)]


PRESETS: Mapping[str, Callable[[bool, str | None], list[Step]]] = MappingProxyType(
    {
        "bare-metal": _bare_metal,
        "cn-mirror": _cn_mirror,
        "small-nodes": _small_nodes,
        "admission-webhooks": _admission_webhooks,
    }
)


def preset(
    name: str,
    *,
    allow_no_match: bool = False,
    namespace: str | None = None,
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
) -> list[Step]:
    """The steps of the preset ``name``, in order; OptionsError naming the known presets for another name.

    With ``allow_no_match``, a manifest without the preset's targets passes through unchanged instead of
    raising SelectorError (for pipelines that run one list of presets over many files). ``namespace`` is where
    Istio is installed (``istio-system`` by default): the presets' selectors look there. ``overrides`` changes
    options of the preset's transforms: ``{"to_daemonset": {"keep_hpa": True}}`` (checked like any options).

    Example:
        >>> len(preset("small-nodes"))
        1
    """
    factory = PRESETS.get(name)
    if factory is None:
        raise OptionsError(unknown("preset", name, tuple(PRESETS)))
    if namespace is not None and (not isinstance(namespace, str) or not namespace):
        raise OptionsError(f"preset {name}: the namespace is a non-empty name, not {namespace!r}")
    with trusted():  # constants, checked by the tests: building them need not import pydantic
        steps = factory(allow_no_match, namespace)
    if not overrides:
        return steps
    names = [_transform_of(step).name for step in steps]
    unknown_names = [t for t in overrides if t not in names]
    if unknown_names:
        raise OptionsError(f"preset {name} has no {unknown_names[0]} step (its steps: {', '.join(names)})")
    changed = []
    for step in steps:
        transform = _transform_of(step)
        if transform.name in overrides:
            options = step.keywords["options"]  # type: ignore[attr-defined]
            fields = {f.name: getattr(options, f.name) for f in dataclasses.fields(options)}
            step = transform.step(transform.options.validate({**fields, **overrides[transform.name]}))
        changed.append(step)
    return changed


def preset_transforms(name: str) -> tuple[Any, ...]:
    """The transforms the preset ``name`` runs, in order (their descriptors)."""
    return tuple(_transform_of(step) for step in preset(name))


def _transform_of(step: Step) -> Any:
    """The descriptor of a preset's step (steps are ``Transform.step(options)``, bound to their transform)."""
    return step.func.__self__  # type: ignore[attr-defined]
