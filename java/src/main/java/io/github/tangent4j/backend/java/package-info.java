/**
 * The pure-Java backend: off-heap host matrices, a blocked multi-threaded GEMM and elementwise
 * kernels. Always available; the fallback when no GPU is usable.
 */
package io.github.tangent4j.backend.java;
