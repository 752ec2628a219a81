package io.github.tangent4j.spark;

import io.github.tangent4j.chunked.ChunkRunner;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * {@code tangent4j spark [--master URL] SUBCOMMAND [options]} and {@code spark-submit --class
 * io.github.tangent4j.spark.Main tangent4j-spark-VERSION-app.jar SUBCOMMAND [options]}: runs one of the
 * chunked subcommands ({@code forward}, {@code jacobian}, {@code patterns}, {@code ntk}, {@code kernel})
 * with the tangent4j command's own options, its tiles as Spark tasks. {@code --out} must be a
 * {@code .zarr} store; it and the input files may be any Hadoop filesystem URI ({@code file:},
 * {@code hdfs:}, {@code s3a:}): the driver reads the inputs (copied from a URI first) and broadcasts them,
 * the executors write the chunks. The master is {@code --master}, else spark-submit's, else
 * {@code local[*]}. Exit code 0, or 2 with one line on stderr.
 */
public final class Main {
    /** The subcommands whose output is a chunk grid. */
    static final Set<String> SUBCOMMANDS = Set.of("forward", "jacobian", "patterns", "ntk", "kernel");
    /** The input file options that may be Hadoop URIs. */
    private static final Set<String> INPUTS = Set.of("--model", "--x", "--x2");

    private Main() {
    }

    /** Runs the command and exits with its status. */
    public static void main(String[] args) {
        System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /** Runs {@code [--master URL] SUBCOMMAND [options]} in a new Spark context; returns the exit code. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        List<String> rest = new ArrayList<>(List.of(args));
        String master = null;
        if (rest.size() >= 2 && rest.get(0).equals("--master")) {
            master = rest.get(1);
            rest = rest.subList(2, rest.size());
        }
        String problem = check(rest);
        if (problem != null) {
            err.println("spark: " + problem);
            err.flush();
            return 2;
        }
        SparkConf conf = new SparkConf().setAppName("tangent4j " + rest.get(0));
        if (master != null) {
            conf.setMaster(master);
        } else {
            conf.setIfMissing("spark.master", "local[*]");
        }
        if (conf.get("spark.master").startsWith("local")) {
            conf.setIfMissing("spark.ui.enabled", "false");   // a second of start-up for a page nobody opens
        }
        JavaSparkContext spark;
        try {
            spark = new JavaSparkContext(conf);
        } catch (Exception e) {   // SparkException is checked in Java's eyes but not declared by Scala
            err.println("spark: cannot start Spark with master '" + conf.get("spark.master") + "': "
                    + String.valueOf(e.getMessage()).lines().findFirst().orElse(e.toString()));
            err.flush();
            return 2;
        }
        try (spark) {
            spark.setLogLevel("WARN");
            return run(spark, null, out, err, rest.toArray(String[]::new));
        }
    }

    /** What is wrong with {@code SUBCOMMAND [options]}, or null. */
    private static String check(List<String> args) {
        if (args.isEmpty() || !SUBCOMMANDS.contains(args.get(0))) {
            return "expected [--master URL] SUBCOMMAND [options] with SUBCOMMAND one of forward, jacobian, patterns,"
                    + " ntk, kernel but was " + (args.isEmpty() ? "nothing" : "'" + args.get(0) + "'");
        }
        int out = args.indexOf("--out");
        if (out < 0 || out + 1 >= args.size() || !args.get(out + 1).endsWith(".zarr")) {
            return "--out: expected a Zarr store NAME.zarr (a path or a Hadoop URI) but was "
                    + (out < 0 || out + 1 >= args.size() ? "missing" : "'" + args.get(out + 1) + "'");
        }
        return null;
    }

    /**
     * Runs {@code SUBCOMMAND [options]} on {@code spark}, calling {@code hook} before every task attempt
     * (may be null); returns the exit code.
     */
    static int run(JavaSparkContext spark, TaskHook hook, PrintWriter out, PrintWriter err, String... args) {
        List<String> a = new ArrayList<>(List.of(args));
        String problem = check(a);
        if (problem != null) {
            err.println("spark: " + problem);
            err.flush();
            return 2;
        }
        Path local = null;
        try {
            local = Files.createTempDirectory("tangent4j-spark");
            int o = a.indexOf("--out") + 1;
            String store = a.get(o);
            if (isUri(store)) {
                // The command line checks a local name; the chunks go to the URI.
                a.set(o, local.resolve(new org.apache.hadoop.fs.Path(store).getName()).toString());
            } else {
                store = Path.of(store).toAbsolutePath().toUri().toString();
            }
            for (int k = 0; k + 1 < a.size(); k++) {
                if (INPUTS.contains(a.get(k)) && isUri(a.get(k + 1))) {
                    a.set(k + 1, copyToLocal(spark, a.get(k + 1), local).toString());
                }
            }
            ChunkRunner.install(new SparkChunkRunner(spark, store, hook, err));
            try {
                return io.github.tangent4j.cli.Main.run(out, err, a.toArray(String[]::new));
            } finally {
                ChunkRunner.install(ChunkRunner.LOCAL);
            }
        } catch (IOException e) {
            err.println("spark: " + e.getMessage());
            err.flush();
            return 2;
        } finally {
            deleteTree(local);
        }
    }

    /** True for {@code scheme:...} (a scheme of two or more letters, so not a drive letter). */
    static boolean isUri(String s) {
        return s.matches("[A-Za-z][A-Za-z0-9+.-]+:.*");
    }

    private static Path copyToLocal(JavaSparkContext spark, String uri, Path dir) throws IOException {
        org.apache.hadoop.fs.Path src = new org.apache.hadoop.fs.Path(uri);
        Path dst = Files.createTempDirectory(dir, "in").resolve(src.getName());
        FileSystem fs = src.getFileSystem(spark.hadoopConfiguration());
        try (var in = fs.open(src)) {
            Files.copy(in, dst);
        }
        return dst;
    }

    private static void deleteTree(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary folder; the OS cleans it
        }
    }
}
