"""Kubernetes release numbers as people write them: ``1.25``, ``v1.25``, ``1.25.3``."""

from __future__ import annotations

import re

__all__ = ["Version", "parse_kubernetes_version"]

Version = tuple[int, int]

_VERSION = re.compile(r"v?(\d+)\.(\d+)(?:\.\d+)?")


def parse_kubernetes_version(text: object) -> Version:
    """``"1.25"`` (or ``"v1.25"``, ``"1.25.3"``) -> ``(1, 25)``; ValueError saying how to write it otherwise."""
    match = _VERSION.fullmatch(text.strip()) if isinstance(text, str) else None
    if match is None or match.group(1) != "1":
        raise ValueError(f"cannot read the Kubernetes version {text!r}: write it as 1.25")
    return int(match.group(1)), int(match.group(2))
