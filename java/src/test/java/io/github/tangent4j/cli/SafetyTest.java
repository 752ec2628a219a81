package io.github.tangent4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.nn.Parameterization;
import io.github.tangent4j.nn.ScalarMlp;
import io.github.tangent4j.nn.StateDict;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Npy;
import io.github.tangent4j.tensor.Npz;
import io.github.tangent4j.tensor.Tensor;
import io.github.tangent4j.testing.Gaussian;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One test per reproduction of issue 14 that runs in this JVM (the forked ones are in
 * {@link ForkedCliTest}): outputs never replace or delete inputs, directories or devices; bad inputs
 * end in one line naming the option and the file.
 */
class SafetyTest {
    @TempDir
    Path dir;
    Path model;
    Path x;
    Mlp mlp;

    @BeforeEach
    void files() throws IOException {
        mlp = Mlp.random(14, Activation.RELU, Parameterization.STANDARD, DType.F64, 2, 16, 16, 1);
        model = dir.resolve("m.npz");
        Npz.write(model, StateDict.fromMlp(mlp));
        x = dir.resolve("x.npy");
        Npy.write(x, gaussian(50, 2));
    }

    static Tensor gaussian(long n, long d) {
        return Gaussian.matrix(n * 31 + d, n, d);
    }

    private CliTest.Result forward(Object out, String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("forward", "--backend", "java", "--model",
                model.toString(), "--x", x.toString(), "--out", out.toString()));
        args.addAll(List.of(more));
        return CliTest.run(args.toArray(String[]::new));
    }

    /** Exit 2, exactly one line on stderr holding every part, no stack trace or Java class name. */
    static void assertFailsWithOneLine(CliTest.Result r, String... parts) {
        assertEquals(2, r.code(), r.err());
        String err = r.err().strip();
        assertEquals(1, err.lines().count(), "expected one line but got:\n" + r.err());
        assertFalse(err.contains("Exception") || err.contains("java.") || err.contains("\tat "), err);
        for (String p : parts) {
            assertTrue(err.contains(p), "expected '" + p + "' in: " + err);
        }
    }

    // Reproduction 1: a failed write must not delete or truncate the input, a hard link to it, or a
    // previous output.

    @Test
    void outputThatIsTheInputIsRefusedBeforeComputing() throws IOException {
        byte[] before = Files.readAllBytes(x);
        assertFailsWithOneLine(forward(x), "--out", x.toString(), "same file");
        assertArrayEquals(before, Files.readAllBytes(x));
        assertFailsWithOneLine(forward(model), "--out", model.toString(), "same file");
    }

    @Test
    void outputThatIsAHardOrSymbolicLinkToAnInputIsRefused() throws IOException {
        byte[] before = Files.readAllBytes(x);
        Path hard = Files.createLink(dir.resolve("hard.npy"), x);
        assertFailsWithOneLine(forward(hard), "--out", "hard.npy", "same file");
        Path soft = Files.createSymbolicLink(dir.resolve("soft.npy"), model);
        assertFailsWithOneLine(forward(soft), "--out", "soft.npy", "same file");
        assertArrayEquals(before, Files.readAllBytes(x));
        assertArrayEquals(before, Files.readAllBytes(hard));
    }

    @Test
    void aFailedWriteLeavesThePreviousOutputAndNoTemporaryFile() throws IOException {
        Path out = dir.resolve("y.npy");
        Files.write(out, new byte[] {1, 2, 3});
        IOException e = assertThrows(IOException.class, () -> OutputFile.write(out, "--out", tmp -> {
            Files.write(tmp, new byte[1000]);
            throw new java.nio.file.FileSystemException(tmp.toString(), null, "File too large");
        }));
        assertTrue(e.getMessage().startsWith("--out " + out + ": could not be written (File too large)"),
                e.getMessage());
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(out));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of("m.npz", "x.npy", "y.npy"), files.map(p -> p.getFileName().toString()).sorted()
                    .toList());
        }
    }

    @Test
    void aSymbolicLinkAsOutputIsWrittenWhereItPointsAndStaysALink() throws IOException {
        Path real = dir.resolve("real.npy");
        Files.write(real, new byte[] {9});
        Path link = Files.createSymbolicLink(dir.resolve("link.npy"), real);
        CliTest.Result r = forward(link);
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.isSymbolicLink(link));
        ScalarMlp.assertMatches(mlp, Npy.read(x), Npy.read(real), 1e-12, 1);
    }

    @Test
    void anOutputGetsTheUsualPermissionsNotThoseOfATemporaryFile() throws IOException {
        Path out = dir.resolve("y.npy");
        assertEquals(0, forward(out).code());
        assertTrue(Files.getPosixFilePermissions(out).contains(java.nio.file.attribute.PosixFilePermission.OWNER_READ));
        Path probe = Files.createFile(dir.resolve("probe"));   // what the umask gives a new file
        assertEquals(Files.getPosixFilePermissions(probe), Files.getPosixFilePermissions(out));
    }

    // Reproduction 3: what --out names is never deleted; directories and devices are refused.

    @Test
    void aDirectoryAsOutputIsRefusedAndKept() throws IOException {
        Path empty = Files.createDirectory(dir.resolve("empty"));
        assertFailsWithOneLine(forward(empty), "--out", empty.toString(), "is a directory");
        assertTrue(Files.isDirectory(empty));
        Path full = Files.createDirectory(dir.resolve("full"));
        Files.write(full.resolve("keep"), new byte[] {1});
        assertFailsWithOneLine(forward(full), "--out", full.toString(), "is a directory");
        assertTrue(Files.exists(full.resolve("keep")));
    }

    @Test
    void aDeviceOrFifoAsOutputIsRefusedAndKept() throws Exception {
        // /dev/full is the example (as root the old code deleted the node); any device is refused alike.
        for (String device : new String[] {"/dev/null", "/dev/full"}) {
            assumeTrue(Files.exists(Path.of(device)));
            assertFailsWithOneLine(forward(device), "--out", device, "not a regular file");
            assertTrue(Files.exists(Path.of(device)));
        }
        Path fifo = mkfifo("out.fifo");
        assertFailsWithOneLine(forward(fifo), "--out", fifo.toString(), "not a regular file");
        assertTrue(Files.exists(fifo) && !Files.isRegularFile(fifo));
    }

    private Path mkfifo(String name) throws Exception {
        Path fifo = dir.resolve(name);
        Process p = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assumeTrue(p.waitFor() == 0, "mkfifo is not available");
        return fifo;
    }

    // Reproduction 4: arrays that cannot fit end with exit 2 and one line naming the array and the bytes.

    @Test
    void anArrayLargerThanMemoryIsOneLineNamingTheFileAndTheBytes() throws IOException {
        // (10^12, 2) of <f8 would be 16 TB; the header is checked against the file size first, so make the
        // file claim (10^12, 0) with a D = 0 network: the output (10^12, 1) is what does not fit.
        Map<String, Tensor> zeroInput = new LinkedHashMap<>();
        zeroInput.put("0.weight", Tensor.allocate(DType.F64, 3, 0));
        zeroInput.put("0.bias", Tensor.of(new double[] {1, 2, 3}, 3));
        zeroInput.put("2.weight", Tensor.of(new double[] {1, 1, 1}, 1, 3));
        Npz.write(model, zeroInput);
        Npy.write(x, Tensor.allocate(DType.F64, 1_000_000_000_000L, 0));
        CliTest.Result r = forward(dir.resolve("y.npy"));
        assertFailsWithOneLine(r, "8000000000000 bytes");
        assertFalse(Files.exists(dir.resolve("y.npy")));
    }

    // Reproduction 6: duplicate layer indices.

    @Test
    void duplicateLayerKeysAreRejectedNamingBoth() throws IOException {
        Map<String, Tensor> dup = new LinkedHashMap<>(StateDict.fromMlp(mlp));
        dup.put("00.weight", dup.get("0.weight"));
        Npz.write(model, dup);
        assertFailsWithOneLine(forward(dir.resolve("y.npy")), "--model", "m.npz", "'0.weight'", "'00.weight'");
    }

    // Reproduction 7: a FIFO or device as input is refused at once (never a hang); - reads standard input.

    @Test
    void aFifoOrDeviceAsInputIsRefusedWithoutWaiting() throws Exception {
        Path fifo = mkfifo("x.fifo");
        CliTest.Result r = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> CliTest.run("forward", "--model",
                model.toString(), "--x", fifo.toString(), "--out", dir.resolve("y.npy").toString()));
        assertFailsWithOneLine(r, "--x", fifo.toString(), "not a regular file");
        assertFailsWithOneLine(CliTest.run("forward", "--model", "/dev/zero", "--x", x.toString(), "--out",
                dir.resolve("y.npy").toString()), "--model", "/dev/zero", "not a regular file");
    }

    @Test
    void aDashReadsTheInputsFromStandardInput() throws IOException {
        InputStream saved = System.in;
        try {
            System.setIn(new ByteArrayInputStream(Files.readAllBytes(x)));
            CliTest.Result r = CliTest.run("forward", "--backend", "java", "--model", model.toString(), "--x", "-",
                    "--out", dir.resolve("y.npy").toString());
            assertEquals(0, r.code(), r.err());
        } finally {
            System.setIn(saved);
        }
        ScalarMlp.assertMatches(mlp, Npy.read(x), Npy.read(dir.resolve("y.npy")), 1e-12, 1);
    }

    // Reproduction 8: every error names the option and the file.

    @Test
    void errorsNameTheOptionAndTheFile() throws IOException {
        Path folder = Files.createDirectory(dir.resolve("folder"));
        Path y = dir.resolve("y.npy");
        assertFailsWithOneLine(CliTest.run("forward", "--model", model.toString(), "--x", folder.toString(), "--out",
                y.toString()), "--x", folder.toString(), "is a directory");
        assertFailsWithOneLine(CliTest.run("forward", "--model", folder.toString(), "--x", x.toString(), "--out",
                y.toString()), "--model", folder.toString(), "is a directory");
        assertFailsWithOneLine(CliTest.run("forward", "--model", model.toString(), "--x", "", "--out", y.toString()),
                "--x ''", "empty");
        assertFailsWithOneLine(CliTest.run("forward", "--model", "", "--x", x.toString(), "--out", y.toString()),
                "--model ''", "empty");
        assertFailsWithOneLine(forward(""), "--out ''", "empty");
        assertFailsWithOneLine(forward(dir.resolve("no/such/dir/y.npy")), "--out", "does not exist");
        assertFailsWithOneLine(CliTest.run("forward", "--model", dir.resolve("none.npz").toString(), "--x",
                x.toString(), "--out", y.toString()), "--model", "none.npz", "no such file");
        Files.write(dir.resolve("bad.npy"), new byte[] {1, 2, 3});
        assertFailsWithOneLine(CliTest.run("forward", "--model", model.toString(), "--x",
                dir.resolve("bad.npy").toString(), "--out", y.toString()), "--x " + dir.resolve("bad.npy"));
        Files.write(dir.resolve("m.txt"), new byte[] {1});
        assertFailsWithOneLine(CliTest.run("forward", "--model", dir.resolve("m.txt").toString(), "--x",
                x.toString(), "--out", y.toString()), "--model " + dir.resolve("m.txt"), ".npz or .safetensors");
        assertFalse(Files.exists(y));
    }

    // Reproduction 9: an overflow converting to f32 is named as such, with the file (and the key).

    @Test
    void overflowConvertingToF32NamesTheFileAndTheKey() throws IOException {
        Tensor big = gaussian(4, 2);
        big.setFlat(3, 1e300);
        Npy.write(x, big);
        assertFailsWithOneLine(forward(dir.resolve("y.npy"), "--dtype", "f32"), "--x " + x, "element 3",
                "overflows converting to f32");
        Npy.write(x, gaussian(4, 2));
        Map<String, Tensor> weights = new LinkedHashMap<>(StateDict.fromMlp(mlp));
        Tensor w = weights.get("2.weight").copy();
        w.setFlat(5, -1e300);
        weights.put("2.weight", w);
        Npz.write(model, weights);
        assertFailsWithOneLine(forward(dir.resolve("y.npy"), "--dtype", "f32"), "--model " + model, "'2.weight'",
                "element 5", "overflows converting to f32");
        assertEquals(0, forward(dir.resolve("y.npy")).code(), "f64 keeps the large weight");
    }

    @Test
    void aStreamedOutputWhoseFileIsCutUnderneathFailsNamingOutAndKeepsThePreviousFile() throws IOException {
        Path out = dir.resolve("y.npy");
        Files.write(out, new byte[] {7});
        CommonOptions common = new CommonOptions();
        common.out = out;
        IOException e = assertThrows(IOException.class, () -> common.write(DType.F64, new long[] {1 << 16, 4}, y -> {
            try (Stream<Path> files = Files.list(dir)) {
                Path tmp = files.filter(p -> p.getFileName().toString().startsWith(".y.npy.")).findFirst().orElseThrow();
                try (var ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
                    ch.truncate(128);   // as a full disk would: the mapped pages cannot be written
                }
            }
            y.copyFrom(Tensor.allocate(DType.F64, 1 << 16, 4));
        }));
        assertTrue(e.getMessage().startsWith("--out " + out + ": could not be written (the memory-mapped temporary"),
                e.getMessage());
        assertArrayEquals(new byte[] {7}, Files.readAllBytes(out));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(0, files.filter(p -> p.getFileName().toString().endsWith(".tmp")).count());
        }
    }

    @Test
    void errorsThatEndTheJvmElsewhereAreOneLineToo() {
        String oom = Errors.oneLine(new OutOfMemoryError("Java heap space"), Map.of());
        assertTrue(oom.startsWith("out of memory (Java heap space)"), oom);
        String sigbus = Errors.oneLine(new InternalError("a fault occurred in an unsafe memory access operation"),
                Map.of("--out", dir.resolve("y.npy")));
        assertTrue(sigbus.startsWith("a memory-mapped file could not be read or written"), sigbus);
    }

    // Reproduction 11: option errors without Java exception names; --verbose adds the trace.

    @Test
    void badOptionValuesAreOneLineWithoutJavaNames() {
        assertFailsWithOneLine(forward(dir.resolve("y.npy"), "--activation", "gelu"), "--activation", "gelu");
        assertFailsWithOneLine(forward(dir.resolve("y.npy"), "--activation", "leaky_relu:x"), "--activation");
        assertFailsWithOneLine(forward(dir.resolve("y.npy"), "--dtype", "f16"), "--dtype", "f16");
    }

    @Test
    void verboseAddsTheStackTrace() {
        CliTest.Result r = CliTest.run("forward", "--verbose", "--model", dir.resolve("none.npz").toString(), "--x",
                x.toString(), "--out", dir.resolve("y.npy").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().lines().count() > 1 && r.err().contains("\tat "), r.err());
        assertTrue(r.err().lines().findFirst().orElseThrow().contains("none.npz"), r.err());
    }
}
