"""Placeholder until this transform lands (being written now)."""

PRESETS = None  # placeholder
def preset(*args, **kwargs):
    raise NotImplementedError("preset is not written yet")

