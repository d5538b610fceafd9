/*
 * SQL of the scheduled reports (report.h, "Scheduled reports"; migration
 * 47): schedules and their recipients, the files made and whom they went
 * to. No rules here; the caller holds the transaction.
 */
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/err.h"
#include "report/report.h"
#include "store/store.h"

#define SCHED_COLS                                                                                 \
	"s.id, s.form, s.cadence, s.at_minute, coalesce(s.department_id, 0), s.emails,"            \
	" s.enabled, s.created_by, s.created_at, s.updated_at,"                                    \
	" f.id, f.made_at, f.from_ymd, f.to_ymd, f.error"
#define SCHED_FROM                                                                                 \
	" FROM report_schedule s LEFT JOIN report_file f ON f.id ="                                \
	" (SELECT max(id) FROM report_file WHERE schedule_id = s.id)"

static int sched_read(struct store_stmt *st, void *dst)
{
	struct report_schedule *sc = dst;
	int c;

	memset(sc, 0, sizeof(*sc));
	sc->id = store_col_int(st, 0);
	STORE_COL_COPY(st, 1, sc->form);
	c = report_cadence_parse(store_col_text_or(st, 2, ""));
	sc->cadence = c < 0 ? RC_DAILY : c;
	sc->at_minute = (int)store_col_int(st, 3);
	sc->department_id = store_col_int(st, 4);
	STORE_COL_COPY(st, 5, sc->emails);
	sc->enabled = (int)store_col_int(st, 6);
	sc->created_by = store_col_int(st, 7);
	sc->created_at = store_col_int(st, 8);
	sc->updated_at = store_col_int(st, 9);
	sc->last_file_id = store_col_int(st, 10);
	sc->last_made_at = store_col_int(st, 11);
	sc->last_from = (int)store_col_int(st, 12);
	sc->last_to = (int)store_col_int(st, 13);
	STORE_COL_COPY(st, 14, sc->last_error);
	return 0;
}

static int person_read(struct store_stmt *st, void *dst)
{
	*(int64_t *)dst = store_col_int(st, 0);
	return 0;
}

static int people_load(struct store *s, struct report_schedule *sc)
{
	struct store_stmt *st = store_query(s,
					    "SELECT person_id FROM report_schedule_person WHERE "
					    "schedule_id = ? ORDER BY person_id",
					    "i", sc->id);
	int rc;

	sc->npeople = 0;
	while (sc->npeople < REPORT_SCHED_RECIPIENTS_MAX &&
	       (rc = store_next(st, person_read, &sc->people[sc->npeople])) == 1)
		sc->npeople++;
	return store_end(st, sc->npeople < REPORT_SCHED_RECIPIENTS_MAX ? rc : 0, sc->npeople);
}

int report_sched_list(struct store *s, int enabled_only,
		      int (*row)(void *ctx, const struct report_schedule *sc), void *ctx)
{
	struct report_schedule *sc = malloc(sizeof(*sc));
	struct store_stmt *st;
	int64_t after = 0;
	int rc = 0, n = 0;

	if (!sc)
		return ERR_NOMEM;
	/* One schedule at a time, each with its recipients read by a second
	 * statement: the walk is by id, so nothing stays open across the two. */
	for (;;) {
		st = store_query(
			s,
			"SELECT " SCHED_COLS SCHED_FROM
			" WHERE s.id > ? AND (? = 0 OR s.enabled = 1) ORDER BY s.id LIMIT 1",
			"ii", after, (int64_t)enabled_only);
		rc = store_one(st, sched_read, sc);
		if (rc == ERR_NOTFOUND) {
			rc = 0;
			break;
		}
		if (rc == 0)
			rc = people_load(s, sc);
		if (rc >= 0)
			rc = row(ctx, sc);
		if (rc < 0)
			break;
		after = sc->id;
		n++;
	}
	free(sc);
	return rc < 0 ? rc : n;
}

int report_sched_get(struct store *s, int64_t id, struct report_schedule *out)
{
	int rc = store_one(
		store_query(s, "SELECT " SCHED_COLS SCHED_FROM " WHERE s.id = ?", "i", id),
		sched_read, out);

	if (rc == 0)
		rc = people_load(s, out);
	return rc < 0 ? rc : 0;
}

int report_sched_put(struct store *s, struct report_schedule *sc)
{
	int rc;

	if (sc->id == 0)
		rc = store_run(
			s,
			"INSERT INTO report_schedule(form, cadence, at_minute, department_id,"
			" emails, enabled, created_by, created_at, updated_at)"
			" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
			&sc->id, "ttidtiiii", sc->form, report_cadence_name(sc->cadence),
			(int64_t)sc->at_minute, sc->department_id, sc->emails, (int64_t)sc->enabled,
			sc->created_by, sc->created_at, sc->updated_at);
	else
		rc = store_run(s,
			       "UPDATE report_schedule SET form = ?, cadence = ?, at_minute = ?,"
			       " department_id = ?, emails = ?, enabled = ?, updated_at = ?"
			       " WHERE id = ?",
			       NULL, "ttidtiii", sc->form, report_cadence_name(sc->cadence),
			       (int64_t)sc->at_minute, sc->department_id, sc->emails,
			       (int64_t)sc->enabled, sc->updated_at, sc->id);
	if (rc >= 0)
		rc = store_run(s, "DELETE FROM report_schedule_person WHERE schedule_id = ?", NULL,
			       "i", sc->id);
	for (int i = 0; rc >= 0 && i < sc->npeople; i++)
		rc = store_run(
			s,
			"INSERT OR IGNORE INTO report_schedule_person(schedule_id, person_id)"
			" VALUES (?, ?)",
			NULL, "ii", sc->id, sc->people[i]);
	return rc < 0 ? rc : 0;
}

