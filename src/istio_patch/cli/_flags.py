"""The transform flags: declared by the transforms' descriptors, read in command-line order into recipe items.

``--preset``, ``--recipe`` and every transform's flag start a step; a modifier (``--container``, ``--mode``,
...) sets an option of the step before it, a preset's included (``--preset bare-metal --keep-hpa``); ``-n``
belongs to the step before it, and written before any step it is the namespace of every one.
``--allow-no-match`` is for the whole run. Flags and recipes share one validation: the flags become recipe
items (``StepSpec``) that the recipe machinery checks.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from ._common import PROG, UsageError
from ._parser import Event

if TYPE_CHECKING:
    from .._recipe import StepSpec
    from ..transforms import Transform

__all__ = ["add_transform_flags", "specs_from_flags"]


def add_transform_flags(parser: argparse.ArgumentParser) -> None:
    """The transform flags and their modifiers, as the transforms' descriptors declare them."""
    from ..transforms import PRESETS, registry

    group = parser.add_argument_group("transforms (applied in command-line order)")
    group.add_argument("--preset", action=Event, dest="preset", metavar="NAME", help=f"the guide's edits by name: {', '.join(PRESETS)}")
    group.add_argument("--recipe", action=Event, dest="recipe", metavar="FILE", help="a YAML list of transforms and options (docs/cli.md)")
    modifiers: dict[str, tuple[Any, list[str]]] = {}  # flag -> (modifier, the transform flags it goes with)
    for transform in registry().values():
        if transform.flag is None:
            continue
        flag = transform.flag
        takes: dict[str, Any] = {"nargs": 0} if flag.switch else {"metavar": flag.metavar}
        group.add_argument(flag.name, action=Event, dest=f"open:{transform.name}", help=flag.help, **takes)
        for modifier in transform.modifiers:
            modifiers.setdefault(modifier.name, (modifier, []))[1].append(flag.name)
    mods = parser.add_argument_group("transform options (each belongs to the transform flag or preset before it)")
    mods.add_argument("-n", "--namespace", action=Event, dest="namespace", metavar="NAMESPACE",
                      help="the namespace of the selector before it (kubectl's -n); before any transform flag: of all of them, "
                      "presets included (where Istio is installed)")
    mods.add_argument("-A", "--all-namespaces", action="store_true",
                      help="a selector without a namespace may match objects in several namespaces (kubectl's -A)")
    mods.add_argument("--allow-no-match", action="store_true",
                      help="for every transform and preset of the run: a selector that matches nothing is not an error")
    for name, (modifier, owners) in sorted(modifiers.items()):
        extra: dict[str, Any] = {"nargs": 0} if modifier.switch else {"metavar": modifier.metavar}
        if modifier.choices:
            extra = {"choices": modifier.choices}
        mods.add_argument(name, action=Event, dest=f"mod:{name}", help=f"{' / '.join(owners)}: {modifier.help}", **extra)


def specs_from_flags(args: argparse.Namespace) -> list[StepSpec]:
    """The transform flags, in order, as recipe items (so that flags and recipes share one validation)."""
    from .._recipe import StepSpec, read_recipe
    from ..transforms import registry

    transforms = registry()
    specs: list[StepSpec] = []
    defaults: dict[str, Any] = {}
    current: StepSpec | None = None  # the last transform flag or preset: what -n and modifiers belong to
    joined: dict[str, StepSpec] = {}  # transform -> its step, for flags whose repetitions join one step
    command = f"{PROG} {args.command}"

    for dest, value, flag in getattr(args, "events", None) or []:
        if dest == "namespace":
            _namespace(command, flag, value, defaults if current is None else current.options, current)
            if current is not None and current.transform != "preset" and not transforms[current.transform].selects:
                raise UsageError(f"{command}: {flag} belongs after a flag that selects objects; {current.origin} selects none")
        elif dest.startswith("open:"):
            transform = transforms[dest[5:]]
            assert transform.flag is not None
            if transform.flag.switch:  # no value: the transform's default options, which modifiers and -n may set
                current = StepSpec(transform.name, {}, flag)
                specs.append(current)
                continue
            assert transform.flag.option is not None
            try:
                parsed = transform.flag.value(value)
            except ValueError as exc:
                raise UsageError(f"{command}: {exc}") from None
            if transform.flag.joins and transform.name in joined:
                current = joined[transform.name]
                current.options[transform.flag.option].append(parsed)
                continue
            options: dict[str, Any] = {transform.flag.option: [parsed] if transform.flag.joins else parsed}
            current = StepSpec(transform.name, options, transform.flag.name if transform.flag.joins else f"{flag} {value}")
            specs.append(current)
            if transform.flag.joins:
                joined[transform.name] = current
        elif dest.startswith("mod:"):
            _modifier(command, flag, dest[4:], value, current, transforms)
        elif dest == "preset":
            current = StepSpec("preset", {"name": value}, f"--preset {value}")
            specs.append(current)
        elif dest == "recipe":
            current = None
            specs.extend(read_recipe(value))
    if args.allow_no_match:
        defaults["allow_no_match"] = True
    if getattr(args, "all_namespaces", False):
        defaults["all_namespaces"] = True
    for spec in specs:
        for option, setting in defaults.items():
            if spec.transform == "preset" or option == "allow_no_match" or transforms[spec.transform].selects:
                spec.options.setdefault(option, setting)
    return specs


def _namespace(command: str, flag: str, value: str, target: dict[str, Any], current: StepSpec | None) -> None:
    if not value:
        raise UsageError(f"{command}: {flag} needs a namespace name")
    if "namespace" in target and target["namespace"] != value:
        where = f"after {current.origin}" if current is not None else "before the transform flags"
        raise UsageError(f"{command}: {flag} is given twice {where}")
    target["namespace"] = value


def _modifier(command: str, flag: str, name: str, value: Any, current: StepSpec | None, transforms: Any) -> None:
    """Fold a modifier into the step before it: a transform flag that declares it, or a preset whose transform does."""
    from ..transforms._presets import preset_transforms

    if current is not None and current.transform == "preset":
        owners: list[Transform] = [t for t in preset_transforms(current.options["name"]) if any(m.name == name for m in t.modifiers)]
        if owners:
            for owner in owners:
                modifier = next(m for m in owner.modifiers if m.name == name)
                _fold(command, modifier, current.options.setdefault("overrides", {}).setdefault(owner.name, {}), value)
            return
    step_owner: Transform | None = transforms.get(current.transform) if current is not None and current.transform != "preset" else None
    found = next((m for m in step_owner.modifiers if m.name == name), None) if step_owner is not None else None
    if found is None or current is None:
        flags = [t.flag.name for t in transforms.values() if t.flag and any(m.name == name for m in t.modifiers)]
        raise UsageError(f"{command}: {flag} belongs after {' or '.join(flags)}, or a preset that runs it")
    _fold(command, found, current.options, value)


def _fold(command: str, modifier: Any, options: dict[str, Any], value: Any) -> None:
    try:
        modifier.fold(options, None if modifier.switch else value)
    except ValueError as exc:
        raise UsageError(f"{command}: {exc}") from None
