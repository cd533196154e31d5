"""The command line: ``istio-patch`` (or ``python -m istio_patch``) with apply, images, plan, check, summary, validate.

A thin layer over the library with the habits of kubectl (``TYPE/NAME``, ``-n``, ``-f``), sed (``-i``, a backup
suffix) and diff (``--check``, exit 1). It parses flags, reads and writes files, and prints; every Kubernetes and
YAML rule is the library's. Exit codes: 0 success, 1 ``--check``/``check``/``validate`` found something, 2 usage,
input or output errors, 141 when the reader of stdout left, 128 + N when signal N stopped the run. Errors go to
stderr as ``istio-patch: error: FILE:LINE:COL: message``. Writing is safe (see docs/cli.md, "Writing safely").

Only what a command needs is imported: startup time is part of every call (and of every helm install).
"""

from ._app import main, main_entry

__all__ = ["main", "main_entry"]
