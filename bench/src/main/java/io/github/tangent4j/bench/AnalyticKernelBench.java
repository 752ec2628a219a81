package io.github.tangent4j.bench;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.backend.Backends;
import io.github.tangent4j.backend.DeviceMatrix;
import io.github.tangent4j.kernels.InfiniteWidthKernel;
import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.nn.Architecture;
import io.github.tangent4j.tensor.DType;
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
 * The infinite-width NNGP + NTK of N = N2 points in D dimensions ({@code nngpNtk}: Gram GEMM and layer
 * recursions on the backend, both output matrices on the host), for K(X, X) and for K(X, X2), against the
 * same run's Gram GEMM alone ({@code gram}: {@code X X^T}, N x N x D, on device matrices). The ratio gram / nngpNtk is the
 * figure of merit (1 = the kernel costs no more than its GEMM).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--add-modules", "jdk.incubator.vector",
    "-Xmx8g"})
public class AnalyticKernelBench {
    @Param({"4096"})
    public int n;

    @Param({"784"})
    public int d;

    @Param({"3"})
    public int depth;

    @Param({"relu", "erf"})
    public String activation;

    @Param({"f32", "f64"})
    public String dtype;

    @Param({"java"})
    public String impl;

    /**
     * {@code same}: K(X, X), whose blocks above the diagonal are the transpose of those below; {@code other}:
     * K(X, X2) with X2 a copy of X, computed in full.
     */
    @Param({"same", "other"})
    public String x2;

    private Backend backend;
    private Tensor x;
    private Tensor second;
    private DeviceMatrix xd;
    private DeviceMatrix g;
    private InfiniteWidthKernel kernel;

    @Setup(Level.Trial)
    public void setUp() {
        DType t = dtype.equals("f64") ? DType.F64 : DType.F32;
        x = FamilyWorkload.gaussian(t, 1, n, d);
        second = x2.equals("same") ? null : x.copy();
        backend = Backends.create(impl);
        xd = backend.upload(x);
        g = backend.allocate(t, n, n);
        kernel = InfiniteWidthKernel.of(Architecture.ntkVariances(Activation.parse(activation), depth, 2, 0.1));
    }

    /** The Gram GEMM alone, N x N x D. */
    @Benchmark
    public void gram() {
        backend.gemm(false, true, 1, xd, xd, 0, g);
        if (impl.equals("cuda")) {
            backend.download(g.rows(0, 1)); // wait for the device
        }
    }

    /** The NNGP and NTK of the output layer, (N, N) each, on the host. */
    @Benchmark
    public InfiniteWidthKernel.Result nngpNtk() {
        return kernel.compute(backend, x, second);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        backend.close();
    }
}
