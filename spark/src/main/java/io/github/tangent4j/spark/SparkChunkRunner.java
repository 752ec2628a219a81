package io.github.tangent4j.spark;

import io.github.tangent4j.backend.Progress;
import io.github.tangent4j.chunked.ChunkInputs;
import io.github.tangent4j.chunked.ChunkJob;
import io.github.tangent4j.chunked.ChunkPlan;
import io.github.tangent4j.chunked.ChunkRequest;
import io.github.tangent4j.chunked.ChunkRunner;
import io.github.tangent4j.chunked.ChunkTask;
import io.github.tangent4j.tensor.ZarrStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * Runs a chunked output as a Spark job: the driver creates or checks the store (resume: only the tasks
 * with a missing chunk are submitted), broadcasts the inputs, and submits one Spark task per chunk task;
 * each executor computes its tiles on its own backend ({@link TileTask}). The store is the same, byte for
 * byte, as {@link ChunkRunner#LOCAL}'s.
 */
final class SparkChunkRunner implements ChunkRunner {
    private final JavaSparkContext spark;
    private final String store;
    private final TaskHook hook;
    private final PrintWriter progress;

    /**
     * @param store    the store's Hadoop URI
     * @param hook     called before each task attempt, or null
     * @param progress where the driver's progress lines go
     */
    SparkChunkRunner(JavaSparkContext spark, String store, TaskHook hook, PrintWriter progress) {
        this.spark = spark;
        this.store = store;
        this.hook = hook;
        this.progress = progress;
    }

    @Override
    public void run(ChunkRequest request, Progress ignored) throws IOException {
        ChunkPlan plan = request.plan();
        ZarrStore zarr = ChunkJob.open(new HadoopStoreDirectory(store, spark.hadoopConfiguration()),
                request.computation(), request.inputs(), plan, request.attributes());
        List<ChunkTask> pending = plan.pending(zarr);
        if (pending.isEmpty()) {
            return;
        }
        Broadcast<ChunkInputs.Encoded> inputs = spark.broadcast(request.inputs().encode());
        PercentProgress listener = new PercentProgress(pending.size(), progress);
        spark.sc().addSparkListener(listener);
        try {
            spark.parallelize(pending, pending.size())
                    .foreach(new TileTask(request.computation(), plan, inputs, store, request.backend(), hook));
            listener.finished();
        } finally {
            spark.sc().removeSparkListener(listener);
            inputs.destroy();
        }
    }
}
