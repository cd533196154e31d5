"""``images``: every image a manifest will pull, with every place that names it (step 5 of the guide).

The guide ran ``grep 'image:' istio-demo.yaml`` and pulled each result on every node. That misses images
named on a line of their own: the sidecar-injector ConfigMap of Istio 1.0 holds a Pod template (Go template
text between ``[[ ]]``) whose proxy image sits on the line after ``image: [[ if ... -]]``. ``images`` reads
the Kubernetes view of the manifest instead:

- every ``image`` field of every container (init, regular and ephemeral; any workload kind, CronJob job
  templates, Pods, and items of ``kind: List``), where ``nginx`` means ``docker.io/library/nginx:latest``;
- inside every other string value (ConfigMap data, container args, annotations), each word that is a
  reference with an explicit registry and a tag or digest (``gcr.io/istio-release/proxyv2:1.0.0``), or that
  follows ``image:`` on its line. Registry prefixes alone (a chart's ``hub``), URLs and host:port addresses
  are not images.

References are unique by the image they pull (``nginx`` and ``docker.io/library/nginx:latest`` are one), in
order of first appearance, each with all its places: document, 1-based line of the reference itself (inside
a block scalar too), object and JSON pointer of the string. ``template`` marks places inside Go template text
(``[[ ]]`` or ``{{ }}``): the image is pulled when the template is used (the injector adds the proxy to
every injected Pod), not when the manifest is applied. ``images`` is a query, not a transform: it changes
nothing and needs no options.

Example:
    >>> from istio_patch import load
    >>> m = load("kind: Pod\\nmetadata: {name: p}\\nspec:\\n  containers:\\n  - name: web\\n    image: nginx\\n")
    >>> [(use.reference, use.pulled, [p.line for p in use.places]) for use in images(m)]
    [('nginx', 'docker.io/library/nginx:latest', [6])]
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from typing import Any, Iterator, Sequence

from .._errors import IstioPatchError
from .._kube import escape_token, is_merge_key, mapping_key
from .._manifest import Document, KubeObject, Manifest
from .._manifest import _objects_of as objects_of
from .._parse import MappingNode, Node, ScalarNode, SequenceNode
from ._reference import Found, Reference, find_image_references

__all__ = ["ImagePlace", "ImageUse", "images", "StringValue", "string_values", "is_image_field", "line_of", "lines_of"]

_CONTAINER_FIELDS = frozenset({"containers", "initContainers", "ephemeralContainers"})
_TEMPLATE_MARKS = ("[[", "{{")


@dataclass(frozen=True)
class ImagePlace:
    """One place that names an image.

    Attributes:
        document: 1-based number of the document in the stream.
        line: 1-based line of the file where the reference is written.
        object: the object that holds it (``Deployment istio-system/istio-pilot``).
        pointer: JSON pointer of the string inside the document (``/spec/template/spec/containers/0/image``).
        image_field: True for a container's ``image`` field, False for a reference inside another string.
        template: True when the string is Go template text (``[[ ]]`` or ``{{ }}``).
    """

    document: int
    line: int
    object: str
    pointer: str
    image_field: bool
    template: bool

    def __str__(self) -> str:
        return f"{self.line}: {self.object} {self.pointer}" + (" (template)" if self.template else "")


@dataclass(frozen=True)
class ImageUse:
    """An image the manifest will pull: ``reference`` as first written, ``pulled`` in full, and its places."""

    reference: str
    pulled: str
    places: tuple[ImagePlace, ...]

    @property
    def line(self) -> int:
        """The line of the first place that names it."""
        return self.places[0].line


@dataclass(frozen=True)
class StringValue:
    """A string of an object's Kubernetes view, with where it is (pointer tokens relative to the document)."""

    document: Document
    object: KubeObject
    tokens: tuple[str, ...]
    value: str

    @property
    def pointer(self) -> str:
        """The JSON pointer inside the document."""
        return "".join("/" + escape_token(t) for t in self.tokens)

    @property
    def object_pointer(self) -> str:
        """The JSON pointer relative to the object (for ``Edit.on``)."""
        return self.pointer[len(self.object.pointer) :]

    @property
    def image_field(self) -> bool:
        return is_image_field(self.tokens)

    @property
    def template(self) -> bool:
        return any(mark in self.value for mark in _TEMPLATE_MARKS)


