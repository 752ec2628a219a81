/*
 * The subset of the CUDA driver API (libcuda.so.1) that tangent4j binds: device identity, the
 * primary context, modules built from PTX, and kernel launches.
 *
 * Signatures, types and enum values are those of NVIDIA's cuda.h (CUDA 12 and 13). Where cuda.h
 * maps a name to a versioned symbol with a macro, the versioned symbol is declared (that is the
 * symbol a binding must look up) and the macro is repeated. Library file name: libcuda.so.1.
 */
#ifndef TANGENT4J_CUDA_DRIVER_SUBSET_H
#define TANGENT4J_CUDA_DRIVER_SUBSET_H

#ifdef __cplusplus
extern "C" {
#endif

/** Result codes (enum cudaError_enum in cuda.h; subset). */
typedef enum cudaError_enum {
    CUDA_SUCCESS = 0,
    CUDA_ERROR_INVALID_VALUE = 1,
    CUDA_ERROR_OUT_OF_MEMORY = 2,
    CUDA_ERROR_NOT_INITIALIZED = 3,
    CUDA_ERROR_DEINITIALIZED = 4,
    CUDA_ERROR_STUB_LIBRARY = 34,
    CUDA_ERROR_NO_DEVICE = 100,
    CUDA_ERROR_INVALID_DEVICE = 101,
    CUDA_ERROR_INVALID_IMAGE = 200,
    CUDA_ERROR_INVALID_CONTEXT = 201,
    CUDA_ERROR_NO_BINARY_FOR_GPU = 209,
    CUDA_ERROR_INVALID_PTX = 218,
    CUDA_ERROR_INVALID_HANDLE = 400,
    CUDA_ERROR_NOT_FOUND = 500,
    CUDA_ERROR_ILLEGAL_ADDRESS = 700,
    CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES = 701,
    CUDA_ERROR_LAUNCH_FAILED = 719,
    CUDA_ERROR_NOT_SUPPORTED = 801,
    CUDA_ERROR_UNKNOWN = 999
} CUresult;

/** Device attributes (enum CUdevice_attribute_enum; subset, same values as cudaDeviceAttr). */
typedef enum CUdevice_attribute_enum {
    CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK = 1,
    CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_X = 5,
    CU_DEVICE_ATTRIBUTE_WARP_SIZE = 10,
    CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT = 16,
    CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75,
    CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76
} CUdevice_attribute;

typedef int CUdevice_v1;
/** A device ordinal. */
typedef CUdevice_v1 CUdevice;
/** A context (the primary context of a device is shared with the runtime API). */
typedef struct CUctx_st *CUcontext;
/** A loaded module. */
typedef struct CUmod_st *CUmodule;
/** A kernel of a loaded module. */
typedef struct CUfunc_st *CUfunction;
/** A stream (the same type as the runtime's cudaStream_t); NULL is the legacy default stream. */
typedef struct CUstream_st *CUstream;

/* Initialisation and devices. cuInit's Flags must be 0. */
CUresult cuInit(unsigned int Flags);
CUresult cuDeviceGet(CUdevice *device, int ordinal);
CUresult cuDeviceGetName(char *name, int len, CUdevice dev);
CUresult cuDeviceGetAttribute(int *pi, CUdevice_attribute attrib, CUdevice dev);

/* The primary context, made current on the calling thread before module and launch calls. */
CUresult cuDevicePrimaryCtxRetain(CUcontext *pctx, CUdevice dev);
#define cuDevicePrimaryCtxRelease cuDevicePrimaryCtxRelease_v2
CUresult cuDevicePrimaryCtxRelease_v2(CUdevice dev);
CUresult cuCtxSetCurrent(CUcontext ctx);

/* Modules: image is a NUL-terminated PTX text (or a cubin). */
CUresult cuModuleLoadData(CUmodule *module, const void *image);
CUresult cuModuleUnload(CUmodule hmod);
CUresult cuModuleGetFunction(CUfunction *hfunc, CUmodule hmod, const char *name);

/*
 * Launches f on a gridDimX x gridDimY x gridDimZ grid of blockDimX x blockDimY x blockDimZ blocks.
 * kernelParams[i] points to the value of the kernel's i-th parameter; extra is NULL here.
 */
CUresult cuLaunchKernel(CUfunction f,
                        unsigned int gridDimX, unsigned int gridDimY, unsigned int gridDimZ,
                        unsigned int blockDimX, unsigned int blockDimY, unsigned int blockDimZ,
                        unsigned int sharedMemBytes, CUstream hStream,
                        void **kernelParams, void **extra);

/* Errors: *pStr is set to a static string, or NULL (with CUDA_ERROR_INVALID_VALUE) for an unknown code. */
CUresult cuGetErrorString(CUresult error, const char **pStr);
CUresult cuGetErrorName(CUresult error, const char **pStr);

#ifdef __cplusplus
}
#endif

#endif /* TANGENT4J_CUDA_DRIVER_SUBSET_H */
