#!/usr/bin/env python3
"""Derives the coefficients of the F64 arccos polynomial in backend/java/VectorDualLayer.java and measures its
error: arccos(t) = sqrt(1 - t) g(2t - 1) for t in [0, 1], g the polynomial (monomials in s = 2t - 1) that
interpolates arccos(t) / sqrt(1 - t) at the Chebyshev points of [-1, 1]. Needs mpmath (python3-mpmath).

    docs/tools/arccos_fit.py [degree]      (default 18: the one in use)
"""
import random
import sys

import mpmath as mp

mp.mp.dps = 60


def quotient(s):
    """arccos(t) / sqrt(1 - t) at t = (s + 1) / 2; its limit sqrt(2) at t = 1."""
    t = (s + 1) / 2
    return mp.sqrt(2) if t == 1 else mp.acos(t) / mp.sqrt(1 - t)


def monomial_coefficients(degree):
    """Interpolation at the degree + 1 Chebyshev points, converted from the Chebyshev to the monomial basis."""
    n = degree + 1
    nodes = [mp.cos(mp.pi * (k + mp.mpf(1) / 2) / n) for k in range(n)]
    values = [quotient(x) for x in nodes]
    cheb = [2 * mp.fsum(values[k] * mp.cos(mp.pi * j * (k + mp.mpf(1) / 2) / n) for k in range(n)) / n
            for j in range(n)]
    cheb[0] /= 2
    basis = [[mp.mpf(1)], [mp.mpf(0), mp.mpf(1)]]   # T_0, T_1 as monomial coefficients
    while len(basis) < n:
        nxt = [mp.mpf(0)] * (len(basis) + 1)
        for i, v in enumerate(basis[-1]):
            nxt[i + 1] += 2 * v
        for i, v in enumerate(basis[-2]):
            nxt[i] -= v
        basis.append(nxt)
    mono = [mp.mpf(0)] * n
    for j in range(n):
        for i, v in enumerate(basis[j]):
            mono[i] += cheb[j] * v
    return [float(c) for c in mono]


def max_relative_error(coef):
    """Over random t and t near 0 and 1, of the double-precision evaluation (Horner in s) against mpmath."""
    rnd = random.Random(1)
    ts = [rnd.random() for _ in range(4000)] + [1 - 10.0 ** -e for e in range(1, 17)] + \
         [10.0 ** -e for e in range(1, 17)] + [0.0, 0.5, 1.0]
    worst = 0.0
    for t in ts:
        s = 2 * t - 1
        p = coef[-1]
        for c in reversed(coef[:-1]):
            p = p * s + c
        value = (1 - t) ** 0.5 * p
        exact = mp.acos(mp.mpf(t))
        worst = max(worst, float(abs(value) if exact == 0 else abs((mp.mpf(value) - exact) / exact)))
    return worst


if __name__ == "__main__":
    degree = int(sys.argv[1]) if len(sys.argv) > 1 else 18
    coef = monomial_coefficients(degree)
    print(f"degree {degree}: max relative error {max_relative_error(coef):.3g}")
    print("coefficients, lowest first:")
    for c in coef:
        print(f"  {c!r}")
