package io.github.tangent4j.backend.java;

import io.github.tangent4j.backend.internal.JacobianPair;
import io.github.tangent4j.nn.Activation;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * {@link io.github.tangent4j.backend.Backend#jacobianLayers} on host memory: rows in parallel on the
 * {@link ComputePool}, each pair through every layer by the scalar {@link JacobianPair} in one per-part
 * state array (no allocation per pair or row); a row's inputs are read and its jets written in bulk.
 */
final class JavaJacobianLayers {
    private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final int C = JacobianPair.COEFFICIENTS;
    /** Pair-layers per parallel part at least, so that a part amortises its scratch rows. */
    private static final long MIN_PART_WORK = 1 << 12;

    private JavaJacobianLayers() {
    }

    /**
     * Writes the (rows, 10 cols) jets from q1 (rows, 1 + 2L), q2 (2L, cols; null when L = 0) and pairs
     * (rows, 3 cols), all F64.
     */
    static void run(Activation phi, double sw, double sb, double c0, MemorySegment q1, MemorySegment q2,
            MemorySegment pairs, MemorySegment jets, long rows, long cols, int layers, boolean ntk) {
        int n = Math.toIntExact(cols);
        double[] columns = q2 == null ? new double[0] : q2.toArray(F64); // (2L, n)
        JacobianPair pair = new JacobianPair(phi, sw, sb);
        int width = 1 + 2 * layers;
        int out = ntk ? C : 0;
        int parts = (int) Math.max(1, Math.min(rows, Math.min(ComputePool.THREADS * 8L,
                rows * cols * Math.max(1, layers) / MIN_PART_WORK)));
        ComputePool.run(parts, part -> {
            long from = rows * part / parts;
            long to = rows * (part + 1) / parts;
            double[] p = new double[width];
            double[] in = new double[3 * n];
            double[] jet = new double[C * n];
            double[] st = new double[2 * C];
            for (long i = from; i < to; i++) {
                MemorySegment.copy(q1, F64, 8L * i * width, p, 0, width);
                MemorySegment.copy(pairs, F64, 8L * i * 3 * n, in, 0, 3 * n);
                double norm = p[0];
                for (int j = 0; j < n; j++) {
                    double alpha = in[3 * j + 1];
                    double beta = in[3 * j + 2];
                    JacobianPair.start(in[3 * j], c0, norm, alpha, beta, st);
                    for (int l = 0; l < layers; l++) {
                        double qc = columns[2 * l * n + j];
                        double pc = columns[(2 * l + 1) * n + j];
                        pair.step(p[1 + 2 * l], qc, p[2 + 2 * l] * norm, pc * alpha, pc * beta, st, ntk);
                    }
                    System.arraycopy(st, out, jet, C * j, C);
                }
                MemorySegment.copy(jet, 0, jets, F64, 8L * i * C * n, C * n);
            }
        });
    }
}
