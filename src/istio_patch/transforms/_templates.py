"""Go template text inside a string (the sidecar injector's Pod template): the images it builds from values.

Istio's sidecar injector keeps a Pod template in its ConfigMap and renders it for every injected Pod. Since
1.1 the template names no image literally; it builds them from the values kept beside it in the same
ConfigMap (``data.values``, JSON)::

    image: "{{ .Values.global.hub }}/{{ .Values.global.proxy_init.image }}:{{ .Values.global.tag }}"

:func:`template_images` reads such text the way ``text/template`` runs it, as far as the manifest can tell:

- Actions are ``{{ }}`` (or ``[[ ]]``, Istio 1.0's delimiters, when the text holds no ``{{``), with their
  trim markers (``{{-`` and ``-}}`` take the white space beside them away, line breaks included).
- ``.Values.a.b`` reads the values; ``$`` is the root; ``with`` moves the dot. Anything else the template reads
  (``.ObjectMeta``, ``.Spec``, ``.ProxyConfig``: the Pod being injected) is known only when a Pod is injected.
- Conditions (``if``, ``else if``, ``with``) are evaluated where their inputs are known: ``not``, ``and``,
  ``or``, ``eq``, ``ne``, ``contains``, ``hasPrefix``, ``hasSuffix`` and truth. A branch the values rule out
  is dead: what it would write is not an image (``{{ if contains "/" .Values.global.proxy_init.image }}``
  picks one of two spellings). Where a condition depends on the Pod, each branch may be taken.
- Values are written with ``default``, ``valueOrDefault``, ``index``, ``print``, ``printf`` (``%s``, ``%v``,
  ``%d``), ``lower``/``upper``; ``annotation .ObjectMeta KEY DEFAULT`` writes DEFAULT (a Pod may name its own
  image in that annotation: that image is the Pod's choice, not the manifest's).

An image is a word of the rendered text, on a line of its branch, that holds an action: the value of an
``image:`` key, or a word that reads as a reference with a registry and a tag or digest (the rule for free
text). Words that hold no action are literal text, found as before by the free-text scan. Each image is
either resolved (its reference) or not (the reason: a value the manifest does not hold, a Pod field, a
function not evaluated here, a result that is no image reference).

Example:
    >>> text = 'image: "{{ .Values.hub }}/proxy:{{ .Values.tag }}"\\n'
    >>> [str(i.reference) for i in template_images(text, Known({"hub": "docker.io/istio", "tag": "1.2.3"}, ()))]
    ['docker.io/istio/proxy:1.2.3']
    >>> [i.problem for i in template_images(text, Known({"hub": "docker.io/istio"}, ()))]
    ['the values have no tag']
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from ._reference import Reference, find_image_references

__all__ = ["Known", "Unknown", "Value", "Piece", "TemplateImage", "delimiters", "template_images", "read_values"]


@dataclass(frozen=True)
class Known:
    """A value the manifest determines; ``path`` is where in ``.Values`` it was read, when it is such a value."""

    value: Any
    path: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Unknown:
    """A value known only when the template is rendered, and why.

    ``missing`` marks a key the values do not have: Go reads it as false in a condition (and writes
    ``<no value>``, no image, where it is written).
    """

    why: str
    missing: bool = False


Value = Known | Unknown

_ROOT = Known(None, ("<root>",))  # the template's dot at the top: .Values and the Pod's fields
_WHITE = " \t\r\n"
_MAX_ALTERNATIVES = 64  # ways one output line may be written; past it the line is reported, not followed


@dataclass(frozen=True)
class Piece:
    """A part of an image word: literal text, or an action and what it writes.

    Attributes:
        start: offset in the template text where the piece is written.
        end: offset where it ends (an action's closing delimiter included).
        written: the piece as written (an action with its delimiters).
        value: what it writes, Known (a string) or Unknown; of an action the word holds in part, that part.
        action: True for an action, False for literal text.
        whole: False when the word holds only part of what the piece writes.
    """

    start: int
    end: int
    written: str
    value: Value
    action: bool
    whole: bool = True


@dataclass(frozen=True)
class TemplateImage:
    """An image a template writes from actions: resolved (``reference``) or not (``problem``).

    ``keyed`` is True for the value of an ``image:`` key, where a name without registry is a Docker Hub image.
    """

    pieces: tuple[Piece, ...]
    reference: Reference | None
    keyed: bool
    problem: str | None = None

    @property
    def written(self) -> str:
        """The word as the template writes it (literal text and actions)."""
        return "".join(piece.written for piece in self.pieces)

    @property
    def anchor(self) -> Piece:
        """The word's first action, whose place is the image's place."""
        return next(piece for piece in self.pieces if piece.action)

    @property
    def start(self) -> int:
        return self.pieces[0].start

    @property
    def end(self) -> int:
        return self.pieces[-1].end

    @property
    def lead(self) -> tuple[tuple[str, ...], str] | None:
        """(values path, value) when the word starts with a whole value read from ``.Values`` (a hub), else None."""
        first = self.pieces[0]
        if first.action and first.whole and isinstance(first.value, Known) and first.value.path is not None:
            return first.value.path, first.value.value
        return None

    def text_with(self, values: Value) -> str | None:
        """The word with each piece read from ``values`` again where it was read from the values; None if one
        is no longer there (or is no longer a string)."""
        out = []
        for piece in self.pieces:
            value = piece.value
            if piece.action and isinstance(value, Known) and value.path is not None and piece.whole:
                found = _lookup(values, value.path)
                written = _written(found)
                if not isinstance(written, Known):
                    return None
                out.append(written.value)
            elif isinstance(value, Known):
                out.append(value.value)
            else:
                return None
        return "".join(out)


def delimiters(text: str) -> tuple[str, str] | None:
    """The action delimiters of ``text``: ``{{ }}``, else Istio 1.0's ``[[ ]]``; None when it holds neither pair."""
    if "{{" in text and "}}" in text:
        return "{{", "}}"
    if "[[" in text and "]]" in text:
        return "[[", "]]"
    return None


def read_values(text: str) -> Value:
    """The values a ConfigMap keeps as text: JSON (what the charts write) or, failing that, YAML."""
    import json

    try:
        data = json.loads(text)
    except ValueError:
        from .._errors import IstioPatchError
        from .._manifest import load

        try:
            documents = load(text, source="values").documents
            data = documents[0].data if documents else None
        except IstioPatchError as exc:
            return Unknown(f"its values are neither JSON nor YAML: {exc.message}")
    if not isinstance(data, dict):
        return Unknown("its values are not a mapping")
    return Known(data, ())


def template_images(text: str, values: Value) -> list[TemplateImage]:
    """The images ``text`` (Go template text) writes from actions, in order, reading ``.Values`` from ``values``."""
    pair = delimiters(text)
    if pair is None:
        return []
    nodes = _Parser(_lex(text, *pair)).all()
    walker = _Walker(text, values)
    walker.flush(walker.walk(nodes, [()], _ROOT))
    found: dict[tuple[Any, ...], TemplateImage] = {}
    for line in walker.lines:
        for image in _images_on(text, line):
            found.setdefault((image.anchor.start, image.written, image.reference, image.problem), image)
    if walker.overflow is not None:
        start, written = walker.overflow
        piece = Piece(start, start + len(written), written, Unknown(""), True)
        found.setdefault(("overflow",), TemplateImage((piece,), None, True, f"more than {_MAX_ALTERNATIVES} ways to write one line; images on it are not followed"))
    return sorted(found.values(), key=lambda image: image.anchor.start)


# ---- lexing and parsing -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Token:
    start: int
    end: int
    action: bool
    body: str = ""  # an action's text between its delimiters and trim markers
    trim_left: bool = False
    trim_right: bool = False


def _lex(text: str, left: str, right: str) -> list[_Token]:
    """Text and actions, with trim markers applied to the text beside them."""
    tokens: list[_Token] = []
    pos = 0
    while True:
        at = text.find(left, pos)
        close = _closing(text, at + len(left), right) if at >= 0 else -1
        if close < 0:
            tokens.append(_Token(pos, len(text), False))
            break
        inner = at + len(left)
        trim_left = text.startswith("-", inner) and inner + 1 < len(text) and text[inner + 1] in _WHITE
        trim_right = close >= inner + 2 and text[close - 1] == "-" and text[close - 2] in _WHITE
        body = text[inner + (1 if trim_left else 0) : close - (1 if trim_right else 0)].strip()
        tokens.append(_Token(pos, at, False))
        tokens.append(_Token(at, close + len(right), True, body, trim_left, trim_right))
        pos = close + len(right)
    out: list[_Token] = []
    for i, token in enumerate(tokens):
        if token.action:
            out.append(token)
            continue
        start, end = token.start, token.end
        if i > 0 and tokens[i - 1].trim_right:
            while start < end and text[start] in _WHITE:
                start += 1
        if i + 1 < len(tokens) and tokens[i + 1].trim_left:
            while end > start and text[end - 1] in _WHITE:
                end -= 1
        if start < end:
            out.append(_Token(start, end, False))
    return out


_QUOTE = re.compile("[\"'`]")


def _closing(text: str, pos: int, right: str) -> int:
    """Where the action opened before ``pos`` closes, quoted strings skipped; -1 when it does not."""
    close = text.find(right, pos)
    if close < 0 or _QUOTE.search(text, pos, close) is None:
        return close  # most actions quote nothing
    i = pos
    while i < len(text):
        char = text[i]
        if text.startswith(right, i):
            return i
        if char in "\"'":
            i += 1
            while i < len(text) and text[i] != char and text[i] != "\n":
                i += 2 if text[i] == "\\" else 1
        elif char == "`":
            end = text.find("`", i + 1)
            if end < 0:
                return -1
            i = end
        i += 1
    return -1


_KEYWORD = re.compile(r"([A-Za-z_]\w*)\b\s*(.*)\Z", re.DOTALL)
_DECLARATION = re.compile(r"\$\w*\s*:?=")
_KEYWORDS = frozenset({"if", "else", "end", "range", "with", "define", "block", "template", "break", "continue"})

# Nodes: ("text", start, end) | ("out", token, fixed value or None) | ("if", [(condition or None, nodes)], token)
#        | ("with" or "range", expression, nodes, else-nodes, token) | ("block", expression, nodes)
# (an "if" or "with" chained after an "else" has no token of its own)
Node = tuple[Any, ...]


def _keyword(body: str) -> tuple[str, str]:
    if body.startswith("/*"):
        return "comment", ""
    if _DECLARATION.match(body):
        return "declaration", body
    match = _KEYWORD.match(body)
    if match and match.group(1) in _KEYWORDS:
        return match.group(1), match.group(2)
    return "", body


class _Parser:
    """The tree of a token list; a stray ``end`` or ``else`` is ignored and an unclosed block ends with the text."""

    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.i = 0

    def all(self) -> list[Node]:
        nodes: list[Node] = []
        while self.i < len(self.tokens):
            found, _, _ = self._nodes()
            nodes.extend(found)
        return nodes

    def _nodes(self) -> tuple[list[Node], str | None, str]:
        """Nodes up to an ``else`` or ``end`` of the enclosing block: (nodes, that keyword, the rest after it)."""
        out: list[Node] = []
        while self.i < len(self.tokens):
            token = self.tokens[self.i]
            self.i += 1
            if not token.action:
                out.append(("text", token.start, token.end))
                continue
            word, rest = _keyword(token.body)
            if word in ("end", "else"):
                return out, word, rest
            if word == "if":
                out.append(self._if(rest) + (token,))
            elif word in ("with", "range"):
                out.append(self._loop(word, rest) + (token,))
            elif word == "define":
                self._block_body()  # a definition writes nothing where it stands
            elif word == "block":
                expression = rest.split(None, 1)[1] if len(rest.split(None, 1)) > 1 else "."
                out.append(("block", expression, self._block_body()))
            elif word == "template":
                out.append(("out", token, Unknown(f"the template it calls ({rest.split(None, 1)[0] if rest else '?'}) is not followed")))
            elif word == "":
                out.append(("out", token, None))
            # comments, declarations, break and continue write nothing
        return out, None, ""

    def _block_body(self) -> list[Node]:
        nodes, word, _ = self._nodes()
        while word == "else":  # an else in a define or block is malformed: read on to its end
            more, word, _ = self._nodes()
            nodes += more
        return nodes

    def _if(self, condition: str) -> Node:
        branches: list[tuple[str | None, list[Node]]] = []
        current: str | None = condition
        while True:
            nodes, word, rest = self._nodes()
            branches.append((current, nodes))
            if word != "else" or current is None:
                return ("if", branches)
            follow, rest = _keyword(rest)
            current = rest if follow in ("if", "with") else None


    def _loop(self, word: str, expression: str) -> Node:
        nodes, stop, rest = self._nodes()
        otherwise: list[Node] = []
        if stop == "else":
            follow, rest = _keyword(rest)
            if follow == "if":
                otherwise = [self._if(rest) + (None,)]
            elif follow == "with":
                otherwise = [self._loop("with", rest) + (None,)]
            else:
                otherwise = self._block_body()
        return (word, expression, nodes, otherwise)


# ---- running it ---------------------------------------------------------------------------------------------

Segment = tuple[Any, ...]  # ("t", start, end) or ("a", token, written value)
Line = tuple[Segment, ...]


class _Walker:
    """Runs the tree over every branch that may be taken, collecting each output line that holds an action.

    A line is followed as the set of ways it may be written so far: a condition the manifest decides keeps
    one branch; one it does not splits the line in two.
    """

    def __init__(self, text: str, values: Value) -> None:
        self.text = text
        self.values = values
        self.lines: dict[Line, None] = {}
        self.overflow: tuple[int, str] | None = None

    def flush(self, alternatives: list[Line]) -> None:
        for line in alternatives:
            self._emit(line)

    def _emit(self, line: Line) -> None:
        if any(segment[0] == "a" for segment in line):
            self.lines[line] = None

    def walk(self, nodes: Sequence[Node], alternatives: list[Line], dot: Value) -> list[Line]:
        for node in nodes:
            kind = node[0]
            if kind == "text":
                alternatives = self._text(node[1], node[2], alternatives)
            elif kind == "out":
                token, fixed = node[1], node[2]
                value = fixed if fixed is not None else _written(self.evaluate(token.body, dot, condition=False))
                alternatives = [line + (("a", token, value),) for line in alternatives]
            elif kind == "if":
                alternatives = self._union(self._if(node[1], alternatives, dot), node[-1])
            elif kind in ("with", "range"):
                alternatives = self._union(self._loop(kind, node[1], node[2], node[3], alternatives, dot), node[-1])
            elif kind == "block":
                alternatives = self.walk(node[2], alternatives, self.evaluate(node[1], dot, condition=False))
        return alternatives

    def _text(self, start: int, end: int, alternatives: list[Line]) -> list[Line]:
        newline = self.text.find("\n", start, end)
        if newline < 0:
            return [line + (("t", start, end),) for line in alternatives]
        for line in alternatives:
            self._emit(line + (("t", start, newline),))
        last = self.text.rfind("\n", start, end)
        return [(("t", last + 1, end),)]  # the lines between hold no action

    def _if(self, branches: list[tuple[str | None, list[Node]]], alternatives: list[Line], dot: Value) -> list[Line]:
        out: list[Line] = []
        for condition, nodes in branches:
            taken = True if condition is None else _truth(self.evaluate(condition, dot, condition=True))
            if taken is False:
                continue
            out += self.walk(nodes, alternatives, dot)
            if taken:
                break
        else:
            out += alternatives  # no branch is surely taken: the text may go on as if none were
        return out

    def _loop(self, kind: str, expression: str, nodes: list[Node], otherwise: list[Node], alternatives: list[Line], dot: Value) -> list[Line]:
        value = self.evaluate(expression, dot, condition=False)
        taken = _truth(value)
        inner: Value = value if kind == "with" else Unknown(f"it reads an item of {{{{ range {expression} }}}}")
        out: list[Line] = []
        if taken is not False:
            out += self.walk(nodes, alternatives, inner)
        if taken is not True:
            out += self.walk(otherwise, alternatives, dot)
        return out

    def _union(self, alternatives: list[Line], token: _Token | None) -> list[Line]:
        """The ways a line may be written, once each; past the bound, the first ones, and the block is reported."""
        unique = list(dict.fromkeys(alternatives))
        if len(unique) > _MAX_ALTERNATIVES:
            if self.overflow is None and token is not None:
                self.overflow = (token.start, self.text[token.start : token.end])
            unique = unique[:_MAX_ALTERNATIVES]
        return unique

    # ---- expressions ----

    def evaluate(self, body: str, dot: Value, *, condition: bool) -> Value:
        try:
            tokens = _tokens(body)
        except ValueError:
            return Unknown(f"{body!r} is not read here")
        if len(tokens) >= 2 and tokens[0][0] == "var" and tokens[1] in (("op", ":="), ("op", "=")):
            tokens = tokens[2:]  # a declaration inside a condition: the value is what follows
        parser = _ExpressionParser(tokens)
        try:
            pipeline = parser.pipeline()
        except ValueError:
            return Unknown(f"{body!r} is not read here")
        return self._pipeline(pipeline, dot, condition)

    def _pipeline(self, pipeline: list[list[Any]], dot: Value, condition: bool) -> Value:
        value: Value | None = None
        for command in pipeline:
            value = self._command(command, dot, condition, value)
        return value if value is not None else Unknown("an empty action")

    def _command(self, command: list[Any], dot: Value, condition: bool, piped: Value | None) -> Value:
        head = command[0]
        if head[0] == "ident" and head[1] not in ("true", "false", "nil"):
            args = [self._operand(op, dot, condition) for op in command[1:]]
            if piped is not None:
                args.append(piped)
            return _call(head[1], args, condition)
        if len(command) == 1 and piped is None:
            return self._operand(head, dot, condition)
        return Unknown("a method call is not evaluated here")

    def _operand(self, operand: tuple[Any, ...], dot: Value, condition: bool) -> Value:
        kind = operand[0]
        if kind == "lit":
            return Known(operand[1])
        if kind == "ident":
            return Known({"true": True, "false": False, "nil": None}[operand[1]])
        if kind == "field":
            return _fields(dot, operand[1], self.values)
        if kind == "var":
            name, chain = operand[1], operand[2]
            if name != "$":
                return Unknown(f"{name} is a variable of the template")
            return _fields(_ROOT, chain, self.values)
        if kind == "sub":
            return _fields(self._pipeline(operand[1], dot, condition), operand[2], self.values)
        return Unknown("not read here")


_EXPRESSION = re.compile(
    r"""(?P<ws>\s+)
    |(?P<str>"(?:[^"\\\n]|\\.)*")
    |(?P<raw>`[^`]*`)
    |(?P<char>'(?:[^'\\\n]|\\.)+')
    |(?P<op>:=|=|\(|\)|\||,)
    |(?P<num>[-+]?(?:0[xX][0-9a-fA-F_]+|[0-9][0-9_]*(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?))
    |(?P<var>\$\w*(?:\.\w+)*)
    |(?P<field>(?:\.\w+)+|\.)
    |(?P<ident>[A-Za-z_]\w*)""",
    re.VERBOSE,
)
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "'": "'", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}


