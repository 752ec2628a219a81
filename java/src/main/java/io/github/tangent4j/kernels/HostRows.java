package io.github.tangent4j.kernels;

import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** Bulk copies between rows of F32/F64 host tensors and {@code double[]} (the host recursions work in double). */
final class HostRows {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private HostRows() {
    }

    /** Reads {@code n} elements from flat position {@code from} of {@code t} into {@code dst[0, n)}. */
    static void read(Tensor t, long from, double[] dst, int n) {
        MemorySegment s = t.segment();
        if (t.dtype() == DType.F64) {
            MemorySegment.copy(s, F64, from * 8, dst, 0, n);
        } else {
            float[] f = new float[n];
            MemorySegment.copy(s, F32, from * 4, f, 0, n);
            for (int j = 0; j < n; j++) {
                dst[j] = f[j];
            }
        }
    }

    /** Writes {@code src[0, n)} to flat positions {@code [from, from + n)} of {@code t}, rounding for F32. */
    static void write(double[] src, int n, Tensor t, long from) {
        MemorySegment s = t.segment();
        if (t.dtype() == DType.F64) {
            MemorySegment.copy(src, 0, s, F64, from * 8, n);
        } else {
            float[] f = new float[n];
            for (int j = 0; j < n; j++) {
                f[j] = (float) src[j];
            }
            MemorySegment.copy(f, 0, s, F32, from * 4, n);
        }
    }
}
