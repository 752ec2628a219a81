package io.github.tangent4j.backend.cuda;

import io.github.tangent4j.backend.BackendException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;

/**
 * One CUDA library as the binding classes see it: found (or not) once per process, with its
 * downcall handles. A library that is missing, or lacks a symbol, records why instead of throwing,
 * so that class initialisation never fails; {@link #require()} turns the record into a
 * {@link BackendException}.
 */
final class NativeLibrary {
    private static final Linker LINKER = Linker.nativeLinker();

    private final String title;
    private final SymbolLookup lookup;
    private final String location;
    private final String missing;
    private final String searched;
    private final List<String> problems = new ArrayList<>();

    private NativeLibrary(String title, SymbolLookup lookup, String location, String missing, String searched,
            List<String> problems) {
        this.title = title;
        this.lookup = lookup;
        this.location = location;
        this.missing = missing;
        this.searched = searched;
        this.problems.addAll(problems);
    }

    /** Finds the library with {@link LibraryLocator#fromEnvironment()}; never throws. */
    static NativeLibrary load(String title, String... sonames) {
        return load(LibraryLocator.fromEnvironment(), title, sonames);
    }

    /** Finds the library with {@code locator}; never throws. */
    static NativeLibrary load(LibraryLocator locator, String title, String... sonames) {
        List<String> problems = new ArrayList<>();
        try {
            LibraryLocator.Found f = locator.find(sonames, problems);
            if (f != null) {
                return new NativeLibrary(title, f.lookup(), f.location(), null, null, List.of());
            }
        } catch (RuntimeException e) {
            problems.add(title + " could not be loaded: " + e);
        }
        List<String> unloadable = problems.stream().map(p -> "present but not loadable: " + p).toList();
        return new NativeLibrary(title, null, null, String.join(" / ", sonames), locator.searched(), unloadable);
    }

    /**
     * A downcall handle for {@code symbol}, or {@code null} (with the reason recorded) when the
     * library or the symbol is missing.
     */
    MethodHandle downcall(String symbol, FunctionDescriptor descriptor, Linker.Option... options) {
        if (lookup == null) {
            return null;
        }
        MemorySegment address = lookup.find(symbol).orElse(null);
        if (address == null) {
            problems.add(title + " at " + location + " lacks the symbol " + symbol);
            return null;
        }
        return LINKER.downcallHandle(address, descriptor, options);
    }

    /** Whether the library loaded with every symbol bound so far. */
    boolean isAvailable() {
        return missing == null && problems.isEmpty();
    }

    /** The sonames tried when the library was not found (e.g. {@code libcublas.so.13 / libcublas.so.12}), else null. */
    String missing() {
        return missing;
    }

    /** The places searched when the library was not found, else null. */
    String searched() {
        return searched;
    }

    /** Problems other than "not found": unloadable files, missing symbols. */
    List<String> otherProblems() {
        return List.copyOf(problems);
    }

    /** The reasons it is unusable, joined; empty when it is usable. */
    String problem() {
        List<String> all = new ArrayList<>();
        if (missing != null) {
            all.add(missing + " not found (searched " + searched + ")");
        }
        all.addAll(problems);
        return String.join("; ", all);
    }

    /** The file it was loaded from (or a soname and "(system library path)"); {@code null} if missing. */
    String location() {
        return location;
    }

    /** The short name used in messages, e.g. {@code libcublas}. */
    String title() {
        return title;
    }

    /** Throws a {@link BackendException} with {@link #problem()} unless the library is usable. */
    void require() {
        if (!isAvailable()) {
            throw new BackendException(problem());
        }
    }
}
