package io.github.tangent4j.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The temporary files the command writes its outputs to before renaming them, named
 * {@code .NAME.PID-RANDOM.tmp} beside the target {@code NAME} (PID: this JVM's process id; RANDOM:
 * base 36). A name too long for that to fit in {@value #NAME_MAX} bytes is replaced by
 * {@code ~} and the first 24 hex digits of its SHA-256, so that any valid output name works.
 *
 * <p>Every temporary file is registered while it exists. When the command is stopped (SIGINT or
 * SIGTERM, see {@link Interruption}), {@link #abandonAll} deletes them all and refuses every later
 * creation or rename, so that no output is replaced after the stop. A run killed by SIGKILL cannot clean
 * up; the next write to the same target removes such stale files ({@link #removeStale}): only names of
 * exactly this form whose process is no longer running, never another file.
 */
final class Temporaries {
    /** The longest file name (in bytes) Linux file systems accept. */
    static final int NAME_MAX = 255;
    /** Longest target name (UTF-8 bytes) kept as it is in the temporary name; longer ones are hashed. */
    static final int LONGEST_KEPT_NAME = NAME_MAX - 40;
    private static final Pattern OURS = Pattern.compile("(\\d{1,10})-[0-9a-z]{1,13}\\.tmp");

    private static final Object LOCK = new Object();
    private static final Set<Path> LIVE = new LinkedHashSet<>();
    private static boolean abandoned;

    private Temporaries() {
    }

    /** The part of the temporary names of {@code targetName} before the PID: {@code .NAME.} or {@code .~HASH.}. */
    static String prefix(String targetName) {
        byte[] utf8 = targetName.getBytes(StandardCharsets.UTF_8);
        if (utf8.length <= LONGEST_KEPT_NAME) {
            return "." + targetName + ".";
        }
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(utf8);
            return ".~" + HexFormat.of().formatHex(hash, 0, 12) + ".";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java runtime", e);
        }
    }

    /**
     * Creates and registers a new empty temporary file for {@code targetName} in {@code dir}, with the
     * permissions a new file gets (the umask applies, unlike {@code Files.createTempFile}'s 0600).
     *
     * @throws CancellationException if the command has been stopped
     */
    static Path create(Path dir, String targetName) throws IOException {
        String stem = prefix(targetName) + ProcessHandle.current().pid() + "-";
        for (int attempt = 0; ; attempt++) {
            Path tmp = dir.resolve(stem + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36) + ".tmp");
            synchronized (LOCK) {
                checkNotAbandoned();
                try {
                    Files.createFile(tmp);
                    LIVE.add(tmp);
                    return tmp;
                } catch (FileAlreadyExistsException e) {
                    if (attempt == 100) {
                        throw e;
                    }
                }
            }
        }
    }

    /**
     * Renames the registered {@code tmp} over {@code destination} in one atomic step, unless the command
     * has been stopped.
     *
     * @throws CancellationException if the command has been stopped (the temporary file is then gone)
     */
    static void commit(Path tmp, Path destination) throws IOException {
        synchronized (LOCK) {
            checkNotAbandoned();
            Files.move(tmp, destination, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            LIVE.remove(tmp);
        }
    }

    /** Deletes the registered {@code tmp} if it still exists. */
    static void discard(Path tmp) {
        synchronized (LOCK) {
            LIVE.remove(tmp);
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // hidden and named after the target; the next run to it removes it (removeStale)
            }
        }
    }

    /** Deletes every registered temporary file and refuses any later creation or rename (on SIGINT/SIGTERM). */
    static void abandonAll() {
        synchronized (LOCK) {
            abandoned = true;
            for (Path tmp : LIVE) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // as in discard
                }
            }
            LIVE.clear();
        }
    }

    /** Whether {@link #abandonAll} has run. */
    static boolean abandoned() {
        synchronized (LOCK) {
            return abandoned;
        }
    }

    private static void checkNotAbandoned() {
        if (abandoned) {
            throw new CancellationException("interrupted");
        }
    }

    /**
     * Deletes the temporary files for {@code targetName} in {@code dir} that a killed run of this command
     * left: regular files named exactly {@code prefix(targetName) + PID-RANDOM.tmp} whose PID is not a
     * running process. Returns how many were removed; failures are ignored (the files are hidden).
     */
    static int removeStale(Path dir, String targetName) {
        String prefix = prefix(targetName);
        int removed = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, glob(prefix) + "*.tmp")) {
            for (Path p : entries) {
                String name = p.getFileName().toString();
                if (!name.startsWith(prefix)) {
                    continue;
                }
                Matcher m = OURS.matcher(name.substring(prefix.length()));
                if (!m.matches() || !Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                long pid = Long.parseLong(m.group(1));
                if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                    continue;   // another run writing the same target right now
                }
                if (Files.deleteIfExists(p)) {
                    removed++;
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // an unreadable directory: the write itself will report it
        }
        return removed;
    }

    /** {@code s} with the glob's special characters escaped. */
    private static String glob(String s) {
        return s.replaceAll("([\\\\*?\\[\\]{}])", "\\\\$1");
    }
}
