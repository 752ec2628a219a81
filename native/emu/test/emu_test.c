/*
 * Self-test of the CUDA emulation, run by build.sh: every call is checked against a naive
 * reference (GEMMs against a triple loop in cuBLAS's column-major conventions, kernels against
 * scalar formulas written here again), plus the injected failures and the leak counters.
 */
#include "cublas_subset.h"
#include "cuda_driver_subset.h"
#include "cuda_runtime_subset.h"
#include "nvrtc_subset.h"
#include "t4j_emu.h"
#include "tangent4j_kernels.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;

#define CHECK(cond)                                                                   \
    do {                                                                              \
        if (!(cond)) {                                                                \
            printf("emu_test.c:%d: FAILED: %s\n", __LINE__, #cond);                   \
            failures++;                                                               \
        }                                                                             \
    } while (0)
#define EQ(actual, expected)                                                          \
    do {                                                                              \
        long long a_ = (long long)(actual), e_ = (long long)(expected);               \
        if (a_ != e_) {                                                               \
            printf("emu_test.c:%d: FAILED: %s = %lld, expected %lld\n", __LINE__,     \
                   #actual, a_, e_);                                                  \
            failures++;                                                               \
        }                                                                             \
    } while (0)

static unsigned long long rng = 0x9E3779B97F4A7C15ull;

/* Uniform in [-1, 1), reproducible. */
static double uniform(void)
{
    rng = rng * 6364136223846793005ull + 1442695040888963407ull;
    return (double)(rng >> 11) / 9007199254740992.0 * 2 - 1;
}

static void *device(size_t bytes)
{
    void *p = NULL;
    EQ(cudaMalloc(&p, bytes), cudaSuccess);
    return p;
}

/* ---------------------------------------------------------------- runtime */

static void test_runtime(void)
{
    int n = -1, v = -1;
    EQ(cudaGetDeviceCount(&n), cudaSuccess);
    EQ(n, 1);
    EQ(cudaSetDevice(0), cudaSuccess);
    EQ(cudaSetDevice(1), cudaErrorInvalidDevice);
    EQ(cudaGetLastError(), cudaErrorInvalidDevice);
    EQ(cudaGetLastError(), cudaSuccess);
    EQ(cudaDeviceGetAttribute(&v, cudaDevAttrComputeCapabilityMajor, 0), cudaSuccess);
    EQ(v, 9);
    EQ(cudaDeviceGetAttribute(&v, cudaDevAttrComputeCapabilityMinor, 0), cudaSuccess);
    EQ(v, 0);
    EQ(cudaDeviceGetAttribute(&v, (enum cudaDeviceAttr)12345, 0), cudaErrorInvalidValue);
    EQ(cudaRuntimeGetVersion(&v), cudaSuccess);
    EQ(v, 13000);
    CHECK(strcmp(cudaGetErrorName(cudaErrorMemoryAllocation), "cudaErrorMemoryAllocation") == 0);
    CHECK(strcmp(cudaGetErrorString(cudaErrorMemoryAllocation), "out of memory") == 0);
    CHECK(strcmp(cudaGetErrorString((cudaError_t)424242), "unrecognized error code") == 0);

    int allocations = t4j_emu_live_allocations();
    size_t free0, total;
    EQ(cudaMemGetInfo(&free0, &total), cudaSuccess);
    EQ(total, (size_t)1 << 30);

    /* Round trip host -> device -> device -> host; new memory reads as NaN. */
    double host[100], back[100];
    for (int i = 0; i < 100; i++) {
        host[i] = uniform();
    }
    double *a = device(sizeof host), *b = device(sizeof host);
    EQ(t4j_emu_live_allocations(), allocations + 2);
    EQ(t4j_emu_live_bytes() >= 2 * sizeof host, 1);
    size_t free1;
    EQ(cudaMemGetInfo(&free1, &total), cudaSuccess);
    EQ(free0 - free1, 2 * 1024); /* 800 bytes round up to 1024 each */
    EQ(cudaMemcpy(back, b, sizeof back, cudaMemcpyDeviceToHost), cudaSuccess);
    CHECK(isnan(back[0]) && isnan(back[99]));
    EQ(cudaMemcpy(a, host, sizeof host, cudaMemcpyHostToDevice), cudaSuccess);
    EQ(cudaMemcpyAsync(b, a, sizeof host, cudaMemcpyDeviceToDevice, NULL), cudaSuccess);
    EQ(cudaMemcpy(back, b, sizeof back, cudaMemcpyDefault), cudaSuccess);
    CHECK(memcmp(host, back, sizeof host) == 0);
    EQ(cudaMemsetAsync(b, 0, sizeof host, NULL), cudaSuccess);
    EQ(cudaMemcpy(back, b, sizeof back, cudaMemcpyDeviceToHost), cudaSuccess);
    CHECK(back[0] == 0 && back[99] == 0);

    /* Misuse: ranges past an allocation, wrong directions, double free. */
    EQ(cudaMemcpy(a, host, sizeof host + 8, cudaMemcpyHostToDevice), cudaErrorInvalidValue);
    EQ(cudaMemcpy(host, a, sizeof host, cudaMemcpyHostToDevice), cudaErrorInvalidValue);
    EQ(cudaMemcpy(back, host, sizeof host, cudaMemcpyDeviceToHost), cudaErrorInvalidValue);
    EQ(cudaMemcpy(back, a, sizeof host, (enum cudaMemcpyKind)7), cudaErrorInvalidMemcpyDirection);
    EQ(cudaMemsetAsync(a + 50, 0, sizeof host, NULL), cudaErrorInvalidValue);
    EQ(cudaFree(a), cudaSuccess);
    EQ(cudaFree(a), cudaErrorInvalidValue);
    EQ(cudaFree(b), cudaSuccess);
    EQ(cudaFree(NULL), cudaSuccess);
    void *zero = (void *)1;
    EQ(cudaMalloc(&zero, 0), cudaSuccess);
    CHECK(zero == NULL);
    EQ(t4j_emu_live_allocations(), allocations);

    /* The budget and the injected allocation failure. */
    t4j_emu_set_memory_budget(1 << 20);
    EQ(cudaMemGetInfo(&free1, &total), cudaSuccess);
    EQ(total, 1 << 20);
    void *big = NULL, *small = NULL;
    EQ(cudaMalloc(&big, (1 << 20) + 1), cudaErrorMemoryAllocation);
    EQ(cudaMalloc(&big, 1 << 19), cudaSuccess);
    EQ(cudaMalloc(&small, 1 << 19), cudaSuccess);
    EQ(cudaMalloc(&zero, 1), cudaErrorMemoryAllocation);
    EQ(cudaFree(big), cudaSuccess);
    EQ(cudaFree(small), cudaSuccess);
    t4j_emu_fail_alloc_at(2);
    void *p1 = NULL, *p2 = NULL, *p3 = NULL;
    EQ(cudaMalloc(&p1, 64), cudaSuccess);
    EQ(cudaMalloc(&p2, 64), cudaErrorMemoryAllocation);
    EQ(cudaMalloc(&p3, 64), cudaSuccess);
    EQ(cudaFree(p1), cudaSuccess);
    EQ(cudaFree(p3), cudaSuccess);
    t4j_emu_reset();
    EQ(cudaMemGetInfo(&free1, &total), cudaSuccess);
    EQ(total, (size_t)1 << 30);

    /* Streams. */
    int handles = t4j_emu_live_handles();
    cudaStream_t s = NULL;
    EQ(cudaStreamCreate(&s), cudaSuccess);
    EQ(t4j_emu_live_handles(), handles + 1);
    EQ(cudaStreamSynchronize(s), cudaSuccess);
    EQ(cudaStreamDestroy(s), cudaSuccess);
    EQ(cudaStreamDestroy(s), cudaErrorInvalidResourceHandle);
    EQ(t4j_emu_live_handles(), handles);

    /* No device. */
    t4j_emu_set_device_count(0);
    EQ(cudaGetDeviceCount(&n), cudaErrorNoDevice);
    EQ(n, 0);
    EQ(cudaMalloc(&p1, 8), cudaErrorNoDevice);
    t4j_emu_reset();
}

/* The default memory pool, pinned memory, events and the injected copy failure. */
static void test_pool(void)
{
    int allocations = t4j_emu_live_allocations(), handles = t4j_emu_live_handles();
    cudaStream_t s = NULL;
    EQ(cudaStreamCreate(&s), cudaSuccess);
    int pools = 0;
    EQ(cudaDeviceGetAttribute(&pools, cudaDevAttrMemoryPoolsSupported, 0), cudaSuccess);
    EQ(pools, 1);
    cudaMemPool_t pool = NULL;
    EQ(cudaDeviceGetDefaultMemPool(&pool, 0), cudaSuccess);
    CHECK(pool != NULL);
    unsigned long long keep = ~0ull, value = 0;
    EQ(cudaMemPoolSetAttribute(pool, cudaMemPoolAttrReleaseThreshold, &keep), cudaSuccess);
    EQ(cudaMemPoolSetAttribute(pool, cudaMemPoolAttrUsedMemCurrent, &keep), cudaErrorInvalidValue);
    int internal = 0;
    EQ(cudaMemPoolGetAttribute(pool, cudaMemPoolReuseAllowInternalDependencies, &internal), cudaSuccess);
    EQ(internal, 1); /* enabled by default */
    internal = 0;
    EQ(cudaMemPoolSetAttribute(pool, cudaMemPoolReuseAllowInternalDependencies, &internal), cudaSuccess);
    internal = 7;
    EQ(cudaMemPoolGetAttribute(pool, cudaMemPoolReuseAllowInternalDependencies, &internal), cudaSuccess);
    EQ(internal, 0);

    /* a freed block is cached and serves the next request of the same size without new memory */
    long long fresh = t4j_emu_device_alloc_count();
    double *a = NULL, *b = NULL;
    EQ(cudaMallocAsync((void **)&a, 1000, s), cudaSuccess);
    EQ(t4j_emu_device_alloc_count(), fresh + 1);
    EQ(cudaMemPoolGetAttribute(pool, cudaMemPoolAttrUsedMemCurrent, &value), cudaSuccess);
    EQ(value, 1024);
    EQ(cudaFreeAsync(a, s), cudaSuccess);
    EQ(cudaFreeAsync(a, s), cudaErrorInvalidValue);
    EQ(t4j_emu_pool_cached_blocks(), 1);
    EQ(cudaStreamSynchronize(s), cudaSuccess); /* below the threshold: stays cached */
    EQ(cudaMallocAsync((void **)&b, 1000, s), cudaSuccess);
    CHECK(a == b);
    CHECK(isnan(b[0]) && isnan(b[124])); /* a reused block is garbage, not zeros */
    EQ(t4j_emu_device_alloc_count(), fresh + 1);
    EQ(cudaMemcpy(b, b, 1001, cudaMemcpyDeviceToDevice), cudaErrorInvalidValue); /* the request's size, not the block's */
    EQ(cudaFree(b), cudaSuccess); /* cudaFree returns pool memory to the pool */
    EQ(t4j_emu_pool_cached_blocks(), 1);
    EQ(cudaMemPoolGetAttribute(pool, cudaMemPoolAttrReservedMemCurrent, &value), cudaSuccess);
    EQ(value, 1024);

    /* the budget counts cached blocks; trimming gives them back */
    t4j_emu_set_memory_budget(4096);
    EQ(cudaMallocAsync((void **)&a, 3500, s), cudaErrorMemoryAllocation);
    EQ(cudaGetLastError(), cudaErrorMemoryAllocation);
    EQ(cudaMemPoolTrimTo(pool, 0), cudaSuccess);
    EQ(t4j_emu_pool_cached_blocks(), 0);
    EQ(cudaMallocAsync((void **)&a, 3500, s), cudaSuccess);
    EQ(cudaFreeAsync(a, s), cudaSuccess);
    t4j_emu_reset(); /* threshold 0: the next synchronisation releases everything cached */
    EQ(t4j_emu_pool_cached_blocks(), 1);
    cudaEvent_t ev = NULL;
    EQ(cudaEventCreateWithFlags(&ev, cudaEventDisableTiming), cudaSuccess);
    EQ(t4j_emu_live_handles(), handles + 2);
    EQ(cudaEventRecord(ev, s), cudaSuccess);
    EQ(cudaStreamWaitEvent(NULL, ev, 0), cudaSuccess);
    EQ(cudaEventSynchronize(ev), cudaSuccess);
    EQ(t4j_emu_pool_cached_blocks(), 0);
    EQ(cudaEventDestroy(ev), cudaSuccess);
    EQ(cudaEventDestroy(ev), cudaErrorInvalidResourceHandle);
    EQ(cudaEventRecord(ev, s), cudaErrorInvalidResourceHandle);

    /* injected failures: the k-th allocation of either kind; cudaMalloc memory is not the pool's */
    t4j_emu_fail_alloc_at(2);
    EQ(cudaMalloc((void **)&a, 64), cudaSuccess);
    EQ(cudaMallocAsync((void **)&b, 64, s), cudaErrorMemoryAllocation);
    EQ(cudaMallocAsync((void **)&b, 64, s), cudaSuccess);
    EQ(cudaFreeAsync(a, s), cudaErrorInvalidValue);
    EQ(cudaFree(a), cudaSuccess);
    EQ(cudaFreeAsync(b, s), cudaSuccess);
    EQ(cudaMemPoolTrimTo(pool, 0), cudaSuccess);

    /* pinned memory, its failure and the copy failure */
    long long pinned = t4j_emu_host_alloc_count();
    double *h = NULL;
    EQ(cudaMallocHost((void **)&h, 256), cudaSuccess);
    EQ(t4j_emu_live_host_allocations(), 1);
    EQ(t4j_emu_host_alloc_count(), pinned + 1);
    EQ(cudaMallocAsync((void **)&a, 256, s), cudaSuccess);
    for (int i = 0; i < 32; i++) {
        h[i] = i;
    }
    long long copies = t4j_emu_copy_count();
    t4j_emu_fail_copy_at(2, cudaErrorLaunchFailure);
    EQ(cudaMemcpyAsync(a, h, 256, cudaMemcpyHostToDevice, s), cudaSuccess);
    EQ(cudaMemcpyAsync(h + 16, a, 128, cudaMemcpyDeviceToHost, s), cudaErrorLaunchFailure);
    CHECK(h[16] == 16); /* nothing copied */
    EQ(cudaMemcpyAsync(h + 16, a, 128, cudaMemcpyDeviceToHost, s), cudaSuccess);
    EQ(cudaStreamSynchronize(s), cudaSuccess);
    CHECK(h[16] == 0 && h[31] == 15);
    EQ(t4j_emu_copy_count(), copies + 3);
    EQ(cudaFreeAsync(a, s), cudaSuccess);
    EQ(cudaFreeHost(h), cudaSuccess);
    EQ(cudaFreeHost(h), cudaErrorInvalidValue);
    t4j_emu_fail_host_alloc_at(1);
    EQ(cudaMallocHost((void **)&h, 256), cudaErrorMemoryAllocation);
    EQ(t4j_emu_live_host_allocations(), 0);

    /* a device without pools */
    t4j_emu_set_memory_pools_supported(0);
    EQ(cudaDeviceGetAttribute(&pools, cudaDevAttrMemoryPoolsSupported, 0), cudaSuccess);
    EQ(pools, 0);
    EQ(cudaDeviceGetDefaultMemPool(&pool, 0), cudaErrorNotSupported);
    EQ(cudaMallocAsync((void **)&a, 64, s), cudaErrorNotSupported);
    t4j_emu_reset();
    EQ(cudaStreamSynchronize(s), cudaSuccess);
    EQ(t4j_emu_pool_cached_blocks(), 0);
    EQ(cudaStreamDestroy(s), cudaSuccess);
    EQ(t4j_emu_live_allocations(), allocations);
    EQ(t4j_emu_live_handles(), handles);
}

/* Copies between the device and pinned memory on a stream run only when something waits for them. */
static void test_async(void)
{
    int allocations = t4j_emu_live_allocations(), handles = t4j_emu_live_handles();
    cudaStream_t copies = NULL, compute = NULL;
    EQ(cudaStreamCreate(&copies), cudaSuccess);
    EQ(cudaStreamCreate(&compute), cudaSuccess);
    cudaEvent_t first = NULL, second = NULL;
    EQ(cudaEventCreateWithFlags(&first, cudaEventDisableTiming), cudaSuccess);
    EQ(cudaEventCreateWithFlags(&second, cudaEventDisableTiming), cudaSuccess);
    double *pinned = NULL, *d = NULL, pageable[4] = {7, 7, 7, 7};
    EQ(cudaMallocHost((void **)&pinned, 8 * sizeof(double)), cudaSuccess);
    EQ(cudaMallocAsync((void **)&d, 8 * sizeof(double), compute), cudaSuccess);
    EQ(cudaMemsetAsync(d, 0, 8 * sizeof(double), compute), cudaSuccess);
    for (int i = 0; i < 8; i++) {
        pinned[i] = i + 1;
    }
    EQ(cudaMemcpyAsync(d, pinned, 4 * sizeof(double), cudaMemcpyHostToDevice, copies), cudaSuccess);
    EQ(cudaEventRecord(first, copies), cudaSuccess);
    EQ(cudaMemcpyAsync(d + 4, pinned + 4, 4 * sizeof(double), cudaMemcpyHostToDevice, copies), cudaSuccess);
    EQ(cudaEventRecord(second, copies), cudaSuccess);
    CHECK(d[0] == 0 && d[4] == 0); /* queued, not run */
    /* freeing memory a queued copy of another stream uses is refused */
    EQ(cudaFreeAsync(d, compute), cudaErrorInvalidValue);
    EQ(cudaFreeHost(pinned), cudaErrorInvalidValue);
    pinned[0] = 10; /* the host may still change what the queued copy reads: the GPU would see it too */
    EQ(cudaEventSynchronize(first), cudaSuccess);
    CHECK(d[0] == 10 && d[3] == 4 && d[4] == 0); /* up to the event only */
    long long waits = t4j_emu_stream_wait_count();
    EQ(cudaStreamWaitEvent(compute, second, 0), cudaSuccess);
    CHECK(d[4] == 5 && d[7] == 8);
    EQ(t4j_emu_stream_wait_count(), waits + 1);
    EQ(cudaStreamWaitEvent(compute, NULL, 0), cudaErrorInvalidResourceHandle);
    EQ(t4j_emu_stream_wait_count(), waits + 1); /* a refused wait does not count */
    /* pageable memory and the default stream copy at once; a stream runs its own queue in order */
    EQ(cudaMemcpyAsync(pageable, d, 4 * sizeof(double), cudaMemcpyDeviceToHost, copies), cudaSuccess);
    CHECK(pageable[0] == 10 && pageable[3] == 4);
    EQ(cudaMemcpyAsync(pinned, d + 4, sizeof(double), cudaMemcpyDeviceToHost, NULL), cudaSuccess);
    CHECK(pinned[0] == 5);
    EQ(cudaMemcpyAsync(pinned, d, sizeof(double), cudaMemcpyDeviceToHost, copies), cudaSuccess);
    EQ(cudaMemsetAsync(d, 0, sizeof(double), copies), cudaSuccess); /* after the queued copy */
    CHECK(pinned[0] == 10 && d[0] == 0);
    /* cudaStreamDestroy finishes the stream's queue */
    EQ(cudaMemcpyAsync(pinned + 1, d + 7, sizeof(double), cudaMemcpyDeviceToHost, copies), cudaSuccess);
    EQ(cudaStreamSynchronize(copies), cudaSuccess);
    CHECK(pinned[1] == 8);
    EQ(cudaFreeAsync(d, compute), cudaSuccess);
    EQ(cudaFreeHost(pinned), cudaSuccess);
    EQ(cudaEventDestroy(first), cudaSuccess);
    EQ(cudaEventDestroy(second), cudaSuccess);
    EQ(cudaStreamDestroy(copies), cudaSuccess);
    EQ(cudaStreamDestroy(compute), cudaSuccess);
    t4j_emu_reset();
    cudaMemPool_t pool = NULL;
    EQ(cudaDeviceGetDefaultMemPool(&pool, 0), cudaSuccess);
    EQ(cudaMemPoolTrimTo(pool, 0), cudaSuccess);
    EQ(t4j_emu_live_allocations(), allocations);
    EQ(t4j_emu_live_handles(), handles);
}

/* ---------------------------------------------------------------- cuBLAS */

/* C = alpha op(A) op(B) + beta C, column-major, the definition. */
static void reference_gemm(int ta, int tb, int m, int n, int k, double alpha, const double *A, int lda,
                           const double *B, int ldb, double beta, double *C, int ldc)
{
    for (int j = 0; j < n; j++) {
        for (int i = 0; i < m; i++) {
            double s = 0;
            for (int p = 0; p < k; p++) {
                double a = ta ? A[p + i * lda] : A[i + p * lda];
                double b = tb ? B[j + p * ldb] : B[p + j * ldb];
                s += a * b;
            }
            C[i + j * ldc] = alpha * s + (beta == 0 ? 0 : beta * C[i + j * ldc]);
        }
    }
}

static double max_diff(const double *x, const double *y, int n)
{
    double d = 0;
    for (int i = 0; i < n; i++) {
        double e = fabs(x[i] - y[i]);
        d = e > d || isnan(e) ? e : d;
    }
    return d;
}

static void test_cublas(void)
{
    int allocations = t4j_emu_live_allocations(), handles = t4j_emu_live_handles();
    cublasHandle_t h = NULL;
    EQ(cublasCreate_v2(&h), CUBLAS_STATUS_SUCCESS);
    EQ(cublasSetMathMode(h, CUBLAS_PEDANTIC_MATH), CUBLAS_STATUS_SUCCESS);
    EQ(cublasSetMathMode(h, (cublasMath_t)9), CUBLAS_STATUS_INVALID_VALUE);
    EQ(cublasSetStream_v2(h, NULL), CUBLAS_STATUS_SUCCESS);
    int version = 0;
    EQ(cublasGetVersion_v2(h, &version), CUBLAS_STATUS_SUCCESS);
    CHECK(version >= 120000);
    CHECK(strcmp(cublasGetStatusString(CUBLAS_STATUS_INVALID_VALUE), "CUBLAS_STATUS_INVALID_VALUE") == 0);

    enum { M = 7, N = 5, K = 6, LD = 9, BATCH = 3 };
    double hA[LD * 9 * BATCH], hB[LD * 9 * BATCH], hC[LD * N * BATCH], expect[LD * N * BATCH], got[LD * N * BATCH];
    for (int i = 0; i < LD * 9 * BATCH; i++) {
        hA[i] = uniform();
        hB[i] = uniform();
    }
    for (int i = 0; i < LD * N * BATCH; i++) {
        hC[i] = uniform();
    }
    double *A = device(sizeof hA), *B = device(sizeof hB), *C = device(sizeof hC);
    EQ(cudaMemcpy(A, hA, sizeof hA, cudaMemcpyHostToDevice), cudaSuccess);
    EQ(cudaMemcpy(B, hB, sizeof hB, cudaMemcpyHostToDevice), cudaSuccess);
    long long gemms = t4j_emu_gemm_count();
    for (int ta = 0; ta < 2; ta++) {
        for (int tb = 0; tb < 2; tb++) {
            double alpha = 0.75, beta = -1.5;
            EQ(cudaMemcpy(C, hC, sizeof hC, cudaMemcpyHostToDevice), cudaSuccess);
            memcpy(expect, hC, sizeof hC);
            EQ(cublasDgemm_v2(h, (cublasOperation_t)ta, (cublasOperation_t)tb, M, N, K, &alpha, A, LD, B, LD,
                              &beta, C, LD), CUBLAS_STATUS_SUCCESS);
            reference_gemm(ta, tb, M, N, K, alpha, hA, LD, hB, LD, beta, expect, LD);
            EQ(cudaMemcpy(got, C, sizeof got, cudaMemcpyDeviceToHost), cudaSuccess);
            CHECK(max_diff(got, expect, LD * N) < 1e-13);

            /* Strided batched, A shared by the batch (stride 0). */
            memcpy(expect, hC, sizeof hC);
            EQ(cudaMemcpy(C, hC, sizeof hC, cudaMemcpyHostToDevice), cudaSuccess);
            EQ(cublasDgemmStridedBatched(h, (cublasOperation_t)ta, (cublasOperation_t)tb, M, N, K, &alpha, A, LD,
                                         0, B, LD, LD * 9, &beta, C, LD, LD * N, BATCH), CUBLAS_STATUS_SUCCESS);
            for (int b = 0; b < BATCH; b++) {
                reference_gemm(ta, tb, M, N, K, alpha, hA, LD, hB + b * LD * 9, LD, beta, expect + b * LD * N, LD);
            }
            EQ(cudaMemcpy(got, C, sizeof got, cudaMemcpyDeviceToHost), cudaSuccess);
            CHECK(max_diff(got, expect, LD * N * BATCH) < 1e-13);

            /* Single precision, beta = 0 over NaN-filled C (C must not be read). */
            float fA[LD * 9], fB[LD * 9], fC[LD * N];
            for (int i = 0; i < LD * 9; i++) {
                fA[i] = (float)hA[i];
                fB[i] = (float)hB[i];
            }
            float *dA = device(sizeof fA), *dB = device(sizeof fB), *dC = device(sizeof fC);
            EQ(cudaMemcpy(dA, fA, sizeof fA, cudaMemcpyHostToDevice), cudaSuccess);
            EQ(cudaMemcpy(dB, fB, sizeof fB, cudaMemcpyHostToDevice), cudaSuccess);
            float falpha = 2, fbeta = 0;
            EQ(cublasSgemm_v2(h, (cublasOperation_t)ta, (cublasOperation_t)tb, M, N, K, &falpha, dA, LD, dB, LD,
                              &fbeta, dC, LD), CUBLAS_STATUS_SUCCESS);
            EQ(cudaMemcpy(fC, dC, sizeof fC, cudaMemcpyDeviceToHost), cudaSuccess);
            double dfA[LD * 9], dfB[LD * 9], fexpect[LD * N], fgot[LD * N];
            for (int i = 0; i < LD * 9; i++) {
                dfA[i] = fA[i];
                dfB[i] = fB[i];
            }
            for (int i = 0; i < LD * N; i++) {
                fexpect[i] = 0;
            }
            reference_gemm(ta, tb, M, N, K, 2, dfA, LD, dfB, LD, 0, fexpect, LD);
            for (int j = 0; j < N; j++) {
                for (int i = 0; i < M; i++) {
                    fgot[i + j * LD] = fC[i + j * LD];
                }
                for (int i = M; i < LD; i++) {
                    fgot[i + j * LD] = 0; /* rows past m are not C's: left as they were (NaN) */
                    CHECK(isnan(fC[i + j * LD]));
                }
            }
            CHECK(max_diff(fgot, fexpect, LD * N) < 1e-5);

            /* Single-precision strided batch of 2, B shared. */
            float *bC = device(2 * sizeof fC);
            EQ(cublasSgemmStridedBatched(h, (cublasOperation_t)ta, (cublasOperation_t)tb, M, N, K, &falpha, dA, LD,
                                         0, dB, LD, 0, &fbeta, bC, LD, LD * N, 2), CUBLAS_STATUS_SUCCESS);
            float second[LD * N];
            EQ(cudaMemcpy(second, bC + LD * N, sizeof second, cudaMemcpyDeviceToHost), cudaSuccess);
            for (int j = 0; j < N; j++) {
                for (int i = 0; i < M; i++) {
                    CHECK(second[i + j * LD] == fC[i + j * LD]);
                }
            }
            EQ(cudaFree(bC), cudaSuccess);
            EQ(cudaFree(dA), cudaSuccess);
            EQ(cudaFree(dB), cudaSuccess);
            EQ(cudaFree(dC), cudaSuccess);
        }
    }
    EQ(t4j_emu_gemm_count() - gemms, 4 * 4);

    /* Argument checks, range checks, injected failure. */
    double one = 1, zero = 0;
    EQ(cublasDgemm_v2(h, CUBLAS_OP_N, CUBLAS_OP_N, M, N, K, &one, A, M - 1, B, LD, &zero, C, LD),
       CUBLAS_STATUS_INVALID_VALUE);
    EQ(cublasDgemm_v2(h, CUBLAS_OP_T, CUBLAS_OP_N, M, N, K, &one, A, K - 1, B, LD, &zero, C, LD),
       CUBLAS_STATUS_INVALID_VALUE);
    EQ(cublasDgemm_v2(h, CUBLAS_OP_N, CUBLAS_OP_N, -1, N, K, &one, A, LD, B, LD, &zero, C, LD),
       CUBLAS_STATUS_INVALID_VALUE);
    EQ(cublasDgemm_v2(h, (cublasOperation_t)5, CUBLAS_OP_N, M, N, K, &one, A, LD, B, LD, &zero, C, LD),
       CUBLAS_STATUS_INVALID_VALUE);
    EQ(cublasDgemm_v2(NULL, CUBLAS_OP_N, CUBLAS_OP_N, M, N, K, &one, A, LD, B, LD, &zero, C, LD),
       CUBLAS_STATUS_NOT_INITIALIZED);
    EQ(cublasDgemm_v2(h, CUBLAS_OP_N, CUBLAS_OP_N, M, N, K, &one, A, LD, B, LD, &zero, C, 10 * LD),
       CUBLAS_STATUS_EXECUTION_FAILED); /* C's extent runs past its allocation */
    EQ(cublasDgemm_v2(h, CUBLAS_OP_N, CUBLAS_OP_N, M, N, K, &one, hA, LD, B, LD, &zero, C, LD),
       CUBLAS_STATUS_EXECUTION_FAILED); /* a host pointer */
    t4j_emu_fail_next_cublas(CUBLAS_STATUS_EXECUTION_FAILED);
    EQ(cublasDgemm_v2(h, CUBLAS_OP_N, CUBLAS_OP_N, M, N, K, &one, A, LD, B, LD, &zero, C, LD),
       CUBLAS_STATUS_EXECUTION_FAILED);
    EQ(cublasDgemm_v2(h, CUBLAS_OP_N, CUBLAS_OP_N, M, N, K, &one, A, LD, B, LD, &zero, C, LD),
       CUBLAS_STATUS_SUCCESS);
    EQ(cublasDgemm_v2(h, CUBLAS_OP_N, CUBLAS_OP_N, 0, N, K, &one, NULL, 1, NULL, LD, &zero, NULL, 1),
       CUBLAS_STATUS_SUCCESS); /* nothing to do */

    /* k = 0 and alpha = 0: C = beta C, A and B not read (they hold NaN here), beta = 0 gives zeros. */
    double *nanA = device(sizeof hA), *nanC = device(sizeof hC);
    double two = 2;
    EQ(cublasDgemm_v2(h, CUBLAS_OP_N, CUBLAS_OP_N, M, N, 0, &one, nanA, LD, nanA, LD, &zero, nanC, LD),
       CUBLAS_STATUS_SUCCESS);
    EQ(cudaMemcpy(got, nanC, sizeof got, cudaMemcpyDeviceToHost), cudaSuccess);
    for (int j = 0; j < N; j++) {
        for (int i = 0; i < M; i++) {
            CHECK(got[i + j * LD] == 0);
        }
    }
    EQ(cudaMemcpy(nanC, hC, sizeof hC, cudaMemcpyHostToDevice), cudaSuccess);
    EQ(cublasDgemm_v2(h, CUBLAS_OP_T, CUBLAS_OP_N, M, N, K, &zero, nanA, LD, nanA, LD, &two, nanC, LD),
       CUBLAS_STATUS_SUCCESS);
    EQ(cudaMemcpy(got, nanC, sizeof got, cudaMemcpyDeviceToHost), cudaSuccess);
    for (int j = 0; j < N; j++) {
        for (int i = 0; i < M; i++) {
            CHECK(got[i + j * LD] == 2 * hC[i + j * LD]);
        }
    }
    EQ(cudaFree(nanA), cudaSuccess);
    EQ(cudaFree(nanC), cudaSuccess);

    EQ(cudaFree(A), cudaSuccess);
    EQ(cudaFree(B), cudaSuccess);
    EQ(cudaFree(C), cudaSuccess);
    EQ(cublasDestroy_v2(h), CUBLAS_STATUS_SUCCESS);
    EQ(cublasDestroy_v2(h), CUBLAS_STATUS_NOT_INITIALIZED);
    EQ(t4j_emu_live_allocations(), allocations);
    EQ(t4j_emu_live_handles(), handles);
}

/* ---------------------------------------------------------------- NVRTC + driver + kernels */

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *text = malloc((size_t)n + 1);
    if (fread(text, 1, (size_t)n, f) != (size_t)n) {
        n = 0;
    }
    text[n] = '\0';
    fclose(f);
    return text;
}

static char *compile(const char *source, const char *arch, nvrtcResult expected, int *cubin)
{
    nvrtcProgram prog = NULL;
    EQ(nvrtcCreateProgram(&prog, source, "tangent4j_kernels.cu", 0, NULL, NULL), NVRTC_SUCCESS);
    const char *options[] = {arch, "--std=c++17"};
    EQ(nvrtcCompileProgram(prog, 2, options), expected);
    size_t n = 0;
    EQ(nvrtcGetProgramLogSize(prog, &n), NVRTC_SUCCESS);
    char *log = malloc(n);
    EQ(nvrtcGetProgramLog(prog, log), NVRTC_SUCCESS);
    CHECK(expected == NVRTC_SUCCESS ? n == 1 : n > 1);
    free(log);
    char *ptx = NULL;
    if (expected == NVRTC_SUCCESS) {
        EQ(nvrtcGetPTXSize(prog, &n), NVRTC_SUCCESS);
        ptx = malloc(n);
        EQ(nvrtcGetPTX(prog, ptx), NVRTC_SUCCESS);
        EQ(strlen(ptx) + 1, n);
        EQ(nvrtcGetCUBINSize(prog, &n), NVRTC_SUCCESS);
        *cubin = n > 0;
    }
    EQ(nvrtcDestroyProgram(&prog), NVRTC_SUCCESS);
    CHECK(prog == NULL);
    return ptx;
}

/* phi and phi' written again from their definitions. */
static double phi(int kind, double slope, double x)
{
    if (kind == T4J_ACT_RELU) return x > 0 ? x : 0;
    if (kind == T4J_ACT_LEAKY_RELU) return x > 0 ? x : slope * x;
    if (kind == T4J_ACT_ABS) return x < 0 ? -x : x;
    if (kind == T4J_ACT_TANH) return (exp(x) - exp(-x)) / (exp(x) + exp(-x));
    if (kind == T4J_ACT_ERF) return erf(x);
    return x;
}

static double dphi(int kind, double slope, double x)
{
    if (kind == T4J_ACT_RELU) return x > 0;
    if (kind == T4J_ACT_LEAKY_RELU) return x > 0 ? 1 : slope;
    if (kind == T4J_ACT_ABS) return (x > 0) - (x < 0);
    if (kind == T4J_ACT_TANH) return 1 / (cosh(x) * cosh(x));
    if (kind == T4J_ACT_ERF) return 2 / sqrt(M_PI) * exp(-x * x);
    return 1;
}

static CUfunction get(CUmodule module, const char *name)
{
    CUfunction f = NULL;
    EQ(cuModuleGetFunction(&f, module, name), CUDA_SUCCESS);
    return f;
}

/* An odd grid: 3 blocks of 37 threads, so the grid-stride loops wrap several times. */
static CUresult launch(CUfunction f, void **params)
{
    return cuLaunchKernel(f, 3, 1, 1, 37, 1, 1, 0, NULL, params, NULL);
}

enum { ROWS = 13, COLS = 131, REPEAT = 3, WORDS = 3 };

static void test_kernels_f64(CUmodule module)
{
    enum { SIZE = ROWS * COLS };
    static double hz[SIZE], hv[COLS], hr[ROWS], out[SIZE], hb[(ROWS + REPEAT - 1) / REPEAT * COLS];
    for (int i = 0; i < SIZE; i++) {
        hz[i] = 3 * uniform();
    }
    hz[0] = 0; /* the kinks */
    hz[1] = -0.0;
    for (int j = 0; j < COLS; j++) {
        hv[j] = uniform();
    }
    for (int i = 0; i < ROWS; i++) {
        hr[i] = uniform();
    }
    for (int i = 0; i < (int)(sizeof hb / sizeof hb[0]); i++) {
        hb[i] = uniform();
    }
    double *z = device(sizeof hz), *o = device(sizeof hz), *v = device(sizeof hv), *r = device(sizeof hr);
    double *b = device(sizeof hb);
    EQ(cudaMemcpy(z, hz, sizeof hz, cudaMemcpyHostToDevice), cudaSuccess);
    EQ(cudaMemcpy(v, hv, sizeof hv, cudaMemcpyHostToDevice), cudaSuccess);
    EQ(cudaMemcpy(r, hr, sizeof hr, cudaMemcpyHostToDevice), cudaSuccess);
    EQ(cudaMemcpy(b, hb, sizeof hb, cudaMemcpyHostToDevice), cudaSuccess);
    long long n = SIZE, rows = ROWS, cols = COLS, repeat = REPEAT, words = WORDS;

    double value = 2.5;
    void *fill[] = {&o, &value, &n};
    EQ(launch(get(module, "t4j_fill_f64"), fill), CUDA_SUCCESS);
    EQ(cudaMemcpy(out, o, sizeof out, cudaMemcpyDeviceToHost), cudaSuccess);
    for (int i = 0; i < SIZE; i++) {
        CHECK(out[i] == 2.5);
    }

    for (int kind = 0; kind <= 6; kind++) {
        double slope = kind == T4J_ACT_LEAKY_RELU ? 0.2 : 0;
        void *params[] = {&kind, &slope, &z, &o, &n};
        for (int derivative = 0; derivative < 2; derivative++) {
            EQ(launch(get(module, derivative ? "t4j_derivative_f64" : "t4j_activate_f64"), params), CUDA_SUCCESS);
            EQ(cudaMemcpy(out, o, sizeof out, cudaMemcpyDeviceToHost), cudaSuccess);
            for (int i = 0; i < SIZE; i++) {
                if (kind == 6) {
                    CHECK(isnan(out[i])); /* an unknown kind */
                    continue;
                }
                double e = derivative ? dphi(kind, slope, hz[i]) : phi(kind, slope, hz[i]);
                if (!(fabs(out[i] - e) <= 1e-14 * (1 + fabs(e)))) {
                    printf("kind %d derivative %d x=%g: %.17g, expected %.17g\n", kind, derivative, hz[i], out[i], e);
                    failures++;
                    break;
                }
            }
        }
    }

    /* add_row_vector, scale_rows, scale_cols */
    const char *names[] = {"t4j_add_row_vector_f64", "t4j_scale_rows_f64", "t4j_scale_cols_f64"};
    for (int op = 0; op < 3; op++) {
        EQ(cudaMemcpy(o, hz, sizeof hz, cudaMemcpyHostToDevice), cudaSuccess);
        double **vector = op == 1 ? &r : &v;
        void *params[] = {&o, vector, &rows, &cols};
        EQ(launch(get(module, names[op]), params), CUDA_SUCCESS);
        EQ(cudaMemcpy(out, o, sizeof out, cudaMemcpyDeviceToHost), cudaSuccess);
        for (int i = 0; i < ROWS; i++) {
            for (int j = 0; j < COLS; j++) {
                double x = hz[i * COLS + j];
                double e = op == 0 ? x + hv[j] : op == 1 ? x * hr[i] : x * hv[j];
                CHECK(out[i * COLS + j] == e);
            }
        }
    }

    /* hadamard with row repeat */
    void *had[] = {&z, &b, &o, &rows, &cols, &repeat};
    EQ(launch(get(module, "t4j_hadamard_f64"), had), CUDA_SUCCESS);
    EQ(cudaMemcpy(out, o, sizeof out, cudaMemcpyDeviceToHost), cudaSuccess);
    for (int i = 0; i < ROWS; i++) {
        for (int j = 0; j < COLS; j++) {
            CHECK(out[i * COLS + j] == hz[i * COLS + j] * hb[(i / REPEAT) * COLS + j]);
        }
    }

    /* sums along both axes */
    void *sum_rows[] = {&z, &o, &rows, &cols};
    EQ(launch(get(module, "t4j_sum_rows_f64"), sum_rows), CUDA_SUCCESS);
    EQ(cudaMemcpy(out, o, COLS * sizeof(double), cudaMemcpyDeviceToHost), cudaSuccess);
    for (int j = 0; j < COLS; j++) {
        double s = 0;
        for (int i = 0; i < ROWS; i++) {
            s += hz[i * COLS + j];
        }
        CHECK(fabs(out[j] - s) < 1e-13);
    }
    EQ(launch(get(module, "t4j_sum_cols_f64"), sum_rows), CUDA_SUCCESS);
    EQ(cudaMemcpy(out, o, ROWS * sizeof(double), cudaMemcpyDeviceToHost), cudaSuccess);
    for (int i = 0; i < ROWS; i++) {
        double s = 0;
        for (int j = 0; j < COLS; j++) {
            s += hz[i * COLS + j];
        }
        CHECK(fabs(out[i] - s) < 1e-12);
    }

    /* sign bits: 131 columns = 2 full words + 3 bits */
    unsigned long long *bits = device(ROWS * WORDS * sizeof(unsigned long long));
    unsigned long long hbits[ROWS * WORDS];
    void *sign[] = {&z, &bits, &rows, &cols, &words};
    EQ(launch(get(module, "t4j_sign_bits_f64"), sign), CUDA_SUCCESS);
    EQ(cudaMemcpy(hbits, bits, sizeof hbits, cudaMemcpyDeviceToHost), cudaSuccess);
    for (int i = 0; i < ROWS; i++) {
        for (int c = 0; c < WORDS * 64; c++) {
            int bit = (int)(hbits[i * WORDS + c / 64] >> (c % 64) & 1);
            EQ(bit, c < COLS && hz[i * COLS + c] > 0);
        }
    }

    /* The emulation's checks: a range past an allocation, a negative count, an injected failure. */
    long long too_many = n + 1, negative = -1;
    void *overrun[] = {&o, &value, &too_many};
    EQ(launch(get(module, "t4j_fill_f64"), overrun), CUDA_ERROR_ILLEGAL_ADDRESS);
    void *below[] = {&o, &value, &negative};
    EQ(launch(get(module, "t4j_fill_f64"), below), CUDA_ERROR_INVALID_VALUE);
    long long launches = t4j_emu_launch_count();
    t4j_emu_fail_next_launch(CUDA_ERROR_LAUNCH_FAILED);
    EQ(launch(get(module, "t4j_fill_f64"), fill), CUDA_ERROR_LAUNCH_FAILED);
    EQ(launch(get(module, "t4j_fill_f64"), fill), CUDA_SUCCESS);
    EQ(t4j_emu_launch_count(), launches + 1);
    EQ(cuLaunchKernel(get(module, "t4j_fill_f64"), 1, 1, 1, 2048, 1, 1, 0, NULL, fill, NULL),
       CUDA_ERROR_INVALID_VALUE);
    EQ(cuLaunchKernel(get(module, "t4j_fill_f64"), 1, 1, 1, 32, 1, 1, 0, NULL, NULL, NULL),
       CUDA_ERROR_INVALID_VALUE);

    double *all[] = {z, o, v, r, b};
    for (int i = 0; i < 5; i++) {
        EQ(cudaFree(all[i]), cudaSuccess);
    }
    EQ(cudaFree(bits), cudaSuccess);
}

static void test_kernels_f32(CUmodule module)
{
    enum { SIZE = ROWS * COLS };
    static float hz[SIZE], hv[COLS], out[SIZE];
    for (int i = 0; i < SIZE; i++) {
        hz[i] = (float)(3 * uniform());
    }
    for (int j = 0; j < COLS; j++) {
        hv[j] = (float)uniform();
    }
    float *z = device(sizeof hz), *o = device(sizeof hz), *v = device(sizeof hv);
    EQ(cudaMemcpy(z, hz, sizeof hz, cudaMemcpyHostToDevice), cudaSuccess);
    EQ(cudaMemcpy(v, hv, sizeof hv, cudaMemcpyHostToDevice), cudaSuccess);
    long long n = SIZE, rows = ROWS, cols = COLS, one = 1, words = WORDS;

    for (int kind = 0; kind <= 5; kind++) {
        float slope = kind == T4J_ACT_LEAKY_RELU ? 0.2f : 0;
        void *params[] = {&kind, &slope, &z, &o, &n};
        for (int derivative = 0; derivative < 2; derivative++) {
            EQ(launch(get(module, derivative ? "t4j_derivative_f32" : "t4j_activate_f32"), params), CUDA_SUCCESS);
            EQ(cudaMemcpy(out, o, sizeof out, cudaMemcpyDeviceToHost), cudaSuccess);
            for (int i = 0; i < SIZE; i++) {
                double e = derivative ? dphi(kind, slope, hz[i]) : phi(kind, slope, hz[i]);
                if (!(fabs(out[i] - e) <= 1e-6 * (1 + fabs(e)))) {
                    printf("f32 kind %d derivative %d x=%g: %.9g, expected %.9g\n", kind, derivative, hz[i], out[i], e);
                    failures++;
                    break;
                }
            }
        }
    }

    float value = -1.25f;
    void *fill[] = {&o, &value, &n};
    EQ(launch(get(module, "t4j_fill_f32"), fill), CUDA_SUCCESS);
    void *add[] = {&o, &v, &rows, &cols};
    EQ(launch(get(module, "t4j_add_row_vector_f32"), add), CUDA_SUCCESS);
    EQ(launch(get(module, "t4j_scale_cols_f32"), add), CUDA_SUCCESS);
    EQ(cudaMemcpy(out, o, sizeof out, cudaMemcpyDeviceToHost), cudaSuccess);
    for (int i = 0; i < SIZE; i++) {
        CHECK(out[i] == (-1.25f + hv[i % COLS]) * hv[i % COLS]);
    }
    void *scale_rows[] = {&o, &v, &rows, &cols}; /* v has COLS >= ROWS entries */
    EQ(launch(get(module, "t4j_scale_rows_f32"), scale_rows), CUDA_SUCCESS);
    void *had[] = {&o, &z, &o, &rows, &cols, &one};
    EQ(launch(get(module, "t4j_hadamard_f32"), had), CUDA_SUCCESS);
    EQ(cudaMemcpy(out, o, sizeof out, cudaMemcpyDeviceToHost), cudaSuccess);
    for (int i = 0; i < SIZE; i++) {
        CHECK(out[i] == (-1.25f + hv[i % COLS]) * hv[i % COLS] * hv[i / COLS] * hz[i]);
    }
    void *sum[] = {&z, &o, &rows, &cols};
    EQ(launch(get(module, "t4j_sum_rows_f32"), sum), CUDA_SUCCESS);
    EQ(cudaMemcpy(out, o, COLS * sizeof(float), cudaMemcpyDeviceToHost), cudaSuccess);
    for (int j = 0; j < COLS; j++) {
        double s = 0;
        for (int i = 0; i < ROWS; i++) {
            s += hz[i * COLS + j];
        }
        CHECK(out[j] == (float)s);
    }
    EQ(launch(get(module, "t4j_sum_cols_f32"), sum), CUDA_SUCCESS);
    EQ(cudaMemcpy(out, o, ROWS * sizeof(float), cudaMemcpyDeviceToHost), cudaSuccess);
    for (int i = 0; i < ROWS; i++) {
        double s = 0;
        for (int j = 0; j < COLS; j++) {
            s += hz[i * COLS + j];
        }
        CHECK(out[i] == (float)s);
    }
    unsigned long long *bits = device(ROWS * WORDS * sizeof(unsigned long long));
    unsigned long long hbits[ROWS * WORDS];
    void *sign[] = {&z, &bits, &rows, &cols, &words};
    EQ(launch(get(module, "t4j_sign_bits_f32"), sign), CUDA_SUCCESS);
    EQ(cudaMemcpy(hbits, bits, sizeof hbits, cudaMemcpyDeviceToHost), cudaSuccess);
    for (int i = 0; i < ROWS; i++) {
        for (int c = 0; c < WORDS * 64; c++) {
            EQ((int)(hbits[i * WORDS + c / 64] >> (c % 64) & 1), c < COLS && hz[i * COLS + c] > 0);
        }
    }
    EQ(cudaFree(z), cudaSuccess);
    EQ(cudaFree(o), cudaSuccess);
    EQ(cudaFree(v), cudaSuccess);
    EQ(cudaFree(bits), cudaSuccess);
}

static void *no_context_thread(void *module)
{
    CUfunction f = NULL;
    EQ(cuModuleGetFunction(&f, (CUmodule)module, "t4j_fill_f64"), CUDA_ERROR_INVALID_CONTEXT);
    return NULL;
}

static void test_driver(void)
{
    int allocations = t4j_emu_live_allocations(), handles = t4j_emu_live_handles();
    char *source = read_file(KERNEL_SOURCE);
    CHECK(source != NULL);
    if (source == NULL) {
        return;
    }
    int major = 0, minor = -1, cubin = -1;
    EQ(nvrtcVersion(&major, &minor), NVRTC_SUCCESS);
    EQ(major, 13);
    CHECK(strcmp(nvrtcGetErrorString(NVRTC_ERROR_COMPILATION), "NVRTC_ERROR_COMPILATION") == 0);
    free(compile(source, "--gpu-architecture=compute_70", NVRTC_ERROR_INVALID_OPTION, &cubin));
    free(compile(source, "--no-such-option", NVRTC_ERROR_INVALID_OPTION, &cubin));
    free(compile(source, "--gpu-architecture=compute_122", NVRTC_ERROR_INVALID_OPTION, &cubin));
    free(compile(source, "-arch=compute_121", NVRTC_SUCCESS, &cubin));
    free(compile("int main() { return 0; }", "--gpu-architecture=compute_90", NVRTC_ERROR_COMPILATION, &cubin));
    t4j_emu_fail_next_compile();
    free(compile(source, "--gpu-architecture=compute_90", NVRTC_ERROR_COMPILATION, &cubin));
    free(compile(source, "--gpu-architecture=sm_90", NVRTC_SUCCESS, &cubin));
    EQ(cubin, 1);
    char *ptx = compile(source, "--gpu-architecture=compute_90", NVRTC_SUCCESS, &cubin);
    EQ(cubin, 0);
    free(source);

    EQ(cuInit(1), CUDA_ERROR_INVALID_VALUE);
    EQ(cuInit(0), CUDA_SUCCESS);
    CUdevice dev = -1;
    EQ(cuDeviceGet(&dev, 1), CUDA_ERROR_INVALID_DEVICE);
    EQ(cuDeviceGet(&dev, 0), CUDA_SUCCESS);
    char name[64];
    EQ(cuDeviceGetName(name, sizeof name, dev), CUDA_SUCCESS);
    CHECK(strcmp(name, "tangent4j emulated device") == 0);
    int cc = 0;
    EQ(cuDeviceGetAttribute(&cc, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, dev), CUDA_SUCCESS);
    EQ(cc, 9);
    t4j_emu_set_compute_capability(12, 2);
    EQ(cuDeviceGetAttribute(&cc, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, dev), CUDA_SUCCESS);
    EQ(cc, 2);
    t4j_emu_reset();
    EQ(cuDeviceGetAttribute(&cc, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, dev), CUDA_SUCCESS);
    EQ(cc, 9);
    CUcontext ctx = NULL;
    EQ(cuDevicePrimaryCtxRetain(&ctx, dev), CUDA_SUCCESS);
    EQ(cuCtxSetCurrent(ctx), CUDA_SUCCESS);
    CUmodule module = NULL;
    EQ(cuModuleLoadData(&module, "not ptx"), CUDA_ERROR_INVALID_IMAGE);
    EQ(cuModuleLoadData(&module, ptx), CUDA_SUCCESS);
    free(ptx);
    CUfunction f = NULL;
    EQ(cuModuleGetFunction(&f, module, "no_such_kernel"), CUDA_ERROR_NOT_FOUND);
    pthread_t thread;
    pthread_create(&thread, NULL, no_context_thread, module);
    pthread_join(thread, NULL);

    test_kernels_f64(module);
    test_kernels_f32(module);

    const char *text = NULL;
    EQ(cuGetErrorName(CUDA_ERROR_LAUNCH_FAILED, &text), CUDA_SUCCESS);
    CHECK(strcmp(text, "CUDA_ERROR_LAUNCH_FAILED") == 0);
    EQ(cuGetErrorString((CUresult)4242, &text), CUDA_ERROR_INVALID_VALUE);
    CHECK(text == NULL);

    EQ(cuModuleUnload(module), CUDA_SUCCESS);
    EQ(cuModuleUnload(module), CUDA_ERROR_INVALID_HANDLE);
    EQ(cuDevicePrimaryCtxRelease_v2(dev), CUDA_SUCCESS);
    EQ(cuDevicePrimaryCtxRelease_v2(dev), CUDA_ERROR_INVALID_CONTEXT);
    EQ(t4j_emu_live_allocations(), allocations);
    EQ(t4j_emu_live_handles(), handles);
}

int main(void)
{
    test_runtime();
    test_pool();
    test_async();
    test_cublas();
    test_driver();
    EQ(t4j_emu_live_allocations(), 0);
    EQ(t4j_emu_live_handles(), 0);
    EQ(t4j_emu_live_host_allocations(), 0);
    EQ(t4j_emu_pool_cached_blocks(), 0);
    if (failures > 0) {
        printf("emu_test: %d FAILED\n", failures);
        return 1;
    }
    printf("emu_test: all passed\n");
    return 0;
}
