package io.github.tangent4j.tensor;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Reads and writes safetensors files (the format of Hugging Face's {@code safetensors} package): an
 * 8-byte little-endian header length N, N bytes of UTF-8 JSON describing each tensor (dtype, shape,
 * byte range in the data buffer) and an optional {@code __metadata__} map of strings, then the data
 * buffer. Elements are little endian, in C order.
 *
 * <p>Supported dtypes are F32, F64, I32, I64, U8 and BOOL; any other (F16, BF16, ...) is an error naming
 * the tensor. The header is parsed strictly (see {@link #read(Path)}) and limited to
 * {@value #MAX_HEADER_BYTES} bytes, the reference implementation's limit. As in the reference, the tensors'
 * byte ranges must match dtype and shape and tile the data buffer exactly: no gaps, no overlaps, nothing
 * after the last tensor. All of this is checked before any tensor memory is allocated. Tensors hold at
 * most 64 dimensions.
 */
public final class SafeTensors {
    /** Longest header accepted, in bytes (the reference implementation's limit). */
    public static final long MAX_HEADER_BYTES = 100_000_000;
    private static final int LENGTH_BYTES = 8;

    private SafeTensors() {
    }

    /**
     * Reads all tensors in {@code file}, in header order. The header must be one JSON object whose keys are
     * tensor names (each once) and optionally {@code __metadata__}; each tensor's value is an object with
     * exactly the fields {@code dtype}, {@code shape} (non-negative integers) and {@code data_offsets}
     * ({@code [begin, end]}, relative to the start of the data buffer).
     *
     * @throws TensorFormatException if the file is not a well-formed safetensors file of supported dtypes
     * @throws IOException           if the file cannot be read
     */
    public static Map<String, Tensor> read(Path file) throws IOException {
        return RandomAccessInput.parseFile(file, SafeTensors::read);
    }

    /**
     * Reads all tensors in the safetensors bytes {@code bytes}; {@code name} is the file name used in error
     * messages.
     *
     * @throws TensorFormatException if the bytes are not a well-formed safetensors file of supported dtypes
     */
    public static Map<String, Tensor> read(byte[] bytes, String name) throws TensorFormatException {
        return RandomAccessInput.parseBytes(bytes, name, SafeTensors::read);
    }

    /**
     * The {@code __metadata__} map of {@code file} (empty if it has none), after checking the whole header
     * as {@link #read(Path)} does, without reading tensor data.
     *
     * @throws TensorFormatException if the header is malformed
     * @throws IOException           if the file cannot be read
     */
    public static Map<String, String> metadata(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            RandomAccessInput in = RandomAccessInput.of(ch);
            return header(in, FormatContext.of(file.toString())).metadata();
        }
    }

    private static Map<String, Tensor> read(RandomAccessInput in, FormatContext ctx) throws IOException {
        SafeTensorsHeader header = header(in, ctx);
        long dataStart = in.size() - bufferLength(header);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (SafeTensorsHeader.Entry e : header.tensors()) {
            Tensor t;
            try {
                t = Tensor.allocate(e.dtype(), e.shape());
            } catch (InsufficientMemoryException x) {
                throw x.in(ctx.entry("tensor", e.name()).where());
            }
            long at = dataStart + e.begin();
            in.read(at, t.segment(), ctx.entry("tensor", e.name()));
            if (e.dtype() == DType.BOOL) {
                long bad = ElementOrder.firstNonBoolean(t.segment());
                if (bad >= 0) {
                    throw ctx.entry("tensor", e.name()).error(at + bad, String.format(
                            "BOOL element holds byte 0x%02x, expected 0 or 1",
                            t.segment().get(ValueLayout.JAVA_BYTE, bad) & 0xff));
                }
            }
            tensors.put(e.name(), t);
        }
        return tensors;
    }

    private static long bufferLength(SafeTensorsHeader header) {
        long end = 0;
        for (SafeTensorsHeader.Entry e : header.tensors()) {
            end = Math.max(end, e.end());
        }
        return end;
    }

    /** Reads the header and checks every tensor's range against the file. */
    private static SafeTensorsHeader header(RandomAccessInput in, FormatContext ctx) throws IOException {
        long size = in.size();
        if (size < LENGTH_BYTES) {
            throw ctx.error(0, "file holds " + size + " bytes, too few for the 8-byte header length");
        }
        byte[] lb = in.readBytes(0, LENGTH_BYTES, ctx);
        long n = ByteBuffer.wrap(lb).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (Long.compareUnsigned(n, size - LENGTH_BYTES) > 0) {
            throw ctx.error(0, "header length " + Long.toUnsignedString(n) + " exceeds the "
                    + (size - LENGTH_BYTES) + " bytes that follow it");
        }
        if (n > MAX_HEADER_BYTES) {
            throw ctx.error(0, "header length " + n + " exceeds the limit of " + MAX_HEADER_BYTES + " bytes");
        }
        SafeTensorsHeader header = SafeTensorsHeader.parse(in.readBytes(LENGTH_BYTES, (int) n, ctx), LENGTH_BYTES, ctx);
        checkLayout(header, size - LENGTH_BYTES - n, LENGTH_BYTES + n, ctx);
        return header;
    }

    /** Each range matches its dtype and shape, and the ranges tile {@code [0, bufferLength)} exactly. */
    private static void checkLayout(SafeTensorsHeader header, long bufferLength, long dataStart, FormatContext ctx)
            throws TensorFormatException {
        for (SafeTensorsHeader.Entry e : header.tensors()) {
            FormatContext tctx = ctx.entry("tensor", e.name());
            long bytes;
            try {
                bytes = Shapes.byteSize(e.dtype(), e.shape());
            } catch (IllegalArgumentException ex) {
                throw tctx.error(e.shapeOffset(), "shape " + Shapes.format(e.shape()) + " of "
                        + SafeTensorsHeader.dtypeName(e.dtype()) + " has more than " + Long.MAX_VALUE + " bytes");
            }
            if (e.end() < e.begin() || e.end() - e.begin() != bytes) {
                throw tctx.error(e.offsetsOffset(), "data_offsets [" + e.begin() + ", " + e.end() + "] span "
                        + (e.end() - e.begin()) + " bytes but shape " + Shapes.format(e.shape()) + " of "
                        + SafeTensorsHeader.dtypeName(e.dtype()) + " needs " + bytes);
            }
            if (e.end() > bufferLength) {
                throw tctx.error(e.offsetsOffset(), "data_offsets [" + e.begin() + ", " + e.end()
                        + "] run past the end of the data buffer, which holds " + bufferLength + " bytes");
            }
        }
        List<SafeTensorsHeader.Entry> sorted = new ArrayList<>(header.tensors());
        sorted.sort(Comparator.comparingLong(SafeTensorsHeader.Entry::begin)
                .thenComparingLong(SafeTensorsHeader.Entry::end));
        long covered = 0;
        String previous = null;
        for (SafeTensorsHeader.Entry e : sorted) {
            if (e.begin() != covered) {
                throw ctx.entry("tensor", e.name()).error(e.offsetsOffset(), "data begins at " + e.begin()
                        + " but " + (previous == null ? "the data buffer starts at 0"
                        : "the previous tensor '" + previous + "' ends at " + covered)
                        + (e.begin() < covered ? ": the tensors overlap" : ": a gap in the data buffer"));
            }
            covered = e.end();
            previous = e.name();
        }
        if (covered != bufferLength) {
            throw ctx.error(dataStart + covered, "the tensors cover " + covered + " bytes of the data buffer but it"
                    + " holds " + bufferLength);
        }
    }

    /**
     * Writes {@code tensors} to {@code file} (created or replaced) without metadata. See {@link
     * #write(Path, Map, Map)}.
     */
    public static void write(Path file, Map<String, Tensor> tensors) throws IOException {
        write(file, tensors, Map.of());
    }

    /**
     * Writes {@code tensors} and the {@code __metadata__} map {@code metadata} (omitted when empty) to
     * {@code file}, created or replaced, laid out as the reference implementation does: tensors ordered by
     * decreasing alignment (I64, F64, F32, I32, U8, BOOL) then by name, the header padded with spaces so
     * the data buffer starts at a multiple of 8 bytes.
     *
     * @throws IllegalArgumentException if a name is {@code __metadata__} or not valid Unicode, or a tensor
     *                                  cannot be written (more than 64 dimensions, BOOL values other than 0/1)
     * @throws IOException              if the file cannot be written (a partial file is deleted only if this call created it)
     */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata)
            throws IOException {
        Layout layout = layout(tensors, metadata);
        FileOutput.write(file, ch -> write(ch, layout));
    }

    /** Writes as {@link #write(Path, Map, Map)} to {@code out}, which is left open. */
    public static void write(OutputStream out, Map<String, Tensor> tensors, Map<String, String> metadata)
            throws IOException {
        write(Channels.newChannel(out), layout(tensors, metadata));
    }

    private record Layout(byte[] header, List<Map.Entry<String, Tensor>> order) {
    }

    private static Layout layout(Map<String, Tensor> tensors, Map<String, String> metadata) {
        Objects.requireNonNull(tensors, "tensors");
        Objects.requireNonNull(metadata, "metadata");
        List<Map.Entry<String, Tensor>> order = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            String name = Objects.requireNonNull(e.getKey(), "tensors: name");
            Tensor t = Objects.requireNonNull(e.getValue(), () -> "tensors: tensor '" + name + "'");
            if (name.equals(SafeTensorsHeader.METADATA_KEY)) {
                throw new IllegalArgumentException("tensors: a tensor cannot be named " + name);
            }
            checkUnicode("tensors: name", name);
            Npy.checkWritable(t);
            order.add(Map.entry(name, t));
        }
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            checkUnicode("metadata: key", Objects.requireNonNull(e.getKey(), "metadata: key"));
            checkUnicode("metadata: value of '" + e.getKey() + "'",
                    Objects.requireNonNull(e.getValue(), "metadata: value of '" + e.getKey() + "'"));
        }
        order.sort(Comparator.<Map.Entry<String, Tensor>>comparingInt(e -> alignmentRank(e.getValue().dtype()))
                .reversed()
                .thenComparing((a, b) -> Arrays.compareUnsigned(a.getKey().getBytes(StandardCharsets.UTF_8),
                        b.getKey().getBytes(StandardCharsets.UTF_8))));
        return new Layout(SafeTensorsHeader.encode(order, metadata), order);
    }

    /** The position of the dtype in the reference implementation's dtype order (increasing alignment). */
    private static int alignmentRank(DType dtype) {
        return switch (dtype) {
            case BOOL -> 0;
            case U8 -> 1;
            case I32 -> 2;
            case F32 -> 3;
            case F64 -> 4;
            case I64 -> 5;
        };
    }

    private static void checkUnicode(String what, String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException(what + " '" + s + "' holds an unpaired surrogate at index " + i);
            }
        }
    }

    private static void write(WritableByteChannel ch, Layout layout) throws IOException {
        ByteBuffer length = ByteBuffer.allocate(LENGTH_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        length.putLong(layout.header().length).flip();
        Npy.writeFully(ch, length);
        Npy.writeFully(ch, ByteBuffer.wrap(layout.header()));
        for (Map.Entry<String, Tensor> e : layout.order()) {
            Npy.writeSegment(ch, e.getValue().segment());
        }
    }
}
