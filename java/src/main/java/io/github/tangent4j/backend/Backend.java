package io.github.tangent4j.backend;

import io.github.tangent4j.backend.internal.DualKernel;
import io.github.tangent4j.backend.internal.StreamedRows;
import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Tensor;

/**
 * The compute primitives every tangent4j computation is written against: device matrices,
 * transfers, GEMM, and a short list of elementwise operations. Implementations: the pure-Java
 * backend and the CUDA backend; {@link Backends#auto()} picks one.
 *
 * <p>All matrices are dense row-major {@link DeviceMatrix} objects of this backend, of type
 * {@link DType#F32} or {@link DType#F64}; the operands of one call share one dtype. Every method
 * validates its arguments and throws {@link IllegalArgumentException} naming the argument, the
 * expected and the actual shape or type. Native failures surface as {@link BackendException}.
 *
 * <p><b>Threads.</b> A backend instance (its stream, library handles and workspaces) is used by one
 * thread at a time; a call from a second thread while one is in progress throws
 * {@link IllegalStateException}. Parallelism lives inside the backend.
 *
 * <p><b>Lifetime.</b> Closing the backend frees every matrix still open.
 */
public interface Backend extends AutoCloseable {
    /** Short name: {@code java} or {@code cuda}. */
    String name();

    /** A line describing the device and libraries, for logs and {@code tangent4j info}. */
    String description();

    /** A zero-filled {@code rows x cols} matrix. */
    DeviceMatrix allocate(DType dtype, long rows, long cols);

    /**
     * A {@code rows x cols} matrix whose contents are unspecified: for results that overwrite every
     * element before it is read (a GEMM with {@code beta = 0}, an activation, a copy), saving the
     * zero-fill pass over memory that {@link #allocate} makes.
     */
    DeviceMatrix allocateUninitialised(DType dtype, long rows, long cols);

    /**
     * Copies a host tensor to a new matrix: a rank-2 tensor keeps its shape, rank 1 becomes one row,
     * higher ranks become (dim 0) x (product of the rest).
     */
    DeviceMatrix upload(Tensor host);

    /** Copies a host tensor with the same dtype and element count into {@code dst}. */
    void upload(Tensor host, DeviceMatrix dst);

    /** Copies a matrix to a new host tensor of shape (rows, cols). */
    Tensor download(DeviceMatrix src);

    /** Copies a matrix into a host tensor with the same dtype and element count. */
    void download(DeviceMatrix src, Tensor dst);

    /** {@code dst = src}; same dtype and element count. */
    void copy(DeviceMatrix src, DeviceMatrix dst);

    /** Sets every element to {@code value}. */
    void fill(DeviceMatrix m, double value);

    /**
     * {@code C = alpha * op(A) op(B) + beta * C} with {@code op(X) = X} or {@code X^T}; op(A) is m x k,
     * op(B) is k x n, C is m x n. As in BLAS, when {@code beta == 0} C is not read and when
     * {@code alpha == 0} neither A nor B is read (NaN there does not propagate).
     * C must not overlap A or B.
     */
    void gemm(boolean transA, boolean transB, double alpha, DeviceMatrix a, DeviceMatrix b, double beta,
            DeviceMatrix c);

    /**
     * {@code batch} independent GEMMs: each of A, B and C is split along its rows into {@code batch}
     * equal blocks, and block i of C gets {@code alpha * op(A_i) op(B_i) + beta * C_i}.
     */
    void gemmBatched(int batch, boolean transA, boolean transB, double alpha, DeviceMatrix a, DeviceMatrix b,
            double beta, DeviceMatrix c);

    /**
     * {@code c = alpha * op(A) op(B)} into a host tensor: {@link #gemm} with {@code beta = 0} into an m x n
     * matrix followed by {@link #download} into {@code c} (A's dtype, m*n elements, row-major), which a backend
     * whose matrices are host memory fuses: the Java backend writes the product straight into c (no
     * intermediate matrix, no copy). c must not overlap A or B.
     */
    void gemmToHost(boolean transA, boolean transB, double alpha, DeviceMatrix a, DeviceMatrix b, Tensor c);

