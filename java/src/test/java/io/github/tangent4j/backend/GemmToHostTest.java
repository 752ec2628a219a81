package io.github.tangent4j.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Backend#gemmToHost} against {@link Backend#gemm} followed by {@link Backend#download}, bit for bit, on
 * every backend: odd sizes, every transpose, both dtypes, into a view inside a larger tensor (nothing outside it
 * written), and a wrong-sized target refused.
 */
class GemmToHostTest {
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("io.github.tangent4j.backend.BackendConformanceTest#backendsAndTypes")
    void equalsGemmThenDownloadBitForBit(String name, DType dtype) {
        SplittableRandom rnd = new SplittableRandom(5);
        TestBackends.with(name, b -> {
            for (long[] mnk : new long[][] {{1, 1, 1}, {3, 17, 5}, {65, 7, 33}, {2, 130, 1}}) {
                long m = mnk[0];
                long n = mnk[1];
                long k = mnk[2];
                for (boolean ta : new boolean[] {false, true}) {
                    for (boolean tb : new boolean[] {false, true}) {
                        DeviceMatrix a = ta ? TestBackends.upload(b, dtype, TestBackends.random(rnd, dtype, k * m), k, m)
                                : TestBackends.upload(b, dtype, TestBackends.random(rnd, dtype, m * k), m, k);
                        DeviceMatrix bm = tb ? TestBackends.upload(b, dtype, TestBackends.random(rnd, dtype, n * k), n, k)
                                : TestBackends.upload(b, dtype, TestBackends.random(rnd, dtype, k * n), k, n);
                        try (a; bm; DeviceMatrix c = b.allocate(dtype, m, n)) {
                            b.gemm(ta, tb, 0.7, a, bm, 0, c);
                            Tensor want = b.download(c);
                            Tensor big = Tensor.allocate(dtype, m + 2, n);
                            for (long j = 0; j < n; j++) {
                                big.set(-3, 0, j);
                                big.set(-3, m + 1, j);
                            }
                            b.gemmToHost(ta, tb, 0.7, a, bm, big.slice(1, m + 1));
                            String what = m + "x" + n + "x" + k + " " + ta + " " + tb;
                            assertTrue(want.segment().mismatch(big.slice(1, m + 1).segment()) < 0, what);
                            for (long j = 0; j < n; j++) {
                                assertEquals(-3, big.get(0, j), what + " row above");
                                assertEquals(-3, big.get(m + 1, j), what + " row below");
                            }
                        }
                    }
                }
            }
            try (DeviceMatrix a = b.allocate(dtype, 3, 4); DeviceMatrix c = b.allocate(dtype, 4, 5)) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> b.gemmToHost(false, false, 1, a, c, Tensor.allocate(dtype, 3, 4)));
                assertEquals("c: expected " + dtype + " with 15 elements (3 x 5) but was " + dtype + " (3, 4)",
                        e.getMessage());
            }
            assertEquals(0, b.openAllocations());
        });
    }
}
