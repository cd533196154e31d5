"""Recipes: reading, positions of every error, validation through the transforms' own options, the schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from istio_patch import OptionsError, YAMLSyntaxError
from istio_patch._recipe import build_steps, json_schema, parse_recipe, preset_names, read_recipe, transform_names

ROOT = Path(__file__).resolve().parent.parent




def error_of(text: str) -> str:
    with pytest.raises(OptionsError) as info:
        build_steps(parse_recipe(text, source="r.yaml"))
    return str(info.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "transform: node_port\n",
            "r.yaml:1:1: a recipe is a list of transforms, each item starting with '- transform:' or '- preset:'\n"
            "    transform: node_port\n    ^",
        ),
        (
            "- node_port\n",
            "r.yaml:1:3: each item of a recipe is a mapping: 'transform: NAME' and its options, or 'preset: NAME'\n"
            "    - node_port\n      ^",
        ),
        (
            "- selector: svc/x\n  mode: comment\n",
            "r.yaml:1:3: this item says neither 'transform:' nor 'preset:' (it has 'selector', 'mode')\n"
            "    - selector: svc/x\n      ^",
        ),
        (
            "- preset: bare-metal\n- transform: node_ports\n  selector: svc/x\n",
            "r.yaml:2:14: unknown transform 'node_ports'; did you mean 'node_port'? (the transforms are: admission_plugins, "
            "dedupe_keys, host_ports, label_namespaces, mirror_images, modernize, node_port, split_glued, strip_resources, "
            "to_daemonset)\n"
            "    - transform: node_ports\n                 ^",
        ),
        (
            "- preset: bare-metal\n  selector: svc/x\n",
            "r.yaml:2:3: a preset takes no options; 'selector' belongs in a transform item\n      selector: svc/x\n      ^",
        ),
        (
            "- transform: strip_resources\n  mode: comment\n  mode: remove\n",
            "r.yaml:2:3: the key 'mode' is given twice (the other is on line 3); say it once\n      mode: comment\n      ^",
        ),
        ("# nothing\n", "r.yaml: the recipe is empty: write a list of transforms (see docs/cli.md)"),
        ("", "r.yaml: the recipe is empty: write a list of transforms (see docs/cli.md)"),
        ("- preset: bare-metal\n---\n- preset: cn-mirror\n", "r.yaml:2: a recipe is one YAML document; this one has several"),
        (
            "- transform: mirror_images\n  rules:\n  - {source: gcr.io/istio-release, target: a}\n"
            "- transform: mirror_images\n  rules:\n  - {source: gcr.io/istio-release, target: b}\n",
            "r.yaml:6:5: two mirror rules for 'gcr.io/istio-release' (the first is at r.yaml:1); keep one\n"
            "      - {source: gcr.io/istio-release, target: b}\n        ^",
        ),
        (  # a check of the options' own points at the item it refuses
            "- transform: admission_plugins\n  plugins: [Good, bad-name]\n",
            "r.yaml:2:19: admission_plugins: plugins.1: 'bad-name' is not an admission plugin name (letters and digits, "
            "e.g. MutatingAdmissionWebhook)\n      plugins: [Good, bad-name]\n                      ^",
        ),
        (  # the member of a union (PortMapping or int) is not part of the location
            "- transform: host_ports\n  ports: [{container_port: 0, host_port: 2}]\n",
            "r.yaml:2:28: host_ports: ports.0.container_port: Input should be greater than or equal to 1\n"
            "      ports: [{container_port: 0, host_port: 2}]\n                               ^",
        ),
        (  # an option written under its other name is reported under that name
            "- transform: strip_resources\n  target: deploy/x\n  which: some\n",
            "r.yaml:3:10: strip_resources: which: Input should be 'requests', 'limits' or 'both'\n"
            "      which: some\n             ^",
        ),
        (
            "- transform: strip_resources\n  target: deploy/x\n  selector: deploy/y\n",
            "r.yaml:3:13: strip_resources: selector: 'target' and 'selector' are the same option; give it once\n"
            "      selector: deploy/y\n                ^",
        ),
        (
            "- transform: strip_resources\n  selector: deploy/x/y/z\n",
            "r.yaml:2:13: strip_resources: selector: cannot read the selector 'deploy/x/y/z': write TYPE/NAME, e.g. "
            "deploy/istio-pilot\n      selector: deploy/x/y/z\n                ^",
        ),
        (
            "- preset: bare-metl\n",
            "r.yaml:1:11: unknown preset 'bare-metl'; did you mean 'bare-metal'? (the presets are: bare-metal, cn-mirror, "
            "small-nodes, admission-webhooks)\n    - preset: bare-metl\n              ^",
        ),
    ],
)
def test_recipe_errors_point_at_the_line(text, message):
    assert error_of(text) == message


def test_recipe_syntax_errors_are_the_librarys_yaml_errors():
    with pytest.raises(YAMLSyntaxError) as info:
        parse_recipe("- transform: node_port\n  selector: [svc/x\n", source="r.yaml")
    assert str(info.value).startswith("r.yaml:3:1: did not find expected ',' or ']'")  # the wording is the core's


def test_recipe_file_that_cannot_be_read(tmp_path):
    with pytest.raises(OptionsError) as info:
        read_recipe(str(tmp_path / "none.yaml"))
    assert str(info.value) == f"{tmp_path / 'none.yaml'}: cannot read the recipe: No such file or directory"


def test_recipe_items_keep_their_order_and_positions():
    specs = parse_recipe("# r\n- preset: bare-metal\n- transform: node_port\n  selector: svc/x\n", source="r.yaml")
    assert [(s.transform, dict(s.options), s.line, s.column) for s in specs] == [
        ("preset", {"name": "bare-metal"}, 2, 3),
        ("node_port", {"selector": "svc/x"}, 3, 3),
    ]


def test_names_are_the_libraries_names():
    from istio_patch import transforms

    assert set(transform_names()) <= set(transforms.__all__)
    assert set(transform_names()) == set(transforms.registry())
    assert set(preset_names()) == set(transforms.PRESETS)


# -- with the real transforms --------------------------------------------------------------------------


def test_example_recipe_builds():
    steps = build_steps(read_recipe(str(ROOT / "examples" / "recipe.yaml")))
    assert len(steps) >= 3


def test_unknown_option_names_the_options():
    message = error_of("- transform: node_port\n  selector: svc/x\n  colour: red\n")
    assert message.startswith("r.yaml:3:3: node_port has no option 'colour' (its options are: ")
    assert message.endswith("\n      colour: red\n      ^")


def test_recipe_schema_is_published():
    published = json.loads((ROOT / "docs" / "recipe.schema.json").read_text())
    assert published == json_schema()


def test_modernize_in_a_recipe_keeps_the_version_as_written():
    steps = build_steps(parse_recipe("- transform: modernize\n  kubernetes_version: 1.30\n", source="r.yaml"))
    assert steps[0][1].keywords["options"].kubernetes_version == "1.30"  # not the float 1.3


def test_modernize_version_is_checked_before_any_manifest():
    assert error_of("- transform: modernize\n  kubernetes_version: 2.0\n") == (
        "r.yaml:2:23: modernize: kubernetes_version: cannot read the Kubernetes version '2.0': write it as 1.25\n"
        "      kubernetes_version: 2.0\n                          ^"
    )


def test_other_spellings_of_options_work_in_recipes_with_kubectl_selectors():
    text = "- transform: strip_resources\n  target: deploy/istio-pilot\n  namespace: istio-system\n  which: limits\n"
    options = build_steps(parse_recipe(text, source="r.yaml"))[0][1].keywords["options"]
    assert (options.selector.kind, options.selector.namespace, options.selector.name) == ("Deployment", "istio-system", "istio-pilot")
    assert options.resources == "limits"