def _tokens(body: str) -> list[tuple[Any, ...]]:
    out: list[tuple[Any, ...]] = []
    pos = 0
    while pos < len(body):
        match = _EXPRESSION.match(body, pos)
        if match is None:
            raise ValueError(body)
        kind = match.lastgroup
        word = match.group()
        pos = match.end()
        if kind == "ws":
            continue
        if kind == "str":
            out.append(("lit", re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), word[1:-1])))
        elif kind == "raw":
            out.append(("lit", word[1:-1]))
        elif kind == "num":
            out.append(("lit", _number(word)))
        elif kind == "char":
            out.append(("lit", ord(word[1]) if len(word) == 3 else 0))
        elif kind == "var":
            name, _, chain = word.partition(".")
            out.append(("var", name, tuple(chain.split(".")) if chain else ()))
        elif kind == "field":
            out.append(("field", tuple(word.split(".")[1:]) if word != "." else ()))
        else:
            out.append((kind, word) if kind != "op" else ("op", word))
    return out


def _number(word: str) -> int | float:
    clean = word.replace("_", "")
    try:
        return int(clean, 0)
    except ValueError:
        return float(clean)


class _ExpressionParser:
    """pipeline := command ("|" command)*; command := operand+; operand := literal | field | variable | ident | "(" pipeline ")" field*"""

    def __init__(self, tokens: list[tuple[Any, ...]]) -> None:
        self.tokens = tokens
        self.i = 0

    def pipeline(self) -> list[list[Any]]:
        commands = [self._command()]
        while self.i < len(self.tokens) and self.tokens[self.i] == ("op", "|"):
            self.i += 1
            commands.append(self._command())
        return commands

    def _command(self) -> list[Any]:
        operands: list[Any] = []
        while self.i < len(self.tokens) and self.tokens[self.i] not in (("op", "|"), ("op", ")")):
            token = self.tokens[self.i]
            self.i += 1
            if token == ("op", "("):
                inner = self.pipeline()
                if self.i >= len(self.tokens) or self.tokens[self.i] != ("op", ")"):
                    raise ValueError("unclosed parenthesis")
                self.i += 1
                chain: tuple[str, ...] = ()
                while self.i < len(self.tokens) and self.tokens[self.i][0] == "field" and self.tokens[self.i][1]:
                    chain += self.tokens[self.i][1]
                    self.i += 1
                operands.append(("sub", inner, chain))
            elif token[0] == "op":
                raise ValueError(f"unexpected {token[1]}")
            else:
                operands.append(token)
        if not operands:
            raise ValueError("empty command")
        return operands


