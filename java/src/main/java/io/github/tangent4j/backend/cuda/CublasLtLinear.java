package io.github.tangent4j.backend.cuda;

import static io.github.tangent4j.backend.cuda.Native.C_INT;
import static io.github.tangent4j.backend.cuda.Native.C_LONG;
import static io.github.tangent4j.backend.cuda.Native.C_POINTER;

import io.github.tangent4j.backend.BackendException;
import io.github.tangent4j.backend.internal.BufferMatrix;
import io.github.tangent4j.nn.Activation;
import io.github.tangent4j.tensor.DType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongFunction;

/**
 * The CUDA backend's dense layers through cuBLASLt: {@code out = phi(alpha x w^T + bias)} as one
 * {@code cublasLtMatmul} with a fused epilogue, where that gives the same values as the unfused
 * primitives (cuBLAS GEMM, bias kernel, activation kernel).
 *
 * <p>What is fused:
 * <ul>
 * <li>ReLU with or without bias: {@code CUBLASLT_EPILOGUE_RELU[_BIAS]}, and, when the pre-activation
 * signs are wanted, {@code CUBLASLT_EPILOGUE_RELU_AUX[_BIAS]}, whose bit mask (column-major, one bit per
 * element, leading dimension a multiple of 128 bits) is, in the row-major view, one row of
 * {@code ceil(out / 128) * 2} little-endian 64-bit words per example: {@link
 * io.github.tangent4j.backend.Backend#signBits}'s layout with possibly one more word per row, which is
 * dropped, and padding bits, which are cleared. Only where a one-time probe per dtype on this device
 * showed that the epilogue propagates NaN (relu(NaN) = NaN, as PyTorch and the other backends) and
 * that the bit mask is set exactly where z &gt; 0; NVIDIA documents the ReLU epilogue as max(x, 0),
 * which on a GPU gives 0 for NaN, so on such a device ReLU is not fused and the next case applies.
 * <li>Any other activation, with a bias: {@code CUBLASLT_EPILOGUE_BIAS}; the caller applies the
 * activation (and takes the signs) with its kernels.
 * <li>No bias and no fusable activation: nothing ({@link Fused#NONE}); the caller runs its GEMM.
 * </ul>
 * A plan (descriptors, layouts and the heuristic's algorithm) is kept per dtype, shape, epilogue and
 * pointer alignment. CUBLAS_STATUS_NOT_SUPPORTED from the heuristic or the matmul marks that plan
 * unsupported (remembered) and the caller falls back; a missing libcublasLt or a failing
 * {@code cublasLtCreate} disables cuBLASLt for the backend. Other failures throw as cuBLAS's do
 * ({@link Cublas#check}: ALLOC_FAILED is a {@link io.github.tangent4j.backend.DeviceOutOfMemoryException}).
 *
 * <p>Used by one thread at a time, like its backend; {@link #close()} frees the handle, the plans and
 * the device workspace.
 */
final class CublasLtLinear implements AutoCloseable {
    /** What {@link #apply} computed. */
    enum Fused {
        /** Nothing: the caller computes the whole layer. */
        NONE,
        /** {@code alpha x w^T + bias}: the caller still takes the signs and applies phi. */
        BIAS,
        /** The whole layer, with the signs when they were asked for. */
        ALL
    }

    /** Workspace offered to the heuristic: NVIDIA recommends 32 MiB on Hopper; allocated only when an algorithm needs it. */
    static final long MAX_WORKSPACE_BYTES = 32L << 20;
    private static final int MAX_PLANS = 64;

    private final MemorySegment stream;
    private final boolean tf32;
    private final LongFunction<DeviceBuffer> allocator;
    private final Arena arena = Arena.ofAuto();
    private final MemorySegment scratch = arena.allocate(64, 16);
    private final MemorySegment alpha = arena.allocate(16, 16);
    private final MemorySegment beta = arena.allocate(16, 16);
    private final MemorySegment heuristic = arena.allocate(CublasLt.HEURISTIC_RESULT_BYTES, 16);
    private final Map<Key, Plan> plans = new HashMap<>();
    private final Map<DType, Boolean> reluVerified = new EnumMap<>(DType.class);
    private final Map<DType, Boolean> maskVerified = new EnumMap<>(DType.class);
    private MemorySegment handle;
    private String disabled;
    private final GrowingBuffer workspace;
    private final GrowingBuffer mask;

