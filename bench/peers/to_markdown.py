"""The tables of a bench/peers.sh run as Markdown, for docs/performance.md.

    /usr/bin/python3 bench/peers/to_markdown.py BUILD/bench-peers/results.json

Reads only the JSON, so the tables in the docs are the run's numbers exactly.
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run_peers import TITLES, fmt_ms, fmt_num  # noqa: E402


def table(section, data):
    networks = section == "networks"
    head = ["row", "shape", "batch", "GFLOP", "netc ms", "GFLOP/s", "% peak", "% sust",
            "torch best", "torch ms", "% peak", "% sust"]  # fmt: skip
    if networks:
        head[1] = "model"
        head += ["opencv ms", "% peak", "% sust"]
    head += ["vs torch"] + (["vs opencv"] if networks else [])
    lines = [f"**{TITLES[section]}**", "", "| " + " | ".join(head) + " |",
             "|" + "|".join("---" if i < 2 or h == "torch best" else "--:"
                            for i, h in enumerate(head)) + "|"]  # fmt: skip
    for r in data["rows"]:
        twice = "\\*" if r["rounds"] > 1 else ""
        shape = f"`{os.path.basename(r['shape'])}`" if networks else r["shape"]
        cells = [r["row"], shape, str(r["batch"]), fmt_num(r["gflop"], ".4f"),
                 fmt_ms(r["netc"].get("min_ms")), fmt_num(r["netc"].get("gflops"), ".0f"),
                 fmt_num(r["netc"].get("percent_of_run_peak"), ".1f"),
                 fmt_num(r["netc"].get("percent_of_sustained_peak"), ".1f"),
                 r["torch"].get("best", "failed"), fmt_ms(r["torch"].get("min_ms")),
                 fmt_num(r["torch"].get("percent_of_run_peak"), ".1f"),
                 fmt_num(r["torch"].get("percent_of_sustained_peak"), ".1f")]  # fmt: skip
        if networks:
            cells += [fmt_ms(r["opencv"].get("min_ms")),
                      fmt_num(r["opencv"].get("percent_of_run_peak"), ".1f"),
                      fmt_num(r["opencv"].get("percent_of_sustained_peak"), ".1f")]  # fmt: skip
        cells.append(fmt_num(r["speedup_vs_torch"], ".2f", "x" + twice))
        if networks:
            cells.append(fmt_num(r["speedup_vs_opencv"], ".2f", "x" + twice))
        lines.append("| " + " | ".join(cells) + " |")
    mean = fmt_num(data["geomean_speedup_vs_torch"], ".2f", "x")
    summary = f"Geometric mean of netc's speedup: {mean} over torch"
    if networks:
        summary += f", {fmt_num(data['geomean_speedup_vs_opencv'], '.2f', 'x')} over OpenCV"
    lines += ["", summary + "."]
    return "\n".join(lines)


def main():
    results = json.load(open(sys.argv[1]))
    m = results["machine"]
    print(f"{results['date'][:10]}, {m['cpu']} ({m['cores']} cores), "
          f"{results['threads']} threads; FMA peak {m['peak_gflops']:.0f} GFLOP/s (% peak), "
          "sustained over windows of "
          + ", ".join(f"{ms:g} ms {g:.0f}" for ms, g in m.get("peak_curve", []))
          + " (% sust: over the window as long as the call), "
          f"stream triad {m['stream_gbs']:.1f} GB/s.\n")  # fmt: skip
    for section, data in results["sections"].items():
        print(table(section, data))
        print()
    for note in results["notes"]:
        print(f"- note: {note}")


if __name__ == "__main__":
    main()
