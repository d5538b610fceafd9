/*
 * Scheduled reports over HTTP and their tick (report.h, "Scheduled
 * reports").
 *
 * /api/report-schedules is the manager's (ACT_REPORT_SCHEDULE): list,
 * create, change (any of the fields; enabled turns one off and on) and
 * delete, each change audited. GET /api/report-files/{id} serves a
 * delivered file to the people it went to and to the manager, audited
 * (SEC-2); anyone else is refused (403, audited as every refusal).
 *
 * The tick makes each due period of each enabled schedule once: the form
 * is built in a read snapshot, then the file row (unique by schedule and
 * first day), its recipients and their notifications are written in one
 * transaction, so a round that fails leaves nothing and the next one
 * tries again, and a round that succeeded is never repeated. Email goes
 * out after the commit, through the mailer cli registered.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/log.h"
#include "export/export.h"
#include "http/http.h"
#include "notify/notify.h"
#include "org/org.h"
#include "report/report.h"
#include "store/store.h"

static report_mailer_fn mailer;

void report_set_mailer(report_mailer_fn fn)
{
	mailer = fn;
}

static void ymd_text(int ymd, char *out, size_t size)
{
	if (ymd)
		snprintf(out, size, "%04d-%02d-%02d", ymd / 10000, ymd / 100 % 100, ymd % 100);
	else
		snprintf(out, size, "%s", "");
}

static json_t *id_or_null(int64_t id)
{
	return id ? json_integer(id) : json_null();
}

static json_t *sched_json(struct req *r, const struct report_schedule *sc)
{
	const struct export_form *f = export_form_find(sc->form);
	int english = err_lang_english(req_header(r, "Accept-Language"));
	json_t *people = json_array(), *last = json_null();
	char at[8], from[16], to[16];

	for (int i = 0; i < sc->npeople; i++) {
		struct org_person p;

		if (org_person_get(r->store, sc->people[i], &p) == 0)
			json_array_append_new(people,
					      json_pack("{s:I, s:s, s:s}", "id", (json_int_t)p.id,
							"name", p.name, "work_no", p.work_no));
	}
	if (sc->last_file_id) {
		ymd_text(sc->last_from, from, sizeof(from));
		ymd_text(sc->last_to, to, sizeof(to));
		last = json_pack("{s:I, s:I, s:s, s:s, s:o}", "file_id",
				 (json_int_t)sc->last_file_id, "made_at",
				 (json_int_t)sc->last_made_at, "from", from, "to", to, "error",
				 sc->last_error[0] ? json_string(sc->last_error) : json_null());
	}
	snprintf(at, sizeof(at), "%02d:%02d", sc->at_minute / 60 % 100, sc->at_minute % 60);
	return json_pack(
		"{s:I, s:s, s:s, s:s, s:s, s:o, s:o, s:s, s:b, s:I, s:o}", "id", (json_int_t)sc->id,
		"form", sc->form, "title", f ? (english ? f->title_en : f->title) : sc->form,
		"cadence", report_cadence_name(sc->cadence), "at", at, "department_id",
		id_or_null(sc->department_id), "recipients", people, "emails", sc->emails,
		"enabled", sc->enabled, "updated_at", (json_int_t)sc->updated_at, "last", last);
}

struct list_ctx {
	struct req *r;
	json_t *items;
};

static int list_row(void *ctx, const struct report_schedule *sc)
{
	struct list_ctx *c = ctx;

	json_array_append_new(c->items, sched_json(c->r, sc));
	return 0;
}

/* GET /api/report-schedules */
static int sched_list(struct req *r)
{
	struct list_ctx c = {r, json_array()};
	int rc = store_snapshot(r->store);

	if (rc == 0)
		rc = report_sched_list(r->store, 0, list_row, &c);
	store_rollback(r->store);
	if (rc < 0) {
		json_decref(c.items);
		return rc;
	}
	return reply_json(r, 200, json_pack("{s:o}", "items", c.items));
}

