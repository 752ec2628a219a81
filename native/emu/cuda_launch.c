/*
 * Kernel launches of the emulated driver: each kernel of kernel_table.h gets a runner that reads
 * its arguments from kernelParams (by the parameter list of its shape), checks that every pointer
 * range it will touch lies in a live device allocation, and calls the kernel, compiled from the
 * same .cu source by gcc, once per (block, thread) of the grid, sequentially.
 */
#include "cuda_launch.h"
#include "emu_state.h"
#include "kernel_table.h"
#include "t4j_cuda_compat.h"
#include "tangent4j_kernels.h"

#include <stdint.h>

__thread t4j_dim3 threadIdx;
__thread t4j_dim3 blockIdx;
__thread t4j_dim3 blockDim;
__thread t4j_dim3 gridDim;

/* Runs CALL once for every thread of the grid. */
#define RUN_GRID(g, CALL)                                                                   \
    do {                                                                                    \
        gridDim = (t4j_dim3){(g)->grid_x, (g)->grid_y, (g)->grid_z};                        \
        blockDim = (t4j_dim3){(g)->block_x, (g)->block_y, (g)->block_z};                    \
        for (unsigned int bz = 0; bz < (g)->grid_z; bz++)                                   \
            for (unsigned int by = 0; by < (g)->grid_y; by++)                               \
                for (unsigned int bx = 0; bx < (g)->grid_x; bx++) {                         \
                    blockIdx = (t4j_dim3){bx, by, bz};                                      \
                    for (unsigned int tz = 0; tz < (g)->block_z; tz++)                      \
                        for (unsigned int ty = 0; ty < (g)->block_y; ty++)                  \
                            for (unsigned int tx = 0; tx < (g)->block_x; tx++) {            \
                                threadIdx = (t4j_dim3){tx, ty, tz};                         \
                                CALL;                                                       \
                            }                                                               \
                }                                                                           \
    } while (0)

#define ARG(type, i) (*(type *)params[i])

/* Product of two counts, or -1 when negative or overflowing. */
static long long product(long long a, long long b)
{
    long long p;
    if (a < 0 || b < 0 || __builtin_mul_overflow(a, b, &p)) {
        return -1;
    }
    return p;
}

/* Whether elements [0, count) of size bytes each at p lie in one allocation; reports when not. */
static int range(const char *kernel, const char *arg, const void *p, long long count, size_t size)
{
    size_t bytes;
    if (count < 0 || __builtin_mul_overflow((size_t)count, size, &bytes)) {
        emu_report("%s: the extent of %s is negative or overflows", kernel, arg);
        return 0;
    }
    if (!emu_range_ok(p, bytes)) {
        emu_report("%s: %s [%p, +%zu bytes) is not inside one live device allocation", kernel, arg, p, bytes);
        return 0;
    }
    return 1;
}

static CUresult negative(const char *kernel)
{
    emu_report("%s: a count is negative or the element count overflows", kernel);
    return CUDA_ERROR_INVALID_VALUE;
}

