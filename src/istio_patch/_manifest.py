"""The Manifest: an immutable, byte-exact YAML stream whose documents are parsed only when asked about."""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, BinaryIO, TypeVar, overload

from ._errors import DecodeError, EditError, LimitError, SelectorError, YAMLSyntaxError
from ._kube import Duplicate, build_view
from ._parse import Alias, Node, SequenceNode, aliases, compose
from ._pointer import child, is_key, resolve, tokens
from ._text import BOM, decode_in_pieces, decode_stream, split_documents

if TYPE_CHECKING:  # pydantic is imported when a typed object is first asked for
    from ._models import KubeObjectModel, Registry

    M = TypeVar("M", bound=KubeObjectModel)

__all__ = ["Manifest", "Document", "KubeObject", "load", "load_path", "check_syntax", "copy_data", "concatenate", "concatenated", "encoded"]


class _Parse:
    """What reading one document's text yields: its node tree, then its Kubernetes view and duplicates, and
    its aliases. Positions asked of one parse all come from its one tree (aliases are found by node identity)."""

    __slots__ = ("text", "node", "_view", "_aliases")

    def __init__(self, text: str, node: Node | None) -> None:
        self.text = text
        self.node = node
        self._view: tuple[Any, list[Any]] | None = None
        self._aliases: dict[tuple[int, int], Alias] | None = None

    def view(self, source: str, number: int, line: int) -> tuple[Any, list[Any]]:
        if self._view is None:
            try:
                self._view = build_view(self.node)
            except (YAMLSyntaxError, LimitError) as exc:  # positions in build_view are document-relative
                raise _relocate(exc, source, number, line, self.text) from None
        return self._view

    def aliases(self) -> dict[tuple[int, int], Alias]:
        """The document's aliases by ``(id(parent), slot)`` (see ``_parse.aliases``)."""
        if self._aliases is None:
            self._aliases = {(id(alias.parent), alias.slot): alias for alias in aliases(self.text, self.node)}
        return self._aliases


class _Parses:
    """The parses of the documents of one stream that were read last, within a budget of text.

    A node tree costs about ten times its text (each node and each of its two marks is a Python object), so
    keeping the parse of every document read would make a command that reads them all (``images``, ``check``)
    hold several times its input. A parse that fell out is made again when its document is asked about again,
    with the same result. Every Manifest made from one ``load`` shares one ``_Parses``: documents that move
    keep their text, and so their parse. Parses are keyed by the identity of the text, which each entry holds.
    """

    __slots__ = ("_kept", "_size", "_lock", "_last")

    BUDGET = 1 << 14  # characters of text whose parses are kept: a transform reads a document several times in a row
    OVERHEAD = 1 << 10  # what a parse costs beyond its text, counted as characters: a short document's nodes

    def __init__(self) -> None:
        self._kept: OrderedDict[int, _Parse] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()  # Manifests are shared between threads
        self._last: _Parse | None = None  # the parse asked for last: asked for again at once, as a rule

    def of(self, doc: Document) -> _Parse:
        """The parse of ``doc``'s text, composed now if it is not kept (raising its YAML error, if any)."""
        text = doc.text
        last = self._last
        if last is not None and last.text is text:
            return last
        key = id(text)
        with self._lock:
            parse = self._kept.get(key)
            if parse is not None:
                self._kept.move_to_end(key)
                self._last = parse
                return parse
        parse = _Parse(text, compose(text, source=doc.source, document=doc.number, first_line=doc.line))
        with self._lock:
            kept = self._kept.setdefault(key, parse)  # another thread may have composed it meanwhile
            self._last = kept
            if kept is parse:
                self._size += len(text) + self.OVERHEAD
                while self._size > self.BUDGET and len(self._kept) > 1:
                    _, old = self._kept.popitem(last=False)
                    self._size -= len(old.text) + self.OVERHEAD
            return kept


def _relocate(exc: Any, source: str, number: int, line: int, text: str) -> Any:
    line0 = (exc.line or 1) - 1
    lines = text.split("\n")
    snippet = lines[line0].rstrip("\r") if line0 < len(lines) else None
    return type(exc)(
        exc.message,
        source=source,
        document=number,
        line=line + line0,
        column=exc.column,
        pointer=exc.pointer,
        snippet=snippet,
    )


