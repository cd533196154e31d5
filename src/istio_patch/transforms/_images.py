"""``images``: every image a manifest will pull, with every place that names it (step 5 of the guide).

The guide ran ``grep 'image:' istio-demo.yaml`` and pulled each result on every node. That misses images
named on a line of their own: the sidecar-injector ConfigMap of Istio 1.0 holds a Pod template (Go template
text between ``[[ ]]``) whose proxy image sits on the line after ``image: [[ if ... -]]``; and since Istio 1.1
that template builds its images from values (``{{ .Values.global.hub }}/{{ .Values.global.proxy_init.image
}}:{{ .Values.global.tag }}``), which no grep finds. ``images`` reads the Kubernetes view of the manifest:

- every ``image`` field of every container: the containers of the typed workload models (init, regular and
  ephemeral; Deployments, DaemonSets, StatefulSets, ReplicaSets, ReplicationControllers, Jobs, CronJobs'
  job templates and Pods, items of ``kind: List`` too), where ``nginx`` means
  ``docker.io/library/nginx:latest``. Objects of other kinds (custom resources such as a Knative Service
  or an Argo Rollout, whose controllers run the Pod templates they embed) count ``.../containers/N/image``
  wherever it is. A workload the API server would refuse (a field of the wrong type, even one images do not
  depend on) does not stop the listing: its image fields are found by that path too, and a warning says what
  the API server would refuse;
- inside every other string value (ConfigMap data, container args, annotations), each word that is a
  reference with an explicit registry and a tag or digest (``gcr.io/istio-release/proxyv2:1.0.0``), or that
  follows ``image:`` on its line. Registry prefixes alone (a chart's ``hub``), URLs and host:port addresses
  are not images;
- inside Go template text, the images the template builds from values: a ConfigMap's ``data.values`` (JSON,
  as the sidecar injector reads them) serve as ``.Values`` for the templates of that ConfigMap, branches the
  values rule out are skipped, and what the injected Pod decides is not known (see ``_templates``). An
  image-like expression that cannot be resolved (``image:`` followed by an action whose value the manifest
  does not hold) is a warning, with its line.

References are unique by the image they pull (``nginx`` and ``docker.io/library/nginx:latest`` are one), in
order of first appearance, each with all its places: document, 1-based line of the reference itself (inside
a block scalar too; for a built reference, the line of its first action), object and JSON pointer of the
string. ``template`` marks places inside Go template text (``[[ ]]`` or ``{{ }}``): the image is pulled when
the template is used (the injector adds the proxy to every injected Pod), not when the manifest is applied.
A built reference's place is a :class:`ResolvedPlace`, whose ``expression`` is the template's text for it.
``images`` is a query, not a transform: it changes nothing and needs no options; :func:`image_report` gives
the same listing with the warnings.

Example:
    >>> from istio_patch import load
    >>> m = load("kind: Pod\\nmetadata: {name: p}\\nspec:\\n  containers:\\n  - name: web\\n    image: nginx\\n")
    >>> [(use.reference, use.pulled, [p.line for p in use.places]) for use in images(m)]
    [('nginx', 'docker.io/library/nginx:latest', [6])]
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from .._errors import ModelValidationError
from .._manifest import Document, KubeObject, Manifest
from .._manifest import _objects_of as objects_of
from .._parse import Node, ScalarNode
from .._pointer import join, resolve
from .._pointer import tokens as pointer_tokens
from .._text import occurrences
from ._base import documents_mentioning
from ._reference import Found, Reference, find_image_references
from ._templates import Known, TemplateImage, Unknown, Value, delimiters, read_values, template_images

__all__ = [
    "ImagePlace",
    "ResolvedPlace",
    "ImageUse",
    "ImageWarning",
    "ImageReport",
    "images",
    "image_report",
    "StringValue",
    "string_values",
    "templates_in",
    "values_of",
    "is_image_field",
    "line_of",
    "lines_of",
]

_CONTAINER_FIELDS = frozenset({"containers", "initContainers", "ephemeralContainers"})
_TEMPLATE_MARKS = ("[[", "{{")
_READS_VALUES = ".Values"  # what template text that reads values holds (``.Values.x``, ``$.Values.x``)
_NOT_READ = Unknown("the template reads no values")


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
class ResolvedPlace(ImagePlace):
    """A place where Go template text builds the image from values; ``line`` is the line of its first action.

    Attributes:
        expression: the template's text for the reference
            (``{{ .Values.global.hub }}/{{ .Values.global.proxy_init.image }}:{{ .Values.global.tag }}``).
    """

    expression: str

    def __str__(self) -> str:
        return f"{self.line}: {self.object} {self.pointer} (template: {self.expression})"


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
class ImageWarning:
    """Something that keeps :func:`image_report` from naming an image for sure, and where.

    Attributes:
        document: 1-based number of the document in the stream.
        line: 1-based line of the file.
        object: the object (``ConfigMap istio-system/istio-sidecar-injector``).
        pointer: JSON pointer inside the document (of the template string, or of the refused field).
        message: what it is.
    """

    document: int
    line: int
    object: str
    pointer: str
    message: str

    def __str__(self) -> str:
        return f"{self.line}: {self.object} {self.pointer}: {self.message}"


@dataclass(frozen=True)
class ImageReport:
    """What :func:`image_report` finds: the images (as :func:`images` lists them) and the warnings."""

    uses: tuple[ImageUse, ...]
    warnings: tuple[ImageWarning, ...]


@dataclass(frozen=True)
class StringValue:
    """A string of an object's Kubernetes view, with where it is (pointer tokens relative to the document).

    ``image_field`` is True for a container's ``image`` (see :func:`string_values`).
    """

    document: Document
    object: KubeObject
    tokens: tuple[str, ...]
    value: str
    image_field: bool = False

    @property
    def pointer(self) -> str:
        """The JSON pointer inside the document."""
        return join(self.tokens)

    @property
    def object_pointer(self) -> str:
        """The JSON pointer relative to the object (for ``Edit.on``)."""
        return self.pointer[len(self.object.pointer) :]

    @property
    def template(self) -> bool:
        return any(mark in self.value for mark in _TEMPLATE_MARKS)


def is_image_field(tokens: tuple[str, ...]) -> bool:
    """True for ``.../containers/N/image`` (and init and ephemeral containers), wherever the pod spec is.

    What decides for objects that are no known workload (custom resources); a workload's image fields are
    its typed model's containers.
    """
    return len(tokens) >= 3 and tokens[-1] == "image" and tokens[-2].isdigit() and tokens[-3] in _CONTAINER_FIELDS


def string_values(manifest: Manifest, document: Document, warnings: list[ImageWarning] | None = None) -> Iterator[StringValue]:
    """Every string value of the objects of ``document`` (one of ``manifest``'s), in document order (mapping
    keys are not values), each marked when it is a container's ``image`` field.

    A workload's image fields are those of its typed model (``Workload.containers()``), which is built only
    for workloads that hold a string under an ``image`` key. A workload the model refuses (ModelValidationError:
    a field the API server would refuse, even one the images do not depend on) is read as a custom resource
    is, by the path (:func:`is_image_field`), and a warning carrying the model's error is added to ``warnings``:
    a listing of images and a mirror should not stop at a wrong ``containerPort`` type, and what they find
    there is what they found before the models existed. Documents that are not objects (empty, comments only,
    scalars, mappings without a kind) yield nothing.
    """
    for owner, tokens, value, image_field in _strings(manifest, document, warnings):
        yield StringValue(document, owner, tokens, value, image_field)


def _strings(manifest: Manifest, document: Document, warnings: list[ImageWarning] | None) -> Iterator[tuple[KubeObject, tuple[str, ...], str, bool]]:
    """(object, pointer tokens, value, image field) of every string value of ``document``: :func:`string_values` unwrapped."""
    objects = list(objects_of(document))
    if not objects:
        return
    items = {obj.pointer: obj for obj in objects[1:]}
    fields: dict[str, dict[tuple[str, ...], str] | None] = {}  # object pointer -> its image fields (None: by path)
    top = objects[0]
    # the view itself, not a copy (``KubeObject.data``): the walk only reads it, and yields strings
    stack: list[tuple[tuple[str, ...], Any, KubeObject]] = [((), top._view(), top)]
    while stack:
        tokens, value, owner = stack.pop()
        if len(tokens) == 2 and tokens[0] == "items":
            owner = items.get(f"/items/{tokens[1]}", owner)
        if isinstance(value, str):
            if tokens and tokens[-1] == "image":  # what every image field ends with: decide only for these
                if owner.pointer not in fields:
                    fields[owner.pointer] = _image_fields(manifest, owner, warnings)
                typed = fields[owner.pointer]
                if typed is None:
                    yield owner, tokens, value, is_image_field(tokens)
                else:
                    image = typed.get(tokens)
                    yield owner, tokens, (image if image is not None else value), image is not None
            else:
                yield owner, tokens, value, False
        elif isinstance(value, dict):  # numbers, booleans and nulls hold no string: they are not visited
            stack.extend([(tokens + (str(k),), v, owner) for k, v in reversed(value.items()) if isinstance(v, (str, dict, list))])
        elif isinstance(value, list):
            stack.extend([(tokens + (str(i),), v, owner) for i, v in reversed(list(enumerate(value))) if isinstance(v, (str, dict, list))])


def _image_fields(manifest: Manifest, obj: KubeObject, warnings: list[ImageWarning] | None) -> dict[tuple[str, ...], str] | None:
    """The image fields of ``obj`` (pointer tokens in the document -> image) from its typed workload model;
    None when the path decides: a kind that is no known workload, or a workload its model refuses."""
    from .._models import DEFAULT_REGISTRY, Workload

    model = DEFAULT_REGISTRY.model_for(obj.api_version, obj.kind)
    if not issubclass(model, Workload):
        return None
    try:
        workload = manifest.typed(obj, model)
    except ModelValidationError as exc:
        if warnings is not None:
            described = obj.describe()
            detail = exc.message[len(described) + 2 :] if exc.message.startswith(described + ": ") else exc.message
            message = f"the API server would refuse this object ({detail}); its images are found where its containers are written"
            warnings.append(ImageWarning(obj.document, exc.line or obj.line, described, exc.pointer or obj.pointer, message))
        return None
    base = tuple(pointer_tokens(obj.pointer))
    return {base + tuple(pointer_tokens(pointer)) + ("image",): c.image for pointer, c in workload.containers() if c.image is not None}


def values_of(manifest: Manifest, obj: KubeObject) -> Value:
    """What the templates of ``obj`` read as ``.Values``: a ConfigMap's ``data.values`` (the sidecar injector's
    convention), read through the typed ConfigMap model; Unknown, saying why, for anything else."""
    from .._models import ConfigMap

    if obj.kind != "ConfigMap":
        return Unknown(f"{obj.describe()} is no ConfigMap, whose data.values a template would read as .Values")
    try:
        data = manifest.typed(obj, ConfigMap).data or {}
    except ModelValidationError as exc:
        return Unknown(f"its values cannot be read: {exc.message}")
    text = data.get("values")
    if text is None:
        return Unknown(f"{obj.describe()} keeps no values (data.values) to read .Values from")
    return read_values(text)


def templates_in(string: StringValue, values: Value) -> list[TemplateImage]:
    """The images Go template text in ``string`` builds (resolved or not), reading ``.Values`` from ``values``.

    Only strings that may build one are run: template text that holds an ``image:`` key, or template text
    that reads the values of an object that keeps them.
    """
    if string.image_field or delimiters(string.value) is None:
        return []
    if "image:" not in string.value and not (isinstance(values, Known) and _READS_VALUES in string.value):
        return []
    return template_images(string.value, values)


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
        counted = where[text]
        if counted is None:  # escapes or folding: the value and the source do not spell it alike
            lines.append(first)
            continue
        ends, places = counted
        # the nth occurrence in the value (counted without overlaps, as str.count does) is the nth in the source
        nth = bisect_right(ends, start) if start >= 0 else value.count(text, 0, start)
        if nth >= len(places):  # ``text`` is not at ``start``: the answer of counting one by one, as before
            lines.append(first + source.count("\n", 0, _nth_find(source, text, nth)))
            continue
        if newlines is None:
            newlines = occurrences(source, "\n")
        lines.append(first + bisect_left(newlines, places[nth]))  # the newlines before it
    return lines


def _nth_find(source: str, text: str, nth: int) -> int:
    at = -1
    for _ in range(nth + 1):
        at = source.find(text, at + 1)
    return at


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
    found = resolve(node, tokens)
    return found.node if found.complete else None


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

    The images Go template text builds from values are among them (:class:`ResolvedPlace`); what keeps one
    from being resolved is in :func:`image_report`'s warnings.

    Example:
        >>> from istio_patch import load
        >>> m = load("kind: ConfigMap\\nmetadata: {name: c}\\ndata:\\n  t: |\\n    run [[ .X ]]\\n    quay.io/a/b:1\\n")
        >>> [(u.reference, u.places[0].line, u.places[0].template) for u in images(m)]
        [('quay.io/a/b:1', 6, True)]
    """
    return image_report(manifest).uses


