package io.github.tangent4j.backend.internal;

import io.github.tangent4j.backend.Backend;
import io.github.tangent4j.backend.DeviceMatrix;
import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.Shapes;
import io.github.tangent4j.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * What every backend shares: argument validation with uniform messages, the one-thread-at-a-time
 * guard, and ownership of allocations. Subclasses implement the {@code protected} primitives on
 * arguments already checked (same backend, open, one floating dtype, compatible shapes).
 */
public abstract class AbstractBackend implements Backend {
    private final AtomicReference<Thread> user = new AtomicReference<>();
    private int depth;
    private final Set<Buffer> open = Collections.newSetFromMap(new IdentityHashMap<>());
    private boolean closed;

    // ---------------------------------------------------------------- primitives for subclasses

    /** Allocates {@code bytes} (> 0) of uninitialised memory. */
    protected abstract Buffer allocateBuffer(long bytes);

    /**
     * Allocates {@code bytes} (> 0) for a new matrix that {@link #copyInNew} fills next, before any other
     * use. A backend whose transfers run beside its computation orders this allocation with its transfers,
     * so the copy need not wait for the computation already enqueued (see {@link #overlapsTransfers()}).
     * By default {@link #allocateBuffer}.
     */
    protected Buffer allocateUploadBuffer(long bytes) {
        return allocateBuffer(bytes);
    }

    /** Copies {@code src} (host, same byte size) into {@code dst}. */
    protected abstract void copyIn(MemorySegment src, BufferMatrix dst);

    /**
     * {@link #copyIn} into a matrix just allocated by {@link #allocateUploadBuffer} and not used since. By
     * default {@link #copyIn}.
     */
    protected void copyInNew(MemorySegment src, BufferMatrix dst) {
        copyIn(src, dst);
    }

    /** Copies {@code src} into {@code dst} (host, same byte size). */
    protected abstract void copyOut(BufferMatrix src, MemorySegment dst);

    /** Copies between two matrices of equal byte size. */
    protected abstract void copyDevice(BufferMatrix src, BufferMatrix dst);

    /** Sets every element of m to value. */
    protected abstract void fillImpl(BufferMatrix m, double value);

    /**
     * {@code batch} GEMMs with op(A_i) m x k, op(B_i) k x n, C_i m x n, blocks stored back to back
     * (row-major, leading dimension = the matrix's column count). {@code batch == 1} is the plain GEMM.
     */
    protected abstract void gemmImpl(int batch, boolean transA, boolean transB, long m, long n, long k,
            double alpha, BufferMatrix a, BufferMatrix b, double beta, BufferMatrix c);

    /** h = phi(z) or, with {@code derivative}, h = phi'(z). */
    protected abstract void pointwiseImpl(Activation phi, boolean derivative, BufferMatrix z, BufferMatrix h);

    /** m[i, j] += v[j]. */
    protected abstract void addRowVectorImpl(BufferMatrix m, BufferMatrix v);

    /** m[i, j] *= v[i] ({@code rows}) or m[i, j] *= v[j] (otherwise). */
    protected abstract void scaleImpl(BufferMatrix m, BufferMatrix v, boolean rows);

    /** c[i, j] = a[i, j] * b[i / repeat, j]. */
    protected abstract void hadamardImpl(BufferMatrix a, BufferMatrix b, BufferMatrix c, long repeat);

    /** Sums along axis 0 (over rows) or 1 (over columns). */
    protected abstract void sumImpl(BufferMatrix m, int axis, BufferMatrix out);

    /**
     * {@code q1.cols()} layers of the kernel recursion on checked arguments: q1 (k.rows(), L) and q2
     * (L, k.cols()) F64 with L >= 1, theta null or k's shape and dtype, k non-empty.
     */
    protected abstract void dualLayersImpl(Activation phi, double sigmaW2, double sigmaB2, BufferMatrix q1,
            BufferMatrix q2, BufferMatrix k, BufferMatrix theta);

    /**
     * {@code (q1.cols() - 1) / 2} layers of the Jacobian kernels' per-pair recursion on checked, non-empty
     * F64 arguments (see {@link io.github.tangent4j.backend.Backend#jacobianLayers}); q2 is null when there
     * are no layers.
     */
    protected abstract void jacobianLayersImpl(Activation phi, double sigmaW2, double sigmaB2, double c0,
            BufferMatrix q1, BufferMatrix q2, BufferMatrix pairs, BufferMatrix jets, boolean ntk);

