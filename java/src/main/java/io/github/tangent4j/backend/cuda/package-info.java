/**
 * The CUDA backend: FFM bindings of the CUDA runtime, driver API, NVRTC, cuBLAS and (optional) cuBLASLt
 * (one class per library, mirroring {@code include/}), library discovery, {@link
 * io.github.tangent4j.backend.cuda.CudaBackend}, and the dense layers it fuses through cuBLASLt's
 * epilogues ({@code CublasLtLinear}). Libraries are searched first in the directory named
 * by {@code -Dtangent4j.cuda.libs} or {@code TANGENT4J_CUDA_LIBS}, then by soname (.so.13, then
 * .so.12), then in the standard install directories. Nothing here is loaded unless the CUDA backend
 * is asked for (the provider class is tiny and refers to the rest only when creating a backend).
 */
package io.github.tangent4j.backend.cuda;
