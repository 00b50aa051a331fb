"""Driver of bench/peers.sh: netc against PyTorch and OpenCV DNN, row by row.

For every row of layers.py and batch size it times, back to back,
  1. the PyTorch peer: two torch_bench.py workers kept alive all run, one with
     OpenMP's default wait policy and one with OMP_WAIT_POLICY=PASSIVE (see
     torch_bench.py); the fastest of their eight variants counts,
  2. `netc bench` on the row's .nn file (a process per row: it compiles),
  3. for whole networks, OpenCV DNN on the ONNX file torch exported
     (opencv_bench.py, a worker of its own: see that file for why),
so that all of them see the same background load. Progress goes to stderr as
rows finish; the tables go to stdout at the end, when the run's FMA peak is
known. The ratios within a row are the result; absolute numbers move with the
machine's load.

This process imports neither torch nor cv2.
"""

import argparse
import datetime
import json
import math
import os
import re
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import layers  # noqa: E402

THREADS = 2

# Seconds of timed calls per measurement (each torch variant, netc, OpenCV).
# Warm-up calls come on top; heavy rows get at least 3 timed calls regardless.
BUDGETS = {"full": {"torch": 0.5, "netc": 1.5, "opencv": 1.5},
           "quick": {"torch": 0.1, "netc": 0.3, "opencv": 0.3}}  # fmt: skip

TITLES = {
    "layers": "Conv layers (conv + bias only)",
    "fused": "Fused conv + activation + 2x2 pool",
    "networks": "Whole networks",
}


class Worker:
    """A peer process speaking the JSON-lines protocol of torch_bench.py."""

    def __init__(self, script, env):
        self.script, self.env = script, env
        self.info = self._start()

    def _start(self):
        self.proc = subprocess.Popen(
            [sys.executable, os.path.join(HERE, self.script)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=self.env,
        )  # fmt: skip
        return self._read()

    def _read(self):
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"{self.script} exited with status {self.proc.wait()}")
        return json.loads(line)

    def ask(self, request):
        """The worker's answer; a worker that died (a crash inside a library)
        is restarted so that only its row is lost."""
        try:
            self.proc.stdin.write(json.dumps(request) + "\n")
            self.proc.stdin.flush()
            return self._read()
        except (RuntimeError, BrokenPipeError) as e:
            self._start()
            return {"ok": False, "error": f"worker died: {e}"}

    def close(self):
        self.proc.stdin.close()
        self.proc.wait()


class Netc:
    def __init__(self, build, target=""):
        self.exe = os.path.join(build, "tools", "netc", "netc")
        self.target_args = ["--target", target] if target else []
        # netc bench binds random weights itself; pass the seed only where the
        # option exists (it is shared with `netc run`, and may not be).
        help_text = subprocess.run([self.exe, "bench", "--help"], capture_output=True, text=True)
        listed = re.search(r"^\s*--random-weights\b", help_text.stdout, re.M)
        self.seed_args = ["--random-weights", "1"] if listed else []

    def bench(self, model, batch, iterations):
        cmd = [self.exe, "bench", model, *self.seed_args, *self.target_args, "--batch", str(batch),
               "--threads", str(THREADS), "--iterations", str(iterations), "--json"]  # fmt: skip
        try:
            run = subprocess.run(cmd, capture_output=True, text=True, timeout=1800)
        except subprocess.TimeoutExpired:
            return {"error": "timed out after 1800 s"}
        lines = [l for l in run.stdout.splitlines() if l.startswith("{")]
        if run.returncode or not lines:
            why = (run.stderr.strip().splitlines() or [f"exit status {run.returncode}"])[0]
            return {"error": why}
        return json.loads(lines[-1])

    def parameters(self, model):
        out = subprocess.run([self.exe, "check", model], capture_output=True, text=True).stdout
        found = re.search(r"Total parameters: ([\d,]+)", out)
        return int(found.group(1).replace(",", "")) if found else None


def faster(a, b):
    """Of two answers from one side, the one with the lower min_ms."""
    if b.get("min_ms") is not None and (a.get("min_ms") is None or b["min_ms"] < a["min_ms"]):
        return b
    return a


