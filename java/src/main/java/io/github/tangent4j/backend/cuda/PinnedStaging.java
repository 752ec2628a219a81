package io.github.tangent4j.backend.cuda;

import static io.github.tangent4j.backend.cuda.Native.C_POINTER;

import io.github.tangent4j.backend.BackendException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.stream.LongStream;

/**
 * Host-device transfers of one {@link CudaBackend} through pinned (page-locked) staging memory, on
 * a copy stream of their own, in chunks that overlap the host-side copy with the DMA.
 *
 * <p>The staging memory is {@value #SLOTS} slots of {@code slotBytes} each, from one
 * {@code cudaMallocHost} made at the first transfer and freed by {@link #close()}; every transfer
 * reuses it. An upload copies chunk k of the source into a slot on the host, then enqueues
 * {@code cudaMemcpyAsync} of that slot on the copy stream and records the slot's event, so the
 * host copies chunk k + 1 into the other slot (in parts, on several cores) while chunk k crosses
 * the bus; before a slot is refilled the host waits for its event ({@code cudaEventSynchronize}).
 * A download runs the same pipeline the other way round: the copy of chunk k + 1 is enqueued
 * before the host copies chunk k out of its slot. Pinned memory is what lets the copies run
 * asynchronously at full bus speed; from pageable memory the driver stages through its own
 * buffers synchronously.
 *
 * <p>Ordering with the backend's compute stream uses events only. A download, and an upload into an
 * existing matrix, first make the copy stream wait for the work already enqueued on the compute
 * stream (a matrix written by a kernel, or memory the stream-ordered pool handed out there). An
 * upload into memory just allocated on the copy stream itself ({@link #stream()}) waits for nothing,
 * so it runs while the device computes on earlier matrices. Every upload ends by making the compute
 * stream wait for its last copy, so later kernels, GEMMs and stream-ordered frees come after it
 * without the host waiting. A download returns when the data is in host memory. A
 * failed copy waits for the copy stream to drain before it throws, so no copy is still writing
 * into memory the caller frees.
 *
 * <p>The emulated device queues pinned copies until something waits for them (native/README.md),
 * so the tests fail if a slot is refilled before its copy ran, if the compute stream does not
 * wait for an upload, or if a failed transfer is not drained before its matrix is freed.
 *
 * <p>Not thread-safe: used by its backend's one thread at a time, with the device current.
 */
final class PinnedStaging implements AutoCloseable {
    /** Number of staging slots: two, so one is filled while the other is copied. */
    static final int SLOTS = 2;
    /** Bytes per task of a parallel host copy into or out of a slot. */
    static final long PART = 1 << 20;
    /** A thread that is never started: memory it may access may be copied by pool threads. */
    private static final Thread OTHER_THREAD = Thread.ofPlatform().unstarted(() -> { });

    private final MemorySegment compute;
    private final long slotBytes;
    private final MemorySegment scratch;
    private MemorySegment copyStream;
    private MemorySegment pinned;
    private final MemorySegment[] slotDone = new MemorySegment[SLOTS];
    private MemorySegment computeReady;
    private MemorySegment copiesDone;

    /**
     * Staging for transfers ordered after {@code compute}; allocates nothing until the first transfer.
     *
     * @param compute   the backend's stream
     * @param slotBytes bytes per slot (the chunk size), at least 1
     */
    PinnedStaging(MemorySegment compute, long slotBytes) {
        if (slotBytes < 1) {
            throw new IllegalArgumentException("slotBytes: expected >= 1 but was " + slotBytes);
        }
        this.compute = compute;
        this.slotBytes = slotBytes;
        this.scratch = Arena.ofAuto().allocate(C_POINTER);
    }

    /** The copy stream, created (with the rest of the staging) at the first call. */
    MemorySegment stream() {
        open();
        return copyStream;
    }

    /**
     * Copies {@code bytes} of host memory {@code src} (heap or native) to device address {@code dst}.
     * Returns once the source has been read; the compute stream waits for the copies.
     *
     * @param afterCompute whether the copies wait for the work enqueued on the compute stream: false
     *                     only for memory allocated on {@link #stream()} and not used since
     */
    void upload(MemorySegment src, long dst, long bytes, boolean afterCompute) {
        if (bytes == 0) {
            return;
        }
        open();
        if (afterCompute) {
            follow(copyStream, compute, computeReady);
        }
        try {
            for (long off = 0, k = 0; off < bytes; off += slotBytes, k++) {
                int slot = (int) (k % SLOTS);
                long len = Math.min(slotBytes, bytes - off);
                CudaRuntime.check(CudaRuntime.cudaEventSynchronize(slotDone[slot]), "cudaEventSynchronize");
                MemorySegment stage = slot(slot, len);
                hostCopy(src.asSlice(off, len), stage);
                CudaRuntime.check(CudaRuntime.cudaMemcpyAsync(MemorySegment.ofAddress(dst + off), stage, len,
                        CudaRuntime.MEMCPY_HOST_TO_DEVICE, copyStream),
                        "cudaMemcpyAsync(host to device, chunk " + k + " of " + chunks(bytes) + ")");
                record(slotDone[slot], copyStream);
            }
        } catch (RuntimeException e) {
            throw drained(e);
        }
        follow(compute, copyStream, copiesDone);
    }

