/*
 * The CJK tokenizer (src/store/fts_cjk.c) as SQLite's FTS5 drives it: the
 * input's text (before its first NUL) is indexed in a table tokenized by
 * kefu_cjk, then searched with the rest as a MATCH expression (an invalid
 * expression is only an error) and as a quoted phrase, with highlight()
 * and snippet(), which read the tokenizer's byte offsets, and deleted.
 */
#include <sqlite3.h>

#include "fuzz/fuzz.h"
#include "store/fts_cjk.h"

static sqlite3 *db;
static sqlite3_stmt *ins, *del, *find;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (sqlite3_open(":memory:", &db) != SQLITE_OK || fts_cjk_register(db) != SQLITE_OK ||
	    sqlite3_exec(db, "CREATE VIRTUAL TABLE t USING fts5(body, tokenize = 'kefu_cjk')", NULL,
			 NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO t(rowid, body) VALUES (1, ?)", -1, &ins, NULL) !=
		    SQLITE_OK ||
	    sqlite3_prepare_v2(db, "DELETE FROM t", -1, &del, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(
		    db,
		    "SELECT rowid, highlight(t, 0, '<', '>'), snippet(t, 0, '<', '>', '…', 8)"
		    " FROM t WHERE t MATCH ?",
		    -1, &find, NULL) != SQLITE_OK)
		abort();
	return 0;
}

static void search(const char *q)
{
	sqlite3_bind_text(find, 1, q, -1, SQLITE_TRANSIENT);
	while (sqlite3_step(find) == SQLITE_ROW)
		;
	sqlite3_reset(find);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *f[2];
	char *all = fuzz_fields(data, size, f, 2);
	char *phrase;
	size_t n = 0;

	if (!all)
		return 0;
	if (!db)
		LLVMFuzzerInitialize(NULL, NULL);
	sqlite3_bind_text(ins, 1, f[0], -1, SQLITE_STATIC);
	(void)sqlite3_step(ins);
	sqlite3_reset(ins);
	search(*f[1] ? f[1] : "\"车\"");
	/* The query as one phrase, double quotes doubled as FTS5 wants. */
	phrase = malloc(2 * strlen(f[1]) + 3);
	if (phrase) {
		phrase[n++] = '"';
		for (const char *p = f[1]; *p; p++) {
			if (*p == '"')
				phrase[n++] = '"';
			phrase[n++] = *p;
		}
		phrase[n++] = '"';
		phrase[n] = '\0';
		search(phrase);
		free(phrase);
	}
	(void)sqlite3_step(del);
	sqlite3_reset(del);
	free(all);
	return 0;
}
