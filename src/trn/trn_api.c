/*
 * Training over HTTP (/api/trn/courses, /plans, /sessions): the courses and
 * their knowledge-base materials (TRN-1), the month's training plan
 * (培训计划表, TRN-3, LED-2) with its submission and its .xlsx, and sessions
 * with their attendance (late and absent marks feed PERF-5 through the perf
 * source). Every field is checked before the write transaction begins;
 * each change is one transaction with its audit entry.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/config.h"
#include "core/err.h"
#include "core/utf8.h"
#include "export/export.h"
#include "http/http.h"
#include "kb/kb.h"
#include "org/org.h"
#include "perf/perf.h"
#include "store/store.h"
#include "trn/trn.h"

static json_t *id_or_null(int64_t v)
{
	return v ? json_integer(v) : json_null();
}

/* A text field of 1..max characters (0..max when blank is allowed), when present. */
static int text_field(struct req *r, const char *key, int required, size_t max, const char **out,
		      int rc)
{
	const char *v = NULL;
	int e = body_str(r, key, required, &v);

	if (e < 0)
		return rc < 0 ? rc : e;
	if (v && utf8_len(v) > max)
		return err_add(&r->ei, rc, ERR_UNPROCESSABLE, key, "%s: at most %d characters", key,
			       (int)max);
	if (v && required && utf8_blank(v))
		return err_add(&r->ei, rc, ERR_UNPROCESSABLE, key, "%s: required", key);
	if (v)
		*out = v;
	return rc;
}

/* ---- Courses ---- */

static int material_row(void *ctx, int64_t article_id, const char *title)
{
	return json_array_append_new(
		ctx, json_pack("{s:I, s:s}", "article_id", (json_int_t)article_id, "title", title));
}

static json_t *course_json(struct store *s, const struct trn_course *c)
{
	json_t *m = json_array();

	trn_material_list(s, c->id, material_row, m);
	return json_pack("{s:I, s:s, s:s, s:s, s:b, s:i, s:i, s:b, s:o}", "id", (json_int_t)c->id,
			 "title", c->title, "trainer", c->trainer, "dept", c->dept, "pre_job",
			 c->pre_job, "day", c->day, "hours", c->hours, "active", c->active,
			 "materials", m);
}

struct listing {
	struct store *s;
	json_t *items;
};

static int course_row(void *ctx, const struct trn_course *c)
{
	struct listing *l = ctx;

	return json_array_append_new(l->items, course_json(l->s, c));
}

static int courses_list(struct req *r)
{
	struct listing l = {r->store, json_array()};
	int rc = trn_course_list(r->store, course_row, &l);

	if (rc < 0) {
		json_decref(l.items);
		return rc;
	}
	return reply_json(r, 200, json_pack("{s:o}", "items", l.items));
}

/* The course's fields from the body over c; every broken field listed. */
static int course_fields(struct req *r, struct trn_course *c, int creating)
{
	const char *title = NULL, *trainer = NULL, *dept = NULL;
	int rc = 0, pre = c->pre_job, day = c->day, hours = c->hours, active = c->active;

	/* A course's name: its own message ("title" alone reads as a form of address). */
	if (body_str(r, "title", creating, &title) < 0 ||
	    (title && (utf8_blank(title) || utf8_len(title) > TRN_TITLE_MAX)))
		rc = err_add(&r->ei, rc, ERR_UNPROCESSABLE, "title", "title: 1 to 200 characters");
	rc = text_field(r, "trainer", 0, 100, &trainer, rc);
	rc = text_field(r, "dept", 0, 100, &dept, rc);
	rc = body_bool_add(r, "pre_job", &pre, rc);
	rc = body_int_add(r, "day", &day, rc);
	rc = body_int_add(r, "hours", &hours, rc);
	rc = body_bool_add(r, "active", &active, rc);
	if (day < 0 || day > 3 || (pre && day == 0))
		rc = err_add(&r->ei, rc, ERR_UNPROCESSABLE, "day",
			     "day: the pre-job programme's day 1 to 3, or 0");
	if (hours < 1 || hours > 24)
		rc = err_add(&r->ei, rc, ERR_UNPROCESSABLE, "hours", "hours: 1 to 24");
	if (rc < 0)
		return rc;
	if (title)
		snprintf(c->title, sizeof(c->title), "%s", title);
	if (trainer)
		snprintf(c->trainer, sizeof(c->trainer), "%s", trainer);
	if (dept)
		snprintf(c->dept, sizeof(c->dept), "%s", dept);
	c->pre_job = pre;
	c->day = pre ? day : 0;
	c->hours = hours;
	c->active = active;
	return 0;
}

