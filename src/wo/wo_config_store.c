/*
 * The rule tables of work orders (wo_class, wo_level, wo_complaint,
 * wo_route, wo_setting): their validation and their SQL. Callers hold the
 * transaction; nothing here begins or commits, so a refused change is
 * rolled back whole by the caller.
 */
#include <stdio.h>
#include <string.h>

#include "core/utf8.h"
#include "org/org.h"
#include "store/store.h"
#include "wo/wo_config.h"

/* 1 to max characters, not only blanks (it would show as nothing in every list). */
static int text_valid(const char *s, size_t max_chars)
{
	size_t n = strlen(s), chars;

	if (!utf8_valid(s, n))
		return 0;
	chars = utf8_len(s);
	if (chars == 0 || chars > max_chars)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return 1;
	return 0;
}

/* ---- rules ---------------------------------------------------------------- */

static int minutes_valid(int m)
{
	return m == -1 || (m >= 1 && m <= WO_CONFIG_MINUTES_MAX);
}

int wo_config_class_validate(const struct wo_config_class *c, struct err_info *ei)
{
	static const char *const fields[] = {"callback_min", "onsite_min", "resolve_min"};
	const int minutes[] = {c->rule.callback_min, c->rule.onsite_min, c->rule.resolve_min};

	if (!text_valid(c->rule.name, WO_CONFIG_CLASS_NAME_MAX))
		return err_set(ei, ERR_UNPROCESSABLE, "name", "name: 1 to %d characters",
			       WO_CONFIG_CLASS_NAME_MAX);
	for (int i = 0; i < 3; i++)
		if (!minutes_valid(minutes[i]))
			return err_set(ei, ERR_UNPROCESSABLE, fields[i],
				       "%s: null (no such deadline) or 1 to %d minutes", fields[i],
				       WO_CONFIG_MINUTES_MAX);
	if (c->rule.report_same_day != 0 && c->rule.report_same_day != 1)
		return err_set(ei, ERR_UNPROCESSABLE, "report_same_day",
			       "report_same_day: true or false");
	/* A warning at 0 % or 100 % would fire with the clock's start or its breach. */
	if (c->rule.warn_pct < 1 || c->rule.warn_pct > 99)
		return err_set(ei, ERR_UNPROCESSABLE, "warn_pct", "warn_pct: 1 to 99 (per cent)");
	if (c->rule.escalate_min < 1 || c->rule.escalate_min > WO_CONFIG_ESCALATE_MAX)
		return err_set(ei, ERR_UNPROCESSABLE, "escalate_min",
			       "escalate_min: 1 to %d minutes", WO_CONFIG_ESCALATE_MAX);
	return 0;
}

