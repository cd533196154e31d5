"""mirror_images: golden cases, the guide's file line by line, agreement with the oracle, rule checks, no-match."""

from __future__ import annotations

import doctest

import pytest
from _transform_cases import cases, corpus_file, options_of
from _transform_cases import oracle as load_oracle

from istio_patch import OptionsError, SelectorError, load, load_path
from istio_patch.transforms import MirrorImagesOptions, MirrorRule, _mirror_images, images, mirror_images
from istio_patch.transforms._images import ResolvedPlace

GUIDE = ("gcr.io/istio-release", "docker.io/istio")
HYPERKUBE = ("quay.io/coreos/hyperkube:v1.7.6_coreos.0", "registry.cn-shanghai.aliyuncs.com/gcr-k8s/hyperkube:v1.7.6_coreos.0")


def _options(*rules: tuple[str, str], **extra: object) -> MirrorImagesOptions:
    return MirrorImagesOptions(rules=[MirrorRule(source=s, target=t) for s, t in rules], **extra)




# ---- golden cases ----------------------------------------------------------------------------------------


def test_reports_each_string_with_what_changed() -> None:
    case = cases("mirror_images")[0].parent / "injector-template"
    result = mirror_images(load_path(case / "input.yaml"), MirrorImagesOptions.validate(options_of(case)))
    assert [(c.op, c.pointer, c.line, c.object, c.reason) for c in result.changes] == [
        (
            "replace",
            "/data/config",
            7,
            "ConfigMap istio-system/istio-sidecar-injector",
            "gcr.io/istio-release/proxy_init:1.0.0 -> docker.io/istio/proxy_init:1.0.0, "
            "gcr.io/istio-release/proxyv2:1.0.0 -> docker.io/istio/proxyv2:1.0.0",
        )
    ]


# ---- the guide's file -----------------------------------------------------------------------------------


def test_the_guides_sed_changes_exactly_the_lines_that_hold_the_registry() -> None:
    path = corpus_file("istio-1.0.0/istio-demo.yaml")
    before = path.read_text(encoding="utf-8")
    after = mirror_images(load_path(path), _options(GUIDE)).manifest.render()
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    assert len(old) == len(new)
    changed = [i + 1 for i, (a, b) in enumerate(zip(old, new)) if a != b]
    holding = [i + 1 for i, line in enumerate(old) if "gcr.io/istio-release" in line]
    assert len(holding) == 15
    assert changed == holding
    for i in changed:  # each line changes as sed would change it, and no more
        assert new[i - 1] == old[i - 1].replace(*GUIDE)
    template_lines = [i for i in changed if not old[i - 1].lstrip().startswith("image:") or i < 700]
    assert template_lines == [602, 646]  # the injector template's two (the second without `image:`)


@pytest.mark.parametrize("relative", ["istio-1.0.0/istio-demo.yaml", "istio-1.0.0/istio-demo-auth.yaml", "istio-1.2.3/istio-demo.yaml"])
@pytest.mark.parametrize(
    "rules",
    [(GUIDE, HYPERKUBE), (("gcr.io", "registry.example.com/gcr"),), (("quay.io/coreos/hyperkube", "mirror.example.com/h"),), (("docker.io/istio", "mirror.example.com/istio"),)],
    ids=["cn-mirror", "registry", "repository", "hub-prefix"],
)
def test_agrees_with_the_oracle_on_the_corpus(relative: str, rules: tuple[tuple[str, str], ...]) -> None:
    """Where no name leaves Docker Hub implicit, the oracle's regex boundaries and the grammar agree."""
    oracle = load_oracle()
    path = corpus_file(relative)
    before = path.read_text(encoding="utf-8-sig")
    result = mirror_images(load_path(path), _options(*rules, allow_no_match=True))
    want = oracle.expected(before, mirrors=list(rules))
    assert oracle.first_difference(want, oracle._norm(oracle.docs(result.manifest.render()))) is None


# ---- where images are named -------------------------------------------------------------------------------


def test_documents_without_the_source_are_not_even_parsed() -> None:
    text = "kind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - {name: a, image: gcr.io/istio-release/a:1}\n---\nbroken: [\n"
    result = mirror_images(load(text), _options(GUIDE))
    assert result.manifest.render().startswith("kind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - {name: a, image: docker.io/istio/a:1}\n")


def test_documents_that_are_not_objects_are_left_alone() -> None:
    text = "# gcr.io/istio-release/a:1\n---\n- gcr.io/istio-release/a:1\n---\nimage: gcr.io/istio-release/a:1\n"
    with pytest.raises(SelectorError):
        mirror_images(load(text), _options(GUIDE))


