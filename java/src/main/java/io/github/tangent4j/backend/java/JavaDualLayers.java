package io.github.tangent4j.backend.java;

import io.github.tangent4j.backend.internal.DualKernel;
import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.tensor.DType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * {@link io.github.tangent4j.backend.Backend#dualLayers} on host memory: rows in parallel on the
 * {@link ComputePool}; each row of k and theta is copied into a scratch row once, taken through all L
 * layers there (the work is memory-bound otherwise: one layer is a few dozen operations per element), and
 * stored once. A layer runs the Vector API loops of {@link VectorDualLayer} where available (in double for
 * F64 kernels, in float for F32 kernels) and the scalar {@link DualKernel} for the tail and any vector a
 * loop declines (a scale {@code sqrt(q1) sqrt(q2)} that is not a normal number).
 */
final class JavaDualLayers {
    private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Elements per parallel part at least, so that a part amortises its scratch rows. */
    private static final long MIN_PART_ELEMENTS = 1 << 16;

    private JavaDualLayers() {
    }

    /**
     * The update of (rows, cols) matrices k and theta (null: NNGP only) of dtype t by {@code layers} layers;
     * q1 (rows, layers) and q2 (layers, cols) are F64.
     */
    static void run(Activation phi, double sigmaW2, double sigmaB2, MemorySegment q1, MemorySegment q2, int layers,
            DType t, MemorySegment k, MemorySegment theta, long rows, long cols) {
        int n = Math.toIntExact(cols);
        Columns[] columns = new Columns[layers];
        for (int l = 0; l < layers; l++) {
            columns[l] = new Columns(q2.asSlice(8L * l * n, 8L * n).toArray(F64));
        }
        Rows body = new Rows(phi, sigmaW2, sigmaB2, columns, t == DType.F32, k, theta, n);
        int parts = (int) Math.max(1, Math.min(rows, Math.min(ComputePool.THREADS * 8L,
                rows * cols * layers / MIN_PART_ELEMENTS)));
        ComputePool.run(parts, part -> {
            long from = rows * part / parts;
            long to = rows * (part + 1) / parts;
            double[] p = new double[layers];
            for (long i = from; i < to; i++) {
                MemorySegment.copy(q1, F64, 8L * i * layers, p, 0, layers);
                body.row(i, p);
            }
        });
    }

    /** One layer's column variances, their square roots, inverse roots and erf scales, in double and float. */
    private record Columns(double[] q, double[] roots, double[] inverseRoots, double[] erfScales, float[] qf,
            float[] rootsf, float[] erfScalesf) {
        Columns(double[] q) {
            this(q, new double[q.length], new double[q.length], new double[q.length], new float[q.length],
                    new float[q.length], new float[q.length]);
            for (int j = 0; j < q.length; j++) {
                roots[j] = Math.sqrt(q[j]);
                inverseRoots[j] = 1 / roots[j];
                erfScales[j] = DualKernel.erfScale(q[j]);
                qf[j] = (float) q[j];
                rootsf[j] = (float) roots[j];
                erfScalesf[j] = (float) erfScales[j];
            }
        }
    }

    /** One call's arguments and the row update. */
    private static final class Rows {
        private final Activation phi;
        private final boolean erf;
        private final boolean vector;
        private final boolean f32;
        private final double a;
        private final double w;
        private final double sw;
        private final double sb;
        private final double snap;
        private final Columns[] columns;
        private final MemorySegment k;
        private final MemorySegment theta;
        private final int n;
        /** Per-thread scratch rows: k and theta in double (F64) or float (F32). */
        private final ThreadLocal<Object[]> scratch;

        Rows(Activation phi, double sw, double sb, Columns[] columns, boolean f32, MemorySegment k,
                MemorySegment theta, int n) {
            this.phi = phi;
            this.erf = phi.kind() == Activation.Kind.ERF;
            this.a = erf ? 0 : DualKernel.linearPart(phi);
            this.w = (1 - a) * (1 - a);
            this.vector = Vectorization.ENABLED && w != 0;
            this.f32 = f32;
            this.sw = sw;
            this.sb = sb;
            this.snap = DualKernel.snapTolerance(f32 ? DType.F32 : DType.F64);
            this.columns = columns;
            this.k = k;
            this.theta = theta;
            this.n = n;
            this.scratch = ThreadLocal.withInitial(() -> f32 ? new Object[] {new float[n], new float[n]}
                    : new Object[] {new double[n], new double[n]});
        }

        /** Row i through every layer; {@code p[l]} is the row point's variance at layer l. */
        void row(long i, double[] p) {
            Object[] s = scratch.get();
            long at = i * n;
            if (f32) {
                float[] kr = (float[]) s[0];
                float[] tr = theta == null ? null : (float[]) s[1];
                MemorySegment.copy(k, F32, at * 4, kr, 0, n);
                if (tr != null) {
                    MemorySegment.copy(theta, F32, at * 4, tr, 0, n);
                }
                for (int l = 0; l < columns.length; l++) {
                    layerF32(p[l], columns[l], kr, tr);
                }
                MemorySegment.copy(kr, 0, k, F32, at * 4, n);
                if (tr != null) {
                    MemorySegment.copy(tr, 0, theta, F32, at * 4, n);
                }
            } else {
                double[] kr = (double[]) s[0];
                double[] tr = theta == null ? null : (double[]) s[1];
                MemorySegment.copy(k, F64, at * 8, kr, 0, n);
                if (tr != null) {
                    MemorySegment.copy(theta, F64, at * 8, tr, 0, n);
                }
                for (int l = 0; l < columns.length; l++) {
                    layerF64(p[l], columns[l], kr, tr);
                }
                MemorySegment.copy(kr, 0, k, F64, at * 8, n);
                if (tr != null) {
                    MemorySegment.copy(tr, 0, theta, F64, at * 8, n);
                }
            }
        }

        private void layerF64(double p, Columns c, double[] kr, double[] tr) {
            double root = Math.sqrt(p);
            int j = 0;
            while (j < n) {
                if (vector) {
                    j = erf ? VectorDualLayer.layer(true, 0, 0, sw, sb, 0, p, root, 2 * DualKernel.erfScale(p), c.q(),
                            c.roots(), c.erfScales(), kr, tr, j, n)
                            : VectorDualLayer.layer(false, a, w, sw, sb, snap, p, root, 1 / root, c.q(), c.roots(),
                                    c.inverseRoots(), kr, tr, j, n);
                }
                int stop = vector ? Math.min(n, VectorDualLayer.nextVector(j, false)) : n;
                for (; j < stop; j++) {
                    double kj = kr[j];
                    kr[j] = value(p, c.q()[j], kj);
                    if (tr != null) {
                        tr[j] = kr[j] + sw * derivative(p, c.q()[j], kj) * tr[j];
                    }
                }
            }
        }

        private void layerF32(double p, Columns c, float[] kr, float[] tr) {
            float root = (float) Math.sqrt(p);
            int j = 0;
            while (j < n) {
                if (vector) {
                    j = erf ? VectorDualLayer.arcsine((float) sw, (float) sb, (float) p,
                            (float) (2 * DualKernel.erfScale(p)), c.qf(), c.erfScalesf(), kr, tr, j, n)
                            : VectorDualLayer.arcCosine((float) a, (float) w, (float) sw, (float) sb, (float) snap,
                                    root, c.rootsf(), kr, tr, j, n);
                }
                int stop = vector ? Math.min(n, VectorDualLayer.nextVector(j, true)) : n;
                for (; j < stop; j++) {
                    double kj = kr[j];
                    double next = value(p, c.q()[j], kj);
                    if (tr != null) {
                        tr[j] = (float) (next + sw * derivative(p, c.q()[j], kj) * tr[j]);
                    }
                    kr[j] = (float) next;
                }
            }
        }

        /** The new k by the scalar definition. */
        private double value(double p, double q, double kj) {
            return sw * DualKernel.value(phi, p, q, kj, snap) + sb;
        }

        /** Fdot by the scalar definition. */
        private double derivative(double p, double q, double kj) {
            return DualKernel.derivative(phi, p, q, kj, snap);
        }
    }
}