@dataclass(frozen=True, eq=False, slots=True)
class Document:
    """One document of a stream, with the exact text it was written with.

    Attributes:
        text: the segment's text: its `---` line, comments, body and any `...` line.
        index: 0-based position in the stream (``manifest.documents[index]``).
        line: 1-based line of the file on which the segment starts.
        source: the name of the file (or ``"<string>"``).
        number: the 1-based number of the document in its file (``index + 1`` but in a joined manifest).
        part: which of the files of a joined manifest the document comes from (see :meth:`Manifest.join`).
    """

    text: str = field(repr=False)
    index: int
    line: int
    source: str
    _parses: _Parses = field(repr=False, compare=False)
    number: int = 0
    part: int = field(default=0, repr=False)

    def __post_init__(self) -> None:
        if self.number == 0:
            object.__setattr__(self, "number", self.index + 1)

    @property
    def node(self) -> Node | None:
        """The libyaml node tree, with marks relative to ``text`` (``None`` for a comment-only segment).

        Trees are kept for the documents read last (see ``_Parses``): another read may give an equal tree
        composed again, so take the tree once for the positions that go together.
        """
        return self._parse().node

    @property
    def is_empty(self) -> bool:
        """True when Kubernetes would skip this document: no node, or a null one."""
        return self._view()[0] is None

    @property
    def data(self) -> Any:
        """The Kubernetes view of the document: a fresh copy that the caller may change."""
        return copy_data(self._view()[0])

    @property
    def duplicates(self) -> tuple[Duplicate, ...]:
        """Every repeated mapping key in the document, with the value that lost."""
        _, raw = self._view()
        out = []
        for pointer, lost_key, lost_value, winner in raw:
            lost, _ = build_view(lost_value)
            out.append(
                Duplicate(
                    key=lost_key.value,
                    pointer=pointer,
                    line=self.line + lost_key.start_mark.line,
                    column=lost_key.start_mark.column + 1,
                    lost_value=lost,
                    winning_line=self.line + winner.start_mark.line,
                )
            )
        return tuple(out)

    def _parse(self) -> _Parse:
        return self._parses.of(self)

    def _view(self) -> tuple[Any, list[Any]]:
        return self._parse().view(self.source, self.number, self.line)

    def position(self, pointer: str, *, key: bool = False) -> tuple[int, int]:
        """1-based (line, column) in the file of the node at ``pointer`` (or of its nearest existing ancestor).

        With ``key``, a mapping member's key is placed rather than its value. A repeated key's last writing is
        the one found, as Kubernetes reads it.
        """
        parse = self._parse()  # one tree: aliases are found by the identity of its nodes
        node = parse.node
        parts = tokens(pointer)
        alias: Alias | None = None  # the alias the last step went through, if it did
        for i, token in enumerate(parts):
            parent = node
            last = key and i == len(parts) - 1
            step = child(node, token, key=last)
            if step is None:
                break
            node = step
            alias = _alias_at(parse, parent, token, key=last)
        if node is None:
            return self.line, 1
        if alias is not None:  # the node is the anchored one, written elsewhere: place the alias itself
            line0 = self.text.count("\n", 0, alias.start)
            return self.line + line0, alias.start - (self.text.rfind("\n", 0, alias.start) + 1) + 1
        return self.line + node.start_mark.line, node.start_mark.column + 1

    def locate(self, pointer: str, *, key: bool = False) -> tuple[int, int, str | None]:
        """:meth:`position` and the text of that line, for error messages."""
        line, column = self.position(pointer, key=key)
        lines = self.text.split("\n")
        index = line - self.line
        return line, column, lines[index].rstrip("\r") if 0 <= index < len(lines) else None

    def apply(self, operations: Sequence[Mapping[str, Any]], *, base: str = "") -> Document:
        """This document with RFC 6902 ``operations`` applied (paths relative to ``base``), at the same place.

        See :meth:`Manifest.apply`, which places the result in its stream.
        """
        from ._edit import apply_operations

        if isinstance(operations, (str, bytes, Mapping)) or not isinstance(operations, Iterable):
            raise EditError(f"operations must be a list of RFC 6902 operations, not {type(operations).__name__}", source=self.source)
        if not isinstance(base, str):
            raise EditError(f"the base must be a JSON pointer (str), not {type(base).__name__}", source=self.source)
        ops = [_rebase(op, base) if isinstance(op, Mapping) else op for op in operations] if base else list(operations)
        if not ops:
            return self
        text = apply_operations(self, ops)
        return self if text == self.text else Document(text, self.index, self.line, self.source, self._parses, self.number, self.part)

    def moved(self, index: int, line: int, number: int | None = None, part: int | None = None) -> Document:
        """The same document at another place in a stream (parsing is shared, not repeated)."""
        number = self.number if number is None else number
        part = self.part if part is None else part
        if index == self.index and line == self.line and number == self.number and part == self.part:
            return self
        return Document(self.text, index, line, self.source, self._parses, number, part)

    def line_count(self) -> int:
        return self.text.count("\n")


