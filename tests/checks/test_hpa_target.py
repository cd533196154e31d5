from istio_patch import load
from istio_patch.checks import check

HPA = "kind: HorizontalPodAutoscaler\nmetadata: {name: h, namespace: prod}\nspec:\n  scaleTargetRef: {kind: KIND, name: gw}\n"


def test_an_hpa_of_a_daemonset_or_of_nothing_is_reported() -> None:
    (daemonset,) = check(load(HPA.replace("KIND", "DaemonSet"), source="h.yaml"))
    assert str(daemonset) == "h.yaml:4:3: [hpa-target] HorizontalPodAutoscaler prod/h targets DaemonSet prod/gw, which an HPA cannot scale; remove the HPA"
    (missing,) = check(load(HPA.replace("KIND", "Deployment"), source="h.yaml"))
    assert missing.message == "HorizontalPodAutoscaler prod/h targets Deployment prod/gw, which is not in the manifest"


def test_an_hpa_of_a_deployment_that_became_a_daemonset_is_reported() -> None:
    text = HPA.replace("KIND", "Deployment") + "---\nkind: DaemonSet\nmetadata: {name: gw, namespace: prod}\n"
    assert [f.rule for f in check(load(text))] == ["hpa-target"]


def test_an_hpa_of_a_deployment_in_the_manifest_passes() -> None:
    text = HPA.replace("KIND", "Deployment") + "---\nkind: Deployment\nmetadata: {name: gw, namespace: prod}\n"
    assert check(load(text)) == []
