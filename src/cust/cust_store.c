#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mask.h"
#include "core/utf8.h"
#include "cust/cust.h"
#include "store/store.h"

#define CUST_COLS                                                                                  \
	"id, name, surname, title, kind, wechat, weibo, email, birthday, vip_level, tags, notes,"  \
	" merged_into, created_at, updated_at"
#define CUST_COLS_C                                                                                \
	"c.id, c.name, c.surname, c.title, c.kind, c.wechat, c.weibo, c.email, c.birthday,"       \
	" c.vip_level, c.tags, c.notes, c.merged_into, c.created_at, c.updated_at"
#define CUST_NCOLS 15

/* The counts of a screen pop, as columns after CUST_COLS_C. */
#define CUST_COUNTS                                                                                \
	", (SELECT count(*) FROM contact WHERE customer_id = c.id),"                              \
	" (SELECT count(*) FROM work_order WHERE customer_id = c.id)"

static void copy_text(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "");
	utf8_trim_partial(dst);
}

static int cust_read(struct store_stmt *st, void *dst)
{
	struct customer *c = dst;

	memset(c, 0, sizeof(*c));
	c->id = store_col_int(st, 0);
	STORE_COL_COPY(st, 1, c->name);
	STORE_COL_COPY(st, 2, c->surname);
	STORE_COL_COPY(st, 3, c->title);
	STORE_COL_COPY(st, 4, c->kind);
	STORE_COL_COPY(st, 5, c->wechat);
	STORE_COL_COPY(st, 6, c->weibo);
	STORE_COL_COPY(st, 7, c->email);
	STORE_COL_COPY(st, 8, c->birthday);
	c->vip_level = (int)store_col_int(st, 9);
	STORE_COL_COPY(st, 11, c->notes);
	c->merged_into = store_col_int(st, 12);
	c->created_at = store_col_int(st, 13);
	c->updated_at = store_col_int(st, 14);
	return cust_tags_parse(c, store_col_text(st, 10));
}

static void phone_add(struct customer *c, const char *phone, const char *label)
{
	if (c->nphones >= CUST_PHONES_MAX)
		return;
	copy_text(c->phones[c->nphones].phone, sizeof(c->phones[0].phone), phone);
	copy_text(c->phones[c->nphones].label, sizeof(c->phones[0].label), label);
	c->nphones++;
}

/* Phones are shown in the order they were added (same instant: by number). */
static int load_phones(struct store *s, struct customer *c)
{
	struct store_stmt *st = store_query(s,
					    "SELECT phone, label FROM customer_phone"
					    " WHERE customer_id = ? ORDER BY created_at, phone",
					    "i", c->id);
	int rc;

	c->nphones = 0;
	while ((rc = store_next(st, NULL, NULL)) == 1)
		phone_add(c, store_col_text(st, 0), store_col_text(st, 1));
	return store_end(st, rc, 0);
}

/* Phones of a page of customers (ordered by id) in one query over their id range. */
static int load_phones_range(struct store *s, struct customer *rows, int n)
{
	struct store_stmt *st = store_query(s,
					    "SELECT customer_id, phone, label FROM customer_phone"
					    " WHERE customer_id BETWEEN ? AND ?"
					    " ORDER BY customer_id, created_at, phone",
					    "ii", rows[0].id, rows[n - 1].id);
	int rc, i = 0;

	while ((rc = store_next(st, NULL, NULL)) == 1) {
		int64_t cid = store_col_int(st, 0);

		while (i < n && rows[i].id < cid)
			i++;
		if (i < n && rows[i].id == cid)
			phone_add(&rows[i], store_col_text(st, 1), store_col_text(st, 2));
	}
	return store_end(st, rc, 0);
}

int cust_get(struct store *s, int64_t id, struct customer *out)
{
	int rc = store_one(
		store_query(s, "SELECT " CUST_COLS " FROM customer WHERE id = ?", "i", id),
		cust_read, out);

	return rc < 0 ? rc : load_phones(s, out);
}

/*
 * The second query of a screen pop: the customer's phones, latest contacts
 * and latest orders in one round trip, told apart by the first column and
 * sorted by it, then by the second (phones oldest first, the rest newest
 * first).
 */
