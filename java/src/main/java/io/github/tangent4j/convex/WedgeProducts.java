package io.github.tangent4j.convex;

import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Tensor;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.SingularValueDecomposition_F64;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Generalised cross products (wedge products) of training samples, the candidate neuron directions of
 * Pilanci, "From Complexity to Clarity", arXiv 2309.16512: for k = d' - 1 lifted samples
 * M = [x~_j1 ... x~_jk] ((k + 1) x k), the vector {@code c_i = (-1)^i det(M without row i)}, i = 0..k, is
 * normal to the hyperplane through them and the origin (the Hodge dual of x~_j1 ^ ... ^ x~_jk):
 * {@code M^T c = 0}, {@code ||c||^2 = det(M^T M)} (the squared volume of the parallelotope), and for k = 2 in
 * three dimensions c is the ordinary cross product. With the bias, x~ = (x, 1) and c = (w, b) describes
 * the affine hyperplane {@code w.x + b = 0} through d samples.
 *
 * <p>Computed by cofactor determinants for d' <= {@value #COFACTOR_LIMIT}, and for larger d' as
 * {@code c = det([n | M]) n} with n the unit null vector of M^T from an SVD (the expansion of
 * {@code det([z | M])} along its first column is z.c). Each output row is divided by the norm of its
 * first d entries (the weight, without the bias); a subset whose normal has no weight part (coincident
 * or dependent samples) gives a zero row.
 */
public final class WedgeProducts {
    /** The largest d' computed by cofactors. */
    static final int COFACTOR_LIMIT = 4;
    /** The most subsets written at once. */
    public static final long MAX_SUBSETS = 1L << 27;

    private WedgeProducts() {
    }

    /**
     * The normalised wedge products of every k-subset of the rows of x (N, d), k = d - 1 (homogeneous) or d
     * (bias), in lexicographic order: (C(N, k), d) or (C(N, k), d + 1), in x's dtype.
     *
     * @throws IllegalArgumentException for a non-finite x, d < 1, or more than {@value #MAX_SUBSETS} subsets
     */
    public static Tensor all(Tensor x, boolean bias) {
        Tensor lifted = Lifted.of(x, bias);
        int n = Math.toIntExact(lifted.dim(0));
        int k = checkDims(x, bias, n);
        long count = binomial(n, k);
        if (count > MAX_SUBSETS) {
            throw new IllegalArgumentException("x: expected at most " + MAX_SUBSETS + " subsets of " + k + " of the "
                    + n + " samples but there are " + (count == Long.MAX_VALUE ? "more than 2^63" : count)
                    + "; sample subsets instead");
        }
        int dims = k + 1;
        Tensor out = Tensor.allocate(lifted.dtype(), count, dims);
        int[] subset = new int[k];
        Arrays.setAll(subset, i -> i);
        double[] xs = lifted.toDoubleArray();
        for (long row = 0; row < count; row++) {
            write(out, row, normalised(wedge(xs, dims, subset), x.dim(1)));
            next(subset, n);
        }
        return out;
    }

