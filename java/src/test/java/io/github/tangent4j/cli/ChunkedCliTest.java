package io.github.tangent4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.tangent4j.backend.TestBackends;
import io.github.tangent4j.tensor.LocalStoreDirectory;
import io.github.tangent4j.tensor.Npy;
import io.github.tangent4j.testing.ChunkedFiles;
import io.github.tangent4j.tensor.Tensor;
import io.github.tangent4j.tensor.ZarrStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code --out NAME.zarr}: for every chunked subcommand the store holds the {@code .npy} output's values
 * (on both backends), zarr-python reads it, a rerun computes only the missing chunks, a store of other
 * inputs is refused, and a run killed with SIGKILL leaves only whole chunks.
 */
class ChunkedCliTest {
    @TempDir
    Path dir;
    Path model;
    Path x;
    Path x2;

    /** Each chunked subcommand's arguments after --model/--x, with a chunk shape that leaves partial edge chunks. */
    static final List<List<String>> COMMANDS = List.of(
            List.of("forward", "--chunk", "7"),
            List.of("jacobian", "--chunk", "6"),
            List.of("jacobian", "--norm", "--chunk", "5"),
            List.of("jacobian", "--wrt", "params", "--chunk", "8"),
            List.of("patterns", "--chunk", "9"),
            List.of("ntk", "--trace", "--chunk", "7"),
            List.of("ntk", "--chunk", "8"),
            List.of("ntk", "--trace", "--x2", "X2", "--chunk", "6x4"),
            List.of("ntk", "--diagonal", "--chunk", "6"),
            List.of("kernel", "--kind", "nngp", "--chunk", "7"),
            List.of("kernel", "--kind", "ntk", "--x2", "X2", "--chunk", "5x8"),
            List.of("kernel", "--kind", "jacobian-ntk", "--chunk", "12"),
            List.of("kernel", "--kind", "jacobian-nngp", "--chunk", "8x12"));

    @BeforeEach
    void files() throws IOException {
        ChunkedFiles files = ChunkedFiles.write(dir, 3, 23, 17);
        model = files.model();
        x = files.x();
        x2 = files.x2();
    }

    /** The full argument list of {@code command} writing to {@code out} on {@code backend}. */
    List<String> args(List<String> command, Path out, String backend) {
        List<String> a = new ArrayList<>();
        for (String s : command) {
            a.add(s.equals("X2") ? x2.toString() : s);
        }
        if (command.get(0).equals("kernel")) {
            a.addAll(List.of("--depth", "2", "--sigma-w2", "1.5", "--sigma-b2", "0.1"));
        } else {
            a.addAll(List.of("--model", model.toString()));
        }
        a.addAll(List.of("--x", x.toString(), "--backend", backend, "--out", out.toString()));
        return a;
    }

    static CliTest.Result run(List<String> args) {
        return CliTest.run(args.toArray(String[]::new));
    }

    /** The same arguments without --chunk (an .npy output takes none). */
    static List<String> withoutChunk(List<String> args) {
        List<String> a = new ArrayList<>(args);
        int k = a.indexOf("--chunk");
        if (k >= 0) {
            a.remove(k + 1);
            a.remove(k);
        }
        return a;
    }

    static Tensor readStore(Path store) throws IOException {
        return ZarrStore.openExisting(new LocalStoreDirectory(store)).read();
    }

