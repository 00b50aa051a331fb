#!/usr/bin/env bash
# netc's main job, end to end: compile the ConvNetJS CIFAR-10 network to a native
# library, link the example application against it, and run it. Each step is
# printed the way a user would type it.
set -euo pipefail
build=${1:-build}
out=$build/demo
run() { echo "+ $*"; "$@"; }
mkdir -p "$out"
run "$build/tools/netc/netc" check examples/models/cifar10.nn
run "$build/tools/netc/netc" compile examples/models/cifar10.nn --random-weights 42 -o "$out"
run cc -O2 examples/app/classify.c -I "$out" -I runtime/include \
  "$out/libcifar10.a" "$build/runtime/libnetc_runtime.a" -lpthread -ldl -lm -o "$out/classify"
run "$out/classify" --batch 2