def merge_torch(a, b):
    """Two torch answers for one row: each variant's faster timing, then the best."""
    merged = dict(a, variants=dict(a.get("variants", {})))
    for name, v in b.get("variants", {}).items():
        merged["variants"][name] = faster(merged["variants"].get(name, {}), v)
    timed = {k: v for k, v in merged["variants"].items() if "min_ms" in v}
    if timed:
        best = min(timed, key=lambda k: timed[k]["min_ms"])
        merged.update(ok=True, best=best, min_ms=timed[best]["min_ms"],
                      median_ms=timed[best]["median_ms"])  # fmt: skip
    return merged


def speedup(peer_ms, netc_ms):
    return peer_ms / netc_ms if peer_ms and netc_ms else None


class RowBench:
    """Measures one row at one batch size on every side and checks the sides agree."""

    # A ratio this lopsided is measured a second time, all sides, keeping each
    # side's faster round: on a shared machine one side can lose a whole
    # measurement to a busy moment. Symmetric, so it favours no side.
    SUSPICIOUS = 2.5

    def __init__(self, netc, torch_peers, opencv_peer, budget, work):
        self.netc, self.torch, self.opencv = netc, torch_peers, opencv_peer
        self.budget, self.work = budget, work
        self.peaks, self.curves, self.notes = [], [], []

    def measure(self, section, row, batch):
        networks = section == "networks"
        if networks:
            model = row.nn_path(REPO)
            shape = os.path.relpath(model, REPO)
            request = {"kind": "net", "name": row.name, "fused": False}
        else:
            # A layer row is compiled for its batch, as PyTorch's traced and
            # frozen variants are for their example input; the networks are
            # benched as examples/models has them, for any batch.
            model = layers.write_nn(
                row, os.path.join(self.work, "layers"), section == "fused", batch
            )
            shape = row.shape()
            request = {"kind": "conv", "name": row.name, "fused": section == "fused"}
        request.update(batch=batch, budget_s=self.budget["torch"])
        note = lambda text: self.notes.append(f"{row.name} b{batch}: {text}")  # noqa: E731

        # The first torch worker also exports the ONNX file for OpenCV.
        onnx_dir = os.path.join(self.work, "onnx") if networks else None
        peer = self._torch(request, onnx_dir)
        files = peer.get("onnx") or {}
        gflop = peer.get("gflop") if networks else row.gflop(batch)
        # netc bench takes a call count, not a time: guess the call's time from
        # its work at a typical 150 GFLOP/s (from the work rather than the
        # peer's time, which a busy moment can inflate).
        estimate_ms = (gflop or 1) / 150 * 1e3
        iterations = max(3, min(1000, int(self.budget["netc"] * 1e3 / estimate_ms)))
        ours = self.netc.bench(model, batch, iterations)
        cv = self._opencv(files) if files else None

        rounds = 1
        if self._lopsided(peer, ours, cv):
            rounds = 2
            peer = merge_torch(peer, self._torch(request, None))
            ours = faster(ours, self.netc.bench(model, batch, iterations))
            if files:
                cv = faster(cv, self._opencv(files))
        # The exported files are large (VGG-16: 0.5 GB each) and cheap to redo.
        for path in files.values():
            if os.path.exists(path):
                os.remove(path)

        # Checks that the sides measured the same thing.
        if "error" in ours:
            note(f"netc failed: {ours['error']}")
        else:
            # The run's peak stays the best 1 ms window, as fmapeak's figure.
            curve = ours.get("peak_curve", [])
            self.peaks.append(sustained(run_curve([curve]), 1.0) if curve else ours["peak_gflops"])
            self.curves.append(curve)
            if gflop is None:
                gflop = ours["gflop"]
            elif abs(ours["gflop"] - gflop) > max(1e-4 * gflop, 2e-6):
                note(f"GFLOP differ: netc {ours['gflop']:.6f}, torch {gflop:.6f}")
        if not peer.get("ok"):
            note(f"torch failed: {peer.get('error')}")
        for name, v in peer.get("variants", {}).items():
            if "error" in v:
                note(f"torch variant {name} failed: {v['error']}")
        if networks:
            if not files:
                note(f"no ONNX export: {peer.get('onnx_error')}")
            elif not cv.get("ok"):
                note(f"opencv failed: {cv.get('error')}")
            elif cv["max_abs_diff"] > 1e-3:
                note(f"opencv's output differs from torch's by {cv['max_abs_diff']:.2g}")
            if batch == layers.BATCHES[0] and peer.get("params"):
                ours_params = self.netc.parameters(model)
                if ours_params != peer["params"]:
                    note(f"parameters differ: netc {ours_params}, torch {peer['params']}")

        record = {"row": row.name, "shape": shape, "batch": batch, "gflop": gflop,
                  "rounds": rounds, "netc": ours, "torch": peer}  # fmt: skip
        if networks:
            record["opencv"] = cv or {}
        record["speedup_vs_torch"] = speedup(peer.get("min_ms"), ours.get("min_ms"))
        record["speedup_vs_opencv"] = speedup((cv or {}).get("min_ms"), ours.get("min_ms"))
        return record

    def _torch(self, request, onnx_dir):
        # Both workers on every row, heavy ones too: under load the spinning
        # policy loses a scheduler tick per parallel region, and a network has
        # many (in one loaded run, ResNet-18 at batch 8: 168 ms passive, 394 ms spinning).
        first, *others = self.torch
        answer = first.ask(dict(request, onnx_dir=onnx_dir))
        for worker in others:
            answer = merge_torch(answer, worker.ask(dict(request, onnx_dir=None)))
        return answer

    def _opencv(self, files):
        return self.opencv.ask({"onnx": files["onnx"], "input": files["input.npy"],
                                "reference": files["ref.npy"],
                                "budget_s": self.budget["opencv"]})  # fmt: skip

    def _lopsided(self, peer, ours, cv):
        for other in (peer, cv or {}):
            ratio = speedup(other.get("min_ms"), ours.get("min_ms"))
            if ratio and not 1 / self.SUSPICIOUS <= ratio <= self.SUSPICIOUS:
                return True
        return False