static int load_recent(struct store *s, struct customer *c, struct cust_history *h)
{
	struct store_stmt *st = store_query(
		s,
		"SELECT 0, created_at, phone, label, NULL, 0, 0, 0, NULL"
		" FROM customer_phone WHERE customer_id = ?"
		" UNION ALL SELECT * FROM (SELECT 1, -id, channel, direction, class, id, agent_id,"
		" started_at, substr(summary, 1, 60) FROM contact WHERE customer_id = ?"
		" ORDER BY id DESC LIMIT 5)"
		" UNION ALL SELECT * FROM (SELECT 2, -id, number, state, class, id, 0, created_at,"
		" NULL FROM work_order WHERE customer_id = ? ORDER BY id DESC LIMIT 5)"
		" ORDER BY 1, 2, 3",
		"iii", c->id, c->id, c->id);
	int rc;

	_Static_assert(CUST_RECENT == 5 && CUST_RECENT_SUMMARY == 60,
		       "the SQL above says 5 and 60");
	c->nphones = 0;
	h->ncontacts = h->norders = 0;
	while ((rc = store_next(st, NULL, NULL)) == 1) {
		int64_t kind = store_col_int(st, 0);

		if (kind == 0) {
			phone_add(c, store_col_text(st, 2), store_col_text(st, 3));
		} else if (kind == 1 && h->ncontacts < CUST_RECENT) {
			struct cust_recent_contact *k = &h->contacts[h->ncontacts++];

			STORE_COL_COPY(st, 2, k->channel);
			STORE_COL_COPY(st, 3, k->direction);
			STORE_COL_COPY(st, 4, k->cls);
			k->id = store_col_int(st, 5);
			k->agent_id = store_col_int(st, 6);
			k->started_at = store_col_int(st, 7);
			STORE_COL_COPY(st, 8, k->summary);
		} else if (kind == 2 && h->norders < CUST_RECENT) {
			struct cust_recent_order *o = &h->orders[h->norders++];

			STORE_COL_COPY(st, 2, o->number);
			STORE_COL_COPY(st, 3, o->state);
			STORE_COL_COPY(st, 4, o->cls);
			o->id = store_col_int(st, 5);
			o->created_at = store_col_int(st, 7);
		}
	}
	return store_end(st, rc, 0);
}

/* Reads the first query's row (customer, and counts when asked) and runs the second. */
static int load_found(struct store *s, struct store_stmt *st, struct customer *out,
		      struct cust_history *hist)
{
	int rc = store_next(st, cust_read, out);

	if (rc == 1 && hist) {
		memset(hist, 0, sizeof(*hist));
		hist->contacts_total = store_col_int(st, CUST_NCOLS);
		hist->orders_total = store_col_int(st, CUST_NCOLS + 1);
	}
	store_done(st);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return ERR_NOTFOUND;
	return hist ? load_recent(s, out, hist) : load_phones(s, out);
}

int cust_load(struct store *s, int64_t id, struct customer *out, struct cust_history *hist)
{
	struct store_stmt *st;

	/* merged_into is one hop: merges never chain (see cust_merge). */
	if (hist)
		st = store_query(s,
				 "SELECT " CUST_COLS_C CUST_COUNTS " FROM customer d"
				 " JOIN customer c ON c.id = COALESCE(d.merged_into, d.id)"
				 " WHERE d.id = ?",
				 "i", id);
	else
		st = store_query(s,
				 "SELECT " CUST_COLS_C " FROM customer d"
				 " JOIN customer c ON c.id = COALESCE(d.merged_into, d.id)"
				 " WHERE d.id = ?",
				 "i", id);
	return load_found(s, st, out, hist);
}

int cust_lookup(struct store *s, const char *phone, struct customer *out,
		struct cust_history *hist)
{
	char norm[CUST_PHONE_DIGITS + 1];
	struct store_stmt *st;

	if (cust_phone_normalize(phone, norm, sizeof(norm)) < 0)
		return ERR_NOTFOUND;
	/*
	 * One look-up by primary key of customer_phone. A merge moves the
	 * numbers to the survivor, so the join through merged_into only
	 * matters for rows written before that rule: it costs nothing.
	 */
	if (hist)
		st = store_query(s,
				 "SELECT " CUST_COLS_C CUST_COUNTS " FROM customer_phone p"
				 " JOIN customer d ON d.id = p.customer_id"
				 " JOIN customer c ON c.id = COALESCE(d.merged_into, d.id)"
				 " WHERE p.phone = ?",
				 "t", norm);
	else
		st = store_query(s,
				 "SELECT " CUST_COLS_C " FROM customer_phone p"
				 " JOIN customer d ON d.id = p.customer_id"
				 " JOIN customer c ON c.id = COALESCE(d.merged_into, d.id)"
				 " WHERE p.phone = ?",
				 "t", norm);
	return load_found(s, st, out, hist);
}

