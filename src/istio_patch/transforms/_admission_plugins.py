"""Placeholder until this transform lands (being written now)."""

AdmissionPluginsOptions = None  # placeholder
def admission_plugins(*args, **kwargs):
    raise NotImplementedError("admission_plugins is not written yet")

def plan_admission_plugins(*args, **kwargs):
    raise NotImplementedError("plan_admission_plugins is not written yet")

