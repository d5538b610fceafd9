/*
 * store — the database behind kefu: open, migrate, transact, query.
 *
 * Domain code never includes sqlite3.h. Its *_store.c files write portable
 * SQL with '?' placeholders and run it through this interface, so a
 * PostgreSQL backend can later implement the same functions (rewriting '?'
 * to $n) without touching domain code.
 *
 * A struct store is one connection, used by one thread at a time. The HTTP
 * server keeps a pool of them (store_pool), one per worker thread, and a
 * request borrows one for its whole life. Statements prepared from string
 * literals are cached per connection (keyed by the literal's address), so
 * the hot path never re-parses SQL. Every write runs between store_begin()
 * and store_commit(); on any error the caller calls store_rollback() and
 * nothing is written.
 *
 * SQLite runs in WAL mode with foreign keys on. Durability:
 * - STORE_NORMAL (synchronous=NORMAL): a committed transaction survives a
 *   crash of the process; power loss may take the last few.
 * - STORE_FULL: a committed transaction also survives power loss. After
 *   COMMIT, store_commit() waits until the WAL is on disk, and commits that
 *   finish while one fdatasync runs share the next one (group commit), so
 *   concurrent writers pay for one fsync between them, not one each.
 * - STORE_FSYNC_EACH (synchronous=FULL): SQLite's own fsync in every
 *   COMMIT; as safe as STORE_FULL and slower under load (kept to compare).
 */
#ifndef KEFU_STORE_STORE_H
#define KEFU_STORE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

struct store;
struct store_stmt;
struct store_pool;

enum store_durability { STORE_NORMAL, STORE_FULL, STORE_FSYNC_EACH };

struct store_opts {
	const char *path;
	int busy_timeout_ms;
	enum store_durability durability;
};

/* Parses "normal", "full" or "fsync_each"; -1 otherwise. */
int store_durability_parse(const char *name);

int store_open(struct store **out, const struct store_opts *opts);
/* The same, read-only and never created: a look that changes nothing
 * (kefu migrate --dry-run); writes fail. */
int store_open_readonly(struct store **out, const char *path);
void store_close(struct store *s);

/* Applies every migration newer than the database's; reports versions. */
int store_migrate(struct store *s, int *from, int *to);
/*
 * Brings the schema up to version target (at most store_schema_latest()),
 * every pending migration in one transaction: 0, or a negative err and the
 * database as it was, with the failed migration and SQLite's reason
 * appended to why (may be NULL). A database at or past target is left
 * alone (0). from and to (may be NULL) receive the versions before and after.
 */
int store_migrate_to(struct store *s, int target, int *from, int *to, struct buf *why);
/* Migration n's one-line description (1..latest), the first sentence of its
 * comment in migrations.c, generated at build time; "" out of range. */
const char *store_migration_note(int n);
/* The schema version of the database, and the newest this build knows. */
int store_schema_version(struct store *s);
int store_schema_latest(void);
/* Integrity and foreign-key checks; problems are appended to report. */
int store_check(struct store *s, struct buf *report);
/* Moves the WAL into the main file (on shutdown). */
void store_checkpoint(struct store *s);
/* A consistent copy of the whole database into a new file at path, taken
 * while others go on writing (kefu backup); 0 or a negative err. */
int store_backup(struct store *s, const char *path);

int store_begin(struct store *s); /* a write transaction, taken at once */
int store_commit(struct store *s);
void store_rollback(struct store *s);
/*
 * A read transaction: every read until store_rollback (or the connection's
 * return to the pool) sees the database as it was at the first one, so an
 * answer built from several statements (a row and its events) never mixes
 * states from before and after another thread's commit. Not for handlers
 * that write.
 */
int store_snapshot(struct store *s);
int store_in_transaction(struct store *s);
int store_exec(struct store *s, const char *sql);

/* A cached statement for a string literal; NULL on error (logged). */
struct store_stmt *store_prepare(struct store *s, const char *sql);
/* An uncached statement for SQL built at run time (still with '?' binds). */
struct store_stmt *store_prepare_dynamic(struct store *s, const char *sql);
/* Resets a cached statement, or frees a dynamic one. Safe with NULL. */
void store_done(struct store_stmt *st);

/* Binds are 1-based like SQL; text NULL binds SQL NULL. */
int store_bind_int(struct store_stmt *st, int idx, int64_t v);
int store_bind_text(struct store_stmt *st, int idx, const char *v);
int store_bind_null(struct store_stmt *st, int idx);
/* Binds len bytes (copied) as a BLOB. */
int store_bind_blob(struct store_stmt *st, int idx, const void *v, size_t len);
/* Binds a reference: the id, or NULL for 0 (not set). */
int store_bind_id(struct store_stmt *st, int idx, int64_t id);
/* 1 when a row is ready, 0 when done, negative err on failure. */
int store_step(struct store_stmt *st);
/*
 * Columns are 0-based; text is valid until the next step or done. NULL
 * reads as 0 and as a NULL pointer.
 */
int64_t store_col_int(struct store_stmt *st, int col);
const char *store_col_text(struct store_stmt *st, int col);
int store_col_null(struct store_stmt *st, int col);
/* A BLOB column and its length, valid until the next step or done; NULL for an empty one. */
const void *store_col_blob(struct store_stmt *st, int col, size_t *len);
/* Copies a text column into dst ("" for NULL), never cutting a UTF-8 character in half. */
void store_col_copy(struct store_stmt *st, int col, char *dst, size_t size);
/*
 * Binding by format: types names each '?' in order, one letter a value.
 *   'i'  an int64_t
 *   'd'  an int64_t id or time; 0 (not set) binds NULL
 *   'n'  an int64_t; a negative value (none) binds NULL
 *   't'  a const char *; NULL binds NULL
 *   'T'  a const char *; NULL or "" binds NULL ("not set" has one spelling)
 * The values are read with va_arg as those types: an int must be cast to
 * int64_t. Binds from index first; 0 or a negative err (ERR_IO for a NULL
 * st, so that binds may follow a prepare unchecked, up to store_once).
 */
