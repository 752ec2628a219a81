package io.github.tangent4j.backend.cuda;

import io.github.tangent4j.tensor.DType;
import java.util.Locale;

/**
 * The project's kernels (include/tangent4j_kernels.h); each exists as {@code t4j_<name>_f64} and
 * {@code t4j_<name>_f32}.
 */
enum Kernel {
    FILL,
    ACTIVATE,
    DERIVATIVE,
    ADD_ROW_VECTOR,
    SCALE_ROWS,
    SCALE_COLS,
    HADAMARD,
    SUM_ROWS,
    SUM_COLS,
    SIGN_BITS,
    DUAL_LAYERS,
    JACOBIAN_LAYERS;

    private final String f64 = "t4j_" + name().toLowerCase(Locale.ROOT) + "_f64";
    private final String f32 = "t4j_" + name().toLowerCase(Locale.ROOT) + "_f32";

    /** The C symbol for the element type. */
    String symbol(DType dtype) {
        return switch (dtype) {
            case F64 -> f64;
            case F32 -> f32;
            default -> throw new IllegalArgumentException("dtype: expected F32 or F64 but was " + dtype);
        };
    }
}
