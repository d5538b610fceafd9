/* Unit tests of src/store: migrations, transactions, errors, checks, row helpers, the pool. */
#include <pthread.h>

#include "testutil.h"

#include "core/err.h"

static void migrate_is_idempotent(void **state)
{
	struct store *s = test_store_open();
	int from = -1, to = -1;

	(void)state;
	assert_int_equal(store_schema_version(s), store_schema_latest());
	assert_int_equal(store_migrate(s, &from, &to), 0);
	assert_int_equal(from, store_schema_latest());
	assert_int_equal(to, store_schema_latest());
	test_store_close(s);
}

static int64_t count_departments(struct store *s)
{
	struct store_stmt *st = store_prepare(s, "SELECT count(*) FROM department");
	int64_t n;

	assert_non_null(st);
	assert_int_equal(store_step(st), 1);
	n = store_col_int(st, 0);
	store_done(st);
	return n;
}

static int insert_department(struct store *s, const char *name)
{
	struct store_stmt *st = store_prepare(s, "INSERT INTO department(name, kind, created_at,"
						 " updated_at) VALUES (?, 'other', 0, 0)");
	int rc;

	store_bind_text(st, 1, name);
	rc = store_step(st);
	store_done(st);
	return rc;
}

/* Nothing half-written: a rolled-back transaction leaves no trace. */
static void rollback_leaves_nothing(void **state)
{
	struct store *s = test_store_open();

	(void)state;
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(insert_department(s, "甲"), 0);
	assert_int_equal(insert_department(s, "乙"), 0);
	store_rollback(s);
	assert_int_equal(count_departments(s), 0);
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(insert_department(s, "甲"), 0);
	assert_int_equal(store_commit(s), 0);
	assert_int_equal(count_departments(s), 1);
	test_store_close(s);
}

static void constraint_errors_are_classified(void **state)
{
	struct store *s = test_store_open();
	struct store_stmt *st;

	(void)state;
	assert_int_equal(insert_department(s, "甲"), 0);
	assert_int_equal(insert_department(s, "甲"), ERR_CONFLICT);
	st = store_prepare(s, "INSERT INTO person(work_no, name, department_id, created_at,"
			      " updated_at) VALUES ('x', 'x', 999, 0, 0)");
	assert_int_equal(store_step(st), ERR_UNPROCESSABLE);
	store_done(st);
	test_store_close(s);
}

/* SEC-2: the audit log cannot be edited or deleted, even with SQL. */
static void audit_is_append_only(void **state)
{
	struct store *s = test_store_open();

	(void)state;
	assert_int_equal(store_exec(s, "INSERT INTO audit(at, actor, action, outcome)"
				       " VALUES (1, 'cli', 'x', 'ok')"),
			 0);
	assert_true(store_exec(s, "UPDATE audit SET outcome = 'denied'") < 0);
	assert_true(store_exec(s, "DELETE FROM audit") < 0);
	test_store_close(s);
}

static void statements_are_cached_per_literal(void **state)
{
	struct store *s = test_store_open();
	static const char sql[] = "SELECT ?";
	struct store_stmt *a, *b;

	(void)state;
	a = store_prepare(s, sql);
	store_bind_text(a, 1, "客服");
	assert_int_equal(store_step(a), 1);
	assert_string_equal(store_col_text(a, 0), "客服");
	store_done(a);
	b = store_prepare(s, sql);
	assert_ptr_equal(a, b);
	/* store_done cleared the binding. */
	assert_int_equal(store_step(b), 1);
	assert_true(store_col_null(b, 0));
	store_done(b);
	assert_null(store_prepare(s, "SELEKT nonsense"));
	test_store_close(s);
}

struct pair {
	int64_t n;
	char text[8];
};

static int pair_read(struct store_stmt *st, void *dst)
{
	struct pair *p = dst;

	p->n = store_col_int_or(st, 0, -1);
	STORE_COL_COPY(st, 1, p->text);
	return 0;
}

