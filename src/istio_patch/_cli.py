"""The command line: ``istio-patch`` (or ``python -m istio_patch``) with apply, images, plan, check, summary, validate.

A thin layer over the library with the habits of kubectl (``TYPE/NAME``, ``-n``), sed (``-i``, a backup
suffix) and diff (``--check``, exit 1). Exit codes: 0 success, 1 ``--check``/``check``/``validate`` found
something, 2 usage, input or output errors, 141 when the reader of stdout left, 128 + N when signal N
stopped the run. Errors go to stderr as ``istio-patch: error: FILE:LINE:COL: message``. Reading inputs
and writing results (safely: see docs/cli.md) is ``cli._output``'s work.

Only what a command needs is imported: startup time is part of every call (and of every helm install).
"""

from __future__ import annotations

import argparse
import errno
import os
import re
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping, NoReturn, Sequence

from ._errors import FileError
from .cli import _output
from .cli._output import Source as _Input

if TYPE_CHECKING:
    from _typeshed import SupportsWrite

    from ._manifest import Document, KubeObject, Manifest
    from ._recipe import StepSpec
    from .transforms import Result, Step

__all__ = ["main", "main_entry"]

PROG = "istio-patch"
STDIN = _output.STDIN
EXIT_OK, EXIT_FOUND, EXIT_ERROR = 0, 1, 2
EXIT_BROKEN_PIPE = 128 + 13  # the reader of stdout left: what a shell reports for a writer killed by SIGPIPE


class UsageError(Exception):
    """A command line that cannot be run (exit 2, with the usage line)."""


class _Failure(Exception):
    """An error already described for the user (exit 2)."""


# ---------------------------------------------------------------------------------------------------------
# The parser
# ---------------------------------------------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message}")

    def print_help(self, file: SupportsWrite[str] | None = None) -> None:
        if file is not None:
            super().print_help(file)
        else:  # argparse would ignore a failed write to stdout; ours raises FileError
            _out(self.format_help())


