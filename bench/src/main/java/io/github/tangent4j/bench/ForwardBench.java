package io.github.tangent4j.bench;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.backend.Backends;
import io.github.tangent4j.backend.DeviceMatrix;
import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.nn.DeviceMlp;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.nn.Parameterization;
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
 * The forward pass of N inputs through the MLP 784-512-512-10 (ReLU, weights resident on the backend):
 * {@code device} with the inputs already on the backend and the (N, 10) outputs left there (waits for
 * the device), and {@code hostToHost} from a host tensor to a host tensor ({@link DeviceMlp#forward(Tensor)},
 * row tiles uploaded and downloaded). The PyTorch peer ({@code bench/peers/torch_peer.py}) times the same
 * two workloads.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--add-modules", "jdk.incubator.vector",
    "-Xmx4g"})
public class ForwardBench {
    @Param({"100000"})
    public int n;

    @Param({"f32", "f64"})
    public String dtype;

    @Param({"java"})
    public String impl;

    private Backend backend;
    private DeviceMlp network;
    private Tensor x;
    private DeviceMatrix xd;

    @Setup(Level.Trial)
    public void setUp() {
        DType t = dtype.equals("f64") ? DType.F64 : DType.F32;
        backend = Backends.create(impl);
        network = DeviceMlp.upload(backend,
                Mlp.random(1, Activation.RELU, Parameterization.STANDARD, t, FamilyWorkload.WIDTHS));
        x = FamilyWorkload.gaussian(t, 2, n, FamilyWorkload.WIDTHS[0]);
        xd = backend.upload(x);
    }

    /** Inputs on the backend, outputs left there. */
    @Benchmark
    public void device() {
        try (DeviceMatrix y = network.forward(xd)) {
            backend.download(y.rows(0, 1)); // wait for the device
        }
    }

    /** Host inputs to host outputs. */
    @Benchmark
    public Tensor hostToHost() {
        return network.forward(x);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        xd.close();
        network.close();
        backend.close();
    }
}
