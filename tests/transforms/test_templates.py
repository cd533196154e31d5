"""Go template text: the images it builds from values, the branches the values decide, what stays unknown."""

from __future__ import annotations

import doctest

import pytest

from istio_patch.transforms import _templates
from istio_patch.transforms._templates import Known, Unknown, delimiters, read_values, template_images

VALUES = Known(
    {
        "global": {"hub": "docker.io/istio", "tag": "1.2.3", "proxy": {"image": "proxyv2"}, "proxy_init": {"image": "proxy_init"}, "on": True, "off": False},
        "full": "quay.io/a/b:1",
        "empty": "",
        "number": 1.5,
        "integer": 7.0,
        "map": {"a": 1},
        "missing_value": None,
    },
    (),
)


def _resolved(text: str, values=VALUES) -> list[str]:
    return [str(image.reference) for image in template_images(text, values) if image.reference is not None]


def _problems(text: str, values=VALUES) -> list[str | None]:
    return [image.problem for image in template_images(text, values) if image.reference is None]


def test_the_injector_of_istio_1_2_builds_its_images_from_the_values() -> None:
    text = (
        "initContainers:\n"
        '{{- if contains "/" .Values.global.proxy_init.image }}\n'
        '  image: "{{ .Values.global.proxy_init.image }}"\n'
        "{{- else }}\n"
        '  image: "{{ .Values.global.hub }}/{{ .Values.global.proxy_init.image }}:{{ .Values.global.tag }}"\n'
        "{{- end }}\n"
        "containers:\n"
        '  image: "{{ annotation .ObjectMeta `sidecar.istio.io/proxyImage` .Values.global.hub }}/{{ .Values.global.proxy.image }}:{{ .Values.global.tag }}"\n'
    )
    images = template_images(text, VALUES)
    assert [str(i.reference) for i in images] == ["docker.io/istio/proxy_init:1.2.3", "docker.io/istio/proxyv2:1.2.3"]
    first = images[0]
    assert first.written == "{{ .Values.global.hub }}/{{ .Values.global.proxy_init.image }}:{{ .Values.global.tag }}"
    assert text[first.anchor.start :].startswith("{{ .Values.global.hub }}")
    assert first.keyed and first.lead == (("global", "hub"), "docker.io/istio")
    assert images[1].lead == (("global", "hub"), "docker.io/istio")  # annotation's default is read from the values


def test_a_branch_the_values_rule_out_writes_no_image() -> None:
    text = '{{ if .Values.global.off }}image: {{ .Values.global.proxy.image }}{{ else }}image: {{ .Values.full }}{{ end }}\n'
    assert _resolved(text) == ["quay.io/a/b:1"]
    text = '{{ if not .Values.global.on }}image: {{ .Values.global.proxy.image }}{{ else if .Values.global.on }}image: {{ .Values.full }}{{ else }}image: x/{{ .Values.empty }}{{ end }}'
    assert _resolved(text) == ["quay.io/a/b:1"]


def test_a_branch_that_depends_on_the_pod_may_be_taken_either_way() -> None:
    text = (
        'image: {{ if isset .ObjectMeta.Annotations "x" }}{{ index .ObjectMeta.Annotations "x" }}'
        "{{ else }}{{ .Values.global.hub }}/proxy:{{ .Values.global.tag }}{{ end }}\n"
    )
    assert _resolved(text) == ["docker.io/istio/proxy:1.2.3"]
    assert _problems(text) == [".ObjectMeta is known only when a Pod is injected, not from the manifest"]


def test_trim_markers_join_what_a_branch_writes_with_the_key_before_it() -> None:
    # Istio 1.0's spelling: the proxy image on the line after `image: [[ if ... -]]`
    text = 'image: [[ if (isset .ObjectMeta.Annotations "p") -]]\n"[[ .Values.x ]]"\n[[ else -]]\n[[ .Values.full ]]\n[[ end -]]\nargs:\n'
    assert delimiters(text) == ("[[", "]]")
    assert _resolved(text, Known({"x": "gcr.io/a/b:2", "full": "gcr.io/a/b:3"}, ())) == ["gcr.io/a/b:2", "gcr.io/a/b:3"]


