"""The research comparison of docs/convex.md: on small 1-D and 2-D data sets, with the bias inside the
weight decay, (a) the convex optimum over all arrangement patterns (tangent4j convex-fit --patterns all),
(b) the optimum restricted to wedge-product directions (tangent4j wedge, then convex-fit --dictionary),
(c) the best of many non-convex gradient-descent runs at the same beta (PyTorch, full batch).

Run from the repository root: python3 docs/convex_compare.py [--restarts R]. Prints a markdown table.
"""
import argparse
import os
import subprocess
import tempfile

import numpy as np
import torch


def cli(*args):
    out = subprocess.run(['./tangent4j', *args], check=True, capture_output=True, text=True).stdout.split()
    return float(out[1]), float(out[3]), int(out[5])


def objective_of(path, x, y, beta):
    z = np.load(path)
    w, b, a = z['0.weight'], z['0.bias'], z['2.weight']
    f = np.maximum(x @ w.T + b, 0) @ a.T
    return 0.5 * np.sum((f[:, 0] - y) ** 2) + 0.5 * beta * (np.sum(w ** 2) + np.sum(b ** 2) + np.sum(a ** 2))


def gradient_descent(x, y, beta, restarts, width=16, steps=1500):
    xt = torch.tensor(x)
    yt = torch.tensor(y)
    best = np.inf
    for seed in range(restarts):
        torch.manual_seed(seed)
        net = torch.nn.Sequential(torch.nn.Linear(x.shape[1], width), torch.nn.ReLU(),
                                  torch.nn.Linear(width, 1, bias=False)).double()
        opt = torch.optim.Adam(net.parameters(), lr=0.01)

        def loss():
            f = net(xt)[:, 0]
            return 0.5 * ((f - yt) ** 2).sum() + 0.5 * beta * sum((p ** 2).sum() for p in net.parameters())
        for _ in range(steps):
            opt.zero_grad()
            value = loss()
            value.backward()
            opt.step()
        opt = torch.optim.LBFGS(net.parameters(), max_iter=500, tolerance_grad=1e-12, tolerance_change=1e-15,
                                line_search_fn='strong_wolfe')

        def closure():
            opt.zero_grad()
            value = loss()
            value.backward()
            return value
        opt.step(closure)
        best = min(best, loss().item())
    return best


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--restarts', type=int, default=100)
    args = parser.parse_args()
    torch.set_num_threads(1)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        sets = []
        for seed in range(3):
            rng = np.random.default_rng(seed)
            x = np.sort(rng.uniform(-1, 1, (8, 1)), axis=0)
            sets.append((f'1-D #{seed}', x, np.sin(3 * x[:, 0]) + 0.1 * rng.standard_normal(8), 0.02))
        for seed in range(2):
            rng = np.random.default_rng(10 + seed)
            x = rng.standard_normal((8, 2))
            sets.append((f'2-D #{seed}', x, x[:, 0] * x[:, 1] + 0.1 * rng.standard_normal(8), 0.05))
        for name, x, y, beta in sets:
            xp, yp, wp = (os.path.join(tmp, f) for f in ('x.npy', 'y.npy', 'w.npy'))
            net = os.path.join(tmp, 'net.npz')
            np.save(xp, x)
            np.save(yp, y)
            convex, gap, neurons = cli('convex-fit', '--x', xp, '--y', yp, '--beta', str(beta), '--patterns', 'all',
                                       '--bias', '--tol', '1e-6', '--max-iter', '60000', '--backend', 'java',
                                       '--out', net)
            check = objective_of(net, x, y, beta)
            subprocess.run(['./tangent4j', 'wedge', '--x', xp, '--bias', '--out', wp], check=True)
            wedge, wgap, wneurons = cli('convex-fit', '--x', xp, '--y', yp, '--beta', str(beta), '--dictionary', wp,
                                        '--bias', '--tol', '1e-9', '--backend', 'java', '--out', net)
            gd = gradient_descent(x, y, beta, args.restarts)
            rows.append((name, len(x), beta, convex, gap, neurons, check, wedge, wneurons, gd))
            print(rows[-1], flush=True)
    print('| data | N | beta | convex, all patterns | gap | neurons | from file | wedge-restricted | neurons'
          ' | wedge / convex - 1 | best of GD | GD / convex - 1 |')
    print('|---|---|---|---|---|---|---|---|---|---|---|---|')
    for name, n, beta, convex, gap, neurons, check, wedge, wn, gd in rows:
        print(f'| {name} | {n} | {beta} | {convex:.6f} | {gap:.1e} | {neurons} | {check:.6f} | {wedge:.6f} | {wn}'
              f' | {100 * (wedge / convex - 1):+.2f}% | {gd:.6f} | {100 * (gd / convex - 1):+.3f}% |')


if __name__ == '__main__':
    main()
