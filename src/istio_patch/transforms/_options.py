"""Typed, validated options that do not put pydantic on the path of every command.

Options (and selectors, mirror rules, port mappings) are frozen dataclasses. Building one checks it:
pydantic checks and coerces the field types, through a ``TypeAdapter`` over the dataclass that is built the
first time that class is checked, and the class's ``_check`` applies the rules types cannot say (a plugin
name's spelling, a rule's two sides). Data from outside (recipes, the command line, keyword arguments) goes
through ``validate``, which also reads the option's other spellings (``target`` for ``selector``). Whatever
is wrong is an ``OptionsError`` (an ``IstioPatchError``) naming the option, with pydantic's
``ValidationError`` as its ``__cause__`` when pydantic found it.

Why not pydantic models: importing pydantic and defining models costs about 150 ms, half of a whole
``apply`` run (docs/performance.md). The presets' options are constants, so presets build them inside
``trusted()``, which runs ``_check`` but not pydantic; a command that runs only presets never imports it.
A test builds every preset's options checked as well and compares them.
"""

from __future__ import annotations

import dataclasses
import functools
import typing
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from .._errors import OptionsError

__all__ = ["Checked", "FieldError", "Bounds", "trusted", "field_types", "canonical_names", "options_error"]

_TRUSTED: ContextVar[bool] = ContextVar("istio_patch_trusted_options", default=False)

C = TypeVar("C", bound="Checked")


@contextmanager
def trusted() -> Iterator[None]:
    """Values built inside are checked by their ``_check`` only, not by pydantic: for constants whose types are right."""
    token = _TRUSTED.set(True)
    try:
        yield
    finally:
        _TRUSTED.reset(token)


class Bounds:
    """A constraint in a field's annotation, read by pydantic when it builds the validator (and the JSON Schema).

    ``Annotated[int, Bounds(ge=1, le=65535)]``, ``Annotated[list[str], Bounds(min_length=1)]``. A class of our
    own rather than ``annotated_types`` or ``pydantic.Field`` because those would be imported with the options.
    """

    def __init__(self, **constraints: int | bool) -> None:
        self.constraints = constraints

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> Any:
        schema = handler(source)
        schema.update(self.constraints)
        return schema

    def __repr__(self) -> str:
        return f"Bounds({', '.join(f'{k}={v}' for k, v in self.constraints.items())})"


class FieldError(ValueError):
    """A ``_check`` failure that knows which field (and item) it is about, so a recipe error can point there.

    pydantic keeps the exception in the error's context (``errors()[0]["ctx"]["error"]``).
    """

    def __init__(self, loc: tuple[str | int, ...], message: str) -> None:
        super().__init__(message)
        self.loc = loc


class _CheckedType(type):
    """Turns Python's own complaints about a constructor call (a missing or unknown keyword) into OptionsError."""

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().__call__(*args, **kwargs)
        except TypeError as exc:
            if _TRUSTED.get():
                raise  # a constant built wrong is a bug in istio-patch, not the caller's mistake
            raise OptionsError(f"{cls.__name__}: {_constructor_problem(exc)}") from exc


def _constructor_problem(exc: TypeError) -> str:
    text = str(exc)
    text = text.split("() ", 1)[1] if "() " in text else text  # "__init__() missing 1 ..." -> "missing 1 ..."
    return text.replace("keyword-only argument", "option").replace("keyword argument", "option")


