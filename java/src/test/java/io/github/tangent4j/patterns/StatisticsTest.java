package io.github.tangent4j.patterns;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tangent4j.backend.TestBackends;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class StatisticsTest {
    /** N patterns drawn from a pool of {@code pool} random patterns (so with many repeats). */
    static Tensor repeated(long seed, int n, int h, int pool) {
        Tensor base = PackedPatternsTest.randomBooleans(seed, pool, h, 0.5);
        SplittableRandom rng = new SplittableRandom(seed + 1);
        Tensor t = Tensor.allocate(DType.BOOL, n, h);
        for (int i = 0; i < n; i++) {
            int k = rng.nextInt(pool);
            for (int j = 0; j < h; j++) {
                t.set(base.get(k, j), i, j);
            }
        }
        return t;
    }

    static List<Boolean> row(Tensor b, long i) {
        List<Boolean> r = new ArrayList<>();
        for (long j = 0; j < b.dim(1); j++) {
            r.add(b.get(i, j) != 0);
        }
        return r;
    }

    @Test
    void distinctMatchesAHashSetOfBooleanLists() {
        for (int h : new int[] {0, 1, 63, 64, 65, 200}) {
            Tensor b = repeated(h, 5000, h, 700);
            DistinctPatterns d = DistinctPatterns.of(PackedPatterns.fromBooleans(b));
            Map<List<Boolean>, Integer> first = new HashMap<>();
            Map<List<Boolean>, Long> counts = new HashMap<>();
            for (long i = 0; i < b.dim(0); i++) {
                List<Boolean> r = row(b, i);
                first.putIfAbsent(r, first.size());
                counts.merge(r, 1L, Long::sum);
            }
            assertEquals(first.size(), d.count(), "distinct count for H = " + h);
            assertTrue(h < 20 || d.count() > 600, "the fixture repeats patterns but keeps most of the pool");
            PackedPatterns reps = d.patterns();
            PackedPatterns all = PackedPatterns.fromBooleans(b);
            for (long i = 0; i < b.dim(0); i++) {
                List<Boolean> r = row(b, i);
                int id = d.id(i);
                assertEquals(first.get(r), id, "ids in order of first appearance");
                assertEquals(counts.get(r), d.counts()[id]);
                assertTrue(reps.rowEquals(id, all, i));
            }
        }
    }

    @Test
    void unitFrequencyFindsDeadAndAlwaysOnUnits() {
        Tensor b = PackedPatternsTest.randomBooleans(3, 300, 130, 0.5);
        for (int i = 0; i < 300; i++) {
            b.set(0, i, 5);     // dead
            b.set(1, i, 64);    // always on
            b.set(0, i, 129);   // dead, in the last word
        }
        UnitFrequency f = UnitFrequency.of(PackedPatterns.fromBooleans(b));
        long[] counts = f.activeCounts();
        for (int j = 0; j < 130; j++) {
            long c = 0;
            for (int i = 0; i < 300; i++) {
                c += (long) b.get(i, j);
            }
            assertEquals(c, counts[j], "unit " + j);
            assertEquals(c / 300.0, f.frequency(j));
        }
        assertArrayEquals(new long[] {5, 129}, f.dead());
        assertArrayEquals(new long[] {64}, f.alwaysOn());
    }

    @ParameterizedTest
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void hammingByGemmEqualsPopcountOfXor(String backend) {
        TestBackends.with(backend, be -> {
            for (int h : new int[] {1, 64, 131}) {
                PackedPatterns p = PackedPatterns.fromBooleans(PackedPatternsTest.randomBooleans(h, 23, h, 0.3));
                PackedPatterns q = PackedPatterns.fromBooleans(PackedPatternsTest.randomBooleans(h + 1, 17, h, 0.6));
                List<Long> progress = new ArrayList<>();
                Tensor d = HammingDistances.compute(be, p, q, (done, total) -> progress.add(done));
                assertEquals(23L, progress.get(progress.size() - 1));
                // the F64 GEMM that patterns longer than 2^23 bits get, on the same data
                Tensor d64 = HammingDistances.compute(be, p, q, null, DType.F64);
                for (Tensor t : List.of(d, d64)) {
                    assertEquals(DType.I32, t.dtype());
                    assertArrayEquals(new long[] {23, 17}, t.shape());
                    for (long i = 0; i < 23; i++) {
                        for (long k = 0; k < 17; k++) {
                            long x = 0;
                            for (int w = 0; w < p.wordsPerRow(); w++) {
                                x += Long.bitCount(p.word(i, w) ^ q.word(k, w));
                            }
                            assertEquals(x, t.getLong(i, k), "H = " + h + " pair " + i + ", " + k);
                        }
                    }
                }
            }
            assertThrows(IllegalArgumentException.class, () -> HammingDistances.compute(be,
                    PackedPatterns.zeros(2, 3), PackedPatterns.zeros(2, 4), null));
        });
    }
}
