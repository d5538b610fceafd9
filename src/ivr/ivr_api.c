/*
 * The hotline's settings over HTTP: the IVR menu tree (CALL-1), the
 * opening hours, the prompts there are and the queues (ORG-2).
 *
 *   GET/PUT /api/hotline/menu     the menu as one document (a tree)
 *   GET/PUT /api/hotline/hours    the calendar as one document
 *   GET     /api/hotline/prompts  prompt keys, and whether each WAV is there
 *   GET     /api/acd/queues       the queues
 *   PATCH   /api/acd/queues/{code}
 *
 * The admin and the manager change them (ACT_HOTLINE_CONFIG); whoever
 * watches the agents (ACT_ACD_READ: manager, supervisor) reads them too,
 * which these read routes decide themselves (a denial is audited as
 * usual). A PUT replaces its whole document: it is read and checked first
 * (400 for a wrong type, 422 with the field for a value the rules refuse,
 * both writing nothing), then the stored one is read inside the write
 * transaction, a "version" older than it is 409, and the change is saved
 * with an audit entry holding [old, new] of each part that changed. A PUT
 * that changes nothing writes nothing. The call engine reads both
 * documents when a call arrives, so a change applies to the next call.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "http/http.h"
#include "ivr/ivr.h"
#include "ivr/ivr_api_int.h"
#include "media/media.h"
#include "org/org.h"
#include "store/store.h"

#define PROMPTS_MAX 256		   /* WAV files looked at in prompts_dir */
#define PROMPT_BYTES_MAX (4 << 20) /* as the call engine's limit */

/* Reading needs either permission; see above. */
int ivr_api_may_read(struct req *r)
{
	if (auth_scope(&r->who, ACT_ACD_READ) == SCOPE_ALL ||
	    auth_scope(&r->who, ACT_HOTLINE_CONFIG) == SCOPE_ALL)
		return 0;
	return req_authorize(r, ACT_HOTLINE_CONFIG, NULL);
}

json_t *ivr_api_opt_text(const char *s)
{
	return s[0] ? json_string(s) : json_null();
}

/* Adds [old, now] under key when they differ; steals both. */
void ivr_api_note_change(json_t *changes, const char *key, json_t *old, json_t *now)
{
	if (json_equal(old, now)) {
		json_decref(old);
		json_decref(now);
		return;
	}
	json_object_set_new(changes, key, json_pack("[o,o]", old, now));
}

/* -- What a menu and the hours may name -- */

struct names {
	char (*keys)[IVR_KEY_SIZE];
	const char **ptrs;
	size_t n, cap;
};

static void names_free(struct names *x)
{
	free(x->keys);
	free(x->ptrs);
	memset(x, 0, sizeof(*x));
}

static int names_add(struct names *x, const char *key)
{
	for (size_t i = 0; i < x->n; i++)
		if (strcmp(x->keys[i], key) == 0)
			return 0;
	if (x->n >= x->cap)
		return 0; /* more than PROMPTS_MAX files: the rest are not offered */
	snprintf(x->keys[x->n], IVR_KEY_SIZE, "%s", key);
	x->ptrs[x->n] = x->keys[x->n];
	x->n++;
	return 0;
}

static int names_init(struct names *x, size_t cap)
{
	x->keys = calloc(cap, sizeof(*x->keys));
	x->ptrs = calloc(cap, sizeof(*x->ptrs));
	x->n = 0;
	x->cap = cap;
	if (!x->keys || !x->ptrs) {
		names_free(x);
		return ERR_NOMEM;
	}
	return 0;
}

static int names_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The keys of the WAV files in prompts_dir (key.wav, key of [a-z0-9_]). */
static int prompt_files(const char *dir, struct names *out)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return 0; /* no folder: only the built-in keys, all missing */
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);
		char key[IVR_KEY_SIZE];

		if (len < 5 || len - 4 >= sizeof(key) || strcmp(e->d_name + len - 4, ".wav") != 0)
			continue;
		memcpy(key, e->d_name, len - 4);
		key[len - 4] = 0;
		if (ivr_key_valid(key))
			names_add(out, key);
	}
	closedir(d);
	return 0;
}

static int queue_code_row(void *ctx, const struct ivr_queue *q)
{
	return names_add(ctx, q->code);
}

