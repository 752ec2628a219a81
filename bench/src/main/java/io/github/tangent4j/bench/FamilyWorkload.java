package io.github.tangent4j.bench;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.backend.Backends;
import io.github.tangent4j.backend.DeviceMatrix;
import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.nn.Parameterization;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Tensor;
import java.util.SplittableRandom;

/**
 * What the family benchmarks share: the MLP 784-512-512-10 (ReLU, seeded), N Gaussian inputs, a backend,
 * and one reference GEMM {@code C = op(A) op(B)} of a given shape timed in the same fork, whose FLOPs and
 * the method's are printed as {@code # flops method=... gemm=...} for {@code bench/families.py}.
 */
final class FamilyWorkload implements AutoCloseable {
    /** The network's widths. */
    static final long[] WIDTHS = {784, 512, 512, 10};

    final Backend backend;
    final Mlp mlp;
    final Tensor x;
    private final boolean transB;
    private final DeviceMatrix a;
    private final DeviceMatrix b;
    private final DeviceMatrix c;

    /**
     * The workload on backend {@code impl} in {@code dtype} ("f32"/"f64") with {@code n} inputs, and a
     * reference GEMM (m x k) op(k x cols) ({@code transB}: B is stored cols x k).
     */
    FamilyWorkload(String impl, String dtype, long n, long m, long k, long cols, boolean transB) {
        DType t = dtype.equals("f64") ? DType.F64 : DType.F32;
        backend = Backends.create(impl);
        mlp = Mlp.random(1, Activation.RELU, Parameterization.STANDARD, t, WIDTHS);
        x = gaussian(t, 2, n, WIDTHS[0]);
        this.transB = transB;
        a = backend.allocate(t, m, k);
        b = transB ? a : backend.allocate(t, k, cols);
        c = backend.allocate(t, m, cols);
        backend.fill(a, 0.5);
        backend.fill(b, 0.25);
    }

    /** A (rows, cols) tensor of dtype t with independent N(0, 1) entries from seed {@code seed}. */
    static Tensor gaussian(DType t, long seed, long rows, long cols) {
        Tensor x = Tensor.allocate(t, rows, cols);
        SplittableRandom rng = new SplittableRandom(seed);
        for (long i = 0; i < x.size(); i++) {
            x.setFlat(i, rng.nextGaussian());
        }
        return x;
    }

    /** Prints the FLOP counts for {@code bench/families.py}. */
    void printFlops(double method) {
        System.out.printf("%n# flops method=%.6e gemm=%.6e%n", method, 2.0 * c.rows() * c.cols() * a.cols());
    }

    /** Runs the reference GEMM once (and waits for an asynchronous device). */
    void gemm() {
        backend.gemm(false, transB, 1, a, b, 0, c);
        backend.download(c.rows(0, 1));
    }

    @Override
    public void close() {
        backend.close();
    }
}
