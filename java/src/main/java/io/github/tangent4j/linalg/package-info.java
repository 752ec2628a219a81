/**
 * Dense linear algebra on the host for the kernel families: the eigendecomposition of a symmetric
 * matrix, Cholesky factorisation and solves, and the singular values of a general matrix. All of it is
 * done by EJML (Efficient Java Matrix Library, {@code org.ejml:ejml-ddense}); these classes only adapt
 * row-major {@code double[]} and {@link io.github.tangent4j.tensor.Tensor} data to it and check
 * arguments. Matrices are row-major {@code double[]} of length {@code rows * cols}.
 */
package io.github.tangent4j.linalg;