    /**
     * The normalised wedge products of {@code samples} distinct k-subsets drawn uniformly with {@code seed},
     * in the order drawn (each subset's indices ascending).
     *
     * @throws IllegalArgumentException if samples is not in [1, min(C(N, k), {@value #MAX_SUBSETS})]
     */
    public static Tensor sampled(Tensor x, boolean bias, long samples, long seed) {
        Tensor lifted = Lifted.of(x, bias);
        int n = Math.toIntExact(lifted.dim(0));
        int k = checkDims(x, bias, n);
        long count = binomial(n, k);
        if (samples < 1 || samples > Math.min(count, MAX_SUBSETS)) {
            throw new IllegalArgumentException("samples: expected 1 to " + Math.min(count, MAX_SUBSETS)
                    + " subsets (there are C(" + n + ", " + k + ") = " + count + ") but was " + samples);
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        LinkedHashSet<IntKey> drawn = new LinkedHashSet<>();
        while (drawn.size() < samples) {
            drawn.add(new IntKey(randomSubset(rnd, n, k)));
        }
        int dims = k + 1;
        Tensor out = Tensor.allocate(lifted.dtype(), samples, dims);
        double[] xs = lifted.toDoubleArray();
        long row = 0;
        for (IntKey s : drawn) {
            write(out, row++, normalised(wedge(xs, dims, s.values()), x.dim(1)));
        }
        return out;
    }

    /**
     * The unnormalised wedge product c (d' entries) of the k = d' - 1 rows {@code subset} of the row-major
     * (N, d') matrix {@code lifted}.
     */
    static double[] wedge(double[] lifted, int dims, int[] subset) {
        double[][] m = new double[dims][subset.length];
        for (int j = 0; j < subset.length; j++) {
            for (int i = 0; i < dims; i++) {
                m[i][j] = lifted[subset[j] * dims + i];
            }
        }
        return dims <= COFACTOR_LIMIT ? byCofactors(m) : bySvd(m);
    }

    /** c from the (k + 1) x k matrix m by cofactor determinants. */
    static double[] byCofactors(double[][] m) {
        int rows = m.length;
        int k = rows - 1;
        double[] c = new double[rows];
        for (int i = 0; i < rows; i++) {
            DMatrixRMaj minor = new DMatrixRMaj(k, k);
            for (int r = 0, mr = 0; r < rows; r++) {
                if (r == i) {
                    continue;
                }
                for (int j = 0; j < k; j++) {
                    minor.set(mr, j, m[r][j]);
                }
                mr++;
            }
            double det = k == 0 ? 1 : CommonOps_DDRM.det(minor);
            c[i] = (i % 2 == 0 ? 1 : -1) * det;
        }
        return c;
    }

    /** c from the (k + 1) x k matrix m as det([n | m]) n, n the unit null vector of m^T. */
    static double[] bySvd(double[][] m) {
        int rows = m.length;
        int k = rows - 1;
        DMatrixRMaj mt = new DMatrixRMaj(k, rows);
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < k; j++) {
                mt.set(j, i, m[i][j]);
            }
        }
        SingularValueDecomposition_F64<DMatrixRMaj> svd = DecompositionFactory_DDRM.svd(k, rows, false, true, false);
        if (!svd.decompose(mt)) {
            throw new ArithmeticException("SVD of a " + k + " x " + rows + " matrix did not converge");
        }
        DMatrixRMaj v = svd.getV(null, false);
        double[] s = svd.getSingularValues();
        // the right singular vector outside the span of the k largest singular values
        boolean[] taken = new boolean[rows];
        int[] order = new int[Math.min(s.length, rows)];
        for (int t = 0; t < order.length; t++) {
            order[t] = t;
        }
        Integer[] sorted = Arrays.stream(order).boxed().sorted((a, b) -> Double.compare(s[b], s[a])).toArray(Integer[]::new);
        for (int t = 0; t < Math.min(k, sorted.length); t++) {
            taken[sorted[t]] = true;
        }
        int nullColumn = 0;
        while (nullColumn < rows && taken[nullColumn]) {
            nullColumn++;
        }
        double[] n = new double[rows];
        for (int i = 0; i < rows; i++) {
            n[i] = v.get(i, nullColumn);
        }
        DMatrixRMaj full = new DMatrixRMaj(rows, rows);
        for (int i = 0; i < rows; i++) {
            full.set(i, 0, n[i]);
            for (int j = 0; j < k; j++) {
                full.set(i, j + 1, m[i][j]);
            }
        }
        double det = CommonOps_DDRM.det(full);
        for (int i = 0; i < rows; i++) {
            n[i] *= det;
        }
        return n;
    }

    /** The number of k-subsets of n, saturating at Long.MAX_VALUE. */
    public static long binomial(int n, int k) {
        if (k < 0 || k > n) {
            return 0;
        }
        long c = 1;
        for (int i = 1; i <= Math.min(k, n - k); i++) {
            long num = n - Math.min(k, n - k) + i;
            if (c > Long.MAX_VALUE / num) {
                return Long.MAX_VALUE;
            }
            c = c * num / i;
        }
        return c;
    }

    private static int checkDims(Tensor x, boolean bias, int n) {
        Objects.requireNonNull(x, "x");
        int d = Math.toIntExact(x.dim(1));
        if (d < 1) {
            throw new IllegalArgumentException("x: expected at least one column but was (" + n + ", " + d + ")");
        }
        int k = bias ? d : d - 1;
        if (k > n) {
            throw new IllegalArgumentException("x: expected at least " + k + " samples for subsets of " + k
                    + " but had " + n);
        }
        return k;
    }

    private static double[] normalised(double[] c, long d) {
        double norm = 0;
        for (int i = 0; i < d; i++) {
            norm += c[i] * c[i];
        }
        norm = Math.sqrt(norm);
        double[] out = new double[c.length];
        if (norm > 0) {
            for (int i = 0; i < c.length; i++) {
                out[i] = c[i] / norm;
            }
        }
        return out;
    }

    private static void write(Tensor out, long row, double[] c) {
        for (int i = 0; i < c.length; i++) {
            out.setFlat(row * c.length + i, out.dtype() == DType.F32 ? (float) c[i] : c[i]);
        }
    }

    /** Advances a k-subset of [0, n) to the next one in lexicographic order (no-op after the last). */
    private static void next(int[] s, int n) {
        int k = s.length;
        int i = k - 1;
        while (i >= 0 && s[i] == n - k + i) {
            i--;
        }
        if (i < 0) {
            return;
        }
        s[i]++;
        for (int j = i + 1; j < k; j++) {
            s[j] = s[j - 1] + 1;
        }
    }

    /** A uniform random k-subset of [0, n), ascending (Floyd's algorithm). */
    private static int[] randomSubset(SplittableRandom rnd, int n, int k) {
        java.util.TreeSet<Integer> set = new java.util.TreeSet<>();
        for (int j = n - k; j < n; j++) {
            int t = rnd.nextInt(j + 1);
            set.add(set.contains(t) ? j : t);
        }
        return set.stream().mapToInt(Integer::intValue).toArray();
    }

    private record IntKey(int[] values) {
        @Override
        public boolean equals(Object o) {
            return o instanceof IntKey k && Arrays.equals(values, k.values);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(values);
        }
    }
}
