/*
 * fts_cjk — the full-text tokenizer "kefu_cjk" for SQLite FTS5 (see
 * fts_cjk.c for how it indexes one- and two-character Chinese words).
 * store_open() registers it on every connection, before migrations run.
 */
#ifndef KEFU_STORE_FTS_CJK_H
#define KEFU_STORE_FTS_CJK_H

#include <sqlite3.h>

int fts_cjk_register(sqlite3 *db);

#endif