def _fields(base: Value, chain: Sequence[str], values: Value) -> Value:
    """``base`` followed by the field names of ``chain``; at the root, ``.Values`` reads ``values``."""
    if not chain:
        return base
    if base is _ROOT:
        if chain[0] != "Values":
            return Unknown(f".{chain[0]} is known only when a Pod is injected, not from the manifest")
        if isinstance(values, Unknown):
            return values
        return _lookup(values, tuple(chain[1:]))
    if isinstance(base, Unknown):
        return Unknown(base.why)  # a field of what is not there: no longer read as false
    return _lookup(base, tuple(chain))


def _lookup(base: Value, path: tuple[str, ...]) -> Value:
    if isinstance(base, Unknown):
        return base
    value, where = base.value, base.path
    for i, name in enumerate(path):
        here = where + (name,) if where is not None else None
        if not isinstance(value, dict):
            return Unknown(f"{_dotted(where)} is not a mapping" if where else "a value that is not a mapping")
        if name not in value:
            # the last key: Go reads it as nothing; one before it: Go stops with an error
            return Unknown(f"the values have no {_dotted(here)}" if here is not None else f"no {name}", missing=i == len(path) - 1)
        value, where = value[name], here
    return Known(value, where)


def _dotted(path: tuple[str, ...] | None) -> str:
    return ".".join(path or ())


