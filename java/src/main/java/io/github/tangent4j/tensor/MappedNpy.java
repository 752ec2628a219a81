package io.github.tangent4j.tensor;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A {@code .npy} file being written through memory: the header is written when the file is created,
 * and {@link #tensor()} is a {@link Tensor} over the file's data area, mapped read-write, so an array
 * larger than memory can be filled tile by tile without being held in memory (the operating system
 * writes pages back as it needs the memory). The bytes are exactly those {@link Npy#write(Path, Tensor)}
 * writes for the same array. Create one with {@link Npy#create}.
 *
 * <pre>{@code
 * try (MappedNpy out = Npy.create(file, DType.F64, n, o)) {
 *     for (long from = 0; from < n; from += tile) {
 *         compute(out.tensor().slice(from, Math.min(n, from + tile)));
 *     }
 *     out.force();
 * }
 * }</pre>
 *
 * <p>The tensor is valid until {@link #close()}, which unmaps it (using it afterwards throws
 * {@link IllegalStateException}). Any thread may write to it. Closing without {@link #force()} leaves the
 * writing-back to the operating system: the data survives the process, not a power failure.
 */
public final class MappedNpy implements AutoCloseable {
    private final Path file;
    private final Arena arena;
    private final MemorySegment mapped;
    private final Tensor tensor;

    private MappedNpy(Path file, Arena arena, MemorySegment mapped, Tensor tensor) {
        this.file = file;
        this.arena = arena;
        this.mapped = mapped;
        this.tensor = tensor;
    }

    /** See {@link Npy#create}. */
    static MappedNpy create(Path file, DType dtype, long... shape) throws IOException {
        long[] s = shape.clone();
        if (s.length > NpyHeader.MAX_RANK) {
            throw new IllegalArgumentException("shape: expected at most " + NpyHeader.MAX_RANK + " dimensions but has "
                    + s.length);
        }
        long bytes = Shapes.byteSize(dtype, s);   // checks the dimensions
        byte[] header = NpyHeader.encode(dtype, s);
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            Npy.writeFully(ch, ByteBuffer.wrap(header));
            MemorySegment data = bytes == 0 ? arena.allocate(1).asSlice(0, 0)
                    : ch.map(FileChannel.MapMode.READ_WRITE, header.length, bytes, arena);   // grows the file
            return new MappedNpy(file, arena, bytes == 0 ? null : data, Tensor.wrap(data, dtype, s));
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /** The array, row-major over the file's data area (zero-filled at first). */
    public Tensor tensor() {
        return tensor;
    }

    /** The file being written. */
    public Path file() {
        return file;
    }

    /** Writes every changed page to the storage device and waits for it. */
    public void force() {
        if (mapped != null) {
            mapped.force();
        }
    }

    /** Unmaps the data (the file keeps what was written). */
    @Override
    public void close() {
        arena.close();
    }
}
