"""A transform declares itself once: a :class:`Transform` descriptor in its own module.

Everything that lists transforms reads the descriptors: the package's exports, recipes and their JSON Schema,
the command line's transform flags and the transform reference in the docs. Adding a transform is one module
with a ``TRANSFORM = Transform(...)`` (found by :func:`registry`), one fixture folder, and a CHANGELOG line;
a deploy tool adds its own with :func:`register`.

Example (a transform of one's own; see docs/extending.md)::

    TRANSFORM = register(Transform(
        name="gateway_on_edge_nodes",
        summary="run the ingress gateway on the edge nodes only",
        options=EdgeOptions,
        plan=plan_gateway_on_edge_nodes,
        flag=Flag("--edge-nodes", metavar="LABEL=VALUE", option="node_label", help="..."),
    ))
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

from .._errors import OptionsError
from .._manifest import Manifest
from ._base import Plan, Result, Step, TransformOptions, execute

__all__ = ["Flag", "Modifier", "Transform", "register", "registry", "transform_named", "reference"]


@dataclass(frozen=True)
class Flag:
    """The command-line flag that starts a transform, e.g. ``--node-port svc/istio-ingressgateway``.

    Attributes:
        name: the flag, ``--node-port``.
        option: the option its value sets, ``selector``; ``None`` for a switch.
        metavar: how ``--help`` shows the value; ``None`` for a switch: a flag that takes no value and starts
            the transform with its default options (``--dedupe-keys``; its modifiers and ``-n`` still apply).
        help: one line for ``--help``.
        parse: turns the text given into the option's value (``"A,B"`` into a list); ValueError says why not.
        joins: repeated flags add to one step: each value is appended to the option (a list), as ``--mirror``
            does with its rules.
    """

    name: str
    option: str | None
    metavar: str | None
    help: str
    parse: Callable[[str], Any] | None = None
    joins: bool = False

    def __post_init__(self) -> None:
        if (self.option is None) != (self.metavar is None) or (self.switch and (self.parse is not None or self.joins)):
            raise OptionsError(f"{self.name}: a flag takes a value (option and metavar) or is a switch (neither, nor parse or joins)")

    @property
    def switch(self) -> bool:
        """Whether the flag takes no value."""
        return self.metavar is None

    def value(self, text: str) -> Any:
        return self.parse(text) if self.parse is not None else text


@dataclass(frozen=True)
class Modifier:
    """A command-line flag that sets an option of the transform flag written before it.

    Attributes:
        name: the flag, ``--node-port-value``.
        option: the option it sets, ``node_ports``.
        help: one line for ``--help``.
        metavar: how ``--help`` shows the value; ``None`` for a switch, which sets the option to True.
        choices: the values allowed, if only a few are.
        parse: turns the text into the value (for ``merge``: a ``(key, value)`` pair); ValueError says why not.
        repeat: ``once`` (given twice is an error), ``append`` (each value is added to a list), or ``merge``
            (each pair is added to a mapping; the same key twice is an error).
    """

    name: str
    option: str
    help: str
    metavar: str | None = None
    choices: tuple[str, ...] = ()
    parse: Callable[[str], Any] | None = None
    repeat: Literal["once", "append", "merge"] = "once"

    @property
    def switch(self) -> bool:
        return self.metavar is None and not self.choices

    def fold(self, options: dict[str, Any], text: str | None) -> None:
        """Add this modifier's value (``text``; ``None`` for a switch) to the options being built."""
        if self.switch:
            options[self.option] = True
            return
        assert text is not None
        value: Any = self.parse(text) if self.parse is not None else text
        if self.repeat == "append":
            options.setdefault(self.option, []).append(value)
        elif self.repeat == "merge":
            key, item = value
            target = options.setdefault(self.option, {})
            if key in target and target[key] != item:
                raise ValueError(f"{self.name} gives {key} twice ({target[key]} and {item}); give it once")
            target[key] = item
        else:
            if self.option in options and options[self.option] != value:
                raise ValueError(f"{self.name} is given twice ({options[self.option]} and {value}); give it once")
            options[self.option] = value


Conflict = Callable[[Any, Any], "tuple[tuple[str | int, ...], str] | None"]


@dataclass(frozen=True)
class Transform:
    """What a transform is, said once.

    Attributes:
        name: the transform's name: its Python function, its recipe item (``transform: NAME``).
        summary: one line, for ``--help``, recipes' schema and the docs.
        options: its options class (a ``TransformOptions``).
        plan: the pure planner, ``plan(manifest, options) -> Plan``.
        function: the Python function users call (with keyword options).
        flag: the command-line flag that starts it, if it has one.
        modifiers: the command-line flags that set its other options.
        run: how it applies when it does more than execute its plan (``label_namespaces`` appends documents).
        conflicts: ``conflicts(earlier, later)`` for two steps of this transform in one run: the location in
            ``later``'s options and a message when they contradict each other, else None.
        exports: other public names of the transform (types its options use, such as ``MirrorRule``).
        doc: its reference documentation (the module's docstring).
    """

    name: str
    summary: str
    options: type[TransformOptions]
    plan: Callable[[Manifest, Any], Plan]
    function: Callable[..., Result]
    flag: Flag | None = None
    modifiers: tuple[Modifier, ...] = ()
    run: Callable[[Manifest, Any], Result] | None = None
    conflicts: Conflict | None = None
    exports: tuple[type, ...] = ()
    doc: str = field(default="", repr=False)

    @property
    def selects(self) -> bool:
        """Whether the transform picks its objects with a ``selector`` (and so takes a ``namespace`` beside it)."""
        import dataclasses

        return any(f.name == "selector" for f in dataclasses.fields(self.options))

    def apply(self, manifest: Manifest, options: TransformOptions) -> Result:
        """Run the transform with ``options``."""
        if self.run is not None:
            return self.run(manifest, options)
        return execute(manifest, self.plan(manifest, options))

    def step(self, options: TransformOptions) -> Step:
        """A pipeline step that runs the transform with ``options``."""
        return functools.partial(self.apply, options=options)

    def build_options(self, options: TransformOptions | None, keywords: Mapping[str, Any]) -> TransformOptions:
        """The options of a call: ``options`` as given, or built from the keywords that are not None."""
        given = {k: v for k, v in keywords.items() if v is not None}
        if options is not None:
            if given:
                raise OptionsError(f"{self.name}: give options or keyword options, not both ({', '.join(given)} given with options)")
            if not isinstance(options, self.options):
                raise OptionsError(f"{self.name}: options must be {self.options.__name__}, not {type(options).__name__}")
            return options
        return self.options.validate(given)

    def call(self, manifest: Manifest, options: TransformOptions | None, keywords: Mapping[str, Any]) -> Result:
        """What the transform's function does: check the arguments, then apply."""
        if not isinstance(manifest, Manifest):
            raise OptionsError(f"{self.name}: the first argument is a Manifest (istio_patch.load), not {type(manifest).__name__}")
        return self.apply(manifest, self.build_options(options, keywords))


