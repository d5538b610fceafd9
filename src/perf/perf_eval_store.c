/*
 * The month's evaluation in SQL (migration 39): praise records, settings,
 * the figures kefu's other modules keep, the stored evaluation and its
 * rewards written to the ledger.
 *
 * The figures are read where they are kept, not counted a second way:
 * attendance is wfm's month sheet (wfm_attend_month), quality and
 * satisfaction are qa's agents' rows (the automatic checks, the reviews,
 * the survey and the reached callbacks, which qa reads through report/),
 * training comes from the sources registered with perf_add_source. Only
 * what no module counts per agent is read here: contacts handled, answered
 * calls and their talk (as wfm's handling time reads the call log), the
 * after-call work from the status log, conversations resolved.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"
#include "core/err.h"
#include "perf/perf.h"
#include "qa/qa.h"
#include "store/store.h"
#include "wfm/wfm.h"

#define EVAL_SOURCE "eval" /* the ledger's source of computed rewards */

/* ---- praise and criticism ---- */

#define PRAISE_COLS                                                                                \
	"r.id, r.person_id, r.kind, r.origin, r.ref_id, r.note, r.at, r.month, r.created_by,"      \
	" r.created_at, r.voided_at, r.voided_by, p.name, p.work_no"

static int praise_read(struct store_stmt *st, void *dst)
{
	struct perf_praise *p = dst;

	p->id = store_col_int(st, 0);
	p->person_id = store_col_int(st, 1);
	STORE_COL_COPY(st, 2, p->kind);
	STORE_COL_COPY(st, 3, p->origin);
	p->ref_id = store_col_int(st, 4);
	STORE_COL_COPY(st, 5, p->note);
	p->at = store_col_int(st, 6);
	STORE_COL_COPY(st, 7, p->month);
	p->created_by = store_col_int(st, 8);
	p->created_at = store_col_int(st, 9);
	p->voided_at = store_col_int(st, 10);
	p->voided_by = store_col_int(st, 11);
	STORE_COL_COPY(st, 12, p->person_name);
	STORE_COL_COPY(st, 13, p->work_no);
	return 0;
}

int perf_praise_add(struct store *s, struct perf_praise *p)
{
	int rc = perf_month_closed(s, p->month);

	if (rc != 0)
		return rc < 0 ? rc : ERR_CONFLICT;
	rc = store_run(s,
		       "INSERT INTO perf_praise(person_id, kind, origin, ref_id, note, at, month,"
		       " created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
		       &p->id, "ittdtitii", p->person_id, p->kind, p->origin, p->ref_id, p->note,
		       p->at, p->month, p->created_by, p->created_at);
	return rc < 0 ? rc : 0;
}

int perf_praise_ref_ok(struct store *s, const char *origin, int64_t ref_id, int64_t person_id)
{
	int rc;

	if (strcmp(origin, "callback") == 0)
		rc = store_run(s, "SELECT 1 FROM wo_callback_attempt WHERE id = ?", NULL, "i",
			       ref_id);
	else
		rc = store_run(s, "SELECT 1 FROM contact WHERE id = ? AND agent_id = ?", NULL, "ii",
			       ref_id, person_id);
	return rc;
}

int perf_praise_get(struct store *s, int64_t id, struct perf_praise *out)
{
	return store_one(store_query(s,
				     "SELECT " PRAISE_COLS " FROM perf_praise r"
				     " JOIN person p ON p.id = r.person_id WHERE r.id = ?",
				     "i", id),
			 praise_read, out);
}

int perf_praise_void(struct store *s, int64_t id, int64_t by, int64_t now)
{
	struct perf_praise p;
	int rc = perf_praise_get(s, id, &p);

	if (rc < 0)
		return rc;
	if (p.voided_at)
		return ERR_CONFLICT;
	rc = perf_month_closed(s, p.month);
	if (rc != 0)
		return rc < 0 ? rc : ERR_CONFLICT;
	rc = store_run(s, "UPDATE perf_praise SET voided_at = ?, voided_by = ? WHERE id = ?", NULL,
		       "iii", now, by, id);
	return rc < 0 ? rc : 0;
}