    /**
     * @param stream    the backend's stream
     * @param tf32      whether F32 products may use TF32 tensor cores ({@code CUBLAS_COMPUTE_32F_FAST_TF32})
     * @param allocator device memory for the workspace, the bit mask and the probes, freed by this object
     */
    CublasLtLinear(MemorySegment stream, boolean tf32, LongFunction<DeviceBuffer> allocator) {
        this.stream = stream;
        this.tf32 = tf32;
        this.allocator = allocator;
        this.workspace = new GrowingBuffer(allocator);
        this.mask = new GrowingBuffer(allocator);
    }

    /** Null while cuBLASLt is usable or untried, else why not (the library is missing, or cublasLtCreate failed). */
    String disabled() {
        return disabled;
    }

    /** The library's version as {@code major.minor.patch}, or null when it is not usable. */
    static String version() {
        if (!CublasLt.LIBRARY.isAvailable()) {
            return null;
        }
        long v = CublasLt.cublasLtGetVersion();
        return v / 10000 + "." + v / 100 % 100 + "." + v % 100;
    }

    private boolean open() {
        if (handle != null) {
            return true;
        }
        if (disabled != null) {
            return false;
        }
        if (!CublasLt.LIBRARY.isAvailable()) {
            disabled = CublasLt.LIBRARY.problem();
            return false;
        }
        int status = CublasLt.cublasLtCreate(scratch);
        if (status != Cublas.CUBLAS_STATUS_SUCCESS) {
            disabled = "cublasLtCreate failed: " + Cublas.describe(status);
            return false;
        }
        handle = scratch.get(C_POINTER, 0);
        return true;
    }

    /**
     * Computes as much of {@code out = phi(alpha x w^T + bias)} as fuses (see the class comment) on
     * checked, non-empty arguments; with {@code bits} not null and {@link Fused#ALL}, the signs of the
     * pre-activations too ({@code words} per row, host memory).
     */
    Fused apply(double alphaValue, BufferMatrix x, BufferMatrix w, BufferMatrix bias, Activation phi,
            BufferMatrix out, long words, MemorySegment bits) {
        if (alphaValue == 0 || x.cols() == 0 || x.cols() > Integer.MAX_VALUE || out.rows() > Integer.MAX_VALUE
                || out.cols() > Integer.MAX_VALUE || !open()) {
            return Fused.NONE;
        }
        DType dtype = out.dtype();
        if (phi.kind() == Activation.Kind.RELU && (bits == null ? reluVerified(dtype) : maskVerified(dtype))) {
            int epilogue = bits == null ? (bias == null ? CublasLt.EPILOGUE_RELU : CublasLt.EPILOGUE_RELU_BIAS)
                    : (bias == null ? CublasLt.EPILOGUE_RELU_AUX : CublasLt.EPILOGUE_RELU_AUX_BIAS);
            MemorySegment aux = bits == null ? MemorySegment.NULL : maskFor(out);
            if (matmul(epilogue, alphaValue, x, w, bias, out, aux)) {
                if (bits != null) {
                    readMask(aux, out.rows(), out.cols(), words, bits);
                }
                return Fused.ALL;
            }
        }
        if (bias != null && matmul(CublasLt.EPILOGUE_BIAS, alphaValue, x, w, bias, out, MemorySegment.NULL)) {
            return Fused.BIAS;
        }
        return Fused.NONE;
    }

    // ---------------------------------------------------------------- plans

    /**
     * What a plan depends on: the alignments matter because the heuristic picks kernels by them (the
     * bias's from the pointer set when the plan is made).
     */
    private record Key(DType dtype, long rows, long cols, long inner, int epilogue, int alignX, int alignW,
            int alignOut, int alignBias) {
    }

