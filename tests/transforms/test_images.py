"""images: the listing of every image a manifest pulls, with its places."""

from __future__ import annotations

import doctest
import os
from dataclasses import asdict

import _slow_images
import pytest
import yaml
from _transform_cases import CORPUS, FIXTURES
from hypothesis import given, settings
from hypothesis import strategies as st

from istio_patch import load, load_path
from istio_patch.transforms import ImageReport, ImageUse, _images, image_report, images
from istio_patch.transforms._images import ImagePlace, ResolvedPlace


def _listing(uses: tuple[ImageUse, ...]) -> list[dict[str, object]]:
    return [{"reference": u.reference, "pulled": u.pulled, "places": [asdict(p) for p in u.places]} for u in uses]


def test_the_guides_file_names_13_images_in_20_places() -> None:
    path = CORPUS / "istio-1.0.0" / "istio-demo.yaml"
    if not path.is_file():
        pytest.skip(f"the shared corpus is absent ({path} not found)")
    uses = images(load_path(path))
    assert len(uses) == 13
    assert sum(len(u.places) for u in uses) == 20
    lines = path.read_text(encoding="utf-8").splitlines()
    grep = {i + 1 for i, line in enumerate(lines) if "image:" in line}
    missed = [(u.reference, p.line) for u in uses for p in u.places if p.line not in grep]
    assert missed == [("gcr.io/istio-release/proxyv2:1.0.0", 646)]
    assert uses[0].reference == "gcr.io/istio-release/proxy_init:1.0.0"  # in the injector template, first in the file
    templates = [(p.line, p.object) for u in uses for p in u.places if p.template]
    assert templates == [(602, "ConfigMap istio-system/istio-sidecar-injector"), (646, "ConfigMap istio-system/istio-sidecar-injector")]
    for use in uses:  # every place's line shows the reference
        assert all(use.reference in lines[p.line - 1] for p in use.places)


def test_unique_by_the_image_pulled() -> None:
    text = (
        "kind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - {name: a, image: nginx}\n"
        "  - {name: b, image: 'docker.io/library/nginx:latest'}\n  - {name: c, image: 'nginx:1.15'}\n"
    )
    assert [(u.reference, u.pulled, [p.line for p in u.places]) for u in images(load(text))] == [
        ("nginx", "docker.io/library/nginx:latest", [5, 6]),
        ("nginx:1.15", "docker.io/library/nginx:1.15", [7]),
    ]


def test_free_text_needs_a_registry_and_a_tag_unless_after_image() -> None:
    text = (
        "kind: ConfigMap\nmetadata: {name: c}\ndata:\n"
        "  hub: gcr.io/istio-release\n"  # a prefix, not an image
        "  addr: istio-pilot.istio-system:15010\n"
        "  url: https://gcr.io/istio-release/pilot:1.0.0\n"
        "  words: nginx and redis:5\n"
        "  pod: |\n    - image: redis:5\n    - name: x\n      command: [run, quay.io/a/b@sha256:" + "ab" * 32 + "]\n"
    )
    assert [(u.reference, [p.line for p in u.places]) for u in images(load(text))] == [
        ("redis:5", [9]),
        ("quay.io/a/b@sha256:" + "ab" * 32, [11]),
    ]


def test_an_image_field_that_is_no_reference_is_skipped() -> None:
    text = "kind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - {name: a, image: '{{ .Values.image }}'}\n  - {name: b, image: ''}\n"
    assert images(load(text)) == ()


def test_place_str() -> None:
    use = images(load("kind: Pod\nmetadata: {name: p, namespace: demo}\nspec:\n  containers:\n  - {name: a, image: nginx}\n"))[0]
    assert str(use.places[0]) == "5: Pod demo/p /spec/containers/0/image"
    assert use.line == 5


def test_docstrings() -> None:
    assert doctest.testmod(_images).failed == 0


# ---------------------------------------------------------------------------------------------------------
# one pass per string gives what a count per place gave
# ---------------------------------------------------------------------------------------------------------


def _corpus_manifests() -> list[tuple[str, str]]:
    files = sorted(CORPUS.glob("*/*.yaml"))
    if not files:
        pytest.skip(f"the shared corpus is absent ({CORPUS} not found)")
    texts = [(str(p.relative_to(CORPUS)), p.read_text(encoding="utf-8")) for p in files]
    demo = (CORPUS / "istio-1.2.3" / "istio-demo.yaml").read_text(encoding="utf-8")
    return texts + [("istio-1.2.3/istio-demo.yaml twice", demo + demo)]


