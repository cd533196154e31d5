"""The Kubernetes view: go-yaml v2 scalars, last-wins duplicates, merge keys, bounded aliases."""

from __future__ import annotations

import math
import os
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from istio_patch import Duplicate, IstioPatchError, LimitError, YAMLSyntaxError, check_syntax, load, load_path
from istio_patch._edit import same_data
from istio_patch._kube import CHARACTER_BUDGET, EXPANSION_BUDGET, MAX_DEPTH, _full_view, build_view, key_text, resolve_plain
from istio_patch._parse import compose

CORPUS_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"


def _view(text: str):
    return load(text).documents[0].data


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("~", None), ("null", None), ("Null", None), ("NULL", None),
        ("y", True), ("Yes", True), ("ON", True), ("true", True), ("n", False), ("off", False), ("FALSE", False),
        ("nULL", "nULL"), ("tRUE", "tRUE"),
        ("0", 0), ("-12", -12), ("+7", 7), ("1_000", 1000), ("0x1F", 31), ("0o17", 15), ("0b101", 5),
        ("017", 15), ("09", 9.0), ("1.5", 1.5), ("1e3", 1000.0), (".5", 0.5), ("1.", 1.0), ("-1.5e-2", -0.015),
        (".inf", math.inf), ("-.Inf", -math.inf),
        ("2001-12-14", "2001-12-14"), ("1:20", "1:20"), ("0x", "0x"), ("1.0.0", "1.0.0"), ("+", "+"),
        ("9223372036854775807", 9223372036854775807), ("18446744073709551615", 18446744073709551615),
        ("18446744073709551616", 1.8446744073709552e19),
    ],
)  # fmt: skip
def test_plain_scalars_resolve_as_go_yaml_v2(text: str, value: object) -> None:
    resolved = resolve_plain(text)
    assert resolved == value and type(resolved) is type(value)


def test_a_number_beyond_float64_stays_text_as_in_go_yaml() -> None:
    # Go's ParseFloat refuses it (Python's float() would say inf), so go-yaml keeps the plain text
    assert resolve_plain("1e400") == "1e400"
    assert resolve_plain("1" + "0" * 400) == "1" + "0" * 400
    assert resolve_plain("1e-400") == 0.0
    assert _view("a: 1000000000000000000000000000000\n") == {"a": 1e30}


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("a: !!binary aXN0aW8tcGlsb3Q=\n", "istio-pilot"),
        ("a: !!binary |\n  Z2NyLmlvL2lzdGlv\n  LXJlbGVhc2U=\n", "gcr.io/istio-release"),  # line breaks are ignored
        ("a: !<tag:yaml.org,2002:binary> eA==\n", "x"),
        ("a: !!binary /w==\n", "\ufffd"),  # bytes that are not UTF-8 become U+FFFD, as in Kubernetes' JSON
        ("a: !!binary ''\n", ""),
    ],
)
def test_binary_is_decoded_as_kubernetes_decodes_it(text: str, value: str) -> None:
    assert _view(text) == {"a": value}


@pytest.mark.parametrize("data", ["eA", "e A==", "'***='", "eA="])
def test_binary_that_is_not_base64_is_refused(data: str) -> None:
    with pytest.raises(YAMLSyntaxError) as caught:
        check_syntax(load(f"kind: A\na: !!binary {data}\n", source="b.yaml"))
    assert caught.value.headline() == "b.yaml:2:4: !!binary value contains invalid base64 data (document 1)"


def test_binary_keys_are_decoded_too() -> None:
    doc = load("a:\n  !!binary a2V5: v\n  0x10: w\n").documents[0]
    assert doc.data == {"a": {"key": "v", "16": "w"}}
    assert (doc.position("/a/key"), doc.position("/a/16")) == ((2, 18), (3, 9))