/* The queues and the prompt files, for ivr_menu_validate and
 * ivr_hours_validate. */
static int known_load(struct req *r, struct names *queues, struct names *prompts,
		      struct ivr_known *k)
{
	int rc = names_init(queues, 64);

	if (rc == 0)
		rc = names_init(prompts, PROMPTS_MAX);
	if (rc == 0)
		rc = ivr_queue_list(r->store, queue_code_row, queues);
	if (rc >= 0)
		rc = prompt_files(r->app->cfg->prompts_dir, prompts);
	k->queues = queues->ptrs;
	k->nqueues = queues->n;
	k->prompts = prompts->ptrs;
	k->nprompts = prompts->n;
	return rc < 0 ? rc : 0;
}

/* -- The menu -- */

static json_t *node_json(const struct ivr_menu *m, int i)
{
	const struct ivr_node *x = &m->nodes[i];
	char digit[2] = {x->digit, 0};
	json_t *o = json_pack("{s:s, s:s, s:s, s:o, s:s}", "digit", digit, "label", x->label,
			      "action", ivr_node_action_name(x->action), "queue",
			      ivr_api_opt_text(x->queue), "prompt", x->prompt);

	if (o && x->action == IVR_NODE_MENU) {
		json_t *kids = json_array();

		for (int j = i + 1; j < m->n; j++)
			if (m->nodes[j].parent == i)
				json_array_append_new(kids, node_json(m, j));
		json_object_set_new(o, "children", kids);
	}
	return o;
}

static json_t *nodes_json(const struct ivr_menu *m)
{
	json_t *a = json_array();

	for (int i = 0; i < m->n; i++)
		if (m->nodes[i].parent < 0)
			json_array_append_new(a, node_json(m, i));
	return a;
}

static json_t *menu_json(const struct ivr_menu *m)
{
	return json_pack("{s:I, s:s, s:s, s:o, s:I}", "version", (json_int_t)m->version, "welcome",
			 m->welcome, "prompt", m->prompt, "nodes", nodes_json(m), "updated_at",
			 (json_int_t)m->updated_at);
}

static int menu_get(struct req *r)
{
	struct ivr_menu *m;
	int rc = ivr_api_may_read(r);

	if (rc < 0)
		return rc;
	m = malloc(sizeof(*m));
	if (!m)
		return ERR_NOMEM;
	rc = ivr_menu_load(r->store, m);
	if (rc == 0)
		rc = reply_json(r, 200, menu_json(m));
	free(m);
	return rc;
}

/* A string field of an object at path: absent leaves dst alone; a wrong
 * type is 400, a value too long for dst 422 (why says what fits). */
int ivr_api_text_field(struct req *r, json_t *obj, const char *path, const char *key, int required,
		       char *dst, size_t size, const char *why)
{
	json_t *v = json_object_get(obj, key);
	char at[96];

	snprintf(at, sizeof(at), "%s%s%s", path, path[0] ? "." : "", key);
	if (!v || json_is_null(v)) {
		if (required)
			return err_set(&r->ei, ERR_INVALID, at, "%s: required", at);
		return 0;
	}
	if (!json_is_string(v))
		return err_set(&r->ei, ERR_INVALID, at, "%s: expected a string", at);
	if (strlen(json_string_value(v)) >= size)
		return err_set(&r->ei, ERR_UNPROCESSABLE, at, "%s: %s", at, why);
	snprintf(dst, size, "%s", json_string_value(v));
	return 0;
}

static int only_fields(struct req *r, json_t *obj, const char *path, const char *const *allowed)
{
	const char *key;
	json_t *v;

	json_object_foreach(obj, key, v)
	{
		size_t i = 0;

		while (allowed[i] && strcmp(allowed[i], key) != 0)
			i++;
		if (!allowed[i])
			return err_set(&r->ei, ERR_INVALID, path, "%s: unknown field %.40s", path,
				       key);
	}
	return 0;
}

/* One level of the tree as sent: its choices become nodes of m under parent. */
static int parse_level(struct req *r, json_t *list, int parent, int depth, const char *path,
		       struct ivr_menu *m)
{
	static const char *const fields[] = {"digit",  "label",	   "action", "queue",
					     "prompt", "children", NULL};
	size_t i;
	json_t *o;

