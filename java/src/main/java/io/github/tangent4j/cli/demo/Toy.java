package io.github.tangent4j.cli.demo;

import io.github.tangent4j.kernels.InfiniteWidthKernel;
import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.nn.Architecture;
import io.github.tangent4j.tensor.Tensor;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The 1-D toy regression problem of figures 4 and 5: targets {@code y = sin(2x)} at N seeded
 * training inputs drawn uniformly from [-{@value #RANGE}, {@value #RANGE}] (sorted), test inputs on a
 * grid over a slightly wider interval, and the infinite-width architecture whose kernels are used
 * ({@value #DEPTH} hidden layers, NTK parameterization; ReLU in figure 4, erf in figure 5).
 */
final class Toy {
    static final double RANGE = 2;
    static final int DEPTH = 2;
    static final double SIGMA_W2 = 2;
    static final double SIGMA_B2 = 0.5;
    static final long SEED = 4;

    private Toy() {
    }

    /** The target function. */
    static double target(double x) {
        return Math.sin(2 * x);
    }

    /** Its derivative. */
    static double targetDerivative(double x) {
        return 2 * Math.cos(2 * x);
    }

    /** The N training inputs, sorted: (N, 1). */
    static double[] trainX(DemoContext ctx) {
        SplittableRandom rng = new SplittableRandom(SEED);
        double[] x = new double[ctx.size(20, 8)];
        Arrays.setAll(x, i -> rng.nextDouble(-RANGE, RANGE));
        Arrays.sort(x);
        return x;
    }

    /** The test grid. */
    static double[] testX(DemoContext ctx) {
        return Charts.grid(-1.25 * RANGE, 1.25 * RANGE, ctx.size(201, 41));
    }

    /** The targets at {@code x}. */
    static double[] targets(double[] x) {
        return Arrays.stream(x).map(Toy::target).toArray();
    }

    /** A column of inputs: (N, 1) F64. */
    static Tensor column(double[] x) {
        return Tensor.of(x.clone(), x.length, 1);
    }

    /** The architecture's infinite-width kernels with activation {@code phi}. */
    static InfiniteWidthKernel kernel(Activation phi) {
        return InfiniteWidthKernel.of(Architecture.ntkVariances(phi, DEPTH, SIGMA_W2, SIGMA_B2));
    }

    /** A short description of the architecture for captions. */
    static String describe(InfiniteWidthKernel k) {
        return k.activation() + ", " + k.depth() + " hidden layers, sigma_w^2 = "
                + Ticks.label(k.sigmaW2()) + ", sigma_b^2 = " + Ticks.label(k.sigmaB2());
    }
}
