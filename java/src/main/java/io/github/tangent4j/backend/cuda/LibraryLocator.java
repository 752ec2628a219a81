package io.github.tangent4j.backend.cuda;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds a CUDA library by its sonames (newest first, e.g. {@code libcublas.so.13} then
 * {@code libcublas.so.12}) in this order: the configured directories (system property
 * {@value #PROPERTY} or environment variable {@value #ENV}, a {@code :}-separated list), the
 * system loader's search path, then the standard install directories. Libraries stay loaded for the
 * life of the process.
 */
final class LibraryLocator {
    /** System property naming directories searched first. */
    static final String PROPERTY = "tangent4j.cuda.libs";
    /** Environment variable naming directories searched first (the property wins). */
    static final String ENV = "TANGENT4J_CUDA_LIBS";

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

    /** /usr/local/cuda/lib64, /usr/local/cuda-13*, /usr/local/cuda-12* (lib64), the multiarch and WSL dirs. */
    static List<Path> standardDirs() {
        List<Path> dirs = new ArrayList<>();
        dirs.add(Path.of("/usr/local/cuda/lib64"));
        for (String major : new String[] {"13", "12"}) {
            List<Path> versions = new ArrayList<>();
            try (DirectoryStream<Path> s = Files.newDirectoryStream(Path.of("/usr/local"), "cuda-" + major + "*")) {
                s.forEach(p -> versions.add(p.resolve("lib64")));
            } catch (IOException | RuntimeException e) {
                // no /usr/local or unreadable: nothing to add
            }
            versions.sort(null);
            dirs.addAll(versions.reversed());
        }
        dirs.add(Path.of("/usr/lib/x86_64-linux-gnu"));
        dirs.add(Path.of("/usr/lib/wsl/lib"));
        return dirs;
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
