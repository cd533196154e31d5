from istio_patch import load
from istio_patch.checks import check

POD = "kind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: a\n    image: gcr.io/istio-release/pilot:1.0.0\n"


def test_an_image_from_a_forbidden_registry_is_reported_at_the_image() -> None:
    (finding,) = check(load(POD, source="p.yaml"), forbid_registries=["gcr.io"])
    assert str(finding) == "p.yaml:6:12: [forbidden-registry] the image gcr.io/istio-release/pilot:1.0.0 comes from the forbidden registry gcr.io"
    assert check(load(POD), forbid_registries=["gcr.io/istio-release"])  # a registry/namespace prefix works too


def test_other_registries_pass_and_the_rule_runs_only_when_asked() -> None:
    assert check(load(POD), forbid_registries=["quay.io"]) == []
    assert check(load(POD)) == []


INJECTOR = '''\
apiVersion: v1
kind: ConfigMap
metadata: {name: istio-sidecar-injector, namespace: istio-system}
data:
  values: '{"global": {"hub": "docker.io/istio", "tag": "1.2.3"}}'
  config: |-
    template: |-
      initContainers:
      - name: istio-init
        image: "{{ .Values.global.hub }}/proxy_init:{{ .Values.global.tag }}"
'''


def test_an_image_the_injector_builds_is_reported_where_its_template_is() -> None:
    (finding,) = check(load(INJECTOR, source="i.yaml"), forbid_registries=["docker.io"])
    assert (finding.line, finding.column) == (10, 17)
    assert finding.message == "the image docker.io/istio/proxy_init:1.2.3 comes from the forbidden registry docker.io"
