package io.github.tangent4j.backend.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.backend.DeviceMatrix;
import io.github.tangent4j.backend.TestBackends;
import io.github.tangent4j.backend.cuda.Emu;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link PrefetchingUploads} on every backend: the rows taken, what is held ahead, and what is freed. */
class PrefetchingUploadsTest {
    private static final Tensor X = Tensor.of(TestBackends.random(new SplittableRandom(5), DType.F64, 100 * 100), 100, 100);

    private static void assertRows(Backend b, long from, DeviceMatrix m) {
        double[] want = X.slice(from, from + m.rows()).toDoubleArray();
        double[] got = b.download(m).toDoubleArray();
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i], "element " + i + " of rows from " + from);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void takesTheRowsAskedForUsingTheRowsPrefetchedWhenTheyMatch(String name) {
        TestBackends.with(name, b -> {
            int ahead = b.overlapsTransfers() ? 1 : 0;
            try (PrefetchingUploads uploads = new PrefetchingUploads(b, X)) {
                try (DeviceMatrix m = uploads.take(3, 10)) {
                    assertRows(b, 3, m);
                    uploads.prefetch(10, 20);
                    assertEquals(1 + ahead, b.openAllocations(), "held ahead only where uploads overlap computation");
                }
                try (DeviceMatrix m = uploads.take(10, 20)) {
                    assertEquals(1, b.openAllocations(), "the prefetched matrix was handed over");
                    assertRows(b, 10, m);
                }
                uploads.prefetch(20, 30);
                try (DeviceMatrix m = uploads.take(20, 25)) { // a retry with fewer rows
                    assertEquals(1, b.openAllocations(), "the prefetch of other rows was freed");
                    assertRows(b, 20, m);
                }
                uploads.prefetch(30, 40);
                uploads.prefetch(40, 40); // nothing to fetch: drops the earlier one
                assertEquals(0, b.openAllocations());
                uploads.prefetch(50, 60);
            }
            assertEquals(0, b.openAllocations(), "close frees a prefetch nobody took");
        });
    }

    @Test
    void aPrefetchTheDeviceHasNoMemoryForIsSkipped() {
        TestBackends.with("cuda", b -> {
            Emu.setMemoryBudget(120 << 10); // one 80 KB matrix fits, two do not
            try (PrefetchingUploads uploads = new PrefetchingUploads(b, X)) {
                DeviceMatrix first = uploads.take(0, 100);
                uploads.prefetch(0, 100);
                assertEquals(1, b.openAllocations());
                first.close();
                try (DeviceMatrix m = uploads.take(0, 100)) {
                    assertRows(b, 0, m);
                }
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void rowsOutsideTheMatrixAreRejectedNamingThem(String name) {
        TestBackends.with(name, b -> {
            try (PrefetchingUploads uploads = new PrefetchingUploads(b, X)) {
                var e = assertThrows(IllegalArgumentException.class, () -> uploads.take(90, 101));
                assertTrue(e.getMessage().contains("[90, 101)") && e.getMessage().contains("100"), e.getMessage());
                assertThrows(IllegalArgumentException.class, () -> uploads.prefetch(5, 4));
            }
        });
    }
}
