"""Placeholder until this transform lands (being written now)."""

HostPortsOptions = None  # placeholder
def host_ports(*args, **kwargs):
    raise NotImplementedError("host_ports is not written yet")

def plan_host_ports(*args, **kwargs):
    raise NotImplementedError("plan_host_ports is not written yet")