    /**
     * {@code c = alpha * (a (.) s) b}: the {@link #hadamard} product of a with s (s's rows repeated
     * {@code r = c.rows() / s.rows()} times: a per-example factor of an (N*r, k) stack of per-output rows, such
     * as the ReLU slopes of a layer) times b, as {@code hadamard(a, s, a)} and {@code gemm(false, false, alpha, a,
     * b, 0, c)} would give. a is consumed: afterwards it holds a (.) s or is unchanged, as the backend chooses (no
     * scratch matrix is needed either way); s and b are not changed. s is (N x k), b (k x n), c (N*r x n), and a
     * (N*r x k), or (r x k): one block of rows shared by every example, as if stacked N times (then not changed);
     * c overlaps none of them. Where an entry of s is 0 its terms may be skipped rather than
     * multiplied, as BLAS skips A and B when alpha is 0: NaN or infinity in a there need not reach c. The
     * Java backend does skip them, running each example over the nonzero entries of its row of s only where
     * that saves work (half of a ReLU layer's units are inactive at a typical input), and so does half the
     * multiply-adds of the dense product behind a ReLU layer.
     */
    void hadamardGemm(double alpha, DeviceMatrix a, DeviceMatrix s, DeviceMatrix b, DeviceMatrix c);

    /**
     * {@link #hadamardGemm} into a host tensor c (a's dtype, N*r*n elements, row-major, its size telling N*r), as
     * {@link #gemmToHost} is to {@link #gemm}: the Java backend writes the product straight into c.
     */
    void hadamardGemmToHost(double alpha, DeviceMatrix a, DeviceMatrix s, DeviceMatrix b, Tensor c);

    /**
     * One dense layer: {@code out = phi(alpha * x w^T + bias)}, with x (N x in), w (out x in, as a
     * layer's weight is stored), bias {@code null} or holding {@code out} elements (added to every row),
     * out (N x out), not overlapping x, w or bias. The result equals {@code gemm(false, true, alpha, x,
     * w, 0, out)}, {@link #addRowVector} and {@link #activate} in that order; a backend may fuse them
     * (the CUDA backend uses cuBLASLt's epilogues where it has them). As with {@link #gemm},
     * {@code alpha == 0} reads neither x nor w.
     */
    void linear(double alpha, DeviceMatrix x, DeviceMatrix w, DeviceMatrix bias, Activation phi, DeviceMatrix out);

    /**
     * {@link #linear}, also returning the signs of the pre-activations {@code z = alpha x w^T + bias}
     * packed as {@link #signBits}{@code (z)} would (an activation pattern per row), computed before phi
     * is applied. The CUDA backend takes them from cuBLASLt's ReLU bit-mask epilogue where it can.
     */
    Tensor linearWithSigns(double alpha, DeviceMatrix x, DeviceMatrix w, DeviceMatrix bias, Activation phi,
            DeviceMatrix out);

    /** {@code h = phi(z)} elementwise; {@code h} may be {@code z}. */
    void activate(Activation phi, DeviceMatrix z, DeviceMatrix h);

    /** {@code d = phi'(z)} elementwise; {@code d} may be {@code z}. */
    void derivative(Activation phi, DeviceMatrix z, DeviceMatrix d);

    /** {@code m[i, j] += v[j]}; v holds {@code m.cols()} elements (any shape). */
    void addRowVector(DeviceMatrix m, DeviceMatrix v);

    /** {@code m[i, j] *= v[i]}; v holds {@code m.rows()} elements. */
    void scaleRows(DeviceMatrix m, DeviceMatrix v);

    /** {@code m[i, j] *= v[j]}; v holds {@code m.cols()} elements. */
    void scaleColumns(DeviceMatrix m, DeviceMatrix v);

    /**
     * {@code c[i, j] = a[i, j] * b[i / r, j]} with {@code r = a.rows() / b.rows()}: the Hadamard
     * product when the shapes agree, and otherwise each row of b repeated r times (the per-example
     * factor of an (N*O, n) stack of per-output rows). c has a's shape and may be a.
     */
    void hadamard(DeviceMatrix a, DeviceMatrix b, DeviceMatrix c);

    /**
     * Sums along an axis: {@code axis = 0} sums over rows into {@code out} of {@code m.cols()}
     * elements, {@code axis = 1} over columns into {@code out} of {@code m.rows()} elements.
     */
    void sum(DeviceMatrix m, int axis, DeviceMatrix out);

