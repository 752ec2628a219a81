/*
 * tangent4j's elementwise kernels, in F64 and F32 (signatures and semantics:
 * include/tangent4j_kernels.h).
 *
 * This one self-contained file is compiled three ways:
 *  - at run time by NVRTC, for the compute capability of the user's device (no #include: the
 *    device math functions erf, tanh, exp, fabs and their float forms are built into NVRTC);
 *  - at build time by nvcc --ptx, only to catch errors before users do (native/emu/build.sh);
 *  - as C by gcc for the CPU emulation, with native/emu/t4j_cuda_compat.h included first, which
 *    defines T4J_KERNEL, __device__ and the thread-index variables.
 *
 * Rules that keep all three working: plain C inside the bodies (no templates, no references), no
 * shared memory, no __syncthreads, every kernel a 1-D grid-stride loop (correct for any grid).
 * Each kernel is written once as a macro over its element type and instantiated for double and
 * float with its full name spelled out, so the names can be searched for.
 */

#ifndef T4J_KERNEL
#define T4J_KERNEL extern "C" __global__ void
#endif

/* The ordinals of io.github.tangent4j.backend.Activation.Kind (also in tangent4j_kernels.h). */
#define T4J_ACT_RELU 0
#define T4J_ACT_LEAKY_RELU 1
#define T4J_ACT_ABS 2
#define T4J_ACT_TANH 3
#define T4J_ACT_ERF 4
#define T4J_ACT_IDENTITY 5

/* 2 / sqrt(pi), the factor in erf'(x) = 2 / sqrt(pi) * exp(-x^2). */
#define T4J_TWO_OVER_SQRT_PI 1.12837916709551257390

/* Visits this thread's work items of [0, count): a grid-stride loop in 64-bit indices. */
#define T4J_FOR_EACH(i, count)                                                   \
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;        \
         i < (count); i += (long long)blockDim.x * gridDim.x)

/*
 * phi(x) and phi'(x) for element type T; ERF, TANH, EXP, FABS and NAN are the math functions of
 * that type. Conventions as io.github.tangent4j.backend.Activation: relu'(0) = 0, leaky'(0) = slope,
 * abs'(0) = 0; values propagate NaN as PyTorch's do (relu(NaN) = NaN), derivatives at NaN are those of
 * the non-positive branch.
 */
#define T4J_DEFINE_ACTIVATION(VALUE, DERIVATIVE, T, ERF, TANH, EXP, FABS, NAN)  \
    static __device__ T VALUE(int kind, T slope, T x)                            \
    {                                                                            \
        switch (kind) {                                                          \
        case T4J_ACT_RELU: return (x > 0 || x != x) ? x : (T)0;                  \
        case T4J_ACT_LEAKY_RELU: return x > 0 ? x : slope * x;                   \
        case T4J_ACT_ABS: return FABS(x);                                        \
        case T4J_ACT_TANH: return TANH(x);                                       \
        case T4J_ACT_ERF: return ERF(x);                                         \
        case T4J_ACT_IDENTITY: return x;                                         \
        default: return NAN("");                                                 \
        }                                                                        \
    }                                                                            \
    static __device__ T DERIVATIVE(int kind, T slope, T x)                       \
    {                                                                            \
        T t;                                                                     \
        switch (kind) {                                                          \
        case T4J_ACT_RELU: return x > 0 ? (T)1 : (T)0;                           \
        case T4J_ACT_LEAKY_RELU: return x > 0 ? (T)1 : slope;                    \
        case T4J_ACT_ABS: return x > 0 ? (T)1 : x < 0 ? (T)-1 : (T)0;            \
        case T4J_ACT_TANH: t = TANH(x); return (T)1 - t * t;                     \
        case T4J_ACT_ERF: return (T)T4J_TWO_OVER_SQRT_PI * EXP(-x * x);          \
        case T4J_ACT_IDENTITY: return (T)1;                                      \
        default: return NAN("");                                                 \
        }                                                                        \
    }

T4J_DEFINE_ACTIVATION(t4j_phi_f64, t4j_dphi_f64, double, erf, tanh, exp, fabs, nan)
T4J_DEFINE_ACTIVATION(t4j_phi_f32, t4j_dphi_f32, float, erff, tanhf, expf, fabsf, nanf)

/* x[i] = value. [n] */
#define T4J_DEFINE_FILL(NAME, T)                                                 \
    T4J_KERNEL NAME(T *x, T value, long long n)                                  \
    {                                                                            \
        T4J_FOR_EACH(i, n) { x[i] = value; }                                     \
    }

