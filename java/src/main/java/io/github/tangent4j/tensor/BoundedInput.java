package io.github.tangent4j.tensor;

import java.io.IOException;
import java.lang.foreign.MemorySegment;

/**
 * A {@link SequentialInput} over the offsets {@code [start, end)}: keeps the position, refuses a read of more
 * bytes than remain (naming the offset) and advances past each read; a subclass only produces the bytes
 * ({@link #fill}).
 */
abstract class BoundedInput implements SequentialInput {
    private final FormatContext ctx;
    private final long end;
    private long position;

    /** The bytes at offsets {@code [start, start + length)}, errors reported in {@code ctx}. */
    BoundedInput(FormatContext ctx, long start, long length) {
        this.ctx = ctx;
        this.position = start;
        this.end = start + length;
    }

    /** Writes the {@code dst.byteSize()} bytes at offset {@code at} (all of them remain) into {@code dst}. */
    abstract void fill(MemorySegment dst, long at) throws IOException;

    @Override
    public final FormatContext context() {
        return ctx;
    }

    @Override
    public final long offset() {
        return position;
    }

    @Override
    public final long remaining() {
        return end - position;
    }

    @Override
    public final void read(MemorySegment dst) throws IOException {
        long n = dst.byteSize();
        if (n > remaining()) {
            throw ctx.error(position, "needs " + n + " bytes but only " + remaining() + " remain");
        }
        fill(dst, position);
        position += n;
    }
}