@dataclass(frozen=True, slots=True)
class KubeObject:
    """A Kubernetes object of a manifest: a top-level document or an item of a ``kind: List``.

    ``index`` is the 0-based position of its document in the stream, ``document`` its 1-based number in its file;
    ``pointer`` is where the object sits in its document ("" for the document itself, "/items/3" for a
    List item); ``line`` is its 1-based line in the file. ``data`` is a fresh copy of its Kubernetes view at
    each access, so no caller can change the manifest through it; :meth:`Manifest.typed` gives the typed model.
    """

    source: str
    index: int
    document: int
    pointer: str
    line: int
    api_version: str | None
    kind: str | None
    name: str | None
    namespace: str | None
    labels: Mapping[str, str]
    _document: Document = field(repr=False, compare=False)

    @property
    def data(self) -> dict[str, Any]:
        """The object's Kubernetes view: a fresh copy that the caller may change."""
        return copy_data(self._view())  # type: ignore[no-any-return]

    def _view(self) -> dict[str, Any]:
        """The object's view as its document holds it (not to be changed). It is read from the document when
        asked, not kept: the objects of a large manifest would otherwise keep every document's view."""
        data = self._document._view()[0]
        if self.pointer:
            data = data["items"][int(self.pointer.rsplit("/", 1)[1])]
        return data  # type: ignore[no-any-return]

    @property
    def ref(self) -> str:
        """kubectl's spelling: ``Kind/name``, with ``-n namespace`` context added by callers."""
        return f"{self.kind}/{self.name}"

    def describe(self) -> str:
        """``Kind namespace/name`` for messages."""
        where = f"{self.namespace}/{self.name}" if self.namespace else str(self.name)
        return f"{self.kind} {where}"


