"""istio-patch: the hand edits of installing Istio on your own hardware, made safely.

A Manifest is a YAML stream that renders back byte for byte; RFC 6902 operations edit it in place, changing
only the lines they require; typed models (``istio_patch.models``) are what transforms and checks read;
transforms (``from istio_patch import transforms``) turn the field guide's edits into such operations.

The services below are functions of manifests, for deploy tools as much as for the command line:
:func:`check` (the guide's pitfalls as findings), :func:`summary` (what a manifest creates), :func:`validate`
(against a Kubernetes release's schemas, offline), :func:`load_recipe` and :func:`kustomize_overlay`.
"""

from typing import TYPE_CHECKING, Any

from ._errors import (
    DecodeError,
    EditError,
    IstioPatchError,
    LimitError,
    ModelValidationError,
    OptionsError,
    PatchTestFailed,
    SelectorError,
    YAMLSyntaxError,
)
from ._kube import Duplicate
from ._manifest import Document, KubeObject, Manifest, check_syntax, load, load_path

if TYPE_CHECKING:  # the services load on first use (PEP 562): `import istio_patch` stays cheap
    from ._overlay import OverlayError, kustomize_overlay
    from ._recipe import load_recipe
    from ._summary import Summary, summary
    from ._validate import Problem, validate
    from .checks import Finding, check

__version__ = "0.1.0"

_SERVICES = {
    "check": ".checks",
    "Finding": ".checks",
    "summary": "._summary",
    "Summary": "._summary",
    "validate": "._validate",
    "Problem": "._validate",
    "load_recipe": "._recipe",
    "kustomize_overlay": "._overlay",
    "OverlayError": "._overlay",
}


def __getattr__(name: str) -> Any:
    home = _SERVICES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(home, __name__), name)
    globals()[name] = value
    return value


__all__ = [
    "DecodeError",
    "Document",
    "Duplicate",
    "EditError",
    "Finding",
    "IstioPatchError",
    "KubeObject",
    "LimitError",
    "Manifest",
    "ModelValidationError",
    "OptionsError",
    "OverlayError",
    "PatchTestFailed",
    "Problem",
    "SelectorError",
    "Summary",
    "YAMLSyntaxError",
    "__version__",
    "check",
    "check_syntax",
    "kustomize_overlay",
    "load",
    "load_path",
    "load_recipe",
    "summary",
    "validate",
]
