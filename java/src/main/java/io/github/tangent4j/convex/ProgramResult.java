package io.github.tangent4j.convex;

/**
 * One program's solution for one output and one beta.
 *
 * @param coefficients the groups y_k (K d', row-major)
 * @param primal       the objective at the solution (for the ReLU program: of the ReLU network it defines)
 * @param dual         the dual lower bound ({@link DualityGap})
 * @param iterations   the (inner) iterations used
 * @param converged    whether {@code primal - dual <= tolerance * primal}
 */
record ProgramResult(double[] coefficients, double primal, double dual, int iterations, boolean converged) {
}