    /** Descriptors and the chosen algorithm; {@code unsupported} when cuBLASLt declined. */
    private record Plan(MemorySegment desc, MemorySegment xLayout, MemorySegment wLayout, MemorySegment outLayout,
            MemorySegment algo, long workspaceBytes, boolean unsupported) {
    }

    private static int alignment(long address) {
        return (int) Math.min(256, Long.lowestOneBit(address | 256));
    }

    /**
     * Runs one matmul with the epilogue; false (and the plan remembered as unsupported) when cuBLASLt
     * answers CUBLAS_STATUS_NOT_SUPPORTED, so the caller falls back.
     */
    private boolean matmul(int epilogue, double alphaValue, BufferMatrix x, BufferMatrix w, BufferMatrix bias,
            BufferMatrix out, MemorySegment aux) {
        return matmul(epilogue, alphaValue, out.dtype(), out.rows(), out.cols(), x.cols(), CudaBackend.address(x),
                CudaBackend.address(w), bias == null ? 0 : CudaBackend.address(bias), CudaBackend.address(out), aux);
    }

    /** {@link #matmul(int, double, BufferMatrix, BufferMatrix, BufferMatrix, BufferMatrix, MemorySegment)} on addresses. */
    private boolean matmul(int epilogue, double alphaValue, DType dtype, long rows, long cols, long inner,
            long xAddress, long wAddress, long biasAddress, long outAddress, MemorySegment aux) {
        Key key = new Key(dtype, rows, cols, inner, epilogue, alignment(xAddress), alignment(wAddress),
                alignment(outAddress), alignment(biasAddress));
        Plan plan = plans.get(key);
        if (plan == null) {
            plan = plan(key, biasAddress, aux);
            if (plans.size() >= MAX_PLANS) {
                clearPlans();
            }
            plans.put(key, plan);
        }
        if (plan.unsupported()) {
            return false;
        }
        setPointer(plan.desc(), CublasLt.MATMUL_DESC_BIAS_POINTER, biasAddress);
        setPointer(plan.desc(), CublasLt.MATMUL_DESC_EPILOGUE_AUX_POINTER, aux.address());
        boolean f64 = dtype == DType.F64;
        if (f64) {
            alpha.set(ValueLayout.JAVA_DOUBLE, 0, alphaValue);
            beta.set(ValueLayout.JAVA_DOUBLE, 0, 0);
        } else {
            alpha.set(ValueLayout.JAVA_FLOAT, 0, (float) alphaValue);
            beta.set(ValueLayout.JAVA_FLOAT, 0, 0);
        }
        MemorySegment ws = workspace(plan.workspaceBytes());
        MemorySegment o = MemorySegment.ofAddress(outAddress);
        // column-major view (see ColumnMajorGemm): out^T (cols x rows) = w (as stored, transposed) * x^T
        int status = CublasLt.cublasLtMatmul(handle, plan.desc(), alpha, MemorySegment.ofAddress(wAddress),
                plan.wLayout(), MemorySegment.ofAddress(xAddress), plan.xLayout(), beta, o, plan.outLayout(), o,
                plan.outLayout(), plan.algo(), ws, plan.workspaceBytes(), stream);
        if (status == CublasLt.CUBLAS_STATUS_NOT_SUPPORTED) {
            plans.put(key, new Plan(null, null, null, null, null, 0, true));
            destroy(plan);
            return false;
        }
        Cublas.check(status, "cublasLtMatmul");
        return true;
    }

