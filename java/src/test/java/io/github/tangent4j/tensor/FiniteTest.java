package io.github.tangent4j.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@link Finite}'s blocked vector scan against a plain element-by-element search. */
class FiniteTest {
    private static final double[] BAD = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};

    /** The reference: the first index whose value is not finite. */
    private static long scalar(Tensor t) {
        for (long i = 0; i < t.size(); i++) {
            if (!Double.isFinite(t.getFlat(i))) {
                return i;
            }
        }
        return -1;
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void findsTheFirstNonFiniteElementAnywhere(DType dtype) {
        SplittableRandom rnd = new SplittableRandom(7);
        // lengths around the vector width and the block size, odd and empty
        long[] lengths = {0, 1, 3, 7, 8, 15, 16, 17, 31, 33, 1000, (1 << 14) - 1, 1 << 14, (1 << 14) + 1, 40_009};
        for (long n : lengths) {
            Tensor t = Tensor.allocate(dtype, n);
            for (long i = 0; i < n; i++) {
                // huge finite values too: x - x is still 0 for them
                t.setFlat(i, rnd.nextInt(10) == 0 ? (dtype == DType.F64 ? Double.MAX_VALUE : Float.MAX_VALUE)
                        * (rnd.nextBoolean() ? 1 : -1) : rnd.nextDouble(-1e30, 1e30));
            }
            assertEquals(-1, Finite.firstNonFinite(t), "all finite, n = " + n);
            for (int trial = 0; trial < 6 && n > 0; trial++) {
                Tensor u = copy(t);
                long first = trial == 0 ? n - 1 : trial == 1 ? 0 : rnd.nextLong(n);
                u.setFlat(first, BAD[trial % 3]);
                if (first + 1 < n) {
                    u.setFlat(first + 1 + rnd.nextLong(n - first - 1), BAD[(trial + 1) % 3]);
                }
                assertEquals(scalar(u), Finite.firstNonFinite(u), "n = " + n + ", first bad at " + first);
                assertEquals(first, Finite.firstNonFinite(u));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void scansHeapSegmentsAtAnyOffsetAndNamesTheElement(DType dtype) {
        int n = 101;
        byte[] bytes = new byte[(int) (n * dtype.byteSize()) + 3];
        MemorySegment unaligned = MemorySegment.ofArray(bytes).asSlice(3);
        Tensor t = Tensor.wrap(unaligned, dtype, n);
        for (int i = 0; i < n; i++) {
            t.setFlat(i, i - 50.5);
        }
        assertEquals(-1, Finite.firstNonFinite(t));
        t.setFlat(77, Double.NEGATIVE_INFINITY);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Finite.check("x", t));
        assertEquals("x: expected finite values but element 77 is -Infinity", e.getMessage());
    }

    @Test
    void largeTensorsAreScannedInParallelUnlessTheirMemoryIsConfinedToThisThread() {
        long n = (300L << 14) + 5; // more than 256 blocks
        for (boolean confined : new boolean[] {false, true}) {
            try (Arena arena = confined ? Arena.ofConfined() : Arena.ofShared()) {
                Tensor t = Tensor.allocate(arena, DType.F32, n);
                assertEquals(-1, Finite.firstNonFinite(t));
                t.setFlat(n - 2, Float.NaN);
                t.setFlat(299L << 14, Float.POSITIVE_INFINITY);
                t.setFlat(n - 1, Float.NaN);
                assertEquals(299L << 14, Finite.firstNonFinite(t), "the first, whichever thread finds a bad block first");
                t.setFlat(3, Float.NEGATIVE_INFINITY);
                assertEquals(3, Finite.firstNonFinite(t));
            }
        }
    }

    @Test
    void theVectorLoopIsUsedWhereTheModuleIsPresent() {
        // surefire runs with --add-modules jdk.incubator.vector, so the tests above exercise the vector loop
        assertEquals(ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent(), VectorFinite.ENABLED);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"I32", "I64"})
    void integerTensorsAreAlwaysFinite(DType dtype) {
        assertEquals(-1, Finite.firstNonFinite(Tensor.allocate(dtype, 5)));
    }

    private static Tensor copy(Tensor t) {
        Tensor c = Tensor.allocate(t.dtype(), t.shape());
        c.segment().copyFrom(t.segment());
        return c;
    }
}
