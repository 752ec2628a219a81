package io.github.tangent4j.convex;

/** Small host-side vector helpers for the solvers' K d' and N vectors. */
final class Vectors {
    private Vectors() {
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    static void scale(double[] a, double s) {
        for (int i = 0; i < a.length; i++) {
            a[i] *= s;
        }
    }

    /** The Euclidean norm of group k (entries [k dims, (k + 1) dims)). */
    static double groupNorm(double[] y, int k, int dims) {
        double s = 0;
        for (int j = k * dims; j < (k + 1) * dims; j++) {
            s += y[j] * y[j];
        }
        return Math.sqrt(s);
    }

    /** {@code a - b}. */
    static double[] minus(double[] a, double[] b) {
        double[] c = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            c[i] = a[i] - b[i];
        }
        return c;
    }
}