    /**
     * {@code c = alpha * (a (.) s) b} on checked arguments with {@code alpha != 0}, a non-empty c and k > 0, s's
     * rows repeated {@code repeat} times ({@link #hadamardGemm}; a may be overwritten), a the stack of every
     * example's rows or, when {@code shared}, the one block of {@code repeat} rows of all. This implementation forms
     * the Hadamard product in a, or in a {@link Broadcast#stack} of a shared block, with {@link #hadamardImpl} and
     * multiplies it ({@link #gemmImpl}); a backend overrides it to skip the zeros of s.
     */
    protected void hadamardGemmImpl(double alpha, BufferMatrix a, BufferMatrix s, BufferMatrix b, BufferMatrix c,
            long repeat, boolean shared) {
        if (!shared) {
            hadamardThenGemm(alpha, a, s, b, c, repeat);
            return;
        }
        try (DeviceMatrix stack = Broadcast.stack(this, a, s.rows(), 1)) {
            hadamardThenGemm(alpha, (BufferMatrix) stack, s, b, c, repeat);
        }
    }

    /** The dense {@link #hadamardGemmImpl} of a stack a, the Hadamard product formed in a. */
    private void hadamardThenGemm(double alpha, BufferMatrix a, BufferMatrix s, BufferMatrix b, BufferMatrix c,
            long repeat) {
        hadamardImpl(a, s, a, repeat);
        gemmImpl(1, false, false, c.rows(), c.cols(), a.cols(), alpha, a, b, 0, c);
    }

    /** Writes rows x words packed sign bits into {@code out} (host, little-endian longs). */
    protected abstract void signBitsImpl(BufferMatrix z, long words, MemorySegment out);

    /**
     * {@code out = phi(alpha * x w^T + bias)} ({@code bias} may be null) on checked, non-empty
     * arguments; when {@code bits} is not null, also writes the packed signs of the pre-activations
     * ({@code words} per row) to it as {@link #signBitsImpl} does. This implementation composes
     * {@link #gemmImpl}, {@link #addRowVectorImpl}, {@link #signBitsImpl} and {@link #pointwiseImpl};
     * a backend overrides it to fuse them.
     */
    protected void linearImpl(double alpha, BufferMatrix x, BufferMatrix w, BufferMatrix bias, Activation phi,
            BufferMatrix out, long words, MemorySegment bits) {
        gemmImpl(1, false, true, out.rows(), out.cols(), alpha == 0 ? 0 : x.cols(), alpha, x, w, 0, out);
        if (bias != null) {
            addRowVectorImpl(out, bias);
        }
        finishLinear(phi, out, words, bits);
    }

    /**
     * The end of {@link #linearImpl} once {@code out} holds the pre-activations: their packed signs into
     * {@code bits} when it is not null, then phi in place.
     */
    protected final void finishLinear(Activation phi, BufferMatrix out, long words, MemorySegment bits) {
        if (bits != null) {
            signBitsImpl(out, words, bits);
        }
        if (phi.kind() != Activation.Kind.IDENTITY) {
            pointwiseImpl(phi, false, out, out);
        }
    }

    /** Bytes still available to allocate. */
    /**
     * A buffer over the host memory {@code host}, borrowed (never freed by the backend), for
     * {@link #gemmToHost} to write into directly; null (the default) where this backend's matrices cannot be
     * host memory.
     */
    protected Buffer hostBuffer(MemorySegment host) {
        return null;
    }

    protected abstract long availableMemoryImpl();

    /** Releases the backend's own resources after every buffer has been freed. */
    protected abstract void closeImpl();

    // ---------------------------------------------------------------- public API

    @Override
    public final DeviceMatrix allocate(DType dtype, long rows, long cols) {
        return callGuarded(() -> {
                BufferMatrix m = allocateBufferMatrix(dtype, rows, cols, false);
                if (m.size() > 0) {
                    fillImpl(m, 0);
                }
                return m;
        });
    }

    @Override
    public final DeviceMatrix allocateUninitialised(DType dtype, long rows, long cols) {
        return callGuarded(() -> {
                return allocateBufferMatrix(dtype, rows, cols, false);
        });
    }

