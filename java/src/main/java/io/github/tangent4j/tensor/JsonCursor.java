package io.github.tangent4j.tensor;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Reads JSON tokens (RFC 8259) from UTF-8 bytes, strictly: no comments, no trailing commas, no leading
 * zeros, strings of valid UTF-8 without raw control characters and without lone surrogate escapes. It
 * reads only what a caller asks for, so the caller's code is the schema, and nesting cannot recurse
 * deeper than that schema. Errors report the file offset of the offending byte.
 */
final class JsonCursor {
    private final byte[] b;
    private final long base;
    private FormatContext ctx;
    private int pos;

    /** A cursor over all of {@code bytes}, which start at file offset {@code base}. */
    JsonCursor(byte[] bytes, long base, FormatContext ctx) {
        this.b = bytes;
        this.base = base;
        this.ctx = ctx;
    }

    /** Reports later errors in {@code context} (for example, naming the entry being parsed). */
    void context(FormatContext context) {
        this.ctx = context;
    }

    /** File offset of the next unread byte (after whitespace has been skipped by the last call). */
    long offset() {
        return base + pos;
    }

    /** Skips whitespace, then reports whether the next byte is {@code c} (without consuming it). */
    boolean peek(char c) {
        skipWhitespace();
        return pos < b.length && b[pos] == c;
    }

    /** Skips whitespace, then consumes {@code c} if it is next. */
    boolean consume(char c) {
        if (peek(c)) {
            pos++;
            return true;
        }
        return false;
    }

    /** Skips whitespace, then consumes {@code c} or fails saying {@code what} was expected. */
    void expect(char c, String what) throws TensorFormatException {
        if (!consume(c)) {
            throw error("expected '" + c + "' " + what + " but found " + describeNext());
        }
    }

    /** Consumes the literal {@code null} if it is next. */
    boolean consumeNull() {
        skipWhitespace();
        if (pos + 4 <= b.length && b[pos] == 'n' && b[pos + 1] == 'u' && b[pos + 2] == 'l' && b[pos + 3] == 'l') {
            pos += 4;
            return true;
        }
        return false;
    }

    /** Reads a string. */
    String string(String what) throws TensorFormatException {
        skipWhitespace();
        if (pos >= b.length || b[pos] != '"') {
            throw error("expected a string (" + what + ") but found " + describeNext());
        }
        int start = pos++;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (true) {
            if (pos >= b.length) {
                throw ctx.error(base + start, "string is not closed before the end of the header");
            }
            int c = b[pos] & 0xff;
            if (c == '"') {
                pos++;
                break;
            }
            if (c < 0x20) {
                throw error(String.format("control character 0x%02x in a string must be escaped", c));
            }
            if (c != '\\') {
                out.write(c);
                pos++;
                continue;
            }
            if (pos + 1 >= b.length) {
                throw error("escape sequence cut off by the end of the header");
            }
            char e = (char) b[pos + 1];
            pos += 2;
            switch (e) {
                case '"', '\\', '/' -> out.write(e);
                case 'b' -> out.write('\b');
                case 'f' -> out.write('\f');
                case 'n' -> out.write('\n');
                case 'r' -> out.write('\r');
                case 't' -> out.write('\t');
                case 'u' -> writeUtf8(out, unicodeEscape());
                default -> {
                    pos -= 2;
                    throw error("invalid escape sequence '\\" + (e >= 0x20 && e < 0x7f ? String.valueOf(e)
                            : String.format("x%02x", (int) e)) + "'");
                }
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(out.toByteArray()))
                    .toString();
        } catch (CharacterCodingException ex) {
            throw ctx.error(base + start, "string is not valid UTF-8");
        }
    }

    /** After {@code \\u}: one escape, or a surrogate pair of two; returns the code point. */
    private int unicodeEscape() throws TensorFormatException {
        int at = pos - 2;
        int unit = hex4();
        if (unit >= 0xdc00 && unit <= 0xdfff) {
            throw ctx.error(base + at, "lone low surrogate escape \\u" + Integer.toHexString(unit));
        }
        if (unit < 0xd800 || unit > 0xdbff) {
            return unit;
        }
        if (pos + 2 > b.length || b[pos] != '\\' || b[pos + 1] != 'u') {
            throw ctx.error(base + at, "high surrogate escape \\u" + Integer.toHexString(unit)
                    + " is not followed by a low surrogate escape");
        }
        pos += 2;
        int low = hex4();
        if (low < 0xdc00 || low > 0xdfff) {
            throw ctx.error(base + at, "high surrogate escape \\u" + Integer.toHexString(unit)
                    + " is followed by \\u" + Integer.toHexString(low) + ", not a low surrogate");
        }
        return Character.toCodePoint((char) unit, (char) low);
    }

    private int hex4() throws TensorFormatException {
        if (pos + 4 > b.length) {
            throw error("\\u escape needs 4 hex digits");
        }
        int v = 0;
        for (int i = 0; i < 4; i++) {
            int d = Character.digit(b[pos + i], 16);
            if (d < 0 || b[pos + i] < 0) {
                throw ctx.error(base + pos + i, "\\u escape needs 4 hex digits but found " + describe(pos + i));
            }
            v = v * 16 + d;
        }
        pos += 4;
        return v;
    }

    private static void writeUtf8(ByteArrayOutputStream out, int codePoint) {
        byte[] utf8 = new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8);
        out.write(utf8, 0, utf8.length);
    }

    /** Reads a non-negative integer that fits in a long (no sign, fraction or exponent). */
    long nonNegativeLong(String what) throws TensorFormatException {
        skipWhitespace();
        int start = pos;
        if (pos >= b.length || b[pos] < '0' || b[pos] > '9') {
            throw error("expected a non-negative integer (" + what + ") but found " + describeNext());
        }
        if (b[pos] == '0' && pos + 1 < b.length && b[pos + 1] >= '0' && b[pos + 1] <= '9') {
            throw error("number with a leading zero (" + what + ")");
        }
        long v = 0;
        while (pos < b.length && b[pos] >= '0' && b[pos] <= '9') {
            int digit = b[pos] - '0';
            if (v > (Long.MAX_VALUE - digit) / 10) {
                throw ctx.error(base + start, what + " does not fit in a 64-bit signed integer");
            }
            v = v * 10 + digit;
            pos++;
        }
        if (pos < b.length && (b[pos] == '.' || b[pos] == 'e' || b[pos] == 'E')) {
            throw error("expected an integer (" + what + ") but found a fraction or exponent");
        }
        return v;
    }

    /** Fails unless only whitespace is left. */
    void expectEnd() throws TensorFormatException {
        skipWhitespace();
        if (pos < b.length) {
            throw error("expected only whitespace after the header object but found " + describeNext());
        }
    }

    private void skipWhitespace() {
        while (pos < b.length && (b[pos] == ' ' || b[pos] == '\t' || b[pos] == '\n' || b[pos] == '\r')) {
            pos++;
        }
    }

    String describeNext() {
        return describe(pos);
    }

    private String describe(int at) {
        if (at >= b.length) {
            return "the end of the header";
        }
        int c = b[at] & 0xff;
        return c >= 0x20 && c < 0x7f ? "'" + (char) c + "'" : String.format("byte 0x%02x", c);
    }

    /** An error at the next unread byte. */
    TensorFormatException error(String detail) {
        return ctx.error(base + pos, detail);
    }
}