int cust_exists(struct store *s, int64_t id, int64_t *surviving_id)
{
	int64_t v = 0;
	int rc = store_run(s, "SELECT COALESCE(merged_into, id) FROM customer WHERE id = ?", &v,
			   "i", id);

	if (rc < 0)
		return rc;
	if (rc == 0)
		return ERR_NOTFOUND;
	if (surviving_id)
		*surviving_id = v;
	return 0;
}

int cust_phone_owner(struct store *s, const char *phone, int64_t *id)
{
	int rc = store_run(s, "SELECT customer_id FROM customer_phone WHERE phone = ?", id, "t",
			   phone);

	if (rc < 0)
		return rc;
	return rc == 0 ? ERR_NOTFOUND : 0;
}

int cust_has_order_in_department(struct store *s, int64_t customer_id, int64_t department_id)
{
	int64_t v = 0;
	int rc = store_run(s,
			   "SELECT EXISTS (SELECT 1 FROM work_order"
			   " WHERE customer_id = ? AND department_id = ?)",
			   &v, "ii", customer_id, department_id);

	if (rc < 0)
		return rc;
	return v != 0;
}

/* 409 naming `phones` when another customer holds one of c's numbers. */
static int phones_check(struct store *s, const struct customer *c, struct err_info *ei)
{
	for (int i = 0; i < c->nphones; i++) {
		int64_t owner = 0;
		int rc = cust_phone_owner(s, c->phones[i].phone, &owner);

		if (rc == ERR_NOTFOUND || (rc == 0 && owner == c->id))
			continue;
		if (rc < 0)
			return rc;
		{
			char masked[CUST_PHONE_DIGITS + 8];

			/* Masked even here (CUST-2): the message may be shown or logged. */
			mask_phone(c->phones[i].phone, masked, sizeof(masked));
			return err_set(ei, ERR_CONFLICT, "phones",
				       "phones: %s is already a number of customer %lld", masked,
				       (long long)owner);
		}
	}
	return 0;
}

static int has_phone(const struct customer *c, const char *phone)
{
	for (int i = 0; i < c->nphones; i++)
		if (strcmp(c->phones[i].phone, phone) == 0)
			return 1;
	return 0;
}

/* Makes the stored phones of c what c says; old is what was stored (or NULL). */
static int phones_save(struct store *s, const struct customer *c, const struct customer *old,
		       int64_t now, struct err_info *ei)
{
	int rc;

	for (int i = 0; old && i < old->nphones; i++) {
		if (has_phone(c, old->phones[i].phone))
			continue;
		rc = store_run(s, "DELETE FROM customer_phone WHERE phone = ? AND customer_id = ?",
			       NULL, "ti", old->phones[i].phone, c->id);
		if (rc < 0)
			return rc;
	}
	for (int i = 0; i < c->nphones; i++) {
		/* Keeps the number's created_at (its place in the list) when it stays. */
		rc = store_run(s,
			       "INSERT INTO customer_phone(phone, customer_id, label, created_at)"
			       " VALUES (?,?,?,?) ON CONFLICT (phone) DO UPDATE"
			       " SET label = excluded.label"
			       " WHERE customer_phone.customer_id = excluded.customer_id",
			       NULL, "tiTi", c->phones[i].phone, c->id, c->phones[i].label, now);
		if (rc < 0)
			return rc;
		/* Another customer's number: phones_check said so already, unless it just arrived. */
		if (store_changes(s) == 0)
			return err_set(ei, ERR_CONFLICT, "phones",
				       "phones: a number belongs to another customer");
	}
	return 0;
}

static int vip_append(struct store *s, int64_t customer_id, int level, int64_t by,
		      const char *reason, int64_t now)
{
	int rc = store_run(s,
			   "INSERT INTO customer_vip(customer_id, level, at, by_id, reason)"
			   " VALUES (?,?,?,?,?)",
			   NULL, "iiidT", customer_id, (int64_t)level, now, by, reason);

	return rc < 0 ? rc : 0;
}

/*
 * Binds the customer's own columns from index 1 in the order of the INSERT
 * and UPDATE below. "" is stored as NULL ('T'): an unknown field is absent,
 * not empty text.
 */