def image_report(manifest: Manifest) -> ImageReport:
    """:func:`images`, and a warning for each image-like template expression that cannot be resolved (with its
    line and why), each image field that holds template text, and each workload whose model is refused.

    Example:
        >>> from istio_patch import load
        >>> m = load('''kind: ConfigMap
        ... metadata: {name: injector}
        ... data:
        ...   values: '{"hub": "docker.io/istio", "tag": "1.2.3"}'
        ...   config: |
        ...     image: "{{ .Values.hub }}/proxy_init:{{ .Values.tag }}"
        ...     image: "{{ .Values.hub }}/proxyv2:{{ .Values.version }}"
        ... ''')
        >>> report = image_report(m)
        >>> [(u.pulled, str(u.places[0])) for u in report.uses]
        [('docker.io/istio/proxy_init:1.2.3', '6: ConfigMap injector /data/config (template: {{ .Values.hub }}/proxy_init:{{ .Values.tag }})')]
        >>> [str(w) for w in report.warnings]
        ['7: ConfigMap injector /data/config: the image {{ .Values.hub }}/proxyv2:{{ .Values.version }} cannot be resolved: the values have no version']
    """
    return _collect(manifest, resolve=True)


def _collect(manifest: Manifest, *, resolve: bool) -> ImageReport:
    """The report; without ``resolve``, the literal listing alone (no template is run, no warning about one)."""
    order: list[str] = []
    first: dict[str, str] = {}
    places: dict[str, list[ImagePlace]] = {}
    warnings: list[ImageWarning] = []
    # A document whose text holds neither "/" nor "image" (nor an escape or !!binary that could hide them) has no
    # image field, no reference naming its registry and no template building one: it is not parsed at all.
    for document in documents_mentioning(manifest.documents, ["/", "image"], every=False):
        values: dict[str, Value] = {}  # object pointer -> what its templates read as .Values, read once
        for owner, tokens, value, image_field in _strings(manifest, document, warnings if resolve else None):
            templated = resolve and not image_field and ("{{" in value or "[[" in value) and delimiters(value) is not None
            if not (image_field or "/" in value or "image:" in value or templated):
                continue  # no registry, no image key, no image field, no template: nothing to find
            string = StringValue(document, owner, tokens, value, image_field)
            found: list[tuple[int, Any, str]] = [(item.start, item, item.text) for item in references_in(string)]
            if templated:
                owner = string.object
                if owner.pointer not in values and _READS_VALUES in value:  # else its values are never asked for
                    values[owner.pointer] = values_of(manifest, owner)
                built = templates_in(string, values.get(owner.pointer, _NOT_READ))
                if built:  # a word a template writes is its image, not the literal text around its actions
                    found = [f for f in found if not any(f[0] < b.end and f[1].end > b.start for b in built)]
                    found = sorted(found + [(b.anchor.start, b, b.anchor.written) for b in built], key=lambda f: f[0])
            elif resolve and string.image_field and delimiters(value) is not None and not found:
                message = f"the image {value.strip()} is template text, which nothing renders in an image field"
                warnings.append(ImageWarning(document.number, line_of(string), string.object.describe(), string.pointer, message))
            if not found:
                continue
            # what every place in this string shares, worked out once (a string may name thousands of images)
            lines = lines_of(string, [(start, text) for start, _, text in found])
            described, pointer, image_field, template = string.object.describe(), string.pointer, string.image_field, string.template
            for (_, item, _), line in zip(found, lines):
                if isinstance(item, TemplateImage):
                    if item.reference is None:
                        message = f"the image {item.written} cannot be resolved: {item.problem}"
                        warnings.append(ImageWarning(document.number, line, described, pointer, message))
                        continue
                    key, text = item.reference.pulled(), str(item.reference)
                    place: ImagePlace = ResolvedPlace(document.number, line, described, pointer, False, True, item.written)
                else:
                    key, text = item.reference.pulled(), item.text
                    place = ImagePlace(document=document.number, line=line, object=described, pointer=pointer, image_field=image_field, template=template)
                if key not in places:
                    order.append(key)
                    first[key] = text
                    places[key] = []
                places[key].append(place)
    uses = tuple(ImageUse(first[key], key, tuple(places[key])) for key in order)
    return ImageReport(uses, tuple(warnings))

