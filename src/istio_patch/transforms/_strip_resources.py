"""Placeholder until this transform lands (being written now)."""

StripResourcesOptions = None  # placeholder
def plan_strip_resources(*args, **kwargs):
    raise NotImplementedError("plan_strip_resources is not written yet")

def strip_resources(*args, **kwargs):
    raise NotImplementedError("strip_resources is not written yet")