static void row_helpers_bind_read_and_walk(void **state)
{
	struct store *s = test_store_open();
	struct store_sql q = STORE_SQL_INIT;
	struct store_stmt *st;
	struct pair p, all[4];
	int rc = 0, n = 0;

	(void)state;
	/* Each letter binds its own way: 'd' and 'n' give NULL for 0 and for -1, 'T' for "". */
	assert_int_equal(store_one(store_query(s, "SELECT ?, ? || ''", "it", (int64_t)7, "客服热线"),
				   pair_read, &p),
			 0);
	assert_int_equal(p.n, 7);
	assert_string_equal(p.text, "客服"); /* 7 bytes fit: cut at a whole character */
	assert_int_equal(store_run(s, "SELECT ? IS NULL AND ? IS NULL AND ? IS NULL", &p.n, "dnT",
				   (int64_t)0, (int64_t)-1, ""),
			 1);
	assert_int_equal(p.n, 1);
	assert_int_equal(store_one(store_query(s, "SELECT NULL, NULL", ""), pair_read, &p), 0);
	assert_int_equal(p.n, -1);
	assert_string_equal(p.text, "");
	assert_int_equal(store_one(store_query(s, "SELECT 1, 'x' WHERE 0", ""), pair_read, &p),
			 ERR_NOTFOUND);
	/* A statement that cannot be prepared reads as ERR_IO, with no check by the caller. */
	assert_int_equal(store_one(store_query(s, "SELEKT", ""), pair_read, &p), ERR_IO);
	/* A walk fills the caller's rows; built SQL binds each piece's values in order. */
	store_sql_add(&q, "WITH t(n, x) AS (VALUES (1, 'a'), (2, 'b'), (3, 'c'))"
			  " SELECT n, x FROM t WHERE n >= ?", "i", (int64_t)2);
	store_sql_add(&q, " AND x <> ?", "t", "zz");
	store_sql_add(&q, " ORDER BY n LIMIT ?", "i", (int64_t)4);
	st = store_sql_prepare(s, &q);
	while (n < 4 && (rc = store_next(st, pair_read, &all[n])) == 1)
		n++;
	assert_int_equal(store_end(st, rc, n), 2);
	assert_int_equal(all[0].n, 2);
	assert_string_equal(all[1].text, "c");
	test_store_close(s);
}

static void check_reports_ok_database(void **state)
{
	struct store *s = test_store_open();
	struct buf report = BUF_INIT;

	(void)state;
	assert_int_equal(store_check(s, &report), 0);
	assert_int_equal(report.len, 0);
	/* A foreign key broken behind the store's back is found. */
	assert_int_equal(store_exec(s, "PRAGMA foreign_keys=OFF;"
				       "INSERT INTO person(work_no, name, department_id, created_at,"
				       " updated_at) VALUES ('x', 'x', 999, 0, 0);"
				       "PRAGMA foreign_keys=ON;"),
			 0);
	assert_int_equal(store_check(s, &report), 1);
	assert_non_null(strstr(buf_str(&report), "foreign key"));
	buf_release(&report);
	test_store_close(s);
}

static void pool_lends_distinct_connections(void **state)
{
	struct store *s = test_store_open();
	struct store_opts o = {test_db_path, 1000, 0};
	struct store_pool *p;
	struct store *a, *b;

	(void)state;
	assert_int_equal(store_pool_open(&p, &o, 2), 0);
	a = store_pool_get(p);
	b = store_pool_get(p);
	assert_ptr_not_equal(a, b);
	/* A connection returned mid-transaction is rolled back. */
	assert_int_equal(store_begin(a), 0);
	assert_int_equal(insert_department(a, "丙"), 0);
	store_pool_put(p, a);
	assert_int_equal(count_departments(b), 0);
	store_pool_put(p, b);
	store_pool_close(p);
	test_store_close(s);
}

struct writer {
	int n, failed;
};

static void *write_many(void *arg)
{
	struct writer *w = arg;
	struct store_opts o = {test_db_path, 5000, STORE_FULL};
	struct store *s = NULL;
	char name[32];

	if (store_open(&s, &o) < 0) {
		w->failed = w->n;
		return NULL;
	}
	for (int i = 0; i < w->n; i++) {
		snprintf(name, sizeof(name), "d%p-%d", (void *)w, i);
		if (store_begin(s) < 0 || insert_department(s, name) < 0 || store_commit(s) < 0)
			w->failed++;
	}
	store_close(s);
	return NULL;
}

/* STORE_FULL: every commit is on disk before it returns; concurrent ones share syncs. */
static void full_durability_groups_syncs(void **state)
{
	struct store *s = test_store_open();
	struct writer w[4] = {{25, 0}, {25, 0}, {25, 0}, {25, 0}};
	pthread_t t[4];
	uint64_t before = store_sync_count(), made;

	(void)state;
	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, write_many, &w[i]);
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(w[i].failed, 0);
	}
	made = store_sync_count() - before;
	assert_int_equal(count_departments(s), 100);
	assert_true(made >= 1 && made <= 100);
	assert_int_equal(store_durability_parse("full"), STORE_FULL);
	assert_int_equal(store_durability_parse("always"), -1);
	test_store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(migrate_is_idempotent),
		cmocka_unit_test(rollback_leaves_nothing),
		cmocka_unit_test(constraint_errors_are_classified),
		cmocka_unit_test(audit_is_append_only),
		cmocka_unit_test(statements_are_cached_per_literal),
		cmocka_unit_test(row_helpers_bind_read_and_walk),
		cmocka_unit_test(check_reports_ok_database),
		cmocka_unit_test(pool_lends_distinct_connections),
		cmocka_unit_test(full_durability_groups_syncs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
