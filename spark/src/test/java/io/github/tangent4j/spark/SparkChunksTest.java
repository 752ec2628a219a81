package io.github.tangent4j.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tangent4j.chunked.ChunkTask;
import io.github.tangent4j.tensor.Npy;
import io.github.tangent4j.testing.ChunkedFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.spark.SparkConf;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chunk grid as a Spark job in local mode (two threads, two attempts per task), one context for the
 * class: the store equals the single machine's byte for byte, a task failing once is retried, a driver
 * killed with SIGKILL mid-job and started again writes only the missing chunks, and a damaged chunk is
 * recomputed.
 */
class SparkChunksTest {
    private static JavaSparkContext spark;
    /** Attempts that the fault hooks saw (local mode: the same JVM). */
    static final AtomicInteger ATTEMPTS = new AtomicInteger();

    @TempDir
    Path dir;
    Path model;
    Path x;
    Path x2;

    @BeforeAll
    static void start() {
        spark = new JavaSparkContext(new SparkConf().setMaster("local[2,2]").setAppName("tangent4j-test")
                .set("spark.ui.enabled", "false"));
        spark.setLogLevel("WARN");
    }

    @AfterAll
    static void stop() {
        spark.close();
    }

    @BeforeEach
    void files() throws IOException {
        ChunkedFiles files = ChunkedFiles.write(dir, 4, 41, 19);
        model = files.model();
        x = files.x();
        x2 = files.x2();
    }

    record Result(int code, String err) {
    }

    List<String> args(String out, String backend, String... command) {
        List<String> a = new ArrayList<>(List.of(command));
        a.replaceAll(s -> s.equals("X2") ? x2.toString() : s);
        if (a.get(0).equals("kernel")) {
            a.addAll(List.of("--depth", "2", "--sigma-w2", "1.5", "--sigma-b2", "0.1"));
        } else {
            a.addAll(List.of("--model", model.toString()));
        }
        a.addAll(List.of("--x", x.toString(), "--backend", backend, "--out", out));
        return a;
    }

    static Result spark(List<String> args, TaskHook hook) {
        StringWriter err = new StringWriter();
        int code = Main.run(spark, hook, new PrintWriter(new StringWriter()), new PrintWriter(err),
                args.toArray(String[]::new));
        return new Result(code, err.toString());
    }

    static Result local(List<String> args) {
        StringWriter err = new StringWriter();
        int code = io.github.tangent4j.cli.Main.run(new PrintWriter(new StringWriter()), new PrintWriter(err),
                args.toArray(String[]::new));
        return new Result(code, err.toString());
    }

    /** Every file of a store, by name. */
    static Map<String, byte[]> files(Path store) throws IOException {
        Map<String, byte[]> m = new TreeMap<>();
        try (Stream<Path> s = Files.list(store)) {
            for (Path p : s.toList()) {
                m.put(p.getFileName().toString(), Files.readAllBytes(p));
            }
        }
        return m;
    }

    static void assertSameStore(Path expected, Path actual) throws IOException {
        Map<String, byte[]> e = files(expected);
        Map<String, byte[]> a = files(actual);
        assertEquals(e.keySet(), a.keySet(), "file names");
        for (String name : e.keySet()) {
            assertArrayEquals(e.get(name), a.get(name), name);
        }
    }

