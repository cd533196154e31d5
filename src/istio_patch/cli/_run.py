"""Reading the inputs into manifests, checking their syntax first, and running the steps over every file."""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Sequence

from ._common import PROG, UsageError
from ._inputs import Source, is_stdin, read_inputs

if TYPE_CHECKING:
    from .._manifest import Manifest
    from .._recipe import StepSpec
    from ..transforms import Result, Step

__all__ = ["inputs_of", "load_all", "steps_of", "Run", "run_steps"]


def inputs_of(args: argparse.Namespace) -> list[Source]:
    """The files the command line names (``FILE ...`` and ``-f FILE``), or stdin, read."""
    names = list(args.files) + list(getattr(args, "more_files", []) or []) or ["-"]
    if sum(map(is_stdin, names)) > 1:
        raise UsageError(f"{PROG}: stdin ('-') can be read only once")
    return read_inputs(names)


def load_all(inputs: Sequence[Source], *, build_every_document: bool = True) -> list[Manifest]:
    """Every input as a Manifest whose syntax is checked: a YAML error anywhere stops the run before any output.

    Commands that read every object anyway build every document now (``check_syntax``). ``apply`` and ``plan``
    pass ``build_every_document=False``: only the documents a transform looks at need their node trees and views,
    and the others are checked by libyaml's parser alone.
    """
    from .._manifest import check_syntax, load
    from .._syntax import check_syntax_quickly

    manifests = []
    for item in inputs:
        manifest = load(item.data, source=item.name)
        if build_every_document:
            check_syntax(manifest)
        else:
            check_syntax_quickly(manifest)
        manifests.append(manifest)
    return manifests


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
    for spec, step in steps:
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
