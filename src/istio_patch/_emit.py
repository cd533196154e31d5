"""Writing new values as YAML text that copies its neighbours' layout.

Only new values are written here; existing text is never re-emitted. A scalar is written plain when it
reads back as the same value both under Kubernetes' rules and under YAML 1.1, and quoted otherwise.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any

import yaml

from ._errors import EditError
from ._kube import resolve_plain

__all__ = ["Layout", "scalar_text", "double_quoted", "single_quoted", "after_key", "after_dash", "flow_text", "literal_block", "json_text"]


@dataclass(frozen=True)
class Layout:
    """How a document lays out block collections; new text follows it.

    step: columns a nested mapping is indented by; seq_offset: columns a sequence's dashes sit right of
    the key that holds it (0 for the "indentless" style); newline: the document's line break; block_end:
    False when a block scalar cannot end the new text, because no line break follows it (the block would
    lose its final line break) or blank lines that hold spaces do (the block would read them as its own);
    multi-line strings are then quoted.
    """

    step: int = 2
    seq_offset: int = 2
    newline: str = "\n"
    lone_dash: bool = False
    dash_gap: int = 1
    block_end: bool = True


_INDICATORS = set("-?:,[]{}#&*!|>'\"%@`")
_FLOW_FORBIDDEN = set(",[]{}")
_NEEDS_ESCAPE = re.compile("[\x00-\x08\x0b-\x1f\x7f\x85\u2028\u2029\ufeff\ud800-\udfff]")
_YAML11 = yaml.resolver.Resolver()
_STR_TAG = "tag:yaml.org,2002:str"


def plain_ok(text: str, *, flow: bool = False) -> bool:
    """True when ``text`` can be written as a plain scalar and still read back as this same string."""
    if not text or text != text.strip() or "\n" in text or "\t" in text or _NEEDS_ESCAPE.search(text):
        return False
    first = text[0]
    if first in _INDICATORS and not (first in "-?:" and len(text) > 1 and text[1] not in " ,[]{}"):
        return False
    if ": " in text or " #" in text or text.endswith(":"):
        return False
    if text[:3] in ("---", "...") and text[3:4] in ("", " "):
        return False  # at column 0 (a key or value of the root) it would be a document marker
    if flow and (any(ch in _FLOW_FORBIDDEN for ch in text) or ":" in text):
        return False
    if resolve_plain(text) != text or not isinstance(resolve_plain(text), str):
        return False
    return bool(_YAML11.resolve(yaml.ScalarNode, text, (True, False)) == _STR_TAG)  # type: ignore[no-untyped-call]


def double_quoted(text: str) -> str:
    """``text`` as a one-line double-quoted scalar."""
    out = ['"']
    for ch in text:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif _NEEDS_ESCAPE.match(ch) or ch == "\r":
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def single_quoted(text: str) -> str | None:
    """``text`` as a one-line single-quoted scalar, or None when it needs escapes."""
    if "\n" in text or "\r" in text or _NEEDS_ESCAPE.search(text):
        return None
    return "'" + text.replace("'", "''") + "'"


def scalar_text(value: Any, *, flow: bool = False, quote: str | None = None) -> str:
    """A non-collection value as one-line YAML. ``quote`` ("'" or '"') is the preferred quoting for strings."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return ".nan"
        if math.isinf(value):
            return ".inf" if value > 0 else "-.inf"
        text = repr(value)
        return text if ("." in text or "e" in text) else text + ".0"
    if isinstance(value, str):
        if quote == "'":
            single = single_quoted(value)
            if single is not None:
                return single
        if quote == '"':
            return double_quoted(value)
        if plain_ok(value, flow=flow):
            return value
        return double_quoted(value)
    raise TypeError(f"cannot write a {type(value).__name__} as YAML")


def key_text(key: str, *, flow: bool = False) -> str:
    return key if plain_ok(key, flow=flow) and ":" not in key else double_quoted(key)


