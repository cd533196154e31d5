from istio_patch import load
from istio_patch.checks import check


def test_a_repeated_key_is_reported_where_it_lost() -> None:
    text = "kind: Deployment\nmetadata:\n  name: gw\n  labels:\n    app: a\n    chart: c\n    app: b\n"
    (finding,) = check(load(text, source="gw.yaml"), select=["duplicate-keys"])
    assert str(finding) == "gw.yaml:5:5: [duplicate-keys] the key 'app' is repeated at /metadata/labels; Kubernetes keeps the value on line 7 (--dedupe-keys removes the earlier ones)"
    assert (finding.severity, finding.document, finding.pointer) == ("warning", 1, "/metadata/labels")


def test_each_key_once_passes() -> None:
    assert check(load("kind: Deployment\nmetadata:\n  name: gw\n  labels: {app: a, chart: c}\n"), select=["duplicate-keys"]) == []
