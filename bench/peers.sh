#!/usr/bin/env bash
# The peer benchmark (issue 5), in one run on this machine: netc against PyTorch
# (eager, channels_last, TorchScript frozen, optimize_for_inference, each with
# OpenMP's default and its passive wait policy; the fastest per row) and, for
# whole networks, OpenCV DNN, on
#   - every conv layer of the ConvNetJS CIFAR-10 net, LeNet-5, the lecture's
#     layer, VGG-16 and ResNet-18 (one 3x3 conv per stage),
#   - the fused conv + activation + pool sequences,
#   - the whole networks mlp2, lenet5, cifar10, resnet18, vgg16, mobilenet,
#     alexnet, googlenet,
# each at batch 1 and 8, 2 threads, plus the machine's FMA peak (bench/fmapeak.c
# and netc bench) and memory bandwidth (bench/stream.c). The rows live in
# bench/peers/layers.py; the tables go to stdout, progress to stderr, every
# number to a JSON file, which bench/peers/to_markdown.py turns into the tables
# of docs/performance.md.
#
# Usage: bench/peers.sh [BUILD_DIR] [--quick] [--json OUT.json]
#   BUILD_DIR  a build with tools/netc/netc (default: build)
#   --quick    a subset (the ConvNetJS and LeNet-5 layers, one ResNet-18 layer,
#              two fused layers, mlp2 and cifar10) to check the script in ~2 minutes
#   --json     where to write every number (default BUILD_DIR/bench-peers/results.json)
#   --sections layers,fused,networks   only these tables
#   --rows NAME,NAME   only the rows of these names (e.g. --rows mobilenet)
#   --target TARGET    an older x86 instruction set for everyone: netc compiles for
#              TARGET (x86-64-linux-avx2-fma or x86-64-linux-sse41), oneDNN and
#              PyTorch's own kernels are capped at it (ONEDNN_MAX_CPU_ISA,
#              ATEN_CPU_CAPABILITY), OpenCV's AVX-512 (and for SSE4.1 its AVX)
#              dispatch is disabled (OPENCV_CPU_DISABLE), and the FMA peak is
#              measured at that vector width
#
# Installs python3-torch, python3-opencv and libopenblas0-pthread with apt-get
# where missing (needs root); nothing else in the project needs them.
# (torch.onnx.export writes ONNX without the python3-onnx package.)
set -euo pipefail
cd "$(dirname "$0")/.."

build=build
target=
extra=()
while (($#)); do
  case $1 in
    --quick) extra+=(--quick) ;;
    --json) extra+=(--json "$2"); shift ;;
    --sections) extra+=(--sections "$2"); shift ;;
    --rows) extra+=(--rows "$2"); shift ;;
    --target) target=$2; extra+=(--target "$2"); shift ;;
    -h|--help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) echo "peers.sh: unknown option $1" >&2; exit 2 ;;
    *) build=$1 ;;
  esac
  shift
done

netc="$build/tools/netc/netc"
if [[ ! -x $netc ]]; then
  echo "peers.sh: $netc not found; build it first: ninja -C $build netc" >&2
  exit 1
fi

# Debian's Python packages belong to Debian's interpreter; a `python3` earlier
# on PATH (pyenv, a venv) would not see them.
python=/usr/bin/python3
export PYTHONDONTWRITEBYTECODE=1   # no __pycache__ in the source tree
packages=(python3-torch python3-opencv libopenblas0-pthread)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "== installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y --no-install-recommends "${missing[@]}" ||
    { apt-get update && apt-get install -y --no-install-recommends "${missing[@]}"; }
fi

# Point torch at OpenBLAS through LD_LIBRARY_PATH rather than by switching the
# system's libblas.so.3 alternative (which other software on the machine uses).
openblas_dir=$(dirname "$(dpkg -L libopenblas0-pthread | grep '/libblas\.so\.3$' | head -n1)")

work="$build/bench-peers"
mkdir -p "$work"
cc -O3 -march=native -pthread bench/stream.c -o "$work/stream"
# The peak of the vector width the run compiles for.
case $target in
  "") isa_flags=() ;;
  *avx512*) isa_flags=() ;;
  *avx2*) isa_flags=(-mno-avx512f) ;;
  *sse41*) isa_flags=(-mno-avx512f -mno-avx -mno-avx2 -mno-fma) ;;
  *) echo "peers.sh: --target $target: only x86-64 AVX-512, AVX2 and SSE4.1 targets" >&2; exit 2 ;;
esac
cc -O3 -march=native "${isa_flags[@]}" -pthread bench/fmapeak.c -o "$work/fmapeak"
stream_gbs=$("$work/stream" 2 256)
fma_peak=$("$work/fmapeak" 2)
# The peak sustained over longer windows: what a call that long can reach.
fma_curve=$("$work/fmapeak" 2 --curve | tr ' ' ':' | paste -sd, -)
echo "== machine: stream triad $stream_gbs GB/s (bench/stream.c), FMA peak $fma_peak GFLOP/s" \
  "(bench/fmapeak.c), 2 threads; over windows of MS:GFLOP/s $fma_curve" >&2

exec "$python" bench/peers/run_peers.py --build "$build" --stream-gbs "$stream_gbs" \
  --fma-peak "$fma_peak" --fma-peak-curve "$fma_curve" --openblas-dir "$openblas_dir" \
  "${extra[@]}"
