/**
 * Dense row-major arrays in off-heap memory ({@link io.github.tangent4j.tensor.Tensor}) and their
 * file formats: NumPy {@code .npy}/{@code .npz} and {@code .safetensors}. Depends on the JDK only.
 */
package io.github.tangent4j.tensor;
