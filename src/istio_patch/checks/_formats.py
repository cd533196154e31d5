"""Findings for people and for machines: text lines, JSON, GitHub workflow annotations, SARIF 2.1.0."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from ._base import Finding, Rule

__all__ = ["FORMATS", "Format", "render"]

Format = Literal["text", "json", "github", "sarif"]
FORMATS: tuple[Format, ...] = ("text", "json", "github", "sarif")
_SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def render(findings: Sequence[Finding], form: Format, rules: Mapping[str, Rule]) -> str:
    """The findings as text in the format ``form`` (``rules`` describes them in SARIF)."""
    if form == "text":
        return "".join(f"{finding}\n" for finding in findings)
    if form == "json":
        return json.dumps([_as_json(f) for f in findings], indent=2, ensure_ascii=False) + "\n"
    if form == "github":
        return "".join(_annotation(f) + "\n" for f in findings)
    if form == "sarif":
        return json.dumps(_sarif(findings, rules), indent=2, ensure_ascii=False) + "\n"
    raise ValueError(f"no format {form!r}")


def _as_json(finding: Finding) -> dict[str, Any]:
    return {
        "rule": finding.rule,
        "severity": finding.severity,
        "file": finding.source,
        "line": finding.line,
        "column": finding.column,
        "document": finding.document,
        "pointer": finding.pointer,
        "message": finding.message,
    }


def _annotation(finding: Finding) -> str:
    """A GitHub Actions workflow command: ``::error file=F,line=L,col=C,title=RULE::MESSAGE``."""
    properties = f"file={_property(finding.source)},line={finding.line},col={finding.column},title={_property(finding.rule)}"
    return f"::{finding.severity} {properties}::{_data(finding.message)}"


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def _sarif(findings: Sequence[Finding], rules: Mapping[str, Rule]) -> dict[str, Any]:
    from .. import __version__

    ids = list(rules)
    descriptors = [
        {
            "id": rule.id,
            "name": "".join(part.capitalize() for part in rule.id.split("-")),
            "shortDescription": {"text": rule.summary},
            "fullDescription": {"text": rule.doc.strip().split("\n\n", 1)[0]},
            "help": {"text": rule.doc.strip()},
            "defaultConfiguration": {"level": rule.severity},
        }
        for rule in rules.values()
    ]
    results = []
    for finding in findings:
        result: dict[str, Any] = {
            "ruleId": finding.rule,
            "level": finding.severity,
            "message": {"text": finding.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": _uri(finding.source)},
                        "region": {"startLine": finding.line, "startColumn": finding.column},
                    }
                }
            ],
        }
        if finding.rule in ids:
            result["ruleIndex"] = ids.index(finding.rule)
        results.append(result)
    return {
        "$schema": _SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "istio-patch", "version": __version__, "rules": descriptors}},
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }


def _uri(source: str) -> str:
    """A relative URI reference for a file name (SARIF's artifactLocation.uri)."""
    from urllib.parse import quote

    if source.startswith("<") and source.endswith(">"):
        return quote(source.strip("<>"))
    return quote(source.replace("\\", "/"))
