#!/bin/sh
# A helm post-renderer: helm writes the rendered manifests to stdin and applies what this prints.
#   helm install istio ./istio --namespace istio-system --post-renderer ./examples/post-render.sh
# istio-patch exits non-zero with a message (and prints nothing) when it cannot do its job, so helm stops.
exec istio-patch apply --preset bare-metal --preset cn-mirror "$@"
