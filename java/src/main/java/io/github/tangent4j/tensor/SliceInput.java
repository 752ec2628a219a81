package io.github.tangent4j.tensor;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.zip.CRC32;

/**
 * A contiguous range of a {@link RandomAccessInput} read front to back: a whole {@code .npy} file, or a
 * stored npz member, whose CRC-32 is accumulated for {@link #verifyCrc}.
 */
final class SliceInput implements SequentialInput {
    private final RandomAccessInput in;
    private final long end;
    private final FormatContext ctx;
    private final CRC32 crc;
    private long position;

    /** {@code checksum}: whether to accumulate the CRC-32 of the bytes read (npz members). */
    SliceInput(RandomAccessInput in, long start, long length, FormatContext ctx, boolean checksum) {
        this.in = in;
        this.position = start;
        this.end = start + length;
        this.ctx = ctx;
        this.crc = checksum ? new CRC32() : null;
    }

    @Override
    public FormatContext context() {
        return ctx;
    }

    @Override
    public long offset() {
        return position;
    }

    @Override
    public long remaining() {
        return end - position;
    }

    @Override
    public void read(MemorySegment dst) throws IOException {
        long n = dst.byteSize();
        if (n > remaining()) {
            throw ctx.error(position, "needs " + n + " bytes but only " + remaining() + " remain");
        }
        in.read(position, dst, ctx);
        for (long done = 0; crc != null && done < n; done += RandomAccessInput.CHUNK) {
            crc.update(dst.asSlice(done, Math.min(RandomAccessInput.CHUNK, n - done)).asByteBuffer());
        }
        position += n;
    }

    /** Checks the CRC-32 of all bytes read against the one the zip directory declares. */
    void verifyCrc(long expected, long start) throws TensorFormatException {
        if (crc.getValue() != expected) {
            throw ctx.error(start, String.format("CRC-32 of the member's %d bytes is 0x%08x but the zip directory"
                    + " says 0x%08x: the data is corrupt", end - start, crc.getValue(), expected));
        }
    }
}