    /**
     * L layers of the infinite-width kernel recursions (NNGP and NTK), elementwise and in place: with F
     * and Fdot the dual of phi ({@link DualKernel}, evaluated in double precision for F64 and at least
     * float precision for F32, cosines snapped within {@link DualKernel#snapTolerance} of k's dtype), for
     * l = 0 ... L-1 in turn
     * <pre>
     *   k[i, j]     = sigmaW2 * F(q1[i, l], q2[l, j], k[i, j]) + sigmaB2
     *   theta[i, j] = k[i, j] (the new value) + sigmaW2 * Fdot(q1[i, l], q2[l, j], k[i, j]) * theta[i, j]
     * </pre>
     * with k and theta rounded to their dtype after every layer (Lee et al., "Deep Neural Networks as
     * Gaussian Processes", ICLR 2018; Jacot et al., "Neural Tangent Kernel", NeurIPS 2018). Each element
     * is read and written once for all L layers.
     *
     * @param phi     relu, leaky_relu, abs, identity or erf
     * @param sigmaW2 the weight variance, finite and >= 0
     * @param sigmaB2 the bias variance, finite and >= 0
     * @param q1      the variances of the row points by layer, F64, (k.rows(), L) with L >= 1
     * @param q2      the variances of the column points by layer, F64, (L, k.cols())
     * @param k       the covariances (rows, cols), F32 or F64; overwritten
     * @param theta   the NTK entries, k's shape and dtype, or {@code null} for the NNGP only; overwritten
     */
    void dualLayers(Activation phi, double sigmaW2, double sigmaB2, DeviceMatrix q1, DeviceMatrix q2, DeviceMatrix k,
            DeviceMatrix theta);

    /**
     * L layers of the Jacobian kernels' per-pair recursion, elementwise over (rows, cols) pairs (x_i, x'_j):
     * the NNGP Sigma, or the NTK Theta, of {@code s(x) = (f(x), df/dx)} together with its derivatives,
     * as the 10 coefficients {@code [V, G1, G2, H1, H2, H0, M11, M12, M21, M22]} in an orthonormal basis
     * (e1, e2) of span(x_i, x'_j): value V, {@code d/dx = G1 e1 + G2 e2}, {@code d/dx' = H1 e1 + H2 e2},
     * {@code d^2/dx dx'^T = H0 I + sum_ab Mab e_a e_b^T} (Kim and Yang, "An Infinite-Width Analysis on the
     * Jacobian-Regularised Training of a Neural Network", arXiv 2312.03386; the scalar definition is
     * {@link io.github.tangent4j.backend.internal.JacobianPair}, the derivation
     * docs/infinite-width-kernels.md). Layer 1 of a pair with x = (|x|, 0), x' = (alpha, beta) in the basis
     * is {@code V = k1}, {@code G = c0 (alpha, beta)}, {@code H = c0 (|x|, 0)}, {@code H0 = c0}; each layer
     * l then goes through {@code S F(q, q', V) + B} (and {@code + S Fdot Theta}) by the chain rule, with the
     * variances {@code q_l} and their slopes {@code p_l} ({@code dq_l/dx = p_l x}) of both points. Computed
     * in double.
     *
     * @param phi     relu, leaky_relu, abs, identity or erf
     * @param sigmaW2 the weight variance S, finite and >= 0
     * @param sigmaB2 the bias variance B, finite and >= 0
     * @param c0      layer 1's scale {@code S / D}, finite and >= 0
     * @param q1      F64 (rows, 1 + 2L), L >= 0: per row point |x|, then q_l and p_l for l = 0 ... L-1
     * @param q2      F64 (2L, cols) (when L = 0: any (0, cols) or null): row 2l q_l, row 2l+1 p_l of the
     *                column points
     * @param pairs   F64 (rows, 3 cols): per pair (k1, alpha, beta), k1 layer 1's kernel
     * @param jets    F64 (rows, 10 cols), overwritten: per pair the 10 coefficients of the NNGP, or of
     *                the NTK when {@code ntk}; overlapping no input
     */
    void jacobianLayers(Activation phi, double sigmaW2, double sigmaB2, double c0, DeviceMatrix q1, DeviceMatrix q2,
            DeviceMatrix pairs, DeviceMatrix jets, boolean ntk);

    /**
     * Packs the signs of {@code z} into bits: a host {@link DType#I64} tensor of shape
     * (rows, ceil(cols / 64)) whose bit {@code j % 64} of word {@code j / 64} in row i is set iff
     * {@code z[i, j] > 0}. Unused high bits of the last word are 0.
     */
    Tensor signBits(DeviceMatrix z);

    /**
     * Whether uploads run beside the computation already enqueued: {@link #upload(Tensor)} returns once
     * the host data has been read, while the device may still be computing on earlier matrices and the
     * copy may still be crossing the bus, so a pass over host rows in pieces hides the transfers behind the
     * computation ({@link StreamedRows}). True for the CUDA backend (a copy engine and a stream of its own);
     * false for the Java backend, whose computation and copies share the host's cores.
     */
    boolean overlapsTransfers();

    /** Bytes the backend can still allocate, used to size tiles. */
    long availableMemory();

    /** Number of matrices allocated by this backend and not yet closed. */
    long openAllocations();

    /** Frees every open matrix and the backend's own resources. Closing twice is harmless. */
    @Override
    void close();
}
