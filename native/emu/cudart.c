/*
 * libcudart.so.13 stand-in: the runtime functions of include/cuda_runtime_subset.h on host memory.
 * Everything runs at once except copies between device memory and pinned host memory on a created
 * stream, which are queued until something waits for them (see emu_state.h), so stream-ordered
 * frees take effect at once; the default memory pool keeps freed blocks cached and releases those
 * above its release threshold at every stream or event synchronisation.
 */
#include "cuda_runtime_subset.h"
#include "emu_state.h"

#include <stdlib.h>
#include <string.h>

/* The emulated runtime and driver report CUDA 13.0. */
#define EMU_CUDA_VERSION 13000

static __thread cudaError_t last_error = cudaSuccess;

/* Records a failure for cudaGetLastError and returns it. */
static cudaError_t fail(cudaError_t error)
{
    last_error = error;
    return error;
}

/* Runtime entry: initialises the driver and the thread's context; cudaErrorNoDevice without a device. */
static cudaError_t enter(void)
{
    emu_runtime_touch();
    return emu_device_count() > 0 ? cudaSuccess : cudaErrorNoDevice;
}

cudaError_t cudaGetDeviceCount(int *count)
{
    emu_runtime_touch();
    if (count == NULL) {
        return fail(cudaErrorInvalidValue);
    }
    *count = emu_device_count();
    return *count > 0 ? cudaSuccess : fail(cudaErrorNoDevice);
}

cudaError_t cudaGetDevice(int *device)
{
    cudaError_t e = enter();
    if (e != cudaSuccess) {
        return fail(e);
    }
    if (device == NULL) {
        return fail(cudaErrorInvalidValue);
    }
    *device = 0;
    return cudaSuccess;
}

cudaError_t cudaSetDevice(int device)
{
    cudaError_t e = enter();
    if (e != cudaSuccess) {
        return fail(e);
    }
    return device == 0 ? cudaSuccess : fail(cudaErrorInvalidDevice);
}

cudaError_t cudaDeviceGetAttribute(int *value, enum cudaDeviceAttr attr, int device)
{
    cudaError_t e = enter();
    if (e != cudaSuccess) {
        return fail(e);
    }
    if (device != 0) {
        return fail(cudaErrorInvalidDevice);
    }
    if (value == NULL) {
        return fail(cudaErrorInvalidValue);
    }
    return emu_device_attribute(attr, value) == 0 ? cudaSuccess : fail(cudaErrorInvalidValue);
}

cudaError_t cudaMalloc(void **devPtr, size_t size)
{
    cudaError_t e = enter();
    if (e != cudaSuccess) {
        return fail(e);
    }
    if (devPtr == NULL) {
        return fail(cudaErrorInvalidValue);
    }
    if (size == 0) {
        *devPtr = NULL;
        return cudaSuccess;
    }
    return emu_alloc(devPtr, size) == 0 ? cudaSuccess : fail(cudaErrorMemoryAllocation);
}

cudaError_t cudaFree(void *devPtr)
{
    emu_runtime_touch();
    if (devPtr == NULL) {
        return cudaSuccess;
    }
    emu_stream_flush(NULL); /* cudaFree synchronises the device */
    if (emu_free(devPtr) != 0) {
        emu_report("cudaFree(%p): not a live device allocation (double free?)", devPtr);
        return fail(cudaErrorInvalidValue);
    }
    return cudaSuccess;
}

/* Checks one side of a copy: device memory must hold the whole range, host memory must not be device memory. */
static int side_ok(const char *call, const char *side, const void *p, size_t count, int device)
{
    if (device ? emu_range_ok(p, count) : !emu_is_device(p)) {
        return 1;
    }
    emu_report(device ? "%s: %s [%p, +%zu bytes) is not inside one live device allocation"
                      : "%s: %s %p is device memory, but the copy kind says host (+%zu bytes)",
               call, side, p, count);
    return 0;
}

