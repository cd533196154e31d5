"""Checks: the field guide's pitfalls, found before installing, each a rule with an id and a position.

``check(manifest)`` runs every rule that applies and returns :class:`Finding` s sorted by file and line. Each
rule is one module of this package (``RULE = Rule(...)``), whose docstring is its documentation with an example
that fails and one that passes; :func:`rules` lists them (``istio-patch check --list-rules``).

Example:
    >>> from istio_patch import load
    >>> m = load("kind: DaemonSet\\nmetadata: {name: gw}\\nspec:\\n  replicas: 2\\n", source="gw.yaml")
    >>> for finding in check(m):
    ...     print(finding)
    gw.yaml:4:3: [daemonset-replicas] DaemonSet gw has replicas: a DaemonSet runs one pod per node and has no replicas
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING

from ._base import CheckOptions, Context, Finding, Rule, Severity
from ._formats import FORMATS, Format, render

if TYPE_CHECKING:
    from .._manifest import Manifest

__all__ = ["check", "rules", "render", "Finding", "Rule", "CheckOptions", "Severity", "Format", "FORMATS"]

_rules: dict[str, Rule] | None = None


def rules() -> Mapping[str, Rule]:
    """Every rule by id, sorted: one per module of this package."""
    global _rules
    if _rules is None:
        found: dict[str, Rule] = {}
        for info in pkgutil.iter_modules(__path__):
            if info.name.startswith("_"):
                continue
            rule = getattr(importlib.import_module(f"{__name__}.{info.name}"), "RULE", None)
            if isinstance(rule, Rule):
                found[rule.id] = rule
        _rules = dict(sorted(found.items()))
    return MappingProxyType(_rules)


def check(
    manifests: Manifest | Sequence[Manifest],
    options: CheckOptions | None = None,
    *,
    select: Iterable[str] | None = None,
    bare_metal: bool = False,
    forbid_registries: Sequence[str] = (),
    node_port_range: tuple[int, int] = (30000, 32767),
) -> list[Finding]:
    """The findings of every rule that applies, over one manifest or several read as one (split files).

    ``select`` limits the run to those rule ids (OptionsError for an unknown one). The settings come from
    ``options`` or the keywords (``bare_metal``, ``forbid_registries``, ``node_port_range``).
    """
    from .._errors import OptionsError
    from .._manifest import Manifest

    if options is None:
        options = CheckOptions(bare_metal=bare_metal, forbid_registries=tuple(forbid_registries), node_port_range=node_port_range)
    group = [manifests] if isinstance(manifests, Manifest) else list(manifests)
    known = rules()
    chosen = list(known.values())
    if select is not None:
        wanted = list(select)
        unknown = [name for name in wanted if name not in known]
        if unknown:
            raise OptionsError(f"check: no rule {unknown[0]!r} (the rules are: {', '.join(known)})")
        chosen = [known[name] for name in wanted]
    context = Context(group, options)
    findings = {finding for rule in chosen if rule.enabled(options) for finding in rule.check(context)}
    return sorted(findings, key=lambda f: (f.source, f.line, f.column, f.rule, f.message))
