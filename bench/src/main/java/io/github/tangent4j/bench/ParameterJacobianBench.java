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
 * The parameter Jacobian (N, O, P) of an MLP 784-512-512-10 (ReLU, P = 669 706), host to host, and in the
 * same run the plain GEMM of the input Jacobian's largest shape, (N*O x 512) times (512 x 784). The result
 * holds N*O*P numbers (N = 64: 1.7 GB in F32), so the method is bound by writing them, not by its FLOPs:
 * {@code bench/families.py} reports its efficiency against the GEMM as for the other families, and the
 * RESULTS note gives the bandwidth it reaches. N = 4096 would need 110 GB and is not run.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--add-modules", "jdk.incubator.vector",
    "-XX:MaxDirectMemorySize=22g"})
public class ParameterJacobianBench {
    @Param({"16", "64"})
    public int n;

    @Param({"f32", "f64"})
    public String dtype;

    @Param({"java"})
    public String impl;

    private FamilyWorkload w;
    private Jacobians params;
    private Tensor reused;

    /**
     * FLOPs of the GEMMs of one parameter Jacobian: the forward pass, the reverse sweep down to the first
     * hidden layer (no input gradient), the rank-1 broadcasts of the last weight and of the output
     * identity, and per layer the batched rank-1 products for the weight (2 N O out in) and bias (2 N O out)
     * blocks.
     */
    static double flops(long n) {
        long[] w = JacobianBench.WIDTHS;
        int last = w.length - 2;
        long o = w[w.length - 1];
        double f = 0;
        for (int l = 0; l <= last; l++) {
            f += 2.0 * n * w[l] * w[l + 1];
            f += 2.0 * n * o * w[l + 1] * (w[l] + 1);
        }
        f += 2.0 * n * o * w[last] + 2.0 * n * o * o;
        for (int l = 1; l < last; l++) {
            f += 2.0 * n * o * w[l] * w[l + 1];
        }
        return f;
    }

    @Setup(Level.Trial)
    public void setUp() {
        w = new FamilyWorkload(impl, dtype, n, n * 10L, 512, 784, false);
        w.printFlops(flops(n));
        params = Jacobians.of(w.mlp).withKind(Jacobians.Kind.PARAMETERS);
        reused = Tensor.allocate(w.mlp.dtype(), params.shape(n, 0));
        System.out.printf("# bytes out=%d%n", reused.segment().byteSize());
    }

    /** The whole parameter Jacobian, host inputs to a fresh host (N, O, P) output (its pages faulted in). */
    @Benchmark
    public Tensor parameterJacobian() {
        return Jacobians.of(w.mlp).parameters(w.backend, w.x).tensor();
    }

    /**
     * The same into one output tensor allocated (and so touched) once, as PyTorch's recipe writes with
     * {@code out=}: no page faults of a fresh multi-GB result, only the one pass that writes it.
     */
    @Benchmark
    public Tensor parameterJacobianIntoReused() {
        params.computeInto(w.backend, w.x, null, TensorSink.of(reused));
        return reused;
    }

    /** The input Jacobian sweep's largest GEMM alone, on data already on the backend. */
    @Benchmark
    public void gemm() {
        w.gemm();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        w.close();
    }
}
