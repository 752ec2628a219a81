package io.github.tangent4j.tensor;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The JSON header of a safetensors file: for each tensor its dtype, shape and byte range in the data
 * buffer, plus the optional {@code __metadata__} map of strings. {@link #parse} reads it strictly against
 * that schema (unknown fields, duplicate names and unsupported dtypes are errors); {@link #encode} writes
 * it compactly as the reference implementation does.
 *
 * @param tensors  the tensors in header order
 * @param metadata the {@code __metadata__} entries (empty if absent)
 */
record SafeTensorsHeader(List<Entry> tensors, Map<String, String> metadata) {
    static final String METADATA_KEY = "__metadata__";

    /**
     * One tensor's header entry.
     *
     * @param name          tensor name
     * @param dtype         element type
     * @param shape         dimensions
     * @param begin         first byte in the data buffer
     * @param end           one past the last byte in the data buffer
     * @param offsetsOffset file offset of the {@code data_offsets} value, for error messages
     * @param shapeOffset   file offset of the {@code shape} value, for error messages
     */
    record Entry(String name, DType dtype, long[] shape, long begin, long end, long offsetsOffset, long shapeOffset) {
    }

    private static final Map<String, DType> DTYPES = Map.of("F32", DType.F32, "F64", DType.F64, "I32", DType.I32,
            "I64", DType.I64, "U8", DType.U8, "BOOL", DType.BOOL);
    private static final String SUPPORTED = "F32, F64, I32, I64, U8, BOOL";

    /** Parses header bytes that start at file offset {@code base}. */
    static SafeTensorsHeader parse(byte[] json, long base, FormatContext ctx) throws TensorFormatException {
        JsonCursor c = new JsonCursor(json, base, ctx);
        List<Entry> tensors = new ArrayList<>();
        Set<String> names = new java.util.HashSet<>();
        Map<String, String> metadata = null;
        c.expect('{', "to start the header object");
        if (!c.consume('}')) {
            do {
                long keyAt = c.offset();
                String key = c.string("a tensor name or __metadata__");
                c.expect(':', "after key \"" + key + "\"");
                if (key.equals(METADATA_KEY)) {
                    if (metadata != null) {
                        throw ctx.error(keyAt, "__metadata__ appears twice");
                    }
                    metadata = metadata(c, ctx);
                } else {
                    if (!names.add(key)) {
                        throw ctx.entry("tensor", key).error(keyAt, "a second tensor of this name");
                    }
                    c.context(ctx.entry("tensor", key));
                    tensors.add(entry(c, key, ctx.entry("tensor", key)));
                    c.context(ctx);
                }
            } while (c.consume(','));
            c.expect('}', "or ',' in the header object");
        }
        c.expectEnd();
        return new SafeTensorsHeader(Collections.unmodifiableList(tensors),
                metadata == null ? Map.of() : Collections.unmodifiableMap(metadata));
    }

    private static Map<String, String> metadata(JsonCursor c, FormatContext ctx) throws TensorFormatException {
        Map<String, String> m = new LinkedHashMap<>();
        if (c.consumeNull()) {
            return m;
        }
        c.expect('{', "to start the __metadata__ object");
        if (c.consume('}')) {
            return m;
        }
        do {
            long keyAt = c.offset();
            String key = c.string("a __metadata__ key");
            c.expect(':', "after __metadata__ key \"" + key + "\"");
            String value = c.string("the value of __metadata__ key \"" + key + "\"; values must be strings");
            if (m.put(key, value) != null) {
                throw ctx.error(keyAt, "__metadata__ key \"" + key + "\" appears twice");
            }
        } while (c.consume(','));
        c.expect('}', "or ',' in the __metadata__ object");
        return m;
    }

    private static Entry entry(JsonCursor c, String name, FormatContext ctx) throws TensorFormatException {
        long objectAt = c.offset();
        c.expect('{', "to start the tensor's object");
        DType dtype = null;
        long[] shape = null;
        long[] offsets = null;
        long shapeAt = -1;
        long offsetsAt = -1;
        if (!c.peek('}')) {
            do {
                long keyAt = c.offset();
                String key = c.string("dtype, shape or data_offsets");
                c.expect(':', "after key \"" + key + "\"");
                switch (key) {
                    case "dtype" -> {
                        if (dtype != null) {
                            throw ctx.error(keyAt, "field dtype appears twice");
                        }
                        long at = c.offset();
                        String s = c.string("the dtype");
                        dtype = DTYPES.get(s);
                        if (dtype == null) {
                            throw ctx.error(at, "dtype '" + s + "' is not supported (supported: " + SUPPORTED + ")");
                        }
                    }
                    case "shape" -> {
                        if (shape != null) {
                            throw ctx.error(keyAt, "field shape appears twice");
                        }
                        c.peek('[');
                        shapeAt = c.offset();
                        shape = integers(c, -1, "a shape dimension", ctx);
                    }
                    case "data_offsets" -> {
                        if (offsets != null) {
                            throw ctx.error(keyAt, "field data_offsets appears twice");
                        }
                        c.peek('[');
                        offsetsAt = c.offset();
                        offsets = integers(c, 2, "a data offset", ctx);
                    }
                    default -> throw ctx.error(keyAt, "unknown field \"" + key
                            + "\" (a tensor has exactly dtype, shape, data_offsets)");
                }
            } while (c.consume(','));
        }
        c.expect('}', "or ',' in the tensor's object");
        if (dtype == null || shape == null || offsets == null) {
            throw ctx.error(objectAt, "the tensor's object lacks field "
                    + (dtype == null ? "dtype" : shape == null ? "shape" : "data_offsets"));
        }
        return new Entry(name, dtype, shape, offsets[0], offsets[1], offsetsAt, shapeAt);
    }

    /** An array of non-negative integers: exactly {@code count} of them, or at most 64 if count is -1. */
    private static long[] integers(JsonCursor c, int count, String what, FormatContext ctx)
            throws TensorFormatException {
        long at = c.offset();
        c.expect('[', "to start an array of integers");
        List<Long> values = new ArrayList<>();
        if (!c.consume(']')) {
            do {
                if (values.size() == (count < 0 ? NpyHeader.MAX_RANK : count)) {
                    throw c.error(count < 0 ? "shape has more than " + NpyHeader.MAX_RANK + " dimensions"
                            : "data_offsets must hold exactly 2 integers [begin, end]");
                }
                values.add(c.nonNegativeLong(what));
            } while (c.consume(','));
            c.expect(']', "or ',' in an array of integers");
        }
        if (count >= 0 && values.size() != count) {
            throw ctx.error(at, "data_offsets must hold exactly 2 integers [begin, end] but holds " + values.size());
        }
        return values.stream().mapToLong(Long::longValue).toArray();
    }

    /** The safetensors dtype name of {@code dtype}. */
    static String dtypeName(DType dtype) {
        return switch (dtype) {
            case F32 -> "F32";
            case F64 -> "F64";
            case I32 -> "I32";
            case I64 -> "I64";
            case U8 -> "U8";
            case BOOL -> "BOOL";
        };
    }

    /**
     * The header bytes for tensors in the given order (data laid out back to back in that order) and
     * metadata: compact JSON, {@code __metadata__} first if not empty, padded with spaces to a multiple of
     * 8 bytes so that the data buffer starts 8-byte aligned.
     */
    static byte[] encode(List<Map.Entry<String, Tensor>> tensors, Map<String, String> metadata) {
        StringBuilder sb = new StringBuilder("{");
        if (!metadata.isEmpty()) {
            quote(sb, METADATA_KEY).append(":{");
            String sep = "";
            for (Map.Entry<String, String> e : metadata.entrySet()) {
                quote(sb.append(sep), e.getKey()).append(':');
                quote(sb, e.getValue());
                sep = ",";
            }
            sb.append('}');
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors) {
            Tensor t = e.getValue();
            if (sb.length() > 1) {
                sb.append(',');
            }
            quote(sb, e.getKey()).append(":{\"dtype\":\"").append(dtypeName(t.dtype())).append("\",\"shape\":[");
            long[] shape = t.shape();
            for (int i = 0; i < shape.length; i++) {
                sb.append(i > 0 ? "," : "").append(shape[i]);
            }
            sb.append("],\"data_offsets\":[").append(offset).append(',').append(offset + t.byteSize()).append("]}");
            offset += t.byteSize();
        }
        sb.append('}');
        byte[] json = sb.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        byte[] out = java.util.Arrays.copyOf(json, padded);
        java.util.Arrays.fill(out, json.length, padded, (byte) ' ');
        return out;
    }

    /** A JSON string as the safetensors header holds it: UTF-8, only control characters escaped. */
    private static StringBuilder quote(StringBuilder sb, String s) {
        return JsonText.quote(sb, s, false);
    }
}
