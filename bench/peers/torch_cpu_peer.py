#!/usr/bin/env python3
"""PyTorch CPU peer of tangent4j's Java backend: the best PyTorch recipe for each of the families' workloads,
timed on the same machine, written as JSON (bench/run-families puts them beside tangent4j's JMH numbers).

Recipes (MLP 784-512-512-10 ReLU, Gaussian inputs, as bench/peers/torch_peer.py):
  gemm m x n x k               torch.mm into a preallocated output
  input jacobian N             the hand-written masked chain J = W3 diag(m2) W2 diag(m1) W1, batched from the
                               output side (N, O, D); vmap(jacrev) is also timed where torch.func exists
  parameter jacobian N         per-layer outer products delta_l (x) h_{l-1}, written once into one (N, O, P)
                               tensor in the state dict's order (weight row-major, then bias, per layer):
                               into a new tensor per call, and "into a reused output" (out=, allocated once)
  ntk trace N                  layer-wise Grams: sum_l (Delta_l Delta_l^T) * (H_{l-1} H_{l-1}^T + 1), (N, N)
  patterns N                   forward and z > 0 of every hidden layer, (N, H) booleans
  nngp+ntk N D depth act       the closed forms (torch_peer.nngp_ntk), relu and erf, depth 3

Threads: --threads (default: all cores) with OMP_WAIT_POLICY=PASSIVE, set before torch is imported, so
PyTorch's OpenMP threads do not spin against the machine's other work (bench NOTES). Timing: warm-up runs,
then the median of --repeats runs of the wall clock.

    python3 bench/peers/torch_cpu_peer.py --out cpu-peer.json [--threads 2] [--quick] [--only jacobian,ntk]
"""
import argparse
import os
import platform
import sys
import time


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True, help="JSON file to write")
    ap.add_argument("--threads", type=int, default=os.cpu_count(), help="torch.set_num_threads (default: all cores)")
    ap.add_argument("--quick", action="store_true", help="tiny sizes and few repeats (smoke test)")
    ap.add_argument("--repeats", type=int, default=None, help="timed runs per workload (default 5, quick 2)")
    ap.add_argument("--warmup", type=int, default=None, help="untimed runs first (default 2, quick 1)")
    ap.add_argument("--sizes", default="", help="comma-separated N for the input Jacobian and the NTK trace "
                    "(default 256,4096 and 256,1024)")
    ap.add_argument("--only", default="", help="comma-separated: gemm,jacobian,parameter-jacobian,ntk,patterns,"
                    "analytic (default: all)")
    return ap.parse_args(argv)


os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
import torch  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_peer  # noqa: E402


def linears(net):
    """The Linear layers of an nn.Sequential of Linear and ReLU."""
    return [m for m in net if isinstance(m, torch.nn.Linear)]


def hidden(net, x):
    """The inputs of every layer (x, h_1, ..., h_L) and the hidden pre-activations' signs (m_1 .. m_L)."""
    hs, masks = [x], []
    ls = linears(net)
    for layer in ls[:-1]:
        z = layer(hs[-1])
        m = z > 0
        masks.append(m)
        hs.append(z * m)
    return hs, masks


def deltas(net, masks, n):
    """delta_l = d f / d z_l for every layer l, (N, O, H_l), from the output side: delta_L = I."""
    ls = linears(net)
    o = ls[-1].out_features
    w = ls[-1].weight
    d = torch.eye(o, dtype=w.dtype).expand(n, o, o)
    out = [d]
    for layer, m in zip(reversed(ls[1:]), reversed(masks)):
        d = torch.matmul(d, layer.weight) * m.unsqueeze(1).to(w.dtype)
        out.append(d)
    return out[::-1]


def input_jacobian(net, x):
    """(N, O, D) by the masked chain: delta_1 W_1."""
    with torch.no_grad():
        _, masks = hidden(net, x)
        return torch.matmul(deltas(net, masks, x.shape[0])[0], linears(net)[0].weight)


def parameter_jacobian(net, x, out=None):
    """(N, O, P) in the state dict's order, each block written once as an outer product into ``out``."""
    with torch.no_grad():
        hs, masks = hidden(net, x)
        ds = deltas(net, masks, x.shape[0])
        ls = linears(net)
        n, o = x.shape[0], ls[-1].out_features
        p = sum(layer.weight.numel() + layer.bias.numel() for layer in ls)
        if out is None:
            out = torch.empty(n, o, p, dtype=x.dtype)
        at = 0
        for layer, d, h in zip(ls, ds, hs):
            a, b = layer.weight.shape
            torch.mul(d.unsqueeze(3), h.unsqueeze(1).unsqueeze(2), out=out[:, :, at:at + a * b].view(n, o, a, b))
            at += a * b
            out[:, :, at:at + a] = d
            at += a
        return out


