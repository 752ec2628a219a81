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
    int pooled;     /* from the default memory pool (cudaMallocAsync) */
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

/* The default memory pool: blocks freed into it stay charged to the budget until trimmed or released. */
static char default_pool_object;
static struct allocation *cached;
static int cached_count;
static int cached_capacity;
static size_t cached_bytes;
static size_t pool_used;
static unsigned long long release_threshold;
static int internal_dependencies = 1;
static int pools_supported = 1;

/* Pinned host memory. */
static struct allocation *host_allocations;
static int host_count;
static int host_capacity;

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
static int fail_host_alloc_countdown;
static int fail_copy_countdown;
static int copy_failure;
static long long device_allocs;
static long long host_allocs;
static long long memsets;
static long long copies;
static long long stream_waits;
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

/* Appends to a growable array of allocations: 0, or 2 when out of host memory; called with the lock held. */
static int append(struct allocation **array, int *count, int *capacity, struct allocation a)
{
    if (*count == *capacity) {
        int grown_capacity = *capacity == 0 ? 64 : 2 * *capacity;
        struct allocation *grown = realloc(*array, (size_t)grown_capacity * sizeof *grown);
        if (grown == NULL) {
            return 2;
        }
        *array = grown;
        *capacity = grown_capacity;
    }
    (*array)[(*count)++] = a;
    return 0;
}

/* Whether the injected allocation failure fires now (counts the call); called with the lock held. */
static int injected_alloc_failure(void)
{
    return fail_alloc_countdown > 0 && --fail_alloc_countdown == 0;
}

/* New device memory of size bytes, charged to the budget: 0, or 2; called with the lock held. */
static int backing_alloc(size_t size, int pooled, void **ptr)
{
    size_t total = current_budget();
    size_t charged = (size + DEVICE_ALIGNMENT - 1) / DEVICE_ALIGNMENT * DEVICE_ALIGNMENT;
    if (charged < size || charged_bytes > total || charged > total - charged_bytes) {
        return 2;
    }
    char *base = aligned_alloc(DEVICE_ALIGNMENT, charged);
    if (base == NULL) {
        return 2;
    }
    struct allocation a = {base, size, charged, pooled};
    if (append(&allocations, &allocation_count, &allocation_capacity, a) != 0) {
        free(base);
        return 2;
    }
    /* Device memory is not cleared: all-ones bytes are NaN in F32 and F64, so reads of
       memory nobody wrote show up in results instead of passing as zeros. */
    memset(base, 0xFF, charged);
    charged_bytes += charged;
    live_bytes += size;
    device_allocs++;
    if (pooled) {
        pool_used += charged;
    }
    *ptr = base;
    return 0;
}

int emu_alloc(void **ptr, size_t size)
{
    pthread_mutex_lock(&lock);
    int result = injected_alloc_failure() ? 2 : backing_alloc(size, 0, ptr);
    pthread_mutex_unlock(&lock);
    return result;
}

/* Gives cached block i back to the device; called with the lock held. */
static void release_cached(int i)
{
    free(cached[i].base);
    charged_bytes -= cached[i].charged;
    cached_bytes -= cached[i].charged;
    cached[i] = cached[--cached_count];
}

int emu_pool_alloc(void **ptr, size_t size)
{
    pthread_mutex_lock(&lock);
    int result = 0;
    if (!pools_supported) {
        result = 3;
    } else if (injected_alloc_failure()) {
        result = 2;
    } else {
        /* best fit among the cached blocks no more than twice the request */
        int best = -1;
        for (int i = 0; i < cached_count; i++) {
            if (cached[i].charged >= size && cached[i].charged / 2 <= size
                    && (best < 0 || cached[i].charged < cached[best].charged)) {
                best = i;
            }
        }
        if (best >= 0) {
            struct allocation a = cached[best];
            a.size = size;
            result = append(&allocations, &allocation_count, &allocation_capacity, a);
            if (result == 0) {
                memset(a.base, 0xFF, a.charged); /* a reused block holds garbage, never zeros */
                cached[best] = cached[--cached_count];
                cached_bytes -= a.charged;
                pool_used += a.charged;
                live_bytes += size;
                *ptr = a.base;
            }
        } else {
            result = backing_alloc(size, 1, ptr);
        }
    }
    pthread_mutex_unlock(&lock);
    return result;
}

/* Index of the live allocation starting at ptr, or -1; called with the lock held. */
static int live_index(const void *ptr)
{
    for (int i = 0; i < allocation_count; i++) {
        if (allocations[i].base == ptr) {
            return i;
        }
    }
    return -1;
}