/* out[i] = F(kind, slope, z[i]) for F = phi or phi'. [n] */
#define T4J_DEFINE_POINTWISE(NAME, T, F)                                         \
    T4J_KERNEL NAME(int kind, T slope, const T *z, T *out, long long n)         \
    {                                                                            \
        T4J_FOR_EACH(i, n) { out[i] = F(kind, slope, z[i]); }                    \
    }

/* m[i,j] += v[j]. [rows * cols] */
#define T4J_DEFINE_ADD_ROW_VECTOR(NAME, T)                                       \
    T4J_KERNEL NAME(T *m, const T *v, long long rows, long long cols)            \
    {                                                                            \
        T4J_FOR_EACH(e, rows * cols) { m[e] += v[e % cols]; }                    \
    }

/* m[i,j] *= v[i]. [rows * cols] */
#define T4J_DEFINE_SCALE_ROWS(NAME, T)                                           \
    T4J_KERNEL NAME(T *m, const T *v, long long rows, long long cols)            \
    {                                                                            \
        T4J_FOR_EACH(e, rows * cols) { m[e] *= v[e / cols]; }                    \
    }

/* m[i,j] *= v[j]. [rows * cols] */
#define T4J_DEFINE_SCALE_COLS(NAME, T)                                           \
    T4J_KERNEL NAME(T *m, const T *v, long long rows, long long cols)            \
    {                                                                            \
        T4J_FOR_EACH(e, rows * cols) { m[e] *= v[e % cols]; }                    \
    }

/* c[i,j] = a[i,j] * b[i / repeat, j]; nothing is written when repeat < 1. [rows * cols] */
#define T4J_DEFINE_HADAMARD(NAME, T)                                             \
    T4J_KERNEL NAME(const T *a, const T *b, T *c, long long rows, long long cols, \
                    long long repeat)                                            \
    {                                                                            \
        if (repeat < 1) {                                                        \
            return;                                                              \
        }                                                                        \
        T4J_FOR_EACH(e, rows * cols) {                                           \
            long long i = e / cols;                                              \
            c[e] = a[e] * b[(i / repeat) * cols + (e - i * cols)];               \
        }                                                                        \
    }

/* out[j] = sum_i m[i,j], accumulated in double. [cols] */
#define T4J_DEFINE_SUM_ROWS(NAME, T)                                             \
    T4J_KERNEL NAME(const T *m, T *out, long long rows, long long cols)          \
    {                                                                            \
        T4J_FOR_EACH(j, cols) {                                                  \
            double s = 0;                                                        \
            for (long long i = 0; i < rows; i++) {                               \
                s += m[i * cols + j];                                            \
            }                                                                    \
            out[j] = (T)s;                                                       \
        }                                                                        \
    }

/* out[i] = sum_j m[i,j], accumulated in double. [rows] */
#define T4J_DEFINE_SUM_COLS(NAME, T)                                             \
    T4J_KERNEL NAME(const T *m, T *out, long long rows, long long cols)          \
    {                                                                            \
        T4J_FOR_EACH(i, rows) {                                                  \
            const T *row = m + i * cols;                                         \
            double s = 0;                                                        \
            for (long long j = 0; j < cols; j++) {                               \
                s += row[j];                                                     \
            }                                                                    \
            out[i] = (T)s;                                                       \
        }                                                                        \
    }

/* Bit b of out[i * words + w] is z[i, 64 w + b] > 0; bits at or past cols are 0. [rows * words] */
#define T4J_DEFINE_SIGN_BITS(NAME, T)                                            \
    T4J_KERNEL NAME(const T *z, unsigned long long *out, long long rows, long long cols, \
                    long long words)                                             \
    {                                                                            \
        T4J_FOR_EACH(e, rows * words) {                                          \
            long long i = e / words;                                             \
            long long first = (e - i * words) * 64;                              \
            long long end = cols - first < 64 ? cols - first : 64;               \
            const T *x = z + i * cols + first;                                   \
            unsigned long long bits = 0;                                         \
            for (long long b = 0; b < end; b++) {                                \
                if (x[b] > 0) {                                                  \
                    bits |= 1ULL << b;                                           \
                }                                                                \
            }                                                                    \
            out[e] = bits;                                                       \
        }                                                                        \
    }

/*
 * The dual of phi for a centred Gaussian pair with variances q1, q2 and covariance k, in double:
 * f = E[phi(u) phi(v)], dot = E[phi'(u) phi'(v)] (io.github.tangent4j.backend.DualKernel). erf: the
 * arcsine kernel; otherwise phi = a u + (1 - a) relu(u) and the arc-cosine kernel, the cosine
 * clamped and snapped to +-1 within snap.
 */
