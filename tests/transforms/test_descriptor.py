"""Descriptors: each transform declares itself once, and exports, recipes, the schema, the CLI and the docs follow."""

from __future__ import annotations

import dataclasses
import inspect
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from istio_patch import OptionsError, load
from istio_patch._recipe import build_steps, json_schema, parse_recipe
from istio_patch.cli import main
from istio_patch.models import ConfigMap
from istio_patch.transforms import (
    Edit,
    Flag,
    Modifier,
    Plan,
    Result,
    Selector,
    Transform,
    TransformOptions,
    _descriptor,
    register,
    registry,
    select,
    transform_named,
)

ROOT = Path(__file__).resolve().parents[2]

# ---- a throwaway transform, written as a deploy tool would -------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class StampOptions(TransformOptions):
    """Options of the throwaway transform."""

    value: str
    selector: Selector = Selector(kind="ConfigMap")
    loud: bool = False


def plan_stamp(manifest: Any, options: StampOptions) -> Plan:
    edits = []
    for obj in select(manifest, options.selector, allow_no_match=options.allow_no_match, what="stamp"):
        config = manifest.typed(obj, ConfigMap)
        value = options.value.upper() if options.loud else options.value
        labels = {**(config.metadata.labels or {}), "stamp": value}
        after = config.model_copy(update={"metadata": config.metadata.model_copy(update={"labels": labels})})
        edits.append(Edit.between(config, after, "stamped"))
    return Plan("stamp", tuple(edits))


def stamp(manifest: Any, options: StampOptions | None = None, *, value: str | None = None, loud: bool | None = None) -> Result:
    return STAMP.call(manifest, options, {"value": value, "loud": loud})


STAMP = Transform(
    name="stamp",
    summary="label ConfigMaps with a stamp",
    options=StampOptions,
    plan=plan_stamp,
    function=stamp,
    flag=Flag("--stamp", option="value", metavar="TEXT", help="label every ConfigMap stamp=TEXT"),
    modifiers=(Modifier("--loud", option="loud", help="upper-case the stamp"),),
)

CONFIG = "kind: ConfigMap  # ours\nmetadata:\n  name: c\n  labels:\n    app: x\ndata: {k: v}\n"
STAMPED = CONFIG.replace("    app: x\n", "    app: x\n    stamp: VALUE\n")


@pytest.fixture
def registered(monkeypatch: pytest.MonkeyPatch) -> Transform:
    registry()  # the built-in ones first, so that the copy below holds them
    monkeypatch.setattr(_descriptor, "_registry", dict(_descriptor._registry))
    return register(STAMP)