    @Test
    void everyStoreEqualsTheSingleMachinesByteForByte() throws IOException {
        // Chunks such that each job has a few tasks (x: 41 points, x2: 19; D = 3, so 4 rows per point in
        // the Jacobian kernels) and partial edge chunks.
        List<String[]> commands = List.of(
                new String[] {"ntk", "--trace", "--chunk", "16"},
                new String[] {"ntk", "--chunk", "24"},
                new String[] {"ntk", "--trace", "--x2", "X2", "--chunk", "24x12"},
                new String[] {"kernel", "--kind", "nngp", "--chunk", "16"},
                new String[] {"kernel", "--kind", "ntk", "--chunk", "24x16"},
                new String[] {"kernel", "--kind", "jacobian-nngp", "--chunk", "72"},
                new String[] {"kernel", "--kind", "jacobian-ntk", "--x2", "X2", "--chunk", "64x40"},
                new String[] {"jacobian", "--chunk", "16"},
                new String[] {"jacobian", "--wrt", "params", "--chunk", "16"},
                new String[] {"patterns", "--chunk", "16"},
                new String[] {"forward", "--chunk", "16"});
        int k = 0;
        for (String[] c : commands) {
            Path single = dir.resolve("single" + k + ".zarr");
            Path distributed = dir.resolve("spark" + k + ".zarr");
            k++;
            Result r = local(args(single.toString(), "java", c));
            assertEquals(0, r.code(), r.err());
            Result s = spark(args(distributed.toUri().toString(), "java", c), null);   // a file: URI
            assertEquals(0, s.code(), s.err());
            assertSameStore(single, distributed);
            assertTrue(s.err().contains("tangent4j spark: 100%"), s.err());
        }
    }

    @Test
    void theCudaBackendOnTheEmulatedDeviceWritesTheSameStoreAsTheCommandLine() throws IOException {
        boolean emulated = Files.isDirectory(Path.of(System.getProperty("tangent4j.cuda.libs", "none")));
        org.junit.jupiter.api.Assumptions.assumeTrue(emulated, "native/emu/build is missing (no gcc or cblas.h)");
        Path single = dir.resolve("single.zarr");
        Path distributed = dir.resolve("spark.zarr");
        assertEquals(0, local(args(single.toString(), "cuda", "ntk", "--trace", "--chunk", "9")).code());
        Result s = spark(args(distributed.toString(), "cuda", "ntk", "--trace", "--chunk", "9"), null);
        assertEquals(0, s.code(), s.err());
        assertSameStore(single, distributed);
    }

    @Test
    void aTaskThatFailsItsFirstAttemptIsRetried() throws IOException {
        Path single = dir.resolve("single.zarr");
        Path distributed = dir.resolve("spark.zarr");
        assertEquals(0, local(args(single.toString(), "java", "ntk", "--trace", "--chunk", "9")).code());
        ATTEMPTS.set(0);
        List<String> a = args(distributed.toString(), "java", "ntk", "--trace", "--chunk", "9");
        a.set(a.indexOf("--x") + 1, x.toUri().toString());   // an input given as a Hadoop URI
        Result s = spark(a, task -> {
            if (task.equals(new ChunkTask(3, 1)) && TaskContext.get().attemptNumber() == 0) {
                ATTEMPTS.incrementAndGet();
                throw new IllegalStateException("injected failure of the first attempt");
            }
        });
        assertEquals(0, s.code(), s.err());
        assertEquals(1, ATTEMPTS.get(), "the hook failed one attempt");
        assertSameStore(single, distributed);
    }

