"""The command line's parser: commands, their arguments, their help and worked examples.

Only the arguments of the command being run are built (every command's, for ``--help``): the transform flags
come from the transforms' descriptors, and reading those costs an import of every transform.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NoReturn

from ._common import PROG, UsageError, out

if TYPE_CHECKING:
    from _typeshed import SupportsWrite

__all__ = ["Parser", "Event", "build", "COMMANDS"]


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message}")

    def print_help(self, file: SupportsWrite[str] | None = None) -> None:
        if file is not None:
            super().print_help(file)
        else:  # argparse would ignore a failed write to stdout; ours raises FileError
            out(self.format_help())


class Event(argparse.Action):
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
  # the same as a kustomize overlay: `kubectl kustomize overlay/` builds the edited objects; kustomize refuses
  # duplicate keys, such as the 1.0.0 gateways' two `app` labels, so remove them first
  istio-patch apply --dedupe-keys -i istio-demo.yaml
  istio-patch plan --preset bare-metal --format kustomize --out overlay/ istio-demo.yaml
"""

CHECK_EPILOG = """\
examples:
  # before installing on bare metal: LoadBalancer Services, DaemonSets with replicas, HPAs of DaemonSets,
  # duplicate keys, objects glued in one document, hostPort clashes, nodePorts out of range, images from a
  # registry you cannot reach
  istio-patch check --bare-metal --forbid-registry gcr.io istio-demo.yaml
  istio-patch apply --preset bare-metal --preset cn-mirror istio-demo.yaml | istio-patch check --bare-metal
"""

VALIDATE_EPILOG = """\
examples (will the result install on today's clusters? offline, with `pip install 'kubernetes-validate>=1.28'`):
  istio-patch apply --preset bare-metal --modernize 1.25 istio-demo.yaml | istio-patch validate --kubernetes-version 1.25
  istio-patch validate --kubernetes-version 1.25 --strict istio-demo.yaml
  (kinds that only a CustomResourceDefinition defines, such as Istio's Gateway, are reported as skipped)
"""

SUMMARY_EPILOG = """\
examples (the guide's step 11, `kubectl get svc -n istio-system` compared with a table, before installing):
  istio-patch summary istio-demo.yaml
  istio-patch apply --preset bare-metal istio-demo.yaml | istio-patch summary
"""



def _apply_arguments(apply: argparse.ArgumentParser) -> None:
    from ._flags import add_transform_flags

    add_transform_flags(apply)
    output = apply.add_argument_group("output")
    where = output.add_mutually_exclusive_group()
    where.add_argument("-o", "--output", metavar="FILE", help="write the result to FILE (atomically; '-' is stdout)")
    where.add_argument("-i", "--in-place", action="store_true", help="edit the files in place (atomically, all or nothing)")
    where.add_argument("--diff", action="store_true", help="print a unified diff instead of the result")
    output.add_argument("--backup", metavar="SUFFIX", help="with -i: keep each original as FILE+SUFFIX (e.g. .ori)")
    output.add_argument("--check", action="store_true", help="write nothing; exit 1 when the transforms would change something")
    output.add_argument("--color", choices=("auto", "always", "never"), default="auto", help="colour the diff (default: on a terminal)")
    output.add_argument("-v", "--verbose", action="store_true", help="report every change, and what was found done already, on stderr")
    output.add_argument("-q", "--quiet", action="store_true", help="no warnings")


def _images_arguments(images: argparse.ArgumentParser) -> None:
    images.add_argument("--json", action="store_true", help="print JSON with where each image is named")


def _plan_arguments(plan: argparse.ArgumentParser) -> None:
    from ._flags import add_transform_flags

    add_transform_flags(plan)
    plan.add_argument("--format", choices=("json", "kustomize"), default="json", help="json (default) or a kustomize overlay")
    plan.add_argument("--out", metavar="DIR", help="with --format kustomize: the overlay directory to write")
    plan.add_argument("--force", action="store_true", help="with --out: overwrite a kustomization.yaml that istio-patch did not write")
    plan.add_argument("-q", "--quiet", action="store_true", help="no warnings")


