package io.github.tangent4j.cli;

import io.github.tangent4j.backend.Backends;
import java.io.PrintStream;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one short line on stderr saying which backend {@code --backend auto} chose, such as
 * {@code tangent4j: java backend (no NVIDIA driver; see tangent4j info)}, in place of the library's log
 * line with the whole search (several hundred characters). {@code tangent4j info} and {@code --verbose}
 * give the whole search.
 */
final class BackendLine {
    /**
     * The library's choice lines (the backend search, the Java backend's GEMM provider): in {@code info} and
     * --verbose only. Held so that the logger, and the level set on it, are not collected.
     */
    private static final Logger CHOICE_LOG = Logger.getLogger(Backends.CHOICE_LOGGER);
    private static volatile boolean verbose;

    private BackendLine() {
    }

    /** With {@code verbose}, the whole search is printed (the library's own log line); else the short line. */
    static void configure(boolean verbose) {
        BackendLine.verbose = verbose;
        CHOICE_LOG.setLevel(verbose ? null : Level.WARNING);
    }

    /** Prints the line for an automatic choice to {@code err} (nothing with --verbose: the log says it all). */
    static void report(Backends.Selection selection, PrintStream err) {
        if (!verbose) {
            err.println("tangent4j: " + of(selection.reason()));
        }
    }

    /**
     * The short form of a {@link Backends.Selection#reason()}: the backend chosen and, when a preferred
     * one was passed over, the likely cause in a few words.
     */
    static String of(String reason) {
        String brief = brief(reason);
        int space = brief.indexOf(' ');
        return space < 0 ? brief + " backend" : brief.substring(0, space) + " backend" + brief.substring(space);
    }

    /**
     * {@code java (no NVIDIA driver; see tangent4j info)}, {@code java (forced by --backend)} or {@code cuda}:
     * the backend named in {@code reason} with the likely cause in a few words.
     */
    static String brief(String reason) {
        int paren = reason.indexOf(" (");
        if (paren < 0) {
            return reason;
        }
        String chosen = reason.substring(0, paren);
        String why = reason.substring(paren + 2);
        if (why.startsWith("forced by")) {
            return reason;
        }
        String cause = why.contains("InsufficientDriver") || why.contains("libcuda.so") ? "no NVIDIA driver"
                : why.contains("NoDevice") || why.contains("no device") ? "no NVIDIA GPU"
                : why.contains("not found") ? "CUDA libraries not found"
                : "CUDA unavailable";
        return chosen + " (" + cause + "; see tangent4j info)";
    }
}
