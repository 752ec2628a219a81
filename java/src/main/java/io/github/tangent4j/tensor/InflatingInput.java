package io.github.tangent4j.tensor;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * The inflated bytes of a deflated npz member, read front to back. {@link #remaining()} is the member's
 * declared uncompressed size (which the caller has bounded by the deflate expansion limit); reading
 * checks that the stream really produces that many bytes, and {@link #finish} that it ends exactly there,
 * uses all compressed bytes and matches the declared CRC-32. Must be closed (frees the native inflater).
 */
final class InflatingInput extends BoundedInput implements AutoCloseable {
    private static final int INPUT_CHUNK = 64 * 1024;

    private final RandomAccessInput in;
    private final FormatContext fileCtx;
    private final long compressedStart;
    private final long compressedEnd;
    private final long declaredSize;
    private final Inflater inflater = new Inflater(true);
    private final CRC32 crc = new CRC32();
    private final byte[] input = new byte[INPUT_CHUNK];
    private long compressedPosition;

    /**
     * @param fileCtx         errors about the compressed bytes (file offsets)
     * @param compressedStart file offset of the first compressed byte
     * @param compressedSize  number of compressed bytes
     * @param declaredSize    uncompressed size the zip directory declares
     */
    InflatingInput(RandomAccessInput in, FormatContext fileCtx, long compressedStart, long compressedSize,
                   long declaredSize) {
        super(fileCtx.inflated(), 0, declaredSize);
        this.in = in;
        this.fileCtx = fileCtx;
        this.compressedStart = compressedStart;
        this.compressedPosition = compressedStart;
        this.compressedEnd = compressedStart + compressedSize;
        this.declaredSize = declaredSize;
    }

    @Override
    void fill(MemorySegment dst, long produced) throws IOException {
        long n = dst.byteSize();
        long done = 0;
        while (done < n) {
            MemorySegment slice = dst.asSlice(done, Math.min(RandomAccessInput.CHUNK, n - done));
            int got = inflateInto(slice.asByteBuffer(), produced + done);
            if (got == 0) {
                if (inflater.finished()) {
                    throw context().error(produced + done, "the deflate stream ends after " + (produced + done)
                            + " bytes but the zip directory declares " + declaredSize);
                }
                continue;
            }
            crc.update(slice.asSlice(0, got).asByteBuffer());
            done += got;
        }
    }

    /** One inflate step into {@code out}; feeds input when needed. Returns the bytes produced (maybe 0). */
    private int inflateInto(ByteBuffer out, long at) throws IOException {
        if (inflater.needsInput() && !inflater.finished()) {
            refill(at);
        }
        long readBefore = inflater.getBytesRead();
        int got;
        try {
            got = inflater.inflate(out);
        } catch (DataFormatException e) {
            throw context().error(at, "invalid deflate data: " + e.getMessage(), e);
        }
        if (inflater.needsDictionary()) {
            throw context().error(at, "the deflate stream asks for a preset dictionary, which zip members never use");
        }
        if (got == 0 && !inflater.finished() && !inflater.needsInput() && inflater.getBytesRead() == readBefore) {
            throw context().error(at, "the deflate stream makes no progress");
        }
        return got;
    }

    private void refill(long at) throws IOException {
        long left = compressedEnd - compressedPosition;
        if (left <= 0) {
            throw context().error(at, "the compressed data (" + (compressedEnd - compressedStart)
                    + " bytes) ends before the deflate stream does, after " + at + " inflated bytes");
        }
        int len = (int) Math.min(input.length, left);
        in.read(compressedPosition, MemorySegment.ofArray(input).asSlice(0, len), fileCtx);
        inflater.setInput(input, 0, len);
        compressedPosition += len;
    }

    /**
     * Checks, after all {@link #remaining()} bytes were read, that the deflate stream ends there, that no
     * compressed bytes follow it and that the CRC-32 matches {@code expectedCrc}.
     */
    void finish(long expectedCrc) throws IOException {
        ByteBuffer probe = ByteBuffer.allocate(1);
        while (!inflater.finished()) {
            if (inflateInto(probe, offset()) > 0) {
                throw context().error(offset(), "the deflate stream holds more than the " + declaredSize
                        + " bytes the zip directory declares");
            }
        }
        long unused = inflater.getRemaining() + (compressedEnd - compressedPosition);
        if (unused > 0) {
            throw fileCtx.error(compressedEnd - unused, unused + " bytes of compressed data follow the end of the"
                    + " deflate stream (the member's compressed size is " + (compressedEnd - compressedStart) + ")");
        }
        if (crc.getValue() != expectedCrc) {
            throw context().error(0, String.format("CRC-32 of the %d inflated bytes is 0x%08x but the zip directory says"
                    + " 0x%08x: the data is corrupt", declaredSize, crc.getValue(), expectedCrc));
        }
    }

    @Override
    public void close() {
        inflater.end();
    }
}
