"""``images`` as it was first written, kept as the oracle of the single-pass version: every word of every
string parsed, each place's line counted in the whole string on its own (quadratic in the places), and image
fields told by their path alone (``.../containers/N/image``), as before the typed models decided them. It
lists the literal references: the references templates build from values are not its business."""

from __future__ import annotations

from istio_patch import Manifest
from istio_patch._parse import ScalarNode
from istio_patch.transforms import _images, _reference
from istio_patch.transforms._images import ImagePlace, ImageUse, StringValue, is_image_field, string_values
from istio_patch.transforms._reference import Found, Reference


def find_references(text: str) -> list[Found]:
    found = []
    for match in _reference._TOKEN.finditer(text):
        start = match.start(1)
        word = match.group(1)
        ref = Reference.parse(word)
        while ref is None and word and word[-1] in ".:/-@":
            word = word[:-1]
            ref = Reference.parse(word) if word else None
        if ref is None or str(ref) != word:
            continue
        window = text[max(0, start - 64) : start]
        image_field = bool(_reference._IMAGE_KEY.search(window[window.rfind("\n") + 1 :]))
        found.append(Found(start, start + len(word), ref, image_field))
    return found


def image_references(text: str) -> list[Found]:
    return [f for f in find_references(text) if f.image_field or (f.reference.domain and (f.reference.tag or f.reference.digest))]


def line_of(string: StringValue, start: int = 0, text: str | None = None) -> int:
    document = string.document
    node = _images._node_at(document.node, string.tokens)
    if node is None:
        return document.line
    first = document.line + node.start_mark.line
    if not text or not isinstance(node, ScalarNode):
        return first
    source = document.text[node.start_mark.index : node.end_mark.index]
    value = string.value
    nth = value.count(text, 0, start)
    if value.count(text) != source.count(text):
        return first
    at = -1
    for _ in range(nth + 1):
        at = source.find(text, at + 1)
    return first + source.count("\n", 0, at)


def references_in(string: StringValue) -> list[Found]:
    if is_image_field(string.tokens):
        ref = Reference.parse(string.value.strip())
        if ref is not None:
            start = string.value.index(string.value.strip()) if string.value.strip() else 0
            return [Found(start, start + len(string.value.strip()), ref, True)]
    return image_references(string.value)


def images(manifest: Manifest) -> tuple[ImageUse, ...]:
    order: list[str] = []
    first: dict[str, str] = {}
    places: dict[str, list[ImagePlace]] = {}
    for document in manifest.documents:
        for string in string_values(manifest, document):
            for found in references_in(string):
                key = found.reference.pulled()
                if key not in places:
                    order.append(key)
                    first[key] = found.text
                    places[key] = []
                places[key].append(
                    ImagePlace(
                        document=document.index + 1,
                        line=line_of(string, found.start, found.text),
                        object=string.object.describe(),
                        pointer=string.pointer,
                        image_field=is_image_field(string.tokens),
                        template=string.template,
                    )
                )
    return tuple(ImageUse(first[key], key, tuple(places[key])) for key in order)