@dataclass(frozen=True, eq=False)
class Manifest:
    """An ordered YAML stream of documents that renders back to its input byte for byte.

    Build one with :func:`load`; edit it with :meth:`apply`, which returns a new Manifest.
    """

    source: str
    documents: tuple[Document, ...]
    bom: bool = False
    # The files of a joined manifest, in order: (source, byte-order mark); empty for one file.
    parts: tuple[tuple[str, bool], ...] = field(default=(), repr=False)

    def __repr__(self) -> str:
        size = sum(len(doc.text.encode("utf-8", "surrogatepass")) for doc in self.documents) + (3 if self.bom else 0)
        return f"<Manifest {self.source!r}: {len(self.documents)} documents, {size:,} bytes>"

    def render(self) -> str:
        """The text of the stream (with its byte-order mark, if it had one); a joined manifest's files are
        written one after the other as one stream (see :func:`concatenate`)."""
        return "".join(self.pieces())

    def pieces(self) -> Iterator[str]:
        """The text of :meth:`render` a piece at a time (the byte-order mark, then each document's text), for
        a writer that encodes as it writes instead of holding the whole text once more (see :func:`encoded`)."""
        if self.parts:
            yield from concatenated(self.split())
            return
        if self.bom:
            yield BOM
        for doc in self.documents:
            yield doc.text

    def to_bytes(self) -> bytes:
        """The stream as UTF-8 bytes, exactly as read when nothing was edited."""
        return b"".join(encoded(self.pieces()))

    def same_text(self, other: Manifest) -> bool:
        """Whether ``other`` renders as this manifest does: at the cost of comparing the documents that differ,
        when the two share their untouched documents (as a manifest and what a transform made of it do)."""
        alike = self.bom == other.bom and not self.parts and not other.parts and len(self.documents) == len(other.documents)
        if alike and all(a.text is b.text or a.text == b.text for a, b in zip(self.documents, other.documents)):
            return True
        return _same_pieces(self.pieces(), other.pieces())

    @classmethod
    def join(cls, manifests: Sequence[Manifest]) -> Manifest:
        """Several files read as one manifest: transforms and checks see every object (an HPA in one file of a
        chart's split output, the Deployment it scales in another), and :meth:`split` gives each file back with
        the edits of its own documents. Documents keep their file's name, line and number.

        Example:
            >>> joined = Manifest.join([load("kind: A\\n", source="a.yaml"), load("kind: B\\n", source="b.yaml")])
            >>> [(d.source, d.number, d.index) for d in joined.documents], [m.render() for m in joined.split()]
            ([('a.yaml', 1, 0), ('b.yaml', 1, 1)], ['kind: A\\n', 'kind: B\\n'])
        """
        if len(manifests) == 1:
            return manifests[0]
        documents: list[Document] = []
        parts: list[tuple[str, bool]] = []
        for manifest in manifests:
            offset = len(parts)
            parts.extend(manifest.parts or ((manifest.source, manifest.bom),))
            for doc in manifest.documents:
                documents.append(doc.moved(len(documents), doc.line, doc.number, offset + doc.part))
        names = list(dict.fromkeys(source for source, _ in parts))
        return cls(", ".join(names), tuple(documents), False, tuple(parts))

    def split(self) -> list[Manifest]:
        """The files of a joined manifest, each with its own documents (numbered from 0 again); ``[self]`` for one."""
        if not self.parts:
            return [self]
        groups: list[list[Document]] = [[] for _ in self.parts]
        for doc in self.documents:
            group = groups[doc.part]
            group.append(doc.moved(len(group), doc.line, doc.number, 0))
        return [Manifest(source, tuple(docs), bom) for (source, bom), docs in zip(self.parts, groups)]

    def __iter__(self) -> Iterator[Document]:
        return iter(self.documents)

    def __len__(self) -> int:
        return len(self.documents)

    @overload
    def objects(self) -> tuple[KubeObject, ...]: ...

    @overload
    def objects(self, model: type[M], *, registry: Registry | None = None) -> tuple[M, ...]: ...

    def objects(self, model: type[Any] | None = None, *, registry: Registry | None = None) -> tuple[Any, ...]:
        """Every Kubernetes object, in order: top-level mappings, and the items of ``kind: List``.

        With ``model`` (``Deployment``, ``Service``, ... from ``istio_patch.models``), the objects whose kind
        that model describes, as typed, frozen models that know their origin (``GenericObject``: every object);
        ModelValidationError names the file, line and field of an object that does not fit.

        Documents that are empty, not mappings, or mappings without a kind are not objects; they are
        still rendered untouched.

        Example:
            >>> from istio_patch.models import Namespace
            >>> [ns.name for ns in load("kind: Namespace\\nmetadata: {name: demo}\\n").objects(Namespace)]
            ['demo']
        """
        found: list[KubeObject] = []
        for doc in self.documents:
            found.extend(_objects_of(doc))
        if model is None:
            return tuple(found)
        from ._models import DEFAULT_REGISTRY, GenericObject

        registry = registry or DEFAULT_REGISTRY
        generic = model is GenericObject or model.__name__ == "KubeObjectModel"
        typed = []
        for obj in found:
            cls = registry.model_for(obj.api_version, obj.kind)
            if generic or issubclass(cls, model):
                typed.append(self.typed(obj, model if generic else cls, registry=registry))
        return tuple(typed)

    @overload
    def typed(self, obj: KubeObject, model: None = None, *, registry: Registry | None = None) -> KubeObjectModel: ...
    @overload
    def typed(self, obj: KubeObject, model: type[M], *, registry: Registry | None = None) -> M: ...
    def typed(self, obj: KubeObject, model: type[Any] | None = None, *, registry: Registry | None = None) -> Any:
        """The typed model of ``obj`` (one of this manifest's objects), with its origin.

        The model is the registry's for the object's apiVersion and kind unless ``model`` is given.
        ModelValidationError names the file, line, column and JSON pointer of a field that does not fit.
        """
        from ._models import DEFAULT_REGISTRY, Origin, build

        cls = model or (registry or DEFAULT_REGISTRY).model_for(obj.api_version, obj.kind)
        doc = self.documents[obj.index]
        origin = Origin(obj.source, obj.index, obj.pointer, obj.line, obj.document)
        return build(cls, copy_data(obj._view()), origin=origin, describe=obj.describe(), locate=doc.locate)

    def get(self, ref: str, namespace: str | None = None, *, registry: Registry | None = None) -> KubeObjectModel:
        """The one object kubectl's ``TYPE/NAME`` names (``deploy/istio-pilot``, in ``namespace`` if given), typed.

        Raises SelectorError when no object or several match (the message lists where they are).

        Example:
            >>> load("kind: Service\\nmetadata: {name: web, namespace: prod}\\n").get("svc/web", "prod").kind
            'Service'
        """
        from ._kinds import split_ref

        try:
            written_namespace, kind, name = split_ref(ref)
        except ValueError as exc:
            raise SelectorError(str(exc), source=self.source) from None
        namespace = namespace or written_namespace
        found = [
            obj
            for obj in self.objects()
            if obj.kind == kind and (not name or obj.name == name) and (namespace is None or (obj.namespace or "default") == namespace)
        ]
        where = f" in namespace {namespace}" if namespace else ""
        if not found:
            raise SelectorError(f"no object matches {kind}/{name}{where}", source=self.source)
        if len(found) > 1:
            places = ", ".join(f"{o.describe()} (line {o.line})" for o in found[:5])
            raise SelectorError(f"{len(found)} objects match {kind}/{name}{where}: {places}; say which", source=self.source)
        return self.typed(found[0], registry=registry)

    def has_objects(self) -> bool:
        """Whether the stream holds a Kubernetes object, parsing documents only until the first one is found."""
        return any(True for doc in self.documents for _ in _objects_of(doc))

    def duplicates(self) -> tuple[tuple[int, Duplicate], ...]:
        """(0-based document index, duplicate) for every repeated key in the stream."""
        return tuple((doc.index, dup) for doc in self.documents for dup in doc.duplicates)

    def apply(self, operations: Sequence[Mapping[str, Any]], *, index: int, base: str = "") -> Manifest:
        """Apply RFC 6902 ``operations`` to the document at ``index`` (0-based, as in ``documents``); paths are
        relative to ``base`` inside it.

        Returns a new Manifest whose text differs from this one only where the operations require.
        Raises EditError (naming the pointer) when an operation cannot be applied; nothing is half-applied.
        """
        index = self._index(index)
        return self.replace_text(index, self.documents[index].apply(operations, base=base).text)

    def _index(self, index: Any) -> int:
        """``index`` as a position in this stream, or EditError (a negative index would edit nothing)."""
        if not isinstance(index, int) or isinstance(index, bool):
            raise EditError(f"a document is named by its 0-based index (int), not {type(index).__name__}", source=self.source)
        if not 0 <= index < len(self.documents):
            raise EditError(
                f"there is no document at index {index} in this stream of {len(self.documents)} "
                f"(indices 0 to {len(self.documents) - 1})",
                source=self.source,
            )
        return index

    def replace_text(self, index: int, text: str) -> Manifest:
        """A new Manifest with the text of the document at ``index`` replaced (later documents keep their parses)."""
        return self.edited({index: text})

    def without_document(self, index: int) -> Manifest:
        """A new Manifest without the document at ``index`` (its text, separator included, goes)."""
        return self.edited({index: None})

    def edited(self, texts: Mapping[int, str | None]) -> Manifest:
        """A new Manifest with the documents ``texts`` names replaced by new text, or removed (``None``).

        One pass over the documents whatever the number of edits, so that a plan editing many documents
        costs in proportion to the stream, not to edits times documents. The others keep their parses.
        """
        for index in texts:
            self._index(index)
        if all(text is not None and text == self.documents[i].text for i, text in texts.items()):
            return self
        docs: list[Document] = []
        shift = number = 0  # lines gained (or lost) by the documents before this one in its file; its number
        part = -1
        for doc in self.documents:
            if doc.part != part:  # a joined manifest's next file: its lines and numbers start again
                part, shift, number = doc.part, 0, 0
            text = texts.get(doc.index, doc.text)
            if text == doc.text:
                number += 1
                docs.append(doc.moved(len(docs), doc.line + shift, number))
                continue
            if text is not None:
                number += 1
                docs.append(Document(text, len(docs), doc.line + shift, doc.source, doc._parses, number, doc.part))
                shift += text.count("\n")
            shift -= doc.text.count("\n")
        return Manifest(self.source, tuple(docs), self.bom, self.parts)

    def split_document(self, index: int, offset: int) -> Manifest:
        """A new Manifest in which the document at ``index`` becomes two: its text up to ``offset``, then a ``---``
        line (ending in the line break before ``offset``) and the rest of its text.

        ``offset`` must be the start of a line inside the document, and reading the stream must cut it exactly
        there (not, say, before a ``%YAML`` directive that would then start the text after it); else EditError.
        The documents after it keep their parses, one line further down. What the two documents mean is the
        caller's to verify.

        Example:
            >>> m = load("kind: A\\nkind: B\\n").split_document(0, 8)
            >>> [doc.text for doc in m.documents]
            ['kind: A\\n', '---\\nkind: B\\n']
        """
        index = self._index(index)
        doc = self.documents[index]
        text = doc.text
        if not isinstance(offset, int) or isinstance(offset, bool) or not 0 < offset < len(text) or text[offset - 1] not in _BREAKS or text[offset - 1 : offset + 1] == "\r\n":
            raise EditError(
                f"a document is split at the start of one of its lines, not at offset {offset!r}",
                source=doc.source,
                document=doc.number,
                line=doc.line,
            )
        newline = "\r\n" if text[offset - 2 : offset] == "\r\n" else text[offset - 1]
        first, second = text[:offset], "---" + newline + text[offset:]
        if split_documents(first + second) != [(0, len(first)), (len(first), len(first) + len(second))]:
            raise EditError(
                "the text after the split point would not be read as one document after a `---` line",
                source=doc.source,
                document=doc.number,
                line=doc.line + text.count("\n", 0, offset),
            )
        docs = list(self.documents[:index])
        docs.append(Document(first, index, doc.line, doc.source, doc._parses, doc.number, doc.part))
        docs.append(Document(second, index + 1, doc.line + first.count("\n"), doc.source, doc._parses, doc.number + 1, doc.part))
        shift = newline.count("\n")
        for later in self.documents[index + 1 :]:  # in a joined manifest, only the lines of the same file move
            same = later.part == doc.part
            docs.append(later.moved(later.index + 1, later.line + shift * same, later.number + same, later.part))
        return Manifest(self.source, tuple(docs), self.bom, self.parts)

    def with_documents_appended(self, texts: Iterable[str]) -> Manifest:
        """A new Manifest with whole documents (each starting with its `---` line) added at the end (of its
        last file, for a joined manifest)."""
        docs = list(self.documents)
        part = len(self.parts) - 1 if self.parts else 0
        source = self.parts[-1][0] if self.parts else self.source
        own = [d for d in docs if d.part == part]
        line = 1 + sum(d.text.count("\n") for d in own)
        number = len(own)
        parses = own[-1]._parses if own else _Parses()
        for text in texts:
            number += 1
            docs.append(Document(text, len(docs), line, source, parses, number, part))
            line += text.count("\n")
        return Manifest(self.source, tuple(docs), self.bom, self.parts)

    def last_text(self) -> str:
        """The text of the last file's documents (where :meth:`with_documents_appended` adds)."""
        part = len(self.parts) - 1 if self.parts else 0
        return "".join(d.text for d in self.documents if d.part == part)


