/*
 * libt4j_emu.so: the state shared by the emulated libcudart, libcuda, libnvrtc and libcublas, and
 * the test hooks of t4j_emu.h.
 */
#include "emu_state.h"
#include "t4j_emu.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_BUDGET ((size_t)1 << 30)
/* cudaMalloc's alignment guarantee. */
#define DEVICE_ALIGNMENT 256

struct allocation {
    char *base;
    size_t size;    /* as requested */
    size_t charged; /* rounded up to the alignment: what the budget is charged */
};

struct handle {
    const void *address;
    int kind;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static struct allocation *allocations;
static int allocation_count;
static int allocation_capacity;
static size_t charged_bytes;
static size_t live_bytes;

static struct handle *handles;
static int handle_count;
static int handle_capacity;
static int context_retains;

static size_t budget;
static int budget_set;
static int device_count = 1;
static int cc_major = 9;
static int cc_minor = 0;
static int fail_alloc_countdown;
static int launch_failure;
static int cublas_failure;
static int compile_failure;
static int gemm_corruption;
static int leak_next_free;
static pthread_once_t environment_once = PTHREAD_ONCE_INIT;
static long long launches;
static long long gemms;
static long long lt_matmuls;
static int lt_last_epilogue;
/* cublasLtMatmul calls per epilogue value (all the values cublasLtEpilogue_t names are below 1024). */
static long long lt_epilogues[1024];
static int lt_relu_keeps_nan;
static int driver_initialized;

/* The primary context: only its address matters. */
static char primary_context_object;
static __thread void *current_context;

static size_t default_budget(void)
{
    const char *text = getenv("T4J_EMU_MEMORY_BUDGET");
    if (text != NULL && *text != '\0') {
        char *end;
        unsigned long long value = strtoull(text, &end, 10);
        if (*end == '\0' && value > 0) {
            return (size_t)value;
        }
        emu_report("T4J_EMU_MEMORY_BUDGET='%s' is not a positive byte count; using %zu", text, DEFAULT_BUDGET);
    }
    return DEFAULT_BUDGET;
}

/* Called with the lock held. */
static size_t current_budget(void)
{
    if (!budget_set) {
        budget = default_budget();
        budget_set = 1;
    }
    return budget;
}

void emu_report(const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    fputs("t4j-emu: ", stderr);
    vfprintf(stderr, fmt, args);
    fputc('\n', stderr);
    fflush(stderr);
    va_end(args);
}

int emu_alloc(void **ptr, size_t size)
{
    int result = 0;
    pthread_mutex_lock(&lock);
    size_t total = current_budget();
    size_t charged = (size + DEVICE_ALIGNMENT - 1) / DEVICE_ALIGNMENT * DEVICE_ALIGNMENT;
    if (fail_alloc_countdown > 0 && --fail_alloc_countdown == 0) {
        result = 2;
    } else if (charged < size || charged_bytes > total || charged > total - charged_bytes) {
        result = 2;
    } else if (allocation_count == allocation_capacity) {
        int capacity = allocation_capacity == 0 ? 64 : 2 * allocation_capacity;
        struct allocation *grown = realloc(allocations, (size_t)capacity * sizeof *grown);
        if (grown == NULL) {
            result = 2;
        } else {
            allocations = grown;
            allocation_capacity = capacity;
        }
    }
    if (result == 0) {
        char *base = aligned_alloc(DEVICE_ALIGNMENT, charged);
        if (base == NULL) {
            result = 2;
        } else {
            /* Device memory is not cleared: all-ones bytes are NaN in F32 and F64, so reads of
               memory nobody wrote show up in results instead of passing as zeros. */
            memset(base, 0xFF, charged);
            allocations[allocation_count].base = base;
            allocations[allocation_count].size = size;
            allocations[allocation_count].charged = charged;
            allocation_count++;
            charged_bytes += charged;
            live_bytes += size;
            *ptr = base;
        }
    }
    pthread_mutex_unlock(&lock);
    return result;
}

/*
 * Arms the misbehaviour a process asks for in its environment, once, before the first GEMM or free:
 * T4J_EMU_CORRUPT_GEMM=1 (t4j_emu_corrupt_next_gemm) and T4J_EMU_LEAK_FREE=1 (t4j_emu_leak_next_free),
 * so that a command run as a whole (tangent4j selftest) can be shown to notice them.
 */
static void arm_from_environment(void)
{
    const char *corrupt = getenv("T4J_EMU_CORRUPT_GEMM");
    const char *leak = getenv("T4J_EMU_LEAK_FREE");
    pthread_mutex_lock(&lock);
    gemm_corruption |= corrupt != NULL && strcmp(corrupt, "1") == 0;
    leak_next_free |= leak != NULL && strcmp(leak, "1") == 0;
    pthread_mutex_unlock(&lock);
}

/* Whether ptr is the base of a live allocation; called with the lock held. */
static int emu_is_live_locked(const void *ptr)
{
    for (int i = 0; i < allocation_count; i++) {
        if (allocations[i].base == ptr) {
            return 1;
        }
    }
    return 0;
}

int emu_free(void *ptr)
{
    int result = 1;
    pthread_once(&environment_once, arm_from_environment);
    pthread_mutex_lock(&lock);
    if (leak_next_free && emu_is_live_locked(ptr)) {
        leak_next_free = 0;
        pthread_mutex_unlock(&lock);
        return 0;
    }
    for (int i = 0; i < allocation_count; i++) {
        if (allocations[i].base == ptr) {
            free(allocations[i].base);
            charged_bytes -= allocations[i].charged;
            live_bytes -= allocations[i].size;
            allocations[i] = allocations[--allocation_count];
            result = 0;
            break;
        }
    }
    pthread_mutex_unlock(&lock);
    return result;
}

/* The allocation holding address p, or NULL; called with the lock held. */
static const struct allocation *find(uintptr_t p)
{
    for (int i = 0; i < allocation_count; i++) {
        uintptr_t base = (uintptr_t)allocations[i].base;
        if (p >= base && p - base < allocations[i].size) {
            return &allocations[i];
        }
    }
    return NULL;
}

int emu_range_ok(const void *ptr, size_t bytes)
{
    if (bytes == 0) {
        return 1;
    }
    pthread_mutex_lock(&lock);
    const struct allocation *a = find((uintptr_t)ptr);
    int ok = a != NULL && bytes <= a->size - ((uintptr_t)ptr - (uintptr_t)a->base);
    pthread_mutex_unlock(&lock);
    return ok;
}

int emu_is_device(const void *ptr)
{
    pthread_mutex_lock(&lock);
    int found = find((uintptr_t)ptr) != NULL;
    pthread_mutex_unlock(&lock);
    return found;
}

void emu_mem_info(size_t *free_bytes, size_t *total_bytes)
{
    pthread_mutex_lock(&lock);
    size_t total = current_budget();
    *total_bytes = total;
    *free_bytes = charged_bytes > total ? 0 : total - charged_bytes;
    pthread_mutex_unlock(&lock);
}

void emu_handle_add(const void *handle, int kind)
{
    pthread_mutex_lock(&lock);
    if (handle_count == handle_capacity) {
        int capacity = handle_capacity == 0 ? 64 : 2 * handle_capacity;
        struct handle *grown = realloc(handles, (size_t)capacity * sizeof *grown);
        if (grown == NULL) {
            pthread_mutex_unlock(&lock);
            emu_report("out of host memory recording a handle");
            abort();
        }
        handles = grown;
        handle_capacity = capacity;
    }
    handles[handle_count].address = handle;
    handles[handle_count].kind = kind;
    handle_count++;
    pthread_mutex_unlock(&lock);
}

int emu_handle_remove(const void *handle, int kind)
{
    int result = 1;
    pthread_mutex_lock(&lock);
    for (int i = 0; i < handle_count; i++) {
        if (handles[i].address == handle && handles[i].kind == kind) {
            handles[i] = handles[--handle_count];
            result = 0;
            break;
        }
    }
    pthread_mutex_unlock(&lock);
    return result;
}

int emu_handle_live(const void *handle, int kind)
{
    int live = 0;
    pthread_mutex_lock(&lock);
    for (int i = 0; i < handle_count && !live; i++) {
        live = handles[i].address == handle && handles[i].kind == kind;
    }
    pthread_mutex_unlock(&lock);
    return live;
}

int emu_device_count(void)
{
    pthread_mutex_lock(&lock);
    int n = device_count;
    pthread_mutex_unlock(&lock);
    return n;
}

int emu_device_attribute(int attribute, int *value)
{
    /* An sm_90-like device; the values tangent4j may size launches or tiles by. */
    switch (attribute) {
    case 1: *value = 1024; return 0;         /* max threads per block */
    case 2: *value = 1024; return 0;         /* max block dim x */
    case 5: *value = 2147483647; return 0;   /* max grid dim x */
    case 8: *value = 49152; return 0;        /* max shared memory per block */
    case 10: *value = 32; return 0;          /* warp size */
    case 13: *value = 1000000; return 0;     /* clock rate, kHz */
    case 16: *value = 2; return 0;           /* multiprocessors */
    case 36: *value = 1000000; return 0;     /* memory clock rate, kHz */
    case 37: *value = 256; return 0;         /* memory bus width, bits */
    case 38: *value = 4 << 20; return 0;     /* L2 cache, bytes */
    case 39: *value = 2048; return 0;        /* max threads per multiprocessor */
    case 75: *value = __atomic_load_n(&cc_major, __ATOMIC_SEQ_CST); return 0; /* compute capability */
    case 76: *value = __atomic_load_n(&cc_minor, __ATOMIC_SEQ_CST); return 0;
    default: return 1;
    }
}

void *emu_primary_context(void)
{
    return &primary_context_object;
}

void emu_context_retain(void)
{
    pthread_mutex_lock(&lock);
    context_retains++;
    pthread_mutex_unlock(&lock);
}

int emu_context_release(void)
{
    int result = 1;
    pthread_mutex_lock(&lock);
    if (context_retains > 0) {
        context_retains--;
        result = 0;
    }
    pthread_mutex_unlock(&lock);
    return result;
}

void *emu_current_context(void)
{
    return current_context;
}

void emu_set_current_context(void *ctx)
{
    current_context = ctx;
}

void emu_runtime_touch(void)
{
    emu_driver_init();
    if (current_context == NULL) {
        current_context = &primary_context_object;
    }
}

void emu_driver_init(void)
{
    pthread_mutex_lock(&lock);
    driver_initialized = 1;
    pthread_mutex_unlock(&lock);
}

int emu_driver_initialized(void)
{
    pthread_mutex_lock(&lock);
    int initialized = driver_initialized;
    pthread_mutex_unlock(&lock);
    return initialized;
}

static int take(int *armed)
{
    pthread_mutex_lock(&lock);
    int code = *armed;
    *armed = 0;
    pthread_mutex_unlock(&lock);
    return code;
}

int emu_take_launch_failure(void)
{
    return take(&launch_failure);
}

int emu_take_cublas_failure(void)
{
    return take(&cublas_failure);
}

int emu_take_compile_failure(void)
{
    return take(&compile_failure);
}

int emu_take_gemm_corruption(void)
{
    pthread_once(&environment_once, arm_from_environment);
    return take(&gemm_corruption);
}

void emu_count_launch(void)
{
    pthread_mutex_lock(&lock);
    launches++;
    pthread_mutex_unlock(&lock);
}

void emu_count_gemm(void)
{
    pthread_mutex_lock(&lock);
    gemms++;
    pthread_mutex_unlock(&lock);
}

void emu_count_lt_matmul(int epilogue)
{
    pthread_mutex_lock(&lock);
    lt_matmuls++;
    lt_last_epilogue = epilogue;
    if (epilogue >= 0 && epilogue < 1024) {
        lt_epilogues[epilogue]++;
    }
    pthread_mutex_unlock(&lock);
}

int emu_lt_relu_keeps_nan(void)
{
    return __atomic_load_n(&lt_relu_keeps_nan, __ATOMIC_SEQ_CST);
}

/* ---- t4j_emu.h ---- */

int t4j_emu_live_allocations(void)
{
    pthread_mutex_lock(&lock);
    int n = allocation_count;
    pthread_mutex_unlock(&lock);
    return n;
}

size_t t4j_emu_live_bytes(void)
{
    pthread_mutex_lock(&lock);
    size_t n = live_bytes;
    pthread_mutex_unlock(&lock);
    return n;
}

int t4j_emu_live_handles(void)
{
    pthread_mutex_lock(&lock);
    int n = handle_count + context_retains;
    pthread_mutex_unlock(&lock);
    return n;
}

void t4j_emu_fail_alloc_at(int k)
{
    pthread_mutex_lock(&lock);
    fail_alloc_countdown = k > 0 ? k : 0;
    pthread_mutex_unlock(&lock);
}

void t4j_emu_fail_next_launch(int code)
{
    pthread_mutex_lock(&lock);
    launch_failure = code;
    pthread_mutex_unlock(&lock);
}

void t4j_emu_fail_next_cublas(int status)
{
    pthread_mutex_lock(&lock);
    cublas_failure = status;
    pthread_mutex_unlock(&lock);
}

void t4j_emu_fail_next_compile(void)
{
    pthread_mutex_lock(&lock);
    compile_failure = 1;
    pthread_mutex_unlock(&lock);
}

void t4j_emu_corrupt_next_gemm(void)
{
    pthread_mutex_lock(&lock);
    gemm_corruption = 1;
    pthread_mutex_unlock(&lock);
}

void t4j_emu_leak_next_free(void)
{
    pthread_mutex_lock(&lock);
    leak_next_free = 1;
    pthread_mutex_unlock(&lock);
}

void t4j_emu_set_memory_budget(size_t bytes)
{
    pthread_mutex_lock(&lock);
    budget = bytes;
    budget_set = 1;
    pthread_mutex_unlock(&lock);
}

void t4j_emu_set_device_count(int n)
{
    pthread_mutex_lock(&lock);
    device_count = n > 0 ? 1 : 0;
    pthread_mutex_unlock(&lock);
}

void t4j_emu_set_compute_capability(int major, int minor)
{
    __atomic_store_n(&cc_major, major, __ATOMIC_SEQ_CST);
    __atomic_store_n(&cc_minor, minor, __ATOMIC_SEQ_CST);
}

long long t4j_emu_launch_count(void)
{
    pthread_mutex_lock(&lock);
    long long n = launches;
    pthread_mutex_unlock(&lock);
    return n;
}

long long t4j_emu_gemm_count(void)
{
    pthread_mutex_lock(&lock);
    long long n = gemms;
    pthread_mutex_unlock(&lock);
    return n;
}

long long t4j_emu_lt_matmul_count(void)
{
    pthread_mutex_lock(&lock);
    long long n = lt_matmuls;
    pthread_mutex_unlock(&lock);
    return n;
}

int t4j_emu_lt_last_epilogue(void)
{
    pthread_mutex_lock(&lock);
    int e = lt_last_epilogue;
    pthread_mutex_unlock(&lock);
    return e;
}

long long t4j_emu_lt_epilogue_count(int epilogue)
{
    pthread_mutex_lock(&lock);
    long long n = epilogue >= 0 && epilogue < 1024 ? lt_epilogues[epilogue] : 0;
    pthread_mutex_unlock(&lock);
    return n;
}

void t4j_emu_set_lt_relu_keeps_nan(int keep)
{
    __atomic_store_n(&lt_relu_keeps_nan, keep != 0, __ATOMIC_SEQ_CST);
}

void t4j_emu_reset(void)
{
    pthread_mutex_lock(&lock);
    fail_alloc_countdown = 0;
    launch_failure = 0;
    cublas_failure = 0;
    compile_failure = 0;
    gemm_corruption = 0;
    leak_next_free = 0;
    budget = default_budget();
    budget_set = 1;
    device_count = 1;
    cc_major = 9;
    cc_minor = 0;
    launches = 0;
    gemms = 0;
    lt_matmuls = 0;
    lt_last_epilogue = 0;
    memset(lt_epilogues, 0, sizeof lt_epilogues);
    pthread_mutex_unlock(&lock);
    __atomic_store_n(&lt_relu_keeps_nan, 0, __ATOMIC_SEQ_CST);
}
