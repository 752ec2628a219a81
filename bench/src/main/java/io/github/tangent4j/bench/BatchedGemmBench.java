package io.github.tangent4j.bench;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.backend.Backends;
import io.github.tangent4j.backend.DeviceMatrix;
import io.github.tangent4j.tensor.DType;
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
 * {@code Backend.gemmBatched}: many small independent GEMMs, as per-example products produce (a batch of
 * m x k times k x n blocks). Time per batched call; compare {@code threads=1} with {@code threads=2}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--add-modules", "jdk.incubator.vector"})
public class BatchedGemmBench {
    /** batch x m x n x k. */
    @Param({"1024x16x64x64", "256x8x256x32"})
    public String shape;

    @Param({"f64", "f32"})
    public String dtype;

    @Param({"1", "2"})
    public int threads;

    private int batch;
    private Backend backend;
    private DeviceMatrix a;
    private DeviceMatrix b;
    private DeviceMatrix c;

    @Setup(Level.Trial)
    public void setUp() {
        String[] dims = shape.split("x");
        batch = Integer.parseInt(dims[0]);
        int m = Integer.parseInt(dims[1]);
        int n = Integer.parseInt(dims[2]);
        int k = Integer.parseInt(dims[3]);
        DType t = dtype.equals("f64") ? DType.F64 : DType.F32;
        System.setProperty("tangent4j.threads", Integer.toString(threads));   // read when the pool starts
        backend = Backends.create("java");
        a = backend.allocate(t, (long) batch * m, k);
        b = backend.allocate(t, (long) batch * k, n);
        c = backend.allocate(t, (long) batch * m, n);
        backend.fill(a, 0.5);
        backend.fill(b, -0.25);
    }

    @Benchmark
    public void gemmBatched() {
        backend.gemmBatched(batch, false, false, 1, a, b, 0, c);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        backend.close();
    }
}