int wo_config_code_valid(const char *code)
{
	size_t n = strlen(code);

	if (n == 0 || n > WO_CONFIG_CODE_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char ch = code[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_'))
			return 0;
	}
	return 1;
}

int wo_config_complaint_validate(const struct wo_config_complaint *c, struct err_info *ei)
{
	/* Codes are stored on orders and typed in searches: keep them plain. */
	if (!wo_config_code_valid(c->code))
		return err_set(ei, ERR_UNPROCESSABLE, "code", "code: 1 to %d of a-z, 0-9 and '_'",
			       WO_CONFIG_CODE_MAX);
	if (!text_valid(c->name, WO_CONFIG_NAME_MAX))
		return err_set(ei, ERR_UNPROCESSABLE, "name", "name: 1 to %d characters",
			       WO_CONFIG_NAME_MAX);
	if (!c->class_code[0])
		return err_set(ei, ERR_UNPROCESSABLE, "class", "class: required");
	if (c->department_kind[0] && !org_department_kind_valid(c->department_kind))
		return err_set(ei, ERR_UNPROCESSABLE, "department_kind", "unknown department kind");
	if (c->script[0] && (!utf8_valid(c->script, strlen(c->script)) ||
			     utf8_len(c->script) > WO_CONFIG_SCRIPT_MAX))
		return err_set(ei, ERR_UNPROCESSABLE, "script", "script: at most %d characters",
			       WO_CONFIG_SCRIPT_MAX);
	if (c->active != 0 && c->active != 1)
		return err_set(ei, ERR_UNPROCESSABLE, "active", "active: true or false");
	return 0;
}

int wo_config_route_validate(const struct wo_config_route *r, struct err_info *ei)
{
	const struct wo_route_rule *x = &r->rule;

	if (!x->class_code[0])
		return err_set(ei, ERR_UNPROCESSABLE, "class", "class: required");
	if (x->onsite < -1 || x->onsite > 1)
		return err_set(ei, ERR_UNPROCESSABLE, "onsite", "onsite: null, true or false");
	if (x->target >= WOT_COUNT)
		return err_set(
			ei, ERR_UNPROCESSABLE, "target",
			"target: department, center, subject_superior, close or third_party");
	/* Seed 002 §5: a third-party route names the company; no other route does. */
	if ((x->target == WOT_THIRD_PARTY) != (x->third_party_id != 0))
		return err_set(ei, ERR_UNPROCESSABLE, "third_party_id",
			       x->third_party_id ? "only a third_party route names a third party"
						 : "a third_party route needs third_party_id");
	if (x->department_kind[0] && !org_department_kind_valid(x->department_kind))
		return err_set(ei, ERR_UNPROCESSABLE, "department_kind", "unknown department kind");
	if (x->target == WOT_DEPARTMENT) {
		/* The engine needs one of them to find the department (ROUTE-2). */
		if (!x->department_kind[0] && !x->department_id)
			return err_set(ei, ERR_UNPROCESSABLE, "department_kind",
				       "a department route needs department_kind or department_id");
		return 0;
	}
	/* Center, superior and close never use them: storing them would mislead the reader. */
	if (x->department_kind[0])
		return err_set(ei, ERR_UNPROCESSABLE, "department_kind",
			       "only a department route names a department kind");
	if (x->department_id)
		return err_set(ei, ERR_UNPROCESSABLE, "department_id",
			       "only a department route names a department");
	if (x->owner_id)
		return err_set(ei, ERR_UNPROCESSABLE, "owner_id",
			       "only a department route names an owner");
	return 0;
}

int wo_config_routable(const struct wo_route_rule *rules, int n, const char *class_code,
		       struct err_info *ei)
{
	for (int onsite = 0; onsite <= 1; onsite++)
		if (!wo_route_pick(rules, n, class_code, onsite))
			return err_set(ei, ERR_UNPROCESSABLE, "class",
				       "class %s would have no route when on-site is %s (ROUTE-2)",
				       class_code, onsite ? "needed" : "not needed");
	return 0;
}

/* The settings of migration 2, with ranges that keep the engine's arithmetic sane. */
static const struct {
	const char *key;
	int64_t min, max;
} settings[] = {
	{"second_complaint_days", 1, 3650},  /* class D window (ROUTE-1) */
	{"callback_due_min", 1, 100000},     /* CB-1: the center's callback after the report */
	{"callback_retry_min", 1, 100000},   /* CB-2: another attempt after "not accepted" */
	{"promise_order_min", 1, 100000},    /* CALL-14: order problem, 4 h */
	{"promise_complaint_min", 1, 100000}, /* CALL-14: complaint, 24 h */
	{"promise_answer_min", 1, 100000},   /* CALL-13: answer known, 3 h */
	{"retention_years", 1, 30},          /* WO-7: kept 3 years */
};

int wo_config_setting_range(const char *key, int64_t *min, int64_t *max)
{
	for (size_t i = 0; i < sizeof(settings) / sizeof(settings[0]); i++)
		if (strcmp(settings[i].key, key) == 0) {
			*min = settings[i].min;
			*max = settings[i].max;
			return 0;
		}
	return ERR_NOTFOUND;
}

/* ---- classes ------------------------------------------------------------- */

#define CLASS_COLS                                                                                 \
	"code, name, callback_min, onsite_min, report_same_day, resolve_min, warn_pct,"           \
	" escalate_min, updated_at"

static int class_read(struct store_stmt *st, void *dst)
{
	struct wo_config_class *c = dst;

	memset(c, 0, sizeof(*c));
	STORE_COL_COPY(st, 0, c->rule.code);
	STORE_COL_COPY(st, 1, c->rule.name);
	c->rule.callback_min = (int)store_col_int_or(st, 2, -1);
	c->rule.onsite_min = (int)store_col_int_or(st, 3, -1);
	c->rule.report_same_day = store_col_int(st, 4) != 0;
	c->rule.resolve_min = (int)store_col_int_or(st, 5, -1);
	c->rule.warn_pct = (int)store_col_int(st, 6);
	c->rule.escalate_min = (int)store_col_int(st, 7);
	c->updated_at = store_col_int(st, 8);
	return 0;
}

int wo_config_class_list(struct store *s,
			 int (*row)(void *ctx, const struct wo_config_class *c), void *ctx)
{
	struct store_stmt *st =
		store_query(s, "SELECT " CLASS_COLS " FROM wo_class ORDER BY code", "");
	struct wo_config_class c;
	int rc, n = 0;

	while ((rc = store_next(st, class_read, &c)) == 1 && (rc = row(ctx, &c)) >= 0)
		n++;
	return store_end(st, rc, n);
}

int wo_config_class_get(struct store *s, const char *code, struct wo_config_class *out)
{
	return store_one(
		store_query(s, "SELECT " CLASS_COLS " FROM wo_class WHERE code = ?", "t", code),
		class_read, out);
}

int wo_config_class_update(struct store *s, struct wo_config_class *c, int64_t now,
			   struct err_info *ei)
{
	const struct wo_class_rule *x = &c->rule;
	int rc = wo_config_class_validate(c, ei);

	if (rc == 0)
		rc = store_run(s,
			       "UPDATE wo_class SET name = ?, callback_min = ?, onsite_min = ?,"
			       " report_same_day = ?, resolve_min = ?, warn_pct = ?,"
			       " escalate_min = ?, updated_at = ? WHERE code = ?",
			       NULL, "tnninniit", x->name, (int64_t)x->callback_min,
			       (int64_t)x->onsite_min, (int64_t)x->report_same_day,
			       (int64_t)x->resolve_min, (int64_t)x->warn_pct,
			       (int64_t)x->escalate_min, now, x->code);
	if (rc < 0)
		return rc;
	if (store_changes(s) == 0)
		return ERR_NOTFOUND;
	c->updated_at = now;
	return 0;
}

/* ---- levels -------------------------------------------------------------- */

static int level_read(struct store_stmt *st, void *dst)
{
	struct wo_config_level *l = dst;

	memset(l, 0, sizeof(*l));
	STORE_COL_COPY(st, 0, l->code);
	STORE_COL_COPY(st, 1, l->name);
	l->onsite = store_col_int(st, 2) != 0;
	l->rank = (int)store_col_int(st, 3);
	return 0;
}

int wo_config_level_list(struct store *s,
			 int (*row)(void *ctx, const struct wo_config_level *l), void *ctx)
{
	struct store_stmt *st = store_query(s,
					    "SELECT code, name, onsite, rank FROM wo_level"
					    " ORDER BY rank, code",
					    "");
	struct wo_config_level l;
	int rc, n = 0;

	while ((rc = store_next(st, level_read, &l)) == 1 && (rc = row(ctx, &l)) >= 0)
		n++;
	return store_end(st, rc, n);
}

/* ---- complaint catalogue -------------------------------------------------- */

#define COMPLAINT_COLS "code, name, class, level, department_kind, script, active, updated_at"

static int complaint_read(struct store_stmt *st, void *dst)
{
	struct wo_config_complaint *c = dst;

	memset(c, 0, sizeof(*c));
	STORE_COL_COPY(st, 0, c->code);
	STORE_COL_COPY(st, 1, c->name);
	STORE_COL_COPY(st, 2, c->class_code);
	STORE_COL_COPY(st, 3, c->level);
	STORE_COL_COPY(st, 4, c->department_kind);
	STORE_COL_COPY(st, 5, c->script);
	c->active = store_col_int(st, 6) != 0;
	c->updated_at = store_col_int(st, 7);
	return 0;
}

int wo_config_complaint_list(struct store *s, int active,
			     int (*row)(void *ctx, const struct wo_config_complaint *c),
			     void *ctx)
{
	struct store_stmt *st = store_query(s,
					    "SELECT " COMPLAINT_COLS " FROM wo_complaint"
					    " WHERE (? < 0 OR active = ?) ORDER BY code",
					    "ii", (int64_t)active, (int64_t)active);
	struct wo_config_complaint c;
	int rc, n = 0;

	while ((rc = store_next(st, complaint_read, &c)) == 1 && (rc = row(ctx, &c)) >= 0)
		n++;
	return store_end(st, rc, n);
}

int wo_config_complaint_get(struct store *s, const char *code, struct wo_config_complaint *out)
{
	return store_one(store_query(s,
				     "SELECT " COMPLAINT_COLS " FROM wo_complaint WHERE code = ?",
				     "t", code),
			 complaint_read, out);
}

/* Checks what a complaint type refers to, so errors name the field. */
static int complaint_refs_check(struct store *s, const struct wo_config_complaint *c,
				struct err_info *ei)
{
	int rc = store_run(s, "SELECT 1 FROM wo_class WHERE code = ?", NULL, "t", c->class_code);

	if (rc <= 0)
		return rc < 0 ? rc : err_set(ei, ERR_UNPROCESSABLE, "class", "no such class");
	if (c->level[0]) {
		rc = store_run(s, "SELECT 1 FROM wo_level WHERE code = ?", NULL, "t", c->level);
		if (rc <= 0)
			return rc < 0 ? rc
				      : err_set(ei, ERR_UNPROCESSABLE, "level",
						"no such level (Ⅰ, Ⅱ, Ⅲ or Ⅳ, WO-3)");
	}
	return 0;
}

/* Empty strings are stored as NULL ('T'): "not set" has one spelling. */
static int bind_complaint(struct store_stmt *st, const struct wo_config_complaint *c, int64_t now)
{
	return store_bindf(st, 1, "ttTTTiit", c->name, c->class_code, c->level, c->department_kind,
			   c->script, (int64_t)c->active, now, c->code);
}

int wo_config_complaint_insert(struct store *s, struct wo_config_complaint *c, int64_t now,
			       struct err_info *ei)
{
	struct store_stmt *st;
	int64_t count = 0, next = 0;
	int rc = 0;

	/*
	 * No code given: the next free type_<n>, so whoever adds a type only
	 * names it in Chinese; the code is what orders refer to and never shown
	 * as the type's name.
	 */
	if (!c->code[0]) {
		rc = store_run(s,
			       "SELECT coalesce(max(CAST(substr(code, 6) AS INTEGER)), 0) + 1"
			       " FROM wo_complaint WHERE code GLOB 'type_[0-9]*'",
			       &next, "");
		if (rc < 0)
			return rc;
		snprintf(c->code, sizeof(c->code), "type_%lld", (long long)next);
	}
	rc = wo_config_complaint_validate(c, ei);
	if (rc == 0)
		rc = complaint_refs_check(s, c, ei);
	if (rc < 0)
		return rc;
	rc = store_run(s, "SELECT 1 FROM wo_complaint WHERE code = ?", NULL, "t", c->code);
	if (rc != 0)
		return rc < 0 ? rc
			      : err_set(ei, ERR_CONFLICT, "code", "complaint code already in use");
	rc = store_run(s, "SELECT count(*) FROM wo_complaint", &count, "");
	if (rc < 0)
		return rc;
	if (count >= WO_CONFIG_COMPLAINTS_MAX)
		return err_set(ei, ERR_UNPROCESSABLE, "code",
			       "the catalogue holds at most %d types: deactivate or reuse one",
			       WO_CONFIG_COMPLAINTS_MAX);
	st = store_prepare(s, "INSERT INTO wo_complaint(name, class, level, department_kind,"
			      " script, active, updated_at, code) VALUES (?,?,?,?,?,?,?,?)");
	rc = store_once(st, bind_complaint(st, c, now), NULL);
	/* Two managers creating the same code at once: the primary key decides. */
	if (rc == ERR_CONFLICT)
		return err_set(ei, ERR_CONFLICT, "code", "complaint code already in use");
	if (rc < 0)
		return rc;
	c->updated_at = now;
	return 0;
}

int wo_config_complaint_update(struct store *s, struct wo_config_complaint *c, int64_t now,
			       struct err_info *ei)
{
	struct store_stmt *st;
	int rc = wo_config_complaint_validate(c, ei);

	if (rc == 0)
		rc = complaint_refs_check(s, c, ei);
	if (rc < 0)
		return rc;
	st = store_prepare(s, "UPDATE wo_complaint SET name = ?, class = ?, level = ?,"
			      " department_kind = ?, script = ?, active = ?, updated_at = ?"
			      " WHERE code = ?");
	rc = store_once(st, bind_complaint(st, c, now), NULL);
	if (rc < 0)
		return rc;
	if (store_changes(s) == 0)
		return ERR_NOTFOUND;
	c->updated_at = now;
	return 0;
}

/* ---- routing table -------------------------------------------------------- */

#define ROUTE_COLS                                                                                 \
	"id, class, onsite, target, department_kind, department_id, owner_id, updated_at,"         \
	" third_party_id"

static int route_read(struct store_stmt *st, void *dst)
{
	struct wo_config_route *r = dst;
	int t = wo_target_parse(store_col_text(st, 3));

	memset(r, 0, sizeof(*r));
	r->rule.id = store_col_int(st, 0);
	STORE_COL_COPY(st, 1, r->rule.class_code);
	r->rule.onsite = store_col_null(st, 2) ? -1 : store_col_int(st, 2) != 0;
	/* A target this build does not know acts as the center. */
	r->rule.target = t < 0 ? WOT_CENTER : (enum wo_target)t;
	STORE_COL_COPY(st, 4, r->rule.department_kind);
	r->rule.department_id = store_col_int(st, 5);
	r->rule.owner_id = store_col_int(st, 6);
	r->updated_at = store_col_int(st, 7);
	r->rule.third_party_id = store_col_int(st, 8);
	return 0;
}

int wo_config_route_list(struct store *s,
			 int (*row)(void *ctx, const struct wo_config_route *r), void *ctx)
{
	struct store_stmt *st =
		store_query(s, "SELECT " ROUTE_COLS " FROM wo_route ORDER BY id", "");
	struct wo_config_route r;
	int rc, n = 0;

	while ((rc = store_next(st, route_read, &r)) == 1 && (rc = row(ctx, &r)) >= 0)
		n++;
	return store_end(st, rc, n);
}

/* The engine's routing table: the rules of the list above, in the same order. */
int wo_routes_load(struct store *s, struct wo_route_rule *out, int max)
{
	struct store_stmt *st =
		store_query(s, "SELECT " ROUTE_COLS " FROM wo_route ORDER BY id", "");
	struct wo_config_route r;
	int rc = 0, n = 0;

	while (n < max && (rc = store_next(st, route_read, &r)) == 1)
		out[n++] = r.rule;
	return store_end(st, rc, n);
}

int wo_config_route_get(struct store *s, int64_t id, struct wo_config_route *out)
{
	return store_one(
		store_query(s, "SELECT " ROUTE_COLS " FROM wo_route WHERE id = ?", "i", id),
		route_read, out);
}

static int route_refs_check(struct store *s, const struct wo_config_route *r,
			    struct err_info *ei)
{
	const struct wo_route_rule *x = &r->rule;
	int rc = store_run(s, "SELECT 1 FROM wo_class WHERE code = ?", NULL, "t", x->class_code);

	if (rc <= 0)
		return rc < 0 ? rc : err_set(ei, ERR_UNPROCESSABLE, "class", "no such class");
	if (x->department_id) {
		struct org_department d;

		rc = org_department_get(s, x->department_id, &d);
		if (rc == ERR_NOTFOUND)
			return err_set(ei, ERR_UNPROCESSABLE, "department_id",
				       "no such department");
		if (rc < 0)
			return rc;
		/* The engine takes department_id over the kind: both must say the same. */
		if (x->department_kind[0] && strcmp(d.kind, x->department_kind) != 0)
			return err_set(ei, ERR_UNPROCESSABLE, "department_id",
				       "department %lld is not of kind %s", (long long)d.id,
				       x->department_kind);
	}
	if (x->third_party_id) {
		rc = store_run(s, "SELECT 1 FROM wo_third_party WHERE id = ? AND active = 1", NULL,
			       "i", x->third_party_id);
		if (rc <= 0)
			return rc < 0 ? rc
				      : err_set(ei, ERR_UNPROCESSABLE, "third_party_id",
						"no such active third party");
	}
	if (x->owner_id) {
		rc = store_run(s, "SELECT 1 FROM person WHERE id = ? AND active = 1", NULL, "i",
			       x->owner_id);
		if (rc <= 0)
			return rc < 0 ? rc
				      : err_set(ei, ERR_UNPROCESSABLE, "owner_id",
						"no such active person");
	}
	/* A second rule for the same case would never be picked (wo_route_pick takes the first). */
	rc = store_run(s,
		       "SELECT 1 FROM wo_route WHERE class = ? AND COALESCE(onsite, -1) = ?"
		       " AND id <> ?",
		       NULL, "tii", x->class_code, (int64_t)x->onsite, x->id);
	if (rc != 0)
		return rc < 0 ? rc
			      : err_set(ei, ERR_CONFLICT, "onsite",
					"class %s already has a route for this on-site case",
					x->class_code);
	return 0;
}

/* ROUTE-2 over the table as it now is, inside the caller's transaction. */
static int routes_check(struct store *s, const char *class_a, const char *class_b,
			struct err_info *ei)
{
	struct wo_route_rule rules[WO_CONFIG_ROUTES_MAX];
	int n = wo_routes_load(s, rules, WO_CONFIG_ROUTES_MAX), rc = 0;

	if (n < 0)
		return n;
	if (class_a && class_a[0])
		rc = wo_config_routable(rules, n, class_a, ei);
	if (rc == 0 && class_b && class_b[0] && (!class_a || strcmp(class_a, class_b) != 0))
		rc = wo_config_routable(rules, n, class_b, ei);
	return rc;
}

static int bind_route(struct store_stmt *st, const struct wo_config_route *r, int64_t now)
{
	const struct wo_route_rule *x = &r->rule;

	return store_bindf(st, 1, "tntTddid", x->class_code, (int64_t)x->onsite,
			   wo_target_name(x->target), x->department_kind, x->department_id,
			   x->owner_id, now, x->third_party_id);
}

int wo_config_route_insert(struct store *s, struct wo_config_route *r, int64_t now,
			   struct err_info *ei)
{
	struct store_stmt *st;
	int rc;

	r->rule.id = 0;
	rc = wo_config_route_validate(r, ei);
	if (rc == 0)
		rc = route_refs_check(s, r, ei);
	if (rc < 0)
		return rc;
	st = store_prepare(s, "INSERT INTO wo_route(class, onsite, target, department_kind,"
			      " department_id, owner_id, updated_at, third_party_id)"
			      " VALUES (?,?,?,?,?,?,?,?) RETURNING id");
	rc = store_once(st, bind_route(st, r, now), &r->rule.id);
	if (rc < 0)
		return rc;
	r->updated_at = now;
	/* Adding a rule never takes a route away; checked all the same, for one code path. */
	return routes_check(s, r->rule.class_code, NULL, ei);
}

int wo_config_route_update(struct store *s, struct wo_config_route *r, const char *old_class,
			   int64_t now, struct err_info *ei)
{
	struct store_stmt *st;
	int rc = wo_config_route_validate(r, ei);

	if (rc == 0)
		rc = route_refs_check(s, r, ei);
	if (rc < 0)
		return rc;
	st = store_prepare(s, "UPDATE wo_route SET class = ?, onsite = ?, target = ?,"
			      " department_kind = ?, department_id = ?, owner_id = ?,"
			      " updated_at = ?, third_party_id = ? WHERE id = ?");
	rc = bind_route(st, r, now);
	if (rc == 0)
		rc = store_bindf(st, 9, "i", r->rule.id);
	rc = store_once(st, rc, NULL);
	if (rc < 0)
		return rc;
	if (store_changes(s) == 0)
		return ERR_NOTFOUND;
	r->updated_at = now;
	return routes_check(s, old_class, r->rule.class_code, ei);
}

int wo_config_route_delete(struct store *s, const struct wo_config_route *r, struct err_info *ei)
{
	int rc = store_run(s, "DELETE FROM wo_route WHERE id = ?", NULL, "i", r->rule.id);

	if (rc < 0)
		return rc;
	if (store_changes(s) == 0)
		return ERR_NOTFOUND;
	return routes_check(s, r->rule.class_code, NULL, ei);
}

/* ---- settings ------------------------------------------------------------- */

int wo_config_setting_list(struct store *s, int (*row)(void *ctx, const char *key, int64_t value),
			   void *ctx)
{
	struct store_stmt *st =
		store_query(s, "SELECT key, value FROM wo_setting ORDER BY key", "");
	int rc, n = 0;

	while ((rc = store_next(st, NULL, NULL)) == 1 &&
	       (rc = row(ctx, store_col_text(st, 0), store_col_int(st, 1))) >= 0)
		n++;
	return store_end(st, rc, n);
}

int wo_config_setting_set(struct store *s, const char *key, int64_t value, int64_t now,
			  struct err_info *ei)
{
	int64_t min, max;
	int rc;

	if (wo_config_setting_range(key, &min, &max) < 0)
		return err_set(ei, ERR_INVALID, key, "%s: unknown setting", key);
	if (value < min || value > max)
		return err_set(ei, ERR_UNPROCESSABLE, key, "%s: %lld to %lld", key, (long long)min,
			       (long long)max);
	rc = store_run(s,
		       "INSERT INTO wo_setting(key, value, updated_at) VALUES (?, ?, ?)"
		       " ON CONFLICT(key) DO UPDATE SET value = excluded.value,"
		       " updated_at = excluded.updated_at",
		       NULL, "tii", key, value, now);
	return rc < 0 ? rc : 0;
}
