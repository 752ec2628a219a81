/*
 * tangent4j's own device kernels (native/kernels/tangent4j_kernels.cu), compiled at run time by
 * NVRTC, loaded with cuModuleLoadData and launched with cuLaunchKernel (kernelParams in the order
 * of the parameters below).
 *
 * Every kernel is a 1-D grid-stride loop over its work items (given in brackets), so any grid is
 * correct; tangent4j launches blockDim (256,1,1) and gridDim (min(ceil(items / 256), 65535),1,1)
 * with no shared memory. Matrices are row-major, rows x cols, densely packed. Counts are
 * long long. Each kernel exists for double (_f64) and float (_f32).
 *
 * kind is the ordinal of io.github.tangent4j.backend.Activation.Kind (T4J_ACT_*); slope is used
 * by LEAKY_RELU only. Derivatives at the kinks: relu'(0) = 0, leaky'(0) = slope, abs'(0) = 0.
 * An unknown kind writes NaN.
 */
#ifndef TANGENT4J_KERNELS_H
#define TANGENT4J_KERNELS_H

#define T4J_ACT_RELU 0
#define T4J_ACT_LEAKY_RELU 1
#define T4J_ACT_ABS 2
#define T4J_ACT_TANH 3
#define T4J_ACT_ERF 4
#define T4J_ACT_IDENTITY 5

/* Under a CUDA compiler these are kernels; under a host compiler, functions of the same signature. */
#if defined(__CUDACC__)
#define T4J_KERNEL_DECL __global__ void
#else
#define T4J_KERNEL_DECL void
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* x[i] = value                                                                  [n] */
T4J_KERNEL_DECL t4j_fill_f64(double *x, double value, long long n);
/* h[i] = phi(z[i])                                                              [n] */
T4J_KERNEL_DECL t4j_activate_f64(int kind, double slope, const double *z, double *h, long long n);
/* d[i] = phi'(z[i])                                                             [n] */
T4J_KERNEL_DECL t4j_derivative_f64(int kind, double slope, const double *z, double *d, long long n);
/* m[i,j] += v[j]                                                                [rows * cols] */
T4J_KERNEL_DECL t4j_add_row_vector_f64(double *m, const double *v, long long rows, long long cols);
/* m[i,j] *= v[i]                                                                [rows * cols] */
T4J_KERNEL_DECL t4j_scale_rows_f64(double *m, const double *v, long long rows, long long cols);
/* m[i,j] *= v[j]                                                                [rows * cols] */
T4J_KERNEL_DECL t4j_scale_cols_f64(double *m, const double *v, long long rows, long long cols);
/* c[i,j] = a[i,j] * b[i / repeat, j]; b is (rows / repeat) x cols; repeat >= 1  [rows * cols] */
T4J_KERNEL_DECL t4j_hadamard_f64(const double *a, const double *b, double *c, long long rows, long long cols,
                                 long long repeat);
/* out[j] = sum_i m[i,j] (axis 0)                                                [cols] */
T4J_KERNEL_DECL t4j_sum_rows_f64(const double *m, double *out, long long rows, long long cols);
/* out[i] = sum_j m[i,j] (axis 1)                                                [rows] */
T4J_KERNEL_DECL t4j_sum_cols_f64(const double *m, double *out, long long rows, long long cols);
/* bit b of out[i * words + w] = z[i, 64 w + b] > 0; bits past cols are 0        [rows * words] */
T4J_KERNEL_DECL t4j_sign_bits_f64(const double *z, unsigned long long *out, long long rows, long long cols,
                                  long long words);
/* `layers` layers of the infinite-width kernel recursion, in place (F, Fdot the dual of phi in double:
   kind T4J_ACT_ERF the arcsine kernel, otherwise phi = a u + (1 - a) relu(u), cosines snapped to
   +-1 within snap): for l = 0 .. layers-1, k[i,j] = sw F(q1[i,l], q2[l,j], k[i,j]) + sb and, when theta
   is not NULL, theta[i,j] = k_new[i,j] + sw Fdot theta[i,j]; q1 is rows x layers, q2 layers x cols;
   k and theta rounded to the element type after every layer                     [rows * cols] */
T4J_KERNEL_DECL t4j_dual_layers_f64(int kind, double a, double sw, double sb, double snap, const double *q1,
                                    const double *q2, double *k, double *theta, long long rows, long long cols,
                                    long long layers);

/* `layers` layers of the Jacobian kernels' per-pair recursion (see the .cu): q1 rows x (1 + 2 layers),
   q2 (2 layers) x cols, pairs rows x 3 cols, jets rows x 10 cols; in double     [rows * cols] */
T4J_KERNEL_DECL t4j_jacobian_layers_f64(int erf, double a, double sw, double sb, double c0, int ntk,
                                        const double *q1, const double *q2, const double *pairs, double *jets,
                                        long long rows, long long cols, long long layers);

T4J_KERNEL_DECL t4j_fill_f32(float *x, float value, long long n);
T4J_KERNEL_DECL t4j_activate_f32(int kind, float slope, const float *z, float *h, long long n);
T4J_KERNEL_DECL t4j_derivative_f32(int kind, float slope, const float *z, float *d, long long n);
T4J_KERNEL_DECL t4j_add_row_vector_f32(float *m, const float *v, long long rows, long long cols);
T4J_KERNEL_DECL t4j_scale_rows_f32(float *m, const float *v, long long rows, long long cols);
T4J_KERNEL_DECL t4j_scale_cols_f32(float *m, const float *v, long long rows, long long cols);
T4J_KERNEL_DECL t4j_hadamard_f32(const float *a, const float *b, float *c, long long rows, long long cols,
                                 long long repeat);
T4J_KERNEL_DECL t4j_sum_rows_f32(const float *m, float *out, long long rows, long long cols);
T4J_KERNEL_DECL t4j_sum_cols_f32(const float *m, float *out, long long rows, long long cols);
T4J_KERNEL_DECL t4j_sign_bits_f32(const float *z, unsigned long long *out, long long rows, long long cols,
                                  long long words);
T4J_KERNEL_DECL t4j_dual_layers_f32(int kind, double a, double sw, double sb, double snap, const double *q1,
                                    const double *q2, float *k, float *theta, long long rows, long long cols,
                                    long long layers);
T4J_KERNEL_DECL t4j_jacobian_layers_f32(int erf, double a, double sw, double sb, double c0, int ntk,
                                        const double *q1, const double *q2, const double *pairs, double *jets,
                                        long long rows, long long cols, long long layers);

#ifdef __cplusplus
}
#endif

#endif /* TANGENT4J_KERNELS_H */
