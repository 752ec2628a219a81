package io.github.tangent4j.tensor;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The safetensors format: an 8-byte little-endian header length N, N bytes of UTF-8 JSON mapping
 * each tensor name to {@code {"dtype", "shape", "data_offsets": [begin, end]}} (plus an optional
 * {@code "__metadata__"} object of strings), then the data buffer, row-major little endian. Read
 * strictly: offsets must tile the data buffer exactly (no gaps, no overlaps) and match dtype and
 * shape; dtypes F32, F64, I32, I64, U8 and BOOL are supported.
 *
 * <p>Format: <a href="https://github.com/huggingface/safetensors">huggingface/safetensors</a>.
 */
public final class SafeTensors {
    /** Largest header accepted, as in the reference implementation (100 MB). */
    static final long MAX_HEADER = 100_000_000;
    /** Transfers go through ByteBuffers, which hold at most 2 GiB. */
    private static final long CHUNK = 1L << 30;

    private SafeTensors() {
    }

    /**
     * Reads every tensor, in header order.
     *
     * @throws TensorFormatException naming the file, the tensor and the header field or byte offset
     * @throws IOException           if the file cannot be read
     */
    public static Map<String, Tensor> read(Path file) throws IOException {
        String name = file.toString();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw new TensorFormatException(name, null, size, "truncated: expected an 8-byte header length but the file has "
                        + size + " bytes");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0, name);
            long n = lenBuf.getLong(0);
            if (n < 2 || n > MAX_HEADER || n > size - 8) {
                throw new TensorFormatException(name, null, 0, "header length " + Long.toUnsignedString(n)
                        + " is impossible (the file has " + size + " bytes; the limit is " + MAX_HEADER + ")");
            }
            ByteBuffer hb = ByteBuffer.allocate((int) n);
            readFully(ch, hb, 8, name);
            String text;
            try {
                text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(hb.flip()).toString();
            } catch (CharacterCodingException e) {
                throw new TensorFormatException(name, null, 8, "the header is not valid UTF-8");
            }
            Object root;
            try {
                root = Json.parse(text);
            } catch (Json.SyntaxError e) {
                throw new TensorFormatException(name, null, 8 + e.position, "malformed JSON header: " + e.getMessage());
            }
            if (!(root instanceof Map<?, ?> map)) {
                throw new TensorFormatException(name, null, 8, "the header must be a JSON object");
            }
            long dataStart = 8 + n;
            List<Entry> entries = entries(map, name);
            checkTiling(entries, dataStart, size - dataStart, name);
            Map<String, Tensor> out = new LinkedHashMap<>();
            for (Entry e : entries) {
                Tensor t = Tensor.allocate(e.dtype, e.shape);
                MemorySegment seg = t.segment();
                for (long off = 0; off < seg.byteSize(); off += CHUNK) {
                    readFully(ch, seg.asSlice(off, Math.min(CHUNK, seg.byteSize() - off)).asByteBuffer(),
                            dataStart + e.begin + off, name);
                }
                if (e.dtype == DType.BOOL) {
                    for (long i = 0; i < t.size(); i++) {
                        if (t.getFlat(i) != 0) {
                            t.setFlat(i, 1);
                        }
                    }
                }
                out.put(e.name, t);
            }
            return out;
        }
    }

    private record Entry(String name, DType dtype, long[] shape, long begin, long end) {
    }

    private static List<Entry> entries(Map<?, ?> map, String file) throws TensorFormatException {
        List<Entry> list = new ArrayList<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String key = (String) e.getKey();
            if (key.equals("__metadata__")) {
                if (!(e.getValue() instanceof Map<?, ?> meta) || !meta.values().stream().allMatch(v -> v instanceof String)) {
                    throw new TensorFormatException(file, key, -1, "field '__metadata__' must map strings to strings");
                }
                continue;
            }
            if (!(e.getValue() instanceof Map<?, ?> info)) {
                throw new TensorFormatException(file, key, -1, "expected an object with dtype, shape, data_offsets");
            }
            for (Object k : info.keySet()) {
                if (!k.equals("dtype") && !k.equals("shape") && !k.equals("data_offsets")) {
                    throw new TensorFormatException(file, key, -1, "unexpected field '" + k + "'");
                }
            }
            if (!(info.get("dtype") instanceof String dtypeName)) {
                throw new TensorFormatException(file, key, -1, "field 'dtype': expected a string");
            }
            DType dtype = switch (dtypeName) {
                case "F32" -> DType.F32;
                case "F64" -> DType.F64;
                case "I32" -> DType.I32;
                case "I64" -> DType.I64;
                case "U8" -> DType.U8;
                case "BOOL" -> DType.BOOL;
                default -> throw new TensorFormatException(file, key, -1, "field 'dtype': unsupported dtype '" + dtypeName
                        + "' (expected F32, F64, I32, I64, U8 or BOOL)");
            };
            long[] shape = longs(info.get("shape"), file, key, "shape", -1);
            long[] offsets = longs(info.get("data_offsets"), file, key, "data_offsets", 2);
            long bytes;
            try {
                bytes = Shapes.byteSize(dtype, shape);
            } catch (IllegalArgumentException ex) {
                throw new TensorFormatException(file, key, -1, "field 'shape': " + Shapes.format(shape)
                        + " has more bytes than fit in 64 bits");
            }
            if (offsets[1] < offsets[0] || offsets[1] - offsets[0] != bytes) {
                throw new TensorFormatException(file, key, -1, "field 'data_offsets': [" + offsets[0] + ", " + offsets[1]
                        + "] does not hold " + dtypeName + " " + Shapes.format(shape) + " = " + bytes + " bytes");
            }
            list.add(new Entry(key, dtype, shape, offsets[0], offsets[1]));
        }
        return list;
    }

    private static long[] longs(Object v, String file, String key, String field, int length)
            throws TensorFormatException {
        if (!(v instanceof List<?> list) || (length >= 0 && list.size() != length)) {
            throw new TensorFormatException(file, key, -1, "field '" + field + "': expected an array of "
                    + (length >= 0 ? length + " " : "") + "non-negative integers");
        }
        long[] out = new long[list.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(list.get(i) instanceof Long l) || l < 0) {
                throw new TensorFormatException(file, key, -1, "field '" + field + "': expected non-negative integers but found "
                        + list.get(i));
            }
            out[i] = l;
        }
        return out;
    }

    /** The tensors must cover the data buffer exactly, in some order, without gaps or overlaps. */
    private static void checkTiling(List<Entry> entries, long dataStart, long dataLength, String file)
            throws TensorFormatException {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long expected = 0;
        for (Entry e : sorted) {
            if (e.begin != expected) {
                throw new TensorFormatException(file, e.name, -1, "field 'data_offsets': begins at " + e.begin + " but "
                        + (e.begin < expected ? "the previous tensor ends at " : "the data so far ends at ") + expected
                        + " (tensors must tile the data buffer)");
            }
            expected = e.end;
        }
        if (expected != dataLength) {
            throw new TensorFormatException(file, null, dataStart + expected, "the tensors cover "
                    + expected + " bytes of data but the file holds " + dataLength + " after the header");
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer dst, long position, String file) throws IOException {
        long p = position;
        while (dst.hasRemaining()) {
            int k = ch.read(dst, p);
            if (k < 0) {
                throw new TensorFormatException(file, null, p, "truncated: the file ends early");
            }
            p += k;
        }
    }

    /** Writes the tensors in map order with no metadata. */
    public static void write(Path file, Map<String, Tensor> tensors) throws IOException {
        write(file, tensors, Map.of());
    }

    /** Writes the tensors in map order, data packed back to back, with the given {@code __metadata__}. */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        StringBuilder h = new StringBuilder("{");
        if (!metadata.isEmpty()) {
            h.append("\"__metadata__\":{");
            boolean first = true;
            for (Map.Entry<String, String> m : metadata.entrySet()) {
                h.append(first ? "" : ",").append(Json.quote(m.getKey())).append(':').append(Json.quote(m.getValue()));
                first = false;
            }
            h.append('}');
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            if (e.getKey().equals("__metadata__")) {
                throw new IllegalArgumentException("tensors: the name '__metadata__' is reserved");
            }
            Tensor t = e.getValue();
            String dtype = switch (t.dtype()) {
                case F32 -> "F32";
                case F64 -> "F64";
                case I32 -> "I32";
                case I64 -> "I64";
                case U8 -> "U8";
                case BOOL -> "BOOL";
            };
            if (h.length() > 1) {
                h.append(',');
            }
            h.append(Json.quote(e.getKey())).append(":{\"dtype\":\"").append(dtype).append("\",\"shape\":[");
            long[] s = t.shape();
            for (int i = 0; i < s.length; i++) {
                h.append(i > 0 ? "," : "").append(s[i]);
            }
            h.append("],\"data_offsets\":[").append(offset).append(',').append(offset + t.byteSize()).append("]}");
            offset += t.byteSize();
        }
        h.append('}');
        while ((h.toString().getBytes(StandardCharsets.UTF_8).length) % 8 != 0) {
            h.append(' ');
        }
        byte[] header = h.toString().getBytes(StandardCharsets.UTF_8);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length);
            writeFully(ch, len);
            writeFully(ch, ByteBuffer.wrap(header));
            for (Tensor t : tensors.values()) {
                MemorySegment seg = t.segment();
                for (long off = 0; off < seg.byteSize(); off += CHUNK) {
                    writeFully(ch, seg.asSlice(off, Math.min(CHUNK, seg.byteSize() - off)).asByteBuffer());
                }
            }
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }
}
