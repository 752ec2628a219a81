/**
 * The compute primitives every computation is written against
 * ({@link io.github.tangent4j.backend.Backend}: device matrices, transfers, GEMM, elementwise
 * operations) and the choice of backend ({@link io.github.tangent4j.backend.Backends}). Validation
 * shared by all backends lives in {@link io.github.tangent4j.backend.internal.AbstractBackend}. Depends on
 * {@code tensor}; knows nothing about networks.
 */
package io.github.tangent4j.backend;