    private BufferMatrix allocateBufferMatrix(DType dtype, long rows, long cols, boolean forUpload) {
        Objects.requireNonNull(dtype, "dtype");
        checkFloating("dtype", dtype);
        if (rows < 0 || cols < 0) {
            throw new IllegalArgumentException("shape: expected rows, cols >= 0 but was " + rows + " x " + cols);
        }
        long bytes = Shapes.byteSize(dtype, rows, cols);
        Buffer buffer = forUpload ? allocateUploadBuffer(Math.max(bytes, 1)) : allocateBuffer(Math.max(bytes, 1));
        open.add(buffer);
        return new BufferMatrix(this, buffer, 0, dtype, rows, cols, true);
    }

    @Override
    public final DeviceMatrix upload(Tensor host) {
        return callGuarded(() -> {
                Objects.requireNonNull(host, "host");
                long[] s = host.shape();
                long rows = s.length < 2 ? 1 : s[0];
                long cols = 1;
                for (int i = s.length < 2 ? 0 : 1; i < s.length; i++) {
                    cols *= s[i];
                }
                checkFloating("host", host.dtype());
                BufferMatrix m = allocateBufferMatrix(host.dtype(), rows, cols, true);
                if (m.size() > 0) {
                    try {
                        copyInNew(host.segment(), m);
                    } catch (RuntimeException e) { // a failed transfer leaves no matrix behind
                        try {
                            m.close();
                        } catch (RuntimeException suppressed) {
                            e.addSuppressed(suppressed);
                        }
                        throw e;
                    }
                }
                return m;
        });
    }

    @Override
    public final void upload(Tensor host, DeviceMatrix dst) {
        runGuarded(() -> {
                BufferMatrix d = own("dst", dst);
                checkHost("host", host, d);
                if (d.size() > 0) {
                    copyIn(host.segment(), d);
                }
        });
    }

    @Override
    public final Tensor download(DeviceMatrix src) {
        return callGuarded(() -> {
                BufferMatrix s = own("src", src);
                Tensor t = Tensor.allocate(s.dtype(), s.rows(), s.cols());
                if (s.size() > 0) {
                    copyOut(s, t.segment());
                }
                return t;
        });
    }

    @Override
    public final void download(DeviceMatrix src, Tensor dst) {
        runGuarded(() -> {
                BufferMatrix s = own("src", src);
                checkHost("dst", dst, s);
                if (s.size() > 0) {
                    copyOut(s, dst.segment());
                }
        });
    }

    @Override
    public final void copy(DeviceMatrix src, DeviceMatrix dst) {
        runGuarded(() -> {
                BufferMatrix s = own("src", src);
                BufferMatrix d = own("dst", dst);
                sameType("dst", s, d);
                if (s.size() != d.size()) {
                    throw new IllegalArgumentException("dst: expected " + s.size() + " elements (src is " + dims(s)
                            + ") but was " + dims(d));
                }
                if (s.size() > 0) {
                    copyDevice(s, d);
                }
        });
    }

    @Override
    public final void fill(DeviceMatrix m, double value) {
        runGuarded(() -> {
                BufferMatrix x = own("m", m);
                if (x.size() > 0) {
                    fillImpl(x, value);
                }
        });
    }

    @Override
    public final void gemm(boolean transA, boolean transB, double alpha, DeviceMatrix a, DeviceMatrix b,
            double beta, DeviceMatrix c) {
        gemmBatched(1, transA, transB, alpha, a, b, beta, c);
    }

