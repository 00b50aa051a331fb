"""The PyTorch peer of bench/peers.sh: a worker process that times rows on request.

Run by run_peers.py as `/usr/bin/python3 torch_bench.py`, with OMP_NUM_THREADS=2
and LD_LIBRARY_PATH pointing at OpenBLAS (Debian's torch otherwise calls
whatever libblas.so.3 the system alternative names, possibly the reference
BLAS). It stays alive for the whole run so that torch is imported once, and so
the driver can interleave netc and torch on each row: both then see the same
background load, which on a shared machine matters more than anything else.

Protocol: one JSON object per line. The worker first writes
{"ready": ..., versions}, then answers each request line
  {"kind": "conv"|"net", "name": ..., "fused": bool, "batch": B, "budget_s": S,
   "onnx_dir": DIR or absent}
with one result line (see `bench_row`). Everything else torch or Python prints
goes to stderr, so stdout carries only the protocol.

For each row it times four variants and reports each, plus the fastest:
  eager             the module as written, NCHW
  channels_last     module and input in NHWC memory format (oneDNN's preferred)
  jit.freeze        torch.jit.freeze(torch.jit.script(m)) (trace if script fails)
  jit.optimize      torch.jit.optimize_for_inference of the scripted module:
                    freezing, conv+batchnorm folding, oneDNN weight prepacking

The driver runs two of these workers: one with OpenMP's default wait policy
(threads spin between parallel regions: fastest on an idle machine) and one
with OMP_WAIT_POLICY=PASSIVE (threads sleep: on a machine where other
processes compete for the cores, a spinning thread holds a core while its
partner waits for one, and a 0.05 ms layer can take 20 ms). Its variants are
named "..., passive".
"""

import copy
import json
import os
import statistics
import sys
import time
import traceback

PROTOCOL = os.fdopen(os.dup(1), "w", buffering=1)
os.dup2(2, 1)
sys.stdout = sys.stderr

import numpy as np  # noqa: E402
import torch  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import layers  # noqa: E402
import nets  # noqa: E402
from timing import warm_up  # noqa: E402

THREADS = int(os.environ.get("PEERS_THREADS", "2"))
torch.set_num_threads(THREADS)
# The driver runs a second worker with OMP_WAIT_POLICY=PASSIVE; its variants
# carry this suffix.
SUFFIX = ", passive" if os.environ.get("OMP_WAIT_POLICY", "").upper() == "PASSIVE" else ""


def loaded_blas():
    """The BLAS libraries this process actually mapped (after a BLAS call)."""
    torch.ones(64, 64) @ torch.ones(64, 64)
    found = set()
    with open("/proc/self/maps") as maps:
        for line in maps:
            path = line.split()[-1]
            if "blas" in os.path.basename(path) or "lapack" in os.path.basename(path):
                found.add(os.path.realpath(path))
    return sorted(found)


def build(request):
    """The row's module (eval mode) and its input, batch B, fixed seed."""
    torch.manual_seed(0)
    if request["kind"] == "conv":
        conv = layers.find_conv(request["name"], request["fused"])
        model = layers.torch_module(conv)
        shape = (conv.channels, conv.height, conv.width)
    else:
        model = nets.BUILDERS[request["name"]]()
        shape = nets.INPUT_SHAPES[request["name"]]
        randomize_batchnorm(model)
    return model.eval(), torch.randn(request["batch"], *shape)


def randomize_batchnorm(model):
    """Trained-looking batchnorm statistics instead of torch's 0/1 defaults.

    With the defaults every folded conv bias is zero, torch.onnx.export's
    constant folding merges the equal ones into Identity nodes, and OpenCV
    4.6's importer rejects an Identity of a constant.
    """
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.1, 0.1)
                m.running_mean.uniform_(-0.1, 0.1)
                m.running_var.uniform_(0.5, 1.5)


def count_gflop(model, x):
    """Conv and dense multiply-adds x2, padded taps included: netc bench's count."""
    total = [0]

    def conv_hook(module, inputs, output):
        taps = module.in_channels // module.groups * module.kernel_size[0] * module.kernel_size[1]
        total[0] += 2 * output.numel() * taps

    def dense_hook(module, inputs, output):
        total[0] += 2 * output.numel() * module.in_features

    handles = []
    for m in model.modules():
        if isinstance(m, torch.nn.Conv2d):
            handles.append(m.register_forward_hook(conv_hook))
        elif isinstance(m, torch.nn.Linear):
            handles.append(m.register_forward_hook(dense_hook))
    with torch.inference_mode():
        model(x)
    for h in handles:
        h.remove()
    return total[0] / 1e9


