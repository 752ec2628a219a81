package io.github.tangent4j.convex;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.backend.DeviceMatrix;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Tensor;

/**
 * The ReLU program's cone operators on the backend, for the interior-point method ({@link ReluInteriorPoint}),
 * beside the data operator A of a {@link MaskedOperator}. With the cone signs S = 2D - 1 (N, K), group k's
 * constraint rows are {@code G_k = diag(S_k) X~}, and every operator is a GEMM of N x K x d' or smaller, or the
 * Newton matrix's GEMMs of N x K x N:
 * <pre>
 *   slacks(Y)        = S (.) (X~ Y^T)                     (N, K): column k is G_k y_k
 *   normalsAdjoint(V) = (S (.) V)^T X~                     (K, d'): row k is G_k^T v_k
 *   gramBlocks(W)    = P^T W, P the pair products of X~'s columns (N, d'(d'+1)/2): the upper triangles of
 *                      X~^T diag(w_k) X~ for every k at once
 *   newtonMatrix(L)  = I + sum_a B_a B_a^T, B_a = M (.) (X~ L_a) (N, K), L_a the a-th columns of the factors L_k
 *                      (d', K): I + sum_k A_k L_k L_k^T A_k^T with A_k = diag(M_k) X~
 * </pre>
 * The N x K vectors and the N x N matrix cross to the host; the rest stays on the backend. Not thread-safe.
 */
final class ConeOperators implements AutoCloseable {
    private final Backend backend;
    private final MaskedOperator op;
    private final DType dtype;
    private final int n;
    private final int dims;
    private final int groups;
    private final int pairs;
    private final DeviceMatrix signs;
    private final DeviceMatrix pairProducts;
    private final DeviceMatrix work;
    private final DeviceMatrix coefficients;
    private final DeviceMatrix adjoint;
    private final DeviceMatrix blocks;
    private final DeviceMatrix factors;
    private final DeviceMatrix newton;
    private final Tensor hostWork;
    private final Tensor hostCoefficients;
    private final Tensor hostFactors;

    /**
     * @param op     the data operator; its X~ and mask are used
     * @param input  X~ (N, d'), as uploaded into op
     * @param signs  the cone signs (N, K)
     */
    ConeOperators(MaskedOperator op, Tensor input, Tensor signs) {
        this.backend = op.backend;
        this.op = op;
        this.dtype = op.dtype;
        this.n = op.n;
        this.dims = op.dims;
        this.groups = op.groups;
        this.pairs = dims * (dims + 1) / 2;
        double[] x = input.toDoubleArray();
        Tensor p = Tensor.allocate(dtype, n, pairs);
        for (int i = 0; i < n; i++) {
            int c = 0;
            for (int a = 0; a < dims; a++) {
                for (int b = a; b < dims; b++) {
                    p.setFlat((long) i * pairs + c++, x[i * dims + a] * x[i * dims + b]);
                }
            }
        }
        DeviceMatrix[] made = new DeviceMatrix[9];
        try {
            made[0] = this.signs = backend.upload(signs);
            made[1] = this.pairProducts = backend.upload(p);
            made[2] = this.work = backend.allocate(dtype, n, groups);
            made[3] = this.coefficients = backend.allocate(dtype, groups, dims);
            made[4] = this.adjoint = backend.allocate(dtype, groups, dims);
            made[5] = this.blocks = backend.allocate(dtype, pairs, groups);
            made[6] = this.factors = backend.allocate(dtype, dims, groups);
            made[7] = this.newton = backend.allocate(dtype, n, n);
        } catch (RuntimeException | Error e) {
            MaskedOperator.closeAll(made);
            throw e;
        }
        hostWork = Tensor.allocate(dtype, n, groups);
        hostCoefficients = Tensor.allocate(dtype, groups, dims);
        hostFactors = Tensor.allocate(dtype, dims, groups);
    }

    /** {@code G_k y_k} for every group (N x K row-major) from the coefficients Y (K d' row-major). */
    double[] slacks(double[] y) {
        MaskedOperator.put(hostCoefficients, y);
        backend.upload(hostCoefficients, coefficients);
        backend.gemm(false, true, 1, op.x, coefficients, 0, work);
        backend.hadamard(work, signs, work);
        backend.download(work, hostWork);
        return hostWork.toDoubleArray();
    }

    /** {@code G_k^T v_k} for every group (K d' row-major) from v (N x K row-major). */
    double[] normalsAdjoint(double[] v) {
        MaskedOperator.put(hostWork, v);
        backend.upload(hostWork, work);
        backend.hadamard(work, signs, work);
        backend.gemm(true, false, 1, work, op.x, 0, adjoint);
        backend.download(adjoint, hostCoefficients);
        return hostCoefficients.toDoubleArray();
    }

    /**
     * The upper triangles of {@code X~^T diag(w_k) X~} for every group: (d'(d'+1)/2) x K row-major, row c the
     * pair (a, b), a <= b, in row-major order of the upper triangle.
     */
    double[] gramBlocks(double[] w) {
        MaskedOperator.put(hostWork, w);
        backend.upload(hostWork, work);
        backend.gemm(true, false, 1, pairProducts, work, 0, blocks);
        return backend.download(blocks).toDoubleArray();
    }

    /**
     * {@code I + sum_k A_k L_k L_k^T A_k^T} (N x N row-major), from the factors L_k (K d' x d' row-major: group k's
     * d' x d' factor at k d'^2).
     */
    double[] newtonMatrix(double[] l) {
        for (int a = 0; a < dims; a++) {
            for (int b = 0; b < dims; b++) {
                for (int k = 0; k < groups; k++) {
                    hostFactors.setFlat((long) b * groups + k, l[k * dims * dims + b * dims + a]);
                }
            }
            backend.upload(hostFactors, factors);
            backend.gemm(false, false, 1, op.x, factors, 0, work);
            backend.hadamard(work, op.mask, work);
            backend.gemm(false, true, 1, work, work, a == 0 ? 0 : 1, newton);
        }
        double[] s = backend.download(newton).toDoubleArray();
        for (int i = 0; i < n; i++) {
            s[i * n + i] += 1;
        }
        return s;
    }

    @Override
    public void close() {
        MaskedOperator.closeAll(signs, pairProducts, work, coefficients, adjoint, blocks, factors, newton);
    }
}