    @Override
    public final void gemmBatched(int batch, boolean transA, boolean transB, double alpha, DeviceMatrix a,
            DeviceMatrix b, double beta, DeviceMatrix c) {
        runGuarded(() -> {
                if (batch < 1) {
                    throw new IllegalArgumentException("batch: expected >= 1 but was " + batch);
                }
                BufferMatrix x = own("a", a);
                BufferMatrix y = own("b", b);
                BufferMatrix z = own("c", c);
                sameType("b", x, y);
                sameType("c", x, z);
                checkFinite("alpha", alpha);
                checkFinite("beta", beta);
                long aRows = blockRows("a", x, batch);
                long bRows = blockRows("b", y, batch);
                long cRows = blockRows("c", z, batch);
                long m = transA ? x.cols() : aRows;
                long k = transA ? aRows : x.cols();
                long kb = transB ? y.cols() : bRows;
                long n = transB ? bRows : y.cols();
                if (k != kb) {
                    throw new IllegalArgumentException("b: inner dimensions differ: op(a) is " + m + " x " + k
                            + " but op(b) is " + kb + " x " + n + " (a " + dims(x) + (transA ? "^T" : "") + ", b "
                            + dims(y) + (transB ? "^T" : "") + ")");
                }
                if (cRows != m || z.cols() != n) {
                    throw new IllegalArgumentException("c: expected " + m + " x " + n + " per batch but was "
                            + cRows + " x " + z.cols());
                }
                if (overlaps(z, x) || overlaps(z, y)) {
                    throw new IllegalArgumentException("c: must not overlap a or b");
                }
                if (m > 0 && n > 0) {
                    // alpha = 0 reads neither A nor B, as in BLAS: the backends see an empty inner dimension.
                    gemmImpl(batch, transA, transB, m, n, alpha == 0 ? 0 : k, alpha, x, y, beta, z);
                }
        });
    }

    @Override
    public final void gemmToHost(boolean transA, boolean transB, double alpha, DeviceMatrix a, DeviceMatrix b,
            Tensor c) {
        BufferMatrix x = own("a", a);
        long m = transA ? x.cols() : x.rows();
        long n = transB ? own("b", b).rows() : own("b", b).cols();
        intoHost(x.dtype(), m, n, c, product -> gemm(transA, transB, alpha, a, b, 0, product));
    }

    @Override
    public final void hadamardGemm(double alpha, DeviceMatrix a, DeviceMatrix s, DeviceMatrix b, DeviceMatrix c) {
        runGuarded(() -> {
                BufferMatrix x = own("a", a);
                BufferMatrix f = own("s", s);
                BufferMatrix y = own("b", b);
                BufferMatrix z = own("c", c);
                sameType("s", x, f);
                sameType("b", x, y);
                sameType("c", x, z);
                checkFinite("alpha", alpha);
                if (f.cols() != x.cols()) {
                    throw new IllegalArgumentException("s: expected " + x.cols() + " columns (a is " + dims(x)
                            + ") but was " + dims(f));
                }
                if (y.rows() != x.cols()) {
                    throw new IllegalArgumentException("b: expected " + x.cols() + " rows (a is " + dims(x)
                            + ") but was " + dims(y));
                }
                if (z.cols() != y.cols() || (f.rows() == 0 ? z.rows() != 0 : z.rows() % f.rows() != 0)) {
                    throw new IllegalArgumentException("c: expected " + y.cols() + " columns and a multiple of s's "
                            + f.rows() + " rows but was " + dims(z));
                }
                long r = f.rows() == 0 ? x.rows() : z.rows() / f.rows();
                if (x.rows() != z.rows() && x.rows() != r) {
                    throw new IllegalArgumentException("a: expected " + z.rows() + " rows (r = " + r
                            + " per example) or " + r + " (one block shared by every example) but was " + dims(x));
                }
                if (overlaps(z, x) || overlaps(z, f) || overlaps(z, y)) {
                    throw new IllegalArgumentException("c: must not overlap a, s or b");
                }
                if (z.size() == 0) {
                    return;
                }
                if (alpha == 0 || x.cols() == 0) {
                    fillImpl(z, 0);
                    return;
                }
                hadamardGemmImpl(alpha, x, f, y, z, r, x.rows() != z.rows());
        });
    }

    @Override
    public final void hadamardGemmToHost(double alpha, DeviceMatrix a, DeviceMatrix s, DeviceMatrix b, Tensor c) {
        BufferMatrix x = own("a", a);
        long n = own("b", b).cols();
        Objects.requireNonNull(c, "c");
        long rows = n == 0 ? 0 : c.size() / n;
        if (n > 0 && rows * n != c.size()) {
            throw new IllegalArgumentException("c: expected " + x.dtype() + " with a multiple of " + n
                    + " elements (rows x " + n + ") but was " + c.dtype() + " " + Shapes.format(c.shape()));
        }
        intoHost(x.dtype(), rows, n, c, product -> hadamardGemm(alpha, a, s, b, product));
    }