def is_image_field(tokens: tuple[str, ...]) -> bool:
    """True for ``.../containers/N/image`` (and init and ephemeral containers), wherever the pod spec is."""
    return len(tokens) >= 3 and tokens[-1] == "image" and tokens[-2].isdigit() and tokens[-3] in _CONTAINER_FIELDS


def string_values(document: Document) -> Iterator[StringValue]:
    """Every string value of the objects of ``document``, in document order (mapping keys are not values).

    Documents that are not objects (empty, comments only, scalars, mappings without a kind) yield nothing.
    """
    for owner, tokens, value in _strings(document):
        yield StringValue(document, owner, tokens, value)


def _strings(document: Document) -> Iterator[tuple[KubeObject, tuple[str, ...], str]]:
    """(object, pointer tokens, value) of every string value of ``document``: :func:`string_values` unwrapped."""
    objects = list(objects_of(document))
    if not objects:
        return
    items = {obj.pointer: obj for obj in objects[1:]}
    top = objects[0]
    stack: list[tuple[tuple[str, ...], Any, KubeObject]] = [((), top.data, top)]
    while stack:
        tokens, value, owner = stack.pop()
        if len(tokens) == 2 and tokens[0] == "items":
            owner = items.get(f"/items/{tokens[1]}", owner)
        if isinstance(value, str):
            yield owner, tokens, value
        elif isinstance(value, dict):  # numbers, booleans and nulls hold no string: they are not visited
            stack.extend([(tokens + (str(k),), v, owner) for k, v in reversed(value.items()) if isinstance(v, (str, dict, list))])
        elif isinstance(value, list):
            stack.extend([(tokens + (str(i),), v, owner) for i, v in reversed(list(enumerate(value))) if isinstance(v, (str, dict, list))])


def line_of(string: StringValue, start: int = 0, text: str | None = None) -> int:
    """The 1-based file line where ``text`` (found at ``start`` in the string's value) is written.

    Found in the scalar's source text by counting occurrences, which holds for plain, quoted and literal
    scalars; where escapes or folding hide it, the scalar's first line is the answer.
    """
    return lines_of(string, [(start, text)])[0]


def lines_of(string: StringValue, found: Sequence[tuple[int, str | None]]) -> list[int]:
    """:func:`line_of` for each ``(start, text)`` of ``found``, reading the string's source once for all.

    A string that names one image thousands of times (a generated ConfigMap) would cost a scan of the whole
    string per place if each were counted on its own; here each distinct text is looked for once.
    """
    document = string.document
    node = _node_at(document.node, string.tokens)
    if node is None:
        return [document.line] * len(found)
    first = document.line + node.start_mark.line
    if not isinstance(node, ScalarNode):
        return [first] * len(found)
    source = document.text[node.start_mark.index : node.end_mark.index]
    value: str = string.value
    newlines: list[int] | None = None
    where: dict[str, tuple[list[int], list[int]] | None] = {}  # text -> (ends of its counted occurrences, places)
    lines = []
    for start, text in found:
        if not text:
            lines.append(first)
            continue
        if text not in where:
            where[text] = _occurrences(value, source, text)
        occurrences = where[text]
        if occurrences is None:  # escapes or folding: the value and the source do not spell it alike
            lines.append(first)
            continue
        ends, places = occurrences
        # the nth occurrence in the value (counted without overlaps, as str.count does) is the nth in the source
        nth = bisect_right(ends, start) if start >= 0 else value.count(text, 0, start)
        if nth >= len(places):  # ``text`` is not at ``start``: the answer of counting one by one, as before
            lines.append(first + source.count("\n", 0, _nth_find(source, text, nth)))
            continue
        if newlines is None:
            newlines = _positions(source, "\n")
        lines.append(first + bisect_left(newlines, places[nth]))  # the newlines before it
    return lines


