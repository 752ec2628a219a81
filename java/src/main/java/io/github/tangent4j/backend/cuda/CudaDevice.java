package io.github.tangent4j.backend.cuda;

import static io.github.tangent4j.backend.cuda.Native.C_INT;
import static io.github.tangent4j.backend.cuda.Native.C_POINTER;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * One device and its primary context (shared by the runtime and driver APIs), retained for the
 * lifetime of a backend. A CUDA context is current per OS thread, and a backend may be used by
 * different threads one at a time: {@link #makeCurrent()} runs before every call that touches the
 * device.
 */
final class CudaDevice implements AutoCloseable {
    private final int ordinal;
    private final MemorySegment context;
    private final String name;
    private final int major;
    private final int minor;
    /**
     * The device object whose context was last made current on each thread. Compared by identity,
     * so a backend created after another released the context sets it again.
     */
    private static final ThreadLocal<CudaDevice> CURRENT = new ThreadLocal<>();

    private boolean released;

    private CudaDevice(int ordinal, MemorySegment context, String name, int major, int minor) {
        this.ordinal = ordinal;
        this.context = context;
        this.name = name;
        this.major = major;
        this.minor = minor;
    }

    /** Initialises the driver, retains device {@code ordinal}'s primary context and makes it current. */
    static CudaDevice open(int ordinal) {
        CudaDriver.check(CudaDriver.cuInit(0), "cuInit");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(C_INT);
            CudaDriver.check(CudaDriver.cuDeviceGet(out, ordinal), "cuDeviceGet(" + ordinal + ")");
            int device = out.get(C_INT, 0);
            MemorySegment nameBuf = arena.allocate(256);
            CudaDriver.check(CudaDriver.cuDeviceGetName(nameBuf, 256, device), "cuDeviceGetName");
            String name = nameBuf.getString(0);
            CudaDriver.check(CudaDriver.cuDeviceGetAttribute(out, CudaDriver.ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR,
                    device), "cuDeviceGetAttribute(COMPUTE_CAPABILITY_MAJOR)");
            int major = out.get(C_INT, 0);
            CudaDriver.check(CudaDriver.cuDeviceGetAttribute(out, CudaDriver.ATTRIBUTE_COMPUTE_CAPABILITY_MINOR,
                    device), "cuDeviceGetAttribute(COMPUTE_CAPABILITY_MINOR)");
            int minor = out.get(C_INT, 0);
            MemorySegment ctxOut = arena.allocate(C_POINTER);
            CudaDriver.check(CudaDriver.cuDevicePrimaryCtxRetain(ctxOut, device), "cuDevicePrimaryCtxRetain");
            CudaDevice d = new CudaDevice(device, ctxOut.get(C_POINTER, 0), name, major, minor);
            try {
                d.makeCurrent();
            } catch (RuntimeException e) {
                d.close();
                throw e;
            }
            return d;
        }
    }

    /**
     * Makes the primary context current on the calling thread unless it already is (as far as this
     * class set it; backends on different devices may share a thread). Virtual threads always set
     * it: they may move between OS threads, and contexts are current per OS thread.
     */
    void makeCurrent() {
        if (CURRENT.get() != this || Thread.currentThread().isVirtual()) {
            CudaDriver.check(CudaDriver.cuCtxSetCurrent(context), "cuCtxSetCurrent");
            CURRENT.set(this);
        }
    }

    /** The device ordinal. */
    int ordinal() {
        return ordinal;
    }

    /** The device's name, e.g. {@code NVIDIA H100 80GB HBM3}. */
    String name() {
        return name;
    }

    /** Compute capability, major part. */
    int major() {
        return major;
    }

    /** Compute capability, minor part. */
    int minor() {
        return minor;
    }

    /** Releases the primary context (once). */
    @Override
    public void close() {
        if (!released) {
            released = true;
            if (CURRENT.get() == this) {
                CURRENT.remove();
            }
            CudaDriver.check(CudaDriver.cuDevicePrimaryCtxRelease(ordinal), "cuDevicePrimaryCtxRelease");
        }
    }
}
