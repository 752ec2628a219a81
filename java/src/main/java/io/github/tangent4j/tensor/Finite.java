package io.github.tangent4j.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.stream.LongStream;

/** Finiteness checks of floating-point tensors, the guard every public entry point applies to its inputs. */
public final class Finite {
    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Elements scanned per block by the vector loop; a block holding a non-finite element is searched element by element. */
    private static final long BLOCK = 1 << 14;
    /** Tensors of more blocks than this (4 Mi elements) are scanned in parallel. */
    private static final long PARALLEL_BLOCKS = 256;
    /** A thread that is never started: memory it may access (not a confined arena's) may be scanned in parallel. */
    private static final Thread OTHER_THREAD = Thread.ofPlatform().unstarted(() -> { });

    /** What {@link #checkTile(Tensor, long, long)} calls the result in its message. */
    private static final String RESULT = "the result";

    private Finite() {
    }

    /**
     * The flat index of the first NaN or infinite element of {@code t}, or -1 if all are finite (or t
     * is not floating). Blocks of {@value #BLOCK} elements are scanned with the Vector API when the
     * module is present (a few instructions per vector of elements, no branch per element), in
     * parallel on the common fork-join pool for tensors of more than {@value #PARALLEL_BLOCKS}
     * blocks, since one core cannot read memory as fast as several; only the first block that holds
     * a bad element is searched one element at a time for the index.
     */
    public static long firstNonFinite(Tensor t) {
        Objects.requireNonNull(t, "t");
        DType dtype = t.dtype();
        if (dtype != DType.F64 && dtype != DType.F32) {
            return -1;
        }
        MemorySegment s = t.segment();
        long n = t.size();
        long blocks = (n + BLOCK - 1) / BLOCK;
        LongStream indices = LongStream.range(0, blocks);
        if (blocks > PARALLEL_BLOCKS && VectorFinite.ENABLED && s.isAccessibleBy(OTHER_THREAD)) {
            indices = indices.parallel();
        }
        OptionalLong bad = indices.filter(b -> !blockFinite(s, dtype, b * BLOCK, Math.min(n, (b + 1) * BLOCK)))
                .findFirst();
        if (bad.isEmpty()) {
            return -1;
        }
        long from = bad.getAsLong() * BLOCK;
        return firstNonFinite(s, dtype, from, Math.min(n, from + BLOCK));
    }

    private static boolean blockFinite(MemorySegment s, DType dtype, long from, long to) {
        return VectorFinite.ENABLED ? VectorFinite.allFinite(s, dtype, from, to) : firstNonFinite(s, dtype, from, to) < 0;
    }

    /** The scalar search: the first index in {@code [from, to)} whose element is NaN or infinite, or -1. */
    private static long firstNonFinite(MemorySegment s, DType dtype, long from, long to) {
        for (long i = from; i < to; i++) {
            boolean finite = dtype == DType.F64 ? Double.isFinite(s.getAtIndex(F64, i))
                    : Float.isFinite(s.getAtIndex(F32, i));
            if (!finite) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Checks that every element of {@code t} is finite.
     *
     * @throws IllegalArgumentException naming {@code name}, the first bad flat index and its value
     */
    public static void check(String name, Tensor t) {
        long bad = firstNonFinite(t);
        if (bad >= 0) {
            throw new IllegalArgumentException(name + ": expected finite values but element " + bad + " is "
                    + t.getFlat(bad));
        }
    }

    /**
     * The overflow policy of the library: a result computed from finite inputs must be finite. Checks
     * that every element of the result {@code t} is finite; a NaN or infinity there means the computation
     * overflowed (inputs, weights, variances or an activation slope too large for the dtype).
     *
     * @param name what the result is, for the message
     * @throws ArithmeticException naming {@code name}, the first bad element (flat index and multi-index),
     *                             its value and the likely cause
     */
    public static void checkResult(String name, Tensor t) {
        check(name, t, 0, 0, true);
    }

    /**
     * {@link #checkResult} of one tile of a larger result: {@code block} holds the elements whose first two
     * indices start at ({@code rowStart}, {@code colStart}) (trailing axes whole), and the message names the
     * first bad element by its index in the whole result.
     *
     * @throws ArithmeticException naming {@code name}, the first bad element of the block by its index in the
     *                             whole result, its value and the likely cause
     */
    public static void checkTile(Tensor block, long rowStart, long colStart) {
        checkTile(RESULT, block, rowStart, colStart);
    }

    /** {@link #checkTile(Tensor, long, long)} with the result named {@code name} in the message. */
    public static void checkTile(String name, Tensor block, long rowStart, long colStart) {
        check(name, block, rowStart, colStart, false);
    }

    private static void check(String name, Tensor block, long rowStart, long colStart, boolean withFlatIndex) {
        long bad = firstNonFinite(block);
        if (bad < 0) {
            return;
        }
        long[] shape = block.shape();
        long[] index = new long[shape.length];
        long rest = bad;
        for (int k = shape.length - 1; k >= 0; k--) {
            index[k] = shape[k] == 0 ? 0 : rest % shape[k];
            rest = shape[k] == 0 ? 0 : rest / shape[k];
        }
        if (index.length > 0) {
            index[0] += rowStart;
        }
        if (index.length > 1) {
            index[1] += colStart;
        }
        String flat = withFlatIndex ? bad + " " : "";
        throw new ArithmeticException(name + ": element " + flat + Shapes.format(index).replace(",)", ")")
                + " is " + block.getFlat(bad) + " although every input is finite: the computation overflowed "
                + block.dtype() + " (largest " + (block.dtype() == DType.F32 ? Float.MAX_VALUE : Double.MAX_VALUE)
                + "); expected smaller inputs, weights, variances or slopes (rescale them"
                + (block.dtype() == DType.F32 ? ", or use f64" : "") + ")");
    }
}