static const char *const course_keys[] = {"title", "trainer", "dept",	"pre_job",
					  "day",   "hours",   "active", NULL};

static int course_create(struct req *r)
{
	struct trn_course c = {.hours = 2, .active = 1};
	int rc = body_only(r, course_keys);

	if (rc == 0)
		rc = course_fields(r, &c, 1);
	if (rc == 0)
		rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	rc = trn_course_insert(r->store, &c, r->now);
	if (rc == 0)
		rc = req_audit(r, "trn.course.create", "trn_course", c.id, "ok",
			       json_pack("{s:s, s:b}", "title", c.title, "pre_job", c.pre_job));
	rc = req_finish(r, rc);
	if (rc < 0)
		return rc;
	return reply_json(r, 201, course_json(r->store, &c));
}

static int load_course(struct req *r, struct trn_course *c)
{
	int64_t id;
	int rc = req_param_id(r, 0, &id);

	if (rc == 0)
		rc = trn_course_get(r->store, id, c);
	if (rc == ERR_NOTFOUND)
		return err_set(&r->ei, rc, NULL, "no such course");
	return rc;
}

static int course_patch(struct req *r)
{
	struct trn_course c;
	int rc = body_only(r, course_keys);

	if (rc == 0)
		rc = load_course(r, &c);
	if (rc == 0)
		rc = course_fields(r, &c, 0);
	if (rc == 0)
		rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	rc = trn_course_update(r->store, &c);
	if (rc == 0)
		rc = req_audit(r, "trn.course.update", "trn_course", c.id, "ok",
			       json_deep_copy(r->body));
	rc = req_finish(r, rc);
	if (rc < 0)
		return rc;
	return reply_json(r, 200, course_json(r->store, &c));
}

/* POST /api/trn/courses/{id}/materials: a knowledge-base article as the course's material. */
static int material_add(struct req *r)
{
	static const char *const keys[] = {"article_id", NULL};
	struct trn_course c;
	struct kb_article a;
	int64_t article_id = 0;
	int rc = body_only(r, keys);

	if (rc == 0)
		rc = body_ref(r, "article_id", &article_id);
	if (rc == 0)
		rc = load_course(r, &c);
	if (rc == 0 &&
	    (article_id <= 0 || kb_article_get(r->store, article_id, &a) == ERR_NOTFOUND))
		rc = err_set(&r->ei, ERR_UNPROCESSABLE, "article_id",
			     "article_id: no such knowledge-base article");
	if (rc == 0)
		rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	rc = trn_material_add(r->store, c.id, article_id, r->who.person_id, r->now);
	if (rc == 0)
		rc = err_set(&r->ei, ERR_CONFLICT, "article_id",
			     "the article is already a material of the course");
	else if (rc > 0)
		rc = req_audit(r, "trn.material.add", "trn_course", c.id, "ok",
			       json_pack("{s:I}", "article_id", (json_int_t)article_id));
	rc = req_finish(r, rc);
	if (rc < 0)
		return rc;
	return reply_json(r, 201, course_json(r->store, &c));
}

