package io.github.tangent4j.cli;

import io.github.tangent4j.backend.Progress;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;

/**
 * A progress bar on stderr for a long computation, drawn only when the command runs on a terminal
 * (none when stderr is piped or redirected, so logs and scripts see no control characters).
 */
final class ProgressBars implements AutoCloseable {
    private final String task;
    private ProgressBar bar;

    private ProgressBars(String task) {
        this.task = task;
    }

    /** A progress bar named {@code task}; draws nothing until the first report. */
    static ProgressBars open(String task) {
        return new ProgressBars(task);
    }

    /** The listener to hand to the library: null (no reporting at all) when not on a terminal. */
    Progress listener() {
        if (System.console() == null) {
            return null;
        }
        return (done, total) -> {
            if (bar == null) {
                bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(total)
                        .setConsumer(new ConsoleProgressBarConsumer(System.err)).build();
            }
            bar.maxHint(total);
            bar.stepTo(done);
        };
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
        }
    }
}
