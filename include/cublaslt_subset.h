/*
 * The subset of cuBLASLt (libcublasLt.so.13, or libcublasLt.so.12) that tangent4j binds: the
 * handle, the matmul, matrix-layout and heuristic-preference descriptors, the heuristic query and
 * cublasLtMatmul itself, used for GEMMs with a fused bias + ReLU epilogue and the ReLU bit-mask
 * epilogue.
 *
 * Signatures, types and enum values are those of NVIDIA's cublasLt.h, cublas_api.h and
 * library_types.h (CUDA 12 and 13); the enums list only the values tangent4j names.
 *
 * Conventions: D = epilogue(alpha * op(A) op(B) + beta * C), column-major, op(A) m x k, op(B) k x n,
 * C and D m x n; alpha and beta through host pointers (the default pointer mode), of the scale type.
 * A layout describes the matrix as stored (before op): rows, cols and a leading dimension >= rows.
 *
 * Epilogues (applied after alpha and beta):
 *  - BIAS adds bias[i] (a packed vector of D's rows, same type as D) to row i of every column;
 *  - RELU replaces each element x by max(x, 0);
 *  - RELU_AUX additionally writes a bit mask of D's shape: column-major, one bit per element, the
 *    leading dimension (EPILOGUE_AUX_LD) in bits, a multiple of 128 and >= rows; the bit of
 *    element (i, j) is bit (j * ld + i) % 8 of byte (j * ld + i) / 8 and is set where the ReLU
 *    kept its input (x > 0).
 */
#ifndef TANGENT4J_CUBLASLT_SUBSET_H
#define TANGENT4J_CUBLASLT_SUBSET_H

#include "cublas_subset.h"

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Element types (enum cudaDataType_t of library_types.h; subset). */
enum cudaDataType_t {
    CUDA_R_32F = 0,
    CUDA_R_64F = 1
};
typedef enum cudaDataType_t cudaDataType_t;
typedef enum cudaDataType_t cudaDataType;

/** Accumulation types (cublasComputeType_t of cublas_api.h; subset). */
typedef enum {
    CUBLAS_COMPUTE_32F = 68,
    CUBLAS_COMPUTE_64F = 70,
    CUBLAS_COMPUTE_32F_FAST_TF32 = 77
} cublasComputeType_t;

/** Matmul descriptor attributes (subset) and the C type of each value. */
typedef enum {
    /** int32_t (cublasOperation_t), default CUBLAS_OP_N. */
    CUBLASLT_MATMUL_DESC_TRANSA = 3,
    /** int32_t (cublasOperation_t), default CUBLAS_OP_N. */
    CUBLASLT_MATMUL_DESC_TRANSB = 4,
    /** uint32_t (cublasLtEpilogue_t), default CUBLASLT_EPILOGUE_DEFAULT. */
    CUBLASLT_MATMUL_DESC_EPILOGUE = 7,
    /** const void * (device), default NULL. */
    CUBLASLT_MATMUL_DESC_BIAS_POINTER = 8,
    /** void * (device), default NULL. */
    CUBLASLT_MATMUL_DESC_EPILOGUE_AUX_POINTER = 11,
    /** int64_t, default 0; for the ReLU bit mask in bits, a multiple of 128, >= D's rows. */
    CUBLASLT_MATMUL_DESC_EPILOGUE_AUX_LD = 12
} cublasLtMatmulDescAttributes_t;

/** Epilogues (cublasLtEpilogue_t; subset). */
typedef enum {
    CUBLASLT_EPILOGUE_DEFAULT = 1,
    CUBLASLT_EPILOGUE_RELU = 2,
    CUBLASLT_EPILOGUE_BIAS = 4,
    CUBLASLT_EPILOGUE_RELU_BIAS = 6,
    CUBLASLT_EPILOGUE_RELU_AUX = 130,
    CUBLASLT_EPILOGUE_RELU_AUX_BIAS = 134
} cublasLtEpilogue_t;

/** Heuristic preference attributes (subset). */
typedef enum {
    /** uint64_t, default 0 (no workspace allowed). */
    CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES = 1,
    /**
     * uint32_t, default 256: the alignment in bytes the pointers passed for A (B, C, D) will have;
     * the heuristic skips algorithms that need more.
     */
    CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_A_BYTES = 5,
    CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_B_BYTES = 6,
    CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_C_BYTES = 7,
    CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_D_BYTES = 8
} cublasLtMatmulPreferenceAttributes_t;

/** A cuBLASLt context (not thread-safe: one thread at a time). */
typedef struct cublasLtContext *cublasLtHandle_t;

