/**
 * Training only a subset of a network's parameters, and the subset-learning benchmark built on it.
 *
 * <ul>
 *   <li>{@link io.github.tangent4j.training.MaskedFit}: fits the parameters a
 *       {@link io.github.tangent4j.nn.ParameterMask} marks trainable to targets, by Levenberg–Marquardt
 *       on the masked parameter Jacobian or by Adam on mini-batch gradients; every other parameter is
 *       left bit for bit as it was.</li>
 *   <li>{@link io.github.tangent4j.training.Allocation}: where M trainable weights sit (random, one
 *       layer, few rows, few columns, spread).</li>
 *   <li>{@link io.github.tangent4j.training.SubsetBenchmark}: the teacher–student match probability of
 *       an allocation (Schlisselberg and Darshan, "The impact of allocation strategies in subset learning
 *       on the expressive power of neural networks", arXiv 2502.06300, ICLR 2025).</li>
 *   <li>{@link io.github.tangent4j.training.LinearTheory}: the closed forms for linear networks that
 *       check and shortcut the benchmark.</li>
 * </ul>
 */
package io.github.tangent4j.training;