def test_a_word_without_registry_in_free_text_matches_only_a_rule_spelt_the_same() -> None:
    text = "kind: ConfigMap\nmetadata: {name: c}\ndata:\n  a: run istio/pilot:1.0.0 now\n  b: nginx\n"
    result = mirror_images(load(text), _options(("istio/pilot", "mirror.example.com/pilot"), ("docker.io/library/nginx", "m.example.com/nginx")))
    assert result.manifest.render() == text.replace("istio/pilot:1.0.0", "mirror.example.com/pilot:1.0.0")


def test_the_most_specific_rule_wins_whatever_the_order() -> None:
    text = "kind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - {name: a, image: 'quay.io/coreos/hyperkube:v1.7.6_coreos.0'}\n  - {name: b, image: quay.io/coreos/etcd:3}\n"
    result = mirror_images(load(text), _options(("quay.io", "q.example.com"), HYPERKUBE))
    assert result.manifest.render() == text.replace("quay.io/coreos/hyperkube:v1.7.6_coreos.0", HYPERKUBE[1]).replace(
        "quay.io/coreos/etcd", "q.example.com/coreos/etcd"
    )


# ---- options -----------------------------------------------------------------------------------------------


def test_rules_may_be_written_as_text_or_pairs() -> None:
    options = MirrorImagesOptions(rules=["gcr.io/istio-release=docker.io/istio", ("quay.io", "q.example.com"), "a.io -> b.io"])
    assert [str(rule) for rule in options.rules] == ["gcr.io/istio-release -> docker.io/istio", "quay.io -> q.example.com", "a.io -> b.io"]


def test_a_rule_without_separator_is_refused_in_the_options_too() -> None:
    with pytest.raises(OptionsError) as info:
        MirrorImagesOptions(rules=["gcr.io/istio-release"])
    assert info.value.__cause__.errors()[0]["msg"] == (
        "Value error, cannot read the rule 'gcr.io/istio-release': write FROM=TO, e.g. gcr.io/istio-release=docker.io/istio"
    )
    assert str(info.value) == (
        "MirrorImagesOptions: rules.0: cannot read the rule 'gcr.io/istio-release': write FROM=TO, e.g. gcr.io/istio-release=docker.io/istio"
    )


def test_a_rule_without_separator_is_refused() -> None:
    with pytest.raises(OptionsError) as info:
        MirrorRule.parse("gcr.io/istio-release")
    assert info.value.message == (
        "mirror_images: cannot read the rule 'gcr.io/istio-release': write FROM=TO, e.g. gcr.io/istio-release=docker.io/istio"
    )


@pytest.mark.parametrize(
    ("source", "target", "message"),
    [
        ("gcr.io/Istio", "docker.io/istio", "'gcr.io/Istio' is not a registry, repository or image reference"),
        ("gcr.io/istio-release", "https://docker.io/istio", "'https://docker.io/istio' is not a registry, repository or image reference"),
        ("", "docker.io/istio", "'' is not a registry, repository or image reference"),
        (
            "gcr.io/istio-release",
            "docker.io/istio:1.0",
            "the rule gcr.io/istio-release -> docker.io/istio:1.0 maps a repository to a tagged reference; "
            "the tags of the images it matches would end up after the target's tag",
        ),
        ("nginx:1.15", "mirror.example.com/nginx", "the rule nginx:1.15 -> mirror.example.com/nginx: the source names a tag, so the target must name one too"),
    ],
)
def test_a_rule_must_read_as_image_names(source: str, target: str, message: str) -> None:
    with pytest.raises(OptionsError) as info:
        MirrorRule(source=source, target=target)
    assert str(info.value) == f"MirrorRule: {message}"
    assert info.value.__cause__.errors()[0]["msg"] == f"Value error, {message}"


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ((GUIDE, ("gcr.io/istio-release/", "docker.io/istio")), "rules.1: the rule gcr.io/istio-release/ -> docker.io/istio is given twice"),
        (
            (GUIDE, ("gcr.io/istio-release", "registry.example.com/istio")),
            "rules.1: two rules for gcr.io/istio-release contradict each other: -> docker.io/istio and -> registry.example.com/istio",
        ),
        (
            (("nginx", "m.example.com/nginx"), ("docker.io/library/nginx", "n.example.com/nginx")),
            "rules.1: two rules for docker.io/library/nginx contradict each other: -> m.example.com/nginx and -> n.example.com/nginx",
        ),
        (
            (("docker.io/istio", "docker.io/istio/mirror"),),
            "rules.0: the rule docker.io/istio -> docker.io/istio/mirror writes names that it matches itself, "
            "so every run would rewrite them again",
        ),
        (
            (GUIDE, ("docker.io", "mirror.example.com")),
            "rules.0: the rule gcr.io/istio-release -> docker.io/istio writes names that the rule docker.io -> "
            "mirror.example.com rewrites again; write one rule to the final target instead",
        ),
    ],
)
def test_contradicting_or_chained_rules_are_refused_by_the_options(rules: tuple[tuple[str, str], ...], message: str) -> None:
    with pytest.raises(OptionsError) as info:
        _options(*rules)  # before any manifest is read
    assert info.value.message == f"MirrorImagesOptions: {message}"


