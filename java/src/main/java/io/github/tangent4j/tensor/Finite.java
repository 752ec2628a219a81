package io.github.tangent4j.tensor;

import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Objects;

/** Finiteness checks of floating-point tensors, the guard every public entry point applies to its inputs. */
public final class Finite {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private Finite() {
    }

    /** The flat index of the first NaN or infinite element of {@code t}, or -1 if all are finite (or t is not floating). */
    public static long firstNonFinite(Tensor t) {
        Objects.requireNonNull(t, "t");
        long n = t.size();
        if (t.dtype() == DType.F64) {
            for (long i = 0; i < n; i++) {
                if (!Double.isFinite(t.segment().getAtIndex(F64, i))) {
                    return i;
                }
            }
        } else if (t.dtype() == DType.F32) {
            for (long i = 0; i < n; i++) {
                if (!Float.isFinite(t.segment().getAtIndex(F32, i))) {
                    return i;
                }
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
