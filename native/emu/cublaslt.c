/*
 * libcublasLt.so.13 stand-in: the functions of include/cublaslt_subset.h. cublasLtMatmul checks its
 * descriptors as cuBLASLt does (shapes, types, leading dimensions, the epilogue's pointers and the
 * bit mask's leading dimension), multiplies with CBLAS (OpenBLAS) in column-major order exactly as
 * the emulated cublas<t>gemm does, then applies the epilogue element by element on the host.
 *
 * What it cannot know about a GPU, and chooses:
 *  - the ReLU epilogues give 0 for NaN (max(x, 0) with CUDA's fmax), unless a test asks for NaN to
 *    be kept (t4j_emu_set_lt_relu_keeps_nan), so that callers' run-time checks meet both behaviours;
 *  - the bit mask's bit of element (i, j) is bit (j * ld + i) % 8 of byte (j * ld + i) / 8, set
 *    where the ReLU kept its input (x > 0, not NaN); padding bits (rows m..ld-1) are left as they
 *    were (device memory starts as 0xFF bytes here), so readers must mask them;
 *  - the heuristic offers one algorithm needing min(4 KiB, allowed) bytes of workspace, so the
 *    caller's workspace handling runs, and relying on the pointer alignments the preference
 *    promised (default 256 bytes): cublasLtMatmul rejects a less aligned A, B, C or D with
 *    CUBLAS_STATUS_INVALID_VALUE and a line on stderr (a GPU kernel might fault or misread).
 * Injected failures (t4j_emu_fail_next_cublas) hit the heuristic query and the matmul, which then
 * compute nothing.
 */
#include "cublaslt_subset.h"
#include "emu_state.h"

#include <cblas.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* cuBLASLt 13.0.0 */
#define EMU_CUBLASLT_VERSION 130000
/* Marks an algorithm this emulation's heuristic returned: data[0]; data[1] is its workspace,
   data[2..5] the alignments of A, B, C and D it relies on. */
#define EMU_ALGO_MAGIC 0x74346a4c74616c67ULL
#define EMU_ALGO_WORKSPACE 4096

struct cublasLtContext {
    int unused;
};

struct emu_desc {
    cublasComputeType_t compute;
    cudaDataType_t scale;
    int32_t transa, transb;
    uint32_t epilogue;
    const void *bias;
    void *aux;
    int64_t aux_ld;
};

struct emu_layout {
    cudaDataType_t type;
    uint64_t rows, cols;
    int64_t ld;
};

struct emu_pref {
    uint64_t max_workspace;
    uint32_t alignment[4]; /* A, B, C, D */
};

static int live(const void *p, int kind)
{
    return p != NULL && emu_handle_live(p, kind);
}

/* Allocates a zeroed descriptor of size bytes and records it for leak counting. */
static cublasStatus_t create(void **out, size_t size)
{
    if (out == NULL) {
        return CUBLAS_STATUS_INVALID_VALUE;
    }
    void *p = calloc(1, size);
    if (p == NULL) {
        return CUBLAS_STATUS_ALLOC_FAILED;
    }
    emu_handle_add(p, EMU_LT_DESCRIPTOR);
    *out = p;
    return CUBLAS_STATUS_SUCCESS;
}