static int bind_fields(struct store_stmt *st, const struct customer *c)
{
	char *tags = cust_tags_text(c);
	int rc;

	if (!tags)
		return ERR_NOMEM;
	rc = store_bindf(st, 1, "TTTtTTTTitT", c->name, c->surname, c->title, c->kind, c->wechat,
			 c->weibo, c->email, c->birthday, (int64_t)c->vip_level, tags, c->notes);
	free(tags);
	return rc;
}

int cust_insert(struct store *s, struct customer *c, int64_t by, const char *vip_reason,
		int64_t now, struct err_info *ei)
{
	struct store_stmt *st;
	int rc;

	c->id = 0;
	c->merged_into = 0;
	rc = cust_validate(c, now, ei);
	if (rc == 0)
		rc = phones_check(s, c, ei);
	if (rc < 0)
		return rc;
	st = store_prepare(s, "INSERT INTO customer(name, surname, title, kind, wechat, weibo,"
			      " email, birthday, vip_level, tags, notes, created_at, updated_at)"
			      " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id");
	rc = bind_fields(st, c);
	if (rc == 0)
		rc = store_bindf(st, 12, "ii", now, now);
	rc = store_once(st, rc, &c->id);
	if (rc < 0)
		return rc;
	c->created_at = c->updated_at = now;
	rc = phones_save(s, c, NULL, now, ei);
	/* CUST-3: the VIP history starts with the first level given. */
	if (rc == 0 && c->vip_level > 0)
		rc = vip_append(s, c->id, c->vip_level, by, vip_reason, now);
	return rc;
}

static int update_row(struct store *s, struct customer *c, int64_t now)
{
	struct store_stmt *st = store_prepare(
		s, "UPDATE customer SET name = ?, surname = ?, title = ?, kind = ?, wechat = ?,"
		   " weibo = ?, email = ?, birthday = ?, vip_level = ?, tags = ?, notes = ?,"
		   " updated_at = ? WHERE id = ?");
	int rc = bind_fields(st, c);

	if (rc == 0)
		rc = store_bindf(st, 12, "ii", now, c->id);
	rc = store_once(st, rc, NULL);
	if (rc < 0)
		return rc;
	if (store_changes(s) == 0)
		return ERR_NOTFOUND;
	c->updated_at = now;
	return 0;
}

int cust_update(struct store *s, struct customer *c, const struct customer *old, int64_t by,
		const char *vip_reason, int64_t now, struct err_info *ei)
{
	int rc = cust_validate(c, now, ei);

	if (rc == 0)
		rc = phones_check(s, c, ei);
	if (rc == 0)
		rc = update_row(s, c, now);
	if (rc == 0 && (cust_diff(c, old) & CF_PHONES))
		rc = phones_save(s, c, old, now, ei);
	/* CUST-3: every level change is kept, with who, when and why. */
	if (rc == 0 && c->vip_level != old->vip_level)
		rc = vip_append(s, c->id, c->vip_level, by, vip_reason, now);
	return rc;
}

int cust_list(struct store *s, const struct cust_filter *f,
	      int (*row)(void *ctx, const struct customer *c), void *ctx)
{
	struct store_stmt *st = store_query(
		s,
		"SELECT " CUST_COLS " FROM customer WHERE id > ? AND merged_into IS NULL"
		" AND (? IS NULL OR kind = ?) AND vip_level >= ?"
		" AND (? IS NULL OR instr(name, ?) > 0 OR instr(surname, ?) > 0"
		" OR instr(wechat, ?) > 0 OR instr(lower(email), lower(?)) > 0)"
		" ORDER BY id LIMIT ?",
		"ittittttti", f->after_id, f->kind, f->kind, (int64_t)f->vip_min, f->q, f->q, f->q,
		f->q, f->q, (int64_t)f->limit);
	struct customer *rows = NULL;
	int rc, n = 0, cap = 0;

	/* Rows are copied out first: phones come from a second statement. */
	while ((rc = store_next(st, NULL, NULL)) == 1) {
		if (n == cap) {
			struct customer *grown;

			cap = cap ? cap * 2 : 16;
			grown = realloc(rows, (size_t)cap * sizeof(*rows));
			if (!grown) {
				rc = ERR_NOMEM;
				break;
			}
			rows = grown;
		}
		rc = cust_read(st, &rows[n++]);
		if (rc < 0)
			break;
	}
	store_done(st);
	if (rc >= 0 && n > 0)
		rc = load_phones_range(s, rows, n);
	for (int i = 0; rc >= 0 && i < n; i++)
		rc = row(ctx, &rows[i]);
	free(rows);
	return rc < 0 ? rc : n;
}

