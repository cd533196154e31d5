#!/bin/sh
# A helm post-renderer: helm writes the rendered manifests to stdin and applies what this prints.
#   helm install istio ./istio --namespace istio-system --post-renderer ./examples/post-render.sh
# istio-patch exits non-zero with a message (and prints nothing) when it cannot do its job, so helm stops.
# It runs $ISTIO_PATCH if set, else istio-patch from PATH, else the one the README's Quick start installs.
here=$(cd "$(dirname "$0")" && pwd)
if [ -n "${ISTIO_PATCH:-}" ]; then
    run=$ISTIO_PATCH
elif command -v istio-patch >/dev/null 2>&1; then
    run=istio-patch
elif [ -x "$here/../.venv/bin/istio-patch" ]; then
    run=$here/../.venv/bin/istio-patch
else
    echo "post-render.sh: istio-patch is not installed here: install it, or set ISTIO_PATCH to its path" >&2
    exit 127
fi
exec "$run" apply --preset bare-metal --preset cn-mirror "$@"
