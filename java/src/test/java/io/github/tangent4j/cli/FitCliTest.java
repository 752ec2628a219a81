package io.github.tangent4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.backend.java.JavaBackend;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.nn.Parameterization;
import io.github.tangent4j.nn.StateDict;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Npy;
import io.github.tangent4j.tensor.Npz;
import io.github.tangent4j.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code fit} and {@code subset-bench} from the command line: results, files, and one-line refusals. */
class FitCliTest {
    @TempDir
    Path dir;

    /** A linear 3-4-2 student under keys with a prefix, a teacher's targets at 3 inputs, a mask of layer 2's weights. */
    private Map<String, Tensor> setUp() throws IOException {
        Mlp student = Mlp.random(1, Activation.IDENTITY, Parameterization.STANDARD, DType.F64, 3, 4, 2);
        Mlp teacher = Mlp.random(2, Activation.IDENTITY, Parameterization.STANDARD, DType.F64, 3, 4, 2);
        Map<String, Tensor> model = new LinkedHashMap<>();
        Map<String, Tensor> mask = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : StateDict.fromMlp(student).entrySet()) {
            model.put("net." + e.getKey(), e.getValue());
            Tensor m = Tensor.allocate(DType.BOOL, e.getValue().shape());
            if (e.getKey().equals("2.weight")) {
                m.segment().fill((byte) 1);
            }
            mask.put("net." + e.getKey(), m);
        }
        Npz.write(dir.resolve("m.npz"), model);
        Npz.write(dir.resolve("mask.npz"), mask);
        Tensor x = Tensor.allocate(DType.F64, 3, 3);
        SplittableRandom rng = new SplittableRandom(3);
        for (long i = 0; i < x.size(); i++) {
            x.setFlat(i, rng.nextGaussian());
        }
        Npy.write(dir.resolve("x.npy"), x);
        try (JavaBackend b = new JavaBackend()) {
            Npy.write(dir.resolve("y.npy"), teacher.forward(b, x));
        }
        return model;
    }

    private String[] fit(String backend, String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("fit", "--model", dir.resolve("m.npz").toString(),
                "--activation", "identity", "--mask", dir.resolve("mask.npz").toString(), "--x",
                dir.resolve("x.npy").toString(), "--y", dir.resolve("y.npy").toString(), "--out",
                dir.resolve("fitted.npz").toString(), "--backend", backend));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void fitsTheMaskedWeightsAndWritesTheStateDictUnderTheModelsKeys(String backend) throws IOException {
        JacobianCliTest.assumeBackend(backend);
        Map<String, Tensor> model = setUp();
        CliTest.Result r = CliTest.run(fit(backend));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("loss "), r.out());
        double loss = Double.parseDouble(r.out().strip().substring(5));
        assertTrue(loss <= 1e-20, "loss " + loss);
        Map<String, Tensor> fitted = Npz.read(dir.resolve("fitted.npz"));
        assertEquals(List.copyOf(model.keySet()), List.copyOf(fitted.keySet()));
        for (String key : model.keySet()) {
            boolean same = java.util.Arrays.equals(model.get(key).toDoubleArray(), fitted.get(key).toDoubleArray());
            assertEquals(!key.equals("net.2.weight"), same, key);
        }
        Mlp m = StateDict.toMlp(fitted, Activation.IDENTITY, "fitted");
        try (JavaBackend b = new JavaBackend()) {
            Tensor f = m.forward(b, Npy.read(dir.resolve("x.npy")));
            Tensor y = Npy.read(dir.resolve("y.npy"));
            double s = 0;
            for (long i = 0; i < y.size(); i++) {
                s += (f.getFlat(i) - y.getFlat(i)) * (f.getFlat(i) - y.getFlat(i));
            }
            assertEquals(loss, s / y.size(), 1e-20, "the printed loss is the written model's");
        }
    }

    @Test
    void badMasksAndDivergingFitsEndWithOneLineAndWriteNothing() throws IOException {
        Map<String, Tensor> model = setUp();
        Map<String, Tensor> wrong = new LinkedHashMap<>();
        model.forEach((k, v) -> wrong.put(k, Tensor.allocate(DType.BOOL, v.shape())));
        wrong.put("net.2.weight", Tensor.allocate(DType.BOOL, 4, 2));
        Npz.write(dir.resolve("mask.npz"), wrong);
        CliTest.Result r = CliTest.run(fit("java"));
        assertEquals(2, r.code());
        assertEquals("fit: --mask " + dir.resolve("mask.npz") + ": key 'net.2.weight': expected shape (2, 4) like --model "
                + dir.resolve("m.npz") + " but was (4, 2)", r.err().strip());

        wrong.remove("net.2.weight");
        Npz.write(dir.resolve("mask.npz"), wrong);
        r = CliTest.run(fit("java"));
        assertEquals(2, r.code());
        assertTrue(r.err().strip().contains("key 'net.2.weight' of shape (2, 4) in --model"), r.err());

        wrong.put("net.2.weight", Tensor.allocate(DType.BOOL, 2, 4));
        Npz.write(dir.resolve("mask.npz"), wrong);
        r = CliTest.run(fit("java"));
        assertEquals(2, r.code());
        assertTrue(r.err().strip().endsWith("expected at least one trainable entry (1 or true) but all 26 are 0"), r.err());

        setUp();
        r = CliTest.run(fit("java", "--method", "adam", "--learning-rate", "1e300"));
        assertEquals(2, r.code());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().matches("(?s)fit: fit: the loss became .* at step [0-9]+ .*"), r.err());
        assertFalse(Files.exists(dir.resolve("fitted.npz")), "a diverged fit wrote its output");
        try (var files = Files.list(dir)) {
            assertEquals(4, files.count(), "no temporary file left");
        }
    }

    @Test
    void subsetBenchWritesTheTableAndPrintsIt() throws IOException {
        Path csv = dir.resolve("t.csv");
        CliTest.Result r = CliTest.run("subset-bench", "--widths", "3,4,2", "--activation", "identity", "--m", "4,8",
                "--allocations", "spread,layer:2", "--trials", "2", "--n", "4", "--seed", "5", "--out", csv.toString(),
                "--backend", "java", "--masks", dir.resolve("masks").toString());
        assertEquals(0, r.code(), r.err());
        List<String> lines = Files.readAllLines(csv);
        assertEquals("allocation,m,equations,masked_rank,match_probability,median_loss", lines.get(0));
        assertEquals(5, lines.size());
        assertTrue(lines.get(1).startsWith("spread,4,8,4,"), lines.get(1));
        assertTrue(lines.get(2).startsWith("spread,8,8,8,"), lines.get(2));
        assertTrue(lines.get(4).startsWith("layer:2,8,8,"), lines.get(4));
        assertTrue(lines.get(3).startsWith("layer:2,4,8,"), lines.get(3));
        assertTrue(r.out().contains("equations N*O = 8") && r.out().contains("1.0e-20 * mean(y^2)"), r.out());
        Map<String, Tensor> mask = Npz.read(dir.resolve("masks").resolve("layer-2-m8.npz"));
        assertEquals(List.of("0.weight", "0.bias", "2.weight", "2.bias"), List.copyOf(mask.keySet()));
        assertEquals(8, java.util.Arrays.stream(mask.get("2.weight").toDoubleArray()).sum());
        assertEquals(0, java.util.Arrays.stream(mask.get("0.weight").toDoubleArray()).sum());
        try (var files = Files.list(dir.resolve("masks"))) {
            assertEquals(4, files.count());
        }

        r = CliTest.run("subset-bench", "--widths", "3,4,2", "--m", "21", "--allocations", "random", "--trials", "1",
                "--n", "2", "--out", csv.toString(), "--backend", "java");
        assertEquals(2, r.code());
        assertEquals("subset-bench: m: expected 1 to 20 (the weights of Mlp(3, 4, 2) relu STANDARD F64) but was 21",
                r.err().strip());
    }
}
