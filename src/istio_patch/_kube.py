"""The Kubernetes view of a document: the JSON-like data the API server would receive.

Kubernetes decodes YAML with a port of libyaml (go-yaml v2, through sigs.k8s.io/yaml) and converts it to
JSON. That fixes the rules implemented here:
- a repeated mapping key is legal and its last value wins (each repetition is reported);
- plain scalars resolve as go-yaml v2 does: YAML 1.1 booleans (yes/no/on/off/y/n), integers in any Go base
  (0x, 0o, 0b, leading 0) with underscores ignored, floats, null; timestamps stay strings;
- merge keys (``<<``) copy entries in order of appearance, later ones overriding earlier ones;
- keys become strings, as JSON requires;
- a ``!!binary`` scalar is its base64 decoded, as a (UTF-8) string.
Aliases are shared, never copied, and the work of expanding them is bounded by a budget, so an alias bomb
is refused instead of exhausting memory.
"""

from __future__ import annotations

import base64
import math
import re
from dataclasses import dataclass
from typing import Any

from jsonpointer import escape

from ._errors import IstioPatchError, LimitError, YAMLSyntaxError
from ._parse import PLAIN, MappingNode, Node, ScalarNode, SequenceNode

__all__ = ["Duplicate", "build_view", "resolve_plain", "scalar_value", "key_text", "EXPANSION_BUDGET", "CHARACTER_BUDGET"]

# At most this many values in a document once aliases are expanded; go-yaml v2 refuses excessive aliasing too.
EXPANSION_BUDGET = 2_000_000
# At most this many characters of scalars that aliases add to a document, beyond those written once: every
# consumer that reads strings (image references, registries, mirroring) does work in proportion to them,
# so a few short aliases repeating one long string must not multiply it (scanning 2,000,000 characters dense
# with image references takes `images` a few seconds). A document without aliases never counts against it,
# whatever its size, and ten aliases of the largest string of the corpus (200 KB) fit.
CHARACTER_BUDGET = 2_000_000
# At most this many levels of nesting in the data. libyaml stops at 1,000, but the data is later copied,
# compared and patched by recursive Python code (copy.deepcopy, jsonpatch), which must never meet a
# RecursionError; real Kubernetes objects nest a few tens of levels at most.
MAX_DEPTH = 200

