/* Estimates the core clock: a chain of dependent integer adds retires one add per cycle, so
 * adds per second = cycles per second. Prints MHz. Used by bench/run for the "% of peak" column. */
#include <stdio.h>
#include <time.h>

int main(void) {
    const long iterations = 400000000L;
    long x = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (long i = 0; i < iterations; i++) {
        __asm__ volatile("add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\t"
                         "add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0" : "+r"(x));
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double seconds = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) * 1e-9;
    printf("%.0f\n", 8.0 * iterations / seconds / 1e6);
    return x == 42;
}