    /**
     * Runs {@code product} into an m x n matrix whose elements land in the host tensor c: c itself where this
     * backend can borrow it ({@link #hostBuffer}), else a matrix downloaded into c afterwards.
     */
    private void intoHost(DType dtype, long m, long n, Tensor c, Consumer<DeviceMatrix> product) {
        Objects.requireNonNull(c, "c");
        if (c.dtype() != dtype || c.size() != m * n) {
            throw new IllegalArgumentException("c: expected " + dtype + " with " + m * n + " elements (" + m + " x "
                    + n + ") but was " + c.dtype() + " " + Shapes.format(c.shape()));
        }
        Buffer borrowed = m * n == 0 ? null : hostBuffer(c.segment());
        if (borrowed != null) {
            product.accept(new BufferMatrix(this, borrowed, 0, dtype, m, n, false));
            return;
        }
        try (DeviceMatrix out = allocateUninitialised(dtype, m, n)) {
            product.accept(out);
            download(out, c);
        }
    }

    @Override
    public final void linear(double alpha, DeviceMatrix x, DeviceMatrix w, DeviceMatrix bias, Activation phi,
            DeviceMatrix out) {
        linear(alpha, x, w, bias, phi, out, false);
    }

    @Override
    public final Tensor linearWithSigns(double alpha, DeviceMatrix x, DeviceMatrix w, DeviceMatrix bias,
            Activation phi, DeviceMatrix out) {
        return linear(alpha, x, w, bias, phi, out, true);
    }

    private Tensor linear(double alpha, DeviceMatrix x, DeviceMatrix w, DeviceMatrix bias, Activation phi,
            DeviceMatrix out, boolean signs) {
        return callGuarded(() -> {
                Objects.requireNonNull(phi, "phi");
                BufferMatrix in = own("x", x);
                BufferMatrix weight = own("w", w);
                BufferMatrix b = bias == null ? null : own("bias", bias);
                BufferMatrix o = own("out", out);
                sameType("w", in, weight);
                sameType("out", in, o);
                checkFinite("alpha", alpha);
                if (weight.cols() != in.cols()) {
                    throw new IllegalArgumentException("w: expected " + in.cols() + " columns (x is " + dims(in)
                            + ") but was " + dims(weight));
                }
                if (o.rows() != in.rows() || o.cols() != weight.rows()) {
                    throw new IllegalArgumentException("out: expected " + in.rows() + " x " + weight.rows() + " (x is "
                            + dims(in) + ", w " + dims(weight) + ") but was " + dims(o));
                }
                if (b != null) {
                    sameType("bias", in, b);
                    elementCount("bias", b, o.cols(), "out.cols() of " + dims(o));
                }
                if (overlaps(o, in) || overlaps(o, weight) || (b != null && overlaps(o, b))) {
                    throw new IllegalArgumentException("out: must not overlap x, w or bias");
                }
                long words = (o.cols() + 63) / 64;
                Tensor t = signs ? Tensor.allocate(DType.I64, o.rows(), words) : null;
                if (o.size() > 0) {
                    linearImpl(alpha, in, weight, b, phi, o, words, signs ? t.segment() : null);
                }
                return t;
        });
    }

    @Override
    public final void activate(Activation phi, DeviceMatrix z, DeviceMatrix h) {
        pointwise(phi, false, z, h);
    }

    @Override
    public final void derivative(Activation phi, DeviceMatrix z, DeviceMatrix d) {
        pointwise(phi, true, z, d);
    }

    private void pointwise(Activation phi, boolean derivative, DeviceMatrix z, DeviceMatrix h) {
        runGuarded(() -> {
                Objects.requireNonNull(phi, "phi");
                BufferMatrix x = own("z", z);
                BufferMatrix y = own(derivative ? "d" : "h", h);
                sameShape(derivative ? "d" : "h", x, y);
                if (x.size() > 0) {
                    pointwiseImpl(phi, derivative, x, y);
                }
        });
    }

    @Override
    public final void addRowVector(DeviceMatrix m, DeviceMatrix v) {
        runGuarded(() -> {
                BufferMatrix x = own("m", m);
                BufferMatrix y = own("v", v);
                sameType("v", x, y);
                elementCount("v", y, x.cols(), "m.cols() of " + dims(x));
                if (x.size() > 0) {
                    addRowVectorImpl(x, y);
                }
        });
    }

    @Override
    public final void scaleRows(DeviceMatrix m, DeviceMatrix v) {
        scale(m, v, true);
    }

    @Override
    public final void scaleColumns(DeviceMatrix m, DeviceMatrix v) {
        scale(m, v, false);
    }