static int vip_read(struct store_stmt *st, void *dst)
{
	struct cust_vip *v = dst;

	v->level = (int)store_col_int(st, 0);
	v->at = store_col_int(st, 1);
	v->by_id = store_col_int(st, 2);
	STORE_COL_COPY(st, 3, v->reason);
	return 0;
}

int cust_vip_list(struct store *s, int64_t id, int limit,
		  int (*row)(void *ctx, const struct cust_vip *v), void *ctx)
{
	struct store_stmt *st = store_query(s,
					    "SELECT level, at, by_id, reason FROM customer_vip"
					    " WHERE customer_id = ? ORDER BY at DESC, id DESC"
					    " LIMIT ?",
					    "ii", id, (int64_t)limit);
	struct cust_vip v;
	int rc, n = 0;

	while ((rc = store_next(st, vip_read, &v)) == 1 && (rc = row(ctx, &v)) >= 0)
		n++;
	return store_end(st, rc, n);
}

/* Moves the rows of one table from the duplicate to the survivor; *moved counts them. */
static int move(struct store *s, const char *sql, int64_t into, int64_t from, int *moved)
{
	int rc = store_run(s, sql, NULL, "ii", into, from);

	if (rc < 0)
		return rc;
	*moved = store_changes(s);
	return 0;
}

int cust_merge(struct store *s, int64_t into_id, int64_t from_id, int64_t by, int64_t now,
	       struct customer *out, struct cust_merge_result *res, struct err_info *ei)
{
	struct customer from;
	int flattened = 0;
	int rc;

	memset(res, 0, sizeof(*res));
	rc = cust_get(s, into_id, out);
	if (rc == ERR_NOTFOUND)
		return err_set(ei, ERR_NOTFOUND, NULL, "no such customer");
	if (rc < 0)
		return rc;
	if (out->merged_into)
		return err_set(ei, ERR_UNPROCESSABLE, NULL,
			       "customer %lld was merged into customer %lld: merge into that one",
			       (long long)into_id, (long long)out->merged_into);
	if (from_id == into_id)
		return err_set(ei, ERR_UNPROCESSABLE, "from_id",
			       "from_id: a customer cannot be merged into itself");
	rc = cust_get(s, from_id, &from);
	if (rc == ERR_NOTFOUND)
		return err_set(ei, ERR_UNPROCESSABLE, "from_id", "from_id: no such customer");
	if (rc < 0)
		return rc;
	if (from.merged_into)
		return err_set(ei, ERR_UNPROCESSABLE, "from_id",
			       "from_id: customer %lld was already merged into customer %lld",
			       (long long)from_id, (long long)from.merged_into);
	rc = cust_merge_fields(out, &from, res, ei);
	/* Nothing is lost (CUST-1): every row that named the duplicate now names the survivor. */
	if (rc == 0)
		rc = move(s, "UPDATE customer_phone SET customer_id = ? WHERE customer_id = ?",
			  into_id, from_id, &res->phones);
	if (rc == 0)
		rc = move(s, "UPDATE contact SET customer_id = ? WHERE customer_id = ?", into_id,
			  from_id, &res->contacts);
	if (rc == 0)
		rc = move(s, "UPDATE work_order SET customer_id = ? WHERE customer_id = ?", into_id,
			  from_id, &res->orders);
	if (rc == 0)
		rc = move(s, "UPDATE customer_vip SET customer_id = ? WHERE customer_id = ?",
			  into_id, from_id, &res->vip_history);
	/* Earlier duplicates of the duplicate point straight at the survivor: no chains. */
	if (rc == 0)
		rc = move(s, "UPDATE customer SET merged_into = ? WHERE merged_into = ?", into_id,
			  from_id, &flattened);
	if (rc == 0)
		rc = store_run(s, "UPDATE customer SET merged_into = ?, updated_at = ? WHERE id = ?",
			       NULL, "iii", into_id, now, from_id);
	if (rc == 0)
		rc = update_row(s, out, now);
	if (rc == 0 && out->vip_level != res->old_vip) {
		char reason[64];

		snprintf(reason, sizeof(reason), "merged with customer %lld", (long long)from_id);
		rc = vip_append(s, into_id, out->vip_level, by, reason, now);
	}
	if (rc == 0)
		rc = load_phones(s, out);
	return rc < 0 ? rc : 0;
}

