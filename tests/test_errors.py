"""The exception family: positions as attributes, messages that show them, built-in bases, pickling."""

from __future__ import annotations

import pickle

import pytest

from istio_patch import (
    DecodeError,
    EditError,
    IstioPatchError,
    LimitError,
    ModelValidationError,
    OptionsError,
    PatchTestFailed,
    SelectorError,
    YAMLSyntaxError,
)


def test_message_with_every_position() -> None:
    err = YAMLSyntaxError("bad", source="f.yaml", document=1, line=3, column=5, pointer="/a", snippet="  x: [y")
    assert str(err) == "f.yaml:3:5: bad (document 1, at /a)\n      x: [y\n        ^"
    assert err.headline() == "f.yaml:3:5: bad (document 1, at /a)"
    assert err.location == "f.yaml:3:5"


def test_message_without_positions() -> None:
    # an error about no input at all (options built in Python) has no location to show
    assert str(EditError("nope")) == "nope"
    assert str(EditError("nope", source="f", line=2)) == "f:2: nope"
    assert str(EditError("nope", pointer="")) == "nope (at /)"
    assert str(EditError("nope", source="<string>")) == "<string>: nope"
    assert str(EditError("nope", line=3)) == "<string>:3: nope"


def test_caret_keeps_tabs_aligned() -> None:
    err = YAMLSyntaxError("bad", source="f", line=1, column=3, snippet="\t\tx")
    assert str(err).splitlines()[-1] == "    \t\t^"


@pytest.mark.parametrize(
    ("cls", "builtin"),
    [
        (DecodeError, ValueError),
        (YAMLSyntaxError, ValueError),
        (LimitError, ValueError),
        (EditError, ValueError),
        (PatchTestFailed, AssertionError),
        (PatchTestFailed, EditError),
        (ModelValidationError, ValueError),
        (SelectorError, LookupError),
        (OptionsError, ValueError),
    ],
)
def test_every_error_is_also_a_builtin(cls: type, builtin: type) -> None:
    assert issubclass(cls, IstioPatchError)
    assert issubclass(cls, builtin)


def test_errors_survive_pickling() -> None:
    err = DecodeError("x", source="f", line=1, column=2, byte_offset=7)
    back = pickle.loads(pickle.dumps(err))
    assert (type(back), str(back), back.byte_offset) == (DecodeError, str(err), 7)
    edit = EditError("y", pointer="/a/b", document=4)
    assert str(pickle.loads(pickle.dumps(edit))) == "<string>: y (document 4, at /a/b)"


def test_file_error_is_an_os_error_that_names_the_file() -> None:
    from istio_patch._errors import FileError

    err = FileError("No space left on device; no file was changed", source="out.yaml", errno=28)
    assert isinstance(err, IstioPatchError) and isinstance(err, OSError)
    assert (str(err), err.location, err.errno) == ("out.yaml: No space left on device; no file was changed", "out.yaml", 28)
    assert str(FileError("No space left on device")) == "No space left on device"  # no file to name: no "<string>"
    back = pickle.loads(pickle.dumps(err))
    assert (type(back), str(back), back.errno) == (FileError, str(err), 28)

@pytest.mark.parametrize("control", ["\x1b", "\x9b", "\x07", "\x85", "\n", "\x7f", "\ud800"])
def test_snippets_and_messages_cannot_drive_a_terminal(control: str) -> None:
    err = EditError(
        f"no such key 'a{control}[2J'",
        source=f"f{control}.yaml",
        line=1,
        column=4,
        pointer=f"/a{control}[2J",
        snippet=f"a{control}[2J: 1",
    )
    assert str(err) == "f\ufffd.yaml:1:4: no such key 'a\ufffd[2J' (at /a\ufffd[2J)\n    a\ufffd[2J: 1\n       ^"
    str(err).encode("utf-8")  # printable on any UTF-8 terminal, lone surrogates included
    assert err.pointer == f"/a{control}[2J"  # the attribute keeps the pointer as it is


def test_tabs_stay_in_messages() -> None:
    assert EditError("a\tb").message == "a\tb"
