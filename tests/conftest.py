"""Test session set-up shared by every test module."""

from __future__ import annotations

import os

# Tests that run the command line in a fresh interpreter from another working directory (tests/bad_input/)
# must import this checkout's sources, not whatever `istio_patch` is installed: a relative PYTHONPATH
# (`PYTHONPATH=src`) would stop pointing here once the working directory changes.
if os.environ.get("PYTHONPATH"):
    os.environ["PYTHONPATH"] = os.pathsep.join(os.path.abspath(p) if p else p for p in os.environ["PYTHONPATH"].split(os.pathsep))