int report_sched_delete(struct store *s, int64_t id)
{
	int rc = store_run(s, "DELETE FROM report_schedule WHERE id = ?", NULL, "i", id);

	if (rc >= 0 && store_changes(s) == 0)
		rc = ERR_NOTFOUND;
	return rc < 0 ? rc : 0;
}

int report_file_made(struct store *s, int64_t schedule_id, int from_ymd)
{
	int64_t n = 0;
	int rc = store_run(
		s, "SELECT count(*) FROM report_file WHERE schedule_id = ? AND from_ymd = ?", &n,
		"ii", schedule_id, (int64_t)from_ymd);

	return rc < 0 ? rc : n > 0;
}

int report_file_add(struct store *s, const struct report_schedule *sc, int from, int to,
		    const char *name, const void *bytes, size_t len, const char *error, int64_t now,
		    int64_t *id)
{
	struct store_stmt *st = store_prepare(
		s, "INSERT INTO report_file(schedule_id, form, from_ymd, to_ymd, name, made_at,"
		   " error, bytes, size) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id");
	int rc = store_bindf(st, 1, "itiitiT", sc->id, sc->form, (int64_t)from, (int64_t)to, name,
			     now, error);

	if (rc >= 0)
		rc = bytes ? store_bind_blob(st, 8, bytes, len) : store_bind_null(st, 8);
	if (rc >= 0)
		rc = store_bindf(st, 9, "i", (int64_t)len);
	rc = store_once(st, rc, id);
	for (int i = 0; rc >= 0 && i < sc->npeople; i++)
		rc = store_run(s,
			       "INSERT INTO report_file_person(file_id, person_id) VALUES (?, ?)",
			       NULL, "ii", *id, sc->people[i]);
	return rc < 0 ? rc : 0;
}

static int file_read(struct store_stmt *st, void *dst)
{
	struct report_file *f = dst;

	memset(f, 0, sizeof(*f));
	f->id = store_col_int(st, 0);
	f->schedule_id = store_col_int(st, 1);
	STORE_COL_COPY(st, 2, f->form);
	f->from_ymd = (int)store_col_int(st, 3);
	f->to_ymd = (int)store_col_int(st, 4);
	STORE_COL_COPY(st, 5, f->name);
	f->made_at = store_col_int(st, 6);
	f->size = store_col_int(st, 7);
	STORE_COL_COPY(st, 8, f->error);
	f->expired = (int)store_col_int(st, 9);
	return 0;
}

int report_file_get(struct store *s, int64_t id, struct report_file *out)
{
	return store_one(store_query(s,
				     "SELECT id, coalesce(schedule_id, 0), form, from_ymd, to_ymd,"
				     " name, made_at, size, error, error IS NULL AND bytes IS NULL"
				     " FROM report_file WHERE id = ?",
				     "i", id),
			 file_read, out);
}

struct blob {
	struct buf *out;
	int found;
};

static int blob_read(struct store_stmt *st, void *dst)
{
	struct blob *b = dst;
	size_t len = 0;
	const void *p = store_col_blob(st, 0, &len);

	b->found = p != NULL;
	return p ? buf_append(b->out, p, len) : 0;
}

int report_file_bytes(struct store *s, int64_t id, struct buf *out)
{
	struct blob b = {out, 0};
	int rc = store_one(store_query(s, "SELECT bytes FROM report_file WHERE id = ?", "i", id),
			   blob_read, &b);

	if (rc == 0 && !b.found)
		rc = ERR_NOTFOUND;
	return rc;
}

int report_file_recipient(struct store *s, int64_t id, int64_t person_id)
{
	int64_t n = 0;
	int rc = store_run(
		s, "SELECT count(*) FROM report_file_person WHERE file_id = ? AND person_id = ?",
		&n, "ii", id, person_id);

	return rc < 0 ? rc : n > 0;
}

int report_file_mailed(struct store *s, int64_t id, const char *error, int64_t now)
{
	int rc = store_run(s, "UPDATE report_file SET emailed_at = ?, email_error = ? WHERE id = ?",
			   NULL, "iTi", now, error, id);

	return rc < 0 ? rc : 0;
}

int report_file_expire(struct store *s, int64_t before)
{
	int rc = store_run(
		s, "UPDATE report_file SET bytes = NULL WHERE made_at < ? AND bytes IS NOT NULL",
		NULL, "i", before);

	return rc < 0 ? rc : store_changes(s);
}
