#!/usr/bin/env python3
"""Turns a JMH run of a family benchmark (JacobianBench, NtkBench, ...) into the rows RESULTS.md keeps.

Each benchmark class has a method benchmark and a `gemm` benchmark timed in the same run, and prints
'# flops method=F gemm=G' at set-up (exact FLOP counts of the GEMMs). The efficiency of a row is
(method FLOP / method time) / (GEMM FLOP / GEMM time), from the same fork's parameters.

    bench/families.py --log run.log --json run.json --name 'input jacobian' [--param n=N --param dtype]
"""
import argparse, json, re

ap = argparse.ArgumentParser()
ap.add_argument("--log", required=True)
ap.add_argument("--json", required=True)
ap.add_argument("--label", required=True, help="python format string over the parameters, e.g. "
                "'input jacobian N={n} {dtype}'")
args = ap.parse_args()

# '# Parameters: (dtype = f32, impl = java, n = 256)' then '# flops method=... gemm=...'
flops = {}
params = None
for line in open(args.log):
    m = re.match(r"# Parameters: \((.*)\)", line)
    if m:
        params = tuple(sorted(tuple(p.split(" = ")) for p in m.group(1).split(", ")))
    m = re.match(r"# flops method=(\S+) gemm=(\S+)", line)
    if m and params is not None:
        flops[params] = (float(m.group(1)), float(m.group(2)))

runs = {}
for r in json.load(open(args.json)):
    p = tuple(sorted(r.get("params", {}).items()))
    bench = r["benchmark"].rsplit(".", 1)[1]
    runs.setdefault(p, {})[bench] = (r["primaryMetric"]["score"], r["primaryMetric"]["scoreError"])

print("| workload | method ms | GEMM ms | method GFLOP/s | GEMM GFLOP/s | efficiency |")
print("|---|---|---|---|---|---|")
for p, b in sorted(runs.items()):
    method = [k for k in b if k != "gemm"]
    if not method or "gemm" not in b or p not in flops:
        continue
    (tm, em), (tg, eg) = b[method[0]], b["gemm"]
    fm, fg = flops[p]
    rm, rg = fm / tm / 1e6, fg / tg / 1e6
    label = args.label.format(**dict(p))
    pm = lambda t, e: f"{t:.2f} ± {e:.2f}" if isinstance(e, (int, float)) else f"{t:.2f}"
    print(f"| {label} | {pm(tm, em)} | {pm(tg, eg)} | {rm:.1f} | {rg:.1f} | **{rm / rg:.2f}** |")