	if (!json_is_array(list))
		return err_set(&r->ei, ERR_INVALID, path, "%s: expected an array", path);
	if (depth > IVR_DEPTH_MAX && json_array_size(list) > 0)
		return err_set(&r->ei, ERR_UNPROCESSABLE, path,
			       "%s: the menu is at most %d levels deep", path, IVR_DEPTH_MAX);
	json_array_foreach(list, i, o)
	{
		char at[80], f[96], digit[4] = "", action[20] = "";
		struct ivr_node *x;
		json_t *kids;
		int rc, act, self;

		snprintf(at, sizeof(at), "%s[%zu]", path, i);
		if (!json_is_object(o))
			return err_set(&r->ei, ERR_INVALID, at, "%s: expected an object", at);
		if (m->n >= IVR_NODES_MAX)
			return err_set(&r->ei, ERR_UNPROCESSABLE, "nodes",
				       "nodes: at most %d choices in all", IVR_NODES_MAX);
		self = m->n++;
		x = &m->nodes[self];
		memset(x, 0, sizeof(*x));
		x->parent = parent;
		rc = only_fields(r, o, at, fields);
		if (rc == 0)
			rc = ivr_api_text_field(r, o, at, "digit", 1, digit, sizeof(digit),
						"a digit 0-9");
		if (rc == 0)
			rc = ivr_api_text_field(r, o, at, "label", 1, x->label, sizeof(x->label),
						"1 to 32 characters");
		if (rc == 0)
			rc = ivr_api_text_field(r, o, at, "action", 1, action, sizeof(action),
						"queue, menu or announce_hangup");
		if (rc == 0)
			rc = ivr_api_text_field(r, o, at, "queue", 0, x->queue, sizeof(x->queue),
						"no such queue");
		if (rc == 0)
			rc = ivr_api_text_field(r, o, at, "prompt", 1, x->prompt, sizeof(x->prompt),
						"no such prompt");
		if (rc < 0)
			return rc;
		if (strlen(digit) != 1) {
			snprintf(f, sizeof(f), "%s.digit", at);
			return err_set(&r->ei, ERR_UNPROCESSABLE, f, "%s: a digit 0-9", f);
		}
		x->digit = digit[0];
		act = ivr_node_action_parse(action);
		if (act < 0) {
			snprintf(f, sizeof(f), "%s.action", at);
			return err_set(&r->ei, ERR_UNPROCESSABLE, f,
				       "%s: queue, menu or announce_hangup", f);
		}
		x->action = (enum ivr_node_action)act;
		kids = json_object_get(o, "children");
		if (kids && !json_is_null(kids)) {
			char sub[96];

			snprintf(sub, sizeof(sub), "%s.children", at);
			if (x->action != IVR_NODE_MENU && json_is_array(kids) &&
			    json_array_size(kids) > 0)
				return err_set(&r->ei, ERR_UNPROCESSABLE, sub,
					       "%s: only a sub-menu (action menu) has choices",
					       sub);
			rc = parse_level(r, kids, self, depth + 1, sub, m);
			if (rc < 0)
				return rc;
		}
	}
	return 0;
}

static int menu_parse(struct req *r, const struct ivr_menu *cur, struct ivr_menu *m)
{
	static const char *const fields[] = {"version", "welcome", "prompt", "nodes", NULL};
	json_t *nodes = r->body ? json_object_get(r->body, "nodes") : NULL;
	int rc = body_only(r, fields);

	memset(m, 0, sizeof(*m));
	snprintf(m->welcome, sizeof(m->welcome), "%s", cur->welcome);
	snprintf(m->prompt, sizeof(m->prompt), "%s", cur->prompt);
	if (rc == 0)
		rc = ivr_api_text_field(r, r->body, "", "welcome", 0, m->welcome,
					sizeof(m->welcome), "no such prompt");
	if (rc == 0)
		rc = ivr_api_text_field(r, r->body, "", "prompt", 0, m->prompt, sizeof(m->prompt),
					"no such prompt");
	if (rc == 0 && !nodes)
		rc = err_set(&r->ei, ERR_INVALID, "nodes", "nodes: required");
	if (rc == 0)
		rc = parse_level(r, nodes, -1, 1, "nodes", m);
	return rc;
}

