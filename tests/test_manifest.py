"""The Manifest: byte-exact round trips, documents, objects, and immutable edits of the stream."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import istio_patch
from istio_patch import Manifest, load, load_path

ROOT = Path(__file__).resolve().parent.parent
ROUNDTRIP = sorted((ROOT / "tests" / "fixtures" / "roundtrip").glob("*.yaml"))
CORPUS_DIR = ROOT.parent / "shared" / "corpus"
CORPUS = sorted(CORPUS_DIR.glob("*/*.yaml")) if CORPUS_DIR.is_dir() else []


def _corpus_or_skip(relative: str) -> Path:
    path = CORPUS_DIR / relative
    if not path.is_file():
        pytest.skip(f"the shared corpus is absent ({path} not found)")
    return path


@pytest.mark.parametrize("path", ROUNDTRIP, ids=lambda p: p.name)
def test_unmodified_fixture_renders_byte_for_byte(path: Path) -> None:
    raw = path.read_bytes()
    manifest = load_path(path)
    istio_patch.check_syntax(manifest)  # every fixture is YAML Kubernetes accepts
    assert manifest.to_bytes() == raw


@pytest.mark.parametrize("path", CORPUS or [None], ids=lambda p: "corpus" if p is None else f"{p.parent.name}/{p.name}")
def test_unmodified_corpus_file_renders_byte_for_byte(path: Path | None) -> None:
    if path is None:
        pytest.skip(f"the shared corpus is absent ({CORPUS_DIR} not found)")
    raw = path.read_bytes()
    manifest = load_path(path)
    istio_patch.check_syntax(manifest)
    assert manifest.to_bytes() == raw
    assert "".join(doc.text for doc in manifest.documents).encode() == raw.removeprefix(b"\xef\xbb\xbf")


def test_fixture_set_covers_the_required_cases() -> None:
    names = {p.stem for p in ROUNDTRIP}
    assert {
        "crlf", "bom", "no-final-newline", "trailing-whitespace", "indent-4", "lone-dash", "flow", "anchors",
        "directives", "block-scalars", "multiline-scalars", "non-ascii", "kind-list", "scalar-and-sequence",
        "comment-and-empty", "empty",
    } <= names  # fmt: skip


def test_empty_input_is_one_empty_document_and_renders_empty() -> None:
    manifest = load(b"")
    assert manifest.render() == ""
    assert manifest.objects() == ()
    assert [doc.is_empty for doc in manifest.documents] == [True]


def test_bom_is_kept_but_not_part_of_any_document() -> None:
    manifest = load("\ufeffkind: Namespace\nmetadata: {name: a}\n".encode())
    assert manifest.bom
    assert manifest.documents[0].text.startswith("kind")
    assert manifest.to_bytes().startswith(b"\xef\xbb\xbf")


def test_documents_carry_their_first_line() -> None:
    manifest = load("# head\n---\na: 1\n---\n\nb: 2\n")
    assert [(d.index, d.line) for d in manifest.documents] == [(0, 1), (1, 2), (2, 4)]  # lines are 1-based
    assert [d.data for d in manifest.documents] == [None, {"a": 1}, {"b": 2}]


def test_directives_stay_with_the_document_they_precede() -> None:
    manifest = load_path(ROOT / "tests/fixtures/roundtrip/directives.yaml")
    texts = [d.text for d in manifest.documents]
    assert texts[0].startswith("%YAML 1.1\n%TAG")
    assert texts[1].startswith("# between documents\n%YAML 1.1\n---\n")
    assert [d.data["metadata"]["name"] for d in manifest.documents] == ["one", "two"]


def test_objects_include_list_items_and_skip_non_objects() -> None:
    manifest = load_path(ROOT / "tests/fixtures/roundtrip/kind-list.yaml")
    found = [(o.kind, o.name, o.pointer, o.line) for o in manifest.objects()]
    assert found == [
        ("List", None, "", 1),
        ("ServiceAccount", "first", "/items/0", 4),
        ("ServiceAccount", "second", "/items/1", 9),
    ]
    others = load_path(ROOT / "tests/fixtures/roundtrip/scalar-and-sequence.yaml")
    assert others.objects() == ()


def test_objects_without_metadata_or_with_unknown_kind_are_still_objects() -> None:
    manifest = load("kind: Frobnicator\n---\napiVersion: v1\nmetadata: {name: no-kind}\n---\nkind: 3\n")
    objects = manifest.objects()
    assert [(o.kind, o.name, o.namespace, dict(o.labels)) for o in objects] == [("Frobnicator", None, None, {})]
    assert objects[0].describe() == "Frobnicator None"


def test_object_fields() -> None:
    manifest = load("---\napiVersion: v1\nkind: Service\nmetadata:\n  name: s\n  namespace: ns\n  labels: {app: x, tier: 1}\n")
    (obj,) = manifest.objects()
    assert (obj.api_version, obj.kind, obj.name, obj.namespace, obj.line) == ("v1", "Service", "s", "ns", 2)
    assert dict(obj.labels) == {"app": "x", "tier": "1"}
    assert obj.ref == "Service/s"
    assert obj.describe() == "Service ns/s"


def test_data_is_a_fresh_copy() -> None:
    doc = load("a: {b: 1}\n").documents[0]
    doc.data["a"]["b"] = 2
    assert doc.data == {"a": {"b": 1}}


def test_apply_returns_a_new_manifest_and_leaves_the_old_one() -> None:
    before = load("a: 1\n---\nb: 2\n---\nc: 3\n")
    after = before.apply([{"op": "add", "path": "/x", "value": "new"}], index=1)
    assert before.render() == "a: 1\n---\nb: 2\n---\nc: 3\n"
    assert after.render() == "a: 1\n---\nb: 2\nx: new\n---\nc: 3\n"
    assert after.documents[0] is before.documents[0]
    assert [d.line for d in after.documents] == [1, 2, 5]
    assert after.documents[2].data == {"c": 3}


def test_apply_with_a_base_pointer() -> None:
    manifest = load("kind: List\nitems:\n- kind: A\n  spec: {count: 1}\n")
    out = manifest.apply([{"op": "replace", "path": "/spec/count", "value": 2}], index=0, base="/items/0")
    assert out.render() == "kind: List\nitems:\n- kind: A\n  spec: {count: 2}\n"


def test_apply_without_operations_is_the_same_manifest() -> None:
    manifest = load("a: 1\n")
    assert manifest.apply([], index=0) is manifest


def test_without_document_and_appending() -> None:
    manifest = load("a: 1\n---\nb: 2\n---\nc: 3\n")
    shorter = manifest.without_document(1)
    assert shorter.render() == "a: 1\n---\nc: 3\n"
    assert [(d.index, d.line) for d in shorter.documents] == [(0, 1), (1, 2)]
    longer = shorter.with_documents_appended(["---\nd: 4\n"])
    assert longer.render() == "a: 1\n---\nc: 3\n---\nd: 4\n"
    assert longer.documents[2].data == {"d": 4}
    assert (longer.documents[2].index, longer.documents[2].line) == (2, 4)


def test_split_document_makes_two_documents_that_read_back_as_the_stream_does() -> None:
    manifest = load("a: 1\n---\nkind: A\n# b\nkind: B\n---\nc: 1\n")
    out = manifest.split_document(1, 12)
    assert out.render() == "a: 1\n---\nkind: A\n---\n# b\nkind: B\n---\nc: 1\n"
    assert [(d.index, d.line, d.text) for d in out.documents] == [
        (0, 1, "a: 1\n"), (1, 2, "---\nkind: A\n"), (2, 4, "---\n# b\nkind: B\n"), (3, 7, "---\nc: 1\n")
    ]  # fmt: skip
    assert [(d.index, d.line, d.text) for d in load(out.render()).documents] == [(d.index, d.line, d.text) for d in out.documents]
    assert out.documents[3].node is manifest.documents[2].node  # moved, parse shared
    assert manifest.render() == "a: 1\n---\nkind: A\n# b\nkind: B\n---\nc: 1\n"


@pytest.mark.parametrize(("text", "expected"), [("a: 1\r\nb: 2\r\n", "a: 1\r\n---\r\nb: 2\r\n"), ("a: 1\rb: 2", "a: 1\r---\rb: 2")])
def test_split_document_writes_the_line_break_before_it(text: str, expected: str) -> None:
    out = load(text).split_document(0, len(text.split("b")[0]))
    assert out.render() == expected and [d.data for d in out.documents] == [{"a": 1}, {"b": 2}]


@pytest.mark.parametrize(
    ("text", "offset", "message"),
    [
        ("a: 1\nb: 2\n", 3, "f.yaml:1: a document is split at the start of one of its lines, not at offset 3 (document 1)"),
        ("a: 1\nb: 2\n", 0, "f.yaml:1: a document is split at the start of one of its lines, not at offset 0 (document 1)"),
        ("a: 1\nb: 2\n", 10, "f.yaml:1: a document is split at the start of one of its lines, not at offset 10 (document 1)"),
        ("a: 1\nb: 2\n", "5", "f.yaml:1: a document is split at the start of one of its lines, not at offset '5' (document 1)"),
        ("a: 1\r\nb: 2\r\n", 5, "f.yaml:1: a document is split at the start of one of its lines, not at offset 5 (document 1)"),
        ("%YAML 1.1\n---\na: 1\n", 10, "f.yaml:2: the text after the split point would not be read as one document after a `---` line (document 1)"),
    ],
)
def test_split_document_is_refused_where_the_stream_would_not_be_cut(text: str, offset: object, message: str) -> None:
    with pytest.raises(istio_patch.EditError) as caught:
        load(text, source="f.yaml").split_document(0, offset)  # type: ignore[arg-type]
    assert str(caught.value) == message


def test_replace_text_keeps_later_documents_and_moves_their_lines() -> None:
    manifest = load("a: 1\n---\nb: 2\n")
    out = manifest.replace_text(0, "a: 1\nz: 0\n")
    assert out.render() == "a: 1\nz: 0\n---\nb: 2\n"
    assert out.documents[1].line == 3
    assert manifest.replace_text(0, "a: 1\n") is manifest


def test_edited_replaces_and_removes_in_one_pass_as_one_edit_at_a_time_would() -> None:
    manifest = load("a: 1\n---\nb: 2\n---\nc: 3\n---\nd: 4\n---\ne: 5\n")
    texts = {0: "a: 1\nx: 0\ny: 0\n", 1: None, 3: "---\nd: 4\n", 4: "---\ne: 5\nz: 0\n"}
    out = manifest.edited(texts)
    one_at_a_time = manifest
    for index in sorted(texts, reverse=True):  # from the end, so indexes still mean the same documents
        text = texts[index]
        one_at_a_time = one_at_a_time.without_document(index) if text is None else one_at_a_time.replace_text(index, text)
    assert out.render() == one_at_a_time.render() == "a: 1\nx: 0\ny: 0\n---\nc: 3\n---\nd: 4\n---\ne: 5\nz: 0\n"
    assert [(d.index, d.line) for d in out.documents] == [(d.index, d.line) for d in one_at_a_time.documents]
    assert [(d.index, d.line) for d in out.documents] == [(0, 1), (1, 4), (2, 6), (3, 8)]
    assert out.documents[1] is not manifest.documents[2] and out.documents[1].data == {"c": 3}  # moved, parse shared
    assert manifest.edited({2: "---\nc: 3\n"}) is manifest


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (-2, "<string>: there is no document at index -2 in this stream of 2 (indices 0 to 1)"),
        (2, "<string>: there is no document at index 2 in this stream of 2 (indices 0 to 1)"),
        ("1", "<string>: a document is named by its 0-based index (int), not str"),
        (True, "<string>: a document is named by its 0-based index (int), not bool"),
    ],
)
def test_apply_to_a_document_that_is_not_there_is_refused(document: object, message: str) -> None:
    manifest = load("a: 1\n---\nb: 1\n")
    with pytest.raises(istio_patch.EditError) as caught:
        manifest.apply([{"op": "replace", "path": "/a", "value": 2}], index=document)  # type: ignore[arg-type]
    assert str(caught.value) == message
    with pytest.raises(istio_patch.EditError):
        manifest.edited({-1: "c: 1\n"})


def test_document_apply_keeps_its_place() -> None:
    doc = load("a: 1\n---\nb: 2\n").documents[1]
    new = doc.apply([{"op": "add", "path": "/c", "value": 3}])
    assert (new.index, new.line, new.text, new.data) == (1, 2, "---\nb: 2\nc: 3\n", {"b": 2, "c": 3})
    assert doc.apply([]) is doc and doc.apply([{"op": "replace", "path": "/b", "value": 2}]) is doc


def test_duplicates_of_the_stream() -> None:
    manifest = load("a: 1\n---\nb: 1\nb: 2\n")
    ((index, dup),) = manifest.duplicates()
    assert index == 1
    assert (dup.key, dup.pointer, dup.line, dup.column, dup.lost_value, dup.winning_line) == ("b", "", 3, 1, 1, 4)


def test_load_path_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("a: [\n")
    manifest = load_path(path)
    with pytest.raises(istio_patch.YAMLSyntaxError) as caught:
        istio_patch.check_syntax(manifest)
    assert caught.value.source == str(path)


def test_gateway_deployment_of_1_0_0_is_found() -> None:
    manifest = load_path(_corpus_or_skip("istio-1.0.0/istio-demo.yaml"))
    gateways = [o for o in manifest.objects() if o.kind == "Deployment" and o.name == "istio-ingressgateway"]
    assert len(gateways) == 1
    assert gateways[0].labels["app"] == "istio-ingressgateway"


def test_position_finds_values_keys_and_the_nearest_ancestor() -> None:
    text = "---\nkind: Pod\nmetadata:\n  labels:\n    app: a\n    app: b\nspec:\n  containers:\n    - name: c\n      image: x\n"
    doc = load(text, source="p.yaml").documents[0]
    assert doc.position("/metadata/labels/app") == (6, 10)  # the last writing, as Kubernetes reads it
    assert doc.position("/metadata/labels/app", key=True) == (6, 5)
    assert doc.position("/spec/containers/0/image") == (10, 14)
    assert doc.position("/spec/containers/0/ports/0") == (9, 7)  # absent: its nearest existing ancestor
    assert doc.position("") == (2, 1)


# Blocks that end in an alias (`resources: *labels`, `memory: *memory`): edits around them end at the alias.
ENDS_IN_ALIASES = (
    "apiVersion: v1\n"
    "kind: Service\n"
    "metadata:\n"
    "  name: istio-ingressgateway\n"
    "  namespace: istio-system\n"
    "  labels: &labels\n"
    "    app: istio-ingressgateway\n"
    "spec:\n"
    "  type: LoadBalancer\n"
    "  selector: *labels\n"
    "  ports:\n"
    "  - port: 80\n"
    "---\n"
    "apiVersion: extensions/v1beta1\n"
    "kind: Deployment\n"
    "metadata:\n"
    "  name: istio-ingressgateway\n"
    "  namespace: istio-system\n"
    "spec:\n"
    "  replicas: 1\n"
    "  template:\n"
    "    metadata:\n"
    "      labels: &labels\n"
    "        app: istio-ingressgateway\n"
    "    spec:\n"
    "      containers:\n"
    "      - name: istio-proxy\n"
    "        ports:\n"
    "        - containerPort: 80\n"
    "        - containerPort: 443\n"
    "        resources: *labels\n"
    "---\n"
    "apiVersion: extensions/v1beta1\n"
    "kind: Deployment\n"
    "metadata:\n"
    "  name: istio-pilot\n"
    "  namespace: istio-system\n"
    "  annotations:\n"
    "    memory: &memory 2048Mi\n"
    "spec:\n"
    "  template:\n"
    "    spec:\n"
    "      containers:\n"
    "      - name: discovery\n"
    "        resources:\n"
    "          requests:\n"
    "            cpu: 500m\n"
    "            memory: *memory\n"
    "      - name: istio-proxy\n"
)


def test_presets_edit_blocks_that_end_in_an_alias() -> None:
    from istio_patch.transforms import apply, preset

    manifest = load(ENDS_IN_ALIASES)
    bare_metal = apply(manifest, preset("bare-metal")).manifest.render()
    assert bare_metal == (
        ENDS_IN_ALIASES.replace("type: LoadBalancer", "type: NodePort")
        .replace("kind: Deployment\nmetadata:\n  name: istio-ingressgateway", "kind: DaemonSet\nmetadata:\n  name: istio-ingressgateway")
        .replace("spec:\n  replicas: 1\n", "spec:\n")
        .replace("- containerPort: 80\n", "- containerPort: 80\n          hostPort: 80\n")
        .replace("- containerPort: 443\n", "- containerPort: 443\n          hostPort: 443\n")
        .replace("resources: *labels\n", "resources: *labels\n  updateStrategy:\n    type: RollingUpdate\n")
    )
    small_nodes = apply(manifest, preset("small-nodes")).manifest.render()
    assert small_nodes == ENDS_IN_ALIASES.replace(
        "        resources:\n          requests:\n            cpu: 500m\n            memory: *memory\n",
        "        # resources:\n          # requests:\n            # cpu: 500m\n            # memory: *memory\n",
    )


def test_position_of_an_alias_is_where_it_is_written() -> None:
    doc = load(ENDS_IN_ALIASES).documents[1]
    assert doc.position("/spec/template/spec/containers/0/resources") == (31, 20)
    assert doc.position("/spec/template/spec/containers/0/resources/app") == (24, 14)  # inside: the anchored text


def test_a_plain_ruamel_round_trip_is_the_failure_this_core_avoids() -> None:
    """Pins the reason for the design: ruamel.yaml's load-and-dump rewrites lines and loses the last duplicate."""
    import difflib
    import io

    from ruamel.yaml import YAML

    path = _corpus_or_skip("istio-1.0.0/istio-demo.yaml")
    text = path.read_text(encoding="utf-8")
    yaml = YAML()
    yaml.allow_duplicate_keys = True
    out = io.StringIO()
    yaml.dump_all(list(yaml.load_all(text)), out)
    rewritten = sum(
        1
        for line in difflib.unified_diff(text.splitlines(), out.getvalue().splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and line[:3] not in ("+++", "---")
    )
    assert rewritten > 1000  # about 1,450 of 5,134 lines, with no edit at all
    assert load_path(path).render() == text  # ours: none
    gateway = next(o for o in load_path(path).objects() if o.kind == "Deployment" and o.name == "istio-ingressgateway")
    assert gateway.labels["app"] == "istio-ingressgateway"  # the last writing, as Kubernetes reads it


DOCUMENT_TEXTS = st.sampled_from(["a: 1\n", "b:\n- 2\n- 3\n", "# only a comment\n", "c: 3\r\n", "", "d: |\n  x\n  y\n"])


@settings(max_examples=80, deadline=None)
@given(st.lists(DOCUMENT_TEXTS, min_size=1, max_size=8), st.data())
def test_edited_matches_the_same_edits_one_at_a_time(bodies: list[str], data: st.DataObject) -> None:
    manifest = load("".join("---\n" + body for body in bodies))
    count = len(manifest.documents)
    chosen = data.draw(st.lists(st.integers(0, count - 1), unique=True, max_size=count))
    texts = {i: data.draw(st.one_of(st.none(), DOCUMENT_TEXTS.map(lambda body: "---\n" + body))) for i in chosen}
    out = manifest.edited(texts)
    one_at_a_time = manifest
    for index in sorted(texts, reverse=True):
        text = texts[index]
        one_at_a_time = one_at_a_time.without_document(index) if text is None else one_at_a_time.replace_text(index, text)
    assert out.render() == one_at_a_time.render()
    assert [(d.index, d.line) for d in out.documents] == [(d.index, d.line) for d in one_at_a_time.documents]
    if out.documents:  # every document starts with its "---", so reading the output cuts it the same way
        assert [(d.index, d.line, d.text) for d in out.documents] == [(d.index, d.line, d.text) for d in load(out.render()).documents]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((None,), "<string>: the input must be text (str) or UTF-8 bytes, not NoneType"),
        ((123,), "<string>: the input must be text (str) or UTF-8 bytes, not int"),
        ((b"a: 1\n", 123), "the source names the input: it must be a str, not int"),
        (("kind: A\nx: \ud800\n", "s.yaml"), "s.yaml:2:4: the text holds a lone surrogate (U+D800), which is not a character UTF-8 can hold"),
    ],
)
def test_load_refuses_what_is_not_text_with_a_message(args: tuple, message: str) -> None:
    with pytest.raises(istio_patch.DecodeError) as caught:
        load(*args)
    assert str(caught.value) == message


