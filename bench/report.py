#!/usr/bin/env python3
"""Turns bench/run's JMH JSON results into bench/RESULTS.md: GFLOP/s per shape, ratios to OpenBLAS, share of
the measured peak. Everything below NOTES_MARKER in an existing RESULTS.md (written by hand: analysis, tuning
experiments) is kept."""
import argparse
import datetime
import json
import os
import platform

NOTES_MARKER = "<!-- Notes below this line are written by hand and kept by bench/report.py. -->"


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def load(files):
    """{(shape, dtype, threads): {impl: (gflops, ms, err_ms)}} from JMH JSON files."""
    rows = {}
    for path in files:
        with open(path) as f:
            for r in json.load(f):
                p = r["params"]
                m, n, k = (int(x) for x in p["shape"].split("x"))
                ms = r["primaryMetric"]["score"]
                err = r["primaryMetric"]["scoreError"]
                err = float(err) if isinstance(err, (int, float)) or str(err).replace('.', '', 1).isdigit() else 0.0
                gflops = 2.0 * m * n * k / (ms * 1e6)
                key = (p["shape"], p["dtype"], int(p["threads"]))
                # the "java" column is the pure-Java GEMM (impl=java-vector, -Dtangent4j.blas=none): with a system
                # BLAS, impl=java runs OpenBLAS itself and would only compare OpenBLAS with itself
                impl = "java" if p["impl"] == "java-vector" else p["impl"]
                rows.setdefault(key, {})[impl] = (gflops, ms, err)
    return rows


def table(rows, peak_f64):
    """Markdown table lines; peak_f64 is one core's F64 peak in GFLOP/s (None when unknown)."""
    cuda = any("cuda" in v for v in rows.values())
    lines = [
        "| m x n x k | dtype | threads | tangent4j java GFLOP/s | OpenBLAS GFLOP/s | ratio | java % peak "
        "| OpenBLAS % peak |" + (" cuda GFLOP/s |" if cuda else ""),
        "|---|---|---|---|---|---|---|---|" + ("---|" if cuda else ""),
    ]

    def order(key):
        m, n, k = (int(x) for x in key[0].split("x"))
        return (key[1], key[2], m * n * k, key[0])

    for key in sorted(rows, key=order):
        shape, dtype, threads = key
        r = rows[key]
        j = r.get("java")
        o = r.get("openblas")
        peak = peak_f64 * threads * (2 if dtype == "f32" else 1) if peak_f64 else None
        jtxt = f"{j[0]:.1f} ± {j[0] * j[2] / j[1]:.1f}" if j else "-"
        otxt = f"{o[0]:.1f} ± {o[0] * o[2] / o[1]:.1f}" if o else "-"
        ratio = f"**{j[0] / o[0]:.2f}**" if j and o else "-"
        jpct = f"{100 * j[0] / peak:.0f}%" if j and peak else "-"
        opct = f"{100 * o[0] / peak:.0f}%" if o and peak else "-"
        line = f"| {shape.replace('x', ' x ')} | {dtype} | {threads} | {jtxt} | {otxt} | {ratio} | {jpct} | {opct} |"
        if cuda:
            c = r.get("cuda")
            line += f" {c[0]:.1f} |" if c else " - |"
        lines.append(line)
    return lines


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--core", default="unknown")
    ap.add_argument("--peak", default="", help="bench/peak.c's output: MHz, vector bits, FMAs per cycle")
    ap.add_argument("--load-before", default="")
    ap.add_argument("--load-after", default="")
    ap.add_argument("--java", default="")
    ap.add_argument("--command", default="bench/run")
    ap.add_argument("--jmh", default="")
    ap.add_argument("--headline-jmh", default="")
    ap.add_argument("--headline", nargs="*", default=[])
    ap.add_argument("files", nargs="+")
    a = ap.parse_args()

    peak_f64 = None
    if a.peak:
        mhz, bits, fmas = a.peak.split()
        peak_f64 = float(fmas) * int(bits) / 64 * 2 * float(mhz) / 1000
        peak_txt = (f"measured by bench/peak.c: {mhz} MHz, {fmas} {bits}-bit FMAs per cycle per core, so "
                    f"{peak_f64:.1f} GFLOP/s F64 and {2 * peak_f64:.1f} F32 per core")
    else:
        peak_txt = "unknown (bench/peak.c needs gcc); the % peak columns are empty"
    cores = os.cpu_count()
    lines = [
        "# Benchmark results",
        "",
        f"- date: {datetime.date.today().isoformat()}",
        f"- machine: {cpu_model()}, {cores} cores",
        f"- peak: {peak_txt}",
        f"- JDK: {a.java}",
        f"- command: `{a.command}`",
        f"- peer: OpenBLAS 0.3.21 (Debian libopenblas0-pthread) through FFM, kernel `{a.core}`, run with "
        "OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset",
        f"- load average before / after: {a.load_before} / {a.load_after}",
        "",
        "C = A B, row-major, A m x k, B k x n; GFLOP/s = 2mnk / time, ± from JMH's 99.9% interval. "
        "Ratio = tangent4j / OpenBLAS, measured in the same bench/run.",
        "",
    ]
    if a.headline:
        lines += [f"## Headline: n = 2048 (JMH {a.headline_jmh}; the two runs back to back)", ""]
        lines += table(load(a.headline), peak_f64)
        lines.append("")
    lines += [f"## All shapes (JMH {a.jmh})", ""]
    lines += table(load(a.files), peak_f64)
    lines.append("")
    notes = ""
    if os.path.exists(a.out):
        with open(a.out) as f:
            old = f.read()
        if NOTES_MARKER in old:
            notes = old[old.index(NOTES_MARKER) + len(NOTES_MARKER):]
    lines.append(NOTES_MARKER)
    with open(a.out, "w") as f:
        f.write("\n".join(lines) + notes if notes else "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