# YAML's line breaks: a `---` line may follow any of them.
_BREAKS = "\n\r\x85\u2028\u2029"


def _alias_at(parse: _Parse, parent: Node | None, token: str, *, key: bool) -> Alias | None:
    """The alias written as member ``token`` of ``parent`` (as ``_pointer.child`` finds it), if that member is one."""
    found = parse.aliases()
    if not found or parent is None:
        return None
    if isinstance(parent, SequenceNode):
        slot = int(token)
    else:
        last = max(i for i, (k, _) in enumerate(parent.value) if is_key(k, token))
        slot = 2 * last + (0 if key else 1)
    return found.get((id(parent), slot))


def _rebase(op: Mapping[str, Any], base: str) -> dict[str, Any]:
    out = dict(op)
    out["path"] = base + str(op["path"])
    if "from" in op:
        out["from"] = base + str(op["from"])
    return out


def _objects_of(doc: Document) -> Iterator[KubeObject]:
    parse = doc._parse()
    data = parse.view(doc.source, doc.number, doc.line)[0]
    if not isinstance(data, dict) or not isinstance(data.get("kind"), str):
        return
    node = parse.node
    yield _object(doc, "", data, node)
    if data.get("kind") == "List" and isinstance(data.get("items"), list):
        for i, item in enumerate(data["items"]):
            if isinstance(item, dict) and isinstance(item.get("kind"), str):
                found = resolve(node, ["items", str(i)])
                yield _object(doc, f"/items/{i}", item, found.node if found.complete else None)


