#!/usr/bin/env python3
"""PyTorch peer of tangent4j's GPU benchmarks: times the workloads of the JMH benchmarks on the same device
and writes them as JSON for bench/gpu/report.py.

Workloads (MLP 784-512-512-10 ReLU, Gaussian inputs, weights on the device):
  gemm NxNxN / 262144x512x512     torch.mm, data on the device, TF32 off (true FP32, as tangent4j's default)
  forward device                  N = 100 000 inputs on the device, outputs left there
  forward host pageable / pinned  host tensor -> device -> forward -> host tensor (pinned: page-locked
                                  input and output buffers, non-blocking copies)
  patterns                        the two hidden layers' ReLU signs, packed 8 per byte, to the host
  input jacobian N                (N, 10, 784), host to host, torch.func.vmap(jacrev) (functorch or
                                  torch.autograd.functional.jacobian on older PyTorch)
  ntk trace N                     empirical NTK trace sum_o J_o J_o^T (N, N), host to host, by contracting
                                  the parameter Jacobians (vmap(jacrev) over the parameters)
  nngp+ntk N D depth act          infinite-width NNGP and NTK (Lee et al. 2018; Jacot et al. 2018) of N points
                                  in D dims, depth 3, S = 2, B = 0.1, relu (arc-cosine, Cho and Saul 2009) or
                                  erf (Williams 1997), host to host, all on the device in the input's dtype

Timing: warm-up runs, then `repeats` timed runs, each between torch.cuda.synchronize() calls (CUDA events
for work that stays on the device); the median is reported, with every run's time.

    python3 bench/peers/torch_peer.py --out peer.json                   # on a GPU machine
    python3 bench/peers/torch_peer.py --device cpu --quick --out p.json # a smoke test anywhere
"""
import argparse
import json
import math
import platform
import statistics
import sys
import time

import torch

WIDTHS = (784, 512, 512, 10)
S, B = 2.0, 0.1


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--device", default="cuda", help="cuda (default) or cpu")
    ap.add_argument("--out", required=True, help="JSON file to write")
    ap.add_argument("--quick", action="store_true", help="tiny sizes and few repeats (smoke test)")
    ap.add_argument("--repeats", type=int, default=None, help="timed runs per workload (default 10, quick 3)")
    ap.add_argument("--warmup", type=int, default=None, help="untimed runs first (default 3, quick 1)")
    ap.add_argument("--only", default="", help="comma-separated workload families: gemm,forward,patterns,"
                    "jacobian,ntk,analytic (default: all)")
    return ap.parse_args(argv)


class Timer:
    """Median of repeated runs; device-only work is timed with CUDA events, the rest with the wall clock."""

    def __init__(self, device, warmup, repeats):
        self.device, self.warmup, self.repeats = device, warmup, repeats
        self.results = []

    def sync(self):
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)

    def time(self, workload, dtype, fn, on_device, **extra):
        """Times fn; a workload that runs out of memory is recorded with its error instead."""
        try:
            return self._time(workload, dtype, fn, on_device, **extra)
        except RuntimeError as e:   # torch.cuda.OutOfMemoryError is one
            if "out of memory" not in str(e):
                raise
            if self.device.type == "cuda":
                torch.cuda.empty_cache()
            row = {"workload": workload, "dtype": dtype, "ms": None, "error": "out of memory", **extra}
            self.results.append(row)
            print(f"{workload:45s} {dtype}  out of memory", flush=True)
            return row

    def _time(self, workload, dtype, fn, on_device, **extra):
        for _ in range(self.warmup):
            fn()
        self.sync()
        times = []
        for _ in range(self.repeats):
            if on_device and self.device.type == "cuda":
                start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
                start.record()
                fn()
                end.record()
                end.synchronize()
                times.append(start.elapsed_time(end))
            else:
                self.sync()
                t0 = time.perf_counter()
                fn()
                self.sync()
                times.append((time.perf_counter() - t0) * 1e3)
        row = {"workload": workload, "dtype": dtype, "ms": statistics.median(times), "times_ms": times, **extra}
        self.results.append(row)
        print(f"{workload:45s} {dtype}  {row['ms']:10.3f} ms", flush=True)
        return row


def mlp(dtype, device):
    torch.manual_seed(1)
    layers = []
    for i in range(len(WIDTHS) - 1):
        layers.append(torch.nn.Linear(WIDTHS[i], WIDTHS[i + 1]))
        if i < len(WIDTHS) - 2:
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers).to(device=device, dtype=dtype).eval()


def gaussian(n, d, dtype, device, seed=2):
    g = torch.Generator(device="cpu").manual_seed(seed)
    return torch.randn(n, d, generator=g, dtype=dtype).to(device)


