/*
 * The SQLite backend of store.h. See store.h for the contract.
 */
#include "store/store.h"

#include <assert.h>
#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "core/utf8.h"
#include "store/fts_cjk.h"
#include "store/migrations.h"

#define STMT_CACHE 128

struct store_stmt {
	sqlite3_stmt *st;
	struct store *owner;
	const char *key; /* the literal this was prepared from; NULL if dynamic */
};

struct store {
	sqlite3 *db;
	int writing; /* holds write_lock: between store_begin and commit or rollback */
	enum store_durability durability;
	char wal_path[520];
	struct store_stmt cache[STMT_CACHE];
	int ncache;
};

static _Thread_local int64_t thread_db_ns;

int64_t store_take_time_ns(void)
{
	int64_t ns = thread_db_ns;

	thread_db_ns = 0;
	return ns;
}

static int map_rc(sqlite3 *db, int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_DONE:
	case SQLITE_ROW:
		return 0;
	case SQLITE_CONSTRAINT:
		if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
			return ERR_UNPROCESSABLE;
		if (rc == SQLITE_CONSTRAINT_CHECK || rc == SQLITE_CONSTRAINT_NOTNULL)
			return ERR_INVALID;
		if (rc == SQLITE_CONSTRAINT_TRIGGER)
			return ERR_FORBIDDEN;
		return ERR_CONFLICT;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return ERR_BUSY;
	case SQLITE_NOMEM:
		return ERR_NOMEM;
	case SQLITE_TOOBIG:
		return ERR_TOOBIG;
	}
	log_error("store: %s (%d)", db ? sqlite3_errmsg(db) : sqlite3_errstr(rc), rc);
	return ERR_IO;
}

int store_exec(struct store *s, const char *sql)
{
	char *msg = NULL;
	int64_t t0 = clock_mono_ns();
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, &msg);

	thread_db_ns += clock_mono_ns() - t0;
	if (rc != SQLITE_OK) {
		log_error("store: %s", msg ? msg : sqlite3_errstr(rc));
		sqlite3_free(msg);
		return map_rc(NULL, rc) == ERR_IO ? ERR_IO : map_rc(NULL, rc);
	}
	return 0;
}

static int open_flags(struct store **out, const struct store_opts *o, int readonly)
{
	struct store *s = calloc(1, sizeof(*s));
	char pragmas[256];
	int rc;

	*out = NULL;
	if (!s)
		return ERR_NOMEM;
	rc = sqlite3_open_v2(o->path, &s->db,
			     (readonly ? SQLITE_OPEN_READONLY
					  : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
				     SQLITE_OPEN_NOMUTEX,
			     NULL);
	if (rc != SQLITE_OK) {
		log_error("store: cannot open %s: %s", o->path, sqlite3_errstr(rc));
		rc = ERR_IO;
		goto fail;
	}
	sqlite3_extended_result_codes(s->db, 1);
	s->durability = o->durability;
	snprintf(s->wal_path, sizeof(s->wal_path), "%s-wal", o->path);
	if (fts_cjk_register(s->db) != SQLITE_OK) {
		log_error("store: cannot register the search tokenizer");
		rc = ERR_IO;
		goto fail;
	}
	sqlite3_busy_timeout(s->db, o->busy_timeout_ms > 0 ? o->busy_timeout_ms : 5000);
	/* A read-only connection leaves the journal mode as the file has it. */
	snprintf(pragmas, sizeof(pragmas),
		 "%s PRAGMA foreign_keys=ON; PRAGMA synchronous=%s;"
		 "PRAGMA temp_store=MEMORY;",
		 readonly ? "" : "PRAGMA journal_mode=WAL;",
		 o->durability == STORE_FSYNC_EACH ? "FULL" : "NORMAL");
	rc = store_exec(s, pragmas);
	if (rc < 0)
		goto fail;
	*out = s;
	return 0;
fail:
	store_close(s);
	return rc;
}

int store_open(struct store **out, const struct store_opts *o)
{
	return open_flags(out, o, 0);
}

int store_open_readonly(struct store **out, const char *path)
{
	const struct store_opts o = {path, 5000, STORE_NORMAL};

	return open_flags(out, &o, 1);
}

void store_close(struct store *s)
{
	if (!s)
		return;
	for (int i = 0; i < s->ncache; i++)
		sqlite3_finalize(s->cache[i].st);
	sqlite3_close(s->db);
	free(s);
}

int store_schema_version(struct store *s)
{
	struct store_stmt *st = store_prepare(s, "PRAGMA user_version");
	int v = -1;

	if (st && store_step(st) == 1)
		v = (int)store_col_int(st, 0);
	store_done(st);
	return v;
}

int store_schema_latest(void)
{
	return store_migrations_count;
}

/* Runs sql, and on failure appends SQLite's own words to why (when given):
 * the operator reads them in kefu migrate's error. */
static int exec_why(struct store *s, const char *sql, struct buf *why)
{
	char *msg = NULL;
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, &msg);

	if (rc == SQLITE_OK)
		return 0;
	if (why)
		buf_printf(why, "%s", msg ? msg : sqlite3_errstr(rc));
	log_error("store: %s", msg ? msg : sqlite3_errstr(rc));
	sqlite3_free(msg);
	return map_rc(NULL, rc);
}

