package io.github.tangent4j.backend.java;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/**
 * {@link ArrayAlignment}: the address it reads is where the array's elements are (the memory there holds them),
 * and its shift lands on a 64-byte boundary.
 */
class ArrayAlignmentTest {
    /** Attempts per check: the collector may move an array between reading its address and reading through it. */
    private static final int ATTEMPTS = 5;

    @Test
    void theAddressOfAFloatArrayHoldsItsElements() {
        for (int len : new int[] {1, 17, 1000, 300_000}) {
            float[] a = new float[len];
            for (int i = 0; i < len; i++) {
                a[i] = i * 0.5f + 1;
            }
            boolean seen = false;
            for (int attempt = 0; attempt < ATTEMPTS && !seen; attempt++) {
                long address = ArrayAlignment.address(a);
                assertTrue(address > 0, "address " + address);
                MemorySegment there = MemorySegment.ofAddress(address).reinterpret((long) len * Float.BYTES);
                seen = there.mismatch(MemorySegment.ofArray(a)) == -1;
            }
            assertTrue(seen, "the memory at the address read for a float[" + len + "] does not hold its elements");
        }
    }

    @Test
    void theAddressOfADoubleArrayHoldsItsElements() {
        for (int len : new int[] {1, 9, 1000, 300_000}) {
            double[] a = new double[len];
            for (int i = 0; i < len; i++) {
                a[i] = -i * 0.25 - 1;
            }
            boolean seen = false;
            for (int attempt = 0; attempt < ATTEMPTS && !seen; attempt++) {
                long address = ArrayAlignment.address(a);
                MemorySegment there = MemorySegment.ofAddress(address).reinterpret((long) len * Double.BYTES);
                seen = there.getAtIndex(ValueLayout.JAVA_DOUBLE, len - 1) == a[len - 1]
                        && there.mismatch(MemorySegment.ofArray(a)) == -1;
            }
            assertTrue(seen, "the memory at the address read for a double[" + len + "] does not hold its elements");
        }
    }

    @Test
    void theShiftLandsOnA64ByteBoundary() {
        // arrays of many sizes, so that their addresses take many residues modulo 64
        for (int len = 1; len <= 40; len++) {
            float[] f = new float[len * 3 + 16];
            double[] d = new double[len * 5 + 8];
            int sf = ArrayAlignment.shift(f);
            int sd = ArrayAlignment.shift(d);
            assertTrue(sf >= 0 && sf < 16, "float shift " + sf);
            assertTrue(sd >= 0 && sd < 8, "double shift " + sd);
            assertEquals(0, Math.floorMod(ArrayAlignment.address(f) + (long) sf * Float.BYTES, 64L),
                    "float[" + f.length + "] shifted by " + sf);
            assertEquals(0, Math.floorMod(ArrayAlignment.address(d) + (long) sd * Double.BYTES, 64L),
                    "double[" + d.length + "] shifted by " + sd);
        }
    }
}
