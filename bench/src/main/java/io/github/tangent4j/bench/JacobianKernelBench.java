package io.github.tangent4j.bench;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.backend.Backends;
import io.github.tangent4j.kernels.InfiniteWidthKernel;
import io.github.tangent4j.kernels.JacobianKernel;
import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.nn.Architecture;
import io.github.tangent4j.tensor.DType;
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

/** The Jacobian NNGP and NTK of N = N2 points in D dimensions: (N (1+D))^2 outputs. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--add-modules", "jdk.incubator.vector",
    "-Xmx8g"})
public class JacobianKernelBench {
    @Param({"1024"})
    public int n;

    @Param({"16"})
    public int d;

    @Param({"3"})
    public int depth;

    @Param({"relu", "erf"})
    public String activation;

    @Param({"f32"})
    public String dtype;

    @Param({"nngp", "ntk"})
    public String kind;

    @Param({"java"})
    public String impl;

    private Backend backend;
    private Tensor x;
    private JacobianKernel kernel;
    private JacobianKernel.Kind k;
    private Tensor reused;

    @Setup(Level.Trial)
    public void setUp() {
        DType t = dtype.equals("f64") ? DType.F64 : DType.F32;
        x = FamilyWorkload.gaussian(t, 1, n, d);
        backend = Backends.create(impl);
        kernel = JacobianKernel.of(InfiniteWidthKernel.of(Architecture.ntkVariances(Activation.parse(activation), depth, 2, 0.1)));
        k = kind.equals("ntk") ? JacobianKernel.Kind.NTK : JacobianKernel.Kind.NNGP;
        long[] shape = kernel.shape(n, n, d);
        reused = Tensor.allocate(t, shape[0], shape[1]);
    }

    @Benchmark
    public Tensor jacobianKernel() {
        return kernel.compute(backend, x, null, k);
    }

    /**
     * The same into one output allocated once ({@link JacobianKernel#computeInto}): the compute alone, without
     * the page faults of a fresh 1.2 GB result (N = 1024, D = 16, f32).
     */
    @Benchmark
    public Tensor jacobianKernelIntoReused() {
        kernel.withKind(k).computeInto(backend, x, null, TensorSink.of(reused));
        return reused;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        backend.close();
    }
}