/* 409 when the client edited an older version than the stored one. */
int ivr_api_version_check(struct req *r, int64_t stored)
{
	json_t *v = r->body ? json_object_get(r->body, "version") : NULL;

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_integer(v))
		return err_set(&r->ei, ERR_INVALID, "version", "version: expected a whole number");
	if (json_integer_value(v) != stored)
		return err_set(&r->ei, ERR_CONFLICT, "version",
			       "someone else changed this since it was loaded (version %lld now); "
			       "reload and edit again",
			       (long long)stored);
	return 0;
}

static int menu_put(struct req *r)
{
	struct ivr_menu *cur = calloc(1, sizeof(*cur)), *m = calloc(1, sizeof(*m));
	struct names queues = {0}, prompts = {0};
	struct ivr_known k;
	json_t *changes = NULL;
	int rc = cur && m ? 0 : ERR_NOMEM;

	/* The stored welcome and prompt are the defaults of absent fields;
	 * read again inside the transaction below. */
	if (rc == 0)
		rc = ivr_menu_load(r->store, cur);
	if (rc == 0)
		rc = menu_parse(r, cur, m);
	if (rc == 0)
		rc = known_load(r, &queues, &prompts, &k);
	if (rc == 0)
		rc = ivr_menu_validate(m, &k, &r->ei);
	if (rc == 0)
		rc = store_begin(r->store);
	if (rc < 0)
		goto out;
	rc = ivr_menu_load(r->store, cur);
	if (rc == 0)
		rc = ivr_api_version_check(r, cur->version);
	if (rc == 0) {
		changes = json_object();
		ivr_api_note_change(changes, "welcome", json_string(cur->welcome),
				    json_string(m->welcome));
		ivr_api_note_change(changes, "prompt", json_string(cur->prompt),
				    json_string(m->prompt));
		ivr_api_note_change(changes, "nodes", nodes_json(cur), nodes_json(m));
	}
	if (rc == 0 && json_object_size(changes) > 0) {
		rc = ivr_menu_save(r->store, m, r->now, &m->version);
		m->updated_at = r->now;
		if (rc == 0)
			rc = req_audit(r, "hotline.menu.update", "hotline_menu", 0, "ok",
				       json_pack("{s:I, s:O}", "version", (json_int_t)m->version,
						 "fields", changes));
	} else if (rc == 0) {
		*m = *cur;
	}
	rc = req_finish(r, rc);
	if (rc == 0)
		rc = reply_json(r, 200, menu_json(m));
out:
	json_decref(changes);
	names_free(&queues);
	names_free(&prompts);
	free(cur);
	free(m);
	return rc;
}

/* -- The hours -- */

