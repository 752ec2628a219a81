package io.github.tangent4j.cli;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Objects;

/**
 * The one way the command writes a file: the content goes to a new temporary file in the target's
 * directory, which is flushed to disk and then renamed over the target in one atomic step. A failed or
 * killed run leaves the target as it was; only the temporary file is ever deleted.
 */
final class OutputFile {
    /** Writes the whole content to the temporary file it is given. */
    @FunctionalInterface
    interface Body {
        void writeTo(Path temporary) throws IOException;
    }

    private OutputFile() {
    }

    /**
     * Writes {@code target} (the value of {@code option}) through {@code body}: temporary file, fsync,
     * atomic rename.
     */
    static void write(Path target, String option, Body body) throws IOException {
        Objects.requireNonNull(target, option);
        Path absolute = target.toAbsolutePath();
        Path dir = absolute.getParent();
        Path tmp = Files.createTempFile(dir, "." + absolute.getFileName() + ".", ".tmp");
        boolean done = false;
        try {
            body.writeTo(tmp);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.move(tmp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            done = true;
        } finally {
            if (!done) {
                Files.deleteIfExists(tmp);
            }
        }
    }
}