def test_load_reads_bytearray_memoryview_and_path_sources() -> None:
    assert load(bytearray(b"a: 1\n")).documents[0].data == {"a": 1}
    assert load(memoryview(b"a: 1\n")).render() == "a: 1\n"
    assert load(b"a: 1\n", source=Path("dir/x.yaml")).source == "dir/x.yaml"


@pytest.mark.parametrize(
    ("operations", "base", "message"),
    [
        (None, "", "<string>: operations must be a list of RFC 6902 operations, not NoneType"),
        ({"op": "remove", "path": "/a"}, "", "<string>: operations must be a list of RFC 6902 operations, not dict"),
        ([{"op": "remove", "path": "/a"}], 3, "<string>: the base must be a JSON pointer (str), not int"),
        (["remove /a"], "/x", "operation 1 is not an RFC 6902 operation: 'remove /a'"),
    ],
)
def test_apply_refuses_what_is_not_operations(operations: object, base: object, message: str) -> None:
    with pytest.raises(istio_patch.EditError) as caught:
        load("a: 1\n").apply(operations, index=0, base=base)  # type: ignore[arg-type]
    assert str(caught.value) == message


BINARY = (
    "apiVersion: extensions/v1beta1\nkind: Deployment\nmetadata:\n  name: !!binary aXN0aW8tcGlsb3Q=\n"
    "  namespace: istio-system\nspec:\n  template:\n    spec:\n      containers:\n      - name: discovery\n"
    "        image: !!binary Z2NyLmlvL2lzdGlvLXJlbGVhc2UvcGlsb3Q6MS4wLjA=\n"
)