static json_t *days_json(const struct ivr_day *days, int n, int with_weekday)
{
	json_t *a = json_array();

	for (int i = 0; i < n; i++) {
		char date[11];
		json_t *o;

		ivr_date_format(days[i].ymd, date);
		o = json_pack("{s:s, s:s}", "date", date, "name", days[i].name);
		if (with_weekday)
			json_object_set_new(o, "as_weekday", json_integer(days[i].as_weekday));
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *weekly_json(const struct ivr_hours *h)
{
	json_t *a = json_array();

	for (int i = 0; i < h->nweekly; i++) {
		char opens[6], closes[6];

		ivr_time_format(h->weekly[i].opens, opens);
		ivr_time_format(h->weekly[i].closes, closes);
		json_array_append_new(a,
				      json_pack("{s:i, s:s, s:s}", "weekday", h->weekly[i].weekday,
						"opens", opens, "closes", closes));
	}
	return a;
}

static json_t *hours_json(const struct ivr_hours *h, int64_t now)
{
	return json_pack("{s:I, s:b, s:s, s:o, s:o, s:o, s:s, s:b, s:I}", "version",
			 (json_int_t)h->version, "always_open", h->always_open, "closed_prompt",
			 h->closed_prompt, "weekly", weekly_json(h), "closed_days",
			 days_json(h->closed, h->nclosed, 0), "open_days",
			 days_json(h->open, h->nopen, 1), "timezone", clock_tz_name(), "open_now",
			 ivr_open(h, now), "updated_at", (json_int_t)h->updated_at);
}

static int hours_get(struct req *r)
{
	struct ivr_hours *h;
	int rc = ivr_api_may_read(r);

	if (rc < 0)
		return rc;
	h = malloc(sizeof(*h));
	if (!h)
		return ERR_NOMEM;
	rc = ivr_hours_load(r->store, h);
	if (rc == 0)
		rc = reply_json(r, 200, hours_json(h, r->now));
	free(h);
	return rc;
}

/* An array field of the body, required; at most max items. */
static int list_field(struct req *r, const char *key, size_t max, json_t **out)
{
	json_t *v = json_object_get(r->body, key);

	if (!v)
		return err_set(&r->ei, ERR_INVALID, key, "%s: required", key);
	if (!json_is_array(v))
		return err_set(&r->ei, ERR_INVALID, key, "%s: expected an array", key);
	if (json_array_size(v) > max)
		return err_set(&r->ei, ERR_UNPROCESSABLE, key, "%s: at most %zu", key, max);
	*out = v;
	return 0;
}

/* A whole number at path.key; absent: *dst alone unless required. */
static int int_field(struct req *r, json_t *obj, const char *path, const char *key, int required,
		     int *dst)
{
	json_t *v = json_object_get(obj, key);
	char at[80];

	snprintf(at, sizeof(at), "%s%s%s", path, path[0] ? "." : "", key);
	if (!v) {
		if (required)
			return err_set(&r->ei, ERR_INVALID, at, "%s: required", at);
		return 0;
	}
	if (!json_is_integer(v))
		return err_set(&r->ei, ERR_INVALID, at, "%s: expected a whole number", at);
	if (json_integer_value(v) < -1000000 || json_integer_value(v) > 1000000)
		return err_set(&r->ei, ERR_UNPROCESSABLE, at, "%s: out of range", at);
	*dst = (int)json_integer_value(v);
	return 0;
}

/* "HH:MM" at path.key into minutes. */
static int time_field(struct req *r, json_t *obj, const char *path, const char *key, int *dst)
{
	char text[8] = "", at[80];
	int rc = ivr_api_text_field(r, obj, path, key, 1, text, sizeof(text),
				    "a time HH:MM, 00:00-24:00");

	if (rc < 0)
		return rc;
	snprintf(at, sizeof(at), "%s.%s", path, key);
	if (ivr_time_parse(text, dst) < 0)
		return err_set(&r->ei, ERR_UNPROCESSABLE, at, "%s: a time HH:MM, 00:00-24:00", at);
	return 0;
}

static int days_parse(struct req *r, const char *key, struct ivr_day *days, int *n,
		      int with_weekday)
{
	static const char *const closed_fields[] = {"date", "name", NULL};
	static const char *const open_fields[] = {"date", "name", "as_weekday", NULL};
	json_t *list = NULL, *o;
	size_t i;
	int rc = list_field(r, key, IVR_DAYS_MAX, &list);

	if (rc < 0)
		return rc;
	*n = 0;
	json_array_foreach(list, i, o)
	{
		struct ivr_day *d = &days[(*n)++];
		char at[48], date[16] = "";

		snprintf(at, sizeof(at), "%s[%zu]", key, i);
		memset(d, 0, sizeof(*d));
		d->as_weekday = with_weekday ? 1 : 0;
		if (!json_is_object(o))
			return err_set(&r->ei, ERR_INVALID, at, "%s: expected an object", at);
		rc = only_fields(r, o, at, with_weekday ? open_fields : closed_fields);
		if (rc == 0)
			rc = ivr_api_text_field(r, o, at, "date", 1, date, sizeof(date),
						"a date YYYY-MM-DD");
		if (rc == 0)
			rc = ivr_api_text_field(r, o, at, "name", 0, d->name, sizeof(d->name),
						"at most 32 characters");
		if (rc == 0 && with_weekday)
			rc = int_field(r, o, at, "as_weekday", 0, &d->as_weekday);
		if (rc < 0)
			return rc;
		if (ivr_date_parse(date, &d->ymd) < 0) {
			char f[64];

			snprintf(f, sizeof(f), "%s.date", at);
			return err_set(&r->ei, ERR_UNPROCESSABLE, f, "%s: a date YYYY-MM-DD", f);
		}
	}
	return 0;
}

static int hours_parse(struct req *r, const struct ivr_hours *cur, struct ivr_hours *h)
{
	static const char *const fields[] = {"version", "always_open", "closed_prompt",
					     "weekly",	"closed_days", "open_days",
					     NULL};
	static const char *const range_fields[] = {"weekday", "opens", "closes", NULL};
	json_t *weekly = NULL, *o;
	size_t i;
	int rc = body_only(r, fields);

	memset(h, 0, sizeof(*h));
	snprintf(h->closed_prompt, sizeof(h->closed_prompt), "%s", cur->closed_prompt);
	if (rc == 0 && !json_object_get(r->body, "always_open"))
		rc = err_set(&r->ei, ERR_INVALID, "always_open", "always_open: required");
	if (rc == 0)
		rc = body_bool(r, "always_open", &h->always_open);
	if (rc == 0)
		rc = ivr_api_text_field(r, r->body, "", "closed_prompt", 0, h->closed_prompt,
					sizeof(h->closed_prompt), "no such prompt");
	if (rc == 0)
		rc = list_field(r, "weekly", IVR_RANGES_MAX, &weekly);
	if (rc < 0)
		return rc;
	json_array_foreach(weekly, i, o)
	{
		struct ivr_range *x = &h->weekly[h->nweekly++];
		char at[32];

		snprintf(at, sizeof(at), "weekly[%zu]", i);
		if (!json_is_object(o))
			return err_set(&r->ei, ERR_INVALID, at, "%s: expected an object", at);
		rc = only_fields(r, o, at, range_fields);
		if (rc == 0)
			rc = int_field(r, o, at, "weekday", 1, &x->weekday);
		if (rc == 0)
			rc = time_field(r, o, at, "opens", &x->opens);
		if (rc == 0)
			rc = time_field(r, o, at, "closes", &x->closes);
		if (rc < 0)
			return rc;
	}
	rc = days_parse(r, "closed_days", h->closed, &h->nclosed, 0);
	if (rc == 0)
		rc = days_parse(r, "open_days", h->open, &h->nopen, 1);
	return rc;
}

static int hours_put(struct req *r)
{
	struct ivr_hours *cur = calloc(1, sizeof(*cur)), *h = calloc(1, sizeof(*h));
	struct names queues = {0}, prompts = {0};
	struct ivr_known k;
	json_t *changes = NULL;
	int rc = cur && h ? 0 : ERR_NOMEM;

	if (rc == 0)
		rc = ivr_hours_load(r->store, cur);
	if (rc == 0)
		rc = hours_parse(r, cur, h);
	if (rc == 0)
		rc = known_load(r, &queues, &prompts, &k);
	if (rc == 0)
		rc = ivr_hours_validate(h, &k, &r->ei);
	if (rc == 0)
		rc = store_begin(r->store);
	if (rc < 0)
		goto out;
	rc = ivr_hours_load(r->store, cur);
	if (rc == 0)
		rc = ivr_api_version_check(r, cur->version);
	if (rc == 0) {
		changes = json_object();
		ivr_api_note_change(changes, "always_open", json_boolean(cur->always_open),
				    json_boolean(h->always_open));
		ivr_api_note_change(changes, "closed_prompt", json_string(cur->closed_prompt),
				    json_string(h->closed_prompt));
		ivr_api_note_change(changes, "weekly", weekly_json(cur), weekly_json(h));
		ivr_api_note_change(changes, "closed_days", days_json(cur->closed, cur->nclosed, 0),
				    days_json(h->closed, h->nclosed, 0));
		ivr_api_note_change(changes, "open_days", days_json(cur->open, cur->nopen, 1),
				    days_json(h->open, h->nopen, 1));
	}
	if (rc == 0 && json_object_size(changes) > 0) {
		rc = ivr_hours_save(r->store, h, r->now, &h->version);
		h->updated_at = r->now;
		if (rc == 0)
			rc = req_audit(r, "hotline.hours.update", "hotline_hours", 0, "ok",
				       json_pack("{s:I, s:O}", "version", (json_int_t)h->version,
						 "fields", changes));
	} else if (rc == 0) {
		*h = *cur;
	}
	rc = req_finish(r, rc);
	if (rc == 0) {
		/* What was saved, in the stored order (weekday, then time; dates). */
		rc = ivr_hours_load(r->store, h);
		if (rc == 0)
			rc = reply_json(r, 200, hours_json(h, r->now));
	}
out:
	json_decref(changes);
	names_free(&queues);
	names_free(&prompts);
	free(cur);
	free(h);
	return rc;
}

/* -- Prompts -- */

/* Reads and checks one WAV as the call engine would: *ms its length, or a
 * problem in words. */
static void prompt_check(const char *dir, const char *key, int *exists, int64_t *bytes, int64_t *ms,
			 char *problem, size_t size)
{
	char path[512];
	struct media_wav w;
	struct err_info ei = {0};
	uint8_t *buf = NULL;
	long len;
	FILE *f;

	*exists = 0;
	*bytes = *ms = 0;
	problem[0] = 0;
	snprintf(path, sizeof(path), "%s/%s.wav", dir, key);
	f = fopen(path, "rb");
	if (!f)
		return;
	*exists = 1;
	len = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
	*bytes = len < 0 ? 0 : len;
	if (len < 0 || len > PROMPT_BYTES_MAX || fseek(f, 0, SEEK_SET) != 0) {
		snprintf(problem, size, "larger than 4 MiB or unreadable");
		goto out;
	}
	buf = malloc((size_t)len + 1);
	if (!buf || fread(buf, 1, (size_t)len, f) != (size_t)len) {
		snprintf(problem, size, "unreadable");
		goto out;
	}
	if (media_wav_parse(buf, (size_t)len, 1, &w, &ei) < 0)
		snprintf(problem, size, "%s", ei.message[0] ? ei.message : "not a WAV kefu plays");
	else
		*ms = (int64_t)w.frames * 1000 / MEDIA_RATE;
out:
	free(buf);
	fclose(f);
}

static int prompts_list(struct req *r)
{
	const char *dir = r->app->cfg->prompts_dir;
	struct names all = {0};
	json_t *items;
	int rc = ivr_api_may_read(r);

	if (rc == 0)
		rc = names_init(&all, PROMPTS_MAX);
	if (rc < 0)
		return rc;
	for (int i = 0; ivr_prompts_builtin[i]; i++)
		names_add(&all, ivr_prompts_builtin[i]);
	prompt_files(dir, &all);
	qsort(all.ptrs, all.n, sizeof(*all.ptrs), names_cmp);
	items = json_array();
	for (size_t i = 0; i < all.n; i++) {
		char problem[256];
		int exists, builtin = 0;
		int64_t bytes, ms;

		for (int j = 0; ivr_prompts_builtin[j]; j++)
			builtin |= strcmp(ivr_prompts_builtin[j], all.ptrs[i]) == 0;
		prompt_check(dir, all.ptrs[i], &exists, &bytes, &ms, problem, sizeof(problem));
		json_array_append_new(items,
				      json_pack("{s:s, s:b, s:b, s:o, s:o, s:o}", "key",
						all.ptrs[i], "builtin", builtin, "exists", exists,
						"bytes", exists ? json_integer(bytes) : json_null(),
						"ms", ms ? json_integer(ms) : json_null(),
						"problem", ivr_api_opt_text(problem)));
	}
	names_free(&all);
	return reply_json(
		r, 200,
		json_pack("{s:o, s:n, s:s}", "items", items, "next_cursor", "prompts_dir", dir));
}

/* -- Queues -- */

static json_t *queue_json(const struct ivr_queue *q)
{
	return json_pack("{s:s, s:s, s:o, s:s, s:i, s:i, s:I}", "code", q->code, "name", q->name,
			 "skill", ivr_api_opt_text(q->skill), "strategy", q->strategy,
			 "max_wait_sec", q->max_wait_sec, "announce_sec", q->announce_sec,
			 "updated_at", (json_int_t)q->updated_at);
}

static int queue_row(void *ctx, const struct ivr_queue *q)
{
	return json_array_append_new(ctx, queue_json(q));
}

static int queues_list(struct req *r)
{
	json_t *items;
	int rc = ivr_api_may_read(r), n;

	if (rc < 0)
		return rc;
	items = json_array();
	n = ivr_queue_list(r->store, queue_row, items);
	if (n < 0) {
		json_decref(items);
		return n;
	}
	return reply_page(r, items, 0);
}

/* Reads the fields sent into q, noting each change. */
static int queue_fields_read(struct req *r, struct ivr_queue *q, json_t *changes)
{
	struct ivr_queue was = *q;
	json_t *skill = json_object_get(r->body, "skill");
	int rc = ivr_api_text_field(r, r->body, "", "name", 0, q->name, sizeof(q->name),
				    "1 to 32 characters");

	if (rc == 0)
		rc = ivr_api_text_field(r, r->body, "", "strategy", 0, q->strategy,
					sizeof(q->strategy),
					"longest_idle, round_robin or ring_all");
	if (rc == 0 && skill && json_is_null(skill))
		q->skill[0] = 0;
	else if (rc == 0)
		rc = ivr_api_text_field(r, r->body, "", "skill", 0, q->skill, sizeof(q->skill),
					"no such skill");
	if (rc == 0)
		rc = int_field(r, r->body, "", "max_wait_sec", 0, &q->max_wait_sec);
	if (rc == 0)
		rc = int_field(r, r->body, "", "announce_sec", 0, &q->announce_sec);
	if (rc < 0)
		return rc;
	if (json_object_get(r->body, "name") && !q->name[0])
		return err_set(&r->ei, ERR_UNPROCESSABLE, "name", "name: 1 to 32 characters");
	ivr_api_note_change(changes, "name", json_string(was.name), json_string(q->name));
	ivr_api_note_change(changes, "skill", ivr_api_opt_text(was.skill),
			    ivr_api_opt_text(q->skill));
	ivr_api_note_change(changes, "strategy", json_string(was.strategy),
			    json_string(q->strategy));
	ivr_api_note_change(changes, "max_wait_sec", json_integer(was.max_wait_sec),
			    json_integer(q->max_wait_sec));
	ivr_api_note_change(changes, "announce_sec", json_integer(was.announce_sec),
			    json_integer(q->announce_sec));
	return 0;
}

static int queue_update(struct req *r)
{
	static const char *const fields[] = {"name",	     "skill",	     "strategy",
					     "max_wait_sec", "announce_sec", NULL};
	struct ivr_queue q;
	json_t *changes = NULL;
	int rc = body_only(r, fields);

	if (rc == 0 && body_has(r, "code"))
		rc = err_set(&r->ei, ERR_INVALID, "code", "code: a queue's code never changes");
	if (rc == 0)
		rc = store_begin(r->store);
	if (rc < 0)
		return rc;
	rc = ivr_queue_get(r->store, r->params[0], &q);
	if (rc == ERR_NOTFOUND)
		rc = err_set(&r->ei, ERR_NOTFOUND, NULL, "no such queue");
	if (rc == 0) {
		changes = json_object();
		rc = queue_fields_read(r, &q, changes);
	}
	if (rc == 0)
		rc = ivr_queue_validate(&q, &r->ei);
	if (rc == 0 && q.skill[0]) {
		/* ORG-2: a queue serves the seats of one skill, or any seat. */
		rc = org_skill_exists(r->store, q.skill);
		rc = rc < 0 ? rc
		     : rc   ? 0
			    : err_set(&r->ei, ERR_UNPROCESSABLE, "skill",
				      "skill: no such skill (null: any seat)");
	}
	if (rc == 0 && json_object_size(changes) > 0) {
		rc = ivr_queue_update(r->store, &q, r->now);
		q.updated_at = r->now;
		if (rc == 0)
			rc = req_audit(r, "acd.queue.update", "acd_queue", 0, "ok",
				       json_pack("{s:s, s:O}", "code", q.code, "fields", changes));
	}
	json_decref(changes);
	rc = req_finish(r, rc);
	if (rc < 0)
		return rc;
	return reply_json(r, 200, queue_json(&q));
}

const struct route ivr_routes[] = {
	{"GET", "/api/hotline/menu", menu_get, ACT_SELF},
	{"PUT", "/api/hotline/menu", menu_put, ACT_HOTLINE_CONFIG},
	{"GET", "/api/hotline/hours", hours_get, ACT_SELF},
	{"PUT", "/api/hotline/hours", hours_put, ACT_HOTLINE_CONFIG},
	{"GET", "/api/hotline/prompts", prompts_list, ACT_SELF},
	{"GET", "/api/acd/queues", queues_list, ACT_SELF},
	{"PATCH", "/api/acd/queues/{code}", queue_update, ACT_HOTLINE_CONFIG},
	{NULL, NULL, NULL, ACT_PUBLIC},
};