class Checked(metaclass=_CheckedType):
    """Base of the frozen, keyword-only dataclasses whose construction is validated.

    Subclasses may define ``ALIASES`` (another spelling -> field name), ``_prepare`` (rewrite raw data before
    the type check, e.g. ``"FROM=TO"`` into a rule) and ``_check`` (rules beyond types; it may normalise a
    field with ``object.__setattr__``). Invalid values raise OptionsError, with pydantic's ValidationError as
    its cause when the problem is a type or a bound.
    """

    __pydantic_config__ = {"extra": "forbid"}  # read by pydantic; a plain dict, so pydantic need not be imported
    ALIASES: typing.ClassVar[Mapping[str, str]] = {}

    def __post_init__(self) -> None:
        if _TRUSTED.get():
            self._check()
            return
        checked = type(self).validate(self.fields())
        for name, value in checked.fields().items():
            object.__setattr__(self, name, value)

    @classmethod
    def validate(cls: type[C], data: Mapping[str, Any]) -> C:
        """An instance built from ``data`` (a mapping of options), or OptionsError naming the bad option."""
        from pydantic import ValidationError

        try:
            return cls._validate(data)
        except ValidationError as exc:
            raise options_error(cls, exc, data) from exc

    @classmethod
    def _validate(cls: type[C], data: Mapping[str, Any]) -> C:
        """:meth:`validate`, raising pydantic's ValidationError (recipes read its locations)."""
        adapter = _adapter(cls)
        prepared = cls._prepare(canonical_names(cls, data)) if isinstance(data, Mapping) else data  # pydantic says what it is
        with trusted():  # pydantic builds the instance and calls __post_init__: run _check, not pydantic again
            return adapter.validate_python(prepared)  # type: ignore[no-any-return]

    @classmethod
    def _prepare(cls, data: dict[str, Any]) -> dict[str, Any]:
        return data

    def _check(self) -> None:
        """Rules beyond the field types; raise ValueError with a message for the user."""

    @classmethod
    def invalid(cls, loc: tuple[str | int, ...], message: str, value: Any = None) -> Exception:
        """A ValidationError like the one pydantic makes of a ValueError, for a problem ``_prepare`` finds at ``loc``."""
        from pydantic_core import InitErrorDetails, ValidationError

        detail: InitErrorDetails = {"type": "value_error", "loc": loc, "input": value, "ctx": {"error": ValueError(message)}}
        return ValidationError.from_exception_data(cls.__name__, [detail])

    def fields(self) -> dict[str, Any]:
        """Field name -> value, one level deep (nested values stay as they are)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}  # type: ignore[arg-type]

    @classmethod
    def json_schema(cls) -> dict[str, Any]:
        """The JSON Schema of the data ``validate`` accepts (pydantic's, in validation mode)."""
        return _adapter(cls).json_schema(mode="validation")  # type: ignore[no-any-return]


def best_error(exc: Any) -> Any:
    """The error of pydantic's ValidationError ``exc`` worth showing: for a value that fits no member of a union
    (``ports: [0]``), the complaint of the member of its own type (``>= 1``), not "should be a PortMapping"."""
    errors = exc.errors(include_url=False)
    for error in errors:
        if error["type"] not in _SHAPE_MISMATCH:
            return error
    return errors[0]


# pydantic's complaints that only say the value is of another shape than one member of a union
_SHAPE_MISMATCH = frozenset({"model_type", "dataclass_type", "dataclass_exact_type", "dict_type", "is_instance_of", "model_attributes_type"})


def options_error(cls: type[Checked], exc: Any, data: Any = None) -> OptionsError:
    """The OptionsError that says what pydantic's ValidationError ``exc`` found first, in the option's words."""
    error = best_error(exc)
    inner = getattr(error.get("ctx", {}).get("error"), "loc", ())  # a FieldError of the options' own checks
    loc = ".".join(str(p) for p in without_union_tags(data, tuple(error["loc"]) + tuple(inner)))
    message = str(error["msg"])
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    if error["type"] in ("missing", "missing_keyword_only_argument", "missing_argument"):
        message = "this option is required"
    elif error["type"] in ("extra_forbidden", "unexpected_keyword_argument"):
        known = ", ".join(field_types(cls))
        message = f"no such option (the options are: {known})"
    return OptionsError(f"{cls.__name__}: {loc}: {message}" if loc else f"{cls.__name__}: {message}")


def without_union_tags(data: Any, loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """``loc`` without pydantic's names of union members (``ports.0.constrained-int`` -> ``ports.0``).

    A member's name never names a key of the data: walking ``data`` along ``loc`` tells them apart from option
    names and mapping keys (``labels.istio-injection``). Without data, names that look like pydantic's are dropped.
    """
    kept: list[Any] = []
    for part in loc:
        if isinstance(data, Mapping) and part in data:
            data = data[part]
        elif isinstance(data, (list, tuple)) and isinstance(part, int) and 0 <= part < len(data):
            data = data[part]
        elif dataclasses.is_dataclass(data) and isinstance(part, str) and hasattr(data, part):
            data = getattr(data, part)
        elif isinstance(part, str) and _is_union_tag(part):
            continue  # not a key of the data here, and spelt as pydantic names a union's member
        else:
            data = None
        kept.append(part)
    return tuple(kept)


def _is_union_tag(part: str) -> bool:
    return part[:1].isupper() or "-" in part or part in ("int", "str", "bool", "float", "list", "dict", "tuple", "none")


def canonical_names(cls: type[Checked], data: Mapping[str, Any]) -> dict[str, Any]:
    """``data`` with every option under its field's name (``target`` -> ``selector``); both given is an error."""
    out: dict[str, Any] = {}
    written: dict[str, Any] = {}
    for key, value in data.items():
        name = cls.ALIASES.get(key, key) if isinstance(key, str) else key
        if name in out:
            raise cls.invalid((key,), f"{written[name]!r} and {key!r} are the same option; give it once", value)
        out[name], written[name] = value, key
    return out


@functools.cache
def _adapter(cls: type[Checked]) -> Any:
    from pydantic import (
        TypeAdapter,  # the first checked construction pays for pydantic, and only it
    )

    return TypeAdapter(cls)


@functools.cache
def field_types(cls: type[Checked]) -> Mapping[str, Any]:
    """Field name -> its type, annotations resolved (``Annotated`` kept), in declaration order."""
    hints = typing.get_type_hints(cls, include_extras=True)
    return {f.name: hints[f.name] for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
