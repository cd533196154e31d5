"""Whether a whole stream is YAML that Kubernetes accepts, paying for libyaml's parser instead of node trees.

``check_syntax`` (in ``_manifest``) builds every document's node tree and Kubernetes view: exact, and the cost of
reading everything. Commands that read only a few documents (``apply``, ``plan``) still must not write anything
for a stream with an error in a document they never read; ``check_syntax_quickly`` gives the same verdict, with
the same error, for a fraction of the cost.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ._manifest import Document, Manifest, check_syntax

__all__ = ["check_syntax_quickly"]


def check_syntax_quickly(manifest: Manifest, progress: Callable[[int, int], None] | None = None) -> None:
    """``check_syntax``'s verdict, paying for libyaml's event parser instead of node trees and views.

    ``progress``, if given, is called now and then with the number of documents checked and their total.

    A document the event scan cannot vouch for is built by the core now, so that its error is raised with the
    core's words and file positions: one whose scan fails, and one with a feature whose errors only composing
    or the Kubernetes view detect (see ``_scanner``). Every other document is valid YAML whose view cannot fail,
    and is built only if a transform reads it.
    """
    from ._parse import HAS_LIBYAML

    total = len(manifest.documents)
    if not HAS_LIBYAML:  # the pure-Python parser would cost as much as building
        check_syntax(manifest)
        return
    from yaml import YAMLError
    from yaml._yaml import CParser as RawParser

    scan = _scanner()

    def parses(text: str) -> bool:
        try:
            RawParser(text).raw_parse()  # libyaml alone, no Python per event: the common case
        except (YAMLError, UnicodeError):
            return False
        return True

    def check(doc: Document) -> None:
        if not (_only_libyaml_can_object(doc.text) and parses(doc.text)) and not scan(doc.text):
            _ = doc.is_empty  # builds the node tree and the view, raising the core's error if there is one

    batch: list[Document] = []  # consecutive documents that only libyaml could refuse, parsed together
    length = 0
    for number, doc in enumerate(manifest.documents):
        text = doc.text
        if batch and (length >= _BATCH or not text.startswith("---")):
            _check_batch(batch, parses, check)
            batch, length = [], 0
            if progress is not None:
                progress(number, total)
        if text.isascii() and _only_libyaml_can_object(text):  # a wide text would widen the joined stream
            batch.append(doc)
            length += len(text)
        else:
            _check_batch(batch, parses, check)  # errors are raised in the order of the documents
            batch, length = [], 0
            check(doc)
            if progress is not None and number % _EVERY == 0:
                progress(number, total)
    _check_batch(batch, parses, check)
    if progress is not None:
        progress(total, total)


# The documents libyaml parses at once: their texts joined, about this many characters.
_BATCH = 1 << 18
# How often (in documents checked one by one) progress is told, when it is asked for.
_EVERY = 1000


def _check_batch(batch: list[Document], parses: Callable[[str], bool], check: Callable[[Document], None]) -> None:
    """Parse the texts of consecutive documents as one stream; if libyaml refuses it, look at each in turn.

    The batch is a stretch of the stream in which each document after the first starts with its `---` line:
    libyaml ends the one before there as it ends it alone (an unclosed flow collection or quoted scalar is
    refused either way), and no tag (none is written in them) reaches the next. So the stretch parses only if
    each of its documents does, and the documents are looked at one by one, in order, only when it does not.
    """
    if not batch or parses(batch[0].text if len(batch) == 1 else "".join(doc.text for doc in batch)):
        return
    for doc in batch:
        check(doc)


# A document whose text has none of these cannot hold what only composing or the Kubernetes view refuses:
# anchors (&), aliases (*), tags (!), complex keys (?), merge keys (<<), collections as keys (`]:` or `}:`),
# nesting near the view's limit. A level of block nesting takes a column of indentation or an inline dash,
# a flow level a bracket: under 120 + 20 + 20 (plus one mapping) levels stay below the view's limit of 200.
# As one regular expression, `[&*!?]|<<|[\]}][ \t]*:|^ {120,}|(?:-[ \t]+){20,}` (multiline), which costs
# tens of nanoseconds a character; the substring searches below find the same, most at memchr's speed.
_COLLECTION_KEY = re.compile(r"[\]}][ \t]*:")
_DEEP_INDENT = " " * 120
_DEEP_DASHES = re.compile(r"(?:-[ \t]+){20,}")


def _only_libyaml_can_object(text: str) -> bool:
    if len(text) >= 1_000_000 or text.count("[") + text.count("{") >= 20:
        return False
    if "&" in text or "*" in text or "!" in text or "?" in text or "<<" in text:
        return False
    if ("]" in text or "}" in text) and _COLLECTION_KEY.search(text):
        return False
    if text.startswith(_DEEP_INDENT) or "\n" + _DEEP_INDENT in text:
        return False
    return text.count("-") < 20 or not _DEEP_DASHES.search(text)


def _scanner() -> Callable[[str], bool]:
    """A function telling whether libyaml parses a document's text without error and without anything that
    composing or the Kubernetes view may refuse.

    The view refuses aliases that recurse or expand too far, bad explicit tags (``!!int abc``), collections
    as keys, merge keys of the wrong shape, nesting deeper than its limit and documents of more values than
    its budget; composing refuses undefined aliases and a second document. A document with any anchor, alias,
    tag, collection key, ``<<`` key or second document, or at either limit, is therefore left to the core.
    """
    from yaml import YAMLError
    from yaml.cyaml import CParser  # type: ignore[attr-defined]  # (not in the stubs)
    from yaml.events import (
        AliasEvent,
        DocumentStartEvent,
        MappingEndEvent,
        MappingStartEvent,
        ScalarEvent,
        SequenceEndEvent,
        SequenceStartEvent,
    )

    from ._kube import EXPANSION_BUDGET, MAX_DEPTH

    def scan(text: str) -> bool:
        parser = CParser(text)
        open_collections: list[int] = []  # per open collection: nodes seen so far in a mapping, -1 in a sequence
        values = documents = 0
        try:
            while parser.check_event():
                event: Any = parser.get_event()  # libyaml's events: the kind is compared below, not narrowed
                kind = type(event)
                if kind is ScalarEvent or kind is MappingStartEvent or kind is SequenceStartEvent:
                    if event.anchor is not None or event.tag is not None:
                        return False
                    values += 1
                    if open_collections and open_collections[-1] >= 0:  # in a mapping: keys and values alternate
                        if open_collections[-1] % 2 == 0 and (kind is not ScalarEvent or event.value == "<<"):
                            return False
                        open_collections[-1] += 1
                    if kind is not ScalarEvent:
                        open_collections.append(0 if kind is MappingStartEvent else -1)
                        if len(open_collections) >= MAX_DEPTH:
                            return False
                elif kind is MappingEndEvent or kind is SequenceEndEvent:
                    open_collections.pop()
                elif kind is AliasEvent:
                    return False
                elif kind is DocumentStartEvent:
                    documents += 1
                    if documents > 1:
                        return False
        except (YAMLError, UnicodeError):  # the core parses it again and says what is wrong, in its words
            return False
        finally:
            parser.dispose()
        return values <= EXPANSION_BUDGET

    return scan
