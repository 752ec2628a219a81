package io.github.tangent4j.cli;

import io.github.tangent4j.symmetry.Balancing;
import io.github.tangent4j.symmetry.Compression;
import picocli.CommandLine.Model.CommandSpec;

/** The notes that {@code balance} and {@code compress} print on standard error beside their result line. */
final class SymmetryNotes {
    private SymmetryNotes() {
    }

    /** Units set to zero, and a balancing that stopped before its tolerance. */
    static void balancing(CommandSpec spec, Balancing.Result r) {
        if (!r.zeroed().isEmpty()) {
            spec.commandLine().getErr().println("note: " + r.zeroed().size() + " units with zero incoming or outgoing"
                    + " weights were set to zero (their weight decay has no minimum): " + r.zeroed());
        }
        if (!r.converged()) {
            spec.commandLine().getErr().println("note: stopped after " + r.sweeps() + " sweeps before the tolerance "
                    + Balancing.DEFAULT_TOLERANCE);
        }
    }

    /** Antiparallel pairs left in place. */
    static void compression(CommandSpec spec, Compression.Result r) {
        if (!r.antiparallel().isEmpty()) {
            spec.commandLine().getErr().println("note: " + r.antiparallel().size() + " antiparallel pairs left (merging"
                    + " them needs a skip connection): " + r.antiparallel());
        }
    }
}
