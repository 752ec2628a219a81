package io.github.tangent4j.backend.java;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Where {@link MaskedGemm} runs its sparse kernels and where it leaves the product to the dense GEMM: the values
 * themselves are checked on both backends by {@code HadamardGemmTest}, whose shapes these are, so its cases run each
 * register tile (10 and 12 rows) and the dense fallback.
 */
class MaskedGemmTest {
    @ParameterizedTest(name = "f64 {0}")
    @ValueSource(booleans = {false, true})
    void runsBehindReluMasksAndDeclinesWhereItWouldNotSaveWork(boolean f64) {
        boolean wide = Vectorization.ENABLED
                && (f64 ? MaskedGemm64.SPECIES : MaskedGemm32.SPECIES).vectorBitSize() >= 512;
        SplittableRandom rnd = new SplittableRandom(3);
        try (Arena arena = Arena.ofShared()) {
            assertEquals(wide, multiply(arena, f64, rnd, 3, 10, 64, 100, 0.5, 0), "ReLU slopes, r = 10");
            assertEquals(wide, multiply(arena, f64, rnd, 5, 22, 130, 17, 0.5, 0), "ReLU slopes, r = 22 (12 + 10 rows)");
            assertEquals(wide, multiply(arena, f64, rnd, 2, 8, 40, 65, 0.5, 0), "ReLU slopes, r = 8 (the 10-row tile)");
            assertEquals(wide, multiply(arena, f64, rnd, 3, 20, 50, 31, 0.5, 0), "ReLU slopes, r = 20 (12 + 10 rows)");
            assertFalse(multiply(arena, f64, rnd, 2, 3, 40, 65, 0.5, 0), "r = 3: seven of ten tile rows idle");
            assertFalse(multiply(arena, f64, rnd, 3, 10, 64, 100, 0.5, 0.1), "leaky slopes: no zero to skip");
            assertFalse(multiply(arena, f64, rnd, 64, 1, 64, 100, 0.5, 0), "r = 1: eleven of twelve tile rows idle");
            assertFalse(multiply(arena, f64, rnd, 3, 10, 64, 100, 0.95, 0), "95 % active");
            assertFalse(multiply(arena, f64, rnd, 1, 10, 4096, 2049, 0.5, 0), "B over 32 MiB packed");
        }
    }

    private static boolean multiply(Arena arena, boolean f64, SplittableRandom rnd, int examples, int r, int k, int n,
            double active, double leak) {
        MemorySegment a = random(arena, f64, rnd, (long) examples * r * k);
        MemorySegment s = arena.allocate((long) examples * k * (f64 ? 8 : 4));
        for (long i = 0; i < (long) examples * k; i++) {
            double v = rnd.nextDouble() < active ? 1 : leak;
            if (f64) {
                s.setAtIndex(ValueLayout.JAVA_DOUBLE, i, v);
            } else {
                s.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) v);
            }
        }
        MemorySegment b = random(arena, f64, rnd, (long) k * n);
        MemorySegment c = arena.allocate((long) examples * r * n * (f64 ? 8 : 4));
        return MaskedGemm.multiply(f64, examples, r, k, n, 1, a, false, s, b, c);
    }

    private static MemorySegment random(Arena arena, boolean f64, SplittableRandom rnd, long count) {
        MemorySegment m = arena.allocate(count * (f64 ? 8 : 4));
        for (long i = 0; i < count; i++) {
            if (f64) {
                m.setAtIndex(ValueLayout.JAVA_DOUBLE, i, rnd.nextDouble(-1, 1));
            } else {
                m.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) rnd.nextDouble(-1, 1));
            }
        }
        return m;
    }
}
