"""Placeholder until this transform lands (being written now)."""

NodePortOptions = None  # placeholder
def node_port(*args, **kwargs):
    raise NotImplementedError("node_port is not written yet")

def plan_node_port(*args, **kwargs):
    raise NotImplementedError("plan_node_port is not written yet")

