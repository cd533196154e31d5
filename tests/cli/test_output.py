"""Reading inputs and writing results (``istio_patch.cli._output``): special files, streams, all or nothing.

The command line's use of these functions is tested in tests/test_cli.py; here each function is driven
directly, and the cases that need a process of their own (closed streams, signals, concurrent runs) run a
child interpreter started with ``sys.executable``.
"""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from istio_patch._errors import FileError, IstioPatchError
from istio_patch.cli import _output

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
    assert _output.descriptor_of(name) == descriptor


def test_descriptor_of_follows_links_to_the_streams(tmp_path):
    (tmp_path / "out").symlink_to("/dev/stdout")
    (tmp_path / "via").symlink_to("out")
    assert _output.descriptor_of(str(tmp_path / "via")) == 1
    (tmp_path / "plain").symlink_to("missing.yaml")
    assert _output.descriptor_of(str(tmp_path / "plain")) is None


def test_kind_of_names_what_a_file_is(tmp_path):
    os.mkfifo(tmp_path / "fifo")
    assert _output.kind_of(os.stat(tmp_path / "fifo").st_mode) == "FIFO"
    assert _output.kind_of(os.stat(tmp_path).st_mode) == "directory"
    assert _output.kind_of(os.stat("/dev/null").st_mode) == "character device"
    assert _output.kind_of(stat.S_IFBLK) == "block device"


def test_file_error_is_an_os_error_that_names_the_file():
    exc = FileError("No space left on device; no file was changed", source="out.yaml", errno=28)
    assert isinstance(exc, IstioPatchError) and isinstance(exc, OSError)
    assert str(exc) == "out.yaml: No space left on device; no file was changed"
    assert exc.errno == 28


# --------------------------------------------------------------------------------------------------------
# write_output: where -o writes
# --------------------------------------------------------------------------------------------------------


def test_write_output_dash_is_stdout(capsysbinary):
    _output.write_output("-", DATA)
    assert capsysbinary.readouterr().out == DATA


def test_write_output_through_a_fifo(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    _output.write_output(str(fifo), DATA * 10_000)  # more than a pipe holds: the reader must be there
    reader.join(10)
    assert received == [DATA * 10_000]
    assert stat.S_ISFIFO(fifo.lstat().st_mode)


def test_write_output_through_a_character_device():
    _output.write_output("/dev/null", DATA)
    assert stat.S_ISCHR(os.lstat("/dev/null").st_mode)


def test_write_output_to_a_descriptor(tmp_path):
    read_end, write_end = os.pipe()
    try:
        _output.write_output(f"/dev/fd/{write_end}", DATA)
        assert os.read(read_end, 1000) == DATA
    finally:
        os.close(read_end)
        os.close(write_end)


def test_write_output_creates_and_replaces_regular_files(tmp_path):
    target = tmp_path / "out.yaml"
    _output.write_output(str(target), DATA)
    assert target.read_bytes() == DATA
    _output.write_output(str(target), b"x\n")
    assert target.read_bytes() == b"x\n"
    assert hidden(tmp_path) == []


def test_write_output_refuses_a_directory(tmp_path):
    with pytest.raises(FileError) as caught:
        _output.write_output(str(tmp_path), DATA)
    assert str(caught.value) == f"{tmp_path}: is a directory; name a file to write"