/** Semi-opaque descriptors, 8 or 32 64-bit words as in cublasLt.h; used through their pointers. */
typedef struct {
    uint64_t data[8];
} cublasLtMatrixLayoutOpaque_t;
typedef cublasLtMatrixLayoutOpaque_t *cublasLtMatrixLayout_t;

typedef struct {
    uint64_t data[32];
} cublasLtMatmulDescOpaque_t;
typedef cublasLtMatmulDescOpaque_t *cublasLtMatmulDesc_t;

typedef struct {
    uint64_t data[8];
} cublasLtMatmulPreferenceOpaque_t;
typedef cublasLtMatmulPreferenceOpaque_t *cublasLtMatmulPreference_t;

/** An algorithm chosen by the heuristic, passed back to cublasLtMatmul (64 bytes). */
typedef struct {
    uint64_t data[8];
} cublasLtMatmulAlgo_t;

/** One heuristic result (96 bytes); the fields after state are valid only when state is SUCCESS. */
typedef struct {
    cublasLtMatmulAlgo_t algo;
    /** Workspace bytes the algorithm needs. */
    size_t workspaceSize;
    cublasStatus_t state;
    float wavesCount;
    int reserved[4];
} cublasLtMatmulHeuristicResult_t;

cublasStatus_t cublasLtCreate(cublasLtHandle_t *lightHandle);
cublasStatus_t cublasLtDestroy(cublasLtHandle_t lightHandle);
/** 10000 * major + 100 * minor + patch. */
size_t cublasLtGetVersion(void);

cublasStatus_t cublasLtMatmulDescCreate(cublasLtMatmulDesc_t *matmulDesc, cublasComputeType_t computeType,
                                        cudaDataType_t scaleType);
cublasStatus_t cublasLtMatmulDescDestroy(cublasLtMatmulDesc_t matmulDesc);
/** Copies sizeInBytes bytes from buf; INVALID_VALUE when the size is not the attribute's. */
cublasStatus_t cublasLtMatmulDescSetAttribute(cublasLtMatmulDesc_t matmulDesc, cublasLtMatmulDescAttributes_t attr,
                                              const void *buf, size_t sizeInBytes);

cublasStatus_t cublasLtMatrixLayoutCreate(cublasLtMatrixLayout_t *matLayout, cudaDataType type, uint64_t rows,
                                          uint64_t cols, int64_t ld);
cublasStatus_t cublasLtMatrixLayoutDestroy(cublasLtMatrixLayout_t matLayout);

cublasStatus_t cublasLtMatmulPreferenceCreate(cublasLtMatmulPreference_t *pref);
cublasStatus_t cublasLtMatmulPreferenceDestroy(cublasLtMatmulPreference_t pref);
cublasStatus_t cublasLtMatmulPreferenceSetAttribute(cublasLtMatmulPreference_t pref,
                                                    cublasLtMatmulPreferenceAttributes_t attr, const void *buf,
                                                    size_t sizeInBytes);

/**
 * Up to requestedAlgoCount algorithms for the operation, best first, in heuristicResultsArray;
 * *returnAlgoCount of them. NOT_SUPPORTED when no algorithm fits (or *returnAlgoCount is 0).
 */
cublasStatus_t cublasLtMatmulAlgoGetHeuristic(cublasLtHandle_t lightHandle, cublasLtMatmulDesc_t operationDesc,
                                              cublasLtMatrixLayout_t Adesc, cublasLtMatrixLayout_t Bdesc,
                                              cublasLtMatrixLayout_t Cdesc, cublasLtMatrixLayout_t Ddesc,
                                              cublasLtMatmulPreference_t preference, int requestedAlgoCount,
                                              cublasLtMatmulHeuristicResult_t heuristicResultsArray[],
                                              int *returnAlgoCount);

/**
 * D = epilogue(alpha * op(A) op(B) + beta * C) on stream. algo may be NULL (cuBLASLt then runs its
 * heuristic itself, with no workspace); workspace must hold workspaceSizeInBytes bytes of device memory.
 */
cublasStatus_t cublasLtMatmul(cublasLtHandle_t lightHandle, cublasLtMatmulDesc_t computeDesc, const void *alpha,
                              const void *A, cublasLtMatrixLayout_t Adesc, const void *B,
                              cublasLtMatrixLayout_t Bdesc, const void *beta, const void *C,
                              cublasLtMatrixLayout_t Cdesc, void *D, cublasLtMatrixLayout_t Ddesc,
                              const cublasLtMatmulAlgo_t *algo, void *workspace, size_t workspaceSizeInBytes,
                              cudaStream_t stream);

#ifdef __cplusplus
}
#endif

#endif /* TANGENT4J_CUBLASLT_SUBSET_H */