    @Test
    void aDriverKilledWithSigkillRestartsAndWritesOnlyTheMissingChunks() throws Exception {
        Npy.write(x, ChunkedFiles.gaussian(2000, 3, 7));
        Path store = dir.resolve("killed.zarr");
        List<String> a = args(store.toString(), "java", "ntk", "--trace", "--chunk", "200");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "@" + Path.of("src/main/jvm/spark-jvm.args").toAbsolutePath(), "-Xmx512m", "-cp",
                System.getProperty("java.class.path"), Main.class.getName(), "--master", "local[2]"));
        cmd.addAll(a);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("driver.log").toFile());
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        Process driver = pb.start();
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(120);
        while (chunkFiles(store) < 10 && driver.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        driver.destroyForcibly();   // SIGKILL: the driver and its local executor threads die mid-job
        assertTrue(driver.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
        int total = 10 * 10;
        int present = chunkFiles(store);
        org.junit.jupiter.api.Assumptions.assumeTrue(present > 0 && present < total,
                "the driver was not killed mid-job (" + present + " chunks): " + Files.readString(dir.resolve("driver.log")));
        Map<String, Object> before = stamps(store);
        for (Map.Entry<String, Object> e : before.entrySet()) {
            if (!e.getKey().startsWith(".")) {
                assertEquals(200 * 200 * 8, Files.size(store.resolve(e.getKey())), e.getKey() + " must be whole");
            }
        }
        ATTEMPTS.set(0);
        Result resumed = spark(a, task -> ATTEMPTS.incrementAndGet());
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(ATTEMPTS.get() < 55, "only the tasks with a missing chunk ran: " + ATTEMPTS.get() + " of 55");
        Map<String, Object> after = stamps(store);
        for (Map.Entry<String, Object> e : before.entrySet()) {
            if (!e.getKey().startsWith(".")) {
                assertEquals(e.getValue(), after.get(e.getKey()), e.getKey() + " was present and must not be rewritten");
            }
        }
        Path single = dir.resolve("single.zarr");
        assertEquals(0, local(args(single.toString(), "java", "ntk", "--trace", "--chunk", "200")).code());
        assertSameStore(single, store);
    }

    private static int chunkFiles(Path store) throws IOException {
        if (!Files.isDirectory(store)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(store)) {
            return (int) s.filter(f -> !f.getFileName().toString().startsWith(".")).count();
        }
    }

    @Test
    void aChunkOfTheWrongSizeIsRecomputed() throws IOException {
        Path single = dir.resolve("single.zarr");
        Path distributed = dir.resolve("spark.zarr");
        assertEquals(0, local(args(single.toString(), "java", "kernel", "--kind", "ntk", "--chunk", "10")).code());
        List<String> a = args(distributed.toString(), "java", "kernel", "--kind", "ntk", "--chunk", "10");
        assertEquals(0, spark(a, null).code());
        Files.write(distributed.resolve("3.1"), new byte[17]);              // a foreign file of a chunk's name
        Files.write(distributed.resolve("1.3"), new byte[10 * 10 * 8 + 1]); // one byte too many
        Map<String, Object> before = stamps(distributed);
        ATTEMPTS.set(0);
        assertEquals(0, spark(a, task -> ATTEMPTS.incrementAndGet()).code());
        assertEquals(1, ATTEMPTS.get(), "one task: (3, 1) writes both chunks");
        Map<String, Object> after = stamps(distributed);
        assertNotEquals(before.get("3.1"), after.get("3.1"));
        assertEquals(before.get("2.2"), after.get("2.2"));
        assertSameStore(single, distributed);
    }

    @Test
    void badArgumentsEndInOneLine() {
        StringWriter usage = new StringWriter();
        assertEquals(2, Main.run(new PrintWriter(new StringWriter()), new PrintWriter(usage), "--master", "local[1]",
                "regress", "--out", dir.resolve("k.zarr").toString()));
        assertTrue(usage.toString().startsWith("spark: expected [--master URL] SUBCOMMAND"), usage.toString());
        StringWriter err = new StringWriter();
        assertEquals(2, Main.run(spark, null, new PrintWriter(new StringWriter()), new PrintWriter(err), "ntk", "--trace",
                "--out", dir.resolve("k.npy").toString()));
        assertTrue(err.toString().startsWith("spark: --out: expected a Zarr store"), err.toString());
        assertEquals(1, err.toString().strip().lines().count());
    }

    /** Each file's identity and modification time. */
    static Map<String, Object> stamps(Path store) throws IOException {
        Map<String, Object> m = new TreeMap<>();
        try (Stream<Path> s = Files.list(store)) {
            for (Path p : s.toList()) {
                BasicFileAttributes attrs = Files.readAttributes(p, BasicFileAttributes.class);
                m.put(p.getFileName().toString(), List.of(String.valueOf(attrs.fileKey()),
                        attrs.lastModifiedTime().toString()));
            }
        }
        return m;
    }
}