def _literal(uses: tuple[ImageUse, ...]) -> dict[str, tuple[ImagePlace, ...]]:
    """pulled -> the places that name it literally (not built by a template)."""
    found = {u.pulled: tuple(p for p in u.places if not isinstance(p, ResolvedPlace)) for u in uses}
    return {pulled: places for pulled, places in found.items() if places}


def test_the_corpus_lists_what_the_plain_scan_listed() -> None:
    # the typed workload models decide the image fields where the path did: the same places on the corpus
    for name, text in _corpus_manifests():
        manifest = load(text, source=name)
        assert _images._collect(manifest, resolve=False).uses == _slow_images.images(manifest), name
        assert _literal(images(manifest)) == _literal(_slow_images.images(manifest)), name


REFERENCE_PIECES = st.sampled_from(
    ["gcr.io/a/b:1", "gcr.io/a/b:1", "quay.io/c/d:2", "image: nginx", "image:", " ", "  ", "\n", "\n\n", "x", ".", ",", '"', "'", "\\", "#", "[[ .X ]]", "é"]
)
STYLES = st.sampled_from([None, '"', "'", "|", ">"])


@settings(max_examples=int(os.environ.get("ISTIO_PATCH_EXAMPLES", "200")), deadline=None)
@given(values=st.lists(st.lists(REFERENCE_PIECES, max_size=30).map("".join), min_size=1, max_size=3), style=STYLES, width=st.sampled_from([20, 80, 1000]))
def test_places_are_where_the_plain_count_put_them(values: list[str], style: str | None, width: int) -> None:
    # every scalar style, line folding and escape: places are counted in the source as before, or fall back
    # to the scalar's first line as before
    data = {"kind": "ConfigMap", "metadata": {"name": "c"}, "data": {f"k{i}": v for i, v in enumerate(values)}}
    manifest = load(yaml.safe_dump(data, default_style=style, width=width, allow_unicode=True))
    assert _images._collect(manifest, resolve=False).uses == _slow_images.images(manifest)


def test_a_string_naming_an_image_thousands_of_times() -> None:
    lines = ["gcr.io/istio-release/proxyv2:1.0.0 " * 20 + "quay.io/x/y:1" for _ in range(100)]
    text = "kind: ConfigMap\nmetadata: {name: big}\ndata:\n  a: |\n" + "".join(f"    {line}\n" for line in lines)
    text += '  b: "' + "gcr.io/istio-release/proxyv2:1.0.0\\n" * 50 + '"\n'
    manifest = load(text)
    uses = images(manifest)
    assert uses == _slow_images.images(manifest)
    assert [len(u.places) for u in uses] == [2050, 100]
    assert [p.line for p in uses[0].places[:21]] == [5] * 20 + [6]
    assert uses[0].places[-1].line == 105  # a double-quoted string on one line: each \n is an escape


def test_line_of_one_place() -> None:
    manifest = load("kind: ConfigMap\nmetadata: {name: c}\ndata:\n  a: |\n    x gcr.io/a/b:1\n    gcr.io/a/b:1\n")
    string = next(s for s in _images.string_values(manifest, manifest.documents[0]) if s.tokens == ("data", "a"))
    assert [_images.line_of(string, start, "gcr.io/a/b:1") for start in (2, 15)] == [5, 6]
    assert _images.line_of(string) == 4
    # a start where the text is not, as before: counted one by one
    for start, text in [(-3, "gcr.io/a/b:1"), (100, "gcr.io/a/b:1"), (0, "gcr.io/a/b:1"), (5, "x"), (0, "nowhere")]:
        assert _images.line_of(string, start, text) == _slow_images.line_of(string, start, text)


# ---------------------------------------------------------------------------------------------------------
# image fields come from the typed workload models
# ---------------------------------------------------------------------------------------------------------


def _fields(text: str) -> list[tuple[str, str, bool]]:
    return [(u.pulled, p.pointer, p.image_field) for u in images(load(text)) for p in u.places]


def test_a_workloads_image_fields_are_its_models_containers() -> None:
    text = (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n"
        "      ephemeralContainers: [{name: debug, image: busybox}]\n"
        "      containers: [{name: web, image: nginx}]\n"
        "      initContainers: [{name: init, image: 'alpine:3'}]\n"
        # no pod spec: the API server drops the field, nobody pulls redis (the path alone took it for an image)
        "  sidecars:\n    containers: [{name: cache, image: redis}]\n"
    )
    assert _fields(text) == [
        ("docker.io/library/busybox:latest", "/spec/template/spec/ephemeralContainers/0/image", True),
        ("docker.io/library/nginx:latest", "/spec/template/spec/containers/0/image", True),
        ("docker.io/library/alpine:3", "/spec/template/spec/initContainers/0/image", True),
    ]


