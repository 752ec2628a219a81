package io.github.tangent4j.cli;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.backend.Backends;
import io.github.tangent4j.backend.internal.SelfTest;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tangent4j selftest}: the chosen backend against the Java reference; exit 0 iff every check passes. */
@Command(name = "selftest", mixinStandardHelpOptions = true,
        description = "Check the chosen backend against the pure-Java reference (every primitive, F32 and F64, "
                + "odd shapes, transposes, views, leaks), then print GEMM throughput and transfer bandwidth. "
                + "Exit code 0 only if every check passes (3 when one fails, 2 on an error).")
final class SelftestCommand implements Callable<Integer> {
    /**
     * Exit code when a check fails: neither 2 (bad arguments, a backend that cannot start) nor 1, which
     * the launcher reports as a JVM that did not start (and turns into 2).
     */
    static final int CHECK_FAILED = 3;

    @Spec
    CommandSpec spec;

    @Option(names = "--backend", paramLabel = "auto|java|cuda", defaultValue = "auto",
            description = "backend to check (default: ${DEFAULT-VALUE})")
    String backend;

    @Option(names = "--quick", description = "fewer and smaller shapes")
    boolean quick;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Backends.Selection selection = DataOptions.select(backend);
        SelfTest.Report report;
        String name;
        long freeBefore;
        try (Backend b = selection.backend(); Backend reference = Backends.create("java")) {
            out.println("backend: " + b.name() + " (" + selection.reason() + "): " + b.description());
            name = b.name();
            freeBefore = b.availableMemory();
            report = SelfTest.run(b, reference, quick);
        }
        List<SelfTest.Check> checks = new ArrayList<>(report.checks());
        if (!name.equals("java")) {
            // device memory is back once the backend is closed (whatever it cached meanwhile); the Java
            // backend's "available memory" is the JVM heap, which the garbage collector moves by itself
            try (Backend again = Backends.create(name)) {
                long missing = freeBefore - again.availableMemory();
                checks.add(new SelfTest.Check("device memory returned after close", missing <= 0,
                        missing <= 0 ? "all returned" : missing + " bytes not returned (or taken by another process)"));
            }
        }
        long failed = 0;
        for (SelfTest.Check c : checks) {
            if (!c.passed()) {
                failed++;
                out.println("FAILED " + c.name() + ": " + c.detail());
            }
        }
        out.printf(Locale.ROOT, "gemm: %.1f GFLOP/s f32, %.1f GFLOP/s f64; upload %.1f GB/s, download %.1f GB/s%n",
                report.gemmGflops()[0], report.gemmGflops()[1], report.uploadGBs(), report.downloadGBs());
        out.println(failed == 0 ? "selftest: all " + checks.size() + " checks passed"
                : "selftest: " + failed + " of " + checks.size() + " checks FAILED");
        return failed == 0 ? 0 : CHECK_FAILED;
    }
}
