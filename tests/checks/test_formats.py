"""check's findings for machines: JSON, GitHub workflow annotations, SARIF 2.1.0 (validated by a published model)."""

from __future__ import annotations

import json

from sarif_pydantic import Sarif

from istio_patch import load
from istio_patch.checks import check, render, rules

TEXT = "kind: DaemonSet\nmetadata: {name: gw, labels: {app: a, app: b}}\nspec:\n  replicas: 1\n"


def findings():
    return check(load(TEXT, source="dir/gw,1.yaml"))


def test_text_is_file_line_column_rule_message() -> None:
    assert render(findings(), "text", rules()).splitlines() == [
        "dir/gw,1.yaml:2:31: [duplicate-keys] the key 'app' is repeated at /metadata/labels; Kubernetes keeps the value on line 2 "
        "(--dedupe-keys removes the earlier ones)",
        "dir/gw,1.yaml:4:3: [daemonset-replicas] DaemonSet gw has replicas: a DaemonSet runs one pod per node and has no replicas",
    ]


def test_json_has_every_field() -> None:
    first = json.loads(render(findings(), "json", rules()))[0]
    assert first == {
        "rule": "duplicate-keys", "severity": "warning", "file": "dir/gw,1.yaml", "line": 2, "column": 31, "document": 1,
        "pointer": "/metadata/labels", "message": "the key 'app' is repeated at /metadata/labels; Kubernetes keeps the value on line 2 "
        "(--dedupe-keys removes the earlier ones)",
    }


def test_github_annotations_escape_what_the_workflow_command_syntax_reserves() -> None:
    assert render(findings(), "github", rules()).splitlines() == [
        "::warning file=dir/gw%2C1.yaml,line=2,col=31,title=duplicate-keys::the key 'app' is repeated at /metadata/labels; "
        "Kubernetes keeps the value on line 2 (--dedupe-keys removes the earlier ones)",
        "::error file=dir/gw%2C1.yaml,line=4,col=3,title=daemonset-replicas::DaemonSet gw has replicas: a DaemonSet runs one "
        "pod per node and has no replicas",
    ]


def test_sarif_is_valid_sarif_2_1_0_with_rules_and_locations() -> None:
    text = render(findings(), "sarif", rules())
    log = Sarif.model_validate_json(text)
    assert log.version == "2.1.0"
    (run,) = log.runs
    assert run.tool.driver.name == "istio-patch"
    assert [r.id for r in run.tool.driver.rules] == list(rules())
    data = json.loads(text)["runs"][0]["results"]
    assert [(r["ruleId"], r["level"]) for r in data] == [("duplicate-keys", "warning"), ("daemonset-replicas", "error")]
    region = data[1]["locations"][0]["physicalLocation"]
    assert region == {"artifactLocation": {"uri": "dir/gw%2C1.yaml"}, "region": {"startLine": 4, "startColumn": 3}}
    assert data[1]["ruleIndex"] == list(rules()).index("daemonset-replicas")


def test_no_findings_is_an_empty_list_and_a_run_without_results() -> None:
    clean = check(load("kind: Service\nmetadata: {name: s}\n"))
    assert render(clean, "text", rules()) == "" and json.loads(render(clean, "json", rules())) == []
    assert Sarif.model_validate_json(render(clean, "sarif", rules())).runs[0].results == []
