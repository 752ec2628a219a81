/*
 * libcuda.so.1 stand-in: the driver functions of include/cuda_driver_subset.h. One device, whose
 * primary context is shared with the emulated runtime; modules are the kernel lists that the
 * emulated NVRTC writes (or real PTX text: its .entry names are read); launches run the kernels
 * compiled for the host (cuda_launch.c).
 */
#include "cuda_driver_subset.h"
#include "cuda_launch.h"
#include "emu_state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A loaded module: which kernels of emu_kernels it holds. */
struct CUmod_st {
    unsigned char has[64];
};

/* CUfunction handles are addresses of entries of emu_kernels (static, never freed). */
#define FUNCTION_OF(index) ((CUfunction)(void *)&emu_kernels[index])

static int live_modules;

static CUresult initialized(void)
{
    return emu_driver_initialized() ? CUDA_SUCCESS : CUDA_ERROR_NOT_INITIALIZED;
}

static CUresult device_ok(CUdevice dev)
{
    return dev == 0 && emu_device_count() > 0 ? CUDA_SUCCESS : CUDA_ERROR_INVALID_DEVICE;
}

/* Calls that need a current context on the calling thread. */
static CUresult context_ok(void)
{
    if (!emu_driver_initialized()) {
        return CUDA_ERROR_NOT_INITIALIZED;
    }
    return emu_current_context() != NULL ? CUDA_SUCCESS : CUDA_ERROR_INVALID_CONTEXT;
}

CUresult cuInit(unsigned int Flags)
{
    if (Flags != 0) {
        return CUDA_ERROR_INVALID_VALUE;
    }
    emu_driver_init();
    return emu_device_count() > 0 ? CUDA_SUCCESS : CUDA_ERROR_NO_DEVICE;
}

CUresult cuDeviceGet(CUdevice *device, int ordinal)
{
    CUresult e = initialized();
    if (e != CUDA_SUCCESS) {
        return e;
    }
    if (device == NULL) {
        return CUDA_ERROR_INVALID_VALUE;
    }
    e = device_ok(ordinal);
    if (e == CUDA_SUCCESS) {
        *device = ordinal;
    }
    return e;
}

CUresult cuDeviceGetName(char *name, int len, CUdevice dev)
{
    CUresult e = initialized();
    if (e == CUDA_SUCCESS) {
        e = device_ok(dev);
    }
    if (e != CUDA_SUCCESS) {
        return e;
    }
    if (name == NULL || len <= 0) {
        return CUDA_ERROR_INVALID_VALUE;
    }
    snprintf(name, (size_t)len, "%s", "tangent4j emulated device");
    return CUDA_SUCCESS;
}

CUresult cuDeviceGetAttribute(int *pi, CUdevice_attribute attrib, CUdevice dev)
{
    CUresult e = initialized();
    if (e == CUDA_SUCCESS) {
        e = device_ok(dev);
    }
    if (e != CUDA_SUCCESS) {
        return e;
    }
    if (pi == NULL) {
        return CUDA_ERROR_INVALID_VALUE;
    }
    return emu_device_attribute(attrib, pi) == 0 ? CUDA_SUCCESS : CUDA_ERROR_INVALID_VALUE;
}

CUresult cuDevicePrimaryCtxRetain(CUcontext *pctx, CUdevice dev)
{
    CUresult e = initialized();
    if (e == CUDA_SUCCESS) {
        e = device_ok(dev);
    }
    if (e != CUDA_SUCCESS) {
        return e;
    }
    if (pctx == NULL) {
        return CUDA_ERROR_INVALID_VALUE;
    }
    emu_context_retain();
    *pctx = emu_primary_context();
    return CUDA_SUCCESS;
}

CUresult cuDevicePrimaryCtxRelease_v2(CUdevice dev)
{
    CUresult e = initialized();
    if (e == CUDA_SUCCESS) {
        e = device_ok(dev);
    }
    if (e != CUDA_SUCCESS) {
        return e;
    }
    return emu_context_release() == 0 ? CUDA_SUCCESS : CUDA_ERROR_INVALID_CONTEXT;
}

CUresult cuCtxSetCurrent(CUcontext ctx)
{
    CUresult e = initialized();
    if (e != CUDA_SUCCESS) {
        return e;
    }
    if (ctx != NULL && (void *)ctx != emu_primary_context()) {
        return CUDA_ERROR_INVALID_CONTEXT;
    }
    emu_set_current_context(ctx);
    return CUDA_SUCCESS;
}

