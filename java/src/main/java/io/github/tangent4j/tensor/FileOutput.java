package io.github.tangent4j.tensor;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * How the writers open a file: created, or an existing one truncated and rewritten in place. When the
 * write fails, the partial file is deleted only if this write created it; a file that existed before is
 * never deleted (it may be a hard link to, or the same file as, something the caller still needs).
 */
final class FileOutput {
    /** Writes the whole content to the open channel. */
    @FunctionalInterface
    interface Body {
        void writeTo(FileChannel channel) throws IOException;
    }

    private FileOutput() {
    }

    static void write(Path file, Body body) throws IOException {
        FileChannel opened;
        try {
            opened = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (FileAlreadyExistsException e) {
            opened = null;
        }
        boolean created = opened != null;
        try (FileChannel ch = created ? opened
                : FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            body.writeTo(ch);
        } catch (IOException | RuntimeException e) {
            if (created) {
                Files.deleteIfExists(file);
            }
            throw e;
        }
    }
}