def copy_data(value: Any) -> Any:
    """A copy of JSON-like data: new dicts and lists all the way down (strings and numbers are immutable)."""
    if isinstance(value, dict):
        return {k: copy_data(v) for k, v in value.items()}
    if isinstance(value, list):
        return [copy_data(v) for v in value]
    return value


def _object(doc: Document, pointer: str, data: dict[str, Any], node: Node | None) -> KubeObject:
    metadata = data.get("metadata")
    metadata = metadata if isinstance(metadata, dict) else {}
    labels = metadata.get("labels")
    labels = labels if isinstance(labels, dict) else {}
    name = metadata.get("name")
    namespace = metadata.get("namespace")
    api_version = data.get("apiVersion")
    line = doc.line + (node.start_mark.line if node is not None else 0)
    return KubeObject(
        source=doc.source,
        index=doc.index,
        document=doc.number,
        pointer=pointer,
        line=line,
        api_version=api_version if isinstance(api_version, str) else None,
        kind=data["kind"],
        name=name if isinstance(name, str) else None,
        namespace=namespace if isinstance(namespace, str) else None,
        labels=MappingProxyType({str(k): str(v) for k, v in labels.items()}),
        _document=doc,
    )


def load(data: str | bytes | bytearray | memoryview | BinaryIO, source: str | os.PathLike[str] = "<string>") -> Manifest:
    """Read a YAML stream into a Manifest, without parsing any document yet.

    ``data`` is text, UTF-8 bytes, or a binary file open for reading (read a piece at a time: its bytes are
    never all held at once); a byte-order mark is kept for rendering. ``source`` names it in every message (a
    path is accepted). Raises DecodeError for bytes that are not UTF-8, text that UTF-8 cannot hold, or
    arguments of another type (and a file's ``OSError``). YAML errors surface when a document is first looked
    at; call :func:`validate_syntax` or ``manifest.objects()`` to surface them all at once.

    Example:
        >>> m = load("kind: Namespace\\nmetadata: {name: demo}\\n")
        >>> m.objects()[0].name
        'demo'
    """
    if isinstance(source, os.PathLike):
        source = os.fspath(source)
    if not isinstance(source, str):
        raise DecodeError(f"the source names the input: it must be a str, not {type(source).__name__}")
    if isinstance(data, (str, bytes, bytearray, memoryview)):
        pieces, bom = decode_in_pieces(data, source)
    else:
        pieces, bom = decode_stream(data, source)  # a file; anything else is refused there
    parses = _Parses()
    docs = []
    index, line = 0, 1
    for piece in pieces:  # each document's text is cut from a piece: the whole text is never one string
        for start, end in split_documents(piece):
            chunk = piece[start:end]
            number = index + 1  # the next document's index too: one int for both
            docs.append(Document(chunk, index, line, source, parses, number))
            index = number
            line += chunk.count("\n")
    return Manifest(source, tuple(docs), bom)