def bench_gemm(t, dev, dtypes, quick):
    shapes = [(256, 256, 256), (512, 512, 512)] if quick else [(4096, 4096, 4096), (8192, 8192, 8192),
                                                               (262144, 512, 512)]
    for dt in dtypes:
        for m, n, k in shapes:
            a = gaussian(m, k, dt, dev, 1)
            b = gaussian(k, n, dt, dev, 3)
            c = torch.empty(m, n, dtype=dt, device=dev)
            t.time(f"gemm {m}x{n}x{k}", name(dt), lambda: torch.mm(a, b, out=c), True,
                   flops=2.0 * m * n * k)
            del a, b, c


def bench_forward(t, dev, dtypes, n):
    for dt in dtypes:
        net = mlp(dt, dev)
        x_host = gaussian(n, WIDTHS[0], dt, torch.device("cpu"))
        x = x_host.to(dev)
        with torch.no_grad():
            t.time(f"forward N={n} device", name(dt), lambda: net(x), True)
            t.time(f"forward N={n} host pageable", name(dt), lambda: net(x_host.to(dev)).cpu(), False)
            if dev.type == "cuda":
                x_pinned = x_host.pin_memory()
                y_pinned = torch.empty(n, WIDTHS[-1], dtype=dt).pin_memory()

                def pinned():
                    y = net(x_pinned.to(dev, non_blocking=True))
                    y_pinned.copy_(y, non_blocking=True)
                    torch.cuda.current_stream().synchronize()
                    return y_pinned
                t.time(f"forward N={n} host pinned", name(dt), pinned, False)
        del net, x


def bench_patterns(t, dev, n):
    dt = torch.float32
    net = mlp(dt, dev)
    x = gaussian(n, WIDTHS[0], dt, dev)
    l1, l2 = net[0], net[2]
    shifts = torch.tensor([1 << i for i in range(8)], dtype=torch.uint8, device=dev)

    def patterns():
        h1 = torch.relu(l1(x))
        h2 = l2(h1)
        bits = torch.cat([h1 > 0, h2 > 0], dim=1).view(n, -1, 8).to(torch.uint8)
        return (bits * shifts).sum(dim=2, dtype=torch.uint8).cpu()
    with torch.no_grad():
        t.time(f"patterns N={n} packed to host", name(dt), patterns, False)


def functional_tools():
    """(vmap, jacrev, functional_call, source) from torch.func, else functorch, else None."""
    try:
        from torch.func import functional_call, jacrev, vmap
        return vmap, jacrev, functional_call, "torch.func"
    except ImportError:
        pass
    try:
        from functorch import jacrev, vmap
        from torch.nn.utils.stateless import functional_call
        return vmap, jacrev, functional_call, "functorch"
    except ImportError:
        return None


def input_jacobian_fn(net, tools):
    """x (N, D) on the device -> (N, O, D)."""
    if tools is not None:
        vmap, jacrev = tools[0], tools[1]
        return vmap(jacrev(lambda xi: net(xi.unsqueeze(0)).squeeze(0)))
    # torch.autograd.functional: the Jacobian of the summed outputs over the batch (rows are independent)
    return lambda x: torch.autograd.functional.jacobian(lambda xs: net(xs).sum(0), x,
                                                        vectorize=True).permute(1, 0, 2)


def parameter_jacobian_fn(net, tools):
    """x (N, D) -> the per-parameter Jacobians, each (N, O, *param.shape)."""
    vmap, jacrev, functional_call = tools[0], tools[1], tools[2]
    params = {k: v.detach() for k, v in net.named_parameters()}

    def f(p, xi):
        return functional_call(net, p, (xi.unsqueeze(0),)).squeeze(0)
    return lambda x: list(vmap(jacrev(f), (None, 0))(params, x).values())


def bench_jacobian(t, dev, dtypes, sizes, tools):
    for dt in dtypes:
        net = mlp(dt, dev)
        for n in sizes:
            x_host = gaussian(n, WIDTHS[0], dt, torch.device("cpu"))
            jac = input_jacobian_fn(net, tools)
            t.time(f"input jacobian N={n}", name(dt), lambda: jac(x_host.to(dev)).cpu(), False,
                   method=f"{tools[3]} vmap(jacrev)" if tools else "torch.autograd.functional.jacobian")


def bench_ntk(t, dev, dtypes, sizes, tools):
    if tools is None:
        print("ntk: skipped (needs torch.func or functorch)", file=sys.stderr)
        return
    for dt in dtypes:
        net = mlp(dt, dev)
        pj = parameter_jacobian_fn(net, tools)
        for n in sizes:
            x_host = gaussian(n, WIDTHS[0], dt, torch.device("cpu"))
            t.time(f"ntk trace N={n}", name(dt), lambda: ntk_trace(pj, x_host.to(dev)).cpu(), False,
                   method="parameter Jacobian contraction")


