package io.github.tangent4j.cli;

import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The file options of a parsed subcommand, checked before it computes anything: every {@code Path}
 * option not marked {@link Output} is an input and must not be empty, a directory, or other than a
 * readable regular file (a missing one is left to its reader, whose error {@link Errors} prefixes with
 * the option); every output must pass {@link OutputFile#checkTarget} against all the other files. Errors
 * name the option and the file.
 */
final class FileOptions {
    /** The option value meaning standard input, where a reader supports it. */
    static final String STDIN = "-";

    private FileOptions() {
    }

    /** The values of the {@code Path} options of {@code spec} (and its mixins) that were given or defaulted. */
    static Map<OptionSpec, Path> paths(CommandSpec spec) {
        Map<OptionSpec, Path> paths = new LinkedHashMap<>();
        for (OptionSpec o : spec.options()) {
            if (o.getValue() instanceof Path p) {
                paths.put(o, p);
            }
        }
        return paths;
    }

    private static Output marker(OptionSpec o) {
        return o.userObject() instanceof Field f ? f.getAnnotation(Output.class) : null;
    }

    /**
     * Checks the inputs and outputs of {@code spec} as described in the class comment.
     *
     * @throws IllegalArgumentException naming the option, the file and what is wrong
     */
    static void check(CommandSpec spec) {
        boolean outputOptional = spec.userObject() != null
                && spec.userObject().getClass().isAnnotationPresent(OptionalOutput.class);
        for (OptionSpec o : spec.options()) {
            if (marker(o) != null && !marker(o).optional() && o.getValue() == null && !outputOptional) {
                throw new IllegalArgumentException("Missing required option: '" + o.longestName() + "=" + o.paramLabel()
                        + "'");
            }
        }
        Map<OptionSpec, Path> paths = paths(spec);
        for (Map.Entry<OptionSpec, Path> e : paths.entrySet()) {
            if (marker(e.getKey()) == null) {
                checkInput(e.getValue(), e.getKey());
            }
        }
        List<OptionSpec> outputs = new ArrayList<>();
        for (Map.Entry<OptionSpec, Path> e : paths.entrySet()) {
            Output out = marker(e.getKey());
            if (out == null) {
                continue;
            }
            String option = e.getKey().longestName();
            if (out.folder()) {
                checkFolder(e.getValue(), option);
                continue;
            }
            if (ChunkOptions.isStore(e.getValue())) {
                ChunkOptions.checkTarget(e.getValue(), option);
                continue;
            }
            Map<String, Path> others = new LinkedHashMap<>();
            for (Map.Entry<OptionSpec, Path> o : paths.entrySet()) {
                if (o.getKey() == e.getKey()) {
                    continue;
                }
                boolean isOutput = marker(o.getKey()) != null;
                String name = o.getKey().longestName() + " " + o.getValue();
                if (isOutput && outputs.contains(o.getKey()) && sameName(e.getValue(), o.getValue())) {
                    throw new IllegalArgumentException(option + " " + e.getValue() + ": is the same file as "
                            + name + "; expected two different output files");
                }
                others.put(isOutput ? name : "the input " + name, o.getValue());
            }
            outputs.add(e.getKey());
            OutputFile.checkTarget(e.getValue(), option, others);
        }
    }

    /** Whether two output names denote the same file before either exists (same absolute normal path). */
    private static boolean sameName(Path a, Path b) {
        return !a.toString().isEmpty() && a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
    }

    /**
     * Checks that {@code file} (the value of {@code option}), if it exists, is a regular file that can be
     * read; {@link #STDIN} passes on an option marked {@link StandardInput} and is refused on the others.
     *
     * @throws IllegalArgumentException naming the option, the file and what is wrong
     */
    static void checkInput(Path file, OptionSpec spec) {
        String option = spec.longestName();
        boolean stdin = spec.userObject() instanceof Field f && f.isAnnotationPresent(StandardInput.class);
        String name = file.toString();
        if (name.isEmpty()) {
            throw new IllegalArgumentException(option + " '': expected a file name but was empty");
        }
        if (name.equals(STDIN)) {
            if (stdin) {
                return;
            }
            throw new IllegalArgumentException(option + " -: this option cannot read standard input; expected a"
                    + " file name");
        }
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            // Reported by the reader, with the option (see Errors), so that an output option a command
            // forgot to mark @Output still works.
            return;
        } catch (IOException e) {
            throw new IllegalArgumentException(option + " " + file + ": cannot be read (" + Errors.reason(e) + ")");
        }
        if (attrs.isDirectory()) {
            throw new IllegalArgumentException(option + " " + file + ": is a directory; expected a file");
        }
        if (!attrs.isRegularFile()) {
            throw new IllegalArgumentException(option + " " + file + ": is not a regular file (a FIFO, device or"
                    + " socket); expected a file" + (stdin ? " (or - for a .npy on standard input)" : ""));
        }
        if (!Files.isReadable(file)) {
            throw new IllegalArgumentException(option + " " + file + ": permission denied");
        }
    }

    private static void checkFolder(Path dir, String option) {
        if (dir.toString().isEmpty()) {
            throw new IllegalArgumentException(option + " '': expected a folder name but was empty");
        }
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IllegalArgumentException(option + " " + dir + ": exists and is not a folder; expected a"
                    + " folder or a new name");
        }
    }
}
