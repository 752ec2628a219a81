package io.github.tangent4j.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Objects;

/** Finiteness checks of floating-point tensors, the guard every public entry point applies to its inputs. */
public final class Finite {
    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Elements scanned per block by the vector loop; a block holding a non-finite element is searched element by element. */
    private static final long BLOCK = 1 << 14;

    private Finite() {
    }

    /**
     * The flat index of the first NaN or infinite element of {@code t}, or -1 if all are finite (or t
     * is not floating). Blocks are scanned with the Vector API when the module is present (a few
     * instructions per vector of elements, no branch per element); only a block that holds a bad
     * element is searched one element at a time for the index.
     */
    public static long firstNonFinite(Tensor t) {
        Objects.requireNonNull(t, "t");
        DType dtype = t.dtype();
        if (dtype != DType.F64 && dtype != DType.F32) {
            return -1;
        }
        MemorySegment s = t.segment();
        long n = t.size();
        for (long from = 0; from < n; from += BLOCK) {
            long to = Math.min(n, from + BLOCK);
            if (VectorFinite.ENABLED && VectorFinite.allFinite(s, dtype, from, to)) {
                continue;
            }
            long bad = firstNonFinite(s, dtype, from, to);
            if (bad >= 0) {
                return bad;
            }
        }
        return -1;
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
}
