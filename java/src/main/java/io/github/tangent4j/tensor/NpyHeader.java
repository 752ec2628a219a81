package io.github.tangent4j.tensor;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The header of a {@code .npy} file: element type and byte order, memory order, shape, and the byte
 * size of the data they imply. {@link #parse} reads the header's Python dict literal strictly; {@link
 * #encode} writes the header exactly as NumPy's {@code np.save} does.
 *
 * @param dtype        element type
 * @param bigEndian    whether the file stores elements big endian
 * @param fortranOrder whether the file stores elements in column-major order
 * @param shape        dimensions
 * @param dataBytes    byte size of the data, checked for overflow
 */
record NpyHeader(DType dtype, boolean bigEndian, boolean fortranOrder, long[] shape, long dataBytes) {
    /** The 6 magic bytes every {@code .npy} file starts with. */
    static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    /** Most dimensions NumPy supports (its {@code NPY_MAXDIMS}); more are rejected on read and write. */
    static final int MAX_RANK = 64;
    /** Data starts at a multiple of this, as NumPy aligns it. */
    static final int ALIGN = 64;
    /** NumPy leaves room for the first dimension to grow to this many digits (numpy.lib.format). */
    private static final int GROWTH_AXIS_MAX_DIGITS = 21;

    private record Descr(DType dtype, boolean bigEndian) {
    }

    private static final Map<String, Descr> DESCRS = Map.ofEntries(
            Map.entry("<f4", new Descr(DType.F32, false)), Map.entry(">f4", new Descr(DType.F32, true)),
            Map.entry("<f8", new Descr(DType.F64, false)), Map.entry(">f8", new Descr(DType.F64, true)),
            Map.entry("<i4", new Descr(DType.I32, false)), Map.entry(">i4", new Descr(DType.I32, true)),
            Map.entry("<i8", new Descr(DType.I64, false)), Map.entry(">i8", new Descr(DType.I64, true)),
            Map.entry("|u1", new Descr(DType.U8, false)), Map.entry("<u1", new Descr(DType.U8, false)),
            Map.entry(">u1", new Descr(DType.U8, false)),
            Map.entry("|b1", new Descr(DType.BOOL, false)), Map.entry("<b1", new Descr(DType.BOOL, false)),
            Map.entry(">b1", new Descr(DType.BOOL, false)));

    static final String SUPPORTED_DESCRS = "<f4 <f8 <i4 <i8 |u1 |b1 and big-endian >f4 >f8 >i4 >i8";

    /**
     * Parses header bytes (the dict literal, padding and final newline).
     *
     * @param text   the header bytes
     * @param utf8   whether they are UTF-8 (format 3.0) rather than Latin-1
     * @param offset offset of {@code text[0]} for error messages
     */
    static NpyHeader parse(byte[] text, boolean utf8, long offset, FormatContext ctx) throws TensorFormatException {
        if (utf8) {
            try {
                StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(text));
            } catch (CharacterCodingException e) {
                throw ctx.error(offset, "the format 3.0 header is not valid UTF-8");
            }
        }
        return new Parser(text, utf8, offset, ctx).header();
    }

    /**
     * The bytes NumPy writes before the data of an array of {@code dtype} and {@code shape} in C order:
     * magic, version 1.0, header length, the dict literal with room for the first axis to grow, spaces up
     * to a multiple of {@link #ALIGN} and a newline.
     */
    static byte[] encode(DType dtype, long[] shape) {
        StringBuilder dict = new StringBuilder("{'descr': '").append(dtype.numpyDescr())
                .append("', 'fortran_order': False, 'shape': ").append(Shapes.format(shape)).append(", }");
        if (shape.length > 0) {
            dict.append(" ".repeat(GROWTH_AXIS_MAX_DIGITS - Long.toString(shape[0]).length()));
        }
        int prefix = MAGIC.length + 2 + 2;
        int withNewline = dict.length() + 1;
        int pad = ALIGN - (prefix + withNewline) % ALIGN;
        int headerLength = withNewline + pad;
        // MAX_RANK dimensions of at most 19 digits keep the header far below version 1.0's 65535 bytes.
        ByteBuffer out = ByteBuffer.allocate(prefix + headerLength);
        out.put(MAGIC).put((byte) 1).put((byte) 0);
        out.put((byte) headerLength).put((byte) (headerLength >>> 8));
        out.put(dict.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.put(" ".repeat(pad).getBytes(StandardCharsets.ISO_8859_1)).put((byte) '\n');
        return out.array();
    }

    /** Recursive-descent reader of the header's Python literal: a dict of three known keys. */
    private static final class Parser {
        private final byte[] b;
        private final boolean utf8;
        private final long base;
        private final FormatContext ctx;
        private int pos;

        Parser(byte[] b, boolean utf8, long base, FormatContext ctx) {
            this.b = b;
            this.utf8 = utf8;
            this.base = base;
            this.ctx = ctx;
        }

        NpyHeader header() throws TensorFormatException {
            if (b.length == 0 || b[b.length - 1] != '\n') {
                throw error(b.length == 0 ? 0 : b.length - 1, "the header must end with a newline but ends with "
                        + (b.length == 0 ? "nothing (length 0)" : describe(b.length - 1)));
            }
            skipSpace();
            expect('{', "the header dict");
            Descr descr = null;
            Boolean fortran = null;
            long[] shape = null;
            int shapeAt = 0;
            skipSpace();
            while (peek() != '}') {
                int keyAt = pos;
                String key = string();
                skipSpace();
                expect(':', "':' after key '" + key + "'");
                skipSpace();
                switch (key) {
                    case "descr" -> {
                        requireFirst(descr == null, key, keyAt);
                        descr = descr();
                    }
                    case "fortran_order" -> {
                        requireFirst(fortran == null, key, keyAt);
                        fortran = bool();
                    }
                    case "shape" -> {
                        requireFirst(shape == null, key, keyAt);
                        shapeAt = pos;
                        shape = shape();
                    }
                    default -> throw error(keyAt, "unexpected key '" + key
                            + "': the header dict must have exactly the keys descr, fortran_order, shape");
                }
                skipSpace();
                if (peek() == ',') {
                    pos++;
                    skipSpace();
                } else if (peek() != '}') {
                    throw error(pos, "expected ',' or '}' in the header dict but found " + describe(pos));
                }
            }
            int dictEnd = pos;
            pos++;
            while (pos < b.length - 1 && b[pos] == ' ') {
                pos++;
            }
            if (pos != b.length - 1) {
                throw error(pos, "expected only spaces between the header dict and the final newline but found "
                        + describe(pos));
            }
            String missing = descr == null ? "descr" : fortran == null ? "fortran_order" : shape == null ? "shape" : null;
            if (missing != null) {
                throw error(dictEnd, "the header dict has no key '" + missing
                        + "' (it must have exactly descr, fortran_order, shape)");
            }
            long bytes;
            try {
                bytes = Shapes.byteSize(descr.dtype(), shape);
            } catch (IllegalArgumentException e) {
                throw error(shapeAt, "shape " + Shapes.format(shape) + " of " + descr.dtype().numpyDescr()
                        + " has more than " + Long.MAX_VALUE + " bytes");
            }
            return new NpyHeader(descr.dtype(), descr.bigEndian(), fortran, shape, bytes);
        }

        private void requireFirst(boolean first, String key, int at) throws TensorFormatException {
            if (!first) {
                throw error(at, "key '" + key + "' appears twice in the header dict");
            }
        }

        private Descr descr() throws TensorFormatException {
            int at = pos;
            if (peek() != '\'' && peek() != '"') {
                throw error(at, "descr must be a string such as '<f8' (structured dtypes are not supported) but"
                        + " found " + describe(at));
            }
            String s = string();
            Descr d = DESCRS.get(s);
            if (d == null) {
                throw error(at, "unsupported dtype '" + s + "' (supported: " + SUPPORTED_DESCRS + ")");
            }
            return d;
        }

        private boolean bool() throws TensorFormatException {
            if (matchWord("True")) {
                return true;
            }
            if (matchWord("False")) {
                return false;
            }
            throw error(pos, "fortran_order must be True or False but found " + describe(pos));
        }

        private boolean matchWord(String word) {
            int n = word.length();
            if (pos + n > b.length) {
                return false;
            }
            for (int i = 0; i < n; i++) {
                if (b[pos + i] != word.charAt(i)) {
                    return false;
                }
            }
            if (pos + n < b.length && Character.isLetterOrDigit(b[pos + n] & 0xff)) {
                return false;
            }
            pos += n;
            return true;
        }

        private long[] shape() throws TensorFormatException {
            int at = pos;
            expect('(', "the shape tuple");
            List<Long> dims = new ArrayList<>();
            skipSpace();
            boolean comma = false;
            while (peek() != ')') {
                if (dims.size() == MAX_RANK) {
                    throw error(pos, "shape has more than " + MAX_RANK + " dimensions");
                }
                dims.add(dimension());
                skipSpace();
                comma = peek() == ',';
                if (comma) {
                    pos++;
                    skipSpace();
                } else if (peek() != ')') {
                    throw error(pos, "expected ',' or ')' in the shape tuple but found " + describe(pos));
                }
            }
            pos++;
            if (dims.size() == 1 && !comma) {
                throw error(at, "shape must be a tuple, but (" + dims.get(0) + ") is a number; a 1-d shape is written ("
                        + dims.get(0) + ",)");
            }
            return dims.stream().mapToLong(Long::longValue).toArray();
        }

        private long dimension() throws TensorFormatException {
            int at = pos;
            if (pos >= b.length || b[pos] < '0' || b[pos] > '9') {
                throw error(at, "expected a non-negative integer dimension but found " + describe(at));
            }
            if (b[pos] == '0' && pos + 1 < b.length && b[pos + 1] >= '0' && b[pos + 1] <= '9') {
                throw error(at, "dimension has a leading zero");
            }
            long v = 0;
            while (pos < b.length && b[pos] >= '0' && b[pos] <= '9') {
                int digit = b[pos] - '0';
                if (v > (Long.MAX_VALUE - digit) / 10) {
                    throw error(at, "dimension does not fit in a 64-bit integer");
                }
                v = v * 10 + digit;
                pos++;
            }
            if (pos < b.length && b[pos] == 'L') {
                pos++; // Python 2 long literal, written by old NumPy versions
            }
            return v;
        }

        private String string() throws TensorFormatException {
            int at = pos;
            byte quote = peek();
            if (quote != '\'' && quote != '"') {
                throw error(at, "expected a quoted string but found " + describe(at));
            }
            int start = ++pos;
            while (pos < b.length && b[pos] != quote) {
                if (b[pos] == '\\' || b[pos] == '\n') {
                    throw error(pos, "unsupported character " + describe(pos) + " in a string");
                }
                pos++;
            }
            if (pos >= b.length) {
                throw error(at, "string is not closed");
            }
            String s = new String(b, start, pos - start, utf8 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
            pos++;
            return s;
        }

        private void expect(char c, String what) throws TensorFormatException {
            if (peek() != c) {
                throw error(pos, "expected '" + c + "' to start " + what + " but found " + describe(pos));
            }
            pos++;
        }

        private byte peek() {
            // The header always ends with '\n' (checked first), which no rule accepts where peek is used.
            return pos < b.length ? b[pos] : (byte) '\n';
        }

        private void skipSpace() {
            while (pos < b.length - 1 && (b[pos] == ' ' || b[pos] == '\t')) {
                pos++;
            }
        }

        private String describe(int at) {
            if (at >= b.length) {
                return "the end of the header";
            }
            int c = b[at] & 0xff;
            return c >= 0x20 && c < 0x7f ? "'" + (char) c + "'" : String.format("byte 0x%02x", c);
        }

        private TensorFormatException error(int at, String detail) {
            return ctx.error(base + at, detail);
        }
    }
}
