#!/usr/bin/env python3
"""Turns bench/run's JMH JSON results into bench/RESULTS.md: GFLOP/s per shape, ratios to OpenBLAS, share of peak."""
import argparse
import datetime
import json
import platform


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--core", default="unknown")
    ap.add_argument("--mhz", default="")
    ap.add_argument("--load-before", default="")
    ap.add_argument("--load-after", default="")
    ap.add_argument("--java", default="")
    ap.add_argument("--command", default="bench/run")
    ap.add_argument("files", nargs="+")
    a = ap.parse_args()

    rows = {}
    for path in a.files:
        with open(path) as f:
            for r in json.load(f):
                p = r["params"]
                m, n, k = (int(x) for x in p["shape"].split("x"))
                ms = r["primaryMetric"]["score"]
                err = r["primaryMetric"]["scoreError"]
                err = float(err) if isinstance(err, (int, float)) or str(err).replace('.', '', 1).isdigit() else 0.0
                gflops = 2.0 * m * n * k / (ms * 1e6)
                key = (p["shape"], p["dtype"], int(p["threads"]))
                rows.setdefault(key, {})[p["impl"]] = (gflops, ms, err)

    ghz = float(a.mhz) / 1000 if a.mhz else 3.9
    lines = [
        "# Benchmark results",
        "",
        f"- date: {datetime.date.today().isoformat()}",
        f"- machine: {cpu_model()}, {len(open('/proc/cpuinfo').read().split('processor')) - 1} cores; "
        f"clock measured with bench/clock.c (dependent adds): {a.mhz or '? (no gcc; 3900 assumed)'} MHz",
        f"- JDK: {a.java}",
        f"- command: `{a.command}` (JMH: 1 fork, 1 warm-up x 1 s, 3 iterations x 1 s; average time per GEMM)",
        f"- peer: OpenBLAS 0.3.21 (Debian libopenblas0-pthread) through FFM, kernel `{a.core}`, run with "
        "OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset",
        f"- load average before / after: {a.load_before} / {a.load_after}",
        f"- peak used for '% peak': threads x 2 FMA pipes x (8 F64 | 16 F32 lanes) x 2 flops x {ghz:.2f} GHz",
        "",
        "C = A B, row-major, A m x k, B k x n; GFLOP/s = 2mnk / time (± from JMH's 99.9% interval). "
        "Ratio = tangent4j / OpenBLAS, measured in the same bench/run.",
        "",
        "| m x n x k | dtype | threads | tangent4j java GFLOP/s | OpenBLAS GFLOP/s | ratio | java % peak |"
        + (" cuda GFLOP/s |" if any("cuda" in v for v in rows.values()) else ""),
        "|---|---|---|---|---|---|---|" + ("---|" if any("cuda" in v for v in rows.values()) else ""),
    ]

    def order(key):
        m, n, k = (int(x) for x in key[0].split("x"))
        return (key[1], key[2], m * n * k, key[0])

    for key in sorted(rows, key=order):
        shape, dtype, threads = key
        r = rows[key]
        j = r.get("java")
        o = r.get("openblas")
        lanes = 8 if dtype == "f64" else 16
        peak = threads * 2 * lanes * 2 * ghz
        jtxt = f"{j[0]:.1f} ± {j[0] * j[2] / j[1]:.1f}" if j else "-"
        otxt = f"{o[0]:.1f}" if o else "-"
        ratio = f"{j[0] / o[0]:.2f}" if j and o else "-"
        pct = f"{100 * j[0] / peak:.0f}%" if j else "-"
        line = f"| {shape.replace('x', ' x ')} | {dtype} | {threads} | {jtxt} | {otxt} | {ratio} | {pct} |"
        if any("cuda" in v for v in rows.values()):
            c = r.get("cuda")
            line += f" {c[0]:.1f} |" if c else " - |"
        lines.append(line)
    with open(a.out, "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
