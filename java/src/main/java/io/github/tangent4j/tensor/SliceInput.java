package io.github.tangent4j.tensor;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.zip.CRC32;

/**
 * A contiguous range of a {@link RandomAccessInput} read front to back: a whole {@code .npy} file, or a
 * stored npz member, whose CRC-32 is accumulated for {@link #verifyCrc}.
 */
final class SliceInput extends BoundedInput {
    private final RandomAccessInput in;
    private final long end;
    private final CRC32 crc;

    /** {@code checksum}: whether to accumulate the CRC-32 of the bytes read (npz members). */
    SliceInput(RandomAccessInput in, long start, long length, FormatContext ctx, boolean checksum) {
        super(ctx, start, length);
        this.in = in;
        this.end = start + length;
        this.crc = checksum ? new CRC32() : null;
    }

    @Override
    void fill(MemorySegment dst, long at) throws IOException {
        in.read(at, dst, context());
        long n = dst.byteSize();
        for (long done = 0; crc != null && done < n; done += RandomAccessInput.CHUNK) {
            crc.update(dst.asSlice(done, Math.min(RandomAccessInput.CHUNK, n - done)).asByteBuffer());
        }
    }

    /** Checks the CRC-32 of all bytes read against the one the zip directory declares. */
    void verifyCrc(long expected, long start) throws TensorFormatException {
        if (crc.getValue() != expected) {
            throw context().error(start, String.format("CRC-32 of the member's %d bytes is 0x%08x but the zip directory"
                    + " says 0x%08x: the data is corrupt", end - start, crc.getValue(), expected));
        }
    }
}
