"""RFC 6902 operations applied to a document's text, changing only the lines they require.

Each operation is checked first against the Kubernetes view with ``jsonpatch`` (so its meaning is exactly
RFC 6902's), then carried out as a splice of the text at positions taken from libyaml's marks, and the
text is parsed again before the next operation. At the end, the Kubernetes view of the new text must equal
``jsonpatch``'s result; if it does not, the edit is refused rather than written wrong.

Choices worth knowing:
- A repeated key is one member whose value is its last writing: ``replace`` edits the last writing,
  ``remove`` removes every writing (otherwise an earlier one would come back to life).
- ``{"op": "remove", "path": P, "writings": "earlier"}`` is istio-patch's own: it removes only the earlier
  writings of the key at P, those Kubernetes does not read, and keeps the last. It changes nothing in the
  view, so ``jsonpatch`` never sees it, and the final check holds the view to exactly what it was.
- A node shared through an anchor and aliases, or reached through a merge key (``<<``), is not edited:
  the error names the pointer. Editing it would change every place that shares it.
- ``remove`` of the path "" (the whole object) removes the document; callers handle that (see Manifest).
"""

from __future__ import annotations

import builtins
import copy
import dataclasses
import difflib
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

import jsonpatch
import jsonpointer

from . import _pointer as _pointers
from ._emit import Layout, after_dash, after_key, double_quoted, flow_text, json_text, key_text, literal_block, root_text, scalar_text, single_quoted
from ._errors import EditError, IstioPatchError, PatchTestFailed, YAMLSyntaxError
from ._kube import MAX_DEPTH, build_view, is_merge_key, mapping_key, scalar_value
from ._kube import key_text as key_name
from ._parse import PLAIN, Alias, MappingNode, Node, ScalarNode, SequenceNode, aliases, compose
from ._text import occurrences

__all__ = ["apply_operations", "parse_pointer", "same_data"]

_OPS = ("add", "remove", "replace", "move", "copy", "test")


def parse_pointer(pointer: str) -> list[str]:
    """RFC 6901 tokens of ``pointer`` ("" is the whole document); EditError when it is not a pointer."""
    try:
        return _pointers.tokens(pointer)
    except ValueError as exc:
        raise EditError(str(exc), pointer=pointer) from None


def _pointer(tokens: Sequence[str]) -> str:
    return _pointers.join(tokens)