def test_nan() -> None:
    assert math.isnan(resolve_plain(".NaN"))


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("a: '1'\n", {"a": "1"}),
        ("a: !!str 1\n", {"a": "1"}),
        ("a: !!int '12'\n", {"a": 12}),
        ("a: !!float 1\n", {"a": 1.0}),
        ("a: !!bool yes\n", {"a": True}),
        ("a: !!null ''\n", {"a": None}),
        ("a: !custom 5\n", {"a": "5"}),
        ("a:\n", {"a": None}),
        ("1: x\ntrue: t\n~: z\n1.5: w\n", {"1": "x", "true": "t", "null": "z", "1.5": "w"}),
    ],
)
def test_tags_and_keys(text: str, value: object) -> None:
    assert _view(text) == value


def test_bad_explicit_tag_is_an_error_with_position() -> None:
    with pytest.raises(YAMLSyntaxError) as caught:
        check_syntax(load("---\na: !!int xyz\n", source="f.yaml"))
    assert caught.value.headline() == "f.yaml:2:4: cannot read 'xyz' as !!int (document 1)"


def test_key_text() -> None:
    assert [key_text(v) for v in ("a", None, True, False, 3, 2.0, 2.5)] == ["a", "null", "true", "false", "3", "2", "2.5"]


def test_duplicate_keys_last_wins_and_are_reported() -> None:
    doc = load("# head\n---\nmetadata:\n  labels:\n    app: first\n    x: 1\n    app: second\n").documents[1]
    assert doc.data == {"metadata": {"labels": {"x": 1, "app": "second"}}}
    assert list(doc.data["metadata"]["labels"]) == ["x", "app"]  # the key sits where its last writing is
    assert doc.duplicates == (
        Duplicate(key="app", pointer="/metadata/labels", line=5, column=5, lost_value="first", winning_line=7),
    )


def test_a_key_written_three_times_reports_two_losers() -> None:
    doc = load("a: 1\na: {b: 2}\na: 3\n").documents[0]
    assert doc.data == {"a": 3}
    assert [(d.line, d.lost_value, d.winning_line) for d in doc.duplicates] == [(1, 1, 2), (2, {"b": 2}, 3)]


def test_duplicates_by_value_not_spelling() -> None:
    doc = load("yes: 1\ntrue: 2\n'true': 3\n").documents[0]
    assert doc.data == {"true": 3}
    assert len(doc.duplicates) == 2


def test_duplicate_app_label_of_the_1_0_0_gateways() -> None:
    path = CORPUS_DIR / "istio-1.0.0" / "istio-demo.yaml"
    if not path.is_file():
        pytest.skip(f"the shared corpus is absent ({path} not found)")
    manifest = load_path(path)
    found = {}
    for index, dup in manifest.duplicates():
        found[manifest.documents[index].data["metadata"]["name"]] = dup
    assert set(found) == {"istio-ingressgateway", "istio-egressgateway"}
    ingress = found["istio-ingressgateway"]
    assert (ingress.key, ingress.pointer, ingress.line, ingress.column) == ("app", "/metadata/labels", 3033, 5)
    assert (ingress.lost_value, ingress.winning_line) == ("ingressgateway", 3037)
    egress = found["istio-egressgateway"]
    assert (egress.line, egress.lost_value, egress.winning_line) == (2896, "egressgateway", 2900)
    (gateway,) = [o for o in manifest.objects() if o.kind == "Deployment" and o.name == "istio-ingressgateway"]
    assert gateway.labels["app"] == "istio-ingressgateway"  # Kubernetes keeps the last writing


def test_merge_keys() -> None:
    data = _view(
        "base: &base {a: 1, b: 1}\n"
        "other: &other {b: 2, c: 2}\n"
        "one:\n  <<: *base\n  b: 9\n"
        "list:\n  <<: [*base, *other]\n"
        "before:\n  b: 9\n  <<: *base\n"
    )
    assert data["one"] == {"a": 1, "b": 9}
    assert data["list"] == {"a": 1, "b": 1, "c": 2}  # the first mapping listed wins
    # go-yaml v2 (Kubernetes' decoder) applies a merge where it is written, so a merge key after an explicit
    # key overrides it; the YAML merge spec (and PyYAML, go-yaml v3) would keep b: 9 here
    assert data["before"] == {"b": 1, "a": 1}


def test_merge_key_needs_mappings() -> None:
    with pytest.raises(YAMLSyntaxError, match="a merge key"):
        check_syntax(load("a:\n  <<: [1]\n"))


