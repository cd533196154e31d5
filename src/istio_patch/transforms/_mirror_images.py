"""``mirror_images``: pull images from a mirror, by rules FROM -> TO (step 4 of the guide).

The guide ran ``sed -i 's@gcr.io/istio-release@docker.io/istio@g'``. A ``sed`` also rewrites look-alikes
(``gcr.io/istio-release-backup/...``, ``https://gcr.io/istio-release/...``); this transform rewrites image
references only, on the boundaries of Docker's reference grammar, and keeps their tags and digests.

FROM is one of:

- a registry: ``gcr.io``, ``localhost:5000`` (every image of that registry);
- a registry/namespace prefix or a repository: ``gcr.io/istio-release``, ``docker.io/library/nginx``, ``nginx``
  (every image whose name is that or lies under it, component by component);
- a full reference: ``quay.io/coreos/hyperkube:v1.7.6_coreos.0`` (that tag, or digest, only).

TO replaces exactly what FROM matched: the rest of the name, the tag and the digest stay
(``gcr.io/istio-release/pilot:1.0.0`` -> ``docker.io/istio/pilot:1.0.0``). A full-reference FROM needs a
full-reference TO with a tag (or digest) where FROM has one. Where several rules match, the most specific wins.

Where: every ``image`` field of every container (the containers of the typed workload models: init, regular,
ephemeral; CronJob job templates, Pods, ``kind: List`` items; in other kinds, ``.../containers/N/image``
wherever it is, as ``images`` finds them), where a name without registry means Docker Hub (``nginx`` is
``docker.io/library/nginx``, so a rule for ``docker.io`` or ``docker.io/library/nginx`` applies to it); and
inside every other string value (ConfigMap data such as the sidecar-injector template, container args),
where a reference counts when it names its registry (or FROM names none and the text spells it the same),
or follows ``image:`` on its line. Keys are never rewritten. Only the changed words are written, so each
edited line changes in place and nothing else moves.

Images a template builds from values (Istio 1.1 and later: ``"{{ .Values.global.hub }}/{{
.Values.global.proxy_init.image }}:{{ .Values.global.tag }}"``, with the values as JSON in the same ConfigMap)
are matched as ``images`` resolves them, and rewritten where they are built: in the value they start with,
the hub. The word rewrite above already rewrites a hub that names its registry (``"hub":"docker.io/istio"``);
a hub that does not (``"hub":"istio"``) is replaced in the values (JSON stays JSON, and only that word
changes), provided every image built from that hub then comes out as the rules say. A built image that the
rules would move otherwise (a rule for ``docker.io/istio/proxy_init`` alone, when the hub builds the proxy
too) is a warning, and the template is left as it is. A workload whose typed model is refused (a field the
API server would refuse) is mirrored by the path of its image fields, with a warning.

Checked before any work (OptionsError): two rules for the same FROM; a rule whose TO another rule (or itself)
would rewrite again, since running the transform twice would then not give the same result.

No match: a rule that matches nothing, and whose TO names no image either (so it was not applied already),
is a warning; when that holds for every rule, the transform raises SelectorError (a typo must not pass
silently), unless ``allow_no_match``.

Example:
    >>> from istio_patch import load
    >>> m = load("kind: Pod\\nmetadata: {name: p}\\nspec:\\n  containers:\\n  - name: app  # ours\\n"
    ...          "    image: \\"gcr.io/istio-release/pilot:1.0.0\\"\\n")
    >>> out = mirror_images(m, rules=["gcr.io/istio-release=docker.io/istio"])
    >>> print(out.manifest.render(), end="")
    kind: Pod
    metadata: {name: p}
    spec:
      containers:
      - name: app  # ours
        image: "docker.io/istio/pilot:1.0.0"
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any

from .._errors import OptionsError, SelectorError
from .._manifest import Manifest
from ._base import Edit, Plan, Result, TransformOptions, might_mention
from ._descriptor import Flag, Transform
from ._images import ImageWarning, StringValue, line_of, string_values, templates_in, values_of
from ._options import Bounds, Checked, FieldError
from ._reference import DOCKER_HUB, Found, Reference, find_references, is_registry
from ._templates import Known, TemplateImage, Value, read_values

__all__ = ["MirrorRule", "MirrorImagesOptions", "plan_mirror_images", "mirror_images", "TRANSFORM"]

_HUB_ALIASES = ("index.docker.io", "registry-1.docker.io")


@dataclass(frozen=True)
class _Pattern:
    """A rule side, read: what kind of name it is and its components (domain first, Docker Hub spelt out)."""

    text: str
    kind: str  # "registry", "repository" or "reference"
    prefixes: tuple[tuple[str, ...], ...]  # the component sequences it may mean (docker.io/x is also library/x)
    written: tuple[str, ...] | None  # the path as written when no registry is written, else None
    tag: str | None
    digest: str | None

    @property
    def hub(self) -> bool:
        return self.prefixes[0][0] == DOCKER_HUB

    def identity(self) -> tuple[Any, ...]:
        return (self.kind, self.prefixes[-1], self.tag, self.digest)


def _read(text: str) -> _Pattern:
    """The pattern ``text`` spells; ValueError saying why when it is not a registry, repository or reference.

    A name without '/' is a registry when its host holds a '.' or is ``localhost`` (``gcr.io``,
    ``localhost:5000``), or when it is written with a final '/' (``myregistry:5000/``); otherwise it is a
    Docker Hub repository (``nginx``) or reference (``nginx:1.25``).
    """
    stripped = text.strip()
    slashed = stripped.endswith("/")
    stripped = stripped.rstrip("/")
    if not stripped or any(ch.isspace() for ch in stripped):
        raise ValueError(f"{text!r} is not a registry, repository or image reference")
    if "/" not in stripped and "@" not in stripped and is_registry(stripped):
        host = stripped.split(":", 1)[0]
        if slashed or "." in host or host == "localhost":
            domain = DOCKER_HUB if stripped in _HUB_ALIASES else stripped
            return _Pattern(stripped, "registry", ((domain,),), None, None, None)
    ref = Reference.parse(stripped)
    if ref is None:
        raise ValueError(f"{text!r} is not a registry, repository or image reference")
    full = ref.components()
    literal = ((DOCKER_HUB if ref.domain in (None,) + _HUB_ALIASES else ref.domain),) + ref.path
    prefixes = (literal, full) if literal != full else (full,)
    kind = "reference" if ref.tag or ref.digest else "repository"
    return _Pattern(str(ref), kind, prefixes, None if ref.domain else ref.path, ref.tag, ref.digest)


def _split(text: str) -> tuple[str, str]:
    for separator in ("->", "="):
        if separator in text:
            source, target = text.split(separator, 1)
            return source.strip(), target.strip()
    raise ValueError(f"cannot read the rule {text!r}: write FROM=TO, e.g. gcr.io/istio-release=docker.io/istio")


@dataclass(frozen=True, kw_only=True)
class MirrorRule(Checked):
    """One rule: images named by ``source`` are pulled from ``target`` instead.

    Example:
        >>> MirrorRule.parse("gcr.io/istio-release=docker.io/istio").target
        'docker.io/istio'
    """

    source: str
    target: str

    @classmethod
    def parse(cls, text: str) -> MirrorRule:
        """``FROM=TO`` (the CLI's spelling; ``FROM -> TO`` works too); OptionsError when it is neither."""
        try:
            source, target = _split(text)
        except ValueError as exc:
            raise OptionsError(f"mirror_images: {exc}") from None
        return cls(source=source, target=target)

    def _check(self) -> None:
        source, target = _read(self.source), _read(self.target)
        if source.kind != "reference" and target.kind == "reference":
            raise ValueError(
                f"the rule {self.source} -> {self.target} maps a {source.kind} to a tagged reference; "
                "the tags of the images it matches would end up after the target's tag"
            )
        if source.kind == "reference":
            missing = [part for part, here, there in (("tag", source.tag, target.tag), ("digest", source.digest, target.digest)) if here and not there]
            if missing:
                raise ValueError(f"the rule {self.source} -> {self.target}: the source names a {missing[0]}, so the target must name one too")

    def __str__(self) -> str:
        return f"{self.source} -> {self.target}"


@dataclass(frozen=True, kw_only=True)
class MirrorImagesOptions(TransformOptions):
    """Options of :func:`mirror_images`: ``rules`` (MirrorRule, ``{"source":, "target":}`` or ``"FROM=TO"``)."""

    rules: Annotated[list[MirrorRule], Bounds(min_length=1)]

    def _check(self) -> None:
        _refuse_contradictions(_compile(self.rules))

    @classmethod
    def _prepare(cls, data: dict[str, Any]) -> dict[str, Any]:
        value = data.get("rules")
        if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
            return data
        out = []
        for index, rule in enumerate(value):
            if isinstance(rule, str):
                try:
                    rule = dict(zip(("source", "target"), _split(rule)))
                except ValueError as exc:
                    raise cls.invalid(("rules", index), str(exc), rule) from None
            elif isinstance(rule, (tuple, list)) and len(rule) == 2:
                rule = {"source": rule[0], "target": rule[1]}
            out.append(rule)
        return {**data, "rules": out}


@dataclass(frozen=True)
class _Rule:
    rule: MirrorRule
    source: _Pattern
    target: _Pattern

    def needles(self) -> tuple[str, ...]:
        """Words of which a string must hold one for this rule to match in it (besides image fields)."""
        if not self.source.hub:
            return (self.source.text,)
        words = (DOCKER_HUB, "image")
        return words + (self.source.text,) if self.source.written else words

    def may_build(self, *texts: str) -> bool:
        """Whether an image a template builds from pieces of ``texts`` (values, template) may match: a rule on
        Docker Hub may match a name without registry; any other needs each of its name's components (registry
        first) written in one of them, pieces being whole components (a hub, a name, a tag)."""
        if self.source.hub:
            return True
        if any("\\u" in text or "\\/" in text for text in texts):
            return True  # JSON escapes may spell any of them
        return all(any(component in text for text in texts) for component in self.source.prefixes[0])


def _compile(rules: Sequence[MirrorRule]) -> list[_Rule]:
    """The rules, read (each rule's sides were checked when it was built)."""
    return [_Rule(rule, _read(rule.source), _read(rule.target)) for rule in rules]


def _refuse_contradictions(rules: list[_Rule]) -> None:
    """Two rules for one source, and a rule whose target a rule rewrites again, are refused (FieldError)."""
    seen: dict[tuple[Any, ...], _Rule] = {}
    for index, rule in enumerate(rules):
        earlier = seen.get(rule.source.identity())
        if earlier is not None:
            if earlier.target.identity() == rule.target.identity():
                raise FieldError(("rules", index), f"the rule {rule.rule} is given twice")
            raise FieldError(
                ("rules", index),
                f"two rules for {rule.rule.source} contradict each other: -> {earlier.rule.target} and -> {rule.rule.target}",
            )
        seen[rule.source.identity()] = rule
    for index, rule in enumerate(rules):
        for other in rules:
            if other is rule and _lies_under(rule.target, rule.source):
                raise FieldError(
                    ("rules", index),
                    f"the rule {rule.rule} writes names that it matches itself, so every run would rewrite them again",
                )
            if other is not rule and (_lies_under(rule.target, other.source) or _lies_under(other.source, rule.target)):
                raise FieldError(
                    ("rules", index),
                    f"the rule {rule.rule} writes names that the rule {other.rule} rewrites again; "
                    "write one rule to the final target instead",
                )


def _lies_under(inner: _Pattern, outer: _Pattern) -> bool:
    """True when some image named by ``inner`` is also named by ``outer``."""
    for a in inner.prefixes:
        for b in outer.prefixes:
            if a[: len(b)] != b:
                continue
            if outer.kind != "reference":
                return True
            if inner.kind == "reference" and len(a) == len(b) and outer.tag in (None, inner.tag) and outer.digest in (None, inner.digest):
                return True
    return False


def _match(rule: _Rule, ref: Reference, *, implicit: bool = True) -> tuple[int, str] | None:
    """(specificity, new text) when ``rule`` rewrites ``ref``, else None.

    ``implicit`` is True in image fields, where a name means the image it pulls (``nginx`` is
    ``docker.io/library/nginx``). In free text it is False: a name is compared as written, and one without
    registry matches only a rule that spells it the same way, since such a word is not known to be an image.
    """
    source = rule.source
    if ref.domain is None and not implicit:
        if source.written is None or ref.path[: len(source.written)] != source.written:
            return None
        candidates = [(source.prefixes[0][0],) + ref.path]
    elif implicit:
        candidates = [ref.components()]  # an image field: the image it pulls, Docker Hub spelt out
    else:
        # free text with a registry: the name as written (``docker.io/istio`` may be a prefix, a chart's hub)
        written = ref.domain if ref.domain is not None and ref.domain not in _HUB_ALIASES else DOCKER_HUB
        candidates = [(written,) + ref.path]
    for components in candidates:
        for prefix in source.prefixes:
            if components[: len(prefix)] != prefix:
                continue
            rest = components[len(prefix) :]
            if source.kind == "reference":
                if rest or (source.tag and source.tag != ref.tag) or (source.digest and source.digest != ref.digest):
                    continue
                new = rule.target.text
                if ref.digest and not source.digest and not rule.target.digest:
                    new += f"@{ref.digest}"
                return (len(prefix) * 2 + 1, new)
            new = rule.target.text + "".join("/" + c for c in rest) + ref.suffix
            return (len(prefix) * 2, new)
    return None


def _best(rules: list[_Rule], found: Found, image_field: bool) -> tuple[_Rule, str] | None:
    best: tuple[int, _Rule, str] | None = None
    for rule in rules:
        hit = _match(rule, found.reference, implicit=image_field or found.image_field)
        if hit is not None and (best is None or hit[0] > best[0]):
            best = (hit[0], rule, hit[1])
    return None if best is None else (best[1], best[2])


def _candidates(string: StringValue) -> list[Found]:
    if string.image_field:
        value = string.value.strip()
        ref = Reference.parse(value)
        if ref is not None:
            start = string.value.index(value)
            return [Found(start, start + len(value), ref, True)]
    return list(find_references(string.value))


def _rewrite(string: StringValue, rules: list[_Rule], counts: dict[int, int]) -> tuple[str, list[str]] | None:
    """The string with the rules applied, and what changed; None when nothing does."""
    if not string.image_field and not any(n in string.value for r in rules for n in r.needles()):
        return None
    pieces: list[str] = []
    notes: list[str] = []
    last = 0
    for found in _candidates(string):
        hit = _best(rules, found, string.image_field)
        if hit is None:
            continue
        rule, new = hit
        counts[id(rule)] += 1
        if new == found.text:
            continue
        pieces.append(string.value[last : found.start] + new)
        notes.append(f"{found.text} -> {new}")
        last = found.end
    if not notes:
        return None
    return "".join(pieces) + string.value[last:], notes


def _scan(manifest: Manifest, rules: list[_Rule]) -> tuple[list[Edit], dict[int, int], list[str]]:
    counts = {id(rule): 0 for rule in rules}
    needles = {n for rule in rules for n in rule.needles()}
    edits: list[Edit] = []
    warnings: list[str] = []
    for document in manifest.documents:
        # cheap first: a document whose text cannot hold any rule's words, nor a template that reads values
        # (whose images are built from pieces), is not parsed at all
        if not any(might_mention(document.text, needle) for needle in needles) and not _may_build_images(document.text, rules):
            continue
        problems: list[ImageWarning] = []
        strings: dict[tuple[str, ...], _Rewritten] = {}  # the strings that change, by tokens
        owners: dict[str, _Templates] = {}  # object pointer -> its values and the images its templates build
        for order, string in enumerate(string_values(manifest, document, problems)):
            rewritten = _rewrite(string, rules, counts)
            if rewritten is not None:
                strings[string.tokens] = _Rewritten(order, string, *rewritten)
            if string.template or string.tokens[-2:] == ("data", "values"):
                _note_templates(order, string, owners)
        for templates in owners.values():
            built = _built(manifest, rules, templates)
            if built:
                warnings.extend(_mirror_built(templates, built, rules, counts, strings))
        edits.extend(
            Edit.on(entry.string.object, [{"op": "replace", "path": entry.string.object_pointer, "value": entry.value}], ", ".join(entry.notes))
            for entry in sorted(strings.values(), key=lambda entry: entry.order)
        )
        warnings.extend(f"mirror_images: {problem.object} (line {problem.line}): {problem.message}" for problem in problems)
    return edits, counts, warnings


# ---- images that templates build from values ----------------------------------------------------------------


def _may_build_images(text: str, rules: list[_Rule]) -> bool:
    """Whether a document may hold Go template text that reads values and builds an image a rule matches,
    which no rule's word names whole (its registry and its name are pieces).

    Delimiters and ``.Values`` are looked for as written: template text spells them out.
    """
    return ".Values" in text and ("{{" in text or "[[" in text) and any(rule.may_build(text) for rule in rules)


@dataclass
class _Rewritten:
    order: int  # the string's place in its document
    string: StringValue
    value: str
    notes: list[str]


@dataclass
class _Templates:
    """An object's values string and its template strings that read them."""

    values: StringValue | None = None
    values_order: int = 0
    strings: list[StringValue] = field(default_factory=list)


def _note_templates(order: int, string: StringValue, owners: dict[str, _Templates]) -> None:
    if string.object_pointer == "/data/values":
        templates = owners.setdefault(string.object.pointer, _Templates())
        templates.values, templates.values_order = string, order
    elif string.template and ".Values" in string.value:  # template text that reads no values builds nothing from them
        owners.setdefault(string.object.pointer, _Templates()).strings.append(string)


def _built(manifest: Manifest, rules: list[_Rule], templates: _Templates) -> list[tuple[StringValue, TemplateImage]]:
    """The images the templates build from the values, when a rule may match one (else the templates are not run)."""
    if templates.values is None or not templates.strings:
        return []
    owner = templates.values.object
    if not any(rule.may_build(templates.values.value, string.value) for rule in rules for string in templates.strings):
        return []
    values = values_of(manifest, owner)
    if not isinstance(values, Known):  # only what values resolve is mirrored; the rest is images' warning
        return []
    return [(string, image) for string in templates.strings for image in templates_in(string, values) if image.reference is not None]


def _mirror_built(
    templates: _Templates,
    built: list[tuple[StringValue, TemplateImage]],
    rules: list[_Rule],
    counts: dict[int, int],
    strings: dict[tuple[str, ...], _Rewritten],
) -> list[str]:
    """Make the images the templates build what the rules make of them, by rewriting the values they read.

    A rule rewrites the leading value of a built reference (the hub in ``{{ .Values.global.hub }}/...``):
    where the word rewrite of the values string has not done so already, that value is replaced in the values
    (JSON stays JSON), provided every image built from it then comes out as the rules say. Whatever still
    comes out otherwise is a warning: the template itself is never rewritten.
    """
    source = templates.values
    assert source is not None
    wanted: list[tuple[StringValue, TemplateImage, _Rule | None, str]] = []
    for string, image in built:
        assert image.reference is not None
        hit = _best(rules, Found(0, 0, image.reference, image.keyed), image.keyed)
        if hit is not None:
            counts[id(hit[0])] += 1
        wanted.append((string, image, hit[0] if hit else None, hit[1] if hit else str(image.reference)))
    if all(rule is None for _, _, rule, _ in wanted):
        return []
    entry = strings.get(source.tokens)
    text = entry.value if entry is not None else source.value
    notes: list[str] = []
    values = read_values(text)
    proposals: dict[tuple[str, ...], set[str]] = {}
    for _, image, rule, new in wanted:
        lead = image.lead
        if rule is None or lead is None or image.text_with(values) == new:
            continue
        path, hub = lead
        rest = str(image.reference)[len(hub) :]
        if new.endswith(rest) and len(new) > len(rest):
            proposals.setdefault(path, set()).add(new[: len(new) - len(rest)])
    for path, hubs in proposals.items():
        if len(hubs) != 1:
            continue  # two images ask for two hubs: neither can be had
        hub = hubs.pop()
        changed = _replaced(text, path, hub)
        if changed is None:
            continue
        after = read_values(changed)
        if all(image.text_with(after) == new for _, image, _, new in wanted if _reads(image, path)):
            old = _value_at(values, path)
            text, values = changed, after
            notes.append(f"{old} -> {hub} (.Values.{'.'.join(path)}, for the images the template builds from it)")
    if notes:
        if entry is None:
            entry = strings[source.tokens] = _Rewritten(templates.values_order, source, text, [])
        entry.value = text
        entry.notes.extend(notes)
    out = []
    for string, image, rule, new in wanted:
        final = image.text_with(values)
        if final != new:
            where = f"{string.object.describe()} (line {line_of(string, image.anchor.start, image.anchor.written)})"
            built_as = f"{where} builds {image.reference} in a template from its values ({image.written})"
            if rule is None:
                out.append(f"mirror_images: {built_as}; no rule matches it, but the rewritten values give {final}")
                continue
            out.append(
                f"mirror_images: {built_as}; the rule {rule.rule} makes it {new}, but the values give {final}: a rule "
                "reaches a built image through the value it starts with (its hub) alone, and no value there gives "
                f"{new} and every other image built from it as the rules say; mirror it by hand"
            )
    return out


def _reads(image: TemplateImage, path: tuple[str, ...]) -> bool:
    return any(isinstance(p.value, Known) and p.value.path == path for p in image.pieces)


def _value_at(values: Value, path: tuple[str, ...]) -> Any:
    found = values.value if isinstance(values, Known) else None
    for name in path:
        found = found.get(name) if isinstance(found, dict) else None
    return found


def _replaced(text: str, path: tuple[str, ...], value: str) -> str | None:
    """The values text with the string at ``path`` replaced, edited in place as any document is; None if it cannot be."""
    from .._errors import IstioPatchError
    from .._manifest import load
    from .._pointer import join

    try:
        document = load(text, source="values").documents[0]
        return document.apply([{"op": "replace", "path": join(path), "value": value}]).text
    except (IstioPatchError, IndexError):
        return None


def plan_mirror_images(manifest: Manifest, options: MirrorImagesOptions) -> Plan:
    """The ``replace`` operations that point the matching image references at their mirrors.

    Raises SelectorError when no rule matches anything and no target is named either (unless
    ``allow_no_match``); contradicting or chained rules are refused when the options are built.
    """
    rules = _compile(options.rules)
    edits, counts, warnings = _scan(manifest, rules)
    unmatched = [rule for rule in rules if counts[id(rule)] == 0]
    if unmatched:
        # a target written out somewhere means the rule was applied before; only the others need a real look
        unnamed = [r for r in unmatched if not any(r.rule.target in doc.text for doc in manifest.documents)]
        as_targets = [_Rule(r.rule, r.target, r.target) for r in unnamed]
        done = _scan(manifest, as_targets)[1] if as_targets else {}
        silent = [rule for rule, probe in zip(unnamed, as_targets) if done[id(probe)] == 0]
        if silent and len(silent) == len(rules) and not options.allow_no_match:
            raise SelectorError(
                "mirror_images: no image reference matches any rule ("
                + ", ".join(rule.rule.source for rule in silent)
                + ") and no target is named either; check the spelling, or pass allow_no_match=True",
                source=manifest.source,
            )
        warnings.extend(
            f"mirror_images: no image reference matches {rule.rule.source} and none names {rule.rule.target}; "
            "check the spelling"
            for rule in silent
        )
    return Plan("mirror_images", tuple(edits), tuple(warnings))


def mirror_images(
    manifest: Manifest,
    options: MirrorImagesOptions | None = None,
    *,
    rules: Sequence[MirrorRule | str | Mapping[str, str]] | None = None,
    allow_no_match: bool | None = None,
) -> Result:
    """Point image references at mirrors (:func:`plan_mirror_images`); pass ``options`` or the options as keywords.

    ``rules`` are MirrorRules, ``"FROM=TO"`` strings or ``{"source": FROM, "target": TO}`` mappings.
    """
    return TRANSFORM.call(manifest, options, dict(rules=rules, allow_no_match=allow_no_match))


def _conflict(earlier: MirrorImagesOptions, later: MirrorImagesOptions) -> tuple[tuple[str | int, ...], str] | None:
    """Two rules for the same source in one run contradict each other, whatever their order."""
    sources = {rule.source for rule in earlier.rules}
    for index, rule in enumerate(later.rules):
        if rule.source in sources:
            return ("rules", index), f"two mirror rules for {rule.source!r}"
    return None


def _rule(text: str) -> dict[str, str]:
    source, _, target = text.partition("=")
    if not source or not target:
        raise ValueError("--mirror takes FROM=TO, e.g. gcr.io/istio-release=docker.io/istio")
    return {"source": source, "target": target}


TRANSFORM = Transform(
    name="mirror_images",
    summary="pull images from a mirror: image references under FROM rewritten to TO (step 4)",
    options=MirrorImagesOptions,
    plan=plan_mirror_images,
    function=mirror_images,
    flag=Flag("--mirror", option="rules", metavar="FROM=TO", help="rewrite image references under FROM to TO; repeatable", parse=_rule, joins=True),
    conflicts=_conflict,
    exports=(MirrorRule,),
    doc=__doc__ or "",
)
