package io.github.tangent4j.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;

/**
 * The {@code tangent4j} command: reads and writes NumPy files so that PyTorch and JAX users can use
 * the library without writing Java. Every subcommand is a thin layer over the public API. Errors
 * (bad arguments, unreadable or corrupt files, shape mismatches) end with exit code 2 and one line
 * naming the problem, the option and the file; {@code --verbose} adds the stack trace. Out-of-memory
 * errors end the same way.
 */
@Command(name = "tangent4j", mixinStandardHelpOptions = true, versionProvider = Versions.class,
        description = "Jacobians, activation patterns and kernel matrices of fully connected networks.",
        subcommands = {ForwardCommand.class, JacobianCommand.class, JvpCommand.class, VjpCommand.class,
                PatternsCommand.class, RegionsCommand.class, SliceCommand.class, ArrangementsCommand.class,
                NtkCommand.class, RankCommand.class, KernelCommand.class, RegressCommand.class, RobustCommand.class,
                PathnormCommand.class, BalanceCommand.class, CanonicalCommand.class, CompressCommand.class, RnormCommand.class,
                SelftestCommand.class, InfoCommand.class, DemoCommand.class, FitCommand.class, SubsetBenchCommand.class,
                ConvexFitCommand.class, WedgeCommand.class,
                CommandLine.HelpCommand.class})
public final class Main {
    /** Exit code for bad input of any kind. */
    public static final int USAGE_ERROR = 2;

    /**
     * Show the stack trace of an error after its one line (also on with {@code -Dtangent4j.stacktrace=true}).
     * Inherited by every subcommand.
     */
    @Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT,
            description = "on error, print the stack trace after the one-line message")
    boolean verbose;

    private Main() {
    }

    /** Runs the command and exits with its status. */
    public static void main(String[] args) {
        // Log records (the backend choice, a missing Vector API) as one short line each on stderr.
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "tangent4j %4$s: %5$s%6$s%n");
        }
        LauncherStatus.started();
        Interruption.install(Thread.currentThread(), subcommand(args));
        int code = run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
        Interruption.returned();
        LauncherStatus.exiting();
        System.exit(code);
    }

    /** The subcommand named in {@code args} (the first argument that is not an option), for messages. */
    private static String subcommand(String... args) {
        for (String a : args) {
            if (!a.startsWith("-")) {
                return a;
            }
        }
        return "tangent4j";
    }

    /** Runs the command with the given streams and returns the exit code (0 on success, 2 on bad input). */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        boolean verbose = Boolean.getBoolean("tangent4j.stacktrace") || List.of(args).contains("--verbose");
        BackendLine.configure(verbose);
        cl.setParameterExceptionHandler((e, a) -> {
            err.println(e.getCommandLine().getCommandName() + ": " + e.getMessage().replace('\n', ' '));
            if (verbose && e.getCause() != null) {
                e.getCause().printStackTrace(err);
            }
            return USAGE_ERROR;
        });
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            report(err, commandLine, e, verbose);
            return USAGE_ERROR;
        });
        cl.setExecutionStrategy(parseResult -> {
            checkFiles(parseResult);
            return new CommandLine.RunLast().execute(parseResult);
        });
        try {
            Limits.checkThreads();
        } catch (IllegalArgumentException e) {
            err.println(subcommand(args) + ": " + e.getMessage());
            err.flush();
            return USAGE_ERROR;
        }
        int code;
        try {
            code = cl.execute(args);
        } catch (Error e) {
            // Errors (out of memory, a fault in a memory-mapped file whose disk filled up, ...) pass
            // picocli's handlers; the command that was running is the last one parsed.
            CommandLine leaf = cl;
            ParseResult pr = cl.getParseResult();
            while (pr != null && pr.subcommand() != null) {
                pr = pr.subcommand();
                leaf = pr.commandSpec().commandLine();
            }
            report(err, leaf, e, verbose);
            code = USAGE_ERROR;
        }
        out.flush();
        err.flush();
        return code;
    }

    private static void report(PrintWriter err, CommandLine commandLine, Throwable e, boolean verbose) {
        if (Interruption.stopping()) {
            return;   // the stop's own line says what happened
        }
        Map<String, Path> files = new LinkedHashMap<>();
        FileOptions.paths(commandLine.getCommandSpec()).forEach((o, p) -> files.put(o.longestName(), p));
        err.println(commandLine.getCommandName() + ": " + Errors.oneLine(e, files));
        if (verbose) {
            e.printStackTrace(err);
        }
    }

    /** Checks the file options of the subcommand about to run (unless help or the version was asked for). */
    private static void checkFiles(ParseResult parseResult) {
        ParseResult leaf = parseResult;
        while (true) {
            if (leaf.isUsageHelpRequested() || leaf.isVersionHelpRequested()) {
                return;
            }
            if (leaf.subcommand() == null) {
                break;
            }
            leaf = leaf.subcommand();
        }
        try {
            FileOptions.check(leaf.commandSpec());
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(leaf.commandSpec().commandLine(), e.getMessage(), e);
        }
    }
}
