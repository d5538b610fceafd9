/*
 * Unit tests of upgrades (issue 22): every migration has its one-line
 * description; a failed upgrade leaves the database as it was; and a
 * database of every earlier schema version, with rows in every one of its
 * tables, migrates to the newest one with its rows kept and its checks
 * clean ("a fixture per version").
 *
 * The fixtures are generated rather than kept by hand, so a new migration
 * is covered the day it is added: at version N the test reads each table's
 * columns, declared types, NOT NULL, defaults and foreign keys (PRAGMA
 * table_info, foreign_key_list) and the literals its CREATE statement
 * names (the values of its CHECK ... IN lists), and tries rows drawn from
 * those (a parent's existing key for a reference) until SQLite accepts
 * them, in passes so that parents fill before their children. A table no
 * draw could fill fails the test, naming it.
 */
#include "testutil.h"

#include "core/buf.h"
#include "core/err.h"
#include "core/log.h"
#include "store/migrations.h"

#define ROWS_PER_TABLE 2
#define ATTEMPTS 400
#define MAX_TABLES 400
#define MAX_COLS 64
#define MAX_LITS 64

struct col {
	char name[64];
	char type[32];
	int notnull, has_default, int_pk;
	char fk_table[64], fk_col[64]; /* fk_col "" = the parent's rowid */
	int nlits;		       /* literals of this column's own definition */
	char lits[MAX_LITS][48];
};

struct table {
	char name[64];
	char *sql;
	int ncols;
	struct col cols[MAX_COLS];
	int nlits; /* every literal of the CREATE statement */
	char lits[MAX_LITS][48];
	int64_t filled; /* rows the test made */
	int64_t rows;	/* rows now: the migrations' seeds and the test's */
	int64_t before; /* rows at version N, the migrations' seeds too */
};

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static unsigned rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

static char *text_dup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = malloc(n);

	assert_non_null(p);
	memcpy(p, s, n);
	return p;
}

/* The quoted literals between a and b, appended to lits. */
static int scan_literals(const char *a, const char *b, char lits[][48], int n)
{
	for (const char *p = a; p < b && *p; p++) {
		const char *q;

		if (*p != '\'')
			continue;
		q = strchr(p + 1, '\'');
		if (!q || q > b)
			break;
		if (n < MAX_LITS && q - p - 1 < 48) {
			memcpy(lits[n], p + 1, (size_t)(q - p - 1));
			lits[n][q - p - 1] = '\0';
			n++;
		}
		p = q;
	}
	return n;
}

/* Each column's own definition in the CREATE statement: the top-level
 * comma-separated part that starts with its name. */
static void column_literals(struct table *t)
{
	const char *p = strchr(t->sql, '('), *start;
	int depth = 0;

	if (!p)
		return;
	start = ++p;
	for (; *p; p++) {
		if (*p == '\'') {
			const char *q = strchr(p + 1, '\'');

			if (!q)
				break;
			p = q;
		} else if (*p == '(') {
			depth++;
		} else if ((*p == ',' && depth == 0) || (*p == ')' && depth-- == 0)) {
			const char *w = start;

			while (*w == ' ' || *w == '\n' || *w == '"')
				w++;
			for (int i = 0; i < t->ncols; i++) {
				size_t n = strlen(t->cols[i].name);

				if (strncmp(w, t->cols[i].name, n) == 0 &&
				    (w[n] == ' ' || w[n] == '"'))
					t->cols[i].nlits = scan_literals(start, p, t->cols[i].lits, 0);
			}
			start = p + 1;
		}
	}
}