    /** Copies {@code bytes} from device address {@code src} into host memory {@code dst} (heap or native). */
    void download(long src, MemorySegment dst, long bytes) {
        if (bytes == 0) {
            return;
        }
        open();
        follow(copyStream, compute, computeReady);
        long chunks = chunks(bytes);
        try {
            enqueueDownload(src, bytes, 0, chunks);
            for (long k = 0; k < chunks; k++) {
                if (k + 1 < chunks) { // its slot was emptied by the host in the previous round
                    enqueueDownload(src, bytes, k + 1, chunks);
                }
                int slot = (int) (k % SLOTS);
                long off = k * slotBytes;
                long len = Math.min(slotBytes, bytes - off);
                CudaRuntime.check(CudaRuntime.cudaEventSynchronize(slotDone[slot]), "cudaEventSynchronize");
                hostCopy(slot(slot, len), dst.asSlice(off, len));
            }
        } catch (RuntimeException e) {
            throw drained(e);
        }
    }

    private void enqueueDownload(long src, long bytes, long k, long chunks) {
        int slot = (int) (k % SLOTS);
        long off = k * slotBytes;
        long len = Math.min(slotBytes, bytes - off);
        CudaRuntime.check(CudaRuntime.cudaMemcpyAsync(slot(slot, len), MemorySegment.ofAddress(src + off), len,
                CudaRuntime.MEMCPY_DEVICE_TO_HOST, copyStream),
                "cudaMemcpyAsync(device to host, chunk " + k + " of " + chunks + ")");
        record(slotDone[slot], copyStream);
    }

    /**
     * Copies host memory in parts of {@value #PART} bytes on the common fork-join pool: one core
     * copies memory more slowly than a PCIe link moves it. Memory only this thread may access (a
     * confined arena's) is copied by this thread.
     */
    private static void hostCopy(MemorySegment from, MemorySegment to) {
        long len = from.byteSize();
        long parts = (len + PART - 1) / PART;
        if (parts < 2 || !from.isAccessibleBy(OTHER_THREAD) || !to.isAccessibleBy(OTHER_THREAD)) {
            to.copyFrom(from);
            return;
        }
        LongStream.range(0, parts).parallel().forEach(p -> {
            long off = p * PART;
            long n = Math.min(PART, len - off);
            to.asSlice(off, n).copyFrom(from.asSlice(off, n));
        });
    }

    private long chunks(long bytes) {
        return (bytes + slotBytes - 1) / slotBytes;
    }

    private MemorySegment slot(int slot, long len) {
        return pinned.asSlice(slot * slotBytes, len);
    }

    /** Makes {@code waiter} wait (on the device) for the work enqueued so far on {@code stream}. */
    private static void follow(MemorySegment waiter, MemorySegment stream, MemorySegment event) {
        record(event, stream);
        CudaRuntime.check(CudaRuntime.cudaStreamWaitEvent(waiter, event, 0), "cudaStreamWaitEvent");
    }

    private static void record(MemorySegment event, MemorySegment stream) {
        CudaRuntime.check(CudaRuntime.cudaEventRecord(event, stream), "cudaEventRecord");
    }

    /** Waits for the copies already enqueued, so none outlives the failed call; returns {@code e}. */
    private RuntimeException drained(RuntimeException e) {
        int status = CudaRuntime.cudaStreamSynchronize(copyStream);
        if (status != CudaRuntime.CUDA_SUCCESS) {
            CudaRuntime.cudaGetLastError();
            e.addSuppressed(new BackendException("cudaStreamSynchronize(copy stream) failed: "
                    + CudaRuntime.describe(status)));
        }
        return e;
    }

    /** Creates the copy stream, the events and the pinned memory, undoing all of it if one step fails. */
    private void open() {
        if (pinned != null) {
            return;
        }
        try {
            CudaRuntime.check(CudaRuntime.cudaStreamCreate(scratch), "cudaStreamCreate(copy stream)");
            copyStream = scratch.get(C_POINTER, 0);
            for (int i = 0; i < SLOTS; i++) {
                slotDone[i] = event();
            }
            computeReady = event();
            copiesDone = event();
            long bytes = Math.multiplyExact(SLOTS, slotBytes);
            CudaRuntime.check(CudaRuntime.cudaMallocHost(scratch, bytes),
                    "cudaMallocHost(" + bytes + " bytes of pinned staging memory)");
            pinned = scratch.get(C_POINTER, 0).reinterpret(bytes);
        } catch (RuntimeException e) {
            try {
                close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private MemorySegment event() {
        CudaRuntime.check(CudaRuntime.cudaEventCreateWithFlags(scratch, CudaRuntime.EVENT_DISABLE_TIMING),
                "cudaEventCreateWithFlags");
        return scratch.get(C_POINTER, 0);
    }

    /**
     * Waits for the copy stream, frees the pinned memory and destroys the events and the stream
     * (whatever exists); reports the first failure after trying every step. Harmless to repeat.
     */
    @Override
    public void close() {
        RuntimeException failure = null;
        if (copyStream != null) {
            failure = step(failure, CudaRuntime.cudaStreamSynchronize(copyStream), "cudaStreamSynchronize(copy stream)");
        }
        if (pinned != null) {
            failure = step(failure, CudaRuntime.cudaFreeHost(pinned), "cudaFreeHost");
            pinned = null;
        }
        for (int i = 0; i < SLOTS; i++) {
            failure = destroy(failure, slotDone[i]);
            slotDone[i] = null;
        }
        failure = destroy(destroy(failure, computeReady), copiesDone);
        computeReady = null;
        copiesDone = null;
        if (copyStream != null) {
            failure = step(failure, CudaRuntime.cudaStreamDestroy(copyStream), "cudaStreamDestroy(copy stream)");
            copyStream = null;
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static RuntimeException destroy(RuntimeException failure, MemorySegment event) {
        return event == null ? failure : step(failure, CudaRuntime.cudaEventDestroy(event), "cudaEventDestroy");
    }

    private static RuntimeException step(RuntimeException failure, int status, String call) {
        try {
            CudaRuntime.check(status, call);
        } catch (RuntimeException e) {
            if (failure == null) {
                return e;
            }
            failure.addSuppressed(e);
        }
        return failure;
    }
}
