package io.github.tangent4j.backend.java;

import io.github.tangent4j.backend.Activation;
import io.github.tangent4j.backend.DualKernel;
import io.github.tangent4j.tensor.DType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * {@link io.github.tangent4j.backend.Backend#dualLayer} on host memory: rows in parallel on the
 * {@link ComputePool}, each row updated by the Vector API loops of {@link VectorDualLayer} where available
 * (in double for F64 kernels, in float for F32 kernels) and by the scalar {@link DualKernel} for the tail
 * and any vector a loop declines (a scale {@code sqrt(q1) sqrt(q2)} that is not a normal number).
 */
final class JavaDualLayer {
    private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Elements per parallel part at least, so that a part amortises its scratch rows. */
    private static final long MIN_PART_ELEMENTS = 1 << 16;

    private JavaDualLayer() {
    }

    /** The update of (rows, cols) matrices k and theta (null: NNGP only) of dtype t; q1, q2 are F64. */
    static void run(Activation phi, double sigmaW2, double sigmaB2, MemorySegment q1, MemorySegment q2, DType t,
            MemorySegment k, MemorySegment theta, long rows, long cols) {
        Layer layer = new Layer(phi, sigmaW2, sigmaB2, q2.toArray(F64), t == DType.F32, k, theta, Math.toIntExact(cols));
        int parts = (int) Math.max(1, Math.min(rows, Math.min(ComputePool.THREADS * 8L,
                rows * cols / MIN_PART_ELEMENTS)));
        ComputePool.run(parts, part -> {
            long from = rows * part / parts;
            long to = rows * (part + 1) / parts;
            for (long i = from; i < to; i++) {
                layer.row(i, q1.getAtIndex(F64, i));
            }
        });
    }

    /** One call's arguments, with the columns' variances and their square roots in both precisions. */
    private static final class Layer {
        private final Activation phi;
        private final boolean erf;
        private final boolean vector;
        private final boolean f32;
        private final double a;
        private final double w;
        private final double sw;
        private final double sb;
        private final double snap;
        private final double[] q2;
        private final double[] roots2;
        private final double[] erfScales2;
        private final float[] q2f;
        private final float[] roots2f;
        private final float[] erfScales2f;
        private final MemorySegment k;
        private final MemorySegment theta;
        private final int n;
        /** Per-thread scratch rows: k and theta in double (F64) or float (F32). */
        private final ThreadLocal<Object[]> scratch;

        Layer(Activation phi, double sw, double sb, double[] q2, boolean f32, MemorySegment k, MemorySegment theta,
                int n) {
            this.phi = phi;
            this.erf = phi.kind() == Activation.Kind.ERF;
            this.a = erf ? 0 : DualKernel.linearPart(phi);
            this.w = (1 - a) * (1 - a);
            this.vector = Vectorization.ENABLED && w != 0;
            this.f32 = f32;
            this.sw = sw;
            this.sb = sb;
            this.snap = DualKernel.snapTolerance(f32 ? DType.F32 : DType.F64);
            this.q2 = q2;
            this.roots2 = new double[n];
            this.erfScales2 = new double[n];
            this.q2f = new float[n];
            this.roots2f = new float[n];
            this.erfScales2f = new float[n];
            for (int j = 0; j < n; j++) {
                roots2[j] = Math.sqrt(q2[j]);
                erfScales2[j] = DualKernel.erfScale(q2[j]);
                q2f[j] = (float) q2[j];
                roots2f[j] = (float) roots2[j];
                erfScales2f[j] = (float) erfScales2[j];
            }
            this.k = k;
            this.theta = theta;
            this.n = n;
            this.scratch = ThreadLocal.withInitial(() -> f32 ? new Object[] {new float[n], new float[n]}
                    : new Object[] {new double[n], new double[n]});
        }

        void row(long i, double p) {
            Object[] s = scratch.get();
            long at = i * n;
            if (f32) {
                float[] kr = (float[]) s[0];
                float[] tr = theta == null ? null : (float[]) s[1];
                MemorySegment.copy(k, F32, at * 4, kr, 0, n);
                if (tr != null) {
                    MemorySegment.copy(theta, F32, at * 4, tr, 0, n);
                }
                rowF32(p, kr, tr);
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
                rowF64(p, kr, tr);
                MemorySegment.copy(kr, 0, k, F64, at * 8, n);
                if (tr != null) {
                    MemorySegment.copy(tr, 0, theta, F64, at * 8, n);
                }
            }
        }

        private void rowF64(double p, double[] kr, double[] tr) {
            double root = Math.sqrt(p);
            int j = 0;
            while (j < n) {
                if (vector) {
                    j = erf ? VectorDualLayer.arcsine(sw, sb, p, q2, erfScales2, kr, tr, j, n)
                            : VectorDualLayer.arcCosine(a, w, sw, sb, snap, root, roots2, kr, tr, j, n);
                }
                int stop = vector ? Math.min(n, VectorDualLayer.nextVector(j, false)) : n;
                for (; j < stop; j++) {
                    double kj = kr[j];
                    kr[j] = value(p, j, kj);
                    if (tr != null) {
                        tr[j] = kr[j] + sw * derivative(p, j, kj) * tr[j];
                    }
                }
            }
        }

        private void rowF32(double p, float[] kr, float[] tr) {
            float root = (float) Math.sqrt(p);
            int j = 0;
            while (j < n) {
                if (vector) {
                    j = erf ? VectorDualLayer.arcsine((float) sw, (float) sb, (float) p,
                            (float) (2 * DualKernel.erfScale(p)), q2f, erfScales2f, kr, tr, j, n)
                            : VectorDualLayer.arcCosine((float) a, (float) w, (float) sw, (float) sb, (float) snap,
                                    root, roots2f, kr, tr, j, n);
                }
                int stop = vector ? Math.min(n, VectorDualLayer.nextVector(j, true)) : n;
                for (; j < stop; j++) {
                    double kj = kr[j];
                    double next = value(p, j, kj);
                    if (tr != null) {
                        tr[j] = (float) (next + sw * derivative(p, j, kj) * tr[j]);
                    }
                    kr[j] = (float) next;
                }
            }
        }

        /** The new k by the scalar definition. */
        private double value(double p, int j, double kj) {
            return sw * DualKernel.value(phi, p, q2[j], kj, snap) + sb;
        }

        /** Fdot by the scalar definition. */
        private double derivative(double p, int j, double kj) {
            return DualKernel.derivative(phi, p, q2[j], kj, snap);
        }
    }
}