/* The rows PRAGMA foreign_key_check finds, written to why; 0 when none. */
static int fk_problems(struct store *s, struct buf *why)
{
	struct store_stmt *st = store_prepare_dynamic(s, "PRAGMA foreign_key_check");
	int n = 0, rc;

	if (!st)
		return ERR_IO;
	while ((rc = store_step(st)) == 1) {
		if (why && n < 5)
			buf_printf(why, "%sforeign key: %s row %lld refers to a missing %s",
				   n ? "; " : "", store_col_text(st, 0),
				   (long long)store_col_int(st, 1), store_col_text(st, 2));
		n++;
	}
	store_done(st);
	return rc < 0 ? rc : n;
}

int store_migrate(struct store *s, int *from, int *to)
{
	return store_migrate_to(s, store_migrations_count, from, to, NULL);
}

/*
 * Every pending migration runs in ONE transaction with the version bump, so
 * an upgrade is all or nothing: a failure in the fifth of seven leaves the
 * database at its old version with its old schema (SQLite's DDL is
 * transactional). PRAGMA foreign_keys cannot change inside a transaction,
 * so it is turned off around it, as SQLite's own recipe for rebuilding a
 * table asks (migration 32 rebuilds attachment), and PRAGMA
 * foreign_key_check runs before COMMIT instead: a migration that leaves a
 * dangling reference fails like any other.
 */
int store_migrate_to(struct store *s, int target, int *from, int *to, struct buf *why)
{
	int v = store_schema_version(s), rc = 0, n;
	char bump[64];

	if (from)
		*from = v;
	if (to)
		*to = v;
	if (v < 0)
		return ERR_IO;
	if (v > store_migrations_count) {
		log_error("store: database schema %d is newer than this kefu (%d)", v,
			  store_migrations_count);
		if (why)
			buf_printf(why, "the database's schema version %d is newer than this kefu's (%d)",
				   v, store_migrations_count);
		return ERR_CONFLICT;
	}
	if (target < 0 || target > store_migrations_count)
		return ERR_INVALID;
	if (v >= target)
		return 0;
	rc = exec_why(s, "PRAGMA foreign_keys=OFF;", why);
	if (rc < 0)
		return rc;
	rc = store_begin(s);
	if (rc < 0)
		goto fk_on;
	for (n = v; n < target; n++) {
		rc = exec_why(s, store_migrations[n], why);
		if (rc < 0) {
			if (why)
				buf_printf(why, " (migration %d: %s)", n + 1, store_migration_note(n + 1));
			log_error("store: migration %d failed; the database stays at version %d", n + 1,
				  v);
			break;
		}
		/* An upgrade names each step; a new database only its end. */
		if (v > 0)
			log_info("store: migration %d: %s", n + 1, store_migration_note(n + 1));
	}
	if (rc == 0) {
		snprintf(bump, sizeof(bump), "PRAGMA user_version=%d;", target);
		rc = exec_why(s, bump, why);
	}
	if (rc == 0) {
		rc = fk_problems(s, why);
		if (rc > 0) {
			log_error("store: the migrations leave dangling references; the database stays "
				  "at version %d", v);
			rc = ERR_UNPROCESSABLE;
		}
	}
	if (rc < 0) {
		store_rollback(s);
		goto fk_on;
	}
	rc = store_commit(s);
	if (rc == 0) {
		if (to)
			*to = target;
		log_info("store: migrated schema from version %d to %d", v, target);
	}
fk_on:
	n = store_exec(s, "PRAGMA foreign_keys=ON;");
	return rc < 0 ? rc : n;
}

