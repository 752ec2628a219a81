package io.github.tangent4j.patterns;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tangent4j.backend.TestBackends;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ArrangementsTest {
    @ParameterizedTest
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void distinctPatternsMatchBruteForceOverTheSeededDirections(String backend) {
        TestBackends.with(backend, b -> {
            for (int n : new int[] {6, 70}) {
                Tensor x = Fixtures.gaussian(51, DType.F64, n, 3);
                for (int d = 0; d < 3; d++) {
                    x.set(0, 1, d);                  // x_1 = 0: u.x = 0 >= 0 for every u
                    x.set(-x.get(0, d), 2, d);       // x_2 = -x_0: the opposite bit except on ties
                }
                int m = 500;
                Arrangements r = Arrangements.sample(b, x, m, 7, null);
                SplittableRandom rng = new SplittableRandom(7);
                Map<List<Boolean>, Integer> first = new LinkedHashMap<>();
                for (int k = 0; k < m; k++) {
                    double[] u = new double[3];
                    for (int d = 0; d < 3; d++) {
                        u[d] = rng.nextGaussian();
                        assertEquals(u[d], r.directions().get(k, d), "direction " + k);
                    }
                    List<Boolean> pattern = new ArrayList<>();
                    for (int i = 0; i < n; i++) {
                        double dot = 0;
                        for (int d = 0; d < 3; d++) {
                            dot += x.get(i, d) * u[d];
                        }
                        pattern.add(dot >= 0);
                    }
                    first.putIfAbsent(pattern, k);
                }
                assertEquals(first.size(), r.count(), "N = " + n);
                assertTrue(r.count() > 5 && r.count() < m, "the fixture has repeats: " + r.count());
                Tensor bools = r.toBooleans();
                assertArrayEquals(new long[] {n, r.count()}, bools.shape());
                int c = 0;
                for (Map.Entry<List<Boolean>, Integer> e : first.entrySet()) {
                    assertEquals(e.getValue().longValue(), r.firstDirection()[c], "first direction of pattern " + c);
                    for (int i = 0; i < n; i++) {
                        assertEquals(e.getKey().get(i), bools.get(i, c) != 0, "pattern " + c + " example " + i);
                    }
                    assertTrue(bools.get(1, c) != 0, "u.0 = 0 counts as >= 0");
                    c++;
                }
            }
        });
    }

    @ParameterizedTest
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void rejectsBadInput(String backend) {
        TestBackends.with(backend, b -> {
            Tensor x = Fixtures.gaussian(1, DType.F64, 4, 2);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Arrangements.sample(b, x, 0, 1, null));
            assertEquals("m: expected 1 to 2147483639 directions but was 0", e.getMessage());
            x.set(Double.POSITIVE_INFINITY, 1, 1);
            e = assertThrows(IllegalArgumentException.class, () -> Arrangements.sample(b, x, 3, 1, null));
            assertEquals("x: expected finite values but element 3 is Infinity", e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> Arrangements.sample(b, Tensor.allocate(DType.F64, 5), 3, 1, null));
            assertTrue(e.getMessage().startsWith("x: expected a float array of shape (N, D)"), e.getMessage());
        });
    }
}