def test_aliases_are_shared_not_copied() -> None:
    root = compose("a: &x [1, 2]\nb: *x\n", source="f", document=1, first_line=1)
    view, _ = build_view(root)
    assert view["a"] is view["b"]


def test_recursive_alias_is_refused() -> None:
    with pytest.raises(YAMLSyntaxError) as caught:
        check_syntax(load("a: &x\n  b: *x\n", source="r.yaml"))
    assert caught.value.headline() == (
        "r.yaml:1:4: an alias refers to a node that contains it (a recursive anchor) (document 1)"
    )


def _bomb(levels: int) -> str:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, levels + 1):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def test_alias_bomb_is_refused_quickly() -> None:
    manifest = load(_bomb(9), source="bomb.yaml")
    assert manifest.render() == _bomb(9)  # the text itself is kept as written
    started = time.perf_counter()
    with pytest.raises(LimitError) as caught:
        check_syntax(manifest)
    assert time.perf_counter() - started < 5
    assert caught.value.headline() == (
        "bomb.yaml:7:5: expanding the aliases of this document would make more than 2,000,000 values; "
        "refusing (an alias bomb?) (document 1)"
    )


def test_small_alias_expansion_is_fine() -> None:
    # two levels (under 1,000 values) are fine; three (8,307 values, 99.8% from aliases) go-yaml refuses as
    # excessive aliasing, and so Kubernetes does: see test_excessive_aliasing_is_refused_as_kubernetes_refuses_it
    assert len(_view(_bomb(2))["a2"]) == 9
    with pytest.raises(LimitError, match="excessive aliasing"):
        _view(_bomb(3))


def test_budget_is_a_parameter() -> None:
    root = compose(_bomb(2), source="f", document=1, first_line=1)
    with pytest.raises(LimitError):
        build_view(root, budget=50)


def _string_bomb(length: int, copies: int) -> str:
    """A short document whose aliases repeat one string of ``length`` characters ``copies * 10`` times."""
    return f"a: &a {'x' * length}\nb: &b [{', '.join(['*a'] * 10)}]\nc: [{', '.join(['*b'] * copies)}]\n"


def test_aliases_repeating_a_long_string_are_refused() -> None:
    text = _string_bomb(100_000, 3)  # 31 values, but 3,000,000 characters added by aliases
    with pytest.raises(LimitError) as caught:
        check_syntax(load(text, source="s.yaml"))
    assert caught.value.headline() == (
        "s.yaml:3:4: expanding the aliases of this document would repeat more than 2,000,000 characters; "
        "refusing (an alias bomb?) (document 1)"
    )


def test_the_character_budget_counts_only_what_aliases_add() -> None:
    assert len(_view(_string_bomb(100_000, 1))["c"]) == 1  # 1,000,000 characters added: fine
    assert len(_view(f"a: {'x' * 3_000_000}\nb: {'y' * 3_000_000}\n")["a"]) == 3_000_000  # no alias: any size
    root = compose(_string_bomb(10, 1), source="f", document=1, first_line=1)
    with pytest.raises(LimitError):
        build_view(root, characters=50)


def test_nesting_deeper_than_the_limit_is_refused() -> None:
    depth = MAX_DEPTH + 1
    with pytest.raises(LimitError) as caught:
        check_syntax(load("a: " + "[" * depth + "]" * depth + "\n", source="deep.yaml"))
    assert caught.value.message == f"this document nests more than {MAX_DEPTH} levels deep; refusing it"


def test_nesting_up_to_the_limit_is_fine() -> None:
    depth = MAX_DEPTH - 1
    doc = load("a: " + "[" * depth + "]" * depth + "\n").documents[0]
    data = doc.data
    for _ in range(depth):
        data = data["a"] if isinstance(data, dict) else data[0]
    assert data == []


def test_nesting_through_aliases_counts() -> None:
    inner = "[" * 150 + "]" * 150
    text = f"a: &x {inner}\nb: " + "[" * 100 + "*x" + "]" * 100 + "\n"
    with pytest.raises(LimitError):
        check_syntax(load(text))


