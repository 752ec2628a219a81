package io.github.tangent4j.cli;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.chunked.ChunkInputs;
import io.github.tangent4j.chunked.InfiniteWidthChunks;
import io.github.tangent4j.kernels.InfiniteWidthKernel;
import io.github.tangent4j.kernels.JacobianKernel;
import io.github.tangent4j.tensor.Tensor;
import io.github.tangent4j.tensor.TensorSink;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code tangent4j kernel}: the infinite-width kernel between --x and --x2 of a network with --depth
 * hidden layers in the NTK parameterization: NNGP or NTK, (N, N2); or the Jacobian NNGP or NTK of
 * (f, df/dx), (N(1+D), N2(1+D)).
 */
@Command(name = "kernel", mixinStandardHelpOptions = true,
        description = "Write an infinite-width kernel: nngp or ntk (N, N2); jacobian-nngp or jacobian-ntk "
                + "(N(1+D), N2(1+D)), per point the rows/columns [f, df/dx_1 ... df/dx_D].")
final class KernelCommand implements Callable<Integer> {
    /** The kernels this command writes. */
    enum Kind {
        nngp, ntk, jacobian_nngp, jacobian_ntk
    }

    @Mixin
    KernelOptions options;

    @Mixin
    ChunkOptions chunks;

    @Option(names = "--kind", required = true, paramLabel = "KIND", converter = KindConverter.class,
            description = "nngp|ntk|jacobian-nngp|jacobian-ntk")
    Kind kind;

    @StandardInput
    @Option(names = "--x2", paramLabel = "FILE", description = "second inputs, .npy of shape (N2, D) (default: --x)")
    Path x2;

    @Override
    public Integer call() throws Exception {
        InfiniteWidthKernel kernel = options.kernel();
        Tensor rawX = options.openMatrix(options.x, "--x", -1, "");
        Tensor rawY = x2 == null ? null : options.openMatrix(x2, "--x2", rawX.dim(1), "like --x");
        long n = rawX.dim(0);
        long n2 = rawY == null ? n : rawY.dim(0);
        long points = kind == Kind.nngp || kind == Kind.ntk ? 1 : Room.plus(1, rawX.dim(1));
        // every kind streams into the output file tile by tile
        options.checkRoom(new long[] {Room.times(n, points), Room.times(n2, points)}, false);
        Tensor x = options.checked(rawX, "--x", options.x);
        Tensor y = x2 == null ? null : options.checked(rawY, "--x2", x2);
        if (chunks.writeStore(options, InfiniteWidthChunks.of(InfiniteWidthChunks.Kind.valueOf(kind.name().toUpperCase(
                java.util.Locale.ROOT)), kernel), new ChunkInputs(null, x, y))) {
            return 0;
        }
        try (Backend backend = options.openBackend(); ProgressBars bar = ProgressBars.open("kernel")) {
            switch (kind) {
                case nngp, ntk -> {
                    // Streamed tile by tile into the memory-mapped output: it may be larger than the RAM.
                    InfiniteWidthKernel k = kernel.withProgress(bar.listener())
                            .withGet(kind == Kind.ntk ? InfiniteWidthKernel.Get.NTK : InfiniteWidthKernel.Get.NNGP);
                    long[] shape = k.shape(x.dim(0), y == null ? x.dim(0) : y.dim(0));
                    options.write(x.dtype(), shape, out -> k.computeInto(backend, x, y, TensorSink.of(out)));
                }
                case jacobian_nngp, jacobian_ntk -> {
                    JacobianKernel k = JacobianKernel.of(kernel).withProgress(bar.listener()).withKind(
                            kind == Kind.jacobian_ntk ? JacobianKernel.Kind.NTK : JacobianKernel.Kind.NNGP);
                    long[] shape = k.shape(x.dim(0), y == null ? x.dim(0) : y.dim(0), x.dim(1));
                    options.write(x.dtype(), shape, out -> k.computeInto(backend, x, y, TensorSink.of(out)));
                }
            }
        }
        return 0;
    }

    /** Parses --kind with its dashes. */
    static final class KindConverter implements picocli.CommandLine.ITypeConverter<Kind> {
        @Override
        public Kind convert(String value) {
            try {
                return Kind.valueOf(value.replace('-', '_'));
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException("expected nngp, ntk, jacobian-nngp or"
                        + " jacobian-ntk (lower case) but was '" + value + "'");
            }
        }
    }
}
