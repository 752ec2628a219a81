package io.github.tangent4j.tensor;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Reads and writes NumPy {@code .npy} files (format versions 1.0, 2.0 and 3.0).
 *
 * <p>Reading accepts the element types {@code <f4 <f8 <i4 <i8 |u1 |b1} and their big-endian forms
 * ({@code >f4 >f8 >i4 >i8}; {@code <u1} and {@code <b1} are read as {@code |u1} and {@code |b1}), in C or
 * Fortran order, with at most 64 dimensions. The result is always a C-order, little-endian {@link Tensor}
 * in memory freed by the garbage collector. The header is checked strictly (exactly the keys
 * {@code descr}, {@code fortran_order}, {@code shape}; spaces then a newline after the dict), the shape
 * and data size against the bytes the file really holds before anything is allocated, and the file must
 * end right after the data: trailing bytes are an error, as are boolean bytes other than 0 and 1. Every
 * such problem is a {@link TensorFormatException} naming the file and byte offset.
 *
 * <p>Writing produces exactly what {@code numpy.save} writes for the same array: version 1.0, C order,
 * little endian, {@link DType#numpyDescr()}, and a header padded with spaces and a newline so that the
 * data starts at a multiple of 64 bytes.
 */
public final class Npy {
    /** Headers longer than this are rejected; real ones are a few hundred bytes. */
    static final int MAX_HEADER_BYTES = 1 << 20;
    private static final int PREAMBLE = NpyHeader.MAGIC.length + 2;

    private Npy() {
    }

    /**
     * Reads the array in {@code file}.
     *
     * @throws TensorFormatException if the file is not a well-formed {@code .npy} of a supported type
     * @throws IOException           if the file cannot be read
     */
    public static Tensor read(Path file) throws IOException {
        return RandomAccessInput.parseFile(file, Npy::readWhole);
    }

    /**
     * Reads the array in the {@code .npy} bytes {@code bytes}; {@code name} is the file name used in
     * error messages.
     *
     * @throws TensorFormatException if the bytes are not a well-formed {@code .npy} of a supported type
     */
    public static Tensor read(byte[] bytes, String name) throws TensorFormatException {
        return RandomAccessInput.parseBytes(bytes, name, Npy::readWhole);
    }

    /** Reads the array that fills all of {@code in}. */
    private static Tensor readWhole(RandomAccessInput in, FormatContext ctx) throws IOException {
        return read(new SliceInput(in, 0, in.size(), ctx, false));
    }

    /** Reads one array from {@code in}, which must end exactly where the array data ends. */
    static Tensor read(SequentialInput in) throws IOException {
        return data(in, header(in));
    }

    /**
     * Reads and checks the magic string, version and header from {@code in}, leaving it at the first data
     * byte; checks that exactly the data the header claims follows.
     */
    private static NpyHeader header(SequentialInput in) throws IOException {
        FormatContext ctx = in.context();
        long start = in.offset();
        byte[] pre = in.readBytes((int) Math.min(in.remaining(), PREAMBLE));
        for (int i = 0; i < Math.min(pre.length, NpyHeader.MAGIC.length); i++) {
            if (pre[i] != NpyHeader.MAGIC[i]) {
                throw ctx.error(start + i, String.format("not an .npy file: byte %d is 0x%02x but the magic string"
                        + " is \\x93NUMPY", i, pre[i] & 0xff));
            }
        }
        if (pre.length < PREAMBLE) {
            throw ctx.error(start, "truncated: " + pre.length + " bytes, but an .npy file starts with "
                    + PREAMBLE + " bytes of magic string and version");
        }
        int major = pre[6] & 0xff;
        int minor = pre[7] & 0xff;
        if (major < 1 || major > 3 || minor != 0) {
            throw ctx.error(start + 6, "unsupported .npy format version " + major + "." + minor
                    + " (supported: 1.0, 2.0, 3.0)");
        }
        int lengthBytes = major == 1 ? 2 : 4;
        long lengthAt = in.offset();
        if (in.remaining() < lengthBytes) {
            throw ctx.error(lengthAt, "truncated: the " + lengthBytes + "-byte header length field needs "
                    + lengthBytes + " bytes but only " + in.remaining() + " remain");
        }
        byte[] lb = in.readBytes(lengthBytes);
        long headerLength = 0;
        for (int i = lengthBytes - 1; i >= 0; i--) {
            headerLength = (headerLength << 8) | (lb[i] & 0xff);
        }
        if (headerLength > in.remaining()) {
            throw ctx.error(lengthAt, "header length field says " + headerLength + " bytes but only "
                    + in.remaining() + " remain");
        }
        if (headerLength > MAX_HEADER_BYTES) {
            throw ctx.error(lengthAt, "header length " + headerLength + " exceeds the limit of " + MAX_HEADER_BYTES
                    + " bytes");
        }
        long headerAt = in.offset();
        NpyHeader h = NpyHeader.parse(in.readBytes((int) headerLength), major == 3, headerAt, ctx);

        long dataAt = in.offset();
        long left = in.remaining();
        String claim = "header claims shape " + Shapes.format(h.shape()) + " of " + descr(h) + " = "
                + h.dataBytes() + " bytes";
        if (h.dataBytes() > left) {
            throw ctx.error(dataAt, claim + " but only " + left + " bytes remain");
        }
        if (h.dataBytes() < left) {
            throw ctx.error(dataAt + h.dataBytes(), claim + " but " + (left - h.dataBytes())
                    + " more bytes follow the data");
        }
        return h;
    }

    /** Reads the data {@code h} describes from {@code in}, which is at its first byte. */
    private static Tensor data(SequentialInput in, NpyHeader h) throws IOException {
        FormatContext ctx = in.context();
        long dataAt = in.offset();
        int elementSize = h.dtype().byteSize();
        long[] shape = h.shape();
        long[] stored = shape.clone();
        if (h.fortranOrder()) {
            for (int i = 0; i < stored.length; i++) {
                stored[i] = shape[shape.length - 1 - i];
            }
        }
        Tensor raw;
        try {
            raw = Tensor.allocate(h.dtype(), stored);
        } catch (InsufficientMemoryException e) {
            throw e.in(ctx.where());
        }
        in.read(raw.segment());
        checkBooleans(h, raw.segment(), dataAt, ctx);
        if (h.bigEndian()) {
            ElementOrder.swapBytes(raw.segment(), elementSize);
        }
        if (!h.fortranOrder() || shape.length <= 1) {
            return raw.reshape(shape);
        }
        Tensor out;
        try {
            out = Tensor.allocate(h.dtype(), shape);
        } catch (InsufficientMemoryException e) {
            throw e.in(ctx.where() + " (Fortran-order copy)");
        }
        ElementOrder.fortranToC(raw.segment(), out.segment(), shape, elementSize);
        return out;
    }

    private static void checkBooleans(NpyHeader h, MemorySegment data, long dataAt, FormatContext ctx)
            throws TensorFormatException {
        if (h.dtype() == DType.BOOL) {
            long bad = ElementOrder.firstNonBoolean(data);
            if (bad >= 0) {
                throw ctx.error(dataAt + bad, String.format("boolean element holds byte 0x%02x, expected 0 or 1",
                        data.get(ValueLayout.JAVA_BYTE, bad) & 0xff));
            }
        }
    }

    /**
     * The array in {@code file}, checked as {@link #read(Path)} does, but without copying the data into
     * memory when the file stores it as a {@link Tensor} does (C order, little endian, data at a multiple
     * of 64 bytes, as {@code numpy.save} writes it): the tensor is then a read-only memory mapping of the
     * file's data (writing to it throws {@link UnsupportedOperationException}), so an array larger than
     * the free memory is read page by page as it is used. Other files are read as {@link #read(Path)} does
     * (into writable memory). The mapping is released when the tensor is no longer reachable. The file must
     * not be truncated while the tensor is in use (reading the lost pages throws {@link InternalError}).
     *
     * @throws TensorFormatException as {@link #read(Path)}
     * @throws IOException           if the file cannot be read or mapped
     */
    public static Tensor map(Path file) throws IOException {
        return RandomAccessInput.parseFile(file, (in, ch, ctx) -> {
            SliceInput slice = new SliceInput(in, 0, in.size(), ctx, false);
            NpyHeader h = header(slice);
            long dataAt = slice.offset();
            boolean cOrder = !h.fortranOrder() || h.shape().length <= 1;
            if (h.bigEndian() || !cOrder || dataAt % Tensor.ALIGNMENT != 0 || h.dataBytes() == 0) {
                return data(slice, h);
            }
            MemorySegment mapped = ch.map(FileChannel.MapMode.READ_ONLY, dataAt, h.dataBytes(), Arena.ofAuto());
            checkBooleans(h, mapped, dataAt, ctx);
            return Tensor.wrap(mapped, h.dtype(), h.shape());
        });
    }

    private static String descr(NpyHeader h) {
        String d = h.dtype().numpyDescr();
        return h.bigEndian() ? ">" + d.substring(1) : d;
    }

    /**
     * Writes {@code tensor} to {@code file} (created or replaced, in place) as {@code numpy.save} would.
     * For a file that must never be left half-written, write a temporary file and rename it (as the
     * command line does) or use {@link #create}.
     *
     * @throws IllegalArgumentException if the tensor has more than 64 dimensions or a {@link DType#BOOL}
     *                                  element other than 0 or 1 (checked before the file is opened)
     * @throws IOException              if the file cannot be written (a partial file is deleted only if
     *                                  this call created it)
     */
    public static void write(Path file, Tensor tensor) throws IOException {
        byte[] header = header(tensor);
        FileOutput.write(file, ch -> write(ch, header, tensor.segment()));
    }

    /**
     * Creates (or replaces, in place) {@code file} as an {@code .npy} of {@code dtype} and {@code shape},
     * mapped into memory for writing: see {@link MappedNpy}. The finished file holds the bytes
     * {@link #write(Path, Tensor)} writes for the same array.
     *
     * @throws IllegalArgumentException if the shape has a negative dimension, more than 64 dimensions, or
     *                                  more bytes than a long counts
     * @throws IOException              if the file cannot be created or mapped
     */
    public static MappedNpy create(Path file, DType dtype, long... shape) throws IOException {
        return MappedNpy.create(file, Objects.requireNonNull(dtype, "dtype"), shape);
    }

    /**
     * Writes {@code tensor} in {@code .npy} format to {@code out}, which is left open.
     *
     * @throws IllegalArgumentException as {@link #write(Path, Tensor)}
     */
    public static void write(OutputStream out, Tensor tensor) throws IOException {
        write(Channels.newChannel(out), header(tensor), tensor.segment());
    }

    /** The {@code .npy} header of {@code tensor}, after checking it can be written. */
    static byte[] header(Tensor tensor) {
        Objects.requireNonNull(tensor, "tensor");
        checkWritable(tensor);
        return NpyHeader.encode(tensor.dtype(), tensor.shape());
    }

    /** Checks what every writer of tensor files requires: at most 64 dimensions, booleans 0 or 1. */
    static void checkWritable(Tensor tensor) {
        if (tensor.rank() > NpyHeader.MAX_RANK) {
            throw new IllegalArgumentException("tensor: expected at most " + NpyHeader.MAX_RANK
                    + " dimensions but has " + tensor.rank());
        }
        if (tensor.dtype() == DType.BOOL) {
            long bad = ElementOrder.firstNonBoolean(tensor.segment());
            if (bad >= 0) {
                throw new IllegalArgumentException("tensor: BOOL elements must be 0 or 1 but flat element " + bad
                        + " is " + (tensor.segment().get(ValueLayout.JAVA_BYTE, bad) & 0xff));
            }
        }
    }

    static void write(WritableByteChannel ch, byte[] header, MemorySegment data) throws IOException {
        writeFully(ch, ByteBuffer.wrap(header));
        writeSegment(ch, data);
    }

    static void writeSegment(WritableByteChannel ch, MemorySegment data) throws IOException {
        long n = data.byteSize();
        for (long done = 0; done < n; done += RandomAccessInput.CHUNK) {
            writeFully(ch, data.asSlice(done, Math.min(RandomAccessInput.CHUNK, n - done)).asByteBuffer());
        }
    }

    static void writeFully(WritableByteChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
    }
}
