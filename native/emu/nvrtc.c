/*
 * libnvrtc.so.13 stand-in: the functions of include/nvrtc_subset.h. It checks the options as NVRTC
 * 13.0 would (known options only, its list of architectures), finds which of the emulation's kernels
 * (kernel_table.h) the source defines, and "compiles" to a PTX-shaped text naming them, which the
 * emulated cuModuleLoadData reads. It does not parse C: a syntax error passes here (the build's
 * nvcc check is what catches those).
 */
#include "nvrtc_subset.h"
#include "emu_state.h"
#include "kernel_table.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct _nvrtcProgram {
    char *source;
    char *ptx;    /* NULL until compiled */
    char *cubin;  /* NULL unless compiled for a real architecture (sm_XY) */
    char *log;    /* never NULL */
};

#define NAME_STRING(NAME, SHAPE, T) #NAME,
static const char *const kernel_names[] = {T4J_EMU_KERNELS(NAME_STRING)};
#define KERNEL_COUNT ((int)(sizeof kernel_names / sizeof kernel_names[0]))

/* The architectures NVRTC 13.0 compiles for (checked against the real one); the first is the default. */
static const int supported_archs[] = {75, 80, 86, 87, 88, 89, 90, 100, 103, 110, 120, 121};

static int supported(int arch)
{
    for (size_t i = 0; i < sizeof supported_archs / sizeof supported_archs[0]; i++) {
        if (supported_archs[i] == arch) {
            return 1;
        }
    }
    return 0;
}

static int live(nvrtcProgram prog)
{
    return prog != NULL && emu_handle_live(prog, EMU_PROGRAM);
}

static char *copy_string(const char *s)
{
    size_t n = strlen(s) + 1;
    char *c = malloc(n);
    if (c != NULL) {
        memcpy(c, s, n);
    }
    return c;
}

/* Replaces the program's log; 0, or 1 when out of memory. */
static int set_log(nvrtcProgram prog, const char *text)
{
    char *log = copy_string(text);
    if (log == NULL) {
        return 1;
    }
    free(prog->log);
    prog->log = log;
    return 0;
}

nvrtcResult nvrtcCreateProgram(nvrtcProgram *prog, const char *src, const char *name, int numHeaders,
                               const char *const *headers, const char *const *includeNames)
{
    (void)name;
    if (prog == NULL || src == NULL || numHeaders < 0
        || (numHeaders > 0 && (headers == NULL || includeNames == NULL))) {
        return NVRTC_ERROR_INVALID_INPUT;
    }
    nvrtcProgram p = calloc(1, sizeof *p);
    if (p == NULL || (p->source = copy_string(src)) == NULL || (p->log = copy_string("")) == NULL) {
        if (p != NULL) {
            free(p->source);
            free(p);
        }
        return NVRTC_ERROR_OUT_OF_MEMORY;
    }
    emu_handle_add(p, EMU_PROGRAM);
    *prog = p;
    return NVRTC_SUCCESS;
}

nvrtcResult nvrtcDestroyProgram(nvrtcProgram *prog)
{
    if (prog == NULL || *prog == NULL || emu_handle_remove(*prog, EMU_PROGRAM) != 0) {
        return NVRTC_ERROR_INVALID_PROGRAM;
    }
    nvrtcProgram p = *prog;
    free(p->source);
    free(p->ptx);
    free(p->cubin);
    free(p->log);
    free(p);
    *prog = NULL;
    return NVRTC_SUCCESS;
}

static int starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/*
 * Reads "compute_XY" or "sm_XY" (optionally followed by a or f): the number XY, or -1.
 * *real is set for sm_.
 */
static int parse_arch(const char *arch, int *real)
{
    const char *digits;
    if (starts_with(arch, "compute_")) {
        digits = arch + strlen("compute_");
        *real = 0;
    } else if (starts_with(arch, "sm_")) {
        digits = arch + strlen("sm_");
        *real = 1;
    } else {
        return -1;
    }
    char *end;
    long value = strtol(digits, &end, 10);
    if (end == digits || (*end != '\0' && strcmp(end, "a") != 0 && strcmp(end, "f") != 0)) {
        return -1;
    }
    return (int)value;
}

static int is_name_char(char c)
{
    return c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Whether name occurs in source as a whole identifier. */
static int defines(const char *source, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = strstr(source, name); p != NULL; p = strstr(p + 1, name)) {
        if ((p == source || !is_name_char(p[-1])) && !is_name_char(p[n])) {
            return 1;
        }
    }
    return 0;
}

