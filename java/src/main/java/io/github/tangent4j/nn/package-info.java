/**
 * Fully connected networks: {@link io.github.tangent4j.nn.Mlp} (layers, activation,
 * parameterization), loading PyTorch {@code nn.Sequential} state dicts
 * ({@link io.github.tangent4j.nn.StateDict}), and the batched forward pass on a backend
 * ({@link io.github.tangent4j.nn.DeviceMlp}). Depends on {@code backend} and {@code tensor}.
 */
package io.github.tangent4j.nn;