    static Stream<String> backends() {
        return TestBackends.names().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void everyStoreHoldsTheNpyOutputAndZarrPythonReadsIt(String backend) throws Exception {
        JacobianCliTest.assumeBackend(backend);
        StringBuilder script = new StringBuilder("import zarr, numpy as np\n");
        for (List<String> command : COMMANDS) {
            int k = COMMANDS.indexOf(command);
            Path store = dir.resolve("s" + k + ".zarr");
            Path npy = dir.resolve("s" + k + ".npy");
            CliTest.Result z = run(args(command, store, backend));
            assertEquals(0, z.code(), command + ": " + z.err());
            CliTest.Result n = run(withoutChunk(args(command, npy, backend)));
            assertEquals(0, n.code(), command + ": " + n.err());
            Tensor expected = Npy.read(npy);
            Tensor actual = readStore(store);
            assertEquals(expected.dtype(), actual.dtype(), command.toString());
            JacobianCliTest.assertClose(expected, actual, 1e-12);
            script.append(String.format("z = zarr.open(%s, mode='r'); a = np.load(%s)%n"
                    + "assert z.dtype == a.dtype and z.shape == a.shape, (%d, z.dtype, z.shape, a.shape)%n"
                    + "assert np.allclose(z[:], a, rtol=1e-12, atol=1e-12), %d%n", py(store), py(npy), k, k));
        }
        String python = pythonWithZarr();
        assumeTrue(python != null, "no python3 with zarr-python here (Debian: python3-zarr): the stores were not read"
                + " with it");
        script.append("print('ok')\n");
        Process p = new ProcessBuilder(python, "-c", script.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertEquals("ok", out.strip());
    }

    /** The python3 that has zarr-python, or null. */
    static String pythonWithZarr() {
        for (String python : List.of("/usr/bin/python3", "python3")) {
            try {
                Process p = new ProcessBuilder(python, "-c", "import zarr, numpy").redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                if (p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    return python;
                }
            } catch (IOException | InterruptedException e) {
                // try the next one
            }
        }
        return null;
    }

    private static String py(Path p) {
        return "'" + p.toString().replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    @Test
    void aRerunWritesOnlyTheMissingChunks() throws IOException {
        List<String> a = args(List.of("ntk", "--trace", "--chunk", "5"), dir.resolve("k.zarr"), "java");
        assertEquals(0, run(a).code());
        Path store = dir.resolve("k.zarr");
        Tensor whole = readStore(store);
        Files.delete(store.resolve("1.3"));                 // mirrored from task (3, 1)
        Files.delete(store.resolve("2.2"));                 // on the diagonal
        Files.write(store.resolve("4.0"), new byte[13]);    // damaged: the wrong size
        Map<String, Object> before = stamps(store);
        assertEquals(0, run(a).code());
        Map<String, Object> after = stamps(store);
        for (String name : before.keySet()) {
            if (!List.of("1.3", "2.2", "4.0").contains(name)) {
                assertEquals(before.get(name), after.get(name), name + " was present and must not be rewritten");
            }
        }
        assertTrue(after.containsKey("1.3") && after.containsKey("2.2"));
        assertEquals(5 * 5 * 8, Files.size(store.resolve("4.0")));
        assertArrayEquals(whole.toDoubleArray(), readStore(store).toDoubleArray());
    }

    /** Each chunk file's identity and modification time. */
    static Map<String, Object> stamps(Path store) throws IOException {
        Map<String, Object> m = new HashMap<>();
        try (Stream<Path> s = Files.list(store)) {
            for (Path p : s.toList()) {
                FileTime t = Files.getLastModifiedTime(p);
                m.put(p.getFileName().toString(), List.of(String.valueOf(Files.readAttributes(p,
                        java.nio.file.attribute.BasicFileAttributes.class).fileKey()), t.toString()));
            }
        }
        return m;
    }

    @Test
    void aStoreOfOtherInputsOrOptionsIsRefused() throws IOException {
        Path store = dir.resolve("k.zarr");
        assertEquals(0, run(args(List.of("ntk", "--trace", "--chunk", "5"), store, "java")).code());
        Npy.write(x, ChunkedFiles.gaussian(23, 3, 99));
        CliTest.Result other = run(args(List.of("ntk", "--trace", "--chunk", "5"), store, "java"));
        assertEquals(2, other.code());
        assertEquals(1, other.err().strip().lines().count(), other.err());
        assertTrue(other.err().contains("other inputs or options") && other.err().contains("--out"), other.err());
        CliTest.Result kind = run(args(List.of("ntk", "--chunk", "5"), store, "java"));
        assertEquals(2, kind.code());
        assertTrue(kind.err().contains("another Zarr array"), kind.err());
        Files.createDirectories(dir.resolve("mine.zarr"));
        Files.writeString(dir.resolve("mine.zarr/data.csv"), "1,2");
        CliTest.Result foreign = run(args(List.of("forward"), dir.resolve("mine.zarr"), "java"));
        assertEquals(2, foreign.code());
        assertTrue(foreign.err().contains("not a Zarr array"), foreign.err());
        CliTest.Result npyChunk = run(args(List.of("forward", "--chunk", "4"), dir.resolve("y.npy"), "java"));
        assertEquals(2, npyChunk.code());
        assertTrue(npyChunk.err().contains("--chunk"), npyChunk.err());
    }

    @Test
    void killedWithSigkillLeavesOnlyWholeChunksAndResumes() throws Exception {
        Npy.write(x, ChunkedFiles.gaussian(600, 3, 5));
        Path store = dir.resolve("big.zarr");
        List<String> a = args(List.of("ntk", "--trace", "--chunk", "20"), store, "java");
        List<String> cmd = ForkedCliTest.java();
        cmd.addAll(a);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("log.txt").toFile())
                .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (chunkCount(store) < 40 && p.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        p.destroyForcibly();   // SIGKILL, while chunks are being written
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        int present = chunkCount(store);
        assertTrue(present > 0 && present < 30 * 30, "killed mid-way: " + present + " chunks");
        try (Stream<Path> s = Files.list(store)) {
            for (Path f : s.toList()) {
                String name = f.getFileName().toString();
                if (!name.startsWith(".")) {
                    assertEquals(20 * 20 * 8, Files.size(f), name + " must be whole");
                }
            }
        }
        assertEquals(0, run(a).code());
        assertEquals(0, run(withoutChunk(args(List.of("ntk", "--trace"), dir.resolve("k.npy"), "java"))).code());
        JacobianCliTest.assertClose(Npy.read(dir.resolve("k.npy")), readStore(store), 1e-12);
        try (Stream<Path> s = Files.list(store)) {
            assertFalse(s.anyMatch(f -> f.getFileName().toString().endsWith(".tmp")), "no temporary file left");
        }
    }

    private static int chunkCount(Path store) throws IOException {
        if (!Files.isDirectory(store)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(store)) {
            return (int) s.filter(f -> !f.getFileName().toString().startsWith(".")).count();
        }
    }
}
