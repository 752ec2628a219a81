/* Internal to libcuda.so.1: the table of runnable kernels (cuda_launch.c). */
#ifndef T4J_EMU_CUDA_LAUNCH_H
#define T4J_EMU_CUDA_LAUNCH_H

#include "cuda_driver_subset.h"

/** The grid of one launch. */
struct launch_grid {
    unsigned int grid_x, grid_y, grid_z, block_x, block_y, block_z;
};

/** One kernel: its name and a runner that unpacks kernelParams, checks the ranges and runs the grid. */
struct emu_kernel {
    const char *name;
    CUresult (*run)(const struct launch_grid *grid, void **params);
};

extern const struct emu_kernel emu_kernels[];
extern const int emu_kernel_count;

#endif /* T4J_EMU_CUDA_LAUNCH_H */
