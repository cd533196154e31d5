"""The command line's parts that other commands share (``_output``: reading inputs and writing results safely)."""