def test_collection_key_is_refused() -> None:
    with pytest.raises(YAMLSyntaxError, match="only scalar keys"):
        check_syntax(load("? {a: 1}\n: x\n"))


def test_excessive_aliasing_is_refused_as_kubernetes_refuses_it() -> None:
    # 8 levels of 8 aliases: 8**8 = 16.7M leaves would be too many; 6 levels make ~300k values, 99.99% from aliases
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x]"]
    for i in range(1, 6):
        levels.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 8) + "]")
    text = "kind: ConfigMap\nmetadata: {name: c}\n" + "\n".join(levels) + "\n"
    manifest = load(text, source="bomb.yaml")
    with pytest.raises(LimitError, match="Kubernetes refuses such excessive aliasing"):
        manifest.objects()


def test_ordinary_aliasing_is_fine() -> None:
    text = "kind: ConfigMap\nmetadata: {name: c}\nbase: &base {a: 1, b: 2, c: [1, 2, 3]}\n" + "".join(f"k{i}: *base\n" for i in range(50))
    assert len(load(text).objects()[0].data) == 53


# ---- the plain walk (no alias, no duplicate, no merge key) gives what the full walk gives --------------------

_PIECES = st.sampled_from(
    [
        "a: 1", "b: x", "a: 2", "c:", "  - 1", "  - y", "  d: on", "  e: '1'", "x: &n 5", "y: *n", "z: &m {p: 1}", "w: *m",
        "<<: *m", "<<: {q: 2}", "t: !!int 3", "u: !!int abc", "v: !!binary aGk=", "s: !!str 4", "? [k]", ": v", "- 1", "- &s s",
        "- *s", "f: [1, 2.0, true, null, '', ~]", "g: {h: 0x10, i: 017, j: 1e3}", "k: |", "  text", "2: two", "null: n", "r: *r",
        "&r r: 1", "*n : 7", "1.5: f", "deep: [[[[[[[[[[1]]]]]]]]]]",
    ]
)  # fmt: skip


def _outcome(build, node):
    try:
        data, duplicates = build(node)
    except IstioPatchError as exc:
        return "error", str(exc)
    return "ok", (data, [(pointer, id(key), id(value), id(winner)) for pointer, key, value, winner in duplicates])


@settings(max_examples=int(os.environ.get("ISTIO_PATCH_EXAMPLES", "300")), deadline=None)
@given(st.lists(_PIECES, min_size=1, max_size=8))
def test_the_plain_walk_gives_what_the_full_walk_gives(lines: list[str]) -> None:
    try:
        node = compose("\n".join(lines) + "\n", source="t", document=1, first_line=1)
    except IstioPatchError:
        return
    if node is None:
        return
    fast = _outcome(build_view, node)
    full = _outcome(lambda n: _full_view(n, EXPANSION_BUDGET, CHARACTER_BUDGET), node)
    assert fast[0] == full[0]
    assert fast[1] == full[1] if fast[0] == "error" else (same_data(fast[1][0], full[1][0]) and fast[1][1] == full[1][1])


def test_the_plain_walk_gives_what_the_full_walk_gives_on_the_corpus() -> None:
    paths = sorted(CORPUS_DIR.glob("**/*.yaml"))
    if not paths:
        pytest.skip(f"the shared corpus is absent ({CORPUS_DIR} not found)")
    plain = 0
    for path in paths:
        for doc in load_path(path).documents:
            node = doc.node
            if node is None:
                continue
            full = _full_view(node, EXPANSION_BUDGET, CHARACTER_BUDGET)
            assert same_data(build_view(node)[0], full[0])
            plain += not full[1]
    assert plain > 100


def test_building_a_view_leaves_nothing_for_the_cycle_collector() -> None:
    import gc

    # the command line runs the collector rarely: garbage in cycles would pile up, document after document
    node = compose("kind: A\nmetadata: {name: a, labels: {x: y}}\nspec:\n  ports: [1, 2]\n", source="t", document=1, first_line=1)
    enabled = gc.isenabled()
    gc.disable()
    try:
        gc.collect()
        for _ in range(10):
            build_view(node)
        assert gc.collect() == 0
    finally:
        if enabled:
            gc.enable()