def _truth(value: Value) -> bool | None:
    """Go's truth of a value: false, 0, nil and empty strings, lists and mappings are false; None when unknown."""
    if isinstance(value, Unknown):
        return False if value.missing else None
    v = value.value
    return not (v is None or v is False or (isinstance(v, (int, float)) and not isinstance(v, bool) and v == 0) or (isinstance(v, (str, list, dict)) and not v))


def _written(value: Value) -> Value:
    """What an action writes: a Known string (keeping the values path), or Unknown."""
    if isinstance(value, Unknown):
        return value
    v = value.value
    where = f"{_dotted(value.path)} " if value.path else ""
    if isinstance(v, str):
        return value
    if isinstance(v, bool):
        return Known("true" if v else "false", value.path)
    if isinstance(v, (int, float)):
        return Known(_go_number(v), value.path)
    if v is None:
        return Unknown(f"{where}is null".strip() if where else "it writes a null value")
    return Unknown(f"{where}is a {'mapping' if isinstance(v, dict) else 'list'}, not a string".strip())


def _go_number(v: int | float) -> str:
    """A number as Go's %v writes it (values are float64 in Go, so 5 and 5.0 both write "5")."""
    if isinstance(v, int):
        return str(v)
    if v.is_integer() and abs(v) < 1e21:
        return str(int(v))
    text = repr(v)
    if "e" in text:
        mantissa, exponent = text.split("e")
        sign = "-" if exponent.startswith("-") else "+"
        text = f"{mantissa}e{sign}{exponent.lstrip('+-').zfill(2)}"
    return text


