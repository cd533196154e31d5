"""Docker image references: parsing, normalising, and finding them inside free text.

The grammar is the one of Docker's ``distribution/reference`` package::

    reference  := name [ ":" tag ] [ "@" digest ]
    name       := [ domain "/" ] path-component [ "/" path-component ]*
    domain     := host [ ":" port ]             (a first component is a domain when it holds "." or ":",
                                                 or is "localhost")
    path-component := [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )*
    tag        := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
    digest     := algorithm ":" hex             (e.g. sha256:<64 hex digits>)

An image field that names no domain pulls from Docker Hub: ``nginx`` is ``docker.io/library/nginx:latest``
and ``istio/pilot`` is ``docker.io/istio/pilot``. :meth:`Reference.normalized` spells that out.

Example:
    >>> ref = Reference.parse("gcr.io/istio-release/pilot:1.0.0")
    >>> ref.domain, ref.path, ref.tag
    ('gcr.io', ('istio-release', 'pilot'), '1.0.0')
    >>> str(Reference.parse("nginx").normalized())
    'docker.io/library/nginx'
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace

__all__ = ["Reference", "DOCKER_HUB", "is_domain", "is_registry", "find_references", "find_image_references", "Found"]

DOCKER_HUB = "docker.io"
_HUB_ALIASES = ("index.docker.io", "registry-1.docker.io")
_OFFICIAL = "library"

_PATH_COMPONENT = re.compile(r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*\Z")
_DOMAIN = re.compile(r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*(?::[0-9]+)?\Z")
_TAG = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}\Z")
_DIGEST = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}\Z")
_NAME_MAX = 255

# A reference in free text starts at the start of the string or after one of these (the same boundaries a
# careful `sed` would use: never after a letter, '.', '/', ':' or '-', so never inside a URL or a longer name)
# and runs as long as characters a reference may hold follow.
_TOKEN = re.compile(r"(?:^|(?<=[\s\"'=\[,]))([A-Za-z0-9][A-Za-z0-9._\-/:@+]*)")
# The pieces of _TOKEN, for finding its words from a '/' outward (_slashed_words)
_WORD_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-/:@+")
_FIRST_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
_WORD_REST = re.compile(r"[A-Za-z0-9._\-/:@+]*")
_BOUNDARY = re.compile(r"[\s\"'=\[,]")
# `image: NAME` inside a string (a Pod template kept in a ConfigMap): an image field, written as text.
_IMAGE_KEY = re.compile(r"(?<![^\s])image:[ \t]+[\"']?\Z")


def is_registry(text: str) -> bool:
    """True when ``text`` is spelt like a registry host with optional port (``gcr.io``, ``localhost:5000``)."""
    return bool(_DOMAIN.match(text))


def is_domain(component: str) -> bool:
    """True when the first component of a name is a registry host: it holds '.' or ':' or is ``localhost``."""
    return "." in component or ":" in component or component == "localhost"


@dataclass(frozen=True)
class Reference:
    """An image reference, as written: ``domain`` is ``None`` when it is implicit (Docker Hub).

    Attributes:
        domain: registry host with optional port (``gcr.io``, ``localhost:5000``), or None.
        path: the repository's path components (``("istio-release", "pilot")``).
        tag: the tag, or None.
        digest: the digest (``sha256:...``), or None.
    """

    domain: str | None
    path: tuple[str, ...]
    tag: str | None = None
    digest: str | None = None

    @classmethod
    def parse(cls, text: str) -> Reference | None:
        """The reference ``text`` spells, or None when it is not one."""
        name, digest = text, None
        if "@" in name:
            name, digest = name.split("@", 1)
            if not _DIGEST.match(digest):
                return None
        tag = None
        slash = name.rfind("/")
        colon = name.rfind(":")
        if colon > slash:
            name, tag = name[:colon], name[colon + 1 :]
            if not _TAG.match(tag):
                return None
        if not name or len(name) > _NAME_MAX:
            return None
        components = name.split("/")
        domain = None
        if len(components) > 1 and is_domain(components[0]):
            domain = components.pop(0)
            if not _DOMAIN.match(domain):
                return None
        if not all(_PATH_COMPONENT.match(c) for c in components):
            return None
        return cls(domain, tuple(components), tag, digest)

    @property
    def name(self) -> str:
        """The repository name as written: domain (if any) and path."""
        return "/".join(((self.domain,) if self.domain else ()) + self.path)

    @property
    def suffix(self) -> str:
        """``:tag@digest`` as far as present."""
        return (f":{self.tag}" if self.tag else "") + (f"@{self.digest}" if self.digest else "")

    def normalized(self) -> Reference:
        """The same image with Docker Hub spelled out: ``docker.io`` and ``library/`` for official images."""
        domain = self.domain or DOCKER_HUB
        if domain in _HUB_ALIASES:
            domain = DOCKER_HUB
        path = self.path
        if domain == DOCKER_HUB and len(path) == 1:
            path = (_OFFICIAL,) + path
        return replace(self, domain=domain, path=path)

    def pulled(self) -> str:
        """The full reference a node pulls: normalized, with ``latest`` when neither tag nor digest is given."""
        full = self.normalized()
        if full.tag is None and full.digest is None:
            full = replace(full, tag="latest")
        return str(full)

    def components(self) -> tuple[str, ...]:
        """The normalized name as components, domain first (for prefix matching on component boundaries)."""
        full = self.normalized()
        return (full.domain or DOCKER_HUB,) + full.path

    def __str__(self) -> str:
        return self.name + self.suffix


@dataclass(frozen=True)
class Found:
    """A reference found in a string: where it starts and ends, and whether it sits in an ``image:`` field."""

    start: int
    end: int
    reference: Reference
    image_field: bool

    @property
    def text(self) -> str:
        return str(self.reference)


def find_references(text: str) -> Iterator[Found]:
    """Every reference-shaped word of ``text``, on reference boundaries, in order.

    A word counts when the reference grammar accepts it (trailing ``.``, ``:``, ``/``, ``-`` or ``@`` of a
    sentence are left out). Whether it is meant as an image is the caller's choice: see ``image_field``, and
    ``Reference.domain``.
    """
    return _find(text, _words(text))


def find_image_references(text: str) -> Iterator[Found]:
    """The words of :func:`find_references` that free text names as images: those after an ``image:`` key,
    and those that name their registry and a tag or digest (``gcr.io/istio-release/proxyv2:1.0.0``).

    Faster than filtering :func:`find_references`, with the same result: in text without an ``image:`` key,
    only words holding a '/' are parsed (a Grafana dashboard's JSON is some 30,000 words, a few of them images).
    """
    if _IMAGE_KEY_WORD in text:
        found = find_references(text)
    elif "/" in text:
        found = _find(text, _slashed_words(text))
    else:  # most strings of a manifest: names, labels, ports
        return
    for item in found:
        ref = item.reference
        if item.image_field or (ref.domain is not None and (ref.tag is not None or ref.digest is not None)):
            yield item


_IMAGE_KEY_WORD = "image:"  # what _IMAGE_KEY needs in a line: text without it has no image key at all


def _words(text: str) -> Iterator[tuple[int, str]]:
    """(start, word) for every word of ``text`` that may be a reference (``_TOKEN``)."""
    for match in _TOKEN.finditer(text):
        yield match.start(1), match.group(1)


def _slashed_words(text: str) -> Iterator[tuple[int, str]]:
    """The words of :func:`_words` that hold a '/', found from each '/' outward.

    What a registry needs; and in long text (a dashboard's JSON) jumping from '/' to '/' is many times faster
    than trying a word at every character. A word is a maximal run of word characters that starts with a
    letter or digit at the start of the text or after a boundary; inside a run no position can start one.
    """
    slash = text.find("/")
    while slash >= 0:
        start = slash
        while start > 0 and text[start - 1] in _WORD_CHARS:
            start -= 1
        rest = _WORD_REST.match(text, slash)
        end = rest.end() if rest is not None else slash + 1  # it always matches, at least the '/'
        if text[start] in _FIRST_CHARS and (start == 0 or _BOUNDARY.match(text, start - 1)):
            yield start, text[start:end]
        slash = text.find("/", end)


def _find(text: str, words: Iterator[tuple[int, str]]) -> Iterator[Found]:
    keyed = _IMAGE_KEY_WORD in text
    for start, word in words:
        read = _read_word(word)
        if read is None:
            continue
        ref, length = read
        yield Found(start, start + length, ref, keyed and _after_image_key(text, start))


@functools.lru_cache(maxsize=4096)
def _read_word(word: str) -> tuple[Reference, int] | None:
    """The reference a word spells, less a sentence's trailing punctuation, and its length; None if none.

    Remembered: manifests repeat their words (JSON keys, the same image in every template), and a Reference
    is immutable, so one parse serves every place.
    """
    ref = Reference.parse(word)
    while ref is None and word and word[-1] in ".:/-@":
        word = word[:-1]
        ref = Reference.parse(word) if word else None
    if ref is None or str(ref) != word:
        return None
    return ref, len(word)


def _after_image_key(text: str, start: int) -> bool:
    """True when a YAML key ``image:`` comes right before ``start`` on its line."""
    window = text[max(0, start - 64) : start]  # bounded: a line of JSON can be very long
    return bool(_IMAGE_KEY.search(window[window.rfind("\n") + 1 :]))
