package io.github.tangent4j.convex;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.backend.DeviceMatrix;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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
 *   newtonMatrix(L)  = I + sum_a B_a B_a^T, B_a = M' (.) (X~ L_a) (N, K'), L_a the a-th columns of the factors L_c
 *                      (d', K'): I + sum_c A_c L_c L_c^T A_c^T with A_c = diag(M'_c) X~
 * </pre>
 * M' holds the K' distinct columns of the mask up to sign ({@link #column}): the ReLU program's groups v_i and
 * w_i share theirs (A_w = -A_v), so the Newton matrix sums their blocks, {@code A_v (C_v + C_w) A_v^T}, and its
 * GEMMs run over K' = P columns instead of 2P. Only its lower triangle is formed: the rows are cut into blocks
 * and only the products of block pairs i >= j are computed (5/8 of the flops with four blocks).
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
    private final int[] column;
    private final int distinct;
    private final int[] blockStart;
    // the Newton matrix's operands per precision: [0] in the operator's dtype, [last] in F32
    private final DType[] precisions;
    private final DeviceMatrix[][] xBlocks;
    private final DeviceMatrix[][] maskBlocks;
    private final DeviceMatrix[][] workBlocks;
    private final DeviceMatrix[][] newtonBlocks;   // block (i, j), j <= i, at i (i + 1) / 2 + j
    private final Tensor[][] hostNewtonBlocks;     // their host copies, allocated once
    private final DeviceMatrix[] factors;
    private final Tensor[] hostFactors;
    private final Tensor hostWork;
    private final Tensor hostCoefficients;

    /** Rows per block of the Newton matrix at least (smaller GEMMs lose efficiency). */
    private static final int MIN_BLOCK_ROWS = 256;
    /** Row blocks at most: b blocks compute (b + 1) / (2 b) of the full product. */
    private static final int MAX_BLOCKS = 4;

    /**
     * @param op     the data operator; its X~ and mask are used
     * @param input  X~ (N, d'), as uploaded into op
     * @param signs  the cone signs (N, K)
     * @param single whether {@link #newtonMatrix(double[], boolean)} will be asked for single precision: the
     *               Newton matrix's operands are then also made in F32 (for an F64 operator), else only in the
     *               operator's dtype (and single-precision requests run in it)
     */
    ConeOperators(MaskedOperator op, Tensor input, Tensor signs, boolean single) {
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
        double[] mask = backend.download(op.mask).toDoubleArray();
        this.column = new int[groups];
        List<Integer> representatives = new ArrayList<>();
        Map<ColumnKey, Integer> seen = new HashMap<>();
        for (int k = 0; k < groups; k++) {
            double[] abs = new double[n];
            for (int i = 0; i < n; i++) {
                abs[i] = Math.abs(mask[i * groups + k]);
            }
            Integer c = seen.putIfAbsent(new ColumnKey(abs), representatives.size());
            if (c == null) {
                c = representatives.size();
                representatives.add(k);
            }
            column[k] = c;
        }
        this.distinct = representatives.size();
        int count = Math.max(1, Math.min(MAX_BLOCKS, n / MIN_BLOCK_ROWS));
        this.blockStart = new int[count + 1];
        for (int b = 0; b <= count; b++) {
            blockStart[b] = (int) ((long) n * b / count);
        }
        this.precisions = dtype == DType.F32 || !single ? new DType[] {dtype} : new DType[] {dtype, DType.F32};
        int kinds = precisions.length;
        this.xBlocks = new DeviceMatrix[kinds][count];
        this.maskBlocks = new DeviceMatrix[kinds][count];
        this.workBlocks = new DeviceMatrix[kinds][count];
        this.newtonBlocks = new DeviceMatrix[kinds][count * (count + 1) / 2];
        this.hostNewtonBlocks = new Tensor[kinds][count * (count + 1) / 2];
        this.factors = new DeviceMatrix[kinds];
        this.hostFactors = new Tensor[kinds];
        List<DeviceMatrix> made = new ArrayList<>();
        try {
            made.add(this.signs = backend.upload(signs));
            made.add(this.pairProducts = backend.upload(p));
            made.add(this.work = backend.allocate(dtype, n, groups));
            made.add(this.coefficients = backend.allocate(dtype, groups, dims));
            made.add(this.adjoint = backend.allocate(dtype, groups, dims));
            made.add(this.blocks = backend.allocate(dtype, pairs, groups));
            for (int q = 0; q < kinds; q++) {
                DType type = precisions[q];
                made.add(factors[q] = backend.allocate(type, dims, distinct));
                hostFactors[q] = Tensor.allocate(type, dims, distinct);
                for (int b = 0; b < count; b++) {
                    int from = blockStart[b];
                    int rows = blockStart[b + 1] - from;
                    Tensor xb = Tensor.allocate(type, rows, dims);
                    Tensor mb = Tensor.allocate(type, rows, distinct);
                    for (int i = 0; i < rows; i++) {
                        for (int a = 0; a < dims; a++) {
                            xb.setFlat((long) i * dims + a, x[(from + i) * dims + a]);
                        }
                        for (int c = 0; c < distinct; c++) {
                            mb.setFlat((long) i * distinct + c, mask[(from + i) * groups + representatives.get(c)]);
                        }
                    }
                    made.add(xBlocks[q][b] = backend.upload(xb));
                    made.add(maskBlocks[q][b] = backend.upload(mb));
                    made.add(workBlocks[q][b] = backend.allocate(type, rows, distinct));
                    for (int j = 0; j <= b; j++) {
                        made.add(newtonBlocks[q][b * (b + 1) / 2 + j] = backend.allocate(type, rows,
                                blockStart[j + 1] - blockStart[j]));
                        hostNewtonBlocks[q][b * (b + 1) / 2 + j] = Tensor.allocate(type, rows,
                                blockStart[j + 1] - blockStart[j]);
                    }
                }
            }
        } catch (RuntimeException | Error e) {
            MaskedOperator.closeAll(made.toArray(DeviceMatrix[]::new));
            throw e;
        }
        hostWork = Tensor.allocate(dtype, n, groups);
        hostCoefficients = Tensor.allocate(dtype, groups, dims);
    }

    /** A mask column's absolute values, compared by value. */
    private record ColumnKey(double[] values) {
        @Override
        public boolean equals(Object o) {
            return o instanceof ColumnKey other && Arrays.equals(values, other.values);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(values);
        }
    }

    /** The number K' of distinct mask columns up to sign. */
    int distinctColumns() {
        return distinct;
    }

    /** The distinct column (0..K'-1) group k's mask column equals up to sign. */
    int column(int k) {
        return column[k];
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
     * The lower triangle of {@code I + sum_c A_c L_c L_c^T A_c^T} (N x N row-major; the upper triangle outside
     * the diagonal blocks is 0), from the factors L_c of the distinct columns (K' d' x d' row-major: column c's
     * d' x d' factor at c d'^2).
     */
    double[] newtonMatrix(double[] l) {
        return newtonMatrix(l, false);
    }

    /**
     * As {@link #newtonMatrix(double[])}, with {@code single}: its GEMMs in single precision (twice the rate of
     * double on the CPU; the entries then carry a relative rounding error of about 1e-7 times the sum of the
     * magnitudes of their terms), where the constructor was told so; else in the operator's dtype.
     */
    double[] newtonMatrix(double[] l, boolean single) {
        int q = single ? precisions.length - 1 : 0;
        int count = xBlocks[q].length;
        for (int a = 0; a < dims; a++) {
            for (int b = 0; b < dims; b++) {
                for (int c = 0; c < distinct; c++) {
                    hostFactors[q].setFlat((long) b * distinct + c, l[c * dims * dims + b * dims + a]);
                }
            }
            backend.upload(hostFactors[q], factors[q]);
            for (int b = 0; b < count; b++) {
                backend.gemm(false, false, 1, xBlocks[q][b], factors[q], 0, workBlocks[q][b]);
                backend.hadamard(workBlocks[q][b], maskBlocks[q][b], workBlocks[q][b]);
            }
            for (int i = 0; i < count; i++) {
                for (int j = 0; j <= i; j++) {
                    backend.gemm(false, true, 1, workBlocks[q][i], workBlocks[q][j], a == 0 ? 0 : 1,
                            newtonBlocks[q][i * (i + 1) / 2 + j]);
                }
            }
        }
        double[] s = new double[n * n];
        for (int i = 0; i < count; i++) {
            for (int j = 0; j <= i; j++) {
                Tensor host = hostNewtonBlocks[q][i * (i + 1) / 2 + j];
                backend.download(newtonBlocks[q][i * (i + 1) / 2 + j], host);
                int cols = blockStart[j + 1] - blockStart[j];
                if (host.dtype() == DType.F32) {   // one bulk copy, widened row by row (getFlat per entry was slow)
                    float[] block = host.toFloatArray();
                    for (int r = blockStart[i]; r < blockStart[i + 1]; r++) {
                        int from = (r - blockStart[i]) * cols;
                        int to = r * n + blockStart[j];
                        for (int c = 0; c < cols; c++) {
                            s[to + c] = block[from + c];
                        }
                    }
                } else {
                    double[] block = host.toDoubleArray();
                    for (int r = blockStart[i]; r < blockStart[i + 1]; r++) {
                        System.arraycopy(block, (r - blockStart[i]) * cols, s, r * n + blockStart[j], cols);
                    }
                }
            }
        }
        for (int i = 0; i < n; i++) {
            s[i * n + i] += 1;
        }
        return s;
    }

    @Override
    public void close() {
        MaskedOperator.closeAll(signs, pairProducts, work, coefficients, adjoint, blocks);
        MaskedOperator.closeAll(factors);
        for (int q = 0; q < precisions.length; q++) {
            MaskedOperator.closeAll(xBlocks[q]);
            MaskedOperator.closeAll(maskBlocks[q]);
            MaskedOperator.closeAll(workBlocks[q]);
            MaskedOperator.closeAll(newtonBlocks[q]);
        }
    }
}