const char *store_migration_note(int n)
{
	if (n < 1 || n > store_migrations_count)
		return "";
	return store_migration_notes[n - 1];
}

int store_check(struct store *s, struct buf *report)
{
	struct store_stmt *st;
	int problems = 0, rc;

	st = store_prepare_dynamic(s, "PRAGMA integrity_check");
	if (!st)
		return ERR_IO;
	while ((rc = store_step(st)) == 1) {
		const char *line = store_col_text(st, 0);

		if (strcmp(line, "ok") != 0) {
			buf_printf(report, "integrity: %s\n", line);
			problems++;
		}
	}
	store_done(st);
	if (rc < 0)
		return rc;
	st = store_prepare_dynamic(s, "PRAGMA foreign_key_check");
	if (!st)
		return ERR_IO;
	while ((rc = store_step(st)) == 1) {
		buf_printf(report, "foreign key: %s row %lld refers to a missing %s\n",
			   store_col_text(st, 0), (long long)store_col_int(st, 1),
			   store_col_text(st, 2));
		problems++;
	}
	store_done(st);
	if (rc < 0)
		return rc;
	if (store_schema_version(s) != store_migrations_count) {
		buf_printf(report, "schema: version %d, this kefu expects %d (run kefu migrate)\n",
			   store_schema_version(s), store_migrations_count);
		problems++;
	}
	return problems;
}

int store_backup(struct store *s, const char *path)
{
	/* VACUUM INTO reads one snapshot in a read transaction, so writers go on
	 * (WAL) while it copies, and the copy is compact and consistent. */
	struct store_stmt *st = store_prepare_dynamic(s, "VACUUM INTO ?");
	int rc;

	if (!st)
		return ERR_IO;
	rc = store_bind_text(st, 1, path);
	if (rc == 0)
		rc = store_step(st);
	store_done(st);
	return rc < 0 ? rc : 0;
}

void store_checkpoint(struct store *s)
{
	store_exec(s, "PRAGMA wal_checkpoint(TRUNCATE);");
}

/*
 * Writers of this process queue on a mutex before they ask SQLite for the
 * write lock. Without it they would meet SQLite's busy handler, which
 * sleeps in growing steps (1, 2, 5 … 100 ms) and turns a queue of short
 * transactions into long tails. Other processes (the CLI) still meet the
 * busy timeout, as they should.
 */
static pthread_mutex_t write_lock = PTHREAD_MUTEX_INITIALIZER;

int store_begin(struct store *s)
{
	int rc;

	pthread_mutex_lock(&write_lock);
	rc = store_exec(s, "BEGIN IMMEDIATE");
	if (rc < 0) {
		pthread_mutex_unlock(&write_lock);
		return rc;
	}
	s->writing = 1;
	return 0;
}

int store_snapshot(struct store *s)
{
	/* Deferred: the snapshot is taken by the first read, and no lock is held. */
	return store_exec(s, "BEGIN DEFERRED");
}

static void end_write(struct store *s)
{
	if (s->writing) {
		s->writing = 0;
		pthread_mutex_unlock(&write_lock);
	}
}

int store_in_transaction(struct store *s)
{
	return !sqlite3_get_autocommit(s->db);
}

