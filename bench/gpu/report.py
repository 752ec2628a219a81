#!/usr/bin/env python3
"""The GPU table of bench/RESULTS.md from one bench/gpu/run.sh: tangent4j's JMH results (*.json in --dir) next
to the PyTorch peer's (torch.json) on the same card, with the speed ratio PyTorch time / tangent4j time
(1.00: as fast; above 1: tangent4j faster) for every workload both timed.

    bench/gpu/report.py --dir OUT --gpu "NVIDIA H200" [--out OUT/gpu-table.md]
"""
import argparse
import datetime
import glob
import json
import os

PEER_FILE = "torch.json"


def workload(benchmark, p):
    """(workload name as the peer writes it, dtype, impl) of one JMH result, or None for reference rows."""
    cls, method = benchmark.rsplit(".", 2)[-2:]
    dtype = p.get("dtype", "f32")
    impl = p.get("impl", "java")
    if cls == "GemmBench":
        name = f"gemm {p['shape']}"
    elif cls == "ForwardBench":
        name = f"forward N={p['n']} " + ("device" if method == "device" else "host to host")
    elif cls == "PatternsBench":
        name = {"patterns": f"patterns N={p['n']} packed to host",
                "hiddenGemms": f"two hidden-layer GEMMs N={p['n']}"}.get(method)
    elif cls == "JacobianBench" and method == "inputJacobian":
        name = f"input jacobian N={p['n']}"
    elif cls == "NtkBench" and method == "ntk":
        name = f"ntk {p['kind']} N={p['n']}" + ("" if p.get("method", "structured") == "structured"
                                              else f" {p['method']}")
    elif cls == "AnalyticKernelBench" and method == "nngpNtk":
        name = f"nngp+ntk N={p['n']} D={p['d']} depth={p['depth']} {p['activation']}" + (
            "" if p.get("x2", "same") == "same" else " X2 distinct")
    elif cls == "JacobianKernelBench":
        name = f"jacobian {p['kind']} N={p['n']} D={p['d']} depth={p['depth']} {p['activation']}"
    else:
        return None
    return (name, dtype, impl) if name else None


def load_jmh(directory):
    """{(workload, dtype): {impl: (ms, err)}} from every JMH JSON file in directory."""
    rows = {}
    for path in sorted(glob.glob(os.path.join(directory, "*.json"))):
        if os.path.basename(path) == PEER_FILE:
            continue
        with open(path) as f:
            try:
                results = json.load(f)
            except json.JSONDecodeError:
                continue
        for r in results:
            key = workload(r["benchmark"], r.get("params", {}))
            if key is None:
                continue
            m = r["primaryMetric"]
            if m.get("scoreUnit") != "ms/op":
                raise ValueError(f"{path}: {r['benchmark']} is in {m.get('scoreUnit')}, expected ms/op")
            err = m.get("scoreError")
            err = err if isinstance(err, (int, float)) and err == err else None   # NaN with one iteration
            rows.setdefault(key[:2], {})[key[2]] = (m["score"], err)
    return rows


def load_peer(directory):
    """(metadata, {(workload, dtype): ms, or the error text}) of the PyTorch peer, or (None, {})."""
    path = os.path.join(directory, PEER_FILE)
    if not os.path.exists(path):
        return None, {}
    with open(path) as f:
        peer = json.load(f)
    times = {}
    for r in peer["results"]:
        times[(r["workload"], r["dtype"])] = r.get("ms") if r.get("ms") is not None else r.get("error", "failed")
    return peer, times


def peer_for(name, dtype, peer):
    """[(label suffix, peer ms)] to compare the tangent4j row (name, dtype) with."""
    if name.endswith(" host to host"):
        base = name[: -len(" host to host")]
        return [(" (PyTorch pageable)", peer.get((base + " host pageable", dtype))),
                (" (PyTorch pinned)", peer.get((base + " host pinned", dtype)))]
    return [("", peer.get((name, dtype)))]


def fmt(ms, err=None):
    if ms is None:
        return "-"
    if isinstance(ms, str):
        return ms
    return f"{ms:.3f} ± {err:.3f}" if err is not None else f"{ms:.3f}"


def table(rows, peer):
    lines = ["| workload | dtype | tangent4j cuda ms | PyTorch ms | speed ratio | tangent4j java ms |",
             "|---|---|---|---|---|---|"]
    for (name, dtype) in sorted(rows, key=lambda k: (k[0].split(" ")[0], k[1], k[0])):
        impls = rows[(name, dtype)]
        cuda = impls.get("cuda")
        java = impls.get("java")
        for suffix, peer_ms in peer_for(name, dtype, peer):
            ratio = f"**{peer_ms / cuda[0]:.2f}**" if cuda and isinstance(peer_ms, (float, int)) else "-"
            lines.append(f"| {name}{suffix} | {dtype} | {fmt(*cuda) if cuda else '-'} | {fmt(peer_ms)} | {ratio} "
                         f"| {fmt(*java) if java else '-'} |")
    return lines


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dir", required=True, help="bench/gpu/run.sh's output folder")
    ap.add_argument("--gpu", default="unknown", help="the card's name (nvidia-smi --query-gpu=name)")
    ap.add_argument("--selftest-rc", default="", help="tangent4j selftest --backend cuda's exit code")
    ap.add_argument("--jmh", default="", help="the JMH settings used")
    ap.add_argument("--out", help="Markdown file to write (default: stdout)")
    a = ap.parse_args(argv)
    rows = load_jmh(a.dir)
    meta, peer = load_peer(a.dir)
    lines = [f"## GPU: {a.gpu} ({datetime.date.today().isoformat()}, bench/gpu/run.sh)", ""]
    if meta:
        lines.append(f"- peer: PyTorch {meta['torch']} (CUDA {meta['cuda']}) on {meta['device']}, "
                     f"median of {meta['repeats']} runs after {meta['warmup']} warm-up, {meta['functional']} for "
                     "the Jacobians")
    else:
        lines.append("- peer: none (PyTorch not found)")
    if a.jmh:
        lines.append(f"- tangent4j: JMH {a.jmh}, ± from JMH's 99.9% interval")
    if a.selftest_rc != "":
        lines.append(f"- `tangent4j selftest --backend cuda`: exit code {a.selftest_rc}"
                     + (" (all checks passed)" if a.selftest_rc == "0" else " (see selftest.txt)"))
    lines += ["", "Times per operation; speed ratio = PyTorch ms / tangent4j cuda ms from this run (above 1: "
              "tangent4j faster). Host to host rows are compared with PyTorch's pageable and pinned copies.", ""]
    lines += table(rows, peer)
    text = "\n".join(lines) + "\n"
    if a.out:
        with open(a.out, "w") as f:
            f.write(text)
    else:
        print(text, end="")


if __name__ == "__main__":
    main()
