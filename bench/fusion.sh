#!/usr/bin/env bash
# The fusion benchmark (issue 4), in one run on this machine:
#  1. every conv + ReLU + pool layer of the course's networks fused (-O1) and
#     unfused (-O0): median time, speedup, and the intermediate bytes each writes;
#  2. the activation arena of every network in examples/models/ against the
#     plain sum of its activations, unfused and fused.
# Usage: bench/fusion.sh [BUILD_DIR]   (default: build)
set -euo pipefail
build=${1:-build}
cd "$(dirname "$0")/.."
echo "== conv + relu + pool layers, batch 1 (ratios are within this run)"
"$build/bench/fusion-bench" --iterations 20
echo
echo "== the same, batch 8 (small layers)"
"$build/bench/fusion-bench" --iterations 10 --batch 8 --filter convnetjs
"$build/bench/fusion-bench" --iterations 10 --batch 8 --filter lenet
echo
echo "== activation arena vs the sum of intermediate activations (bytes per image)"
printf "%-22s %14s %14s %8s %14s %14s\n" model "O0 sum" "O0 arena" "ratio" "O1 sum" "O1 arena"
opt="$build/tools/netc-opt/netc-opt"
for model in examples/models/*.nn; do
  name=$(basename "$model" .nn)
  o0=$("$opt" "$model" --pass=plan-memory --remarks 2>&1 >/dev/null | grep 'remark: arena' || true)
  o1=$("$opt" "$model" --random-weights 1 \
        --pass=cse,dce,fold-batchnorm,fuse-conv,fuse-dense,fuse-elementwise,plan-memory --remarks \
        2>&1 >/dev/null | grep 'remark: arena' || true)
  read -r a0 s0 <<<"$(sed -E 's/.*arena ([0-9]+) bytes for ([0-9]+) bytes.*/\1 \2/' <<<"$o0")"
  read -r a1 s1 <<<"$(sed -E 's/.*arena ([0-9]+) bytes for ([0-9]+) bytes.*/\1 \2/' <<<"$o1")"
  ratio=$(awk -v a="$a0" -v s="$s0" 'BEGIN { if (s > 0) printf "%.2f", a / s; else print "-" }')
  printf "%-22s %14s %14s %8s %14s %14s\n" "$name" "$s0" "$a0" "$ratio" "$s1" "$a1"
done
