"""istio-patch: the hand edits of installing Istio on your own hardware, made safely.

A Manifest is a YAML stream that renders back byte for byte; RFC 6902 operations edit it in place,
changing only the lines they require; transforms (``from istio_patch import transforms``) turn the
field guide's edits into such operations.
"""

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

__version__ = "0.1.0"

__all__ = [
    "DecodeError",
    "Document",
    "Duplicate",
    "EditError",
    "IstioPatchError",
    "KubeObject",
    "LimitError",
    "Manifest",
    "ModelValidationError",
    "OptionsError",
    "PatchTestFailed",
    "SelectorError",
    "YAMLSyntaxError",
    "__version__",
    "check_syntax",
    "load",
    "load_path",
]
