/*
 * The kernels of native/kernels/tangent4j_kernels.cu the emulation can run: X(name, shape, type)
 * for each, where shape names the parameter list (see cuda_launch.c). The emulated NVRTC lists the
 * names found in a source; the emulated driver runs them.
 */
#ifndef T4J_EMU_KERNEL_TABLE_H
#define T4J_EMU_KERNEL_TABLE_H

#define T4J_EMU_KERNELS(X)                                    \
    X(t4j_fill_f64, FILL, double)                             \
    X(t4j_activate_f64, POINTWISE, double)                    \
    X(t4j_derivative_f64, POINTWISE, double)                  \
    X(t4j_add_row_vector_f64, BY_COLUMN, double)              \
    X(t4j_scale_rows_f64, BY_ROW, double)                     \
    X(t4j_scale_cols_f64, BY_COLUMN, double)                  \
    X(t4j_hadamard_f64, HADAMARD, double)                     \
    X(t4j_sum_rows_f64, SUM_ROWS, double)                     \
    X(t4j_sum_cols_f64, SUM_COLS, double)                     \
    X(t4j_sign_bits_f64, SIGN_BITS, double)                   \
    X(t4j_dual_layers_f64, DUAL_LAYERS, double)               \
    X(t4j_jacobian_layers_f64, JACOBIAN_LAYERS, double)       \
    X(t4j_fill_f32, FILL, float)                              \
    X(t4j_activate_f32, POINTWISE, float)                     \
    X(t4j_derivative_f32, POINTWISE, float)                   \
    X(t4j_add_row_vector_f32, BY_COLUMN, float)               \
    X(t4j_scale_rows_f32, BY_ROW, float)                      \
    X(t4j_scale_cols_f32, BY_COLUMN, float)                   \
    X(t4j_hadamard_f32, HADAMARD, float)                      \
    X(t4j_sum_rows_f32, SUM_ROWS, float)                      \
    X(t4j_sum_cols_f32, SUM_COLS, float)                      \
    X(t4j_sign_bits_f32, SIGN_BITS, float)                    \
    X(t4j_dual_layers_f32, DUAL_LAYERS, float)                \
    X(t4j_jacobian_layers_f32, JACOBIAN_LAYERS, double)

#endif /* T4J_EMU_KERNEL_TABLE_H */
