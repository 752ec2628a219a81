/*
 * Makes a tangent4j .cu kernel file valid C for gcc, so the CPU emulation runs the very same
 * kernel bodies the GPU runs (include this header first: gcc -include t4j_cuda_compat.h -x c).
 *
 * - T4J_KERNEL (extern "C" __global__ void under CUDA) becomes a plain C function returning void;
 * - __global__, __device__, __forceinline__ vanish;
 * - threadIdx, blockIdx, blockDim, gridDim are thread-local variables that the emulated
 *   cuLaunchKernel sets before it calls the kernel function once per (block, thread);
 * - the device math functions come from libm (math.h).
 */
#ifndef T4J_CUDA_COMPAT_H
#define T4J_CUDA_COMPAT_H

#include <math.h>

#define T4J_KERNEL void
#define __global__
#define __device__
#define __forceinline__ inline

/** CUDA's uint3 / dim3. */
typedef struct t4j_dim3 {
    unsigned int x, y, z;
} t4j_dim3;

extern __thread t4j_dim3 threadIdx;
extern __thread t4j_dim3 blockIdx;
extern __thread t4j_dim3 blockDim;
extern __thread t4j_dim3 gridDim;

#endif /* T4J_CUDA_COMPAT_H */
