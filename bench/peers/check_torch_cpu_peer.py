#!/usr/bin/env python3
"""Checks that bench/peers/torch_cpu_peer.py's recipes compute what tangent4j computes, on a small network
(12-16-8-3 ReLU, 5 inputs, float64): the masked-chain input Jacobian, the parameter Jacobian written by
per-layer outer products, the layer-wise NTK trace and the activation patterns, against the `tangent4j`
command's jacobian (--wrt input, --wrt params), ntk --trace and patterns outputs, and the input Jacobian
also against torch.autograd. Exit code 0 iff all agree to 1e-10 (relative to the largest entry).

    python3 bench/peers/check_torch_cpu_peer.py [--tangent4j ./tangent4j]
"""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_cpu_peer  # noqa: E402  (sets OMP_WAIT_POLICY before torch is imported)
import torch  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def small_net():
    torch.manual_seed(5)
    widths = (12, 16, 8, 3)
    layers = []
    for i in range(len(widths) - 1):
        layers.append(torch.nn.Linear(widths[i], widths[i + 1]))
        if i < len(widths) - 2:
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers).double().eval()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tangent4j", default=os.path.join(ROOT, "tangent4j"), help="the tangent4j command")
    a = ap.parse_args()
    tmp = tempfile.mkdtemp()
    path = lambda name: os.path.join(tmp, name)  # noqa: E731
    net = small_net()
    np.savez(path("m.npz"), **{k: v.detach().numpy() for k, v in net.state_dict().items()})
    x = torch.randn(5, 12, dtype=torch.float64, generator=torch.Generator().manual_seed(7))
    np.save(path("x.npy"), x.numpy())

    def tangent4j(*args):
        subprocess.run([a.tangent4j, *args, "--model", path("m.npz"), "--x", path("x.npy"), "--out", path("out.npy"),
                        "--dtype", "f64", "--backend", "java"], check=True, stdout=subprocess.DEVNULL)
        return np.load(path("out.npy"))

    failures = 0

    def check(what, ours, theirs):
        nonlocal failures
        ours = np.asarray(ours)
        theirs = np.asarray(theirs)
        if ours.dtype == bool or theirs.dtype == bool:
            ok = ours.shape == theirs.shape and np.array_equal(ours, theirs)
            err = 0.0 if ok else 1.0
        else:
            err = np.max(np.abs(ours - theirs)) / max(np.max(np.abs(theirs)), 1e-300) if ours.shape == theirs.shape \
                else float("inf")
            ok = err < 1e-10
        failures += not ok
        print(f"{'ok' if ok else 'FAILED'}: {what}: shape {ours.shape} vs {theirs.shape}, relative error {err:.1e}")

    jac = torch_cpu_peer.input_jacobian(net, x)
    check("input jacobian (masked chain) vs tangent4j", jac, tangent4j("jacobian", "--wrt", "input"))
    autograd = torch.autograd.functional.jacobian(lambda xs: net(xs).sum(0), x).permute(1, 0, 2)
    check("input jacobian (masked chain) vs torch.autograd", jac, autograd)
    check("parameter jacobian (outer products) vs tangent4j", torch_cpu_peer.parameter_jacobian(net, x),
          tangent4j("jacobian", "--wrt", "params"))
    check("ntk trace (layer-wise Grams) vs tangent4j", torch_cpu_peer.ntk_trace(net, x),
          tangent4j("ntk", "--trace"))
    check("patterns vs tangent4j", torch_cpu_peer.patterns(net, x), tangent4j("patterns"))
    print(f"check_torch_cpu_peer: {failures} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
