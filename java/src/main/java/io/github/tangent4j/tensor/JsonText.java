package io.github.tangent4j.tensor;

/** JSON string literals (RFC 8259, section 7) for the headers and metadata the writers produce. */
final class JsonText {
    private JsonText() {
    }

    /**
     * Appends {@code s} to {@code sb} as a JSON string: quotes, backslashes and control characters escaped;
     * with {@code asciiOnly} every character above 0x7e as {@code \\uXXXX} too (as Python's {@code json.dumps}
     * writes by default), else as itself.
     *
     * @return {@code sb}
     */
    static StringBuilder quote(StringBuilder sb, String s, boolean asciiOnly) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c < 0x20 || (asciiOnly && c > 0x7e)) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"');
    }
}