int store_durability_parse(const char *name)
{
	if (strcmp(name, "normal") == 0)
		return STORE_NORMAL;
	if (strcmp(name, "full") == 0)
		return STORE_FULL;
	if (strcmp(name, "fsync_each") == 0)
		return STORE_FSYNC_EACH;
	return -1;
}

/*
 * Group commit. Every commit takes a ticket; one thread at a time (the
 * leader) fdatasyncs the WAL, which makes durable every commit whose
 * ticket was issued before the leader started; the others wait for that
 * or the next round. On Linux an fdatasync through any descriptor of the
 * file flushes what every connection wrote to it. One group per process:
 * a process serves one database.
 */
static pthread_mutex_t sync_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t sync_done = PTHREAD_COND_INITIALIZER;
static uint64_t sync_issued, sync_synced;
static int sync_running;

static _Atomic uint64_t syncs;

uint64_t store_sync_count(void)
{
	return syncs;
}

static int wal_sync(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc = 0;

	if (fd < 0)
		return ERR_IO;
	if (fdatasync(fd) < 0)
		rc = ERR_IO;
	syncs++;
	close(fd);
	return rc;
}

static int group_sync(struct store *s)
{
	uint64_t mine;
	int rc = 0;

	pthread_mutex_lock(&sync_lock);
	mine = ++sync_issued;
	while (sync_synced < mine && rc == 0) {
		if (sync_running) {
			pthread_cond_wait(&sync_done, &sync_lock);
			continue;
		}
		{
			uint64_t target = sync_issued;

			sync_running = 1;
			pthread_mutex_unlock(&sync_lock);
			rc = wal_sync(s->wal_path);
			if (rc < 0) {
				/*
				 * Linux reports a failed writeback once: a retry would
				 * "succeed" over pages that are gone, and commits already
				 * visible could not be taken back. Like PostgreSQL, stop
				 * rather than acknowledge what may not be on disk.
				 */
				log_error("store: fdatasync of %s failed: stopping so that no commit"
					  " is acknowledged as durable when it is not",
					  s->wal_path);
				abort();
			}
			pthread_mutex_lock(&sync_lock);
			sync_running = 0;
			if (target > sync_synced)
				sync_synced = target;
			pthread_cond_broadcast(&sync_done);
		}
	}
	pthread_mutex_unlock(&sync_lock);
	return rc;
}

int store_commit(struct store *s)
{
	int rc = store_exec(s, "COMMIT");

	if (rc < 0) {
		store_rollback(s);
		return rc;
	}
	/* The next writer may start while this one waits for the disk. */
	end_write(s);
	if (s->durability == STORE_FULL) {
		int64_t t0 = clock_mono_ns();

		rc = group_sync(s);
		thread_db_ns += clock_mono_ns() - t0;
	}
	return rc;
}

void store_rollback(struct store *s)
{
	if (!sqlite3_get_autocommit(s->db))
		store_exec(s, "ROLLBACK");
	end_write(s);
}

struct store_stmt *store_prepare(struct store *s, const char *sql)
{
	struct store_stmt *c;
	int rc;

	for (int i = 0; i < s->ncache; i++)
		if (s->cache[i].key == sql)
			return &s->cache[i];
	if (s->ncache == STMT_CACHE) {
		log_warn("store: statement cache full; preparing without cache");
		return store_prepare_dynamic(s, sql);
	}
	c = &s->cache[s->ncache];
	rc = sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &c->st, NULL);
	if (rc != SQLITE_OK) {
		log_error("store: prepare failed: %s: %s", sqlite3_errmsg(s->db), sql);
		return NULL;
	}
	c->owner = s;
	c->key = sql;
	s->ncache++;
	return c;
}

struct store_stmt *store_prepare_dynamic(struct store *s, const char *sql)
{
	struct store_stmt *st = calloc(1, sizeof(*st));
	int rc;

