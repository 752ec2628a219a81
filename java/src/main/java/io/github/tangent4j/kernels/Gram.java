package io.github.tangent4j.kernels;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.backend.DeviceMatrix;
import io.github.tangent4j.backend.RowTiler;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Shapes;
import io.github.tangent4j.tensor.Tensor;

/**
 * The device part of the analytic kernels: input checks, the Gram matrix {@code X X2^T} by GEMM on the
 * backend in row tiles sized to its memory, and the squared row norms; everything after it is an
 * elementwise host recursion.
 */
final class Gram {
    /** Receives one downloaded tile: rows {@code [from, to)} of {@code X X2^T}, a host (to - from, N2) tensor. */
    @FunctionalInterface
    interface TileConsumer {
        void accept(long from, long to, Tensor gram);
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
        for (long i = 0; i < x.size(); i++) {
            double v = x.getFlat(i);
            if (!Double.isFinite(v)) {
                throw new IllegalArgumentException(name + ": expected finite values but element " + i + " is " + v);
            }
        }
    }

    /** The squared Euclidean norms of the rows of {@code x}, computed on the backend (Hadamard square, row sums). */
    static double[] squaredNorms(Backend backend, Tensor x) {
        int n = Math.toIntExact(x.dim(0));
        if (n == 0 || x.dim(1) == 0) {
            return new double[n];
        }
        try (DeviceMatrix xd = backend.upload(x);
                DeviceMatrix sq = backend.allocate(x.dtype(), x.dim(0), x.dim(1));
                DeviceMatrix sums = backend.allocate(x.dtype(), x.dim(0), 1)) {
            backend.hadamard(xd, xd, sq);
            backend.sum(sq, 1, sums);
            return backend.download(sums).toDoubleArray();
        }
    }

    /**
     * Computes {@code X X2^T} on the backend in row tiles and hands each downloaded tile to {@code consumer}
     * (on the calling thread, tiles in order).
     */
    static void tiles(Backend backend, Tensor x, Tensor x2, TileConsumer consumer) {
        long n = x.dim(0);
        long n2 = x2.dim(0);
        if (n == 0) {
            return;
        }
        if (n2 == 0 || x.dim(1) == 0) {
            Tensor zeros = Tensor.allocate(x.dtype(), n, n2);
            consumer.accept(0, n, zeros);
            return;
        }
        long bytes = x.dtype().byteSize();
        try (DeviceMatrix x2d = backend.upload(x2)) {
            RowTiler.of(backend, bytes * (n2 + x.dim(1))).run(n, (scope, from, to) -> {
                DeviceMatrix rows = scope.track(backend.upload(x.slice(from, to)));
                DeviceMatrix g = scope.allocate(x.dtype(), to - from, n2);
                backend.gemm(false, true, 1, rows, x2d, 0, g);
                consumer.accept(from, to, backend.download(g));
            });
        }
    }
}
