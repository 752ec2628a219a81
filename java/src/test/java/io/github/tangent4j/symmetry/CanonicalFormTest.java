package io.github.tangent4j.symmetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.backend.TestBackends;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.tensor.Tensor;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Canonical forms: equal for permuted and rescaled copies (and sign-flipped ones for abs), the same function. */
class CanonicalFormTest {
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.tangent4j.backend.TestBackends#names")
    void permutedAndRescaledCopiesHaveOneCanonicalForm(String backendName) {
        TestBackends.with(backendName, backend -> {
            SplittableRandom rng = new SplittableRandom(21);
            for (Mlp mlp : List.of(Nets.random(22, Activation.RELU, 3, 6, 5, 2),
                    Nets.random(23, Activation.ABS, 2, 4, 4, 4, 1), Nets.random(24, Activation.IDENTITY, 3, 4, 2))) {
                Mlp canonical = CanonicalForm.of(mlp);
                Nets.assertSameOutputs(backend, mlp, canonical, Nets.inputs(3, 30, mlp.inputDim()), 1e-11);
                for (int trial = 0; trial < 4; trial++) {
                    Mlp copy = Rescaling.permute(Rescaling.apply(mlp, Nets.randomScales(mlp, rng)),
                            Nets.randomOrder(mlp, rng));
                    if (mlp.activation().kind() == Activation.Kind.ABS) {
                        copy = Rescaling.flipSign(Rescaling.flipSign(copy, 0, rng.nextInt(4)), 1, rng.nextInt(4));
                    }
                    Nets.assertSameOutputs(backend, mlp, copy, Nets.inputs(4, 30, mlp.inputDim()), 1e-11);
                    Mlp other = CanonicalForm.of(copy);
                    for (int l = 0; l < mlp.layers().size(); l++) {
                        assertClose(canonical.layers().get(l).weight(), other.layers().get(l).weight(), 1e-8);
                        assertClose(canonical.layers().get(l).bias(), other.layers().get(l).bias(), 1e-8);
                    }
                    assertTrue(CanonicalForm.equivalent(mlp, copy, 1e-8));
                }
                assertFalse(CanonicalForm.equivalent(mlp, Nets.random(99, mlp.activation(), mlp.widths()), 1e-8));
            }
            // a unit whose outgoing weights changed is another function
            Mlp mlp = Nets.random(25, Activation.RELU, 2, 3, 1);
            Tensor w = mlp.layers().get(1).weight().copy();
            w.setFlat(0, w.getFlat(0) * 1.001);
            Mlp changed = new Mlp(List.of(mlp.layers().get(0), new io.github.tangent4j.nn.Layer(w,
                    mlp.layers().get(1).bias())), mlp.activation(), mlp.parameterization());
            assertFalse(CanonicalForm.equivalent(mlp, changed, 1e-8));
        });
    }

    static void assertClose(Tensor a, Tensor b, double rel) {
        double scale = 1;
        for (long i = 0; i < a.size(); i++) {
            scale = Math.max(scale, Math.abs(a.getFlat(i)));
        }
        for (long i = 0; i < a.size(); i++) {
            assertEquals(a.getFlat(i), b.getFlat(i), rel * scale, "element " + i);
        }
    }
}
