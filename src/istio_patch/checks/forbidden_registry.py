"""``forbidden-registry``: an image from a registry the nodes cannot pull from (``--forbid-registry``).

Air-gapped clusters, and clusters behind a firewall that blocks ``gcr.io`` (the reason for the field guide's
step 4), cannot pull those images: the pods stay in ``ImagePullBackOff``. Every image reference counts,
including the ones inside ConfigMap templates that the sidecar injector writes into every pod, and the ones
its template builds from its values (``{{ .Values.global.hub }}/...``), reported where that template is written.

Fails (with ``--forbid-registry gcr.io``)::

    image: gcr.io/istio-release/pilot:1.0.0

Passes: ``docker.io/istio/pilot:1.0.0`` (``--mirror gcr.io/istio-release=docker.io/istio``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from .._manifest import Manifest
from ._base import CheckOptions, Context, Finding, Rule

if TYPE_CHECKING:  # the transforms load only when the rule runs (it runs only when asked)
    from ..transforms._images import ImagePlace

__all__ = ["RULE"]


def check(context: Context) -> Iterator[Finding]:
    from ..transforms import images

    for manifest in context.manifests:
        lines: dict[int, list[str]] = {}  # a document's lines, split once however many places it holds
        for use in images(manifest):
            for registry in context.options.forbid_registries:
                prefix = registry.rstrip("/")
                if use.pulled == prefix or use.pulled.startswith(prefix + "/") or use.reference.startswith(prefix + "/"):
                    for place in use.places:
                        line, column = _place_position(manifest, place, use.reference, lines)
                        yield Finding(
                            manifest.source,
                            line,
                            column,
                            RULE.id,
                            f"the image {use.reference} comes from the forbidden registry {registry}",
                            RULE.severity,
                            place.document,
                            place.pointer,
                        )
                    break


def _place_position(manifest: Manifest, place: ImagePlace, reference: str, lines: dict[int, list[str]]) -> tuple[int, int]:
    """Line and column of an image's place: an image field's value, or the reference inside a longer string."""
    from ..transforms._images import ResolvedPlace

    doc = manifest.documents[place.document - 1]
    if place.image_field:
        return doc.position(place.pointer)
    if doc.index not in lines:
        lines[doc.index] = doc.text.split("\n")
    index = place.line - doc.line
    text = lines[doc.index]
    written = place.expression if isinstance(place, ResolvedPlace) else reference  # a built image: its template
    column = text[index].find(written) + 1 if 0 <= index < len(text) else 0
    return place.line, max(column, 1)


def _asked(options: CheckOptions) -> bool:
    return bool(options.forbid_registries)


RULE = Rule("forbidden-registry", "error", "an image from a registry the nodes cannot pull from", check, enabled=_asked, doc=__doc__ or "")