    private void scale(DeviceMatrix m, DeviceMatrix v, boolean rows) {
        runGuarded(() -> {
                BufferMatrix x = own("m", m);
                BufferMatrix y = own("v", v);
                sameType("v", x, y);
                elementCount("v", y, rows ? x.rows() : x.cols(), (rows ? "m.rows()" : "m.cols()") + " of " + dims(x));
                if (x.size() > 0) {
                    scaleImpl(x, y, rows);
                }
        });
    }

    @Override
    public final void hadamard(DeviceMatrix a, DeviceMatrix b, DeviceMatrix c) {
        runGuarded(() -> {
                BufferMatrix x = own("a", a);
                BufferMatrix y = own("b", b);
                BufferMatrix z = own("c", c);
                sameType("b", x, y);
                sameShape("c", x, z);
                if (y.cols() != x.cols() || (y.rows() == 0 ? x.rows() != 0 : x.rows() % y.rows() != 0)) {
                    throw new IllegalArgumentException("b: expected " + x.cols() + " columns and a row count dividing "
                            + x.rows() + " (a is " + dims(x) + ") but was " + dims(y));
                }
                if (x.size() > 0) {
                    hadamardImpl(x, y, z, x.rows() / y.rows());
                }
        });
    }

    @Override
    public final void sum(DeviceMatrix m, int axis, DeviceMatrix out) {
        runGuarded(() -> {
                BufferMatrix x = own("m", m);
                BufferMatrix y = own("out", out);
                sameType("out", x, y);
                if (axis != 0 && axis != 1) {
                    throw new IllegalArgumentException("axis: expected 0 or 1 but was " + axis);
                }
                elementCount("out", y, axis == 0 ? x.cols() : x.rows(),
                        (axis == 0 ? "m.cols()" : "m.rows()") + " of " + dims(x));
                if (y.size() > 0) {
                    sumImpl(x, axis, y);
                }
        });
    }

    @Override
    public final void dualLayers(Activation phi, double sigmaW2, double sigmaB2, DeviceMatrix q1, DeviceMatrix q2,
            DeviceMatrix k, DeviceMatrix theta) {
        runGuarded(() -> {
                Objects.requireNonNull(phi, "phi");
                DualKernel.checkSupported(phi);
                checkVariance("sigmaW2", sigmaW2);
                checkVariance("sigmaB2", sigmaB2);
                BufferMatrix kk = own("k", k);
                BufferMatrix a = own("q1", q1);
                BufferMatrix b = own("q2", q2);
                if (a.dtype() != DType.F64 || b.dtype() != DType.F64) {
                    throw new IllegalArgumentException((a.dtype() != DType.F64 ? "q1" : "q2")
                            + ": expected dtype F64 (variances in double) but was "
                            + (a.dtype() != DType.F64 ? a.dtype() : b.dtype()));
                }
                if (a.rows() != kk.rows() || a.cols() < 1) {
                    throw new IllegalArgumentException("q1: expected shape " + kk.rows() + " x L (k.rows() of " + dims(kk)
                            + ", L >= 1 layers) but was " + dims(a));
                }
                if (b.rows() != a.cols() || b.cols() != kk.cols()) {
                    throw new IllegalArgumentException("q2: expected shape " + a.cols() + " x " + kk.cols()
                            + " (the layers of q1 x k.cols()) but was " + dims(b));
                }
                BufferMatrix t = null;
                if (theta != null) {
                    t = own("theta", theta);
                    sameShape("theta", kk, t);
                    if (overlaps(kk, t)) {
                        throw new IllegalArgumentException("theta: expected a matrix not overlapping k but was " + theta);
                    }
                }
                if (kk.size() > 0) {
                    dualLayersImpl(phi, sigmaW2, sigmaB2, a, b, kk, t);
                }
        });
    }

