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

import functools
from types import MappingProxyType
from typing import Callable, Mapping

from .._errors import OptionsError
from ._base import Selector, Step, ingress_gateway
from ._options import trusted
from ._host_ports import HostPortsOptions, host_ports
from ._node_port import NodePortOptions, node_port
from ._strip_resources import StripResourcesOptions, strip_resources
from ._to_daemonset import ToDaemonSetOptions, to_daemonset

__all__ = ["PRESETS", "preset"]

def _bare_metal(allow_no_match: bool) -> list[Step]:
    loose = {"allow_no_match": allow_no_match}
    return [
        functools.partial(node_port, options=NodePortOptions(selector=ingress_gateway("Service"), **loose)),
        functools.partial(
            to_daemonset, options=ToDaemonSetOptions(selector=ingress_gateway("Deployment"), **loose)
        ),
        functools.partial(
            host_ports,
            options=HostPortsOptions(selector=ingress_gateway("DaemonSet"), ports=[80, 443], **loose),
        ),
    ]


def _cn_mirror(allow_no_match: bool) -> list[Step]:
    from ._mirror_images import MirrorImagesOptions, MirrorRule, mirror_images  # loaded only when this preset is used

    rules = [
        MirrorRule(source="gcr.io/istio-release", target="docker.io/istio"),
        MirrorRule(
            source="quay.io/coreos/hyperkube:v1.7.6_coreos.0",
            target="registry.cn-shanghai.aliyuncs.com/gcr-k8s/hyperkube:v1.7.6_coreos.0",
        ),
    ]
    return [functools.partial(mirror_images, options=MirrorImagesOptions(rules=rules, allow_no_match=allow_no_match))]


def _small_nodes(allow_no_match: bool) -> list[Step]:
    options = StripResourcesOptions(
        selector=Selector(kind="Deployment", namespace="istio-system", name="istio-pilot"),
        containers=["discovery"],
        resources="requests",
        mode="comment",
        allow_no_match=allow_no_match,
    )
    return [functools.partial(strip_resources, options=options)]


def _admission_webhooks(allow_no_match: bool) -> list[Step]:
    from ._admission_plugins import AdmissionPluginsOptions, admission_plugins  # loaded only when this preset is used

    options = AdmissionPluginsOptions(
        plugins=["MutatingAdmissionWebhook", "ValidatingAdmissionWebhook"], allow_no_match=allow_no_match
    )
    return [functools.partial(admission_plugins, options=options)]


PRESETS: Mapping[str, Callable[[bool], list[Step]]] = MappingProxyType(
    {
        "bare-metal": _bare_metal,
        "cn-mirror": _cn_mirror,
        "small-nodes": _small_nodes,
        "admission-webhooks": _admission_webhooks,
    }
)


def preset(name: str, *, allow_no_match: bool = False) -> list[Step]:
    """The steps of the preset ``name``, in order; OptionsError naming the known presets for another name.

    With ``allow_no_match``, a manifest without the preset's targets passes through unchanged instead of
    raising SelectorError (for pipelines that run one list of presets over many files).

    Example:
        >>> len(preset("small-nodes"))
        1
    """
    factory = PRESETS.get(name)
    if factory is None:
        raise OptionsError(f"unknown preset {name!r} (the presets are: {', '.join(PRESETS)})")
    with trusted():  # constants, checked by the tests: building them need not import pydantic
        return factory(allow_no_match)
