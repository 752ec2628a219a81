package io.github.tangent4j.chunked;

import java.util.Map;
import java.util.TreeMap;

/**
 * A chunked output to compute, as the command line hands it to a {@link ChunkRunner}.
 *
 * @param computation what to compute
 * @param inputs      from what
 * @param chunks      the chunk rows and columns asked for ({R} or {R, C}), or null for the default
 * @param attributes  the store's {@code .zattrs}: see {@link #attributes(String, Map, ChunkInputs)}
 * @param out         the store's location as given (a path; a URI for runners that take one)
 * @param backend     the backend name: {@code auto}, {@code java} or {@code cuda}
 */
public record ChunkRequest(ChunkedComputation computation, ChunkInputs inputs, long[] chunks,
        Map<String, Object> attributes, String out, String backend) {

    /**
     * The attributes a store records: {@code subcommand}, {@code options} (name without dashes to value,
     * as text) and {@code inputs} (their {@linkplain ChunkInputs#fingerprints() fingerprints}). Two runs
     * may share a store exactly when these are equal.
     */
    public static Map<String, Object> attributes(String subcommand, Map<String, String> options, ChunkInputs inputs) {
        Map<String, Object> a = new TreeMap<>();
        a.put("subcommand", subcommand);
        a.put("options", new TreeMap<>(options));
        a.put("inputs", new TreeMap<>(inputs.fingerprints()));
        return a;
    }

    /** The plan this request asks for. */
    public ChunkPlan plan() {
        return ChunkPlan.of(computation, inputs, chunks);
    }
}
