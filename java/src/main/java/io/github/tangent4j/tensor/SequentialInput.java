package io.github.tangent4j.tensor;

import java.io.IOException;
import java.lang.foreign.MemorySegment;

/**
 * Bytes read front to back whose total count is known in advance: a whole {@code .npy} file, or an npz
 * member (stored or deflated). The {@code .npy} reader checks every size a header claims against
 * {@link #remaining()} before it allocates anything.
 */
interface SequentialInput {
    /** Where errors about these bytes are reported. */
    FormatContext context();

    /** Offset of the next byte, as error messages report it. */
    long offset();

    /** Exact number of bytes left. */
    long remaining();

    /**
     * Reads exactly {@code dst.byteSize()} bytes.
     *
     * @throws TensorFormatException if fewer remain or the bytes cannot be decoded
     */
    void read(MemorySegment dst) throws IOException;

    /** A new array holding the next {@code n} bytes ({@code n <= remaining()}, checked by the caller). */
    default byte[] readBytes(int n) throws IOException {
        byte[] b = new byte[n];
        read(MemorySegment.ofArray(b));
        return b;
    }
}