def test_binary_values_are_seen_by_selectors_images_and_mirroring() -> None:
    from istio_patch.transforms import apply, images, preset

    manifest = load(BINARY)
    assert [o.name for o in manifest.objects()] == ["istio-pilot"]  # base64 of istio-pilot
    assert [found.reference for found in images(manifest)] == ["gcr.io/istio-release/pilot:1.0.0"]
    mirrored = apply(manifest, preset("cn-mirror", allow_no_match=True)).manifest.render()
    assert mirrored == BINARY.replace("!!binary Z2NyLmlvL2lzdGlvLXJlbGVhc2UvcGlsb3Q6MS4wLjA=", "docker.io/istio/pilot:1.0.0")


def test_a_json_deployment_becomes_a_json_daemonset() -> None:
    import json

    from istio_patch.transforms import apply
    from istio_patch.transforms._host_ports import HostPortsOptions, host_ports
    from istio_patch.transforms._to_daemonset import ToDaemonSetOptions, to_daemonset

    data = {
        "apiVersion": "extensions/v1beta1",
        "kind": "Deployment",
        "metadata": {"name": "gw", "namespace": "istio-system", "annotations": {"lock": "\U0001f510"}},
        "spec": {"replicas": 1, "template": {"spec": {"containers": [{"name": "p", "ports": [{"containerPort": 80}]}]}}},
    }
    text = json.dumps(data, indent=4) + "\n"  # as kubectl get -o json writes it, with Python's surrogate pairs
    steps = [
        lambda m: to_daemonset(m, ToDaemonSetOptions(selector={"kind": "Deployment", "name": "gw"})),
        lambda m: host_ports(m, HostPortsOptions(selector={"kind": "DaemonSet", "name": "gw"}, ports=[80])),
    ]
    out = json.loads(apply(load(text), steps).manifest.render())
    assert out["kind"] == "DaemonSet" and "replicas" not in out["spec"]
    assert out["spec"]["template"]["spec"]["containers"][0]["ports"] == [{"containerPort": 80, "hostPort": 80}]
    assert out["metadata"]["annotations"] == {"lock": "\U0001f510"}


