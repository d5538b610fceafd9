/*
 * The benchmarks' generator: xorshift64* from a fixed seed, so every machine
 * builds the same data and the figures compare; and the clock and the
 * order they time with. Included by one benchmark
 * program each (every bench C file is a program of its own), hence static.
 */
#ifndef KEFU_BENCH_RAND_H
#define KEFU_BENCH_RAND_H

#include <stdint.h>
#include <time.h>

static uint64_t bench_seed = 0x9E3779B97F4A7C15ULL;

/* A number in [0, n). */
static inline uint32_t rnd(uint32_t n)
{
	bench_seed ^= bench_seed >> 12;
	bench_seed ^= bench_seed << 25;
	bench_seed ^= bench_seed >> 27;
	return (uint32_t)((bench_seed * 2685821657736338717ULL) >> 33) % n;
}

/* The monotonic clock in ms, for timing. */
static inline double bench_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* qsort's order of doubles, for medians. */
static inline int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

#endif