/* Frees live allocation i: a pool allocation into the cache, other memory back to the device. */
static int free_live(int i)
{
    struct allocation a = allocations[i];
    if (a.pooled) {
        if (append(&cached, &cached_count, &cached_capacity, a) != 0) {
            return 2;
        }
        cached_bytes += a.charged;
        pool_used -= a.charged;
    } else {
        free(a.base);
        charged_bytes -= a.charged;
    }
    live_bytes -= a.size;
    allocations[i] = allocations[--allocation_count];
    return 0;
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

/*
 * Whether an injected leak (t4j_emu_leak_next_free) swallows this free of the live allocation i, disarming
 * it; called with the lock held.
 */
static int leak_swallows(int i)
{
    if (i >= 0 && leak_next_free) {
        leak_next_free = 0;
        return 1;
    }
    return 0;
}

int emu_free(void *ptr)
{
    pthread_once(&environment_once, arm_from_environment);
    pthread_mutex_lock(&lock);
    int i = live_index(ptr);
    int result = leak_swallows(i) ? 0 : i < 0 ? 1 : free_live(i);
    pthread_mutex_unlock(&lock);
    return result;
}

int emu_pool_free(void *ptr)
{
    pthread_once(&environment_once, arm_from_environment);
    pthread_mutex_lock(&lock);
    int i = live_index(ptr);
    int result = leak_swallows(i) ? 0 : i < 0 ? 1 : !allocations[i].pooled ? 3 : free_live(i);
    pthread_mutex_unlock(&lock);
    return result;
}

int emu_pools_supported(void)
{
    pthread_mutex_lock(&lock);
    int yes = pools_supported;
    pthread_mutex_unlock(&lock);
    return yes;
}

void *emu_default_pool(void)
{
    return &default_pool_object;
}

/* Releases cached blocks, largest first, until in-use + cached <= keep; called with the lock held. */
static void trim(unsigned long long keep)
{
    while (cached_count > 0 && (unsigned long long)pool_used + cached_bytes > keep) {
        int largest = 0;
        for (int i = 1; i < cached_count; i++) {
            if (cached[i].charged > cached[largest].charged) {
                largest = i;
            }
        }
        release_cached(largest);
    }
}

void emu_pool_trim(size_t keep)
{
    pthread_mutex_lock(&lock);
    trim(keep);
    pthread_mutex_unlock(&lock);
}

void emu_pool_sync(void)
{
    pthread_mutex_lock(&lock);
    trim(release_threshold);
    pthread_mutex_unlock(&lock);
}

void emu_pool_set_threshold(unsigned long long bytes)
{
    pthread_mutex_lock(&lock);
    release_threshold = bytes;
    pthread_mutex_unlock(&lock);
}

int emu_pool_internal_dependencies(int set, int value)
{
    pthread_mutex_lock(&lock);
    if (set) {
        internal_dependencies = value != 0;
    }
    int current = internal_dependencies;
    pthread_mutex_unlock(&lock);
    return current;
}

void emu_pool_stats(unsigned long long *threshold, unsigned long long *reserved, unsigned long long *used)
{
    pthread_mutex_lock(&lock);
    *threshold = release_threshold;
    *reserved = pool_used + cached_bytes;
    *used = pool_used;
    pthread_mutex_unlock(&lock);
}

int emu_host_alloc(void **ptr, size_t size)
{
    pthread_mutex_lock(&lock);
    int result = 0;
    char *base = NULL;
    if (fail_host_alloc_countdown > 0 && --fail_host_alloc_countdown == 0) {
        result = 2;
    } else if ((base = aligned_alloc(4096, (size + 4095) / 4096 * 4096)) == NULL) {
        result = 2;
    } else {
        struct allocation a = {base, size, size, 0};
        result = append(&host_allocations, &host_count, &host_capacity, a);
        if (result == 0) {
            memset(base, 0xFF, size);
            host_allocs++;
            *ptr = base;
        } else {
            free(base);
        }
    }
    pthread_mutex_unlock(&lock);
    return result;
}

/* ---- queued copies and events ---- */

struct pending {
    const void *stream;
    char *dst;
    const char *src;
    size_t bytes;
    unsigned long long seq;
};

struct recorded_event {
    const void *event;
    const void *stream;
    unsigned long long seq;
};

static struct pending *pendings;
static int pending_count;
static int pending_capacity;
static unsigned long long next_seq = 1;
static struct recorded_event *recorded;
static int recorded_count;
static int recorded_capacity;

/* Whether [p, p + bytes) lies in one of the n blocks; called with the lock held. */
static int inside(const struct allocation *blocks, int n, const char *p, size_t bytes)
{
    for (int i = 0; i < n; i++) {
        if (p >= blocks[i].base && bytes <= blocks[i].size && (size_t)(p - blocks[i].base) <= blocks[i].size - bytes) {
            return 1;
        }
    }
    return 0;
}

int emu_is_pinned(const void *ptr, size_t bytes)
{
    pthread_mutex_lock(&lock);
    int yes = inside(host_allocations, host_count, ptr, bytes);
    pthread_mutex_unlock(&lock);
    return yes;
}

int emu_enqueue_copy(const void *stream, void *dst, const void *src, size_t bytes)
{
    pthread_mutex_lock(&lock);
    int result = 0;
    if (pending_count == pending_capacity) {
        int capacity = pending_capacity == 0 ? 64 : 2 * pending_capacity;
        struct pending *grown = realloc(pendings, (size_t)capacity * sizeof *grown);
        if (grown == NULL) {
            result = 2;
        } else {
            pendings = grown;
            pending_capacity = capacity;
        }
    }
    if (result == 0) {
        struct pending p = {stream, dst, src, bytes, next_seq++};
        pendings[pending_count++] = p;
    }
    pthread_mutex_unlock(&lock);
    return result;
}

/* Whether a queued copy's memory is still live: device or pinned, either side. Called with the lock held. */
static int still_live(const char *p, size_t bytes)
{
    return inside(allocations, allocation_count, p, bytes) || inside(host_allocations, host_count, p, bytes);
}

/* Runs the queued copies of stream (all for NULL) with seq <= upto, in order; called with the lock held. */
static int flush(const void *stream, unsigned long long upto)
{
    int error = 0;
    int kept = 0;
    for (int i = 0; i < pending_count; i++) {
        struct pending p = pendings[i];
        if ((stream == NULL || p.stream == stream) && p.seq <= upto) {
            if (still_live(p.dst, p.bytes) && still_live(p.src, p.bytes)) {
                memmove(p.dst, p.src, p.bytes);
            } else {
                emu_report("cudaMemcpyAsync on stream %p ran after its memory was freed (%p <- %p, %zu bytes)",
                           p.stream, (void *)p.dst, (const void *)p.src, p.bytes);
                error = 700; /* cudaErrorIllegalAddress */
            }
        } else {
            pendings[kept++] = p;
        }
    }
    pending_count = kept;
    return error;
}

int emu_stream_flush(const void *stream)
{
    pthread_mutex_lock(&lock);
    int error = flush(stream, ~0ull);
    pthread_mutex_unlock(&lock);
    return error;
}

void emu_event_record(const void *event, const void *stream)
{
    pthread_mutex_lock(&lock);
    int i = 0;
    while (i < recorded_count && recorded[i].event != event) {
        i++;
    }
    if (i == recorded_count) {
        if (recorded_count == recorded_capacity) {
            int capacity = recorded_capacity == 0 ? 16 : 2 * recorded_capacity;
            struct recorded_event *grown = realloc(recorded, (size_t)capacity * sizeof *grown);
            if (grown == NULL) {
                pthread_mutex_unlock(&lock);
                emu_report("out of host memory recording an event");
                abort();
            }
            recorded = grown;
            recorded_capacity = capacity;
        }
        recorded_count++;
    }
    recorded[i].event = event;
    recorded[i].stream = stream;
    recorded[i].seq = next_seq - 1; /* the work queued so far */
    pthread_mutex_unlock(&lock);
}

int emu_event_flush(const void *event)
{
    int error = 0;
    pthread_mutex_lock(&lock);
    for (int i = 0; i < recorded_count; i++) {
        if (recorded[i].event == event) {
            error = flush(recorded[i].stream, recorded[i].seq);
            break;
        }
    }
    pthread_mutex_unlock(&lock);
    return error;
}

void emu_event_forget(const void *event)
{
    pthread_mutex_lock(&lock);
    for (int i = 0; i < recorded_count; i++) {
        if (recorded[i].event == event) {
            recorded[i] = recorded[--recorded_count];
            break;
        }
    }
    pthread_mutex_unlock(&lock);
}

int emu_pending_touch(const char *call, const void *base, size_t bytes, const void *except)
{
    const char *b = base;
    int touched = 0;
    pthread_mutex_lock(&lock);
    for (int i = 0; i < pending_count && !touched; i++) {
        const struct pending *p = &pendings[i];
        touched = p->stream != except
                  && ((p->dst < b + bytes && b < p->dst + p->bytes) || (p->src < b + bytes && b < p->src + p->bytes));
        if (touched) {
            emu_report("%s(%p): a copy queued on stream %p still uses this memory; synchronise first "
                       "(a GPU could hand it out again before the copy runs)", call, base, p->stream);
        }
    }
    pthread_mutex_unlock(&lock);
    return touched;
}

int emu_block_of(const void *ptr, const void **base, size_t *bytes)
{
    int found = 0;
    pthread_mutex_lock(&lock);
    for (int i = 0; i < allocation_count && !found; i++) {
        if (allocations[i].base == ptr) {
            *base = allocations[i].base;
            *bytes = allocations[i].size;
            found = 1;
        }
    }
    for (int i = 0; i < host_count && !found; i++) {
        if (host_allocations[i].base == ptr) {
            *base = host_allocations[i].base;
            *bytes = host_allocations[i].size;
            found = 1;
        }
    }
    pthread_mutex_unlock(&lock);
    return found;
}

int emu_host_free(void *ptr)
{
    int result = 1;
    pthread_mutex_lock(&lock);
    for (int i = 0; i < host_count; i++) {
        if (host_allocations[i].base == ptr) {
            free(host_allocations[i].base);
            host_allocations[i] = host_allocations[--host_count];
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
    case 115: *value = emu_pools_supported(); return 0; /* memory pools supported */
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

int emu_take_copy_failure(void)
{
    pthread_mutex_lock(&lock);
    copies++;
    int code = fail_copy_countdown > 0 && --fail_copy_countdown == 0 ? copy_failure : 0;
    pthread_mutex_unlock(&lock);
    return code;
}

void emu_count_memset(void)
{
    pthread_mutex_lock(&lock);
    memsets++;
    pthread_mutex_unlock(&lock);
}

void emu_count_stream_wait(void)
{
    pthread_mutex_lock(&lock);
    stream_waits++;
    pthread_mutex_unlock(&lock);
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

/* One of the call counters, read under the lock. */
static long long read_counter(const long long *counter)
{
    pthread_mutex_lock(&lock);
    long long n = *counter;
    pthread_mutex_unlock(&lock);
    return n;
}

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

int t4j_emu_live_host_allocations(void)
{
    pthread_mutex_lock(&lock);
    int n = host_count;
    pthread_mutex_unlock(&lock);
    return n;
}

int t4j_emu_pool_cached_blocks(void)
{
    pthread_mutex_lock(&lock);
    int n = cached_count;
    pthread_mutex_unlock(&lock);
    return n;
}

void t4j_emu_fail_host_alloc_at(int k)
{
    pthread_mutex_lock(&lock);
    fail_host_alloc_countdown = k > 0 ? k : 0;
    pthread_mutex_unlock(&lock);
}

void t4j_emu_fail_copy_at(int k, int code)
{
    pthread_mutex_lock(&lock);
    fail_copy_countdown = k > 0 ? k : 0;
    copy_failure = code;
    pthread_mutex_unlock(&lock);
}

void t4j_emu_set_memory_pools_supported(int yes)
{
    pthread_mutex_lock(&lock);
    pools_supported = yes != 0;
    pthread_mutex_unlock(&lock);
}

long long t4j_emu_device_alloc_count(void)
{
    return read_counter(&device_allocs);
}

long long t4j_emu_host_alloc_count(void)
{
    return read_counter(&host_allocs);
}

long long t4j_emu_memset_count(void)
{
    return read_counter(&memsets);
}

long long t4j_emu_copy_count(void)
{
    return read_counter(&copies);
}

long long t4j_emu_stream_wait_count(void)
{
    return read_counter(&stream_waits);
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
    return read_counter(&launches);
}

long long t4j_emu_gemm_count(void)
{
    return read_counter(&gemms);
}

long long t4j_emu_lt_matmul_count(void)
{
    return read_counter(&lt_matmuls);
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
    fail_host_alloc_countdown = 0;
    fail_copy_countdown = 0;
    copy_failure = 0;
    pools_supported = 1;
    release_threshold = 0;
    internal_dependencies = 1;
    device_allocs = 0;
    host_allocs = 0;
    memsets = 0;
    copies = 0;
    stream_waits = 0;
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
