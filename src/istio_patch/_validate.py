"""Offline checks of a manifest's objects against the OpenAPI schemas of one Kubernetes release.

The schemas come from the optional ``kubernetes-validate`` package (``pip install 'kubernetes-validate>=1.28'``),
which ships the JSON schemas of every release it supports; nothing is fetched from the network and no
cluster is needed. Each object is checked against the schema of its apiVersion and kind:

- an object of a built-in API group whose version the release does not serve (``extensions/v1beta1``
  Deployments on 1.25) is an error that names the versions served instead (``modernize`` fixes most);
- an object of a group no built-in API uses (Istio's ``networking.istio.io``, ...) is *skipped*: only its
  CustomResourceDefinition knows its schema;
- every schema violation is an error at the file line and JSON pointer of the offending value.

``strict=True`` also refuses fields the schema does not declare (the API server drops them with a warning).

Example:
    >>> from istio_patch import load
    >>> m = load("apiVersion: v1\\nkind: Service\\nmetadata:\\n  name: s\\nspec:\\n  ports:\\n  - port: web\\n")
    >>> for problem in validate(m, "1.25"):
    ...     print(problem)
    <string>:7: error: Service s: /spec/ports/0/port: 'web' is not of type 'integer'
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from ._errors import OptionsError
from ._manifest import KubeObject, Manifest
from ._pointer import escape, join, resolve, tokens
from ._versions import parse_kubernetes_version

__all__ = ["Problem", "validate", "available_versions"]

# istio-patch is installed from its source, so the extra's one package is what can be installed by name
_INSTALL_HINT = "pip install 'kubernetes-validate>=1.28' (in istio-patch's environment; the extra 'validate' of its source)"

# Groups of built-in APIs that recent schemas may no longer mention at all (every version removed).
_LEGACY_BUILT_IN_GROUPS = frozenset(
    {
        "",
        "extensions",
        "apps",
        "batch",
        "policy",
        "autoscaling",
        "admissionregistration.k8s.io",
        "apiextensions.k8s.io",
        "apiregistration.k8s.io",
        "certificates.k8s.io",
        "coordination.k8s.io",
        "discovery.k8s.io",
        "events.k8s.io",
        "flowcontrol.apiserver.k8s.io",
        "networking.k8s.io",
        "node.k8s.io",
        "rbac.authorization.k8s.io",
        "scheduling.k8s.io",
        "settings.k8s.io",
        "storage.k8s.io",
    }
)
# Kinds the schemas describe but that are requests or wrappers, not objects one installs.
_NOT_OBJECTS = frozenset({"DeleteOptions", "WatchEvent", "Status"})


@dataclass(frozen=True)
class Problem:
    """One finding: an object that breaks its schema (``error``), or one no built-in schema covers (``skipped``).

    ``pointer`` is the JSON pointer in the document (a ``kind: List`` item's pointer starts with ``/items/N``);
    ``line`` is the 1-based file line of that value, or of its nearest ancestor when the value is missing.
    """

    source: str
    line: int
    document: int
    pointer: str
    object: str
    severity: Literal["error", "skipped"]
    message: str

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.severity}: {self.object}: {self.pointer or '/'}: {self.message}"


def validate(manifest: Manifest, kubernetes_version: str, *, strict: bool = False) -> tuple[Problem, ...]:
    """The problems of every object of ``manifest`` against the schemas of ``kubernetes_version`` (``"1.25"``).

    An empty tuple means every object was checked and passed. Raises OptionsError when kubernetes-validate is
    not installed or has no schemas for that release (the message names the releases it has).
    """
    schemas = _schemas(_release(kubernetes_version), strict)
    problems: list[Problem] = []
    for obj in manifest.objects():
        if obj.kind == "List" and obj.pointer == "":
            continue  # its items are objects of their own, checked one by one
        problems.extend(_check(manifest, obj, schemas))
    return tuple(problems)


def available_versions() -> tuple[str, ...]:
    """The Kubernetes releases (``"1.25"``, ...) the installed kubernetes-validate has schemas for, oldest first."""
    return tuple(f"{major}.{minor}" for major, minor in sorted(_folders()))


def _package() -> Any:
    try:
        from importlib import resources

        import kubernetes_validate  # noqa: F401  (optional: loaded only when asked to validate)
    except ImportError:
        raise OptionsError(
            f"validate: the kubernetes-validate package is not installed; install it with: {_INSTALL_HINT}"
        ) from None
    return resources.files("kubernetes_validate") / "kubernetes-json-schema"


@functools.cache
def _folders() -> dict[tuple[int, int], str]:
    found: dict[tuple[int, int], str] = {}
    for entry in _package().iterdir():
        match = re.fullmatch(r"v(\d+)\.(\d+)\.\d+-local", entry.name)
        if match:
            found[int(match.group(1)), int(match.group(2))] = entry.name
    return found


def _release(kubernetes_version: str) -> str:
    try:
        wanted = parse_kubernetes_version(kubernetes_version)
    except ValueError as exc:
        raise OptionsError(f"validate: {exc}") from None
    folders = _folders()
    if wanted not in folders:
        import kubernetes_validate

        raise OptionsError(
            f"validate: kubernetes-validate {kubernetes_validate.__version__} has no schemas for Kubernetes "
            f"{wanted[0]}.{wanted[1]}; it has {', '.join(available_versions())}"
        )
    return folders[wanted]


@dataclass(frozen=True)
class _Schemas:
    release: str
    validators: Mapping[tuple[str, str, str], Any]  # (group, version, kind) -> jsonschema validator
    groups: frozenset[str]

    def served(self, kind: str) -> list[str]:
        """The apiVersions that serve ``kind``, in any group."""
        return sorted(f"{g}/{v}" if g else v for g, v, k in self.validators if k == kind)


@functools.lru_cache(maxsize=4)
def _schemas(folder: str, strict: bool) -> _Schemas:
    import jsonschema

    path = _package() / (folder + ("-strict" if strict else "")) / "_definitions.json"
    definitions = json.loads(path.read_text(encoding="utf-8"))
    # recent kubernetes-validate releases write JSON Schema 2020-12 ("$defs"), older ones draft 7 ("definitions")
    section = "$defs" if "$defs" in definitions else "definitions"
    cls = jsonschema.validators.validator_for(definitions, default=jsonschema.Draft7Validator)
    validators: dict[tuple[str, str, str], Any] = {}
    groups: set[str] = set()
    for name, schema in definitions[section].items():
        for gvk in schema.get("x-kubernetes-group-version-kind", ()):
            groups.add(gvk["group"])
            if gvk["kind"] in _NOT_OBJECTS:
                continue
            # the whole file is the root, so that its "#/..." references resolve without a registry
            root = {**definitions, "$ref": f"#/{section}/{name}"}
            validators[gvk["group"], gvk["version"], gvk["kind"]] = cls(root)
    release = folder[1:].split(".", 2)
    return _Schemas(f"{release[0]}.{release[1]}", validators, frozenset(groups | _LEGACY_BUILT_IN_GROUPS))


def _check(manifest: Manifest, obj: KubeObject, schemas: _Schemas) -> Iterator[Problem]:
    def problem(pointer: str, severity: Literal["error", "skipped"], message: str) -> Problem:
        line = _line_of(manifest, obj, pointer)
        return Problem(obj.source, line, obj.document, obj.pointer + pointer, obj.describe(), severity, message)

    if not obj.api_version:
        yield problem("/apiVersion", "error", "the object has no apiVersion")
        return
    group, _, version = obj.api_version.rpartition("/")
    validator = schemas.validators.get((group, version, obj.kind or ""))
    if validator is None:
        if group not in schemas.groups:
            yield problem("", "skipped", f"{obj.api_version} {obj.kind} is not built in: its CustomResourceDefinition defines it")
            return
        served = schemas.served(obj.kind or "")
        instead = f"; it serves {obj.kind} as {', '.join(served)}" if served else ""
        yield problem(
            "/apiVersion", "error", f"Kubernetes {schemas.release} does not serve {obj.api_version} {obj.kind}{instead}"
        )
        return
    for error in sorted(validator.iter_errors(dict(obj.data)), key=lambda e: [str(p) for p in e.absolute_path]):
        pointer = join(error.absolute_path)
        unknown = _unknown_fields(error)
        if unknown:
            # one problem per field, at the field itself, in kubectl's words
            for key in unknown:
                yield problem(f"{pointer}/{escape(key)}", "error", f"unknown field {key!r}")
        else:
            yield problem(pointer, "error", error.message)


def _unknown_fields(error: Any) -> list[str]:
    """The undeclared keys a strict schema's ``additionalProperties: false`` refused, or ``[]``."""
    if error.validator != "additionalProperties" or error.validator_value is not False or not isinstance(error.instance, dict):
        return []
    declared = error.schema.get("properties", {})
    patterns = error.schema.get("patternProperties", {})
    return [k for k in error.instance if k not in declared and not any(re.search(p, k) for p in patterns)]


def _line_of(manifest: Manifest, obj: KubeObject, pointer: str) -> int:
    """The 1-based file line of ``pointer`` in ``obj``: the line of a member's key (where ``kubectl`` users look),
    of a sequence item, or of the nearest ancestor that exists."""
    doc = manifest.documents[obj.index]
    parts = tokens(obj.pointer + pointer)
    found = resolve(doc.node, parts, key=True)
    if not found.complete:  # the nearest ancestor, by its key
        found = resolve(doc.node, parts[: found.depth], key=True)
    line = found.node.start_mark.line if found.node is not None else 0
    return doc.line + line
