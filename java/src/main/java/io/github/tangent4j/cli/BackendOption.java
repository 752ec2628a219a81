package io.github.tangent4j.cli;

import io.github.tangent4j.backend.Backends;
import picocli.CommandLine.Option;

/**
 * The option {@code --backend auto|java|cuda} (the compute backend, {@code auto} by default) of the
 * subcommands that read no model ({@code demo}, {@code subset-bench}); {@link DataOptions} has its own for
 * the others.
 */
final class BackendOption {
    @Option(names = "--backend", paramLabel = "auto|java|cuda", defaultValue = "auto",
            description = "compute backend (default: ${DEFAULT-VALUE})")
    String name;

    /** The backend named by --backend and why it was chosen ({@link DataOptions#select}). */
    Backends.Selection select() {
        return DataOptions.select(name);
    }
}
