package io.github.tangent4j.bench;

import io.github.tangent4j.jacobian.Jacobians;
import io.github.tangent4j.tensor.Tensor;
import io.github.tangent4j.tensor.TensorSink;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The input Jacobian (N, O, D) of an MLP 784-512-512-10 (ReLU) on a backend, host to host, and — in the
 * same run — one plain GEMM of the sweep's largest shape, (N*O x 512) times (512 x 784), so that
 * {@code bench/jacobians} can report the efficiency (method FLOP / method time) / (GEMM FLOP/s).
 * {@link #flops} gives the exact FLOP count of the GEMMs the method performs.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--add-modules", "jdk.incubator.vector"})
public class JacobianBench {
    /** The network's widths. */
    static final long[] WIDTHS = FamilyWorkload.WIDTHS;

    @Param({"256", "4096"})
    public int n;

    @Param({"f32", "f64"})
    public String dtype;

    @Param({"java"})
    public String impl;

    private FamilyWorkload w;
    private Jacobians jacobians;
    private Tensor reused;

    /**
     * FLOPs of the GEMMs of one input Jacobian in reverse mode: the forward pass {@code 2 N sum n_{l-1} n_l},
     * the rank-1 broadcast of the last weight {@code 2 N O n_{L-1}}, and {@code 2 N O n_l n_{l-1}} for every
     * layer below the last.
     */
    static double flops(long n) {
        double f = 0;
        int last = WIDTHS.length - 2;
        long o = WIDTHS[WIDTHS.length - 1];
        for (int l = 0; l <= last; l++) {
            f += 2.0 * n * WIDTHS[l] * WIDTHS[l + 1];
        }
        f += 2.0 * n * o * WIDTHS[last];
        for (int l = 0; l < last; l++) {
            f += 2.0 * n * o * WIDTHS[l] * WIDTHS[l + 1];
        }
        return f;
    }


    @Setup(Level.Trial)
    public void setUp() {
        long o = WIDTHS[WIDTHS.length - 1];
        w = new FamilyWorkload(impl, dtype, n, n * o, 512, 784, false);
        w.printFlops(flops(n));
        jacobians = Jacobians.of(w.mlp).withMode(Jacobians.Mode.REVERSE);
        reused = Tensor.allocate(w.mlp.dtype(), jacobians.shape(n, 0));
    }

    /** The whole input Jacobian, host inputs to host (N, O, D) output. */
    @Benchmark
    public Tensor inputJacobian() {
        return Jacobians.of(w.mlp).withMode(Jacobians.Mode.REVERSE).input(w.backend, w.x);
    }

    /**
     * The same into one output allocated once ({@link Jacobians#computeInto}): without the page faults of a
     * fresh result, which C's allocator spares PyTorch when it frees and reuses its outputs at once while ours
     * wait for the garbage collector.
     */
    @Benchmark
    public Tensor inputJacobianIntoReused() {
        jacobians.computeInto(w.backend, w.x, null, TensorSink.of(reused));
        return reused;
    }

    /** The sweep's largest GEMM alone, on data already on the backend. */
    @Benchmark
    public void gemm() {
        w.gemm();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        w.close();
    }
}
