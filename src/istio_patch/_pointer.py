"""JSON pointers (RFC 6901) over libyaml node trees: the one way istio-patch goes from a pointer to the text.

A pointer names a value of the Kubernetes view; these functions find the node that wrote it, reading keys as
the view does: a key is compared by its Kubernetes value (``0x10`` is ``16``, ``on`` is ``true``), a repeated
key's last writing wins, and merge keys (``<<``) are not members of their own. Escaping is ``jsonpointer``'s.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from jsonpointer import escape, unescape

from ._errors import IstioPatchError
from ._kube import is_merge_key, mapping_key
from ._parse import PLAIN, MappingNode, Node, ScalarNode, SequenceNode

__all__ = ["escape", "unescape", "tokens", "join", "child", "is_key", "resolve", "Found"]

# Plain keys whose JSON key differs from their text: nulls, booleans, numbers.
_NOT_ITSELF = re.compile(r"[-+.0-9~]|(?:null|true|false|yes|no|on|off|y|n)\Z", re.IGNORECASE)


def is_key(node: Node, token: str) -> bool:
    """Whether a key node is the JSON key ``token`` as the view reads it (``0x10`` is "16", ``!!binary`` decoded).

    A merge key (``<<``) is no member's key; a collection as a key (which the view refuses) is none either.
    """
    if not isinstance(node, ScalarNode) or is_merge_key(node):
        return False
    if node.value == token and node.tag in (PLAIN, "tag:yaml.org,2002:str") and token and not _NOT_ITSELF.match(token):
        return True  # the common case, without resolving the scalar
    try:
        return mapping_key(node) == token
    except IstioPatchError:
        return False


def tokens(pointer: str) -> list[str]:
    """The reference tokens of ``pointer`` ("" is the whole document); ValueError when it is not a pointer."""
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise ValueError(f"a JSON pointer starts with '/': {pointer!r}")
    return [unescape(t) for t in pointer[1:].split("/")]


def join(parts: Iterable[str | int]) -> str:
    """The pointer of ``parts`` (mapping keys and sequence indices), each escaped."""
    return "".join("/" + escape(str(part)) for part in parts)


def child(node: Node | None, token: str, *, key: bool = False) -> Node | None:
    """The member ``token`` of a mapping node (its key node with ``key``) or item ``token`` of a sequence node."""
    if isinstance(node, MappingNode):
        found: Node | None = None
        for k, v in node.value:
            if is_key(k, token):
                found = k if key else v  # the last writing wins, as in Kubernetes
        return found
    if isinstance(node, SequenceNode) and token.isdigit() and int(token) < len(node.value):
        item: Node = node.value[int(token)]
        return item
    return None


class Found:
    """The result of :func:`resolve`: the deepest node reached and how many tokens it took."""

    __slots__ = ("node", "depth", "complete")

    def __init__(self, node: Node | None, depth: int, complete: bool) -> None:
        self.node, self.depth, self.complete = node, depth, complete


def resolve(root: Node | None, parts: Sequence[str], *, key: bool = False) -> Found:
    """Walk ``parts`` from ``root``; ``complete`` says whether every token was found.

    With ``key``, a mapping member's key node is the answer for the last token (where a reader of the file
    looks for a field). When a token is missing, the deepest existing ancestor is the answer.
    """
    node = root
    for depth, token in enumerate(parts):
        step = child(node, token, key=key and depth == len(parts) - 1)
        if step is None:
            return Found(node, depth, False)
        node = step
    return Found(node, len(parts), True)