static int material_remove(struct req *r)
{
	struct trn_course c;
	int64_t article_id;
	int rc = load_course(r, &c);

	if (rc == 0 && req_param_id(r, 1, &article_id) < 0)
		rc = err_set(&r->ei, ERR_NOTFOUND, NULL, "no such material");
	if (rc == 0)
		rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	rc = trn_material_remove(r->store, c.id, article_id);
	if (rc == ERR_NOTFOUND)
		err_set(&r->ei, rc, NULL, "no such material");
	if (rc == 0)
		rc = req_audit(r, "trn.material.remove", "trn_course", c.id, "ok",
			       json_pack("{s:I}", "article_id", (json_int_t)article_id));
	rc = req_finish(r, rc);
	if (rc < 0)
		return rc;
	return reply_json(r, 200, course_json(r->store, &c));
}

/* ---- Plans (培训计划表) ---- */

static int plan_item_row(void *ctx, const struct trn_plan_item *it)
{
	return json_array_append_new(
		ctx, json_pack("{s:I, s:s, s:I, s:s, s:o, s:s, s:i, s:s}", "id", (json_int_t)it->id,
			       "day", it->day, "course_id", (json_int_t)it->course_id, "course",
			       it->course, "trainer_id", id_or_null(it->trainer_id), "trainer",
			       it->trainer, "hours", it->hours, "audience", it->audience));
}

static json_t *plan_json(const struct trn_plan *p, int exists)
{
	int64_t due = trn_plan_due(p->month);

	return json_pack("{s:s, s:b, s:s, s:I, s:o, s:o, s:b}", "month", p->month, "exists", exists,
			 "notes", p->notes, "due_at", (json_int_t)due, "submitted_at",
			 id_or_null(p->submitted_at), "submitted_by", id_or_null(p->submitted_by),
			 "late", p->submitted_at && p->submitted_at >= due);
}

static int plan_row(void *ctx, const struct trn_plan *p)
{
	return json_array_append_new(ctx, plan_json(p, 1));
}

static int plans_list(struct req *r)
{
	json_t *items = json_array();
	int rc = trn_plan_list(r->store, plan_row, items);

	if (rc < 0) {
		json_decref(items);
		return rc;
	}
	return reply_json(r, 200, json_pack("{s:o}", "items", items));
}

static int plan_month(struct req *r, char month[8])
{
	if (!perf_month_valid(r->params[0]))
		return err_set(&r->ei, ERR_INVALID, "month", "month: a month as YYYY-MM");
	memcpy(month, r->params[0], 8);
	return 0;
}

/* The plan of the month, or an empty one not written yet. */
static int plan_load_of(struct store *st, const char *month, struct trn_plan *p, int *exists)
{
	int rc = trn_plan_get(st, month, p);

	*exists = rc == 0;
	if (rc == ERR_NOTFOUND) {
		memset(p, 0, sizeof(*p));
		snprintf(p->month, sizeof(p->month), "%s", month);
		rc = 0;
	}
	return rc;
}

static int plan_load(struct req *r, const char *month, struct trn_plan *p, int *exists)
{
	return plan_load_of(r->store, month, p, exists);
}

static int plan_reply(struct req *r, unsigned status, const char *month)
{
	struct trn_plan p;
	json_t *o, *items;
	int exists, rc = plan_load(r, month, &p, &exists);

	if (rc < 0)
		return rc;
	o = plan_json(&p, exists);
	items = json_array();
	rc = trn_plan_items(r->store, month, plan_item_row, items);
	json_object_set_new(o, "items", items);
	if (rc < 0) {
		json_decref(o);
		return rc;
	}
	return reply_json(r, status, o);
}

static int plan_get(struct req *r)
{
	char month[8];
	int rc = plan_month(r, month);

	return rc < 0 ? rc : plan_reply(r, 200, month);
}

#define PLAN_ITEMS_MAX 200

/* A plan line: a day of the month, an active course, a trainer who is a person, hours. */
static int plan_item_parse(struct req *r, const char *month, json_t *j, int i,
			   struct trn_plan_item *it)
{
	const char *day = json_string_value(json_object_get(j, "day"));
	const char *aud = json_string_value(json_object_get(j, "audience"));
	json_t *hours = json_object_get(j, "hours"), *tr = json_object_get(j, "trainer_id");
	struct trn_course c;
	struct org_person p;
	char field[32];

