"""Typed, frozen models of Kubernetes objects (pydantic v2): what transforms and checks read.

Read them from a manifest with ``manifest.objects(Deployment)`` or ``manifest.get("deploy/istio-pilot",
"istio-system")``; each knows where it was read (``model.origin``). A changed copy becomes an edit with
``transforms.Edit.between(before, after)``. See docs/extending.md.

Example:
    >>> from istio_patch import load
    >>> from istio_patch.models import Service
    >>> web = load("kind: Service\\nmetadata: {name: web}\\nspec: {type: LoadBalancer}\\n").objects(Service)[0]
    >>> (web.name, web.type, web.origin.line)
    ('web', 'LoadBalancer', 1)
"""

from ._models import *  # noqa: F403 - the public names are the private module's __all__
from ._models import __all__ as __all__