static int load_tables(struct store *s, struct table *tabs)
{
	struct store_stmt *st = store_prepare_dynamic(
		s, "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
		   " AND sql NOT LIKE 'CREATE VIRTUAL%' AND NOT EXISTS (SELECT 1 FROM sqlite_master v"
		   " WHERE v.type = 'table' AND v.sql LIKE 'CREATE VIRTUAL%'"
		   " AND sqlite_master.name LIKE v.name || '\\_%' ESCAPE '\\') ORDER BY name");
	int n = 0;

	assert_non_null(st);
	while (store_step(st) == 1) {
		assert_true(n < MAX_TABLES);
		memset(&tabs[n], 0, sizeof(tabs[n]));
		store_col_copy(st, 0, tabs[n].name, sizeof(tabs[n].name));
		tabs[n].sql = text_dup(store_col_text(st, 1));
		n++;
	}
	store_done(st);
	for (int i = 0; i < n; i++) {
		struct table *t = &tabs[i];
		char sql[160];
		int pks = 0;

		snprintf(sql, sizeof(sql), "SELECT name, type, \"notnull\", dflt_value IS NOT NULL, pk"
					   " FROM pragma_table_info('%.63s')", t->name);
		st = store_prepare_dynamic(s, sql);
		assert_non_null(st);
		while (store_step(st) == 1) {
			struct col *c = &t->cols[t->ncols++];

			assert_true(t->ncols <= MAX_COLS);
			store_col_copy(st, 0, c->name, sizeof(c->name));
			store_col_copy(st, 1, c->type, sizeof(c->type));
			/* A key column gets a value: SQLite lets a TEXT PRIMARY KEY hold NULL,
			 * and a child whose parents drew only NULL keys could take no row. */
			c->notnull = store_col_int(st, 2) || store_col_int(st, 4) > 0;
			c->has_default = (int)store_col_int(st, 3);
			c->int_pk = store_col_int(st, 4) == 1 && strcmp(c->type, "INTEGER") == 0;
			pks += store_col_int(st, 4) > 0;
		}
		store_done(st);
		if (pks != 1)
			for (int k = 0; k < t->ncols; k++)
				t->cols[k].int_pk = 0;
		snprintf(sql, sizeof(sql), "SELECT \"from\", \"table\", \"to\""
					   " FROM pragma_foreign_key_list('%.63s')", t->name);
		st = store_prepare_dynamic(s, sql);
		assert_non_null(st);
		while (store_step(st) == 1)
			for (int k = 0; k < t->ncols; k++)
				if (strcmp(t->cols[k].name, store_col_text(st, 0)) == 0) {
					store_col_copy(st, 1, t->cols[k].fk_table,
						       sizeof(t->cols[k].fk_table));
					store_col_copy(st, 2, t->cols[k].fk_col,
						       sizeof(t->cols[k].fk_col));
				}
		store_done(st);
		t->nlits = scan_literals(t->sql, t->sql + strlen(t->sql), t->lits, 0);
		column_literals(t);
	}
	return n;
}

static int64_t count_rows(struct store *s, const char *table)
{
	char sql[128];
	struct store_stmt *st;
	int64_t n = -1;

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM \"%.63s\"", table);
	st = store_prepare_dynamic(s, sql);
	if (st && store_step(st) == 1)
		n = store_col_int(st, 0);
	store_done(st);
	return n;
}

/*
 * A value for c: NULL (returns 0), text in v (returns 1), or for a
 * reference one of the parent's keys drawn by SQLite in the INSERT itself
 * (returns 2, v holds the subquery; NULL while the parent is empty, which
 * a NOT NULL column refuses until a later pass).
 */
static int draw(const struct table *t, const struct col *c, char *v, size_t size)
{
	static const char *const ints[] = {"0", "1", "2", "3", "7", "60", "100", "480", "1700000000000"};
	static const char *const texts[] = {"2026-01-05", "2026-01", "08:00", "{}", "[]", "x",
					    "13800138000", "a@example.com", "2026-01-05T08:00:00Z"};
	int is_int = strstr(c->type, "INT") != NULL, r;

	if (c->fk_table[0]) {
		if (!c->notnull && rnd(4) == 0)
			return 0;
		snprintf(v, size, "(SELECT \"%.60s\" FROM \"%.60s\" ORDER BY random() LIMIT 1)",
			 c->fk_col[0] ? c->fk_col : "rowid", c->fk_table);
		return 2;
	}
	if (!c->notnull && rnd(5) == 0)
		return 0;
	r = (int)rnd(10);
	if (c->nlits && r < 6) {
		snprintf(v, size, "%s", c->lits[rnd((unsigned)c->nlits)]);
		return 1;
	}
	if (t->nlits && r < 7) {
		snprintf(v, size, "%s", t->lits[rnd((unsigned)t->nlits)]);
		return 1;
	}
	if (is_int || strstr(c->type, "REAL")) {
		snprintf(v, size, "%s", ints[rnd(sizeof(ints) / sizeof(ints[0]))]);
		return 1;
	}
	if (r < 9) {
		snprintf(v, size, "%s", texts[rnd(sizeof(texts) / sizeof(texts[0]))]);
		return 1;
	}
	snprintf(v, size, "v%u", rnd(1000000));
	return 1;
}