# ---- several files as one manifest -------------------------------------------------------------------------


def test_joined_files_keep_their_names_lines_and_numbers_and_split_back() -> None:
    a = load("# a\nkind: A\n---\nkind: B\n", source="a.yaml")
    b = load("\ufeffkind: C\n".encode(), source="b.yaml")
    joined = istio_patch.Manifest.join([a, b])
    assert joined.source == "a.yaml, b.yaml"
    assert [(d.source, d.index, d.number, d.line) for d in joined.documents] == [("a.yaml", 0, 1, 1), ("a.yaml", 1, 2, 3), ("b.yaml", 2, 1, 1)]
    assert [o.document for o in joined.objects()] == [1, 2, 1]
    assert [m.to_bytes() for m in joined.split()] == [a.to_bytes(), b.to_bytes()]  # the byte-order mark too
    assert joined.render() == "# a\nkind: A\n---\nkind: B\n---\nkind: C\n"  # one stream: each file starts a document


def test_edits_of_a_joined_manifest_go_back_to_their_file() -> None:
    joined = istio_patch.Manifest.join([load("kind: A\n---\nkind: B\n", source="a.yaml"), load("kind: C\n---\nkind: D\n", source="b.yaml")])
    edited = joined.edited({0: None, 2: "kind: C\nx: 1\n"})
    assert [(d.source, d.number, d.line) for d in edited.documents] == [("a.yaml", 1, 1), ("b.yaml", 1, 1), ("b.yaml", 2, 3)]
    assert [m.render() for m in edited.split()] == ["---\nkind: B\n", "kind: C\nx: 1\n---\nkind: D\n"]
    appended = edited.with_documents_appended(["---\nkind: E\n"])
    assert (appended.documents[-1].source, appended.documents[-1].number, appended.documents[-1].line) == ("b.yaml", 3, 5)
    everything_gone = joined.edited({0: None, 1: None})
    assert [m.render() for m in everything_gone.split()] == ["", "kind: C\n---\nkind: D\n"]  # an emptied file stays a file