class _Event(argparse.Action):
    """Records transform flags and their modifiers in command-line order (argparse alone loses the order)."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any, option_string: str | None = None) -> None:
        events = list(getattr(namespace, "events", None) or [])
        events.append((self.dest, values, option_string))
        namespace.events = events


APPLY_EPILOG = """\
examples (the guide's hand edits of istio-demo.yaml):
  # steps 1-3: NodePort Service, DaemonSet gateway with hostPort 80/443, and the HPA removed
  istio-patch apply --preset bare-metal istio-demo.yaml > istio-demo-bare.yaml
  # step 4, instead of two `sed -i 's@gcr.io/istio-release@docker.io/istio@g'`-style commands
  istio-patch apply --mirror gcr.io/istio-release=docker.io/istio -i --backup .ori istio-demo.yaml
  # step 7, "istio-pilot: Insufficient memory": comment out the pilot's requests as the guide did
  istio-patch apply --strip-resources deploy/istio-pilot -n istio-system --container discovery \\
      --mode comment istio-demo.yaml
  # review first, then change nothing when there is nothing to change (CI)
  istio-patch apply --preset bare-metal --diff istio-demo.yaml
  istio-patch apply --preset bare-metal --check istio-demo.yaml || echo "not yet patched"
  # as a helm post-renderer (stdin to stdout)
  helm install istio ./istio --post-renderer ./post-render.sh
"""

IMAGES_EPILOG = """\
examples (the guide's step 5, `grep 'image:' istio-demo.yaml` and a `docker pull` on every node):
  istio-patch images istio-demo.yaml | xargs -n1 docker pull
  istio-patch apply --preset cn-mirror istio-demo.yaml | istio-patch images
  istio-patch images --json istio-demo.yaml
"""

PLAN_EPILOG = """\
examples:
  # the RFC 6902 operations the guide's bare-metal edits make, per object
  istio-patch plan --preset bare-metal istio-demo.yaml
  # the same as a kustomize overlay: `kubectl kustomize overlay/` builds the edited objects
  istio-patch plan --preset bare-metal --format kustomize --out overlay/ istio-demo.yaml
  (kustomize refuses manifests with duplicate keys, such as the 1.0.0 gateway's two `app` labels)
"""

CHECK_EPILOG = """\
examples:
  # before installing on bare metal: LoadBalancer Services, DaemonSets with replicas, HPAs of DaemonSets,
  # duplicate keys, hostPort clashes, nodePorts out of range, images from a registry you cannot reach
  istio-patch check --bare-metal --forbid-registry gcr.io istio-demo.yaml
  istio-patch apply --preset bare-metal --preset cn-mirror istio-demo.yaml | istio-patch check --bare-metal
"""

VALIDATE_EPILOG = """\
examples (will the result install on today's clusters? offline, with `pip install 'istio-patch[validate]'`):
  istio-patch apply --preset bare-metal --modernize 1.25 istio-demo.yaml | istio-patch validate --kubernetes-version 1.25
  istio-patch validate --kubernetes-version 1.25 --strict istio-demo.yaml
  (kinds that only a CustomResourceDefinition defines, such as Istio's Gateway, are reported as skipped)
"""

SUMMARY_EPILOG = """\
examples (the guide's step 11, `kubectl get svc -n istio-system` compared with a table, before installing):
  istio-patch summary istio-demo.yaml
  istio-patch apply --preset bare-metal istio-demo.yaml | istio-patch summary
"""


def _parser() -> _Parser:
    parser = _Parser(
        prog=PROG,
        description="Safe, byte-exact edits of Kubernetes manifests for installing Istio on bare metal.",
        epilog="Run `istio-patch COMMAND --help` for a command's options and a worked example.",
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("files", nargs="*", metavar="FILE", help="manifests to read ('-' or none: stdin)")
    common.add_argument("--debug", action="store_true", help="show a traceback on errors")

    fmt = argparse.RawDescriptionHelpFormatter
    apply = sub.add_parser("apply", parents=[common], help="apply transforms; print the result", epilog=APPLY_EPILOG, formatter_class=fmt,
                           description="Apply the transforms in command-line order and write the result (stdout by default). "
                           "With no transform, the output is the input, byte for byte.")
    _transform_flags(apply)
    out = apply.add_argument_group("output")
    where = out.add_mutually_exclusive_group()
    where.add_argument("-o", "--output", metavar="FILE", help="write the result to FILE (atomically)")
    where.add_argument("-i", "--in-place", action="store_true", help="edit the files in place (atomically, all or nothing)")
    where.add_argument("--diff", action="store_true", help="print a unified diff instead of the result")
    out.add_argument("--backup", metavar="SUFFIX", help="with -i: keep each original as FILE+SUFFIX (e.g. .ori)")
    out.add_argument("--check", action="store_true", help="exit 1 when the transforms would change something")
    out.add_argument("--color", choices=("auto", "always", "never"), default="auto", help="colour the diff (default: on a terminal)")
    out.add_argument("-v", "--verbose", action="store_true", help="report every change on stderr")

    images = sub.add_parser("images", parents=[common], help="list the images a manifest pulls", epilog=IMAGES_EPILOG, formatter_class=fmt,
                            description="Every image reference the manifests will pull, one per line, in order of first appearance "
                            "(template strings included).")
    images.add_argument("--json", action="store_true", help="print JSON with where each image is named")

    plan = sub.add_parser("plan", parents=[common], help="show the RFC 6902 operations, or write a kustomize overlay", epilog=PLAN_EPILOG,
                          formatter_class=fmt, description="The operations the transforms would apply, per object.")
    _transform_flags(plan)
    plan.add_argument("--format", choices=("json", "kustomize"), default="json", help="json (default) or a kustomize overlay")
    plan.add_argument("--out", metavar="DIR", help="with --format kustomize: the overlay directory to write")

    check = sub.add_parser("check", parents=[common], help="find the guide's pitfalls", epilog=CHECK_EPILOG, formatter_class=fmt,
                           description="Report the guide's pitfalls with FILE:LINE; exit 1 when any is found.")
    check.add_argument("--bare-metal", action="store_true", help="flag LoadBalancer Services (no cloud will serve them)")
    check.add_argument("--forbid-registry", action="append", default=[], metavar="REGISTRY",
                       help="flag images from REGISTRY (or a registry/namespace prefix); repeatable")
    check.add_argument("--node-port-range", default="30000-32767", metavar="FROM-TO", help="the cluster's node port range (default 30000-32767)")
    check.add_argument("--format", choices=("text", "json", "github", "sarif"), default="text",
                       help="text (FILE:LINE:COL: [rule] message, the default), json, github (workflow annotations) or sarif (SARIF 2.1.0)")
    check.add_argument("--rule", action="append", metavar="ID", help="run only this rule; repeatable (see --list-rules)")
    check.add_argument("--list-rules", action="store_true", help="list the rules with what each finds, and exit")

    summary = sub.add_parser("summary", parents=[common], help="what the manifest will create, per namespace", epilog=SUMMARY_EPILOG,
                             formatter_class=fmt, description="Services with type and ports as kubectl writes them, and workloads "
                             "with kind, replicas and images, per namespace.")
    summary.add_argument("--json", action="store_true", help="print JSON")

    validate = sub.add_parser("validate", parents=[common], help="check objects against a Kubernetes release's schemas, offline",
                              epilog=VALIDATE_EPILOG, formatter_class=fmt,
                              description="Check every object against the OpenAPI schemas of one Kubernetes release (from the "
                              "kubernetes-validate package; no cluster, no network). Prints FILE:LINE: error|skipped: ...; "
                              "exit 1 when an object has an error.")
    validate.add_argument("--kubernetes-version", required=True, metavar="X.Y", help="the release to check against, e.g. 1.25")
    validate.add_argument("--strict", action="store_true", help="also refuse fields the schema does not declare")
    return parser


def _transform_flags(parser: argparse.ArgumentParser) -> None:
    """The transform flags and their modifiers, as the transforms' descriptors declare them."""
    from .transforms import registry

    group = parser.add_argument_group("transforms (applied in command-line order)")
    group.add_argument("--preset", action=_Event, dest="preset", metavar="NAME",
                       help="the guide's edits by name: bare-metal, cn-mirror, small-nodes, admission-webhooks")
    group.add_argument("--recipe", action=_Event, dest="recipe", metavar="FILE", help="a YAML list of transforms and options (docs/cli.md)")
    modifiers: dict[str, tuple[Any, list[str]]] = {}  # flag -> (modifier, the transform flags it goes with)
    for transform in registry().values():
        if transform.flag is None:
            continue
        flag = transform.flag
        group.add_argument(flag.name, action=_Event, dest=f"open:{transform.name}", metavar=flag.metavar, help=flag.help)
        for modifier in transform.modifiers:
            known = modifiers.setdefault(modifier.name, (modifier, []))
            known[1].append(flag.name)
    mods = parser.add_argument_group("transform options (each belongs to the transform flag or preset before it)")
    mods.add_argument("-n", "--namespace", action=_Event, dest="namespace", metavar="NAMESPACE",
                      help="the namespace of the selector before it (kubectl's -n); before any transform flag: of all of them, "
                      "presets included (where Istio is installed)")
    mods.add_argument("--allow-no-match", action="store_true",
                      help="for every transform and preset of the run: a selector that matches nothing is not an error")
    for name, (modifier, owners) in sorted(modifiers.items()):
        extra: dict[str, Any] = {"nargs": 0} if modifier.switch else {"metavar": modifier.metavar}
        if modifier.choices:
            extra = {"choices": modifier.choices}
        mods.add_argument(name, action=_Event, dest=f"mod:{name}", help=f"{' / '.join(owners)}: {modifier.help}", **extra)


def _specs_from_flags(args: argparse.Namespace) -> list[StepSpec]:
    """The transform flags, in order, as recipe items (so that flags and recipes share one validation).

    ``-n`` belongs to the transform flag (or preset) written before it; written before any, it is the
    namespace of every one. ``--allow-no-match`` is for the whole run, wherever it is written.
    """
    from ._recipe import StepSpec, read_recipe
    from .transforms import registry

    transforms = registry()
    specs: list[StepSpec] = []
    defaults: dict[str, Any] = {}
    current: StepSpec | None = None  # the last transform flag or preset: what -n and modifiers belong to
    joined: dict[str, StepSpec] = {}  # transform -> its step, for flags whose repetitions join one step
    command = f"{PROG} {args.command}"

    for dest, value, flag in getattr(args, "events", None) or []:
        if dest == "namespace":
            if not value:
                raise UsageError(f"{command}: {flag} needs a namespace name")
            target = defaults if current is None else current.options
            if "namespace" in target and target["namespace"] != value:
                where = f"after {current.origin}" if current is not None else "before the transform flags"
                raise UsageError(f"{command}: {flag} is given twice {where}")
            target["namespace"] = value
            if current is not None and current.transform != "preset" and not _has_selector(transforms, current):
                raise UsageError(f"{command}: {flag} belongs after a flag that selects objects; {current.origin} selects none")
        elif dest.startswith("open:"):
            transform = transforms[dest[5:]]
            assert transform.flag is not None
            try:
                parsed = transform.flag.value(value)
            except ValueError as exc:
                raise UsageError(f"{command}: {exc}") from None
            if transform.flag.joins and transform.name in joined:
                joined[transform.name].options[transform.flag.option].append(parsed)
                current = joined[transform.name]
                continue
            options: dict[str, Any] = {transform.flag.option: [parsed] if transform.flag.joins else parsed}
            current = StepSpec(transform.name, options, transform.flag.name if transform.flag.joins else f"{flag} {value}")
            specs.append(current)
            if transform.flag.joins:
                joined[transform.name] = current
        elif dest.startswith("mod:"):
            name = dest[4:]
            owner = transforms.get(current.transform) if current is not None else None
            modifier = next((m for m in owner.modifiers if m.name == name), None) if owner is not None else None
            if modifier is None:
                owners = [t.flag.name for t in transforms.values() if t.flag and any(m.name == name for m in t.modifiers)]
                raise UsageError(f"{command}: {flag} belongs after {' or '.join(owners)}")
            assert current is not None
            try:
                modifier.fold(current.options, None if modifier.switch else value)
            except ValueError as exc:
                raise UsageError(f"{command}: {exc}") from None
        elif dest == "preset":
            current = StepSpec("preset", {"name": value}, f"--preset {value}")
            specs.append(current)
        elif dest == "recipe":
            current = None
            specs.extend(read_recipe(value))
    if args.allow_no_match:
        defaults["allow_no_match"] = True
    for spec in specs:
        for option, setting in defaults.items():
            if spec.transform == "preset" or option != "namespace" or _has_selector(transforms, spec):
                spec.options.setdefault(option, setting)
    return specs


def _has_selector(transforms: Mapping[str, Any], spec: StepSpec) -> bool:
    transform = transforms.get(spec.transform)
    return transform is not None and "selector" in {f for f in _option_names(transform.options)}


def _option_names(options: type) -> list[str]:
    import dataclasses

    return [f.name for f in dataclasses.fields(options)]


# ---------------------------------------------------------------------------------------------------------
# Entry points
# ---------------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``) and return the exit code."""
    import gc

    # Node trees and views hold millions of containers and no cycles, yet every collection of the oldest
    # generation re-scans all of them: with the default thresholds an 18 MB input spends about a sixth of its
    # time in the collector. A run is short: collect rarely (cycles are still reclaimed), then give the caller
    # its settings back.
    thresholds = gc.get_threshold()
    gc.set_threshold(100_000, 50, 100)
    try:
        with _output.stop_on_signals():  # SIGTERM and SIGHUP too: a write in progress is undone, not cut off
            return _main(list(sys.argv[1:] if argv is None else argv))
    except KeyboardInterrupt as exc:  # a signal as the run ended
        return _interrupted(exc)
    finally:
        gc.set_threshold(*thresholds)


def _main(argv: list[str]) -> int:
    debug = "--debug" in argv
    try:
        try:
            args = _parser().parse_args(argv)
        except SystemExit as exc:  # --help, or argparse's own exit
            _output.flush_stdout()  # the help text must reach stdout, or the exit code say it did not
            return int(exc.code or 0)
        if args.version:
            from . import __version__

            _out(f"{PROG} {__version__}\n")
            return EXIT_OK
        if args.command is None:
            raise UsageError(f"{PROG}: say which command to run: apply, images, plan, check, summary or validate (see --help)")
        code = _COMMANDS[args.command](args)
        _output.flush_stdout()
        return code
    except UsageError as exc:
        _err(f"{exc}\n{_usage_hint(argv)}")
        return EXIT_ERROR
    except _Failure as exc:
        _err(f"{PROG}: error: {exc}")
        return EXIT_ERROR
    except FileError as exc:  # `istio-patch images | head -1`, a full disk, a closed stream
        _err(f"{PROG}: error: {exc}")
        return EXIT_BROKEN_PIPE if exc.errno == errno.EPIPE else EXIT_ERROR
    except KeyboardInterrupt as exc:
        return _interrupted(exc)
    except Exception as exc:  # noqa: BLE001 - the last line of defence: no traceback unless asked
        from ._errors import IstioPatchError

        if debug:
            import traceback

            traceback.print_exc()
        if isinstance(exc, IstioPatchError):
            _err(f"{PROG}: error: {exc}")
        elif isinstance(exc, RecursionError):
            _err(f"{PROG}: error: the input nests too deeply to process")
        elif isinstance(exc, MemoryError):
            _err(f"{PROG}: error: out of memory")
        else:
            hint = "" if debug else " (run with --debug for the traceback)"
            _err(f"{PROG}: error: internal error: {type(exc).__name__}: {exc}{hint}; please report it")
        return EXIT_ERROR


def main_entry() -> None:
    """The ``istio-patch`` console script."""
    try:
        code = main()
    except KeyboardInterrupt:  # after main() gave Python its own handlers back: the run was over
        _err(f"{PROG}: interrupted")
        code = 130
    raise SystemExit(code)


def _interrupted(exc: KeyboardInterrupt) -> int:
    """One line for SIGINT, SIGTERM or SIGHUP (with what an interrupted write left), and 128 + its number."""
    stop = exc if isinstance(exc, _output.Interrupted) else _output.Interrupted()
    _err(f"{PROG}: interrupted by {stop.name}{'; ' + stop.outcome if stop.outcome else ''}")
    return stop.exit_code


def _usage_hint(argv: Sequence[str]) -> str:
    command = next((a for a in argv if a in _COMMANDS), None)
    return f"Run `{PROG} {command + ' ' if command else ''}--help` for usage."


def _out(text: str | bytes) -> None:
    _output.write_stdout(text.encode("utf-8") if isinstance(text, str) else text)


def _err(text: str) -> None:
    _output.write_stderr(text.rstrip("\n") + "\n")


def _warn(text: str) -> None:
    _err(f"{PROG}: warning: {text}")


# ---------------------------------------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------------------------------------


def _read_inputs(files: Sequence[str]) -> list[_Input]:
    names = list(files) or ["-"]
    if sum(map(_output.is_stdin, names)) > 1:
        raise UsageError(f"{PROG}: stdin ('-') can be read only once")
    return _output.read_inputs(names)


def _load_all(inputs: Sequence[_Input], *, build_every_document: bool = True) -> list[Manifest]:
    """Every input as a Manifest whose syntax is checked: a YAML error anywhere stops the run before any output.

    Commands that read every object anyway build every document now (``check_syntax``). ``apply`` and ``plan``
    pass ``build_every_document=False``: only the documents a transform looks at need their node trees and
    views, and the others are checked by libyaml's parser alone (see ``_check_syntax_quickly``).
    """
    from ._manifest import check_syntax, load

    manifests = []
    for item in inputs:
        manifest = load(item.data, source=item.name)
        if build_every_document:
            check_syntax(manifest)
        else:
            _check_syntax_quickly(manifest)
        manifests.append(manifest)
    return manifests


def _check_syntax_quickly(manifest: Manifest) -> None:
    """``check_syntax``'s verdict, paying for libyaml's event parser instead of node trees and views.

    A document the event scan cannot vouch for is built by the core now, so that its error is raised with the
    core's words and file positions: one whose scan fails, and one with a feature whose errors only composing
    or the Kubernetes view detect (see ``_scanner``). Every other document is valid YAML whose view cannot fail,
    and is built only if a transform reads it.
    """
    from ._manifest import check_syntax
    from ._parse import HAS_LIBYAML

    if not HAS_LIBYAML:  # the pure-Python parser would cost as much as building
        check_syntax(manifest)
        return
    from yaml import YAMLError
    from yaml._yaml import CParser as RawParser

    scan = _scanner()
    for doc in manifest.documents:
        if _only_libyaml_can_object(doc.text):
            try:
                RawParser(doc.text).raw_parse()  # libyaml alone, no Python per event: the common case
                continue
            except (YAMLError, UnicodeError):
                pass  # the core parses it again below and says what is wrong, in its words
        if not scan(doc.text):
            _ = doc.is_empty  # builds the node tree and the view, raising the core's error if there is one


# A document whose text has none of these cannot hold what only composing or the Kubernetes view refuses:
# anchors (&), aliases (*), tags (!), complex keys (?), merge keys (<<), collections as keys (`]:` or `}:`),
# nesting near the view's limit. A level of block nesting takes a column of indentation or an inline dash,
# a flow level a bracket: under 120 + 20 + 20 (plus one mapping) levels stay below the view's limit of 200.
_CORE_ONLY = re.compile(r"[&*!?]|<<|[\]}][ \t]*:|^ {120,}|(?:-[ \t]+){20,}", re.MULTILINE)


def _only_libyaml_can_object(text: str) -> bool:
    return len(text) < 1_000_000 and text.count("[") + text.count("{") < 20 and not _CORE_ONLY.search(text)


def _scanner() -> Callable[[str], bool]:
    """A function telling whether libyaml parses a document's text without error and without anything that
    composing or the Kubernetes view may refuse.

    The view refuses aliases that recurse or expand too far, bad explicit tags (``!!int abc``), collections
    as keys, merge keys of the wrong shape, nesting deeper than its limit and documents of more values than
    its budget; composing refuses undefined aliases and a second document. A document with any anchor, alias,
    tag, collection key, ``<<`` key or second document, or at either limit, is therefore left to the core.
    """
    from yaml import YAMLError
    from yaml.cyaml import CParser
    from yaml.events import (
        AliasEvent,
        DocumentStartEvent,
        MappingEndEvent,
        MappingStartEvent,
        ScalarEvent,
        SequenceEndEvent,
        SequenceStartEvent,
    )

    from ._kube import EXPANSION_BUDGET, MAX_DEPTH

    def scan(text: str) -> bool:
        parser = CParser(text)
        open_collections: list[int] = []  # per open collection: nodes seen so far in a mapping, -1 in a sequence
        values = documents = 0
        try:
            while parser.check_event():
                event = parser.get_event()
                kind = type(event)
                if kind is ScalarEvent or kind is MappingStartEvent or kind is SequenceStartEvent:
                    if event.anchor is not None or event.tag is not None:
                        return False
                    values += 1
                    if open_collections and open_collections[-1] >= 0:  # in a mapping: keys and values alternate
                        if open_collections[-1] % 2 == 0 and (kind is not ScalarEvent or event.value == "<<"):
                            return False
                        open_collections[-1] += 1
                    if kind is not ScalarEvent:
                        open_collections.append(0 if kind is MappingStartEvent else -1)
                        if len(open_collections) >= MAX_DEPTH:
                            return False
                elif kind is MappingEndEvent or kind is SequenceEndEvent:
                    open_collections.pop()
                elif kind is AliasEvent:
                    return False
                elif kind is DocumentStartEvent:
                    documents += 1
                    if documents > 1:
                        return False
        except (YAMLError, UnicodeError):  # the core parses it again and says what is wrong, in its words
            return False
        finally:
            parser.dispose()
        return values <= EXPANSION_BUDGET

    return scan


# ---------------------------------------------------------------------------------------------------------
# Running transforms over several files
# ---------------------------------------------------------------------------------------------------------


@dataclass
class _Run:
    manifests: list[Manifest]
    results: list[list[Result]] = field(default_factory=list)  # per file, per step
    warnings: list[str] = field(default_factory=list)


def _steps(args: argparse.Namespace) -> list[tuple[StepSpec, Step]]:
    specs = _specs_from_flags(args)
    if not specs:
        return []
    from ._recipe import build_steps

    return build_steps(specs)


def _run_steps(manifests: list[Manifest], steps: Sequence[tuple[StepSpec, Step]]) -> _Run:
    """Each step on every file; a selector must match in one file at least (the others are skipped)."""
    from ._errors import SelectorError

    run = _Run(list(manifests), [[] for _ in manifests])
    # a file without objects (empty, comments only) has nothing to select: empty in, empty out
    live = [i for i, manifest in enumerate(manifests) if _has_objects(manifest)]
    for spec, step in steps:
        misses: list[SelectorError] = []
        for i in live:
            manifest = run.manifests[i]
            try:
                result = step(manifest)
            except SelectorError as exc:
                misses.append(exc)
                continue
            run.manifests[i] = result.manifest
            run.results[i].append(result)
            for warning in result.warnings:
                if warning not in run.warnings:
                    run.warnings.append(warning)
        if misses and len(misses) == len(live):
            exc = misses[0]
            if len(live) > 1:
                exc.message += f" (in none of the {len(live)} files)"
            raise exc
    return run


def _has_objects(manifest: Manifest) -> bool:
    """Whether the manifest holds an object, building documents only until the first one is found."""
    from ._manifest import _objects_of

    return any(True for doc in manifest.documents for _ in _objects_of(doc))


# ---------------------------------------------------------------------------------------------------------
# apply
# ---------------------------------------------------------------------------------------------------------


def _cmd_apply(args: argparse.Namespace) -> int:
    if args.backup is not None and not args.in_place:
        raise UsageError(f"{PROG} apply: --backup needs -i/--in-place")
    if args.backup == "":
        raise UsageError(f"{PROG} apply: --backup needs a suffix, e.g. .ori")
    if args.backup is not None and "/" in args.backup:
        raise UsageError(f"{PROG} apply: --backup takes a suffix without '/', e.g. .ori (the backup stays beside its file)")
    if args.output == "":
        raise UsageError(f"{PROG} apply: -o needs a file name ('-' for stdout)")
    if args.in_place and (not args.files or any(map(_output.is_stdin, args.files))):
        raise UsageError(f"{PROG} apply: -i/--in-place needs files (stdin cannot be edited in place)")
    steps = _steps(args)  # recipes and options are refused before any input is read
    if args.in_place:
        with _output.InPlace(args.files) as edit:  # locked from before they are read until they are written
            outputs = _apply_steps(args, steps, edit.sources)
            if not args.check:  # --check only tells
                edit.write(outputs, backup=args.backup)
            return _verdict(args, edit.sources, outputs)
    inputs = _read_inputs(args.files)
    outputs = _apply_steps(args, steps, inputs)
    if args.diff:
        _out(_diff(inputs, outputs, _use_color(args.color)))
    elif args.check:
        pass
    elif args.output:
        _output.write_output(args.output, _concatenate(outputs))
    else:
        _out(_concatenate(outputs))
    return _verdict(args, inputs, outputs)


def _apply_steps(args: argparse.Namespace, steps: Sequence[tuple[StepSpec, Step]], inputs: Sequence[_Input]) -> list[bytes]:
    """The new text of every input, after reporting warnings (and changes, with -v)."""
    manifests = _load_all(inputs, build_every_document=False)
    run = _run_steps(manifests, steps)
    for warning in run.warnings:
        _warn(warning)
    if args.verbose:
        for results in run.results:
            for result in results:
                for change in result.changes:
                    _err(str(change))
    outputs = [m.to_bytes() for m in run.manifests]
    for item, data in zip(inputs, outputs):
        if item.data and not data:  # a post-renderer consumer would apply nothing: never hand it that
            raise _Failure(f"{item.name}: the transforms left nothing of a non-empty input; nothing was written")
    return outputs


def _verdict(args: argparse.Namespace, inputs: Sequence[_Input], outputs: Sequence[bytes]) -> int:
    changed = [item for item, data in zip(inputs, outputs) if data != item.data]
    if args.check and changed:
        for item in changed:
            _err(f"{PROG}: {item.name}: would change")
        return EXIT_FOUND
    return EXIT_OK


def _concatenate(outputs: Sequence[bytes]) -> bytes:
    """Several files as one stream: each file starts a new document, the first one byte for byte."""
    parts: list[bytes] = []
    for data in outputs:
        if parts:
            if parts[-1] and not parts[-1].endswith(b"\n"):
                parts.append(b"\n")
            if data.startswith(b"\xef\xbb\xbf"):
                data = data[3:]
            if not data.startswith(b"---"):
                parts.append(b"---\n")
        parts.append(data)
    return b"".join(parts)


def _use_color(choice: str) -> bool:
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    return bool(getattr(sys.stdout, "isatty", lambda: False)())


def _diff(inputs: Sequence[_Input], outputs: Sequence[bytes], color: bool) -> str:
    import difflib

    chunks: list[str] = []
    for item, data in zip(inputs, outputs):
        if data == item.data:
            continue
        old = item.data.decode("utf-8", errors="replace").splitlines(keepends=True)
        new = data.decode("utf-8", errors="replace").splitlines(keepends=True)
        name = item.name
        for line in difflib.unified_diff(old, new, f"a/{name}", f"b/{name}"):
            if not line.endswith("\n"):
                line += "\n\\ No newline at end of file\n"
            if color:
                code = "1" if line.startswith(("---", "+++")) else "36" if line.startswith("@@") else "31" if line.startswith("-") else "32" if line.startswith("+") else ""
                if code:
                    line = f"\x1b[{code}m{line.rstrip(chr(10))}\x1b[0m\n"
            chunks.append(line)
    return "".join(chunks)


# ---------------------------------------------------------------------------------------------------------
# images
# ---------------------------------------------------------------------------------------------------------


def _cmd_images(args: argparse.Namespace) -> int:
    from . import transforms

    manifests = _load_all(_read_inputs(args.files))
    listing: dict[str, dict[str, Any]] = {}
    for manifest in manifests:
        for use in transforms.images(manifest):
            entry = listing.setdefault(use.reference, {"image": use.reference, "pulled": use.pulled, "uses": []})
            entry["uses"].extend(
                {"source": manifest.source, "document": p.document, "line": p.line, "object": p.object,
                 "pointer": p.pointer, "image_field": p.image_field, "template": p.template}
                for p in use.places
            )
    if args.json:
        import json

        _out(json.dumps(list(listing.values()), indent=2, ensure_ascii=False) + "\n")
    else:
        _out("".join(f"{ref}\n" for ref in listing))
    return EXIT_OK


# ---------------------------------------------------------------------------------------------------------
# plan
# ---------------------------------------------------------------------------------------------------------


def _cmd_plan(args: argparse.Namespace) -> int:
    from ._overlay import object_plans, overlay_files, refuse_duplicates

    if args.format == "kustomize" and not args.out:
        raise UsageError(f"{PROG} plan: --format kustomize needs --out DIR")
    if args.out and args.format != "kustomize":
        raise UsageError(f"{PROG} plan: --out goes with --format kustomize")
    steps = _steps(args)
    inputs = _read_inputs(args.files)
    manifests = _load_all(inputs, build_every_document=False)
    if args.format == "kustomize":
        refuse_duplicates(manifests)
    run = _run_steps(manifests, steps)
    for warning in run.warnings:
        _warn(warning)
    per_file = [object_plans(manifest, results, final) for manifest, results, final in zip(manifests, run.results, run.manifests)]
    if args.format == "json":
        import json

        listing = [p.to_json() for plans, _ in per_file for p in plans]
        _out(json.dumps(listing, indent=2, ensure_ascii=False) + "\n")
        return EXIT_OK
    files = overlay_files(manifests, per_file)
    _output.make_folder(args.out)
    _output.write_files([(os.path.join(args.out, name), text.encode("utf-8")) for name, text in files.items()], backup=None, create=True)
    return EXIT_OK


# ---------------------------------------------------------------------------------------------------------
# check
# ---------------------------------------------------------------------------------------------------------


def _cmd_check(args: argparse.Namespace) -> int:
    from .checks import CheckOptions, check, render, rules

    if args.list_rules:
        _out("".join(f"{rule.id:<20} {rule.severity:<8} {rule.summary}\n" for rule in rules().values()))
        return EXIT_OK
    options = CheckOptions(
        bare_metal=args.bare_metal, forbid_registries=tuple(args.forbid_registry), node_port_range=_port_range(args.node_port_range)
    )
    findings = check(_load_all(_read_inputs(args.files)), options, select=args.rule)
    text = render(findings, args.format, rules())
    _out(_printable(text) if args.format in ("text", "github") else text)
    return EXIT_FOUND if findings else EXIT_OK


def _port_range(text: str) -> tuple[int, int]:
    low, _, high = text.partition("-")
    if not (low.isdigit() and high.isdigit()) or not 1 <= int(low) <= int(high) <= 65535:
        raise UsageError(f"{PROG} check: --node-port-range takes FROM-TO, e.g. 30000-32767")
    return int(low), int(high)


def _printable(text: str) -> str:
    """``text`` with control characters (C0 but tab and line feed, DEL, C1) shown as U+FFFD: names from the input
    never drive the terminal."""
    return "".join("\ufffd" if (ord(ch) < 32 and ch not in "\t\n") or 127 <= ord(ch) < 160 else ch for ch in text)


# ---------------------------------------------------------------------------------------------------------
# summary
# ---------------------------------------------------------------------------------------------------------


def _cmd_summary(args: argparse.Namespace) -> int:
    from ._summary import summary

    result = summary(_load_all(_read_inputs(args.files)))
    if args.json:
        import json

        _out(json.dumps(result.to_json(), indent=2, ensure_ascii=False) + "\n")
        return EXIT_OK
    lines: list[str] = []
    for namespace in result.namespaces:
        if lines:
            lines.append("")
        lines.append(f"namespace {namespace.name}")
        if namespace.services:
            rows = [["SERVICE", "TYPE", "CLUSTER-IP", "PORT(S)"]] + [
                [s.name or "", s.type, s.cluster_ip or "(assigned)", ",".join(map(str, s.ports)) or "<none>"] for s in namespace.services
            ]
            lines.extend("  " + row for row in _table(rows))
        if namespace.workloads:
            if namespace.services:
                lines.append("")
            rows = [["WORKLOAD", "REPLICAS", "IMAGES"]] + [
                [f"{w.kind}/{w.name}", w.replicas, ",".join(w.images) or "<none>"] for w in namespace.workloads
            ]
            lines.extend("  " + row for row in _table(rows))
    _out("".join(_printable(line) + "\n" for line in lines))
    return EXIT_OK


def _table(rows: list[list[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["   ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows]


# ---------------------------------------------------------------------------------------------------------
# validate
# ---------------------------------------------------------------------------------------------------------


def _cmd_validate(args: argparse.Namespace) -> int:
    from ._errors import OptionsError
    from ._manifest import load
    from ._validate import validate

    try:
        # the extra and the release are checked on an empty manifest first: a typo costs no reading of stdin
        validate(load("", source=STDIN), args.kubernetes_version, strict=args.strict)
    except OptionsError as exc:
        raise _Failure(exc.message) from None
    manifests = _load_all(_read_inputs(args.files))
    problems = [p for m in manifests for p in validate(m, args.kubernetes_version, strict=args.strict)]
    _out("".join(f"{problem}\n" for problem in problems))
    return EXIT_FOUND if any(p.severity == "error" for p in problems) else EXIT_OK


_COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "apply": _cmd_apply,
    "images": _cmd_images,
    "plan": _cmd_plan,
    "check": _cmd_check,
    "summary": _cmd_summary,
    "validate": _cmd_validate,
}
