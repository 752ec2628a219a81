package io.github.tangent4j.backend.cuda;

import static io.github.tangent4j.backend.cuda.Native.C_POINTER;

import io.github.tangent4j.tensor.DType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.EnumMap;
import java.util.Map;

/**
 * The project's kernels loaded into one backend's context ({@code cuModuleLoadData} of the PTX
 * from {@link KernelCompiler}), with their function handles looked up at first use, and launched
 * on the backend's stream with the contract's grid: blockDim 256, gridDim
 * {@code min(ceil(items / 256), 65535)} (every kernel is a grid-stride loop).
 */
final class KernelModule implements AutoCloseable {
    static final int BLOCK = 256;
    static final long MAX_GRID = 65535;

    private final MemorySegment module;
    private final Map<Kernel, MemorySegment> f64 = new EnumMap<>(Kernel.class);
    private final Map<Kernel, MemorySegment> f32 = new EnumMap<>(Kernel.class);
    private boolean unloaded;

    private KernelModule(MemorySegment module) {
        this.module = module;
    }

    /** Compiles (or takes from the cache) and loads the kernels for {@code device}; its context must be current. */
    static KernelModule load(CudaDevice device) {
        byte[] ptx = KernelCompiler.ptx(device.major(), device.minor());
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment image = arena.allocate(ptx.length);
            image.copyFrom(MemorySegment.ofArray(ptx));
            MemorySegment out = arena.allocate(C_POINTER);
            CudaDriver.check(CudaDriver.cuModuleLoadData(out, image), "cuModuleLoadData");
            return new KernelModule(out.get(C_POINTER, 0));
        }
    }

    /** The function for {@code kernel} in {@code dtype}. */
    private MemorySegment function(Kernel kernel, DType dtype) {
        Map<Kernel, MemorySegment> table = dtype == DType.F64 ? f64 : f32;
        MemorySegment f = table.get(kernel);
        if (f == null) {
            String symbol = kernel.symbol(dtype);
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment out = arena.allocate(C_POINTER);
                CudaDriver.check(CudaDriver.cuModuleGetFunction(out, module, arena.allocateFrom(symbol)),
                        "cuModuleGetFunction(" + symbol + ")");
                f = out.get(C_POINTER, 0);
            }
            table.put(kernel, f);
        }
        return f;
    }

    /** Grid size for {@code items} work items. */
    static int grid(long items) {
        return (int) Math.min((items + BLOCK - 1) / BLOCK, MAX_GRID);
    }

    /**
     * Launches {@code kernel} over {@code items} (> 0) work items with the parameters in {@code args}.
     *
     * @throws io.github.tangent4j.backend.BackendException naming cuLaunchKernel, the kernel and the error
     */
    void launch(Kernel kernel, DType dtype, long items, MemorySegment stream, KernelArgs args) {
        MemorySegment f = function(kernel, dtype);
        int result = CudaDriver.cuLaunchKernel(f, grid(items), 1, 1, BLOCK, 1, 1, 0, stream, args.params(),
                MemorySegment.NULL);
        if (result != CudaDriver.CUDA_SUCCESS) {
            CudaDriver.check(result, "cuLaunchKernel(" + kernel.symbol(dtype) + ")");
        }
    }

    /** Unloads the module (once). */
    @Override
    public void close() {
        if (!unloaded) {
            unloaded = true;
            CudaDriver.check(CudaDriver.cuModuleUnload(module), "cuModuleUnload");
        }
    }
}