#define T4J_PI 3.14159265358979323846
#define T4J_INV_2PI (1 / (2 * T4J_PI))
static __device__ void t4j_dual(int kind, double a, double snap, double q1, double q2, double k, double *f,
                                double *dot)
{
    if (kind == T4J_ACT_ERF) {
        double z = k * (2 / sqrt(1 + 2 * q1)) * (1 / sqrt(1 + 2 * q2));
        double d = q1 * q2 - k * k;
        *f = (2 / T4J_PI) * asin(fmax(-1.0, fmin(1.0, z)));
        *dot = (4 / T4J_PI) / sqrt(1 + 2 * (q1 + q2) + 4 * (d > 0 ? d : 0));
        return;
    }
    double w = (1 - a) * (1 - a);
    if (w == 0) {
        *f = a * k;
        *dot = a;
        return;
    }
    double s = sqrt(q1) * sqrt(q2);
    double c = s > 0 ? k / s : 0;
    c = c >= 1 - snap ? 1 : c <= -1 + snap ? -1 : c;
    double rest = T4J_PI - acos(c);
    *f = a * k + w * s * (sqrt((1 - c) * (1 + c)) + rest * c) * T4J_INV_2PI;
    *dot = a + w * rest * T4J_INV_2PI;
}

/*
 * `layers` layers of the infinite-width kernel recursion, in place, each element read and written once:
 * for l = 0 ... layers - 1, k = sw F + sb and, when theta is not null, theta = k_new + sw Fdot theta,
 * with F, Fdot of (q1[i, l], q2[l, j], k[i,j]) and both rounded to T after every layer. [rows * cols]
 */
#define T4J_DEFINE_DUAL_LAYERS(NAME, T)                                          \
    T4J_KERNEL NAME(int kind, double a, double sw, double sb, double snap,       \
                    const double *q1, const double *q2, T *k, T *theta,          \
                    long long rows, long long cols, long long layers)            \
    {                                                                            \
        T4J_FOR_EACH(e, rows * cols) {                                           \
            long long i = e / cols;                                              \
            long long j = e - i * cols;                                          \
            double kk = (double)k[e];                                            \
            double tt = theta ? (double)theta[e] : 0;                            \
            for (long long l = 0; l < layers; l++) {                             \
                double f, dot;                                                   \
                t4j_dual(kind, a, snap, q1[i * layers + l], q2[l * cols + j], kk, &f, &dot); \
                double s = (double)(T)(sw * f + sb);                             \
                tt = (double)(T)(s + sw * dot * tt);                             \
                kk = s;                                                          \
            }                                                                    \
            if (theta) {                                                         \
                theta[e] = (T)tt;                                                \
            }                                                                    \
            k[e] = (T)kk;                                                        \
        }                                                                        \
    }

/*
 * One layer of the Jacobian kernels' per-pair recursion (io.github.tangent4j.backend.internal.JacobianPair,
 * where the formulas are explained) on st[20]: Sigma's 10 coefficients [V, G1, G2, H1, H2, H0, M11, M12,
 * M21, M22] in the pair's orthonormal basis, then Theta's (updated only when ntk). q1, q2 the layer's
 * variances, dq1/dx = (d1, 0) and dq2/dx' = (d2a, d2b).
 */
