package io.github.tangent4j.backend.cuda;

import io.github.tangent4j.backend.internal.LibrarySearch;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds a CUDA library by its sonames (newest first, e.g. {@code libcublas.so.13} then
 * {@code libcublas.so.12}) in this order: the configured directories (system property
 * {@value #PROPERTY} or environment variable {@value #ENV}, a {@code :}-separated list), the
 * system loader's search path ({@code LD_LIBRARY_PATH}, the {@code ldconfig} cache), then the
 * directories where NVIDIA's pip wheels, the CUDA toolkits and the driver are installed
 * ({@link #standardDirs(Path, Map)}). Libraries stay loaded for the life of the process.
 */
final class LibraryLocator {
    /** System property naming directories searched first. */
    static final String PROPERTY = "tangent4j.cuda.libs";
    /** Environment variable naming directories searched first (the property wins). */
    static final String ENV = "TANGENT4J_CUDA_LIBS";
    /** The directories of NVIDIA's pip wheels inside {@code site-packages/nvidia/}: CUDA 13's merged one first. */
    static final List<String> WHEEL_DIRS = List.of("cu13/lib", "cublas/lib", "cuda_runtime/lib", "cuda_nvrtc/lib");
    /** A run of digits or a run of anything else, for {@link #compareVersions}. */
    private static final Pattern NUMBER_OR_TEXT = Pattern.compile("\\d+|\\D+");

    private final List<Path> firstDirs;
    private final String firstSource;
    private final boolean systemLoader;
    private final List<Path> standardDirs;

    /**
     * A locator searching {@code firstDirs} (described as {@code firstSource} in messages), then the
     * system loader when {@code systemLoader}, then {@code standardDirs}.
     */
    LibraryLocator(List<Path> firstDirs, String firstSource, boolean systemLoader, List<Path> standardDirs) {
        this.firstDirs = List.copyOf(firstDirs);
        this.firstSource = firstSource;
        this.systemLoader = systemLoader;
        this.standardDirs = List.copyOf(standardDirs);
    }

    /** The locator configured by {@value #PROPERTY} / {@value #ENV} and this machine's install dirs. */
    static LibraryLocator fromEnvironment() {
        String dirs = System.getProperty(PROPERTY);
        String source = "-D" + PROPERTY;
        if (dirs == null || dirs.isBlank()) {
            dirs = System.getenv(ENV);
            source = ENV;
        }
        List<Path> first = new ArrayList<>();
        if (dirs != null && !dirs.isBlank()) {
            for (String d : dirs.split(java.io.File.pathSeparator)) {
                if (!d.isBlank()) {
                    first.add(Path.of(d.trim()));
                }
            }
        }
        return new LibraryLocator(first, source, true, standardDirs());
    }

    /** {@link #standardDirs(Path, Map)} of this machine: root {@code /}, this process's environment. */
    static List<Path> standardDirs() {
        return standardDirs(Path.of("/"), System.getenv());
    }

    /**
     * The existing directories searched after the configured ones and the system loader, in this order:
     * <ol>
     * <li>NVIDIA's pip wheels ({@link #WHEEL_DIRS} under {@code lib/python3*}{@code /site-packages/nvidia/},
     * or {@code dist-packages}, newest Python first) of the active virtual environment
     * ({@code VIRTUAL_ENV}), the active conda environment ({@code CONDA_PREFIX}), the {@code python3}
     * first on {@code PATH} (its own prefix, then that of the interpreter it links to, as a venv's does),
     * the user's site ({@code HOME/.local}) and the system's ({@code /usr/local}, {@code /usr}); found
     * from the paths alone, without running Python;</li>
     * <li>the CUDA toolkits: {@code /usr/local/cuda}, then {@code /usr/local/cuda-*} newest version first,
     * each {@code targets/x86_64-linux/lib} then {@code lib64};</li>
     * <li>the driver's and the distribution's: {@code /usr/local/nvidia/lib64} (containers),
     * {@code /usr/lib/x86_64-linux-gnu}, {@code /usr/lib64}, {@code /usr/lib/wsl/lib}.</li>
     * </ol>
     * Paths that are not directories are left out, as are repeats.
     *
     * @param root the file system's root ({@code /}; a fake tree in tests) for the fixed system paths
     * @param env  the environment: {@code VIRTUAL_ENV}, {@code CONDA_PREFIX}, {@code PATH}, {@code HOME}
     */
    static List<Path> standardDirs(Path root, Map<String, String> env) {
        Set<Path> dirs = new LinkedHashSet<>();
        for (Path prefix : pythonPrefixes(root, env)) {
            for (Path packages : LibrarySearch.sitePackages(prefix, LibraryLocator::compareVersions)) {
                Path nvidia = packages.resolve("nvidia");
                WHEEL_DIRS.forEach(w -> dirs.add(nvidia.resolve(w)));
            }
        }
        Path local = root.resolve("usr/local");
        List<Path> toolkits = new ArrayList<>();
        toolkits.add(local.resolve("cuda"));
        toolkits.addAll(newestFirst(local, "cuda-*"));
        for (Path toolkit : toolkits) {
            dirs.add(toolkit.resolve("targets/x86_64-linux/lib"));
            dirs.add(toolkit.resolve("lib64"));
        }
        for (String d : new String[] {"usr/local/nvidia/lib64", "usr/lib/x86_64-linux-gnu", "usr/lib64", "usr/lib/wsl/lib"}) {
            dirs.add(root.resolve(d));
        }
        return dirs.stream().filter(Files::isDirectory).toList();
    }

    /** The Python installations whose site packages are searched, in order (see {@link #standardDirs(Path, Map)}). */
    private static List<Path> pythonPrefixes(Path root, Map<String, String> env) {
        List<Path> prefixes = new ArrayList<>(LibrarySearch.activeEnvironments(env));
        String path = env.get("PATH");
        if (path != null) {
            for (String d : path.split(java.io.File.pathSeparator)) {
                Path python = d.isBlank() ? null : Path.of(d).toAbsolutePath().resolve("python3");
                if (python != null && Files.isRegularFile(python)) {
                    addPrefixOf(python, prefixes);
                    try {
                        addPrefixOf(python.toRealPath(), prefixes);
                    } catch (IOException e) {
                        // unreadable link: its own prefix is enough
                    }
                    break;
                }
            }
        }
        String home = env.get("HOME");
        if (home != null && !home.isBlank()) {
            prefixes.add(Path.of(home).resolve(".local"));
        }
        prefixes.add(root.resolve("usr/local"));
        prefixes.add(root.resolve("usr"));
        return prefixes.stream().distinct().toList();
    }

    /** Adds the installation prefix of the interpreter {@code bin/python3} (its folder's parent), if any. */
    private static void addPrefixOf(Path interpreter, List<Path> prefixes) {
        Path bin = interpreter.getParent();
        if (bin != null && bin.getParent() != null) {
            prefixes.add(bin.getParent());
        }
    }

    /** The entries of {@code dir} matching {@code glob}, highest version first (cuda-13.10 before cuda-13.9). */
    static List<Path> newestFirst(Path dir, String glob) {
        return LibrarySearch.newestFirst(dir, glob, LibraryLocator::compareVersions);
    }

    /** Compares names by their runs of digits as numbers and the rest as text ("cuda-12.9" < "cuda-12.10"). */
    static int compareVersions(String a, String b) {
        Matcher ma = NUMBER_OR_TEXT.matcher(a);
        Matcher mb = NUMBER_OR_TEXT.matcher(b);
        while (ma.find() && mb.find()) {
            String ta = ma.group();
            String tb = mb.group();
            boolean na = Character.isDigit(ta.charAt(0));
            boolean nb = Character.isDigit(tb.charAt(0));
            int c = na && nb ? new BigInteger(ta).compareTo(new BigInteger(tb)) : ta.compareTo(tb);
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a.length(), b.length());
    }

    /** Where a library was found and its symbols. */
    record Found(SymbolLookup lookup, String location) {
    }

    /**
     * Loads the first of {@code sonames} found, or returns {@code null}; files that exist but fail to
     * load are added to {@code unloadable} with the loader's message.
     */
    Found find(String[] sonames, List<String> unloadable) {
        for (Path dir : firstDirs) {
            Found f = inDir(dir, sonames, unloadable);
            if (f != null) {
                return f;
            }
        }
        if (systemLoader) {
            for (String soname : sonames) {
                try {
                    return new Found(SymbolLookup.libraryLookup(soname, Arena.global()),
                            soname + " (system library path)");
                } catch (IllegalArgumentException notFound) {
                    // try the next soname
                }
            }
        }
        for (Path dir : standardDirs) {
            Found f = inDir(dir, sonames, unloadable);
            if (f != null) {
                return f;
            }
        }
        return null;
    }

    /** The places {@link #find} searches, in order, for messages. */
    String searched() {
        List<String> places = new ArrayList<>();
        if (!firstDirs.isEmpty()) {
            places.add(firstSource + "=" + String.join(java.io.File.pathSeparator,
                    firstDirs.stream().map(Path::toString).toList()));
        }
        if (systemLoader) {
            places.add("the system library path");
        }
        standardDirs.forEach(d -> places.add(d.toString()));
        return String.join(", ", places);
    }

    private static Found inDir(Path dir, String[] sonames, List<String> unloadable) {
        for (String soname : sonames) {
            Path p = dir.resolve(soname);
            if (Files.isRegularFile(p)) {
                try {
                    return new Found(SymbolLookup.libraryLookup(p, Arena.global()), p.toString());
                } catch (IllegalArgumentException e) {
                    unloadable.add(p + " (" + e.getMessage() + ")"); // e.g. wrong architecture: keep searching
                }
            }
        }
        return null;
    }
}
