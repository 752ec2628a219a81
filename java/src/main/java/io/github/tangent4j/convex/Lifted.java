package io.github.tangent4j.convex;

import io.github.tangent4j.tensor.Finite;
import io.github.tangent4j.tensor.Shapes;
import io.github.tangent4j.tensor.Tensor;

import java.util.Objects;

/**
 * The lifted inputs of the convex program: X~ = [X, 1] (N, d + 1) with a bias, X itself (N, d) without.
 */
public final class Lifted {
    private Lifted() {
    }

    /**
     * X~ for inputs {@code x} (N, d), F32 or F64, in x's dtype.
     *
     * @throws IllegalArgumentException if x is not a finite float matrix
     */
    public static Tensor of(Tensor x, boolean bias) {
        checkInputs(x);
        if (!bias) {
            return x;
        }
        long n = x.dim(0);
        long d = x.dim(1);
        Tensor out = Tensor.allocate(x.dtype(), n, d + 1);
        for (long i = 0; i < n; i++) {
            for (long j = 0; j < d; j++) {
                out.setFlat(i * (d + 1) + j, x.getFlat(i * d + j));
            }
            out.setFlat(i * (d + 1) + d, 1);
        }
        return out;
    }

    /** Checks that x is a finite (N, d) float matrix. */
    static void checkInputs(Tensor x) {
        Objects.requireNonNull(x, "x");
        if (x.rank() != 2 || !x.dtype().isFloating()) {
            throw new IllegalArgumentException("x: expected a float array of shape (N, d) but was " + x.dtype() + " "
                    + Shapes.format(x.shape()));
        }
        Finite.check("x", x);
    }
}