def flow_text(value: Any) -> str:
    """A value in flow style: ``{a: 1, b: [x, y]}``."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key_text(str(k), flow=True)}: {flow_text(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(flow_text(v) for v in value) + "]"
    return scalar_text(value, flow=True)


# JSON leaves these raw, but libyaml reads them as line breaks (NEL, LS, PS), refuses them (C1 controls, DEL)
# or takes them for a byte-order mark.
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff]")


def json_text(value: Any) -> str:
    """``value`` as JSON that libyaml reads back as the same data: for edits inside a JSON document.

    Non-ASCII characters stay as they are, but the few that YAML reads otherwise are escaped. NaN and the
    infinities, which JSON cannot hold, raise EditError.
    """
    try:
        text = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(", ", ": "))
    except ValueError:
        raise EditError("a JSON document cannot hold NaN or an infinite number") from None
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def literal_block(text: str, indent: int, newline: str, *, block_end: bool = True) -> str | None:
    """``text`` as a literal block scalar (header and lines, no final line break), or None when it cannot be one
    (and always without ``block_end``: see Layout)."""
    if not block_end or "\r" in text or _NEEDS_ESCAPE.search(text) or "\n" not in text.rstrip("\n"):
        return None
    body = text.rstrip("\n")
    trailing = len(text) - len(body)
    chomp = "-" if trailing == 0 else ("" if trailing == 1 else "+")
    lines = body.split("\n")
    if any(line.strip(" ") == "" and line for line in lines):
        return None  # whitespace-only lines would read back as empty ones
    if lines[0].startswith(" "):
        return None  # would need an indentation indicator; a quoted scalar is clearer
    pad = " " * indent
    out = [f"|{chomp}"] + [pad + line if line else "" for line in lines]
    if chomp == "+":
        out.extend([""] * (trailing - 1))
    return newline.join(out)


def after_key(value: Any, column: int, layout: Layout) -> str:
    """What follows ``key:`` for a new value whose key sits at ``column``."""
    nl = layout.newline
    if isinstance(value, dict) and value:
        inner = column + layout.step
        return "".join(f"{nl}{' ' * inner}{key_text(str(k))}:{after_key(v, inner, layout)}" for k, v in value.items())
    if isinstance(value, list) and value:
        dash = column + layout.seq_offset
        return "".join(f"{nl}{' ' * dash}-{after_dash(v, dash, layout)}" for v in value)
    if isinstance(value, str) and "\n" in value.rstrip("\n"):
        block = literal_block(value, column + layout.step, nl, block_end=layout.block_end)
        if block is not None:
            return " " + block
    return " " + (flow_text(value) if isinstance(value, (dict, list)) else scalar_text(value))


def after_dash(value: Any, dash_column: int, layout: Layout) -> str:
    """What follows ``-`` for a new sequence item whose dash sits at ``dash_column``."""
    nl = layout.newline
    inner = dash_column + 1 + layout.dash_gap
    gap = " " * layout.dash_gap
    if isinstance(value, dict) and value:
        entries = [f"{key_text(str(k))}:{after_key(v, inner, layout)}" for k, v in value.items()]
        if layout.lone_dash:
            return "".join(f"{nl}{' ' * inner}{entry}" for entry in entries)
        return gap + f"{nl}{' ' * inner}".join(entries)
    if isinstance(value, list) and value:
        items = [f"-{after_dash(v, inner, layout)}" for v in value]
        return gap + f"{nl}{' ' * inner}".join(items)
    if isinstance(value, str) and "\n" in value.rstrip("\n"):
        block = literal_block(value, inner, nl, block_end=layout.block_end)
        if block is not None:
            return gap + block
    return gap + (flow_text(value) if isinstance(value, (dict, list)) else scalar_text(value))


def root_text(value: Any, layout: Layout) -> str:
    """A whole document body at column 0 (no final line break)."""
    if isinstance(value, dict) and value:
        return layout.newline.join(f"{key_text(str(k))}:{after_key(v, 0, layout)}" for k, v in value.items())
    if isinstance(value, list) and value:
        return layout.newline.join(f"-{after_dash(v, 0, layout)}" for v in value)
    return flow_text(value) if isinstance(value, (dict, list)) else scalar_text(value)
