package io.github.tangent4j.kernels;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link JetBlocks}'s loops over the D columns of a block on the Vector API, in double vectors with the scalar
 * loop's operations in the same order (multiplications and additions, not fused), so that both give the same
 * bits; F32 output is rounded by a conversion into a float vector of as many lanes and stored into the
 * writer's stage. Each method does the whole vectors and returns the first column it left to the scalar loop.
 * Only loaded when {@link JetBlocks#VECTOR}.
 */
final class VectorJetBlocks {
    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Float> FS = VectorSpecies.of(float.class,
            VectorShape.forBitSize(S.vectorBitSize() / 2));
    /** Double lanes per vector (as many float lanes in the F32 store). */
    static final int LANES = S.length();

    private VectorJetBlocks() {
    }

    /** {@code e2[c] = (ys[yAt + c] - alpha e1[e1At + c]) * inverse}. */
    static int secondBasis(double[] e1, int e1At, double[] ys, int yAt, double alpha, double inverse, double[] e2) {
        int bound = S.loopBound(e2.length);
        int c = 0;
        for (; c < bound; c += LANES) {
            DoubleVector.fromArray(S, ys, yAt + c).sub(DoubleVector.fromArray(S, e1, e1At + c).mul(alpha)).mul(inverse)
                    .intoArray(e2, c);
        }
        return c;
    }

    /**
     * The rows' coefficients with {@code (x1, x2) = (e1[e1At + c], e2[c])}: {@code head[c] = g1 x1 + g2 x2},
     * {@code u1[c] = m11 x1 + m21 x2}, {@code u2[c] = m12 x1 + m22 x2}.
     */
    static int rowCoefficients(double[] e1, int e1At, double[] e2, double g1, double g2, double m11, double m12,
            double m21, double m22, double[] head, double[] u1, double[] u2) {
        int bound = S.loopBound(e2.length);
        int c = 0;
        for (; c < bound; c += LANES) {
            DoubleVector x1 = DoubleVector.fromArray(S, e1, e1At + c);
            DoubleVector x2 = DoubleVector.fromArray(S, e2, c);
            x1.mul(g1).add(x2.mul(g2)).intoArray(head, c);
            x1.mul(m11).add(x2.mul(m21)).intoArray(u1, c);
            x1.mul(m12).add(x2.mul(m22)).intoArray(u2, c);
        }
        return c;
    }

    /**
     * Writes the whole vectors of the D columns of a block's first {@code rows} rows into a stage (F32 output:
     * {@code f}, else {@code g}), row a from index {@code at + a stride}: {@code c1 e1[e1At + c] + c2 e2[c]}
     * rounded to the output's dtype, with {@code (c1, c2) = (h1, h2)} in row 0 and {@code (u1[a - 1], u2[a - 1])}
     * in row a >= 1. Vector by vector of columns, so that a vector's e1 and e2 stay in registers over the rows.
     */
    static int columns(float[] f, double[] g, int at, int stride, int rows, double[] e1, int e1At, double[] e2,
            double h1, double h2, double[] u1, double[] u2) {
        int bound = S.loopBound(e2.length);
        int c = 0;
        for (; c < bound; c += LANES) {
            DoubleVector x1 = DoubleVector.fromArray(S, e1, e1At + c);
            DoubleVector x2 = DoubleVector.fromArray(S, e2, c);
            store(f, g, at + c, x1.mul(h1).add(x2.mul(h2)));
            for (int a = 1; a < rows; a++) {
                store(f, g, at + a * stride + c, x1.mul(u1[a - 1]).add(x2.mul(u2[a - 1])));
            }
        }
        return c;
    }

    private static void store(float[] f, double[] g, int at, DoubleVector v) {
        if (f != null) {
            ((FloatVector) v.convertShape(VectorOperators.D2F, FS, 0)).intoArray(f, at);
        } else {
            v.intoArray(g, at);
        }
    }
}
