"""``images``, ``check``, ``summary`` and ``validate``: the library's reports, printed."""

from __future__ import annotations

import argparse
import json

from ._common import EXIT_FOUND, EXIT_OK, PROG, Failure, UsageError, out, printable, warn
from ._progress import progress
from ._run import manifests_of

__all__ = ["images", "check", "summary", "validate"]


def images(args: argparse.Namespace) -> int:
    from ..transforms import image_report

    listing: dict[str, dict[str, object]] = {}
    for manifest in manifests_of(args):
        progress.show(f"listing the images of {manifest.source}")
        report = image_report(manifest)
        for warning in report.warnings:  # on stderr: the listing on stdout stays a list of images
            warn(f"{manifest.source}:{warning.line}: {warning.object} {warning.pointer}: {warning.message}")
        for use in report.uses:
            entry = listing.setdefault(use.reference, {"image": use.reference, "pulled": use.pulled, "uses": []})
            entry["uses"].extend(  # type: ignore[attr-defined]
                {"source": manifest.source, "document": p.document, "line": p.line, "object": p.object,
                 "pointer": p.pointer, "image_field": p.image_field, "template": p.template,
                 **({"expression": p.expression} if hasattr(p, "expression") else {})}
                for p in use.places
            )
    if args.json:
        out(json.dumps(list(listing.values()), indent=2, ensure_ascii=False) + "\n")
    else:
        out(printable("".join(f"{ref}\n" for ref in listing)))
    return EXIT_OK


def check(args: argparse.Namespace) -> int:
    from ..checks import CheckOptions, render, rules
    from ..checks import check as check_of

    if args.list_rules:
        out("".join(f"{rule.id:<20} {rule.severity:<8} {rule.summary}\n" for rule in rules().values()))
        return EXIT_OK
    options = CheckOptions(bare_metal=args.bare_metal, forbid_registries=tuple(args.forbid_registry), node_port_range=_port_range(args.node_port_range))
    manifests = manifests_of(args)
    progress.show("checking the rules")
    findings = check_of(manifests, options, select=args.rule)
    text = render(findings, args.format, rules())
    out(printable(text) if args.format in ("text", "github") else text)
    return EXIT_FOUND if findings else EXIT_OK


def _port_range(text: str) -> tuple[int, int]:
    low, _, high = text.partition("-")
    if not (low.isdigit() and high.isdigit()) or not 1 <= int(low) <= int(high) <= 65535:
        raise UsageError(f"{PROG} check: --node-port-range takes FROM-TO, e.g. 30000-32767")
    return int(low), int(high)


def summary(args: argparse.Namespace) -> int:
    from .._summary import summary as summary_of

    manifests = manifests_of(args)
    progress.show("summarizing")
    result = summary_of(manifests)
    if args.json:
        out(json.dumps(result.to_json(), indent=2, ensure_ascii=False) + "\n")
        return EXIT_OK
    lines: list[str] = []
    for namespace in result.namespaces:
        if lines:
            lines.append("")
        lines.append(f"namespace {namespace.name}")
        if namespace.services:
            rows = [["SERVICE", "TYPE", "CLUSTER-IP", "PORT(S)"]] + [
                [s.name or "", s.type, s.cluster_ip or "(assigned)", ",".join(map(str, s.ports)) or "<none>"] for s in namespace.services
            ]
            lines.extend("  " + row for row in _table(rows))
        if namespace.workloads:
            if namespace.services:
                lines.append("")
            rows = [["WORKLOAD", "REPLICAS", "IMAGES"]] + [
                [f"{w.kind}/{w.name}", w.replicas, ",".join(w.images) or "<none>"] for w in namespace.workloads
            ]
            lines.extend("  " + row for row in _table(rows))
    out(printable("".join(line + "\n" for line in lines)))
    return EXIT_OK


def _table(rows: list[list[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["   ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows]


def validate(args: argparse.Namespace) -> int:
    from .._errors import OptionsError
    from .._manifest import load
    from .._validate import validate as validate_of
    from ._streams import STDIN

    try:
        # the extra and the release are checked on an empty manifest first: a typo costs no reading of stdin
        validate_of(load("", source=STDIN), args.kubernetes_version, strict=args.strict)
    except OptionsError as exc:
        raise Failure(exc.message) from None
    manifests = manifests_of(args)
    progress.show(f"validating against Kubernetes {args.kubernetes_version}")
    problems = [p for m in manifests for p in validate_of(m, args.kubernetes_version, strict=args.strict)]
    out(printable("".join(f"{problem}\n" for problem in problems)))
    return EXIT_FOUND if any(p.severity == "error" for p in problems) else EXIT_OK
