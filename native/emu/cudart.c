/*
 * libcudart.so.13 stand-in: the runtime functions of include/cuda_runtime_subset.h on host memory.
 * Streams are synchronous (every call completes before it returns).
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

static cudaError_t copy(const char *call, void *dst, const void *src, size_t count, enum cudaMemcpyKind kind)
{
    cudaError_t e = enter();
    if (e != cudaSuccess) {
        return fail(e);
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
    memmove(dst, src, count);
    return cudaSuccess;
}

static int stream_ok(cudaStream_t stream)
{
    return stream == NULL || emu_handle_live(stream, EMU_STREAM);
}

cudaError_t cudaMemcpy(void *dst, const void *src, size_t count, enum cudaMemcpyKind kind)
{
    return copy("cudaMemcpy", dst, src, count, kind);
}

cudaError_t cudaMemcpyAsync(void *dst, const void *src, size_t count, enum cudaMemcpyKind kind, cudaStream_t stream)
{
    if (!stream_ok(stream)) {
        return fail(cudaErrorInvalidResourceHandle);
    }
    return copy("cudaMemcpyAsync", dst, src, count, kind);
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
    memset(devPtr, value & 0xFF, count);
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
    if (stream == NULL || emu_handle_remove(stream, EMU_STREAM) != 0) {
        return fail(cudaErrorInvalidResourceHandle);
    }
    free(stream);
    return cudaSuccess;
}

cudaError_t cudaStreamSynchronize(cudaStream_t stream)
{
    emu_runtime_touch();
    return stream_ok(stream) ? cudaSuccess : fail(cudaErrorInvalidResourceHandle);
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