def percent(gflop, ms, peak):
    """% of peak that gflop GFLOP done in ms milliseconds is."""
    if ms is None or not peak or gflop is None:
        return None
    return 100 * gflop / (ms * 1e-3) / peak


def parse_curve(text):
    """'0.25:449,1:447,...' (fmapeak --curve, as peers.sh passes it) -> [(ms, GFLOP/s)]."""
    pairs = [item.split(":") for item in text.split(",") if item]
    return sorted((float(ms), float(gflops)) for ms, gflops in pairs)


def run_curve(curves):
    """Per window length, the highest rate any measurement of the run saw; a
    window's peak is at least any longer window's (it contains shorter ones)."""
    best = {}
    for curve in curves:
        for ms, gflops in curve:
            best[ms] = max(best.get(ms, 0), gflops)
    merged = sorted(best.items())
    for i in range(len(merged) - 2, -1, -1):
        merged[i] = (merged[i][0], max(merged[i][1], merged[i + 1][1]))
    return merged


def sustained(curve, ms):
    """The FMA peak over windows as long as a call of ms: log-linear between
    the measured windows, clamped at the ends (as netc bench's MachinePeak)."""
    if not curve or ms is None:
        return None
    if ms <= curve[0][0]:
        return curve[0][1]
    for (m0, g0), (m1, g1) in zip(curve, curve[1:]):
        if ms <= m1:
            return g0 + math.log(ms / m0) / math.log(m1 / m0) * (g1 - g0)
    return curve[-1][1]


def geomean(values):
    values = [v for v in values if v]
    return math.exp(sum(map(math.log, values)) / len(values)) if values else None


def fmt_ms(ms):
    if ms is None:
        return "-"
    digits = 3 if ms < 1 else 2 if ms < 10 else 1 if ms < 100 else 0
    return f"{ms:.{digits}f}"


