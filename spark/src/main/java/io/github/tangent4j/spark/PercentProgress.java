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
        report();
    }

    /**
     * Marks every task done once the job has returned (the listener bus is asynchronous: its last events may
     * arrive after the job ends), printing the lines not printed yet.
     */
    synchronized void finished() {
        done = total;
        report();
    }

    private void report() {
        long p = Math.min(done, total) * 100 / total;
        if (p > percent) {
            percent = p;
            out.println("tangent4j spark: " + p + "% (" + Math.min(done, total) + " of " + total + " chunk tasks)");
            out.flush();
        }
    }
}