/* Whether the table called name has a row yet (a table not found: yes). */
static int has_rows(const struct table *tabs, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (strcmp(tabs[i].name, name) == 0)
			return tabs[i].rows > 0;
	return 1;
}

/* Tries to insert one row into t; 1 when SQLite took it. */
static int try_row(struct store *s, const struct table *tabs, int ntabs, const struct table *t)
{
	struct buf sql = BUF_INIT, vals = BUF_INIT;
	char values[MAX_COLS][200];
	int kind[MAX_COLS], used[MAX_COLS], n = 0, ok = 0;
	struct store_stmt *st;

	buf_printf(&sql, "INSERT INTO \"%s\"", t->name);
	for (int i = 0; i < t->ncols; i++) {
		const struct col *c = &t->cols[i];

		used[i] = 0;
		if (c->notnull && c->fk_table[0] && !has_rows(tabs, ntabs, c->fk_table))
			goto done; /* no parent yet: a later pass */
		if (c->int_pk || (c->has_default && rnd(2) == 0))
			continue;
		kind[i] = draw(t, c, values[i], sizeof(values[i]));
		used[i] = 1;
		buf_printf(&sql, "%s\"%s\"", n ? ", " : "(", c->name);
		buf_printf(&vals, "%s%s", n ? ", " : "", kind[i] == 2 ? values[i] : "?");
		n++;
	}
	if (n == 0)
		buf_printf(&sql, " DEFAULT VALUES");
	else
		buf_printf(&sql, ") VALUES (%s)", buf_str(&vals));
	st = store_prepare_dynamic(s, buf_str(&sql));
	if (!st)
		goto done;
	for (int i = 0, k = 1; i < t->ncols; i++) {
		if (!used[i] || kind[i] == 2)
			continue;
		if (kind[i] == 0)
			store_bind_null(st, k);
		else if (strstr(t->cols[i].type, "INT") && values[i][0] &&
			 strspn(values[i], "-0123456789") == strlen(values[i]))
			store_bind_int(st, k, strtoll(values[i], NULL, 10));
		else
			store_bind_text(st, k, values[i]);
		k++;
	}
	ok = store_step(st) == 0;
	store_done(st);
done:
	buf_release(&sql);
	buf_release(&vals);
	return ok;
}

/* Fills every table at the database's version; returns the table count. */
static int fill(struct store *s, struct table *tabs)
{
	int n = load_tables(s, tabs);

	for (int i = 0; i < n; i++)
		tabs[i].rows = count_rows(s, tabs[i].name);
	assert_int_equal(store_begin(s), 0);
	for (int pass = 0; pass < 6; pass++)
		for (int i = 0; i < n; i++) {
			int64_t had = tabs[i].filled;

			if (tabs[i].before < 0)
				continue;
			for (int a = 0; a < ATTEMPTS && tabs[i].filled < ROWS_PER_TABLE; a++) {
				int ok = try_row(s, tabs, n, &tabs[i]);

				tabs[i].filled += ok;
				tabs[i].rows += ok;
			}
			/* A one-row table its migration seeded takes no other: once a
			 * whole pass failed there, it is left alone. */
			if (tabs[i].filled == had && tabs[i].filled < ROWS_PER_TABLE &&
			    count_rows(s, tabs[i].name) > 0)
				tabs[i].before = -1;
		}
	assert_int_equal(store_commit(s), 0);
	for (int i = 0; i < n; i++)
		tabs[i].before = count_rows(s, tabs[i].name);
	return n;
}

static struct store *open_at(int version, char *path, size_t size)
{
	struct store_opts o = {path, 2000, 0};
	struct store *s = NULL;
	int fd;

	snprintf(path, size, "/tmp/kefu-migrate-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(store_open(&s, &o), 0);
	assert_int_equal(store_migrate_to(s, version, NULL, NULL, NULL), 0);
	assert_int_equal(store_schema_version(s), version);
	return s;
}

/* A copy of base (VACUUM INTO) after bringing it to version: each version is
 * built once, by one progression, rather than from nothing every time. */
static struct store *copy_at(struct store *base, int version, char *path, size_t size)
{
	struct store_opts o = {path, 2000, 0};
	struct store *s = NULL;
	int fd;

