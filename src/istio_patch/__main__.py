"""``python -m istio_patch``: the command line (see ``istio_patch._cli``)."""

from ._cli import main_entry

main_entry()
