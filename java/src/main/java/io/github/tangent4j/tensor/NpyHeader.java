package io.github.tangent4j.tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * The header dictionary of an {@code .npy} file, e.g.
 * {@code {'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }}: parsed strictly (exactly the
 * three keys, Python literal syntax) and formatted as NumPy writes it.
 *
 * @param descr        the dtype string, e.g. {@code <f8}
 * @param fortranOrder whether the data is column-major
 * @param shape        the array shape
 */
record NpyHeader(String descr, boolean fortranOrder, long[] shape) {

    /** Thrown by {@link #parse} with the character position of the problem. */
    static final class SyntaxError extends Exception {
        private static final long serialVersionUID = 1L;
        final int position;

        SyntaxError(int position, String message) {
            super(message);
            this.position = position;
        }
    }

    /** The dict literal as NumPy writes it (without padding or newline). */
    String format() {
        return "{'descr': '" + descr + "', 'fortran_order': " + (fortranOrder ? "True" : "False") + ", 'shape': "
                + Shapes.format(shape) + ", }";
    }

    /** Parses a header dict; anything but whitespace after the closing brace is an error. */
    static NpyHeader parse(String text) throws SyntaxError {
        Parser p = new Parser(text);
        NpyHeader h = p.dict();
        p.skipSpace();
        if (p.pos != text.length()) {
            throw new SyntaxError(p.pos, "unexpected '" + text.charAt(p.pos) + "' after the header dict");
        }
        return h;
    }

    private static final class Parser {
        final String s;
        int pos;

        Parser(String s) {
            this.s = s;
        }

        void skipSpace() {
            while (pos < s.length() && (s.charAt(pos) == ' ' || s.charAt(pos) == '\n' || s.charAt(pos) == '\t'
                    || s.charAt(pos) == '\r')) {
                pos++;
            }
        }

        boolean peek(char c) {
            skipSpace();
            return pos < s.length() && s.charAt(pos) == c;
        }

        void expect(char c) throws SyntaxError {
            if (!peek(c)) {
                throw new SyntaxError(pos, "expected '" + c + "' but found "
                        + (pos < s.length() ? "'" + s.charAt(pos) + "'" : "the end of the header"));
            }
            pos++;
        }

        NpyHeader dict() throws SyntaxError {
            expect('{');
            String descr = null;
            Boolean fortran = null;
            long[] shape = null;
            while (!peek('}')) {
                int keyPos = pos;
                String key = string();
                expect(':');
                switch (key) {
                    case "descr" -> {
                        if (descr != null) {
                            throw new SyntaxError(keyPos, "duplicate key 'descr'");
                        }
                        if (!peek('\'') && !peek('"')) {
                            throw new SyntaxError(pos, "field 'descr': expected a dtype string (structured dtypes "
                                    + "are not supported)");
                        }
                        descr = string();
                    }
                    case "fortran_order" -> {
                        if (fortran != null) {
                            throw new SyntaxError(keyPos, "duplicate key 'fortran_order'");
                        }
                        fortran = bool();
                    }
                    case "shape" -> {
                        if (shape != null) {
                            throw new SyntaxError(keyPos, "duplicate key 'shape'");
                        }
                        shape = tuple();
                    }
                    default -> throw new SyntaxError(keyPos, "unexpected key '" + key
                            + "' (expected descr, fortran_order, shape)");
                }
                if (!peek('}')) {
                    expect(',');
                }
            }
            expect('}');
            if (descr == null || fortran == null || shape == null) {
                throw new SyntaxError(pos, "missing key '" + (descr == null ? "descr" : fortran == null
                        ? "fortran_order" : "shape") + "'");
            }
            return new NpyHeader(descr, fortran, shape);
        }

        String string() throws SyntaxError {
            skipSpace();
            if (pos >= s.length() || (s.charAt(pos) != '\'' && s.charAt(pos) != '"')) {
                throw new SyntaxError(pos, "expected a quoted string");
            }
            char q = s.charAt(pos++);
            int start = pos;
            while (pos < s.length() && s.charAt(pos) != q) {
                if (s.charAt(pos) == '\\') {
                    throw new SyntaxError(pos, "escapes in strings are not supported");
                }
                pos++;
            }
            if (pos >= s.length()) {
                throw new SyntaxError(start, "unterminated string");
            }
            return s.substring(start, pos++);
        }

        boolean bool() throws SyntaxError {
            skipSpace();
            if (s.startsWith("True", pos)) {
                pos += 4;
                return true;
            }
            if (s.startsWith("False", pos)) {
                pos += 5;
                return false;
            }
            throw new SyntaxError(pos, "field 'fortran_order': expected True or False");
        }

        long[] tuple() throws SyntaxError {
            expect('(');
            List<Long> dims = new ArrayList<>();
            while (!peek(')')) {
                int start = pos;
                while (pos < s.length() && Character.isDigit(s.charAt(pos))) {
                    pos++;
                }
                if (start == pos) {
                    throw new SyntaxError(pos, "field 'shape': expected a non-negative integer");
                }
                // Python 2 era files may write long integers as 3L.
                String digits = s.substring(start, pos);
                if (pos < s.length() && s.charAt(pos) == 'L') {
                    pos++;
                }
                try {
                    dims.add(Long.parseLong(digits));
                } catch (NumberFormatException e) {
                    throw new SyntaxError(start, "field 'shape': dimension " + digits + " does not fit in 64 bits");
                }
                if (!peek(')')) {
                    expect(',');
                } else if (dims.size() == 1 && s.charAt(pos - 1) != ',') {
                    // "(5)" is an int in Python, not a tuple; NumPy always writes "(5,)".
                    throw new SyntaxError(pos, "field 'shape': a one-element tuple needs a trailing comma");
                }
            }
            expect(')');
            long[] out = new long[dims.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = dims.get(i);
            }
            return out;
        }
    }
}