def _check_arguments(check: argparse.ArgumentParser) -> None:
    check.add_argument("--bare-metal", action="store_true", help="flag LoadBalancer Services (no cloud will serve them)")
    check.add_argument("--forbid-registry", action="append", default=[], metavar="REGISTRY",
                       help="flag images from REGISTRY (or a registry/namespace prefix); repeatable")
    check.add_argument("--node-port-range", default="30000-32767", metavar="FROM-TO", help="the cluster's node port range (default 30000-32767)")
    check.add_argument("--format", choices=("text", "json", "github", "sarif"), default="text",
                       help="text (FILE:LINE:COL: [rule] message, the default), json, github (workflow annotations) or sarif (SARIF 2.1.0)")
    check.add_argument("--rule", action="append", metavar="ID", help="run only this rule; repeatable (see --list-rules)")
    check.add_argument("--list-rules", action="store_true", help="list the rules with what each finds, and exit")


def _summary_arguments(summary: argparse.ArgumentParser) -> None:
    summary.add_argument("--json", action="store_true", help="print JSON")


def _validate_arguments(validate: argparse.ArgumentParser) -> None:
    validate.add_argument("--kubernetes-version", required=True, metavar="X.Y", help="the release to check against, e.g. 1.25")
    validate.add_argument("--strict", action="store_true", help="also refuse fields the schema does not declare")


# command -> (one line for the command list, description, examples, its arguments)
COMMANDS: dict[str, tuple[str, str, str, Callable[[argparse.ArgumentParser], None]]] = {
    "apply": (
        "apply transforms; print the result",
        "Apply the transforms in command-line order and write the result (stdout by default). "
        "With no transform, the output is the input, byte for byte.",
        APPLY_EPILOG,
        _apply_arguments,
    ),
    "images": (
        "list the images a manifest pulls",
        "Every image reference the manifests will pull, one per line, in order of first appearance (template strings included).",
        IMAGES_EPILOG,
        _images_arguments,
    ),
    "plan": (
        "show the RFC 6902 operations, or write a kustomize overlay",
        "The operations the transforms would apply, per object.",
        PLAN_EPILOG,
        _plan_arguments,
    ),
    "check": (
        "find the guide's pitfalls",
        "Report the guide's pitfalls with FILE:LINE:COL and the rule's id; exit 1 when any is found.",
        CHECK_EPILOG,
        _check_arguments,
    ),
    "summary": (
        "what the manifest will create, per namespace",
        "Services with type, cluster IP and ports as kubectl writes them, and workloads with kind, replicas and images, per namespace.",
        SUMMARY_EPILOG,
        _summary_arguments,
    ),
    "validate": (
        "check objects against a Kubernetes release's schemas, offline",
        "Check every object against the OpenAPI schemas of one Kubernetes release (from the kubernetes-validate package; "
        "no cluster, no network). Prints FILE:LINE: error|skipped: ...; exit 1 when an object has an error.",
        VALIDATE_EPILOG,
        _validate_arguments,
    ),
}


def build(command: str | None) -> Parser:
    """The parser; only ``command``'s own arguments are built (every command's when it is None, for --help)."""
    parser = Parser(
        prog=PROG,
        description="Safe, byte-exact edits of Kubernetes manifests for installing Istio on bare metal.",
        epilog="Run `istio-patch COMMAND --help` for a command's options and a worked example.",
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    common = Parser(add_help=False)
    common.add_argument("files", nargs="*", metavar="FILE", help="manifests to read ('-' or none: stdin)")
    common.add_argument("-f", "--filename", dest="more_files", action="append", default=[], metavar="FILE",
                        help="a manifest to read, as kubectl takes it; repeatable")
    common.add_argument("--debug", action="store_true", help="show a traceback on errors")
    for name, (summary, description, examples, arguments) in COMMANDS.items():
        subparser = sub.add_parser(
            name, parents=[common], help=summary, description=description, epilog=examples,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        if command is None or command == name:
            arguments(subparser)
    return parser