def fmt_num(value, spec, suffix=""):
    return "-" if value is None else format(value, spec) + suffix


def print_table(section, records, peak, curve):
    """One section's table; fills in each record's GFLOP/s and % of peak: of the
    burst peak (%peak) and of the peak sustained over the call's time (%sust)."""
    networks = section == "networks"
    cols = [("row", 16, "<"), ("shape", 30, "<"), ("batch", 5, ">"), ("GFLOP", 8, ">"),
            ("netc ms", 8, ">"), ("GFLOP/s", 7, ">"), ("%peak", 5, ">"), ("%sust", 5, ">"),
            ("torch best", 22, "<"), ("torch ms", 8, ">"), ("%peak", 5, ">"),
            ("%sust", 5, ">")]  # fmt: skip
    if networks:
        cols += [("opencv ms", 9, ">"), ("%peak", 5, ">"), ("%sust", 5, ">")]
    cols += [("vs torch", 9, ">")] + ([("vs opencv", 10, ">")] if networks else [])

    def line(cells):
        return "  ".join(f"{c:{align}{width}}" for c, (_, width, align) in zip(cells, cols))

    print(f"\n== {TITLES[section]}")
    print(line([name for name, _, _ in cols]))
    for r in records:
        sides = [("netc", r["netc"]), ("torch", r["torch"])]
        if networks:
            sides.append(("opencv", r["opencv"]))
        for name, side in sides:
            ms = side.get("min_ms")
            side["percent_of_run_peak"] = percent(r["gflop"], ms, peak)
            side["percent_of_sustained_peak"] = percent(r["gflop"], ms, sustained(curve, ms))
            if ms is not None and r["gflop"] is not None:
                side.setdefault("gflops", r["gflop"] / (ms * 1e-3))
        twice = "*" if r["rounds"] > 1 else ""
        cells = [r["row"], r["shape"], r["batch"], fmt_num(r["gflop"], ".4f"),
                 fmt_ms(r["netc"].get("min_ms")), fmt_num(r["netc"].get("gflops"), ".1f"),
                 fmt_num(r["netc"]["percent_of_run_peak"], ".1f"),
                 fmt_num(r["netc"]["percent_of_sustained_peak"], ".1f"),
                 r["torch"].get("best", "failed"), fmt_ms(r["torch"].get("min_ms")),
                 fmt_num(r["torch"]["percent_of_run_peak"], ".1f"),
                 fmt_num(r["torch"]["percent_of_sustained_peak"], ".1f")]  # fmt: skip
        if networks:
            cells += [fmt_ms(r["opencv"].get("min_ms")),
                      fmt_num(r["opencv"]["percent_of_run_peak"], ".1f"),
                      fmt_num(r["opencv"]["percent_of_sustained_peak"], ".1f")]  # fmt: skip
        cells.append(fmt_num(r["speedup_vs_torch"], ".2f", "x" + twice))
        if networks:
            cells.append(fmt_num(r["speedup_vs_opencv"], ".2f", "x" + twice))
        print(line(cells))
    summary = {"geomean_speedup_vs_torch": geomean(r["speedup_vs_torch"] for r in records)}
    text = "geometric mean of netc's speedup: vs torch " + fmt_num(
        summary["geomean_speedup_vs_torch"], ".2f", "x")
    if networks:
        summary["geomean_speedup_vs_opencv"] = geomean(r["speedup_vs_opencv"] for r in records)
        text += f", vs opencv {fmt_num(summary['geomean_speedup_vs_opencv'], '.2f', 'x')}"
    print(text)
    return summary


def cpu_model():
    out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    found = re.search(r"^Model name:\s*(.+)$", out, re.M)
    return found.group(1).strip() if found else "unknown"