static cublasStatus_t destroy(void *p)
{
    if (p == NULL) {
        return CUBLAS_STATUS_SUCCESS; /* as cuBLASLt: destroying NULL does nothing */
    }
    if (emu_handle_remove(p, EMU_LT_DESCRIPTOR) != 0) {
        emu_report("cublasLt: destroying %p, which is not a live descriptor", p);
        return CUBLAS_STATUS_INVALID_VALUE;
    }
    free(p);
    return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasLtCreate(cublasLtHandle_t *lightHandle)
{
    if (lightHandle == NULL) {
        return CUBLAS_STATUS_INVALID_VALUE;
    }
    emu_runtime_touch();
    if (emu_device_count() == 0) {
        return CUBLAS_STATUS_NOT_INITIALIZED;
    }
    cublasLtHandle_t h = calloc(1, sizeof *h);
    if (h == NULL) {
        return CUBLAS_STATUS_ALLOC_FAILED;
    }
    emu_handle_add(h, EMU_CUBLASLT);
    *lightHandle = h;
    return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasLtDestroy(cublasLtHandle_t lightHandle)
{
    if (lightHandle == NULL || emu_handle_remove(lightHandle, EMU_CUBLASLT) != 0) {
        return CUBLAS_STATUS_NOT_INITIALIZED;
    }
    free(lightHandle);
    return CUBLAS_STATUS_SUCCESS;
}

size_t cublasLtGetVersion(void)
{
    return EMU_CUBLASLT_VERSION;
}

cublasStatus_t cublasLtMatmulDescCreate(cublasLtMatmulDesc_t *matmulDesc, cublasComputeType_t computeType,
                                        cudaDataType_t scaleType)
{
    void *p;
    cublasStatus_t status = create(&p, sizeof(struct emu_desc));
    if (status != CUBLAS_STATUS_SUCCESS) {
        return status;
    }
    struct emu_desc *d = p;
    d->compute = computeType;
    d->scale = scaleType;
    d->epilogue = CUBLASLT_EPILOGUE_DEFAULT;
    *matmulDesc = p;
    return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasLtMatmulDescDestroy(cublasLtMatmulDesc_t matmulDesc)
{
    return destroy(matmulDesc);
}

cublasStatus_t cublasLtMatmulDescSetAttribute(cublasLtMatmulDesc_t matmulDesc, cublasLtMatmulDescAttributes_t attr,
                                              const void *buf, size_t sizeInBytes)
{
    if (!live(matmulDesc, EMU_LT_DESCRIPTOR) || buf == NULL) {
        return CUBLAS_STATUS_INVALID_VALUE;
    }
    struct emu_desc *d = (struct emu_desc *)(void *)matmulDesc;
    void *field;
    size_t size;
    switch (attr) {
    case CUBLASLT_MATMUL_DESC_TRANSA: field = &d->transa; size = sizeof d->transa; break;
    case CUBLASLT_MATMUL_DESC_TRANSB: field = &d->transb; size = sizeof d->transb; break;
    case CUBLASLT_MATMUL_DESC_EPILOGUE: field = &d->epilogue; size = sizeof d->epilogue; break;
    case CUBLASLT_MATMUL_DESC_BIAS_POINTER: field = &d->bias; size = sizeof d->bias; break;
    case CUBLASLT_MATMUL_DESC_EPILOGUE_AUX_POINTER: field = &d->aux; size = sizeof d->aux; break;
    case CUBLASLT_MATMUL_DESC_EPILOGUE_AUX_LD: field = &d->aux_ld; size = sizeof d->aux_ld; break;
    default:
        emu_report("cublasLtMatmulDescSetAttribute: attribute %d is not emulated", (int)attr);
        return CUBLAS_STATUS_INVALID_VALUE;
    }
    if (sizeInBytes != size) {
        return CUBLAS_STATUS_INVALID_VALUE;
    }
    memcpy(field, buf, size);
    return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasLtMatrixLayoutCreate(cublasLtMatrixLayout_t *matLayout, cudaDataType type, uint64_t rows,
                                          uint64_t cols, int64_t ld)
{
    void *p;
    cublasStatus_t status = create(&p, sizeof(struct emu_layout));
    if (status != CUBLAS_STATUS_SUCCESS) {
        return status;
    }
    struct emu_layout *l = p;
    l->type = type;
    l->rows = rows;
    l->cols = cols;
    l->ld = ld;
    *matLayout = p;
    return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasLtMatrixLayoutDestroy(cublasLtMatrixLayout_t matLayout)
{
    return destroy(matLayout);
}

cublasStatus_t cublasLtMatmulPreferenceCreate(cublasLtMatmulPreference_t *pref)
{
    void *p;
    cublasStatus_t status = create(&p, sizeof(struct emu_pref));
    if (status == CUBLAS_STATUS_SUCCESS) {
        struct emu_pref *e = p;
        for (int i = 0; i < 4; i++) {
            e->alignment[i] = 256;
        }
        *pref = p;
    }
    return status;
}

cublasStatus_t cublasLtMatmulPreferenceDestroy(cublasLtMatmulPreference_t pref)
{
    return destroy(pref);
}

cublasStatus_t cublasLtMatmulPreferenceSetAttribute(cublasLtMatmulPreference_t pref,
                                                    cublasLtMatmulPreferenceAttributes_t attr, const void *buf,
                                                    size_t sizeInBytes)
{
    if (!live(pref, EMU_LT_DESCRIPTOR) || buf == NULL) {
        return CUBLAS_STATUS_INVALID_VALUE;
    }
    struct emu_pref *p = (struct emu_pref *)(void *)pref;
    void *field;
    size_t size;
    switch (attr) {
    case CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES: field = &p->max_workspace; size = sizeof p->max_workspace; break;
    case CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_A_BYTES:
    case CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_B_BYTES:
    case CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_C_BYTES:
    case CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_D_BYTES:
        field = &p->alignment[attr - CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_A_BYTES];
        size = sizeof p->alignment[0];
        break;
    default:
        emu_report("cublasLtMatmulPreferenceSetAttribute: attribute %d is not emulated", (int)attr);
        return CUBLAS_STATUS_INVALID_VALUE;
    }
    if (sizeInBytes != size) {
        return CUBLAS_STATUS_INVALID_VALUE;
    }
    memcpy(field, buf, size);
    return CUBLAS_STATUS_SUCCESS;
}

/* One matmul's descriptors, checked and resolved. */
struct problem {
    const struct emu_desc *desc;
    const struct emu_layout *a, *b, *c, *d;
    int m, n, k;
    size_t element;
};

static int has_bias(uint32_t epilogue)
{
    return epilogue == CUBLASLT_EPILOGUE_BIAS || epilogue == CUBLASLT_EPILOGUE_RELU_BIAS
        || epilogue == CUBLASLT_EPILOGUE_RELU_AUX_BIAS;
}

static int has_aux(uint32_t epilogue)
{
    return epilogue == CUBLASLT_EPILOGUE_RELU_AUX || epilogue == CUBLASLT_EPILOGUE_RELU_AUX_BIAS;
}

static int has_relu(uint32_t epilogue)
{
    return epilogue == CUBLASLT_EPILOGUE_RELU || epilogue == CUBLASLT_EPILOGUE_RELU_BIAS || has_aux(epilogue);
}

static int layout_ok(const struct emu_layout *l, cudaDataType_t type)
{
    return l->type == type && l->rows <= 0x7fffffff && l->cols <= 0x7fffffff
        && l->ld >= (int64_t)(l->rows > 1 ? l->rows : 1);
}

/* The checks shared by the heuristic and the matmul; SUCCESS means the problem is well formed. */
static cublasStatus_t resolve(cublasLtHandle_t handle, cublasLtMatmulDesc_t desc, cublasLtMatrixLayout_t A,
                              cublasLtMatrixLayout_t B, cublasLtMatrixLayout_t C, cublasLtMatrixLayout_t D,
                              struct problem *p)
{
    if (!live(handle, EMU_CUBLASLT)) {
        return CUBLAS_STATUS_NOT_INITIALIZED;
    }
    if (!live(desc, EMU_LT_DESCRIPTOR) || !live(A, EMU_LT_DESCRIPTOR) || !live(B, EMU_LT_DESCRIPTOR)
        || !live(C, EMU_LT_DESCRIPTOR) || !live(D, EMU_LT_DESCRIPTOR)) {
        return CUBLAS_STATUS_INVALID_VALUE;
    }
    p->desc = (const struct emu_desc *)(const void *)desc;
    p->a = (const struct emu_layout *)(const void *)A;
    p->b = (const struct emu_layout *)(const void *)B;
    p->c = (const struct emu_layout *)(const void *)C;
    p->d = (const struct emu_layout *)(const void *)D;
    const struct emu_desc *e = p->desc;
    int f32 = (e->compute == CUBLAS_COMPUTE_32F || e->compute == CUBLAS_COMPUTE_32F_FAST_TF32)
        && e->scale == CUDA_R_32F;
    int f64 = e->compute == CUBLAS_COMPUTE_64F && e->scale == CUDA_R_64F;
    if (!f32 && !f64) {
        return CUBLAS_STATUS_NOT_SUPPORTED;
    }
    if (!layout_ok(p->a, e->scale) || !layout_ok(p->b, e->scale) || !layout_ok(p->c, e->scale)
        || !layout_ok(p->d, e->scale) || (unsigned)e->transa > CUBLAS_OP_T || (unsigned)e->transb > CUBLAS_OP_T) {
        return CUBLAS_STATUS_INVALID_VALUE;
    }
    p->element = f64 ? sizeof(double) : sizeof(float);
    p->m = (int)p->d->rows;
    p->n = (int)p->d->cols;
    p->k = (int)(e->transa == CUBLAS_OP_N ? p->a->cols : p->a->rows);
    uint64_t a_m = e->transa == CUBLAS_OP_N ? p->a->rows : p->a->cols;
    uint64_t b_k = e->transb == CUBLAS_OP_N ? p->b->rows : p->b->cols;
    uint64_t b_n = e->transb == CUBLAS_OP_N ? p->b->cols : p->b->rows;
    if (a_m != p->d->rows || b_k != (uint64_t)p->k || b_n != p->d->cols || p->c->rows != p->d->rows
        || p->c->cols != p->d->cols) {
        return CUBLAS_STATUS_INVALID_VALUE;
    }
    switch (e->epilogue) {
    case CUBLASLT_EPILOGUE_DEFAULT:
    case CUBLASLT_EPILOGUE_RELU:
    case CUBLASLT_EPILOGUE_BIAS:
    case CUBLASLT_EPILOGUE_RELU_BIAS:
    case CUBLASLT_EPILOGUE_RELU_AUX:
    case CUBLASLT_EPILOGUE_RELU_AUX_BIAS:
        break;
    default:
        return CUBLAS_STATUS_NOT_SUPPORTED;
    }
    if (has_aux(e->epilogue) && (e->aux_ld % 128 != 0 || e->aux_ld < (int64_t)p->d->rows)) {
        return CUBLAS_STATUS_INVALID_VALUE;
    }
    return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasLtMatmulAlgoGetHeuristic(cublasLtHandle_t lightHandle, cublasLtMatmulDesc_t operationDesc,
                                              cublasLtMatrixLayout_t Adesc, cublasLtMatrixLayout_t Bdesc,
                                              cublasLtMatrixLayout_t Cdesc, cublasLtMatrixLayout_t Ddesc,
                                              cublasLtMatmulPreference_t preference, int requestedAlgoCount,
                                              cublasLtMatmulHeuristicResult_t heuristicResultsArray[],
                                              int *returnAlgoCount)
{
    struct problem p;
    cublasStatus_t status = resolve(lightHandle, operationDesc, Adesc, Bdesc, Cdesc, Ddesc, &p);
    if (status != CUBLAS_STATUS_SUCCESS) {
        return status;
    }
    if (!live(preference, EMU_LT_DESCRIPTOR) || requestedAlgoCount <= 0 || heuristicResultsArray == NULL
        || returnAlgoCount == NULL) {
        return CUBLAS_STATUS_INVALID_VALUE;
    }
    int failure = emu_take_cublas_failure();
    if (failure != 0) {
        return (cublasStatus_t)failure;
    }
    const struct emu_pref *pref = (const struct emu_pref *)(const void *)preference;
    cublasLtMatmulHeuristicResult_t *r = &heuristicResultsArray[0];
    memset(r, 0, sizeof *r);
    r->algo.data[0] = EMU_ALGO_MAGIC;
    r->algo.data[1] = pref->max_workspace >= EMU_ALGO_WORKSPACE ? EMU_ALGO_WORKSPACE : 0;
    for (int i = 0; i < 4; i++) {
        r->algo.data[2 + i] = pref->alignment[i];
    }
    r->workspaceSize = (size_t)r->algo.data[1];
    r->state = CUBLAS_STATUS_SUCCESS;
    r->wavesCount = 1.0f;
    *returnAlgoCount = 1;
    return CUBLAS_STATUS_SUCCESS;
}

/* Whether a column-major operand (rows x cols, leading dimension ld) lies in one device allocation. */
static int operand_ok(const char *name, const void *ptr, uint64_t rows, uint64_t cols, int64_t ld, size_t element)
{
    if (rows == 0 || cols == 0) {
        return 1;
    }
    size_t bytes = ((size_t)ld * (size_t)(cols - 1) + (size_t)rows) * element;
    if (ptr != NULL && emu_range_ok(ptr, bytes)) {
        return 1;
    }
    emu_report("cublasLtMatmul: %s [%p, +%zu bytes) is not inside one live device allocation", name, ptr, bytes);
    return 0;
}

/* Whether ptr is aligned to the bytes an algorithm relies on (reports when not). */
static int aligned(const char *name, const void *ptr, uint64_t bytes)
{
    if (bytes == 0 || (uintptr_t)ptr % bytes == 0) {
        return 1;
    }
    emu_report("cublasLtMatmul: %s at %p is not aligned to the %llu bytes the algorithm was chosen for", name, ptr,
               (unsigned long long)bytes);
    return 0;
}

/* The epilogue over D (m x n, leading dimension ld) for element type T. */
#define DEFINE_EPILOGUE(NAME, T)                                                                             \
    static void NAME(const struct problem *p, T *D, int64_t ld)                                              \
    {                                                                                                        \
        const struct emu_desc *e = p->desc;                                                                  \
        const T *bias = has_bias(e->epilogue) ? (const T *)e->bias : NULL;                                   \
        unsigned char *mask = has_aux(e->epilogue) ? (unsigned char *)e->aux : NULL;                         \
        int relu = has_relu(e->epilogue);                                                                    \
        int keep_nan = emu_lt_relu_keeps_nan();                                                              \
        for (int j = 0; j < p->n; j++) {                                                                     \
            for (int i = 0; i < p->m; i++) {                                                                 \
                T x = D[(size_t)j * (size_t)ld + (size_t)i];                                                 \
                if (bias != NULL) {                                                                          \
                    x += bias[i];                                                                            \
                }                                                                                            \
                int kept = x > 0;                                                                            \
                if (relu && !kept && !(isnan(x) && keep_nan)) {                                              \
                    x = 0;                                                                                   \
                }                                                                                            \
                if (mask != NULL) {                                                                          \
                    size_t bit = (size_t)j * (size_t)e->aux_ld + (size_t)i;                                  \
                    unsigned char m = (unsigned char)(1u << (bit % 8));                                      \
                    mask[bit / 8] = kept ? (unsigned char)(mask[bit / 8] | m) : (unsigned char)(mask[bit / 8] & ~m); \
                }                                                                                            \
                D[(size_t)j * (size_t)ld + (size_t)i] = x;                                                   \
            }                                                                                                \
        }                                                                                                    \
    }

DEFINE_EPILOGUE(epilogue_d, double)
DEFINE_EPILOGUE(epilogue_s, float)

static enum CBLAS_TRANSPOSE cblas_op(int32_t op)
{
    return op == CUBLAS_OP_N ? CblasNoTrans : CblasTrans;
}

cublasStatus_t cublasLtMatmul(cublasLtHandle_t lightHandle, cublasLtMatmulDesc_t computeDesc, const void *alpha,
                              const void *A, cublasLtMatrixLayout_t Adesc, const void *B,
                              cublasLtMatrixLayout_t Bdesc, const void *beta, const void *C,
                              cublasLtMatrixLayout_t Cdesc, void *D, cublasLtMatrixLayout_t Ddesc,
                              const cublasLtMatmulAlgo_t *algo, void *workspace, size_t workspaceSizeInBytes,
                              cudaStream_t stream)
{
    struct problem p;
    cublasStatus_t status = resolve(lightHandle, computeDesc, Adesc, Bdesc, Cdesc, Ddesc, &p);
    if (status != CUBLAS_STATUS_SUCCESS) {
        return status;
    }
    const struct emu_desc *e = p.desc;
    size_t needed = 0;
    if (algo != NULL) {
        if (algo->data[0] != EMU_ALGO_MAGIC) {
            emu_report("cublasLtMatmul: algo %p did not come from cublasLtMatmulAlgoGetHeuristic", (const void *)algo);
            return CUBLAS_STATUS_INVALID_VALUE;
        }
        needed = (size_t)algo->data[1];
        if (!aligned("A", A, algo->data[2]) || !aligned("B", B, algo->data[3]) || !aligned("C", C, algo->data[4])
            || !aligned("D", D, algo->data[5])) {
            return CUBLAS_STATUS_INVALID_VALUE;
        }
    }
    if (alpha == NULL || beta == NULL || workspaceSizeInBytes < needed
        || (stream != NULL && !emu_handle_live(stream, EMU_STREAM)) || (has_bias(e->epilogue) && e->bias == NULL)
        || (has_aux(e->epilogue) && e->aux == NULL)) {
        return CUBLAS_STATUS_INVALID_VALUE;
    }
    if (p.m == 0 || p.n == 0) {
        return CUBLAS_STATUS_SUCCESS;
    }
    int f64 = p.element == sizeof(double);
    double beta_value = f64 ? *(const double *)beta : *(const float *)beta;
    int reads_ab = p.k > 0;
    if ((reads_ab && !operand_ok("A", A, p.a->rows, p.a->cols, p.a->ld, p.element))
        || (reads_ab && !operand_ok("B", B, p.b->rows, p.b->cols, p.b->ld, p.element))
        || (beta_value != 0 && !operand_ok("C", C, p.c->rows, p.c->cols, p.c->ld, p.element))
        || !operand_ok("D", D, p.d->rows, p.d->cols, p.d->ld, p.element)
        || (has_bias(e->epilogue) && !operand_ok("bias", e->bias, (uint64_t)p.m, 1, p.m, p.element))
        || (has_aux(e->epilogue) && !operand_ok("aux", e->aux, (uint64_t)e->aux_ld / 8, (uint64_t)p.n, e->aux_ld / 8, 1))
        || (needed > 0 && !operand_ok("workspace", workspace, needed, 1, (int64_t)needed, 1))) {
        return CUBLAS_STATUS_EXECUTION_FAILED;
    }
    int failure = emu_take_cublas_failure();
    if (failure != 0) {
        return (cublasStatus_t)failure;
    }
    if (emu_stream_flush(stream) != 0) { /* the stream's queued copies run first */
        return CUBLAS_STATUS_EXECUTION_FAILED;
    }
    /* D = alpha op(A) op(B) + beta C: C is copied into D first when they differ and beta reads it. */
    if (beta_value != 0 && C != D) {
        for (int j = 0; j < p.n; j++) {
            memmove((char *)D + (size_t)j * (size_t)p.d->ld * p.element,
                    (const char *)C + (size_t)j * (size_t)p.c->ld * p.element, (size_t)p.m * p.element);
        }
    }
    if (f64) {
        cblas_dgemm(CblasColMajor, cblas_op(e->transa), cblas_op(e->transb), p.m, p.n, p.k, *(const double *)alpha,
                    A, (int)p.a->ld, B, (int)p.b->ld, beta_value, D, (int)p.d->ld);
        epilogue_d(&p, D, p.d->ld);
    } else {
        cblas_sgemm(CblasColMajor, cblas_op(e->transa), cblas_op(e->transb), p.m, p.n, p.k, *(const float *)alpha,
                    A, (int)p.a->ld, B, (int)p.b->ld, (float)beta_value, D, (int)p.d->ld);
        epilogue_s(&p, D, p.d->ld);
    }
    if (emu_take_gemm_corruption()) { /* an injected wrong result (t4j_emu_corrupt_next_gemm) */
        if (f64) {
            *(double *)D += 1;
        } else {
            *(float *)D += 1;
        }
    }
    emu_count_gemm();
    emu_count_lt_matmul((int)e->epilogue);
    return CUBLAS_STATUS_SUCCESS;
}