    private Plan plan(Key key, long biasAddress, MemorySegment aux) {
        boolean f64 = key.dtype() == DType.F64;
        int type = f64 ? CublasLt.CUDA_R_64F : CublasLt.CUDA_R_32F;
        int compute = f64 ? CublasLt.CUBLAS_COMPUTE_64F
                : tf32 ? CublasLt.CUBLAS_COMPUTE_32F_FAST_TF32 : CublasLt.CUBLAS_COMPUTE_32F;
        MemorySegment desc = null;
        MemorySegment xLayout = null;
        MemorySegment wLayout = null;
        MemorySegment outLayout = null;
        MemorySegment pref = null;
        boolean done = false;
        try {
            Cublas.check(CublasLt.cublasLtMatmulDescCreate(scratch, compute, type), "cublasLtMatmulDescCreate");
            desc = scratch.get(C_POINTER, 0);
            setInt(desc, CublasLt.MATMUL_DESC_TRANSA, Cublas.CUBLAS_OP_T);
            setInt(desc, CublasLt.MATMUL_DESC_TRANSB, Cublas.CUBLAS_OP_N);
            setInt(desc, CublasLt.MATMUL_DESC_EPILOGUE, key.epilogue());
            setPointer(desc, CublasLt.MATMUL_DESC_BIAS_POINTER, biasAddress);
            setPointer(desc, CublasLt.MATMUL_DESC_EPILOGUE_AUX_POINTER, aux.address());
            if (aux.address() != 0) {
                scratch.set(C_LONG, 0, maskLeadingBits(key.cols()));
                Cublas.check(CublasLt.cublasLtMatmulDescSetAttribute(desc, CublasLt.MATMUL_DESC_EPILOGUE_AUX_LD,
                        scratch, 8), "cublasLtMatmulDescSetAttribute(EPILOGUE_AUX_LD)");
            }
            // row-major w (cols x inner) is column-major inner x cols; x (rows x inner) is inner x rows
            wLayout = layout(type, key.inner(), key.cols());
            xLayout = layout(type, key.inner(), key.rows());
            outLayout = layout(type, key.cols(), key.rows());
            Cublas.check(CublasLt.cublasLtMatmulPreferenceCreate(scratch), "cublasLtMatmulPreferenceCreate");
            pref = scratch.get(C_POINTER, 0);
            scratch.set(C_LONG, 0, MAX_WORKSPACE_BYTES);
            Cublas.check(CublasLt.cublasLtMatmulPreferenceSetAttribute(pref, CublasLt.MATMUL_PREF_MAX_WORKSPACE_BYTES,
                    scratch, 8), "cublasLtMatmulPreferenceSetAttribute(MAX_WORKSPACE_BYTES)");
            // cuBLASLt's A is w, B is x, C and D are out
            int[] alignments = {key.alignW(), key.alignX(), key.alignOut(), key.alignOut()};
            for (int i = 0; i < 4; i++) {
                scratch.set(C_INT, 0, alignments[i]);
                Cublas.check(CublasLt.cublasLtMatmulPreferenceSetAttribute(pref,
                        CublasLt.MATMUL_PREF_MIN_ALIGNMENT_A_BYTES + i, scratch, 4),
                        "cublasLtMatmulPreferenceSetAttribute(MIN_ALIGNMENT)");
            }
            int status = CublasLt.cublasLtMatmulAlgoGetHeuristic(handle, desc, wLayout, xLayout, outLayout, outLayout,
                    pref, 1, heuristic, scratch);
            if (status == CublasLt.CUBLAS_STATUS_NOT_SUPPORTED || (status == Cublas.CUBLAS_STATUS_SUCCESS
                    && (scratch.get(C_INT, 0) < 1
                            || heuristic.get(C_INT, CublasLt.HEURISTIC_STATE_OFFSET) != Cublas.CUBLAS_STATUS_SUCCESS))) {
                return new Plan(null, null, null, null, null, 0, true);
            }
            Cublas.check(status, "cublasLtMatmulAlgoGetHeuristic");
            MemorySegment algo = arena.allocate(CublasLt.ALGO_BYTES, 16);
            algo.copyFrom(heuristic.asSlice(0, CublasLt.ALGO_BYTES));
            long bytes = heuristic.get(C_LONG, CublasLt.HEURISTIC_WORKSPACE_OFFSET);
            done = true;
            return new Plan(desc, xLayout, wLayout, outLayout, algo, bytes, false);
        } finally {
            if (pref != null) {
                CublasLt.cublasLtMatmulPreferenceDestroy(pref);
            }
            if (!done) {
                destroy(new Plan(desc, xLayout, wLayout, outLayout, null, 0, false));
            }
        }
    }

