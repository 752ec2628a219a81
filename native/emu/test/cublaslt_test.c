/*
 * Self-test of the emulated cuBLASLt, run by build.sh: cublasLtMatmul with every bound epilogue against
 * a triple loop written here (column-major, op(A) = A^T as the CUDA backend uses it), the bit mask bit
 * by bit (padding untouched), the ReLU NaN switch, the heuristic's workspace and alignment promises,
 * argument checks, injected failures and the leak counters.
 */
#include "cublaslt_subset.h"
#include "t4j_emu.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static int failures;

#define CHECK(cond)                                                                   \
    do {                                                                              \
        if (!(cond)) {                                                                \
            printf("cublaslt_test.c:%d: FAILED: %s\n", __LINE__, #cond);              \
            failures++;                                                               \
        }                                                                             \
    } while (0)

enum { M = 5, N = 3, K = 4, LD_BITS = 128 };

/* A (K x M, used transposed), B (K x N), bias (M), D (M x N); device copies and the mask. */
static double hA[K * M], hB[K * N], hBias[M];
static double *dA, *dB, *dBias, *dD;
static unsigned char *dMask;

static void *device(size_t bytes)
{
    void *p = NULL;
    CHECK(cudaMalloc(&p, bytes) == cudaSuccess);
    return p;
}

/* The expected D and mask bits for an epilogue, with relu(NaN) = keep_nan ? NaN : 0. */
static void reference(int epilogue, int keep_nan, double *D, int *bits)
{
    int bias = epilogue == CUBLASLT_EPILOGUE_BIAS || epilogue == CUBLASLT_EPILOGUE_RELU_BIAS
        || epilogue == CUBLASLT_EPILOGUE_RELU_AUX_BIAS;
    int relu = epilogue != CUBLASLT_EPILOGUE_DEFAULT && epilogue != CUBLASLT_EPILOGUE_BIAS;
    for (int j = 0; j < N; j++) {
        for (int i = 0; i < M; i++) {
            double z = 0;
            for (int k = 0; k < K; k++) {
                z += hA[k + i * K] * hB[k + j * K];
            }
            z = 0.5 * z + (bias ? hBias[i] : 0);
            bits[i + j * M] = z > 0;
            D[i + j * M] = relu && !(z > 0) && !(isnan(z) && keep_nan) ? 0 : z;
        }
    }
}

struct descriptors {
    cublasLtMatmulDesc_t desc;
    cublasLtMatrixLayout_t a, b, d;
};

static struct descriptors create(int epilogue, int64_t aux_ld)
{
    struct descriptors s;
    int32_t transa = CUBLAS_OP_T, transb = CUBLAS_OP_N;
    uint32_t e = (uint32_t)epilogue;
    const void *bias = dBias;
    void *aux = dMask;
    CHECK(cublasLtMatmulDescCreate(&s.desc, CUBLAS_COMPUTE_64F, CUDA_R_64F) == CUBLAS_STATUS_SUCCESS);
    CHECK(cublasLtMatmulDescSetAttribute(s.desc, CUBLASLT_MATMUL_DESC_TRANSA, &transa, sizeof transa) == 0);
    CHECK(cublasLtMatmulDescSetAttribute(s.desc, CUBLASLT_MATMUL_DESC_TRANSB, &transb, sizeof transb) == 0);
    CHECK(cublasLtMatmulDescSetAttribute(s.desc, CUBLASLT_MATMUL_DESC_EPILOGUE, &e, sizeof e) == 0);
    CHECK(cublasLtMatmulDescSetAttribute(s.desc, CUBLASLT_MATMUL_DESC_BIAS_POINTER, &bias, sizeof bias) == 0);
    CHECK(cublasLtMatmulDescSetAttribute(s.desc, CUBLASLT_MATMUL_DESC_EPILOGUE_AUX_POINTER, &aux, sizeof aux) == 0);
    CHECK(cublasLtMatmulDescSetAttribute(s.desc, CUBLASLT_MATMUL_DESC_EPILOGUE_AUX_LD, &aux_ld, sizeof aux_ld) == 0);
    CHECK(cublasLtMatmulDescSetAttribute(s.desc, CUBLASLT_MATMUL_DESC_EPILOGUE, &e, 2)
          == CUBLAS_STATUS_INVALID_VALUE);
    CHECK(cublasLtMatrixLayoutCreate(&s.a, CUDA_R_64F, K, M, K) == 0);
    CHECK(cublasLtMatrixLayoutCreate(&s.b, CUDA_R_64F, K, N, K) == 0);
    CHECK(cublasLtMatrixLayoutCreate(&s.d, CUDA_R_64F, M, N, M) == 0);
    return s;
}

static void destroy(struct descriptors s)
{
    CHECK(cublasLtMatmulDescDestroy(s.desc) == 0);
    CHECK(cublasLtMatrixLayoutDestroy(s.a) == 0);
    CHECK(cublasLtMatrixLayoutDestroy(s.b) == 0);
    CHECK(cublasLtMatrixLayoutDestroy(s.d) == 0);
}

static cublasStatus_t run(cublasLtHandle_t h, struct descriptors s, const cublasLtMatmulAlgo_t *algo, void *ws,
                          size_t ws_bytes, const double *A)
{
    double alpha = 0.5, beta = 0;
    return cublasLtMatmul(h, s.desc, &alpha, A, s.a, dB, s.b, &beta, dD, s.d, dD, s.d, algo, ws, ws_bytes, NULL);
}

int main(void)
{
    int handles = t4j_emu_live_handles();
    int allocations = t4j_emu_live_allocations();
    for (int i = 0; i < K * M; i++) {
        hA[i] = sin(1.7 * i + 0.3);
    }
    for (int i = 0; i < K * N; i++) {
        hB[i] = cos(0.9 * i - 0.2);
    }
    for (int i = 0; i < M; i++) {
        hBias[i] = 0.25 * (i - 2);
    }
    hA[3] = NAN; /* column 0 of op(A): row 0 of D is NaN */
    dA = device(sizeof hA + 8);
    dB = device(sizeof hB);
    dBias = device(sizeof hBias);
    dD = device(sizeof(double) * M * N);
    dMask = device(LD_BITS / 8 * N);
    CHECK(cudaMemcpy(dA, hA, sizeof hA, cudaMemcpyHostToDevice) == cudaSuccess);
    CHECK(cudaMemcpy(dB, hB, sizeof hB, cudaMemcpyHostToDevice) == cudaSuccess);
    CHECK(cudaMemcpy(dBias, hBias, sizeof hBias, cudaMemcpyHostToDevice) == cudaSuccess);

    cublasLtHandle_t h;
    CHECK(cublasLtCreate(&h) == CUBLAS_STATUS_SUCCESS);
    CHECK(cublasLtGetVersion() >= 120000);
    int epilogues[] = {CUBLASLT_EPILOGUE_DEFAULT, CUBLASLT_EPILOGUE_BIAS, CUBLASLT_EPILOGUE_RELU,
                       CUBLASLT_EPILOGUE_RELU_BIAS, CUBLASLT_EPILOGUE_RELU_AUX, CUBLASLT_EPILOGUE_RELU_AUX_BIAS};
    for (int keep_nan = 0; keep_nan < 2; keep_nan++) {
        t4j_emu_set_lt_relu_keeps_nan(keep_nan);
        for (size_t e = 0; e < sizeof epilogues / sizeof epilogues[0]; e++) {
            int epilogue = epilogues[e];
            int aux = epilogue == CUBLASLT_EPILOGUE_RELU_AUX || epilogue == CUBLASLT_EPILOGUE_RELU_AUX_BIAS;
            struct descriptors s = create(epilogue, LD_BITS);
            unsigned char mask[LD_BITS / 8 * N];
            memset(mask, 0xA5, sizeof mask);
            CHECK(cudaMemcpy(dMask, mask, sizeof mask, cudaMemcpyHostToDevice) == cudaSuccess);
            CHECK(run(h, s, NULL, NULL, 0, dA) == CUBLAS_STATUS_SUCCESS);
            double D[M * N], expected[M * N];
            int bits[M * N];
            reference(epilogue, keep_nan, expected, bits);
            CHECK(cudaMemcpy(D, dD, sizeof D, cudaMemcpyDeviceToHost) == cudaSuccess);
            CHECK(cudaMemcpy(mask, dMask, sizeof mask, cudaMemcpyDeviceToHost) == cudaSuccess);
            for (int i = 0; i < M * N; i++) {
                CHECK(isnan(expected[i]) ? isnan(D[i]) : fabs(D[i] - expected[i]) < 1e-14);
            }
            for (int j = 0; j < N; j++) {
                for (int bit = 0; bit < LD_BITS; bit++) {
                    int got = (mask[(j * LD_BITS + bit) / 8] >> (bit % 8)) & 1;
                    /* padding bits and every bit of a mask the epilogue does not write stay as they were */
                    int want = aux && bit < M ? bits[bit + j * M] : (0xA5 >> (bit % 8)) & 1;
                    CHECK(got == want);
                }
            }
            destroy(s);
        }
    }
    t4j_emu_set_lt_relu_keeps_nan(0);

    /* the heuristic: workspace within the preference, alignment promises kept by cublasLtMatmul */
    struct descriptors s = create(CUBLASLT_EPILOGUE_RELU_AUX_BIAS, LD_BITS);
    cublasLtMatmulPreference_t pref;
    cublasLtMatmulHeuristicResult_t result;
    int count = 0;
    uint64_t max_ws = 1 << 20;
    uint32_t align = 8;
    CHECK(cublasLtMatmulPreferenceCreate(&pref) == 0);
    CHECK(cublasLtMatmulAlgoGetHeuristic(h, s.desc, s.a, s.b, s.d, s.d, pref, 1, &result, &count) == 0);
    CHECK(count == 1 && result.state == CUBLAS_STATUS_SUCCESS && result.workspaceSize == 0);
    CHECK(cublasLtMatmulPreferenceSetAttribute(pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &max_ws, sizeof max_ws)
          == 0);
    CHECK(cublasLtMatmulAlgoGetHeuristic(h, s.desc, s.a, s.b, s.d, s.d, pref, 1, &result, &count) == 0);
    CHECK(result.workspaceSize > 0 && result.workspaceSize <= max_ws);
    void *ws = device(result.workspaceSize);
    CHECK(run(h, s, &result.algo, ws, result.workspaceSize - 1, dA) == CUBLAS_STATUS_INVALID_VALUE);
    CHECK(run(h, s, &result.algo, ws, result.workspaceSize, dA) == CUBLAS_STATUS_SUCCESS);
    double *shifted = (double *)((char *)dA + 8); /* 8-byte aligned only */
    CHECK(run(h, s, &result.algo, ws, result.workspaceSize, shifted) == CUBLAS_STATUS_INVALID_VALUE);
    CHECK(cublasLtMatmulPreferenceSetAttribute(pref, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_A_BYTES, &align, sizeof align)
          == 0);
    CHECK(cublasLtMatmulAlgoGetHeuristic(h, s.desc, s.a, s.b, s.d, s.d, pref, 1, &result, &count) == 0);
    CHECK(run(h, s, &result.algo, ws, result.workspaceSize, shifted) == CUBLAS_STATUS_SUCCESS);
    CHECK(cublasLtMatmulAlgoGetHeuristic(h, s.desc, s.a, s.b, s.d, s.d, pref, 0, &result, &count)
          == CUBLAS_STATUS_INVALID_VALUE);

    /* injected failures: the status comes back and nothing is computed */
    double before[M * N], after[M * N];
    CHECK(run(h, s, NULL, NULL, 0, dA) == CUBLAS_STATUS_SUCCESS);
    long long runs = t4j_emu_lt_matmul_count();
    CHECK(cudaMemcpy(before, dD, sizeof before, cudaMemcpyDeviceToHost) == cudaSuccess);
    t4j_emu_fail_next_cublas(CUBLAS_STATUS_NOT_SUPPORTED);
    CHECK(cublasLtMatmulAlgoGetHeuristic(h, s.desc, s.a, s.b, s.d, s.d, pref, 1, &result, &count)
          == CUBLAS_STATUS_NOT_SUPPORTED);
    t4j_emu_fail_next_cublas(CUBLAS_STATUS_NOT_SUPPORTED);
    CHECK(run(h, s, NULL, NULL, 0, dA) == CUBLAS_STATUS_NOT_SUPPORTED);
    CHECK(cudaMemcpy(after, dD, sizeof after, cudaMemcpyDeviceToHost) == cudaSuccess);
    CHECK(memcmp(before, after, sizeof before) == 0);
    CHECK(t4j_emu_lt_matmul_count() == runs);
    t4j_emu_corrupt_next_gemm();
    CHECK(run(h, s, NULL, NULL, 0, dA) == CUBLAS_STATUS_SUCCESS);
    CHECK(cudaMemcpy(after, dD, sizeof after, cudaMemcpyDeviceToHost) == cudaSuccess);
    CHECK(isnan(before[0]) ? isnan(after[0]) : after[0] == before[0] + 1);
    CHECK(after[1] == before[1]);
    CHECK(t4j_emu_lt_last_epilogue() == CUBLASLT_EPILOGUE_RELU_AUX_BIAS);

    /* argument checks */
    destroy(s);
    s = create(CUBLASLT_EPILOGUE_RELU_AUX, 64); /* not a multiple of 128 */
    CHECK(run(h, s, NULL, NULL, 0, dA) == CUBLAS_STATUS_INVALID_VALUE);
    destroy(s);
    s = create(CUBLASLT_EPILOGUE_BIAS, LD_BITS);
    const void *null_bias = NULL;
    CHECK(cublasLtMatmulDescSetAttribute(s.desc, CUBLASLT_MATMUL_DESC_BIAS_POINTER, &null_bias, sizeof null_bias) == 0);
    CHECK(run(h, s, NULL, NULL, 0, dA) == CUBLAS_STATUS_INVALID_VALUE);
    CHECK(run(h, s, NULL, NULL, 0, (const double *)hA) == CUBLAS_STATUS_INVALID_VALUE); /* bias checked first */
    destroy(s);
    s = create(CUBLASLT_EPILOGUE_DEFAULT, LD_BITS);
    CHECK(run(h, s, NULL, NULL, 0, (const double *)hA) == CUBLAS_STATUS_EXECUTION_FAILED); /* host memory */
    destroy(s);

    CHECK(cublasLtMatmulPreferenceDestroy(pref) == 0);
    CHECK(cublasLtDestroy(h) == CUBLAS_STATUS_SUCCESS);
    CHECK(cublasLtDestroy(h) == CUBLAS_STATUS_NOT_INITIALIZED);
    void *memory[] = {dA, dB, dBias, dD, dMask, ws};
    for (size_t i = 0; i < sizeof memory / sizeof memory[0]; i++) {
        CHECK(cudaFree(memory[i]) == cudaSuccess);
    }
    CHECK(t4j_emu_live_handles() == handles);
    CHECK(t4j_emu_live_allocations() == allocations);
    t4j_emu_reset();
    if (failures > 0) {
        printf("cublaslt_test: %d FAILED\n", failures);
        return 1;
    }
    printf("cublaslt_test: all passed\n");
    return 0;
}
