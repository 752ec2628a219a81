/**
 * What the parameters of a network with a positively homogeneous activation (relu, leaky_relu, abs,
 * identity) mean: path norms ({@link io.github.tangent4j.symmetry.PathNorm}), the rescaling and
 * permutation symmetries and their generators ({@link io.github.tangent4j.symmetry.Rescaling}), balancing
 * ({@link io.github.tangent4j.symmetry.Balancing}), canonical forms
 * ({@link io.github.tangent4j.symmetry.CanonicalForm}), lossless compression
 * ({@link io.github.tangent4j.symmetry.Compression}), and the R-norm of Parhi and Nowak
 * ({@link io.github.tangent4j.symmetry.RadonNorm}, {@link io.github.tangent4j.symmetry.LayerPenalty}).
 * docs/symmetries.md gives the definitions and says what is exact and what holds on data only. Depends on
 * {@code nn}, {@code patterns}, {@code jacobian}, {@code linalg} and {@code backend}.
 */
package io.github.tangent4j.symmetry;