def test_a_registered_transform_gets_a_flag_a_recipe_entry_a_schema_and_an_export(
    registered: Transform, tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    from istio_patch import transforms

    path = tmp_path / "c.yaml"
    path.write_text(CONFIG)
    assert main(["apply", "--stamp", "v1", "--loud", str(path)]) == 0
    assert capsysbinary.readouterr().out.decode() == STAMPED.replace("VALUE", "V1")

    steps = build_steps(parse_recipe("- transform: stamp\n  value: v2\n", source="r.yaml"))
    assert steps[0][1](load(CONFIG)).manifest.render() == STAMPED.replace("VALUE", "v2")
    assert "stamp_item" in json_schema()["$defs"]
    assert transforms.stamp is stamp and transforms.plan_stamp is plan_stamp and transforms.StampOptions is StampOptions
    # an attribute (and in dir()), not in the static __all__ that type checkers read: that lists the built-in ones
    assert {"stamp", "plan_stamp", "StampOptions"} <= set(dir(transforms)) and "stamp" not in transforms.__all__
    assert stamp(load(CONFIG), value="v3").manifest.render() == STAMPED.replace("VALUE", "v3")


def test_a_taken_name_or_flag_is_refused(registered: Transform) -> None:
    with pytest.raises(OptionsError, match="a transform named 'stamp' is registered already"):
        register(STAMP)
    assert register(STAMP, replace=True) is STAMP
    clash = dataclasses.replace(STAMP, name="stamp2", flag=Flag("--node-port", option="value", metavar="X", help="x"))
    with pytest.raises(OptionsError, match="stamp2: the flag --node-port belongs to node_port already"):
        register(clash)


def test_a_switch_flag_starts_its_transform_with_the_default_options(
    registered: Transform, tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    @dataclass(frozen=True, kw_only=True)
    class DefaultStampOptions(StampOptions):
        value: str = "default"

    switched = dataclasses.replace(
        STAMP, name="default_stamp", options=DefaultStampOptions, flag=Flag("--default-stamp", option=None, metavar=None, help="stamp")
    )
    register(switched)
    path = tmp_path / "c.yaml"
    path.write_text(CONFIG)
    assert main(["apply", "--default-stamp", "--loud", str(path)]) == 0  # the modifier belongs to the switch
    assert capsysbinary.readouterr().out.decode() == STAMPED.replace("VALUE", "DEFAULT")
    assert "| `default_stamp` | `--default-stamp`<br>`--loud` |" in _descriptor.reference()


@pytest.mark.parametrize(
    "flag",
    [
        dict(option="value", metavar=None),
        dict(option=None, metavar="X"),
        dict(option=None, metavar=None, joins=True),
        dict(option=None, metavar=None, parse=str.upper),
    ],
)
def test_a_flag_takes_a_value_or_is_a_switch(flag: dict[str, Any]) -> None:
    with pytest.raises(OptionsError) as caught:
        Flag("--x", help="x", **flag)
    assert caught.value.message == "--x: a flag takes a value (option and metavar) or is a switch (neither, nor parse or joins)"


def test_an_unknown_transform_gets_a_close_name() -> None:
    with pytest.raises(OptionsError, match="unknown transform 'nodeport'; did you mean 'node_port'"):
        transform_named("nodeport")


@pytest.mark.parametrize("transform", list(registry().values()), ids=lambda t: t.name)
def test_every_function_takes_its_options_as_keywords(transform: Transform) -> None:
    # help() and IDEs show the options; the descriptor and the function cannot drift apart
    fields = [f.name for f in dataclasses.fields(transform.options)]
    expected = set(fields) | ({"namespace"} if "selector" in fields else set())
    parameters = inspect.signature(transform.function).parameters
    assert list(parameters)[:2] == ["manifest", "options"]
    assert set(list(parameters)[2:]) == expected
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in list(parameters.values())[2:])
    assert transform.doc and transform.summary and transform.name == transform.function.__name__
    assert transform.plan.__name__ == f"plan_{transform.name}"


@pytest.mark.parametrize("transform", list(registry().values()), ids=lambda t: t.name)
def test_every_flag_and_modifier_names_an_option(transform: Transform) -> None:
    fields = {f.name for f in dataclasses.fields(transform.options)}
    assert transform.flag is not None and (transform.flag.switch or transform.flag.option in fields)
    assert all(m.option in fields for m in transform.modifiers)


def test_a_modifier_given_twice_with_different_values_is_an_error() -> None:
    options: dict[str, Any] = {}
    node_port_value = transform_named("node_port").modifiers[0]
    node_port_value.fold(options, "80=31380")
    node_port_value.fold(options, "80=31380")  # the same again is harmless
    with pytest.raises(ValueError, match="--node-port-value gives 80 twice \\(31380 and 31381\\); give it once"):
        node_port_value.fold(options, "80=31381")


def test_the_docs_reference_is_written_from_the_descriptors() -> None:
    text = (ROOT / "docs" / "transforms.md").read_text(encoding="utf-8")
    begin, end = "<!-- reference: begin -->\n", "<!-- reference: end -->"
    assert begin in text and end in text, "docs/transforms.md lost its reference markers"
    published = text[text.index(begin) + len(begin) : text.index(end)]
    assert published == _descriptor.reference(), (
        "docs/transforms.md is out of date: replace its reference block with "
        "`python -c 'from istio_patch.transforms._descriptor import reference; print(reference(), end=\"\")'`"
    )


def test_the_recipe_schema_in_the_docs_is_current() -> None:
    assert json.loads((ROOT / "docs" / "recipe.schema.json").read_text()) == json_schema()
