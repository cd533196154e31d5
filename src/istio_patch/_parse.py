"""Parsing one document segment into position-carrying nodes with libyaml, the parser Kubernetes' decoder ports.

PyYAML's C binding gives node trees whose marks are character offsets into the segment. Tags are left
unresolved here (plain scalars get the tag ``?``): the Kubernetes view resolves them with Kubernetes'
own rules, and skipping PyYAML's resolver regexes keeps composing cheap.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from itertools import accumulate
from typing import Any, NamedTuple

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ._errors import YAMLSyntaxError

__all__ = ["MappingNode", "Node", "ScalarNode", "SequenceNode", "compose", "Alias", "aliases", "PLAIN", "HAS_LIBYAML"]

PLAIN = "?"
HAS_LIBYAML = bool(getattr(yaml, "__with_libyaml__", False))
# libyaml's parser and composer alone (CSafeLoader adds a constructor and a resolver that are never used here,
# and whose setup and per-node calls are a fifth of composing a short document).
_BaseLoader: Any = yaml.cyaml.CParser if HAS_LIBYAML else yaml.SafeLoader  # type: ignore[attr-defined]  # (not in the stubs)


class _NodeLoader(_BaseLoader):  # type: ignore[misc]
    """libyaml's composer with a resolver that leaves plain scalars unresolved."""

    def resolve(self, kind: type[Node], value: str | None, implicit: tuple[bool, bool]) -> str:
        if kind is ScalarNode:
            return PLAIN if implicit[0] else "tag:yaml.org,2002:str"
        if kind is SequenceNode:
            return "tag:yaml.org,2002:seq"
        return "tag:yaml.org,2002:map"

    if HAS_LIBYAML:  # the composer asks the resolver about each node's path: there are no path resolvers

        def descend_resolver(self, current_node: Node | None, current_index: object) -> None:
            return None

        def ascend_resolver(self) -> None:
            return None


def compose(text: str, *, source: str, document: int, first_line: int) -> Node | None:
    """Compose the one document in ``text`` (a segment); ``None`` when it holds no node.

    Positions in a raised YAMLSyntaxError are made file-relative with ``first_line``, the 1-based line of the file
    where the segment starts; ``document`` is the segment's 1-based number in the stream.
    """
    readable, shift = _readable(text)
    try:
        try:
            root = _compose_with(readable, _single_node)
        except yaml.composer.ComposerError as exc:
            if "duplicate anchor" not in str(exc.context):
                raise
            # PyYAML's composers refuse an anchor defined twice; YAML allows it, and go-yaml (so Kubernetes)
            # lets the later definition win for the aliases after it. Rare, so composed in Python only then.
            root = _compose_with(readable, _compose_redefining)
    except yaml.MarkedYAMLError as exc:
        if shift is not None:
            exc.problem_mark, exc.context_mark = shift.mark(exc.problem_mark), shift.mark(exc.context_mark)
        raise _syntax_error(exc, text, source, document, first_line) from None
    except yaml.YAMLError as exc:  # reader errors without marks: control characters and the like
        raise _syntax_error(exc, text, source, document, first_line) from None
    if shift is not None:
        shift.nodes(root)
    return root


# What JSON allows in a string and libyaml does not read as JSON does: a character beyond U+FFFF escaped as a
# UTF-16 surrogate pair (Python's json.dump writes them; the backslashes before `u` must be odd in number for
# the first to start an escape), and raw DEL, C1 controls (libyaml refuses them), NEL, LS and PS (line breaks
# to libyaml, which folds them into spaces).
_JSON_ONLY = re.compile(r"(\\+)u([dD][89abAB][0-9a-fA-F]{2})\\u([dD][c-fC-F][0-9a-fA-F]{2})|[\x7f-\x9f\u2028\u2029]")


_JSON_START = re.compile(r"[ \t\r\n]*\{")


