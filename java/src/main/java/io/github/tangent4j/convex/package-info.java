/**
 * Convex training of two-layer ReLU networks over the hyperplane-arrangement patterns of the data
 * (Pilanci and Ergen, "Neural Networks are Convex Regularizers", ICML 2020; Mishkin, Sahiner and
 * Pilanci, "Fast Convex Optimization for Two-Layer ReLU Networks", ICML 2022), and the wedge-product
 * (generalised cross product) directions of Pilanci, "From Complexity to Clarity", arXiv 2309.16512.
 *
 * <p>For inputs X (N, d), lifted to X~ = [X, 1] with a bias, and distinct patterns
 * {@code D_i = diag(1[X~ u_i >= 0])}, the ReLU program is
 * {@code min 1/2 ||sum_i D_i X~ (v_i - w_i) - y||^2 + beta sum_i (||v_i|| + ||w_i||)} subject to the cone
 * constraints {@code (2 D_i - I) X~ v_i >= 0}, {@code (2 D_i - I) X~ w_i >= 0}; the gated program drops the
 * constraints and the w_i. Every operator is a GEMM with a pattern mask on a
 * {@link io.github.tangent4j.backend.Backend}, so the solvers run on the GPU as on the CPU.
 *
 * <p>Entry points: {@link io.github.tangent4j.convex.ConvexFit} (solvers, certificate, recovered network),
 * {@link io.github.tangent4j.convex.PatternSet} (sampled or exactly enumerated patterns),
 * {@link io.github.tangent4j.convex.WedgeProducts} (generalised cross products) and
 * {@link io.github.tangent4j.convex.TwoLayerObjective} (the weight-decay objective of a network).
 */
package io.github.tangent4j.convex;
