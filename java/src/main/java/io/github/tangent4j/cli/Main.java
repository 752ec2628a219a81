package io.github.tangent4j.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code tangent4j} command: reads and writes NumPy files so that PyTorch and JAX users can use
 * the library without writing Java. Every subcommand is a thin layer over the public API. Errors
 * (bad arguments, unreadable or corrupt files, shape mismatches) end with exit code 2 and one line
 * naming the problem.
 */
@Command(name = "tangent4j", mixinStandardHelpOptions = true, versionProvider = Versions.class,
        description = "Jacobians, activation patterns and kernel matrices of fully connected networks.",
        subcommands = {ForwardCommand.class, KernelCommand.class, RegressCommand.class, RobustCommand.class, InfoCommand.class, DemoCommand.class, CommandLine.HelpCommand.class})
public final class Main {
    /** Exit code for bad input of any kind. */
    public static final int USAGE_ERROR = 2;

    private Main() {
    }

    /** Runs the command and exits with its status. */
    public static void main(String[] args) {
        // Log records (the backend choice, a missing Vector API) as one short line each on stderr.
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "tangent4j %4$s: %5$s%6$s%n");
        }
        System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /** Runs the command with the given streams and returns the exit code (0 on success, 2 on bad input). */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        cl.setParameterExceptionHandler((e, a) -> {
            err.println(e.getCommandLine().getCommandName() + ": " + e.getMessage());
            return USAGE_ERROR;
        });
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            err.println(commandLine.getCommandName() + ": " + Errors.oneLine(e));
            if (Boolean.getBoolean("tangent4j.stacktrace")) {
                e.printStackTrace(err);
            }
            return USAGE_ERROR;
        });
        int code = cl.execute(args);
        out.flush();
        err.flush();
        return code;
    }
}