/* The recipients of the body, each an existing person. */
static int body_people(struct req *r, struct report_schedule *sc, int rc)
{
	json_t *v = json_object_get(r->body, "recipients"), *x;
	size_t i;

	if (!v)
		return rc;
	if (!json_is_array(v) || json_array_size(v) < 1 ||
	    json_array_size(v) > REPORT_SCHED_RECIPIENTS_MAX)
		return err_add(&r->ei, rc, ERR_INVALID, "recipients", "recipients: 1 to %d people",
			       REPORT_SCHED_RECIPIENTS_MAX);
	sc->npeople = 0;
	json_array_foreach(v, i, x)
	{
		struct org_person p;

		if (!json_is_integer(x) || json_integer_value(x) <= 0 ||
		    org_person_get(r->store, json_integer_value(x), &p) < 0)
			return err_add(&r->ei, rc, ERR_INVALID, "recipients",
				       "recipients: no such person");
		sc->people[sc->npeople++] = p.id;
	}
	return rc;
}

/* The body's fields over sc; on create form, cadence, at and recipients are required. */
static int read_body(struct req *r, struct report_schedule *sc, int create)
{
	static const char *const allowed[] = {"form",	       "cadence", "at",	     "recipients",
					      "department_id", "emails",  "enabled", NULL};
	const char *form = NULL, *cadence = NULL, *at = NULL, *emails = NULL;
	int64_t dept = sc->department_id;
	int rc = body_only(r, allowed);

	if (rc < 0)
		return rc;
	if (body_str(r, "form", create, &form) < 0 || (form && !export_form_find(form)))
		rc = err_add(&r->ei, rc, ERR_INVALID, "form", "form: no such form");
	else if (form)
		snprintf(sc->form, sizeof(sc->form), "%s", form);
	if (body_str(r, "cadence", create, &cadence) < 0 ||
	    (cadence && report_cadence_parse(cadence) < 0))
		rc = err_add(&r->ei, rc, ERR_INVALID, "cadence",
			     "cadence: daily, weekly or monthly");
	else if (cadence)
		sc->cadence = report_cadence_parse(cadence);
	if (body_str(r, "at", create, &at) < 0 || (at && report_sched_minute(at) < 0))
		rc = err_add(&r->ei, rc, ERR_INVALID, "at", "at: a time of day as HH:MM");
	else if (at)
		sc->at_minute = report_sched_minute(at);
	if (create && !json_object_get(r->body, "recipients"))
		rc = err_add(&r->ei, rc, ERR_INVALID, "recipients", "recipients: 1 to %d people",
			     REPORT_SCHED_RECIPIENTS_MAX);
	rc = body_people(r, sc, rc);
	if (body_str(r, "emails", 0, &emails) < 0 || (emails && !report_sched_emails_valid(emails)))
		rc = err_add(&r->ei, rc, ERR_INVALID, "emails",
			     "emails: email addresses separated by commas");
	else if (emails)
		snprintf(sc->emails, sizeof(sc->emails), "%s", emails);
	if (body_ref(r, "department_id", &dept) < 0) {
		rc = err_add(&r->ei, rc, ERR_INVALID, "department_id",
			     "department_id: no such department");
	} else if (dept) {
		struct org_department d;

		if (org_department_get(r->store, dept, &d) < 0)
			rc = err_add(&r->ei, rc, ERR_INVALID, "department_id",
				     "department_id: no such department");
	}
	sc->department_id = dept;
	if (body_bool(r, "enabled", &sc->enabled) < 0)
		rc = err_add(&r->ei, rc, ERR_INVALID, "enabled", "enabled: true or false");
	return rc;
}

static int reply_sched(struct req *r, unsigned status, int64_t id)
{
	struct report_schedule sc;
	int rc = report_sched_get(r->store, id, &sc);

	return rc < 0 ? rc : reply_json(r, status, sched_json(r, &sc));
}

