"""Recipes: the transforms to run, in order, with their options, written as a YAML list.

A recipe is what ``istio-patch apply --recipe FILE`` reads, and what the command line's transform flags are
turned into. Each item names a preset or a transform; a transform's other keys are its options, validated by
that transform's own options class (checked by pydantic), so the recipe knows no option the library does not::

    # recipe.yaml
    - preset: bare-metal
    - transform: mirror_images
      rules:
        - {source: gcr.io/istio-release, target: docker.io/istio}
    - transform: strip_resources
      selector: deploy/istio-pilot
      namespace: istio-system
      containers: [discovery]
      mode: comment

Everything is checked before any manifest is touched; an error names the recipe's file, line and column.
"""

from __future__ import annotations

import functools
import operator
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ._errors import IstioPatchError, OptionsError

if TYPE_CHECKING:  # the transforms (and pydantic) are imported only when a recipe is built
    from ._parse import Node
    from .transforms import Step, TransformOptions

__all__ = ["StepSpec", "load_recipe", "read_recipe", "parse_recipe", "build_steps", "json_schema", "transform_names", "preset_names"]


def transform_names() -> tuple[str, ...]:
    """The names a recipe's ``transform:`` accepts: every registered transform."""
    from .transforms import registry

    return tuple(registry())


def preset_names() -> tuple[str, ...]:
    from .transforms import PRESETS

    return tuple(PRESETS)


@dataclass(frozen=True)
class StepSpec:
    """One item of a recipe (or one transform flag), before validation.

    ``transform`` is a transform's name, or ``"preset"`` with the preset's name in ``options["name"]``.
    ``origin`` says where it was written (a flag such as ``--node-port``, or ``recipe.yaml``), and the
    remaining fields say where in a recipe, so that an error can point there.
    """

    transform: str
    options: dict[str, Any]  # filled in while the flags are read (-n, modifiers), checked once complete
    origin: str
    line: int | None = None
    column: int | None = None
    snippet: str | None = None
    nodes: Any = field(default=None, repr=False, compare=False)  # the item's YAML node, for positions

    def error(self, message: str, loc: Sequence[str | int] = (), key: bool = False) -> OptionsError:
        """An OptionsError at this step's position, or at the option ``loc`` inside it when it can be found."""
        node = _node_at(self.nodes, loc, key) if self.nodes is not None else None
        if node is not None:
            line, column, snippet = self.line_of(node)
            return OptionsError(message, source=self.origin, line=line, column=column, snippet=snippet)
        return OptionsError(message, source=self.origin, line=self.line, column=self.column, snippet=self.snippet)

    def line_of(self, node: Node) -> tuple[int, int, str | None]:
        doc_line, lines = self.nodes[1], self.nodes[2]
        line0 = node.start_mark.line
        snippet = lines[line0].rstrip("\r") if line0 < len(lines) else None
        return doc_line + line0, node.start_mark.column + 1, snippet


def load_recipe(recipe: str | os.PathLike[str]) -> tuple[Step, ...]:
    """The steps of a recipe, every option checked: from a file's path, or from the recipe's text itself.

    ``transforms.apply(manifest, load_recipe("recipe.yaml"))`` runs it. A string that holds a line break, or
    that names no file, is read as the recipe's text. OptionsError points at the recipe's line and column.

    Example:
        >>> steps = load_recipe("- preset: bare-metal\\n- transform: mirror_images\\n  rules: ['gcr.io/istio-release=docker.io/istio']\\n")
        >>> len(steps)
        4
    """
    if isinstance(recipe, os.PathLike) or (isinstance(recipe, str) and "\n" not in recipe and os.path.exists(recipe)):
        specs = read_recipe(os.fspath(recipe))
    elif isinstance(recipe, str):
        specs = parse_recipe(recipe, source="<recipe>")
    else:
        raise OptionsError(f"a recipe is a file's path or a recipe's text, not {type(recipe).__name__}")
    return tuple(step for _, step in build_steps(specs))


