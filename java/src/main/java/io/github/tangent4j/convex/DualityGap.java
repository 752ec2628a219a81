package io.github.tangent4j.convex;

/**
 * The dual lower bound of {@code min 1/2 ||A Y - y||^2 + sum_k beta_k ||y_k||} (optionally with cone
 * constraints {@code G_k y_k >= 0}): with the residual r = A Y - y and multipliers lambda_k >= 0, the point
 * {@code theta = s r}, {@code lambda' = s lambda} with the largest s <= 1 that makes
 * {@code ||A_k^T theta - G_k^T lambda'_k|| <= beta_k} for every k is dual feasible, and its value
 * {@code -1/2 ||theta||^2 - theta.y} bounds the primal optimum from below (weak duality; Pilanci and
 * Ergen 2020, eq. (8) for the ReLU program). At the optimum s = 1 and the gap is 0.
 */
final class DualityGap {
    private DualityGap() {
    }

    /**
     * The dual value.
     *
     * @param r         the residual A Y - y (N)
     * @param y         the targets (N)
     * @param h         the group vectors {@code A_k^T r - G_k^T lambda_k} (K d'): the gradient of the
     *                  smooth part (of the augmented Lagrangian, whose multiplier update gives lambda)
     * @param penalties beta_k (K)
     */
    static double dual(double[] r, double[] y, double[] h, double[] penalties, int dims) {
        return dual(r, y, h, penalties, dims, Double.POSITIVE_INFINITY);
    }

    /**
     * The dual value at the best feasible scaling: {@code theta = s r} with s the smaller of the largest
     * feasible scale (at most {@code scaleLimit}, the limit other constraints set) and the maximiser
     * {@code -r.y / ||r||^2} of the concave value {@code -s^2/2 ||r||^2 - s r.y}, and s >= 0.
     */
    static double dual(double[] r, double[] y, double[] h, double[] penalties, int dims, double scaleLimit) {
        double s = scaleLimit;
        for (int k = 0; k < penalties.length; k++) {
            double norm = Vectors.groupNorm(h, k, dims);
            if (norm > 0) {
                s = Math.min(s, penalties[k] / norm);
            }
        }
        double rr = Vectors.dot(r, r);
        double ry = Vectors.dot(r, y);
        if (rr > 0) {
            s = Math.min(s, -ry / rr);
        }
        s = Math.max(0, s);
        return Double.isInfinite(s) ? 0 : -0.5 * s * s * rr - s * ry;
    }

    /** {@code 1/2 ||r||^2 + sum_k beta_k ||y_k||}. */
    static double primal(double[] r, double[] coefficients, double[] penalties, int dims) {
        double p = 0.5 * Vectors.dot(r, r);
        for (int k = 0; k < penalties.length; k++) {
            double norm = Vectors.groupNorm(coefficients, k, dims);
            p += norm == 0 ? 0 : penalties[k] * norm;   // an infinite penalty holds its group at 0
        }
        return p;
    }
}
