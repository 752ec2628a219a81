package io.github.tangent4j.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Copies of blocks of arrays tiled on their first two axes (trailing axes whole): a range of columns, and
 * the transposed block that a symmetric kernel's mirrored tile holds.
 */
public final class Blocks {
    private Blocks() {
    }

    /** Columns {@code [from, to)} (axis 1) of {@code t}, of rank 2 or more, in a new tensor. */
    public static Tensor columns(Tensor t, long from, long to) {
        if (t.rank() < 2 || from < 0 || to < from || to > t.dim(1)) {
            throw new IllegalArgumentException("columns: expected a range inside axis 1 of " + Shapes.format(t.shape())
                    + " but was [" + from + ", " + to + ")");
        }
        long[] s = t.shape();
        long rows = s[0];
        s[1] = to - from;
        Tensor out = Tensor.allocate(t.dtype(), s);
        if (rows == 0) {
            return out;
        }
        long group = t.byteSize() / rows / Math.max(1, t.dim(1));   // bytes of one (row, column) entry
        long inRow = group * t.dim(1);
        long outRow = group * s[1];
        for (long a = 0; a < rows; a++) {
            MemorySegment.copy(t.segment(), a * inRow + from * group, out.segment(), a * outRow, outRow);
        }
        return out;
    }

    /** Square sub-blocks of the blocked transpose: two 64 x 64 blocks of doubles fit in L1. */
    private static final int BLOCK = 64;

    /** out (cols x rows) = in (rows x cols)^T for elements of 8, 4 or 1 bytes, copied bit for bit, block by block. */
    private static void transposeElements(MemorySegment in, MemorySegment out, long rows, long cols, int size) {
        for (long a0 = 0; a0 < rows; a0 += BLOCK) {
            for (long b0 = 0; b0 < cols; b0 += BLOCK) {
                long a1 = Math.min(rows, a0 + BLOCK);
                long b1 = Math.min(cols, b0 + BLOCK);
                for (long a = a0; a < a1; a++) {
                    for (long b = b0; b < b1; b++) {
                        long from = a * cols + b;
                        long to = b * rows + a;
                        switch (size) {
                            case 8 -> out.setAtIndex(ValueLayout.JAVA_LONG_UNALIGNED, to,
                                    in.getAtIndex(ValueLayout.JAVA_LONG_UNALIGNED, from));
                            case 4 -> out.setAtIndex(ValueLayout.JAVA_INT_UNALIGNED, to,
                                    in.getAtIndex(ValueLayout.JAVA_INT_UNALIGNED, from));
                            default -> out.set(ValueLayout.JAVA_BYTE, to, in.get(ValueLayout.JAVA_BYTE, from));
                        }
                    }
                }
            }
        }
    }

    /**
     * The block {@code m} with its first two axes swapped, {@code m'[b, a, ...] = m[a, b, ...]}; with
     * {@code swapLastPair} (rank 4 only) also its last two, {@code m'[b, a, q, p] = m[a, b, p, q]}: the
     * mirrored tile of a kernel with K(x', x) = K(x, x')^T per output pair, such as the full empirical NTK.
     */
    public static Tensor transpose(Tensor m, boolean swapLastPair) {
        if (m.rank() < 2 || (swapLastPair && m.rank() != 4)) {
            throw new IllegalArgumentException("m: expected rank 2 or more (4 to swap the last pair) but was "
                    + Shapes.format(m.shape()));
        }
        long[] s = m.shape();
        long[] t = s.clone();
        t[0] = s[1];
        t[1] = s[0];
        Tensor out = Tensor.allocate(m.dtype(), t);
        long rows = s[0];
        long cols = s[1];
        if (rows == 0 || cols == 0) {
            return out;
        }
        long es = m.dtype().byteSize();
        long group = m.byteSize() / rows / cols;   // bytes of one (row, column) entry
        long p = swapLastPair ? s[2] : 0;
        long q = swapLastPair ? s[3] : 0;
        if (!swapLastPair && (group == 8 || group == 4 || group == 1)) {
            transposeElements(m.segment(), out.segment(), rows, cols, (int) group);
            return out;
        }
        for (long a = 0; a < rows; a++) {
            for (long b = 0; b < cols; b++) {
                long from = (a * cols + b) * group;
                long to = (b * rows + a) * group;
                if (!swapLastPair) {
                    MemorySegment.copy(m.segment(), from, out.segment(), to, group);
                    continue;
                }
                for (long i = 0; i < p; i++) {
                    for (long j = 0; j < q; j++) {
                        MemorySegment.copy(m.segment(), from + (i * q + j) * es, out.segment(), to + (j * p + i) * es, es);
                    }
                }
            }
        }
        return out;
    }
}
