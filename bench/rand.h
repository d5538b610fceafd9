/*
 * The benchmarks' generator: xorshift64* from a fixed seed, so every machine
 * builds the same data and the figures compare. Included by one benchmark
 * program each (every bench C file is a program of its own), hence static.
 */
#ifndef KEFU_BENCH_RAND_H
#define KEFU_BENCH_RAND_H

#include <stdint.h>

static uint64_t bench_seed = 0x9E3779B97F4A7C15ULL;

/* A number in [0, n). */
static inline uint32_t rnd(uint32_t n)
{
	bench_seed ^= bench_seed >> 12;
	bench_seed ^= bench_seed << 25;
	bench_seed ^= bench_seed >> 27;
	return (uint32_t)((bench_seed * 2685821657736338717ULL) >> 33) % n;
}

#endif
