"""The standard streams (``istio_patch.cli._streams``): every byte accounted for, names of descriptors and files."""

from __future__ import annotations

import errno
import os
import stat
import sys
from pathlib import Path

import pytest

from istio_patch._errors import FileError
from istio_patch.cli import _inputs, _streams

DATA = b"kind: Namespace\nmetadata: {name: demo}\n"


def hidden(folder: Path) -> list[str]:
    """Files a write may have left behind (temporary files and saved originals start with a dot)."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


# --------------------------------------------------------------------------------------------------------
# names and kinds
# --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "descriptor"),
    [
        ("/dev/stdin", 0),
        ("/dev/stdout", 1),
        ("/dev/stderr", 2),
        ("/dev/fd/63", 63),
        ("/proc/self/fd/3", 3),
        ("/proc/thread-self/fd/4", 4),
        (f"/proc/{os.getpid()}/fd/5", 5),
        ("/dev/null", None),
        ("/dev/fd/x", None),
        ("out.yaml", None),
    ],
)
def test_descriptor_of_names_the_streams(name, descriptor):
    assert _streams.descriptor_of(name) == descriptor


def test_descriptor_of_follows_links_to_the_streams(tmp_path):
    (tmp_path / "out").symlink_to("/dev/stdout")
    (tmp_path / "via").symlink_to("out")
    assert _streams.descriptor_of(str(tmp_path / "via")) == 1
    (tmp_path / "plain").symlink_to("missing.yaml")
    assert _streams.descriptor_of(str(tmp_path / "plain")) is None


def test_kind_of_names_what_a_file_is(tmp_path):
    os.mkfifo(tmp_path / "fifo")
    assert _streams.kind_of(os.stat(tmp_path / "fifo").st_mode) == "FIFO"
    assert _streams.kind_of(os.stat(tmp_path).st_mode) == "directory"
    assert _streams.kind_of(os.stat("/dev/null").st_mode) == "character device"
    assert _streams.kind_of(stat.S_IFBLK) == "block device"


# --------------------------------------------------------------------------------------------------------
# the standard streams
# --------------------------------------------------------------------------------------------------------


def stdout_to(monkeypatch, descriptor: int) -> None:
    monkeypatch.setattr(sys, "stdout", open(descriptor, "w", closefd=False))


def test_write_stdout_completes_partial_writes(monkeypatch, tmp_path):
    target = tmp_path / "out"
    real = os.write
    with open(target, "wb") as handle:
        stdout_to(monkeypatch, handle.fileno())
        monkeypatch.setattr(os, "write", lambda fd, data: real(fd, bytes(data[:7])))
        _streams.write_stdout(DATA)
    assert target.read_bytes() == DATA


def test_write_stdout_reports_a_failure_after_a_partial_write(monkeypatch, tmp_path):
    real = os.write
    calls = []

    def fills_up(fd, data):
        calls.append(fd)
        if len(calls) > 1:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(fd, bytes(data[:7]))

    with open(tmp_path / "out", "wb") as handle:
        stdout_to(monkeypatch, handle.fileno())
        monkeypatch.setattr(os, "write", fills_up)
        with pytest.raises(FileError) as caught:
            _streams.write_stdout(DATA)
        monkeypatch.undo()
        # stdout now points at /dev/null: Python's own flush at exit cannot fail a second time
        assert os.path.samestat(os.fstat(handle.fileno()), os.stat(os.devnull))
    assert str(caught.value) == "<stdout>: No space left on device; the output is incomplete"
    assert caught.value.errno == errno.ENOSPC
    assert (tmp_path / "out").read_bytes() == DATA[:7]


def test_write_stdout_writes_chunks_as_they_come(monkeypatch, tmp_path):
    made = []

    def chunks():  # made one at a time: the whole output is never held at once
        for chunk in (DATA[:10], b"", DATA[10:]):
            made.append(chunk)
            yield chunk

    with open(tmp_path / "out", "wb") as handle:
        stdout_to(monkeypatch, handle.fileno())
        _streams.write_stdout(chunks())
    assert (tmp_path / "out").read_bytes() == DATA and made == [DATA[:10], b"", DATA[10:]]


def test_write_stdout_reports_a_failure_in_a_later_chunk_as_incomplete(monkeypatch, tmp_path):
    real = os.write
    calls = []

    def fills_up(fd, data):
        calls.append(fd)
        if len(calls) > 1:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(fd, bytes(data))

    with open(tmp_path / "out", "wb") as handle:
        stdout_to(monkeypatch, handle.fileno())
        monkeypatch.setattr(os, "write", fills_up)
        with pytest.raises(FileError) as caught:
            _streams.write_stdout(iter([DATA[:10], DATA[10:]]))
        monkeypatch.undo()
    assert str(caught.value) == "<stdout>: No space left on device; the output is incomplete"
    assert (tmp_path / "out").read_bytes() == DATA[:10]


def test_write_stdout_to_a_text_stream_decodes_across_chunks(monkeypatch):
    import io

    text = io.StringIO()
    monkeypatch.setattr(sys, "stdout", text)
    data = "name: d\u00e9mo \U0001f510\n".encode()
    _streams.write_stdout(iter([data[:10], data[10:12], data[12:]]))  # cuts inside characters
    assert text.getvalue() == "name: d\u00e9mo \U0001f510\n"


def test_write_stdout_into_a_closed_pipe(monkeypatch):
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        stdout_to(monkeypatch, write_end)
        with pytest.raises(FileError) as caught:
            _streams.write_stdout(DATA)
    finally:
        os.close(write_end)
    assert str(caught.value) == "<stdout>: Broken pipe; nothing was written"
    assert caught.value.errno == errno.EPIPE


def test_write_stdout_when_stdout_is_closed(monkeypatch):
    monkeypatch.setattr(sys, "stdout", None)  # what Python sets when descriptor 1 is closed at startup
    with pytest.raises(FileError) as caught:
        _streams.write_stdout(DATA)
    assert str(caught.value) == "<stdout>: is closed; nothing was written"


def test_flush_stdout_reports_what_python_could_not_write(monkeypatch):
    if not os.path.exists("/dev/full"):
        pytest.skip("needs /dev/full")
    with open("/dev/full", "wb") as full:
        stdout_to(monkeypatch, full.fileno())
        sys.stdout.write("usage: ...\n")
        with pytest.raises(FileError) as caught:
            _streams.flush_stdout()
    assert str(caught.value) == "<stdout>: No space left on device; nothing was written"


def test_write_stderr_never_raises(monkeypatch):
    monkeypatch.setattr(sys, "stderr", None)
    _streams.write_stderr("istio-patch: error: x\n")
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        monkeypatch.setattr(sys, "stderr", open(write_end, "w", closefd=False))
        _streams.write_stderr("istio-patch: error: x\n")
    finally:
        os.close(write_end)


def test_read_inputs_from_a_closed_stdin(monkeypatch):
    monkeypatch.setattr(sys, "stdin", None)
    with pytest.raises(FileError) as caught:
        _inputs.read_inputs(["-"])
    assert str(caught.value) == "<stdin>: is closed; name the files to read"

