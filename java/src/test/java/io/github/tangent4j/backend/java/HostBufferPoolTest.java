package io.github.tangent4j.backend.java;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tangent4j.backend.DeviceMatrix;
import io.github.tangent4j.tensor.DType;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** Freed host blocks are reused by size, within the budget, and freed when the backend closes. */
class HostBufferPoolTest {
    @Test
    void reusesBlocksOfTheSameSizeWithinTheBudget() {
        HostBufferPool pool = new HostBufferPool(1000);
        HostBuffer a = HostBuffer.allocate(400, pool);
        MemorySegment first = a.segment();
        a.free();
        assertEquals(400, pool.heldBytes());
        assertNull(pool.take(300), "another size is not served");
        HostBuffer b = HostBuffer.allocate(400, pool);
        assertEquals(first.address(), b.segment().address(), "the freed block comes back");
        assertEquals(0, pool.heldBytes());
        HostBuffer c = HostBuffer.allocate(700, pool);
        b.free();
        c.free();   // 400 + 700 > 1000: given back to the C allocator instead
        assertEquals(400, pool.heldBytes());
        pool.drain();
        assertEquals(0, pool.heldBytes());
        assertFalse(pool.give(MemorySegment.ofArray(new byte[2000])), "over the budget");
    }

    @Test
    void aJavaBackendReusesATilesBuffersAndAllocateStillZeroFills() {
        try (JavaBackend b = new JavaBackend()) {
            DeviceMatrix m = b.allocateUninitialised(DType.F64, 100, 100);
            b.fill(m, 3);
            m.close();
            DeviceMatrix z = b.allocate(DType.F64, 100, 100);
            for (double v : b.download(z).toDoubleArray()) {
                assertEquals(0.0, v);
            }
            assertSame(DType.F64, z.dtype());
            assertTrue(b.openAllocations() == 1);
        }
    }
}