def ntk_trace(net, x):
    """sum_o J_o J_o^T (N, N) by layer-wise Grams."""
    with torch.no_grad():
        hs, masks = hidden(net, x)
        ds = deltas(net, masks, x.shape[0])
        k = None
        for d, h in zip(ds, hs):
            flat = d.flatten(1)
            part = (flat @ flat.T) * (h @ h.T + 1)
            k = part if k is None else k + part
        return k


def patterns(net, x):
    """(N, H) booleans: the hidden layers' pre-activations > 0, in order."""
    with torch.no_grad():
        return torch.cat(hidden(net, x)[1], dim=1)


def main(argv=None):
    a = parse_args(argv)
    torch.set_num_threads(a.threads)
    q = a.quick
    cpu = torch.device("cpu")
    t = torch_peer.Timer(cpu, a.warmup if a.warmup is not None else (1 if q else 2),
                         a.repeats if a.repeats is not None else (2 if q else 5))
    only = set(filter(None, a.only.split(","))) or {"gemm", "jacobian", "parameter-jacobian", "ntk", "patterns",
                                                     "analytic"}
    dtypes = [torch.float32, torch.float64]
    sizes = [int(v) for v in a.sizes.split(",") if v]
    tools = torch_peer.functional_tools()
    started = time.perf_counter()
    name = torch_peer.name
    if "gemm" in only:
        shapes = [(256, 256, 256)] if q else [(2048, 2048, 2048), (256, 256, 5120), (4096, 4096, 784)]
        for dt in dtypes:
            for m, n, k in shapes:
                x, y = torch_peer.gaussian(m, k, dt, cpu, 1), torch_peer.gaussian(k, n, dt, cpu, 3)
                c = torch.empty(m, n, dtype=dt)
                t.time(f"gemm {m}x{n}x{k}", name(dt), lambda: torch.mm(x, y, out=c), False, flops=2.0 * m * n * k)
    for dt in dtypes:
        net = torch_peer.mlp(dt, cpu)
        if "jacobian" in only:
            for n in sizes or ([16] if q else [256, 4096]):
                x = torch_peer.gaussian(n, torch_peer.WIDTHS[0], dt, cpu)
                t.time(f"input jacobian N={n}", name(dt), lambda: input_jacobian(net, x), False, method="masked chain")
                if tools is not None:
                    jac = torch_peer.input_jacobian_fn(net, tools)
                    t.time(f"input jacobian N={n} vmap", name(dt), lambda: jac(x).detach(), False,
                           method=f"{tools[3]} vmap(jacrev)")
        if "parameter-jacobian" in only and dt == torch.float32:
            n = 4 if q else 64
            x = torch_peer.gaussian(n, torch_peer.WIDTHS[0], dt, cpu)
            out = parameter_jacobian(net, x)
            size = out.numel() * out.element_size()
            # like for like with tangent4j's two rows: a fresh result per call (a new torch.empty, as a user
            # calls it: its pages fault in again, since malloc maps a block this large anew each time), and
            # into one output allocated once (out=)
            t.time(f"parameter jacobian N={n}", name(dt), lambda: parameter_jacobian(net, x), False,
                   method="per-layer outer products", bytes=size)
            t.time(f"parameter jacobian N={n} into a reused output", name(dt),
                   lambda: parameter_jacobian(net, x, out), False, method="per-layer outer products, out=",
                   bytes=size)
            del out
        if "ntk" in only:
            for n in sizes or ([16] if q else [256, 1024]):
                x = torch_peer.gaussian(n, torch_peer.WIDTHS[0], dt, cpu)
                t.time(f"ntk trace N={n}", name(dt), lambda: ntk_trace(net, x), False, method="layer-wise Grams")
        if "patterns" in only and dt == torch.float32:
            n = 2000 if q else 100_000
            x = torch_peer.gaussian(n, torch_peer.WIDTHS[0], dt, cpu)
            t.time(f"patterns N={n}", name(dt), lambda: patterns(net, x), False, method="forward and z > 0")
    if "analytic" in only:
        torch_peer.bench_analytic(t, cpu, dtypes, 256 if q else 4096, 784, 3)
    torch_peer.write_results(a.out, "torch_cpu_peer", t, started, {
        "peer": "pytorch-cpu",
        "torch": torch.__version__,
        "blas": torch.__config__.show().split("BLAS_INFO=")[-1].split(",")[0] if "BLAS_INFO=" in
        torch.__config__.show() else "unknown",
        "threads": torch.get_num_threads(),
        "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY"),
        "device": platform.processor() or "cpu",
        "python": platform.python_version(),
    })


if __name__ == "__main__":
    main()