#define CONTACT_COLS                                                                               \
	"id, channel, direction, customer_id, phone, agent_id, started_at, ended_at, class, fivew," \
	" summary, satisfaction, created_at, call_id"

static int contact_read(struct store_stmt *st, void *dst)
{
	struct cust_contact *c = dst;

	memset(c, 0, sizeof(*c));
	c->id = store_col_int(st, 0);
	STORE_COL_COPY(st, 1, c->channel);
	STORE_COL_COPY(st, 2, c->direction);
	c->customer_id = store_col_int(st, 3);
	STORE_COL_COPY(st, 4, c->phone);
	c->agent_id = store_col_int(st, 5);
	c->started_at = store_col_int(st, 6);
	c->ended_at = store_col_int(st, 7);
	STORE_COL_COPY(st, 8, c->cls);
	STORE_COL_COPY(st, 10, c->summary);
	c->satisfaction = (int)store_col_int(st, 11);
	c->created_at = store_col_int(st, 12);
	c->call_id = store_col_int(st, 13);
	return cust_fivew_parse(c, store_col_text(st, 9));
}

int cust_contact_get(struct store *s, int64_t id, struct cust_contact *out)
{
	return store_one(
		store_query(s, "SELECT " CONTACT_COLS " FROM contact WHERE id = ?", "i", id),
		contact_read, out);
}

int cust_contact_call_metrics(struct store *s, int64_t call_id, char **out)
{
	struct store_stmt *st =
		store_query(s, "SELECT metrics FROM call WHERE id = ?", "i", call_id);
	int rc = store_next(st, NULL, NULL);
	const char *text = rc == 1 ? store_col_text(st, 0) : NULL;

	*out = NULL;
	if (text) {
		*out = strdup(text);
		rc = *out ? 0 : ERR_NOMEM;
	}
	store_done(st);
	return rc < 0 ? rc : 0;
}

/* The 5W1H as stored: a JSON object, NULL when no key is set. */
static int bind_fivew(struct store_stmt *st, int idx, const struct cust_contact *c)
{
	char *text;
	int any = 0;

	for (int i = 0; i < CUST_FIVEW; i++)
		any |= c->fivew[i][0] != '\0';
	if (!any)
		return store_bind_null(st, idx) < 0 ? ERR_IO : 0;
	text = cust_fivew_text(c);
	if (!text)
		return ERR_NOMEM;
	store_bind_text(st, idx, text);
	free(text);
	return 0;
}

int cust_contact_insert(struct store *s, struct cust_contact *c, int64_t now,
			struct err_info *ei)
{
	struct store_stmt *st;
	int rc = cust_contact_validate(c, now, ei);

	if (rc < 0)
		return rc;
	if (c->customer_id) {
		/* A contact with a merged-away customer belongs to the survivor. */
		rc = cust_exists(s, c->customer_id, &c->customer_id);
		if (rc == ERR_NOTFOUND)
			return err_set(ei, ERR_UNPROCESSABLE, "customer_id", "no such customer");
	} else if (c->phone[0]) {
		/* A known number attaches the contact to its customer; an unknown one creates nothing. */
		rc = cust_phone_owner(s, c->phone, &c->customer_id);
		if (rc == ERR_NOTFOUND) {
			c->customer_id = 0;
			rc = 0;
		}
	}
	if (rc < 0)
		return rc;
	st = store_prepare(s, "INSERT INTO contact(channel, direction, customer_id, phone, agent_id,"
			      " started_at, ended_at, class, fivew, summary, satisfaction,"
			      " created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id");
	rc = store_bindf(st, 1, "ttdTiidT", c->channel, c->direction, c->customer_id, c->phone,
			 c->agent_id, c->started_at, c->ended_at, c->cls);
	if (rc == 0)
		rc = bind_fivew(st, 9, c);
	/* A satisfaction of 0 (not rated) is stored as NULL, like an unset id. */
	if (rc == 0)
		rc = store_bindf(st, 10, "Tdi", c->summary, (int64_t)c->satisfaction, now);
	rc = store_once(st, rc, &c->id);
	if (rc < 0)
		return rc;
	c->created_at = now;
	return 0;
}