int perf_praise_list(struct store *s, const char *month, int64_t person_id,
		     int (*fn)(void *ctx, const struct perf_praise *p), void *ctx)
{
	struct store_stmt *st =
		store_query(s,
			    "SELECT " PRAISE_COLS " FROM perf_praise r"
			    " JOIN person p ON p.id = r.person_id WHERE r.month = ?"
			    " AND (? = 0 OR r.person_id = ?) ORDER BY r.at DESC, r.id DESC",
			    "tii", month, person_id, person_id);
	struct perf_praise p;
	int rc, n = 0;

	while ((rc = store_next(st, praise_read, &p)) == 1 && (rc = fn(ctx, &p)) >= 0)
		n++;
	return store_end(st, rc, n);
}

/* ---- settings ---- */

/* Each setting's key and where it lives in struct perf_settings. */
static int64_t *setting_slot(struct perf_settings *o, const char *key, int64_t *tmp, int **ip)
{
	static const char *const tiers[3] = {"praise_count.", "praise_fen.", "rank_fen."};

	*ip = NULL;
	for (int d = 0; d < PERF_DIMS; d++) {
		char k[32];

		snprintf(k, sizeof(k), "weight.%s", perf_dim_name(d));
		if (strcmp(key, k) == 0) {
			*ip = &o->weight[d];
			return tmp;
		}
	}
	if (strcmp(key, "threshold") == 0) {
		*ip = &o->threshold;
		return tmp;
	}
	if (strcmp(key, "last_fen") == 0)
		return &o->last_fen;
	for (int t = 0; t < 3; t++) {
		size_t len = strlen(tiers[t]);

		if (strncmp(key, tiers[t], len) == 0 && key[len] >= '0' &&
		    key[len] < '0' + PERF_TIERS && key[len + 1] == '\0') {
			int i = key[len] - '0';

			if (t == 0) {
				*ip = &o->praise_count[i];
				return tmp;
			}
			return t == 1 ? &o->praise_fen[i] : &o->rank_fen[i];
		}
	}
	return NULL;
}

int perf_settings_get(struct store *s, struct perf_settings *out)
{
	struct store_stmt *st = store_query(s, "SELECT key, value FROM perf_setting", "");
	int rc;

	perf_settings_default(out);
	while ((rc = store_next(st, NULL, NULL)) == 1) {
		int64_t tmp, *slot;
		int *ip;
		const char *key = store_col_text(st, 0);

		if (!key || !(slot = setting_slot(out, key, &tmp, &ip)))
			continue;
		if (ip)
			*ip = (int)store_col_int(st, 1);
		else
			*slot = store_col_int(st, 1);
	}
	return store_end(st, rc, 0);
}

static int setting_put(struct store *s, const char *key, int64_t v)
{
	int rc = store_run(s,
			   "INSERT INTO perf_setting(key, value) VALUES (?, ?)"
			   " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
			   NULL, "ti", key, v);

	return rc < 0 ? rc : 0;
}

int perf_settings_put(struct store *s, const struct perf_settings *in)
{
	char key[32];
	int rc = 0;

	for (int d = 0; d < PERF_DIMS && rc == 0; d++) {
		snprintf(key, sizeof(key), "weight.%s", perf_dim_name(d));
		rc = setting_put(s, key, in->weight[d]);
	}
	if (rc == 0)
		rc = setting_put(s, "threshold", in->threshold);
	if (rc == 0)
		rc = setting_put(s, "last_fen", in->last_fen);
	for (int i = 0; i < PERF_TIERS && rc == 0; i++) {
		snprintf(key, sizeof(key), "praise_count.%d", i);
		rc = setting_put(s, key, in->praise_count[i]);
		snprintf(key, sizeof(key), "praise_fen.%d", i);
		if (rc == 0)
			rc = setting_put(s, key, in->praise_fen[i]);
		snprintf(key, sizeof(key), "rank_fen.%d", i);
		if (rc == 0)
			rc = setting_put(s, key, in->rank_fen[i]);
	}
	return rc;
}

/* ---- the figures ---- */

struct figs {
	struct perf_figures *f;
	size_t n, cap;
};

