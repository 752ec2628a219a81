package io.github.tangent4j.kernels;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.backend.DeviceMatrix;
import io.github.tangent4j.backend.Progress;
import io.github.tangent4j.backend.TileEngine;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Finite;
import io.github.tangent4j.tensor.Shapes;
import io.github.tangent4j.tensor.Tensor;
import io.github.tangent4j.tensor.TileSink;

/**
 * The device part of the analytic kernels: input checks, the Gram matrix {@code X X2^T} by GEMM on the
 * backend in row tiles sized to its memory, and the squared row norms; everything after it is an
 * elementwise host recursion.
 */
final class Gram {
    /**
     * Receives one downloaded tile: rows {@code [from, to)} of {@code X X2^T}, a host (to - from, N2) tensor,
     * and the block of the output those points own, to fill.
     */
    @FunctionalInterface
    interface TileConsumer {
        void accept(long from, long to, Tensor gram, Tensor block);
    }

    private Gram() {
    }

    /**
     * Checks that {@code x} (the value of argument {@code name}) is a finite F32/F64 matrix with
     * {@code d} columns ({@code d < 0}: any) and the dtype {@code dtype} (null: any).
     */
    static void check(String name, Tensor x, long d, DType dtype) {
        if (x == null) {
            throw new IllegalArgumentException(name + ": expected an (N, D) matrix but was null");
        }
        if (x.rank() != 2 || (d >= 0 && x.dim(1) != d)) {
            throw new IllegalArgumentException(name + ": expected shape (N, " + (d >= 0 ? d : "D") + ") but was "
                    + Shapes.format(x.shape()));
        }
        if (x.dtype() != DType.F32 && x.dtype() != DType.F64) {
            throw new IllegalArgumentException(name + ": expected dtype F32 or F64 but was " + x.dtype());
        }
        if (dtype != null && x.dtype() != dtype) {
            throw new IllegalArgumentException(name + ": expected dtype " + dtype + " like the first inputs but was "
                    + x.dtype());
        }
        Finite.check(name, x);
    }

    /**
     * A Gram entry {@code g = x.x'} snapped to {@code +-sqrt(|x|^2 |x'|^2)} when its cosine is within
     * {@code tol} of +-1 ({@link io.github.tangent4j.backend.internal.DualKernel#snapTolerance} of the inputs' dtype). A GEMM and a separate row-norm reduction round differently, so a duplicated
     * input would otherwise get a cosine of 1 - ulp, which arccos turns into an angle of sqrt(ulp)
     * (1e-8 in F64, 3e-4 in F32) and the NTK into an error of that size; pairs that close cannot be told
     * from duplicates (or collinear pairs) at this precision anyway. For {@code n1 == n2} the snapped
     * value is exactly n1.
     */
    static double snap(double g, double n1, double n2, double tol) {
        double s = n1 == n2 ? n1 : Math.sqrt(n1) * Math.sqrt(n2);
        if (s > 0 && Math.abs(g) >= (1 - tol) * s) {
            return Math.copySign(s, g);
        }
        return g;
    }

    /** The squared Euclidean norms of the rows of {@code x}, computed on the backend (Hadamard square, row sums). */
    static double[] squaredNorms(Backend backend, Tensor x) {
        if (x.dim(0) == 0 || x.dim(1) == 0) {
            return new double[Math.toIntExact(x.dim(0))];
        }
        try (DeviceMatrix xd = backend.upload(x)) {
            return squaredNorms(backend, xd);
        }
    }

    /** The squared Euclidean norms of the rows of {@code xd}, already on the backend. */
    static double[] squaredNorms(Backend backend, DeviceMatrix xd) {
        int n = Math.toIntExact(xd.rows());
        if (n == 0 || xd.cols() == 0) {
            return new double[n];
        }
        try (DeviceMatrix sq = backend.allocateUninitialised(xd.dtype(), xd.rows(), xd.cols());
                DeviceMatrix sums = backend.allocateUninitialised(xd.dtype(), xd.rows(), 1)) {
            backend.hadamard(xd, xd, sq);
            backend.sum(sq, 1, sums);
            return backend.download(sums).toDoubleArray();
        }
    }

    /**
     * Computes {@code X X2^T} on the backend in row tiles of the engine's row plan into {@code sink}
     * ({@link TileEngine#runInto}), each point of x owning {@code rowsPerPoint} consecutive output rows, and
     * hands each downloaded tile with its output block to {@code consumer} (on the calling thread, tiles in
     * order). Progress counts points of x. The consumer checks its block for overflow (the engine does not
     * scan it again: {@link TileEngine.SelfCheckingRowBlockTask}).
     *
     * @param maxTileRows the most points of x per tile
     */
    static void tiles(Backend backend, Tensor x, Tensor x2, long maxTileRows, Progress progress, TileSink sink,
            long rowsPerPoint, TileConsumer consumer) {
        long n2 = x2.dim(0);
        long bytes = x.dtype().byteSize();
        boolean zero = n2 == 0 || x.dim(1) == 0;
        TileEngine engine = TileEngine.of(backend, Math.max(1, bytes * (n2 + x.dim(1))))
                .withMaxTileRows(maxTileRows).withProgress(progress);
        try (DeviceMatrix x2d = x.dim(0) == 0 || zero ? null : backend.upload(x2)) {
            engine.runInto(sink, rowsPerPoint, (TileEngine.SelfCheckingRowBlockTask) (scope, from, to, block) -> {
                if (zero) {
                    consumer.accept(from, to, Tensor.allocate(x.dtype(), to - from, n2), block);
                    return;
                }
                DeviceMatrix rows = scope.track(backend.upload(x.slice(from, to)));
                DeviceMatrix g = scope.allocateUninitialised(x.dtype(), to - from, n2);
                backend.gemm(false, true, 1, rows, x2d, 0, g);
                consumer.accept(from, to, backend.download(g), block);
            });
        }
    }
}
