"""The transforms framework: the cheap pre-filter that decides which documents need parsing, and execute's report."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from istio_patch import load
from istio_patch.transforms import Edit, Plan, execute
from istio_patch.transforms._base import documents_mentioning, might_mention

WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-./:", min_size=1, max_size=12)


def _escaped(word: str, how: list[int]) -> str:
    """``word`` written inside a double-quoted scalar, some characters as escapes."""
    out = []
    for ch, style in zip(word, how):
        out.append({0: ch, 1: f"\\x{ord(ch):02x}", 2: f"\\u{ord(ch):04x}", 3: f"\\U{ord(ch):08x}"}[style])
    return "".join(out)


@settings(max_examples=150, deadline=None)
@given(WORDS, st.data())
def test_a_word_any_value_holds_is_always_mentioned(word: str, data: st.DataObject) -> None:
    how = data.draw(st.lists(st.integers(0, 3), min_size=len(word), max_size=len(word)))
    split = data.draw(st.integers(0, len(word)))
    body = _escaped(word[:split], how[:split]) + ("\\\n    " if data.draw(st.booleans()) else "") + _escaped(word[split:], how[split:])
    text = f'kind: ConfigMap\ndata:\n  k: "pre {body} post"\n'
    value = load(text).documents[0].data["data"]["k"]
    assert word in value  # the test writes the word into the value ...
    assert might_mention(text, word)  # ... so the pre-filter must never skip this document


def test_a_word_absent_from_plain_text_is_not_mentioned() -> None:
    text = 'kind: Service\nmetadata: {name: istio-pilot}\ndata: "a\\tb\\\\c\\"d"\n'
    assert might_mention(text, "istio-pilot")
    assert not might_mention(text, "istio-ingressgateway")
    assert might_mention(text, "istio ingressgateway")  # words with blanks can come from folding: always looked at


def test_execute_reports_operations_in_plan_order() -> None:
    manifest = load("kind: List\nitems:\n- kind: A\n  metadata: {name: a}\n- kind: B\n  metadata: {name: b}\n")
    a, b = [o for o in manifest.objects() if o.pointer]
    plan = Plan(
        "t",
        (
            Edit.on(a, [{"op": "add", "path": "/x", "value": 1}, {"op": "add", "path": "/z", "value": 2}]),
            Edit.on(b, [{"op": "remove", "path": ""}]),
        ),
    )
    result = execute(manifest, plan)
    assert [(c.op, c.pointer) for c in result.changes] == [("add", "/items/0/x"), ("add", "/items/0/z"), ("remove", "/items/1")]
    assert result.manifest.render() == "kind: List\nitems:\n- kind: A\n  metadata: {name: a}\n  x: 1\n  z: 2\n"


def test_a_new_key_that_yaml_1_1_reads_as_a_boolean_is_quoted() -> None:
    manifest = load("kind: A\nmetadata: {name: a}\n")
    obj = manifest.objects()[0]
    result = execute(manifest, Plan("t", (Edit.on(obj, [{"op": "add", "path": "/y", "value": 2}]),)))
    assert result.manifest.render() == 'kind: A\nmetadata: {name: a}\n"y": 2\n'  # Kubernetes would read y as true


def test_execute_builds_the_new_stream_once_whatever_the_number_of_edits(monkeypatch) -> None:
    # cost follows the edits: placing 20 edited documents in a stream of 40 is one pass, not 20
    text = "".join(f"---\nkind: A\nmetadata: {{name: a{i}}}\n" for i in range(40))
    manifest = load(text)
    objects = manifest.objects()
    plan = Plan("t", tuple(Edit.on(o, [{"op": "add", "path": "/x", "value": 1}]) for o in objects[::2]))
    plan = Plan("t", plan.edits + (Edit.on(objects[1], [{"op": "remove", "path": ""}]),))
    passes = []
    original = type(manifest).edited
    monkeypatch.setattr(type(manifest), "edited", lambda self, texts: passes.append(len(texts)) or original(self, texts))
    result = execute(manifest, plan)
    assert passes == [21]
    assert len(result.manifest.documents) == 39 and result.manifest.render().count("\nx: 1\n") == 20
    assert [d.index for d in result.manifest.documents] == list(range(39))


# ---- selector errors say where the near matches are --------------------------------------------------------

import pytest  # noqa: E402

from istio_patch import SelectorError  # noqa: E402
from istio_patch.transforms import Selector, select  # noqa: E402

MESH = "kind: Service\nmetadata: {name: istio-ingressgateway, namespace: mesh}\n"


def _error(text: str, selector: Selector) -> str:
    with pytest.raises(SelectorError) as info:
        select(load(text, source="m.yaml"), selector, what="node_port")
    return str(info.value)


def test_a_name_in_another_namespace_is_pointed_at() -> None:
    assert _error(MESH, Selector(kind="Service", name="istio-ingressgateway", namespace="istio-system")) == (
        "m.yaml: node_port: no object matches Service/istio-ingressgateway in namespace istio-system; "
        "Service istio-ingressgateway exists in namespace mesh (-n says where to look)"
    )


def test_a_close_name_is_offered_and_every_name_is_listed_or_counted() -> None:
    names = ["istio-citadel", "istio-egressgateway", "istio-galley", "istio-ingressgateway", "istio-pilot", "istio-policy",
             "istio-sidecar-injector", "istio-statsd-prom-bridge", "istio-telemetry", "istio-tracing", "grafana", "prometheus",
             "servicegraph"]
    text = "".join(f"---\nkind: Deployment\nmetadata: {{name: {n}, namespace: istio-system}}\n" for n in names)
    message = _error(text, Selector(kind="Deployment", name="istio-telemtry", namespace="istio-system"))
    assert message == (
        "m.yaml: node_port: no object matches Deployment/istio-telemtry in namespace istio-system; did you mean "
        "istio-telemetry? Deployment objects here: grafana, istio-citadel, istio-egressgateway, istio-galley, "
        "istio-ingressgateway, istio-pilot, istio-policy, istio-sidecar-injector, istio-statsd-prom-bridge, "
        "istio-telemetry, istio-tracing, prometheus, … (1 more)"
    )


def test_a_bare_name_where_type_and_name_were_wanted_gets_a_hint() -> None:
    assert _error(MESH, Selector.parse("istio-ingressgateway")) == (
        "m.yaml: node_port: no object matches istio-ingressgateway/*; a selector is TYPE/NAME: did you mean "
        "service/istio-ingressgateway?"
    )
    assert _error(MESH, Selector.parse("nothing")).endswith("; a selector is TYPE/NAME, e.g. svc/istio-ingressgateway")


# ---- the pre-filter over a whole stream gives the documents the one over each document gives -------------

_TEXTS = st.lists(
    st.sampled_from(
        [
            "kind: Service\n", "metadata: {name: istio-pilot}\n", "  name: gw\n", 'x: "a\\x41b"\n', "b: !!binary aGk=\n", "# binary\n",
            "y: Servic\n", "e\n", "z: \"a\\\n  b\"\n", "n: istio-\n", "ingressgateway\n", "k: kind\r\n", "\u2028", "...\n", "",
        ]
    ),
    max_size=5,
).map("".join)
_WORD_LISTS = st.lists(st.sampled_from(["Service", "istio-pilot", "gw", "kind", "e", "a b", "", "Servic\ne", "ingressgateway", "\u2028k"]), max_size=3)


@settings(max_examples=300, deadline=None)
@given(st.lists(_TEXTS, max_size=12), _WORD_LISTS, st.booleans(), st.integers(1, 40))
def test_documents_mentioning_is_might_mention_of_each_document(bodies: list[str], words: list[str], every: bool, batch: int) -> None:
    import istio_patch.transforms._base as base

    manifest = load("".join("---\n" + body for body in bodies))
    test = all if every else any
    expected = [d.index for d in manifest.documents if test(might_mention(d.text, w) for w in words)]
    saved, base._BATCH = base._BATCH, batch  # batches of a few documents: occurrences across their joins too
    try:
        assert [d.index for d in documents_mentioning(manifest.documents, words, every=every)] == expected
    finally:
        base._BATCH = saved


def test_a_word_across_two_documents_is_in_neither() -> None:
    manifest = load("x: 1\n...\u2028#c\n---\nb: 2\n")  # a document may end with a line separator, the next start with `#`
    assert [d.text for d in manifest.documents][:2] == ["x: 1\n...\u2028", "#c\n"]
    assert list(documents_mentioning(manifest.documents, ["\u2028#c"])) == []
    assert [d.index for d in documents_mentioning(manifest.documents, ["#c"])] == [1]
