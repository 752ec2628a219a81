package io.github.tangent4j.convex;

import io.github.tangent4j.linalg.SymmetricEigen;
import io.github.tangent4j.patterns.PackedPatterns;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Tensor;

import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Every arrangement pattern {@code 1[X~ u >= 0]} of N points X~ in R^{d'}, d' <= 3, enumerated exactly
 * rather than sampled. The points are first expressed in a basis of their span (rank r, from the
 * eigenvectors of X~^T X~), since directions orthogonal to the span change no sign.
 * <ul>
 *   <li>r = 1: the two half-lines.</li>
 *   <li>r = 2: the arcs of the circle between consecutive sorted critical angles (where u is orthogonal to
 *   a point), one pattern per arc.</li>
 *   <li>r = 3: every region of the arrangement of great circles has a vertex, and each vertex is
 *   {@code +-(y_a x y_b)} for two points (the wedge product of the pair). Around a vertex v the points
 *   off its hyperplanes keep the sign of {@code y.v}; the points on them (projected to the plane
 *   orthogonal to v) are swept by angle as for r = 2.</li>
 * </ul>
 * The cost is O(N^3) for r = 3. Points are "on" a hyperplane when {@code |y.v| <= 1e-10 ||y||}.
 */
final class ExactPatterns {
    private static final double ON_PLANE = 1e-10;
    private static final ValueLayout.OfLong WORD = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private ExactPatterns() {
    }

    /** The patterns (with repeats removed, possibly the all-zero one) of X~ (N, d'), d' <= 3. */
    static PackedPatterns enumerate(Tensor lifted) {
        Lifted.checkInputs(lifted);
        int d = Math.toIntExact(lifted.dim(1));
        if (d > 3) {
            throw new IllegalArgumentException("x: exact enumeration of all patterns needs inputs of dimension d' <= 3"
                    + " (d + 1 <= 3 with the bias, d <= 3 without) but d' was " + d + "; sample patterns instead");
        }
        int n = Math.toIntExact(lifted.dim(0));
        double[][] y = spanCoordinates(lifted.toDoubleArray(), n, d);
        int r = y.length == 0 ? 0 : y[0].length;
        Set<Key> out = new LinkedHashSet<>();
        int words = PackedPatterns.wordsFor(n);
        if (r == 0 || n == 0) {
            long[] all = new long[words];
            for (int i = 0; i < n; i++) {
                all[i >>> 6] |= 1L << i;
            }
            out.add(new Key(all));
        } else if (r == 1) {
            for (int s = -1; s <= 1; s += 2) {
                long[] bits = new long[words];
                for (int i = 0; i < n; i++) {
                    if (s * y[i][0] >= -ON_PLANE * Math.abs(y[i][0])) {
                        bits[i >>> 6] |= 1L << i;
                    }
                }
                out.add(new Key(bits));
            }
        } else if (r == 2) {
            int[] everyPoint = new int[n];
            Arrays.setAll(everyPoint, i -> i);
            double[][] planar = new double[n][];
            Arrays.setAll(planar, i -> y[i]);
            for (double[] u : arcDirections(planar)) {
                long[] bits = new long[words];
                for (int i = 0; i < n; i++) {
                    if (y[i][0] * u[0] + y[i][1] * u[1] >= 0) {
                        bits[i >>> 6] |= 1L << i;
                    }
                }
                out.add(new Key(bits));
            }
        } else {
            aroundVertices(y, words, out);
        }
        Tensor t = Tensor.allocate(DType.I64, out.size(), words);
        long row = 0;
        for (Key k : out) {
            for (int w = 0; w < words; w++) {
                t.segment().setAtIndex(WORD, row * words + w, k.bits[w]);
            }
            row++;
        }
        return PackedPatterns.wrap(t, n);
    }

    private static void aroundVertices(double[][] y, int words, Set<Key> out) {
        int n = y.length;
        double[] norms = new double[n];
        for (int i = 0; i < n; i++) {
            norms[i] = Math.sqrt(dot(y[i], y[i]));
        }
        for (int a = 0; a < n; a++) {
            for (int b = a + 1; b < n; b++) {
                double[] c = cross(y[a], y[b]);
                double cn = Math.sqrt(dot(c, c));
                if (cn <= ON_PLANE * norms[a] * norms[b] || cn == 0) {
                    continue;
                }
                for (int s = -1; s <= 1; s += 2) {
                    double[] v = {s * c[0] / cn, s * c[1] / cn, s * c[2] / cn};
                    double[] e1 = unit(orthogonalTo(v));
                    double[] e2 = cross(v, e1);
                    long[] base = new long[words];
                    List<Integer> on = new ArrayList<>();
                    for (int i = 0; i < n; i++) {
                        double t = dot(y[i], v);
                        if (Math.abs(t) <= ON_PLANE * norms[i]) {
                            on.add(i);
                        } else if (t > 0) {
                            base[i >>> 6] |= 1L << i;
                        }
                    }
                    double[][] planar = new double[on.size()][];
                    for (int k = 0; k < planar.length; k++) {
                        double[] p = y[on.get(k)];
                        planar[k] = new double[] {dot(p, e1), dot(p, e2)};
                    }
                    for (double[] u : arcDirections(planar)) {
                        long[] bits = base.clone();
                        for (int k = 0; k < planar.length; k++) {
                            if (planar[k][0] * u[0] + planar[k][1] * u[1] >= 0) {
                                int i = on.get(k);
                                bits[i >>> 6] |= 1L << i;
                            }
                        }
                        out.add(new Key(bits));
                    }
                }
            }
        }
    }

    /**
     * One unit direction inside each open arc of the circle cut by the lines orthogonal to the nonzero
     * points (the midpoints between consecutive sorted critical angles); one direction when there is no
     * nonzero point.
     */
    static List<double[]> arcDirections(double[][] points) {
        double[] angles = new double[2 * points.length];
        int m = 0;
        for (double[] p : points) {
            if (p[0] == 0 && p[1] == 0) {
                continue;
            }
            double phi = Math.atan2(p[1], p[0]);
            angles[m++] = wrap(phi + Math.PI / 2);
            angles[m++] = wrap(phi - Math.PI / 2);
        }
        double[] sorted = Arrays.copyOf(angles, m);
        Arrays.sort(sorted);
        double[] unique = new double[m];
        int u = 0;
        for (double a : sorted) {
            if (u == 0 || a - unique[u - 1] > 1e-12) {
                unique[u++] = a;
            }
        }
        if (u > 1 && unique[0] + 2 * Math.PI - unique[u - 1] <= 1e-12) {
            u--;   // the first and last angle are the same point of the circle
        }
        List<double[]> dirs = new ArrayList<>();
        if (u == 0) {
            dirs.add(new double[] {1, 0});
            return dirs;
        }
        for (int k = 0; k < u; k++) {
            double next = k + 1 < u ? unique[k + 1] : unique[0] + 2 * Math.PI;
            double mid = 0.5 * (unique[k] + next);
            dirs.add(new double[] {Math.cos(mid), Math.sin(mid)});
        }
        return dirs;
    }

    /** The coordinates (N, r) of the rows of X~ (N, d) in an orthonormal basis of their span. */
    private static double[][] spanCoordinates(double[] x, int n, int d) {
        double[] gram = new double[d * d];
        for (int i = 0; i < n; i++) {
            for (int a = 0; a < d; a++) {
                for (int b = 0; b < d; b++) {
                    gram[a * d + b] += x[i * d + a] * x[i * d + b];
                }
            }
        }
        SymmetricEigen eig = SymmetricEigen.of(gram, d);
        double[] values = eig.values();
        double[] vectors = eig.vectors();
        double top = d == 0 ? 0 : values[d - 1];
        List<Integer> basis = new ArrayList<>();
        for (int c = d - 1; c >= 0; c--) {
            if (top > 0 && values[c] > 1e-12 * top) {
                basis.add(c);
            }
        }
        double[][] y = new double[n][basis.size()];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < basis.size(); k++) {
                double s = 0;
                for (int a = 0; a < d; a++) {
                    s += x[i * d + a] * vectors[a * d + basis.get(k)];
                }
                y[i][k] = s;
            }
        }
        return y;
    }

    private static double wrap(double a) {
        double w = a % (2 * Math.PI);
        return w < 0 ? w + 2 * Math.PI : w;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    static double[] cross(double[] a, double[] b) {
        return new double[] {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
    }

    private static double[] orthogonalTo(double[] v) {
        double[] e = Math.abs(v[0]) < 0.9 ? new double[] {1, 0, 0} : new double[] {0, 1, 0};
        return cross(v, e);
    }

    private static double[] unit(double[] v) {
        double n = Math.sqrt(dot(v, v));
        return new double[] {v[0] / n, v[1] / n, v[2] / n};
    }

    /** A pattern's words with value equality. */
    private record Key(long[] bits) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Arrays.equals(bits, k.bits);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bits);
        }
    }
}