static cudaError_t copy(const char *call, void *dst, const void *src, size_t count, enum cudaMemcpyKind kind,
                        cudaStream_t stream)
{
    cudaError_t e = enter();
    if (e != cudaSuccess) {
        return fail(e);
    }
    int injected = emu_take_copy_failure();
    if (injected != 0) {
        emu_report("%s: injected failure %d", call, injected);
        return fail((cudaError_t)injected);
    }
    if ((unsigned)kind > cudaMemcpyDefault) {
        return fail(cudaErrorInvalidMemcpyDirection);
    }
    if (count == 0) {
        return cudaSuccess;
    }
    if (dst == NULL || src == NULL) {
        return fail(cudaErrorInvalidValue);
    }
    int dst_device = kind == cudaMemcpyDefault ? emu_is_device(dst)
                     : kind == cudaMemcpyHostToDevice || kind == cudaMemcpyDeviceToDevice;
    int src_device = kind == cudaMemcpyDefault ? emu_is_device(src)
                     : kind == cudaMemcpyDeviceToHost || kind == cudaMemcpyDeviceToDevice;
    if (!side_ok(call, "dst", dst, count, dst_device) || !side_ok(call, "src", src, count, src_device)) {
        return fail(cudaErrorInvalidValue);
    }
    /* Only a copy between the device and pinned memory on a created stream is asynchronous on a GPU;
       from or to pageable memory the call returns when the host side is done with. */
    if (stream != NULL && dst_device != src_device && emu_is_pinned(dst_device ? src : dst, count)) {
        return emu_enqueue_copy(stream, dst, src, count) == 0 ? cudaSuccess : fail(cudaErrorMemoryAllocation);
    }
    int error = emu_stream_flush(stream); /* the stream's earlier work first */
    if (error != 0) {
        return fail((cudaError_t)error);
    }
    memmove(dst, src, count);
    return cudaSuccess;
}

static int stream_ok(cudaStream_t stream)
{
    return stream == NULL || emu_handle_live(stream, EMU_STREAM);
}

cudaError_t cudaMemcpy(void *dst, const void *src, size_t count, enum cudaMemcpyKind kind)
{
    return copy("cudaMemcpy", dst, src, count, kind, NULL);
}

cudaError_t cudaMemcpyAsync(void *dst, const void *src, size_t count, enum cudaMemcpyKind kind, cudaStream_t stream)
{
    if (!stream_ok(stream)) {
        return fail(cudaErrorInvalidResourceHandle);
    }
    return copy("cudaMemcpyAsync", dst, src, count, kind, stream);
}

cudaError_t cudaMemsetAsync(void *devPtr, int value, size_t count, cudaStream_t stream)
{
    cudaError_t e = enter();
    if (e != cudaSuccess) {
        return fail(e);
    }
    if (!stream_ok(stream)) {
        return fail(cudaErrorInvalidResourceHandle);
    }
    if (count == 0) {
        return cudaSuccess;
    }
    if (!side_ok("cudaMemsetAsync", "devPtr", devPtr, count, 1)) {
        return fail(cudaErrorInvalidValue);
    }
    int error = emu_stream_flush(stream);
    if (error != 0) {
        return fail((cudaError_t)error);
    }
    memset(devPtr, value & 0xFF, count);
    emu_count_memset();
    return cudaSuccess;
}

cudaError_t cudaMemGetInfo(size_t *free, size_t *total)
{
    cudaError_t e = enter();
    if (e != cudaSuccess) {
        return fail(e);
    }
    if (free == NULL || total == NULL) {
        return fail(cudaErrorInvalidValue);
    }
    emu_mem_info(free, total);
    return cudaSuccess;
}

cudaError_t cudaStreamCreate(cudaStream_t *pStream)
{
    cudaError_t e = enter();
    if (e != cudaSuccess) {
        return fail(e);
    }
    if (pStream == NULL) {
        return fail(cudaErrorInvalidValue);
    }
    cudaStream_t stream = malloc(1);
    if (stream == NULL) {
        return fail(cudaErrorMemoryAllocation);
    }
    emu_handle_add(stream, EMU_STREAM);
    *pStream = stream;
    return cudaSuccess;
}

