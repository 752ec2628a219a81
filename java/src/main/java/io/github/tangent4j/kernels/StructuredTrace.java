package io.github.tangent4j.kernels;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.backend.DeviceMatrix;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Tensor;
import java.lang.foreign.MemorySegment;

/**
 * Tiles of the trace of the empirical NTK summed over layers, {@code Theta = sum_l S_l (.) K_l}
 * ({@link StructuredNtk}: S_l the Gram of the flattened backprop signals, K_l the scaled Gram of the layer
 * inputs; the structured derivatives of Novak, Sohl-Dickstein and Schoenholz, "Fast Finite Width Neural
 * Tangent Kernel", ICML 2022), accumulated on the backend and downloaded once per tile or block row. The
 * output layer's signal is the identity per example, whose flattened Gram is the constant O, so its term is
 * one GEMM written straight into the accumulator (first, in every tile alike, so that tiles of any size give
 * the same bits).
 *
 * <p>With every output differentiated, the last hidden layer's signal Gram comes from that layer's slopes
 * ({@link SlopeGram}, O times fewer multiply-adds than the flattened signals' Gram).
 *
 * <p>A block of examples with itself ({@link #lowerTriangle}) is computed on and below the diagonal only:
 * block row {@code [r0, r1)} against columns {@code [0, r1)}, so that with B blocks the Grams cost
 * (B + 1) / (2 B) of the full square; the strict upper triangle is left for the caller to mirror (the
 * {@code TileEngine}'s symmetric grid does).
 */
final class StructuredTrace {
    /** Blocks per triangle at most: 56% of the square's work; narrower blocks lose GEMM efficiency. */
    static final long MAX_BLOCKS = 8;
    /**
     * Rows per block at least, so the block GEMMs keep a useful height: with 64-row blocks the pure-Java GEMM
     * (0.65 of OpenBLAS on short products) made the N = 256 trace 11% slower than the full square.
     */
    static final long MIN_BLOCK_ROWS = 256;

    private final Mlp mlp;
    private final Backend backend;
    /** The last hidden layer's signal Gram from its slopes; null without a hidden layer. */
    private final SlopeGram slopeGram;

    StructuredTrace(Mlp mlp, Backend backend) {
        this.mlp = mlp;
        this.backend = backend;
        this.slopeGram = mlp.depth() >= 1 ? SlopeGram.of(mlp) : null;
    }

    /** Rows per block row for a triangle of n examples (a multiple of 16, for the GEMM's micro-tiles, or n). */
    static long blockRows(long n) {
        long blocks = Math.max(1, Math.min(MAX_BLOCKS, n / MIN_BLOCK_ROWS));
        return Math.min(n, ((n + blocks - 1) / blocks + 15) / 16 * 16);
    }

    /**
     * The (n, n) host tensor of the trace kernel of {@code a} with itself (n = a.rows()): on and below the
     * diagonal the kernel; above it unspecified.
     */
    Tensor lowerTriangle(NtkFeatures a) {
        long n = a.rows();
        DType dt = mlp.dtype();
        long es = dt.byteSize();
        Tensor out = Tensor.allocateUninitialised(dt, n, n);
        long step = blockRows(n);
        for (long r0 = 0; r0 < n; r0 += step) {
            long r1 = Math.min(n, r0 + step);
            Tensor host;
            try (DeviceMatrix acc = block(a, r0, r1, a, r1)) {
                host = backend.download(acc);
            }
            MemorySegment src = host.segment();
            MemorySegment dst = out.segment();
            for (long i = 0; i < r1 - r0; i++) {
                MemorySegment.copy(src, i * r1 * es, dst, (r0 + i) * n * es, (r0 + i + 1) * es);
            }
        }
        return out;
    }

    /** The (|I|, |J|) host tile between blocks a and b. */
    Tensor tile(NtkFeatures a, NtkFeatures b) {
        try (DeviceMatrix t = block(a, 0, a.rows(), b, b.rows())) {
            return backend.download(t);
        }
    }

    /** Rows [r0, r1) of a against rows [0, c1) of b, summed over layers. */
    private DeviceMatrix block(NtkFeatures a, long r0, long r1, NtkFeatures b, long c1) {
        long m = r1 - r0;
        int layers = mlp.layers().size();
        int last = layers - 1;
        boolean identity = a.outputSignalIsIdentity() && b.outputSignalIsIdentity();
        DeviceMatrix acc = backend.allocateUninitialised(mlp.dtype(), m, c1);
        try {
            boolean empty = true;
            if (identity) {
                gram(a, r0, r1, b, c1, last, mlp.outputDim(), acc);
                empty = false;
            }
            for (int l = 0; l < layers; l++) {
                if (identity && l == last) {
                    continue;
                }
                try (DeviceMatrix k = backend.allocateUninitialised(mlp.dtype(), m, c1);
                     DeviceMatrix s = backend.allocateUninitialised(mlp.dtype(), m, c1)) {
                    gram(a, r0, r1, b, c1, l, 1, k);
                    signalGram(a, r0, r1, b, c1, l, identity && l == last - 1, s);
                    if (empty) {
                        backend.hadamard(s, k, acc);
                        empty = false;
                    } else {
                        backend.hadamard(s, k, s);
                        backend.addRowVector(acc.reshape(1, acc.size()), s.reshape(1, s.size()));
                    }
                }
            }
            return acc;
        } catch (RuntimeException e) {
            acc.close();
            throw e;
        }
    }

    /**
     * {@code s = S_l}, the Gram of the flattened signals of rows [r0, r1) of a against rows [0, c1) of b;
     * {@code fromSlopes}: l is the last hidden layer and every output is differentiated ({@link SlopeGram}).
     */
    private void signalGram(NtkFeatures a, long r0, long r1, NtkFeatures b, long c1, int l, boolean fromSlopes,
            DeviceMatrix s) {
        if (fromSlopes) {
            slopeGram.into(backend, a.slope(l).rows(r0, r1), b.slope(l).rows(0, c1), s);
            return;
        }
        long flat = mlp.outputDim() * mlp.layers().get(l).out();
        backend.gemm(false, true, 1, a.signal(l).reshape(a.rows(), flat).rows(r0, r1),
                b.signal(l).reshape(b.rows(), flat).rows(0, c1), 0, s);
    }

    /** {@code k = scale * K_l} for rows [r0, r1) of a against rows [0, c1) of b, overwriting k. */
    private void gram(NtkFeatures a, long r0, long r1, NtkFeatures b, long c1, int l, double scale, DeviceMatrix k) {
        double cb = StructuredNtk.biasGramTerm(mlp, l);
        if (cb != 0) {
            backend.fill(k, scale * cb);
        }
        backend.gemm(false, true, scale * StructuredNtk.weightGramScale(mlp, l), a.input(l).rows(r0, r1),
                b.input(l).rows(0, c1),
                cb != 0 ? 1 : 0, k);
    }
}
