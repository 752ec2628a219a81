package io.github.tangent4j.cli;

import io.github.tangent4j.chunked.ChunkInputs;
import io.github.tangent4j.chunked.ChunkPlan;
import io.github.tangent4j.chunked.ChunkRequest;
import io.github.tangent4j.chunked.ChunkRunner;
import io.github.tangent4j.chunked.ChunkedComputation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The chunked output of CLI.md ("Chunked outputs (Zarr) and Spark"): with {@code --out NAME.zarr} a
 * subcommand writes a Zarr v2 store chunk by chunk instead of one {@code .npy}, resuming an existing
 * store of the same command and refusing one of other inputs or options; {@code --chunk R[xC]} sets the
 * chunk shape. A mixin: a subcommand hands its computation to {@link #writeStore} and stops when it
 * returns true.
 */
final class ChunkOptions {
    /** Options that do not change what is computed, left out of the store's attributes. */
    private static final Set<String> NOT_RECORDED = Set.of("out", "backend", "chunk", "verbose", "help", "version");

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--chunk", paramLabel = "R[xC]",
            description = "with --out NAME.zarr: chunk rows R (and columns C) of the first two axes (default: about"
                    + " 32 MiB per chunk)")
    String chunk;

    /** True when {@code out} names a Zarr store ({@code .zarr}). */
    static boolean isStore(Path out) {
        return out != null && out.getFileName() != null && out.getFileName().toString().endsWith(".zarr");
    }

    /**
     * Checks a store target before anything is computed: an existing folder (a store to resume) or a new
     * name in an existing directory.
     *
     * @throws IllegalArgumentException naming the option and the path
     */
    static void checkTarget(Path out, String option) {
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new IllegalArgumentException(option + " " + out + ": exists and is not a folder; expected a Zarr store"
                    + " (a folder) or a new name");
        }
        Path dir = out.toAbsolutePath().getParent();
        if (!Files.exists(out) && (dir == null || !Files.isDirectory(dir))) {
            throw new IllegalArgumentException(option + " " + out + ": the directory " + dir + " does not exist;"
                    + " expected a store in an existing directory");
        }
    }

    /**
     * When --out is a {@code .zarr} store, computes {@code c} on {@code in} into it (only the missing
     * chunks) with the installed {@link ChunkRunner} and returns true; otherwise returns false (and
     * refuses --chunk).
     */
    boolean writeStore(DataOptions options, ChunkedComputation c, ChunkInputs in) throws IOException {
        if (!isStore(options.out)) {
            if (chunk != null) {
                throw new IllegalArgumentException("--chunk: only with --out NAME.zarr (a chunked store) but --out was "
                        + options.out);
            }
            return false;
        }
        Map<String, String> recorded = new TreeMap<>();
        for (OptionSpec o : spec.options()) {
            String name = o.longestName().replaceFirst("^-+", "");
            Object value = o.getValue();
            if (!NOT_RECORDED.contains(name) && value != null && !(value instanceof Path)) {
                recorded.put(name, value.toString());
            }
        }
        ChunkRequest request = new ChunkRequest(c, in, chunk == null ? null : ChunkPlan.parse(chunk),
                ChunkRequest.attributes(c.subcommand(), recorded, in), options.out.toString(), options.backend);
        try (ProgressBars bar = ProgressBars.open(c.subcommand())) {
            ChunkRunner.current().run(request, bar.listener());
        }
        return true;
    }
}