cudaError_t cudaStreamDestroy(cudaStream_t stream)
{
    emu_runtime_touch();
    if (stream == NULL || !emu_handle_live(stream, EMU_STREAM)) {
        return fail(cudaErrorInvalidResourceHandle);
    }
    emu_stream_flush(stream); /* a GPU finishes the stream's work before it releases the stream */
    emu_handle_remove(stream, EMU_STREAM);
    free(stream);
    return cudaSuccess;
}

cudaError_t cudaStreamSynchronize(cudaStream_t stream)
{
    emu_runtime_touch();
    if (!stream_ok(stream)) {
        return fail(cudaErrorInvalidResourceHandle);
    }
    int error = emu_stream_flush(stream);
    emu_pool_sync();
    return error == 0 ? cudaSuccess : fail((cudaError_t)error);
}

cudaError_t cudaStreamWaitEvent(cudaStream_t stream, cudaEvent_t event, unsigned int flags)
{
    emu_runtime_touch();
    if (!stream_ok(stream) || !emu_handle_live(event, EMU_EVENT)) {
        return fail(cudaErrorInvalidResourceHandle);
    }
    if (flags != 0 && flags != 1) {
        return fail(cudaErrorInvalidValue);
    }
    /* the waiting stream's later work needs the event's work done: run it now */
    int error = emu_event_flush(event);
    if (error != 0) {
        return fail((cudaError_t)error);
    }
    emu_count_stream_wait();
    return cudaSuccess;
}

/* ---- events: an event marks the work queued so far on its stream; waiting for it runs that work ---- */

cudaError_t cudaEventCreateWithFlags(cudaEvent_t *event, unsigned int flags)
{
    cudaError_t e = enter();
    if (e != cudaSuccess) {
        return fail(e);
    }
    if (event == NULL || (flags & ~0x0Fu) != 0) {
        return fail(cudaErrorInvalidValue);
    }
    cudaEvent_t created = malloc(1);
    if (created == NULL) {
        return fail(cudaErrorMemoryAllocation);
    }
    emu_handle_add(created, EMU_EVENT);
    *event = created;
    return cudaSuccess;
}

cudaError_t cudaEventDestroy(cudaEvent_t event)
{
    emu_runtime_touch();
    if (event == NULL || emu_handle_remove(event, EMU_EVENT) != 0) {
        return fail(cudaErrorInvalidResourceHandle);
    }
    emu_event_forget(event);
    free(event);
    return cudaSuccess;
}

cudaError_t cudaEventRecord(cudaEvent_t event, cudaStream_t stream)
{
    emu_runtime_touch();
    if (!stream_ok(stream) || !emu_handle_live(event, EMU_EVENT)) {
        return fail(cudaErrorInvalidResourceHandle);
    }
    emu_event_record(event, stream);
    return cudaSuccess;
}

cudaError_t cudaEventSynchronize(cudaEvent_t event)
{
    emu_runtime_touch();
    if (!emu_handle_live(event, EMU_EVENT)) {
        return fail(cudaErrorInvalidResourceHandle);
    }
    int error = emu_event_flush(event);
    emu_pool_sync();
    return error == 0 ? cudaSuccess : fail((cudaError_t)error);
}

/* ---- stream-ordered allocation and the default memory pool ---- */

static int pool_ok(cudaMemPool_t pool)
{
    return (void *)pool == emu_default_pool();
}

cudaError_t cudaMallocAsync(void **devPtr, size_t size, cudaStream_t hStream)
{
    cudaError_t e = enter();
    if (e != cudaSuccess) {
        return fail(e);
    }
    if (!stream_ok(hStream)) {
        return fail(cudaErrorInvalidResourceHandle);
    }
    if (devPtr == NULL) {
        return fail(cudaErrorInvalidValue);
    }
    if (size == 0) {
        *devPtr = NULL;
        return cudaSuccess;
    }
    switch (emu_pool_alloc(devPtr, size)) {
    case 0: return cudaSuccess;
    case 3: return fail(cudaErrorNotSupported);
    default: return fail(cudaErrorMemoryAllocation);
    }
}

