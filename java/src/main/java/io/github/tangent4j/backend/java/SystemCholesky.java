package io.github.tangent4j.backend.java;

import io.github.tangent4j.backend.internal.Downcalls;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/**
 * LAPACK's Cholesky factorisation {@code dpotrf} of the system BLAS the Java backend's GEMM runs on
 * ({@link GemmProvider}: OpenBLAS and MKL export it), on the library's threads, for host-side factorisations of
 * large dense matrices. Absent when the GEMM is the pure-Java kernel or the library has no LAPACK; callers then
 * use their own factorisation.
 */
public final class SystemCholesky {
    private static final Optional<MethodHandle> POTRF = bind();

    private SystemCholesky() {
    }

    /** Whether a system {@code dpotrf} is bound. */
    public static boolean available() {
        return POTRF.isPresent();
    }

    /**
     * Factors the symmetric positive definite n x n row-major matrix {@code a} in place as {@code L L^T}: on
     * return its lower triangle (diagonal included) holds L; the strict upper triangle is left as it was. Only
     * the lower triangle of {@code a} is read.
     *
     * @return false if the matrix is not numerically positive definite (then {@code a} is partly overwritten)
     * @throws IllegalStateException if no system {@code dpotrf} is bound ({@link #available()})
     * @throws IllegalArgumentException if {@code a} is not n x n
     */
    public static boolean factorLower(double[] a, int n) {
        if (POTRF.isEmpty()) {
            throw new IllegalStateException("no system LAPACK dpotrf is bound (the Java backend's GEMM is "
                    + GemmProvider.CHOICE.description() + ")");
        }
        if (n < 0 || a.length != (long) n * n) {
            throw new IllegalArgumentException("a: expected " + n + " x " + n + " values but got " + a.length);
        }
        if (n == 0) {
            return true;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment m = arena.allocate((long) n * n * 8, 64);
            MemorySegment.copy(a, 0, m, ValueLayout.JAVA_DOUBLE, 0, a.length);
            MemorySegment uplo = arena.allocateFrom(ValueLayout.JAVA_BYTE, (byte) 'U');
            MemorySegment order = arena.allocateFrom(ValueLayout.JAVA_INT, n);
            MemorySegment info = arena.allocateFrom(ValueLayout.JAVA_INT, 0);
            // row-major lower = column-major upper: dpotrf 'U' gives U^T U with U^T the row-major L
            POTRF.get().invokeExact(uplo, order, m, order, info);
            if (info.get(ValueLayout.JAVA_INT, 0) != 0) {
                return false;
            }
            for (int i = 0; i < n; i++) {
                MemorySegment.copy(m, ValueLayout.JAVA_DOUBLE, (long) i * n * 8, a, i * n, i + 1);
            }
            return true;
        } catch (Throwable e) {
            throw Downcalls.rethrow(e, "LAPACK dpotrf");
        }
    }

    /** {@code dpotrf_} of the library the GEMM was loaded from ({@link SystemBlas#dpotrf()}), if it has one. */
    private static Optional<MethodHandle> bind() {
        SystemBlas blas = GemmProvider.CHOICE.blas();
        return Optional.ofNullable(blas == null ? null : blas.dpotrf());
    }
}
