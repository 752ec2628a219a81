/*
 * The subset of cuBLAS (libcublas.so.13, or libcublas.so.12) that tangent4j binds: the v2 API's
 * handle, stream and math-mode calls and the double and single precision GEMMs.
 *
 * Signatures, types and enum values are those of NVIDIA's cublas_api.h / cublas_v2.h (CUDA 12
 * and 13). As in cublas_v2.h, names with a versioned symbol are declared under that symbol (the
 * one a binding looks up) and the unversioned name is a macro.
 *
 * Conventions: matrices are column-major; op(A) is m x k, op(B) is k x n, C is m x n;
 * C = alpha * op(A) op(B) + beta * C. alpha and beta are read through host pointers (the default
 * pointer mode). Leading dimensions must be >= the rows of the stored (not transposed) matrix
 * and >= 1; a violation is CUBLAS_STATUS_INVALID_VALUE.
 */
#ifndef TANGENT4J_CUBLAS_SUBSET_H
#define TANGENT4J_CUBLAS_SUBSET_H

#include "cuda_runtime_subset.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Result codes (cublasStatus_t). */
typedef enum {
    CUBLAS_STATUS_SUCCESS = 0,
    CUBLAS_STATUS_NOT_INITIALIZED = 1,
    CUBLAS_STATUS_ALLOC_FAILED = 3,
    CUBLAS_STATUS_INVALID_VALUE = 7,
    CUBLAS_STATUS_ARCH_MISMATCH = 8,
    CUBLAS_STATUS_MAPPING_ERROR = 11,
    CUBLAS_STATUS_EXECUTION_FAILED = 13,
    CUBLAS_STATUS_INTERNAL_ERROR = 14,
    CUBLAS_STATUS_NOT_SUPPORTED = 15,
    CUBLAS_STATUS_LICENSE_ERROR = 16
} cublasStatus_t;

/** Whether an operand is used as stored or transposed (cublasOperation_t). */
typedef enum {
    CUBLAS_OP_N = 0,
    CUBLAS_OP_T = 1,
    CUBLAS_OP_C = 2
} cublasOperation_t;

/** Math modes (cublasMath_t; subset). */
typedef enum {
    CUBLAS_DEFAULT_MATH = 0,
    CUBLAS_TENSOR_OP_MATH = 1,
    CUBLAS_PEDANTIC_MATH = 2,
    CUBLAS_TF32_TENSOR_OP_MATH = 3
} cublasMath_t;

/** A cuBLAS context (not thread-safe: one thread at a time). */
typedef struct cublasContext *cublasHandle_t;

#define cublasCreate cublasCreate_v2
#define cublasDestroy cublasDestroy_v2
#define cublasGetVersion cublasGetVersion_v2
#define cublasSetStream cublasSetStream_v2
#define cublasDgemm cublasDgemm_v2
#define cublasSgemm cublasSgemm_v2

cublasStatus_t cublasCreate_v2(cublasHandle_t *handle);
cublasStatus_t cublasDestroy_v2(cublasHandle_t handle);
/** *version = 10000 * major + 100 * minor + patch. */
cublasStatus_t cublasGetVersion_v2(cublasHandle_t handle, int *version);
cublasStatus_t cublasSetStream_v2(cublasHandle_t handle, cudaStream_t streamId);
cublasStatus_t cublasSetMathMode(cublasHandle_t handle, cublasMath_t mode);
/** A static string naming the status. */
const char *cublasGetStatusString(cublasStatus_t status);

cublasStatus_t cublasDgemm_v2(cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb,
                              int m, int n, int k,
                              const double *alpha, const double *A, int lda, const double *B, int ldb,
                              const double *beta, double *C, int ldc);
cublasStatus_t cublasSgemm_v2(cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb,
                              int m, int n, int k,
                              const float *alpha, const float *A, int lda, const float *B, int ldb,
                              const float *beta, float *C, int ldc);

/* batchCount products; operand i starts strideX elements after operand i - 1. */
cublasStatus_t cublasDgemmStridedBatched(cublasHandle_t handle, cublasOperation_t transa,
                                         cublasOperation_t transb, int m, int n, int k,
                                         const double *alpha, const double *A, int lda, long long int strideA,
                                         const double *B, int ldb, long long int strideB,
                                         const double *beta, double *C, int ldc, long long int strideC,
                                         int batchCount);
cublasStatus_t cublasSgemmStridedBatched(cublasHandle_t handle, cublasOperation_t transa,
                                         cublasOperation_t transb, int m, int n, int k,
                                         const float *alpha, const float *A, int lda, long long int strideA,
                                         const float *B, int ldb, long long int strideB,
                                         const float *beta, float *C, int ldc, long long int strideC,
                                         int batchCount);

#ifdef __cplusplus
}
#endif

#endif /* TANGENT4J_CUBLAS_SUBSET_H */
