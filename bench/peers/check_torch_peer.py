#!/usr/bin/env python3
"""Checks that bench/peers/torch_peer.py computes the same quantities as tangent4j, on the CPU with small
sizes: the input Jacobian (both of the peer's methods), the empirical NTK trace, and the infinite-width
NNGP and NTK (relu, erf; depth 3, S = 2, B = 0.1) against the `tangent4j` command's jacobian, ntk --trace
and kernel outputs in float64. Exit code 0 iff all agree to 1e-9 (relative to the largest entry).

    python3 bench/peers/check_torch_peer.py [--tangent4j ./tangent4j]
"""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_peer  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tangent4j", default=os.path.join(ROOT, "tangent4j"), help="the tangent4j command")
    a = ap.parse_args()
    tmp = tempfile.mkdtemp()
    path = lambda name: os.path.join(tmp, name)  # noqa: E731
    net = torch_peer.mlp(torch.float64, torch.device("cpu"))
    np.savez(path("m.npz"), **{k: v.detach().numpy() for k, v in net.state_dict().items()})
    x = torch_peer.gaussian(6, torch_peer.WIDTHS[0], torch.float64, torch.device("cpu"))
    np.save(path("x.npy"), x.numpy())

    def tangent4j(*args):
        subprocess.run([a.tangent4j, *args, "--x", path("x.npy"), "--out", path("out.npy"), "--dtype", "f64",
                        "--backend", "java"], check=True, stdout=subprocess.DEVNULL)
        return np.load(path("out.npy"))

    failures = 0

    def check(what, ours, theirs):
        nonlocal failures
        ours = np.asarray(ours)
        err = np.max(np.abs(ours - theirs)) / max(np.max(np.abs(theirs)), 1e-300)
        ok = ours.shape == theirs.shape and err < 1e-9
        failures += not ok
        print(f"{'ok' if ok else 'FAILED'}: {what}: shape {ours.shape} vs {theirs.shape}, relative error {err:.1e}")

    tools = torch_peer.functional_tools()
    j_ref = tangent4j("jacobian", "--wrt", "input", "--model", path("m.npz"))
    if tools is not None:
        check(f"input jacobian ({tools[3]})", torch_peer.input_jacobian_fn(net, tools)(x).detach(), j_ref)
        check("ntk trace", torch_peer.ntk_trace(torch_peer.parameter_jacobian_fn(net, tools), x).detach(),
              tangent4j("ntk", "--trace", "--model", path("m.npz")))
    else:
        print("torch.func and functorch missing: the vmap checks and the NTK trace are skipped")
    check("input jacobian (torch.autograd.functional)", torch_peer.input_jacobian_fn(net, None)(x).detach(), j_ref)
    for act in ("relu", "erf"):
        nngp, ntk = torch_peer.nngp_ntk(x, 3, act)
        for kind, ours in (("nngp", nngp), ("ntk", ntk)):
            check(f"{kind} depth 3 {act}", ours, tangent4j("kernel", "--kind", kind, "--depth", "3", "--sigma-w2", "2",
                                                           "--sigma-b2", "0.1", "--activation", act))
    print(f"check_torch_peer: {failures} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
