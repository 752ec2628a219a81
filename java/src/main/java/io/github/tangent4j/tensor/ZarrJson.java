package io.github.tangent4j.tensor;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * JSON text exactly as zarr-python 2.x writes its metadata files ({@code json.dumps(o, indent=4,
 * sort_keys=True, ensure_ascii=True, separators=(',', ': '))}, no final newline), for maps, lists,
 * strings, integers, booleans, null and {@link Raw} number literals.
 */
final class ZarrJson {
    /** A literal written as it is (a float such as {@code 0.0}, as Python's repr writes it). */
    record Raw(String text) {
    }

    private ZarrJson() {
    }

    static byte[] encode(Object value) {
        StringBuilder sb = new StringBuilder();
        write(sb, value, 0);
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static void write(StringBuilder sb, Object v, int depth) {
        switch (v) {
            case null -> sb.append("null");
            case Raw r -> sb.append(r.text());
            case Boolean b -> sb.append(b);
            case Integer i -> sb.append(i);
            case Long l -> sb.append(l);
            case String s -> JsonText.quote(sb, s, true);
            case Map<?, ?> m -> {
                if (m.isEmpty()) {
                    sb.append("{}");
                    return;
                }
                Map<String, Object> sorted = new TreeMap<>();
                m.forEach((k, x) -> sorted.put((String) k, x));
                sb.append('{');
                String sep = "\n";
                for (Map.Entry<String, Object> e : sorted.entrySet()) {
                    sb.append(sep);
                    indent(sb, depth + 1);
                    JsonText.quote(sb, e.getKey(), true);
                    sb.append(": ");
                    write(sb, e.getValue(), depth + 1);
                    sep = ",\n";
                }
                sb.append('\n');
                indent(sb, depth);
                sb.append('}');
            }
            case List<?> list -> {
                if (list.isEmpty()) {
                    sb.append("[]");
                    return;
                }
                sb.append('[');
                String sep = "\n";
                for (Object x : list) {
                    sb.append(sep);
                    indent(sb, depth + 1);
                    write(sb, x, depth + 1);
                    sep = ",\n";
                }
                sb.append('\n');
                indent(sb, depth);
                sb.append(']');
            }
            default -> throw new IllegalArgumentException("value: expected a map, list, string, integer, boolean or"
                    + " null but was " + v.getClass().getName());
        }
    }

    private static void indent(StringBuilder sb, int depth) {
        sb.append(" ".repeat(4 * depth));
    }
}
