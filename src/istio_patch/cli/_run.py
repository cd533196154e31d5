"""Reading the inputs into manifests, checking their syntax first, and running the steps over every file."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ._common import PROG, UsageError
from ._inputs import Reader, Source, is_stdin, read_inputs
from ._progress import progress

if TYPE_CHECKING:
    from .._manifest import Manifest
    from .._recipe import StepSpec
    from ..transforms import Result, Step

__all__ = ["manifests_of", "load_all", "steps_of", "Run", "run_steps"]


def _names(args: argparse.Namespace) -> list[str]:
    names = list(args.files) + list(getattr(args, "more_files", []) or []) or ["-"]
    if sum(map(is_stdin, names)) > 1:
        raise UsageError(f"{PROG}: stdin ('-') can be read only once")
    return names


def manifests_of(args: argparse.Namespace) -> list[Manifest]:
    """The files the command line names (or stdin) as Manifests whose syntax is checked (see :func:`load_all`).

    Every file but the last is read whole, in order, and the last opened, before any is loaded: a file that
    cannot be read is named first, and pipes are read in the order given. The last file is read as its
    documents are cut, and the others' bytes go as soon as theirs are: what a command keeps is the documents.
    """
    names = _names(args)
    for name in names:
        progress.read(_size(name))
    sources = read_inputs(names[:-1])
    with Reader(names[-1]) as last:
        sources.reverse()
        manifests = []
        while sources:
            manifests.extend(load_all([sources.pop()]))
        manifests.append(_checked(last, last.name))
    return manifests


def load_all(inputs: Sequence[Source]) -> list[Manifest]:
    """Every input as a Manifest whose syntax is checked: a YAML error anywhere stops the run before any output.

    libyaml's parser checks every document (``check_syntax_quickly``: the verdict and the error of building
    every document, at a fraction of the cost); node trees and views are built for the documents that a
    command reads, when it reads them.
    """
    return [_checked(item.data, item.name) for item in inputs]


def _checked(data: bytes | Reader, name: str) -> Manifest:
    from .._manifest import load
    from .._syntax import check_syntax_quickly

    progress.show(f"reading {name}")
    manifest = load(data, source=name)  # type: ignore[arg-type]  # a Reader reads as a binary file
    counted = _size(name) > 0  # a regular file was counted before it was read; a stream is counted now
    progress.read(0 if counted else sum(len(doc.text) for doc in manifest.documents), len(manifest.documents))
    check_syntax_quickly(manifest, lambda done, total: progress.show(f"checking {name}: documents", done, total))
    return manifest


def _size(name: str) -> int:
    """The size of a regular file (0 for anything else, which is counted once read)."""
    import os
    import stat

    try:
        info = os.stat(name)
    except (OSError, ValueError):
        return 0
    return info.st_size if stat.S_ISREG(info.st_mode) else 0


def steps_of(args: argparse.Namespace) -> list[tuple[StepSpec, Step]]:
    """The steps the transform flags and recipes say, every option checked before any input is read."""
    from ._flags import specs_from_flags

    specs = specs_from_flags(args)
    if not specs:
        return []
    from .._recipe import build_steps

    return build_steps(specs)


@dataclass
class Run:
    """What running the steps gave: the inputs as one manifest before and after, and every step's report."""

    before: Manifest
    after: Manifest
    results: list[Result] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def outputs(self) -> list[Manifest]:
        """Each input file after the steps, edited where its own objects were."""
        return self.after.split()


def run_steps(manifests: list[Manifest], steps: Sequence[tuple[StepSpec, Step]]) -> Run:
    """The steps over every file as one manifest, so that the rules that look across objects (an HPA and the
    Deployment it scales, two workloads' hostPorts) see them wherever they are; each file gets its own edits."""
    from .._errors import SelectorError
    from .._manifest import Manifest

    joined = Manifest.join(manifests) if manifests else Manifest("<stdin>", ())
    run = Run(joined, joined)
    if steps and not joined.has_objects():
        return run  # nothing to select (empty files, comments only): empty in, empty out
    for number, (spec, step) in enumerate(steps, 1):
        progress.show(f"step {number} of {len(steps)}: {spec.origin}")
        try:
            result = step(run.after)
        except SelectorError as exc:
            if len(manifests) > 1:
                exc.message += f" (in none of the {len(manifests)} files)"
            if spec.transform == "preset":
                exc.message = f"{spec.origin}: {exc.message}"
            raise
        run.after = result.manifest
        run.results.append(result)
        run.warnings.extend(result.warnings)  # the same warning twice is said once, with a count
        run.notes.extend(n for n in result.notes if n not in run.notes)
    return run
