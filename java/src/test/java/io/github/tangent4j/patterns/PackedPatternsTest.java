package io.github.tangent4j.patterns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PackedPatternsTest {
    static Tensor randomBooleans(long seed, long n, long h, double p) {
        SplittableRandom rng = new SplittableRandom(seed);
        Tensor t = Tensor.allocate(DType.BOOL, n, h);
        for (long i = 0; i < t.size(); i++) {
            t.setFlat(i, rng.nextDouble() < p ? 1 : 0);
        }
        return t;
    }

    @Test
    void booleansRoundTripAndBitLayout() {
        Tensor b = randomBooleans(1, 9, 131, 0.5);
        PackedPatterns p = PackedPatterns.fromBooleans(b);
        assertEquals(3, p.wordsPerRow());
        for (long i = 0; i < 9; i++) {
            long pop = 0;
            for (long j = 0; j < 131; j++) {
                boolean set = b.get(i, j) != 0;
                pop += set ? 1 : 0;
                assertEquals(set, p.bit(i, j));
                assertEquals(set, (p.words().getLong(i, j / 64) >>> (j % 64) & 1) == 1, "layout of bit " + j);
            }
            assertEquals(pop, p.popCount(i));
            assertEquals(0, p.word(i, 2) >>> 3, "unused high bits are 0");
        }
        Tensor back = p.toBooleans();
        for (long i = 0; i < b.size(); i++) {
            assertEquals(b.getFlat(i), back.getFlat(i));
        }
    }

    @Test
    void columnsAndOrBitsAtUnalignedOffsets() {
        Tensor b = randomBooleans(2, 5, 200, 0.5);
        PackedPatterns p = PackedPatterns.fromBooleans(b);
        long[][] ranges = {{0, 200}, {3, 70}, {64, 128}, {63, 65}, {130, 130}, {1, 200}};
        for (long[] r : ranges) {
            PackedPatterns c = p.columns(r[0], r[1]);
            assertEquals(r[1] - r[0], c.bits());
            PackedPatterns rebuilt = PackedPatterns.zeros(5, 200);
            rebuilt.orBits(c.words(), c.bits(), 0, r[0]);
            for (long i = 0; i < 5; i++) {
                for (long j = 0; j < 200; j++) {
                    boolean inside = j >= r[0] && j < r[1];
                    assertEquals(inside && b.get(i, j) != 0, rebuilt.bit(i, j), "range " + r[0] + ".." + r[1] + " bit " + j);
                }
            }
        }
    }

    @Test
    void wrapChecksShapeAndHighBits() {
        Tensor words = Tensor.allocate(DType.I64, 2, 2);
        PackedPatterns.wrap(words, 70);
        assertThrows(IllegalArgumentException.class, () -> PackedPatterns.wrap(words, 130));
        words.setFlat(3, 1L << 6);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PackedPatterns.wrap(words, 70));
        assertEquals("words: row 1 has bits set beyond bit 69", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PackedPatterns.wrap(Tensor.allocate(DType.I32, 2, 2), 64));
    }
}
