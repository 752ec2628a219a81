package io.github.tangent4j.backend.java;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * {@code C = alpha (A (.) S) B} for the Java backend's {@code hadamardGemm}, skipping the zeros of S: A is a stack
 * of r rows per example (examples*r x k) or one block of r rows for all, S one row per example (examples x k), so
 * each example's rows of C are the product of its rows of A, restricted to the columns where its row of S is
 * nonzero, with the matching rows of B. Behind a ReLU layer about half of S is zero, so this does about half the multiply-adds of the dense product
 * (the input Jacobian's reverse sweep: {@code M <- (M (.) phi'(Z_l)) W_l}). {@link MaskedGemm32} and
 * {@link MaskedGemm64} are the kernels; this class decides whether they pay and splits the work over
 * {@link ComputePool}.
 */
final class MaskedGemm {
    /**
     * The most examples per part of the parallel loop: enough to reuse each panel of B from L1 and L2 many times,
     * few enough to balance two threads over a few hundred examples.
     */
    private static final int EXAMPLES_PER_PART = 16;
    /** The largest B the sparse kernels pack whole: 32 MiB, a 2048 x 2048 F64 layer; larger take the dense product. */
    private static final long MAX_PACKED_B_BYTES = 32L << 20;
    /** The largest packed B whose buffer the calling thread keeps for its next call (4 MiB); larger ones are garbage. */
    static final long KEPT_PACKED_B_BYTES = 4L << 20;
    /** B's column panels packed per part. */
    static final int PANELS_PER_PART = 4;
    /**
     * The sparse kernels run where their multiply-adds (an example's r rows padded to the register tile's) are at
     * most this fraction of the dense product's: their tile is the dense GEMM's widest, but streams B from L2.
     */
    private static final double WORTH = 0.75;

    private MaskedGemm() {
    }

    /**
     * Computes C and returns true, or returns false (C untouched) where the sparse kernels would not save work or
     * cannot run (no 512-bit Vector API), for the caller to compute the dense product instead.
     *
     * @param f64      double precision, else single
     * @param examples the rows of S
     * @param r        A's (and C's) rows per example
     * @param k        A's and S's columns, B's rows
     * @param n        B's and C's columns
     * @param shared   whether A is one block of r rows for every example rather than the stack of all
     */
    static boolean multiply(boolean f64, long examples, long r, long k, long n, double alpha, MemorySegment a,
            boolean shared, MemorySegment s, MemorySegment b, MemorySegment c) {
        if (!Vectorization.ENABLED || examples * r > Integer.MAX_VALUE || k * Math.max(r, n) > Integer.MAX_VALUE / 16
                || (f64 ? !wide64() : !wide32())) {
            return false;
        }
        int nr = f64 ? MaskedGemm64.NR : MaskedGemm32.NR;
        if (k * ((n + nr - 1) / nr * nr) * (f64 ? Double.BYTES : Float.BYTES) > MAX_PACKED_B_BYTES) {
            return false;
        }
        long nonzero = f64 ? nonzero64(s) : nonzero32(s);
        if ((double) paddedRows((int) r) * nonzero > WORTH * examples * r * k) {
            return false;
        }
        if (f64) {
            MaskedGemm64.multiply((int) examples, (int) r, (int) k, (int) n, alpha, a, shared, s, b, c);
        } else {
            MaskedGemm32.multiply((int) examples, (int) r, (int) k, (int) n, (float) alpha, a, shared, s, b, c);
        }
        return true;
    }

    /** The height of the register tile (12 or 10 rows) that runs a tile of {@code rows} rows of an example. */
    static int height(int rows) {
        return rows > 10 ? 12 : 10;
    }

    /** The rows the register tiles run for an example of r rows: tiles of 12, the last one's padded to its height. */
    static long paddedRows(int r) {
        int full = (r - 1) / MaskedGemm64.MR;
        return (long) full * MaskedGemm64.MR + height(r - full * MaskedGemm64.MR);
    }

    /** A range of items {@code from .. to - 1}. */
    @FunctionalInterface
    interface Range {
        void run(int from, int to);
    }

    /** Runs {@code range} over {@code 0 .. count - 1} on the compute pool, in parts of at most {@code perPart}. */
    static void parallel(int count, int perPart, Range range) {
        int parts = ceilDiv(count, perPart);
        ComputePool.run(parts, part -> {
            int from = (int) ((long) count * part / parts);
            int to = (int) ((long) count * (part + 1) / parts);
            if (from < to) {
                range.run(from, to);
            }
        });
    }

    /**
     * Examples per part of the parallel loop, each example packing {@code exampleBytes} of A: at most
     * {@link #EXAMPLES_PER_PART}, and no more than a quarter of L2 in all.
     */
    static int examplesPerPart(long exampleBytes) {
        long fit = GemmBlocking.CPU.l2Bytes() / 4 / Math.max(exampleBytes, 1);
        return (int) Math.max(1, Math.min(EXAMPLES_PER_PART, fit));
    }

    private static boolean wide64() {
        return MaskedGemm64.SPECIES.vectorBitSize() >= 512;
    }

    private static boolean wide32() {
        return MaskedGemm32.SPECIES.vectorBitSize() >= 512;
    }

    private static long nonzero64(MemorySegment s) {
        long count = 0;
        for (long i = 0, size = s.byteSize() / Double.BYTES; i < size; i++) {
            count += s.getAtIndex(ValueLayout.JAVA_DOUBLE_UNALIGNED, i) != 0 ? 1 : 0;
        }
        return count;
    }

    private static long nonzero32(MemorySegment s) {
        long count = 0;
        for (long i = 0, size = s.byteSize() / Float.BYTES; i < size; i++) {
            count += s.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i) != 0 ? 1 : 0;
        }
        return count;
    }

    private static int ceilDiv(int x, int unit) {
        return (x + unit - 1) / unit;
    }
}
