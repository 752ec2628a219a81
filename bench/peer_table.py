#!/usr/bin/env python3
"""The families' table with both sides from one run: tangent4j's JMH results (one JSON per family and GEMM
provider) beside the CPU PyTorch peer's (bench/peers/torch_cpu_peer.py JSON), with the speed ratio
PyTorch time / tangent4j time (above 1: tangent4j is faster).

    bench/peer_table.py --peer peer.json --run 'input jacobian N={n}:blas:jacobian-blas.json' ...

Each --run is LABEL:PROVIDER:FILE: LABEL a Python format string over the JMH parameters naming the peer's
workload (e.g. 'ntk {kind} N={n}'), PROVIDER the tangent4j GEMM provider of that run (blas, vector). The
peer's rows with the same workload, or the workload followed by a variant (' vmap'), are its recipes; the
fastest is the peer's time. A benchmark method ending in IntoReused is its own row ('... into a reused
output') beside the peer's row of the same name where the peer has one (e.g. its `out=` recipe),
else beside the same peer time.
"""
import argparse
import json


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--peer", required=True, help="torch_cpu_peer.py's JSON")
    ap.add_argument("--run", action="append", default=[], help="LABEL:PROVIDER:FILE (repeatable)")
    a = ap.parse_args()
    peer = json.load(open(a.peer))
    best = {}
    for r in peer["results"]:
        if r.get("ms") is None:
            continue
        key = (r["workload"].removesuffix(" vmap"), r["dtype"])
        if key not in best or r["ms"] < best[key][0]:
            best[key] = (r["ms"], r.get("method", ""))
    ours = {}
    providers = []
    for spec in a.run:
        label, provider, path = spec.rsplit(":", 2)
        if provider not in providers:
            providers.append(provider)
        for r in json.load(open(path)):
            if r["benchmark"].endswith(".gemm"):
                continue
            p = r.get("params", {})
            # a variant of the same workload (e.g. inputJacobianIntoReused: into an output allocated once, as
            # the peer's `out=` recipes write) is its own row, compared with the same peer time
            variant = " into a reused output" if r["benchmark"].endswith("IntoReused") else ""
            key = (label.format(**p) + variant, p.get("dtype", "f32"))
            ours.setdefault(key, {})[provider] = (r["primaryMetric"]["score"], r["primaryMetric"]["scoreError"],
                                                  r["primaryMetricUnit"] if "primaryMetricUnit" in r else
                                                  r["primaryMetric"]["scoreUnit"])
    head = ["workload", "dtype"] + [f"tangent4j ({p})" for p in providers] + ["PyTorch, best recipe"] + \
        [f"ratio ({p})" for p in providers]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for key in sorted(ours):
        mine = ours[key]
        # the peer's own reused-output recipe where it has one (like for like), else its fresh one
        theirs = best.get(key) or best.get((key[0].removesuffix(" into a reused output"), key[1]))
        cells = [key[0], key[1]]
        ms = {}
        for p in providers:
            if p in mine:
                score, err, unit = mine[p]
                scale = {"ms/op": 1, "s/op": 1e3, "us/op": 1e-3}.get(unit, 1)
                ms[p] = score * scale
                cells.append(f"{score * scale:.1f} ± {err * scale:.1f} ms")
            else:
                cells.append("")
        cells.append(f"{theirs[0]:.1f} ms ({theirs[1]})" if theirs else "")
        for p in providers:
            cells.append(f"**{theirs[0] / ms[p]:.2f}**" if theirs and p in ms else "")
        print("| " + " | ".join(cells) + " |")
    print(f"\npeer: PyTorch {peer['torch']} on {peer['threads']} threads, OMP_WAIT_POLICY={peer['omp_wait_policy']}, "
          f"median of {peer['repeats']} runs")


if __name__ == "__main__":
    main()
