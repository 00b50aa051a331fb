#!/usr/bin/env bash
# Runs one model four ways — reference interpreter, JIT fused (-O1) and unfused
# (-O0), and ahead-of-time compiled shared library — on the same random weights
# and inputs, and checks that the compiled outputs match the reference within
# the tolerances.
#
# The library is compiled once and runs at every batch. The JIT compiles the
# whole model again on each run (for GoogLeNet a minute at -O1), so with a
# library it runs at the last batch only: the library's kernels are the JIT's
# -O1 kernels, and the last batch (the largest, by convention) exercises the
# JIT's per-batch memory the most. Without a library (--no-aot) the JIT runs
# at every batch.
#
#   check-numeric.sh NETC AOT_RUN NPY_COMPARE WORKDIR MODEL [--batch N]...
#                    [--rtol R] [--atol A] [--target T] [--no-aot]
#                    [--schedule-registers R] [--schedule-lanes L]
#
# --schedule-registers 32 compiles with the schedules of a 32-register target
# (AVX-512's) for this machine's vectors: those schedules' loop nests, tiles
# and edges checked where AVX-512 cannot run. With --schedule-lanes 16 as
# well, the schedules are AVX-512's whole (16-float vectors, which Halide
# splits into this machine's).
set -euo pipefail
netc=$1 aot_run=$2 compare=$3 work=$4 model=$5
shift 5
batches=() rtol=1e-4 atol=1e-5 target=host aot=1 schedule=()
while [ $# -gt 0 ]; do
  case $1 in
    --batch) batches+=("$2"); shift 2 ;;
    --rtol) rtol=$2; shift 2 ;;
    --atol) atol=$2; shift 2 ;;
    --target) target=$2; shift 2 ;;
    --no-aot) aot=0; shift ;;
    --schedule-registers) schedule+=(--schedule-registers "$2"); shift 2 ;;
    --schedule-lanes) schedule+=(--schedule-lanes "$2"); shift 2 ;;
    *) echo "check-numeric: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ ${#batches[@]} -gt 0 ] || batches=(1)
rm -rf "$work" && mkdir -p "$work"
weights=(--random-weights 7)

if [ $aot = 1 ]; then
  "$netc" compile "$model" "${weights[@]}" --target "$target" "${schedule[@]}" --shared \
    --name numeric_model -o "$work/aot"
fi
for b in "${batches[@]}"; do
  echo "== batch $b"
  "$netc" run "$model" "${weights[@]}" --random-input 11 --batch "$b" --reference --quiet \
    --save-inputs "$work/in$b" --output-dir "$work/ref$b"
  if [ $aot = 0 ] || [ "$b" = "${batches[-1]}" ]; then
    "$netc" run "$model" "${weights[@]}" --random-input 11 --batch "$b" --target "$target" \
      "${schedule[@]}" --quiet --output-dir "$work/jit$b"
    echo "-- jit (optimized: fused) vs reference"
    "$compare" "$work/ref$b" "$work/jit$b" --rtol "$rtol" --atol "$atol"
    "$netc" run "$model" "${weights[@]}" --random-input 11 --batch "$b" --target "$target" -O0 \
      "${schedule[@]}" --quiet --output-dir "$work/jit-O0-$b"
    echo "-- jit -O0 (unfused) vs reference"
    "$compare" "$work/ref$b" "$work/jit-O0-$b" --rtol "$rtol" --atol "$atol"
  fi
  if [ $aot = 1 ]; then
    "$aot_run" "$work/aot/libnumeric_model.so" --name numeric_model --input-dir "$work/in$b" \
      --output-dir "$work/aot$b"
    echo "-- aot vs reference"
    "$compare" "$work/ref$b" "$work/aot$b" --rtol "$rtol" --atol "$atol"
  fi
done
echo "numeric check passed"
