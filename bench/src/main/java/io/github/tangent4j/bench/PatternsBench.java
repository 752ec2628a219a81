package io.github.tangent4j.bench;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.backend.Backends;
import io.github.tangent4j.backend.DeviceMatrix;
import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.nn.DeviceMlp;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.nn.Parameterization;
import io.github.tangent4j.patterns.ActivationPatterns;
import io.github.tangent4j.patterns.DistinctPatterns;
import io.github.tangent4j.patterns.PackedPatterns;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Tensor;
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
 * Activation patterns of N inputs through a 784-512-512-10 ReLU network (F32, inputs resident on the
 * backend, packed patterns to the host), next to the same run's two hidden-layer GEMMs on the same
 * shapes ({@code hiddenGemms}): efficiency = time(hiddenGemms) / time(patterns). And distinct counting
 * of 10^6 packed patterns of 1024 bits drawn from a pool of 10^5 (so with repeats).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--add-modules", "jdk.incubator.vector"})
public class PatternsBench {
    @Param({"100000"})
    public int n;

    @Param({"java"})
    public String impl;

    /** Rows per tile of the pattern computation. */
    @Param({"16384"})
    public long tileRows;

    private Backend backend;
    private DeviceMlp network;
    private DeviceMatrix x;
    private DeviceMatrix z1;
    private DeviceMatrix z2;
    private PackedPatterns many;

    @Setup(Level.Trial)
    public void setUp() {
        backend = Backends.create(impl);
        Mlp mlp = Mlp.random(1, Activation.RELU, Parameterization.STANDARD, DType.F32, 784, 512, 512, 10);
        network = DeviceMlp.upload(backend, mlp);
        SplittableRandom rng = new SplittableRandom(2);
        Tensor hx = Tensor.allocate(DType.F32, n, 784);
        for (long i = 0; i < hx.size(); i++) {
            hx.setFlat(i, rng.nextGaussian());
        }
        x = backend.upload(hx);
        z1 = backend.allocate(DType.F32, n, 512);
        z2 = backend.allocate(DType.F32, n, 512);
        many = distinctFixture(rng);
    }

    private static PackedPatterns distinctFixture(SplittableRandom rng) {
        int words = 16;
        int pool = 100_000;
        long[] base = new long[pool * words];
        for (int i = 0; i < base.length; i++) {
            base[i] = rng.nextLong();
        }
        Tensor t = Tensor.allocate(DType.I64, 1_000_000, words);
        for (long i = 0; i < 1_000_000; i++) {
            int k = rng.nextInt(pool);
            for (int w = 0; w < words; w++) {
                t.segment().setAtIndex(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, i * words + w,
                        base[k * words + w]);
            }
        }
        return PackedPatterns.wrap(t, 64L * words);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        network.close();
        backend.close();
    }

    /** Packed patterns of N inputs to the host. */
    @Benchmark
    public PackedPatterns patterns() {
        return ActivationPatterns.compute(network, x, null, tileRows).packed();
    }

    /** The two hidden-layer GEMMs alone (no bias, activation or packing): the reference for efficiency. */
    @Benchmark
    public DeviceMatrix hiddenGemms() {
        backend.gemm(false, true, 1, x, network.weight(0), 0, z1);
        backend.gemm(false, true, 1, z1, network.weight(1), 0, z2);
        backend.download(z2.rows(0, 1));
        return z2;
    }

    /** Distinct counting of 10^6 patterns of 1024 bits. */
    @Benchmark
    public int distinct() {
        return DistinctPatterns.of(many).count();
    }
}
