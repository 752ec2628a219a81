package io.github.tangent4j.cli.demo;

import java.io.IOException;
import java.nio.file.Path;

/**
 * How the report writes a file: the command supplies its atomic writer (temporary file, flush, rename),
 * so that a failed or killed run never leaves a truncated file in the report folder.
 */
@FunctionalInterface
public interface ReportFiles {
    /** Writes the whole content of {@code target} through {@code body}, which receives a temporary file. */
    void write(Path target, Body body) throws IOException;

    /** Writes the content to the (existing, empty) temporary file it is given. */
    @FunctionalInterface
    interface Body {
        /** Writes the content to {@code temporary}. */
        void writeTo(Path temporary) throws IOException;
    }
}
