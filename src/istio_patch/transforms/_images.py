"""Placeholder until this transform lands (being written now)."""

ImageUse = None  # placeholder
def images(*args, **kwargs):
    raise NotImplementedError("images is not written yet")

