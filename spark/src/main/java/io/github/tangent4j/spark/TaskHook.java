package io.github.tangent4j.spark;

import io.github.tangent4j.chunked.ChunkTask;
import java.io.Serializable;

/** Called by each Spark task attempt before it computes its chunk task (fault injection in tests). */
@FunctionalInterface
interface TaskHook extends Serializable {
    /** Runs before {@code task} is computed; an exception fails the attempt. */
    void before(ChunkTask task) throws Exception;
}