	snprintf(field, sizeof(field), "items[%d]", i);
	memset(it, 0, sizeof(*it));
	if (!json_is_object(j) || !day || strlen(day) != 10 || strncmp(day, month, 7) != 0 ||
	    day[7] != '-' || day[8] < '0' || day[8] > '3' || day[9] < '0' || day[9] > '9' ||
	    strcmp(day + 8, "01") < 0 || strcmp(day + 8, "31") > 0)
		return err_set(&r->ei, ERR_UNPROCESSABLE, field,
			       "items[%d]: day: a date of the plan's month", i);
	snprintf(it->day, sizeof(it->day), "%s", day);
	it->course_id = json_integer_value(json_object_get(j, "course_id"));
	if (it->course_id <= 0 || trn_course_get(r->store, it->course_id, &c) != 0 || !c.active)
		return err_set(&r->ei, ERR_UNPROCESSABLE, field, "items[%d]: no such active course",
			       i);
	if (tr && !json_is_null(tr)) {
		it->trainer_id = json_integer_value(tr);
		if (it->trainer_id <= 0 || org_person_get(r->store, it->trainer_id, &p) != 0)
			return err_set(&r->ei, ERR_UNPROCESSABLE, field,
				       "items[%d]: no such trainer", i);
	}
	it->hours = hours ? (int)json_integer_value(hours) : c.hours;
	if (it->hours < 1 || it->hours > 24)
		return err_set(&r->ei, ERR_UNPROCESSABLE, field, "items[%d]: hours: 1 to 24", i);
	if (aud && utf8_len(aud) > 200)
		return err_set(&r->ei, ERR_UNPROCESSABLE, field,
			       "items[%d]: audience: at most 200 characters", i);
	snprintf(it->audience, sizeof(it->audience), "%s", aud ? aud : "");
	return 0;
}

/* PUT /api/trn/plans/{month}: the plan's notes and lines, replaced as a whole. */
static int plan_put(struct req *r)
{
	static const char *const keys[] = {"notes", "items", NULL};
	static struct trn_plan_item none;
	struct trn_plan_item *items = NULL;
	struct trn_plan p;
	const char *notes = "";
	json_t *arr = json_object_get(r->body, "items");
	char month[8];
	int exists, n = 0, rc = plan_month(r, month);

	if (rc == 0)
		rc = body_only(r, keys);
	if (rc == 0)
		rc = text_field(r, "notes", 0, 1000, &notes, 0);
	if (rc == 0 && !json_is_array(arr))
		rc = err_set(&r->ei, ERR_INVALID, "items", "items: a list of the plan's lines");
	if (rc == 0 && json_array_size(arr) > PLAN_ITEMS_MAX)
		rc = err_set(&r->ei, ERR_UNPROCESSABLE, "items", "items: at most %d lines",
			     PLAN_ITEMS_MAX);
	if (rc == 0)
		rc = plan_load(r, month, &p, &exists);
	if (rc < 0)
		return rc;
	n = (int)json_array_size(arr);
	items = n ? calloc((size_t)n, sizeof(*items)) : &none;
	if (!items)
		return ERR_NOMEM;
	for (int i = 0; rc == 0 && i < n; i++)
		rc = plan_item_parse(r, month, json_array_get(arr, (size_t)i), i, &items[i]);
	snprintf(p.notes, sizeof(p.notes), "%s", notes);
	if (rc == 0)
		rc = store_begin(r->store);
	if (rc == 0) {
		rc = trn_plan_put(r->store, &p, items, n, r->who.person_id, r->now);
		if (rc == 0)
			rc = req_audit(r, "trn.plan.update", "trn_plan", 0, "ok",
				       json_pack("{s:s, s:i}", "month", month, "items", n));
		rc = req_finish(r, rc);
	}
	if (items != &none)
		free(items);
	return rc < 0 ? rc : plan_reply(r, 200, month);
}

static int count_item(void *ctx, const struct trn_plan_item *it)
{
	(void)ctx;
	(void)it;
	return 0;
}

