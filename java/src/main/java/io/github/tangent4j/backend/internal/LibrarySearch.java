package io.github.tangent4j.backend.internal;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The search steps the native-library locators share (the CUDA backend's libraries, the Java backend's
 * system CBLAS): the active Python environments, the site-packages folders of a Python installation, and a
 * folder's entries newest first. Only paths are read: no Python is run, no library loaded.
 */
public final class LibrarySearch {
    private LibrarySearch() {
    }

    /**
     * The installation prefixes of the active virtual environment ({@code VIRTUAL_ENV}) and conda environment
     * ({@code CONDA_PREFIX}), in that order, where set and not blank (trimmed).
     */
    public static List<Path> activeEnvironments(Map<String, String> env) {
        List<Path> prefixes = new ArrayList<>();
        for (String var : new String[] {"VIRTUAL_ENV", "CONDA_PREFIX"}) {
            String v = env.get(var);
            if (v != null && !v.isBlank()) {
                prefixes.add(Path.of(v.trim()));
            }
        }
        return prefixes;
    }

    /**
     * The site-packages folders of the Python installation at {@code prefix}: {@code lib/python3*} newest first
     * by {@code order}, each with {@code site-packages} then {@code dist-packages} (whether they exist or not).
     */
    public static List<Path> sitePackages(Path prefix, Comparator<String> order) {
        List<Path> folders = new ArrayList<>();
        for (Path python : newestFirst(prefix.resolve("lib"), "python3*", order)) {
            for (String packages : new String[] {"site-packages", "dist-packages"}) {
                folders.add(python.resolve(packages));
            }
        }
        return folders;
    }

    /**
     * The entries of {@code dir} matching {@code glob}, names in descending {@code order} (the newest version
     * first); none when the folder is missing or unreadable.
     */
    public static List<Path> newestFirst(Path dir, String glob, Comparator<String> order) {
        List<Path> found = new ArrayList<>();
        try (DirectoryStream<Path> s = java.nio.file.Files.newDirectoryStream(dir, glob)) {
            s.forEach(found::add);
        } catch (IOException | RuntimeException e) {
            // missing or unreadable: nothing to add
        }
        found.sort(Comparator.comparing((Path p) -> p.getFileName().toString(), order).reversed());
        return found;
    }
}
