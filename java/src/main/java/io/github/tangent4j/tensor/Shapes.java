package io.github.tangent4j.tensor;

import java.util.Arrays;

/** Checks and formats array shapes: non-negative dimensions whose product fits in a {@code long}. */
public final class Shapes {
    private Shapes() {
    }

    /**
     * Number of elements of {@code shape} (1 for a scalar shape {@code []}, 0 when any dimension is 0).
     *
     * @throws IllegalArgumentException if a dimension is negative or the product overflows a long
     */
    public static long size(long... shape) {
        boolean empty = false;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("shape: dimensions must be >= 0 but was " + format(shape));
            }
            empty |= d == 0;
        }
        if (empty) {
            // No elements, however large the other dimensions (NumPy allows shape (0, 10**18)).
            return 0;
        }
        long n = 1;
        for (long d : shape) {
            try {
                n = Math.multiplyExact(n, d);
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("shape: element count overflows a long: " + format(shape));
            }
        }
        return n;
    }

    /** Byte size of an array of {@code shape} and {@code dtype}, checked for overflow. */
    public static long byteSize(DType dtype, long... shape) {
        long n = size(shape);
        try {
            return Math.multiplyExact(n, dtype.byteSize());
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("shape: byte size overflows a long: " + format(shape) + " " + dtype);
        }
    }

    /** The shape as NumPy prints it, e.g. {@code (3, 4)}, {@code (5,)}, {@code ()}. */
    public static String format(long... shape) {
        if (shape.length == 1) {
            return "(" + shape[0] + ",)";
        }
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(shape[i]);
        }
        return sb.append(')').toString();
    }

    /** Whether two shapes are equal element by element. */
    public static boolean same(long[] a, long[] b) {
        return Arrays.equals(a, b);
    }
}