int store_bindf(struct store_stmt *st, int first, const char *types, ...);
/*
 * Finishes a statement whose binds returned rc: unless rc is an error,
 * steps it once, storing the row's first column in out when one came and
 * out is set; done with it either way. Returns what store_run returns
 * (ERR_IO for a NULL st). For writes whose binds are made in steps.
 */
int store_once(struct store_stmt *st, int rc, int64_t *out);

/*
 * Runs a cached statement once, bound by format. Returns what the first
 * step returned: 1 (a row), 0 (done) or a negative err; with out set, the
 * row's first column is stored there. For statements that return at most
 * one value: existence checks, counts, single updates and deletes.
 */
int store_run(struct store *s, const char *sql, int64_t *out, const char *types, ...);

/*
 * Row helpers: the shape every accessor of a *_store.c file shares. A
 * store file says how one row reads, once per shape of row, as a read
 * function that copies the columns of the current row into its struct:
 *
 *	static int thing_read(struct store_stmt *st, void *dst)
 *	{
 *		struct thing *t = dst;
 *
 *		t->id = store_col_int(st, 0);
 *		STORE_COL_COPY(st, 1, t->name);
 *		return 0;
 *	}
 *
 * and each accessor then says only its SQL and its values:
 *
 *	return store_one(store_query(s, "SELECT id, name FROM thing WHERE id = ?", "i", id),
 *			 thing_read, out);
 *
 *	struct store_stmt *st = store_query(s, "SELECT id, name FROM thing ORDER BY id", "");
 *	struct thing t;
 *	int rc, n = 0;
 *
 *	while ((rc = store_next(st, thing_read, &t)) == 1 && (rc = row(ctx, &t)) >= 0)
 *		n++;
 *	return store_end(st, rc, n);
 *
 * A walk reads every row into the same struct of the caller: nothing is
 * allocated or prepared per row, so a list of 10^5 orders costs its rows.
 * A statement that could not be prepared or bound is NULL, and store_one,
 * store_next and store_end take NULL and answer ERR_IO: accessors need no
 * check of their own.
 */

/* Copies the current row into dst; 0, or a negative err that ends the walk. */
typedef int store_read_fn(struct store_stmt *st, void *dst);

/* A cached statement bound by format (store_bindf); NULL on error (logged). */
struct store_stmt *store_query(struct store *s, const char *sql, const char *types, ...);
/*
 * Steps st once: 1 with the row read into dst (read NULL: the caller reads
 * the columns itself), 0 after the last row, or a negative err (ERR_IO for
 * a NULL st). Leaves st to store_end.
 */
int store_next(struct store_stmt *st, store_read_fn *read, void *dst);
/* Ends a walk: done with st; rc if it is an error, else n. */
int store_end(struct store_stmt *st, int rc, int n);
/* One row into dst, then done with st: 0, ERR_NOTFOUND or a negative err. */
int store_one(struct store_stmt *st, store_read_fn *read, void *dst);

/* An integer column, or if_null for NULL (store_col_int reads NULL as 0). */
int64_t store_col_int_or(struct store_stmt *st, int col, int64_t if_null);
/* A text column, or if_null for NULL (store_col_text gives NULL for NULL). */
const char *store_col_text_or(struct store_stmt *st, int col, const char *if_null);
/*
 * store_col_copy into a char array, with the array's own size. Anything
 * but an array (a pointer, whose size is not the buffer's) does not compile.
 */
#define STORE_COL_COPY(st, col, array)                                                             \
	_Generic(&(array), char(*)[sizeof(array)] : store_col_copy)(st, col, array, sizeof(array))

/*
 * SQL built at run time, for lists whose WHERE holds only the filters asked
 * for, so that SQLite picks the index that fits: each piece of text is
 * added with the values of its '?' (by format, as store_bindf), so the
 * text and its binds cannot drift apart. Values are still bound, never
 * pasted; text values are bound when prepared and must live until then.
 *
 *	struct store_sql q = STORE_SQL_INIT;
 *
 *	store_sql_add(&q, "SELECT id FROM audit WHERE 1=1", "");
 *	if (f->actor_id)
 *		store_sql_add(&q, " AND actor_id = ?", "i", f->actor_id);
 *	st = store_sql_prepare(s, &q);
 */
#define STORE_SQL_VALUES 24
struct store_sql {
	struct buf text;
	int n;
	int err;
	struct store_value {
		char type;
		int64_t i;
		const char *t;
	} v[STORE_SQL_VALUES];
};
#define STORE_SQL_INIT {.text = BUF_INIT}
void store_sql_add(struct store_sql *q, const char *sql, const char *types, ...);
/* An uncached statement of q, bound; q is released. NULL on error (logged). */
struct store_stmt *store_sql_prepare(struct store *s, struct store_sql *q);

/* Rows changed by the last statement on this connection. */
int store_changes(struct store *s);

/* How many group fdatasyncs STORE_FULL has made (for tests and metrics). */
uint64_t store_sync_count(void);

/* Nanoseconds this thread has spent in the database since the last call. */
int64_t store_take_time_ns(void);

int store_pool_open(struct store_pool **out, const struct store_opts *opts, int size);
struct store *store_pool_get(struct store_pool *p);
void store_pool_put(struct store_pool *p, struct store *s);
void store_pool_close(struct store_pool *p);

#endif