# ---- no match ----------------------------------------------------------------------------------------------

POD = "kind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - {name: a, image: docker.io/istio/pilot:1.0.0}\n"


def test_no_match_anywhere_is_an_error() -> None:
    with pytest.raises(SelectorError) as info:
        mirror_images(load(POD, source="pod.yaml"), _options(("gcr.io/istio-relase", "x.example.com/istio"), HYPERKUBE))
    assert str(info.value) == (
        "pod.yaml: mirror_images: no image reference matches any rule (gcr.io/istio-relase, "
        "quay.io/coreos/hyperkube:v1.7.6_coreos.0) and no target is named either; check the spelling, or pass allow_no_match=True"
    )


def test_no_match_is_allowed_on_request_and_warned_about() -> None:
    result = mirror_images(load(POD), _options(("gcr.io/istio-relase", "x.example.com/istio"), allow_no_match=True))
    assert result.changes == ()
    assert result.warnings == (
        "mirror_images: no image reference matches gcr.io/istio-relase and none names x.example.com/istio; check the spelling",
    )


def test_a_rule_already_applied_is_no_error() -> None:
    result = mirror_images(load(POD), _options(GUIDE))
    assert result.changes == () and result.warnings == ()


def test_one_rule_without_match_is_a_warning() -> None:
    text = POD.replace("docker.io/istio", "gcr.io/istio-release")
    result = mirror_images(load(text), _options(GUIDE, HYPERKUBE))
    assert result.manifest.render() == POD
    assert result.warnings == (
        "mirror_images: no image reference matches quay.io/coreos/hyperkube:v1.7.6_coreos.0 and none names "
        "registry.cn-shanghai.aliyuncs.com/gcr-k8s/hyperkube:v1.7.6_coreos.0; check the spelling",
    )


def test_docstrings() -> None:
    assert doctest.testmod(_mirror_images).failed == 0


# ---- images that templates build from values -------------------------------------------------------------

BUILT = """\
kind: ConfigMap
metadata: {name: injector, namespace: istio-system}
data:
  values: '{"hub": "docker.io/istio", "tag": "1.2.3"}'
  config: |
    - image: "{{ .Values.hub }}/proxy_init:{{ .Values.tag }}"
    - image: "{{ .Values.hub }}/proxyv2:{{ .Values.tag }}"
"""


def test_the_hub_a_built_image_starts_with_is_what_a_rule_rewrites() -> None:
    result = mirror_images(load(BUILT), _options(("docker.io", "registry.example.com")))
    assert result.manifest.render() == BUILT.replace('"docker.io/istio"', '"registry.example.com/istio"')
    assert [u.pulled for u in images(result.manifest)] == ["registry.example.com/istio/proxy_init:1.2.3", "registry.example.com/istio/proxyv2:1.2.3"]


def test_a_hub_without_registry_is_rewritten_in_the_values_json() -> None:
    text = BUILT.replace('"docker.io/istio"', '"istio"')
    result = mirror_images(load(text), _options(("docker.io/istio", "registry.example.com/istio")))
    assert result.manifest.render() == text.replace('"istio"', '"registry.example.com/istio"')
    assert [c.reason for c in result.changes] == ["istio -> registry.example.com/istio (.Values.hub, for the images the template builds from it)"]
    again = mirror_images(result.manifest, _options(("docker.io/istio", "registry.example.com/istio")))
    assert again.changes == () and again.warnings == ()


def test_a_rule_that_reaches_past_the_hub_is_a_warning_not_a_wrong_edit() -> None:
    result = mirror_images(load(BUILT), _options(("docker.io/istio/proxy_init", "mirror.example.com/pi")))
    assert result.changes == ()  # matched (no SelectorError), but no rewrite of the hub gives that
    assert result.warnings == (
        "mirror_images: ConfigMap istio-system/injector (line 6) builds docker.io/istio/proxy_init:1.2.3 in a template from "
        "its values ({{ .Values.hub }}/proxy_init:{{ .Values.tag }}); the rule docker.io/istio/proxy_init -> mirror.example.com/pi "
        "makes it mirror.example.com/pi:1.2.3, but the values give docker.io/istio/proxy_init:1.2.3: a rule reaches a built image "
        "through the value it starts with (its hub) alone, and no value there gives mirror.example.com/pi:1.2.3 and every other "
        "image built from it as the rules say; mirror it by hand",
    )