@pytest.mark.parametrize(
    ("api_version", "kind", "pointer"),
    [
        ("serving.knative.dev/v1", "Service", "/spec/template/spec/containers/0/image"),  # a Knative Service runs its template
        ("argoproj.io/v1alpha1", "Rollout", "/spec/template/spec/containers/0/image"),
        ("v1", "PodTemplate", "/template/spec/containers/0/image"),
    ],
)
def test_other_kinds_count_every_container_image_by_its_path(api_version: str, kind: str, pointer: str) -> None:
    # custom resources embed Pod templates their controllers run: the path says where the image fields are
    body = "template:\n  spec:\n    containers: [{name: app, image: nginx}]\n"
    if kind != "PodTemplate":
        body = "spec:\n" + "".join(f"  {line}\n" for line in body.splitlines())
    text = f"apiVersion: {api_version}\nkind: {kind}\nmetadata: {{name: app}}\n" + body
    assert _fields(text) == [("docker.io/library/nginx:latest", pointer, True)]


def test_a_workload_the_api_server_would_refuse_is_still_listed_with_a_warning() -> None:
    text = (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: demo}\nspec:\n  template:\n    spec:\n"
        "      containers:\n      - name: web\n        image: nginx\n        ports:\n        - containerPort: '80'\n"
    )
    report = image_report(load(text, source="web.yaml"))
    assert [(u.pulled, [p.line for p in u.places]) for u in report.uses] == [("docker.io/library/nginx:latest", [9])]
    assert [str(w) for w in report.warnings] == [
        "11: Deployment demo/web /spec/template/spec/containers/0/ports/0/containerPort: the API server would refuse this "
        "object (/spec/template/spec/containers/0/ports/0/containerPort: must be an integer, not the string '80'); its "
        "images are found where its containers are written"
    ]


def test_a_workload_without_images_is_not_even_typed() -> None:
    # the model is built for workloads that hold a string under an `image` key only
    text = "kind: Deployment\nmetadata: {name: web}\nspec: {replicas: many}\n"
    assert image_report(load(text)) == ImageReport((), ())


# ---------------------------------------------------------------------------------------------------------
# images built by templates from values
# ---------------------------------------------------------------------------------------------------------

INJECTOR = """\
kind: ConfigMap
metadata: {name: injector, namespace: istio-system}
data:
  config: |
    containers:
    - name: proxy
      image: "{{ .Values.hub }}/proxyv2:{{ .Values.tag }}"
    - name: other
      image: "gcr.io/other/{{ .Values.name }}:1"
  values: '{"hub": "docker.io/istio", "tag": "1.2.3", "name": "x"}'
"""


def test_an_image_built_from_values_is_listed_at_the_line_of_its_template() -> None:
    uses = images(load(INJECTOR))
    assert [(u.reference, [str(p) for p in u.places]) for u in uses] == [
        ("docker.io/istio/proxyv2:1.2.3", ["7: ConfigMap istio-system/injector /data/config (template: {{ .Values.hub }}/proxyv2:{{ .Values.tag }})"]),
        # the literal words around an action are not images of their own (the plain scan took gcr.io/other)
        ("gcr.io/other/x:1", ["9: ConfigMap istio-system/injector /data/config (template: gcr.io/other/{{ .Values.name }}:1)"]),
    ]
    place = uses[0].places[0]
    assert isinstance(place, ResolvedPlace) and (place.image_field, place.template) == (False, True)
    assert [u.reference for u in _slow_images.images(load(INJECTOR))] == ["gcr.io/other"]  # what was listed before