_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_TRUE = frozenset({"y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "true", "True", "TRUE"})
_FALSE = frozenset({"n", "N", "no", "No", "NO", "off", "Off", "OFF", "false", "False", "FALSE"})
_SPECIAL_FLOATS = {
    ".inf": math.inf, ".Inf": math.inf, ".INF": math.inf,
    "+.inf": math.inf, "+.Inf": math.inf, "+.INF": math.inf,
    "-.inf": -math.inf, "-.Inf": -math.inf, "-.INF": -math.inf,
    ".nan": math.nan, ".NaN": math.nan, ".NAN": math.nan,
}  # fmt: skip
_GO_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z")
_GO_INT = re.compile(r"[-+]?(?:0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)\Z")
_NUMERIC_START = frozenset("+-.0123456789")
_INT64 = 1 << 63
_UINT64 = 1 << 64
_STR = "tag:yaml.org,2002:str"


@dataclass(frozen=True)
class Duplicate:
    """A mapping key written more than once in one mapping; Kubernetes keeps the last value.

    ``line`` and ``column`` (1-based) are those of the repeated key whose value lost.
    """

    key: str
    pointer: str
    line: int
    column: int
    lost_value: Any
    winning_line: int


def resolve_plain(text: str) -> Any:
    """The value of an untagged plain scalar under go-yaml v2's rules."""
    if text in _NULLS:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    if text in _SPECIAL_FLOATS:
        return _SPECIAL_FLOATS[text]
    if text[0] in _NUMERIC_START:
        return _resolve_number(text)
    return text


def _resolve_number(text: str) -> Any:
    plain = text.replace("_", "")
    if _GO_INT.match(plain):
        sign = -1 if plain[0] == "-" else 1
        digits = plain.lstrip("+-")
        if len(digits) > 1 and digits[0] == "0" and digits[1] in "xXoObB":
            value = int(digits[2:], {"x": 16, "o": 8, "b": 2}[digits[1].lower()])
        elif len(digits) > 1 and digits[0] == "0":
            value = int(digits, 8)
        else:
            value = int(digits)
        value *= sign
        if -_INT64 <= value < _UINT64:
            return value
    if _GO_FLOAT.match(plain):
        number = float(plain)
        # Go's ParseFloat refuses a number beyond float64 (Python says inf): go-yaml then keeps the text
        return text if math.isinf(number) else number
    return text


def scalar_value(node: ScalarNode) -> Any:
    """The Kubernetes value of a scalar node (its tag, when explicit, decides)."""
    tag = node.tag
    value = node.value
    if tag == PLAIN:
        return resolve_plain(value) if value else None
    if tag == _STR or not tag.startswith("tag:yaml.org,2002:"):
        return value  # quoted, block, `!!str`, or a custom tag: go-yaml leaves these as strings
    kind = tag[len("tag:yaml.org,2002:") :]
    if kind == "null":
        return None
    if kind in ("bool", "int", "float"):
        resolved = resolve_plain(value)
        expected: dict[str, type | tuple[type, ...]] = {"bool": bool, "int": int, "float": (int, float)}
        if isinstance(resolved, expected[kind]) and not (kind == "int" and isinstance(resolved, bool)):
            return float(resolved) if kind == "float" and isinstance(resolved, (int, float)) else resolved
        raise YAMLSyntaxError(
            f"cannot read {value!r} as !!{kind}",
            line=node.start_mark.line + 1,
            column=node.start_mark.column + 1,
        )
    if kind == "binary":
        return binary_value(node)
    return value  # !!timestamp and the rest decode to text on the way to JSON


_BASE64 = re.compile(r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?\Z")


def binary_value(node: ScalarNode) -> str:
    """The text Kubernetes reads from a ``!!binary`` scalar: its base64 decoded, as a string.

    go-yaml v2 decodes standard base64 (padding required; line breaks ignored, other blanks not) into a Go
    string of those bytes, and the conversion to JSON turns bytes that are not UTF-8 into U+FFFD. Data that
    is not base64 is refused, as go-yaml refuses it.
    """
    data = node.value.replace("\r", "").replace("\n", "")
    if not _BASE64.match(data):
        raise YAMLSyntaxError(
            "!!binary value contains invalid base64 data",
            line=node.start_mark.line + 1,
            column=node.start_mark.column + 1,
        )
    return base64.b64decode(data).decode("utf-8", errors="replace")


def key_text(value: Any) -> str:
    """A resolved key as the JSON object key Kubernetes makes of it."""
    if isinstance(value, str):
        return value
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value) if not value.is_integer() else str(int(value))
    return str(value)


class _Recursive(Exception):
    pass


def build_view(
    root: Node | None, budget: int = EXPANSION_BUDGET, characters: int = CHARACTER_BUDGET
) -> tuple[Any, list[tuple[str, Node, Node, Node]]]:
    """Build the data of ``root`` and list the duplicate keys as (pointer, losing key node, lost value node, winner).

    Nodes reached through several aliases become one shared Python value; their expanded size still counts
    against ``budget`` (values) and ``characters`` (scalar characters beyond those written once), so
    consumers that walk the data, or scan its strings, never face an alias bomb.
    Raises LimitError past either budget and YAMLSyntaxError on a recursive alias or an unusable key.
    """
    if root is None:
        return None, []
    try:
        return _plain_view(root, budget), []
    except _NotPlain:
        return _full_view(root, budget, characters)


def _full_view(root: Node, budget: int, characters: int) -> tuple[Any, list[tuple[str, Node, Node, Node]]]:
    """:func:`build_view` for any tree: aliases shared and budgeted, duplicates listed, merge keys applied."""
    values: dict[int, Any] = {}
    sizes: dict[int, int] = {}
    lengths: dict[int, int] = {}  # characters of scalars below each node, aliases expanded
    written = 0  # characters of the distinct scalars met so far
    depths: dict[int, int] = {}
    pending: set[int] = set()
    duplicates: list[tuple[str, Node, Node, Node]] = []
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        ident = id(node)
        if ident in values and not children_done:
            continue
        if isinstance(node, ScalarNode):
            values[ident] = scalar_value(node)
            sizes[ident] = 1
            depths[ident] = 0
            lengths[ident] = len(node.value)
            written += len(node.value)
            continue
        if not children_done:
            if ident in pending:
                raise _recursion_error(node)
            pending.add(ident)
            stack.append((node, True))
            for child in _children(node):
                if id(child) in pending:
                    raise _recursion_error(child)
                if id(child) not in values:
                    stack.append((child, False))
            continue
        pending.discard(ident)
        child_ids = [id(child) for child in _children(node)]
        size = 1 + sum(sizes[c] for c in child_ids)
        if size > budget:
            raise LimitError(
                f"expanding the aliases of this document would make more than {budget:,} values; "
                "refusing (an alias bomb?)",
                line=node.start_mark.line + 1,
                column=node.start_mark.column + 1,
            )
        length = sum(lengths[c] for c in child_ids)
        if length - written > characters:  # beyond what is written, only aliases can have added it
            raise LimitError(
                f"expanding the aliases of this document would repeat more than {characters:,} characters; "
                "refusing (an alias bomb?)",
                line=node.start_mark.line + 1,
                column=node.start_mark.column + 1,
            )
        depth = 1 + max((depths[c] for c in child_ids), default=0)
        if depth > MAX_DEPTH:
            raise LimitError(
                f"this document nests more than {MAX_DEPTH} levels deep; refusing it",
                line=node.start_mark.line + 1,
                column=node.start_mark.column + 1,
            )
        sizes[ident] = size
        lengths[ident] = length
        depths[ident] = depth
        if isinstance(node, SequenceNode):
            values[ident] = [values[id(item)] for item in node.value]
        elif isinstance(node, MappingNode):
            values[ident] = _mapping_value(node, values, duplicates)
    _refuse_excessive_aliasing(root, sizes[id(root)], len(values))
    _locate_duplicates(root, duplicates)
    return values[id(root)], duplicates


class _NotPlain(Exception):
    """The tree has what only :func:`build_view`'s full walk handles."""


def _plain_view(root: Node, budget: int) -> Any:
    """The view of a tree in which no node is reached twice (no alias), no key is repeated, no key is a merge
    key, no value is refused and the limits are far: what almost every document is.

    One recursive pass, without the bookkeeping that aliases need (sizes, depths and characters per node);
    anything else raises _NotPlain, and the full walk then builds the view (or the error) as it always does.
    The recursion is as deep as the nesting, which stops at MAX_DEPTH.
    """
    seen: set[int] = set()
    try:
        data = _plain_value(root, 0, seen)
    except IstioPatchError:
        raise _NotPlain from None  # refused: the full walk raises the error it has always raised
    except RecursionError:  # called from deep in the stack already: the full walk is iterative
        raise _NotPlain from None
    if len(seen) > budget:
        raise _NotPlain
    return data


def _plain_value(node: Node, level: int, seen: set[int]) -> Any:
    """The value of ``node`` for :func:`_plain_view` (``seen``: the ids of the nodes met so far). Scalars
    below a collection are read where they are met: most nodes are scalars, and a call each would cost more."""
    ident = id(node)
    if ident in seen:
        raise _NotPlain  # an alias: shared values, budgets
    seen.add(ident)
    kind = node.__class__
    if kind is ScalarNode:
        return scalar_value(node)  # type: ignore[arg-type]  # the class is compared: isinstance costs more here
    if level >= MAX_DEPTH:
        raise _NotPlain
    if kind is SequenceNode:
        items = []
        for item in node.value:
            if item.__class__ is ScalarNode and id(item) not in seen:
                seen.add(id(item))
                items.append(scalar_value(item))
            else:
                items.append(_plain_value(item, level + 1, seen))
        return items
    if kind is not MappingNode:
        raise _NotPlain
    out: dict[str, Any] = {}
    for key, value in node.value:
        if key.__class__ is not ScalarNode or is_merge_key(key) or id(key) in seen:
            raise _NotPlain
        seen.add(id(key))
        name = key_text(scalar_value(key))
        if name in out:
            raise _NotPlain  # a repeated key: the full walk lists the duplicates
        if value.__class__ is ScalarNode and id(value) not in seen:
            seen.add(id(value))
            out[name] = scalar_value(value)
        else:
            out[name] = _plain_value(value, level + 1, seen)
    return out


def _refuse_excessive_aliasing(root: Node, expanded: int, written: int) -> None:
    """go-yaml's rule (v2.2.8 and later, which Kubernetes' decoder runs): a document where aliases make more than a
    set share of the values decoded is refused as "excessive aliasing". The share allowed falls from 99% for
    documents of up to 400,000 values to 10% from 4,000,000 on."""
    aliased = expanded - written
    if aliased > 100 and expanded > 1000 and aliased / expanded > _allowed_alias_ratio(expanded):
        raise LimitError(
            f"aliases make {aliased:,} of the {expanded:,} values of this document: Kubernetes refuses such excessive "
            "aliasing, and so does istio-patch (an alias bomb?)",
            line=root.start_mark.line + 1,
            column=root.start_mark.column + 1,
        )


def _allowed_alias_ratio(decoded: int) -> float:
    low, high = 400_000, 4_000_000
    if decoded <= low:
        return 0.99
    if decoded >= high:
        return 0.10
    return 0.99 - 0.89 * (decoded - low) / (high - low)


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        items: list[Node] = node.value
        return items
    if isinstance(node, MappingNode):
        return [child for pair in node.value for child in pair]
    return []


def _recursion_error(node: Node) -> YAMLSyntaxError:
    return YAMLSyntaxError(
        "an alias refers to a node that contains it (a recursive anchor)",
        line=node.start_mark.line + 1,
        column=node.start_mark.column + 1,
    )


def is_merge_key(key: Node) -> bool:
    return isinstance(key, ScalarNode) and key.tag in (PLAIN, "tag:yaml.org,2002:merge") and key.value == "<<"


def mapping_key(key: Node, values: dict[int, Any] | None = None) -> str:
    """The JSON key of a key node; collections as keys are refused, as Kubernetes refuses them."""
    if not isinstance(key, ScalarNode):
        raise YAMLSyntaxError(
            "a mapping key is a collection; Kubernetes accepts only scalar keys",
            line=key.start_mark.line + 1,
            column=key.start_mark.column + 1,
        )
    return key_text(scalar_value(key))


def _mapping_value(node: MappingNode, values: dict[int, Any], duplicates: list[Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    explicit: dict[str, tuple[Node, Node]] = {}
    for key, value in node.value:
        if is_merge_key(key):
            for source in _merge_sources(value):
                out.update(values[id(source)])
            continue
        name = mapping_key(key)
        if name in explicit:
            duplicates.append(("", explicit[name][0], explicit[name][1], key, node))
        explicit[name] = (key, value)
        out.pop(name, None)  # keep Kubernetes' order: the key takes the position of its last writing
        out[name] = values[id(value)]
    return out


def _merge_sources(value: Node) -> list[Node]:
    if isinstance(value, MappingNode):
        return [value]
    if isinstance(value, SequenceNode) and all(isinstance(item, MappingNode) for item in value.value):
        return list(reversed(value.value))  # the first mapping listed wins, so it is applied last
    raise YAMLSyntaxError(
        "a merge key (<<) needs a mapping or a list of mappings",
        line=value.start_mark.line + 1,
        column=value.start_mark.column + 1,
    )


def _locate_duplicates(root: Node, duplicates: list[Any]) -> None:
    """Fill in the JSON pointer of each duplicate's mapping (found by a walk only when there are any)."""
    if not duplicates:
        return
    wanted = {id(entry[4]) for entry in duplicates}
    pointers: dict[int, str] = {}
    stack: list[tuple[Node, str]] = [(root, "")]
    seen: set[int] = set()
    while stack and len(pointers) < len(wanted):
        node, pointer = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if id(node) in wanted:
            pointers[id(node)] = pointer
        if isinstance(node, SequenceNode):
            stack.extend((item, f"{pointer}/{i}") for i, item in enumerate(node.value))
        elif isinstance(node, MappingNode):
            for key, value in node.value:
                if isinstance(key, ScalarNode) and not is_merge_key(key):
                    stack.append((value, f"{pointer}/{escape(mapping_key(key))}"))
    for i, (_, lost_key, lost_value, winner, mapping) in enumerate(duplicates):
        duplicates[i] = (pointers.get(id(mapping), ""), lost_key, lost_value, winner)

