package io.github.tangent4j.cli;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * The one way the command writes a file: the content goes to a new temporary file in the target's
 * directory, which is flushed to disk and then renamed over the target in one atomic step. A failed or
 * killed run leaves the target as it was; only the temporary file, which this class created, is ever
 * deleted. A target that is a symbolic link to a regular file is replaced where the link points (the
 * link stays).
 *
 * <p>{@link #checkTarget} refuses, before anything is computed, a target that is a directory, a device,
 * FIFO or socket, a dangling link, in a missing directory, or the same file as one of the command's
 * inputs (compared by file key after resolving links, so hard links count as the same file).
 * {@link #write} repeats the checks that do not need the inputs just before it creates anything.
 */
final class OutputFile {
    /** Writes the whole content to the temporary file it is given (which exists, empty). */
    @FunctionalInterface
    interface Body {
        void writeTo(Path temporary) throws IOException;
    }

    private OutputFile() {
    }

    /**
     * Checks that {@code out} (the value of {@code option}) can be written without destroying anything:
     * a regular file or a new name in an existing directory, and none of {@code inputs} (null entries
     * and inputs that do not exist are skipped).
     *
     * @throws IllegalArgumentException naming the option, the file and the reason
     */
    static void checkTarget(Path out, String option, Path... inputs) {
        Path target = resolve(out, option);
        for (Path in : inputs) {
            if (in == null || in.toString().isEmpty() || !Files.exists(in) || !Files.exists(target)) {
                continue;
            }
            boolean same;
            try {
                same = Files.isSameFile(target, in);
            } catch (IOException e) {
                continue;   // an unreadable input is reported by its own reader, with its option
            }
            if (same) {
                throw new IllegalArgumentException(option + " " + out + ": is the same file as the input " + in
                        + (Files.isSymbolicLink(out) || Files.isSymbolicLink(in) ? " (through a link)" : "")
                        + "; expected a different output file, so that the input is not replaced");
            }
        }
    }

    /**
     * The file to rename onto for {@code out}: {@code out} itself, or the regular file a link resolves
     * to; checked as described in the class comment.
     */
    private static Path resolve(Path out, String option) {
        if (out == null || out.toString().isEmpty()) {
            throw new IllegalArgumentException(option + " '': expected a file name but was empty");
        }
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(out, BasicFileAttributes.class);   // follows links
        } catch (NoSuchFileException e) {
            if (Files.isSymbolicLink(out)) {
                throw new IllegalArgumentException(option + " " + out + ": is a symbolic link to a missing file;"
                        + " expected a regular file or a new file name");
            }
            Path dir = out.toAbsolutePath().getParent();
            if (dir == null || !Files.isDirectory(dir)) {
                throw new IllegalArgumentException(option + " " + out + ": the directory " + dir
                        + " does not exist; expected a file in an existing directory");
            }
            return writableDirectory(out.toAbsolutePath(), out, option);
        } catch (IOException e) {
            throw new IllegalArgumentException(option + " " + out + ": cannot be examined ("
                    + Errors.reason(e) + "); expected a writable file", e);
        }
        if (attrs.isDirectory()) {
            throw new IllegalArgumentException(option + " " + out + ": is a directory; expected a file name");
        }
        if (!attrs.isRegularFile()) {
            throw new IllegalArgumentException(option + " " + out + ": is not a regular file (a device, FIFO or"
                    + " socket); expected a regular file to replace or a new file name");
        }
        Path resolved;
        try {
            resolved = Files.isSymbolicLink(out) ? out.toRealPath() : out.toAbsolutePath();
        } catch (IOException e) {
            throw new IllegalArgumentException(option + " " + out + ": cannot resolve the link ("
                    + Errors.reason(e) + ")", e);
        }
        return writableDirectory(resolved, out, option);
    }

    /** {@code target}, after checking that its directory lets the temporary file be created and renamed. */
    private static Path writableDirectory(Path target, Path out, String option) {
        Path dir = target.getParent();
        if (dir != null && !Files.isWritable(dir)) {
            throw new IllegalArgumentException(option + " " + out + ": the directory " + dir + " is not writable;"
                    + " expected a file in a directory this user can write to");
        }
        return target;
    }

    /**
     * Writes {@code target} (the value of {@code option}) through {@code body}: temporary file, fsync,
     * atomic rename. Nothing but the temporary file is created or deleted; on failure the target is as
     * it was.
     *
     * @throws IllegalArgumentException as {@link #checkTarget}
     * @throws IOException              naming the option and the file when writing fails
     */
    static void write(Path target, String option, Body body) throws IOException {
        Path destination = resolve(target, option);
        Path dir = destination.getParent();
        Path tmp;
        try {
            tmp = createTemporary(dir, destination.getFileName().toString());
        } catch (IOException e) {
            throw failure(option, target, "cannot create a temporary file in " + dir, e);
        }
        boolean done = false;
        try {
            body.writeTo(tmp);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            // The target may have become a directory or device while the command computed.
            if (Files.exists(destination, LinkOption.NOFOLLOW_LINKS)
                    && !Files.isRegularFile(destination, LinkOption.NOFOLLOW_LINKS)) {
                throw new FileAlreadyExistsException(destination.toString(), null, "is no longer a regular file");
            }
            Files.move(tmp, destination, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            done = true;
        } catch (IOException e) {
            throw failure(option, target, "could not be written", e);
        } finally {
            if (!done) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // the temporary file is hidden and named after the target; nothing else was touched
                }
            }
        }
    }

    /**
     * A new empty file {@code .NAME.RANDOM.tmp} in {@code dir}, with the permissions a new file gets
     * (the umask applies, unlike {@link Files#createTempFile}, whose 0600 the output would keep).
     */
    private static Path createTemporary(Path dir, String name) throws IOException {
        for (int attempt = 0; ; attempt++) {
            Path tmp = dir.resolve("." + name + "." + Long.toUnsignedString(java.util.concurrent.ThreadLocalRandom.current().nextLong(), 36) + ".tmp");
            try {
                return Files.createFile(tmp);
            } catch (FileAlreadyExistsException e) {
                if (attempt == 100) {
                    throw e;
                }
            }
        }
    }

    private static IOException failure(String option, Path target, String what, IOException e) {
        return new IOException(option + " " + target + ": " + what + " (" + Errors.reason(e)
                + "); any previous file there is unchanged", e);
    }
}
