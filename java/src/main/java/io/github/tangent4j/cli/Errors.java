package io.github.tangent4j.cli;

import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;

/** Turns an exception into the one line the command prints before exiting with code 2. */
final class Errors {
    private Errors() {
    }

    static String oneLine(Throwable e) {
        String msg = switch (e) {
            case NoSuchFileException n -> "no such file: " + n.getFile();
            case AccessDeniedException a -> "permission denied: " + a.getFile();
            default -> e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        };
        return msg.replace('\n', ' ');
    }
}
