from istio_patch import load
from istio_patch.checks import check


def test_a_daemonset_with_replicas_is_reported() -> None:
    (finding,) = check(load("kind: DaemonSet\nmetadata: {name: gw}\nspec:\n  replicas: 1\n", source="d.yaml"))
    assert str(finding) == "d.yaml:4:3: [daemonset-replicas] DaemonSet gw has replicas: a DaemonSet runs one pod per node and has no replicas"


def test_a_deployment_with_replicas_passes() -> None:
    assert check(load("kind: Deployment\nmetadata: {name: gw}\nspec:\n  replicas: 1\n")) == []
    assert check(load("kind: DaemonSet\nmetadata: {name: gw}\nspec: {}\n")) == []