    private MemorySegment layout(int type, long rows, long cols) {
        Cublas.check(CublasLt.cublasLtMatrixLayoutCreate(scratch, type, rows, cols, Math.max(rows, 1)),
                "cublasLtMatrixLayoutCreate");
        return scratch.get(C_POINTER, 0);
    }

    private void setInt(MemorySegment desc, int attribute, int value) {
        scratch.set(C_INT, 0, value);
        Cublas.check(CublasLt.cublasLtMatmulDescSetAttribute(desc, attribute, scratch, 4),
                "cublasLtMatmulDescSetAttribute(" + attribute + ")");
    }

    private void setPointer(MemorySegment desc, int attribute, long address) {
        scratch.set(C_LONG, 0, address);
        Cublas.check(CublasLt.cublasLtMatmulDescSetAttribute(desc, attribute, scratch, 8),
                "cublasLtMatmulDescSetAttribute(" + attribute + ")");
    }

    private static void destroy(Plan p) {
        if (p.desc() != null) {
            CublasLt.cublasLtMatmulDescDestroy(p.desc());
        }
        for (MemorySegment layout : new MemorySegment[] {p.xLayout(), p.wLayout(), p.outLayout()}) {
            if (layout != null) {
                CublasLt.cublasLtMatrixLayoutDestroy(layout);
            }
        }
    }

    private void clearPlans() {
        plans.values().forEach(CublasLtLinear::destroy);
        plans.clear();
    }

    // ---------------------------------------------------------------- device memory

    private MemorySegment workspace(long bytes) {
        if (bytes == 0) {
            return MemorySegment.NULL;
        }
        return workspace.atLeast(bytes);
    }

    /** The bit mask's leading dimension in bits for {@code cols} units: a multiple of 128. */
    static long maskLeadingBits(long cols) {
        return Math.max(1, (cols + CublasLt.AUX_LD_MULTIPLE - 1) / CublasLt.AUX_LD_MULTIPLE) * CublasLt.AUX_LD_MULTIPLE;
    }

    private MemorySegment maskFor(BufferMatrix out) {
        long bytes = out.rows() * maskLeadingBits(out.cols()) / 8;
        return mask.atLeast(bytes);
    }

    /** Copies the bit mask of a rows x cols output to {@code bits} in signBits's layout: padding dropped and cleared. */
    private void readMask(MemorySegment aux, long rows, long cols, long words, MemorySegment bits) {
        long ldWords = maskLeadingBits(cols) / 64;
        try (Arena staging = Arena.ofConfined()) {
            MemorySegment host = ldWords == words && bits.isNative() ? bits
                    : staging.allocate(rows * ldWords * Long.BYTES, 64);
            CudaRuntime.check(CudaRuntime.cudaMemcpyAsync(host, aux, rows * ldWords * Long.BYTES,
                    CudaRuntime.MEMCPY_DEVICE_TO_HOST, stream), "cudaMemcpyAsync(device to host)");
            CudaRuntime.check(CudaRuntime.cudaStreamSynchronize(stream), "cudaStreamSynchronize");
            long tail = cols % 64 == 0 ? -1L : (1L << (cols % 64)) - 1;
            for (long i = 0; i < rows; i++) {
                if (host != bits) {
                    MemorySegment.copy(host, i * ldWords * Long.BYTES, bits, i * words * Long.BYTES, words * Long.BYTES);
                }
                long at = (i * words + words - 1) * Long.BYTES;
                bits.set(ValueLayout.JAVA_LONG_UNALIGNED, at, bits.get(ValueLayout.JAVA_LONG_UNALIGNED, at) & tail);
            }
        }
    }

    // ---------------------------------------------------------------- probes

    private boolean reluVerified(DType dtype) {
        if (!reluVerified.containsKey(dtype)) {
            probe(dtype);
        }
        return reluVerified.get(dtype);
    }

    private boolean maskVerified(DType dtype) {
        if (!maskVerified.containsKey(dtype)) {
            probe(dtype);
        }
        return maskVerified.get(dtype);
    }

