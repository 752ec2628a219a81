package io.github.tangent4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.nn.Parameterization;
import io.github.tangent4j.nn.StateDict;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Npy;
import io.github.tangent4j.tensor.Npz;
import io.github.tangent4j.tensor.Tensor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reproductions of issue 14 that need a process of their own: a file-size limit, kill -9 in the
 * middle of a write, a small direct-memory limit, and the launcher script.
 */
class ForkedCliTest {
    @TempDir
    Path dir;
    Path model;
    Path x;

    @BeforeEach
    void files() throws IOException {
        model = dir.resolve("m.npz");
        Npz.write(model, StateDict.fromMlp(Mlp.random(14, Activation.RELU, Parameterization.STANDARD, DType.F64,
                2, 64, 64, 1)));
        x = dir.resolve("x.npy");
    }

    record Run(int code, String out, String err) {
    }

    /** The java command that runs {@link Main} with {@code jvmFlags}, as the launcher would. */
    static List<String> java(String... jvmFlags) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.add("--add-modules");
        cmd.add("jdk.incubator.vector");
        cmd.addAll(List.of(jvmFlags));
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Main.class.getName());
        return cmd;
    }

    static Run run(List<String> cmd) throws IOException, InterruptedException {
        return run(cmd, java.util.Map.of());
    }

    /** {@link #run(List)} with {@code env} added to the child's environment. */
    static Run run(List<String> cmd, java.util.Map<String, String> env) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(cmd);
        builder.environment().putAll(env);
        Process p = builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        var err = p.getErrorStream();
        byte[] out = p.getInputStream().readAllBytes();
        String errText = new String(err.readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "child finished");
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8), errText);
    }

    /** The stderr of a child JVM without the warning every JVM with the incubator module prints. */
    static String withoutIncubatorWarning(String err) {
        return err.lines().filter(l -> !l.startsWith("WARNING: Using incubator modules")).reduce("",
                (a, b) -> a + b + "\n");
    }

    // Reproduction 1: a write that hits the file-size limit leaves the previous output whole.

    @Test
    void aWriteBeyondTheFileSizeLimitKeepsThePreviousOutput() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/bin/bash")));
        Npy.write(x, SafetyTest.gaussian(40_000, 2));   // 640 KB in, 320 KB out
        Path out = dir.resolve("y.npy");
        byte[] previous = "previous result".getBytes(StandardCharsets.UTF_8);
        Files.write(out, previous);
        List<String> cmd = java();
        cmd.addAll(List.of("forward", "--backend", "java", "--model", model.toString(), "--x", x.toString(), "--out",
                out.toString()));
        String line = String.join(" ", cmd.stream().map(a -> "'" + a + "'").toList());
        Run r = run(List.of("/bin/bash", "-c", "ulimit -f 200 && exec " + line));   // 200 KiB
        String err = withoutIncubatorWarning(r.err()).strip();
        assertEquals(2, r.code(), r.err());
        assertEquals(1, err.lines().count(), err);
        assertTrue(err.contains("--out " + out) && err.contains("File too large"), err);
        assertArrayEquals(previous, Files.readAllBytes(out));
        assertNoTemporaryFiles();
    }

    private void assertNoTemporaryFiles() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            List<String> tmp = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".tmp")).toList();
            assertEquals(List.of(), tmp);
        }
    }

    // Reproduction 2: kill -9 while the output is written leaves the old file or the new one, whole.

    @Test
    void killedMidWriteLeavesTheOldOutputWhole() throws Exception {
        Tensor xs = SafetyTest.gaussian(2_000_000, 2);
        Npy.write(x, xs);
        Path out = dir.resolve("y.npy");
        Tensor old = Tensor.of(new double[] {1, 2, 3}, 3, 1);
        Npy.write(out, old);
        byte[] oldBytes = Files.readAllBytes(out);
        List<String> cmd = java("-Xmx256m");
        cmd.addAll(List.of("forward", "--backend", "java", "--model", model.toString(), "--x", x.toString(), "--out",
                out.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        boolean sawTemporary = false;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (p.isAlive() && System.nanoTime() < deadline) {
            if (hasTemporaryFile()) {
                sawTemporary = true;
                p.destroyForcibly();   // SIGKILL
                break;
            }
            Thread.sleep(1);
        }
        p.waitFor(30, TimeUnit.SECONDS);
        byte[] after = Files.readAllBytes(out);
        if (sawTemporary) {
            assertArrayEquals(oldBytes, after, "killed while writing: the old output must be intact");
        } else {
            // The child finished before a temporary file was seen: the new output must be complete.
            assertEquals(2_000_000, Npy.read(out).dim(0));
        }
        assertTrue(sawTemporary, "the child was never caught mid-write (it finished first)");
    }

    private boolean hasTemporaryFile() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.anyMatch(f -> f.getFileName().toString().startsWith(".y.npy."));
        }
    }

    // Reproduction 4: out of memory is exit 2 and one line naming the array and the bytes.

    @Test
    void arraysBeyondTheDirectMemoryLimitAreOneLine() throws Exception {
        // A float32 x of 1,000,000 rows is mapped, not copied; converting it to float64 needs 16 MB of
        // memory, over the 10 MB limit below.
        Npy.write(x, SafetyTest.gaussian(1_000_000, 2).to(DType.F32));
        List<String> cmd = java("-XX:MaxDirectMemorySize=10m");
        cmd.addAll(List.of("forward", "--backend", "java", "--model", model.toString(), "--x", x.toString(), "--out",
                dir.resolve("y.npy").toString()));
        Run r = run(cmd);
        String err = withoutIncubatorWarning(r.err()).strip();
        assertEquals(2, r.code(), r.err());
        assertEquals(1, err.lines().count(), err);
        assertTrue(err.startsWith("forward: --x " + x + " (converting to --dtype f64): array F64 (1000000, 2) needs"
                + " 16000000 bytes") && err.contains("direct"), err);
        assertFalse(Files.exists(dir.resolve("y.npy")));
    }

    @Test
    void anInputLargerThanTheDirectMemoryLimitIsMappedNotCopied() throws Exception {
        Npy.write(x, SafetyTest.gaussian(400_000, 2));   // 6.4 MB of float64, over the 4 MB limit below
        List<String> cmd = java("-XX:MaxDirectMemorySize=4m");
        cmd.addAll(List.of("forward", "--backend", "java", "--model", model.toString(), "--x", x.toString(), "--out",
                dir.resolve("y.npy").toString()));
        Run r = run(cmd);
        assertEquals(0, r.code(), r.err());
        assertEquals(400_000, Npy.read(dir.resolve("y.npy")).dim(0));
    }

    // Reproductions 10 and 11: the launcher prints one line, and tells a JVM that cannot start from no JDK.

    /** The launcher script, after pointing {@link #launcherEnv} at a jar that runs this build's classes. */
    private Path launcher() throws IOException {
        Path script = LauncherScript.script();
        launcherEnv = LauncherScript.environment(dir);
        return script;
    }

    private java.util.Map<String, String> launcherEnv = java.util.Map.of();

    private Run runLauncher(List<String> cmd, java.util.Map<String, String> extraEnv)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File(
                "/dev/null")));
        pb.environment().putAll(launcherEnv);
        pb.environment().putAll(extraEnv);
        Process p = pb.start();
        var err = p.getErrorStream();
        byte[] out = p.getInputStream().readAllBytes();
        String errText = new String(err.readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "launcher finished");
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8), errText);
    }

    @Test
    void theLauncherPrintsOneLineOnError() throws Exception {
        Path script = launcher();
        Run r = runLauncher(List.of(script.toString(), "forward", "--activation", "gelu", "--model",
                model.toString(), "--x", "x.npy", "--out", "y.npy"), java.util.Map.of());
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("--activation") && r.err().contains("gelu"), r.err());
    }

    @Test
    void theLauncherPassesEverythingAfterTheWarningThrough() throws Exception {
        Path script = launcher();
        Run r = runLauncher(List.of(script.toString(), "forward", "--verbose", "--model",
                dir.resolve("none.npz").toString(), "--x", "x.npy", "--out", "y.npy"), java.util.Map.of());
        assertEquals(2, r.code(), r.err());
        assertFalse(r.err().contains("WARNING: Using incubator modules"), r.err());
        assertTrue(r.err().startsWith("forward: --model " + dir.resolve("none.npz")), r.err());
        assertTrue(r.err().lines().count() > 3 && r.err().contains("\tat io.github.tangent4j."), r.err());
    }

    @Test
    void theLauncherReportsAJvmThatCannotStart() throws Exception {
        Path script = launcher();
        Run r = runLauncher(List.of(script.toString(), "info"), java.util.Map.of("TANGENT4J_JAVA_OPTS", "-Xmx1k"));
        String err = r.err().strip();
        assertEquals(1, r.code(), err);   // the launcher exec's the JVM: its status, 1 when it cannot start
        assertEquals(1, err.lines().count(), err);
        assertTrue(err.contains("failed to start") && err.contains("Too small maximum heap"), err);
        assertFalse(err.contains("JDK 22"), err);
    }
}
