package io.github.tangent4j.backend.java;

import java.lang.System.Logger.Level;

/**
 * Decides once whether the Java backend runs its Vector API kernels: only when the
 * {@code jdk.incubator.vector} module is in the boot layer and its classes link. Otherwise the scalar
 * kernels run, and one log line says why. Classes that use the Vector API are only touched when
 * {@link #ENABLED} is true, so a JVM without the module never loads them.
 */
final class Vectorization {
    /** Whether the Vector API kernels are used. */
    static final boolean ENABLED = detect();

    private Vectorization() {
    }

    private static boolean detect() {
        System.Logger log = System.getLogger(Vectorization.class.getName());
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            log.log(Level.INFO, "tangent4j: jdk.incubator.vector is absent (run with --add-modules "
                    + "jdk.incubator.vector); the Java backend uses its scalar kernels");
            return false;
        }
        try {
            return VectorGemm64.L > 0 && VectorGemm32.L > 0;
        } catch (LinkageError e) {
            log.log(Level.INFO, "tangent4j: the Vector API could not be used (" + e + "); using scalar kernels");
            return false;
        }
    }
}
