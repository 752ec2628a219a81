package io.github.tangent4j.backend.java;

import io.github.tangent4j.backend.Backends;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Chooses, once per process, which GEMM the Java backend runs: the system's CBLAS ({@link SystemBlas}) when
 * one loads, else the pure-Java kernel (the Vector API one, or the scalar one without the module), and
 * logs one line saying which and from which file.
 *
 * <p>The system property {@value #PROPERTY} chooses: {@code auto} (the default) searches as
 * {@link BlasLocator} says; {@code none} always runs the pure-Java kernel; any other value is the path of
 * a CBLAS library to load. A library that is missing, fails to load or lacks the GEMM symbols is skipped
 * with its reason, which {@link Choice#description()} (and so {@code tangent4j info}) reports.
 */
final class GemmProvider {
    /** The system property choosing the GEMM provider: {@code auto}, {@code none} or a library's path. */
    static final String PROPERTY = "tangent4j.blas";

    /** The pure-Java kernel: the fallback every machine has. */
    static final GemmKernel JAVA = Vectorization.ENABLED ? new VectorKernel() : new ScalarGemm();

    /** This process's choice. */
    static final Choice CHOICE = logged(choose(System.getProperty(PROPERTY, "auto"), BlasLocator.candidates(),
            ComputePool.THREADS));

    private GemmProvider() {
    }

    /**
     * The GEMM chosen and a one-line description: provider, file and threads, or why no BLAS was taken.
     *
     * @param blas the system BLAS in use, or null for the pure-Java kernel
     */
    record Choice(GemmKernel kernel, SystemBlas blas, String description) {
        /** A short line for the log: the BLAS's family and file, or the pure-Java kernel and why. */
        String logLine() {
            return blas != null ? "GEMM by " + blas.kind() + " (" + blas.file() + "); see tangent4j info"
                    : description.length() <= 160 ? description : description.substring(0, 157) + "...";
        }
    }

    /**
     * The choice for the property value {@code spec} ({@code auto}, {@code none} or a path) among
     * {@code candidates} (tried in order for {@code auto}), with the BLAS's thread count set to {@code threads}.
     */
    static Choice choose(String spec, List<BlasLocator.Candidate> candidates, int threads) {
        String s = spec == null ? "auto" : spec.trim();
        String javaKernel = JAVA.name() + " GEMM on " + threads + " threads";
        if (s.equalsIgnoreCase("none")) {
            return new Choice(JAVA, null, javaKernel + " (-D" + PROPERTY + "=none)");
        }
        List<BlasLocator.Candidate> tried = s.isEmpty() || s.equalsIgnoreCase("auto") ? candidates
                : List.of(new BlasLocator.Candidate(Path.of(s), null));
        List<String> problems = new ArrayList<>();
        for (BlasLocator.Candidate c : tried) {
            if (c.file() != null && !Files.isRegularFile(c.file())) {
                problems.add(c + ": no such file");
                continue;
            }
            try {
                SystemBlas blas = SystemBlas.bind(c.load(), c.toString(), threads);
                return new Choice(blas, blas, "system BLAS GEMM: " + blas.name() + ", " + threads + " threads");
            } catch (IllegalArgumentException e) {
                if (c.file() != null || !e.getMessage().startsWith("Cannot open library")) {
                    problems.add(e.getMessage()); // a soname the loader does not know is not worth a word
                }
            }
        }
        String why = tried.isEmpty() ? "none found" : problems.isEmpty() ? "none found (tried " + String.join(", ",
                tried.stream().map(Object::toString).toList()) + ")" : String.join("; ", problems);
        return new Choice(JAVA, null, javaKernel + " (no system BLAS: " + why + ")");
    }

    private static Choice logged(Choice c) {
        System.getLogger(Backends.CHOICE_LOGGER).log(Level.INFO, "tangent4j: " + c.logLine());
        return c;
    }
}
