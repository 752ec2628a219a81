package io.github.tangent4j.patterns;

import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.nn.Layer;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.nn.Parameterization;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Tensor;
import io.github.tangent4j.testing.Gaussian;
import java.util.List;

/** Networks and inputs shared by the pattern tests. */
final class Fixtures {
    private Fixtures() {
    }

    /**
     * A 2-3-2-1 network with dyadic weights: on the dyadic grid of {@link #dyadicGrid} every
     * pre-activation is computed exactly in F32 and F64, and many are exactly 0 (in both hidden layers).
     */
    static Mlp dyadic(Activation phi, DType dtype) {
        Layer l1 = new Layer(Tensor.of(new double[] {1, -1, 0.5, 0.25, -2, 1}, 3, 2), Tensor.of(new double[] {0, -0.5, 0.25}, 3));
        Layer l2 = new Layer(Tensor.of(new double[] {1, -1, 0, 1, 0, -1}, 2, 3), Tensor.of(new double[] {0, 0}, 2));
        Layer l3 = new Layer(Tensor.of(new double[] {1, 1}, 1, 2), Tensor.of(new double[] {0}, 1));
        return new Mlp(List.of(l1, l2, l3), phi, Parameterization.STANDARD).to(dtype);
    }

    /** The 9 x 9 grid {-1, -0.75, ..., 1}^2 as (81, 2). */
    static Tensor dyadicGrid(DType dtype) {
        Tensor x = Tensor.allocate(dtype, 81, 2);
        for (int i = 0; i < 81; i++) {
            x.set(-1 + 0.25 * (i / 9), i, 0);
            x.set(-1 + 0.25 * (i % 9), i, 1);
        }
        return x;
    }

    /** Gaussian inputs (N, D) in dtype. */
    static Tensor gaussian(long seed, DType dtype, long n, long d) {
        return Gaussian.matrix(seed, dtype, n, d);
    }

    /** The three piecewise-linear activations. */
    static List<Activation> piecewiseLinear() {
        return List.of(Activation.RELU, Activation.leakyRelu(0.5), Activation.ABS);
    }
}
