package io.github.tangent4j.cli;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

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
     * a regular file or a new name in an existing directory, and not the same file as any of
     * {@code inputs} (option to file; empty names and files that do not exist are skipped).
     *
     * @throws IllegalArgumentException naming the option, the file and the reason
     */
    static void checkTarget(Path out, String option, Path... inputs) {
        java.util.Map<String, Path> named = new java.util.LinkedHashMap<>();
        for (Path in : inputs) {
            if (in != null) {
                named.put("the input " + in, in);
            }
        }
        checkTarget(out, option, named);
    }

    /**
     * {@link #checkTarget(Path, String, Path...)} with each other file described by its key (for example
     * {@code "the input --x x.npy"} or {@code "--out y.npy"}).
     */
    static void checkTarget(Path out, String option, java.util.Map<String, Path> others) {
        Path target = resolve(out, option);
        for (java.util.Map.Entry<String, Path> other : others.entrySet()) {
            Path in = other.getValue();
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
                throw new IllegalArgumentException(option + " " + out + ": is the same file as " + other.getKey()
                        + (Files.isSymbolicLink(out) || Files.isSymbolicLink(in) ? " (through a link)" : "")
                        + "; expected a different output file, so that " + (other.getKey().startsWith("the input")
                        ? "the input is not replaced" : "one output does not replace the other"));
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
     * it was. Stale temporary files of earlier killed runs to the same target are removed first
     * ({@link Temporaries#removeStale}).
     *
     * @throws IllegalArgumentException as {@link #checkTarget}
     * @throws IOException              naming the option and the file when writing fails
     * @throws java.util.concurrent.CancellationException if the command was stopped (SIGINT/SIGTERM)
     */
    static void write(Path target, String option, Body body) throws IOException {
        writeAll(new Pending(target, option, body));
    }

    /** One output of {@link #writeAll}: the file, its option, and what to write. */
    record Pending(Path target, String option, Body body) {
    }

    /**
     * Writes several outputs all or nothing: every temporary file is written and flushed before the first
     * rename, so a failure in any of them (or a stop) leaves every target as it was. (The renames
     * themselves follow one another; between two of them only a crash of the machine could intervene.)
     *
     * @throws IOException naming the option and the file of the output that failed
     */
    static void writeAll(Pending... outputs) throws IOException {
        for (Pending o : outputs) {
            resolve(o.target(), o.option());   // every target checked before any content is written
        }
        try (Staging staging = new Staging()) {
            for (Pending o : outputs) {
                staging.add(o);
            }
            staging.commit();
        }
    }

    /**
     * Outputs written to their temporary files one by one as they are ready ({@link #add}) and renamed into
     * place together by {@link #commit}; closing without a commit (a failure, a stop) deletes them, leaving
     * every target as it was. The demo's report uses it, so that a stopped run never leaves new figures
     * beside an old index.
     */
    static final class Staging implements AutoCloseable {
        private final List<Pending> outputs = new ArrayList<>();
        private final List<Path> destinations = new ArrayList<>();
        private final List<Path> temporaries = new ArrayList<>();
        private int committed;

        /** Writes {@code o}'s content to a flushed temporary file beside its target. */
        void add(Pending o) throws IOException {
            Path destination = resolve(o.target(), o.option());
            temporaries.add(prepare(o, destination));
            outputs.add(o);
            destinations.add(destination);
        }

        /** Renames every temporary file over its target, in the order they were added. */
        void commit() throws IOException {
            for (; committed < outputs.size(); committed++) {
                Pending o = outputs.get(committed);
                try {
                    Temporaries.commit(temporaries.get(committed), destinations.get(committed));
                } catch (IOException e) {
                    throw failure(o.option(), o.target(), "could not be written", e);
                }
            }
        }

        /** Deletes the temporary files not renamed. */
        @Override
        public void close() {
            for (int i = committed; i < temporaries.size(); i++) {
                Temporaries.discard(temporaries.get(i));
            }
        }
    }

    /** The flushed temporary file holding {@code o}'s content, to be renamed onto {@code destination}. */
    private static Path prepare(Pending o, Path destination) throws IOException {
        Path dir = destination.getParent();
        Temporaries.removeStale(dir, destination.getFileName().toString());
        Path tmp;
        try {
            tmp = Temporaries.create(dir, destination.getFileName().toString());
        } catch (IOException e) {
            throw failure(o.option(), o.target(), "cannot create a temporary file in " + dir, e);
        }
        boolean done = false;
        try {
            o.body().writeTo(tmp);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            // The target may have become a directory or device while the command computed.
            if (Files.exists(destination, LinkOption.NOFOLLOW_LINKS)
                    && !Files.isRegularFile(destination, LinkOption.NOFOLLOW_LINKS)) {
                throw new FileAlreadyExistsException(destination.toString(), null, "is no longer a regular file");
            }
            done = true;
            return tmp;
        } catch (IOException e) {
            throw failure(o.option(), o.target(), "could not be written", e);
        } finally {
            if (!done) {
                Temporaries.discard(tmp);
            }
        }
    }

    private static IOException failure(String option, Path target, String what, IOException e) {
        return new IOException(option + " " + target + ": " + what + " (" + Errors.reason(e)
                + "); any previous file there is unchanged", e);
    }
}