def _comparable(a: Value, b: Value) -> bool:
    return isinstance(a, Known) and isinstance(b, Known) and (
        (isinstance(a.value, str) and isinstance(b.value, str)) or (isinstance(a.value, bool) and isinstance(b.value, bool)) or (a.value is None and b.value is None)
    )


def _call(name: str, args: list[Value], condition: bool) -> Value:
    """A function of text/template, Sprig or Istio's injector, where its arguments decide it."""
    unknown = next((a for a in args if isinstance(a, Unknown)), None)
    if name == "not" and len(args) == 1:
        truth = _truth(args[0])
        return Known(not truth) if truth is not None else args[0]
    if name in ("and", "or") and args:
        decisive = name == "or"  # the truth that ends the evaluation
        for arg in args:
            truth = _truth(arg)
            if truth is decisive:
                return arg if unknown is None else Known(decisive)
        return args[-1] if unknown is None else unknown
    if name == "annotation" and len(args) == 3:
        # annotation .ObjectMeta KEY DEFAULT: the Pod's annotation if it has one, else DEFAULT
        return Unknown("it depends on an annotation of the injected Pod") if condition else args[2]
    if name == "isset":
        return Unknown("it depends on the injected Pod")
    if name == "index" and args:
        base = args[0]
        if isinstance(base, Unknown):
            return base
        for key in args[1:]:
            if isinstance(key, Unknown):
                return key
            if isinstance(base.value, dict) and isinstance(key.value, str):
                base = _lookup(base, (key.value,)) if base.path is not None else (Known(base.value[key.value]) if key.value in base.value else Unknown(f"no {key.value}"))
            elif isinstance(base.value, list) and isinstance(key.value, int) and 0 <= key.value < len(base.value):
                base = Known(base.value[key.value])
            else:
                return Unknown("an index that is not there")
            if isinstance(base, Unknown):
                return base
        return base
    if name == "default" and len(args) == 2:  # Sprig: default DEFAULT GIVEN
        truth = _truth(args[1])
        return args[1] if truth else (args[0] if truth is False else args[1])
    if name == "valueOrDefault" and len(args) == 2:  # Istio: valueOrDefault VALUE DEFAULT
        given = args[0]
        if isinstance(given, Unknown) and not given.missing:
            return given
        return args[1] if isinstance(given, Unknown) or given.value is None or given.value == "" else given
    if unknown is not None:
        return unknown
    values = [a.value for a in args if isinstance(a, Known)]
    if name in ("eq", "ne") and len(args) >= 2:
        if not all(_comparable(args[0], other) for other in args[1:]):
            return Unknown(f"{name} of values of different kinds")
        equal = any(values[0] == other for other in values[1:])
        return Known(equal if name == "eq" else not equal)
    if name in ("contains", "hasPrefix", "hasSuffix") and len(values) == 2 and all(isinstance(v, str) for v in values):
        needle, haystack = values
        test = {"contains": haystack.__contains__, "hasPrefix": haystack.startswith, "hasSuffix": haystack.endswith}[name]
        return Known(test(needle))
    if name in ("lower", "toLower", "upper", "toUpper") and len(values) == 1 and isinstance(values[0], str):
        return Known(values[0].lower() if "ower" in name else values[0].upper())
    if name == "print":
        return _print(args)
    if name == "printf" and values and isinstance(values[0], str):
        return _printf(values[0], args[1:])
    return Unknown(f"the function {name} is not evaluated here")


