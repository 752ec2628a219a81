/*
 * Internal interface of libt4j_emu.so: the state the four stand-in libraries share (device memory
 * registry, handles, the current context, injected failures). Not for tests: they use t4j_emu.h.
 */
#ifndef T4J_EMU_STATE_H
#define T4J_EMU_STATE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Kinds of handles counted for leak detection. */
enum emu_handle_kind { EMU_STREAM = 0, EMU_CUBLAS = 1, EMU_MODULE = 2, EMU_PROGRAM = 3, EMU_CUBLASLT = 4,
                       EMU_LT_DESCRIPTOR = 5 };

/** Allocates size bytes of "device" memory: 0 on success, 2 on (real or injected) exhaustion. */
int emu_alloc(void **ptr, size_t size);
/** Frees an allocation: 0, or 1 when ptr is not a live allocation. */
int emu_free(void *ptr);
/** Whether [ptr, ptr + bytes) lies inside one live allocation (always true for bytes == 0). */
int emu_range_ok(const void *ptr, size_t bytes);
/** Whether ptr points into a live allocation. */
int emu_is_device(const void *ptr);
void emu_mem_info(size_t *free_bytes, size_t *total_bytes);

void emu_handle_add(const void *handle, int kind);
/** 0, or 1 when handle is not a live handle of that kind. */
int emu_handle_remove(const void *handle, int kind);
int emu_handle_live(const void *handle, int kind);

int emu_device_count(void);
/** The value of a device attribute (enum cudaDeviceAttr = CUdevice_attribute): 0, or 1 for an unknown one. */
int emu_device_attribute(int attribute, int *value);
/** The one device's primary context (an opaque, never dereferenced address). */
void *emu_primary_context(void);
void emu_context_retain(void);
/** 0, or 1 when there is no retain to release. */
int emu_context_release(void);
/** The calling thread's current context, or NULL. */
void *emu_current_context(void);
void emu_set_current_context(void *ctx);
/** Marks the driver initialised (cuInit or any runtime call) and makes the primary context current if none is. */
void emu_runtime_touch(void);
void emu_driver_init(void);
int emu_driver_initialized(void);

/** The armed failure code (0 if none), disarming it. */
int emu_take_launch_failure(void);
int emu_take_cublas_failure(void);
int emu_take_compile_failure(void);
/** Whether a wrong GEMM result is armed (t4j_emu_corrupt_next_gemm), disarming it. */
int emu_take_gemm_corruption(void);
/** Counts a launch or GEMM that ran (t4j_emu_launch_count, t4j_emu_gemm_count). */
void emu_count_launch(void);
void emu_count_gemm(void);
/** Counts a cublasLtMatmul that ran, remembering its epilogue (t4j_emu_lt_matmul_count, t4j_emu_lt_last_epilogue). */
void emu_count_lt_matmul(int epilogue);
/** Whether the cuBLASLt ReLU epilogues keep NaN (t4j_emu_set_lt_relu_keeps_nan); else they give 0. */
int emu_lt_relu_keeps_nan(void);

/** Prints "t4j-emu: <message>" on stderr (misuse a real GPU would not report as clearly). */
void emu_report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#ifdef __cplusplus
}
#endif

#endif /* T4J_EMU_STATE_H */