def _nth_find(source: str, text: str, nth: int) -> int:
    at = -1
    for _ in range(nth + 1):
        at = source.find(text, at + 1)
    return at


def _positions(text: str, char: str) -> list[int]:
    found = []
    at = text.find(char)
    while at >= 0:
        found.append(at)
        at = text.find(char, at + 1)
    return found


def _occurrences(value: str, source: str, text: str) -> tuple[list[int], list[int]] | None:
    """Where ``text`` is counted in ``value`` (ends, without overlaps) and found in ``source`` (starts, with
    overlaps); None when the two hold it a different number of times."""
    ends: list[int] = []
    at = value.find(text)
    while at >= 0:
        ends.append(at + len(text))
        at = value.find(text, at + len(text))
    if len(ends) != source.count(text):
        return None
    places: list[int] = []
    at = source.find(text)
    while at >= 0 and len(places) < len(ends):  # a place past the last counted occurrence is never asked for
        places.append(at)
        at = source.find(text, at + 1)
    return ends, places


def _node_at(node: Node | None, tokens: tuple[str, ...]) -> Node | None:
    for token in tokens:
        if isinstance(node, MappingNode):
            found = None
            for key, value in node.value:
                try:
                    if not is_merge_key(key) and mapping_key(key) == token:
                        found = value  # the last writing wins, as in Kubernetes
                except IstioPatchError:
                    continue
            node = found
        elif isinstance(node, SequenceNode) and token.isdigit() and int(token) < len(node.value):
            node = node.value[int(token)]
        else:
            return None
        if node is None:
            return None
    return node


def references_in(string: StringValue) -> Iterator[Found]:
    """The references ``string`` names: the whole value of an image field, or the image-like words of another."""
    if string.image_field:
        ref = Reference.parse(string.value.strip())
        if ref is not None:
            start = string.value.index(string.value.strip()) if string.value.strip() else 0
            yield Found(start, start + len(string.value.strip()), ref, True)
            return
    yield from find_image_references(string.value)


def images(manifest: Manifest) -> tuple[ImageUse, ...]:
    """Every image reference ``manifest`` will pull, unique, in order of first appearance, with its places.

    Example:
        >>> from istio_patch import load
        >>> m = load("kind: ConfigMap\\nmetadata: {name: c}\\ndata:\\n  t: |\\n    run [[ .X ]]\\n    quay.io/a/b:1\\n")
        >>> [(u.reference, u.places[0].line, u.places[0].template) for u in images(m)]
        [('quay.io/a/b:1', 6, True)]
    """
    order: list[str] = []
    first: dict[str, str] = {}
    places: dict[str, list[ImagePlace]] = {}
    for document in manifest.documents:
        for owner, tokens, value in _strings(document):
            if not (is_image_field(tokens) or "/" in value or "image:" in value):
                continue  # no registry, no image key, no image field: references_in would find nothing
            string = StringValue(document, owner, tokens, value)
            found = list(references_in(string))
            if not found:
                continue
            # what every place in this string shares, worked out once (a string may name thousands of images)
            lines = lines_of(string, [(item.start, item.text) for item in found])
            described, pointer, image_field, template = owner.describe(), string.pointer, string.image_field, string.template
            for item, line in zip(found, lines):
                key = item.reference.pulled()
                if key not in places:
                    order.append(key)
                    first[key] = item.text
                    places[key] = []
                places[key].append(
                    ImagePlace(document=document.number, line=line, object=described, pointer=pointer, image_field=image_field, template=template)
                )
    return tuple(ImageUse(first[key], key, tuple(places[key])) for key in order)
