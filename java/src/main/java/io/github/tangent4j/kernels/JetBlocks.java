package io.github.tangent4j.kernels;

import io.github.tangent4j.backend.internal.JacobianPair;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Expands one point's jets ({@link JacobianPair}'s 10 coefficients per pair) into its (1+D) x (1+D) output
 * blocks against every column point, written straight into the output rows: for a pair in the basis
 * (e1, e2) of span(x, x'), with {@code E = [e1 e2]} (D x 2), the block is
 * {@code [[V, (E H)^T], [E G, H0 I + E M E^T]]}. Row a >= 1 of it is {@code [G . E_a, u1 e1 + u2 e2 + H0 e_a]}
 * with {@code (u1, u2) = M^T E_a} and {@code E_a} the a-th row of E.
 *
 * <p>Each element is computed in double, rounded once to the output's dtype and written once. The D columns
 * of a block run on the Vector API where the module is present ({@link #VECTOR}), with the same operations in
 * the same order as the scalar loop, so both give the same bits; the scalar loop is the fallback and the
 * tests' reference. Overflow (an element that is not finite, e.g. beyond F32's range) is reported to the
 * caller, which finds and names it: the writer folds {@code x - x} of every element into one sum.
 */
final class JetBlocks {
    /** Whether the Vector API loop is used (the module is in the boot layer and its classes link). */
    static final boolean VECTOR = detect();

    private static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64_LE = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** The coefficients of a jet ({@link JacobianPair}'s order). */
    static final int V = 0;
    static final int G1 = 1;
    static final int G2 = 2;
    static final int H1 = 3;
    static final int H2 = 4;
    static final int H0 = 5;
    static final int M11 = 6;
    static final int M12 = 7;
    static final int M21 = 8;
    static final int M22 = 9;

    private JetBlocks() {
    }

    private static boolean detect() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return false;
        }
        try {
            return VectorJetBlocks.LANES > 0;
        } catch (LinkageError e) {
            return false;
        }
    }

    /**
     * The basis vectors e2 of row point x's pairs: {@code e2[d j ... d j + d - 1]} for column point j of
     * {@code ys} (N2, d, flat), from the pair's coordinates {@code x' = alpha e1 + beta e2} in
     * {@code pairs[3 j + 1]}, {@code pairs[3 j + 2]} (as {@link JacobianKernel.Basis#coordinates} gives them):
     * {@code (x' - alpha e1) (1 / beta)}, or 0 where beta = 0.
     */
    static double[] secondBasis(double[] e1, double[] ys, double[] pairs, int n2) {
        int d = e1.length;
        double[] e2 = new double[n2 * d];
        for (int j = 0; j < n2; j++) {
            double alpha = pairs[3 * j + 1];
            double beta = pairs[3 * j + 2];
            double inverse = 1 / beta;
            for (int c = 0; c < d && beta > 0; c++) {
                e2[j * d + c] = (ys[j * d + c] - alpha * e1[c]) * inverse;
            }
        }
        return e2;
    }

    /**
     * Writes output rows {@code [i rows, i rows + rows)} of {@code out} ((.., n2 (1+d)), F32 or F64): the first
     * {@code rows} (1 or 1+d) rows of point i's blocks against the n2 column points of {@code ys} (n2, d, flat),
     * from their jets {@code jets[10 j ...]}, the basis vector e1 (d) of point i and the pairs' coordinates
     * {@code pairs[3 j + 1, 3 j + 2] = (alpha, beta)} ({@link #secondBasis}).
     *
     * @param vector whether to run the Vector API loop (only when {@link #VECTOR})
     * @return whether every element written is finite
     */
    static boolean write(Tensor out, int i, int rows, double[] e1, double[] ys, double[] pairs, double[] jets, int n2,
            boolean vector) {
        int d = e1.length;
        boolean f32 = out.dtype() == DType.F32;
        long at = (long) i * rows * n2 * (d + 1) * out.dtype().byteSize();
        if (vector) {
            return VectorJetBlocks.write(out.segment(), at, f32, rows, e1, ys, pairs, jets, n2) == 0;
        }
        double[] e2 = secondBasis(e1, ys, pairs, n2);
        double bad = 0;
        for (int a = 0; a < rows; a++) {
            bad += row(out.segment(), at + (long) a * n2 * (d + 1) * out.dtype().byteSize(), f32, a, e1, e2, jets, n2);
        }
        return bad == 0;
    }

    /** Row a of the blocks at byte {@code at} of {@code s}, one element at a time; the sum of {@code x - x}. */
    private static double row(MemorySegment s, long at, boolean f32, int a, double[] e1, double[] e2, double[] jets,
            int n2) {
        int d = e1.length;
        int b = d + 1;
        int es = f32 ? 4 : 8;
        double bad = 0;
        double[] hu = new double[3];
        for (int j = 0; j < n2; j++) {
            int e2At = j * d;
            long o = at + (long) es * j * b;
            coefficients(a, j, e1, e2, jets, hu);
            bad += put(s, o, f32, hu[0]);
            for (int c = 0; c < d; c++) {
                double v = hu[1] * e1[c] + hu[2] * e2[e2At + c];
                bad += put(s, o + (long) es * (1 + c), f32, c == a - 1 ? v + diagonal(jets, j) : v);
            }
        }
        return bad;
    }

    /** Writes v rounded to the dtype at byte {@code at}; {@code x - x} of the written x (NaN unless finite). */
    static double put(MemorySegment s, long at, boolean f32, double v) {
        if (f32) {
            float f = (float) v;
            s.set(F32_LE, at, f);
            return f - f;
        }
        s.set(F64_LE, at, v);
        return v - v;
    }

    /**
     * Row a's coefficients for column point j: {@code {head, u1, u2}} written to {@code hu} (the head element,
     * and the coefficients of e1 and e2 in the D columns).
     */
    static void coefficients(int a, int j, double[] e1, double[] e2, double[] jets, double[] hu) {
        int t = JacobianPair.COEFFICIENTS * j;
        if (a == 0) {
            hu[0] = jets[t + V];
            hu[1] = jets[t + H1];
            hu[2] = jets[t + H2];
            return;
        }
        int d = e1.length;
        double x1 = e1[a - 1];
        double x2 = e2[j * d + a - 1];
        hu[0] = jets[t + G1] * x1 + jets[t + G2] * x2;
        hu[1] = jets[t + M11] * x1 + jets[t + M21] * x2;
        hu[2] = jets[t + M12] * x1 + jets[t + M22] * x2;
    }

    /** The diagonal coefficient H0 of column point j's jets. */
    static double diagonal(double[] jets, int j) {
        return jets[JacobianPair.COEFFICIENTS * j + H0];
    }
}
