package io.github.tangent4j.kernels;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The row loops of {@link ArcCosine#evaluate} and {@link Arcsine#evaluate} on the Vector API (the JDK's
 * vectorised arccos/arcsin, within 1 ulp of {@link Math}'s). Each method handles a prefix of whole
 * vectors and returns its length; the caller finishes the tail (and any vector it declines) with the
 * scalar code, which computes the same formulas. Only loaded when {@link HostVectors#ENABLED}.
 */
final class VectorDuals {
    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    /** Lanes per vector. */
    static final int LANES = S.length();

    private VectorDuals() {
    }

    /**
     * {@link ArcCosine} over {@code [0, returned)}: vectors in which some {@code q1 q2} is not a normal
     * finite number are left to the caller (returns at the first such vector).
     */
    static int arcCosine(double a, double w, double snap, double q1, double[] q2, double[] k, double[] f,
            double[] dot, int n) {
        int bound = S.loopBound(n);
        double inv2pi = 1 / (2 * Math.PI);
        for (int j = 0; j < bound; j += LANES) {
            DoubleVector kv = DoubleVector.fromArray(S, k, j);
            DoubleVector p = DoubleVector.fromArray(S, q2, j).mul(q1);
            VectorMask<Double> normal = p.compare(VectorOperators.GE, Double.MIN_NORMAL)
                    .and(p.compare(VectorOperators.LT, Double.POSITIVE_INFINITY));
            if (!normal.allTrue()) {
                return j;
            }
            DoubleVector s = p.sqrt();
            DoubleVector c = kv.div(s);
            c = c.blend(1.0, c.compare(VectorOperators.GE, 1 - snap)).blend(-1.0, c.compare(VectorOperators.LE, -1 + snap));
            DoubleVector theta = c.lanewise(VectorOperators.ACOS)
                    .blend(0.0, c.compare(VectorOperators.EQ, 1.0))
                    .blend(Math.PI, c.compare(VectorOperators.EQ, -1.0));
            DoubleVector rest = theta.neg().add(Math.PI); // pi - theta
            if (dot != null) {
                rest.mul(w).mul(inv2pi).add(a).intoArray(dot, j);
            }
            DoubleVector sine = c.neg().add(1).mul(c.add(1)).sqrt();
            kv.mul(a).add(s.mul(w).mul(sine.add(rest.mul(c))).mul(inv2pi)).intoArray(f, j);
        }
        return bound;
    }

    /** {@link Arcsine} over {@code [0, returned)}. */
    static int arcsine(double q1, double[] q2, double[] k, double[] f, double[] dot, int n) {
        int bound = S.loopBound(n);
        double twoOverPi = 2 / Math.PI;
        double fourOverPi = 4 / Math.PI;
        double a1 = 1 + 2 * q1;
        for (int j = 0; j < bound; j += LANES) {
            DoubleVector kv = DoubleVector.fromArray(S, k, j);
            DoubleVector qv = DoubleVector.fromArray(S, q2, j);
            if (dot != null) {
                DoubleVector det = DoubleVector.broadcast(S, 1).add(qv.add(q1).mul(2))
                        .add(qv.mul(q1).sub(kv.mul(kv)).max(0.0).mul(4));
                DoubleVector.broadcast(S, fourOverPi).div(det.sqrt()).intoArray(dot, j);
            }
            DoubleVector z = kv.mul(2).div(qv.mul(2).add(1).mul(a1).sqrt()).max(-1.0).min(1.0);
            z.lanewise(VectorOperators.ASIN).mul(twoOverPi).intoArray(f, j);
        }
        return bound;
    }
}
