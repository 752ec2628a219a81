package io.github.tangent4j.spark;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.backend.Backends;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * The backend of this JVM (an executor, or the driver in local mode), opened once and kept: the GPU on a
 * GPU node, the Java backend elsewhere ({@link Backends#auto()}), or the one a task names. A backend is used
 * by one thread at a time and a CUDA context is current per thread, so every computation runs on one
 * thread that owns the backend, however many task threads the executor has; the backend itself uses
 * the cores (GEMM threads) or the device.
 */
final class ExecutorBackend {
    private static final ExecutorService THREAD = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "tangent4j-backend");
        t.setDaemon(true);
        return t;
    });
    private static Backend backend;   // confined to THREAD
    private static String name;

    private ExecutorBackend() {
    }

    /**
     * Runs {@code work} on this JVM's backend named {@code backendName} ({@code auto}, {@code java},
     * {@code cuda}) and returns its result; the calling task thread waits.
     */
    static <T> T call(String backendName, Function<Backend, T> work) throws Exception {
        Callable<T> c = () -> work.apply(open(backendName));
        Future<T> f = THREAD.submit(c);
        try {
            return f.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        } catch (InterruptedException e) {
            f.cancel(true);   // the task was killed (speculation lost, job cancelled): stop at the next tile
            throw e;
        }
    }

    private static Backend open(String backendName) {
        if (backend == null || !backendName.equalsIgnoreCase(name)) {
            if (backend != null) {
                backend.close();
            }
            backend = backendName.equalsIgnoreCase("auto") ? Backends.auto() : Backends.create(backendName);
            name = backendName;
        }
        return backend;
    }
}