def same_data(a: Any, b: Any) -> bool:
    """Equality of JSON-like data that, unlike ``==``, tells ``1``, ``1.0`` and ``True`` apart."""
    if isinstance(a, bool) or isinstance(b, bool) or a is None or b is None:
        return a is b
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(same_data(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(same_data(x, y) for x, y in zip(a, b))
    if type(a) is not type(b):
        return False
    return bool(a == b or (a != a and b != b))  # NaN equals NaN here


@dataclass
class _Slot:
    node: Node
    parent: MappingNode | SequenceNode | None
    index: int | None  # position in parent.value (the last writing, for a mapping)
    tokens: list[str]


class _Text:
    """The current text of a document, its node tree, and position helpers over it."""

    def __init__(self, text: str, source: str, document: int, line: int) -> None:
        self.source, self.document, self.line = source, document, line
        # Lines end in LF or CRLF here. A document whose lines end in CR, NEL, LS or PS alone (all one character,
        # as LF is) is edited as the same text with LF, and every splice is made in the text as written too,
        # with its own line break in the new text.
        lone = _LONE_BREAK.search(text)
        self.raw: str | None = text if lone else None
        self.brk = lone.group() if lone else "\n"
        self.set(_LONE_BREAK.sub("\n", text) if lone else text)

    def replace(self, splices: Sequence[tuple[int, int, str]]) -> None:
        """Replace ``text[start:end]`` by ``new`` for each (start, end, new) of ``splices`` (which do not overlap),
        and parse the result."""
        ordered = sorted(splices)  # one pass over the text, however many splices (a mirror may make thousands)
        if self.raw is not None:
            self.raw = _spliced(self.raw, [(start, end, _NEW_LINE.sub(self.brk, new)) for start, end, new in ordered])
        self.set(_spliced(self.text, ordered))

    def written(self) -> str:
        """The text as it is written: with the document's own line breaks."""
        return self.text if self.raw is None else self.raw

    def set(self, text: str, root: Node | None = None) -> None:
        self.text = text
        self.root = root if root is not None else compose(text, source=self.source, document=self.document, first_line=self.line)
        self._shared: set[int] | None = None
        self._aliases: dict[tuple[int, int], Alias] | None = None
        root = self.root
        # a JSON document (kubectl get -o json, json.dump): its root is a flow mapping of double-quoted keys;
        # new text there is JSON, so that the document stays JSON
        self.json = (
            isinstance(root, MappingNode)
            and bool(root.flow_style)
            and all(isinstance(key, ScalarNode) and key.style == '"' for key, _ in root.value)
        )

    def flow_value(self, value: Any) -> str:
        """``value`` for a place inside a flow collection (JSON in a JSON document)."""
        if self.json:
            return json_text(value)
        return flow_text(value) if isinstance(value, (dict, list)) else scalar_text(value, flow=True)

    def flow_separator(self, neighbour: int) -> str:
        """What goes between two members of a flow collection, after the style of the member at ``neighbour``:
        in a JSON document written one member a line, a comma, a line break and that member's indentation."""
        if self.json and self.first_on_line(neighbour):
            start = self.line_start(neighbour)
            return "," + self.newline_at(start) + self.text[start:neighbour]
        return ", "

    def alias_at(self, parent: Node, slot: int) -> tuple[int, int] | None:
        """(start, end) of the alias written at ``slot`` of ``parent`` (see ``_parse.aliases``), or None.

        An alias is the anchored node itself in the tree, whose marks are the anchor's: every position of
        a child that may be an alias is asked of this first.
        """
        alias = self.aliases().get((id(parent), slot))
        return (alias.start, alias.end) if alias else None

    def aliases(self) -> dict[tuple[int, int], Alias]:
        """The document's aliases by ``(id(parent), slot)``."""
        if self._aliases is None:
            self._aliases = {(id(a.parent), a.slot): a for a in aliases(self.text, self.root)}
        return self._aliases

    def item_start(self, seq: SequenceNode, i: int) -> int:
        alias = self.alias_at(seq, i)
        return alias[0] if alias else seq.value[i].start_mark.index

    def item_value_start(self, seq: SequenceNode, i: int) -> int:
        alias = self.alias_at(seq, i)
        return alias[0] if alias else self.value_start(seq.value[i])

    def item_end(self, seq: SequenceNode, i: int) -> int:
        alias = self.alias_at(seq, i)
        return alias[1] if alias else self.tight_end(seq.value[i])

    def key_start(self, mapping: MappingNode, i: int) -> int:
        """Where pair ``i`` starts: at its key, or at the ``?`` that makes the key explicit."""
        alias = self.alias_at(mapping, 2 * i)
        pos = alias[0] if alias else mapping.value[i][0].start_mark.index
        before = pos
        while before > 0 and self.text[before - 1] in " \t":
            before -= 1
        if before < pos and before > 0 and self.text[before - 1] == "?":
            ahead = self.text[before - 2 : before - 1]
            if ahead in ("", " ", "\t", "\n", "\r", "{", ","):
                return before - 1
        return pos

    def key_end(self, mapping: MappingNode, i: int) -> int:
        alias = self.alias_at(mapping, 2 * i)
        return alias[1] if alias else mapping.value[i][0].end_mark.index

    # ---- positions -------------------------------------------------------------------------------------
    def line_start(self, pos: int) -> int:
        return self.text.rfind("\n", 0, pos) + 1

    def line_end(self, pos: int) -> int:
        """Offset of the line break ending the line of ``pos`` (before a CR of CRLF), or the text's end."""
        end = self.text.find("\n", pos)
        if end < 0:
            return len(self.text)
        return end - 1 if end > 0 and self.text[end - 1] == "\r" else end

    def after_line(self, pos: int) -> int:
        end = self.text.find("\n", pos)
        return len(self.text) if end < 0 else end + 1

    def block_can_end(self, pos: int) -> bool:
        """Whether a block scalar written to end at ``pos`` would end there: a line break must follow, and the
        blank lines after it must be empty (a blank line holding spaces would be read into the block)."""
        text = self.text
        at = text.find("\n", pos) + 1
        if at == 0 or self.brk in "\u2028\u2029":
            return False  # LS and PS are content of a block scalar, not its line breaks
        while at < len(text):
            end = text.find("\n", at)
            line = text[at : len(text) if end < 0 else end].rstrip("\r")
            if line.strip(" \t"):
                return True
            if line or end < 0:
                return not line
            at = end + 1
        return True

    def first_on_line(self, pos: int) -> bool:
        return self.text[self.line_start(pos) : pos].strip(" \t") == ""

    def column(self, pos: int) -> int:
        return pos - self.line_start(pos)

    def newline_at(self, pos: int) -> str:
        end = self.text.find("\n", pos)
        if end < 0:
            end = self.text.rfind("\n")
        return "\r\n" if end > 0 and self.text[end - 1] == "\r" else "\n"

    def value_start(self, node: Node) -> int:
        """Where the node's own text starts, after any anchor (&a) and tag (!t) properties."""
        pos = node.start_mark.index
        text = self.text
        while pos < len(text) and text[pos] in "&!":
            match = re.compile(r"[^ \t\r\n]*[ \t\r\n]*").match(text, pos)
            pos = match.end() if match else pos + 1
        return pos

    def tight_end(self, node: Node) -> int:
        """Where the node's own text ends: no trailing blank lines, comments or following tokens."""
        while True:
            if isinstance(node, ScalarNode):
                if node.style in ("|", ">"):
                    return self._block_scalar_end(node)
                return node.end_mark.index
            if not isinstance(node, (MappingNode, SequenceNode)) or node.flow_style or not node.value:
                return node.end_mark.index
            last = len(node.value) - 1
            if isinstance(node, MappingNode):
                alias = self.alias_at(node, 2 * last + 1)
                if alias:
                    return alias[1]
                value = node.value[last][1]
                if value.start_mark.index == value.end_mark.index and isinstance(value, ScalarNode):
                    key_end = self.key_end(node, last)
                    return max(key_end, self._colon_after(key_end) + 1)
                node = value
            else:
                alias = self.alias_at(node, last)
                if alias:
                    return alias[1]
                item = node.value[last]
                if isinstance(item, ScalarNode) and item.start_mark.index == item.end_mark.index:
                    return item.end_mark.index
                node = item

    def _block_scalar_end(self, node: ScalarNode) -> int:
        start = node.start_mark.index
        header_end = self.line_end(start)
        header = self.text[start:header_end]
        end = node.end_mark.index
        if "+" in header.split("#")[0]:
            return max(header_end, end - 1 if end > 0 and self.text[end - 1] == "\n" else end)
        pos = end  # back over line breaks and blank lines, but not over spaces that end a line of content
        while pos > header_end:
            if self.text[pos - 1] in "\r\n":
                pos -= 1
            elif self.text[self.line_start(pos) : pos].strip(" \t") == "":
                pos = self.line_start(pos)
            else:
                break
        return max(pos, header_end)

    def _colon_after(self, key_end: int) -> int:
        pos = self.text.find(":", key_end)
        return pos if pos >= 0 else key_end

    def colon_of(self, mapping: MappingNode, i: int) -> int:
        """Offset of the ``:`` after the key of pair ``i``."""
        return self._colon_after(self.key_end(mapping, i))

    def entry_end(self, mapping: MappingNode, i: int) -> int:
        """Where pair ``i`` of a mapping ends: after its value, or after its key when the value is empty."""
        alias = self.alias_at(mapping, 2 * i + 1)
        if alias:
            return alias[1]
        value = mapping.value[i][1]
        if isinstance(value, ScalarNode) and value.start_mark.index == value.end_mark.index:
            return max(self.key_end(mapping, i), value.end_mark.index)
        return self.tight_end(value)

    def dash_of(self, seq: SequenceNode, i: int) -> int:
        """Offset of the dash of item ``i`` of a block sequence."""
        if i == 0:
            return seq.start_mark.index
        pos = self.item_end(seq, i - 1)
        text = self.text
        while pos < len(text):
            ch = text[pos]
            if ch == "-":
                return pos
            if ch == "#":
                pos = self.after_line(pos)
            else:
                pos += 1
        raise EditError("cannot find a sequence item's dash")  # pragma: no cover - libyaml put one there

    # ---- shape -----------------------------------------------------------------------------------------
    def shared(self) -> builtins.set[int]:  # (`set` here is the method below)
        """ids of nodes that more than one place refers to (anchors with aliases)."""
        if self._shared is None:
            self._shared = {id(alias.target) for alias in self.aliases().values()}
        return self._shared

    def refuse_lost_anchor(self, spans: Sequence[tuple[int, int]], tokens: Sequence[str]) -> None:
        """Raise EditError when taking the text of ``spans`` away would leave an alias without its anchor."""
        if not self.aliases():
            return

        def inside(pos: int) -> bool:
            return any(start <= pos < end for start, end in spans)

        lost = [a.target for a in self.aliases().values() if inside(a.target.start_mark.index) and not inside(a.start)]
        if not lost:
            return
        anchored = min(lost, key=lambda node: node.start_mark.index)
        props = self.text[anchored.start_mark.index : self.value_start(anchored)]
        name = re.search(r"&[0-9A-Za-z_-]+", props)  # libyaml's anchor names are made of these
        raise self.error(
            f"this value holds the anchor {name.group(0) if name else ''} that an alias elsewhere refers to; "
            "write the alias out first",
            tokens,
            anchored,
        )

    def locate(self, tokens: Sequence[str], *, for_edit: bool = True, alias_ok: bool = False) -> _Slot:
        """The node at ``tokens``; ``for_edit`` refuses a node shared through aliases, or a path through one,
        except that with ``alias_ok`` the node may be an alias written at that place (to be taken away whole)."""
        if self.root is None:
            raise self.error("the document is empty", tokens)
        node: Node = self.root
        parent: MappingNode | SequenceNode | None = None
        index: int | None = None
        shared = self.shared() if for_edit else set()
        for depth, token in enumerate(tokens):
            if for_edit and id(node) in shared:
                raise self.error(
                    "this node is shared through an anchor and aliases; edit the anchored node's text, "
                    "or write the alias out, first",
                    tokens[:depth],
                    node,
                )
            if isinstance(node, MappingNode):
                found = None
                merged = False
                for i, (key, _) in enumerate(node.value):
                    if is_merge_key(key):
                        merged = True
                        continue
                    if _pointers.is_key(key, token):
                        found = i
                if found is None:
                    if merged:
                        raise self.error("this key comes from a merge key (<<); edit the merged mapping", tokens[: depth + 1], node)
                    raise self.error("no such key", tokens[: depth + 1], node)
                merge = _merged_after(node, found, token) if for_edit else None
                if merge is not None:  # go-yaml v2 applies merges in order: this one overrides the key
                    raise self.error(
                        "this key's value comes from a merge key (<<) written after it; edit the merged mapping",
                        tokens[: depth + 1],
                        merge,
                    )
                parent, index, node = node, found, node.value[found][1]
            elif isinstance(node, SequenceNode):
                if not token.isdigit() or int(token) >= len(node.value):
                    raise self.error("no such item", tokens[: depth + 1], node)
                parent, index, node = node, int(token), node.value[int(token)]
            else:
                raise self.error("a scalar has no members", tokens[: depth + 1], node)
        if for_edit and id(node) in shared and not (alias_ok and parent is not None and self._alias_slot(parent, index)):
            raise self.error(
                "this node is shared through an anchor and aliases; edit the anchored node's text, "
                "or write the alias out, first",
                tokens,
                node,
            )
        return _Slot(node, parent, index, list(tokens))

    def _alias_slot(self, parent: Node, index: int | None) -> bool:
        if index is None:
            return False
        return self.alias_at(parent, 2 * index + 1 if isinstance(parent, MappingNode) else index) is not None

    def error(self, message: str, tokens: Sequence[str], node: Node | None = None, cls: type[EditError] = EditError) -> EditError:
        line = column = None
        snippet = None
        if node is not None:
            line = self.line + node.start_mark.line
            column = node.start_mark.column + 1
            start = self.line_start(node.start_mark.index)
            snippet = self.text[start : self.line_end(node.start_mark.index)]
        return cls(message, source=self.source, document=self.document, line=line, column=column, pointer=_pointer(tokens), snippet=snippet)

    def layout(self, near: Node | None = None) -> Layout:
        """The document's layout, learnt from its block collections."""
        steps: Counter[int] = Counter()
        offsets: Counter[int] = Counter()
        stack = [self.root] if self.root is not None else []
        budget = 400
        while stack and budget:
            node = stack.pop()
            budget -= 1
            if isinstance(node, MappingNode) and not node.flow_style:
                for i, (key, value) in enumerate(node.value):
                    if self.alias_at(node, 2 * i) or self.alias_at(node, 2 * i + 1):
                        continue  # its marks are the anchor's, elsewhere
                    if isinstance(value, MappingNode) and not value.flow_style and value.value:
                        steps[value.value[0][0].start_mark.column - key.start_mark.column] += 1
                        stack.append(value)
                    elif isinstance(value, SequenceNode) and not value.flow_style and value.value:
                        offsets[value.start_mark.column - key.start_mark.column] += 1
                        stack.append(value)
            elif isinstance(node, SequenceNode) and not node.flow_style:
                stack.extend(node.value)
        step = steps.most_common(1)[0][0] if steps else 2
        offset = offsets.most_common(1)[0][0] if offsets else step
        return Layout(step=max(step, 1), seq_offset=max(offset, 0), newline=self.newline_at(0))


def _merged_after(mapping: MappingNode, index: int, token: str) -> Node | None:
    """The first merge key (<<) after pair ``index`` of ``mapping`` (-1: anywhere) that gives the key ``token``
    a value."""
    pairs: list[tuple[Node, Node]] = mapping.value[index + 1 :]
    for key, value in pairs:
        if is_merge_key(key):
            data, _ = build_view(value)
            if any(isinstance(source, dict) and token in source for source in (data if isinstance(data, list) else [data])):
                return key
    return None


def apply_operations(doc: Any, operations: Sequence[Mapping[str, Any]]) -> str:
    """The text of ``doc`` (a Document) after ``operations``; raises EditError and changes nothing on failure."""
    ops = [_check_shape(op, i) for i, op in enumerate(operations)]
    current = _Text(doc.text, doc.source, doc.number, doc.line)
    expected = _unshared(doc._view()[0])  # ours to change; what aliases share in the view is copied to each place
    for op in ops:
        if op["op"] == "test":
            _run_jsonpatch(current, expected, op)
            continue
        moved = None
        if op["op"] in ("move", "copy"):
            moved = copy.deepcopy(_get(current, expected, op["from"]))
        if not _earlier_writings(op):  # writings Kubernetes never reads: the view must stay as it is
            expected = _run_jsonpatch(current, expected, op)
        try:
            _splice(current, op, moved)
        except EditError as exc:
            if exc.source is not None:
                raise
            raise EditError(exc.message, source=doc.source, document=doc.number, line=doc.line, pointer=op["path"]) from None
        except YAMLSyntaxError as exc:  # a splice that breaks the text is a bug here, never the caller's
            raise EditError(
                f"the edit would leave text that is not YAML ({exc.message}); nothing was changed "
                "(please report this with the document)",
                source=doc.source,
                document=doc.number,
                line=doc.line,
                pointer=op["path"],
            ) from None
    root = current.root
    if current.raw is not None:  # the view of the text as written decides
        root = compose(current.raw, source=doc.source, document=doc.number, first_line=doc.line)
    actual, _ = build_view(root)
    if not same_data(actual, expected):
        raise EditError(
            "the edit could not be written in place without changing other data; nothing was changed "
            "(please report this with the document)",
            source=doc.source,
            document=doc.number,
            line=doc.line,
        )
    return current.written()


def _unshared(value: Any) -> Any:
    """A copy of JSON-like data in which no dict or list appears twice (aliases made them one object in the
    view): RFC 6902 changes one place, and a move into a shared value would otherwise make a cycle."""
    if isinstance(value, dict):
        return {key: _unshared(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_unshared(item) for item in value]
    return value


def _check_shape(op: Mapping[str, Any], i: int) -> dict[str, Any]:
    if not isinstance(op, Mapping) or op.get("op") not in _OPS or not isinstance(op.get("path"), str):
        raise EditError(f"operation {i + 1} is not an RFC 6902 operation: {dict(op) if isinstance(op, Mapping) else op!r}")
    if op["op"] in ("add", "replace", "test") and "value" not in op:
        raise EditError(f"operation {i + 1} ({op['op']}) needs a value", pointer=op["path"])
    if op["op"] in ("move", "copy") and not isinstance(op.get("from"), str):
        raise EditError(f"operation {i + 1} ({op['op']}) needs a 'from' pointer", pointer=op["path"])
    for name in ("path", "from"):
        if name in op:
            parse_pointer(op[name])
            if _SURROGATE.search(op[name]):
                raise EditError(f"operation {i + 1}: the pointer holds a lone surrogate, which no YAML text can hold", pointer=op["path"])
    if "writings" in op and op["op"] != "remove":
        raise EditError(f"operation {i + 1} ({op['op']}): \"writings\" goes with remove only", pointer=op["path"])
    if "writings" in op and op["writings"] != "earlier":
        raise EditError(
            f"operation {i + 1} (remove): \"writings\" can only be \"earlier\" (the writings of a repeated key that "
            f"Kubernetes does not read), not {op['writings']!r}",
            pointer=op["path"],
        )
    out = dict(op)
    if "value" in out:
        out["value"] = _as_kubernetes_reads(out["value"], f"operation {i + 1}", op["path"])
    return out


def _earlier_writings(op: Mapping[str, Any]) -> bool:
    """Whether ``op`` removes only the earlier writings of a repeated key (checked by ``_check_shape``)."""
    return op["op"] == "remove" and op.get("writings") == "earlier"


_SURROGATE = re.compile("[\ud800-\udfff]")
_INT_RANGE = (-(1 << 63), 1 << 64)  # what the view reads as an integer (int64, or uint64 when positive)


def _as_kubernetes_reads(value: Any, where: str, pointer: str, depth: int = 0) -> Any:
    """An operation's value as Kubernetes will read it back from the text, or EditError when no text can hold it.

    Keys become strings (JSON's keys, as the view makes them), tuples lists, and an integer beyond int64 and
    uint64 a float64, as Kubernetes' decoders read such a number. A lone surrogate, a type that is not JSON
    data, or nesting deeper than the view's limit cannot be written.
    """
    if depth > MAX_DEPTH:
        raise EditError(f"{where}: the value nests more than {MAX_DEPTH} levels deep", pointer=pointer)
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        if _INT_RANGE[0] <= value < _INT_RANGE[1]:
            return int(value)
        try:
            return float(value)
        except OverflowError:
            raise EditError(f"{where}: an integer of {value.bit_length()} bits is beyond even a float64", pointer=pointer) from None
    if isinstance(value, float):
        return float(value)
    if isinstance(value, str):
        surrogate = _SURROGATE.search(value)
        if surrogate:
            raise EditError(
                f"{where}: the value holds a lone surrogate (U+{ord(surrogate.group()):04X}), which UTF-8 text cannot hold",
                pointer=pointer,
            )
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_as_kubernetes_reads(item, where, pointer, depth + 1) for item in value]
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if not (key is None or isinstance(key, (str, int, float))):
                raise EditError(f"{where}: a key of type {type(key).__name__} cannot be a JSON key", pointer=pointer)
            name = _as_kubernetes_reads(key, where, pointer, depth + 1)
            name = key_name(name)
            if name in out:
                raise EditError(f"{where}: two keys of the value become the same JSON key {name!r}", pointer=pointer)
            out[name] = _as_kubernetes_reads(item, where, pointer, depth + 1)
        return out
    raise EditError(
        f"{where}: a value of type {type(value).__name__} cannot be written as YAML "
        "(use str, int, float, bool, None, lists and dicts)",
        pointer=pointer,
    )


def _get(current: _Text, data: Any, pointer: str) -> Any:
    try:
        return jsonpointer.resolve_pointer(data, pointer)
    except jsonpointer.JsonPointerException:
        raise current.error("no value at this pointer", parse_pointer(pointer)) from None


def _run_jsonpatch(current: _Text, data: Any, op: dict[str, Any]) -> Any:
    """``data`` after ``op``: changed in place, except that an operation on the root ("") returns a new value."""
    try:
        return jsonpatch.apply_patch(data, [op], in_place=True)
    except jsonpatch.JsonPatchTestFailed as exc:
        raise current.error(f"test failed: {exc}", parse_pointer(op["path"]), cls=PatchTestFailed) from None
    except (jsonpatch.JsonPatchException, jsonpointer.JsonPointerException) as exc:
        tokens = parse_pointer(op["path"])
        raise current.error(f"cannot {op['op']}: {exc}", tokens, _nearest(current, tokens)) from None


def _nearest(current: _Text, tokens: Sequence[str]) -> Node | None:
    for depth in range(len(tokens), -1, -1):
        try:
            return current.locate(tokens[:depth], for_edit=False).node
        except IstioPatchError:
            continue
    return None


def _splice(current: _Text, op: dict[str, Any], moved: Any) -> None:
    tokens = parse_pointer(op["path"])
    kind = op["op"]
    if kind == "remove" and _earlier_writings(op):
        _remove_earlier_writings(current, tokens, comment=bool(op.get("comment")))
    elif kind == "remove":
        _remove(current, tokens, comment=bool(op.get("comment")))
    elif kind == "replace":
        _replace(current, tokens, op["value"])
    elif kind == "add":
        _add(current, tokens, op["value"])
    elif kind == "move":
        _remove(current, parse_pointer(op["from"]))
        _add(current, tokens, moved)
    elif kind == "copy":
        _add(current, tokens, moved)


_LONE_BREAK = re.compile("\r(?!\n)|[\x85\u2028\u2029]")
_NEW_LINE = re.compile("(?<!\r)\n")


def _write(current: _Text, start: int, end: int, new: str) -> None:
    current.replace([(start, end, new)])


def _write_value(current: _Text, start: int, end: int, new: str) -> None:
    """Write a value in place of ``text[start:end]``. A value of several lines takes the blanks that ended the
    old value's line with it: they would trail its last line, where a block scalar would read them."""
    if "\n" in new:
        line_end = current.line_end(end)
        rest = current.text[end:line_end]
        if rest.strip(" \t") and current.line_start(start) == current.line_start(end):
            # a comment after a one-line value: it stays on the first line, never inside a block written last
            cut = new.index("\n")
            cut -= 1 if new[cut - 1 : cut] == "\r" else 0
            new = new[:cut] + rest + new[cut:]
        end = line_end  # blanks, or a comment of the old value's last line, which goes with it
    _write(current, start, end, new)


# ---- remove ------------------------------------------------------------------------------------------------


def _remove(current: _Text, tokens: list[str], comment: bool = False) -> None:
    if not tokens:
        raise current.error("removing the whole document is done by the manifest, not inside it", tokens)
    while True:
        slot = current.locate(tokens, alias_ok=True)  # an alias goes as any value does; its anchor stays
        parent = slot.parent
        assert parent is not None and slot.index is not None
        if isinstance(parent, MappingNode):
            writings = [i for i, (k, _) in enumerate(parent.value) if not is_merge_key(k) and mapping_key(k) == tokens[-1]]
            current.refuse_lost_anchor([(current.key_start(parent, i), current.entry_end(parent, i)) for i in writings], tokens)
            merge = _merged_after(parent, -1, tokens[-1])
            if merge is not None:
                raise current.error(
                    "a merge key (<<) gives this key a value too, which removing it here would bring back; "
                    "edit the merged mapping",
                    tokens,
                    merge,
                )
            if len(parent.value) == len(writings):
                _replace_slot(current, current.locate(tokens[:-1]), {})
                return
            _remove_entry(current, parent, writings[-1], comment)
            if len(writings) == 1:
                return
        else:
            current.refuse_lost_anchor([(current.item_start(parent, slot.index), current.item_end(parent, slot.index))], tokens)
            if len(parent.value) == 1:
                _replace_slot(current, current.locate(tokens[:-1]), [])
                return
            _remove_item(current, parent, slot.index, comment)
            return


def _remove_earlier_writings(current: _Text, tokens: list[str], comment: bool = False) -> None:
    """Remove every writing of the mapping key at ``tokens`` but the last, the one Kubernetes reads.

    Each goes as ``remove`` takes an entry away: its key's line to its value's last line (a flow mapping's
    entry with its comma). A key written once is left as it is. The path may go through aliases, and the
    mapping may be one that aliases share: the text changes in one place, and what every alias reads stays
    the same, as the final check makes sure. A writing that holds an anchor an alias uses elsewhere is refused.
    """
    if not tokens:
        raise current.error("only a mapping's key is written more than once; the path names the whole document", tokens)
    while True:
        slot = current.locate(tokens, for_edit=False)
        parent = slot.parent
        if not isinstance(parent, MappingNode):
            raise current.error("only a mapping's key is written more than once; this is a sequence's item", tokens, parent)
        writings = [i for i, (k, _) in enumerate(parent.value) if not is_merge_key(k) and mapping_key(k) == tokens[-1]]
        if len(writings) < 2:
            return
        losing = writings[-2]  # one at a time, each removal parsed again before the next
        current.refuse_lost_anchor([(current.key_start(parent, losing), current.entry_end(parent, losing))], tokens)
        _remove_entry(current, parent, losing, comment)


def _cut_lines(current: _Text, first: int, last_char: int, comment: bool = False) -> None:
    """Remove whole lines from the line of ``first`` to the line of ``last_char``, or comment them out."""
    start = current.line_start(first)
    end = current.after_line(last_char)
    if comment:
        lines = current.text[start:end].split("\n")
        commented = [_comment_line(line) for line in lines]
        _write(current, start, end, "\n".join(commented))
        return
    if end == len(current.text) and not current.text.endswith("\n") and start > 0:
        start -= 2 if current.text[start - 2 : start] == "\r\n" else 1  # keep "no final newline" as it was
    _write(current, start, end, "")


def _comment_line(line: str) -> str:
    body = line.lstrip(" \t")
    if not body.strip() or body.startswith("#"):
        return line
    return line[: len(line) - len(body)] + "# " + body


def _remove_entry(current: _Text, mapping: MappingNode, i: int, comment: bool = False) -> None:
    start = current.key_start(mapping, i)
    end = current.entry_end(mapping, i)
    if mapping.flow_style:
        if i > 0:
            _write(current, current.entry_end(mapping, i - 1), end, "")
        else:
            following_key = mapping.value[1][0]
            alias = current.alias_at(mapping, 2)
            _write(current, start, alias[0] if alias else current.value_start(following_key), "")
        return
    if current.first_on_line(start):
        _cut_lines(current, start, max(end - 1, start), comment)
        return
    if i + 1 == len(mapping.value):  # the last pair, after an explicit key's `?` on its line: its lines go
        _cut_lines(current, start, max(end - 1, start), comment)
        return
    following = current.key_start(mapping, i + 1)
    kept = ""
    if comment:
        # the entry shares its line with a dash: its lines go, and come back as comments above that line
        last_line_end = current.after_line(max(end - 1, start))
        first_line = current.text[start : current.line_end(start)]
        rest = current.text[current.after_line(start) : last_line_end].split("\n")
        newline = current.newline_at(start)
        lines = [" " * current.column(start) + "# " + first_line.rstrip("\r")] + [_comment_line(line.rstrip("\r")) for line in rest if line.strip()]
        kept = newline.join(lines) + newline
    line_start = current.line_start(start)
    _write(current, start, following, "")
    if kept:
        _write(current, line_start, line_start, kept)


def _remove_item(current: _Text, seq: SequenceNode, i: int, comment: bool = False) -> None:
    if seq.flow_style:
        if i > 0:
            _write(current, current.item_end(seq, i - 1), current.item_end(seq, i), "")
        else:
            _write(current, current.item_start(seq, 0), current.item_start(seq, 1), "")
        return
    dash = current.dash_of(seq, i)
    end = current.item_end(seq, i)
    if current.first_on_line(dash):
        _cut_lines(current, dash, max(end - 1, dash), comment)
    else:
        _write(current, dash, current.dash_of(seq, i + 1), "")


# ---- replace -----------------------------------------------------------------------------------------------


def _replace(current: _Text, tokens: list[str], value: Any) -> None:
    slot = current.locate(tokens)
    node = slot.node
    if isinstance(node, ScalarNode) and not isinstance(value, (dict, list)):
        if node.start_mark.index == node.end_mark.index:  # an empty (null) value: write after `key:` or `-`
            pos = node.start_mark.index
            text = json_text(value) if current.json else scalar_text(value, flow=_in_flow(current, slot))
            _write(current, pos, pos, text if current.text[pos - 1 : pos] in (" ", "\t") else " " + text)
            return
        if isinstance(value, str) and _replace_string_in_place(current, slot, value):
            return
        # an anchor stays, and a tag that still fits the new value: `!!str` before a number would not
        tagged = "!" in current.text[node.start_mark.index : current.value_start(node)]
        keep = node.tag in (PLAIN, "tag:yaml.org,2002:str") and (not tagged or isinstance(value, str))
        start = current.value_start(node) if keep else node.start_mark.index
        if start != current.value_start(node):
            current.refuse_lost_anchor([(node.start_mark.index, current.tight_end(node))], tokens)
        _write_value(current, start, current.tight_end(node), _scalar_like(current, slot, value))
        return
    _replace_slot(current, slot, value)


def _in_flow(current: _Text, slot: _Slot) -> bool:
    return isinstance(slot.parent, (MappingNode, SequenceNode)) and bool(slot.parent.flow_style)


def _scalar_like(current: _Text, slot: _Slot, value: Any) -> str:
    """A new scalar in the style of the one it replaces (JSON in a JSON document)."""
    if current.json:
        return json_text(value)
    node = slot.node
    flow = _in_flow(current, slot)
    style = node.style if isinstance(node, ScalarNode) else None
    if isinstance(node, ScalarNode) and isinstance(value, str) and style in ("|", ">"):
        indent = _block_indent(current, node)
        block_end = current.block_can_end(current.tight_end(node))
        block = literal_block(value, indent, current.newline_at(node.start_mark.index), block_end=block_end)
        if block is not None:
            return block
    if isinstance(value, str) and style in ("'", '"'):
        return scalar_text(value, flow=flow, quote=style)
    return scalar_text(value, flow=flow)


def _block_indent(current: _Text, node: ScalarNode) -> int:
    first = current.after_line(node.start_mark.index)
    text = current.text
    while first < node.end_mark.index:
        line_end = current.line_end(first)
        line = text[first:line_end]
        if line.strip():
            return len(line) - len(line.lstrip(" "))
        first = current.after_line(first)
    return current.column(node.start_mark.index) + 2


_WORDS = re.compile(r"(\s+|[\"'\[\](){},=])")


def _replace_string_in_place(current: _Text, slot: _Slot, new: str) -> bool:
    """Change only the words of a string scalar that differ; False when the source text does not allow it.

    The changed words are found in the scalar's source text by counting occurrences, so escapes or line
    folding between them make this give up; the caller then writes the whole scalar anew. Each distinct
    piece is looked for once in the value and once in the source, so that a string holding thousands of
    the same reference costs a pass over it, not a pass per reference.
    """
    node = slot.node
    if not isinstance(node, ScalarNode) or node.tag not in (PLAIN, "tag:yaml.org,2002:str") or not isinstance(scalar_value(node), str):
        return False
    old = node.value
    start, end = current.value_start(node), current.tight_end(node)
    source = current.text[start:end]
    old_words = [w for w in _WORDS.split(old) if w]
    new_words = [w for w in _WORDS.split(new) if w]
    splices: list[tuple[int, int, str]] = []
    offsets = list(accumulate((len(w) for w in old_words), initial=0))
    found: dict[str, tuple[list[int], list[int]]] = {}  # piece -> its occurrences in the value and the source
    for i1, i2, j1, j2 in _changed_words(old_words, new_words):
        if i1 == i2:  # a pure insertion: anchor it on the word before (or after)
            if i1 > 0:
                i1 -= 1
                j1 -= 1
            elif i2 < len(old_words):
                i2 += 1
                j2 += 1
            else:
                return False
        old_piece = "".join(old_words[i1:i2])
        new_piece = "".join(new_words[j1:j2])
        escaped = _escape_for(node.style, new_piece, json=current.json)
        if escaped is None:
            return False
        if old_piece not in found:
            found[old_piece] = (occurrences(old, old_piece), occurrences(source, old_piece))
        in_value, in_source = found[old_piece]
        if len(in_value) != len(in_source):
            return False
        # this is the n-th occurrence in the value (those ending before it), so the n-th in the source
        at = in_source[bisect_right(in_value, offsets[i1] - len(old_piece))]
        splices.append((start + at, start + at + len(old_piece), escaped))
    if not splices:
        return True
    before, raw = current.text, current.raw
    try:
        current.replace(splices)
        check = current.locate(slot.tokens, for_edit=False).node
        if isinstance(check, ScalarNode) and scalar_value(check) == new and check.style == node.style:
            return True
    except IstioPatchError:
        pass
    current.raw = raw
    current.set(before)
    return False


def _spliced(text: str, ordered: Sequence[tuple[int, int, str]]) -> str:
    """``text`` with each ``(start, end, new)`` of ``ordered`` (sorted, not overlapping) put in, in one pass."""
    parts: list[str] = []
    last = 0
    for start, end, new in ordered:
        parts += (text[last:start], new)
        last = end
    parts.append(text[last:])
    return "".join(parts)


def _changed_words(old: list[str], new: list[str]) -> list[tuple[int, int, int, int]]:
    """(i1, i2, j1, j2) spans where the word lists differ, cheaply for the common cases.

    Word-for-word substitutions (what mirroring does, even inside a 30 KB template) are found in one pass;
    anything else is diffed after trimming the common head and tail, so the quadratic matcher only sees
    the part that changed.
    """
    if len(old) == len(new):
        spans: list[tuple[int, int, int, int]] = []
        for i, (a, b) in enumerate(zip(old, new)):
            if a != b:
                if spans and spans[-1][1] == i:
                    spans[-1] = (spans[-1][0], i + 1, spans[-1][2], i + 1)
                else:
                    spans.append((i, i + 1, i, i + 1))
        return spans
    head = 0
    while head < min(len(old), len(new)) and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < min(len(old), len(new)) - head and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    matcher = difflib.SequenceMatcher(None, old[head : len(old) - tail], new[head : len(new) - tail], autojunk=False)
    return [
        (i1 + head, i2 + head, j1 + head, j2 + head)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
        if tag != "equal"
    ]


def _escape_for(style: str | None, piece: str, *, json: bool = False) -> str | None:
    if "\n" in piece or "\r" in piece:
        return None
    if style == '"' and json:
        return json_text(piece)[1:-1]
    if style == '"':
        quoted = double_quoted(piece)
        return quoted[1:-1]
    if style == "'":
        single = single_quoted(piece)
        return None if single is None else single[1:-1]
    return piece


def _replace_slot(current: _Text, slot: _Slot, value: Any) -> None:
    """Write ``value`` where ``slot``'s node is, in block or flow style as its place requires."""
    node, parent = slot.node, slot.parent
    current.refuse_lost_anchor([(node.start_mark.index, current.tight_end(node))], slot.tokens)
    layout = current.layout()
    if parent is None:
        start = current.value_start(node)
        end = current.tight_end(node)
        flow = getattr(node, "flow_style", False) or current.json
        new = current.flow_value(value) if flow else root_text(value, _layout_at(layout, current, start, end))
        _write_value(current, start, end, new)
        return
    if parent.flow_style:
        _write(current, node.start_mark.index, current.tight_end(node), current.flow_value(value))
        return
    if isinstance(node, (MappingNode, SequenceNode)) and node.flow_style and isinstance(value, (dict, list)):
        _write(current, current.value_start(node), current.tight_end(node), current.flow_value(value))  # flow stays flow
        return
    assert slot.index is not None  # a node with a parent has a place in it
    if isinstance(parent, MappingNode):
        colon = current.colon_of(parent, slot.index)
        start = colon + 1
        empty = isinstance(node, ScalarNode) and node.start_mark.index == node.end_mark.index
        end = colon + 1 if empty else current.tight_end(node)
        new = after_key(value, current.column(current.key_start(parent, slot.index)), _layout_at(layout, current, start, end))
        if new.startswith(("\n", "\r\n")):
            start = _end_of_key_line(current, colon, node, empty)
            line_end = current.line_end(colon)
            if start == colon + 1 and end <= line_end and "#" in current.text[end:line_end]:
                # a one-line value gives way to a block: its trailing comment stays on the key's line
                new = current.text[end:line_end] + new
                end = line_end
        _write_value(current, start, max(start, end), new)  # an empty value's block goes after the key's line
        return
    dash = current.dash_of(parent, slot.index)
    empty = isinstance(node, ScalarNode) and node.start_mark.index == node.end_mark.index
    end = dash + 1 if empty else current.tight_end(node)
    final = dataclasses.replace(layout, block_end=current.block_can_end(end))
    new = after_dash(value, current.column(dash), _sibling_layout(current, parent, final))
    _write_value(current, dash + 1, end, new)


def _end_of_key_line(current: _Text, colon: int, node: Node, empty: bool) -> int:
    """Where a new block value goes: after the key's line (keeping a comment there), unless the old value
    started on the key's own line, in which case it is replaced from the colon on."""
    line_end = current.line_end(colon)
    if not empty and current.value_start(node) < line_end:
        return colon + 1
    return line_end


def _layout_at(layout: Layout, current: _Text, start: int, end: int) -> Layout:
    """``layout`` for new text replacing ``text[start:end]``: the line break at ``start``, and whether a block
    scalar can end at ``end``."""
    return dataclasses.replace(_with_newline(layout, current, start), block_end=current.block_can_end(end))


def _with_newline(layout: Layout, current: _Text, pos: int) -> Layout:
    """``layout`` with the line break of the line at ``pos``, and whether a block scalar can end at ``pos``."""
    nl, block_end = current.newline_at(pos), current.block_can_end(pos)
    if nl == layout.newline and block_end == layout.block_end:
        return layout
    return dataclasses.replace(layout, newline=nl, block_end=block_end)


def _sibling_layout(current: _Text, seq: SequenceNode, layout: Layout) -> Layout:
    """The layout of a sequence's own items: lone dashes or not, and the gap after the dash."""
    lone, gap = layout.lone_dash, layout.dash_gap
    for i, item in enumerate(seq.value):
        if isinstance(item, ScalarNode) and item.start_mark.index == item.end_mark.index and not current.alias_at(seq, i):
            continue
        dash = current.dash_of(seq, i)
        start = current.item_value_start(seq, i)
        if current.line_start(start) != current.line_start(dash):
            lone = True
        else:
            lone, gap = False, max(start - dash - 1, 1)
        break
    return Layout(layout.step, layout.seq_offset, current.newline_at(seq.start_mark.index), lone, gap, layout.block_end)


# ---- add ---------------------------------------------------------------------------------------------------


def _add(current: _Text, tokens: list[str], value: Any) -> None:
    if not tokens:
        _replace_slot(current, current.locate([]), value)
        return
    parent_slot = current.locate(tokens[:-1])
    parent = parent_slot.node
    token = tokens[-1]
    if isinstance(parent, MappingNode):
        for key, _ in parent.value:
            if not is_merge_key(key) and mapping_key(key) == token:
                _replace(current, tokens, value)
                return
        _add_entry(current, parent, token, value)
    elif isinstance(parent, SequenceNode):
        index = len(parent.value) if token == "-" else int(token)
        _add_item(current, parent, index, value)
    else:  # pragma: no cover - jsonpatch refuses this first
        raise current.error("cannot add a member to a scalar", tokens, parent)


def _add_entry(current: _Text, mapping: MappingNode, key: str, value: Any) -> None:
    if mapping.flow_style or not mapping.value:
        name = json_text(key) if current.json else key_text(key, flow=True)
        entry = f"{name}: {current.flow_value(value) if current.json else flow_text(value)}"
        if mapping.value:
            last = len(mapping.value) - 1
            pos = current.entry_end(mapping, last)
            _write(current, pos, pos, current.flow_separator(current.key_start(mapping, last)) + entry)
        else:
            brace = current.text.find("{", current.value_start(mapping))
            _write(current, brace + 1, brace + 1, entry)
        return
    column = current.column(current.key_start(mapping, 0))
    last = len(mapping.value) - 1
    pos = current.line_end(max(current.entry_end(mapping, last) - 1, current.key_start(mapping, last)))
    layout = _with_newline(current.layout(), current, pos)
    text = f"{layout.newline}{' ' * column}{key_text(key)}:{after_key(value, column, layout)}"
    _write(current, pos, pos, text)


def _add_item(current: _Text, seq: SequenceNode, index: int, value: Any) -> None:
    if seq.flow_style or not seq.value:
        item = current.flow_value(value)
        if not seq.value:
            bracket = current.text.find("[", current.value_start(seq))
            _write(current, bracket + 1, bracket + 1, item)
        elif index >= len(seq.value):
            last = len(seq.value) - 1
            pos = current.item_end(seq, last)
            _write(current, pos, pos, current.flow_separator(current.item_start(seq, last)) + item)
        else:
            pos = current.item_start(seq, index)
            _write(current, pos, pos, item + current.flow_separator(pos))
        return
    layout = _sibling_layout(current, seq, current.layout())
    column = current.column(seq.start_mark.index)
    if index >= len(seq.value):
        pos = current.line_end(max(current.item_end(seq, len(seq.value) - 1) - 1, seq.start_mark.index))
        body = "-" + after_dash(value, column, dataclasses.replace(layout, block_end=current.block_can_end(pos)))
        _write(current, pos, pos, f"{layout.newline}{' ' * column}{body}")
        return
    body = "-" + after_dash(value, column, layout)
    dash = current.dash_of(seq, index)
    if current.first_on_line(dash):
        start = current.line_start(dash)
        _write(current, start, start, f"{' ' * column}{body}{layout.newline}")
    else:
        _write(current, dash, dash, f"{body}{layout.newline}{' ' * column}")
