/*
 * The knowledge base's rules: the names it knows, the workflow, who may
 * read an article, the line diff of two versions and the placeholders of
 * scripts. No I/O, no SQL, no JSON.
 */
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/err.h"
#include "core/utf8.h"
#include "kb/kb.h"

static int in_list(const char *s, const char *const *list, size_t n)
{
	if (!s)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (strcmp(s, list[i]) == 0)
			return 1;
	return 0;
}

#define IN(s, list) in_list(s, list, sizeof(list) / sizeof(list[0]))

int kb_kind_valid(const char *kind)
{
	static const char *const kinds[] = {"article", "script"};

	return IN(kind, kinds);
}

int kb_slot_valid(const char *slot)
{
	/* CALL-3 opening and closing, seed 000's complaint answers, CALL-9
	 * outbound, CB-2 callbacks, CUST-5 addressing, forbidden phrases. */
	static const char *const slots[] = {"opening",	"closing",    "complaint", "outbound",
					    "callback", "addressing", "forbidden", "other"};

	return IN(slot, slots);
}

int kb_class_valid(const char *code)
{
	static const char *const classes[] = {"A1", "A2", "B", "C", "D", "E", "F"};

	return IN(code, classes);
}

int kb_state_valid(const char *state)
{
	static const char *const states[] = {"draft", "review", "published", "retired"};

	return IN(state, states);
}

int kb_date_parse(const char *s, int *ymd)
{
	int y, m, d, yy, mm, dd;

	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return 0;
	y = atoi(s);
	m = atoi(s + 5);
	d = atoi(s + 8);
	if (y < 1970 || m < 1 || m > 12 || d < 1 || d > 31)
		return 0;
	/* Round trip through the day number: 2026-02-30 is no day. */
	clock_civil_from_days(clock_days_from_civil(y, m, d), &yy, &mm, &dd);
	if (yy != y || mm != m || dd != d)
		return 0;
	*ymd = y * 10000 + m * 100 + d;
	return 1;
}

int kb_stale(const char *review_due, int64_t now)
{
	int ymd;

	if (!review_due || !*review_due || !kb_date_parse(review_due, &ymd))
		return 0;
	return ymd < clock_local_ymd(now);
}

int kb_text_valid(const char *s, size_t max, int multiline, const char **why)
{
	size_t n = strlen(s);

	if (!utf8_valid(s, n)) {
		*why = "not valid UTF-8";
		return ERR_INVALID;
	}
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p < 0x20 && !(multiline && (*p == '\n' || *p == '\r' || *p == '\t'))) ||
		    *p == 0x7f) {
			*why = "no control characters";
			return ERR_INVALID;
		}
	if (utf8_blank(s)) {
		*why = "required";
		return ERR_INVALID;
	}
	if (utf8_len(s) > max) {
		*why = "too long";
		return ERR_INVALID;
	}
	return 0;
}

/* -- the workflow -- */

static const char *const op_names[] = {"submit", "approve", "reject", "retire", "restore"};
static const char *const op_events[] = {"submitted", "approved", "rejected", "retired", "restored"};

int kb_op_parse(const char *name, enum kb_op *op)
{
	for (size_t i = 0; i < sizeof(op_names) / sizeof(op_names[0]); i++)
		if (name && strcmp(name, op_names[i]) == 0) {
			*op = (enum kb_op)i;
			return 0;
		}
	return ERR_NOTFOUND;
}

const char *kb_op_name(enum kb_op op)
{
	return op_names[op];
}

const char *kb_op_event(enum kb_op op)
{
	return op_events[op];
}

enum auth_action kb_op_action(enum kb_op op)
{
	return op == KB_SUBMIT ? ACT_KB_EDIT : ACT_KB_REVIEW;
}

const char *kb_transition(const char *state, enum kb_op op)
{
	static const struct {
		const char *from;
		enum kb_op op;
		const char *to;
	} moves[] = {
		{"draft", KB_SUBMIT, "review"},	  {"review", KB_APPROVE, "published"},
		{"review", KB_REJECT, "draft"},	  {"published", KB_RETIRE, "retired"},
		{"retired", KB_RESTORE, "draft"},
	};

	for (size_t i = 0; i < sizeof(moves) / sizeof(moves[0]); i++)
		if (moves[i].op == op && strcmp(moves[i].from, state) == 0)
			return moves[i].to;
	return NULL;
}

const char *kb_state_after_edit(const char *state)
{
	(void)state;
	/* New content is a draft whatever came before: a published article's
	 * readers keep its published version until this one is approved. */
	return "draft";
}

int kb_visible(const struct kb_audience *a, int64_t published_version, unsigned reader_roles,
	       int64_t reader_department)
{
	int dept_ok = a->n_departments == 0;

	if (published_version <= 0)
		return 0;
	if (a->roles && !(a->roles & reader_roles))
		return 0;
	for (int i = 0; i < a->n_departments && !dept_ok; i++)
		dept_ok = reader_department && a->departments[i] == reader_department;
	return dept_ok;
}

/* -- the line diff -- */

struct lines {
	const char **at;
	size_t *len;
	size_t n;
};

