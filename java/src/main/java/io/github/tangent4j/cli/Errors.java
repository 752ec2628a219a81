package io.github.tangent4j.cli;

import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

/** Turns an exception into the one line the command prints before exiting with code 2. */
final class Errors {
    private Errors() {
    }

    /**
     * The message of {@code e} on one line, led by the option whose file it is about: when the message
     * does not start with an option but names the value of one of {@code files} (option to file), it is
     * prefixed with that option.
     */
    static String oneLine(Throwable e, Map<String, Path> files) {
        String msg = message(e).replace('\n', ' ').replace('\r', ' ');
        if (msg.startsWith("-")) {
            return msg;
        }
        for (Map.Entry<String, Path> f : files.entrySet()) {
            String name = f.getValue().toString();
            if (!name.isEmpty() && msg.startsWith(name + ":")) {
                return f.getKey() + " " + msg;
            }
        }
        for (Map.Entry<String, Path> f : files.entrySet()) {
            String name = f.getValue().toString();
            if (!name.isEmpty() && msg.contains(name)) {
                return f.getKey() + " " + name + ": " + msg;
            }
        }
        return msg;
    }

    /** The message of {@code e}, with file-system errors put as "FILE: reason". */
    static String message(Throwable e) {
        return switch (e) {
            case NoSuchFileException n -> n.getFile() + ": no such file";
            case AccessDeniedException a -> a.getFile() + ": permission denied";
            case FileSystemException f when f.getFile() != null -> f.getFile() + ": " + reason(f);
            case OutOfMemoryError o -> "out of memory" + (o.getMessage() == null ? "" : " (" + o.getMessage() + ")")
                    + "; run with less data or on a machine with more memory";
            case InternalError i when i.getMessage() != null && i.getMessage().contains("unsafe memory access") ->
                    "a memory-mapped file could not be read or written (a full disk, or a file truncated"
                            + " by another program): " + i.getMessage();
            default -> e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        };
    }

    /** What went wrong in {@code e}, without the file name (for a file-system error, its reason). */
    static String reason(Throwable e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof FileSystemException f) {
            return f.getReason() != null ? f.getReason() : f.getClass().getSimpleName();
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
}