def test_a_joined_manifest_of_one_file_is_that_file() -> None:
    one = load("kind: A\n")
    assert istio_patch.Manifest.join([one]) is one and one.split() == [one]


def test_concatenated_streams_read_back_when_a_file_starts_with_a_directive() -> None:
    from istio_patch._manifest import concatenate

    text = concatenate([b"kind: A\n", b"%YAML 1.1\n---\nkind: B\n", b"kind: C"]).decode()
    assert text == "kind: A\n...\n%YAML 1.1\n---\nkind: B\n---\nkind: C"
    assert [o.kind for o in load(text).objects()] == ["A", "B", "C"]


def test_split_document_in_a_joined_manifest_moves_only_its_own_file() -> None:
    first = load("kind: A\nkind: B\n---\nkind: C\n", source="one.yaml")
    second = load("kind: D\n", source="two.yaml")
    out = Manifest.join([first, second]).split_document(0, 8)
    assert [(d.source, d.number, d.line) for d in out.documents] == [("one.yaml", 1, 1), ("one.yaml", 2, 2), ("one.yaml", 3, 4), ("two.yaml", 1, 1)]
    assert [m.render() for m in out.split()] == ["kind: A\n---\nkind: B\n---\nkind: C\n", "kind: D\n"]


# ---- parses are kept for the documents read last, and made again with the same result ---------------------