	if (!st)
		return NULL;
	rc = sqlite3_prepare_v2(s->db, sql, -1, &st->st, NULL);
	if (rc != SQLITE_OK) {
		log_error("store: prepare failed: %s: %s", sqlite3_errmsg(s->db), sql);
		free(st);
		return NULL;
	}
	st->owner = s;
	return st;
}

void store_done(struct store_stmt *st)
{
	if (!st)
		return;
	if (st->key) {
		sqlite3_reset(st->st);
		sqlite3_clear_bindings(st->st);
		return;
	}
	sqlite3_finalize(st->st);
	free(st);
}

int store_bind_int(struct store_stmt *st, int idx, int64_t v)
{
	return map_rc(st->owner->db, sqlite3_bind_int64(st->st, idx, v));
}

int store_bind_text(struct store_stmt *st, int idx, const char *v)
{
	if (!v)
		return store_bind_null(st, idx);
	return map_rc(st->owner->db, sqlite3_bind_text(st->st, idx, v, -1, SQLITE_TRANSIENT));
}

int store_bind_blob(struct store_stmt *st, int idx, const void *v, size_t len)
{
	if (len > INT32_MAX)
		return ERR_TOOBIG;
	return map_rc(st->owner->db, sqlite3_bind_blob(st->st, idx, v, (int)len, SQLITE_TRANSIENT));
}

int store_bind_null(struct store_stmt *st, int idx)
{
	return map_rc(st->owner->db, sqlite3_bind_null(st->st, idx));
}

int store_step(struct store_stmt *st)
{
	int64_t t0 = clock_mono_ns();
	int rc = sqlite3_step(st->st);

	thread_db_ns += clock_mono_ns() - t0;
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return map_rc(st->owner->db, sqlite3_extended_errcode(st->owner->db));
}

int64_t store_col_int(struct store_stmt *st, int col)
{
	return sqlite3_column_int64(st->st, col);
}

const char *store_col_text(struct store_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st->st, col);

	return t ? (const char *)t : NULL;
}

const void *store_col_blob(struct store_stmt *st, int col, size_t *len)
{
	const void *v = sqlite3_column_blob(st->st, col);

	*len = v ? (size_t)sqlite3_column_bytes(st->st, col) : 0;
	return v;
}

int store_bind_id(struct store_stmt *st, int idx, int64_t id)
{
	return id ? store_bind_int(st, idx, id) : store_bind_null(st, idx);
}

void store_col_copy(struct store_stmt *st, int col, char *dst, size_t size)
{
	const char *t = store_col_text(st, col);
	size_t n = t ? (size_t)sqlite3_column_bytes(st->st, col) : 0;

	if (n < size) {
		memcpy(dst, t ? t : "", n);
		dst[n] = '\0';
		return;
	}
	memcpy(dst, t, size - 1);
	dst[size - 1] = '\0';
	utf8_trim_partial(dst);
}

int store_col_null(struct store_stmt *st, int col)
{
	return sqlite3_column_type(st->st, col) == SQLITE_NULL;
}

/* Binds one value of a format letter (see store.h): i for the integers, t for the texts. */
static int bind_one(struct store_stmt *st, int idx, char type, int64_t i, const char *t)
{
	switch (type) {
	case 'i':
		return store_bind_int(st, idx, i);
	case 'd':
		return store_bind_id(st, idx, i);
	case 'n':
		return i < 0 ? store_bind_null(st, idx) : store_bind_int(st, idx, i);
	case 't':
		return store_bind_text(st, idx, t);
	case 'T':
		return store_bind_text(st, idx, t && t[0] ? t : NULL);
	}
	assert(!"unknown bind type");
	log_error("store: unknown bind type '%c'", type);
	return ERR_IO;
}

static int is_text(char type)
{
	return type == 't' || type == 'T';
}

static int bind_va(struct store_stmt *st, int first, const char *types, va_list ap)
{
	int rc = 0;

	for (int i = 0; rc == 0 && types[i]; i++) {
		if (is_text(types[i]))
			rc = bind_one(st, first + i, types[i], 0, va_arg(ap, const char *));
		else
			rc = bind_one(st, first + i, types[i], va_arg(ap, int64_t), NULL);
	}
	return rc;
}

