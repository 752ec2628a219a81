package io.github.tangent4j.symmetry;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.backend.DeviceMatrix;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Tensor;
import java.util.Arrays;
import java.util.List;

/**
 * Positively collinear hidden units, {@code (w_k, b_k) = c (w_j, b_j)} with c &gt; 0, which compute
 * {@code phi(z_k) = c phi(z_j)} for a positively homogeneous phi and merge as {@code v_j += c v_k}. The
 * candidates are the pairs whose normalised rows have a cosine above {@link #CANDIDATE_COSINE} in absolute
 * value, from one Gram GEMM of the normalised rows on the backend; each is then checked entry by entry.
 */
final class CollinearUnits {
    /** Cosine above which a pair of rows is checked entry by entry. */
    static final double CANDIDATE_COSINE = 1 - 1e-6;

    private CollinearUnits() {
    }

    /**
     * Merges hidden layer h's positively collinear units (and antiparallel ones too when
     * {@code mergeAntiparallel}, for abs) into the first of them; records the antiparallel pairs left.
     * Returns the number of units merged away.
     *
     * @param tolerance rows k and j are proportional when {@code |r_k - c r_j| <= tolerance ||r_k||}
     */
    static int merge(Backend backend, HostNetwork net, int h, boolean mergeAntiparallel, double tolerance,
            List<Compression.Pair> antiparallel) {
        int n = net.width(h);
        if (n < 2) {
            return 0;
        }
        int in = net.in(h);
        int cols = in + (net.b[h] == null ? 0 : 1);
        double[] rows = new double[n * cols];
        double[] norms = new double[n];
        for (int j = 0; j < n; j++) {
            for (int k = 0; k < in; k++) {
                rows[j * cols + k] = net.w[h][j * in + k];
            }
            if (net.b[h] != null) {
                rows[j * cols + in] = net.b[h][j];
            }
            norms[j] = Math.sqrt(net.inNorm2(h, j));
        }
        double[] gram = gram(backend, rows, norms, n, cols);
        boolean[] keep = new boolean[n];
        Arrays.fill(keep, true);
        int merged = 0;
        for (int j = 0; j < n; j++) {
            if (!keep[j]) {
                continue;
            }
            for (int k = j + 1; k < n; k++) {
                double cos = gram[j * n + k];
                if (!keep[k] || Math.abs(cos) < CANDIDATE_COSINE) {
                    continue;
                }
                double c = Math.copySign(norms[k] / norms[j], cos);   // row k = c row j
                if (!proportional(rows, cols, k, j, c, tolerance * norms[k])) {
                    continue;
                }
                if (c > 0 || mergeAntiparallel) {
                    // phi(z_k) = phi(c z_j) = |c| phi(z_j)
                    double a = Math.abs(c);
                    int width = net.in(h + 1);
                    for (int o = 0; o < net.out(h + 1); o++) {
                        net.w[h + 1][o * width + j] += a * net.w[h + 1][o * width + k];
                    }
                    keep[k] = false;
                    merged++;
                } else {
                    antiparallel.add(new Compression.Pair(new Unit(h, j), new Unit(h, k)));
                }
            }
        }
        if (merged > 0) {
            net.keep(h, keep);   // the pairs recorded above may shift: Compression runs another pass
        }
        return merged;
    }

    /** Whether row k equals c row j entry by entry within {@code bound}. */
    private static boolean proportional(double[] rows, int cols, int k, int j, double c, double bound) {
        for (int i = 0; i < cols; i++) {
            if (Math.abs(rows[k * cols + i] - c * rows[j * cols + i]) > bound) {
                return false;
            }
        }
        return true;
    }

    /** The cosines between the rows, (n, n), by one GEMM of the normalised rows on the backend. */
    private static double[] gram(Backend backend, double[] rows, double[] norms, int n, int cols) {
        Tensor r = Tensor.allocate(DType.F64, n, cols);
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < cols; i++) {
                r.setFlat((long) j * cols + i, rows[j * cols + i] / norms[j]);
            }
        }
        try (DeviceMatrix rd = backend.upload(r);
             DeviceMatrix g = backend.allocateUninitialised(DType.F64, n, n)) {
            backend.gemm(false, true, 1, rd, rd, 0, g);
            return backend.download(g).toDoubleArray();
        }
    }
}