def ntk_trace(pj, x):
    """The empirical NTK trace sum_o J_o(x) J_o(x)^T, (N, N), from parameter_jacobian_fn's pj."""
    k = None
    for j in pj(x):
        j = j.flatten(2)                          # (N, O, P_l)
        part = torch.einsum("nap,map->nm", j, j)  # sum over outputs and this parameter's entries
        k = part if k is None else k + part
    return k


def nngp_ntk(x, depth, activation):
    """The infinite-width NNGP and NTK (N, N) of x (N, D), S = 2, B = 0.1, on x's device and dtype."""
    d = x.shape[1]
    gram = x @ x.T
    sigma = S * gram / d + B
    q = torch.diagonal(sigma).clone()
    theta = sigma.clone()
    for _ in range(depth):
        qq = torch.outer(q, q)
        if activation == "relu":
            c = (sigma / torch.sqrt(qq)).clamp(-1.0, 1.0)
            ang = torch.acos(c)
            f = torch.sqrt(qq) / (2 * math.pi) * (torch.sin(ang) + (math.pi - ang) * c)
            fdot = (math.pi - ang) / (2 * math.pi)
        else:  # erf
            a = 1 + 2 * q
            aa = torch.outer(a, a)
            f = 2 / math.pi * torch.asin((2 * sigma / torch.sqrt(aa)).clamp(-1.0, 1.0))
            fdot = 4 / math.pi / torch.sqrt(aa - 4 * sigma * sigma)
        sigma_next = S * f + B
        theta = sigma_next + S * fdot * theta
        sigma, q = sigma_next, torch.diagonal(sigma_next).clone()
    return sigma, theta


def bench_analytic(t, dev, dtypes, n, d, depth):
    for dt in dtypes:
        x_host = gaussian(n, d, dt, torch.device("cpu"), 1)
        for act in ("relu", "erf"):
            def kernels():
                k, th = nngp_ntk(x_host.to(dev), depth, act)
                return k.cpu(), th.cpu()
            t.time(f"nngp+ntk N={n} D={d} depth={depth} {act}", name(dt), kernels, False)


def name(dt):
    return {torch.float32: "f32", torch.float64: "f64"}[dt]


def main(argv=None):
    a = parse_args(argv)
    dev = torch.device(a.device)
    if dev.type == "cuda" and not torch.cuda.is_available():
        sys.exit("torch_peer: CUDA is not available to this PyTorch (use --device cpu for a smoke test)")
    if dev.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = False   # true FP32, as tangent4j's default
        torch.backends.cudnn.allow_tf32 = False
    q = a.quick
    t = Timer(dev, a.warmup if a.warmup is not None else (1 if q else 3),
              a.repeats if a.repeats is not None else (3 if q else 10))
    only = set(filter(None, a.only.split(","))) or {"gemm", "forward", "patterns", "jacobian", "ntk", "analytic"}
    dtypes = [torch.float32, torch.float64]
    tools = functional_tools()
    started = time.perf_counter()
    if "gemm" in only:
        bench_gemm(t, dev, dtypes, q)
    if "forward" in only:
        bench_forward(t, dev, dtypes, 2000 if q else 100_000)
    if "patterns" in only:
        bench_patterns(t, dev, 2000 if q else 100_000)
    if "jacobian" in only:
        bench_jacobian(t, dev, dtypes, [16, 64] if q else [256, 4096], tools)
    if "ntk" in only:
        bench_ntk(t, dev, dtypes, [16] if q else [256, 1024], tools)
    if "analytic" in only:
        bench_analytic(t, dev, dtypes, 256 if q else 4096, 784, 3)
    write_results(a.out, "torch_peer", t, started, {
        "peer": "pytorch",
        "torch": torch.__version__,
        "cuda": torch.version.cuda,
        "device": torch.cuda.get_device_name(dev) if dev.type == "cuda" else platform.processor() or "cpu",
        "device_type": dev.type,
        "python": platform.python_version(),
        "functional": tools[3] if tools else "torch.autograd.functional",
    })


def write_results(path, script, t, started, header):
    """Writes a peer's JSON: the header's fields, then the timer's settings, the run's seconds and its
    results; prints one line naming the script."""
    out = dict(header, warmup=t.warmup, repeats=t.repeats, seconds=time.perf_counter() - started,
               results=t.results)
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
    print(f"{script}: {len(t.results)} workloads in {out['seconds']:.0f} s -> {path}")

if __name__ == "__main__":
    main()