int cust_contact_update(struct store *s, const struct cust_contact *c, int64_t now,
			struct err_info *ei)
{
	struct store_stmt *st;
	int rc = cust_contact_validate(c, now, ei);

	if (rc < 0)
		return rc;
	st = store_prepare(s, "UPDATE contact SET ended_at = ?, class = ?, fivew = ?, summary = ?,"
			      " satisfaction = ?, customer_id = ? WHERE id = ?");
	rc = store_bindf(st, 1, "dT", c->ended_at, c->cls);
	if (rc == 0)
		rc = bind_fivew(st, 3, c);
	if (rc == 0)
		rc = store_bindf(st, 4, "Tddi", c->summary, (int64_t)c->satisfaction,
				 c->customer_id, c->id);
	rc = store_once(st, rc, NULL);
	if (rc < 0)
		return rc;
	return store_changes(s) ? 0 : ERR_NOTFOUND;
}

int cust_contact_list(struct store *s, const struct cust_contact_filter *f,
		      int (*row)(void *ctx, const struct cust_contact *c), void *ctx)
{
	struct store_sql q = STORE_SQL_INIT;
	struct store_stmt *st;
	struct cust_contact *c = malloc(sizeof(*c));
	int n = 0, rc;

	if (!c)
		return ERR_NOMEM;
	/*
	 * Only the filters asked for go into the WHERE clause, so SQLite can
	 * use the index that fits (customer or agent, each with id).
	 */
	store_sql_add(&q, "SELECT " CONTACT_COLS " FROM contact WHERE 1=1", "");
	if (f->customer_id)
		store_sql_add(&q, " AND customer_id = ?", "i", f->customer_id);
	if (f->agent_id)
		store_sql_add(&q, " AND agent_id = ?", "i", f->agent_id);
	if (f->from)
		store_sql_add(&q, " AND started_at >= ?", "i", f->from);
	if (f->to)
		store_sql_add(&q, " AND started_at < ?", "i", f->to);
	if (f->before_id)
		store_sql_add(&q, " AND id < ?", "i", f->before_id);
	store_sql_add(&q, " ORDER BY id DESC LIMIT ?", "i", (int64_t)f->limit);
	st = store_sql_prepare(s, &q);
	while ((rc = store_next(st, contact_read, c)) == 1 && (rc = row(ctx, c)) >= 0)
		n++;
	free(c);
	return store_end(st, rc, n);
}

/*
 * The stored forms of tags (a JSON array of strings) and of the 5W1H (a
 * JSON object with only the keys set, sorted): the columns customer.tags
 * and contact.fivew hold them as text.
 */
char *cust_tags_text(const struct customer *c)
{
	json_t *a = json_array();
	char *text;

	if (!a)
		return NULL;
	for (int i = 0; i < c->ntags; i++)
		json_array_append_new(a, json_string(c->tags[i]));
	text = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	return text;
}

int cust_tags_parse(struct customer *c, const char *text)
{
	json_t *a = json_loads(text ? text : "[]", 0, NULL), *v;
	size_t i;

	c->ntags = 0;
	if (!json_is_array(a)) {
		json_decref(a);
		return ERR_IO;
	}
	json_array_foreach(a, i, v)
		if (json_is_string(v) && cust_tag_add(c, json_string_value(v)) < 0)
			break;
	json_decref(a);
	return 0;
}

char *cust_fivew_text(const struct cust_contact *c)
{
	json_t *o = json_object();
	char *text;

	if (!o)
		return NULL;
	for (int i = 0; i < CUST_FIVEW; i++)
		if (c->fivew[i][0])
			json_object_set_new(o, cust_fivew_keys[i], json_string(c->fivew[i]));
	text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	return text;
}

int cust_fivew_parse(struct cust_contact *c, const char *text)
{
	json_t *o, *v;
	const char *key;

	memset(c->fivew, 0, sizeof(c->fivew));
	if (!text)
		return 0;
	o = json_loads(text, 0, NULL);
	if (!json_is_object(o)) {
		json_decref(o);
		return ERR_IO;
	}
	json_object_foreach(o, key, v)
	{
		int i = cust_fivew_index(key);

		if (i >= 0 && json_is_string(v))
			snprintf(c->fivew[i], sizeof(c->fivew[i]), "%s", json_string_value(v));
	}
	json_decref(o);
	return 0;
}
