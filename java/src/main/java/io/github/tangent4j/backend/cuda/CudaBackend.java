package io.github.tangent4j.backend.cuda;

import static io.github.tangent4j.backend.cuda.Native.C_INT;
import static io.github.tangent4j.backend.cuda.Native.C_LONG;
import static io.github.tangent4j.backend.cuda.Native.C_POINTER;

import io.github.tangent4j.backend.BackendException;
import io.github.tangent4j.backend.internal.AbstractBackend;
import io.github.tangent4j.backend.internal.Buffer;
import io.github.tangent4j.backend.internal.BufferMatrix;
import io.github.tangent4j.backend.internal.DualKernel;
import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.tensor.DType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The CUDA backend: matrices in device memory, GEMMs in cuBLAS, elementwise operations in the
 * project's kernels (compiled by NVRTC at first use), all on one stream per backend with one cuBLAS
 * handle bound to it. FP32 GEMMs run in true FP32 unless TF32 is enabled ({@link Options#tf32()},
 * system property {@value #TF32_PROPERTY}).
 *
 * <p><b>Memory.</b> Matrices come from the device's default memory pool through the stream-ordered
 * {@code cudaMallocAsync}/{@code cudaFreeAsync} on the backend's stream: a free returns the block
 * to the pool without synchronising the device (as {@code cudaFree} does), and since the backend
 * sets the pool's release threshold ({@code cudaMemPoolAttrReleaseThreshold}) to "never", freed
 * blocks stay cached across synchronisations and serve the next allocation of a similar size, so
 * the per-layer and per-tile temporaries of a forward pass or a Jacobian sweep do not reach the
 * driver's allocator after the first tile. When an allocation fails with
 * {@code cudaErrorMemoryAllocation} while the pool holds cached blocks, the backend synchronises its
 * stream, gives the cached blocks back ({@code cudaMemPoolTrimTo(pool, 0)}) and retries once; a
 * second failure (or a failure with nothing cached) throws
 * {@link io.github.tangent4j.backend.DeviceOutOfMemoryException}, which {@link
 * io.github.tangent4j.backend.TileEngine} answers with smaller tiles. {@link #availableMemory()}
 * counts the cached blocks as available. Closing the backend trims the pool to zero. The default
 * pool is the device's, shared by every backend on it in the process (and by other libraries that
 * use it); a device without memory pools ({@code cudaDevAttrMemoryPoolsSupported} = 0) gets plain
 * {@code cudaMalloc}/{@code cudaFree}. {@link #allocate} zero-fills with one
 * {@code cudaMemsetAsync}; {@link #allocateUninitialised} does not touch the memory.
 *
 * <p><b>Transfers.</b> Uploads and downloads go through pinned staging memory on a second stream
 * in chunks of {@link Options#stagingBytes()}, the host copy of one chunk overlapping the DMA of
 * the next, ordered with the compute stream by events (see {@link PinnedStaging}); the staging
 * memory is allocated at the first transfer, reused by every later one and freed on close. A new
 * matrix for {@link #upload(io.github.tangent4j.tensor.Tensor)} is allocated on the copy stream, so its
 * copies run while the compute stream works on earlier matrices ({@link #overlapsTransfers()}; see
 * {@link io.github.tangent4j.backend.internal.StreamedRows}).
 *
 * <p>Like every backend it is used by one thread at a time; it makes the device's primary context
 * current on whichever thread calls it. Memory is freed only by the backend's own calls (closing
 * a matrix or the backend), never by a cleaner thread, which would have no CUDA context.
 */
public final class CudaBackend extends AbstractBackend {
    /** System property enabling TF32 tensor-core math for FP32 GEMMs ({@code true|false}, default false). */
    public static final String TF32_PROPERTY = "tangent4j.cuda.tf32";
    /** System property choosing the device ordinal (default 0). */
    public static final String DEVICE_PROPERTY = "tangent4j.cuda.device";
    /** System property setting the chunk of a host-device transfer in bytes (default 8 MiB). */
    public static final String STAGING_PROPERTY = "tangent4j.cuda.stagingBytes";

    /**
     * Construction options.
     *
     * @param device       the device ordinal
     * @param tf32         whether FP32 GEMMs may use TF32 tensor cores (about 10 mantissa bits)
     * @param stagingBytes bytes per chunk of a host-device transfer; the backend pins
     *                     {@value PinnedStaging#SLOTS} times as much host memory for staging
     */
    public record Options(int device, boolean tf32, long stagingBytes) {
        /** Default chunk of a transfer: 8 MiB (large enough for full PCIe bandwidth, small enough to overlap). */
        public static final long DEFAULT_STAGING_BYTES = 8L << 20;

        /** Validates the ordinal and the chunk size. */
        public Options {
            if (device < 0) {
                throw new IllegalArgumentException("device: expected an ordinal >= 0 but was " + device);
            }
            if (stagingBytes < 1) {
                throw new IllegalArgumentException("stagingBytes: expected >= 1 but was " + stagingBytes);
            }
        }

        /** Options with the default chunk of {@link #DEFAULT_STAGING_BYTES}. */
        public Options(int device, boolean tf32) {
            this(device, tf32, DEFAULT_STAGING_BYTES);
        }

        /**
         * Options from {@value #DEVICE_PROPERTY}, {@value #TF32_PROPERTY} and {@value #STAGING_PROPERTY}
         * (device 0, no TF32, {@link #DEFAULT_STAGING_BYTES} by default).
         */
        public static Options fromSystemProperties() {
            String d = System.getProperty(DEVICE_PROPERTY, "0").trim();
            int device;
            try {
                device = Integer.parseInt(d);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("-D" + DEVICE_PROPERTY + ": expected a device ordinal but was '"
                        + d + "'");
            }
            String b = System.getProperty(STAGING_PROPERTY, Long.toString(DEFAULT_STAGING_BYTES)).trim();
            long staging;
            try {
                staging = Long.parseLong(b);
            } catch (NumberFormatException e) {
                staging = 0;
            }
            if (staging < 1) {
                throw new IllegalArgumentException("-D" + STAGING_PROPERTY + ": expected a byte count >= 1 but was '"
                        + b + "'");
            }
            return new Options(device, Boolean.parseBoolean(System.getProperty(TF32_PROPERTY, "false").trim()),
                    staging);
        }
    }

    private final Options options;
    private final CudaDevice device;
    private final MemorySegment stream;
    private final MemorySegment cublas;
    /** The device's default memory pool, or NULL when the device has none (then cudaMalloc/cudaFree). */
    private final MemorySegment pool;
    private final PinnedStaging staging;
    private final String description;
    private final MemorySegment scratch;
    private final KernelArgs args;
    private final CublasLtLinear lt;
    private KernelModule kernels;

    /** A backend with {@link Options#fromSystemProperties()}. */
    public CudaBackend() {
        this(Options.fromSystemProperties());
    }

    /**
     * A backend on {@code options.device()}.
     *
     * @throws BackendException naming the missing library, the failing call and its error
     */
    public CudaBackend(Options options) {
        this.options = options;
        CudaProbe.requireLibraries();
        Arena arena = Arena.ofAuto();
        scratch = arena.allocate(64, 16);
        args = new KernelArgs(arena);
        device = CudaDevice.open(options.device());
        MemorySegment s = null;
        MemorySegment h = null;
        try {
            CudaRuntime.check(CudaRuntime.cudaStreamCreate(scratch), "cudaStreamCreate");
            s = scratch.get(C_POINTER, 0);
            Cublas.check(Cublas.cublasCreate_v2(scratch), "cublasCreate_v2");
            h = scratch.get(C_POINTER, 0);
            Cublas.check(Cublas.cublasSetStream_v2(h, s), "cublasSetStream_v2");
            int mode = options.tf32() ? Cublas.CUBLAS_TF32_TENSOR_OP_MATH : Cublas.CUBLAS_DEFAULT_MATH;
            Cublas.check(Cublas.cublasSetMathMode(h, mode), "cublasSetMathMode");
            pool = memoryPool(options.device());
            description = describe(h);
        } catch (RuntimeException e) {
            if (h != null) {
                Cublas.cublasDestroy_v2(h);
            }
            if (s != null) {
                CudaRuntime.cudaStreamDestroy(s);
            }
            try {
                device.close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        stream = s;
        cublas = h;
        staging = new PinnedStaging(s, options.stagingBytes());
        lt = new CublasLtLinear(s, options.tf32(), bytes -> (DeviceBuffer) allocateBuffer(bytes));
    }

    /**
     * The device's default pool with its release threshold set to keep every freed block and without
     * internal dependencies, or NULL without pools. An upload allocates on the copy stream; with internal
     * dependencies allowed, the pool could hand it a block freed on the compute stream by making the copy
     * stream wait for that stream, up to the free, which may lie in the middle of the work the upload is
     * meant to overlap. Without them it takes blocks whose free has completed (or was ordered before by an
     * event), else new memory.
     */
    private MemorySegment memoryPool(int ordinal) {
        CudaRuntime.check(CudaRuntime.cudaDeviceGetAttribute(scratch, CudaRuntime.DEV_ATTR_MEMORY_POOLS_SUPPORTED,
                ordinal), "cudaDeviceGetAttribute(cudaDevAttrMemoryPoolsSupported)");
        if (scratch.get(C_INT, 0) == 0) {
            return MemorySegment.NULL;
        }
        CudaRuntime.check(CudaRuntime.cudaDeviceGetDefaultMemPool(scratch, ordinal), "cudaDeviceGetDefaultMemPool");
        MemorySegment p = scratch.get(C_POINTER, 0);
        scratch.set(C_LONG, 0, -1L); // UINT64_MAX: never release cached blocks at a synchronisation
        CudaRuntime.check(CudaRuntime.cudaMemPoolSetAttribute(p, CudaRuntime.MEM_POOL_ATTR_RELEASE_THRESHOLD, scratch),
                "cudaMemPoolSetAttribute(cudaMemPoolAttrReleaseThreshold)");
        scratch.set(C_INT, 0, 0);
        CudaRuntime.check(CudaRuntime.cudaMemPoolSetAttribute(p, CudaRuntime.MEM_POOL_REUSE_ALLOW_INTERNAL_DEPENDENCIES,
                scratch), "cudaMemPoolSetAttribute(cudaMemPoolReuseAllowInternalDependencies)");
        return p;
    }

    private String describe(MemorySegment handle) {
        CudaRuntime.check(CudaRuntime.cudaRuntimeGetVersion(scratch), "cudaRuntimeGetVersion");
        int runtime = scratch.get(C_INT, 0);
        CudaRuntime.check(CudaRuntime.cudaDriverGetVersion(scratch), "cudaDriverGetVersion");
        int driver = scratch.get(C_INT, 0);
        Cublas.check(Cublas.cublasGetVersion_v2(handle, scratch), "cublasGetVersion_v2");
        int blas = scratch.get(C_INT, 0);
        CudaRuntime.check(CudaRuntime.cudaMemGetInfo(scratch, scratch.asSlice(8)), "cudaMemGetInfo");
        long total = scratch.get(C_LONG, 8);
        String lightVersion = CublasLtLinear.version();
        return String.format("device %d: %s, compute capability %d.%d, %.1f GiB; CUDA runtime %s, driver %s, "
                + "cuBLAS %d.%d.%d, NVRTC %s; FP32 GEMM %s; %s", device.ordinal(), device.name(), device.major(),
                device.minor(), total / (double) (1L << 30), version(runtime), version(driver), blas / 10000,
                blas / 100 % 100, blas % 100, KernelCompiler.version(),
                options.tf32() ? "TF32 tensor cores" : "true FP32",
                lightVersion == null ? "no cuBLASLt (layers unfused)" : "cuBLASLt " + lightVersion);
    }

    private static String version(int v) {
        return v / 1000 + "." + v % 1000 / 10;
    }

    @Override
    public String name() {
        return "cuda";
    }

    /** True: transfers run on a copy stream of their own, beside the compute stream ({@link PinnedStaging}). */
    @Override
    public boolean overlapsTransfers() {
        return true;
    }

    @Override
    public String description() {
        return description;
    }

    /** The options this backend was created with. */
    public Options options() {
        return options;
    }

    // ---------------------------------------------------------------- memory

    /** The device address of a matrix's element (0, 0). */
    static long address(BufferMatrix m) {
        return ((DeviceBuffer) m.buffer()).address() + m.byteOffset();
    }

    private static MemorySegment pointer(BufferMatrix m) {
        return MemorySegment.ofAddress(address(m));
    }

    /** Makes this backend's context current on the calling thread before each call. */
    @Override
    protected void onEnter() {
        device.makeCurrent();
    }

    @Override
    protected Buffer allocateBuffer(long bytes) {
        return new DeviceBuffer(this, malloc(bytes, stream), bytes);
    }

    /**
     * Allocates on the copy stream: the upload that fills the memory is then ordered after the allocation
     * without waiting for the compute stream's work, and the compute stream waits for the upload (which
     * also orders it after the allocation, as a later stream-ordered free needs).
     */
    @Override
    protected Buffer allocateUploadBuffer(long bytes) {
        return new DeviceBuffer(this, malloc(bytes, staging.stream()), bytes);
    }

    /** Device memory ordered on {@code on} (a plain cudaMalloc without memory pools). */
    private long malloc(long bytes, MemorySegment on) {
        if (!hasPool()) {
            CudaRuntime.check(CudaRuntime.cudaMalloc(scratch, bytes), "cudaMalloc(" + bytes + " bytes)", bytes);
            return scratch.get(C_POINTER, 0).address();
        }
        int status = CudaRuntime.cudaMallocAsync(scratch, bytes, on);
        if (status == CudaRuntime.CUDA_ERROR_MEMORY_ALLOCATION) {
            CudaRuntime.cudaGetLastError();
            if (trimPool()) {
                status = CudaRuntime.cudaMallocAsync(scratch, bytes, on);
            }
        }
        CudaRuntime.check(status, "cudaMallocAsync(" + bytes + " bytes)", bytes);
        return scratch.get(C_POINTER, 0).address();
    }

    private boolean hasPool() {
        return pool.address() != 0;
    }

    /**
     * Waits for the stream (so its pending frees have reached the pool) and gives the pool's cached
     * blocks back to the device; whether there were any.
     */
    private boolean trimPool() {
        synchronize();
        long cached = poolAttribute(CudaRuntime.MEM_POOL_ATTR_RESERVED_MEM_CURRENT)
                - poolAttribute(CudaRuntime.MEM_POOL_ATTR_USED_MEM_CURRENT);
        CudaRuntime.check(CudaRuntime.cudaMemPoolTrimTo(pool, 0), "cudaMemPoolTrimTo");
        return cached > 0;
    }

    private long poolAttribute(int attribute) {
        CudaRuntime.check(CudaRuntime.cudaMemPoolGetAttribute(pool, attribute, scratch), "cudaMemPoolGetAttribute");
        return scratch.get(C_LONG, 0);
    }

    /** Frees device memory (stream-ordered); called by {@link DeviceBuffer#release()} from this backend's calls. */
    void free(MemorySegment p) {
        device.makeCurrent();
        if (hasPool()) {
            CudaRuntime.check(CudaRuntime.cudaFreeAsync(p, stream), "cudaFreeAsync");
        } else {
            CudaRuntime.check(CudaRuntime.cudaFree(p), "cudaFree");
        }
    }

    @Override
    protected void copyIn(MemorySegment src, BufferMatrix dst) {
        staging.upload(src, address(dst), dst.byteSize(), true);
    }

    /** Without waiting for the compute stream: the matrix was allocated on the copy stream and never used. */
    @Override
    protected void copyInNew(MemorySegment src, BufferMatrix dst) {
        staging.upload(src, address(dst), dst.byteSize(), false);
    }

    @Override
    protected void copyOut(BufferMatrix src, MemorySegment dst) {
        staging.download(address(src), dst, src.byteSize());
    }

    @Override
    protected void copyDevice(BufferMatrix src, BufferMatrix dst) {
        long bytes = dst.byteSize();
        long from = address(src);
        long to = address(dst);
        if (from == to) {
            return;
        }
        if (from < to + bytes && to < from + bytes) { // overlapping views: memcpy is undefined, go through a copy
            long tmp = malloc(bytes, stream);
            try {
                deviceToDevice(from, tmp, bytes);
                deviceToDevice(tmp, to, bytes);
            } finally {
                free(MemorySegment.ofAddress(tmp)); // stream-ordered: after the copies (cudaFree would wait for them)
            }
            return;
        }
        deviceToDevice(from, to, bytes);
    }

    private void deviceToDevice(long from, long to, long bytes) {
        CudaRuntime.check(CudaRuntime.cudaMemcpyAsync(MemorySegment.ofAddress(to), MemorySegment.ofAddress(from), bytes,
                CudaRuntime.MEMCPY_DEVICE_TO_DEVICE, stream), "cudaMemcpyAsync(device to device)");
    }

    private void synchronize() {
        CudaRuntime.check(CudaRuntime.cudaStreamSynchronize(stream), "cudaStreamSynchronize");
    }

    @Override
    protected long availableMemoryImpl() {
        CudaRuntime.check(CudaRuntime.cudaMemGetInfo(scratch, scratch.asSlice(8)), "cudaMemGetInfo");
        long free = scratch.get(C_LONG, 0);
        if (!hasPool()) {
            return free;
        }
        // blocks cached by the pool are free for this backend's next allocations
        return free + poolAttribute(CudaRuntime.MEM_POOL_ATTR_RESERVED_MEM_CURRENT)
                - poolAttribute(CudaRuntime.MEM_POOL_ATTR_USED_MEM_CURRENT);
    }

    // ---------------------------------------------------------------- GEMM

    @Override
    protected void gemmImpl(int batch, boolean transA, boolean transB, long m, long n, long k, double alpha,
            BufferMatrix a, BufferMatrix b, double beta, BufferMatrix c) {
        ColumnMajorGemm g = ColumnMajorGemm.ofRowMajor(transA, transB, m, n, k, a.cols(), b.cols(), c.cols());
        MemorySegment alphaPtr = scratch.asSlice(0, 8);
        MemorySegment betaPtr = scratch.asSlice(8, 8);
        boolean f64 = c.dtype() == DType.F64;
        if (f64) {
            alphaPtr.set(ValueLayout.JAVA_DOUBLE, 0, alpha);
            betaPtr.set(ValueLayout.JAVA_DOUBLE, 0, beta);
        } else {
            alphaPtr.set(ValueLayout.JAVA_FLOAT, 0, (float) alpha);
            betaPtr.set(ValueLayout.JAVA_FLOAT, 0, (float) beta);
        }
        // cuBLAS sees the row-major operands swapped: first B, then A (see ColumnMajorGemm)
        MemorySegment first = pointer(b);
        MemorySegment second = pointer(a);
        MemorySegment out = pointer(c);
        if (batch == 1) {
            Cublas.check(Cublas.cublasGemm(f64, cublas, g.opFirst(), g.opSecond(), g.m(), g.n(), g.k(), alphaPtr,
                    first, g.ldFirst(), second, g.ldSecond(), betaPtr, out, g.ldc()),
                    f64 ? "cublasDgemm_v2" : "cublasSgemm_v2");
        } else {
            Cublas.check(Cublas.cublasGemmStridedBatched(f64, cublas, g.opFirst(), g.opSecond(), g.m(), g.n(), g.k(),
                    alphaPtr, first, g.ldFirst(), g.strideFirst(), second, g.ldSecond(), g.strideSecond(), betaPtr,
                    out, g.ldc(), g.strideC(), batch), f64 ? "cublasDgemmStridedBatched" : "cublasSgemmStridedBatched");
        }
    }

    /**
     * Fuses what cuBLASLt can of the layer ({@link CublasLtLinear}) and finishes the rest with the
     * kernels; the whole layer falls back to {@link AbstractBackend}'s composition when nothing fuses.
     */
    @Override
    protected void linearImpl(double alpha, BufferMatrix x, BufferMatrix w, BufferMatrix bias, Activation phi,
            BufferMatrix out, long words, MemorySegment bits) {
        switch (lt.apply(alpha, x, w, bias, phi, out, words, bits)) {
            case NONE -> super.linearImpl(alpha, x, w, bias, phi, out, words, bits);
            case BIAS -> finishLinear(phi, out, words, bits);
            case ALL -> {
                // cuBLASLt did the whole layer
            }
        }
    }

    // ---------------------------------------------------------------- kernels

    private void launch(Kernel kernel, DType dtype, long items, KernelArgs a) {
        if (kernels == null) {
            kernels = KernelModule.load(device);
        }
        kernels.launch(kernel, dtype, items, stream, a);
    }

    @Override
    protected void fillImpl(BufferMatrix m, double value) {
        if (Double.doubleToRawLongBits(value) == 0) { // +0.0 is all zero bytes in F32 and F64
            CudaRuntime.check(CudaRuntime.cudaMemsetAsync(pointer(m), 0, m.byteSize(), stream), "cudaMemsetAsync");
            return;
        }
        launch(Kernel.FILL, m.dtype(), m.size(), args.reset().pointer(address(m)).real(m.dtype(), value).i64(m.size()));
    }

    @Override
    protected void pointwiseImpl(Activation phi, boolean derivative, BufferMatrix z, BufferMatrix h) {
        launch(derivative ? Kernel.DERIVATIVE : Kernel.ACTIVATE, z.dtype(), z.size(), args.reset()
                .i32(phi.kind().ordinal()).real(z.dtype(), phi.slope()).pointer(address(z)).pointer(address(h))
                .i64(z.size()));
    }

    @Override
    protected void addRowVectorImpl(BufferMatrix m, BufferMatrix v) {
        launch(Kernel.ADD_ROW_VECTOR, m.dtype(), m.size(),
                args.reset().pointer(address(m)).pointer(address(v)).i64(m.rows()).i64(m.cols()));
    }

    @Override
    protected void scaleImpl(BufferMatrix m, BufferMatrix v, boolean rows) {
        launch(rows ? Kernel.SCALE_ROWS : Kernel.SCALE_COLS, m.dtype(), m.size(),
                args.reset().pointer(address(m)).pointer(address(v)).i64(m.rows()).i64(m.cols()));
    }

    @Override
    protected void hadamardImpl(BufferMatrix a, BufferMatrix b, BufferMatrix c, long repeat) {
        launch(Kernel.HADAMARD, a.dtype(), a.size(), args.reset().pointer(address(a)).pointer(address(b))
                .pointer(address(c)).i64(a.rows()).i64(a.cols()).i64(repeat));
    }

    @Override
    protected void sumImpl(BufferMatrix m, int axis, BufferMatrix out) {
        launch(axis == 0 ? Kernel.SUM_ROWS : Kernel.SUM_COLS, m.dtype(), axis == 0 ? m.cols() : m.rows(),
                args.reset().pointer(address(m)).pointer(address(out)).i64(m.rows()).i64(m.cols()));
    }

    @Override
    protected void dualLayersImpl(Activation phi, double sigmaW2, double sigmaB2, BufferMatrix q1, BufferMatrix q2,
            BufferMatrix k, BufferMatrix theta) {
        boolean erf = phi.kind() == Activation.Kind.ERF;
        launch(Kernel.DUAL_LAYERS, k.dtype(), k.size(), args.reset().i32(phi.kind().ordinal())
                .real(DType.F64, erf ? 0 : DualKernel.linearPart(phi)).real(DType.F64, sigmaW2).real(DType.F64, sigmaB2)
                .real(DType.F64, DualKernel.snapTolerance(k.dtype())).pointer(address(q1)).pointer(address(q2))
                .pointer(address(k)).pointer(theta == null ? 0 : address(theta)).i64(k.rows()).i64(k.cols())
                .i64(q1.cols()));
    }

    @Override
    protected void jacobianLayersImpl(Activation phi, double sigmaW2, double sigmaB2, double c0, BufferMatrix q1,
            BufferMatrix q2, BufferMatrix pairs, BufferMatrix jets, boolean ntk) {
        boolean erf = phi.kind() == Activation.Kind.ERF;
        long cols = pairs.cols() / 3;
        launch(Kernel.JACOBIAN_LAYERS, DType.F64, jets.rows() * cols, args.reset().i32(erf ? 1 : 0)
                .real(DType.F64, erf ? 0 : DualKernel.linearPart(phi)).real(DType.F64, sigmaW2).real(DType.F64, sigmaB2)
                .real(DType.F64, c0).i32(ntk ? 1 : 0).pointer(address(q1)).pointer(q2 == null ? 0 : address(q2))
                .pointer(address(pairs)).pointer(address(jets)).i64(jets.rows()).i64(cols).i64((q1.cols() - 1) / 2));
    }

    @Override
    protected void signBitsImpl(BufferMatrix z, long words, MemorySegment out) {
        long items = z.rows() * words;
        long bytes = items * Long.BYTES;
        long bits = malloc(bytes, stream);
        try {
            launch(Kernel.SIGN_BITS, z.dtype(), items, args.reset().pointer(address(z)).pointer(bits)
                    .i64(z.rows()).i64(z.cols()).i64(words));
            staging.download(bits, out, bytes);
        } finally {
            free(MemorySegment.ofAddress(bits));
        }
    }

    // ---------------------------------------------------------------- lifetime

    @Override
    protected void closeImpl() {
        device.makeCurrent();
        RuntimeException failure = null;
        Runnable[] steps = {
            this::synchronize,
            staging::close,
            () -> {
                if (kernels != null) {
                    kernels.close();
                }
            },
            lt::close,
            () -> Cublas.check(Cublas.cublasDestroy_v2(cublas), "cublasDestroy_v2"),
            () -> {
                if (hasPool()) { // every matrix has been freed: give the cached blocks back to the device
                    CudaRuntime.check(CudaRuntime.cudaMemPoolTrimTo(pool, 0), "cudaMemPoolTrimTo");
                }
            },
            () -> CudaRuntime.check(CudaRuntime.cudaStreamDestroy(stream), "cudaStreamDestroy"),
            device::close,
        };
        for (Runnable step : steps) {
            try {
                step.run();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