def _positions(manifest: istio_patch.Manifest) -> list[object]:
    """Everything a manifest says that comes from node trees: object lines, positions, duplicates."""
    found: list[object] = []
    for doc in manifest.documents:
        found.extend((o.pointer, o.line, o.kind, o.name) for o in manifest.objects() if o.index == doc.index)
        found.extend((d.key, d.line, d.column, d.winning_line, d.pointer) for d in doc.duplicates)
        for obj in (o for o in manifest.objects() if o.index == doc.index):
            for pointer in ("/metadata/name", "/spec/template/spec/containers/0/image", "/items/1/metadata", "/nope"):
                found.append((pointer, doc.position(obj.pointer + pointer), doc.position(obj.pointer + pointer, key=True)))
    return found


@pytest.mark.parametrize("path", ROUNDTRIP, ids=lambda p: p.name)
def test_node_trees_composed_again_give_the_same_positions(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    kept = _positions(load_path(path))
    monkeypatch.setattr(istio_patch._manifest._Parses, "BUDGET", 0)  # every parse is dropped as soon as the next is made
    assert _positions(load_path(path)) == kept


def test_node_trees_composed_again_give_the_same_positions_on_the_corpus(monkeypatch: pytest.MonkeyPatch) -> None:
    path = _corpus_or_skip("istio-1.0.0/istio-demo.yaml")
    manifest = load_path(path)
    kept = [(o.index, o.line, o.data) for o in manifest.objects()], [(i, d.key, d.line, d.column) for i, d in manifest.duplicates()]
    assert kept[1]  # the gateways' two `app` labels
    monkeypatch.setattr(istio_patch._manifest._Parses, "BUDGET", 0)
    again = load_path(path)
    objects = again.objects()
    assert ([(o.index, o.line, o.data) for o in objects], [(i, d.key, d.line, d.column) for i, d in again.duplicates()]) == kept
    assert [o.data for o in objects] == [o.data for o in manifest.objects()]  # an object's data is its document's


def test_a_manifest_keeps_the_parses_of_the_documents_read_last_only() -> None:
    manifest = load("".join(f"---\nkind: ConfigMap\nmetadata: {{name: c{i}}}\ndata: {{a: '{i}'}}\n" for i in range(5000)))
    assert [o.name for o in manifest.objects()][-1] == "c4999"
    kept = manifest.documents[0]._parses._kept
    assert 0 < len(kept) < 2000  # not one tree and view per document: about a kilobyte of text's worth each
    assert manifest.objects()[0].data == {"kind": "ConfigMap", "metadata": {"name": "c0"}, "data": {"a": "0"}}


# ---- writing a manifest a piece at a time ----------------------------------------------------------------

STREAMS = ["", "\ufeff", "\ufeffa", "a", "a\n", "---\na\n", "%YAML 1.1\n---\na\n", "\ufeff%YAML 1.1\n---\nb", "--- x", "# c\n", "x\r"]


@pytest.mark.parametrize("first", STREAMS)
@pytest.mark.parametrize("second", STREAMS)
@pytest.mark.parametrize("third", ["", "a", "%YAML 1.1\n---\n"])
def test_concatenated_is_concatenate_a_piece_at_a_time(first: str, second: str, third: str) -> None:
    from istio_patch._manifest import concatenate, concatenated

    manifests = [load(text.encode()) for text in (first, second, third)]
    expected = concatenate([m.to_bytes() for m in manifests])
    assert "".join(concatenated(manifests)).encode() == expected
    assert istio_patch.Manifest.join(manifests).to_bytes() == expected


@given(st.lists(st.text(st.characters(blacklist_categories=("Cs",)), max_size=5), max_size=8), st.integers(1, 6))
def test_encoded_chunks_are_the_text_in_utf8_each_whole(pieces: list[str], size: int) -> None:
    from istio_patch._manifest import encoded

    chunks = list(encoded(pieces, size))
    assert b"".join(chunks) == "".join(pieces).encode("utf-8")
    assert "".join(chunk.decode("utf-8") for chunk in chunks) == "".join(pieces)  # no chunk ends inside a character


@settings(max_examples=80, deadline=None)
@given(st.lists(DOCUMENT_TEXTS, min_size=1, max_size=6), st.data())
def test_same_text_is_equal_renders(bodies: list[str], data: st.DataObject) -> None:
    manifest = load("".join("---\n" + body for body in bodies))
    texts = {i: data.draw(st.one_of(st.none(), DOCUMENT_TEXTS.map(lambda body: "---\n" + body))) for i in range(len(manifest.documents)) if data.draw(st.booleans())}
    other = manifest.edited(texts)
    assert manifest.same_text(other) == (manifest.render() == other.render()) == other.same_text(manifest)
    assert manifest.same_text(load(manifest.render())) and manifest.same_text(manifest)


def test_same_text_compares_the_text_not_the_cuts() -> None:
    assert load("a: 1\n---\nb: 2\n").same_text(load("a: 1\n").with_documents_appended(["---\nb: 2\n"]))
    assert load("a: 1\n---\nb: 2\n").same_text(load("a: 1\n---\nb: 3\n").replace_text(1, "---\nb: 2\n"))
    assert not load("a: 1\n").same_text(load("\ufeffa: 1\n"))
    joined = istio_patch.Manifest.join([load("a: 1\n"), load("b: 2\n")])
    assert joined.same_text(load("a: 1\n---\nb: 2\n")) and not joined.same_text(load("a: 1\nb: 2\n"))
