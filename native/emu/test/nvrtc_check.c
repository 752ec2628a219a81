/*
 * Optional check, run by build.sh when T4J_REAL_NVRTC names a real libnvrtc.so (12 or 13; NVRTC
 * needs no GPU): compiles native/kernels/tangent4j_kernels.cu as the CUDA backend does, for
 * compute_75 and sm_90, and checks that the PTX has an entry for every kernel of
 * tangent4j_kernels.h and that the log is empty (no warnings).
 * Usage: nvrtc_check LIBNVRTC SOURCE KERNEL_NAME...
 */
#include "nvrtc_subset.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BIND(name)                                                        \
    name##_t p_##name = (name##_t)dlsym(lib, #name);                      \
    if (p_##name == NULL) {                                               \
        fprintf(stderr, "nvrtc_check: %s has no %s\n", argv[1], #name);  \
        return 1;                                                         \
    }

typedef nvrtcResult (*nvrtcCreateProgram_t)(nvrtcProgram *, const char *, const char *, int, const char *const *,
                                            const char *const *);
typedef nvrtcResult (*nvrtcCompileProgram_t)(nvrtcProgram, int, const char *const *);
typedef nvrtcResult (*nvrtcGetPTXSize_t)(nvrtcProgram, size_t *);
typedef nvrtcResult (*nvrtcGetPTX_t)(nvrtcProgram, char *);
typedef nvrtcResult (*nvrtcGetProgramLogSize_t)(nvrtcProgram, size_t *);
typedef nvrtcResult (*nvrtcGetProgramLog_t)(nvrtcProgram, char *);
typedef nvrtcResult (*nvrtcDestroyProgram_t)(nvrtcProgram *);
typedef nvrtcResult (*nvrtcVersion_t)(int *, int *);

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: nvrtc_check LIBNVRTC SOURCE KERNEL_NAME...\n");
        return 2;
    }
    void *lib = dlopen(argv[1], RTLD_NOW);
    if (lib == NULL) {
        fprintf(stderr, "nvrtc_check: %s\n", dlerror());
        return 1;
    }
    BIND(nvrtcCreateProgram);
    BIND(nvrtcCompileProgram);
    BIND(nvrtcGetPTXSize);
    BIND(nvrtcGetPTX);
    BIND(nvrtcGetProgramLogSize);
    BIND(nvrtcGetProgramLog);
    BIND(nvrtcDestroyProgram);
    BIND(nvrtcVersion);
    FILE *f = fopen(argv[2], "rb");
    if (f == NULL) {
        perror(argv[2]);
        return 1;
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *source = calloc(1, (size_t)n + 1);
    if (fread(source, 1, (size_t)n, f) != (size_t)n) {
        perror(argv[2]);
        return 1;
    }
    fclose(f);
    int major = 0, minor = 0, failed = 0;
    p_nvrtcVersion(&major, &minor);
    const char *archs[] = {"--gpu-architecture=compute_75", "--gpu-architecture=sm_90"};
    for (int a = 0; a < 2; a++) {
        nvrtcProgram prog = NULL;
        p_nvrtcCreateProgram(&prog, source, "tangent4j_kernels.cu", 0, NULL, NULL);
        nvrtcResult result = p_nvrtcCompileProgram(prog, 1, &archs[a]);
        size_t size = 0;
        p_nvrtcGetProgramLogSize(prog, &size);
        char *log = calloc(1, size + 1);
        p_nvrtcGetProgramLog(prog, log);
        if (result != NVRTC_SUCCESS || size > 1) {
            printf("NVRTC %d.%d %s: result %d, log:\n%s\n", major, minor, archs[a], (int)result, log);
            failed = 1;
        } else {
            p_nvrtcGetPTXSize(prog, &size);
            char *ptx = calloc(1, size + 1);
            p_nvrtcGetPTX(prog, ptx);
            for (int k = 3; k < argc; k++) {
                char entry[256];
                snprintf(entry, sizeof entry, ".entry %s(", argv[k]);
                if (strstr(ptx, entry) == NULL) {
                    printf("NVRTC %d.%d %s: no %s in the PTX\n", major, minor, archs[a], entry);
                    failed = 1;
                }
            }
            free(ptx);
        }
        free(log);
        p_nvrtcDestroyProgram(&prog);
    }
    if (!failed) {
        printf("NVRTC %d.%d compiles the kernels (%d entries, no warnings)\n", major, minor, argc - 3);
    }
    return failed;
}
