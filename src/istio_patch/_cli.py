"""The command line: ``istio-patch`` (or ``python -m istio_patch``) with apply, images, plan, check, summary, validate.

A thin layer over the library with the habits of kubectl (``TYPE/NAME``, ``-n``), sed (``-i``, a backup
suffix) and diff (``--check``, exit 1). Exit codes: 0 success, 1 ``--check``/``check``/``validate`` found
something, 2 usage or input errors. Errors go to stderr as ``istio-patch: error: FILE:LINE:COL: message``.

Only what a command needs is imported: startup time is part of every call (and of every helm install).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping, NoReturn, Sequence

if TYPE_CHECKING:
    from ._manifest import Document, KubeObject, Manifest
    from ._recipe import StepSpec
    from .transforms import Result, Step

__all__ = ["main", "main_entry"]

PROG = "istio-patch"
STDIN = "<stdin>"
EXIT_OK, EXIT_FOUND, EXIT_ERROR = 0, 1, 2


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
    group = parser.add_argument_group("transforms (applied in command-line order)")
    add = group.add_argument
    add("--preset", action=_Event, metavar="NAME", help="the guide's edits by name: bare-metal, cn-mirror, small-nodes, admission-webhooks")
    add("--recipe", action=_Event, metavar="FILE", help="a YAML list of transforms and options (docs/cli.md)")
    add("--mirror", action=_Event, metavar="FROM=TO", help="rewrite image references under FROM to TO; repeatable")
    add("--node-port", action=_Event, metavar="SVC", help="Service to NodePort, e.g. svc/istio-ingressgateway")
    add("--to-daemonset", action=_Event, metavar="DEPLOY", help="Deployment to DaemonSet, e.g. deploy/istio-ingressgateway")
    add("--host-ports", action=_Event, metavar="WORKLOAD", help="add hostPorts to a workload's container ports (with --port)")
    add("--strip-resources", action=_Event, metavar="WORKLOAD", help="remove resource requests/limits (with --container, --mode)")
    add("--admission-plugins", action=_Event, metavar="A,B", help="enable admission plugins in a kube-apiserver manifest")
    add("--label-namespace", action=_Event, metavar="NAME", help="label a Namespace (with --label k=v)")
    add("--modernize", action=_Event, metavar="X.Y", help="move objects off the API versions Kubernetes X.Y no longer serves")
    mods = parser.add_argument_group("transform options (each belongs to the transform flag before it)")
    madd = mods.add_argument
    madd("-n", "--namespace", help="namespace of every selector (kubectl's -n)")
    madd("--allow-no-match", action="store_true", help="a selector that matches nothing is not an error")
    madd("--node-port-value", action=_Event, metavar="PORT=NODEPORT", help="--node-port: a fixed nodePort for a port; repeatable")
    madd("--keep-hpa", action=_Event, nargs=0, help="--to-daemonset: keep the HorizontalPodAutoscaler that targeted it")
    madd("--port", action=_Event, metavar="[HOST:]CONTAINER", help="--host-ports: a container port (and its host port); repeatable")
    madd("--container", action=_Event, metavar="NAME", help="--strip-resources / --host-ports: only this container; repeatable")
    madd("--mode", action=_Event, choices=("remove", "comment"), help="--strip-resources: remove the lines, or comment them out")
    madd("--resources", action=_Event, choices=("requests", "limits", "both"), help="--strip-resources: what to strip (default requests)")
    madd("--label", action=_Event, metavar="KEY=VALUE", help="--label-namespace: a label to set; repeatable")
    madd("--add-missing", action=_Event, nargs=0, help="--label-namespace: add the Namespace when the manifest lacks it")


# Which transform flag each modifier belongs to, and how flags become recipe items.
_OPENERS = {
    "node_port": "node_port",
    "to_daemonset": "to_daemonset",
    "host_ports": "host_ports",
    "strip_resources": "strip_resources",
    "admission_plugins": "admission_plugins",
    "label_namespace": "label_namespaces",
    "modernize": "modernize",
}
_MODIFIERS = {
    "node_port_value": ("node_port",),
    "keep_hpa": ("to_daemonset",),
    "port": ("host_ports",),
    "container": ("strip_resources", "host_ports"),
    "mode": ("strip_resources",),
    "resources": ("strip_resources",),
    "label": ("label_namespaces",),
    "add_missing": ("label_namespaces",),
}


def _specs_from_flags(args: argparse.Namespace) -> list[StepSpec]:
    """The transform flags, in order, as recipe items (so that flags and recipes share one validation)."""
    from ._recipe import StepSpec, load_recipe

    specs: list[StepSpec] = []
    opened: list[tuple[str, dict[str, Any], str]] = []  # (transform, options, flag)
    mirror: dict[str, Any] | None = None
    namespace = args.namespace

    def selector(value: str) -> dict[str, Any]:
        return {"selector": value, **({"namespace": namespace} if namespace else {})}

    def flush() -> None:
        while opened:
            name, options, flag = opened.pop(0)
            if args.allow_no_match:
                options["allow_no_match"] = True
            specs.append(StepSpec(name, options, flag))

    for dest, value, flag in getattr(args, "events", None) or []:
        if dest in _OPENERS:
            flush()
            name = _OPENERS[dest]
            if name == "admission_plugins":
                options: dict[str, Any] = {"plugins": [p.strip() for p in value.split(",") if p.strip()]}
            elif name == "label_namespaces":
                options = {"names": [value], "labels": {}}
            elif name == "modernize":
                options = {"kubernetes_version": value}
            else:
                options = selector(value)
            opened.append((name, options, f"{flag} {value}"))
        elif dest in _MODIFIERS:
            owners = _MODIFIERS[dest]
            if not opened or opened[-1][0] not in owners:
                flags = " or ".join("--" + k.replace("_", "-") for k, v in _OPENERS.items() if v in owners)
                raise UsageError(f"{PROG} {args.command}: {flag} belongs after {flags}")
            options = opened[-1][1]
            _add_modifier(dest, value, options, flag)
        else:
            flush()
            if dest == "preset":
                loose = {"allow_no_match": True} if args.allow_no_match else {}
                specs.append(StepSpec("preset", {"name": value, **loose}, f"--preset {value}"))
            elif dest == "recipe":
                specs.extend(load_recipe(value))
            elif dest == "mirror":
                if "=" not in value or not value.split("=", 1)[0] or not value.split("=", 1)[1]:
                    raise UsageError(f"{PROG} {args.command}: --mirror takes FROM=TO, e.g. gcr.io/istio-release=docker.io/istio")
                source, target = value.split("=", 1)
                if mirror is None:  # every --mirror joins one step, where the first one was written
                    mirror = {"rules": []}
                    specs.append(StepSpec("mirror_images", mirror, "--mirror"))
                mirror["rules"].append({"source": source, "target": target})
    flush()
    return specs


def _add_modifier(dest: str, value: Any, options: dict[str, Any], flag: str) -> None:
    if dest == "node_port_value":
        port, _, node_port = value.partition("=")
        if not (port.isdigit() and node_port.isdigit()):
            raise UsageError(f"{PROG}: {flag} takes PORT=NODEPORT, e.g. 80=31380")
        options.setdefault("node_ports", {})[int(port)] = int(node_port)
    elif dest == "keep_hpa":
        options["keep_hpa"] = True
    elif dest == "port":
        host, _, container = value.rpartition(":")
        if not container.isdigit() or (host and not host.isdigit()):
            raise UsageError(f"{PROG}: {flag} takes [HOST:]CONTAINER, e.g. 80 or 8080:80")
        options.setdefault("ports", []).append(int(container) if not host else {"container_port": int(container), "host_port": int(host)})
    elif dest == "container":
        options.setdefault("containers", []).append(value)
    elif dest == "mode":
        options["mode"] = value
    elif dest == "resources":
        options["resources"] = value
    elif dest == "label":
        key, eq, label = value.partition("=")
        if not eq or not key:
            raise UsageError(f"{PROG}: {flag} takes KEY=VALUE, e.g. istio-injection=enabled")
        options["labels"][key] = label
    elif dest == "add_missing":
        options["create_missing"] = True


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
        return _main(list(sys.argv[1:] if argv is None else argv))
    finally:
        gc.set_threshold(*thresholds)


def _main(argv: list[str]) -> int:
    debug = "--debug" in argv
    try:
        try:
            args = _parser().parse_args(argv)
        except SystemExit as exc:  # --help, or argparse's own exit
            return int(exc.code or 0)
        if args.version:
            from . import __version__

            _out(f"{PROG} {__version__}\n")
            return EXIT_OK
        if args.command is None:
            raise UsageError(f"{PROG}: say which command to run: apply, images, plan, check, summary or validate (see --help)")
        return _COMMANDS[args.command](args)
    except UsageError as exc:
        _err(f"{exc}\n{_usage_hint(argv)}")
        return EXIT_ERROR
    except _Failure as exc:
        _err(f"{PROG}: error: {exc}")
        return EXIT_ERROR
    except BrokenPipeError:  # `istio-patch images | head -1`: the reader left; nothing more to say
        _quiet_broken_pipe()
        return EXIT_ERROR
    except KeyboardInterrupt:
        _err(f"{PROG}: interrupted")
        return 130
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
    raise SystemExit(main())


def _usage_hint(argv: Sequence[str]) -> str:
    command = next((a for a in argv if a in _COMMANDS), None)
    return f"Run `{PROG} {command + ' ' if command else ''}--help` for usage."


def _out(text: str | bytes) -> None:
    data = text.encode("utf-8") if isinstance(text, str) else text
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is not None:
        sys.stdout.flush()
        buffer.write(data)
        buffer.flush()
    else:  # a text-only stream (some test harnesses): newlines are passed through unchanged
        sys.stdout.write(data.decode("utf-8"))
        sys.stdout.flush()


def _err(text: str) -> None:
    sys.stderr.write(text.rstrip("\n") + "\n")
    sys.stderr.flush()


def _warn(text: str) -> None:
    _err(f"{PROG}: warning: {text}")


def _quiet_broken_pipe() -> None:
    try:  # keep Python from complaining again when it flushes stdout at exit
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


# ---------------------------------------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Input:
    name: str  # as the user wrote it, for messages
    path: str | None  # None for stdin
    data: bytes


def _read_inputs(files: Sequence[str]) -> list[_Input]:
    names = list(files) or ["-"]
    if names.count("-") > 1:
        raise UsageError(f"{PROG}: stdin ('-') can be read only once")
    inputs = []
    for name in names:
        if name == "-":
            stream = getattr(sys.stdin, "buffer", None)
            data = stream.read() if stream is not None else sys.stdin.read().encode("utf-8")
            inputs.append(_Input(STDIN, None, data))
            continue
        try:
            with open(name, "rb") as handle:
                inputs.append(_Input(name, name, handle.read()))
        except IsADirectoryError:
            raise _Failure(f"{name}: is a directory; name the manifest files in it") from None
        except OSError as exc:
            raise _Failure(f"{name}: {exc.strerror or exc}") from None
    return inputs


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
    if args.in_place and (not args.files or "-" in args.files):
        raise UsageError(f"{PROG} apply: -i/--in-place needs files (stdin cannot be edited in place)")
    steps = _steps(args)  # recipes and options are refused before any input is read
    inputs = _read_inputs(args.files)
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
    changed = [item for item, data in zip(inputs, outputs) if data != item.data]

    if args.diff:
        _out(_diff(inputs, manifests, run.manifests, _use_color(args.color)))
    elif args.in_place:
        pairs = [(item.path, data) for item, data in zip(inputs, outputs) if data != item.data and item.path]
        _write_files(pairs, backup=args.backup)
    elif args.check:
        pass
    elif args.output:
        _write_files([(args.output, _concatenate(outputs))], backup=None, create=True)
    else:
        _out(_concatenate(outputs))
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


def _diff(inputs: Sequence[_Input], before: Sequence[Manifest], after: Sequence[Manifest], color: bool) -> str:
    from ._diff import diff_path, unified_diff_lines

    chunks: list[str] = []
    for item, old, new in zip(inputs, before, after):
        if old is new:
            continue
        name = diff_path(item.name)
        for line in unified_diff_lines(old, new, old_name=f"a/{name}", new_name=f"b/{name}"):
            if color:
                code = "1" if line.startswith(("---", "+++")) else "36" if line.startswith("@@") else "31" if line.startswith("-") else "32" if line.startswith("+") else ""
                if code:
                    line = f"\x1b[{code}m{line.rstrip(chr(10))}\x1b[0m\n"
            chunks.append(line)
    return "".join(chunks)


def _write_files(pairs: Sequence[tuple[str, bytes]], *, backup: str | None, create: bool = False) -> None:
    """Write every file or none: temporary files beside the targets first, then renames.

    The originals stay byte-identical until every new text exists on disk; a failing rename puts back the
    ones already done. File modes are kept; a symlink's target is edited, not the link.
    """
    import stat
    import tempfile

    temps: list[tuple[str, str]] = []  # (temporary, target)
    saved: list[tuple[str, str]] = []  # (hard link to the original, target)
    done: list[str] = []
    try:
        for path, data in pairs:
            target = os.path.realpath(path)
            try:
                mode: int | None = stat.S_IMODE(os.stat(target).st_mode)
            except FileNotFoundError:
                if not create:
                    raise
                mode = None
            folder = os.path.dirname(target) or "."
            fd, temp = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(target)}.", suffix=".tmp")
            temps.append((temp, target))
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            if mode is None:
                umask = os.umask(0)
                os.umask(umask)
                mode = 0o666 & ~umask
            os.chmod(temp, mode)
        for temp, target in temps:
            if (backup is not None or len(temps) > 1) and os.path.lexists(target):
                keep = _link_beside(target)
                saved.append((keep, target))
        for temp, target in temps:
            os.replace(temp, target)
            done.append(target)
    except OSError as exc:
        originals = {target: keep for keep, target in saved}
        for target in done:  # put back what was replaced; take away what was created
            try:
                if target in originals:
                    os.replace(originals[target], target)
                else:
                    os.unlink(target)
            except OSError:
                pass
        for keep, _ in saved:
            _remove_quietly(keep)
        for temp, _ in temps:
            _remove_quietly(temp)
        raise _Failure(f"{exc.filename or ''}: {exc.strerror or exc}; no file was changed".lstrip(": ")) from None
    for keep, target in saved:
        if backup is not None:
            os.replace(keep, target + backup)
        else:
            _remove_quietly(keep)


def _link_beside(target: str) -> str:
    """A hidden second name for the original (a hard link, or a copy where links are not possible)."""
    import shutil
    import tempfile

    folder = os.path.dirname(target) or "."
    fd, keep = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(target)}.", suffix=".orig")
    os.close(fd)
    os.unlink(keep)
    try:
        os.link(target, keep)
    except OSError:
        shutil.copy2(target, keep)
    return keep


def _remove_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


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


@dataclass
class _ObjectPlan:
    source: str
    document: int
    pointer: str
    line: int
    obj: KubeObject | None
    transforms: list[str] = field(default_factory=list)
    operations: list[dict[str, Any]] = field(default_factory=list)


def _cmd_plan(args: argparse.Namespace) -> int:
    if args.format == "kustomize" and not args.out:
        raise UsageError(f"{PROG} plan: --format kustomize needs --out DIR")
    if args.out and args.format != "kustomize":
        raise UsageError(f"{PROG} plan: --out goes with --format kustomize")
    steps = _steps(args)
    inputs = _read_inputs(args.files)
    manifests = _load_all(inputs, build_every_document=False)
    if args.format == "kustomize":
        _refuse_duplicates(manifests)
    run = _run_steps(manifests, steps)
    for warning in run.warnings:
        _warn(warning)
    per_file = [_object_plans(manifest, results, final) for manifest, results, final in zip(manifests, run.results, run.manifests)]
    if args.format == "json":
        import json

        listing = [_plan_json(p) for plans, _ in per_file for p in plans]
        _out(json.dumps(listing, indent=2, ensure_ascii=False) + "\n")
        return EXIT_OK
    _write_kustomize(args.out, inputs, manifests, per_file)
    return EXIT_OK


def _object_plans(original: Manifest, results: Sequence[Result], final: Manifest) -> tuple[list[_ObjectPlan], list[int]]:
    """The operations per original object, in order, and the final documents that are new.

    Document indices move when a plan removes whole documents, so each plan's edits are mapped back to the
    original document they started from.
    """
    from ._manifest import _objects_of

    objects: dict[tuple[int, str], KubeObject] = {}
    read: set[int] = set()

    def object_at(document: int, pointer: str) -> KubeObject | None:
        if document not in read:  # only the edited documents are built (the others may never be parsed)
            read.add(document)
            objects.update(((o.document, o.pointer), o) for o in _objects_of(original.documents[document]))
        return objects.get((document, pointer))

    current: list[int | None] = list(range(len(original.documents)))  # current index -> original index
    plans: dict[tuple[int, str], _ObjectPlan] = {}
    for result in results:
        for plan in result.plans:
            removed = []
            for edit in plan.edits:
                if not edit.operations:
                    continue
                origin = current[edit.document] if edit.document < len(current) else None
                if origin is None:
                    continue  # an edit of a document added by an earlier step: it is written whole
                key = (origin, edit.pointer)
                entry = plans.get(key)
                if entry is None:
                    entry = plans[key] = _ObjectPlan(original.source, origin, edit.pointer, edit.line, object_at(*key))
                if plan.transform not in entry.transforms:
                    entry.transforms.append(plan.transform)
                entry.operations.extend(dict(op) for op in edit.operations)
                if edit.pointer == "" and any(op["op"] == "remove" and op["path"] == "" for op in edit.operations):
                    removed.append(edit.document)
            for index in sorted(set(removed), reverse=True):
                del current[index]
        # documents a step appended (a Namespace it added) have no original
        current.extend([None] * (len(result.manifest.documents) - len(current)))
    added = [i for i, origin in enumerate(current) if origin is None]
    if len(current) != len(final.documents):  # a step changed the document count some other way: be safe
        added = []
    return sorted(plans.values(), key=lambda p: (p.document, p.pointer)), added


def _plan_json(plan: _ObjectPlan) -> dict[str, Any]:
    obj = plan.obj
    return {
        "file": plan.source,
        "line": obj.line if obj is not None else plan.line,
        "document": plan.document + 1,
        "pointer": plan.pointer,
        "apiVersion": obj.api_version if obj else None,
        "kind": obj.kind if obj else None,
        "namespace": obj.namespace if obj else None,
        "name": obj.name if obj else None,
        "transforms": plan.transforms,
        "operations": plan.operations,
    }


def _write_kustomize(out: str, inputs: Sequence[_Input], manifests: Sequence[Manifest], per_file: Sequence[tuple[list[_ObjectPlan], list[int]]]) -> None:
    """A kustomize overlay: the inputs as resources, one JSON 6902 patch per edited object, deletions, additions."""
    import json

    os.makedirs(out, exist_ok=True)
    resources: list[str] = []
    patches: list[dict[str, Any]] = []
    files: list[tuple[str, bytes]] = []
    used: set[str] = set()
    for number, (item, manifest, (plans, added)) in enumerate(zip(inputs, manifests, per_file), start=1):
        base = os.path.basename(item.path) if item.path else "stdin.yaml"
        name = base if base not in used and base != "kustomization.yaml" else f"{number}-{base}"
        used.add(name)
        resources.append(name)
        files.append((name, item.data))
        for plan in plans:
            obj = plan.obj
            if obj is None or not obj.kind or not obj.name:
                raise _Failure(f"{item.name}:{plan.line}: an edited document is not a named object; kustomize cannot target it")
            target = _kustomize_target(obj)
            patch_name = f"patch-{len(patches) + 1:03d}-{obj.kind.lower()}-{obj.name}.yaml"
            if any(op["op"] == "remove" and op["path"] == "" for op in plan.operations):
                body = {"$patch": "delete", "apiVersion": obj.api_version, "kind": obj.kind, "metadata": {"name": obj.name, **({"namespace": obj.namespace} if obj.namespace else {})}}
                files.append((patch_name, (json.dumps(body, indent=2) + "\n").encode()))
                patches.append({"path": patch_name})
                continue
            ops = [{k: v for k, v in op.items() if k != "comment"} for op in plan.operations]
            files.append((patch_name, (json.dumps(ops, indent=2, ensure_ascii=False) + "\n").encode()))
            patches.append({"path": patch_name, "target": target})
        if added:
            raise _Failure(f"{item.name}: the transforms add documents; write them with `istio-patch apply` (kustomize overlays here only patch)")
    kustomization = {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization", "resources": resources}
    if patches:
        kustomization["patches"] = patches
    files.append(("kustomization.yaml", (json.dumps(kustomization, indent=2) + "\n").encode()))
    _write_files([(os.path.join(out, name), data) for name, data in files], backup=None, create=True)


def _refuse_duplicates(manifests: Sequence[Manifest]) -> None:
    for manifest in manifests:
        dups = manifest.duplicates()
        if dups:
            index, dup = dups[0]
            more = f" (and {len(dups) - 1} more)" if len(dups) > 1 else ""
            raise _Failure(
                f"{manifest.source}:{dup.line}:{dup.column}: the key {dup.key!r} is repeated{more}; kustomize refuses "
                "manifests with duplicate keys (Kubernetes keeps the last value), so no overlay was written. Remove "
                "the duplicates first, or use `istio-patch apply` or `plan --format json`"
            )


def _kustomize_target(obj: KubeObject) -> dict[str, str]:
    group, _, version = (obj.api_version or "").rpartition("/")
    target = {"group": group, "version": version, "kind": obj.kind or "", "name": obj.name or ""}
    if obj.namespace:
        target["namespace"] = obj.namespace
    return {k: v for k, v in target.items() if v or k == "group"}


# ---------------------------------------------------------------------------------------------------------
# check
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class _Finding:
    source: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.source}:{self.line}:{self.column}: {self.message}"


def _cmd_check(args: argparse.Namespace) -> int:
    low, high = _port_range(args.node_port_range)
    manifests = _load_all(_read_inputs(args.files))
    findings: list[_Finding] = []
    objects = [(m, o) for m in manifests for o in m.objects()]
    for manifest in manifests:
        for index, dup in manifest.duplicates():
            findings.append(_Finding(manifest.source, dup.line, dup.column,
                                     f"the key {dup.key!r} is repeated at {dup.pointer or '/'}; Kubernetes keeps the value on line {dup.winning_line}"))
    workloads = {(o.kind, o.namespace or "default", o.name) for _, o in objects}
    host_ports: dict[tuple[str, int, str], tuple[Manifest, KubeObject, str]] = {}
    node_ports: dict[tuple[int, str], tuple[Manifest, KubeObject]] = {}
    for manifest, obj in objects:
        data = obj.data
        spec = data.get("spec") if isinstance(data.get("spec"), dict) else {}
        at = _Locator(manifest, obj)
        if obj.kind == "Service":
            if args.bare_metal and spec.get("type") == "LoadBalancer":
                findings.append(at.finding("/spec/type", f"{obj.describe()} is type LoadBalancer: on bare metal nothing will give it an "
                                           "external address (use --node-port or --preset bare-metal)"))
            for i, port in enumerate(spec.get("ports") or []):
                if not isinstance(port, dict) or not isinstance(port.get("nodePort"), int):
                    continue
                value, protocol = port["nodePort"], str(port.get("protocol") or "TCP")
                where = f"/spec/ports/{i}/nodePort"
                if not low <= value <= high:
                    findings.append(at.finding(where, f"{obj.describe()}: nodePort {value} is outside the node port range {low}-{high}"))
                first = node_ports.get((value, protocol))
                if first is not None and first[1] is not obj:
                    findings.append(at.finding(where, f"{obj.describe()}: nodePort {value}/{protocol} is also used by {first[1].describe()} "
                                               f"({first[0].source}:{first[1].line})"))
                node_ports.setdefault((value, protocol), (manifest, obj))
        if obj.kind == "DaemonSet" and "replicas" in spec:
            findings.append(at.finding("/spec/replicas", f"{obj.describe()} has replicas: a DaemonSet runs one pod per node and has no replicas"))
        if obj.kind == "HorizontalPodAutoscaler":
            ref = spec.get("scaleTargetRef") if isinstance(spec.get("scaleTargetRef"), dict) else {}
            kind, name, ns = ref.get("kind"), ref.get("name"), obj.namespace or "default"
            if kind == "DaemonSet" or (kind and name and ("DaemonSet", ns, name) in workloads and (kind, ns, name) not in workloads):
                findings.append(at.finding("/spec/scaleTargetRef", f"{obj.describe()} targets DaemonSet {ns}/{name}, which an HPA cannot scale; remove the HPA"))
            elif kind and name and (kind, ns, name) not in workloads:
                findings.append(at.finding("/spec/scaleTargetRef", f"{obj.describe()} targets {kind} {ns}/{name}, which is not in the manifest"))
        for pointer, container in _containers(obj):
            for j, port in enumerate(container.get("ports") or []):
                if not isinstance(port, dict) or not isinstance(port.get("hostPort"), int):
                    continue
                key = (str(port.get("hostIP") or "0.0.0.0"), port["hostPort"], str(port.get("protocol") or "TCP"))
                first_use = host_ports.get(key)
                where = f"{pointer}/ports/{j}/hostPort"
                if first_use is not None:
                    other = first_use[1]
                    findings.append(at.finding(where, f"{obj.describe()}: hostPort {key[1]}/{key[2]} is also used by {other.describe()} "
                                               f"({first_use[0].source}:{other.line}{', container ' + first_use[2] if other is obj else ''}); "
                                               "their pods cannot share a node"))
                else:
                    host_ports[key] = (manifest, obj, str(container.get("name")))
    if args.forbid_registry:
        findings.extend(_forbidden_images(manifests, args.forbid_registry))
    for finding in sorted(set(findings), key=lambda f: (f.source, f.line, f.column, f.message)):
        _out(f"{finding}\n")
    return EXIT_FOUND if findings else EXIT_OK


def _place_position(manifest: Manifest, place: Any, reference: str) -> tuple[int, int]:
    """Line and column of an image's place: an image field's value, or the reference inside a longer string."""
    doc = manifest.documents[place.document]
    if place.image_field:
        return doc.position(place.pointer)
    lines = doc.text.split("\n")
    index = place.line - doc.line - 1
    column = lines[index].find(reference) + 1 if 0 <= index < len(lines) else 0
    return place.line, max(column, 1)


def _port_range(text: str) -> tuple[int, int]:
    low, _, high = text.partition("-")
    if not (low.isdigit() and high.isdigit()) or int(low) > int(high):
        raise UsageError(f"{PROG} check: --node-port-range takes FROM-TO, e.g. 30000-32767")
    return int(low), int(high)


def _containers(obj: KubeObject) -> Iterable[tuple[str, Mapping[str, Any]]]:
    """(JSON pointer, container) for every container of the object's pod spec, wherever the kind keeps it."""
    from ._workloads import containers_of

    return containers_of(obj)