/* POST /api/trn/plans/{month}/submit: TRN-3, before the 28th of the month before. */
static int plan_submit(struct req *r)
{
	struct trn_plan p;
	char month[8];
	int64_t n = 0;
	int exists, rc = plan_month(r, month);

	if (rc == 0)
		rc = plan_load(r, month, &p, &exists);
	if (rc == 0 && p.submitted_at)
		rc = err_set(&r->ei, ERR_CONFLICT, NULL, "the plan is submitted already");
	if (rc == 0 && exists) {
		rc = trn_plan_items(r->store, month, count_item, NULL);
		n = rc > 0 ? rc : 0;
		rc = rc < 0 ? rc : 0;
	}
	if (rc == 0 && n == 0)
		rc = err_set(&r->ei, ERR_CONFLICT, NULL, "the plan has no lines yet");
	if (rc == 0)
		rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	rc = trn_plan_submit(r->store, month, r->who.person_id, r->now);
	if (rc == 0)
		rc = req_audit(r, "trn.plan.submit", "trn_plan", 0, "ok",
			       json_pack("{s:s, s:b}", "month", month, "late",
					 r->now >= trn_plan_due(month)));
	rc = req_finish(r, rc);
	return rc < 0 ? rc : plan_reply(r, 200, month);
}

/* ---- The plan as the center's form 培训计划表 (.xlsx) ---- */

struct sheet_fill {
	struct export_sheet *sh;
	int row;
	int hours;
};

static int sheet_row(void *ctx, const struct trn_plan_item *it)
{
	struct sheet_fill *f = ctx;

	export_int(f->sh, f->row, 0, f->row + 1, NULL);
	export_text(f->sh, f->row, 1, it->day, NULL);
	export_text(f->sh, f->row, 2, it->course, NULL);
	export_text(f->sh, f->row, 3, it->trainer, NULL);
	export_int(f->sh, f->row, 4, it->hours, NULL);
	export_text(f->sh, f->row, 5, it->audience, NULL);
	f->hours += it->hours;
	f->row++;
	return 0;
}

/*
 * The workbook of month's plan p: the layout the download and the center's
 * registry (issue 20) share. made_on is YYYY-MM-DD.
 */
static int plan_book(struct store *st, const struct trn_plan *p, const char *center,
		     const char *made_by, const char *made_on, int english, struct export_book **out)
{
	static const char *const zh[] = {"序号", "日期", "培训课程", "培训人", "课时", "参训人员"};
	static const char *const en[] = {"No.", "Date", "Course", "Trainer", "Hours", "Audience"};
	static const double widths[] = {6, 12, 30, 16, 8, 30};
	struct export_book *b = export_book_new();
	struct export_sheet *sh;
	struct sheet_fill f = {0};
	char title[200];
	int rc;

	if (!b)
		return ERR_NOMEM;
	sh = export_sheet_add(b, english ? "Training plan" : "培训计划表");
	snprintf(title, sizeof(title), english ? "%s training plan %s" : "%s培训计划表（%s）",
		 center, p->month);
	export_title(sh, title);
	export_subtitle(sh, p->notes);
	for (int i = 0; i < 6; i++) {
		export_column(sh, i, widths[i]);
		export_header(sh, 0, i, 1, 1, english ? en[i] : zh[i], NULL);
	}
	f.sh = sh;
	rc = trn_plan_items(st, p->month, sheet_row, &f);
	export_text(sh, f.row, 0, english ? "Total" : "合计", NULL);
	export_merge(sh, f.row, 0, 4);
	export_int(sh, f.row, 4, f.hours, NULL);
	export_totals(sh, f.row);
	export_signed(sh, 0, made_by, made_on, english);
	if (rc < 0) {
		export_book_free(b);
		return rc;
	}
	return export_book_done(b, out);
}

