from istio_patch import load
from istio_patch.checks import check

POD = 'kind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: a\n    ports: [{containerPort: "80", hostPort: 80}]\n'


def test_a_field_the_api_server_refuses_is_reported_once_and_the_object_not_read_further() -> None:
    (finding,) = check(load(POD + "---\n" + POD.replace("name: p", "name: q").replace('"80"', "80"), source="p.yaml"))
    assert str(finding) == (
        "p.yaml:6:29: [invalid-object] Pod p: /spec/containers/0/ports/0/containerPort: must be an integer, not the string '80'"
    )
    assert finding.pointer == "/spec/containers/0/ports/0/containerPort"


def test_kinds_no_rule_reads_are_not_judged() -> None:
    assert check(load('kind: ConfigMap\nmetadata: {name: c, labels: {a: 1}}\n')) == []