cudaError_t cudaFreeAsync(void *devPtr, cudaStream_t hStream)
{
    emu_runtime_touch();
    if (!stream_ok(hStream)) {
        return fail(cudaErrorInvalidResourceHandle);
    }
    if (devPtr == NULL) {
        return cudaSuccess;
    }
    emu_stream_flush(hStream); /* work queued before the free on its own stream is ordered before it */
    const void *base;
    size_t bytes;
    if (emu_block_of(devPtr, &base, &bytes) && emu_pending_touch("cudaFreeAsync", base, bytes, hStream)) {
        return fail(cudaErrorInvalidValue);
    }
    switch (emu_pool_free(devPtr)) {
    case 0: return cudaSuccess;
    case 3:
        emu_report("cudaFreeAsync(%p): allocated by cudaMalloc, not cudaMallocAsync", devPtr);
        return fail(cudaErrorInvalidValue);
    default:
        emu_report("cudaFreeAsync(%p): not a live device allocation (double free?)", devPtr);
        return fail(cudaErrorInvalidValue);
    }
}

cudaError_t cudaDeviceGetDefaultMemPool(cudaMemPool_t *memPool, int device)
{
    cudaError_t e = enter();
    if (e != cudaSuccess) {
        return fail(e);
    }
    if (device != 0) {
        return fail(cudaErrorInvalidDevice);
    }
    if (memPool == NULL) {
        return fail(cudaErrorInvalidValue);
    }
    if (!emu_pools_supported()) {
        return fail(cudaErrorNotSupported);
    }
    *memPool = (cudaMemPool_t)emu_default_pool();
    return cudaSuccess;
}

cudaError_t cudaMemPoolSetAttribute(cudaMemPool_t memPool, enum cudaMemPoolAttr attr, void *value)
{
    emu_runtime_touch();
    if (!pool_ok(memPool) || value == NULL) {
        return fail(cudaErrorInvalidValue);
    }
    switch (attr) {
    case cudaMemPoolReuseAllowInternalDependencies:
        emu_pool_internal_dependencies(1, *(int *)value);
        return cudaSuccess;
    case cudaMemPoolAttrReleaseThreshold:
        emu_pool_set_threshold(*(unsigned long long *)value);
        return cudaSuccess;
    default: /* the current sizes are read-only */
        return fail(cudaErrorInvalidValue);
    }
}

cudaError_t cudaMemPoolGetAttribute(cudaMemPool_t memPool, enum cudaMemPoolAttr attr, void *value)
{
    emu_runtime_touch();
    if (!pool_ok(memPool) || value == NULL) {
        return fail(cudaErrorInvalidValue);
    }
    unsigned long long threshold, reserved, used;
    emu_pool_stats(&threshold, &reserved, &used);
    switch (attr) {
    case cudaMemPoolReuseAllowInternalDependencies: *(int *)value = emu_pool_internal_dependencies(0, 0); return cudaSuccess;
    case cudaMemPoolAttrReleaseThreshold: *(unsigned long long *)value = threshold; return cudaSuccess;
    case cudaMemPoolAttrReservedMemCurrent: *(unsigned long long *)value = reserved; return cudaSuccess;
    case cudaMemPoolAttrUsedMemCurrent: *(unsigned long long *)value = used; return cudaSuccess;
    default: return fail(cudaErrorInvalidValue);
    }
}

cudaError_t cudaMemPoolTrimTo(cudaMemPool_t memPool, size_t minBytesToKeep)
{
    emu_runtime_touch();
    if (!pool_ok(memPool)) {
        return fail(cudaErrorInvalidValue);
    }
    emu_pool_trim(minBytesToKeep);
    return cudaSuccess;
}

/* ---- pinned host memory ---- */