	assert_int_equal(store_migrate_to(base, version, NULL, NULL, NULL), 0);
	snprintf(path, size, "/tmp/kefu-migrate-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(store_backup(base, path), 0);
	assert_int_equal(store_open(&s, &o), 0);
	assert_int_equal(store_schema_version(s), version);
	return s;
}

static void close_rm(struct store *s, const char *path)
{
	store_close(s);
	test_db_unlink(path);
}

static void every_migration_has_a_note(void **state)
{
	(void)state;
	assert_int_equal(store_migration_notes_count, store_schema_latest());
	for (int n = 1; n <= store_schema_latest(); n++)
		assert_true(strlen(store_migration_note(n)) > 10);
	assert_string_equal(store_migration_note(0), "");
	assert_string_equal(store_migration_note(store_schema_latest() + 1), "");
}

static char *schema_text(struct store *s)
{
	struct store_stmt *st = store_prepare_dynamic(
		s, "SELECT group_concat(type || ' ' || name || ' ' || coalesce(sql, ''), char(10))"
		   " FROM (SELECT * FROM sqlite_master ORDER BY type, name)");
	char *t;

	assert_non_null(st);
	assert_int_equal(store_step(st), 1);
	t = text_dup(store_col_text(st, 0));
	store_done(st);
	return t;
}

/* Migration 42 creates report_built: made by hand first in a database of
 * version 40, the upgrade fails at 42, and 41's tables are gone with it. */
static void failed_upgrade_changes_nothing(void **state)
{
	char path[64], *before, *after;
	struct buf why = BUF_INIT;
	struct store *s = open_at(40, path, sizeof(path));
	int from = -1, to = -1;

	(void)state;
	assert_true(store_schema_latest() >= 42);
	assert_int_equal(store_exec(s, "CREATE TABLE report_built (kind TEXT PRIMARY KEY);"
				       "INSERT INTO report_built VALUES ('mine');"),
			 0);
	before = schema_text(s);
	assert_true(store_migrate_to(s, store_schema_latest(), &from, &to, &why) < 0);
	assert_int_equal(from, 40);
	assert_int_equal(to, 40);
	assert_int_equal(store_schema_version(s), 40);
	assert_non_null(strstr(buf_str(&why), "already exists"));
	assert_non_null(strstr(buf_str(&why), "migration 42"));
	after = schema_text(s);
	assert_string_equal(before, after);
	assert_null(strstr(after, "trn_course"));
	assert_int_equal(count_rows(s, "report_built"), 1);
	/* Foreign keys are on again for whatever the connection does next. */
	assert_true(store_exec(s, "INSERT INTO department(name, kind, parent_id, created_at,"
				  " updated_at) VALUES ('d', 'other', 999, 0, 0)") < 0);
	free(before);
	free(after);
	buf_release(&why);
	close_rm(s, path);
}

static void every_version_migrates_with_its_rows(void **state)
{
	static struct table tabs[MAX_TABLES];
	int latest = store_schema_latest(), failures = 0;
	char base_path[64];
	struct store *base = open_at(1, base_path, sizeof(base_path));

	(void)state;
	for (int v = 1; v < latest; v++) {
		char path[64];
		struct buf report = BUF_INIT;
		struct store *s = copy_at(base, v, path, sizeof(path));
		int n = fill(s, tabs), to = -1;

		/* A one-row table of settings (id = 1) keeps the row its migration
		 * seeded; every other table gets the test's rows. */
		for (int i = 0; i < n; i++)
			if (tabs[i].before == 0) {
				print_message("version %d: no row could be made for %s\n", v,
					      tabs[i].name);
				failures++;
			}
		assert_int_equal(store_migrate_to(s, latest, NULL, &to, NULL), 0);
		assert_int_equal(to, latest);
		assert_int_equal(store_check(s, &report), 0);
		buf_release(&report);
		for (int i = 0; i < n; i++) {
			int64_t now = count_rows(s, tabs[i].name);

			/* Later migrations may seed rows into a table; none drops any. */
			if (now < tabs[i].before) {
				print_message("version %d: %s had %lld rows, now %lld\n", v,
					      tabs[i].name, (long long)tabs[i].before, (long long)now);
				failures++;
			}
			free(tabs[i].sql);
		}
		close_rm(s, path);
	}
	close_rm(base, base_path);
	assert_int_equal(failures, 0);
}

int main(void)
{
	/* The draws SQLite refuses are the search working, not news. */
	log_set_level((enum log_level)(LOG_ERROR + 1));
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_migration_has_a_note),
		cmocka_unit_test(failed_upgrade_changes_nothing),
		cmocka_unit_test(every_version_migrates_with_its_rows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