#define T4J_JACOBIAN_SNAP (1.0 / 1125899906842624.0) /* 2^-50, JacobianPair.SNAP */
static __device__ void t4j_jacobian_step(int erf, double a, double sw, double sb, double q1, double q2, double d1,
                                         double d2a, double d2b, double *st, int ntk)
{
    double k = st[0], g1 = st[1], g2 = st[2], h1 = st[3], h2 = st[4];
    double w = (1 - a) * (1 - a);
    double f, fq1 = 0, fq2 = 0, fk, s11 = 0, s12 = 0, s21 = 0, s22 = 0;
    double dq1 = 0, dq2 = 0, dk = 0, t11 = 0, t12 = 0, t21 = 0, t22 = 0;
    if (erf) {
        double aa = 1 + 2 * q1, bb = 1 + 2 * q2;
        double z = k * (2 / sqrt(aa)) * (1 / sqrt(bb));
        double dd = q1 * q2 - k * k;
        f = (2 / T4J_PI) * asin(fmax(-1.0, fmin(1.0, z)));
        double delta = 1 + 2 * (q1 + q2) + 4 * (dd > 0 ? dd : 0);
        fk = (4 / T4J_PI) / sqrt(delta);
        fq1 = -fk * k / aa;
        fq2 = -fk * k / bb;
        double c3 = fk / delta;
        double l1 = c3 * k * d1 - c3 * aa * g1, l2 = -c3 * aa * g2;
        double r1 = -c3 * bb * d1 + 4 * c3 * k * g1, r2 = 4 * c3 * k * g2;
        s11 = l1 * d2a + r1 * h1;
        s12 = l1 * d2b + r1 * h2;
        s21 = l2 * d2a + r2 * h1;
        s22 = l2 * d2b + r2 * h2;
        if (ntk) {
            dq1 = -c3 * bb;
            dq2 = -c3 * aa;
            dk = 4 * c3 * k;
            double c5 = c3 / delta;
            double f12 = c5 * (aa * bb + 8 * k * k), f1k = -12 * c5 * k * bb, f2k = -12 * c5 * k * aa;
            double fkk = 4 * c5 * (delta + 12 * k * k);
            double m1 = f12 * d1 + f2k * g1, m2 = f2k * g2, n1 = f1k * d1 + fkk * g1, n2 = fkk * g2;
            t11 = m1 * d2a + n1 * h1;
            t12 = m1 * d2b + n1 * h2;
            t21 = m2 * d2a + n2 * h1;
            t22 = m2 * d2b + n2 * h2;
        }
    } else if (w == 0) {
        f = a * k;
        fk = a;
    } else {
        double s = sqrt(q1) * sqrt(q2);
        double c = s > 0 ? k / s : 0;
        c = c >= 1 - T4J_JACOBIAN_SNAP ? 1 : c <= -1 + T4J_JACOBIAN_SNAP ? -1 : c;
        double rest = T4J_PI - acos(c);
        double sine = sqrt((1 - c) * (1 + c));
        double r = s * sine;
        f = a * k + w * s * (sine + rest * c) * T4J_INV_2PI;
        fk = a + w * rest * T4J_INV_2PI;
        fq1 = q1 > 0 ? w * r * (1 / (4 * T4J_PI)) / q1 : 0;
        fq2 = q2 > 0 ? w * r * (1 / (4 * T4J_PI)) / q2 : 0;
        if (r > 0 && q1 > 0 && q2 > 0) {
            double cc = w * (1 / (8 * T4J_PI)) / r;
            double e = w * (1 / (8 * T4J_PI)) * (r / q1 / q2);
            double u1 = 2 * g1 - k / q1 * d1, u2 = 2 * g2;
            double v1 = 2 * h1 - k / q2 * d2a, v2 = 2 * h2 - k / q2 * d2b;
            s11 = cc * u1 * v1 + e * d1 * d2a;
            s12 = cc * u1 * v2 + e * d1 * d2b;
            s21 = cc * u2 * v1;
            s22 = cc * u2 * v2;
        }
    }
    double oh0 = st[5], o11 = st[6], o12 = st[7], o21 = st[8], o22 = st[9];
    double nv = sw * f + sb;
    double ng1 = sw * (fq1 * d1 + fk * g1), ng2 = sw * (fk * g2);
    double nh1 = sw * (fq2 * d2a + fk * h1), nh2 = sw * (fq2 * d2b + fk * h2);
    double nh0 = sw * fk * oh0;
    double n11 = sw * (fk * o11 + s11), n12 = sw * (fk * o12 + s12);
    double n21 = sw * (fk * o21 + s21), n22 = sw * (fk * o22 + s22);
    if (ntk) {
        double *t = st + 10;
        double tv = t[0];
        double ax1 = dq1 * d1 + dk * g1, ax2 = dk * g2;
        double bx1 = dq2 * d2a + dk * h1, bx2 = dq2 * d2b + dk * h2;
        double tg1 = t[1], tg2 = t[2], th1 = t[3], th2 = t[4];
        t[0] = nv + sw * fk * tv;
        t[1] = ng1 + sw * (ax1 * tv + fk * tg1);
        t[2] = ng2 + sw * (ax2 * tv + fk * tg2);
        t[3] = nh1 + sw * (bx1 * tv + fk * th1);
        t[4] = nh2 + sw * (bx2 * tv + fk * th2);
        t[5] = nh0 + sw * (dk * oh0 * tv + fk * t[5]);
        t[6] = n11 + sw * ((t11 + dk * o11) * tv + ax1 * th1 + tg1 * bx1 + fk * t[6]);
        t[7] = n12 + sw * ((t12 + dk * o12) * tv + ax1 * th2 + tg1 * bx2 + fk * t[7]);
        t[8] = n21 + sw * ((t21 + dk * o21) * tv + ax2 * th1 + tg2 * bx1 + fk * t[8]);
        t[9] = n22 + sw * ((t22 + dk * o22) * tv + ax2 * th2 + tg2 * bx2 + fk * t[9]);
    }
    st[0] = nv; st[1] = ng1; st[2] = ng2; st[3] = nh1; st[4] = nh2;
    st[5] = nh0; st[6] = n11; st[7] = n12; st[8] = n21; st[9] = n22;
}

