package io.github.tangent4j.bench;

import io.github.tangent4j.kernels.EmpiricalNtk;
import io.github.tangent4j.tensor.Tensor;
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
 * The symmetric empirical NTK of an MLP 784-512-512-10 (ReLU) on N inputs, host to host: trace (N, N) or
 * full (N, N, O, O), structured or materialised — and in the same run one plain GEMM of the structured
 * trace's largest shape, (N x O*512) times (O*512 x N), for {@code bench/families.py}' efficiency column
 * (method FLOP / method time) / (GEMM FLOP/s). The exact FLOP counts are printed at set-up (for the
 * materialised method: the parameter Jacobian's GEMMs and the contraction {@code 2 N^2 O P}, or
 * {@code 2 N^2 O^2 P} for the full kernel).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--add-modules", "jdk.incubator.vector",
    "-Xmx2g", "-XX:MaxDirectMemorySize=22g"})
public class NtkBench {
    /** The network's widths. */
    static final long[] WIDTHS = FamilyWorkload.WIDTHS;

    @Param({"256", "1024"})
    public int n;

    @Param({"f32", "f64"})
    public String dtype;

    @Param({"trace", "full"})
    public String kind;

    @Param({"structured"})
    public String method;

    @Param({"java"})
    public String impl;

    private FamilyWorkload w;

    /**
     * FLOPs of the GEMMs of the structured symmetric kernel: the forward pass, the reverse sweep (without
     * the first layer's input gradient) and the output identity's broadcast, and per layer the Gram of the
     * inputs (2 N^2 n_{l-1}) and of the signals (2 N^2 O n_l for the trace, 2 N^2 O^2 n_l for the full
     * kernel; the full kernel also repeats each Gram entry O times, 2 N^2 O). Both triangles are counted,
     * as a dense implementation computes them.
     */
    static double structuredFlops(long n, boolean trace) {
        int layers = WIDTHS.length - 1;
        long o = WIDTHS[layers];
        double f = 0;
        for (int l = 0; l < layers; l++) {
            f += 2.0 * n * WIDTHS[l] * WIDTHS[l + 1];
        }
        f += 2.0 * n * o * WIDTHS[layers - 1] + 2.0 * n * o * o;
        for (int l = 1; l < layers - 1; l++) {
            f += 2.0 * n * o * WIDTHS[l] * WIDTHS[l + 1];
        }
        for (int l = 0; l < layers; l++) {
            f += 2.0 * n * n * WIDTHS[l];
            f += trace ? 2.0 * n * n * o * WIDTHS[l + 1] : 2.0 * n * n * o * o * WIDTHS[l + 1] + 2.0 * n * n * o;
        }
        return f;
    }

    @Setup(Level.Trial)
    public void setUp() {
        long o = WIDTHS[WIDTHS.length - 1];
        w = new FamilyWorkload(impl, dtype, n, n, o * 512, n, true);
        double p = w.mlp.parameterCount();
        w.printFlops(method.equals("structured") ? structuredFlops(n, kind.equals("trace"))
                : ParameterJacobianBench.flops(n) + (kind.equals("trace") ? 2.0 * n * n * o * p : 2.0 * n * n * o * o * p));
    }

    /** The kernel, host inputs to host output. */
    @Benchmark
    public Tensor ntk() {
        EmpiricalNtk ntk = EmpiricalNtk.of(w.mlp).withMethod(method.equals("structured")
                ? EmpiricalNtk.Method.STRUCTURED : EmpiricalNtk.Method.MATERIALISED);
        return kind.equals("trace") ? ntk.trace(w.backend, w.x, null) : ntk.full(w.backend, w.x, null);
    }

    /** The structured trace's largest GEMM alone, on data already on the backend. */
    @Benchmark
    public void gemm() {
        w.gemm();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        w.close();
    }
}