static json_t *audit_detail(const struct report_schedule *sc)
{
	return json_pack("{s:s, s:s, s:i, s:I, s:i, s:b}", "form", sc->form, "cadence",
			 report_cadence_name(sc->cadence), "at_minute", sc->at_minute,
			 "department_id", (json_int_t)sc->department_id, "recipients", sc->npeople,
			 "enabled", sc->enabled);
}

/* Writes sc with its audit entry in one transaction, then answers it. */
static int sched_write(struct req *r, struct report_schedule *sc, const char *action,
		       unsigned status)
{
	int rc = store_begin(r->store);

	if (rc < 0)
		return rc;
	rc = report_sched_put(r->store, sc);
	if (rc == 0)
		rc = req_audit(r, action, "report_schedule", sc->id, "ok", audit_detail(sc));
	rc = req_finish(r, rc);
	return rc < 0 ? rc : reply_sched(r, status, sc->id);
}

/* POST /api/report-schedules */
static int sched_create(struct req *r)
{
	struct report_schedule sc;
	int rc;

	memset(&sc, 0, sizeof(sc));
	sc.enabled = 1;
	rc = read_body(r, &sc, 1);
	if (rc < 0)
		return rc;
	sc.created_by = r->who.person_id;
	sc.created_at = sc.updated_at = r->now;
	return sched_write(r, &sc, "report.schedule.create", 201);
}

/* PUT /api/report-schedules/{id} */
static int sched_update(struct req *r)
{
	struct report_schedule sc;
	int64_t id;
	int rc = req_param_id(r, 0, &id);

	if (rc == 0)
		rc = report_sched_get(r->store, id, &sc);
	if (rc == ERR_NOTFOUND)
		return err_set(&r->ei, rc, NULL, "no such schedule");
	if (rc == 0)
		rc = read_body(r, &sc, 0);
	if (rc < 0)
		return rc;
	sc.updated_at = r->now;
	return sched_write(r, &sc, "report.schedule.update", 200);
}

/* DELETE /api/report-schedules/{id}: the files made stay with their recipients. */
static int sched_delete(struct req *r)
{
	int64_t id;
	int rc = req_param_id(r, 0, &id);

	if (rc == 0)
		rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	rc = report_sched_delete(r->store, id);
	if (rc == 0)
		rc = req_audit(r, "report.schedule.delete", "report_schedule", id, "ok", NULL);
	rc = req_finish(r, rc);
	if (rc == ERR_NOTFOUND)
		return err_set(&r->ei, rc, NULL, "no such schedule");
	if (rc < 0)
		return rc;
	r->status = 204;
	return 0;
}

/* GET /api/report-files/{id}: to its recipients and the manager, audited (SEC-2). */
static int file_download(struct req *r)
{
	struct report_file f;
	struct buf bytes = BUF_INIT;
	char ascii[128], utf8[400];
	int64_t id;
	int rc = req_param_id(r, 0, &id);

	if (rc == 0)
		rc = report_file_get(r->store, id, &f);
	if (rc == ERR_NOTFOUND)
		return err_set(&r->ei, rc, NULL, "no such file");
	if (rc < 0)
		return rc;
	if (auth_scope(&r->who, ACT_REPORT_SCHEDULE) < SCOPE_ALL) {
		rc = report_file_recipient(r->store, id, r->who.person_id);
		if (rc == 0)
			rc = req_authorize_on(r, ACT_REPORT_SCHEDULE, NULL, "report_file", id);
		if (rc < 0)
			return rc;
	}
	rc = report_file_bytes(r->store, id, &bytes);
	if (rc == ERR_NOTFOUND)
		return err_set(&r->ei, rc, NULL, "the file is no longer kept");
	if (rc == 0)
		rc = store_begin(r->store);
	if (rc == 0) {
		rc = req_audit(r, "report.file.download", "report_file", id, "ok",
			       json_pack("{s:s, s:I}", "form", f.form, "size", (json_int_t)f.size));
		rc = req_finish(r, rc);
	}
	report_form_names(f.form, "", f.from_ymd, f.to_ymd, ascii, sizeof(ascii), utf8,
			  sizeof(utf8));
	if (rc == 0)
		rc = export_reply_file(r, &bytes, ascii, f.name);
	buf_release(&bytes);
	return rc;
}

