package io.github.tangent4j.chunked;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.backend.Backends;
import io.github.tangent4j.backend.Progress;
import io.github.tangent4j.tensor.LocalStoreDirectory;
import io.github.tangent4j.tensor.ZarrStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Runs a {@link ChunkRequest}: by default {@link #LOCAL}, on this machine's backend into a local folder,
 * task after task; the Spark module {@linkplain #install installs} one that runs the tasks as a Spark job.
 */
@FunctionalInterface
public interface ChunkRunner {
    /** Computes the request's missing chunks, reporting (tasks done, tasks pending) to {@code listener} (may be null). */
    void run(ChunkRequest request, Progress listener) throws IOException;

    /** On this machine: the store is the local folder {@code out}, the backend the one named by the request. */
    ChunkRunner LOCAL = (request, listener) -> {
        ChunkPlan plan = request.plan();
        ZarrStore store = ChunkJob.open(new LocalStoreDirectory(Path.of(request.out())), request.computation(),
                request.inputs(), plan, request.attributes());
        try (Backend backend = request.backend().equalsIgnoreCase("auto") ? Backends.auto()
                : Backends.create(request.backend())) {
            ChunkJob.run(backend, request.computation(), request.inputs(), plan, store, listener);
        }
    };

    /** The runner the command line uses: {@link #LOCAL} unless another was installed. */
    static ChunkRunner current() {
        return InstalledRunner.runner;
    }

    /** Makes {@code runner} the one the command line uses in this JVM (the Spark module's entry point does). */
    static void install(ChunkRunner runner) {
        InstalledRunner.runner = Objects.requireNonNull(runner, "runner");
    }
}