def read_recipe(path: str) -> list[StepSpec]:
    """Read a recipe file into step specifications (syntax and shape checked; options not yet)."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        raise OptionsError(f"cannot read the recipe: {exc.strerror}", source=path) from None
    return parse_recipe(data, source=path)


def parse_recipe(data: str | bytes, source: str = "<recipe>") -> list[StepSpec]:
    """Read a recipe's text into step specifications, each knowing its line in the recipe."""
    from ._manifest import load
    from ._parse import MappingNode, ScalarNode, SequenceNode

    manifest = load(data, source=source)
    docs = [doc for doc in manifest.documents if not doc.is_empty]
    if not docs:
        raise OptionsError("the recipe is empty: write a list of transforms (see docs/cli.md)", source=source)
    if len(docs) > 1:
        raise OptionsError("a recipe is one YAML document; this one has several", source=source, line=docs[1].line)
    doc = docs[0]
    for dup in doc.duplicates:
        raise OptionsError(
            f"the key {dup.key!r} is given twice (the other is on line {dup.winning_line}); say it once",
            source=source,
            line=dup.line,
            column=dup.column,
            snippet=doc.text.split("\n")[dup.line - doc.line].rstrip("\r"),
        )
    root = doc.node
    lines = doc.text.split("\n")
    if not isinstance(root, SequenceNode):
        spec = StepSpec("", {}, source, nodes=(root, doc.line, lines))
        raise spec.error("a recipe is a list of transforms, each item starting with '- transform:' or '- preset:'")
    items: list[Any] = doc.data
    specs = []
    for index, item in enumerate(root.value):
        info = (item, doc.line, lines)
        line, column, snippet = StepSpec("", {}, source, nodes=info).line_of(item)
        at = functools.partial(StepSpec, origin=source, line=line, column=column, snippet=snippet, nodes=info)
        if not isinstance(item, MappingNode):
            raise at("", {}).error("each item of a recipe is a mapping: 'transform: NAME' and its options, or 'preset: NAME'")
        values: dict[str, Any] = dict(items[index])
        if "preset" in values:
            extra = sorted(set(values) - {"preset"})
            if extra:
                raise at("preset", values).error(f"a preset takes no options; {extra[0]!r} belongs in a transform item", (extra[0],), key=True)
            name = values["preset"]
            if not isinstance(name, str):
                raise at("preset", values).error("the preset's name is a string", ("preset",))
            specs.append(at("preset", {"name": name}))
        elif "transform" in values:
            name = values.pop("transform")
            if not isinstance(name, str) or name not in transform_names():
                raise at("", values).error(_unknown("transform", str(name), transform_names()), ("transform",))
            specs.append(at(name, values))
        else:
            keys = [k.value for k, _ in item.value if isinstance(k, ScalarNode)]
            raise at("", values).error(
                f"this item says neither 'transform:' nor 'preset:' (it has {', '.join(map(repr, keys)) or 'no keys'})"
            )
    return specs


def _node_at(nodes: Any, loc: Sequence[str | int], key: bool) -> Node | None:
    """The YAML node of the option at ``loc`` (its key when ``key``); the deepest one found otherwise."""
    from ._pointer import resolve

    return resolve(nodes[0], [str(part) for part in loc], key=key).node


def _unknown(what: str, name: str, known: Sequence[str]) -> str:
    from .transforms._descriptor import unknown

    return unknown(what, name, known)


def options_class(name: str) -> type[TransformOptions]:
    """The options class of the transform ``name``."""
    from .transforms import transform_named

    return transform_named(name).options


def build_steps(specs: Sequence[StepSpec]) -> list[tuple[StepSpec, Step]]:
    """Validate every specification and turn it into a Step; the first problem raises OptionsError.

    Runs before any manifest is read, so that a mistake in a recipe costs no work and changes nothing.
    """
    from . import transforms

    steps: list[tuple[StepSpec, Step]] = []
    earlier: dict[str, list[tuple[StepSpec, TransformOptions]]] = {}
    for spec in specs:
        if spec.transform == "preset":
            name = spec.options["name"]
            if name not in preset_names():
                raise spec.error(_unknown("preset", name, preset_names()), ("preset",))
            given: dict[str, Any] = {key: spec.options[key] for key in ("allow_no_match", "namespace", "overrides") if spec.options.get(key)}
            try:
                made = transforms.preset(name, **given)
            except OptionsError as exc:
                raise spec.error(exc.message) from None
            steps.extend((spec, step) for step in made)
            continue
        transform = transforms.transform_named(spec.transform)
        options = validate_options(spec)
        _refuse_conflicts(transform, spec, options, earlier.setdefault(spec.transform, []))
        earlier[spec.transform].append((spec, options))
        steps.append((spec, transform.step(options)))
    return steps


def _refuse_conflicts(transform: Any, spec: StepSpec, options: TransformOptions, earlier: Sequence[tuple[StepSpec, TransformOptions]]) -> None:
    """Two steps of one transform that contradict each other (two mirror rules for one source) are refused."""
    if transform.conflicts is None:
        return
    for first, first_options in earlier:
        found = transform.conflicts(first_options, options)
        if found is not None:
            loc, message = found
            where = f" (the first is at {first.origin}:{first.line})" if first.line else f" (the first is {first.origin})"
            raise spec.error(f"{message}{where}; keep one", loc)


def validate_options(spec: StepSpec) -> TransformOptions:
    """The transform's options built from the specification, or OptionsError pointing at the option."""
    from pydantic import ValidationError

    from .transforms._options import best_error, canonical_names, without_union_tags

    model = options_class(spec.transform)
    try:
        data = _numbers_as_written(spec, model, canonical_names(model, spec.options))
        options = model._validate(data)
    except ValidationError as exc:
        error = best_error(exc)
        inner = getattr(error.get("ctx", {}).get("error"), "loc", ())  # a FieldError of the options' own checks
        loc = without_union_tags(spec.options, _as_written(model, spec, tuple(error["loc"]) + tuple(inner)))
        raise spec.error(_describe(spec.transform, model, error, loc), loc, key=error["type"] in _UNKNOWN_OPTION) from None
    except IstioPatchError as exc:  # a validator of the options raised our own error
        raise spec.error(exc.message) from None
    except ValueError as exc:
        raise spec.error(str(exc)) from None
    return options


