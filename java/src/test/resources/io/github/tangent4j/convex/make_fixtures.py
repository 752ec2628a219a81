"""Reference optima of the convex two-layer ReLU programs, from cvxopt's cone QP solver (coneqp).

Run from this directory: /usr/bin/python3 make_fixtures.py (Debian python3-cvxopt). Writes one .npz per problem with the data, the patterns
(P, N) as 0/1, beta and the optimal value of the program:
  relu:    min 1/2 ||sum_i D_i X (v_i - w_i) - y||^2 + beta sum_i (||v_i|| + ||w_i||),
           (2 D_i - I) X v_i >= 0, (2 D_i - I) X w_i >= 0
  gated:   min 1/2 ||sum_i D_i X u_i - y||^2 + beta sum_i ||u_i||
  lasso:   min 1/2 ||F a - y||^2 + beta ||a||_1,  F = [relu(X W^T), relu(-X W^T)], rows of W of unit norm
X here is the lifted input [x, 1].
"""
import numpy as np
from cvxopt import matrix, solvers

solvers.options.update(show_progress=False, abstol=1e-10, reltol=1e-10, feastol=1e-10, maxiters=200)


def lifted(x):
    return np.hstack([x, np.ones((x.shape[0], 1))])


def patterns(xl, m, rng):
    u = rng.standard_normal((m, xl.shape[1]))
    d = (xl @ u.T >= 0).astype(float).T
    d = np.unique(d, axis=0)
    return d[d.sum(axis=1) > 0]


def solve_groups(a, y, beta, groups, dim, linear_rows=None):
    """min 1/2||a z - y||^2 + beta sum_g ||z_g||, optional linear_rows @ z >= 0; returns the optimum."""
    nz = groups * dim
    n = nz + groups
    p = np.zeros((n, n))
    p[:nz, :nz] = a.T @ a
    q = np.zeros(n)
    q[:nz] = -a.T @ y
    q[nz:] = beta
    g_rows, h = [], []
    lin = 0
    if linear_rows is not None:
        for row in linear_rows:
            r = np.zeros(n)
            r[:nz] = -row
            g_rows.append(r)
            h.append(0.0)
        lin = len(linear_rows)
    for g in range(groups):
        r = np.zeros(n)
        r[nz + g] = -1
        g_rows.append(r)
        h.append(0.0)
        for j in range(dim):
            r = np.zeros(n)
            r[g * dim + j] = -1
            g_rows.append(r)
            h.append(0.0)
    sol = solvers.coneqp(matrix(p), matrix(q), matrix(np.array(g_rows)), matrix(np.array(h)),
                         dims={'l': lin, 'q': [dim + 1] * groups, 's': []})
    assert sol['status'] == 'optimal' or sol['relative gap'] < 1e-8, (sol['status'], sol['relative gap'])
    print(sol['status'], sol['gap'], sol['relative gap'])
    return sol['primal objective'] + 0.5 * y @ y


def relu_program(xl, y, d, beta):
    pcount, dim = d.shape[0], xl.shape[1]
    blocks = [d[i][:, None] * xl for i in range(pcount)]
    a = np.hstack(blocks + [-b for b in blocks])
    rows = []
    for half in range(2):
        for i in range(pcount):
            s = 2 * d[i] - 1
            for k in range(xl.shape[0]):
                r = np.zeros(2 * pcount * dim)
                g = half * pcount + i
                r[g * dim:(g + 1) * dim] = s[k] * xl[k]
                rows.append(r)
    return solve_groups(a, y, beta, 2 * pcount, dim, rows)


def gated_program(xl, y, d, beta):
    a = np.hstack([d[i][:, None] * xl for i in range(d.shape[0])])
    return solve_groups(a, y, beta, d.shape[0], xl.shape[1])


def lasso(xl, y, w, beta):
    w = w / np.linalg.norm(w, axis=1, keepdims=True)
    f = np.hstack([np.maximum(xl @ w.T, 0), np.maximum(-xl @ w.T, 0)])
    return solve_groups(f, y, beta, f.shape[1], 1)


def main():
    rng = np.random.default_rng(23)
    # 1-D data with the bias: every pattern (thresholds in both directions)
    x1 = np.sort(rng.uniform(-1, 1, (6, 1)), axis=0)
    y1 = np.sin(3 * x1[:, 0]) + 0.1 * rng.standard_normal(6)
    d1 = patterns(lifted(x1), 4000, rng)
    np.savez('relu_1d.npz', x=x1, y=y1, patterns=d1, beta=np.array(0.05),
             relu=np.array(relu_program(lifted(x1), y1, d1, 0.05)),
             gated=np.array(gated_program(lifted(x1), y1, d1, 0.05)))
    # 2-D data with the bias: sampled patterns
    x2 = rng.standard_normal((7, 2))
    y2 = x2[:, 0] * x2[:, 1] + 0.2 * rng.standard_normal(7)
    d2 = patterns(lifted(x2), 12, rng)
    np.savez('relu_2d.npz', x=x2, y=y2, patterns=d2, beta=np.array(0.1),
             relu=np.array(relu_program(lifted(x2), y2, d2, 0.1)),
             gated=np.array(gated_program(lifted(x2), y2, d2, 0.1)))
    # dictionary Lasso over 5 directions in the lifted space
    w = rng.standard_normal((5, 3))
    np.savez('lasso_2d.npz', x=x2, y=y2, directions=w, beta=np.array(0.1), lasso=np.array(lasso(lifted(x2), y2, w, 0.1)))
    # 2-D data with the bias, many patterns (more groups than the solver's first working set)
    rng = np.random.default_rng(2323)
    x3 = rng.standard_normal((10, 2))
    y3 = np.tanh(x3[:, 0] - x3[:, 1]) + 0.1 * rng.standard_normal(10)
    d3 = patterns(lifted(x3), 4000, rng)
    np.savez('relu_2d_many.npz', x=x3, y=y3, patterns=d3, beta=np.array(0.05),
             relu=np.array(relu_program(lifted(x3), y3, d3, 0.05)))


if __name__ == '__main__':
    main()
