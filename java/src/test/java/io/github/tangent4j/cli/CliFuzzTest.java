package io.github.tangent4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.nn.Parameterization;
import io.github.tangent4j.nn.StateDict;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Npy;
import io.github.tangent4j.tensor.Npz;
import io.github.tangent4j.tensor.SafeTensors;
import io.github.tangent4j.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A seeded property test of the whole command (issue 14): random argument lists over valid, corrupted,
 * linked and special files. Every run must end with exit code 0 or 2, at most one line on stderr and no
 * stack trace; no input file may change by a byte; a failed run must leave --out as it was (no partial
 * file, no temporary file). Bounded to {@value #SECONDS} seconds; {@code -Dtangent4j.fuzz.seed=S} and
 * {@code -Dtangent4j.fuzz.seconds=T} choose another seed or a longer run.
 */
class CliFuzzTest {
    static final int SECONDS = 15;

    @TempDir
    Path dir;

    private final List<Path> inputs = new ArrayList<>();

    private Path input(String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        inputs.add(p);
        return p;
    }

    private static byte[] corrupt(byte[] b, SplittableRandom rng) {
        byte[] c = b.clone();
        switch (rng.nextInt(4)) {
            case 0 -> {
                return Arrays.copyOf(c, rng.nextInt(c.length));   // truncated
            }
            case 1 -> {
                for (int k = 0, n = 1 + rng.nextInt(4); k < n; k++) {
                    c[rng.nextInt(c.length)] ^= (byte) (1 << rng.nextInt(8));   // bit flips
                }
            }
            case 2 -> c[rng.nextInt(Math.min(c.length, 128))] = (byte) rng.nextInt(256);   // header byte
            default -> {
                byte[] longer = Arrays.copyOf(c, c.length + 1 + rng.nextInt(64));   // trailing bytes
                return longer;
            }
        }
        return c;
    }

    @Test
    void randomCommandLinesNeverDestroyDataOrCrash() throws Exception {
        long seed = Long.getLong("tangent4j.fuzz.seed", 14);
        long seconds = Long.getLong("tangent4j.fuzz.seconds", SECONDS);
        SplittableRandom rng = new SplittableRandom(seed);

        Mlp mlp = Mlp.random(3, Activation.TANH, Parameterization.STANDARD, DType.F64, 2, 8, 1);
        Path npzModel = dir.resolve("m.npz");
        Npz.write(npzModel, StateDict.fromMlp(mlp));
        inputs.add(npzModel);
        Path stModel = dir.resolve("m.safetensors");
        SafeTensors.write(stModel, StateDict.fromMlp(mlp), Map.of());
        inputs.add(stModel);
        Path x = dir.resolve("x.npy");
        Npy.write(x, SafetyTest.gaussian(20, 2));
        inputs.add(x);
        byte[] npzBytes = Files.readAllBytes(npzModel);
        byte[] stBytes = Files.readAllBytes(stModel);
        byte[] xBytes = Files.readAllBytes(x);
        List<Path> models = new ArrayList<>(List.of(npzModel, stModel));
        List<Path> xs = new ArrayList<>(List.of(x));
        for (int i = 0; i < 12; i++) {
            models.add(input("bad" + i + ".npz", corrupt(npzBytes, rng)));
            models.add(input("bad" + i + ".safetensors", corrupt(stBytes, rng)));
            xs.add(input("bad" + i + ".npy", corrupt(xBytes, rng)));
        }
        Path wide = dir.resolve("wide.npy");
        Npy.write(wide, SafetyTest.gaussian(5, 3));
        inputs.add(wide);
        xs.add(wide);
        Path big = dir.resolve("big.npy");
        Npy.write(big, SafetyTest.gaussian(3, 2).to(DType.F32));
        inputs.add(big);
        xs.add(big);
        // issue 26: a header claiming 10^12 rows (sparse: not snapshotted, never read), values near 1e200
        // (finite inputs whose results overflow), weights near 1e200
        Path huge = dir.resolve("huge.npy");
        if (sparse(huge, 1_000_000_000_000L)) {
            xs.add(huge);
        }
        Tensor b = SafetyTest.gaussian(4, 2);
        for (long i = 0; i < b.size(); i++) {
            b.setFlat(i, b.getFlat(i) * 1e200);
        }
        Path overflowing = dir.resolve("xbig.npy");
        Npy.write(overflowing, b);
        inputs.add(overflowing);
        xs.add(overflowing);
        Map<String, Tensor> heavy = StateDict.fromMlp(mlp);
        for (Tensor w : heavy.values()) {
            for (long i = 0; i < w.size(); i++) {
                w.setFlat(i, w.getFlat(i) * 1e200);
            }
        }
        Path heavyModel = dir.resolve("heavy.npz");
        Npz.write(heavyModel, heavy);
        inputs.add(heavyModel);
        models.add(heavyModel);
        models.add(Path.of("-"));
        Path empty = input("empty.npy", new byte[0]);
        Path folder = Files.createDirectory(dir.resolve("folder"));
        Path hard = Files.createLink(dir.resolve("hard.npy"), x);
        Path soft = Files.createSymbolicLink(dir.resolve("soft.npy"), x);
        inputs.add(hard);
        List<Path> special = new ArrayList<>(List.of(empty, folder, hard, soft, dir.resolve("missing.npy"),
                Path.of(""), Path.of("/dev/null")));
        Process mk = new ProcessBuilder("mkfifo", dir.resolve("fifo").toString()).start();
        if (mk.waitFor(10, TimeUnit.SECONDS) && mk.exitValue() == 0) {
            special.add(dir.resolve("fifo"));
        }
        models.addAll(special);
        xs.addAll(special);

        Map<Path, byte[]> snapshot = new HashMap<>();
        for (Path p : inputs) {
            snapshot.put(p, Files.readAllBytes(p));
        }
        Path outDir = Files.createDirectory(dir.resolve("out"));
        Path previous = outDir.resolve("previous.npy");
        Npy.write(previous, SafetyTest.gaussian(2, 1));
        byte[] previousBytes = Files.readAllBytes(previous);
        List<Path> outs = new ArrayList<>(List.of(outDir.resolve("y.npy"), previous, folder, x, hard, soft, npzModel,
                Path.of(""), Path.of("/dev/null"), outDir.resolve("no/such/dir/y.npy"),
                outDir.resolve("y".repeat(251) + ".npy")));   // issue 26, D10: a name of NAME_MAX bytes
        special.stream().filter(p -> p.getFileName() != null && p.getFileName().toString().equals("fifo"))
                .forEach(outs::add);

        String[] activations = {"relu", "tanh", "erf", "abs", "identity", "leaky_relu", "leaky_relu:0.2",
            "leaky_relu:x", "gelu", "", "RELU", "relu:1", "leaky_relu:1e308"};
        String[] dtypes = {"f64", "f32", "f16", "", "F64"};
        String[] backends = {"java", "JAVA", "cpu", ""};
        String[] commands = {"forward", "forward", "forward", "forward", "forward", "forward", "forward", "forward",
            "info", "frobnicate", "help", "--version", "jacobian", "ntk", "patterns", "kernel"};
        // issue 26: per command, options within and beyond their bounds
        Map<String, List<String[]>> extras = Map.of(
                "jacobian", List.of(new String[] {"--wrt", "params"}, new String[] {"--wrt", "input"},
                    new String[] {"--norm"}),
                "ntk", List.of(new String[] {"--trace"}, new String[] {"--diagonal"}, new String[0]),
                "patterns", List.<String[]>of(new String[0]),
                "kernel", List.of(new String[] {"--kind", "nngp", "--depth", "2", "--sigma-w2", "1", "--sigma-b2", "0"},
                    new String[] {"--kind", "ntk", "--depth", "2147483647", "--sigma-w2", "1", "--sigma-b2", "0"},
                    new String[] {"--kind", "NTK", "--depth", "1", "--sigma-w2", "1", "--sigma-b2", "0"},
                    new String[] {"--kind", "ntk", "--depth", "3", "--sigma-w2", "1e300", "--sigma-b2", "1e300"}));

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        int runs = 0;
        int successes = 0;
        while (System.nanoTime() < deadline && runs < 2000) {
            List<String> args = new ArrayList<>();
            args.add(commands[rng.nextInt(commands.length)]);
            // Each value is good with probability 0.8 (the first entries of each pool are the good ones),
            // so that about half the runs get past the checks and reach the computation and the write.
            Path out = choose(outs, 2, rng);
            if (rng.nextInt(10) > 0) {
                args.addAll(List.of("--model", choose(models, 2, rng).toString()));
            }
            if (rng.nextInt(10) > 0) {
                args.addAll(List.of("--x", choose(xs, 1, rng).toString()));
            }
            if (rng.nextInt(10) > 0) {
                args.addAll(List.of("--out", out.toString()));
            }
            if (rng.nextBoolean()) {
                args.addAll(List.of("--activation", choose(List.of(activations), 7, rng)));
            }
            if (rng.nextBoolean()) {
                args.addAll(List.of("--dtype", choose(List.of(dtypes), 2, rng)));
            }
            args.addAll(List.of("--backend", choose(List.of(backends), 1, rng)));
            List<String[]> extra = extras.get(args.get(0));
            if (extra != null) {
                args.addAll(List.of(extra.get(rng.nextInt(extra.size()))));
                if (args.get(0).equals("kernel")) {
                    int m = args.indexOf("--model");
                    if (m >= 0) {
                        args.subList(m, m + 2).clear();   // kernel takes no model
                    }
                }
            }
            if (rng.nextInt(8) == 0) {
                args.add(rng.nextBoolean() ? "--frob" : "stray");
            }
            if (rng.nextInt(6) == 0) {
                java.util.Collections.shuffle(args.subList(1, args.size()), new java.util.Random(rng.nextLong()));
            }
            boolean outExisted = !out.toString().isEmpty() && Files.exists(out, LinkOption.NOFOLLOW_LINKS);
            byte[] outBefore = outExisted && Files.isRegularFile(out) ? Files.readAllBytes(out) : null;

            CliTest.Result r = CliTest.run(args.toArray(String[]::new));
            runs++;
            String context = "seed " + seed + ", run " + runs + ": " + args + " -> " + r.code() + " " + r.err();
            assertTrue(r.code() == 0 || r.code() == 2, context);
            assertTrue(r.err().strip().lines().count() <= 1, context);
            assertFalse(r.err().contains("\tat ") || r.err().contains("Exception") || r.err().contains("java.lang"),
                    context);
            if (r.code() == 0 && args.get(0).equals("forward")) {
                successes++;
                assertEquals(2, Npy.read(out).rank(), context);
            }
            for (Map.Entry<Path, byte[]> e : snapshot.entrySet()) {
                if (!Arrays.equals(e.getValue(), Files.readAllBytes(e.getKey()))) {
                    // Only the file --out names (or links to) may change, in a run that does not read it.
                    if (r.code() != 0 || !e.getKey().toRealPath().equals(out.toRealPath())
                            || readsFile(args, e.getKey())) {
                        fail("input " + e.getKey() + " changed; " + context);
                    }
                    Files.write(e.getKey(), e.getValue());   // the next runs start from the same files
                }
            }
            assertTrue(Files.isDirectory(folder) && Files.exists(Path.of("/dev/null")), context);
            if (r.code() != 0 && !out.toString().isEmpty()) {
                if (outBefore != null) {
                    assertArrayEquals(outBefore, Files.readAllBytes(out), "output changed by a failed run; " + context);
                } else {
                    assertEquals(outExisted, Files.exists(out, LinkOption.NOFOLLOW_LINKS), "output created or"
                            + " deleted by a failed run; " + context);
                }
            }
            try (Stream<Path> left = Stream.concat(Files.list(dir), Files.list(outDir))) {
                List<Path> tmp = left.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList();
                assertEquals(List.of(), tmp, context);
            }
            // Start the next run from the same previous output.
            Files.write(previous, previousBytes);
            Files.deleteIfExists(outDir.resolve("y.npy"));
        }
        System.out.println("CliFuzzTest: seed " + seed + ": " + runs + " runs, " + successes + " forward runs succeeded");
        assertTrue(runs >= 50, "only " + runs + " runs in " + seconds + " s");
        assertTrue(successes > 0, "no run succeeded: the generator only makes errors");
    }

    /** Writes an .npy header claiming {@code rows} x 2 float64 over a sparse file; false where that cannot be. */
    private static boolean sparse(Path file, long rows) {
        String dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (" + rows + ", 2), }";
        StringBuilder header = new StringBuilder(dict);
        while ((10 + header.length() + 1) % 64 != 0) {
            header.append(' ');
        }
        header.append('\n');
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(file.toFile(), "rw")) {
            f.write(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (byte) header.length(), 0});
            f.write(header.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            f.setLength(f.getFilePointer() + rows * 16);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether {@code args} reads {@code file} through --model or --x (directly or through a link). */
    private static boolean readsFile(List<String> args, Path file) throws IOException {
        for (int i = 0; i + 1 < args.size(); i++) {
            if ((args.get(i).equals("--model") || args.get(i).equals("--x")) && !args.get(i + 1).isEmpty()) {
                Path p = Path.of(args.get(i + 1));
                if (Files.exists(p) && p.toRealPath().equals(file.toRealPath())) {
                    return true;
                }
            }
        }
        return false;
    }

    /** One of the first {@code good} entries of {@code pool} with probability 0.8, else any entry. */
    private static <T> T choose(List<T> pool, int good, SplittableRandom rng) {
        return pool.get(rng.nextInt(5) > 0 ? rng.nextInt(good) : rng.nextInt(pool.size()));
    }
}