def test_one_hub_cannot_follow_two_rules() -> None:
    rules = (("docker.io/istio", "a.example.com/istio"), ("docker.io/istio/proxy_init", "b.example.com/mirror/proxy_init"))
    result = mirror_images(load(BUILT), _options(*rules))
    assert result.manifest.render() == BUILT.replace('"docker.io/istio"', '"a.example.com/istio"')
    assert len(result.warnings) == 1 and result.warnings[0].startswith(
        "mirror_images: ConfigMap istio-system/injector (line 6) builds docker.io/istio/proxy_init:1.2.3 in a template"
    )
    assert "makes it b.example.com/mirror/proxy_init:1.2.3, but the values give a.example.com/istio/proxy_init:1.2.3" in result.warnings[0]


def test_a_document_whose_text_never_names_the_rule_whole_is_read_when_its_template_may_build_it() -> None:
    text = BUILT.replace('"docker.io/istio"', '"quay.io"').replace("/proxy_init:", "/coreos/hyperkube:").replace("/proxyv2:", "/coreos/etcd:")
    assert "quay.io/coreos" not in text
    result = mirror_images(load(text), _options(("quay.io/coreos", "mirror.example.com/coreos")))
    # every image built from this hub lies under quay.io/coreos: the hub can follow the rule
    assert result.manifest.render() == text.replace('"quay.io"', '"mirror.example.com"')
    assert [u.pulled for u in images(result.manifest)] == ["mirror.example.com/coreos/hyperkube:1.2.3", "mirror.example.com/coreos/etcd:1.2.3"]
    other = text.replace("/coreos/etcd:", "/other/etcd:")
    result = mirror_images(load(other), _options(("quay.io/coreos", "mirror.example.com/coreos")))
    assert result.changes == ()  # the hub also builds quay.io/other/etcd, which no rule moves
    assert "makes it mirror.example.com/coreos/hyperkube:1.2.3, but the values give quay.io/coreos/hyperkube:1.2.3" in result.warnings[0]


def test_a_workload_the_api_server_would_refuse_is_mirrored_with_a_warning() -> None:
    text = (
        "kind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      containers:\n"
        "      - {name: web, image: nginx, ports: [{containerPort: '80'}]}\n"
    )
    result = mirror_images(load(text), _options(("docker.io/library/nginx", "mirror.example.com/nginx")))
    assert result.manifest.render() == text.replace("image: nginx", "image: mirror.example.com/nginx")
    assert result.warnings == (
        "mirror_images: Deployment web (line 7): the API server would refuse this object "
        "(/spec/template/spec/containers/0/ports/0/containerPort: must be an integer, not the string '80'); its images are "
        "found where its containers are written",
    )


def test_istio_1_2_3_mirrored_pulls_nothing_from_the_mirrored_hub() -> None:
    path = corpus_file("istio-1.2.3/istio-demo.yaml")
    before = load_path(path)
    rule = ("docker.io/istio", "registry.example.com/istio")
    result = mirror_images(before, _options(rule))
    assert result.warnings == ()
    after = images(result.manifest)
    assert [u.pulled for u in after if u.pulled.startswith("docker.io/istio/")] == []
    built = {u.pulled: [p.line for p in u.places if isinstance(p, ResolvedPlace)] for u in after}
    assert built["registry.example.com/istio/proxy_init:1.2.3"] == [14781]
    assert built["registry.example.com/istio/proxyv2:1.2.3"][:1] == [14856]
    # every image the rule matched before is the mirrored one after, built or written
    assert sorted(u.pulled.replace("docker.io/istio/", "registry.example.com/istio/") for u in images(before)) == sorted(u.pulled for u in after)
    # the values string is one line of JSON: only its hub words changed
    old, new = before.render().splitlines(), result.manifest.render().splitlines()
    changed = [i for i, (a, b) in enumerate(zip(old, new)) if a != b]
    assert 14761 - 1 in changed and new[14761 - 1] == old[14761 - 1].replace('"docker.io/istio"', '"registry.example.com/istio"')
    again = mirror_images(result.manifest, _options(rule))
    assert again.changes == () and again.warnings == ()