    /**
     * Runs {@code relu(x w^T + b)} with the bit-mask epilogue on a 2 x 4 problem whose pre-activations
     * are {@code [1.5, -1, 0, NaN; -0.5, 1, -0, NaN]} and records whether the values (NaN kept, zeros for
     * the rest of the non-positive entries) and the bits ({@code 0001}, {@code 0010}) are those of the
     * unfused primitives. Any failure counts as "no".
     */
    private void probe(DType dtype) {
        boolean values = false;
        boolean signs = false;
        double nan = Double.NaN;
        double[] xs = {1, -1};
        double[] ws = {1, -1, 0, nan};
        double[] bs = {0.5, 0, 0, 0};
        int size = (int) dtype.byteSize();
        DeviceBuffer buffer = null;
        try (Arena host = Arena.ofConfined()) {
            // x (2 x 1) at 0, w (4 x 1) at 256, bias at 512, out (2 x 4) at 768, mask (2 x 128 bits) at 1024
            buffer = allocator.apply(1280);
            long base = buffer.address();
            MemorySegment staging = host.allocate(1280, 256);
            for (int i = 0; i < 4; i++) {
                put(staging, dtype, i < 2 ? i : -1, 0, xs);
                put(staging, dtype, i, 256, ws);
                put(staging, dtype, i, 512, bs);
            }
            staging.asSlice(1024, 32).fill((byte) 0xFF);
            CudaRuntime.check(CudaRuntime.cudaMemcpyAsync(MemorySegment.ofAddress(base), staging, 1280,
                    CudaRuntime.MEMCPY_HOST_TO_DEVICE, stream), "cudaMemcpyAsync(host to device)");
            if (matmul(CublasLt.EPILOGUE_RELU_AUX_BIAS, 1, dtype, 2, 4, 1, base, base + 256, base + 512, base + 768,
                    MemorySegment.ofAddress(base + 1024))) {
                CudaRuntime.check(CudaRuntime.cudaMemcpyAsync(staging, MemorySegment.ofAddress(base), 1280,
                        CudaRuntime.MEMCPY_DEVICE_TO_HOST, stream), "cudaMemcpyAsync(device to host)");
                CudaRuntime.check(CudaRuntime.cudaStreamSynchronize(stream), "cudaStreamSynchronize");
                double[] expected = {1.5, 0, 0, nan, 0, 1, 0, nan};
                values = true;
                for (int i = 0; i < 8; i++) {
                    double v = size == 8 ? staging.get(ValueLayout.JAVA_DOUBLE, 768 + 8L * i)
                            : staging.get(ValueLayout.JAVA_FLOAT, 768 + 4L * i);
                    values &= Double.isNaN(expected[i]) ? Double.isNaN(v) : v == expected[i];
                }
                // column j of the column-major mask starts at bit j * 128, i.e. byte 16 * j
                signs = values && (staging.get(ValueLayout.JAVA_BYTE, 1024) & 0xF) == 0b0001
                        && (staging.get(ValueLayout.JAVA_BYTE, 1040) & 0xF) == 0b0010;
            }
        } catch (BackendException e) {
            values = false;
            signs = false;
        } finally {
            if (buffer != null) {
                buffer.free();
            }
        }
        reluVerified.put(dtype, values);
        maskVerified.put(dtype, signs);
    }

    private static void put(MemorySegment s, DType dtype, int i, long offset, double[] values) {
        if (i < 0) {
            return;
        }
        if (dtype == DType.F64) {
            s.set(ValueLayout.JAVA_DOUBLE, offset + 8L * i, values[i]);
        } else {
            s.set(ValueLayout.JAVA_FLOAT, offset + 4L * i, (float) values[i]);
        }
    }

    // ---------------------------------------------------------------- lifetime

    @Override
    public void close() {
        clearPlans();
        workspace.close();
        mask.close();
        if (handle != null) {
            MemorySegment h = handle;
            handle = null;
            disabled = "closed";
            Cublas.check(CublasLt.cublasLtDestroy(h), "cublasLtDestroy");
        }
    }
}