# pydantic's error types for an option the class does not have, and for one it needs
_UNKNOWN_OPTION = frozenset({"extra_forbidden", "unexpected_keyword_argument"})
_MISSING_OPTION = frozenset({"missing", "missing_keyword_only_argument", "missing_argument"})


def _as_written(model: type[TransformOptions], spec: StepSpec, loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """An error's location with the option spelled as the recipe spelled it (``target`` for ``selector``)."""
    if loc and loc[0] not in spec.options:
        for alias, name in model.ALIASES.items():
            if name == loc[0] and alias in spec.options:
                return (alias, *loc[1:])
    return loc


def _numbers_as_written(spec: StepSpec, model: type[TransformOptions], data: dict[str, Any]) -> dict[str, Any]:
    """A text option written as a plain number keeps its spelling: ``kubernetes_version: 1.30`` is "1.30", not 1.3."""
    from ._parse import ScalarNode
    from .transforms._options import field_types

    for name, annotation in field_types(model).items():
        value = data.get(name)
        if annotation is str and isinstance(value, (int, float)) and not isinstance(value, bool) and spec.nodes is not None:
            node = _node_at(spec.nodes, (name,), key=False)
            if isinstance(node, ScalarNode):
                data[name] = node.value
    return data


def _describe(transform: str, model: type[TransformOptions], error: Mapping[str, Any], where: Sequence[Any]) -> str:
    from .transforms._options import field_types

    loc = ".".join(str(p) for p in where)
    if error["type"] in _UNKNOWN_OPTION:
        known = ", ".join(field_types(model))
        return f"{transform} has no option {loc!r} (its options are: {known})"
    if error["type"] in _MISSING_OPTION:
        return f"{transform} needs the option {loc!r}"
    message = str(error["msg"])
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    return f"{transform}: {loc}: {message}" if loc else f"{transform}: {message}"


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a recipe, generated from the transforms' options classes (published in docs/)."""
    import dataclasses
    from typing import Annotated, Literal

    from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

    from .transforms._options import field_types

    class PresetItem(BaseModel):
        """Run one of the guide's presets."""

        model_config = ConfigDict(extra="forbid", title="preset")
        preset: Literal[preset_names()] = Field(description="the preset's name")  # type: ignore[valid-type]

    items: list[type] = [PresetItem]
    for name in transform_names():
        base = options_class(name)
        summary = options_class_summary(name)
        transform = Annotated[Literal[name], Field(description=f"the transform's name: {summary}")]  # type: ignore[valid-type]
        items.append(
            dataclasses.make_dataclass(
                f"{name}_item",
                [("transform", transform, dataclasses.field(kw_only=True))],
                bases=(base,),
                frozen=True,
                kw_only=True,
                namespace={"__pydantic_config__": {"extra": "forbid", "title": name}, "__doc__": ""},
            )
        )
    any_item = functools.reduce(operator.or_, items)  # the union of the item models, built at run time
    adapter: TypeAdapter[list[Any]] = TypeAdapter(list[any_item])  # type: ignore[valid-type]
    schema: dict[str, Any] = _with_selector_spellings(adapter.json_schema(by_alias=True, mode="validation"))
    for name in transform_names():  # a text option may be written as a plain number (see _numbers_as_written)
        properties = schema["$defs"][f"{name}_item"]["properties"]
        for field_name, annotation in field_types(options_class(name)).items():
            if annotation is str and properties.get(field_name, {}).get("type") == "string":
                prop = properties[field_name]
                del prop["type"]
                prop["anyOf"] = [{"type": "string"}, {"type": "number"}]
                prop["description"] = "text; a plain number is read as written (1.30 is \"1.30\")"
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "istio-patch recipe"
    schema["description"] = "An ordered list of presets and transforms with their options."
    return schema


def options_class_summary(name: str) -> str:
    from .transforms import transform_named

    return transform_named(name).summary


def _with_selector_spellings(schema: Any) -> Any:
    """Recipes also accept ``TYPE/NAME`` strings for selectors, with ``namespace:`` beside them: say so."""
    if isinstance(schema, list):
        return [_with_selector_spellings(v) for v in schema]
    if not isinstance(schema, dict):
        return schema
    if schema.get("$ref", "").endswith("/Selector"):
        spelled = {"type": "string", "description": "kubectl's TYPE/NAME (or NAMESPACE/TYPE/NAME), e.g. deploy/istio-pilot"}
        return {"anyOf": [spelled, dict(schema)]}
    out = {k: _with_selector_spellings(v) for k, v in schema.items()}
    properties = out.get("properties")
    if isinstance(properties, dict) and "selector" in properties and "namespace" not in properties:
        properties["namespace"] = {"type": "string", "description": "the namespace of a TYPE/NAME selector (kubectl's -n)"}
    return out