def _readable(text: str) -> tuple[str, _Shift | None]:
    """``text`` as libyaml can read it, and how to place its marks in ``text`` (None: it is ``text``).

    Kubernetes reads a JSON stream with a JSON decoder. In a document that starts with `{`, what JSON allows
    and libyaml reads otherwise (see ``_JSON_ONLY``) is rewritten as the escape of the same character:
    `\\ud83d\\udd10` as `\\U0001f510`, a raw LS as `\\u2028`. Other documents are read as they are.
    """
    if not _JSON_START.match(text):
        return text, None
    parts: list[str] = []
    length = 0  # of the readable text so far
    ends: list[int] = []  # in the readable text, where each rewritten piece ends
    deltas: list[int] = []  # original length minus readable length, for each
    lines: list[int] = []  # and its 0-based line
    pos = line = 0
    for match in _JSON_ONLY.finditer(text):
        if match.group(1) is not None:
            if len(match.group(1)) % 2 == 0:
                continue  # an escaped backslash, then the letters "u", "d", ...
            high, low = int(match.group(2), 16), int(match.group(3), 16)
            new = match.group(1) + f"U{0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00):08x}"
        else:
            new = f"\\u{ord(match.group()):04x}"
        piece = text[pos : match.start()] + new
        parts.append(piece)
        length += len(piece)
        ends.append(length)
        deltas.append(len(match.group()) - len(new))
        line += text.count("\n", pos, match.start())
        lines.append(line)
        pos = match.end()
    if not parts:
        return text, None
    return "".join(parts) + text[pos:], _Shift(ends, deltas, lines)


class _Shift:
    """Places marks of the readable text in the original one, by the length each rewritten piece changed."""

    def __init__(self, ends: list[int], deltas: list[int], lines: list[int]) -> None:
        self.ends, self.lines = ends, lines
        self.total = list(accumulate(deltas, initial=0))  # total[i]: the change of the first i pieces

    def mark(self, mark: Any) -> Any:
        if mark is None:
            return None
        before = bisect_right(self.ends, mark.index)
        first_on_line = bisect_left(self.lines, mark.line, 0, before)
        index = mark.index + self.total[before]
        column = mark.column + self.total[before] - self.total[first_on_line]
        return yaml.error.Mark(mark.name, index, mark.line, column, None, 0)  # no buffer: no snippet

    def nodes(self, root: Node | None) -> None:
        seen: set[int] = set()
        stack = [root] if root is not None else []
        while stack:
            node = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            node.start_mark, node.end_mark = self.mark(node.start_mark), self.mark(node.end_mark)
            if isinstance(node, SequenceNode):
                stack.extend(node.value)
            elif isinstance(node, MappingNode):
                stack.extend(child for pair in node.value for child in pair)


def _compose_with(text: str, composer: Callable[[Any], Node | None]) -> Node | None:
    loader = _NodeLoader(text)
    try:
        return composer(loader)
    finally:
        loader.dispose()


def _single_node(loader: Any) -> Node | None:
    root: Node | None = loader.get_single_node()
    return root


def _compose_redefining(loader: Any) -> Node | None:
    """``get_single_node`` over libyaml's events, in Python, with an anchor's later definition replacing it.

    Builds the nodes PyYAML's composer builds (same tags, styles and marks), iteratively, so that nesting
    up to libyaml's limit cannot exhaust the Python stack.
    """
    loader.get_event()  # stream start
    if loader.check_event(yaml.StreamEndEvent):
        loader.get_event()
        return None
    document = loader.get_event()
    anchors: dict[str, Node] = {}
    open_nodes: list[Node] = []  # collections whose end event is still to come
    root: Node | None = None
    while True:
        event = loader.get_event()
        if isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            node = open_nodes.pop()
            node.end_mark = event.end_mark
            if isinstance(node, MappingNode):  # children were gathered flat: key, value, key, value ...
                flat = node.value
                node.value = list(zip(flat[0::2], flat[1::2]))
        else:
            node = _node_of(loader, event, anchors)
            if open_nodes:
                open_nodes[-1].value.append(node)
            else:
                root = node
            if isinstance(node, (SequenceNode, MappingNode)) and not isinstance(event, yaml.AliasEvent):
                open_nodes.append(node)
                continue
        if not open_nodes:
            break
    loader.get_event()  # document end
    if not loader.check_event(yaml.StreamEndEvent):
        event = loader.get_event()
        raise yaml.composer.ComposerError(
            "expected a single document in the stream", document.start_mark, "but found another document", event.start_mark
        )
    loader.get_event()
    return root


def _node_of(loader: Any, event: Any, anchors: dict[str, Node]) -> Node:
    """The node an event starts (a collection still empty), registering its anchor first, as PyYAML does."""
    # libyaml's marks (yaml._yaml.Mark) stand in for PyYAML's, as in PyYAML's own composer
    start: Any = event.start_mark
    end: Any = event.end_mark
    if isinstance(event, yaml.AliasEvent):
        if event.anchor not in anchors:
            raise yaml.composer.ComposerError(None, None, "found undefined alias", start)
        return anchors[event.anchor]
    tag = event.tag
    node: Node
    if isinstance(event, yaml.ScalarEvent):
        if tag is None or tag == "!":
            tag = loader.resolve(ScalarNode, event.value, event.implicit)
        node = ScalarNode(tag, event.value, start, end, style=event.style)
    elif isinstance(event, yaml.SequenceStartEvent):
        if tag is None or tag == "!":
            tag = loader.resolve(SequenceNode, None, event.implicit)
        node = SequenceNode(tag, [], start, None, flow_style=event.flow_style)
    else:
        if tag is None or tag == "!":
            tag = loader.resolve(MappingNode, None, event.implicit)
        node = MappingNode(tag, [], start, None, flow_style=event.flow_style)
    if event.anchor is not None:
        anchors[event.anchor] = node
    return node