def _print(args: list[Value]) -> Value:
    """fmt.Sprint: operands written one after the other, a space between two that are not strings."""
    out: list[str] = []
    previous_string = True
    for i, arg in enumerate(args):
        written = _written(arg)
        if not isinstance(written, Known):
            return written
        is_string = isinstance(arg, Known) and isinstance(arg.value, str)
        if i and not is_string and not previous_string:
            out.append(" ")
        out.append(written.value)
        previous_string = is_string
    return Known("".join(out))


_VERB = re.compile(r"%([%svd])")


def _printf(form: str, args: list[Value]) -> Value:
    """fmt.Sprintf with the verbs %s, %v, %d and %%; any other verb is not evaluated."""
    if re.search(r"%[^%svd]", form.replace("%%", "")):
        return Unknown("a printf verb not evaluated here")
    remaining = list(args)
    out: list[str] = []
    pos = 0
    for match in _VERB.finditer(form):
        out.append(form[pos : match.start()])
        pos = match.end()
        if match.group(1) == "%":
            out.append("%")
            continue
        if not remaining:
            return Unknown("printf has fewer operands than verbs")
        written = _written(remaining.pop(0))
        if not isinstance(written, Known):
            return written
        out.append(written.value)
    out.append(form[pos:])
    return Known("".join(out)) if not remaining else Unknown("printf has more operands than verbs")