def scripted(model, x):
    """torch.jit.script, or torch.jit.trace where scripting fails: (module, how)."""
    try:
        return torch.jit.script(model), "script"
    except Exception:  # noqa: BLE001 - any scripting failure falls back to tracing
        with torch.no_grad():
            return torch.jit.trace(model, x), "trace"


def variants(model, x):
    """(name, thunk building (callable, input, note)) per variant; thunks so a
    variant that fails to build is reported rather than ending the row."""

    def eager():
        return model, x, ""

    def channels_last():
        m = copy.deepcopy(model).to(memory_format=torch.channels_last)
        return m, x.contiguous(memory_format=torch.channels_last), ""

    def frozen():
        m, how = scripted(model, x)
        return torch.jit.freeze(m.eval()), x, how

    def optimized():
        m, how = scripted(model, x)
        return torch.jit.optimize_for_inference(m.eval()), x, how

    return [
        ("eager" + SUFFIX, eager),
        ("channels_last" + SUFFIX, channels_last),
        ("jit.freeze" + SUFFIX, frozen),
        ("jit.optimize" + SUFFIX, optimized),
    ]


def time_calls(fn, x, budget_s):
    """Warm-up, then timed calls until budget_s has passed (3 to 1000 calls).

    Two warm-up calls at least: TorchScript's profiling executor records shapes
    on the first call and runs the optimized graph from the second on. When
    calls are cheap, a third and more for WARMUP_S, as netc bench does (caches,
    thread pools, idle cores). The count follows the clock rather than the
    warm-up's speed: on a loaded machine one slow warm-up call must not leave
    too few calls for the minimum to find a quiet moment.
    """
    warm_up(lambda: fn(x), budget_s)
    times = []
    deadline = time.perf_counter() + budget_s
    while len(times) < 3 or (len(times) < 1000 and time.perf_counter() < deadline):
        start = time.perf_counter()
        fn(x)
        times.append((time.perf_counter() - start) * 1e3)
    return {"min_ms": min(times), "median_ms": statistics.median(times), "iterations": len(times)}


def export_onnx(model, x, directory, stem):
    """ONNX for the OpenCV peer, with the input and torch's output beside it so
    that process can check it computes the same function."""
    os.makedirs(directory, exist_ok=True)
    paths = {k: os.path.join(directory, f"{stem}.{k}") for k in ("onnx", "input.npy", "ref.npy")}
    with torch.no_grad():
        # Opset 11: well inside what OpenCV 4.6's importer understands.
        torch.onnx.export(model, x, paths["onnx"], opset_version=11,
                          input_names=["input"], output_names=["output"])  # fmt: skip
        np.save(paths["input.npy"], x.numpy())
        np.save(paths["ref.npy"], model(x).numpy())
    return paths


def bench_row(request):
    model, x = build(request)
    result = {
        "gflop": count_gflop(model, x),
        "params": sum(p.numel() for p in model.parameters()),
        "variants": {},
    }
    for name, make in variants(model, x):
        try:
            fn, xv, note = make()
            with torch.inference_mode():
                timing = time_calls(fn, xv, request["budget_s"])
            if note:
                timing["via"] = note
            result["variants"][name] = timing
        except Exception as e:  # noqa: BLE001 - reported per variant, the row goes on
            result["variants"][name] = {"error": f"{type(e).__name__}: {e}".splitlines()[0]}
            traceback.print_exc()
    timed = {k: v for k, v in result["variants"].items() if "min_ms" in v}
    if timed:
        best = min(timed, key=lambda k: timed[k]["min_ms"])
        result.update(best=best, min_ms=timed[best]["min_ms"], median_ms=timed[best]["median_ms"])
    if request.get("onnx_dir"):
        stem = f"{request['name']}-b{request['batch']}"
        try:
            result["onnx"] = export_onnx(model, x, request["onnx_dir"], stem)
        except Exception as e:  # noqa: BLE001
            result["onnx_error"] = f"{type(e).__name__}: {e}".splitlines()[0]
            traceback.print_exc()
    return result


def main():
    PROTOCOL.write(json.dumps({
        "ready": True,
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "mkldnn": torch.backends.mkldnn.is_available(),
        "blas": loaded_blas(),
        "parallel": torch.__config__.parallel_info().splitlines()[-1].strip(),
    }) + "\n")  # fmt: skip
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        try:
            answer = {"ok": True, **bench_row(request)}
        except Exception as e:  # noqa: BLE001 - one bad row must not end the run
            traceback.print_exc()
            answer = {"ok": False, "error": f"{type(e).__name__}: {e}".splitlines()[0]}
        PROTOCOL.write(json.dumps(answer) + "\n")


if __name__ == "__main__":
    main()