static nvrtcResult fail_with_log(nvrtcProgram prog, nvrtcResult result, const char *fmt, const char *arg)
{
    char text[512];
    snprintf(text, sizeof text, fmt, arg);
    return set_log(prog, text) == 0 ? result : NVRTC_ERROR_OUT_OF_MEMORY;
}

nvrtcResult nvrtcCompileProgram(nvrtcProgram prog, int numOptions, const char *const *options)
{
    if (!live(prog)) {
        return NVRTC_ERROR_INVALID_PROGRAM;
    }
    if (numOptions < 0 || (numOptions > 0 && options == NULL)) {
        return NVRTC_ERROR_INVALID_INPUT;
    }
    free(prog->ptx);
    free(prog->cubin);
    prog->ptx = NULL;
    prog->cubin = NULL;
    int arch = supported_archs[0];
    int real = 0;
    for (int i = 0; i < numOptions; i++) {
        const char *o = options[i];
        if (o == NULL) {
            return NVRTC_ERROR_INVALID_INPUT;
        }
        const char *value = starts_with(o, "--gpu-architecture=") ? o + strlen("--gpu-architecture=")
                            : starts_with(o, "-arch=") ? o + strlen("-arch=")
                            : NULL;
        if (value != NULL) {
            arch = parse_arch(value, &real);
            if (!supported(arch)) {
                return fail_with_log(prog, NVRTC_ERROR_INVALID_OPTION,
                                     "nvrtc: error: invalid value for --gpu-architecture (-arch)%s\n", "");
            }
        } else if (!(starts_with(o, "--std=") || starts_with(o, "-std=") || starts_with(o, "--fmad=")
                     || starts_with(o, "-fmad=") || strcmp(o, "--use_fast_math") == 0
                     || strcmp(o, "-use_fast_math") == 0 || strcmp(o, "-lineinfo") == 0
                     || strcmp(o, "--generate-line-info") == 0 || strcmp(o, "-default-device") == 0
                     || strcmp(o, "--device-as-default-execution-space") == 0
                     || (starts_with(o, "-D") && o[2] != '\0') || starts_with(o, "--define-macro="))) {
            return fail_with_log(prog, NVRTC_ERROR_INVALID_OPTION, "nvrtc: error: unrecognized option %s found\n", o);
        }
    }
    if (emu_take_compile_failure() != 0) {
        return fail_with_log(prog, NVRTC_ERROR_COMPILATION,
                             "%s(1): error: compilation failure injected by t4j_emu_fail_next_compile()\n",
                             "default_program");
    }
    size_t size = 256;
    for (int k = 0; k < KERNEL_COUNT; k++) {
        size += strlen(kernel_names[k]) + 32;
    }
    char *ptx = malloc(size);
    if (ptx == NULL) {
        return NVRTC_ERROR_OUT_OF_MEMORY;
    }
    int length = snprintf(ptx, size,
                          "//\n// Written by the tangent4j CUDA emulation (native/emu): names the kernels, "
                          "holds no code\n//\n\n.version 9.0\n.target sm_%d\n.address_size 64\n", arch);
    int found = 0;
    for (int k = 0; k < KERNEL_COUNT; k++) {
        if (defines(prog->source, kernel_names[k])) {
            length += snprintf(ptx + length, size - (size_t)length, "\n.visible .entry %s()\n{\n}\n",
                               kernel_names[k]);
            found++;
        }
    }
    if (found == 0) {
        free(ptx);
        return fail_with_log(prog, NVRTC_ERROR_COMPILATION,
                             "%s: error: the source defines none of the kernels the emulation can run\n",
                             "default_program");
    }
    prog->ptx = ptx;
    if (real && (prog->cubin = copy_string(ptx)) == NULL) {
        return NVRTC_ERROR_OUT_OF_MEMORY;
    }
    return set_log(prog, "") == 0 ? NVRTC_SUCCESS : NVRTC_ERROR_OUT_OF_MEMORY;
}

nvrtcResult nvrtcGetPTXSize(nvrtcProgram prog, size_t *ptxSizeRet)
{
    if (!live(prog) || prog->ptx == NULL) {
        return NVRTC_ERROR_INVALID_PROGRAM;
    }
    if (ptxSizeRet == NULL) {
        return NVRTC_ERROR_INVALID_INPUT;
    }
    *ptxSizeRet = strlen(prog->ptx) + 1;
    return NVRTC_SUCCESS;
}

