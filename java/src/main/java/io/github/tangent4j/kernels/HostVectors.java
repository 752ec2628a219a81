package io.github.tangent4j.kernels;

/**
 * Decides once whether the host recursions use their Vector API loops ({@link VectorDuals}): only when
 * the {@code jdk.incubator.vector} module is in the boot layer and its classes link; otherwise the
 * scalar loops run. {@link VectorDuals} is only touched when {@link #ENABLED} is true, so a JVM without
 * the module never loads it.
 */
final class HostVectors {
    /** Whether the vector loops are used. */
    static final boolean ENABLED = detect();

    private HostVectors() {
    }

    private static boolean detect() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return false;
        }
        try {
            return VectorDuals.LANES > 0;
        } catch (LinkageError e) {
            return false;
        }
    }
}