int store_bindf(struct store_stmt *st, int first, const char *types, ...)
{
	va_list ap;
	int rc;

	if (!st)
		return ERR_IO;
	va_start(ap, types);
	rc = bind_va(st, first, types, ap);
	va_end(ap);
	return rc;
}

int store_once(struct store_stmt *st, int rc, int64_t *out)
{
	if (!st)
		return ERR_IO;
	if (rc == 0)
		rc = store_step(st);
	if (rc == 1 && out)
		*out = store_col_int(st, 0);
	store_done(st);
	return rc;
}

int store_run(struct store *s, const char *sql, int64_t *out, const char *types, ...)
{
	struct store_stmt *st = store_prepare(s, sql);
	va_list ap;
	int rc;

	if (!st)
		return ERR_IO;
	va_start(ap, types);
	rc = bind_va(st, 1, types, ap);
	va_end(ap);
	return store_once(st, rc, out);
}

struct store_stmt *store_query(struct store *s, const char *sql, const char *types, ...)
{
	struct store_stmt *st = store_prepare(s, sql);
	va_list ap;
	int rc;

	if (!st)
		return NULL;
	va_start(ap, types);
	rc = bind_va(st, 1, types, ap);
	va_end(ap);
	if (rc < 0) {
		log_error("store: cannot bind (%d): %s", rc, sql);
		store_done(st);
		return NULL;
	}
	return st;
}

void store_sql_add(struct store_sql *q, const char *sql, const char *types, ...)
{
	va_list ap;

	if (buf_puts(&q->text, sql) < 0)
		q->err = ERR_NOMEM;
	va_start(ap, types);
	for (int i = 0; types[i]; i++) {
		struct store_value *v;

		if (q->n == STORE_SQL_VALUES) {
			assert(!"more values than STORE_SQL_VALUES");
			q->err = ERR_TOOBIG;
			break;
		}
		v = &q->v[q->n++];
		v->type = types[i];
		v->i = is_text(types[i]) ? 0 : va_arg(ap, int64_t);
		v->t = is_text(types[i]) ? va_arg(ap, const char *) : NULL;
	}
	va_end(ap);
}

struct store_stmt *store_sql_prepare(struct store *s, struct store_sql *q)
{
	struct store_stmt *st = q->err ? NULL : store_prepare_dynamic(s, buf_str(&q->text));
	int rc = 0;

	for (int i = 0; st && rc == 0 && i < q->n; i++)
		rc = bind_one(st, i + 1, q->v[i].type, q->v[i].i, q->v[i].t);
	if (rc < 0 || q->err) {
		log_error("store: cannot bind (%d): %s", rc ? rc : q->err, buf_str(&q->text));
		store_done(st);
		st = NULL;
	}
	buf_release(&q->text);
	q->n = 0;
	return st;
}

int store_next(struct store_stmt *st, store_read_fn *read, void *dst)
{
	int rc;

	if (!st)
		return ERR_IO;
	rc = store_step(st);
	if (rc == 1 && read) {
		int r = read(st, dst);

		if (r < 0)
			return r;
	}
	return rc;
}

int store_end(struct store_stmt *st, int rc, int n)
{
	store_done(st);
	return rc < 0 ? rc : n;
}

int store_one(struct store_stmt *st, store_read_fn *read, void *dst)
{
	int rc = store_next(st, read, dst);

	store_done(st);
	if (rc == 0)
		return ERR_NOTFOUND;
	return rc < 0 ? rc : 0;
}

int64_t store_col_int_or(struct store_stmt *st, int col, int64_t if_null)
{
	return store_col_null(st, col) ? if_null : store_col_int(st, col);
}

const char *store_col_text_or(struct store_stmt *st, int col, const char *if_null)
{
	const char *t = store_col_text(st, col);

	return t ? t : if_null;
}

int store_changes(struct store *s)
{
	return sqlite3_changes(s->db);
}
