package io.github.tangent4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tangent4j.backend.TestBackends;
import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.nn.Layer;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.nn.ParameterMask;
import io.github.tangent4j.nn.Parameterization;
import io.github.tangent4j.nn.StateDict;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Ranks of stacked parameter Jacobians against what the theory predicts: P - (hidden units) for generic
 * ReLU networks (one rescaling symmetry per unit), and the deficits of dead units, duplicated units and
 * zero output weights; SVD and Gram agree on each construction.
 */
class FunctionalDimensionTest {
    static Tensor spread(long n, long d) {
        return EmpiricalNtkTest.inputs(99, DType.F64, n, d);
    }

    static long rank(io.github.tangent4j.backend.Backend backend, Mlp mlp, Tensor x, ParameterMask mask) {
        long svd = FunctionalDimension.of(mlp).withMask(mask).compute(backend, x).rank();
        long gram = FunctionalDimension.of(mlp).withMask(mask).withMethod(FunctionalDimension.Method.GRAM)
                .compute(backend, x).rank();
        assertEquals(svd, gram, "SVD and Gram ranks");
        return svd;
    }

    /** {@code mlp} with one layer replaced. */
    static Mlp with(Mlp mlp, int l, Tensor w, Tensor b) {
        List<Layer> layers = new ArrayList<>(mlp.layers());
        layers.set(l, new Layer(w, b));
        return new Mlp(layers, mlp.activation(), mlp.parameterization());
    }

    /**
     * A generic ReLU network whose batch covers its regions well reaches P - H; a batch with N*O below that
     * gives N*O; and no network exceeds P - H (each unit's rescaling direction is in J's null space). The
     * bound needs data that crosses the units' boundaries: narrow deep networks on a small Gaussian batch
     * stay below it (measured: 2-5-4-1 reaches 27 of 35 at scale 1 and 32 at scale 8).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void genericReluNetworksReachPMinusHiddenUnitsOrNO(String backendName) {
        Mlp mlp = Mlp.random(3, Activation.RELU, Parameterization.ntk(1.4, 1.0), DType.F64, 5, 10, 8, 1);
        long bound = mlp.parameterCount() - mlp.hiddenUnits();   // 60 + 88 + 9 - 18 = 139
        TestBackends.with(backendName, backend -> {
            assertEquals(139, bound);
            assertEquals(bound, rank(backend, mlp, spread(400, 5), null));
            assertEquals(60, rank(backend, mlp, spread(60, 5), null), "N*O below the bound");
            FunctionalDimension.Result r = FunctionalDimension.of(mlp).compute(backend, spread(50, 5));
            assertEquals(50, r.singularValues().length);
            for (int i = 1; i < r.singularValues().length; i++) {
                assertTrue(r.singularValues()[i] <= r.singularValues()[i - 1], "descending");
            }
            for (long seed = 10; seed < 14; seed++) {
                Mlp other = Mlp.random(seed, Activation.RELU, Parameterization.STANDARD, DType.F64, 2, 5, 4, 1);
                assertTrue(rank(backend, other, spread(300, 2), null) <= other.parameterCount() - other.hiddenUnits());
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void deadUnitsDuplicatedUnitsAndZeroOutputWeightsLoseWhatTheTheoryPredicts(String backendName) {
        Mlp base = Mlp.random(4, Activation.RELU, Parameterization.STANDARD, DType.F64, 2, 6, 1);
        long generic = base.parameterCount() - base.hiddenUnits();   // 18 + 7 - 6 = 19
        Tensor x = spread(300, 2);
        // a dead unit: bias -100 keeps it off on every input; its in + 1 incoming and 1 outgoing
        // parameters drop out, and so does its rescaling symmetry
        Tensor w0 = base.layers().get(0).weight().copy();
        Tensor b0 = base.layers().get(0).bias().copy();
        b0.setFlat(2, -100);
        Mlp dead = with(base, 0, w0, b0);
        // a duplicated unit: unit 1 copies unit 0's incoming weights and bias; the pair acts as one unit
        Tensor w1 = base.layers().get(0).weight().copy();
        Tensor b1 = base.layers().get(0).bias().copy();
        w1.set(w1.get(0, 0), 1, 0);
        w1.set(w1.get(0, 1), 1, 1);
        b1.setFlat(1, b1.getFlat(0));
        Mlp duplicated = with(base, 0, w1, b1);
        // zero output weights: only the output layer's own parameters move f
        Mlp silent = with(base, 1, Tensor.allocate(DType.F64, 1, 6), base.layers().get(1).bias());
        TestBackends.with(backendName, backend -> {
            assertEquals(19, generic);
            assertEquals(generic, rank(backend, base, x, null));
            assertEquals(generic - (2 + 1 + 1) + 1, rank(backend, dead, x, null));
            assertEquals(generic - (2 + 1), rank(backend, duplicated, x, null));
            assertEquals(6 + 1, rank(backend, silent, x, null));
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void aMaskCountsOnlyItsColumns(String backendName) {
        Mlp mlp = Mlp.random(5, Activation.RELU, Parameterization.STANDARD, DType.F64, 3, 8, 2);
        Map<String, Tensor> sd = StateDict.fromMlp(mlp);
        Map<String, Tensor> mask = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : sd.entrySet()) {
            mask.put(e.getKey(), Tensor.allocate(DType.BOOL, e.getValue().shape()));
        }
        // train only the output layer: its rank is the number of its parameters when inputs are generic
        mask.get("2.weight").segment().fill((byte) 1);
        mask.get("2.bias").segment().fill((byte) 1);
        ParameterMask m = ParameterMask.of(mlp, mask, "mask");
        assertEquals(2 * 8 + 2, m.count());
        TestBackends.with(backendName, backend -> {
            FunctionalDimension.Result r = FunctionalDimension.of(mlp).withMask(m).compute(backend, spread(40, 3));
            assertEquals(18, r.cols());
            assertEquals(18, rank(backend, mlp, spread(40, 3), m));
        });
        Map<String, Tensor> wrong = new LinkedHashMap<>(mask);
        wrong.put("0.weight", Tensor.allocate(DType.BOOL, 8, 2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ParameterMask.of(mlp, wrong, "m.npz"));
        assertTrue(e.getMessage().startsWith("m.npz: "), e.getMessage());
    }
}