_BUILT_IN_PACKAGE = __name__.rsplit(".", 1)[0]
# Modules of the package that are not transforms: the framework.
_FRAMEWORK = frozenset({"_base", "_descriptor", "_options", "_presets"})
_registry: dict[str, Transform] = {}
_discovered = False


def registry() -> Mapping[str, Transform]:
    """Every transform by name: the built-in ones (each module of this package with a ``TRANSFORM``), then those
    added with :func:`register`, sorted by name."""
    _discover()
    return MappingProxyType(dict(sorted(_registry.items())))


def register(transform: Transform, *, replace: bool = False) -> Transform:
    """Add ``transform`` to the registry: recipes, the command line and ``transforms.NAME`` then know it.

    A name or a command-line flag already taken is an OptionsError unless ``replace`` (for the same name).
    """
    _discover()
    _add(transform, replace=replace)
    return transform


def transform_named(name: str) -> Transform:
    """The transform ``name``; OptionsError with the known names (and a close one) otherwise."""
    found = registry().get(name)
    if found is None:
        raise OptionsError(unknown("transform", name, tuple(registry())))
    return found


def unknown(what: str, name: str, known: Sequence[str]) -> str:
    """``unknown transform 'nodeport'; did you mean 'node_port'? (the transforms are: ...)``."""
    import difflib

    close = difflib.get_close_matches(str(name), known, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"unknown {what} {name!r}{hint} (the {what}s are: {', '.join(known)})"


def _add(transform: Transform, *, replace: bool) -> None:
    if transform.name in _registry and not replace:
        raise OptionsError(f"a transform named {transform.name!r} is registered already")
    flags = {f.name: t.name for t in _registry.values() if t.name != transform.name for f in _flags(t)}
    for flag in _flags(transform):
        if isinstance(flag, Flag) and flag.name in flags:
            raise OptionsError(f"{transform.name}: the flag {flag.name} belongs to {flags[flag.name]} already")
    _registry[transform.name] = transform


def _flags(transform: Transform) -> list[Flag | Modifier]:
    return ([transform.flag] if transform.flag else []) + list(transform.modifiers)


def _discover() -> None:
    global _discovered
    if _discovered:
        return
    _discovered = True  # before the imports: a module that registers itself calls back here
    try:
        package = importlib.import_module(_BUILT_IN_PACKAGE)
        for info in pkgutil.iter_modules(package.__path__):
            if info.name in _FRAMEWORK or not info.name.startswith("_"):
                continue
            module = importlib.import_module(f"{_BUILT_IN_PACKAGE}.{info.name}")
            transform = getattr(module, "TRANSFORM", None)
            if isinstance(transform, Transform) and transform.name not in _registry:
                _add(transform, replace=False)
    except BaseException:
        _discovered = False
        _registry.clear()
        raise


def reference() -> str:
    """The transform reference of docs/transforms.md, written from the descriptors (a test keeps the docs current).

    Every transform also takes ``allow_no_match`` (``--allow-no-match``), and those with a ``selector`` take
    ``namespace`` beside it (``-n``) and ``all_namespaces`` (``-A``); the table leaves them out.
    """
    import dataclasses

    lines = ["| transform | command line | options (default) | what it does |", "| --- | --- | --- | --- |"]
    for transform in registry().values():
        flags = []
        if transform.flag is not None:
            flags.append(f"`{transform.flag.name}`" if transform.flag.switch else f"`{transform.flag.name} {transform.flag.metavar}`")
        for modifier in transform.modifiers:
            value = modifier.metavar or ("{" + ",".join(modifier.choices) + "}" if modifier.choices else "")
            flags.append(f"`{modifier.name}{' ' + value if value else ''}`")
        options = [
            f"`{f.name}`" + (f" (`{default}`)" if (default := _shown_default(f)) is not None else " (required)")
            for f in dataclasses.fields(transform.options)
            if f.name not in ("allow_no_match", "all_namespaces")
        ]
        lines.append(f"| `{transform.name}` | {'<br>'.join(flags) or '-'} | {', '.join(options) or '-'} | {transform.summary} |")
    return "\n".join(lines) + "\n"


def _shown_default(field: Any) -> str | None:
    import dataclasses

    if field.default is not dataclasses.MISSING:
        value = field.default
        return str(value.describe()) if hasattr(value, "describe") else repr(value)
    if field.default_factory is not dataclasses.MISSING:
        return repr(field.default_factory())
    return None