class _Locator:
    """File line and column of a JSON pointer inside an object, from the document's node tree."""

    def __init__(self, manifest: Manifest, obj: KubeObject) -> None:
        self.manifest, self.obj = manifest, obj

    def finding(self, pointer: str, message: str) -> _Finding:
        line, column = self.position(pointer)
        return _Finding(self.manifest.source, line, column, message)

    def position(self, pointer: str) -> tuple[int, int]:
        doc: Document = self.manifest.documents[self.obj.document]
        return doc.position(self.obj.pointer + pointer, key=True)


def _forbidden_images(manifests: Sequence[Manifest], registries: Sequence[str]) -> list[_Finding]:
    from . import transforms

    findings = []
    for manifest in manifests:
        for use in transforms.images(manifest):
            for registry in registries:
                prefix = registry.rstrip("/")
                if use.pulled == prefix or use.pulled.startswith(prefix + "/") or use.reference.startswith(prefix + "/"):
                    findings.extend(
                        _Finding(manifest.source, *_place_position(manifest, place, use.reference), f"the image {use.reference} comes from the forbidden registry {registry}")
                        for place in use.places
                    )
                    break
    return findings


# ---------------------------------------------------------------------------------------------------------
# summary
# ---------------------------------------------------------------------------------------------------------

_WORKLOAD_KINDS = ("Deployment", "DaemonSet", "StatefulSet", "ReplicaSet", "ReplicationController", "Job", "CronJob", "Pod")


