package io.github.tangent4j.backend.java;

/**
 * Runs {@link JavaGemmTest}'s checks in the JVM that {@link NarrowVectorGemmTest} starts with 256-bit
 * vectors, where the GEMM uses its narrow (6 x 2-vector) tile. Prints the Vector API kernel's name first.
 */
public final class NarrowVectorGemmCheck {
    private NarrowVectorGemmCheck() {
    }

    /** Exits normally when every check passes; an assertion error otherwise. */
    public static void main(String[] args) {
        System.out.println(GemmProvider.JAVA.name());
        JavaGemmTest checks = new JavaGemmTest();
        checks.oddSizesAllTransposesBothPrecisionsBothKernels();
        checks.alphaBetaAndLeadingDimensionsLargerThanTheWidth();
        checks.blockBoundariesAndTheMultiThreadedPath();
        checks.emptyInnerDimensionScalesC();
        checks.nanAndInfinityInTheInputsPropagate();
        System.out.println("all checks passed");
    }
}
