package io.github.tangent4j.convex;

import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.backend.DeviceMatrix;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.SplittableRandom;

/**
 * The linear operator of the convex programs on a backend: for K groups of d' coefficients Y (K, d') and a
 * mask M (N, K) (patterns, signed patterns or features),
 * <pre>
 *   A Y   = rowsum(M (.) X~ Y^T) = rowsum(X~ (.) (M Y))   (N): sum_k M_k (.) (X~ y_k)
 *   A^T r = M^T (r (.) X~)                                 (K, d'): row k is X~^T (M_k (.) r)
 * </pre>
 * one GEMM each (N x K x d'), the mask read once by each, plus N x d' elementwise work. The coefficients and vectors
 * live on the host (K d' and N numbers); only the N x K work runs on the backend. Not thread-safe.
 */
final class MaskedOperator implements AutoCloseable {
    final Backend backend;
    final DType dtype;
    final int n;
    final int dims;
    final int groups;
    final DeviceMatrix x;
    final DeviceMatrix mask;
    private DeviceMatrix z;   // N x K, allocated by the first reluNetwork call (the ReLU programs only)
    private final DeviceMatrix yDev;
    private final DeviceMatrix sums;
    private final DeviceMatrix xr;
    private final DeviceMatrix rDev;
    private final DeviceMatrix g;
    private final DeviceMatrix colDev;
    private final Tensor hostY;
    private final Tensor hostN;
    private final Tensor hostG;
    private final Tensor hostK;
    private double lipschitz = -1;   // not computed yet

    /**
     * Uploads X~ (N, d') and the mask (N, K), both of one float dtype.
     */
    MaskedOperator(Backend backend, Tensor lifted, Tensor mask) {
        this.backend = backend;
        this.dtype = lifted.dtype();
        this.n = Math.toIntExact(lifted.dim(0));
        this.dims = Math.toIntExact(lifted.dim(1));
        this.groups = Math.toIntExact(mask.dim(1));
        DeviceMatrix[] made = new DeviceMatrix[10];
        try {
            made[0] = this.x = backend.upload(lifted);
            made[1] = this.mask = backend.upload(mask);
            made[3] = this.yDev = backend.allocate(dtype, groups, dims);
            made[4] = this.sums = backend.allocate(dtype, n, 1);
            made[5] = this.xr = backend.allocate(dtype, n, dims);
            made[6] = this.rDev = backend.allocate(dtype, n, 1);
            made[7] = this.g = backend.allocate(dtype, groups, dims);
            made[8] = this.colDev = backend.allocate(dtype, 1, groups);
        } catch (RuntimeException | Error e) {
            closeAll(made);
            throw e;
        }
        hostY = Tensor.allocate(dtype, groups, dims);
        hostN = Tensor.allocate(dtype, n, 1);
        hostG = Tensor.allocate(dtype, groups, dims);
        hostK = Tensor.allocate(dtype, 1, groups);
    }

    /** Uploads the coefficients Y (K d', row-major) to the device. */
    void uploadCoefficients(double[] y) {
        put(hostY, y);
        backend.upload(hostY, yDev);
    }

    DeviceMatrix coefficients() {
        return yDev;
    }

    /** The two GEMMs of {@link #apply} and {@link #adjoint} alone, on their own buffers (for benchmarks). */
    void gemmsOfOneStep() {
        backend.gemm(false, false, 1, mask, yDev, 0, xr);
        backend.gemm(true, false, 1, mask, xr, 0, g);
    }

    /**
     * A Y (N), as {@code rowsum(X~ (.) (M Y))}: the same sum {@code sum_k M_nk (x~_n . y_k)} grouped the other
     * way, one GEMM of N x K x d' whose output is only N x d', so no N x K intermediate is written or read
     * again.
     */
    double[] apply(double[] y) {
        uploadCoefficients(y);
        backend.gemm(false, false, 1, mask, yDev, 0, xr);
        backend.hadamard(xr, x, xr);
        return rowSums(xr);
    }

    /** rowsum(m) downloaded (N). */
    double[] rowSums(DeviceMatrix m) {
        backend.sum(m, 1, sums);
        backend.download(sums, hostN);
        return hostN.toDoubleArray();
    }

    /** A^T r (K d', row-major), or {@code alpha A^T r + the device matrix extra^T X~ * beta} with extra. */
    double[] adjoint(double[] r) {
        return adjoint(r, null, 0);
    }

    /**
     * {@code A^T r + extraScale * extra^T X~} (K d'), where extra is an (N, K) device matrix or null: the
     * adjoint plus a second masked term (the cone penalty's gradient) in one download.
     */
    double[] adjoint(double[] r, DeviceMatrix extra, double extraScale) {
        put(hostN, r);
        backend.upload(hostN, rDev);
        backend.copy(x, xr);
        backend.scaleRows(xr, rDev);
        backend.gemm(true, false, 1, mask, xr, 0, g);
        if (extra != null) {
            backend.gemm(true, false, extraScale, extra, x, 1, g);
        }
        backend.download(g, hostG);
        return hostG.toDoubleArray();
    }

    /**
     * The output of the two-layer ReLU network whose neuron k is y_k with output sign s_k:
     * {@code rowsum(relu(X~ Y^T) diag(s))} (N).
     */
    double[] reluNetwork(double[] y, double[] signs) {
        uploadCoefficients(y);
        put(hostK, signs);
        backend.upload(hostK, colDev);
        if (z == null) {
            z = backend.allocateUninitialised(dtype, n, groups);
        }
        backend.gemm(false, true, 1, x, yDev, 0, z);
        backend.activate(Activation.RELU, z, z);
        backend.scaleColumns(z, colDev);
        return rowSums(z);
    }

    /**
     * The largest eigenvalue of A^T A by power iteration from a fixed random start (the Lipschitz constant of
     * the gradient of 1/2 ||A Y - y||^2), times a safety margin of 1.05 for the iteration's underestimate;
     * computed on the first call (only the first-order solvers need it).
     */
    double lipschitz() {
        if (lipschitz < 0) {
            lipschitz = powerIteration(1);
        }
        return lipschitz;
    }

    private double powerIteration(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        double[] v = new double[groups * dims];
        for (int i = 0; i < v.length; i++) {
            v[i] = rnd.nextGaussian();
        }
        double lambda = 0;
        for (int it = 0; it < 40; it++) {
            double nv = Math.sqrt(Vectors.dot(v, v));
            if (nv == 0) {
                return 0;
            }
            Vectors.scale(v, 1 / nv);
            double[] w = adjoint(apply(v));
            double next = Math.sqrt(Vectors.dot(w, w));
            boolean settled = Math.abs(next - lambda) <= 1e-4 * next;
            lambda = next;
            v = w;
            if (settled && it > 5) {
                break;
            }
        }
        return 1.05 * lambda;
    }

    private static final ValueLayout.OfDouble F64_LE =
            ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Writes v into the first v.length elements of t. */
    static void put(Tensor t, double[] v) {
        if (t.dtype() == DType.F64 && v.length <= t.size()) {   // one bulk copy (the N x K vectors of the IPM)
            MemorySegment.copy(v, 0, t.segment(), F64_LE, 0, v.length);
            return;
        }
        for (int i = 0; i < v.length; i++) {
            t.setFlat(i, v[i]);
        }
    }

    @Override
    public void close() {
        closeAll(x, mask, z, yDev, sums, xr, rDev, g, colDev);
    }

    /** Closes the matrices that are not null. */
    static void closeAll(DeviceMatrix... matrices) {
        for (DeviceMatrix m : matrices) {
            if (m != null) {
                m.close();
            }
        }
    }
}
