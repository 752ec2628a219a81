package io.github.tangent4j.kernels;

import io.github.tangent4j.backend.internal.JacobianPair;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.Arrays;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link JetBlocks#write} on the Vector API, one column point's block at a time: its e2, then the
 * coefficients (head, u1, u2) of all its rows at once (vectors over the row index), then each row's D
 * columns {@code u1 e1 + u2 e2} in double vectors, rounded to F32 by a conversion into a float vector of as
 * many lanes and stored straight into the output. Every element is the scalar loop's operations in the same
 * order (multiplications and additions, not fused), so both give the same bits; the columns past the last
 * whole vector and the diagonal element are done one at a time. Only loaded when {@link JetBlocks#VECTOR}.
 */
final class VectorJetBlocks {
    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Float> FS = VectorSpecies.of(float.class,
            VectorShape.forBitSize(S.vectorBitSize() / 2));
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    /** Double lanes per vector (as many float lanes in the F32 store). */
    static final int LANES = S.length();

    private VectorJetBlocks() {
    }

    /**
     * {@link JetBlocks#write}'s rows at byte {@code at} of {@code s}; the sum of {@code x - x} over what it
     * wrote (0 when all is finite).
     */
    static double write(MemorySegment s, long at, boolean f32, int rows, double[] e1, double[] ys, double[] pairs,
            double[] jets, int n2) {
        int d = e1.length;
        int es = f32 ? 4 : 8;
        long rowBytes = (long) es * n2 * (d + 1);
        int bound = S.loopBound(d);
        double[] e2 = new double[d];
        double[] head = new double[d];
        double[] u1 = new double[d];
        double[] u2 = new double[d];
        double bad = 0;
        DoubleVector acc = DoubleVector.zero(S);
        FloatVector facc = FloatVector.zero(FS);
        for (int j = 0; j < n2; j++) {
            int t = JacobianPair.COEFFICIENTS * j;
            secondBasis(e1, ys, j, pairs[3 * j + 1], pairs[3 * j + 2], e2, bound);
            if (rows > 1) {
                rowCoefficients(jets, t, e1, e2, head, u1, u2, bound);
            }
            long o = at + (long) es * j * (d + 1);
            for (int a = 0; a < rows; a++, o += rowBytes) {
                double h = a == 0 ? jets[t + JetBlocks.V] : head[a - 1];
                double c1 = a == 0 ? jets[t + JetBlocks.H1] : u1[a - 1];
                double c2 = a == 0 ? jets[t + JetBlocks.H2] : u2[a - 1];
                bad += JetBlocks.put(s, o, f32, h);
                int c = 0;
                for (; c < bound; c += LANES) {
                    DoubleVector v = DoubleVector.fromArray(S, e1, c).mul(c1).add(DoubleVector.fromArray(S, e2, c).mul(c2));
                    long oc = o + (long) es * (1 + c);
                    if (f32) {
                        FloatVector f = (FloatVector) v.convertShape(VectorOperators.D2F, FS, 0);
                        f.intoMemorySegment(s, oc, LE);
                        facc = facc.add(f.sub(f));
                    } else {
                        v.intoMemorySegment(s, oc, LE);
                        acc = acc.add(v.sub(v));
                    }
                }
                for (; c < d; c++) {
                    bad += JetBlocks.put(s, o + (long) es * (1 + c), f32, c1 * e1[c] + c2 * e2[c]);
                }
                if (a > 0) {
                    c = a - 1;
                    bad += JetBlocks.put(s, o + (long) es * a, f32, c1 * e1[c] + c2 * e2[c] + JetBlocks.diagonal(jets, j));
                }
            }
        }
        return bad + acc.reduceLanes(VectorOperators.ADD) + facc.reduceLanes(VectorOperators.ADD);
    }

    /** Column point j's e2 ({@link JetBlocks#secondBasis}) into {@code e2[0, d)}. */
    private static void secondBasis(double[] e1, double[] ys, int j, double alpha, double beta, double[] e2, int bound) {
        int d = e1.length;
        if (!(beta > 0)) {
            Arrays.fill(e2, 0);
            return;
        }
        double inverse = 1 / beta;
        int c = 0;
        for (; c < bound; c += LANES) {
            DoubleVector.fromArray(S, ys, j * d + c).sub(DoubleVector.fromArray(S, e1, c).mul(alpha)).mul(inverse)
                    .intoArray(e2, c);
        }
        for (; c < d; c++) {
            e2[c] = (ys[j * d + c] - alpha * e1[c]) * inverse;
        }
    }

    /**
     * Rows a = 1 ... d's coefficients ({@link JetBlocks#coefficients}) of the pair whose jets start at t, at
     * index a - 1 of head, u1 and u2.
     */
    private static void rowCoefficients(double[] jets, int t, double[] e1, double[] e2, double[] head, double[] u1,
            double[] u2, int bound) {
        int d = e1.length;
        double g1 = jets[t + JetBlocks.G1];
        double g2 = jets[t + JetBlocks.G2];
        double m11 = jets[t + JetBlocks.M11];
        double m12 = jets[t + JetBlocks.M12];
        double m21 = jets[t + JetBlocks.M21];
        double m22 = jets[t + JetBlocks.M22];
        int c = 0;
        for (; c < bound; c += LANES) {
            DoubleVector x1 = DoubleVector.fromArray(S, e1, c);
            DoubleVector x2 = DoubleVector.fromArray(S, e2, c);
            x1.mul(g1).add(x2.mul(g2)).intoArray(head, c);
            x1.mul(m11).add(x2.mul(m21)).intoArray(u1, c);
            x1.mul(m12).add(x2.mul(m22)).intoArray(u2, c);
        }
        for (; c < d; c++) {
            head[c] = g1 * e1[c] + g2 * e2[c];
            u1[c] = m11 * e1[c] + m21 * e2[c];
            u2[c] = m12 * e1[c] + m22 * e2[c];
        }
    }
}