def load_path(path: str | os.PathLike[str]) -> Manifest:
    """Read a file into a Manifest (its name becomes the source in every message), a piece at a time."""
    with open(path, "rb") as handle:
        return load(handle, source=os.fspath(path))


def concatenate(streams: Sequence[bytes]) -> bytes:
    """Several streams (files' bytes) as one: each starts a new document, the first one byte for byte.

    A stream that does not start with ``---`` gets one; a stream that starts with a directive (``%YAML``) needs the
    document before it closed by ``...`` instead, as YAML requires; byte-order marks after the first are dropped.
    """
    parts: list[bytes] = []
    for data in streams:
        if parts:
            if parts[-1] and not parts[-1].endswith(b"\n"):
                parts.append(b"\n")
            if data.startswith(b"\xef\xbb\xbf"):
                data = data[3:]
            if data.startswith(b"%"):
                parts.append(b"...\n")
            elif not data.startswith(b"---"):
                parts.append(b"---\n")
        parts.append(data)
    return b"".join(parts)


def concatenated(manifests: Sequence[Manifest]) -> Iterator[str]:
    """:func:`concatenate` of the manifests' texts (a joined manifest's files one by one), a piece at a time,
    without rendering any of them whole."""
    last: str | None = None  # the last character of the stream before ("" when it was empty); None: none yet
    for manifest in manifests:
        for part in manifest.split():
            if last is None:
                pieces = part.pieces()
            else:
                if last and last != "\n":
                    yield "\n"
                pieces = (doc.text for doc in part.documents)  # a byte-order mark after the first is dropped
                head = _head(part.documents, 3)
                if head.startswith("%"):
                    yield "...\n"
                elif not head.startswith("---"):
                    yield "---\n"
            last = ""
            for piece in pieces:
                if piece:
                    last = piece[-1]
                yield piece


