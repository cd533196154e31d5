"""Every case of tests/bad_input/ through the library: the exact message, or an untouched pass-through.

The folder's README describes the format; CLI tests read the same cases.
"""

from __future__ import annotations

import resource
import time
from pathlib import Path

import pytest

import istio_patch
from istio_patch import IstioPatchError

CASES = Path(__file__).resolve().parent / "bad_input"


def read_expected(path: Path) -> tuple[str, int]:
    """(message, exit code) of one ``.expected`` file."""
    fields = dict(line.split(":", 1) for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    return fields["message"].strip(), int(fields["exit"])


INPUTS = sorted(CASES.glob("*.yaml"))


def test_every_input_has_its_expectation() -> None:
    assert INPUTS
    assert {p.stem for p in INPUTS} == {p.stem for p in CASES.glob("*.expected")}


@pytest.mark.parametrize("path", INPUTS, ids=lambda p: p.stem)
def test_bad_input(path: Path) -> None:
    message, code = read_expected(path.with_suffix(".expected"))
    raw = path.read_bytes()
    started = time.perf_counter()
    try:
        manifest = istio_patch.load(raw, source=path.name)
        istio_patch.check_syntax(manifest)
        manifest.objects()
    except IstioPatchError as exc:
        assert code == 2, f"unexpected error: {exc}"
        assert exc.headline() == message
    else:
        assert code == 0 and message == "", "the input was accepted but an error is expected"
        assert manifest.to_bytes() == raw
    assert time.perf_counter() - started < 20


def test_not_objects_pass_through_and_are_not_objects() -> None:
    manifest = istio_patch.load((CASES / "not-objects.yaml").read_bytes())
    assert [o.kind for o in manifest.objects()] == ["Frobnicator"]  # a kind makes an object, known or not
    assert [d.data for d in manifest.documents][:4] == [None, "just a scalar", ["a", "list"], {"metadata": {"name": "no-kind"}}]


def test_alias_bomb_stays_within_memory() -> None:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(istio_patch.LimitError):
        istio_patch.check_syntax(istio_patch.load((CASES / "alias-bomb.yaml").read_bytes()))
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert grown_kib < 1024 * 1024  # well under 1 GB (ru_maxrss is in KiB on Linux)


def test_edit_of_a_bad_document_is_an_error_not_a_crash() -> None:
    manifest = istio_patch.load((CASES / "unclosed-quote.yaml").read_bytes(), source="unclosed-quote.yaml")
    assert manifest.documents[0].data["metadata"]["name"] == "ok"  # the good document is still usable
    with pytest.raises(istio_patch.YAMLSyntaxError):
        manifest.apply([{"op": "add", "path": "/x", "value": 1}], index=1)