    @Override
    public final void jacobianLayers(Activation phi, double sigmaW2, double sigmaB2, double c0, DeviceMatrix q1,
            DeviceMatrix q2, DeviceMatrix pairs, DeviceMatrix jets, boolean ntk) {
        runGuarded(() -> {
                Objects.requireNonNull(phi, "phi");
                DualKernel.checkSupported(phi);
                checkVariance("sigmaW2", sigmaW2);
                checkVariance("sigmaB2", sigmaB2);
                checkVariance("c0", c0);
                BufferMatrix out = own("jets", jets);
                BufferMatrix a = own("q1", q1);
                BufferMatrix p = own("pairs", pairs);
                BufferMatrix b = q2 == null ? null : own("q2", q2);
                for (BufferMatrix m : new BufferMatrix[] {out, a, p, b}) {
                    if (m != null && m.dtype() != DType.F64) {
                        String arg = m == out ? "jets" : m == a ? "q1" : m == p ? "pairs" : "q2";
                        throw new IllegalArgumentException(arg + ": expected dtype F64 but was " + m.dtype());
                    }
                }
                long rows = out.rows();
                if (out.cols() % JacobianPair.COEFFICIENTS != 0) {
                    throw new IllegalArgumentException("jets: expected shape rows x 10 cols but was " + dims(out));
                }
                long cols = out.cols() / JacobianPair.COEFFICIENTS;
                if (a.rows() != rows || a.cols() % 2 != 1) {
                    throw new IllegalArgumentException("q1: expected shape " + rows + " x (1 + 2L) (jets.rows() of "
                            + dims(out) + ", an odd column count) but was " + dims(a));
                }
                long layers = (a.cols() - 1) / 2;
                if (layers > 0 ? b == null || b.rows() != 2 * layers || b.cols() != cols
                        : b != null && (b.rows() != 0 || b.cols() != cols)) {
                    throw new IllegalArgumentException("q2: expected shape " + 2 * layers + " x " + cols
                            + " (2L of q1 x jets.cols() / 10) but was " + (b == null ? "null" : dims(b)));
                }
                if (p.rows() != rows || p.cols() != 3 * cols) {
                    throw new IllegalArgumentException("pairs: expected shape " + rows + " x " + 3 * cols
                            + " (jets.rows() x 3 jets.cols() / 10) but was " + dims(p));
                }
                for (BufferMatrix m : new BufferMatrix[] {a, p, b}) {
                    if (m != null && overlaps(out, m)) {
                        throw new IllegalArgumentException("jets: expected a matrix overlapping no input but was "
                                + jets);
                    }
                }
                if (out.size() > 0) {
                    jacobianLayersImpl(phi, sigmaW2, sigmaB2, c0, a, layers > 0 ? b : null, p, out, ntk);
                }
        });
    }

    @Override
    public final Tensor signBits(DeviceMatrix z) {
        return callGuarded(() -> {
                BufferMatrix x = own("z", z);
                long words = (x.cols() + 63) / 64;
                Tensor t = Tensor.allocate(DType.I64, x.rows(), words);
                if (t.size() > 0) {
                    signBitsImpl(x, words, t.segment());
                }
                return t;
        });
    }

    @Override
    public final long availableMemory() {
        return callGuarded(() -> {
                return availableMemoryImpl();
        });
    }

    @Override
    public final long openAllocations() {
        return open.size();
    }

    @Override
    public final void close() {
        enter();
        try {
            if (closed) {
                return;
            }
            closed = true;
            // free everything even if one release fails (a device in an error state), then report the first failure
            RuntimeException failure = null;
            for (Buffer b : open.toArray(Buffer[]::new)) {
                try {
                    b.free();
                } catch (RuntimeException e) {
                    failure = addFailure(failure, e);
                }
            }
            open.clear();
            try {
                closeImpl();
            } catch (RuntimeException e) {
                failure = addFailure(failure, e);
            }
            if (failure != null) {
                throw failure;
            }
        } finally {
            exit();
        }
    }

    private static RuntimeException addFailure(RuntimeException first, RuntimeException next) {
        if (first == null) {
            return next;
        }
        first.addSuppressed(next);
        return first;
    }

    /** Frees a buffer owned by a matrix of this backend (called by {@link BufferMatrix#close()}). */
    final void release(Buffer buffer) {
        enter();
        try {
            if (open.remove(buffer)) {
                buffer.free();
            }
        } finally {
            exit();
        }
    }

    @Override
    public String toString() {
        return name() + " backend: " + description();
    }

    // ---------------------------------------------------------------- checks

    /**
     * Runs one public call: takes the one-thread guard, rejects a closed backend, runs {@link #onEnter()},
     * then {@code body}, and releases the guard however the body ends.
     */
    private <T> T callGuarded(Supplier<T> body) {
        enter();
        try {
            checkOpen();
            onEnter();
            return body.get();
        } finally {
            exit();
        }
    }

