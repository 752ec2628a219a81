package io.github.tangent4j.convex;

/**
 * The solver of the ReLU program ({@link ConvexFit#relu}).
 */
public enum ReluSolver {
    /**
     * The interior-point method for at most 5000 examples where its N x N Newton matrix fits in the backend's
     * and the host's memory, else the augmented Lagrangian: the default.
     */
    AUTO,
    /**
     * A primal-dual interior-point method (Newton steps on the cone program, N x N Newton matrix per
     * iteration): tens of iterations to a gap of 1e-6 and below; its memory grows as N^2.
     */
    INTERIOR_POINT,
    /**
     * The augmented-Lagrangian method (FISTA inner solves on a working set of groups, as scnn's AL solver):
     * memory linear in N, cheap iterations, but slow to close the last digits of the gap on large programs
     * (docs/convex.md).
     */
    AUGMENTED_LAGRANGIAN
}
