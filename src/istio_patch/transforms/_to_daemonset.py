"""Placeholder until this transform lands (being written now)."""

ToDaemonSetOptions = None  # placeholder
def plan_to_daemonset(*args, **kwargs):
    raise NotImplementedError("plan_to_daemonset is not written yet")

def to_daemonset(*args, **kwargs):
    raise NotImplementedError("to_daemonset is not written yet")

