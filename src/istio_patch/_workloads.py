"""Where each workload kind keeps its pod spec and containers, and file lines of pointers.

Shared by the transforms and the CLI's checks; imports nothing heavy.
"""

from __future__ import annotations

from typing import Any, Iterator, Mapping

from ._manifest import KubeObject, Manifest

__all__ = ["POD_SPEC_POINTERS", "pod_spec_pointer", "containers_of", "line_at", "get"]

# Where each kind keeps its pod spec, relative to the object.
POD_SPEC_POINTERS: Mapping[str, str] = {
    "Pod": "/spec",
    "Deployment": "/spec/template/spec",
    "DaemonSet": "/spec/template/spec",
    "StatefulSet": "/spec/template/spec",
    "ReplicaSet": "/spec/template/spec",
    "ReplicationController": "/spec/template/spec",
    "Job": "/spec/template/spec",
    "CronJob": "/spec/jobTemplate/spec/template/spec",
}

_CONTAINER_FIELDS = ("initContainers", "containers", "ephemeralContainers")


def get(data: Any, pointer: str) -> Any:
    """The value at ``pointer`` in plain data, or ``None`` when any step is missing."""
    for token in (t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]):
        if isinstance(data, dict):
            data = data.get(token)
        elif isinstance(data, list) and token.isdigit() and int(token) < len(data):
            data = data[int(token)]
        else:
            return None
    return data


def pod_spec_pointer(obj: KubeObject) -> str | None:
    """The pointer of ``obj``'s pod spec, or ``None`` when its kind has none or it is not a mapping."""
    pointer = POD_SPEC_POINTERS.get(obj.kind or "")
    if pointer is None or not isinstance(get(obj.data, pointer), dict):
        return None
    return pointer


def containers_of(obj: KubeObject) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """(pointer, container) for every init, regular and ephemeral container of ``obj``'s pod spec."""
    spec_pointer = pod_spec_pointer(obj)
    if spec_pointer is None:
        return
    spec = get(obj.data, spec_pointer)
    for field in _CONTAINER_FIELDS:
        items = spec.get(field)
        if isinstance(items, list):
            for i, container in enumerate(items):
                if isinstance(container, dict):
                    yield f"{spec_pointer}/{field}/{i}", container


def line_at(manifest: Manifest, obj: KubeObject, pointer: str) -> int:
    """The 1-based file line of ``pointer`` inside ``obj`` (of its nearest existing ancestor if it is absent)."""
    return manifest.documents[obj.document].position(obj.pointer + pointer)[0]
