"""``apply`` and ``plan``: run the transforms, then write the result, a diff, the plan, or a kustomize overlay."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from ._common import EXIT_FOUND, EXIT_OK, PROG, Failure, UsageError, err, out, warn
from ._files import make_folder, write_files, write_output
from ._inputs import InPlace, is_stdin
from ._progress import progress
from ._run import load_all, manifests_of, run_steps, steps_of

if TYPE_CHECKING:
    from .._manifest import Manifest
    from .._recipe import StepSpec
    from ..transforms import Step
    from ._run import Run

__all__ = ["apply", "plan"]


def apply(args: argparse.Namespace) -> int:
    _refuse_contradictions(args)
    steps = steps_of(args)  # recipes and options are refused before any input is read
    if args.in_place:
        with InPlace(list(args.files) + list(args.more_files)) as edit:  # locked from before they are read until written
            before, after = _run(args, steps, load_all(edit.sources))
            changed = [not old.same_text(new) for old, new in zip(before, after)]
            if not args.check:  # --check only tells
                edit.write([new.to_bytes() if change else source.data for source, new, change in zip(edit.sources, after, changed)], backup=args.backup)
            return _verdict(args, before, changed)
    before, after = _run(args, steps, manifests_of(args))
    changed = [not old.same_text(new) for old, new in zip(before, after)]
    progress.show("writing the diff" if args.diff else "writing")
    if args.diff:
        out(_diff(before, after, _use_color(args.color)))
    elif args.check:
        pass
    elif args.output:
        write_output(args.output, _encoded(after))
    else:
        out(_encoded(after))
    return _verdict(args, before, changed)


def _refuse_contradictions(args: argparse.Namespace) -> None:
    command = f"{PROG} apply"
    if args.backup is not None and not args.in_place:
        raise UsageError(f"{command}: --backup needs -i/--in-place")
    if args.backup == "":
        raise UsageError(f"{command}: --backup needs a suffix, e.g. .ori")
    if args.backup is not None and "/" in args.backup:
        raise UsageError(f"{command}: --backup takes a suffix without '/', e.g. .ori (the backup stays beside its file)")
    if args.output == "":
        raise UsageError(f"{command}: -o needs a file name ('-' for stdout)")
    if args.output in ("yaml", "json", "name", "wide") and not os.path.exists(args.output):
        raise UsageError(
            f"{command}: -o {args.output} would write a file named {args.output!r}: here -o names the output file "
            "(kubectl's -o is an output format); the result is YAML as it was written. Write -o ./"
            f"{args.output} for a file of that name"
        )
    names = list(args.files) + list(args.more_files)
    if args.in_place and (not names or any(map(is_stdin, names))):
        raise UsageError(f"{command}: -i/--in-place needs files (stdin cannot be edited in place)")


def _run(args: argparse.Namespace, steps: Sequence[tuple[StepSpec, Step]], before: list[Manifest]) -> tuple[list[Manifest], list[Manifest]]:
    """Every input before and after the steps, after reporting warnings (and changes, with -v)."""
    run = run_steps(before, steps)
    report(args, run)
    after = run.outputs
    if any(m.bom or any(doc.text for doc in m.documents) for m in before) and not any(doc.text for doc in run.after.documents):
        # a post-renderer consumer would apply nothing: never hand it that
        raise Failure(f"{before[0].source}: the transforms left nothing of a non-empty input; nothing was written")
    return before, after


def report(args: argparse.Namespace, run: Run) -> None:
    """Warnings (collapsed when identical, none with -q); with -v, every change and what was found done."""
    from collections import Counter

    from ._hints import on_the_command_line

    if not getattr(args, "quiet", False):
        counts = Counter(run.warnings)
        for warning, count in counts.items():
            warn(on_the_command_line(warning) + (f" ({count} times)" if count > 1 else ""))
    if getattr(args, "verbose", False):
        for result in run.results:
            for change in result.changes:
                err(str(change))
        for note in run.notes:
            err(f"{PROG}: {note}")


def _verdict(args: argparse.Namespace, before: Sequence[Manifest], changed: Sequence[bool]) -> int:
    if args.check and any(changed):
        for manifest, change in zip(before, changed):
            if change:
                err(f"{PROG}: {manifest.source}: would change")
        return EXIT_FOUND
    return EXIT_OK


def _encoded(outputs: Sequence[Manifest]) -> Iterator[bytes]:
    """The outputs one after the other as one stream, encoded a piece at a time as they are written."""
    from .._manifest import concatenated, encoded

    return encoded(concatenated(outputs))


def _use_color(choice: str) -> bool:
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    return bool(getattr(sys.stdout, "isatty", lambda: False)())


def _diff(before: Sequence[Manifest], after: Sequence[Manifest], color: bool) -> str:
    """A unified diff per changed input, from the documents that changed (its cost follows the edit)."""
    from .._diff import diff_path, unified_diff_lines

    chunks: list[str] = []
    for old, new in zip(before, after):
        if old.same_text(new):
            continue
        name = diff_path(old.source)
        for line in unified_diff_lines(old, new, old_name=f"a/{name}", new_name=f"b/{name}"):
            if color:
                code = "1" if line.startswith(("---", "+++")) else "36" if line.startswith("@@") else "31" if line.startswith("-") else "32" if line.startswith("+") else ""
                if code:
                    line = f"\x1b[{code}m{line.rstrip(chr(10))}\x1b[0m\n"
            chunks.append(line)
    return "".join(chunks)


def plan(args: argparse.Namespace) -> int:
    from .._overlay import object_plans, overlay_files, refuse_duplicates

    if args.format == "kustomize" and not args.out:
        raise UsageError(f"{PROG} plan: --format kustomize needs --out DIR")
    if args.out and args.format != "kustomize":
        raise UsageError(f"{PROG} plan: --out goes with --format kustomize")
    steps = steps_of(args)
    manifests = manifests_of(args)
    if args.format == "kustomize":
        refuse_duplicates(manifests)
    run = run_steps(manifests, steps)
    report(args, run)
    per_file = [object_plans(run.before, run.results, run.after)]
    if args.format == "json":
        import json

        listing = [p.to_json() for plans, _ in per_file for p in plans]
        out(json.dumps(listing, indent=2, ensure_ascii=False) + "\n")
        return EXIT_OK
    files = overlay_files([run.before], per_file)
    _write_overlay(args.out, files, force=args.force)
    return EXIT_OK


def _write_overlay(folder: str, files: dict[str, str], *, force: bool) -> None:
    """Write an overlay's files; an earlier export's files go, and what istio-patch did not write stays unless --force."""
    from .._overlay import OVERLAY_MARKER

    make_folder(folder)
    kustomization = os.path.join(folder, "kustomization.yaml")
    stale: list[str] = []
    if os.path.exists(kustomization):
        with open(kustomization, encoding="utf-8", errors="replace") as handle:
            written = handle.read()
        if not written.startswith(OVERLAY_MARKER) and not force:
            raise Failure(
                f"{kustomization}: this kustomization.yaml was not written by istio-patch; nothing was written "
                "(--force overwrites it, or choose another --out)"
            )
        if written.startswith(OVERLAY_MARKER):
            stale = [name for name in _generated_patches(written) if name not in files]
    write_files([(os.path.join(folder, name), text.encode("utf-8")) for name, text in files.items()], backup=None, create=True)
    for name in stale:
        try:
            os.unlink(os.path.join(folder, name))
        except FileNotFoundError:
            pass


def _generated_patches(kustomization: str) -> list[str]:
    """The patch files an earlier export listed in its kustomization (JSON after the marker line)."""
    import json

    try:
        data = json.loads(kustomization.split("\n", 1)[1])
    except (IndexError, ValueError):
        return []
    return [
        p["path"]
        for p in data.get("patches", ())
        if isinstance(p, dict) and isinstance(p.get("path"), str) and p["path"].startswith("patch-") and "/" not in p["path"]
    ]
