/*
 * libcublas.so.13 stand-in: the functions of include/cublas_subset.h. GEMMs check their arguments
 * as cuBLAS does and delegate to CBLAS (OpenBLAS) in column-major order, so a row-major caller's
 * transposition tricks are exercised exactly as on a GPU. Math modes are accepted and ignored
 * (the emulation always computes in full precision, also under CUBLAS_TF32_TENSOR_OP_MATH).
 */
#include "cublas_subset.h"
#include "emu_state.h"

#include <cblas.h>
#include <stdlib.h>

/* cuBLAS 13.0.0 */
#define EMU_CUBLAS_VERSION 130000

struct cublasContext {
    cudaStream_t stream;
    cublasMath_t math;
};

static int live(cublasHandle_t handle)
{
    return handle != NULL && emu_handle_live(handle, EMU_CUBLAS);
}

cublasStatus_t cublasCreate_v2(cublasHandle_t *handle)
{
    if (handle == NULL) {
        return CUBLAS_STATUS_INVALID_VALUE;
    }
    emu_runtime_touch();
    if (emu_device_count() == 0) {
        return CUBLAS_STATUS_NOT_INITIALIZED;
    }
    cublasHandle_t h = calloc(1, sizeof *h);
    if (h == NULL) {
        return CUBLAS_STATUS_ALLOC_FAILED;
    }
    emu_handle_add(h, EMU_CUBLAS);
    *handle = h;
    return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasDestroy_v2(cublasHandle_t handle)
{
    if (handle == NULL || emu_handle_remove(handle, EMU_CUBLAS) != 0) {
        return CUBLAS_STATUS_NOT_INITIALIZED;
    }
    free(handle);
    return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasGetVersion_v2(cublasHandle_t handle, int *version)
{
    (void)handle;
    if (version == NULL) {
        return CUBLAS_STATUS_INVALID_VALUE;
    }
    *version = EMU_CUBLAS_VERSION;
    return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasSetStream_v2(cublasHandle_t handle, cudaStream_t streamId)
{
    if (!live(handle)) {
        return CUBLAS_STATUS_NOT_INITIALIZED;
    }
    if (streamId != NULL && !emu_handle_live(streamId, EMU_STREAM)) {
        emu_report("cublasSetStream_v2: %p is not a live stream", (void *)streamId);
        return CUBLAS_STATUS_INVALID_VALUE;
    }
    handle->stream = streamId;
    return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasSetMathMode(cublasHandle_t handle, cublasMath_t mode)
{
    if (!live(handle)) {
        return CUBLAS_STATUS_NOT_INITIALIZED;
    }
    /* 16 is CUBLAS_MATH_DISALLOW_REDUCED_PRECISION_REDUCTION, a flag combined with a mode. */
    int base = (int)mode & ~16;
    if (base < CUBLAS_DEFAULT_MATH || base > CUBLAS_TF32_TENSOR_OP_MATH) {
        return CUBLAS_STATUS_INVALID_VALUE;
    }
    handle->math = mode;
    return CUBLAS_STATUS_SUCCESS;
}

const char *cublasGetStatusString(cublasStatus_t status)
{
    switch (status) {
    case CUBLAS_STATUS_SUCCESS: return "CUBLAS_STATUS_SUCCESS";
    case CUBLAS_STATUS_NOT_INITIALIZED: return "CUBLAS_STATUS_NOT_INITIALIZED";
    case CUBLAS_STATUS_ALLOC_FAILED: return "CUBLAS_STATUS_ALLOC_FAILED";
    case CUBLAS_STATUS_INVALID_VALUE: return "CUBLAS_STATUS_INVALID_VALUE";
    case CUBLAS_STATUS_ARCH_MISMATCH: return "CUBLAS_STATUS_ARCH_MISMATCH";
    case CUBLAS_STATUS_MAPPING_ERROR: return "CUBLAS_STATUS_MAPPING_ERROR";
    case CUBLAS_STATUS_EXECUTION_FAILED: return "CUBLAS_STATUS_EXECUTION_FAILED";
    case CUBLAS_STATUS_INTERNAL_ERROR: return "CUBLAS_STATUS_INTERNAL_ERROR";
    case CUBLAS_STATUS_NOT_SUPPORTED: return "CUBLAS_STATUS_NOT_SUPPORTED";
    case CUBLAS_STATUS_LICENSE_ERROR: return "CUBLAS_STATUS_LICENSE_ERROR";
    default: return "CUBLAS_STATUS_UNKNOWN";
    }
}

/* A GEMM call's sizes, as cuBLAS receives them. */
struct gemm {
    const char *call;
    cublasOperation_t transa, transb;
    int m, n, k, lda, ldb, ldc;
    long long stride_a, stride_b, stride_c;
    int batch;
    size_t element;
};

static int max1(int a)
{
    return a > 1 ? a : 1;
}

/*
 * Whether the elements an operand's batch touches lie in one device allocation: a rows x cols
 * column-major matrix with leading dimension ld, repeated batch times stride elements apart.
 */
static int operand_ok(const struct gemm *g, const char *name, const void *p, long long rows, long long cols,
                      long long ld, long long stride)
{
    if (rows == 0 || cols == 0 || g->batch == 0) {
        return 1;
    }
    long long extent = ld * (cols - 1) + rows;
    long long last;
    if (__builtin_mul_overflow(stride, (long long)g->batch - 1, &last)) {
        emu_report("%s: the stride of %s overflows over the batch", g->call, name);
        return 0;
    }
    long long low = last < 0 ? last : 0;
    long long high = (last > 0 ? last : 0) + extent;
    const char *start = (const char *)p + low * (long long)g->element;
    size_t bytes = (size_t)(high - low) * g->element;
    if (emu_range_ok(start, bytes)) {
        return 1;
    }
    emu_report("%s: %s [%p, +%zu bytes) is not inside one live device allocation", g->call, name,
               (const void *)start, bytes);
    return 0;
}

/* cuBLAS's argument checks and the emulation's range checks; SUCCESS means: compute. */
static cublasStatus_t check(cublasHandle_t handle, const struct gemm *g, const void *alpha, const void *A,
                            const void *B, const void *beta, const void *C)
{
    if (!live(handle)) {
        return CUBLAS_STATUS_NOT_INITIALIZED;
    }
    int a_n = g->transa == CUBLAS_OP_N;
    int b_n = g->transb == CUBLAS_OP_N;
    if ((unsigned)g->transa > CUBLAS_OP_C || (unsigned)g->transb > CUBLAS_OP_C || g->m < 0 || g->n < 0
        || g->k < 0 || g->batch < 0 || g->lda < max1(a_n ? g->m : g->k) || g->ldb < max1(b_n ? g->k : g->n)
        || g->ldc < max1(g->m) || alpha == NULL || beta == NULL) {
        return CUBLAS_STATUS_INVALID_VALUE;
    }
    if (g->m == 0 || g->n == 0 || g->batch == 0) {
        return CUBLAS_STATUS_SUCCESS; /* cuBLAS returns at once: nothing is read or written */
    }
    int reads_ab = g->k > 0;
    if ((reads_ab && !operand_ok(g, "A", A, a_n ? g->m : g->k, a_n ? g->k : g->m, g->lda, g->stride_a))
        || (reads_ab && !operand_ok(g, "B", B, b_n ? g->k : g->n, b_n ? g->n : g->k, g->ldb, g->stride_b))
        || !operand_ok(g, "C", C, g->m, g->n, g->ldc, g->stride_c)) {
        return CUBLAS_STATUS_EXECUTION_FAILED;
    }
    int failure = emu_take_cublas_failure();
    return failure != 0 ? (cublasStatus_t)failure : CUBLAS_STATUS_SUCCESS;
}

static enum CBLAS_TRANSPOSE cblas_op(cublasOperation_t op)
{
    return op == CUBLAS_OP_N ? CblasNoTrans : CblasTrans;
}

/* The double (D) and single (S) precision versions of one batched GEMM. */
#define DEFINE_GEMM(NAME, T, CBLAS_GEMM)                                                                     \
    static cublasStatus_t NAME(cublasHandle_t handle, const struct gemm *g, const T *alpha, const T *A,     \
                               const T *B, const T *beta, T *C)                                             \
    {                                                                                                        \
        cublasStatus_t status = check(handle, g, alpha, A, B, beta, C);                                      \
        if (status != CUBLAS_STATUS_SUCCESS) {                                                               \
            return status;                                                                                   \
        }                                                                                                    \
        if (emu_stream_flush(handle->stream) != 0) { /* the stream's queued copies run first */             \
            return CUBLAS_STATUS_EXECUTION_FAILED;                                                           \
        }                                                                                                    \
        if (g->m > 0 && g->n > 0) {                                                                          \
            for (int i = 0; i < g->batch; i++) {                                                             \
                CBLAS_GEMM(CblasColMajor, cblas_op(g->transa), cblas_op(g->transb), g->m, g->n, g->k,       \
                           *alpha, A + i * g->stride_a, g->lda, B + i * g->stride_b, g->ldb, *beta,         \
                           C + i * g->stride_c, g->ldc);                                                     \
            }                                                                                                \
            if (g->batch > 0 && emu_take_gemm_corruption()) {                                                \
                C[0] += 1; /* an injected wrong result (t4j_emu_corrupt_next_gemm) */                        \
            }                                                                                                \
        }                                                                                                    \
        emu_count_gemm();                                                                                    \
        return CUBLAS_STATUS_SUCCESS;                                                                        \
    }

DEFINE_GEMM(dgemm_batch, double, cblas_dgemm)
DEFINE_GEMM(sgemm_batch, float, cblas_sgemm)

cublasStatus_t cublasDgemm_v2(cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb,
                              int m, int n, int k, const double *alpha, const double *A, int lda,
                              const double *B, int ldb, const double *beta, double *C, int ldc)
{
    struct gemm g = {"cublasDgemm_v2", transa, transb, m, n, k, lda, ldb, ldc, 0, 0, 0, 1, sizeof(double)};
    return dgemm_batch(handle, &g, alpha, A, B, beta, C);
}

cublasStatus_t cublasSgemm_v2(cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb,
                              int m, int n, int k, const float *alpha, const float *A, int lda,
                              const float *B, int ldb, const float *beta, float *C, int ldc)
{
    struct gemm g = {"cublasSgemm_v2", transa, transb, m, n, k, lda, ldb, ldc, 0, 0, 0, 1, sizeof(float)};
    return sgemm_batch(handle, &g, alpha, A, B, beta, C);
}

cublasStatus_t cublasDgemmStridedBatched(cublasHandle_t handle, cublasOperation_t transa,
                                         cublasOperation_t transb, int m, int n, int k,
                                         const double *alpha, const double *A, int lda, long long int strideA,
                                         const double *B, int ldb, long long int strideB,
                                         const double *beta, double *C, int ldc, long long int strideC,
                                         int batchCount)
{
    struct gemm g = {"cublasDgemmStridedBatched", transa, transb, m, n, k, lda, ldb, ldc,
                     strideA, strideB, strideC, batchCount, sizeof(double)};
    return dgemm_batch(handle, &g, alpha, A, B, beta, C);
}

cublasStatus_t cublasSgemmStridedBatched(cublasHandle_t handle, cublasOperation_t transa,
                                         cublasOperation_t transb, int m, int n, int k,
                                         const float *alpha, const float *A, int lda, long long int strideA,
                                         const float *B, int ldb, long long int strideB,
                                         const float *beta, float *C, int ldc, long long int strideC,
                                         int batchCount)
{
    struct gemm g = {"cublasSgemmStridedBatched", transa, transb, m, n, k, lda, ldb, ldc,
                     strideA, strideB, strideC, batchCount, sizeof(float)};
    return sgemm_batch(handle, &g, alpha, A, B, beta, C);
}
