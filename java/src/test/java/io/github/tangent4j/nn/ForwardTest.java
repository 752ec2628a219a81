package io.github.tangent4j.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.backend.java.JavaBackend;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Tensor;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ForwardTest {
    static Stream<Arguments> cases() {
        List<Activation> acts = List.of(Activation.RELU, Activation.leakyRelu(0.2), Activation.ABS,
                Activation.TANH, Activation.ERF, Activation.IDENTITY);
        List<Parameterization> params = List.of(Parameterization.STANDARD, Parameterization.ntk(1.4, 0.3));
        return acts.stream().flatMap(a -> params.stream().flatMap(p ->
                Stream.of(DType.F64, DType.F32).map(t -> Arguments.of(a, p, t))));
    }

    static Tensor randomInputs(long seed, DType dtype, long n, long d) {
        SplittableRandom rng = new SplittableRandom(seed);
        Tensor x = Tensor.allocate(dtype, n, d);
        for (long i = 0; i < x.size(); i++) {
            x.setFlat(i, rng.nextGaussian());
        }
        return x;
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("cases")
    void matchesScalarReference(Activation phi, Parameterization p, DType dtype) {
        Mlp mlp = Mlp.random(42, phi, p, dtype, 7, 33, 17, 5);
        Tensor x = randomInputs(7, dtype, 23, 7);
        try (Backend backend = new JavaBackend()) {
            Tensor y = mlp.forward(backend, x);
            assertEquals(2, y.rank());
            assertEquals(23, y.dim(0));
            assertEquals(5, y.dim(1));
            ScalarMlp.assertMatches(mlp, x, y, dtype == DType.F64 ? 1e-12 : 1e-5, 1);
            assertEquals(0, backend.openAllocations());
        }
    }

    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"java", "cuda"})
    void largeBatchesAreTiledToTheDeviceMemoryAndMatchTheReference(String name) {
        Mlp mlp = Mlp.random(17, Activation.ERF, Parameterization.ntk(1.2, 0.1), DType.F64, 6, 64, 64, 3);
        Tensor x = randomInputs(19, DType.F64, 3000, 6);
        io.github.tangent4j.backend.TestBackends.with(name, backend -> {
            long gemms = 0;
            if (name.equals("cuda")) {
                // 512 KiB of device memory: the 3000 x 64 intermediates (1.5 MB) do not fit at once.
                io.github.tangent4j.backend.cuda.Emu.setMemoryBudget(512 << 10);
                gemms = io.github.tangent4j.backend.cuda.Emu.gemmCount();
            }
            Tensor y = mlp.forward(backend, x);
            if (name.equals("cuda")) {
                long tiles = (io.github.tangent4j.backend.cuda.Emu.gemmCount() - gemms) / 3;
                assertTrue(tiles > 1, "expected several row tiles but ran " + tiles);
            }
            ScalarMlp.assertMatches(mlp, x, y, 1e-12, 7);
            assertEquals(0, backend.openAllocations());
        });
    }

    /** Matrix products the emulated device ran (cuBLAS GEMMs and cuBLASLt matmuls alike). */
    private static long matmuls() {
        return io.github.tangent4j.backend.cuda.Emu.gemmCount();
    }

    /** 8.4 MB of F64 inputs: two pieces on the CUDA backend, whose uploads overlap the forward passes. */
    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"java", "cuda"})
    void inputsStreamedInPiecesMatchTheReference(String name) {
        Mlp mlp = Mlp.random(23, Activation.RELU, Parameterization.STANDARD, DType.F64, 512, 16, 3);
        Tensor x = randomInputs(29, DType.F64, 2051, 512);
        io.github.tangent4j.backend.TestBackends.with(name, backend -> {
            boolean cuda = name.equals("cuda");
            mlp.forward(backend, x.slice(0, 1)); // the CUDA backend's first layer probes cuBLASLt
            long matmuls = cuda ? matmuls() : 0;
            Tensor y = mlp.forward(backend, x);
            if (cuda) {
                assertEquals(2 * 2, matmuls() - matmuls, "two pieces of two layers");
            }
            ScalarMlp.assertMatches(mlp, x, y, 1e-12, 7);
            assertEquals(0, backend.openAllocations());
        });
    }

    @Test
    void biasFreeLayersAndSingleLayer() {
        Mlp full = Mlp.random(3, Activation.RELU, Parameterization.STANDARD, DType.F64, 4, 6, 2);
        Mlp noBias = new Mlp(full.layers().stream().map(l -> new Layer(l.weight(), null)).toList(),
                Activation.RELU, Parameterization.STANDARD);
        Mlp linear = new Mlp(List.of(full.layers().get(0)), Activation.RELU, Parameterization.STANDARD);
        Tensor x = randomInputs(5, DType.F64, 9, 4);
        try (Backend backend = new JavaBackend()) {
            for (Mlp mlp : List.of(noBias, linear)) {
                ScalarMlp.assertMatches(mlp, x, mlp.forward(backend, x), 1e-12, 1);
            }
        }
    }

    @Test
    void rejectsInputsOfTheWrongShapeNamingBothShapes() {
        Mlp mlp = Mlp.random(1, Activation.TANH, Parameterization.STANDARD, DType.F64, 3, 4, 2);
        try (Backend backend = new JavaBackend()) {
            var e = assertThrows(IllegalArgumentException.class,
                    () -> mlp.forward(backend, Tensor.allocate(DType.F64, 5, 4)));
            assertTrue(e.getMessage().contains("(N, 3)") && e.getMessage().contains("(5, 4)"), e.getMessage());
            var f = assertThrows(IllegalArgumentException.class,
                    () -> mlp.forward(backend, Tensor.allocate(DType.F32, 5, 3)));
            assertTrue(f.getMessage().contains("F32"), f.getMessage());
            Tensor bad = Tensor.allocate(DType.F64, 2, 3);
            bad.set(Double.NaN, 1, 2);
            var g = assertThrows(IllegalArgumentException.class, () -> mlp.forward(backend, bad));
            assertTrue(g.getMessage().contains("element 5"), g.getMessage());
            assertEquals(0, backend.openAllocations());
        }
    }

    @Test
    void rejectsLayersThatDoNotChainNamingBothShapes() {
        Layer a = new Layer(Tensor.allocate(DType.F64, 4, 3), null);
        Layer b = new Layer(Tensor.allocate(DType.F64, 2, 5), null);
        var e = assertThrows(IllegalArgumentException.class,
                () -> new Mlp(List.of(a, b), Activation.RELU, Parameterization.STANDARD));
        assertTrue(e.getMessage().contains("(4, 3)") && e.getMessage().contains("(2, 5)"), e.getMessage());
        var f = assertThrows(IllegalArgumentException.class,
                () -> new Layer(Tensor.allocate(DType.F64, 4, 3), Tensor.allocate(DType.F64, 3)));
        assertTrue(f.getMessage().contains("(4,)") && f.getMessage().contains("(3,)"), f.getMessage());
    }

    @Test
    void sameSeedSameNetwork() {
        Mlp a = Mlp.random(9, Activation.RELU, Parameterization.ntk(1, 1), DType.F64, 3, 5, 1);
        Mlp b = Mlp.random(9, Activation.RELU, Parameterization.ntk(1, 1), DType.F64, 3, 5, 1);
        Mlp c = Mlp.random(10, Activation.RELU, Parameterization.ntk(1, 1), DType.F64, 3, 5, 1);
        assertEquals(java.util.Arrays.toString(a.layers().get(0).weight().toDoubleArray()),
                java.util.Arrays.toString(b.layers().get(0).weight().toDoubleArray()));
        assertTrue(!java.util.Arrays.equals(a.layers().get(0).weight().toDoubleArray(),
                c.layers().get(0).weight().toDoubleArray()));
        assertEquals(3 * 5 + 5 + 5 + 1, a.parameterCount());
    }
}