def test_words_that_hold_no_action_are_left_to_the_free_text_scan() -> None:
    assert _resolved("image: gcr.io/a/b:1\n{{ .Values.full }}\n") == ["quay.io/a/b:1"]
    assert _resolved("image: gcr.io/a/b:1\n") == []


def test_a_built_word_with_a_registry_and_a_tag_is_an_image_anywhere() -> None:
    text = "args: [--proxy={{ .Values.global.hub }}/proxyv2:{{ .Values.global.tag }}, --name={{ .Values.global.proxy.image }}]\n"
    images = template_images(text, VALUES)
    assert [(str(i.reference), i.keyed) for i in images] == [("docker.io/istio/proxyv2:1.2.3", False)]
    # a word that holds part of what an action writes: that part, which the values do not give alone
    (image,) = template_images("args: '{{ .Values.words }}'\n", Known({"words": "run gcr.io/a/b:1"}, ()))
    assert str(image.reference) == "gcr.io/a/b:1" and image.lead is None
    assert image.text_with(Known({"words": "run quay.io/c/d:2"}, ())) == "gcr.io/a/b:1"


@pytest.mark.parametrize(
    ("action", "problem"),
    [
        ("{{ .Values.nothere }}", "the values have no nothere"),
        ("{{ .Values.global.proxy.nothere }}", "the values have no global.proxy.nothere"),
        ("{{ .Values.full.deeper }}", "full is not a mapping"),
        ("{{ .Values.map }}", "map is a mapping, not a string"),
        ("{{ .Values.missing_value }}", "missing_value is null"),
        ("{{ .Spec.Image }}", ".Spec is known only when a Pod is injected, not from the manifest"),
        ("{{ $image }}", "$image is a variable of the template"),
        ("{{ toYaml .Values.full }}", "the function toYaml is not evaluated here"),
        ("{{ template \"image\" . }}", "the template it calls (\"image\") is not followed"),
        ("{{ printf \"%q\" .Values.full }}", "a printf verb not evaluated here"),
        ("{{ .Values.empty }}", "it writes '', which is no image reference"),
        ("{{ .Values.global.proxy.image }} latest", None),  # the value stops at the space: proxyv2 is an image
    ],
)
def test_what_cannot_be_resolved_says_why(action: str, problem: str | None) -> None:
    text = f"image: {action}\n"
    if problem is None:
        assert _resolved(text) == ["proxyv2"]
    else:
        assert _problems(text) == [problem]


def test_an_action_inside_a_range_reads_an_item_not_the_values() -> None:
    text = "{{ range .Values.list }}image: {{ .image }}\n{{ end }}"
    assert _problems(text, Known({"list": [{"image": "a"}]}, ())) == ["it reads an item of {{ range .Values.list }}"]
    assert _problems(text, Known({"list": []}, ())) == []  # an empty range writes nothing


def test_with_moves_the_dot() -> None:
    text = "{{ with .Values.global }}image: {{ .hub }}/x:{{ $.Values.global.tag }}{{ end }}\n"
    assert _resolved(text) == ["docker.io/istio/x:1.2.3"]


def test_a_key_the_values_do_not_have_is_false_in_a_condition_as_in_go() -> None:
    text = "{{ with .Values.nothere }}image: a/b:{{ .tag }}{{ else }}image: {{ .Values.full }}{{ end }}\n"
    assert [(str(i.reference), i.problem) for i in template_images(text, VALUES)] == [("quay.io/a/b:1", None)]
    assert _resolved("{{ if not .Values.nothere }}image: {{ .Values.full }}{{ end }}\n") == ["quay.io/a/b:1"]
    assert _resolved('image: {{ valueOrDefault .Values.nothere "gcr.io/x/y:4" }}\n') == ["gcr.io/x/y:4"]
    # below a key that is not there, Go stops with an error: either branch may be what the values meant
    assert _resolved("{{ if .Values.nothere.deeper }}image: gcr.io/x/{{ .Values.empty }}y:5{{ end }}\n") == ["gcr.io/x/y:5"]


