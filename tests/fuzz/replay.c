/*
 * The replay driver: each fuzz target without libFuzzer, as a unit test of
 * `make test` (docs/fuzzing.md). BUILD/tests/fuzz/test_fuzz_NAME feeds every
 * file of tests/fuzz/corpus/NAME/ (the seeds and the reproducers of fixed
 * findings) to LLVMFuzzerTestOneInput once, each in a buffer of exactly its
 * size so AddressSanitizer sees a read past the end, and prints one TAP
 * line. A crash stops the program, which tests/run.py counts as a failure.
 *
 * The corpus is found from the working directory (the repository, as make
 * test runs it), else from the program's own path (BUILD/tests/fuzz/ is
 * three levels below the repository); a directory given as argument wins.
 */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz/fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static int read_file(const char *path, uint8_t **data, size_t *size)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	uint8_t *p;

	if (!f)
		return -1;
	if (fstat(fileno(f), &st) != 0 || st.st_size < 0) {
		fclose(f);
		return -1;
	}
	/* malloc(0) may return NULL; a one-byte block keeps "empty" apart from "no memory". */
	p = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!p || fread(p, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
		free(p);
		fclose(f);
		return -1;
	}
	fclose(f);
	*data = p;
	*size = (size_t)st.st_size;
	return 0;
}

/* The corpus directory of the target: tests/fuzz/corpus/NAME. */
static int corpus_dir(const char *name, char *out, size_t size)
{
	char exe[PATH_MAX];
	ssize_t n;
	struct stat st;

	snprintf(out, size, "tests/fuzz/corpus/%s", name);
	if (stat(out, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return -1;
	exe[n] = '\0';
	for (int up = 0; up < 4; up++) {
		char *slash = strrchr(exe, '/');

		if (!slash)
			return -1;
		*slash = '\0';
	}
	if ((size_t)snprintf(out, size, "%s/tests/fuzz/corpus/%s", exe, name) >= size)
		return -1;
	return stat(out, &st) == 0 && S_ISDIR(st.st_mode) ? 0 : -1;
}

static int skip_dots(const struct dirent *e)
{
	return e->d_name[0] != '.';
}

int main(int argc, char **argv)
{
	const char *base = strrchr(argv[0], '/');
	const char *name;
	char dir[PATH_MAX + 64];
	struct dirent **list;
	int n, fed = 0;

	base = base ? base + 1 : argv[0];
	name = strncmp(base, "test_fuzz_", 10) == 0 ? base + 10 : base;
	if (argc > 1)
		snprintf(dir, sizeof(dir), "%s", argv[1]);
	else if (corpus_dir(name, dir, sizeof(dir)) != 0) {
		printf("1..1\nnot ok 1 - fuzz_%s: no corpus directory tests/fuzz/corpus/%s\n", name,
		       name);
		return 1;
	}
	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	n = scandir(dir, &list, skip_dots, alphasort);
	if (n < 0) {
		printf("1..1\nnot ok 1 - fuzz_%s: cannot read %s\n", name, dir);
		return 1;
	}
	for (int i = 0; i < n; i++) {
		char path[sizeof(dir) + 256 + 2];
		uint8_t *data;
		size_t size;
		struct stat st;

		snprintf(path, sizeof(path), "%s/%s", dir, list[i]->d_name);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
		    read_file(path, &data, &size) == 0) {
			LLVMFuzzerTestOneInput(data, size);
			free(data);
			fed++;
		}
		free(list[i]);
	}
	free(list);
	printf("1..1\n%s 1 - fuzz_%s: %d inputs replayed from %s\n", fed ? "ok" : "not ok", name,
	       fed, dir);
	return fed ? 0 : 1;
}