def _cmd_summary(args: argparse.Namespace) -> int:
    manifests = _load_all(_read_inputs(args.files))
    namespaces: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for manifest in manifests:
        for obj in manifest.objects():
            ns = obj.namespace or "default"
            if obj.kind == "Service":
                spec = obj.data.get("spec") if isinstance(obj.data.get("spec"), dict) else {}
                entry = {"name": obj.name, "type": str(spec.get("type") or "ClusterIP"), "ports": _service_ports(spec)}
                namespaces.setdefault(ns, {"services": [], "workloads": []})["services"].append(entry)
            elif obj.kind in _WORKLOAD_KINDS:
                spec = obj.data.get("spec") if isinstance(obj.data.get("spec"), dict) else {}
                images = list(dict.fromkeys(str(c.get("image")) for _, c in _containers(obj) if c.get("image")))
                entry = {"kind": obj.kind, "name": obj.name, "replicas": _replicas(obj.kind, spec), "images": images}
                namespaces.setdefault(ns, {"services": [], "workloads": []})["workloads"].append(entry)
    if args.json:
        import json

        _out(json.dumps(namespaces, indent=2, ensure_ascii=False) + "\n")
        return EXIT_OK
    lines: list[str] = []
    for ns, content in namespaces.items():
        if lines:
            lines.append("")
        lines.append(f"namespace {ns}")
        if content["services"]:
            rows = [["SERVICE", "TYPE", "PORT(S)"]] + [[s["name"] or "", s["type"], s["ports"] or "<none>"] for s in content["services"]]
            lines.extend("  " + row for row in _table(rows))
        if content["workloads"]:
            if content["services"]:
                lines.append("")
            rows = [["WORKLOAD", "REPLICAS", "IMAGES"]] + [[f"{w['kind']}/{w['name']}", w["replicas"], ",".join(w["images"]) or "<none>"] for w in content["workloads"]]
            lines.extend("  " + row for row in _table(rows))
    _out("".join(line + "\n" for line in lines))
    return EXIT_OK


def _service_ports(spec: dict[str, Any]) -> str:
    """kubectl's PORT(S) column: ``80:31380/TCP,443/TCP``."""
    out = []
    for port in spec.get("ports") or []:
        if not isinstance(port, dict):
            continue
        text = str(port.get("port"))
        if port.get("nodePort") is not None:
            text += f":{port['nodePort']}"
        out.append(f"{text}/{port.get('protocol') or 'TCP'}")
    return ",".join(out)


def _replicas(kind: str | None, spec: dict[str, Any]) -> str:
    if kind == "DaemonSet":
        return "per node"
    if kind in ("Pod",):
        return "1"
    if kind in ("Job", "CronJob"):
        return str(spec.get("parallelism", 1)) if kind == "Job" else "scheduled"
    return str(spec.get("replicas", 1))


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