/* x[n] */
#define SHAPE_FILL(NAME, T)                                                                 \
    static CUresult run_##NAME(const struct launch_grid *g, void **params)                  \
    {                                                                                       \
        T *x = ARG(T *, 0);                                                                 \
        T value = ARG(T, 1);                                                                \
        long long n = ARG(long long, 2);                                                    \
        if (n < 0) return negative(#NAME);                                                  \
        if (!range(#NAME, "x", x, n, sizeof(T))) return CUDA_ERROR_ILLEGAL_ADDRESS;         \
        RUN_GRID(g, NAME(x, value, n));                                                     \
        return CUDA_SUCCESS;                                                                \
    }

/* z[n] -> out[n] */
#define SHAPE_POINTWISE(NAME, T)                                                            \
    static CUresult run_##NAME(const struct launch_grid *g, void **params)                  \
    {                                                                                       \
        int kind = ARG(int, 0);                                                             \
        T slope = ARG(T, 1);                                                                \
        const T *z = ARG(const T *, 2);                                                     \
        T *out = ARG(T *, 3);                                                               \
        long long n = ARG(long long, 4);                                                    \
        if (n < 0) return negative(#NAME);                                                  \
        if (!range(#NAME, "z", z, n, sizeof(T)) || !range(#NAME, "out", out, n, sizeof(T))) \
            return CUDA_ERROR_ILLEGAL_ADDRESS;                                              \
        RUN_GRID(g, NAME(kind, slope, z, out, n));                                          \
        return CUDA_SUCCESS;                                                                \
    }

/* m[rows, cols] with v[VLEN] (VLEN = rows or cols) */
#define SHAPE_MATRIX_VECTOR(NAME, T, VLEN)                                                  \
    static CUresult run_##NAME(const struct launch_grid *g, void **params)                  \
    {                                                                                       \
        T *m = ARG(T *, 0);                                                                 \
        const T *v = ARG(const T *, 1);                                                     \
        long long rows = ARG(long long, 2);                                                 \
        long long cols = ARG(long long, 3);                                                 \
        long long items = product(rows, cols);                                              \
        if (items < 0) return negative(#NAME);                                              \
        if (!range(#NAME, "m", m, items, sizeof(T))                                         \
            || !range(#NAME, "v", v, items == 0 ? 0 : (VLEN), sizeof(T)))                   \
            return CUDA_ERROR_ILLEGAL_ADDRESS;                                              \
        RUN_GRID(g, NAME(m, v, rows, cols));                                                \
        return CUDA_SUCCESS;                                                                \
    }
#define SHAPE_BY_ROW(NAME, T) SHAPE_MATRIX_VECTOR(NAME, T, rows)
#define SHAPE_BY_COLUMN(NAME, T) SHAPE_MATRIX_VECTOR(NAME, T, cols)

/* a[rows, cols] * b[ceil(rows / repeat), cols] -> c[rows, cols] */
#define SHAPE_HADAMARD(NAME, T)                                                             \
    static CUresult run_##NAME(const struct launch_grid *g, void **params)                  \
    {                                                                                       \
        const T *a = ARG(const T *, 0);                                                     \
        const T *b = ARG(const T *, 1);                                                     \
        T *c = ARG(T *, 2);                                                                 \
        long long rows = ARG(long long, 3);                                                 \
        long long cols = ARG(long long, 4);                                                 \
        long long repeat = ARG(long long, 5);                                               \
        long long items = product(rows, cols);                                              \
        if (items < 0 || repeat < 1) return negative(#NAME);                                \
        long long b_rows = (rows + repeat - 1) / repeat;                                    \
        if (!range(#NAME, "a", a, items, sizeof(T)) || !range(#NAME, "c", c, items, sizeof(T)) \
            || !range(#NAME, "b", b, product(b_rows, cols), sizeof(T)))                     \
            return CUDA_ERROR_ILLEGAL_ADDRESS;                                              \
        RUN_GRID(g, NAME(a, b, c, rows, cols, repeat));                                     \
        return CUDA_SUCCESS;                                                                \
    }

/* m[rows, cols] -> out[OUTLEN] (OUTLEN = cols or rows) */
#define SHAPE_SUM(NAME, T, OUTLEN)                                                          \
    static CUresult run_##NAME(const struct launch_grid *g, void **params)                  \
    {                                                                                       \
        const T *m = ARG(const T *, 0);                                                     \
        T *out = ARG(T *, 1);                                                               \
        long long rows = ARG(long long, 2);                                                 \
        long long cols = ARG(long long, 3);                                                 \
        long long items = product(rows, cols);                                              \
        if (items < 0) return negative(#NAME);                                              \
        if (!range(#NAME, "m", m, items, sizeof(T)) || !range(#NAME, "out", out, (OUTLEN), sizeof(T))) \
            return CUDA_ERROR_ILLEGAL_ADDRESS;                                              \
        RUN_GRID(g, NAME(m, out, rows, cols));                                              \
        return CUDA_SUCCESS;                                                                \
    }
#define SHAPE_SUM_ROWS(NAME, T) SHAPE_SUM(NAME, T, cols)
#define SHAPE_SUM_COLS(NAME, T) SHAPE_SUM(NAME, T, rows)

/* z[rows, cols] -> out[rows, words] of 64-bit words */
#define SHAPE_SIGN_BITS(NAME, T)                                                            \
    static CUresult run_##NAME(const struct launch_grid *g, void **params)                  \
    {                                                                                       \
        const T *z = ARG(const T *, 0);                                                     \
        unsigned long long *out = ARG(unsigned long long *, 1);                             \
        long long rows = ARG(long long, 2);                                                 \
        long long cols = ARG(long long, 3);                                                 \
        long long words = ARG(long long, 4);                                                \
        long long items = product(rows, words);                                             \
        if (items < 0 || product(rows, cols) < 0 || product(words, 64) < 0) return negative(#NAME); \
        /* Row i reads z[i * cols, i * cols + min(cols, 64 * words)). */                    \
        long long read = items == 0 ? 0                                                     \
            : (rows - 1) * cols + (cols < 64 * words ? cols : 64 * words);                  \
        if (!range(#NAME, "z", z, read, sizeof(T))                                          \
            || !range(#NAME, "out", out, items, sizeof(unsigned long long)))                \
            return CUDA_ERROR_ILLEGAL_ADDRESS;                                              \
        RUN_GRID(g, NAME(z, out, rows, cols, words));                                       \
        return CUDA_SUCCESS;                                                                \
    }

/* q1[rows, layers], q2[layers, cols] (double) with k[rows, cols] and, unless NULL, theta[rows, cols] */
#define SHAPE_DUAL_LAYERS(NAME, T)                                                           \
    static CUresult run_##NAME(const struct launch_grid *g, void **params)                  \
    {                                                                                       \
        int kind = ARG(int, 0);                                                             \
        double a = ARG(double, 1);                                                          \
        double sw = ARG(double, 2);                                                         \
        double sb = ARG(double, 3);                                                         \
        double snap = ARG(double, 4);                                                       \
        const double *q1 = ARG(const double *, 5);                                          \
        const double *q2 = ARG(const double *, 6);                                          \
        T *k = ARG(T *, 7);                                                                 \
        T *theta = ARG(T *, 8);                                                             \
        long long rows = ARG(long long, 9);                                                 \
        long long cols = ARG(long long, 10);                                                \
        long long layers = ARG(long long, 11);                                              \
        long long items = product(rows, cols);                                              \
        if (items < 0 || layers < 0 || product(rows, layers) < 0 || product(layers, cols) < 0) \
            return negative(#NAME);                                                         \
        if (!range(#NAME, "q1", q1, items == 0 ? 0 : product(rows, layers), sizeof(double))  \
            || !range(#NAME, "q2", q2, items == 0 ? 0 : product(layers, cols), sizeof(double)) \
            || !range(#NAME, "k", k, items, sizeof(T))                                      \
            || (theta != NULL && !range(#NAME, "theta", theta, items, sizeof(T))))          \
            return CUDA_ERROR_ILLEGAL_ADDRESS;                                              \
        RUN_GRID(g, NAME(kind, a, sw, sb, snap, q1, q2, k, theta, rows, cols, layers));     \
        return CUDA_SUCCESS;                                                                \
    }

/* q1[rows, 1 + 2 layers], q2[2 layers, cols] (NULL when layers = 0), pairs[rows, 3 cols], jets[rows, 10 cols],
   all double (T is double for both names) */
#define SHAPE_JACOBIAN_LAYERS(NAME, T)                                                       \
    static CUresult run_##NAME(const struct launch_grid *g, void **params)                  \
    {                                                                                       \
        int erf = ARG(int, 0);                                                              \
        double a = ARG(double, 1);                                                          \
        double sw = ARG(double, 2);                                                         \
        double sb = ARG(double, 3);                                                         \
        double c0 = ARG(double, 4);                                                         \
        int ntk = ARG(int, 5);                                                              \
        const T *q1 = ARG(const T *, 6);                                                    \
        const T *q2 = ARG(const T *, 7);                                                    \
        const T *pairs = ARG(const T *, 8);                                                 \
        T *jets = ARG(T *, 9);                                                              \
        long long rows = ARG(long long, 10);                                                \
        long long cols = ARG(long long, 11);                                                \
        long long layers = ARG(long long, 12);                                              \
        long long items = product(rows, cols);                                              \
        long long width = layers < 0 ? -1 : 1 + product(2, layers);                         \
        if (items < 0 || width < 1 || product(rows, width) < 0 || product(2 * layers, cols) < 0 \
            || product(items, 10) < 0)                                                      \
            return negative(#NAME);                                                         \
        if (!range(#NAME, "q1", q1, items == 0 ? 0 : product(rows, width), sizeof(T))        \
            || (layers > 0 && !range(#NAME, "q2", q2, items == 0 ? 0 : product(2 * layers, cols), sizeof(T))) \
            || !range(#NAME, "pairs", pairs, product(items, 3), sizeof(T))                  \
            || !range(#NAME, "jets", jets, product(items, 10), sizeof(T)))                  \
            return CUDA_ERROR_ILLEGAL_ADDRESS;                                              \
        RUN_GRID(g, NAME(erf, a, sw, sb, c0, ntk, q1, q2, pairs, jets, rows, cols, layers)); \
        return CUDA_SUCCESS;                                                                \
    }

#define DEFINE_RUNNER(NAME, SHAPE, T) SHAPE_##SHAPE(NAME, T)
T4J_EMU_KERNELS(DEFINE_RUNNER)

#define TABLE_ENTRY(NAME, SHAPE, T) {#NAME, run_##NAME},
const struct emu_kernel emu_kernels[] = {T4J_EMU_KERNELS(TABLE_ENTRY)};
const int emu_kernel_count = sizeof emu_kernels / sizeof emu_kernels[0];
