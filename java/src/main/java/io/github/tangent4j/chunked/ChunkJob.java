package io.github.tangent4j.chunked;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.backend.Progress;
import io.github.tangent4j.tensor.Blocks;
import io.github.tangent4j.tensor.StoreDirectory;
import io.github.tangent4j.tensor.Tensor;
import io.github.tangent4j.tensor.ZarrStore;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * Computes a chunked output into a Zarr store: {@link #open} creates or checks the store,
 * {@link #computeTask} is the pure function that computes one task's tile and writes its missing chunks
 * (the command line and the Spark executors call the same one), and {@link #run} runs the pending tasks
 * one after another.
 */
public final class ChunkJob {
    private ChunkJob() {
    }

    /**
     * The store for {@code plan} in {@code dir}: created, or an existing one checked to be this same
     * computation's (see {@link ZarrStore#open}).
     */
    public static ZarrStore open(StoreDirectory dir, ChunkedComputation c, ChunkInputs in, ChunkPlan plan,
            Map<String, ?> attributes) throws IOException {
        return ZarrStore.open(dir, c.dtype(in), plan.shape(), plan.chunks(), attributes);
    }

    /**
     * Computes task {@code t} of {@code plan} on {@code backend} and writes each of its chunks that
     * {@code store} does not hold whole; chunks already present are never rewritten. Returns the number of
     * chunks written. The same as {@link #write}({@link #block}) when {@link #complete} is false.
     */
    public static int computeTask(Backend backend, ChunkedComputation c, ChunkInputs in, ChunkPlan plan, ZarrStore store,
            ChunkTask t) throws IOException {
        if (complete(store, plan, t)) {
            return 0;
        }
        return write(store, plan, t, block(backend, c, in, plan, t));
    }

    /** True when every chunk task {@code t} writes is in {@code store}, whole. */
    public static boolean complete(ZarrStore store, ChunkPlan plan, ChunkTask t) throws IOException {
        for (ChunkTask target : plan.targets(t)) {
            if (!store.hasChunk(target.row(), target.col())) {
                return false;
            }
        }
        return true;
    }

    /** The tile of task {@code t}: the output's values on chunk ({@code t.row()}, {@code t.col()}), computed on {@code backend}. */
    public static Tensor block(Backend backend, ChunkedComputation c, ChunkInputs in, ChunkPlan plan, ChunkTask t) {
        long[] shape = plan.shape();
        long[] chunks = plan.chunks();
        long r0 = t.row() * chunks[0];
        long r1 = Math.min(shape[0], r0 + chunks[0]);
        long c0 = c.grid() ? t.col() * chunks[1] : 0;
        long c1 = c.grid() ? Math.min(shape[1], c0 + chunks[1]) : shape.length > 1 ? shape[1] : 1;
        return c.block(backend, in, r0, r1, c0, c1);
    }

    /**
     * Writes the chunks of task {@code t} that {@code store} does not hold whole from its tile {@code block}
     * (and, when the plan mirrors, the mirrored chunk from its transpose); returns how many were written.
     */
    public static int write(ZarrStore store, ChunkPlan plan, ChunkTask t, Tensor block) throws IOException {
        int written = 0;
        if (!store.hasChunk(t.row(), t.col())) {
            store.writeChunk(t.row(), t.col(), block);
            written++;
        }
        List<ChunkTask> targets = plan.targets(t);
        if (targets.size() > 1 && !store.hasChunk(t.col(), t.row())) {
            store.writeChunk(t.col(), t.row(), Blocks.transpose(block, plan.mirror() == Mirror.TRANSPOSE_OUTPUTS));
            written++;
        }
        return written;
    }

    /**
     * Computes every pending task of {@code plan} into {@code store} on {@code backend}, in order, reporting
     * (tasks done, tasks pending) after each to {@code listener} (may be null); stops with
     * {@link java.util.concurrent.CancellationException} at the next task when the thread is interrupted.
     */
    public static void run(Backend backend, ChunkedComputation c, ChunkInputs in, ChunkPlan plan, ZarrStore store,
            Progress listener) throws IOException {
        List<ChunkTask> pending = plan.pending(store);
        for (int k = 0; k < pending.size(); k++) {
            if (Thread.currentThread().isInterrupted()) {
                throw new java.util.concurrent.CancellationException("interrupted after " + k + " of " + pending.size()
                        + " chunk tasks; the store keeps the chunks written so far");
            }
            computeTask(backend, c, in, plan, store, pending.get(k));
            if (listener != null) {
                listener.onProgress(k + 1, pending.size());
            }
        }
    }
}
