package io.github.tangent4j.convex;

/**
 * Which convex program {@link ConvexFit} solves over the arrangement patterns.
 */
public enum Formulation {
    /**
     * The ReLU program with its cone constraints, solved by {@link ReluSolver} (an interior-point method or an
     * augmented-Lagrangian one): its optimum
     * over all patterns is the global optimum of two-layer ReLU training with weight decay (Pilanci and
     * Ergen 2020, Theorem 1).
     */
    RELU,
    /**
     * The gated-ReLU program (a group lasso, no constraints), solved by FISTA: a relaxation of the ReLU
     * program, so its dual value is a lower bound for it. {@link ConvexFit} then solves the ReLU program on
     * the patterns the gated solution uses, which gives the written network (Mishkin et al. 2022, §4).
     */
    GATED
}
