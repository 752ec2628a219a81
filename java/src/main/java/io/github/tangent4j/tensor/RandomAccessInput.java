package io.github.tangent4j.tensor;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.StandardOpenOption;

/**
 * Bytes of a file that can be read at any position: an open {@link FileChannel}, or bytes in memory.
 * The size is fixed when the input is created; every read is checked against it, so a caller can never
 * read past the end, and a file that shrinks while it is read is reported as truncated.
 */
abstract class RandomAccessInput {
    /** Largest slice handed to a {@link ByteBuffer} view at once (buffers are int-indexed). */
    static final long CHUNK = 1L << 30;

    private final long size;

    private RandomAccessInput(long size) {
        this.size = size;
    }

    /** An input over {@code channel}, whose size is taken now. */
    static RandomAccessInput of(FileChannel channel) throws IOException {
        return new ChannelInput(channel);
    }

    /** An input over bytes in memory. */
    static RandomAccessInput of(MemorySegment bytes) {
        return new SegmentInput(bytes);
    }

    /** How a file format reads itself from an input. */
    @FunctionalInterface
    interface Parser<T> {
        /** Reads the whole input; {@code ctx} names the file in errors. */
        T parse(RandomAccessInput in, FormatContext ctx) throws IOException;
    }

    /** A {@link Parser} that also uses the open file behind the input (to map it). */
    @FunctionalInterface
    interface FileParser<T> {
        /** Reads the whole input of the open file {@code channel}; {@code ctx} names the file in errors. */
        T parse(RandomAccessInput in, FileChannel channel, FormatContext ctx) throws IOException;
    }

    /**
     * Parses {@code file} with {@code parser}; errors name the file. Only regular files are opened: a
     * FIFO or device would block or have no size, so it is refused before it is opened.
     */
    static <T> T parseFile(Path file, Parser<T> parser) throws IOException {
        return parseFile(file, (in, channel, ctx) -> parser.parse(in, ctx));
    }

    /** {@link #parseFile(Path, Parser)} for a parser that uses the open file. */
    static <T> T parseFile(Path file, FileParser<T> parser) throws IOException {
        BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class);
        if (!attrs.isRegularFile()) {
            throw new FileSystemException(file.toString(), null, attrs.isDirectory() ? "is a directory; expected a file"
                    : "is not a regular file (a FIFO, device or socket); expected a file");
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return parser.parse(of(ch), ch, FormatContext.of(file.toString()));
        }
    }

    /** Parses bytes in memory, where only format errors can occur; errors name {@code name}. */
    static <T> T parseBytes(byte[] bytes, String name, Parser<T> parser) throws TensorFormatException {
        try {
            return parser.parse(of(MemorySegment.ofArray(bytes)), FormatContext.of(name));
        } catch (TensorFormatException e) {
            throw e;
        } catch (IOException e) {
            throw new IllegalStateException("in-memory input cannot fail to read", e);
        }
    }

    /** Number of bytes. */
    final long size() {
        return size;
    }

    /**
     * Reads exactly {@code dst.byteSize()} bytes starting at {@code position}.
     *
     * @throws TensorFormatException if those bytes are not all in the input
     */
    final void read(long position, MemorySegment dst, FormatContext ctx) throws IOException {
        long n = dst.byteSize();
        if (position < 0 || position > size || n > size - position) {
            throw ctx.error(position, "needs " + n + " bytes but the file ends after " + size + " bytes");
        }
        readChecked(position, dst, ctx);
    }

    /** {@link #read} into a new array of {@code length} bytes. */
    final byte[] readBytes(long position, int length, FormatContext ctx) throws IOException {
        if (position < 0 || position > size || length > size - position) {
            throw ctx.error(position, "needs " + length + " bytes but the file ends after " + size + " bytes");
        }
        byte[] b = new byte[length];
        readChecked(position, MemorySegment.ofArray(b), ctx);
        return b;
    }

    abstract void readChecked(long position, MemorySegment dst, FormatContext ctx) throws IOException;

    private static final class ChannelInput extends RandomAccessInput {
        private final FileChannel channel;

        ChannelInput(FileChannel channel) throws IOException {
            super(channel.size());
            this.channel = channel;
        }

        @Override
        void readChecked(long position, MemorySegment dst, FormatContext ctx) throws IOException {
            long done = 0;
            long n = dst.byteSize();
            while (done < n) {
                ByteBuffer buf = dst.asSlice(done, Math.min(CHUNK, n - done)).asByteBuffer();
                while (buf.hasRemaining()) {
                    int got = channel.read(buf, position + done + buf.position());
                    if (got < 0) {
                        throw ctx.error(position + done + buf.position(),
                                "the file ended early: it shrank while it was being read");
                    }
                }
                done += buf.capacity();
            }
        }
    }

    private static final class SegmentInput extends RandomAccessInput {
        private final MemorySegment bytes;

        SegmentInput(MemorySegment bytes) {
            super(bytes.byteSize());
            this.bytes = bytes;
        }

        @Override
        void readChecked(long position, MemorySegment dst, FormatContext ctx) {
            MemorySegment.copy(bytes, position, dst, 0, dst.byteSize());
        }
    }
}