static int plan_export(struct req *r)
{
	struct export_book *b = NULL;
	struct trn_plan p;
	char month[8], ascii[40], utf8[200], today[32];
	int exists, english = err_lang_english(req_header(r, "Accept-Language"));
	int rc = plan_month(r, month);

	if (rc == 0)
		rc = plan_load(r, month, &p, &exists);
	if (rc == 0 && !exists)
		rc = err_set(&r->ei, ERR_NOTFOUND, "month", "no training plan for this month");
	if (rc < 0)
		return rc;
	clock_iso8601(r->now, today, sizeof(today));
	today[10] = '\0';
	rc = plan_book(r->store, &p, r->app->cfg->center_name, r->who.name, today, english, &b);
	snprintf(ascii, sizeof(ascii), "training-plan-%s.xlsx", month);
	snprintf(utf8, sizeof(utf8), "培训计划表-%s.xlsx", month);
	if (rc >= 0)
		rc = export_reply(r, b, ascii, english ? NULL : utf8);
	if (rc >= 0)
		rc = store_begin(r->store);
	if (rc >= 0) {
		rc = req_audit(r, "trn.plan.export", "trn_plan", 0, "ok",
			       json_pack("{s:s, s:s}", "month", month, "language",
					 english ? "en" : "zh-CN"));
		rc = req_finish(r, rc);
	}
	export_book_free(b);
	return rc < 0 ? rc : 0;
}

/* 培训计划表 in the center's registry (issue 20): the month of the period's
 * first day; a month without a plan is an empty form. */
static int plan_form_build(struct store *st, const struct export_form_args *a,
			   struct export_book **out)
{
	struct trn_plan p;
	char month[8], today[32];
	int exists, rc;

	snprintf(month, sizeof(month), "%04u-%02u", (unsigned)a->from_ymd / 10000 % 10000,
		 (unsigned)a->from_ymd / 100 % 100);
	rc = plan_load_of(st, month, &p, &exists);
	if (rc < 0)
		return rc;
	clock_iso8601(a->now, today, sizeof(today));
	today[10] = '\0';
	return plan_book(st, &p, a->cfg->center_name, a->made_by, today, a->english, out);
}

const struct export_form trn_plan_form = {
	"training_plan", "培训计划表", "Training plan", "/trn/training",
	ACT_TRN_READ, EXPORT_PERIOD_MONTH, plan_form_build};

/* ---- Sessions and attendance ---- */

static int attendance_row(void *ctx, const struct trn_attendance *a)
{
	return json_array_append_new(
		ctx, json_pack("{s:I, s:I, s:s, s:s, s:s, s:o, s:o}", "id", (json_int_t)a->id,
			       "person_id", (json_int_t)a->person_id, "work_no", a->work_no, "name",
			       a->name, "status", a->status, "marked_at", id_or_null(a->marked_at),
			       "marked_by", id_or_null(a->marked_by)));
}

static json_t *session_json(const struct trn_session *x)
{
	return json_pack("{s:I, s:I, s:s, s:s, s:I, s:s, s:I, s:I, s:s}", "id", (json_int_t)x->id,
			 "course_id", (json_int_t)x->course_id, "course", x->course, "title",
			 x->title, "trainer_id", (json_int_t)x->trainer_id, "trainer", x->trainer,
			 "starts_at", (json_int_t)x->starts_at, "ends_at", (json_int_t)x->ends_at,
			 "place", x->place);
}

static int session_reply(struct req *r, unsigned status, int64_t id)
{
	struct trn_session x;
	json_t *o, *att;
	int rc = trn_session_get(r->store, id, &x);

	if (rc == ERR_NOTFOUND)
		return err_set(&r->ei, rc, NULL, "no such session");
	if (rc < 0)
		return rc;
	o = session_json(&x);
	att = json_array();
	rc = trn_attendance_list(r->store, id, attendance_row, att);
	json_object_set_new(o, "attendance", att);
	if (rc < 0) {
		json_decref(o);
		return rc;
	}
	return reply_json(r, status, o);
}

static int session_row(void *ctx, const struct trn_session *x)
{
	return json_array_append_new(ctx, session_json(x));
}

