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
    private final List<String> problems = new ArrayList<>();

    private NativeLibrary(String title, SymbolLookup lookup, String location, String problem) {
        this.title = title;
        this.lookup = lookup;
        this.location = location;
        if (problem != null) {
            problems.add(problem);
        }
    }

    /** Finds the library with {@link LibraryLocator#fromEnvironment()}; never throws. */
    static NativeLibrary load(String title, String... sonames) {
        return load(LibraryLocator.fromEnvironment(), title, sonames);
    }

    /** Finds the library with {@code locator}; never throws. */
    static NativeLibrary load(LibraryLocator locator, String title, String... sonames) {
        StringBuilder why = new StringBuilder();
        try {
            LibraryLocator.Found f = locator.find(sonames, why);
            if (f != null) {
                return new NativeLibrary(title, f.lookup(), f.location(), null);
            }
        } catch (RuntimeException e) {
            why.append(title).append(" could not be loaded: ").append(e);
        }
        return new NativeLibrary(title, null, null, why.toString());
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
        return problems.isEmpty();
    }

    /** The reasons it is unusable, joined; empty when it is usable. */
    String problem() {
        return String.join("; ", problems);
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
