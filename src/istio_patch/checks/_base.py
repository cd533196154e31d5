"""What every check rule shares: findings, the rule declaration, and the context a rule reads."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from .._errors import ModelValidationError

if TYPE_CHECKING:
    from .._kube import Duplicate
    from .._manifest import KubeObject, Manifest
    from .._models import KubeObjectModel

__all__ = ["Finding", "Rule", "CheckOptions", "Context", "Severity", "READ_KINDS"]

Severity = Literal["error", "warning"]

# The kinds the rules read as typed models: the Context types them as it reads the documents.
READ_KINDS = frozenset(
    {"Service", "DaemonSet", "Deployment", "StatefulSet", "ReplicaSet", "ReplicationController", "Job", "CronJob", "Pod", "HorizontalPodAutoscaler"}
)


@dataclass(frozen=True, order=True)
class Finding:
    """One problem a rule found: where (file, 1-based line and column), which rule, how bad, and what.

    ``str(finding)`` is ``file:line:col: [rule] message``, the line ``istio-patch check`` prints.
    """

    source: str
    line: int
    column: int
    rule: str
    message: str
    severity: Severity = "error"
    document: int | None = field(default=None, compare=False)  # 1-based number of the document in its file
    pointer: str | None = field(default=None, compare=False)  # JSON pointer inside that document

    def __str__(self) -> str:
        return f"{self.source}:{self.line}:{self.column}: [{self.rule}] {self.message}"


@dataclass(frozen=True, kw_only=True)
class CheckOptions:
    """What the rules that need a setting read.

    Attributes:
        bare_metal: the cluster has no cloud load balancer (the ``load-balancer`` rule runs only then).
        forbid_registries: registries (or registry/namespace prefixes) the nodes cannot pull from.
        node_port_range: the cluster's ``--service-node-port-range``, inclusive.
    """

    bare_metal: bool = False
    forbid_registries: tuple[str, ...] = ()
    node_port_range: tuple[int, int] = (30000, 32767)

    def __post_init__(self) -> None:
        from .._errors import OptionsError

        low, high = self.node_port_range
        if not (isinstance(low, int) and isinstance(high, int)) or not 1 <= low <= high <= 65535:
            raise OptionsError(f"check: the node port range {low}-{high} is not a range of ports")
        if isinstance(self.forbid_registries, str):
            raise OptionsError("check: forbid_registries is a list of registries, not one string")
        object.__setattr__(self, "forbid_registries", tuple(self.forbid_registries))


@dataclass(frozen=True)
class Rule:
    """A check rule, declared once in its own module: its id, its severity, its documentation and its check.

    ``enabled`` says whether the rule runs with the given options (``load-balancer`` only on bare metal).
    """

    id: str
    severity: Severity
    summary: str
    check: Callable[[Context], Iterator[Finding]]
    enabled: Callable[[CheckOptions], bool] = lambda options: True
    doc: str = field(default="", repr=False)


class Context:
    """The manifests a check reads, as one manifest for the rules that look across objects.

    Typed models are built once per object; an object whose fields do not have the types the API server
    requires is not given to the rules, and is reported once by the ``invalid-object`` rule.
    """

    def __init__(self, manifests: Sequence[Manifest], options: CheckOptions) -> None:
        self.manifests = tuple(manifests)
        self.options = options
        self._objects: list[tuple[Manifest, KubeObject]] | None = None
        self._typed: dict[tuple[int, int, str], KubeObjectModel | None] = {}
        self._duplicates: dict[int, list[tuple[int, Duplicate]]] = {}
        self.refused: list[tuple[Manifest, KubeObject, ModelValidationError]] = []

    def objects(self) -> list[tuple[Manifest, KubeObject]]:
        """(manifest, object) for every object of every manifest, in order.

        The documents are read once, in order, and while each one's parse is at hand its objects of the kinds
        the rules read (``READ_KINDS``) are typed and its repeated keys listed: a large manifest keeps the parses
        of a few documents only, and reading them again for each rule would parse them again.
        """
        if self._objects is None:
            from .._manifest import _objects_of

            self._objects = []
            for manifest in self.manifests:
                duplicates = self._duplicates[id(manifest)] = []
                for document in manifest.documents:
                    for obj in _objects_of(document):
                        self._objects.append((manifest, obj))
                        if obj.kind in READ_KINDS:
                            self.typed(manifest, obj)
                    duplicates.extend((document.index, dup) for dup in document.duplicates)
        return self._objects

    def duplicates(self, manifest: Manifest) -> list[tuple[int, Duplicate]]:
        """``manifest.duplicates()``, listed as the documents were read (see :meth:`objects`)."""
        if self._objects is None:  # no rule read the objects: only the duplicates are wanted
            return list(manifest.duplicates())
        return self._duplicates[id(manifest)]

    def typed(self, manifest: Manifest, obj: KubeObject) -> KubeObjectModel | None:
        """The typed model of ``obj``; None when the API server would refuse its fields (reported once)."""
        key = (id(manifest), obj.index, obj.pointer)
        if key not in self._typed:
            try:
                self._typed[key] = manifest.typed(obj)
            except ModelValidationError as exc:
                self._typed[key] = None
                self.refused.append((manifest, obj, exc))
        return self._typed[key]

    def of_kinds(self, *kinds: str) -> Iterator[tuple[Manifest, KubeObjectModel]]:
        """(manifest, typed model) for every object of ``kinds`` that fits its model."""
        for manifest, obj in self.objects():
            if obj.kind in kinds:
                model = self.typed(manifest, obj)
                if model is not None:
                    yield manifest, model

    def finding(self, rule: Rule, manifest: Manifest, model: KubeObjectModel, pointer: str, message: str) -> Finding:
        """A finding of ``rule`` at ``pointer`` inside ``model`` (a member's key, where a reader looks)."""
        origin = model.origin
        assert origin is not None  # read from the manifest
        line, column = manifest.documents[origin.index].position(origin.pointer + pointer, key=True)
        return Finding(manifest.source, line, column, rule.id, message, rule.severity, origin.document, origin.pointer + pointer)
