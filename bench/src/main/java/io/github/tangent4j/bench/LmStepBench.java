package io.github.tangent4j.bench;

import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.backend.Backends;
import io.github.tangent4j.backend.DeviceMatrix;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.nn.ParameterMask;
import io.github.tangent4j.nn.Parameterization;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Tensor;
import io.github.tangent4j.training.Allocation;
import io.github.tangent4j.training.MaskedFit;
import java.util.SplittableRandom;
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
 * The Levenberg–Marquardt step of {@link MaskedFit} on a ReLU network 16-64-64-4 (P = 5508) at N = 64
 * inputs (N*O = 256 equations), with M random trainable weights: M = 128 takes the primal form (M x M Gram
 * {@code J_S^T J_S}), M = 1024 the dual (N*O x N*O Gram {@code J_S J_S^T}).
 *
 * <ul>
 *   <li>{@code lmSteps}: a whole fit of {@link #STEPS} LM steps (tolerance 0, so every step runs): the
 *       masked Jacobian, Gram and gradient GEMMs on the backend, the Cholesky solve and trial forward pass on
 *       the host side; divide by STEPS for a step.</li>
 *   <li>{@code gram}: the Gram GEMM alone at the step's shape, {@code 2 M^2 N O} (primal) or
 *       {@code 2 (N O)^2 M} (dual) flops.</li>
 *   <li>{@code gathers}: the masked-Jacobian GEMMs of the largest layer (64 x 64) alone: the one-hot gathers
 *       {@code E_u Delta^T} (M_l x N*O, {@code 2 M_l 64 N O} flops) and {@code E_v H^T} (M_l x N).</li>
 *   <li>{@code square}: a 512^3 GEMM, the backend's reference rate in the same run.</li>
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--add-modules", "jdk.incubator.vector"})
public class LmStepBench {
    /** LM steps per {@code lmSteps} call. */
    public static final int STEPS = 3;

    @Param({"java"})
    public String impl;

    @Param({"128", "1024"})
    public int m;

    private Backend backend;
    private MaskedFit fit;
    private Tensor x;
    private Tensor y;
    private DeviceMatrix jt;
    private DeviceMatrix gramOut;
    private boolean dual;
    private DeviceMatrix unitsOneHot;
    private DeviceMatrix inputsOneHot;
    private DeviceMatrix delta;
    private DeviceMatrix hidden;
    private DeviceMatrix gathered;
    private DeviceMatrix gatheredInputs;
    private DeviceMatrix sa;
    private DeviceMatrix sb;
    private DeviceMatrix sc;

    @Setup(Level.Trial)
    public void setUp() {
        backend = Backends.create(impl);
        long n = 64;
        Mlp student = Mlp.random(1, Activation.RELU, Parameterization.STANDARD, DType.F64, 16, 64, 64, 4);
        Mlp teacher = Mlp.random(2, Activation.RELU, Parameterization.STANDARD, DType.F64, 16, 64, 64, 4);
        x = gaussian(3, n, 16);
        y = teacher.forward(backend, x);
        ParameterMask mask = Allocation.parse("random").mask(student, m, false, 4);
        fit = MaskedFit.of(student, mask).withSteps(STEPS).withTolerance(0).withMinImprovement(0);
        long rows = n * 4;
        dual = rows < m;
        jt = backend.upload(gaussian(5, m, rows));
        gramOut = dual ? backend.allocate(DType.F64, rows, rows) : backend.allocate(DType.F64, m, m);
        long ml = Math.round(m * 4096.0 / 5376);   // the largest layer's share of the random mask
        unitsOneHot = backend.upload(gaussian(6, ml, 64));
        inputsOneHot = backend.upload(gaussian(7, ml, 64));
        delta = backend.upload(gaussian(8, rows, 64));
        hidden = backend.upload(gaussian(9, n, 64));
        gathered = backend.allocate(DType.F64, ml, rows);
        gatheredInputs = backend.allocate(DType.F64, ml, n);
        sa = backend.upload(gaussian(10, 512, 512));
        sb = backend.upload(gaussian(11, 512, 512));
        sc = backend.allocate(DType.F64, 512, 512);
    }

    private static Tensor gaussian(long seed, long rows, long cols) {
        SplittableRandom rng = new SplittableRandom(seed);
        Tensor t = Tensor.allocate(DType.F64, rows, cols);
        for (long i = 0; i < t.size(); i++) {
            t.setFlat(i, rng.nextGaussian());
        }
        return t;
    }

    @Benchmark
    public double lmSteps() {
        return fit.fit(backend, x, y).loss();
    }

    @Benchmark
    public void gram() {
        if (dual) {
            backend.gemm(true, false, 1, jt, jt, 0, gramOut);
        } else {
            backend.gemm(false, true, 1, jt, jt, 0, gramOut);
        }
        backend.download(gramOut);
    }

    @Benchmark
    public void gathers() {
        backend.gemm(false, true, 1, unitsOneHot, delta, 0, gathered);
        backend.gemm(false, true, 1, inputsOneHot, hidden, 0, gatheredInputs);
        backend.download(gatheredInputs);
    }

    @Benchmark
    public void square() {
        backend.gemm(false, false, 1, sa, sb, 0, sc);
        backend.download(sc.rows(0, 1));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        backend.close();
    }
}