class Alias(NamedTuple):
    """One alias as written: ``text[start:end]`` is ``*name``, at ``slot`` of ``parent``, standing for ``target``."""

    parent: Node
    slot: int
    target: Node
    start: int
    end: int


def aliases(text: str, root: Node | None) -> list[Alias]:
    """Every alias of the document, in order, with the offsets where it is written in ``text``.

    libyaml's composer makes an alias the anchored node itself, so that node's marks point at the anchor;
    the places where aliases are written are known only to the event stream. ``slot`` is an item's index
    in a sequence, ``2 * i`` for the key and ``2 * i + 1`` for the value of pair ``i`` in a mapping. A walk in
    document order meets an anchored node first where it is defined (aliases follow their anchor), so the
    n-th node met again is the n-th alias event. Without aliases there is no second parse.
    """
    if root is None:
        return []
    places: list[tuple[Node, int, Node]] = []
    seen: set[int] = set()
    stack: list[tuple[Node, int, Node]] = [(root, 0, root)]
    while stack:
        parent, slot, node = stack.pop()
        if id(node) in seen:
            places.append((parent, slot, node))
            continue
        seen.add(id(node))
        if isinstance(node, SequenceNode):
            stack.extend((node, i, item) for i, item in reversed(list(enumerate(node.value))))
        elif isinstance(node, MappingNode):
            for i in range(len(node.value) - 1, -1, -1):
                key, value = node.value[i]
                stack.append((node, 2 * i + 1, value))
                stack.append((node, 2 * i, key))
    if not places:
        return []
    readable, shift = _readable(text)
    loader = _NodeLoader(readable)
    spans: list[tuple[int, int]] = []
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, yaml.AliasEvent):
                start: Any = event.start_mark
                end: Any = event.end_mark
                if shift is not None:
                    start, end = shift.mark(start), shift.mark(end)
                spans.append((start.index, end.index))
    finally:
        loader.dispose()
    return [Alias(parent, slot, target, start, end) for (parent, slot, target), (start, end) in zip(places, spans)]


def _syntax_error(exc: yaml.YAMLError, text: str, source: str, document: int, first_line: int) -> YAMLSyntaxError:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    context_mark = getattr(exc, "context_mark", None)
    if context and "composing" not in context and "document" not in context:
        if context_mark is not None and mark is not None and context_mark.index != mark.index:
            # say where the unfinished construct began: an unclosed quote is reported at the end of the text
            context = f"{context} that starts at line {first_line + context_mark.line}, column {context_mark.column + 1}"
        message = f"{problem} ({context})"
    else:
        message = str(problem)
    if mark is not None and "cannot start any token" in str(problem) and text[mark.index : mark.index + 1] == "\t":
        message = "a tab character cannot indent YAML or start a value; use spaces"
    if problem and "document" in problem and "single document" in str(context or ""):
        message = "a second document starts here without a '---' line of its own"
    if mark is None:
        position = getattr(exc, "position", None)
        if position is not None:
            line = text.count("\n", 0, position)
            column = position - (text.rfind("\n", 0, position) + 1)
            return YAMLSyntaxError(
                _reader_message(exc),
                source=source,
                document=document,
                line=first_line + line,
                column=column + 1,
                snippet=_line_at(text, line),
            )
        return YAMLSyntaxError(message, source=source, document=document, line=first_line)
    return YAMLSyntaxError(
        message,
        source=source,
        document=document,
        line=first_line + mark.line,
        column=mark.column + 1,
        snippet=_line_at(text, mark.line),
    )


def _reader_message(exc: yaml.YAMLError) -> str:
    character = getattr(exc, "character", None)
    if isinstance(character, str):
        return f"the character U+{ord(character):04X} is not allowed in YAML"
    if isinstance(character, int):
        return f"the character U+{character:04X} is not allowed in YAML"
    return str(getattr(exc, "reason", exc))


def _line_at(text: str, line0: int) -> str | None:
    lines = text.split("\n")
    if 0 <= line0 < len(lines):
        return lines[line0].rstrip("\r")
    return None
