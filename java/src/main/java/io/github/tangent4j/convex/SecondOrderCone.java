package io.github.tangent4j.convex;

/**
 * Arithmetic of one second-order cone {@code Q = {(u_0, u_1) : u_0 >= ||u_1||}} of dimension m, on vectors stored
 * at an offset of a flat array: the Jordan product and its inverse, the largest step inside the cone, and the
 * Nesterov-Todd scaling of a primal-dual pair. The formulas are those of Vandenberghe, "The CVXOPT linear and
 * quadratic cone program solvers" (2010), section 4 (Jordan algebra) and section 4.3 (NT scaling).
 */
final class SecondOrderCone {
    private SecondOrderCone() {
    }

    /** {@code u_0^2 - ||u_1||^2}, computed as {@code (u_0 - ||u_1||)(u_0 + ||u_1||)} for accuracy near the boundary. */
    static double determinant(double[] u, int at, int m) {
        double tail = tailNorm(u, at, m);
        return (u[at] - tail) * (u[at] + tail);
    }

    /** The Jordan product {@code a o b = (a.b, a_0 b_1 + b_0 a_1)} written to out at outAt. */
    static void product(double[] a, int aAt, double[] b, int bAt, int m, double[] out, int outAt) {
        double dot = 0;
        for (int i = 0; i < m; i++) {
            dot += a[aAt + i] * b[bAt + i];
        }
        double a0 = a[aAt];
        double b0 = b[bAt];
        for (int i = 1; i < m; i++) {
            out[outAt + i] = a0 * b[bAt + i] + b0 * a[aAt + i];
        }
        out[outAt] = dot;
    }

    /** x with {@code l o x = r} (l inside the cone), written to out at outAt. */
    static void divide(double[] l, int lAt, double[] r, int rAt, int m, double[] out, int outAt) {
        double l0 = l[lAt];
        double dot = 0;
        for (int i = 1; i < m; i++) {
            dot += l[lAt + i] * r[rAt + i];
        }
        double x0 = (l0 * r[rAt] - dot) / determinant(l, lAt, m);
        for (int i = 1; i < m; i++) {
            out[outAt + i] = (r[rAt + i] - x0 * l[lAt + i]) / l0;
        }
        out[outAt] = x0;
    }

    /** The largest alpha with {@code u + alpha d} in the cone (u inside it); infinity if every alpha is. */
    static double maxStep(double[] u, int uAt, double[] d, int dAt, int m) {
        double a = d[dAt] * d[dAt];
        double b = u[uAt] * d[dAt];
        for (int i = 1; i < m; i++) {
            a -= d[dAt + i] * d[dAt + i];
            b -= u[uAt + i] * d[dAt + i];
        }
        b *= 2;
        double c = determinant(u, uAt, m);
        if (a == 0) {
            return b < 0 ? -c / b : Double.POSITIVE_INFINITY;
        }
        double disc = b * b - 4 * a * c;
        if (a < 0 || (b < 0 && disc >= 0)) {   // the first root where the determinant vanishes
            return (-b - Math.sqrt(Math.max(disc, 0))) / (2 * a);
        }
        return Double.POSITIVE_INFINITY;
    }

    /**
     * The Nesterov-Todd scaling of a primal point s and a dual point z, both inside the cone: the symmetric
     * matrix W with {@code W z = W^-1 s = lambda}, {@code W = b (2 v v^T - J)} and
     * {@code W^-1 = (2 J v v^T J - J) / b}, J = diag(1, -1, ..., -1).
     *
     * @param scaling m x m row-major W, written
     * @param inverse m x m row-major W^-1, written
     * @param lambda  the scaled point lambda (m), written
     */
    static void scaling(double[] s, int sAt, double[] z, int zAt, int m, double[] scaling, double[] inverse,
            double[] lambda) {
        double sn = Math.sqrt(determinant(s, sAt, m));
        double zn = Math.sqrt(determinant(z, zAt, m));
        double dot = 0;
        for (int i = 0; i < m; i++) {
            dot += s[sAt + i] * z[zAt + i];
        }
        double gamma = Math.sqrt((1 + dot / (sn * zn)) / 2);
        double b = Math.sqrt(sn / zn);
        double[] v = new double[m];
        double w0 = (s[sAt] / sn + z[zAt] / zn) / (2 * gamma);
        double norm = Math.sqrt(2 * (w0 + 1));
        v[0] = (w0 + 1) / norm;
        for (int i = 1; i < m; i++) {
            v[i] = (s[sAt + i] / sn - z[zAt + i] / zn) / (2 * gamma) / norm;
        }
        for (int i = 0; i < m; i++) {
            double ji = i == 0 ? 1 : -1;
            for (int j = 0; j < m; j++) {
                double jj = j == 0 ? 1 : -1;
                double identity = i == j ? ji : 0;
                scaling[i * m + j] = b * (2 * v[i] * v[j] - identity);
                inverse[i * m + j] = (2 * ji * v[i] * v[j] * jj - identity) / b;
            }
        }
        for (int i = 0; i < m; i++) {
            double sum = 0;
            for (int j = 0; j < m; j++) {
                sum += scaling[i * m + j] * z[zAt + j];
            }
            lambda[i] = sum;
        }
    }

    private static double tailNorm(double[] u, int at, int m) {
        double sum = 0;
        for (int i = 1; i < m; i++) {
            sum += u[at + i] * u[at + i];
        }
        return Math.sqrt(sum);
    }
}
