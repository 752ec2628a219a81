/* Measures this core's clock and its vector FMA throughput, the two numbers behind the "% of peak"
 * column. The clock: a chain of dependent integer adds retires one add per cycle. The FMA rate: 16
 * independent chains of vfmadd231pd on the widest vectors the CPU has (512-bit with AVX-512F, else
 * 256-bit), enough to cover the FMA latency on every current x86 core, so the loop runs at the FMA
 * pipes' throughput. Zen 4 retires one 512-bit FMA per cycle, Zen 5 and Intel server cores two.
 * Prints: MHz, vector bits, FMAs per cycle. */
#include <stdio.h>
#include <time.h>

static double seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static double mhz(void) {
    const long iterations = 400000000L;
    long x = 0;
    double t0 = seconds();
    for (long i = 0; i < iterations; i++) {
        __asm__ volatile("add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\t"
                         "add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0" : "+r"(x));
    }
    return 8.0 * iterations / (seconds() - t0) / 1e6;
}

#define FMA16(R) \
    "vfmadd231pd %%" R "0, %%" R "0, %%" R "16\n\t vfmadd231pd %%" R "0, %%" R "0, %%" R "17\n\t" \
    "vfmadd231pd %%" R "0, %%" R "0, %%" R "18\n\t vfmadd231pd %%" R "0, %%" R "0, %%" R "19\n\t" \
    "vfmadd231pd %%" R "0, %%" R "0, %%" R "20\n\t vfmadd231pd %%" R "0, %%" R "0, %%" R "21\n\t" \
    "vfmadd231pd %%" R "0, %%" R "0, %%" R "22\n\t vfmadd231pd %%" R "0, %%" R "0, %%" R "23\n\t" \
    "vfmadd231pd %%" R "0, %%" R "0, %%" R "24\n\t vfmadd231pd %%" R "0, %%" R "0, %%" R "25\n\t" \
    "vfmadd231pd %%" R "0, %%" R "0, %%" R "26\n\t vfmadd231pd %%" R "0, %%" R "0, %%" R "27\n\t" \
    "vfmadd231pd %%" R "0, %%" R "0, %%" R "28\n\t vfmadd231pd %%" R "0, %%" R "0, %%" R "29\n\t" \
    "vfmadd231pd %%" R "0, %%" R "0, %%" R "30\n\t vfmadd231pd %%" R "0, %%" R "0, %%" R "31\n\t"

static const long FMA_ITERATIONS = 100000000L;

/* 512-bit FMAs per second; the registers start at zero. */
__attribute__((target("avx512f"))) static double fmas_per_second_512(void) {
    double t0 = seconds();
    __asm__ volatile("vpxord %%zmm0, %%zmm0, %%zmm0" ::: "xmm0");
    for (long i = 0; i < FMA_ITERATIONS; i++) {
        __asm__ volatile(FMA16("zmm") ::: "xmm16", "xmm17", "xmm18", "xmm19", "xmm20", "xmm21", "xmm22",
                         "xmm23", "xmm24", "xmm25", "xmm26", "xmm27", "xmm28", "xmm29", "xmm30", "xmm31");
    }
    return 16.0 * FMA_ITERATIONS / (seconds() - t0);
}

/* 256-bit FMAs per second, for CPUs without AVX-512 (ymm16-31 need it: 15 chains on ymm1-15). */
static double fmas_per_second_256(void) {
    double t0 = seconds();
    __asm__ volatile("vpxor %%ymm0, %%ymm0, %%ymm0" ::: "xmm0");
    for (long i = 0; i < FMA_ITERATIONS; i++) {
        __asm__ volatile(
            "vfmadd231pd %%ymm0, %%ymm0, %%ymm1\n\t vfmadd231pd %%ymm0, %%ymm0, %%ymm2\n\t"
            "vfmadd231pd %%ymm0, %%ymm0, %%ymm3\n\t vfmadd231pd %%ymm0, %%ymm0, %%ymm4\n\t"
            "vfmadd231pd %%ymm0, %%ymm0, %%ymm5\n\t vfmadd231pd %%ymm0, %%ymm0, %%ymm6\n\t"
            "vfmadd231pd %%ymm0, %%ymm0, %%ymm7\n\t vfmadd231pd %%ymm0, %%ymm0, %%ymm8\n\t"
            "vfmadd231pd %%ymm0, %%ymm0, %%ymm9\n\t vfmadd231pd %%ymm0, %%ymm0, %%ymm10\n\t"
            "vfmadd231pd %%ymm0, %%ymm0, %%ymm11\n\t vfmadd231pd %%ymm0, %%ymm0, %%ymm12\n\t"
            "vfmadd231pd %%ymm0, %%ymm0, %%ymm13\n\t vfmadd231pd %%ymm0, %%ymm0, %%ymm14\n\t"
            "vfmadd231pd %%ymm0, %%ymm0, %%ymm15\n\t"
            ::: "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11",
            "xmm12", "xmm13", "xmm14", "xmm15");
    }
    return 15.0 * FMA_ITERATIONS / (seconds() - t0);
}

int main(void) {
    __builtin_cpu_init();
    int wide = __builtin_cpu_supports("avx512f");
    double clock = mhz();
    double rate = wide ? fmas_per_second_512() : fmas_per_second_256();
    printf("%.0f %d %.2f\n", clock, wide ? 512 : 256, rate / (clock * 1e6));
    return 0;
}