const struct route report_sched_routes[] = {
	{"GET", "/api/report-schedules", sched_list, ACT_REPORT_SCHEDULE},
	{"POST", "/api/report-schedules", sched_create, ACT_REPORT_SCHEDULE},
	{"PUT", "/api/report-schedules/{id}", sched_update, ACT_REPORT_SCHEDULE},
	{"DELETE", "/api/report-schedules/{id}", sched_delete, ACT_REPORT_SCHEDULE},
	{"GET", "/api/report-files/{id}", file_download, ACT_SELF},
	{NULL, NULL, NULL, ACT_PUBLIC},
};

/* ---- The tick ---- */

struct due_list {
	struct report_schedule *v;
	int n, cap;
};

static int due_row(void *ctx, const struct report_schedule *sc)
{
	struct due_list *d = ctx;

	if (d->n == d->cap) {
		int cap = d->cap ? d->cap * 2 : 16;
		void *p = realloc(d->v, (size_t)cap * sizeof(*d->v));

		if (!p)
			return ERR_NOMEM;
		d->v = p;
		d->cap = cap;
	}
	d->v[d->n++] = *sc;
	return 0;
}

/* The form of sc for [from, to] into bytes; an error that is the form's own goes to why. */
static int make_file(struct store *s, const struct config *cfg, const struct export_form *f,
		     const struct report_schedule *sc, int from, int to, int64_t now,
		     struct buf *bytes, char *why, size_t why_size)
{
	struct export_form_args a = {from,
				     to,
				     sc->department_id,
				     sc->created_by,
				     0,
				     now,
				     cfg,
				     "系统",
				     report_day_start(from),
				     report_day_start(report_ymd_next(to))};
	struct export_book *b = NULL;
	struct err_info ei;
	int rc = store_snapshot(s);

	if (rc == 0)
		rc = f->build(s, &a, &b);
	store_rollback(s);
	if (rc == 0)
		rc = export_write(b, bytes, &ei);
	export_book_free(b);
	if (rc < 0)
		snprintf(why, why_size, "%s", err_name(rc));
	return rc;
}

