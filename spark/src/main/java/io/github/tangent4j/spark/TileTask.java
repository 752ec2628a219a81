package io.github.tangent4j.spark;

import io.github.tangent4j.chunked.ChunkInputs;
import io.github.tangent4j.chunked.ChunkJob;
import io.github.tangent4j.chunked.ChunkPlan;
import io.github.tangent4j.chunked.ChunkTask;
import io.github.tangent4j.chunked.ChunkedComputation;
import io.github.tangent4j.tensor.Tensor;
import io.github.tangent4j.tensor.ZarrStore;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.function.VoidFunction;
import org.apache.spark.broadcast.Broadcast;
import scala.Tuple2;

/**
 * One Spark task: computes a {@link ChunkTask}'s tile with {@link ChunkJob#block} on this JVM's
 * {@link ExecutorBackend} and writes its missing chunks with {@link ChunkJob#write} (together, the
 * {@link ChunkJob#computeTask} the command line runs) to the store through Hadoop's filesystem API. The
 * inputs come from a broadcast and are decoded once per JVM. A retried or
 * speculative attempt writes the same bytes, whole, and skips chunks already there.
 */
final class TileTask implements VoidFunction<ChunkTask> {
    private static final long serialVersionUID = 1L;
    /** Decoded inputs per broadcast id: once per JVM, not once per task. */
    private static final ConcurrentMap<Long, ChunkInputs> INPUTS = new ConcurrentHashMap<>();

    private final ChunkedComputation computation;
    private final ChunkPlan plan;
    private final Broadcast<ChunkInputs.Encoded> inputs;
    private final String store;
    private final String backend;
    private final TaskHook hook;

    TileTask(ChunkedComputation computation, ChunkPlan plan, Broadcast<ChunkInputs.Encoded> inputs, String store,
            String backend, TaskHook hook) {
        this.computation = computation;
        this.plan = plan;
        this.inputs = inputs;
        this.store = store;
        this.backend = backend;
        this.hook = hook;
    }

    @Override
    public void call(ChunkTask task) throws Exception {
        if (hook != null) {
            hook.before(task);
        }
        ChunkInputs in = INPUTS.computeIfAbsent(inputs.id(), id -> {
            INPUTS.clear();   // one job's inputs at a time
            return inputs.value().decode();
        });
        ZarrStore zarr = ZarrStore.openExisting(new HadoopStoreDirectory(store, hadoopConfiguration()));
        if (ChunkJob.complete(zarr, plan, task)) {
            return;   // written by an earlier attempt
        }
        // The tile on the backend's thread; the chunks from this task thread, while the backend computes
        // the next task's tile.
        Tensor block = ExecutorBackend.call(backend, b -> ChunkJob.block(b, computation, in, plan, task));
        ChunkJob.write(zarr, plan, task, block);
    }

    /** The Hadoop configuration of this executor: its *-site.xml files and the job's spark.hadoop.* settings. */
    private static Configuration hadoopConfiguration() {
        Configuration conf = new Configuration();
        SparkEnv env = SparkEnv.get();
        if (env != null) {
            for (Tuple2<String, String> e : env.conf().getAllWithPrefix("spark.hadoop.")) {
                conf.set(e._1(), e._2());
            }
        }
        return conf;
    }
}