def peer_isa_env(target):
    """The environment that caps the peers at `target`'s instruction set: oneDNN
    and PyTorch's own kernels dispatch on these at run time, OpenCV on its list
    of disabled features."""
    if not target or "avx512" in target:
        return {}
    if "avx2" in target:
        return {"ONEDNN_MAX_CPU_ISA": "AVX2", "DNNL_MAX_CPU_ISA": "AVX2",
                "ATEN_CPU_CAPABILITY": "avx2",
                "OPENCV_CPU_DISABLE": "AVX512_COMMON,AVX512_SKX,AVX512_KNL,AVX512_KNM,"
                                      "AVX512_CNL,AVX512_CLX,AVX512_ICL,AVX512F"}  # fmt: skip
    return {"ONEDNN_MAX_CPU_ISA": "SSE41", "DNNL_MAX_CPU_ISA": "SSE41",
            "ATEN_CPU_CAPABILITY": "default",
            "OPENCV_CPU_DISABLE": "AVX512_COMMON,AVX512_SKX,AVX512_KNL,AVX512_KNM,AVX512_CNL,"
                                  "AVX512_CLX,AVX512_ICL,AVX512F,AVX2,FMA3,AVX,FP16"}  # fmt: skip


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default="build")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--json", dest="json_out")
    ap.add_argument("--stream-gbs", type=float)
    ap.add_argument("--fma-peak", type=float, help="GFLOP/s from bench/fmapeak.c")
    ap.add_argument("--fma-peak-curve", default="",
                    help="MS:GFLOP/s,... from bench/fmapeak.c --curve")
    ap.add_argument("--openblas-dir", default="")
    ap.add_argument("--rows", default="", help="only the rows of these names, comma-separated")
    ap.add_argument("--sections", default="layers,fused,networks",
                    help="comma-separated subset, for working on one table")  # fmt: skip
    ap.add_argument("--target", default="",
                    help="netc target of an older x86 instruction set; the peers are capped at it")
    args = ap.parse_args()

    mode = "quick" if args.quick else "full"
    budget = BUDGETS[mode]
    work = os.path.join(args.build, "bench-peers")
    json_out = args.json_out or os.path.join(work, "results.json")
    sections = [s for s in args.sections.split(",") if s]
    todo = [(section, row, batch) for section in sections
            for row in layers.rows(section, args.quick) for batch in layers.BATCHES]  # fmt: skip
    if args.rows:
        wanted = set(args.rows.split(","))
        known = {row.name for section, row, _ in todo}
        if wanted - known:
            ap.error("no rows named " + ", ".join(sorted(wanted - known)) +
                     " in the chosen sections; rows: " + ", ".join(sorted(known)))
        todo = [t for t in todo if t[1].name in wanted]

    env = dict(os.environ, OMP_NUM_THREADS=str(THREADS), PEERS_THREADS=str(THREADS))
    env.pop("OMP_WAIT_POLICY", None)
    if args.openblas_dir:
        # Debian's torch links libblas.so.3: make it OpenBLAS for these
        # processes only, whatever the system's BLAS alternative is.
        env["LD_LIBRARY_PATH"] = ":".join(
            p for p in (args.openblas_dir, os.environ.get("LD_LIBRARY_PATH")) if p
        )
    env.update(peer_isa_env(args.target))
    netc = Netc(args.build, args.target)
    torch_peers = [Worker("torch_bench.py", env),
                   Worker("torch_bench.py", dict(env, OMP_WAIT_POLICY="PASSIVE"))]  # fmt: skip
    opencv_peer = Worker("opencv_bench.py", env) if "networks" in sections else None
    tinfo = torch_peers[0].info
    print(f"torch {tinfo['torch']} ({tinfo['threads']} threads, oneDNN "
          f"{'on' if tinfo['mkldnn'] else 'off'}, BLAS "
          f"{', '.join(os.path.basename(b) for b in tinfo['blas']) or 'none loaded'})",
          file=sys.stderr)  # fmt: skip

    bench = RowBench(netc, torch_peers, opencv_peer, budget, work)
    records = {s: [] for s in sections}
    for i, (section, row, batch) in enumerate(todo, 1):
        r = bench.measure(section, row, batch)
        records[section].append(r)
        # A long run that is killed still leaves what it measured.
        os.makedirs(os.path.dirname(os.path.abspath(json_out)), exist_ok=True)
        with open(json_out, "w") as f:
            json.dump({"partial": True, "sections": records}, f, default=str)
        print(f"[{i:3}/{len(todo)}] {section:8} {row.name:16} b{batch}: netc "
              f"{fmt_ms(r['netc'].get('min_ms'))} ms, torch {fmt_ms(r['torch'].get('min_ms'))} ms "
              f"({r['torch'].get('best', 'failed')})"
              + (f", opencv {fmt_ms(r['opencv'].get('min_ms'))} ms" if "opencv" in r else "")
              + (" (measured twice)" if r["rounds"] > 1 else ""),
              file=sys.stderr, flush=True)  # fmt: skip
    for worker in torch_peers + ([opencv_peer] if opencv_peer else []):
        worker.close()

    # The run's peak: the highest FMA rate over 1 ms windows seen, by fmapeak
    # or any netc bench (other load only lowers a measured peak, never raises it).
    peak = max([p for p in [args.fma_peak, *bench.peaks] if p], default=None)
    # The same per window length: what a call as long as the window can reach.
    curve = run_curve([parse_curve(args.fma_peak_curve), *bench.curves])
    results = {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "mode": mode,
        "machine": {
            "cpu": cpu_model(),
            "cores": os.cpu_count(),
            "peak_gflops": peak,
            "fmapeak_gflops": args.fma_peak,
            "netc_bench_peak_gflops_max": max(bench.peaks, default=None),
            "netc_bench_peak_gflops_median": statistics.median(bench.peaks)
            if bench.peaks else None,
            "peak_curve": curve,
            "stream_gbs": args.stream_gbs,
            "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE"),
        },
        "threads": THREADS,
        "target": args.target or "host",
        "peer_isa_env": peer_isa_env(args.target),
        "netc": os.path.abspath(netc.exe),
        "torch": tinfo,
        "opencv": opencv_peer.info if opencv_peer else None,
        "sections": {},
        "notes": bench.notes,
    }
    print(f"machine: {results['machine']['cpu']}, {os.cpu_count()} cores; "
          f"FMA peak {fmt_num(peak, '.0f')} GFLOP/s ({THREADS} threads; bench/fmapeak.c "
          f"{fmt_num(args.fma_peak, '.0f')}, netc bench up to "
          f"{fmt_num(max(bench.peaks, default=None), '.0f')}); sustained over windows of "
          + ", ".join(f"{ms:g} ms {gflops:.0f}" for ms, gflops in curve) + "; "
          f"stream triad {fmt_num(args.stream_gbs, '.1f')} GB/s")  # fmt: skip
    print(f"peers: torch {tinfo['torch']} (oneDNN {'on' if tinfo['mkldnn'] else 'off'}, "
          f"BLAS {', '.join(os.path.basename(b) for b in tinfo['blas']) or 'none'})"
          + (f", opencv {opencv_peer.info['opencv']} ({opencv_peer.info['parallel']})"
             if opencv_peer else "")
          + f"; {THREADS} threads everywhere"
          + (f"; instruction set {args.target} for all (peers: "
             + " ".join(f"{k}={v}" for k, v in peer_isa_env(args.target).items()
                        if k != "OPENCV_CPU_DISABLE")
             + ", OpenCV's wider dispatch disabled)" if peer_isa_env(args.target) else ""))  # fmt: skip
    print("ms: min of the timed calls; %peak: GFLOP/s at that time over the FMA peak;\n"
          "%sust: over the FMA peak sustained for as long as the call (windows above);\n"
          "vs: peer ms / netc ms, >1 = netc faster "
          "(* = lopsided at first, measured twice, each side's faster round kept)")  # fmt: skip
    for section in sections:
        summary = print_table(section, records[section], peak, curve)
        results["sections"][section] = {"rows": records[section], **summary}
    if bench.notes:
        print()
        for note in bench.notes:
            print("note:", note)
    os.makedirs(os.path.dirname(os.path.abspath(json_out)), exist_ok=True)
    with open(json_out, "w") as f:
        json.dump(results, f, indent=1)
    print(f"\nresults: {json_out}")


if __name__ == "__main__":
    main()
