package io.github.tangent4j.testing;

import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Tensor;
import java.util.SplittableRandom;

/** The tests' random inputs: independent standard normal entries, reproducible from a seed. */
public final class Gaussian {
    private Gaussian() {
    }

    /** An (n, d) tensor of {@code dtype} filled, in row-major order, from {@code SplittableRandom(seed)}. */
    public static Tensor matrix(long seed, DType dtype, long n, long d) {
        SplittableRandom rng = new SplittableRandom(seed);
        Tensor t = Tensor.allocate(dtype, n, d);
        for (long i = 0; i < t.size(); i++) {
            t.setFlat(i, rng.nextGaussian());
        }
        return t;
    }

    /** {@link #matrix(long, DType, long, long)} in {@link DType#F64}. */
    public static Tensor matrix(long seed, long n, long d) {
        return matrix(seed, DType.F64, n, d);
    }
}
