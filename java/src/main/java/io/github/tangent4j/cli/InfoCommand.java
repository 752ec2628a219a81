package io.github.tangent4j.cli;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.backend.BackendException;
import io.github.tangent4j.backend.BackendProvider;
import io.github.tangent4j.backend.Backends;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code tangent4j info}: the backend chosen and why, each backend's availability, and versions. */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Print the backend that would be chosen and why, the available backends and versions.")
final class InfoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        // first, so that a bad TANGENT4J_BACKEND is one line, not half a report
        Backends.Selection s = Backends.select();
        s.backend().close();
        out.println("tangent4j " + Versions.library());
        out.println("java: " + Runtime.version() + " (" + System.getProperty("java.vm.vendor") + "), "
                + System.getProperty("os.name") + " " + System.getProperty("os.arch") + ", "
                + Runtime.getRuntime().availableProcessors() + " cores");
        out.println("vector API: " + (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
                ? "present" : "absent (scalar Java kernels; run with --add-modules jdk.incubator.vector)"));
        for (BackendProvider p : Backends.providers()) {
            try (Backend b = p.create()) {
                out.println("backend " + p.name() + ": available: " + b.description());
            } catch (BackendException | LinkageError e) {
                out.println("backend " + p.name() + ": unavailable: " + e.getMessage());
            }
        }
        out.println("chosen: " + s.reason());
        return 0;
    }
}
