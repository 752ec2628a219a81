package io.github.tangent4j.kernels;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.backend.DeviceMatrix;
import io.github.tangent4j.nn.Layer;
import io.github.tangent4j.nn.Mlp;
import io.github.tangent4j.tensor.Tensor;

/**
 * The Gram of the last hidden layer's flattened backprop signals when every output is differentiated, from
 * that layer's activation slopes alone. There the signal is {@code Delta[(i, a), k] = a_L W_L[a, k] s_i[k]}
 * ({@code s_i = phi'(z_{L-1}(x_i))}, {@code a_L} the output layer's weight scale), so
 * {@code S[i, j] = sum_{a, k} Delta[(i, a), k] Delta[(j, a), k] = sum_k w_k s_i[k] s_j[k]} with
 * {@code w_k = a_L^2 sum_a W_L[a, k]^2}: one (m x n) (n x c) GEMM in place of the (m x O n) (O n x c) one
 * of the flattened signals, O times fewer multiply-adds (the structured derivatives of Novak, Sohl-Dickstein
 * and Schoenholz, "Fast Finite Width Neural Tangent Kernel", ICML 2022, with the output layer's sum over
 * outputs done on the weights once).
 */
final class SlopeGram {
    private final Tensor columnWeights;

    private SlopeGram(Tensor columnWeights) {
        this.columnWeights = columnWeights;
    }

    /** The column weights {@code w} (1 x n_{L-1}) of {@code mlp}'s output layer; the network has a hidden layer. */
    static SlopeGram of(Mlp mlp) {
        if (mlp.depth() < 1) {
            throw new IllegalArgumentException("mlp: expected a hidden layer but the network has none");
        }
        Layer out = mlp.layers().get(mlp.depth());
        double a2 = StructuredNtk.weightGramScale(mlp, mlp.depth());
        Tensor weight = out.weight();
        Tensor w = Tensor.allocate(mlp.dtype(), 1, out.in());
        for (long k = 0; k < out.in(); k++) {
            double sum = 0;
            for (long o = 0; o < out.out(); o++) {
                double v = weight.get(o, k);
                sum += v * v;
            }
            w.setFlat(k, a2 * sum);
        }
        return new SlopeGram(w);
    }

    /**
     * {@code s = (slopesA diag(w)) slopesB^T}, the signal Gram of the (m x n_{L-1}) slopes {@code slopesA}
     * against the (c x n_{L-1}) slopes {@code slopesB}, into the (m x c) matrix {@code s}, overwritten.
     */
    void into(Backend backend, DeviceMatrix slopesA, DeviceMatrix slopesB, DeviceMatrix s) {
        try (DeviceMatrix scaled = backend.allocateUninitialised(slopesA.dtype(), slopesA.rows(), slopesA.cols());
             DeviceMatrix w = backend.upload(columnWeights)) {
            backend.copy(slopesA, scaled);
            backend.scaleColumns(scaled, w);
            backend.gemm(false, true, 1, scaled, slopesB, 0, s);
        }
    }
}