def _head(documents: Sequence[Document], size: int) -> str:
    """The first ``size`` characters of the documents' texts (fewer when they hold fewer)."""
    head = ""
    for doc in documents:
        head += doc.text[: size - len(head)]
        if len(head) >= size:
            break
    return head


def encoded(pieces: Iterable[str], size: int = 1 << 16) -> Iterator[bytes]:
    """``pieces`` of text as UTF-8, in chunks of about ``size`` bytes, for a writer to write one after the other.

    Each piece is encoded on its own (so no chunk ends inside a character, and a piece that holds an emoji
    does not make its neighbours four bytes a character in a joined string).
    """
    batch: list[bytes] = []
    length = 0
    for piece in pieces:
        data = piece.encode("utf-8")
        batch.append(data)
        length += len(data)
        if length >= size:
            yield batch[0] if len(batch) == 1 else b"".join(batch)
            batch, length = [], 0
    if batch:
        yield batch[0] if len(batch) == 1 else b"".join(batch)


def _same_pieces(a: Iterable[str], b: Iterable[str]) -> bool:
    """Whether two sequences of pieces join into the same text, compared a piece at a time."""
    left, right = iter(a), iter(b)
    x = y = ""
    while True:
        if not x:
            x = next((p for p in left if p), "")
        if not y:
            y = next((p for p in right if p), "")
        if not x or not y:
            return not x and not y
        n = min(len(x), len(y))
        if x[:n] != y[:n]:
            return False
        x, y = x[n:], y[n:]


def check_syntax(manifest: Manifest) -> None:
    """Parse and build every document now, so that the first YAML error in the stream is raised."""
    for doc in manifest.documents:
        doc._view()
