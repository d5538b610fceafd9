/*
 * What every fuzz target shares (docs/fuzzing.md). A target is one
 * LLVMFuzzerTestOneInput over one family of kefu's parsers; it is linked
 * with libFuzzer for `make fuzz` and with replay.c, our own driver, as a
 * unit test that feeds it each file of its corpus once.
 */
#ifndef KEFU_TESTS_FUZZ_FUZZ_H
#define KEFU_TESTS_FUZZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* The input as a NUL-terminated string the caller frees (NULL when out of
 * memory). The parsers that take C strings stop at an embedded NUL. */
static inline char *fuzz_str(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s) {
		if (size)
			memcpy(s, data, size);
		s[size] = '\0';
	}
	return s;
}

/*
 * Splits the input at its first n - 1 NUL bytes into n strings (the
 * missing ones empty), for targets whose parser takes several fields.
 * The strings point into one allocation returned (free it).
 */
static inline char *fuzz_fields(const uint8_t *data, size_t size, const char **out, int n)
{
	char *s = fuzz_str(data, size);
	char *p = s, *end = s ? s + size : NULL;

	for (int i = 0; i < n; i++) {
		out[i] = p && p <= end ? p : "";
		if (p && p <= end)
			p += strlen(p) + 1;
	}
	return s;
}

#endif
