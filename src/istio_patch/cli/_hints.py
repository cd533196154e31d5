"""Hints in the library's messages name Python options; on the command line they name the flags instead."""

from __future__ import annotations

import re

__all__ = ["on_the_command_line"]

# Options every transform shares, and how the command line says them.
_SHARED = {
    "allow_no_match=True": "--allow-no-match",
    "all_namespaces=True": "-A",
    "namespace=NAME": "-n NAMESPACE",
}


def on_the_command_line(message: str) -> str:
    """``message`` with ``option=True``-style hints as the flags that set them (``create_missing=True`` is
    ``--add-missing``), read from the transforms' descriptors."""
    if "=" not in message and "option" not in message:
        return message
    from ..transforms import registry

    spelled = dict(_SHARED)
    for transform in registry().values():
        for modifier in transform.modifiers:
            if modifier.switch:
                spelled[f"{modifier.option}=True"] = modifier.name
                spelled[f"the {modifier.option} option"] = modifier.name
    pattern = re.compile("|".join(re.escape(key) for key in sorted(spelled, key=len, reverse=True)))
    return pattern.sub(lambda m: spelled[m.group(0)], message)
