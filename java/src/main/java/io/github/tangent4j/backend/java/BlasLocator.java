package io.github.tangent4j.backend.java;

import io.github.tangent4j.backend.internal.LibrarySearch;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where a system CBLAS is looked for, in order, as the CUDA backend looks for its libraries: the system
 * loader's search path ({@code LD_LIBRARY_PATH}, the {@code ldconfig} cache) by soname, OpenBLAS first
 * ({@link #SONAMES}); the distributions' and vendors' directories ({@link #DIRS}); then the OpenBLAS that
 * NumPy and SciPy wheels bundle ({@code numpy.libs}, {@code scipy.libs}, {@code scipy_openblas32/lib},
 * {@code scipy_openblas64/lib}) in the site packages of the active virtual or conda environment, the user's
 * ({@code ~/.local}, pyenv's versions, newest first) and the system's ({@code /usr/local}, {@code /usr}).
 * The generic {@code libblas.so.3}, often the slow reference BLAS, is never taken.
 */
final class BlasLocator {
    /** Sonames tried through the system loader, in order. */
    static final List<String> SONAMES = List.of("libopenblas.so.0", "libopenblas.so", "libmkl_rt.so.2", "libmkl_rt.so",
            "libblis.so.4", "libblis.so");
    /** Directories (under the root) whose files named in {@link #SONAMES} are tried next. */
    static final List<String> DIRS = List.of("usr/lib/x86_64-linux-gnu/openblas-pthread",
            "usr/lib/x86_64-linux-gnu/openblas-openmp", "usr/lib/x86_64-linux-gnu/blis-pthread",
            "usr/lib/x86_64-linux-gnu/blis-openmp", "usr/lib/x86_64-linux-gnu", "usr/lib64", "opt/OpenBLAS/lib",
            "opt/intel/oneapi/mkl/latest/lib", "opt/intel/oneapi/mkl/latest/lib/intel64");
    /** The folders of site-packages where wheels keep their OpenBLAS. */
    static final List<String> WHEEL_DIRS = List.of("scipy_openblas32/lib", "scipy_openblas64/lib", "numpy.libs",
            "scipy.libs");

    /** Names ordered by length, then alphabetically: descending, 3.12 comes before 3.11 and 3.9. */
    private static final Comparator<String> LONGER_THEN_LATER = Comparator.comparingInt(String::length)
            .thenComparing(Comparator.naturalOrder());

    private BlasLocator() {
    }

    /** One library to try: a file, or a soname for the system loader. */
    record Candidate(Path file, String soname) {
        /** Loads it for the life of the process. */
        SymbolLookup load() {
            return file != null ? SymbolLookup.libraryLookup(file, Arena.global())
                    : SymbolLookup.libraryLookup(soname, Arena.global());
        }

        @Override
        public String toString() {
            return file != null ? file.toString() : soname;
        }
    }

    /** The candidates of this machine, in the order they are tried (root {@code /}, this process's environment). */
    static List<Candidate> candidates() {
        return candidates(Path.of("/"), System.getenv(), true);
    }

    /**
     * The candidates in the order they are tried.
     *
     * @param root         the file system's root ({@code /}; a fake tree in tests)
     * @param env          the environment: {@code VIRTUAL_ENV}, {@code CONDA_PREFIX}, {@code HOME}
     * @param systemLoader whether the sonames are tried through the system loader first
     */
    static List<Candidate> candidates(Path root, Map<String, String> env, boolean systemLoader) {
        List<Candidate> all = new ArrayList<>();
        if (systemLoader) {
            SONAMES.forEach(s -> all.add(new Candidate(null, s)));
        }
        Set<Path> files = new LinkedHashSet<>();
        String conda = env.get("CONDA_PREFIX");
        List<Path> dirs = new ArrayList<>();
        if (conda != null && !conda.isBlank()) {
            dirs.add(Path.of(conda.trim(), "lib"));
        }
        DIRS.forEach(d -> dirs.add(root.resolve(d)));
        for (Path dir : dirs) {
            for (String soname : SONAMES) {
                Path p = dir.resolve(soname);
                if (Files.isRegularFile(p)) {
                    files.add(p);
                }
            }
        }
        for (Path prefix : pythonPrefixes(root, env)) {
            for (Path packages : LibrarySearch.sitePackages(prefix, LONGER_THEN_LATER)) {
                for (String wheel : WHEEL_DIRS) {
                    files.addAll(newestFirst(packages.resolve(wheel), "lib*openblas*.so*"));
                }
            }
        }
        files.forEach(f -> all.add(new Candidate(f, null)));
        return all;
    }

    /** The Python installations whose site packages are searched, in order. */
    private static List<Path> pythonPrefixes(Path root, Map<String, String> env) {
        List<Path> prefixes = new ArrayList<>(LibrarySearch.activeEnvironments(env));
        String home = env.get("HOME");
        if (home != null && !home.isBlank()) {
            prefixes.add(Path.of(home, ".local"));
            prefixes.addAll(newestFirst(Path.of(home, ".pyenv", "versions"), "*"));
        }
        prefixes.add(root.resolve("usr/local"));
        prefixes.add(root.resolve("usr"));
        return prefixes.stream().distinct().toList();
    }

    /** The entries of {@code dir} matching {@code glob}, names in descending order (3.12 before 3.11). */
    private static List<Path> newestFirst(Path dir, String glob) {
        return LibrarySearch.newestFirst(dir, glob, LONGER_THEN_LATER);
    }

    /**
     * The file mapped at {@code address} in this process ({@code /proc/self/maps}), so that a library found
     * by soname is reported by its path; {@code fallback} when that cannot be read.
     */
    static String fileAt(MemorySegment address, String fallback) {
        long at = address.address();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
                String[] f = line.trim().split("\\s+", 6);
                int dash = f[0].indexOf('-');
                if (f.length == 6 && dash > 0) {
                    long from = Long.parseUnsignedLong(f[0], 0, dash, 16);
                    long to = Long.parseUnsignedLong(f[0], dash + 1, f[0].length(), 16);
                    if (Long.compareUnsigned(at, from) >= 0 && Long.compareUnsigned(at, to) < 0
                            && f[5].startsWith("/")) {
                        return f[5];
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or unreadable: keep the soname
        }
        return fallback;
    }
}