nvrtcResult nvrtcGetPTX(nvrtcProgram prog, char *ptx)
{
    if (!live(prog) || prog->ptx == NULL) {
        return NVRTC_ERROR_INVALID_PROGRAM;
    }
    if (ptx == NULL) {
        return NVRTC_ERROR_INVALID_INPUT;
    }
    memcpy(ptx, prog->ptx, strlen(prog->ptx) + 1);
    return NVRTC_SUCCESS;
}

nvrtcResult nvrtcGetCUBINSize(nvrtcProgram prog, size_t *cubinSizeRet)
{
    if (!live(prog) || prog->ptx == NULL) {
        return NVRTC_ERROR_INVALID_PROGRAM;
    }
    if (cubinSizeRet == NULL) {
        return NVRTC_ERROR_INVALID_INPUT;
    }
    *cubinSizeRet = prog->cubin == NULL ? 0 : strlen(prog->cubin) + 1;
    return NVRTC_SUCCESS;
}

nvrtcResult nvrtcGetCUBIN(nvrtcProgram prog, char *cubin)
{
    if (!live(prog) || prog->ptx == NULL) {
        return NVRTC_ERROR_INVALID_PROGRAM;
    }
    if (cubin == NULL) {
        return NVRTC_ERROR_INVALID_INPUT;
    }
    if (prog->cubin != NULL) {
        memcpy(cubin, prog->cubin, strlen(prog->cubin) + 1);
    }
    return NVRTC_SUCCESS;
}

nvrtcResult nvrtcGetProgramLogSize(nvrtcProgram prog, size_t *logSizeRet)
{
    if (!live(prog)) {
        return NVRTC_ERROR_INVALID_PROGRAM;
    }
    if (logSizeRet == NULL) {
        return NVRTC_ERROR_INVALID_INPUT;
    }
    *logSizeRet = strlen(prog->log) + 1;
    return NVRTC_SUCCESS;
}

nvrtcResult nvrtcGetProgramLog(nvrtcProgram prog, char *log)
{
    if (!live(prog)) {
        return NVRTC_ERROR_INVALID_PROGRAM;
    }
    if (log == NULL) {
        return NVRTC_ERROR_INVALID_INPUT;
    }
    memcpy(log, prog->log, strlen(prog->log) + 1);
    return NVRTC_SUCCESS;
}

nvrtcResult nvrtcVersion(int *major, int *minor)
{
    if (major == NULL || minor == NULL) {
        return NVRTC_ERROR_INVALID_INPUT;
    }
    *major = 13;
    *minor = 0;
    return NVRTC_SUCCESS;
}

const char *nvrtcGetErrorString(nvrtcResult result)
{
    switch (result) {
    case NVRTC_SUCCESS: return "NVRTC_SUCCESS";
    case NVRTC_ERROR_OUT_OF_MEMORY: return "NVRTC_ERROR_OUT_OF_MEMORY";
    case NVRTC_ERROR_PROGRAM_CREATION_FAILURE: return "NVRTC_ERROR_PROGRAM_CREATION_FAILURE";
    case NVRTC_ERROR_INVALID_INPUT: return "NVRTC_ERROR_INVALID_INPUT";
    case NVRTC_ERROR_INVALID_PROGRAM: return "NVRTC_ERROR_INVALID_PROGRAM";
    case NVRTC_ERROR_INVALID_OPTION: return "NVRTC_ERROR_INVALID_OPTION";
    case NVRTC_ERROR_COMPILATION: return "NVRTC_ERROR_COMPILATION";
    case NVRTC_ERROR_BUILTIN_OPERATION_FAILURE: return "NVRTC_ERROR_BUILTIN_OPERATION_FAILURE";
    case NVRTC_ERROR_NO_NAME_EXPRESSIONS_AFTER_COMPILATION: return "NVRTC_ERROR_NO_NAME_EXPRESSIONS_AFTER_COMPILATION";
    case NVRTC_ERROR_NO_LOWERED_NAMES_BEFORE_COMPILATION: return "NVRTC_ERROR_NO_LOWERED_NAMES_BEFORE_COMPILATION";
    case NVRTC_ERROR_NAME_EXPRESSION_NOT_VALID: return "NVRTC_ERROR_NAME_EXPRESSION_NOT_VALID";
    case NVRTC_ERROR_INTERNAL_ERROR: return "NVRTC_ERROR_INTERNAL_ERROR";
    default: return "NVRTC_ERROR unknown";
    }
}