/* GET /api/trn/sessions?from=&to=: by start, default the 60 days around now. */
static int sessions_list(struct req *r)
{
	int64_t from = r->now - 30 * 86400000LL, to = r->now + 30 * 86400000LL;
	json_t *items;
	int rc = req_query_int(r, "from", 0, INT64_MAX, &from);

	if (rc == 0)
		rc = req_query_int(r, "to", 0, INT64_MAX, &to);
	if (rc < 0)
		return rc;
	items = json_array();
	rc = trn_session_list(r->store, from, to, session_row, items);
	if (rc < 0) {
		json_decref(items);
		return rc;
	}
	return reply_json(r, 200, json_pack("{s:o}", "items", items));
}

static int session_get(struct req *r)
{
	int64_t id;
	int rc = req_param_id(r, 0, &id);

	return rc < 0 ? rc : session_reply(r, 200, id);
}

#define ATTENDEES_MAX 200

/* POST /api/trn/sessions: a course held at a time, with its trainer and who is expected. */
static int session_create(struct req *r)
{
	static const char *const keys[] = {"course_id", "title", "trainer_id", "starts_at",
					   "ends_at",	"place", "attendees",  NULL};
	struct trn_session x = {0};
	struct trn_course c;
	struct org_person p;
	const char *title = NULL, *place = NULL;
	json_t *att = json_object_get(r->body, "attendees"), *v;
	json_t *starts = json_object_get(r->body, "starts_at");
	json_t *ends = json_object_get(r->body, "ends_at");
	size_t i;
	int rc = body_only(r, keys);

	if (rc < 0)
		return rc;
	rc = body_ref(r, "course_id", &x.course_id);
	if (rc == 0 && (x.course_id <= 0 || trn_course_get(r->store, x.course_id, &c) != 0))
		rc = err_set(&r->ei, ERR_UNPROCESSABLE, "course_id", "course_id: no such course");
	if (body_str(r, "title", 0, &title) < 0 || (title && utf8_len(title) > TRN_TITLE_MAX))
		rc = err_add(&r->ei, rc, ERR_UNPROCESSABLE, "title", "title: 1 to 200 characters");
	rc = text_field(r, "place", 0, 100, &place, rc);
	if (body_ref(r, "trainer_id", &x.trainer_id) < 0 || x.trainer_id <= 0 ||
	    org_person_get(r->store, x.trainer_id, &p) != 0)
		rc = err_add(&r->ei, rc, ERR_UNPROCESSABLE, "trainer_id",
			     "trainer_id: no such person");
	if (!json_is_integer(starts) || !json_is_integer(ends) || json_integer_value(starts) <= 0 ||
	    json_integer_value(ends) <= json_integer_value(starts))
		rc = err_add(&r->ei, rc, ERR_UNPROCESSABLE, "ends_at",
			     "starts_at and ends_at: instants, the end after the start");
	if (!json_is_array(att) || json_array_size(att) == 0 ||
	    json_array_size(att) > ATTENDEES_MAX)
		rc = err_add(&r->ei, rc, ERR_UNPROCESSABLE, "attendees",
			     "attendees: 1 to %d people", ATTENDEES_MAX);
	else
		json_array_foreach(att, i, v)
		{
			if (!json_is_integer(v) || json_integer_value(v) <= 0 ||
			    org_person_get(r->store, json_integer_value(v), &p) != 0) {
				rc = err_add(&r->ei, rc, ERR_UNPROCESSABLE, "attendees",
					     "attendees: no such person");
				break;
			}
		}
	if (rc < 0)
		return rc;
	snprintf(x.title, sizeof(x.title), "%s", title && !utf8_blank(title) ? title : c.title);
	snprintf(x.place, sizeof(x.place), "%s", place ? place : "");
	x.starts_at = json_integer_value(starts);
	x.ends_at = json_integer_value(ends);
	rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	rc = trn_session_insert(r->store, &x, r->who.person_id, r->now);
	json_array_foreach(att, i, v)
	{
		if (rc < 0)
			break;
		rc = trn_attendee_add(r->store, x.id, json_integer_value(v));
	}
	if (rc >= 0)
		rc = req_audit(r, "trn.session.create", "trn_session", x.id, "ok",
			       json_pack("{s:I, s:s, s:I, s:i}", "course_id",
					 (json_int_t)x.course_id, "title", x.title, "starts_at",
					 (json_int_t)x.starts_at, "attendees",
					 (int)json_array_size(att)));
	rc = req_finish(r, rc < 0 ? rc : 0);
	return rc < 0 ? rc : session_reply(r, 201, x.id);
}

