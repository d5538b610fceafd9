/*
 * Shared by the unit tests: cmocka's includes and a fresh, migrated
 * database in a temporary file for tests that need storage.
 */
#ifndef KEFU_TESTS_TESTUTIL_H
#define KEFU_TESTS_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "store/store.h"

static char test_db_path[64];

static inline struct store *test_store_open(void)
{
	struct store_opts o = {test_db_path, 2000, 0};
	struct store *s = NULL;
	int fd;

	snprintf(test_db_path, sizeof(test_db_path), "/tmp/kefu-unit-XXXXXX");
	fd = mkstemp(test_db_path);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(store_open(&s, &o), 0);
	assert_int_equal(store_migrate(s, NULL, NULL), 0);
	return s;
}

/* Removes a database file with its WAL and shared-memory files. */
static inline void test_db_unlink(const char *db)
{
	char path[96];

	unlink(db);
	snprintf(path, sizeof(path), "%s-wal", db);
	unlink(path);
	snprintf(path, sizeof(path), "%s-shm", db);
	unlink(path);
}

static inline void test_store_close(struct store *s)
{
	store_close(s);
	test_db_unlink(test_db_path);
}

#endif