static int kernel_index(const char *name, size_t length)
{
    for (int i = 0; i < emu_kernel_count; i++) {
        if (strlen(emu_kernels[i].name) == length && strncmp(emu_kernels[i].name, name, length) == 0) {
            return i;
        }
    }
    return -1;
}

static int is_name_char(char c)
{
    return c == '_' || c == '$' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

CUresult cuModuleLoadData(CUmodule *module, const void *image)
{
    CUresult e = context_ok();
    if (e != CUDA_SUCCESS) {
        return e;
    }
    if (module == NULL || image == NULL) {
        return CUDA_ERROR_INVALID_VALUE;
    }
    const char *text = image;
    /* PTX (the emulated NVRTC's or a real one) is text with a .version and a .target directive. */
    if (strstr(text, ".version") == NULL || strstr(text, ".target") == NULL) {
        emu_report("cuModuleLoadData: the image is not PTX text (no .version/.target)");
        return CUDA_ERROR_INVALID_IMAGE;
    }
    struct CUmod_st *m = calloc(1, sizeof *m);
    if (m == NULL) {
        return CUDA_ERROR_OUT_OF_MEMORY;
    }
    for (const char *p = strstr(text, ".entry"); p != NULL; p = strstr(p + 1, ".entry")) {
        const char *name = p + strlen(".entry");
        while (*name == ' ' || *name == '\t') {
            name++;
        }
        size_t length = 0;
        while (is_name_char(name[length])) {
            length++;
        }
        int index = kernel_index(name, length);
        if (index >= 0) {
            m->has[index] = 1;
        } else {
            emu_report("cuModuleLoadData: kernel %.*s is not one the emulation can run", (int)length, name);
        }
    }
    emu_handle_add(m, EMU_MODULE);
    __atomic_add_fetch(&live_modules, 1, __ATOMIC_SEQ_CST);
    *module = m;
    return CUDA_SUCCESS;
}

CUresult cuModuleUnload(CUmodule hmod)
{
    CUresult e = context_ok();
    if (e != CUDA_SUCCESS) {
        return e;
    }
    if (hmod == NULL || emu_handle_remove(hmod, EMU_MODULE) != 0) {
        return CUDA_ERROR_INVALID_HANDLE;
    }
    __atomic_sub_fetch(&live_modules, 1, __ATOMIC_SEQ_CST);
    free(hmod);
    return CUDA_SUCCESS;
}

CUresult cuModuleGetFunction(CUfunction *hfunc, CUmodule hmod, const char *name)
{
    CUresult e = context_ok();
    if (e != CUDA_SUCCESS) {
        return e;
    }
    if (hfunc == NULL || name == NULL) {
        return CUDA_ERROR_INVALID_VALUE;
    }
    if (hmod == NULL || !emu_handle_live(hmod, EMU_MODULE)) {
        return CUDA_ERROR_INVALID_HANDLE;
    }
    int index = kernel_index(name, strlen(name));
    if (index < 0 || !hmod->has[index]) {
        return CUDA_ERROR_NOT_FOUND;
    }
    *hfunc = FUNCTION_OF(index);
    return CUDA_SUCCESS;
}

CUresult cuLaunchKernel(CUfunction f, unsigned int gridDimX, unsigned int gridDimY, unsigned int gridDimZ,
                        unsigned int blockDimX, unsigned int blockDimY, unsigned int blockDimZ,
                        unsigned int sharedMemBytes, CUstream hStream, void **kernelParams, void **extra)
{
    CUresult e = context_ok();
    if (e != CUDA_SUCCESS) {
        return e;
    }
    const struct emu_kernel *kernel = (const struct emu_kernel *)(void *)f;
    if (kernel < emu_kernels || kernel >= emu_kernels + emu_kernel_count
        || __atomic_load_n(&live_modules, __ATOMIC_SEQ_CST) == 0) {
        return CUDA_ERROR_INVALID_HANDLE;
    }
    if (hStream != NULL && !emu_handle_live(hStream, EMU_STREAM)) {
        return CUDA_ERROR_INVALID_HANDLE;
    }
    if (emu_stream_flush(hStream) != 0) { /* the stream's queued copies run first */
        return CUDA_ERROR_ILLEGAL_ADDRESS;
    }
    unsigned long long threads = (unsigned long long)blockDimX * blockDimY * blockDimZ;
    if (gridDimX == 0 || gridDimY == 0 || gridDimZ == 0 || threads == 0 || threads > 1024
        || blockDimX > 1024 || blockDimY > 1024 || blockDimZ > 64
        || gridDimX > 2147483647u || gridDimY > 65535 || gridDimZ > 65535) {
        emu_report("cuLaunchKernel(%s): invalid grid (%u,%u,%u) x block (%u,%u,%u)", kernel->name,
                   gridDimX, gridDimY, gridDimZ, blockDimX, blockDimY, blockDimZ);
        return CUDA_ERROR_INVALID_VALUE;
    }
    if (sharedMemBytes > 49152) {
        return CUDA_ERROR_INVALID_VALUE;
    }
    if (kernelParams == NULL || extra != NULL) {
        emu_report("cuLaunchKernel(%s): kernelParams must be given and extra must be NULL", kernel->name);
        return CUDA_ERROR_INVALID_VALUE;
    }
    int failure = emu_take_launch_failure();
    if (failure != 0) {
        return (CUresult)failure;
    }
    struct launch_grid grid = {gridDimX, gridDimY, gridDimZ, blockDimX, blockDimY, blockDimZ};
    e = kernel->run(&grid, kernelParams);
    if (e == CUDA_SUCCESS) {
        emu_count_launch();
    }
    return e;
}

/* Name and description of each code, as the real driver reports them. */
static const struct {
    CUresult code;
    const char *name;
    const char *text;
} errors[] = {
    {CUDA_SUCCESS, "CUDA_SUCCESS", "no error"},
    {CUDA_ERROR_INVALID_VALUE, "CUDA_ERROR_INVALID_VALUE", "invalid argument"},
    {CUDA_ERROR_OUT_OF_MEMORY, "CUDA_ERROR_OUT_OF_MEMORY", "out of memory"},
    {CUDA_ERROR_NOT_INITIALIZED, "CUDA_ERROR_NOT_INITIALIZED", "initialization error"},
    {CUDA_ERROR_DEINITIALIZED, "CUDA_ERROR_DEINITIALIZED", "driver shutting down"},
    {CUDA_ERROR_STUB_LIBRARY, "CUDA_ERROR_STUB_LIBRARY", "CUDA driver is a stub library"},
    {CUDA_ERROR_NO_DEVICE, "CUDA_ERROR_NO_DEVICE", "no CUDA-capable device is detected"},
    {CUDA_ERROR_INVALID_DEVICE, "CUDA_ERROR_INVALID_DEVICE", "invalid device ordinal"},
    {CUDA_ERROR_INVALID_IMAGE, "CUDA_ERROR_INVALID_IMAGE", "device kernel image is invalid"},
    {CUDA_ERROR_INVALID_CONTEXT, "CUDA_ERROR_INVALID_CONTEXT", "invalid device context"},
    {CUDA_ERROR_NO_BINARY_FOR_GPU, "CUDA_ERROR_NO_BINARY_FOR_GPU",
     "no kernel image is available for execution on the device"},
    {CUDA_ERROR_INVALID_PTX, "CUDA_ERROR_INVALID_PTX", "a PTX JIT compilation failed"},
    {CUDA_ERROR_INVALID_HANDLE, "CUDA_ERROR_INVALID_HANDLE", "invalid resource handle"},
    {CUDA_ERROR_NOT_FOUND, "CUDA_ERROR_NOT_FOUND", "named symbol not found"},
    {CUDA_ERROR_ILLEGAL_ADDRESS, "CUDA_ERROR_ILLEGAL_ADDRESS", "an illegal memory access was encountered"},
    {CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES, "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES",
     "too many resources requested for launch"},
    {CUDA_ERROR_LAUNCH_FAILED, "CUDA_ERROR_LAUNCH_FAILED", "unspecified launch failure"},
    {CUDA_ERROR_NOT_SUPPORTED, "CUDA_ERROR_NOT_SUPPORTED", "operation not supported"},
    {CUDA_ERROR_UNKNOWN, "CUDA_ERROR_UNKNOWN", "unknown error"},
};

static CUresult lookup(CUresult error, const char **pStr, int name)
{
    if (pStr == NULL) {
        return CUDA_ERROR_INVALID_VALUE;
    }
    for (size_t i = 0; i < sizeof errors / sizeof errors[0]; i++) {
        if (errors[i].code == error) {
            *pStr = name ? errors[i].name : errors[i].text;
            return CUDA_SUCCESS;
        }
    }
    *pStr = NULL;
    return CUDA_ERROR_INVALID_VALUE;
}

CUresult cuGetErrorString(CUresult error, const char **pStr)
{
    return lookup(error, pStr, 0);
}

CUresult cuGetErrorName(CUresult error, const char **pStr)
{
    return lookup(error, pStr, 1);
}
