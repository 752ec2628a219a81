package io.github.tangent4j.backend.java;

import io.github.tangent4j.backend.internal.AbstractBackend;
import io.github.tangent4j.backend.internal.Buffer;
import io.github.tangent4j.backend.internal.BufferMatrix;
import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.tensor.DType;
import io.github.tangent4j.tensor.HostMemory;
import java.lang.foreign.MemorySegment;

/**
 * The pure-Java backend: matrices live in off-heap host memory, GEMMs run in {@link JavaGemm} and
 * elementwise operations in {@link JavaElementwise}. Always available.
 */
public final class JavaBackend extends AbstractBackend {
    /**
     * The most memory this backend reports as available, so that tiled computations keep a bounded
     * working set: 16 MiB, or the system property {@code tangent4j.java.workingSetBytes}.
     */
    public static final long WORKING_SET_BYTES = Long.getLong("tangent4j.java.workingSetBytes", 16L << 20);

    /** A new Java backend. */
    public JavaBackend() {
    }

    @Override
    public String name() {
        return "java";
    }

    /** False: its matrices are host memory, and copies take the same cores as the computation. */
    @Override
    public boolean overlapsTransfers() {
        return false;
    }

    @Override
    public String description() {
        return "pure Java, " + Runtime.getRuntime().availableProcessors() + " threads, " + JavaGemm.describe();
    }

    /** The elements of {@code m} as a host segment. */
    static MemorySegment segment(BufferMatrix m) {
        return ((HostBuffer) m.buffer()).segment().asSlice(m.byteOffset(), m.byteSize());
    }

    /**
     * Freed blocks kept for reuse, up to {@link #POOL_BYTES}, so the buffers of one tile are there for the
     * next (sweeps of the families take tiles of a few hundred MB; see {@link io.github.tangent4j.backend.TileEngine#EFFICIENT_TILE_BYTES}).
     */
    private final HostBufferPool pool = new HostBufferPool(POOL_BYTES);

    /** The most freed memory this backend keeps for reuse until it is closed: 512 MiB. */
    public static final long POOL_BYTES = 512L << 20;

    @Override
    protected Buffer allocateBuffer(long bytes) {
        return HostBuffer.allocate(bytes, pool);
    }

    /** The host memory itself: {@link #gemmToHost} writes straight into it. */
    @Override
    protected Buffer hostBuffer(MemorySegment host) {
        return HostBuffer.borrow(host);
    }

    @Override
    protected void copyIn(MemorySegment src, BufferMatrix dst) {
        BulkMemory.copy(src, segment(dst));
    }

    @Override
    protected void copyOut(BufferMatrix src, MemorySegment dst) {
        BulkMemory.copy(segment(src), dst);
    }

    @Override
    protected void copyDevice(BufferMatrix src, BufferMatrix dst) {
        BulkMemory.copy(segment(src), segment(dst));
    }

    @Override
    protected void fillImpl(BufferMatrix m, double value) {
        MemorySegment s = segment(m);
        BulkMemory.split(s.byteSize(), 64, (from, to) -> JavaElementwise.fill(m.dtype(), s.asSlice(from, to - from),
                value));
    }

    @Override
    protected void gemmImpl(int batch, boolean transA, boolean transB, long m, long n, long k, double alpha,
            BufferMatrix a, BufferMatrix b, double beta, BufferMatrix c) {
        JavaGemm.gemmBatched(a.dtype() == DType.F64, batch, transA, transB, m, n, k, alpha, segment(a), a.cols(),
                segment(b), b.cols(), beta, segment(c), c.cols());
    }

    /** Skips the zeros of s where that saves work ({@link MaskedGemm}; a unchanged), else the dense product. */
    @Override
    protected void hadamardGemmImpl(double alpha, BufferMatrix a, BufferMatrix s, BufferMatrix b, BufferMatrix c,
            long repeat, boolean shared) {
        if (!MaskedGemm.multiply(a.dtype() == DType.F64, s.rows(), repeat, a.cols(), b.cols(), alpha, segment(a),
                shared, segment(s), segment(b), segment(c))) {
            super.hadamardGemmImpl(alpha, a, s, b, c, repeat, shared);
        }
    }

    @Override
    protected void pointwiseImpl(Activation phi, boolean derivative, BufferMatrix z, BufferMatrix h) {
        JavaElementwise.pointwise(z.dtype(), phi, derivative, segment(z), segment(h));
    }

    @Override
    protected void addRowVectorImpl(BufferMatrix m, BufferMatrix v) {
        JavaElementwise.addRowVector(m.dtype(), segment(m), m.rows(), m.cols(), segment(v));
    }

    @Override
    protected void scaleImpl(BufferMatrix m, BufferMatrix v, boolean rows) {
        JavaElementwise.scale(m.dtype(), segment(m), m.rows(), m.cols(), segment(v), rows);
    }

    @Override
    protected void hadamardImpl(BufferMatrix a, BufferMatrix b, BufferMatrix c, long repeat) {
        JavaElementwise.hadamard(a.dtype(), segment(a), segment(b), segment(c), a.rows(), a.cols(), repeat);
    }

    @Override
    protected void sumImpl(BufferMatrix m, int axis, BufferMatrix out) {
        JavaElementwise.sum(m.dtype(), segment(m), m.rows(), m.cols(), axis, segment(out));
    }

    @Override
    protected void dualLayersImpl(Activation phi, double sigmaW2, double sigmaB2, BufferMatrix q1, BufferMatrix q2,
            BufferMatrix k, BufferMatrix theta) {
        JavaDualLayers.run(phi, sigmaW2, sigmaB2, segment(q1), segment(q2), Math.toIntExact(q1.cols()), k.dtype(),
                segment(k), theta == null ? null : segment(theta), k.rows(), k.cols());
    }

    @Override
    protected void jacobianLayersImpl(Activation phi, double sigmaW2, double sigmaB2, double c0, BufferMatrix q1,
            BufferMatrix q2, BufferMatrix pairs, BufferMatrix jets, boolean ntk) {
        JavaJacobianLayers.run(phi, sigmaW2, sigmaB2, c0, segment(q1), q2 == null ? null : segment(q2), segment(pairs),
                segment(jets), jets.rows(), pairs.cols() / 3, Math.toIntExact((q1.cols() - 1) / 2), ntk);
    }

    @Override
    protected void signBitsImpl(BufferMatrix z, long words, MemorySegment out) {
        JavaElementwise.signBits(z.dtype(), segment(z), z.rows(), z.cols(), words, out);
    }

    /**
     * {@inheritDoc}
     *
     * <p>For this backend: the physical memory available ({@link HostMemory#availablePhysical()}), but at
     * most {@link #WORKING_SET_BYTES}. Tiles sized to "all that is free" are slower, not faster, on the
     * CPU: every fresh tile buffer is faulted in page by page, and tiles larger than the C allocator's
     * mmap threshold are returned to the system and faulted in again for the next tile (measured in
     * bench/RESULTS.md, "Memory").
     */
    @Override
    protected long availableMemoryImpl() {
        return Math.min(HostMemory.availablePhysical(), WORKING_SET_BYTES);
    }


    @Override
    protected void closeImpl() {
        pool.drain();
    }
}
