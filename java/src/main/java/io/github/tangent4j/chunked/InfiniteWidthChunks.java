package io.github.tangent4j.chunked;

import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.nn.Architecture;
import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.kernels.InfiniteWidthKernel;
import io.github.tangent4j.kernels.JacobianKernel;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Tensor;

/**
 * The infinite-width kernels between x and x2 ({@code kernel}): NNGP or NTK (N, N2), or the Jacobian
 * NNGP or NTK of (f, df/dx), (N(1+D), N2(1+D)), as a grid of tiles, each the kernel of the tile's points of
 * x and x2. All four are symmetric matrices when x2 = x (the covariance of a Gaussian process, Lee et al.
 * 2018; Jacot et al. 2018), so only tiles on and below the diagonal are computed.
 *
 * @param kind           which kernel
 * @param activationKind the activation's {@link Activation.Kind}
 * @param slope          its slope (leaky ReLU)
 * @param depth          hidden layers
 * @param sigmaW2        weight variance
 * @param sigmaB2        bias variance
 */
public record InfiniteWidthChunks(Kind kind, Activation.Kind activationKind, double slope, int depth, double sigmaW2,
        double sigmaB2) implements ChunkedComputation {
    /** The kernels. */
    public enum Kind {
        /** NNGP, (N, N2). */
        NNGP,
        /** NTK, (N, N2). */
        NTK,
        /** Jacobian NNGP, (N(1+D), N2(1+D)). */
        JACOBIAN_NNGP,
        /** Jacobian NTK, (N(1+D), N2(1+D)). */
        JACOBIAN_NTK
    }

    /** The chunked kernel {@code kind} of {@code kernel}'s architecture. */
    public static InfiniteWidthChunks of(Kind kind, InfiniteWidthKernel kernel) {
        return new InfiniteWidthChunks(kind, kernel.activation().kind(), kernel.activation().slope(), kernel.depth(),
                kernel.sigmaW2(), kernel.sigmaB2());
    }

    @Override
    public String subcommand() {
        return "kernel";
    }

    @Override
    public DType dtype(ChunkInputs in) {
        return in.x().dtype();
    }

    @Override
    public long[] shape(ChunkInputs in) {
        long u = unit(in);
        return new long[] {in.x().dim(0) * u, in.right().dim(0) * u};
    }

    @Override
    public boolean grid() {
        return true;
    }

    @Override
    public long unit(ChunkInputs in) {
        return kind == Kind.NNGP || kind == Kind.NTK ? 1 : 1 + in.x().dim(1);
    }

    @Override
    public Mirror mirror() {
        return Mirror.TRANSPOSE;
    }

    @Override
    public Tensor block(Backend backend, ChunkInputs in, long rowStart, long rowEnd, long colStart, long colEnd) {
        long u = unit(in);
        Tensor rows = in.x().slice(rowStart / u, ceil(rowEnd, u));
        boolean diagonal = in.x2() == null && rowStart == colStart && rowEnd == colEnd;
        Tensor cols = diagonal ? null : in.right().slice(colStart / u, ceil(colEnd, u));
        InfiniteWidthKernel kernel = InfiniteWidthKernel.of(Architecture.ntkVariances(
                new Activation(activationKind, slope), depth, sigmaW2, sigmaB2));
        return switch (kind) {
            case NNGP -> kernel.withGet(InfiniteWidthKernel.Get.NNGP).compute(backend, rows, cols).outputNngp();
            case NTK -> kernel.compute(backend, rows, cols).outputNtk();
            case JACOBIAN_NNGP -> JacobianKernel.of(kernel).compute(backend, rows, cols, JacobianKernel.Kind.NNGP);
            case JACOBIAN_NTK -> JacobianKernel.of(kernel).compute(backend, rows, cols, JacobianKernel.Kind.NTK);
        };
    }

    private static long ceil(long a, long b) {
        return (a + b - 1) / b;
    }
}
