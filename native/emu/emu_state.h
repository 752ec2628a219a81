/*
 * Internal interface of libt4j_emu.so: the state the four stand-in libraries share (device memory
 * registry, handles, the current context, injected failures). Not for tests: they use t4j_emu.h.
 */
#ifndef T4J_EMU_STATE_H
#define T4J_EMU_STATE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Kinds of handles counted for leak detection. */
enum emu_handle_kind { EMU_STREAM = 0, EMU_CUBLAS = 1, EMU_MODULE = 2, EMU_PROGRAM = 3, EMU_EVENT = 4,
                       EMU_CUBLASLT = 5, EMU_LT_DESCRIPTOR = 6 };

/** Allocates size bytes of "device" memory: 0 on success, 2 on (real or injected) exhaustion. */
int emu_alloc(void **ptr, size_t size);
/** Frees an allocation (a pool allocation goes back to its pool's cache): 0, or 1 when ptr is not a live allocation. */
int emu_free(void *ptr);
/**
 * Allocates from the default memory pool: a cached block of at least size bytes (and at most twice
 * as large) if there is one, else new device memory. 0, 2 on exhaustion, 3 when pools are not supported.
 */
int emu_pool_alloc(void **ptr, size_t size);
/** Returns a pool allocation to the pool's cache: 0, 1 when not a live allocation, 3 when not from the pool. */
int emu_pool_free(void *ptr);
/** Whether the device supports memory pools (cudaDevAttrMemoryPoolsSupported). */
int emu_pools_supported(void);
/** The address standing for the device's default pool. */
void *emu_default_pool(void);
/** Releases cached blocks until the pool holds at most keep bytes (in use + cached). */
void emu_pool_trim(size_t keep);
/** What a synchronisation does to the pool: releases cached blocks above the release threshold. */
void emu_pool_sync(void);
void emu_pool_set_threshold(unsigned long long bytes);
/**
 * cudaMemPoolReuseAllowInternalDependencies (1 by default, as on a GPU): sets it to value != 0 when set is
 * non-zero; returns the current value. Recorded only: the emulation's pool has no stream order to follow.
 */
int emu_pool_internal_dependencies(int set, int value);
void emu_pool_stats(unsigned long long *threshold, unsigned long long *reserved, unsigned long long *used);
/*
 * Asynchronous copies. A cudaMemcpyAsync between device memory and pinned host memory on a created
 * stream is queued and runs later: when the stream is synchronised, when an event recorded after it
 * is synchronised or waited for, or when another operation is issued on the same stream (operations
 * of one stream run in order). Everything else runs at once. Code that forgets a synchronisation
 * then sees stale data, as it would on a GPU.
 */
/** Whether [ptr, ptr + bytes) lies inside one live pinned host allocation. */
int emu_is_pinned(const void *ptr, size_t bytes);
/** Queues a checked copy on stream (not NULL): 0, or 2 when out of host memory. */
int emu_enqueue_copy(const void *stream, void *dst, const void *src, size_t bytes);
/**
 * Runs the queued copies of stream (every stream for NULL, the legacy default stream); returns 0,
 * or cudaErrorIllegalAddress when a queued copy found its memory freed (reported on stderr).
 */
int emu_stream_flush(const void *stream);
/** Remembers which queued work of stream the event marks. */
void emu_event_record(const void *event, const void *stream);
/** Runs the queued copies up to the event's record (nothing for an event never recorded); as emu_stream_flush. */
int emu_event_flush(const void *event);
void emu_event_forget(const void *event);
/** Whether a queued copy on a stream other than except touches [base, base + bytes); reports it on stderr. */
int emu_pending_touch(const char *call, const void *base, size_t bytes, const void *except);
/** The live allocation (device or pinned) holding ptr: its base and size, or 0. */
int emu_block_of(const void *ptr, const void **base, size_t *bytes);

/** Pinned host memory: 0, or 2 on (injected) exhaustion. */
int emu_host_alloc(void **ptr, size_t size);
/** 0, or 1 when ptr is not a live pinned allocation. */
int emu_host_free(void *ptr);
/** Whether [ptr, ptr + bytes) lies inside one live allocation (always true for bytes == 0). */
int emu_range_ok(const void *ptr, size_t bytes);
/** Whether ptr points into a live allocation. */
int emu_is_device(const void *ptr);
void emu_mem_info(size_t *free_bytes, size_t *total_bytes);

void emu_handle_add(const void *handle, int kind);
/** 0, or 1 when handle is not a live handle of that kind. */
int emu_handle_remove(const void *handle, int kind);
int emu_handle_live(const void *handle, int kind);

int emu_device_count(void);
/** The value of a device attribute (enum cudaDeviceAttr = CUdevice_attribute): 0, or 1 for an unknown one. */
int emu_device_attribute(int attribute, int *value);
/** The one device's primary context (an opaque, never dereferenced address). */
void *emu_primary_context(void);
void emu_context_retain(void);
/** 0, or 1 when there is no retain to release. */
int emu_context_release(void);
/** The calling thread's current context, or NULL. */
void *emu_current_context(void);
void emu_set_current_context(void *ctx);
/** Marks the driver initialised (cuInit or any runtime call) and makes the primary context current if none is. */
void emu_runtime_touch(void);
void emu_driver_init(void);
int emu_driver_initialized(void);

/** The armed failure code (0 if none), disarming it. */
int emu_take_launch_failure(void);
int emu_take_cublas_failure(void);
int emu_take_compile_failure(void);
/** Counts a copy call; returns the injected failure code if this is the armed k-th copy, else 0. */
int emu_take_copy_failure(void);
void emu_count_memset(void);
/** Counts a successful cudaStreamWaitEvent (t4j_emu_stream_wait_count). */
void emu_count_stream_wait(void);
/** Whether a wrong GEMM result is armed (t4j_emu_corrupt_next_gemm), disarming it. */
int emu_take_gemm_corruption(void);
/** Counts a launch or GEMM that ran (t4j_emu_launch_count, t4j_emu_gemm_count). */
void emu_count_launch(void);
void emu_count_gemm(void);
/** Counts a cublasLtMatmul that ran, remembering its epilogue (t4j_emu_lt_matmul_count, t4j_emu_lt_last_epilogue). */
void emu_count_lt_matmul(int epilogue);
/** Whether the cuBLASLt ReLU epilogues keep NaN (t4j_emu_set_lt_relu_keeps_nan); else they give 0. */
int emu_lt_relu_keeps_nan(void);

/** Prints "t4j-emu: <message>" on stderr (misuse a real GPU would not report as clearly). */
void emu_report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#ifdef __cplusplus
}
#endif

#endif /* T4J_EMU_STATE_H */
