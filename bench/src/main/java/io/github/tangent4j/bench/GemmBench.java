package io.github.tangent4j.bench;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.backend.Backends;
import io.github.tangent4j.backend.DeviceMatrix;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
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
 * {@code C = A B} (row-major; {@code B^T} stored n x k for a shape ending in {@code T}, as in x W^T) on a tangent4j backend ({@code impl=java|cuda}; {@code java}
 * takes the GEMM provider chosen by default, the system BLAS where there is one, and {@code java-vector}
 * the pure-Java Vector API GEMM, {@code -Dtangent4j.blas=none}) or on OpenBLAS through FFM
 * ({@code impl=openblas}), for the shapes the families produce. Time per GEMM;
 * {@code bench/run} converts it to GFLOP/s (2 m n k flops) and to ratios against OpenBLAS.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--add-modules", "jdk.incubator.vector"})
public class GemmBench {
    /** m x k times k x n ({@code mxnxk}), with a trailing {@code T} B transposed (stored n x k). */
    @Param({"256x256x256", "1024x1024x1024", "2048x2048x2048", "262144x512x512", "4096x4096x8", "4096x4096x32",
        "4096x4096x64", "64x8192x512"})
    public String shape;

    @Param({"f64", "f32"})
    public String dtype;

    @Param({"2"})
    public int threads;

    @Param({"java"})
    public String impl;

    private int m;
    private int n;
    private int k;
    private boolean transB;
    private Backend backend;
    private DeviceMatrix a;
    private DeviceMatrix b;
    private DeviceMatrix c;
    private Arena arena;
    private MemorySegment sa;
    private MemorySegment sb;
    private MemorySegment sc;
    private OpenBlas blas;

    @Setup(Level.Trial)
    public void setUp() throws Throwable {
        transB = shape.endsWith("T");
        String[] dims = shape.replace("T", "").split("x");
        m = Integer.parseInt(dims[0]);
        n = Integer.parseInt(dims[1]);
        k = Integer.parseInt(dims[2]);
        DType t = dtype.equals("f64") ? DType.F64 : DType.F32;
        Tensor ha = filled(t, m, k, 1);
        Tensor hb = transB ? filled(t, n, k, 2) : filled(t, k, n, 2);
        if (impl.equals("openblas")) {
            blas = OpenBlas.load().orElseThrow(() -> new IllegalStateException(
                    "OpenBLAS not found: apt-get install libopenblas0-pthread"));
            blas.threads(threads);
            arena = Arena.ofShared();
            sa = arena.allocate(ha.byteSize(), 64).copyFrom(ha.segment());
            sb = arena.allocate(hb.byteSize(), 64).copyFrom(hb.segment());
            sc = arena.allocate((long) m * n * t.byteSize(), 64);
        } else {
            // Read once, when the Java backend's pool is created.
            System.setProperty("tangent4j.threads", Integer.toString(threads));
            if (impl.equals("java-vector")) {
                System.setProperty("tangent4j.blas", "none");   // read once, when the Java GEMM is first used
            }
            backend = Backends.create(impl.equals("java-vector") ? "java" : impl);
            a = backend.upload(ha);
            b = backend.upload(hb);
            c = backend.allocate(t, m, n);
        }
    }

    private static Tensor filled(DType t, long rows, long cols, int salt) {
        Tensor x = Tensor.allocate(t, rows, cols);
        MemorySegment s = x.segment();
        long count = x.size();
        for (long i = 0; i < count; i++) {
            double v = ((i * 2654435761L + salt) % 1000) / 1000.0 - 0.5;
            if (t == DType.F64) {
                s.setAtIndex(ValueLayout.JAVA_DOUBLE, i, v);
            } else {
                s.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) v);
            }
        }
        return x;
    }

    @Benchmark
    public void gemm() throws Throwable {
        if (blas != null) {
            if (dtype.equals("f64")) {
                blas.dgemm(false, transB, m, n, k, 1, sa, k, sb, transB ? k : n, 0, sc, n);
            } else {
                blas.sgemm(false, transB, m, n, k, 1, sa, k, sb, transB ? k : n, 0, sc, n);
            }
        } else {
            backend.gemm(false, transB, 1, a, b, 0, c);
            if (impl.equals("cuda")) {
                backend.download(c.rows(0, 1));   // wait for the device
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Throwable {
        if (backend != null) {
            backend.close();
        }
        if (arena != null) {
            arena.close();
        }
        if (blas != null) {
            System.out.println("# OpenBLAS core: " + blas.coreName());
        }
    }
}