@pytest.mark.parametrize(
    ("expression", "written"),
    [
        ('{{ default "gcr.io/x/y:1" .Values.empty }}', "gcr.io/x/y:1"),
        ('{{ .Values.empty | default "gcr.io/x/y:2" }}', "gcr.io/x/y:2"),
        ('{{ default "gcr.io/x/y:1" .Values.full }}', "quay.io/a/b:1"),
        ('{{ valueOrDefault .Values.empty "gcr.io/x/y:3" }}', "gcr.io/x/y:3"),
        ('{{ printf "%s/%s:%v" .Values.global.hub "x" .Values.number }}', "docker.io/istio/x:1.5"),
        ('{{ print .Values.global.hub "/x:" .Values.integer }}', "docker.io/istio/x:7"),
        ('{{ index .Values "full" }}', "quay.io/a/b:1"),
        ('{{ index .Values.global "proxy" "image" | upper | lower }}', "proxyv2"),
        ('{{/* a comment */}}{{ .Values.full }}', "quay.io/a/b:1"),
        ('{{ if and .Values.global.on (eq .Values.global.tag "1.2.3") }}{{ .Values.full }}{{ end }}', "quay.io/a/b:1"),
        ('{{ if or .Values.global.off (ne .Values.global.tag "1.2.3") }}x{{ else }}{{ .Values.full }}{{ end }}', "quay.io/a/b:1"),
        ('{{ if hasPrefix "docker.io" .Values.global.hub }}{{ .Values.full }}{{ end }}', "quay.io/a/b:1"),
        ('{{ $x := .Values.full }}{{ .Values.full }}', "quay.io/a/b:1"),
    ],
)
def test_functions_the_values_decide(expression: str, written: str) -> None:
    assert _resolved(f"image: {expression}\n") == [written]


def test_a_trim_marker_that_takes_the_space_after_the_key_leaves_no_key() -> None:
    # Go writes `image:quay.io/a/b:1`, which YAML reads as one word, not as a key and its value
    assert _resolved("image: {{- .Values.full }}\n") == []


def test_an_else_if_inside_with_is_a_chain() -> None:
    text = "{{ with .Values.nothere }}x{{ else if .Values.global.on }}image: {{ .Values.full }}{{ end }}\n"
    assert _resolved(text) == ["quay.io/a/b:1"]


def test_quoted_delimiters_inside_an_action_do_not_close_it() -> None:
    assert _resolved('image: {{ default "}}" .Values.full }}\n') == ["quay.io/a/b:1"]


def test_a_line_written_too_many_ways_is_reported_not_followed() -> None:
    line = "image: " + "{{ if isset .ObjectMeta.Annotations `a` }}a{{ end }}" * 7 + "{{ .Values.full }}\n"
    problems = _problems(line)
    assert problems == ["more than 64 ways to write one line; images on it are not followed"]


def test_values_are_json_or_yaml() -> None:
    assert read_values('{"hub": "docker.io/istio"}') == Known({"hub": "docker.io/istio"}, ())
    assert read_values("hub: docker.io/istio\ntag: on\n") == Known({"hub": "docker.io/istio", "tag": True}, ())  # as Kubernetes reads YAML
    assert read_values("[1]") == Unknown("its values are not a mapping")
    unreadable = read_values("a: [")
    assert isinstance(unreadable, Unknown) and unreadable.why.startswith("its values are neither JSON nor YAML: ")


def test_without_values_every_read_of_them_is_unknown() -> None:
    assert _problems("image: {{ .Values.full }}\n", Unknown("no values here")) == ["no values here"]


def test_text_with_reads_the_values_again() -> None:
    image = template_images('image: "{{ .Values.global.hub }}/proxy:{{ .Values.global.tag }}"\n', VALUES)[0]
    moved = Known({"global": {"hub": "registry.example.com/istio", "tag": "1.2.3"}}, ())
    assert image.text_with(moved) == "registry.example.com/istio/proxy:1.2.3"
    assert image.text_with(Known({"global": {}}, ())) is None


def test_docstrings() -> None:
    assert doctest.testmod(_templates).failed == 0