/* Sends the file to each address of the schedule, then notes how it went. */
static void mail_file(struct store *s, const struct report_schedule *sc, int64_t file_id,
		      const char *title, const char *name, const struct buf *bytes, int64_t now)
{
	char error[200] = "", subject[480], body[1200], to[REPORT_SCHED_EMAILS_MAX + 1];
	int sent = 0, rc = 0;

	snprintf(subject, sizeof(subject), "定时报表：%s", name);
	snprintf(body, sizeof(body),
		 "您好：\r\n\r\n附件为定时发送的%s（%s）。\r\n\r\n此邮件由系统发送。\r\n", title,
		 name);
	snprintf(to, sizeof(to), "%s", sc->emails);
	for (char *save = NULL, *p = strtok_r(to, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
		while (*p == ' ')
			p++;
		for (char *e = p + strlen(p); e > p && e[-1] == ' ';)
			*--e = '\0';
		if (!*p)
			continue;
		rc = mailer(s, p, subject, body, name, bytes->p, bytes->len, error, sizeof(error));
		if (rc == ERR_NOTFOUND)
			return; /* no outgoing account: delivered by notification only */
		if (rc < 0) {
			log_warn("report schedule %lld: file %lld not mailed to %s: %s",
				 (long long)sc->id, (long long)file_id, p, error);
			break;
		}
		sent++;
	}
	if ((sent || rc < 0) && store_begin(s) == 0 &&
	    (report_file_mailed(s, file_id, rc < 0 ? error : NULL, now) < 0 || store_commit(s) < 0))
		store_rollback(s);
}

/* One schedule's due period, made and delivered unless made already: 1 when made. */
static int deliver(struct store *s, const struct config *cfg, const struct report_schedule *sc,
		   int64_t now)
{
	const struct export_form *f = export_form_find(sc->form);
	struct buf bytes = BUF_INIT;
	char ascii[128], name[400], why[200] = "", text[NOTIFY_TEXT_SIZE], from_t[16], to_t[16];
	int from, to, made, rc;
	int64_t due, id = 0;

	report_sched_due(sc->cadence, sc->at_minute, now, &from, &to, &due);
	/* Periods due before the schedule existed are not made up. */
	if (due < sc->created_at)
		return 0;
	made = report_file_made(s, sc->id, from);
	if (made != 0)
		return made < 0 ? made : 0;
	if (f) {
		int ffrom = from, fto = to;

		report_form_days(f->period, &ffrom, &fto);
		report_form_names(f->code, f->title, ffrom, fto, ascii, sizeof(ascii), name,
				  sizeof(name));
		rc = make_file(s, cfg, f, sc, ffrom, fto, now, &bytes, why, sizeof(why));
		if (rc < 0 && !why[0])
			snprintf(why, sizeof(why), "%s", err_name(rc));
		ymd_text(ffrom, from_t, sizeof(from_t));
		ymd_text(fto, to_t, sizeof(to_t));
	} else {
		report_form_names(sc->form, sc->form, from, to, ascii, sizeof(ascii), name,
				  sizeof(name));
		snprintf(why, sizeof(why), "no such form");
		ymd_text(from, from_t, sizeof(from_t));
		ymd_text(to, to_t, sizeof(to_t));
	}
	rc = store_begin(s);
	if (rc < 0)
		goto out;
	made = report_file_made(s, sc->id, from);
	if (made != 0) { /* another node made it meanwhile */
		store_rollback(s);
		rc = made < 0 ? made : 0;
		goto out;
	}
	rc = report_file_add(s, sc, from, to, name, why[0] ? NULL : bytes.p, bytes.len,
			     why[0] ? why : NULL, now, &id);
	/* The notification names the file's number: the bell opens it (GET /api/report-files/{id}).
	 */
	if (why[0])
		snprintf(text, sizeof(text), "定时报表未能生成：%s %s 至 %s（文件 %lld）",
			 f ? f->title : sc->form, from_t, to_t, (long long)id);
	else
		snprintf(text, sizeof(text), "定时报表已送达：%s %s 至 %s（文件 %lld）", f->title,
			 from_t, to_t, (long long)id);
	for (int i = 0; rc >= 0 && i < sc->npeople; i++)
		rc = notify_send(s, sc->people[i], "report.file", 0, text, now);
	if (rc < 0) {
		store_rollback(s);
		goto out;
	}
	rc = store_commit(s);
	if (rc < 0)
		goto out;
	notify_wake();
	if (why[0])
		log_warn("report schedule %lld: %s not made: %s", (long long)sc->id, name, why);
	else if (mailer && sc->emails[0])
		mail_file(s, sc, id, f->title, name, &bytes, now);
	rc = 1;
out:
	buf_release(&bytes);
	return rc;
}

int report_sched_tick(struct store *s, int64_t now, void *arg)
{
	const struct config *cfg = arg;
	struct due_list d = {NULL, 0, 0};
	int n = 0, rc = report_sched_list(s, 1, due_row, &d);

	for (int i = 0; rc >= 0 && i < d.n; i++) {
		int r = deliver(s, cfg, &d.v[i], now);

		/* One schedule's failure is logged and holds the others back no longer than it. */
		if (r < 0)
			log_warn("report schedule %lld: %s", (long long)d.v[i].id, err_name(r));
		else
			n += r;
	}
	free(d.v);
	if (rc >= 0 && store_begin(s) == 0) {
		rc = report_file_expire(s, now - (int64_t)REPORT_FILE_KEEP_DAYS * 86400000);
		if (rc < 0 || store_commit(s) < 0)
			store_rollback(s);
	}
	return rc < 0 ? rc : n;
}
