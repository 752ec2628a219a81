package io.github.tangent4j.spark;

import java.io.PrintWriter;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

/**
 * The driver's progress: one line per finished percent of the job's chunk tasks (failed attempts do not
 * count; their retries do when they succeed).
 */
final class PercentProgress extends SparkListener {
    private final long total;
    private final PrintWriter out;
    private long done;
    private long percent;

    PercentProgress(long total, PrintWriter out) {
        this.total = total;
        this.out = out;
    }

    @Override
    public synchronized void onTaskEnd(SparkListenerTaskEnd end) {
        if (!end.taskInfo().successful()) {
            return;
        }
        done++;
        long p = done * 100 / total;
        if (p > percent) {
            percent = p;
            out.println("tangent4j spark: " + p + "% (" + done + " of " + total + " chunk tasks)");
            out.flush();
        }
    }
}
