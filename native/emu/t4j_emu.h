/*
 * Test hooks of the tangent4j CUDA emulation, exported by native/emu/build/libt4j_emu.so (the
 * emulation's shared state, a dependency of the four stand-in libraries, so loading it by path
 * gives the same instance they use). Tests call these to look for leaks and to inject failures.
 * All functions are thread-safe.
 */
#ifndef T4J_EMU_H
#define T4J_EMU_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Device allocations made by cudaMalloc or cudaMallocAsync and not yet freed. */
int t4j_emu_live_allocations(void);
/** Bytes in those allocations (as requested, before rounding). */
size_t t4j_emu_live_bytes(void);
/** Streams, events, cuBLAS handles, modules and NVRTC programs not yet destroyed, plus primary-context retains not released. */
int t4j_emu_live_handles(void);
/** Pinned host allocations (cudaMallocHost) not yet freed. */
int t4j_emu_live_host_allocations(void);
/** Blocks freed into the default memory pool and still cached there (not yet trimmed or released). */
int t4j_emu_pool_cached_blocks(void);

/** The k-th next cudaMalloc or cudaMallocAsync (k = 1: the next one) fails with cudaErrorMemoryAllocation; k <= 0 disarms. */
void t4j_emu_fail_alloc_at(int k);
/** The k-th next cudaMallocHost fails with cudaErrorMemoryAllocation; k <= 0 disarms. */
void t4j_emu_fail_host_alloc_at(int k);
/** The k-th next cudaMemcpy or cudaMemcpyAsync returns code (e.g. cudaErrorLaunchFailure = 719) and copies nothing; k <= 0 disarms. */
void t4j_emu_fail_copy_at(int k, int code);
/** The next cuLaunchKernel returns code (e.g. CUDA_ERROR_LAUNCH_FAILED = 719) and runs nothing; 0 disarms. */
void t4j_emu_fail_next_launch(int code);
/**
 * The next cuBLAS GEMM, cublasLtMatmulAlgoGetHeuristic or cublasLtMatmul returns status (e.g.
 * CUBLAS_STATUS_EXECUTION_FAILED = 13, CUBLAS_STATUS_NOT_SUPPORTED = 15) and computes nothing; 0 disarms.
 */
void t4j_emu_fail_next_cublas(int status);
/** The next nvrtcCompileProgram fails with NVRTC_ERROR_COMPILATION and a log saying so. */
void t4j_emu_fail_next_compile(void);
/**
 * The next cuBLAS GEMM or cublasLtMatmul that computes something succeeds but adds 1 to the first element
 * of its output: a wrong result, for checks that must notice one.
 */
void t4j_emu_corrupt_next_gemm(void);
/** The next cudaFree (or other release of device memory) reports success but keeps the memory: a leak. */
void t4j_emu_leak_next_free(void);
/* A process started with T4J_EMU_CORRUPT_GEMM=1 or T4J_EMU_LEAK_FREE=1 has the matching one armed at load. */

/** Total device memory; cudaMalloc beyond the free part fails. Default 1 GiB or env T4J_EMU_MEMORY_BUDGET. */
void t4j_emu_set_memory_budget(size_t bytes);
/** Number of devices (0 or 1); with 0 cudaGetDeviceCount returns cudaErrorNoDevice. Default 1. */
void t4j_emu_set_device_count(int n);

/** Whether the device supports memory pools (default 1); with 0, cudaMallocAsync and the pool calls return cudaErrorNotSupported. */
void t4j_emu_set_memory_pools_supported(int yes);

/** The compute capability the device reports (default 9.0), e.g. to test an architecture NVRTC rejects. */
void t4j_emu_set_compute_capability(int major, int minor);

/** Kernel launches that ran since load or the last reset. */
long long t4j_emu_launch_count(void);
/** cuBLAS GEMM calls that ran (a strided batch counts once) since load or the last reset. */
long long t4j_emu_gemm_count(void);
/** New device memory obtained: every successful cudaMalloc, and every cudaMallocAsync the pool's cache could not serve. */
long long t4j_emu_device_alloc_count(void);
/** Successful cudaMallocHost calls. */
long long t4j_emu_host_alloc_count(void);
/** cudaMemsetAsync calls that ran. */
long long t4j_emu_memset_count(void);
/** cudaMemcpy and cudaMemcpyAsync calls (each one, also when it fails). */
long long t4j_emu_copy_count(void);
/** Successful cudaStreamWaitEvent calls: a stream made to wait for work recorded on another. */
long long t4j_emu_stream_wait_count(void);

/** cublasLtMatmul calls that ran since load or the last reset. */
long long t4j_emu_lt_matmul_count(void);
/** The epilogue (cublasLtEpilogue_t) of the last cublasLtMatmul that ran; 0 if none since the last reset. */
int t4j_emu_lt_last_epilogue(void);
/** cublasLtMatmul calls with that epilogue (cublasLtEpilogue_t) since load or the last reset. */
long long t4j_emu_lt_epilogue_count(int epilogue);
/**
 * Whether the emulated cuBLASLt ReLU epilogues return NaN for a NaN input (keep != 0) or 0, as
 * max(x, 0) on a GPU does (the default).
 */
void t4j_emu_set_lt_relu_keeps_nan(int keep);

/**
 * Disarms every injected failure, restores the default budget, device count, compute
 * capability, memory-pool support, the pool's release threshold (0) and the cuBLASLt ReLU NaN
 * behaviour, and zeroes the counters. Live allocations, cached pool blocks, pinned memory and
 * handles stay (so leaks remain visible).
 */
void t4j_emu_reset(void);

#ifdef __cplusplus
}
#endif

#endif /* T4J_EMU_H */
