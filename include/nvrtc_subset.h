/*
 * The subset of NVRTC, the CUDA run-time compiler (libnvrtc.so.13, or libnvrtc.so.12), that
 * tangent4j binds to compile its kernels (native/kernels/tangent4j_kernels.cu) for the device it finds.
 *
 * Signatures, types and enum values are those of NVIDIA's nvrtc.h (CUDA 12 and 13).
 */
#ifndef TANGENT4J_NVRTC_SUBSET_H
#define TANGENT4J_NVRTC_SUBSET_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Result codes (nvrtcResult in nvrtc.h). */
typedef enum {
    NVRTC_SUCCESS = 0,
    NVRTC_ERROR_OUT_OF_MEMORY = 1,
    NVRTC_ERROR_PROGRAM_CREATION_FAILURE = 2,
    NVRTC_ERROR_INVALID_INPUT = 3,
    NVRTC_ERROR_INVALID_PROGRAM = 4,
    NVRTC_ERROR_INVALID_OPTION = 5,
    NVRTC_ERROR_COMPILATION = 6,
    NVRTC_ERROR_BUILTIN_OPERATION_FAILURE = 7,
    NVRTC_ERROR_NO_NAME_EXPRESSIONS_AFTER_COMPILATION = 8,
    NVRTC_ERROR_NO_LOWERED_NAMES_BEFORE_COMPILATION = 9,
    NVRTC_ERROR_NAME_EXPRESSION_NOT_VALID = 10,
    NVRTC_ERROR_INTERNAL_ERROR = 11
} nvrtcResult;

/** A program: one source, compiled once. */
typedef struct _nvrtcProgram *nvrtcProgram;

/** A static string naming the result code. */
const char *nvrtcGetErrorString(nvrtcResult result);
nvrtcResult nvrtcVersion(int *major, int *minor);

/* name may be NULL ("default_program"); headers and includeNames may be NULL when numHeaders is 0. */
nvrtcResult nvrtcCreateProgram(nvrtcProgram *prog, const char *src, const char *name, int numHeaders,
                               const char *const *headers, const char *const *includeNames);
nvrtcResult nvrtcDestroyProgram(nvrtcProgram *prog);
nvrtcResult nvrtcCompileProgram(nvrtcProgram prog, int numOptions, const char *const *options);

/* Sizes include the terminating NUL of PTX and of the log; the CUBIN size is 0 for a virtual -arch. */
nvrtcResult nvrtcGetPTXSize(nvrtcProgram prog, size_t *ptxSizeRet);
nvrtcResult nvrtcGetPTX(nvrtcProgram prog, char *ptx);
nvrtcResult nvrtcGetCUBINSize(nvrtcProgram prog, size_t *cubinSizeRet);
nvrtcResult nvrtcGetCUBIN(nvrtcProgram prog, char *cubin);
nvrtcResult nvrtcGetProgramLogSize(nvrtcProgram prog, size_t *logSizeRet);
nvrtcResult nvrtcGetProgramLog(nvrtcProgram prog, char *log);

#ifdef __cplusplus
}
#endif

#endif /* TANGENT4J_NVRTC_SUBSET_H */
