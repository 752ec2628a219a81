package io.github.tangent4j.cli;

import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Tells the {@code tangent4j} launcher script that the command started and that it ended through Java
 * (normally, with an error, or stopped by SIGINT/SIGTERM), by writing {@code start} and {@code exit} lines
 * to the file descriptor named by the environment variable {@value #ENV}. The launcher {@code exec}s the
 * JVM, so it cannot wait for it; its watcher on that descriptor prints one line when the JVM started but
 * never said {@code exit}: the JVM was killed by a signal Java cannot catch (SIGKILL). Without the
 * variable (the jar run directly) nothing is written.
 *
 * <p>The launcher also passes its own stderr as the descriptor named by {@value #STDERR_ENV}: the JVM's
 * stderr goes through a filter that drops the JVM's start-up warning, and once the command runs (the
 * warning is behind it) {@link #started} puts the launcher's stderr back as descriptor 2 ({@code dup2}),
 * so that everything the command prints reaches the caller directly and in order, before it exits.
 */
final class LauncherStatus {
    /** The environment variable holding the descriptor number. */
    static final String ENV = "TANGENT4J_STATUS_FD";
    /** The environment variable holding the descriptor of the launcher's own stderr. */
    static final String STDERR_ENV = "TANGENT4J_STDERR_FD";

    private static OutputStream channel;

    private LauncherStatus() {
    }

    /** Writes {@code start} (once the command runs). */
    static synchronized void started() {
        restoreStderr();
        String fd = System.getenv(ENV);
        if (channel != null || fd == null || !fd.matches("\\d{1,4}")) {
            return;
        }
        try {
            // On Linux, opening /proc/self/fd/N opens the pipe the launcher gave the JVM as descriptor N.
            channel = Files.newOutputStream(Path.of("/proc/self/fd/" + fd), StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND);
            say("start");
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            channel = null;   // no launcher watching: nothing to tell
        }
    }

    /** Makes descriptor 2 the launcher's stderr again (see the class comment); a no-op without the launcher. */
    private static void restoreStderr() {
        String fd = System.getenv(STDERR_ENV);
        if (fd == null || !fd.matches("\\d{1,4}")) {
            return;
        }
        try {
            Linker linker = Linker.nativeLinker();
            FunctionDescriptor intInt = FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                    ValueLayout.JAVA_INT);
            MethodHandle dup2 = linker.downcallHandle(linker.defaultLookup().find("dup2").orElseThrow(), intInt);
            MethodHandle close = linker.downcallHandle(linker.defaultLookup().find("close").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
            System.err.flush();
            int saved = Integer.parseInt(fd);
            if ((int) dup2.invokeExact(saved, 2) == 2) {
                int ignored = (int) close.invokeExact(saved);
            }
        } catch (Throwable e) {
            // no native access: stderr keeps going through the launcher's filter, which copies it as it is
        }
    }

    /** Writes {@code exit}: the JVM is about to end through Java. */
    static synchronized void exiting() {
        say("exit");
    }

    private static void say(String line) {
        if (channel == null) {
            return;
        }
        try {
            channel.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
            channel.flush();
        } catch (IOException e) {
            channel = null;   // the watcher is gone; the exit status still says everything
        }
    }
}