/*
 * `layers` layers of the Jacobian kernels' per-pair recursion: q1 [rows, 1 + 2 layers] (|x|, then q_l, p_l),
 * q2 [2 layers, cols] (q_l, p_l rows), pairs [rows, 3 cols] (k1, alpha, beta), jets [rows, 10 cols] out:
 * Sigma's coefficients, or Theta's when ntk. Always double (the _f32 twin is the same kernel, so that every
 * kernel has both names).                                                         [rows * cols]
 */
#define T4J_DEFINE_JACOBIAN_LAYERS(NAME)                                         \
    T4J_KERNEL NAME(int erf, double a, double sw, double sb, double c0, int ntk, \
                    const double *q1, const double *q2, const double *pairs,    \
                    double *jets, long long rows, long long cols, long long layers) \
    {                                                                            \
        T4J_FOR_EACH(e, rows * cols) {                                           \
            long long i = e / cols;                                              \
            long long j = e - i * cols;                                          \
            const double *p = q1 + i * (1 + 2 * layers);                         \
            double norm = p[0];                                                  \
            double alpha = pairs[3 * e + 1], beta = pairs[3 * e + 2];            \
            double st[20];                                                       \
            for (int c = 0; c < 20; c++) {                                       \
                st[c] = 0;                                                       \
            }                                                                    \
            st[0] = pairs[3 * e];                                                \
            st[1] = c0 * alpha;                                                  \
            st[2] = c0 * beta;                                                   \
            st[3] = c0 * norm;                                                   \
            st[5] = c0;                                                          \
            for (int c = 0; c < 10; c++) {                                       \
                st[10 + c] = st[c];                                              \
            }                                                                    \
            for (long long l = 0; l < layers; l++) {                             \
                double pc = q2[(2 * l + 1) * cols + j];                          \
                t4j_jacobian_step(erf, a, sw, sb, p[1 + 2 * l], q2[2 * l * cols + j], \
                                  p[2 + 2 * l] * norm, pc * alpha, pc * beta, st, ntk); \
            }                                                                    \
            for (int c = 0; c < 10; c++) {                                       \
                jets[10 * e + c] = st[(ntk ? 10 : 0) + c];                       \
            }                                                                    \
        }                                                                        \
    }

T4J_DEFINE_FILL(t4j_fill_f64, double)
T4J_DEFINE_POINTWISE(t4j_activate_f64, double, t4j_phi_f64)
T4J_DEFINE_POINTWISE(t4j_derivative_f64, double, t4j_dphi_f64)
T4J_DEFINE_ADD_ROW_VECTOR(t4j_add_row_vector_f64, double)
T4J_DEFINE_SCALE_ROWS(t4j_scale_rows_f64, double)
T4J_DEFINE_SCALE_COLS(t4j_scale_cols_f64, double)
T4J_DEFINE_HADAMARD(t4j_hadamard_f64, double)
T4J_DEFINE_SUM_ROWS(t4j_sum_rows_f64, double)
T4J_DEFINE_SUM_COLS(t4j_sum_cols_f64, double)
T4J_DEFINE_SIGN_BITS(t4j_sign_bits_f64, double)
T4J_DEFINE_DUAL_LAYERS(t4j_dual_layers_f64, double)
T4J_DEFINE_JACOBIAN_LAYERS(t4j_jacobian_layers_f64)

T4J_DEFINE_FILL(t4j_fill_f32, float)
T4J_DEFINE_POINTWISE(t4j_activate_f32, float, t4j_phi_f32)
T4J_DEFINE_POINTWISE(t4j_derivative_f32, float, t4j_dphi_f32)
T4J_DEFINE_ADD_ROW_VECTOR(t4j_add_row_vector_f32, float)
T4J_DEFINE_SCALE_ROWS(t4j_scale_rows_f32, float)
T4J_DEFINE_SCALE_COLS(t4j_scale_cols_f32, float)
T4J_DEFINE_HADAMARD(t4j_hadamard_f32, float)
T4J_DEFINE_SUM_ROWS(t4j_sum_rows_f32, float)
T4J_DEFINE_SUM_COLS(t4j_sum_cols_f32, float)
T4J_DEFINE_SIGN_BITS(t4j_sign_bits_f32, float)
T4J_DEFINE_DUAL_LAYERS(t4j_dual_layers_f32, float)
T4J_DEFINE_JACOBIAN_LAYERS(t4j_jacobian_layers_f32)
