"""``python -m istio_patch``: the command line (see ``istio_patch.cli``)."""

from .cli import main_entry

main_entry()
