package io.github.tangent4j.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import org.junit.jupiter.api.Test;

class TensorTest {
    /** Small and large uninitialised tensors have their shape, are aligned, hold what is written, and are refused when too large. */
    @Test
    void uninitialisedTensorsAreUsable() {
        for (long rows : new long[] {3, 70_000}) {
            Tensor t = Tensor.allocateUninitialised(DType.F32, rows, 8);
            assertArrayEquals(new long[] {rows, 8}, t.shape());
            assertEquals(0, t.segment().address() % Tensor.ALIGNMENT);
            for (long i = 0; i < t.size(); i += 997) {
                t.setFlat(i, i);
            }
            for (long i = 0; i < t.size(); i += 997) {
                assertEquals(i, t.getFlat(i), 0.0);
            }
        }
        assertThrows(InsufficientMemoryException.class, () -> Tensor.allocateUninitialised(DType.F64, 1L << 40, 1L << 10));
    }

    @Test
    void rowMajorIndexingReshapeAndSliceShareMemory() {
        Tensor t = Tensor.of(new double[] {0, 1, 2, 3, 4, 5}, 2, 3);
        assertEquals(5, t.get(1, 2));
        assertEquals(3, t.get(1, 0));
        Tensor r = t.reshape(3, -1);
        assertArrayEquals(new long[] {3, 2}, r.shape());
        assertEquals(3, r.get(1, 1));
        Tensor s = t.slice(1, 2);
        assertArrayEquals(new long[] {1, 3}, s.shape());
        s.set(42, 0, 1);
        assertEquals(42, t.get(1, 1));
        assertEquals(42, r.get(2, 0));
    }

    @Test
    void memoryIs64ByteAlignedAndZeroed() {
        try (Arena arena = Arena.ofConfined()) {
            for (int n = 1; n < 20; n++) {
                Tensor t = Tensor.allocate(arena, DType.F32, n);
                assertEquals(0, t.segment().address() % 64);
                for (long i = 0; i < n; i++) {
                    assertEquals(0, t.getFlat(i));
                }
            }
        }
    }

    @Test
    void conversionsRoundAndKeepValues() {
        Tensor t = Tensor.of(new double[] {1.5, -2.25, 1e300}, 3);
        Tensor f = t.to(DType.F32);
        assertEquals(DType.F32, f.dtype());
        assertEquals(-2.25, f.getFlat(1));
        assertEquals(Float.POSITIVE_INFINITY, f.getFlat(2));
        Tensor b = Tensor.of(new double[] {0, 2, -1}, 3).to(DType.BOOL);
        assertArrayEquals(new double[] {0, 1, 1}, b.toDoubleArray());
        Tensor i = Tensor.of(new double[] {7, -3}, 2).to(DType.I64);
        assertArrayEquals(new float[] {7, -3}, i.toFloatArray());
    }

    @Test
    void errorsNameTheArgumentExpectedAndActual() {
        var e = assertThrows(IllegalArgumentException.class, () -> Tensor.of(new double[5], 2, 3));
        assertTrue(e.getMessage().contains("(2, 3)") && e.getMessage().contains("5 values"), e.getMessage());
        var f = assertThrows(IllegalArgumentException.class, () -> Tensor.allocate(DType.F64, 2, 3).reshape(4, 2));
        assertTrue(f.getMessage().contains("(2, 3)") && f.getMessage().contains("(4, 2)"), f.getMessage());
        var g = assertThrows(IndexOutOfBoundsException.class, () -> Tensor.allocate(DType.F64, 2, 3).get(0, 3));
        assertTrue(g.getMessage().contains("[0, 3)"), g.getMessage());
        var h = assertThrows(IllegalArgumentException.class, () -> Tensor.allocate(DType.F64, -1, 3));
        assertTrue(h.getMessage().contains("(-1, 3)"), h.getMessage());
        var o = assertThrows(IllegalArgumentException.class,
                () -> Tensor.allocate(DType.F64, Long.MAX_VALUE / 2, 4));
        assertTrue(o.getMessage().contains("overflow"), o.getMessage());
        var w = assertThrows(IllegalArgumentException.class,
                () -> Tensor.wrap(Tensor.allocate(DType.F64, 3).segment(), DType.F64, 4));
        assertTrue(w.getMessage().contains("32 bytes") && w.getMessage().contains("24"), w.getMessage());
    }

    @Test
    void shapesFormatLikeNumPy() {
        assertEquals("()", Shapes.format());
        assertEquals("(5,)", Shapes.format(5));
        assertEquals("(2, 3)", Shapes.format(2, 3));
        assertEquals(0, Shapes.size(3, 0, 2));
        // Empty even when the other dimensions' product would overflow (found by the .npy fuzzer).
        assertEquals(0, Shapes.size(13, 1, 19999999999999999L, 3, 19999999999L, 3, 0));
        assertEquals(0, Tensor.allocate(DType.F64, Long.MAX_VALUE, 0, Long.MAX_VALUE).size());
        Tensor empty = Tensor.allocate(DType.F64, 0, 3);
        assertEquals(0, empty.reshape(5, 3, 19999999999L, 9, 3, 99999, 3, 0).size());
        assertThrows(IllegalArgumentException.class, () -> empty.reshape(-1, 0));
        var e = assertThrows(IllegalArgumentException.class, () -> Shapes.size(0, -1));
        assertTrue(e.getMessage().contains("(0, -1)"), e.getMessage());
        assertEquals(1, Shapes.size());
    }
}
