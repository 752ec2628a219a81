#!/usr/bin/env python3
"""Writes the data set of the NTK streaming and scale-out checks into DIR: x.npy, N standard normal points
in 2-D (float32), and m.npz, a 2-256-256-1 ReLU network with PyTorch's default uniform initialisation
(float32), both from numpy's default_rng(SEED). With SPOT > 0, also SPOT random rows idx.npy and columns
jdx.npy of the (N, N) kernel and their inputs xi.npy, xj.npy, for spot checks.

    wide_relu_data.py DIR N SEED [SPOT]
"""
import sys

import numpy as np


def main():
    d, n, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    spot = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 2)).astype(np.float32)
    np.save(d + "/x.npy", x)
    w = {}
    for i, (o, k) in enumerate([(256, 2), (256, 256), (1, 256)]):
        w[f"{2*i}.weight"] = (rng.uniform(-1, 1, (o, k)) / np.sqrt(k)).astype(np.float32)
        w[f"{2*i}.bias"] = (rng.uniform(-1, 1, (o,)) / np.sqrt(k)).astype(np.float32)
    np.savez(d + "/m.npz", **w)
    if spot > 0:
        idx = rng.choice(n, spot, replace=False)
        jdx = rng.choice(n, spot, replace=False)
        np.save(d + "/idx.npy", idx)
        np.save(d + "/jdx.npy", jdx)
        np.save(d + "/xi.npy", x[idx])
        np.save(d + "/xj.npy", x[jdx])


if __name__ == "__main__":
    main()