# ---- images on a line ---------------------------------------------------------------------------------------

_KEY = re.compile(r"(?<![^\s])image:[ \t]+")
_SENTINEL = "\x00"  # stands for what an unknown action writes: no word runs through it


def _images_on(text: str, line: Line) -> Iterator[TemplateImage]:
    parts: list[str] = []
    spans: list[tuple[int, int, Segment]] = []
    pos = 0
    for segment in line:
        if segment[0] == "t":
            written = text[segment[1] : segment[2]]
        else:
            value = segment[2]
            written = value.value if isinstance(value, Known) else _SENTINEL
        spans.append((pos, pos + len(written), segment))
        parts.append(written)
        pos += len(written)
    rendered = "".join(parts)
    taken: list[tuple[int, int]] = []
    for match in _KEY.finditer(rendered):
        if any(s[2][0] == "a" and s[0] < match.end() and s[1] > match.start() for s in spans):
            continue  # the key itself is written by an action
        start = match.end()
        quote = rendered[start] if start < len(rendered) and rendered[start] in "\"'" else ""
        if quote:
            start += 1
            end = rendered.find(quote, start)
            end = len(rendered) if end < 0 else end
        else:
            stop = re.compile(r"\s").search(rendered, start)
            end = stop.start() if stop else len(rendered)
        image = _word(text, spans, rendered, start, end, keyed=True)
        if image is not None:
            taken.append((start, end))
            yield image
    for found in find_image_references(rendered):
        if any(found.start < end and found.end > start for start, end in taken):
            continue
        image = _word(text, spans, rendered, found.start, found.end, keyed=False)
        if image is not None and image.reference is not None:
            yield image