cudaError_t cudaMallocHost(void **ptr, size_t size)
{
    cudaError_t e = enter();
    if (e != cudaSuccess) {
        return fail(e);
    }
    if (ptr == NULL) {
        return fail(cudaErrorInvalidValue);
    }
    if (size == 0) {
        *ptr = NULL;
        return cudaSuccess;
    }
    return emu_host_alloc(ptr, size) == 0 ? cudaSuccess : fail(cudaErrorMemoryAllocation);
}

cudaError_t cudaFreeHost(void *ptr)
{
    emu_runtime_touch();
    if (ptr == NULL) {
        return cudaSuccess;
    }
    const void *base;
    size_t bytes;
    if (emu_block_of(ptr, &base, &bytes) && emu_pending_touch("cudaFreeHost", base, bytes, NULL)) {
        return fail(cudaErrorInvalidValue);
    }
    if (emu_host_free(ptr) != 0) {
        emu_report("cudaFreeHost(%p): not a live pinned allocation (double free?)", ptr);
        return fail(cudaErrorInvalidValue);
    }
    return cudaSuccess;
}

cudaError_t cudaGetLastError(void)
{
    cudaError_t error = last_error;
    last_error = cudaSuccess;
    return error;
}

cudaError_t cudaRuntimeGetVersion(int *runtimeVersion)
{
    if (runtimeVersion == NULL) {
        return fail(cudaErrorInvalidValue);
    }
    *runtimeVersion = EMU_CUDA_VERSION;
    return cudaSuccess;
}

cudaError_t cudaDriverGetVersion(int *driverVersion)
{
    if (driverVersion == NULL) {
        return fail(cudaErrorInvalidValue);
    }
    *driverVersion = EMU_CUDA_VERSION;
    return cudaSuccess;
}

/* Name and description of each code, as the real runtime reports them. */
static const struct {
    cudaError_t code;
    const char *name;
    const char *text;
} errors[] = {
    {cudaSuccess, "cudaSuccess", "no error"},
    {cudaErrorInvalidValue, "cudaErrorInvalidValue", "invalid argument"},
    {cudaErrorMemoryAllocation, "cudaErrorMemoryAllocation", "out of memory"},
    {cudaErrorInitializationError, "cudaErrorInitializationError", "initialization error"},
    {cudaErrorCudartUnloading, "cudaErrorCudartUnloading", "driver shutting down"},
    {cudaErrorInvalidDevicePointer, "cudaErrorInvalidDevicePointer", "invalid device pointer"},
    {cudaErrorInvalidMemcpyDirection, "cudaErrorInvalidMemcpyDirection", "invalid copy direction for memcpy"},
    {cudaErrorStubLibrary, "cudaErrorStubLibrary", "CUDA driver is a stub library"},
    {cudaErrorInsufficientDriver, "cudaErrorInsufficientDriver",
     "CUDA driver version is insufficient for CUDA runtime version"},
    {cudaErrorNoDevice, "cudaErrorNoDevice", "no CUDA-capable device is detected"},
    {cudaErrorInvalidDevice, "cudaErrorInvalidDevice", "invalid device ordinal"},
    {cudaErrorInvalidResourceHandle, "cudaErrorInvalidResourceHandle", "invalid resource handle"},
    {cudaErrorIllegalAddress, "cudaErrorIllegalAddress", "an illegal memory access was encountered"},
    {cudaErrorLaunchFailure, "cudaErrorLaunchFailure", "unspecified launch failure"},
    {cudaErrorNotSupported, "cudaErrorNotSupported", "operation not supported"},
    {cudaErrorUnknown, "cudaErrorUnknown", "unknown error"},
};

const char *cudaGetErrorString(cudaError_t error)
{
    for (size_t i = 0; i < sizeof errors / sizeof errors[0]; i++) {
        if (errors[i].code == error) {
            return errors[i].text;
        }
    }
    return "unrecognized error code";
}

const char *cudaGetErrorName(cudaError_t error)
{
    for (size_t i = 0; i < sizeof errors / sizeof errors[0]; i++) {
        if (errors[i].code == error) {
            return errors[i].name;
        }
    }
    return "unrecognized error code";
}
