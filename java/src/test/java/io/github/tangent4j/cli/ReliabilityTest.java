package io.github.tangent4j.cli;

import static io.github.tangent4j.cli.SafetyTest.assertFailsWithOneLine;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The in-process reproductions of issue 26 (the signal cases are in {@link SignalTest}): sizes checked
 * from the headers before any input is scanned (D3, D5), bounds (D4, D7), several outputs all or nothing
 * and never the same file (D6, D11), the overflow policy (D8), long output names (D10) and messages that
 * name the option the user typed (D12 to D21), and the short backend line (issue 20, item 7).
 */
class ReliabilityTest {
    @TempDir
    Path dir;
    Path model;
    Path x;
    Path out;

    @BeforeEach
    void files() throws IOException {
        model = dir.resolve("m.npz");
        Npz.write(model, StateDict.fromMlp(Mlp.random(26, Activation.RELU, Parameterization.STANDARD, DType.F64,
                1, 8, 2)));
        x = dir.resolve("x.npy");
        Npy.write(x, SafetyTest.gaussian(6, 1));
        out = dir.resolve("o.npy");
    }

    private CliTest.Result run(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--backend", "java"));
        return CliTest.run(all.toArray(String[]::new));
    }

    /** A sparse .npy whose header claims {@code rows} x {@code cols} float64 (no data is written). */
    private Path claim(String name, long rows, long cols) throws IOException {
        String dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (" + rows + ", " + cols + "), }";
        StringBuilder header = new StringBuilder(dict);
        while ((10 + header.length() + 1) % 64 != 0) {
            header.append(' ');
        }
        header.append('\n');
        Path p = dir.resolve(name);
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.write(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
            f.write(header.length() & 0xff);
            f.write(header.length() >> 8);
            f.write(header.toString().getBytes(StandardCharsets.US_ASCII));
            f.setLength(f.getFilePointer() + rows * cols * 8);
        } catch (IOException e) {
            assumeTrue(false, "this file system cannot hold a sparse file of " + rows * cols * 8 + " bytes: " + e);
        }
        return p;
    }

    // D3 and D5: sizes from the headers, before any scan.

    @Test
    void aClaimOfTenToTheTwelveRowsIsRefusedInUnderTwoSecondsNamingTheBytes() throws IOException {
        Path huge = claim("huge.npy", 1_000_000_000_000L, 1);
        Map<String, String[]> commands = new LinkedHashMap<>();
        commands.put("forward", new String[] {"forward"});
        commands.put("jacobian --wrt params", new String[] {"jacobian", "--wrt", "params"});
        commands.put("ntk", new String[] {"ntk", "--trace"});
        commands.put("patterns", new String[] {"patterns"});
        commands.put("jvp", new String[] {"jvp", "--tangent", huge.toString()});
        commands.put("kernel", new String[] {"kernel", "--kind", "nngp", "--depth", "2", "--sigma-w2", "1",
            "--sigma-b2", "0"});
        for (Map.Entry<String, String[]> c : commands.entrySet()) {
            List<String> args = new ArrayList<>(List.of(c.getValue()));
            if (!c.getKey().equals("kernel")) {
                args.addAll(List.of("--model", model.toString()));
            }
            args.addAll(List.of("--x", huge.toString(), "--out", out.toString()));
            long t0 = System.nanoTime();
            CliTest.Result r = run(args.toArray(String[]::new));
            double seconds = (System.nanoTime() - t0) / 1e9;
            assertFailsWithOneLine(r, "needs", "bytes");
            assertTrue(r.err().contains("free") || r.err().contains("available"), r.err());
            assertTrue(seconds < 2, c.getKey() + " took " + seconds + " s: " + r.err());
            assertFalse(Files.exists(out), c.getKey());
        }
    }

    @Test
    void aVectorFileClaimingTenToTheTwelveRowsIsRefusedBeforeItIsScanned() throws IOException {
        Path huge = claim("huge.npy", 1_000_000_000_000L, 1);
        for (String[] c : new String[][] {{"jvp", "--tangent"}, {"vjp", "--cotangent"}}) {
            long t0 = System.nanoTime();
            CliTest.Result r = run(c[0], c[1], huge.toString(), "--model", model.toString(), "--x", x.toString(),
                    "--out", out.toString());
            double seconds = (System.nanoTime() - t0) / 1e9;
            assertFailsWithOneLine(r, c[1] + " " + huge, "expected shape (6, ", "(1000000000000, 1)");
            assertTrue(seconds < 2, c[0] + " took " + seconds + " s");
        }
    }

    @Test
    void anOutputLargerThanTheFreeDiskIsRefusedNamingOutTheBytesNeededAndFree() throws IOException {
        long free = Files.getFileStore(dir).getUsableSpace();
        // forward writes (N, 2) float64, 16 bytes a row, streamed (no memory). Twice the free space, so that space
        // freed meanwhile (a deleted file's mapping released by a collection) cannot make it fit.
        long rows = free / 8 + 1;
        Path big = claim("big.npy", rows, 1);
        CliTest.Result r = run("forward", "--model", model.toString(), "--x", big.toString(), "--out", out.toString());
        assertFailsWithOneLine(r, "--out " + out, "the output F64 (" + rows + ", 2) needs " + rows * 16 + " bytes",
                "free");
    }

    // D4 and D7: bounds.

    @Test
    void threadsBeyondTheLimitAreRefusedInOneLine() {
        String saved = System.getProperty(Limits.THREADS);
        try {
            System.setProperty(Limits.THREADS, "100000");
            assertFailsWithOneLine(run("forward", "--model", model.toString(), "--x", x.toString(), "--out",
                    out.toString()), "-Dtangent4j.threads=100000", "expected 1 to " + Limits.maxThreads());
            System.setProperty(Limits.THREADS, "0");
            assertFailsWithOneLine(run("info"), "-Dtangent4j.threads=0");
        } finally {
            if (saved == null) {
                System.clearProperty(Limits.THREADS);
            } else {
                System.setProperty(Limits.THREADS, saved);
            }
        }
        assertFalse(Files.exists(out));
    }

    @Test
    void depthSizeAndMBeyondTheirLimitsAreRefusedInOneLine() {
        for (String depth : new String[] {"2147483647", "100000000", "-1"}) {
            assertFailsWithOneLine(run("kernel", "--kind", "ntk", "--depth", depth, "--sigma-w2", "1", "--sigma-b2",
                    "0", "--x", x.toString(), "--out", out.toString()), "--depth", "expected 0 to 10000", depth);
        }
        Path v = dir.resolve("v.npy");
        for (String size : new String[] {"0x4", "40000x4", "20000x20000"}) {
            assertFailsWithOneLine(run("slice", "--model", model.toString(), "--origin", v.toString(), "--dir1",
                    v.toString(), "--dir2", v.toString(), "--size", size, "--out", out.toString()), "--size " + size);
        }
        for (String m : new String[] {"0", "9223372036854775807"}) {
            assertFailsWithOneLine(run("arrangements", "--m", m, "--x", x.toString(), "--out", out.toString()),
                    "--m", "expected 1 to");
        }
        assertFalse(Files.exists(out));
    }

    // D6, D11 and D10: outputs.

    @Test
    void pngEqualToOutIsRefusedWhetherOrNotTheFileExists() throws IOException {
        Path v = dir.resolve("v.npy");
        Npy.write(v, Tensor.of(new double[] {1}, 1));
        Path p = dir.resolve("p.png");
        String[] args = {"slice", "--model", model.toString(), "--origin", v.toString(), "--dir1", v.toString(),
            "--dir2", v.toString(), "--size", "4x4", "--out", p.toString(), "--png", p.toString()};
        assertFailsWithOneLine(run(args), "--png " + p, "same file as --out " + p);
        assertFalse(Files.exists(p));
        Files.write(p, new byte[] {7});
        CliTest.Result r = run(args);
        assertFailsWithOneLine(r, "is the same file as --", "--png " + p, "--out " + p);
        assertFalse(r.err().contains("input"), r.err());
        assertArrayEquals(new byte[] {7}, Files.readAllBytes(p));
    }

    @Test
    void severalOutputsAreAllOrNothing() throws IOException {
        Path a = Files.write(dir.resolve("a.npy"), new byte[] {1});
        Path b = Files.write(dir.resolve("b.png"), new byte[] {2});
        IOException e = assertThrows(IOException.class, () -> OutputFile.writeAll(
                new OutputFile.Pending(a, "--out", tmp -> Files.write(tmp, new byte[] {3})),
                new OutputFile.Pending(b, "--png", tmp -> {
                    throw new IOException("no PNG writer");
                })));
        assertTrue(e.getMessage().startsWith("--png " + b + ": could not be written"), e.getMessage());
        assertArrayEquals(new byte[] {1}, Files.readAllBytes(a), "--out replaced although --png failed");
        assertArrayEquals(new byte[] {2}, Files.readAllBytes(b));
        assertNoTemporaryFiles();
    }

    @Test
    void outputNamesUpToNameMaxWorkAndTheirTemporaryNamesFit() throws IOException {
        for (int length : new int[] {230, 237, 255}) {
            String name = "y".repeat(length - 4) + ".npy";
            assertTrue(Temporaries.prefix(name).length() + 10 + 1 + 13 + 4 <= Temporaries.NAME_MAX, name);
            Path target = dir.resolve(name);
            CliTest.Result r = run("forward", "--model", model.toString(), "--x", x.toString(), "--out",
                    target.toString());
            assertEquals(0, r.code(), r.err());
            assertEquals(6, Npy.read(target).dim(0));
        }
        assertNoTemporaryFiles();
    }

    private void assertNoTemporaryFiles() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(), files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".tmp")).toList());
        }
    }

    // D8: the overflow policy.

    @Test
    void aNonFiniteResultFromFiniteInputsIsAnErrorNamingTheElementAndTheCause() throws IOException {
        Path xb = dir.resolve("xb.npy");
        Tensor big = SafetyTest.gaussian(6, 1);
        for (long i = 0; i < big.size(); i++) {
            big.setFlat(i, big.getFlat(i) * 1e200);
        }
        Npy.write(xb, big);
        Mlp heavy = Mlp.random(27, Activation.RELU, Parameterization.STANDARD, DType.F64, 1, 8, 2);
        Map<String, Tensor> weights = StateDict.fromMlp(heavy);
        for (Tensor w : weights.values()) {
            for (long i = 0; i < w.size(); i++) {
                w.setFlat(i, w.getFlat(i) * 1e200);
            }
        }
        Path heavyModel = dir.resolve("heavy.npz");
        Npz.write(heavyModel, weights);
        List<String[]> runs = List.of(
                new String[] {"kernel", "--kind", "nngp", "--depth", "2", "--sigma-w2", "1", "--sigma-b2", "0", "--x",
                    xb.toString()},
                new String[] {"kernel", "--kind", "ntk", "--depth", "2", "--sigma-w2", "1e300", "--sigma-b2", "1e300",
                    "--x", x.toString()},
                new String[] {"jacobian", "--model", heavyModel.toString(), "--x", x.toString()},
                new String[] {"forward", "--model", model.toString(), "--activation", "leaky_relu:1e308", "--x",
                    xb.toString()},
                new String[] {"ntk", "--model", heavyModel.toString(), "--x", x.toString()});
        for (String[] args : runs) {
            List<String> all = new ArrayList<>(List.of(args));
            all.addAll(List.of("--out", out.toString()));
            CliTest.Result r = run(all.toArray(String[]::new));
            // named by the library's entry point (the overflow policy of the Java API) or by the command's write
            assertFailsWithOneLine(r, ": element ", "although every input is finite", "overflowed");
            assertFalse(Files.exists(out), String.join(" ", args));
        }
        assertNoTemporaryFiles();
    }

    // D12 to D21: each message names the option the user typed.

    @Test
    void messagesNameTheOptionTheUserTyped() throws Exception {
        Path y = dir.resolve("y.npy");
        Npy.write(y, SafetyTest.gaussian(6, 1).reshape(6));
        Path times = dir.resolve("t.npy");
        Npy.write(times, Tensor.of(new double[] {0, 1, Double.POSITIVE_INFINITY}, 3));
        assertFailsWithOneLine(run("robust", "--lambda", "1e308", "--depth", "1", "--sigma-w2", "1", "--sigma-b2", "0",
                "--x", x.toString(), "--y", y.toString(), "--xtest", x.toString(), "--times", times.toString(), "--out",
                out.toString()), "--lambda");

        Map<String, Tensor> zeroOutputs = new LinkedHashMap<>(StateDict.fromMlp(Mlp.random(1, Activation.RELU,
                Parameterization.STANDARD, DType.F64, 1, 8, 2)));
        zeroOutputs.put("2.weight", Tensor.allocate(DType.F64, 0, 8));
        zeroOutputs.put("2.bias", Tensor.allocate(DType.F64, 0));
        Path m0 = dir.resolve("m0.npz");
        Npz.write(m0, zeroOutputs);
        assertFailsWithOneLine(run("ntk", "--model", m0.toString(), "--x", x.toString(), "--out", out.toString()),
                "--model " + m0, "0 outputs");

        Path xhuge = dir.resolve("xhuge.npy");
        Npy.write(xhuge, Tensor.of(new double[] {1e300, 1, 2}, 3, 1));
        assertFailsWithOneLine(run("arrangements", "--m", "3", "--dtype", "f32", "--x", xhuge.toString(), "--out",
                out.toString()), "--x " + xhuge, "overflows converting to f32");

        Map<String, Tensor> mask = new LinkedHashMap<>();
        mask.put("0.weight", Tensor.allocate(DType.BOOL, 1, 8));   // transposed: the model's is (8, 1)
        mask.put("0.bias", Tensor.allocate(DType.BOOL, 8));
        mask.put("2.weight", Tensor.allocate(DType.BOOL, 2, 8));
        mask.put("2.bias", Tensor.allocate(DType.BOOL, 2));
        Path maskFile = dir.resolve("mask.npz");
        Npz.write(maskFile, mask);
        assertFailsWithOneLine(run("rank", "--model", model.toString(), "--x", x.toString(), "--mask",
                maskFile.toString()), "--mask " + maskFile, "'0.weight'", "(8, 1)", "(1, 8)");
        assertFailsWithOneLine(run("rank", "--model", model.toString(), "--x", x.toString(), "--mask", x.toString()),
                "--mask " + x);

        CliTest.Result kind = run("kernel", "--kind", "NTK", "--depth", "1", "--sigma-w2", "1", "--sigma-b2", "0",
                "--x", x.toString(), "--out", out.toString());
        assertFailsWithOneLine(kind, "--kind", "'NTK'", "lower case");

        String saved = System.getProperty("tangent4j.backend");
        try {
            System.setProperty("tangent4j.backend", "gpu");
            assertFailsWithOneLine(CliTest.run("info"), "-Dtangent4j.backend=gpu", "expected java, cuda or auto");
            assertEquals("", CliTest.run("info").out(), "info printed half a report");
        } finally {
            if (saved == null) {
                System.clearProperty("tangent4j.backend");
            } else {
                System.setProperty("tangent4j.backend", saved);
            }
        }
        assertFailsWithOneLine(CliTest.run("forward", "--backend", "gpu", "--model", model.toString(), "--x",
                x.toString(), "--out", out.toString()), "--backend", "'gpu'");

        InputStream in = System.in;
        try {
            System.setIn(new ByteArrayInputStream(Files.readAllBytes(x)));
            CliTest.Result r = run("arrangements", "--m", "4", "--x", "-", "--out", out.toString());
            assertEquals(0, r.code(), r.err());
            assertEquals(6, Npy.read(out).dim(0));
        } finally {
            System.setIn(in);
        }

        for (String option : new String[] {"--y", "--times"}) {
            List<String> args = new ArrayList<>(List.of("regress", "--kernel", "nngp", "--depth", "1", "--sigma-w2", "1",
                    "--sigma-b2", "0", "--x", x.toString(), "--xtest", x.toString(), "--y", y.toString(), "--out",
                    out.toString()));
            if (option.equals("--y")) {
                args.set(args.indexOf("--y") + 1, "-");
            } else {
                args.addAll(List.of("--times", "-"));
            }
            assertFailsWithOneLine(run(args.toArray(String[]::new)), option + " -", "cannot read standard input");
        }
        assertFailsWithOneLine(run("forward", "--model", "-", "--x", x.toString(), "--out", dir.resolve("f.npy")
                .toString()), "--model -", "cannot read standard input");

        Path fifo = dir.resolve("y.fifo");
        Process p = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assumeTrue(p.waitFor() == 0, "mkfifo is not available");
        CliTest.Result r = run("regress", "--kernel", "nngp", "--depth", "1", "--sigma-w2", "1", "--sigma-b2", "0",
                "--x", x.toString(), "--xtest", x.toString(), "--y", fifo.toString(), "--out", dir.resolve("g.npy")
                .toString());
        assertFailsWithOneLine(r, "--y " + fifo, "not a regular file");
        assertFalse(r.err().contains("standard input"), r.err());
        assertFailsWithOneLine(run("forward", "--model", model.toString(), "--x", fifo.toString(), "--out",
                dir.resolve("g.npy").toString()), "--x " + fifo, "(or - for a .npy on standard input)");
    }

    // Issue 20, item 7: one short backend line.

    @Test
    void theBackendLineIsShort() {
        String reason = "java (cuda unavailable: no GPU: cudaGetDeviceCount returned cudaErrorInsufficientDriver (35):"
                + " CUDA driver version is insufficient for CUDA runtime version (libcudart: libcudart.so.13); libcuda.so.1,"
                + " libnvrtc.so.13 / libnvrtc.so.12 not found (searched the system library path, /usr/local/cuda/lib64))";
        assertEquals("java backend (no NVIDIA driver; see tangent4j info)", BackendLine.of(reason));
        assertEquals("java backend (CUDA libraries not found; see tangent4j info)",
                BackendLine.of("java (cuda unavailable: libcudart.so.13 / libcudart.so.12 not found (searched ...))"));
        assertEquals("cuda backend", BackendLine.of("cuda"));
        assertEquals("java backend (forced by TANGENT4J_BACKEND=java)",
                BackendLine.of("java (forced by TANGENT4J_BACKEND=java)"));
        assertEquals("java (no NVIDIA driver; see tangent4j info)", BackendLine.brief(reason));
    }
}