static struct perf_figures *fig_of(struct figs *fs, int64_t person_id)
{
	size_t lo = 0, hi = fs->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (fs->f[mid].person_id == person_id)
			return &fs->f[mid];
		if (fs->f[mid].person_id < person_id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int agents_load(struct store *s, struct figs *fs)
{
	struct store_stmt *st = store_query(s,
					    "SELECT id, work_no, name FROM person WHERE active = 1"
					    " AND (roles & ?) <> 0 ORDER BY id",
					    "i", (int64_t)ROLE_AGENT);
	int rc;

	while ((rc = store_next(st, NULL, NULL)) == 1) {
		struct perf_figures *f;

		if (fs->n == fs->cap) {
			size_t cap = fs->cap ? fs->cap * 2 : 64;
			struct perf_figures *p = realloc(fs->f, cap * sizeof(*p));

			if (!p) {
				rc = ERR_NOMEM;
				break;
			}
			fs->f = p;
			fs->cap = cap;
		}
		f = &fs->f[fs->n++];
		memset(f, 0, sizeof(*f));
		f->person_id = store_col_int(st, 0);
		STORE_COL_COPY(st, 1, f->work_no);
		STORE_COL_COPY(st, 2, f->name);
	}
	return store_end(st, rc, 0);
}

/* Rows of (person, a, b, c) summed per agent by one grouped statement. */
enum fig_kind { FIG_PRAISE, FIG_CONTACTS, FIG_CALLS, FIG_ACW, FIG_CONVS };

static int grouped(struct store_stmt *st, struct figs *fs, enum fig_kind k)
{
	int rc;

	while ((rc = store_next(st, NULL, NULL)) == 1) {
		struct perf_figures *f = fig_of(fs, store_col_int(st, 0));

		if (!f)
			continue;
		switch (k) {
		case FIG_PRAISE:
			f->praise = (int)store_col_int(st, 1);
			f->criticism = (int)store_col_int(st, 2);
			break;
		case FIG_CONTACTS:
			f->contacts = store_col_int(st, 1);
			break;
		case FIG_CALLS:
			f->calls = store_col_int(st, 1);
			f->talk_ms = store_col_int(st, 2);
			break;
		case FIG_ACW:
			f->acw_ms = store_col_int(st, 1);
			break;
		case FIG_CONVS:
			f->convs = store_col_int(st, 1);
			break;
		}
	}
	return store_end(st, rc, 0);
}

static int own_figures(struct store *s, const char *month, int64_t from, int64_t to,
		       struct figs *fs)
{
	int rc = grouped(
		store_query(s,
			    "SELECT person_id, SUM(kind = 'praise'), SUM(kind = 'criticism')"
			    " FROM perf_praise WHERE month = ? AND voided_at IS NULL"
			    " GROUP BY person_id",
			    "t", month),
		fs, FIG_PRAISE);

	/* Every contact an agent handled, on any channel (CALL-10). */
	if (rc >= 0)
		rc = grouped(
			store_query(s,
				    "SELECT agent_id, COUNT(*) FROM contact WHERE started_at >= ?"
				    " AND started_at < ? GROUP BY agent_id",
				    "ii", from, to),
			fs, FIG_CONTACTS);
	/* Answered calls and their talk, as wfm's handling time counts them. */
	if (rc >= 0)
		rc = grouped(store_query(s,
					 "SELECT agent_id, COUNT(*), SUM(ended_at - connected_at)"
					 " FROM call WHERE started_at >= ? AND started_at < ?"
					 " AND agent_id IS NOT NULL AND connected_at IS NOT NULL"
					 " AND ended_at > connected_at GROUP BY agent_id",
					 "ii", from, to),
			     fs, FIG_CALLS);
	/* After-call work: each wrap-up spell of the status log that began in
	 * the month, to the agent's next change. */
	if (rc >= 0)
		rc = grouped(store_query(s,
					 "SELECT person_id, SUM(next_at - at) FROM ("
					 " SELECT person_id, at, to_status, LEAD(at) OVER"
					 "  (PARTITION BY person_id ORDER BY at, id) AS next_at"
					 " FROM agent_state_log WHERE at >= ? AND at < ?)"
					 " WHERE to_status = 'wrap_up' AND next_at IS NOT NULL"
					 " GROUP BY person_id",
					 "ii", from, to),
			     fs, FIG_ACW);
	if (rc >= 0)
		rc = grouped(
			store_query(s,
				    "SELECT agent_id, COUNT(*) FROM conv WHERE state = 'resolved'"
				    " AND resolved_at >= ? AND resolved_at < ? GROUP BY agent_id",
				    "ii", from, to),
			fs, FIG_CONVS);
	return rc < 0 ? rc : 0;
}

static int qa_figures(struct store *s, int64_t from, int64_t to, struct figs *fs)
{
	struct qa_agent_row *rows = NULL;
	struct qa_rep_check *checks = NULL;
	size_t nrows = 0, nchecks = 0;
	int rc = qa_agent_rows_load(s, from, to, 0, &rows, &nrows);

	if (rc == 0)
		rc = qa_rep_checks_load(s, from, to, 0, &checks, &nchecks);
	if (rc == 0)
		rc = qa_agent_rows_fill(rows, nrows, checks, nchecks, NULL, 0, NULL, 0);
	for (size_t i = 0; rc == 0 && i < nrows; i++) {
		const struct qa_agent_row *a = &rows[i];
		struct perf_figures *f = fig_of(fs, a->agent_id);

		if (!f)
			continue;
		f->qa_checks = a->now.checks;
		f->qa_score_sum = a->now.score_sum;
		f->reviews = a->reviews;
		f->review_sum = a->review_sum;
		f->rated = a->rated;
		f->rating_sum = a->rating_sum;
		f->cb_accepted = a->cb_accepted;
		f->cb_not_accepted = a->cb_not_accepted;
	}
	free(rows);
	free(checks);
	return rc;
}

static int attend_figures(struct store *s, const char *month, int64_t now, int away_max_min,
			  struct figs *fs)
{
	struct wfm_attend_line *lines = NULL;
	size_t n = 0;
	int year = atoi(month), mon = atoi(month + 5);
	int rc = wfm_attend_month(s, now, away_max_min, year, mon, 0, &lines, &n);

	for (size_t i = 0; rc == 0 && i < n; i++) {
		struct perf_figures *f = fig_of(fs, lines[i].p.id);

		if (!f)
			continue;
		f->days_scheduled = lines[i].s.days_scheduled;
		f->late_days = lines[i].s.late_days;
		f->early_days = lines[i].s.early_days;
		f->absent_days = lines[i].s.absent_days;
	}
	free(lines);
	return rc;
}

static int training_row(void *arg, const struct perf_training *t)
{
	struct perf_figures *f = fig_of(arg, t->person_id);

	if (f) {
		/* Several sources add up; exam scores are averaged by exam. */
		double sum = f->exam_score * f->exams + t->exam_score * t->exams;

		f->sessions += t->sessions;
		f->attended += t->attended;
		f->exams += t->exams;
		f->exam_score = f->exams ? sum / f->exams : 0;
	}
	return 0;
}

int perf_eval_figures(struct store *s, const char *month, int64_t now, int away_max_min,
		      struct perf_figures **out, size_t *n)
{
	struct figs fs = {NULL, 0, 0};
	int64_t from, to;
	int nsrc, rc;
	const struct perf_source *const *src = perf_sources(&nsrc);

	*out = NULL;
	*n = 0;
	if (!perf_month_valid(month))
		return ERR_INVALID;
	perf_month_range(month, &from, &to);
	rc = agents_load(s, &fs);
	if (rc == 0)
		rc = own_figures(s, month, from, to, &fs);
	if (rc == 0)
		rc = qa_figures(s, from, to, &fs);
	if (rc == 0)
		rc = attend_figures(s, month, now, away_max_min, &fs);
	for (int i = 0; rc == 0 && i < nsrc; i++)
		if (src[i]->training) {
			int k = src[i]->training(s, from, to, training_row, &fs);

			rc = k < 0 ? k : 0;
		}
	if (rc < 0) {
		free(fs.f);
		return rc;
	}
	*out = fs.f;
	*n = fs.n;
	return 0;
}

/* ---- the month ---- */

int perf_month_get(struct store *s, const char *month, struct perf_month_info *out)
{
	struct store_stmt *st = store_query(s,
					    "SELECT state, computed_at, computed_by, closed_at,"
					    " closed_by FROM perf_month WHERE month = ?",
					    "t", month);
	int rc = store_next(st, NULL, NULL);

	memset(out, 0, sizeof(*out));
	snprintf(out->month, sizeof(out->month), "%s", month);
	strcpy(out->state, "open");
	if (rc == 1) {
		STORE_COL_COPY(st, 0, out->state);
		out->computed_at = store_col_int(st, 1);
		out->computed_by = store_col_int(st, 2);
		out->closed_at = store_col_int(st, 3);
		out->closed_by = store_col_int(st, 4);
	}
	return store_end(st, rc, 0);
}

json_t *perf_figures_json(const struct perf_figures *f)
{
	return json_pack(
		"{s:i, s:i, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:i, s:i, s:i, s:i,"
		" s:I, s:I, s:I, s:I, s:I, s:i, s:i, s:i, s:f}",
		"praise", f->praise, "criticism", f->criticism, "qa_checks",
		(json_int_t)f->qa_checks, "qa_score_sum", (json_int_t)f->qa_score_sum, "reviews",
		(json_int_t)f->reviews, "review_sum", (json_int_t)f->review_sum, "rated",
		(json_int_t)f->rated, "rating_sum", (json_int_t)f->rating_sum, "cb_accepted",
		(json_int_t)f->cb_accepted, "cb_not_accepted", (json_int_t)f->cb_not_accepted,
		"days_scheduled", f->days_scheduled, "late_days", f->late_days, "early_days",
		f->early_days, "absent_days", f->absent_days, "contacts", (json_int_t)f->contacts,
		"calls", (json_int_t)f->calls, "talk_ms", (json_int_t)f->talk_ms, "acw_ms",
		(json_int_t)f->acw_ms, "convs", (json_int_t)f->convs, "sessions", f->sessions,
		"attended", f->attended, "exams", f->exams, "exam_score", f->exam_score);
}

static void figures_read(json_t *o, struct perf_figures *f)
{
	json_int_t v[22] = {0};
	double exam = 0;

	json_unpack(
		o,
		"{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I,"
		" s:I, s:I, s:I, s:I, s:I, s:I, s:F}",
		"praise", &v[0], "criticism", &v[1], "qa_checks", &v[2], "qa_score_sum", &v[3],
		"reviews", &v[4], "review_sum", &v[5], "rated", &v[6], "rating_sum", &v[7],
		"cb_accepted", &v[8], "cb_not_accepted", &v[9], "days_scheduled", &v[10],
		"late_days", &v[11], "early_days", &v[12], "absent_days", &v[13], "contacts",
		&v[14], "calls", &v[15], "talk_ms", &v[16], "acw_ms", &v[17], "convs", &v[18],
		"sessions", &v[19], "attended", &v[20], "exams", &v[21], "exam_score", &exam);
	f->praise = (int)v[0];
	f->criticism = (int)v[1];
	f->qa_checks = v[2];
	f->qa_score_sum = v[3];
	f->reviews = v[4];
	f->review_sum = v[5];
	f->rated = v[6];
	f->rating_sum = v[7];
	f->cb_accepted = v[8];
	f->cb_not_accepted = v[9];
	f->days_scheduled = (int)v[10];
	f->late_days = (int)v[11];
	f->early_days = (int)v[12];
	f->absent_days = (int)v[13];
	f->contacts = v[14];
	f->calls = v[15];
	f->talk_ms = v[16];
	f->acw_ms = v[17];
	f->convs = v[18];
	f->sessions = (int)v[19];
	f->attended = (int)v[20];
	f->exams = (int)v[21];
	f->exam_score = exam;
}

static json_t *dims_json(const struct perf_score *sc)
{
	json_t *o = json_object();

	for (int d = 0; d < PERF_DIMS; d++)
		if (sc->has[d])
			json_object_set_new(o, perf_dim_name(d), json_real(sc->dim[d]));
	return o;
}

static void dims_read(json_t *o, struct perf_score *sc)
{
	for (int d = 0; d < PERF_DIMS; d++) {
		json_t *v = json_object_get(o, perf_dim_name(d));

		sc->has[d] = json_is_number(v);
		sc->dim[d] = sc->has[d] ? json_number_value(v) : 0;
	}
}

/* Writes one computed reward and its ledger line (amount not 0). */
static int reward_write(struct store *s, const struct perf_reward *w, int64_t *id)
{
	struct perf_line l;
	int64_t line_id;
	int rc = store_run(s,
			   "INSERT INTO perf_reward(month, person_id, rule, category, amount_fen,"
			   " computed_fen, reason, edited_by, created_at)"
			   " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
			   id, "tittiitdi", w->month, w->person_id, w->rule, w->category,
			   w->amount_fen, w->computed_fen, w->reason, w->edited_by, w->created_at);

	if (rc < 0)
		return rc;
	if (w->amount_fen == 0)
		return 0;
	memset(&l, 0, sizeof(l));
	l.person_id = w->person_id;
	memcpy(l.month, w->month, sizeof(l.month));
	snprintf(l.rule, sizeof(l.rule), "%s", w->rule);
	snprintf(l.category, sizeof(l.category), "%s", w->category);
	l.amount_fen = w->amount_fen;
	snprintf(l.reason, sizeof(l.reason), "%s", w->reason);
	snprintf(l.source, sizeof(l.source), "%s", EVAL_SOURCE);
	l.source_id = *id;
	l.created_by = w->edited_by;
	l.created_at = w->created_at;
	return perf_ledger_add(s, &l, &line_id);
}

/* Replaces a current reward: its line voided (none when its amount was 0). */
static int reward_replace(struct store *s, int64_t id, int64_t by, int64_t now, const char *why)
{
	int rc = perf_ledger_void(s, EVAL_SOURCE, id, by, now, why);

	if (rc < 0 && rc != ERR_NOTFOUND)
		return rc;
	rc = store_run(s, "UPDATE perf_reward SET replaced_at = ? WHERE id = ?", NULL, "ii", now,
		       id);
	return rc < 0 ? rc : 0;
}

static int month_rewards_replace(struct store *s, const char *month, int64_t by, int64_t now)
{
	struct store_stmt *st = store_query(s,
					    "SELECT id FROM perf_reward WHERE month = ?"
					    " AND replaced_at IS NULL ORDER BY id",
					    "t", month);
	int64_t *ids = NULL;
	size_t n = 0, cap = 0;
	int rc;

	/* The ids first: the walk ends before the writes begin. */
	while ((rc = store_next(st, NULL, NULL)) == 1) {
		if (n == cap) {
			size_t c = cap ? cap * 2 : 64;
			int64_t *p = realloc(ids, c * sizeof(*p));

			if (!p) {
				rc = ERR_NOMEM;
				break;
			}
			ids = p;
			cap = c;
		}
		ids[n++] = store_col_int(st, 0);
	}
	rc = store_end(st, rc, 0);
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = reward_replace(s, ids[i], by, now, "重新计算考评");
	free(ids);
	return rc;
}

static int eval_row_write(struct store *s, const char *month, const struct perf_figures *f,
			  const struct perf_score *sc, int64_t now)
{
	json_t *fj = perf_figures_json(f), *dj = dims_json(sc);
	char *ftext = json_dumps(fj, JSON_COMPACT), *dtext = json_dumps(dj, JSON_COMPACT);
	int rc = ERR_NOMEM;

	if (ftext && dtext)
		rc = store_run(s,
			       "INSERT INTO perf_eval(month, person_id, figures, dims, total, rank,"
			       " last, computed_at) VALUES (?, ?, ?, ?, ? / 100.0, ?, ?, ?)",
			       NULL, "tittiiii", month, f->person_id, ftext, dtext,
			       (int64_t)(sc->total * 100 + 0.5), (int64_t)sc->rank,
			       (int64_t)sc->last, now);
	free(ftext);
	free(dtext);
	json_decref(fj);
	json_decref(dj);
	return rc < 0 ? rc : 0;
}

static int rewards_write(struct store *s, const char *month, const struct perf_settings *set,
			 const struct perf_figures *f, const struct perf_score *sc, int64_t by,
			 int64_t now)
{
	struct perf_reward w;
	int64_t id;
	int rc = 0;

	memset(&w, 0, sizeof(w));
	memcpy(w.month, month, sizeof(w.month));
	w.person_id = f->person_id;
	w.edited_by = 0;
	w.created_at = now;
	(void)by;
	if (sc->praise_fen) {
		snprintf(w.rule, sizeof(w.rule), "praise");
		snprintf(w.category, sizeof(w.category), "%d", set->praise_count[sc->praise_tier]);
		snprintf(w.reason, sizeof(w.reason), "%s 客户表扬 %d 次", month, f->praise);
		w.amount_fen = w.computed_fen = sc->praise_fen;
		rc = reward_write(s, &w, &id);
	}
	if (rc == 0 && sc->rank_fen) {
		snprintf(w.rule, sizeof(w.rule), "rank");
		if (sc->rank_fen < 0) {
			snprintf(w.category, sizeof(w.category), "last");
			snprintf(w.reason, sizeof(w.reason),
				 "%s 月度考评末位且低于合格线（%.2f 分）", month, sc->total);
		} else {
			snprintf(w.category, sizeof(w.category), "rank%d", sc->rank);
			snprintf(w.reason, sizeof(w.reason), "%s 月度考评第 %d 名（%.2f 分）",
				 month, sc->rank, sc->total);
		}
		w.amount_fen = w.computed_fen = sc->rank_fen;
		rc = reward_write(s, &w, &id);
	}
	return rc;
}

int perf_eval_compute(struct store *s, const char *month, int away_max_min, int64_t by, int64_t now)
{
	struct perf_settings set;
	struct perf_figures *f = NULL;
	struct perf_score *sc = NULL;
	size_t n = 0;
	int rc = perf_month_closed(s, month);

	if (rc != 0)
		return rc < 0 ? rc : ERR_CONFLICT;
	rc = perf_settings_get(s, &set);
	if (rc == 0)
		rc = perf_eval_figures(s, month, now, away_max_min, &f, &n);
	if (rc == 0 && n && !(sc = calloc(n, sizeof(*sc))))
		rc = ERR_NOMEM;
	if (rc < 0)
		goto out;
	perf_eval_month(&set, f, n, sc);
	rc = month_rewards_replace(s, month, by, now);
	if (rc == 0) {
		rc = store_run(s, "DELETE FROM perf_eval WHERE month = ?", NULL, "t", month);
		rc = rc < 0 ? rc : 0;
	}
	for (size_t i = 0; rc == 0 && i < n; i++) {
		rc = eval_row_write(s, month, &f[i], &sc[i], now);
		if (rc == 0)
			rc = rewards_write(s, month, &set, &f[i], &sc[i], by, now);
	}
	if (rc == 0) {
		rc = store_run(
			s,
			"INSERT INTO perf_month(month, computed_at, computed_by) VALUES (?, ?, ?)"
			" ON CONFLICT(month) DO UPDATE SET computed_at = excluded.computed_at,"
			" computed_by = excluded.computed_by",
			NULL, "tid", month, now, by);
		rc = rc < 0 ? rc : 0;
	}
out:
	free(f);
	free(sc);
	return rc;
}

int perf_month_close(struct store *s, const char *month, int64_t by, int64_t now)
{
	struct perf_month_info m;
	int rc = perf_month_get(s, month, &m);

	if (rc < 0)
		return rc;
	if (strcmp(m.state, "closed") == 0 || !m.computed_at)
		return ERR_CONFLICT;
	rc = store_run(s,
		       "UPDATE perf_month SET state = 'closed', closed_at = ?, closed_by = ?"
		       " WHERE month = ? AND state = 'open'",
		       NULL, "iit", now, by, month);
	return rc < 0 ? rc : 0;
}

/* ---- the stored evaluation ---- */

static int eval_read(struct store_stmt *st, void *dst)
{
	struct perf_eval_row *r = dst;
	json_t *fj, *dj;

	memset(r, 0, sizeof(*r));
	r->f.person_id = store_col_int(st, 0);
	STORE_COL_COPY(st, 1, r->f.work_no);
	STORE_COL_COPY(st, 2, r->f.name);
	fj = json_loads(store_col_text_or(st, 3, "{}"), 0, NULL);
	dj = json_loads(store_col_text_or(st, 4, "{}"), 0, NULL);
	if (fj)
		figures_read(fj, &r->f);
	if (dj)
		dims_read(dj, &r->sc);
	json_decref(fj);
	json_decref(dj);
	r->sc.total = (double)store_col_int(st, 5) / 100.0;
	r->sc.rank = (int)store_col_int(st, 6);
	r->sc.last = (int)store_col_int(st, 7);
	r->praise_id = store_col_int(st, 8);
	r->praise_fen = store_col_int(st, 9);
	r->sc.praise_fen = store_col_int(st, 10);
	r->rank_id = store_col_int(st, 11);
	r->rank_fen = store_col_int(st, 12);
	r->sc.rank_fen = store_col_int(st, 13);
	r->edited = (int)store_col_int(st, 14);
	return 0;
}

int perf_eval_rows(struct store *s, const char *month, int64_t person_id,
		   int (*fn)(void *ctx, const struct perf_eval_row *r), void *ctx)
{
	struct store_stmt *st = store_query(
		s,
		"SELECT e.person_id, p.work_no, p.name, e.figures, e.dims,"
		" CAST(round(e.total * 100) AS INTEGER), e.rank, e.last,"
		" pr.id, pr.amount_fen, pr.computed_fen, rr.id, rr.amount_fen, rr.computed_fen,"
		" (pr.edited_by IS NOT NULL OR rr.edited_by IS NOT NULL)"
		" FROM perf_eval e JOIN person p ON p.id = e.person_id"
		" LEFT JOIN perf_reward pr ON pr.month = e.month AND pr.person_id = e.person_id"
		"  AND pr.rule = 'praise' AND pr.replaced_at IS NULL"
		" LEFT JOIN perf_reward rr ON rr.month = e.month AND rr.person_id = e.person_id"
		"  AND rr.rule = 'rank' AND rr.replaced_at IS NULL"
		" WHERE e.month = ? AND (? = 0 OR e.person_id = ?) ORDER BY e.rank, p.work_no",
		"tii", month, person_id, person_id);
	struct perf_eval_row *r = malloc(sizeof(*r));
	int rc, n = 0;

	if (!r) {
		store_end(st, 0, 0);
		return ERR_NOMEM;
	}
	while ((rc = store_next(st, eval_read, r)) == 1 && (rc = fn(ctx, r)) >= 0)
		n++;
	free(r);
	return store_end(st, rc, n);
}

/* ---- rewards ---- */

static int reward_read(struct store_stmt *st, void *dst)
{
	struct perf_reward *w = dst;

	w->id = store_col_int(st, 0);
	STORE_COL_COPY(st, 1, w->month);
	w->person_id = store_col_int(st, 2);
	STORE_COL_COPY(st, 3, w->rule);
	STORE_COL_COPY(st, 4, w->category);
	w->amount_fen = store_col_int(st, 5);
	w->computed_fen = store_col_int(st, 6);
	STORE_COL_COPY(st, 7, w->reason);
	w->edited_by = store_col_int(st, 8);
	w->created_at = store_col_int(st, 9);
	w->replaced_at = store_col_int(st, 10);
	return 0;
}

int perf_reward_get(struct store *s, int64_t id, struct perf_reward *out)
{
	return store_one(store_query(s,
				     "SELECT id, month, person_id, rule, category, amount_fen,"
				     " computed_fen, reason, edited_by, created_at, replaced_at"
				     " FROM perf_reward WHERE id = ?",
				     "i", id),
			 reward_read, out);
}

int perf_reward_edit(struct store *s, int64_t id, int64_t amount_fen, const char *reason,
		     int64_t by, int64_t now, int64_t *new_id)
{
	struct perf_reward w;
	int rc = perf_reward_get(s, id, &w);

	if (rc < 0)
		return rc;
	if (w.replaced_at)
		return ERR_CONFLICT;
	rc = perf_month_closed(s, w.month);
	if (rc != 0)
		return rc < 0 ? rc : ERR_CONFLICT;
	rc = reward_replace(s, id, by, now, reason);
	if (rc < 0)
		return rc;
	w.amount_fen = amount_fen;
	w.edited_by = by;
	w.created_at = now;
	snprintf(w.reason, sizeof(w.reason), "%s", reason);
	return reward_write(s, &w, new_id);
}
