"""Placeholder until this transform lands (being written now)."""

MirrorImagesOptions = None  # placeholder
MirrorRule = None  # placeholder
def mirror_images(*args, **kwargs):
    raise NotImplementedError("mirror_images is not written yet")

def plan_mirror_images(*args, **kwargs):
    raise NotImplementedError("plan_mirror_images is not written yet")

