"""``admission_plugins``: enable admission plugins in a kube-apiserver static Pod manifest (step 9 of the guide).

Istio's sidecar injection and configuration validation are admission webhooks, so the API server must run
``MutatingAdmissionWebhook`` and ``ValidatingAdmissionWebhook``. The guide added them by hand to
``/etc/kubernetes/manifests/kube-apiserver.yaml``; this transform does the same on the API server container
(the one named ``kube-apiserver``, or whose command starts with it) of the selected Pod:

- ``--enable-admission-plugins=A,B`` (Kubernetes 1.10 and later): the missing plugins are appended, in the
  order given, after the ones already there; none is written twice;
- ``--admission-control=A,B`` (Kubernetes 1.9 and earlier), where that is the flag in use: the same. This flag
  is an ordered list (plugins run in that order), so existing entries keep their places; when it ends with
  ``ResourceQuota``, which 1.9 recommends running last, a warning says that the new plugins now follow it;
- neither flag: ``--enable-admission-plugins=...`` is added as a new item after the last flag. That flag only
  adds to the API server's default plugins, so nothing else is turned off.

Exactly one line changes (or one is added). The flag may be written ``--flag=value`` or as ``--flag`` followed
by the value as the next item, in ``command`` or ``args``. Refused with OptionsError: both flags at once (the
API server refuses to start with both), a plugin that ``--disable-admission-plugins`` names, and a plugin name
that is not one (letters and digits).

Options:
    plugins: the plugins to enable, e.g. ``["MutatingAdmissionWebhook", "ValidatingAdmissionWebhook"]``.
    selector: the Pod; default ``Pod/kube-apiserver`` in any namespace.
    allow_no_match: a selector that matches nothing is not an error.

Example:
    >>> from istio_patch import load
    >>> m = load("kind: Pod\\nmetadata: {name: kube-apiserver}\\nspec:\\n  containers:\\n  - name: kube-apiserver\\n"
    ...          "    command:\\n    - kube-apiserver\\n    - --enable-admission-plugins=NodeRestriction\\n")
    >>> out = admission_plugins(m, plugins=["MutatingAdmissionWebhook", "ValidatingAdmissionWebhook"])
    >>> print(out.manifest.render().splitlines()[-1])
        - --enable-admission-plugins=NodeRestriction,MutatingAdmissionWebhook,ValidatingAdmissionWebhook
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from .._errors import OptionsError
from .._manifest import Manifest
from .._models import Container, Pod
from ._base import (
    Edit,
    Plan,
    Result,
    SelectingOptions,
    Selector,
    one_namespace,
    select,
    typed,
)
from ._descriptor import Flag, Transform
from ._options import Bounds, FieldError, trusted

__all__ = ["AdmissionPluginsOptions", "plan_admission_plugins", "admission_plugins", "TRANSFORM"]

ENABLE = "--enable-admission-plugins"
LEGACY = "--admission-control"
DISABLE = "--disable-admission-plugins"
_PLUGIN = re.compile(r"[A-Za-z][A-Za-z0-9]*\Z")


with trusted():
    _API_SERVER = Selector(kind="Pod", name="kube-apiserver")


@dataclass(frozen=True, kw_only=True)
class AdmissionPluginsOptions(SelectingOptions):
    """Options of :func:`admission_plugins`."""

    plugins: Annotated[list[str], Bounds(min_length=1)]
    selector: Selector = _API_SERVER

    def _check(self) -> None:
        for index, name in enumerate(self.plugins):
            if not _PLUGIN.match(name):
                raise FieldError(("plugins", index), f"{name!r} is not an admission plugin name (letters and digits, e.g. MutatingAdmissionWebhook)")
        object.__setattr__(self, "plugins", list(dict.fromkeys(self.plugins)))


@dataclass(frozen=True)
class _Flag:
    """A flag's value in the container: the list holding it, the item with the value, and the value."""

    name: str
    field: str  # "command" or "args"
    index: int  # the item holding the value
    prefix: str  # what precedes the value in that item ("--flag=" or "")
    value: str

    @property
    def plugins(self) -> list[str]:
        return [p.strip() for p in self.value.split(",") if p.strip()]


def plan_admission_plugins(manifest: Manifest, options: AdmissionPluginsOptions) -> Plan:
    """The one operation that enables the missing plugins on the selected kube-apiserver Pod(s).

    Raises SelectorError when no Pod matches (unless ``allow_no_match``); OptionsError for an object that is
    not a Pod, a Pod without an API server container, both flags at once, or a plugin that is disabled.
    """
    edits = []
    warnings: list[str] = []
    notes: list[str] = []
    found = select(manifest, options.selector, allow_no_match=options.allow_no_match, what="admission_plugins")
    one_namespace(found, options.selector, options, what="admission_plugins", source=manifest.source)
    for obj in found:
        if obj.kind != "Pod":
            raise OptionsError(f"admission_plugins: {obj.describe()} is not a Pod", source=obj.source, line=obj.line)
        pod = typed(manifest, obj, Pod)
        pointer, container = _apiserver_container(pod)
        ops = _operations(pod, pointer, container, options.plugins)
        if ops:
            edits.append(Edit.on(pod, ops, "enable admission plugins " + ",".join(options.plugins)))
        else:
            notes.append(f"admission_plugins: {pod.describe()} enables {', '.join(options.plugins)} already")
        legacy = _find(container, LEGACY)
        if ops and legacy and legacy[-1].plugins[-1:] == ["ResourceQuota"]:
            warnings.append(
                f"admission_plugins: {pod.describe()}: {LEGACY} runs plugins in its order, and the new ones now come "
                "after ResourceQuota; Kubernetes 1.9 recommends ResourceQuota last"
            )
    return Plan("admission_plugins", tuple(edits), tuple(warnings), tuple(notes))


