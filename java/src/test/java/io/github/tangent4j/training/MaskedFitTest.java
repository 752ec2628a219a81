package io.github.tangent4j.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.backend.TestBackends;
import io.github.tangent4j.nn.Layer;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.nn.ParameterMask;
import io.github.tangent4j.tensor.Tensor;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.LinearSolverFactory_DDRM;
import org.ejml.interfaces.linsol.LinearSolverDense;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Masked fitting on both backends: what is not trainable does not move, LM solves consistent linear
 * systems to rounding and stops at the least-squares floor of inconsistent ones (computed here from the
 * explicit linear system with EJML's QR solver), and LM and Adam agree where a ReLU fit is solvable.
 */
class MaskedFitTest {
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void parametersOutsideTheMaskAreBitIdenticalAfterFitting(String backendName) {
        Mlp mlp = Fixtures.network(1, Activation.RELU, true, 3, 5, 2);
        Set<Long> chosen = new HashSet<>();
        SplittableRandom rng = new SplittableRandom(2);
        while (chosen.size() < 7) {
            chosen.add(rng.nextLong(mlp.parameterCount()));
        }
        ParameterMask mask = Fixtures.mask(mlp, chosen::contains);
        Tensor x = Fixtures.gaussian(3, 6, 3);
        Tensor y = Fixtures.gaussian(4, 6, 2);
        TestBackends.with(backendName, backend -> {
            double initial = MaskedFit.squaredError(mlp.forward(backend, x), y, null) / y.size();
            for (MaskedFit.Method method : MaskedFit.Method.values()) {
                MaskedFit.Result r = MaskedFit.of(mlp, mask).withMethod(method).withSteps(15).withLearningRate(1e-2)
                        .fit(backend, x, y);
                double[] before = flat(mlp);
                double[] after = flat(r.mlp());
                int moved = 0;
                for (int p = 0; p < before.length; p++) {
                    if (chosen.contains((long) p)) {
                        moved += before[p] != after[p] ? 1 : 0;
                    } else {
                        assertEquals(Double.doubleToRawLongBits(before[p]), Double.doubleToRawLongBits(after[p]),
                                method + ": parameter " + p + " is not trainable but moved");
                    }
                }
                assertTrue(moved > 0, method + ": no trainable parameter moved");
                assertTrue(r.loss() < initial, method + ": the loss did not go down from " + initial + " to " + r.loss());
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void lmSolvesConsistentLinearSystemsToRounding(String backendName) {
        TestBackends.with(backendName, backend -> {
            // one linear layer, all weights trainable, N*O = 6 <= M = 8: K = I (x) X has full row rank
            Mlp single = Fixtures.network(5, Activation.IDENTITY, true, 4, 2);
            Tensor x = Fixtures.gaussian(6, 3, 4);
            Tensor y = Fixtures.gaussian(7, 3, 2);
            MaskedFit.Result r = MaskedFit.of(single, Fixtures.mask(single, p -> p < 8)).fit(backend, x, y);
            assertTrue(r.loss() <= 1e-20, "one layer: loss " + r.loss());
            assertEquals(MaskedFit.StopReason.TOLERANCE, r.reason());

            // a deep linear student fitting a deep linear teacher of the same widths, every parameter trainable
            Mlp teacher = Fixtures.network(8, Activation.IDENTITY, true, 3, 5, 2);
            Mlp student = Fixtures.network(9, Activation.IDENTITY, true, 3, 5, 2);
            Tensor xd = Fixtures.gaussian(10, 4, 3);
            Tensor yd = teacher.forward(backend, xd);
            r = MaskedFit.of(student, ParameterMask.all(student)).fit(backend, xd, yd);
            assertTrue(r.loss() <= 1e-20, "deep linear: loss " + r.loss() + " after " + r.steps() + " steps, " + r.reason());
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void lmStopsAtTheLeastSquaresFloorOfInconsistentLinearSystems(String backendName) {
        TestBackends.with(backendName, backend -> {
            // one layer f = W x + b, 6 of the 12 weights trainable, N*O = 15 equations
            Mlp single = Fixtures.network(11, Activation.IDENTITY, true, 4, 3);
            Tensor x = Fixtures.gaussian(12, 5, 4);
            Tensor y = Fixtures.gaussian(13, 5, 3);
            long[] trainable = {0, 3, 5, 6, 9, 10};
            Set<Long> s = new HashSet<>();
            for (long p : trainable) {
                s.add(p);
            }
            checkFloor(backend, single, s, x, x, y, 0);

            // two layers, 4 weights of the output layer trainable: the features are H = X W1^T + b1
            Mlp deep = Fixtures.network(14, Activation.IDENTITY, true, 3, 5, 2);
            Tensor xd = Fixtures.gaussian(15, 6, 3);
            Tensor yd = Fixtures.gaussian(16, 6, 2);
            Layer first = deep.layers().get(0);
            Tensor h = first.weight().reshape(5, 3);
            DMatrixRMaj hm = Fixtures.times(Fixtures.matrix(xd), Fixtures.transpose(Fixtures.matrix(h)));
            for (int i = 0; i < 6; i++) {
                for (int u = 0; u < 5; u++) {
                    hm.add(i, u, first.bias().getFlat(u));
                }
            }
            long w2 = 15 + 5;
            Set<Long> s2 = Set.of(w2 + 1, w2 + 2, w2 + 6, w2 + 9);
            checkFloor(backend, deep, s2, xd, Tensor.of(hm.data, 6, 5), yd, w2);
        });
    }

    /**
     * Fits the weights {@code trainable} (parameter indices; the last layer's weight starts at
     * {@code offset}) and compares the loss with the floor of the explicit system
     * {@code K[(i,o), (u,v)] = delta_{ou} features[i, v]}.
     */
    private static void checkFloor(Backend backend, Mlp mlp, Set<Long> trainable, Tensor x, Tensor features, Tensor y,
            long offset) {
        MaskedFit.Result r = MaskedFit.of(mlp, Fixtures.mask(mlp, trainable::contains)).fit(backend, x, y);
        long o = mlp.outputDim();
        long in = features.dim(1);
        int n = (int) x.dim(0);
        Long[] cols = trainable.stream().sorted().toArray(Long[]::new);
        DMatrixRMaj k = new DMatrixRMaj(n * (int) o, cols.length);
        Tensor f0 = mlp.forward(backend, x);
        DMatrixRMaj t = new DMatrixRMaj(n * (int) o, 1);
        for (int i = 0; i < n; i++) {
            for (int a = 0; a < o; a++) {
                int row = i * (int) o + a;
                t.set(row, 0, y.get(i, a) - f0.get(i, a));
                for (int c = 0; c < cols.length; c++) {
                    long local = cols[c] - offset;
                    if (local / in == a) {
                        k.set(row, c, features.get(i, local % in));
                    }
                }
            }
        }
        LinearSolverDense<DMatrixRMaj> qr = LinearSolverFactory_DDRM.leastSquares(k.numRows, k.numCols);
        assertTrue(qr.setA(k.copy()));
        DMatrixRMaj delta = new DMatrixRMaj(k.numCols, 1);
        qr.solve(t.copy(), delta);
        DMatrixRMaj fit = Fixtures.times(k, delta);
        double floor = 0;
        for (int i = 0; i < t.numRows; i++) {
            double e = fit.get(i, 0) - t.get(i, 0);
            floor += e * e;
        }
        floor /= t.numRows;
        assertTrue(floor > 1e-3, "the system should be inconsistent, floor " + floor);
        assertEquals(floor, r.loss(), 1e-10 * floor, "LM's loss against the least-squares floor");
        assertEquals(MaskedFit.StopReason.NO_IMPROVEMENT, r.reason());
        assertEquals(floor, LinearTheory.singleLayer(backend, mlp, Fixtures.mask(mlp, trainable::contains), x, y).loss(),
                1e-10 * floor, "the closed form");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void lmAndAdamAgreeOnASolvableReluFit(String backendName) {
        Mlp teacher = Fixtures.network(21, Activation.RELU, true, 2, 6, 1);
        Mlp student = Fixtures.network(22, Activation.RELU, true, 2, 6, 1);
        Tensor x = Fixtures.gaussian(23, 4, 2);
        TestBackends.with(backendName, backend -> {
            Tensor y = teacher.forward(backend, x);
            ParameterMask all = ParameterMask.all(student);
            MaskedFit.Result lm = MaskedFit.of(student, all).fit(backend, x, y);
            MaskedFit.Result adam = MaskedFit.of(student, all).withMethod(MaskedFit.Method.ADAM).withLearningRate(5e-2)
                    .withBatches(2, 7).withSteps(4000).withTolerance(1e-14).fit(backend, x, y);
            assertTrue(lm.loss() <= 1e-20 * Fixtures.meanSquare(y), "LM loss " + lm.loss());
            assertTrue(adam.loss() <= 1e-10, "Adam loss " + adam.loss() + " after " + adam.steps() + ", " + adam.reason());
            Tensor fl = lm.mlp().forward(backend, x);
            Tensor fa = adam.mlp().forward(backend, x);
            for (long i = 0; i < y.size(); i++) {
                assertEquals(fl.getFlat(i), fa.getFlat(i), 1e-4, "output " + i);
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void badInputIsRefusedWithOneLine(String backendName) {
        Mlp mlp = Fixtures.network(31, Activation.IDENTITY, true, 3, 4, 2);
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
                () -> MaskedFit.of(mlp, Fixtures.mask(mlp, p -> false)));
        assertTrue(empty.getMessage().contains("at least one trainable parameter"), empty.getMessage());
        Tensor x = Fixtures.gaussian(32, 5, 3);
        Tensor y = Fixtures.gaussian(33, 5, 2);
        TestBackends.with(backendName, backend -> {
            IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                    () -> MaskedFit.of(mlp, ParameterMask.all(mlp)).fit(backend, x, Fixtures.gaussian(1, 4, 2)));
            assertEquals("y: expected shape (5, 2) of F64 but was (4, 2) of F64", shape.getMessage());
            ArithmeticException diverged = assertThrows(ArithmeticException.class,
                    () -> MaskedFit.of(mlp, ParameterMask.all(mlp)).withMethod(MaskedFit.Method.ADAM)
                            .withLearningRate(1e300).withSteps(50).fit(backend, x, y));
            assertTrue(diverged.getMessage().matches("fit: .* at step [0-9]+ .*"), diverged.getMessage());
            assertNotEquals(-1, diverged.getMessage().indexOf("diverged"));
        });
    }

    private static double[] flat(Mlp mlp) {
        double[] v = new double[(int) mlp.parameterCount()];
        int k = 0;
        for (Layer l : mlp.layers()) {
            for (long i = 0; i < l.weight().size(); i++) {
                v[k++] = l.weight().getFlat(i);
            }
            if (l.hasBias()) {
                for (long i = 0; i < l.bias().size(); i++) {
                    v[k++] = l.bias().getFlat(i);
                }
            }
        }
        return v;
    }
}