/* POST /api/trn/sessions/{id}/attendance: present, late or absent, stamped now (PERF-5). */
static int attendance_mark(struct req *r)
{
	static const char *const keys[] = {"person_id", "status", NULL};
	struct trn_session x;
	const char *status = NULL;
	int64_t id, person = 0;
	int rc = req_param_id(r, 0, &id);

	if (rc == 0)
		rc = body_only(r, keys);
	if (rc == 0)
		rc = body_ref(r, "person_id", &person);
	if (rc == 0)
		rc = body_str(r, "status", 1, &status);
	if (rc == 0 && strcmp(status, "present") != 0 && strcmp(status, "late") != 0 &&
	    strcmp(status, "absent") != 0)
		rc = err_set(&r->ei, ERR_UNPROCESSABLE, "status",
			     "status: present, late or absent");
	if (rc == 0) {
		rc = trn_session_get(r->store, id, &x);
		if (rc == ERR_NOTFOUND)
			rc = err_set(&r->ei, rc, NULL, "no such session");
	}
	/* Nobody is late or absent before the session began. */
	if (rc == 0 && r->now < x.starts_at)
		rc = err_set(&r->ei, ERR_CONFLICT, NULL,
			     "the session has not begun: attendance is marked from its start");
	if (rc == 0)
		rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	rc = trn_attendance_mark(r->store, id, person, status, r->who.person_id, r->now);
	if (rc == ERR_NOTFOUND)
		err_set(&r->ei, ERR_UNPROCESSABLE, "person_id",
			"person_id: not expected at this session");
	if (rc == 0)
		rc = req_audit(
			r, "trn.attendance", "trn_session", id, "ok",
			json_pack("{s:I, s:s}", "person_id", (json_int_t)person, "status", status));
	rc = req_finish(r, rc == ERR_NOTFOUND ? ERR_UNPROCESSABLE : rc);
	return rc < 0 ? rc : session_reply(r, 200, id);
}

const struct route trn_routes[] = {
	{"GET", "/api/trn/courses", courses_list, ACT_TRN_READ},
	{"POST", "/api/trn/courses", course_create, ACT_TRN_MANAGE},
	{"PATCH", "/api/trn/courses/{id}", course_patch, ACT_TRN_MANAGE},
	{"POST", "/api/trn/courses/{id}/materials", material_add, ACT_TRN_MANAGE},
	{"DELETE", "/api/trn/courses/{id}/materials/{aid}", material_remove, ACT_TRN_MANAGE},
	{"GET", "/api/trn/plans", plans_list, ACT_TRN_READ},
	{"GET", "/api/trn/plans/{month}", plan_get, ACT_TRN_READ},
	{"PUT", "/api/trn/plans/{month}", plan_put, ACT_TRN_MANAGE},
	{"POST", "/api/trn/plans/{month}/submit", plan_submit, ACT_TRN_MANAGE},
	{"GET", "/api/trn/plans/{month}/export", plan_export, ACT_TRN_MANAGE},
	{"GET", "/api/trn/sessions", sessions_list, ACT_TRN_READ},
	{"POST", "/api/trn/sessions", session_create, ACT_TRN_MANAGE},
	{"GET", "/api/trn/sessions/{id}", session_get, ACT_TRN_READ},
	{"POST", "/api/trn/sessions/{id}/attendance", attendance_mark, ACT_TRN_MANAGE},
	{NULL, NULL, NULL, 0},
};