static int split_lines(const char *s, struct lines *l)
{
	size_t cap = 1;

	for (const char *p = s; *p; p++)
		cap += *p == '\n';
	l->at = malloc(cap * sizeof(*l->at));
	l->len = malloc(cap * sizeof(*l->len));
	l->n = 0;
	if (!l->at || !l->len)
		return ERR_NOMEM;
	while (*s) {
		const char *nl = strchr(s, '\n');
		size_t n = nl ? (size_t)(nl - s) : strlen(s);

		l->at[l->n] = s;
		/* "a\r\n" and "a\n" are the same line. */
		l->len[l->n++] = n && s[n - 1] == '\r' ? n - 1 : n;
		s += nl ? n + 1 : n;
	}
	return 0;
}

static int line_eq(const struct lines *a, size_t i, const struct lines *b, size_t j)
{
	return a->len[i] == b->len[j] && memcmp(a->at[i], b->at[j], a->len[i]) == 0;
}

static int emit(int (*fn)(void *, const struct kb_diff_line *), void *ctx, char op,
		const struct lines *l, size_t i)
{
	struct kb_diff_line d = {op, l->at[i], l->len[i]};

	return fn(ctx, &d);
}

int kb_diff(const char *from, const char *to, int (*fn)(void *ctx, const struct kb_diff_line *l),
	    void *ctx)
{
	struct lines a = {0}, b = {0};
	size_t pre = 0, suf = 0, n, m, i, j;
	unsigned *t = NULL;
	int rc = split_lines(from ? from : "", &a);

	if (rc == 0)
		rc = split_lines(to ? to : "", &b);
	if (rc < 0)
		goto out;
	/* The common head and tail, then the longest common subsequence of the middle. */
	while (pre < a.n && pre < b.n && line_eq(&a, pre, &b, pre))
		pre++;
	while (suf < a.n - pre && suf < b.n - pre && line_eq(&a, a.n - 1 - suf, &b, b.n - 1 - suf))
		suf++;
	n = a.n - pre - suf;
	m = b.n - pre - suf;
	for (i = 0; i < pre && rc >= 0; i++)
		rc = emit(fn, ctx, ' ', &b, i);
	if (rc >= 0 && n && m && n <= KB_DIFF_LINES_MAX && m <= KB_DIFF_LINES_MAX) {
		/* t[i][j]: the length of the LCS of a's middle from i and b's from j. */
		t = calloc((n + 1) * (m + 1), sizeof(*t));
		if (!t) {
			rc = ERR_NOMEM;
			goto out;
		}
#define T(x, y) t[(x) * (m + 1) + (y)]
		for (i = n; i-- > 0;)
			for (j = m; j-- > 0;)
				T(i, j) = line_eq(&a, pre + i, &b, pre + j) ? T(i + 1, j + 1) + 1
					  : T(i + 1, j) >= T(i, j + 1)	    ? T(i + 1, j)
									    : T(i, j + 1);
		i = j = 0;
		while (rc >= 0 && (i < n || j < m)) {
			if (i < n && j < m && line_eq(&a, pre + i, &b, pre + j)) {
				rc = emit(fn, ctx, ' ', &b, pre + j);
				i++, j++;
			} else if (i < n && (j == m || T(i + 1, j) >= T(i, j + 1)))
				rc = emit(fn, ctx, '-', &a, pre + i++);
			else
				rc = emit(fn, ctx, '+', &b, pre + j++);
		}
#undef T
	} else {
		for (i = 0; i < n && rc >= 0; i++)
			rc = emit(fn, ctx, '-', &a, pre + i);
		for (j = 0; j < m && rc >= 0; j++)
			rc = emit(fn, ctx, '+', &b, pre + j);
	}
	for (i = b.n - suf; i < b.n && rc >= 0; i++)
		rc = emit(fn, ctx, ' ', &b, i);
out:
	free(t);
	free(a.at);
	free(a.len);
	free(b.at);
	free(b.len);
	return rc < 0 ? rc : 0;
}

/* -- placeholders -- */

int kb_fill(const char *text, const struct kb_fill_values *v, struct buf *out)
{
	const struct {
		const char *name;
		const char *value;
	} ph[] = {{"{center}", v->center},
		  {"{agent_no}", v->agent_no},
		  {"{agent_name}", v->agent_name}};
	const char *p = text;

	while (*p) {
		const char *open = strchr(p, '{');
		size_t k;

		if (!open)
			return buf_puts(out, p);
		if (buf_append(out, p, (size_t)(open - p)) < 0)
			return ERR_NOMEM;
		for (k = 0; k < sizeof(ph) / sizeof(ph[0]); k++)
			if (ph[k].value && strncmp(open, ph[k].name, strlen(ph[k].name)) == 0)
				break;
		if (k < sizeof(ph) / sizeof(ph[0])) {
			if (buf_puts(out, ph[k].value) < 0)
				return ERR_NOMEM;
			p = open + strlen(ph[k].name);
		} else {
			if (buf_append(out, "{", 1) < 0)
				return ERR_NOMEM;
			p = open + 1;
		}
	}
	return 0;
}