def _word(text: str, spans: list[tuple[int, int, Segment]], rendered: str, start: int, end: int, *, keyed: bool) -> TemplateImage | None:
    """The image written at ``rendered[start:end]``, if an action writes part of it."""
    pieces: list[Piece] = []
    for left, right, segment in spans:
        if left == right:  # writes nothing: part of the word when inside it (or anywhere in an image: value)
            if segment[0] != "a" or not (start <= left <= end if keyed else start < left < end):
                continue
        elif right <= start or left >= end:
            continue
        if segment[0] == "t":
            a, b = segment[1] + max(start, left) - left, segment[1] + min(end, right) - left
            if a < b:
                pieces.append(Piece(a, b, text[a:b], Known(text[a:b]), False))
        else:
            token = segment[1]
            whole = left >= start and right <= end
            value = segment[2]
            if not whole and isinstance(value, Known):  # the word holds part of what it writes: that part, as text
                value = Known(rendered[max(start, left) : min(end, right)])
            pieces.append(Piece(token.start, token.end, text[token.start : token.end], value, True, whole))
    if not any(piece.action for piece in pieces):
        return None
    problem = next((p.value.why for p in pieces if isinstance(p.value, Unknown)), None)
    if problem is not None:
        return TemplateImage(tuple(pieces), None, keyed, problem)
    word = rendered[start:end].strip()
    reference = Reference.parse(word) if word else None
    if reference is None or str(reference) != word:
        return TemplateImage(tuple(pieces), None, keyed, f"it writes {word!r}, which is no image reference")
    return TemplateImage(tuple(pieces), reference, keyed)
