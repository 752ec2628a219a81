package io.github.tangent4j.bench;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.backend.Backends;
import io.github.tangent4j.convex.GatedStepper;
import io.github.tangent4j.convex.Lifted;
import io.github.tangent4j.convex.PatternSet;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Tensor;
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

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * One proximal-gradient iteration of the gated convex program (N = 2000 inputs of d = 10 with the bias,
 * 500 sampled directions; {@link GatedStepper#step}) next to the two GEMMs it is made of
 * ({@link GatedStepper#gemmsOnly}): efficiency = time(gemms) / time(step).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--add-modules", "jdk.incubator.vector"})
public class ConvexBench {
    @Param({"2000"})
    public int n;

    @Param({"500"})
    public int directions;

    @Param({"java"})
    public String impl;

    private Backend backend;
    private GatedStepper stepper;

    @Setup(Level.Trial)
    public void setUp() {
        backend = Backends.create(impl);
        SplittableRandom rng = new SplittableRandom(3);
        Tensor x = Tensor.allocate(DType.F64, n, 10);
        Tensor y = Tensor.allocate(DType.F64, n);
        for (long i = 0; i < x.size(); i++) {
            x.setFlat(i, rng.nextGaussian());
        }
        for (long i = 0; i < n; i++) {
            y.setFlat(i, Math.tanh(x.getFlat(10 * i) - x.getFlat(10 * i + 1)));
        }
        Tensor lifted = Lifted.of(x, true);
        stepper = new GatedStepper(backend, lifted, PatternSet.sampled(backend, lifted, directions, 0), y, 1.0);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        stepper.close();
        backend.close();
    }

    /** One iteration: gradient (two masked GEMMs, Hadamard, row sum, transfers) and the group prox. */
    @Benchmark
    public double gatedStep() {
        return stepper.step();
    }

    /** The iteration's two GEMMs alone. */
    @Benchmark
    public void gemms() {
        stepper.gemmsOnly();
    }
}