    /** {@link #callGuarded} for a call without a result. */
    private void runGuarded(Runnable body) {
        callGuarded(() -> {
            body.run();
            return null;
        });
    }

    /**
     * Runs at the start of every call on an open backend, on the calling thread, inside the
     * one-thread guard: a backend whose state is bound to the thread (CUDA's current context) binds
     * it here. Nothing by default.
     */
    protected void onEnter() {
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the " + name() + " backend is closed");
        }
    }

    /** Marks the start of a call by the current thread; rejects a second thread. */
    private void enter() {
        Thread me = Thread.currentThread();
        Thread current = user.get();
        if (current == me) {
            depth++;
            return;
        }
        // the witness, not a second read: the holder may leave between a failed CAS and a get()
        Thread holder = user.compareAndExchange(null, me);
        if (holder != null) {
            throw new IllegalStateException("the " + name() + " backend is in use by thread '"
                    + holder.getName() + "'; a Backend is used by one thread at a time");
        }
        depth = 1;
    }

    /** Marks the end of a call started with {@link #enter()}. */
    private void exit() {
        if (--depth == 0) {
            user.set(null);
        }
    }

    private BufferMatrix own(String arg, DeviceMatrix m) {
        Objects.requireNonNull(m, arg);
        if (!(m instanceof BufferMatrix bm) || bm.backend() != this) {
            throw new IllegalArgumentException(arg + ": expected a matrix of this " + name()
                    + " backend but was " + m);
        }
        if (bm.isClosed()) {
            throw new IllegalStateException(arg + ": the matrix has been closed: " + m);
        }
        return bm;
    }

    private static void checkFloating(String arg, DType dtype) {
        if (!dtype.isFloating()) {
            throw new IllegalArgumentException(arg + ": expected dtype F32 or F64 but was " + dtype);
        }
    }

    private static void checkFinite(String arg, double v) {
        if (!Double.isFinite(v)) {
            throw new IllegalArgumentException(arg + ": expected a finite number but was " + v);
        }
    }

    private static void checkVariance(String arg, double v) {
        if (!(v >= 0) || v == Double.POSITIVE_INFINITY) {
            throw new IllegalArgumentException(arg + ": expected a finite value >= 0 but was " + v);
        }
    }

    private static void checkHost(String arg, Tensor t, BufferMatrix m) {
        Objects.requireNonNull(t, arg);
        if (t.dtype() != m.dtype() || t.size() != m.size()) {
            throw new IllegalArgumentException(arg + ": expected " + m.dtype() + " with " + m.size()
                    + " elements (" + dims(m) + ") but was " + t.dtype() + " " + Shapes.format(t.shape()));
        }
    }

    private static void sameType(String arg, BufferMatrix ref, BufferMatrix m) {
        if (m.dtype() != ref.dtype()) {
            throw new IllegalArgumentException(arg + ": expected dtype " + ref.dtype() + " but was " + m.dtype());
        }
    }

    private static void sameShape(String arg, BufferMatrix ref, BufferMatrix m) {
        sameType(arg, ref, m);
        if (m.rows() != ref.rows() || m.cols() != ref.cols()) {
            throw new IllegalArgumentException(arg + ": expected shape " + dims(ref) + " but was " + dims(m));
        }
    }

    private static void elementCount(String arg, BufferMatrix m, long expected, String what) {
        if (m.size() != expected) {
            throw new IllegalArgumentException(arg + ": expected " + expected + " elements (" + what + ") but was "
                    + dims(m));
        }
    }

    private static long blockRows(String arg, BufferMatrix m, int batch) {
        if (m.rows() % batch != 0) {
            throw new IllegalArgumentException(arg + ": rows must split into " + batch + " equal blocks but was "
                    + dims(m));
        }
        return m.rows() / batch;
    }

    private static boolean overlaps(BufferMatrix p, BufferMatrix q) {
        if (p.buffer() != q.buffer() || p.size() == 0 || q.size() == 0) {
            return false;
        }
        long p0 = p.byteOffset();
        long q0 = q.byteOffset();
        return p0 < q0 + q.byteSize() && q0 < p0 + p.byteSize();
    }

    private static String dims(BufferMatrix m) {
        return m.rows() + " x " + m.cols();
    }
}
