/*
 * The ledger's SQL (migration 33): lines of money and the months' state.
 */
#include <string.h>

#include "core/err.h"
#include "perf/perf.h"
#include "store/store.h"

#define LINE_COLS                                                                                  \
	"id, person_id, month, rule, category, amount_fen, reason, source, source_id,"             \
	" created_by, created_at, voided_at, voided_by, void_reason"

static int line_read(struct store_stmt *st, void *dst)
{
	struct perf_line *l = dst;

	l->id = store_col_int(st, 0);
	l->person_id = store_col_int(st, 1);
	STORE_COL_COPY(st, 2, l->month);
	STORE_COL_COPY(st, 3, l->rule);
	STORE_COL_COPY(st, 4, l->category);
	l->amount_fen = store_col_int(st, 5);
	STORE_COL_COPY(st, 6, l->reason);
	STORE_COL_COPY(st, 7, l->source);
	l->source_id = store_col_int(st, 8);
	l->created_by = store_col_int(st, 9);
	l->created_at = store_col_int(st, 10);
	l->voided_at = store_col_int(st, 11);
	l->voided_by = store_col_int(st, 12);
	STORE_COL_COPY(st, 13, l->void_reason);
	return 0;
}

static int rule_valid(const char *rule)
{
	static const char *const rules[] = {"praise", "proposal", "rank", "grievance", "penalty"};

	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		if (strcmp(rule, rules[i]) == 0)
			return 1;
	return 0;
}

int perf_month_closed(struct store *s, const char *month)
{
	int64_t closed = 0;
	int rc = store_run(s, "SELECT state = 'closed' FROM perf_month WHERE month = ?", &closed,
			   "t", month);

	return rc < 0 ? rc : rc == 1 && closed;
}

int perf_ledger_by_source(struct store *s, const char *source, int64_t source_id,
			  struct perf_line *out)
{
	return store_one(store_query(s,
				     "SELECT " LINE_COLS " FROM perf_ledger"
				     " WHERE source = ? AND source_id = ?",
				     "ti", source, source_id),
			 line_read, out);
}

int perf_ledger_add(struct store *s, const struct perf_line *l, int64_t *id)
{
	struct perf_line old;
	int rc;

	if (!perf_month_valid(l->month) || !rule_valid(l->rule) || l->person_id <= 0)
		return ERR_INVALID;
	if (l->source[0]) {
		rc = perf_ledger_by_source(s, l->source, l->source_id, &old);
		if (rc == 0) {
			*id = old.id;
			return 0;
		}
		if (rc != ERR_NOTFOUND)
			return rc;
	}
	rc = perf_month_closed(s, l->month);
	if (rc != 0)
		return rc < 0 ? rc : ERR_CONFLICT;
	rc = store_run(
		s,
		"INSERT INTO perf_ledger(person_id, month, rule, category, amount_fen, reason,"
		" source, source_id, created_by, created_at)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
		id, "ittTitTndi", l->person_id, l->month, l->rule, l->category, l->amount_fen,
		l->reason, l->source, l->source[0] ? l->source_id : (int64_t)-1, l->created_by,
		l->created_at);
	return rc < 0 ? rc : 0;
}

int perf_ledger_void(struct store *s, const char *source, int64_t source_id, int64_t by,
		     int64_t now, const char *reason)
{
	struct perf_line l;
	int rc = perf_ledger_by_source(s, source, source_id, &l);

	if (rc < 0)
		return rc;
	if (l.voided_at)
		return ERR_NOTFOUND;
	rc = perf_month_closed(s, l.month);
	if (rc != 0)
		return rc < 0 ? rc : ERR_CONFLICT;
	rc = store_run(s,
		       "UPDATE perf_ledger SET voided_at = ?, voided_by = ?, void_reason = ?"
		       " WHERE id = ?",
		       NULL, "idti", now, by, reason ? reason : "", l.id);
	return rc < 0 ? rc : 0;
}

/* The month's lines with their person's work number and name (perfeval). */
int perf_ledger_list(struct store *s, const char *month, int64_t person_id,
		     int (*fn)(void *ctx, const struct perf_line *l, const char *work_no,
			       const char *name),
		     void *ctx)
{
	struct store_stmt *st =
		store_query(s,
			    "SELECT l.id, l.person_id, l.month, l.rule, l.category,"
			    " l.amount_fen, l.reason, l.source, l.source_id,"
			    " l.created_by, l.created_at, l.voided_at, l.voided_by,"
			    " l.void_reason, p.work_no, p.name"
			    " FROM perf_ledger l JOIN person p ON p.id = l.person_id"
			    " WHERE l.month = ? AND (? = 0 OR l.person_id = ?)"
			    " ORDER BY p.work_no, l.id",
			    "tii", month, person_id, person_id);
	struct perf_line l;
	char work_no[33], name[257];
	int rc, n = 0;

	while ((rc = store_next(st, line_read, &l)) == 1) {
		STORE_COL_COPY(st, 14, work_no);
		STORE_COL_COPY(st, 15, name);
		if ((rc = fn(ctx, &l, work_no, name)) < 0)
			break;
		n++;
	}
	return store_end(st, rc, n);
}
