package io.github.tangent4j.convex;

import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.backend.DeviceMatrix;
import io.github.tangent4j.tensor.Tensor;

/**
 * The smooth part of the augmented Lagrangian of the ReLU program's cone constraints
 * {@code C = S (.) X~ Y^T >= 0} (S the (N, K) signs {@code 2 D - 1}, one column per group):
 * <pre>
 *   1/2 ||A Y - y||^2 + delta/2 ||(Lambda/delta - C)_+||^2
 * </pre>
 * with multipliers Lambda >= 0 (N, K) updated as {@code Lambda <- delta (Lambda/delta - C)_+} (Hestenes-Powell;
 * as in the AL solver of Mishkin, Sahiner and Pilanci 2022). Stored is B = S (.) Lambda/delta, so that
 * {@code Lambda/delta - C = S (.) (B - X~ Y^T)}: each gradient is the fit's GEMM ({@link MaskedOperator#apply}),
 * one GEMM forming B - X~ Y^T, Hadamard products and a ReLU over N x K, and the adjoint's two GEMMs.
 */
final class ConePenalty implements AutoCloseable {
    private final MaskedOperator op;
    private final Backend backend;
    private final DeviceMatrix signs;
    private final DeviceMatrix b;
    private final DeviceMatrix q;
    private final double[] target;
    private final double delta;
    private double[] residual;

    /** Zero multipliers; signs is (N, K) of the operator's dtype. */
    ConePenalty(MaskedOperator op, Tensor signs, double[] target, double delta) {
        this.op = op;
        this.backend = op.backend;
        this.target = target;
        this.delta = delta;
        DeviceMatrix s = backend.upload(signs);
        DeviceMatrix bm = null;
        try {
            bm = backend.allocate(op.dtype, op.n, op.groups);
            this.q = backend.allocate(op.dtype, op.n, op.groups);
        } catch (RuntimeException | Error e) {
            s.close();
            if (bm != null) {
                bm.close();
            }
            throw e;
        }
        this.signs = s;
        this.b = bm;
    }

    double delta() {
        return delta;
    }

    /** The gradient at y; afterwards {@link #residual()} is A Y - y there and the buffer q holds S (.) Q. */
    double[] gradient(double[] y) {
        double[] fit = op.apply(y);   // uploads y
        residual = new double[op.n];
        for (int i = 0; i < op.n; i++) {
            residual[i] = fit[i] - target[i];
        }
        backend.copy(b, q);
        backend.gemm(false, true, -1, op.x, op.coefficients(), 1, q);
        backend.hadamard(q, signs, q);
        backend.activate(Activation.RELU, q, q);
        backend.hadamard(q, signs, q);
        return op.adjoint(residual, q, -delta);
    }

    /** The residual of the last {@link #gradient} call. */
    double[] residual() {
        return residual;
    }

    /** Lambda = delta Q from the last {@link #gradient} call. */
    void updateMultipliers() {
        backend.copy(q, b);
    }

    @Override
    public void close() {
        signs.close();
        b.close();
        q.close();
    }
}