@pytest.mark.parametrize(
    ("text", "warning"),
    [
        (
            INJECTOR.replace('"tag": "1.2.3", ', ""),
            "7: ConfigMap istio-system/injector /data/config: the image {{ .Values.hub }}/proxyv2:{{ .Values.tag }} cannot be resolved: the values have no tag",
        ),
        (
            INJECTOR.replace("  values:", "  other:"),
            "7: ConfigMap istio-system/injector /data/config: the image {{ .Values.hub }}/proxyv2:{{ .Values.tag }} cannot be resolved: "
            "ConfigMap istio-system/injector keeps no values (data.values) to read .Values from",
        ),
        (
            INJECTOR.replace("kind: ConfigMap", "kind: Template"),
            "7: Template istio-system/injector /data/config: the image {{ .Values.hub }}/proxyv2:{{ .Values.tag }} cannot be resolved: "
            "Template istio-system/injector is no ConfigMap, whose data.values a template would read as .Values",
        ),
        (
            INJECTOR.replace("'{", "'[").replace("}'", "]'"),
            "7: ConfigMap istio-system/injector /data/config: the image {{ .Values.hub }}/proxyv2:{{ .Values.tag }} cannot be resolved: "
            "its values are not a mapping",
        ),
        (
            INJECTOR.replace("}'", "'"),
            "7: ConfigMap istio-system/injector /data/config: the image {{ .Values.hub }}/proxyv2:{{ .Values.tag }} cannot be resolved: "
            "its values are neither JSON nor YAML: did not find expected ',' or '}' (while parsing a flow mapping that starts at line 1, column 1)",
        ),
    ],
)
def test_an_image_expression_that_cannot_be_resolved_is_a_warning(text: str, warning: str) -> None:
    report = image_report(load(text))
    assert [str(w) for w in report.warnings][:1] == [warning]
    assert "docker.io/istio/proxyv2:1.2.3" not in [u.pulled for u in report.uses]


def test_an_image_field_holding_template_text_is_a_warning() -> None:
    text = "kind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - {name: a, image: '{{ .Values.image }}'}\n"
    report = image_report(load(text))
    assert report.uses == ()
    assert [str(w) for w in report.warnings] == [
        "5: Pod p /spec/containers/0/image: the image {{ .Values.image }} is template text, which nothing renders in an image field"
    ]


@pytest.mark.parametrize("case", sorted(p for p in (FIXTURES / "images").iterdir() if p.is_dir()), ids=lambda p: p.name)
def test_images_golden_warnings(case) -> None:
    report = image_report(load((case / "input.yaml").read_bytes(), source=str(case / "input.yaml")))
    expected = (case / "warnings.txt").read_text(encoding="utf-8").splitlines() if (case / "warnings.txt").is_file() else []
    assert [str(w) for w in report.warnings] == expected


def test_istio_1_2_3_lists_the_init_image_its_injector_builds() -> None:
    path = CORPUS / "istio-1.2.3" / "istio-demo.yaml"
    if not path.is_file():
        pytest.skip(f"the shared corpus is absent ({path} not found)")
    report = image_report(load_path(path))
    assert report.warnings == ()
    built = [(u.pulled, p.line) for u in report.uses for p in u.places if isinstance(p, ResolvedPlace)]
    # istio-init; not the enable-core-dump container (enableCoreDump is false), nor the spelling the values rule out
    assert built == [("docker.io/istio/proxy_init:1.2.3", 14781), ("docker.io/istio/proxyv2:1.2.3", 14856)]
    assert report.uses[0].pulled == "docker.io/istio/proxy_init:1.2.3"  # first in the file, as in 1.0.0
    lines = path.read_text(encoding="utf-8").splitlines()
    assert "{{ .Values.global.hub }}/{{ .Values.global.proxy_init.image }}:{{ .Values.global.tag }}" in lines[14781 - 1]


def test_istio_1_0_0_warns_of_the_proxy_image_a_pod_may_name() -> None:
    path = CORPUS / "istio-1.0.0" / "istio-demo.yaml"
    if not path.is_file():
        pytest.skip(f"the shared corpus is absent ({path} not found)")
    assert [str(w) for w in image_report(load_path(path)).warnings] == [
        '644: ConfigMap istio-system/istio-sidecar-injector /data/config: the image [[ index .ObjectMeta.Annotations "sidecar.istio.io/proxyImage" ]] '
        "cannot be resolved: .ObjectMeta is known only when a Pod is injected, not from the manifest"
    ]


def test_documents_that_cannot_name_an_image_are_not_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    import istio_patch._manifest as manifest_module
    from istio_patch import load
    from istio_patch.transforms import images

    texts = [f"kind: ConfigMap\nmetadata: {{name: c{i}}}\ndata: {{a: b}}\n" for i in range(50)]
    texts.insert(20, "kind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - {name: a, image: nginx}\n")
    texts.insert(30, 'kind: ConfigMap\nmetadata: {name: hidden}\ndata: {a: "gcr.io\\x2Fx/y:1"}\n')  # an escape may hide a "/"
    manifest = load("---\n".join(texts))
    composed: list[str] = []
    real = manifest_module.compose

    def counting(text: str, **where: object) -> object:
        composed.append(text)
        return real(text, **where)  # type: ignore[arg-type]

    monkeypatch.setattr(manifest_module, "compose", counting)
    assert [use.reference for use in images(manifest)] == ["nginx", "gcr.io/x/y:1"]
    assert len(composed) == 2 and "image: nginx" in composed[0] and "hidden" in composed[1]