def _apiserver_container(pod: Pod) -> tuple[str, Container]:
    for pointer, container in pod.containers():
        if pointer.startswith("/spec/containers/") and (container.name == "kube-apiserver" or _runs_apiserver(container)):
            return pointer, container
    origin = pod.origin
    raise OptionsError(
        f"admission_plugins: {pod.describe()} has no kube-apiserver container "
        "(none is named kube-apiserver or runs it)",
        source=origin.source if origin else None,
        line=origin.line if origin else None,
    )


def _runs_apiserver(container: Container) -> bool:
    """True when the command (or args) names the kube-apiserver binary: ``kube-apiserver``,
    ``/usr/local/bin/kube-apiserver``, or hyperkube's ``/hyperkube kube-apiserver``."""
    words = [*(container.command or ()), *(container.args or ())]
    return any(not w.startswith("-") and w.rsplit("/", 1)[-1] == "kube-apiserver" for w in words[:3])


def _find(container: Container, name: str) -> list[_Flag]:
    """Every writing of flag ``name`` in the container's command and args, in order."""
    found = []
    for field, items in (("command", container.command), ("args", container.args)):
        for i, item in enumerate(items or ()):
            if item.startswith(name + "="):
                found.append(_Flag(name, field, i, name + "=", item[len(name) + 1 :]))
            elif item == name and items is not None and i + 1 < len(items):
                found.append(_Flag(name, field, i + 1, "", items[i + 1]))
    return found


def _operations(pod: Pod, pointer: str, container: Container, plugins: list[str]) -> list[dict[str, Any]]:
    enable, legacy = _find(container, ENABLE), _find(container, LEGACY)
    where = f"admission_plugins: {pod.describe()}"
    origin = pod.origin
    source, line = (origin.source, origin.line) if origin else (None, None)
    if enable and legacy:
        raise OptionsError(f"{where} sets both {LEGACY} and {ENABLE}, which the API server refuses; keep one of them", source=source, line=line)
    disabled = [p for flag in _find(container, DISABLE) for p in flag.plugins]
    clash = [p for p in plugins if p in disabled]
    if clash:
        raise OptionsError(f"{where} disables {', '.join(clash)} in {DISABLE}; enable it there first", source=source, line=line)
    flags = enable or legacy
    if not flags:
        return _add_flag(pointer, container, plugins)
    present = {p for flag in flags for p in flag.plugins}
    missing = [p for p in plugins if p not in present]
    if not missing:
        return []
    last = flags[-1]  # a repeated list flag adds up; extend the last writing
    value = ",".join(last.plugins + missing) if last.value.strip() else ",".join(missing)
    return [{"op": "replace", "path": f"{pointer}/{last.field}/{last.index}", "value": last.prefix + value}]


def _add_flag(pointer: str, container: Container, plugins: list[str]) -> list[dict[str, Any]]:
    """A new ``--enable-admission-plugins=`` item after the last flag of the list that holds the flags."""
    item = f"{ENABLE}={','.join(plugins)}"
    lists = {f: v for f, v in (("command", container.command), ("args", container.args)) if v is not None and container.has(f)}
    if not lists:
        return [{"op": "add", "path": f"{pointer}/command", "value": ["kube-apiserver", item]}]
    flags = {f: [i for i, w in enumerate(v) if w.startswith("-")] for f, v in lists.items()}
    field = max(lists, key=lambda f: (len(flags[f]), f == "command"))
    items = lists[field]
    at = flags[field][-1] + 1 if flags[field] else len(items)
    if flags[field] and "=" not in items[at - 1] and at < len(items) and not items[at].startswith("-"):
        at += 1  # the last flag's value is the next item: keep them together
    position = "-" if at >= len(items) else str(at)
    return [{"op": "add", "path": f"{pointer}/{field}/{position}", "value": item}]


def admission_plugins(
    manifest: Manifest,
    options: AdmissionPluginsOptions | None = None,
    *,
    plugins: Sequence[str] | None = None,
    selector: Selector | str | None = None,
    namespace: str | None = None,
    all_namespaces: bool | None = None,
    allow_no_match: bool | None = None,
) -> Result:
    """Enable admission plugins in a kube-apiserver static Pod (:func:`plan_admission_plugins`); ``options`` or keywords.

    ``selector`` is a Selector or kubectl's ``TYPE/NAME`` (with ``namespace``); by default ``pod/kube-apiserver``.
    """
    keywords = dict(plugins=plugins, selector=selector, namespace=namespace, all_namespaces=all_namespaces, allow_no_match=allow_no_match)
    return TRANSFORM.call(manifest, options, keywords)


def _plugin_list(text: str) -> list[str]:
    return [p.strip() for p in text.split(",") if p.strip()]


TRANSFORM = Transform(
    name="admission_plugins",
    summary="enable admission plugins in a kube-apiserver static Pod manifest (step 9)",
    options=AdmissionPluginsOptions,
    plan=plan_admission_plugins,
    function=admission_plugins,
    flag=Flag("--admission-plugins", option="plugins", metavar="A,B", help="enable admission plugins in a kube-apiserver manifest", parse=_plugin_list),
    doc=__doc__ or "",
)
