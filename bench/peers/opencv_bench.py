"""The OpenCV DNN peer of bench/peers.sh: a worker that times ONNX networks.

A process of its own, never the torch worker's: Debian's OpenCV runs its DNN
layers on TBB, and in a process where torch has loaded its OpenMP runtime,
OpenCV has been seen to run on one core without a word. run_peers.py starts
it as `/usr/bin/python3 opencv_bench.py`; it speaks the line protocol of
torch_bench.py: a {"ready": ...} line, then one answer per request
  {"onnx": PATH, "input": NPY, "reference": NPY, "budget_s": S}
with the min and median of the timed forward() calls and the largest
difference from torch's output on the same input (a check that the exported
network computes the same function).
"""

import json
import os
import statistics
import sys
import time
import traceback

PROTOCOL = os.fdopen(os.dup(1), "w", buffering=1)
os.dup2(2, 1)
sys.stdout = sys.stderr

import cv2  # noqa: E402
import numpy as np  # noqa: E402
from timing import warm_up  # noqa: E402

THREADS = int(os.environ.get("PEERS_THREADS", "2"))
cv2.setNumThreads(THREADS)


def parallel_framework():
    for line in cv2.getBuildInformation().splitlines():
        if "Parallel framework" in line:
            return line.split(":", 1)[1].strip()
    return "unknown"


def bench(request):
    net = cv2.dnn.readNetFromONNX(request["onnx"])
    net.setPreferableBackend(cv2.dnn.DNN_BACKEND_OPENCV)
    net.setPreferableTarget(cv2.dnn.DNN_TARGET_CPU)
    x = np.load(request["input"])
    reference = np.load(request["reference"])

    def call():
        # setInput each time, as an application would with a new image.
        net.setInput(x)
        return net.forward()

    # Warm-up and count as in torch_bench.py's time_calls: the first forward()
    # also sets the network up (layer fusion, buffer allocation).
    out = call()
    warm_up(call, request["budget_s"])
    times = []
    deadline = time.perf_counter() + request["budget_s"]
    while len(times) < 3 or (len(times) < 1000 and time.perf_counter() < deadline):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1e3)
    return {
        "min_ms": min(times),
        "median_ms": statistics.median(times),
        "iterations": len(times),
        "max_abs_diff": float(np.max(np.abs(out.reshape(reference.shape) - reference))),
    }


def main():
    PROTOCOL.write(json.dumps({
        "ready": True,
        "opencv": cv2.__version__,
        "threads": cv2.getNumThreads(),
        "parallel": parallel_framework(),
    }) + "\n")  # fmt: skip
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            answer = {"ok": True, **bench(json.loads(line))}
        except Exception as e:  # noqa: BLE001 - one bad network must not end the run
            traceback.print_exc()
            answer = {"ok": False, "error": f"{type(e).__name__}: {e}".splitlines()[0]}
        PROTOCOL.write(json.dumps(answer) + "\n")


if __name__ == "__main__":
    main()
