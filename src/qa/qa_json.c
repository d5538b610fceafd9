/*
 * qa_json — the JSON of the rule engine (docs/qa.md): a rule's body parsed,
 * validated and compiled into the engine (qa_compile, qa_rule_validate), a
 * transcript's body and a call's metrics into a contact, a hit on the wire.
 *
 * Validation reports every broken field at once (err_add, up to the
 * catalogue's limit), each with its path in the body: "conditions[1]
 * .pattern", "when". Compilation and validation are the same walk, so a
 * body the API accepted always compiles.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <jansson.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "core/err.h"
#include "core/utf8.h"
#include "qa/qa_int.h"

/* ---- building an engine ---- */

struct pref {
	int pattern;
	struct qa_ref ref;
};

struct builder {
	struct qa_engine *e;
	int rcap, ccap, ncap;
	int nprefs, pcap;
	struct pref *prefs;
	struct qa_text tmp;
	struct err_info *ei;
	int rc;
	const char *prefix; /* "rules[3]." or "" */
	const char *within; /* the object of the condition being read, or NULL */
	char pbuf[160];	    /* the path of the field in error (path), copied by err_add */
};

static char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = malloc(n);

	if (d)
		memcpy(d, s, n);
	return d;
}

/* The path of a field of the rule being built (in b->pbuf, until the next
 * call): the rule's place in the set, the condition's, the object inside
 * it (b->within, e.g. "position") and the field. */
static const char *path(struct builder *b, int ci, const char *field)
{
	char cond[32] = "";
	const char *in = b->within && *field ? b->within : "";
	int n;

	if (ci >= 0)
		snprintf(cond, sizeof(cond), "conditions[%d]", ci);
	n = snprintf(b->pbuf, sizeof(b->pbuf), "%s%s%s%s%s%s", b->prefix, cond,
		     *cond && (*in || *field) ? "." : "", in, *in ? "." : "", field);
	/* "rules[2]." with nothing after it is the rule itself. */
	if (n > 0 && n < (int)sizeof(b->pbuf) && b->pbuf[n - 1] == '.')
		b->pbuf[n - 1] = '\0';
	return b->pbuf;
}

static const char *kind_names[] = {"call", "chat", "email", "message", "summary"};
static const char *dimensions[] = {"attitude", "quality", "skill", "efficiency", "satisfaction"};
static const char *severities[] = {"low", "medium", "high"};
static const char *ctypes[] = {"keywords",    "regex",	      "order",
			       "silence",     "speech_rate",  "talk_over",
			       "hold_silent", "hold_total",   "agent_hung_up_first",
			       "rings",	      "class_f_over", "consent",
			       "guide"};
static const char *modes[] = {"any", "all", "none", "n_of"};
static const char *relations[] = {"before", "after", "within"};

static int lookup(const char *s, const char *const *names, int n)
{
	for (int i = 0; i < n; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

int qa_kind_parse(const char *name)
{
	int i = name ? lookup(name, kind_names, NELEM(kind_names)) : -1;

	return i < 0 ? 0 : 1 << i;
}

const char *qa_kind_name(int kind)
{
	for (int i = 0; i < NELEM(kind_names); i++)
		if (kind == 1 << i)
			return kind_names[i];
	return NULL;
}

/* A string field with a length in characters; NULL (and an error) when
 * present but wrong; def when absent. */
static const char *get_str(struct builder *b, const json_t *o, int ci, const char *key,
			   int required, int maxchars, const char *def)
{
	const json_t *v = json_object_get(o, key);
	size_t n;

	if (!v || json_is_null(v)) {
		if (required)
			b->rc = err_add(b->ei, b->rc, ERR_UNPROCESSABLE, path(b, ci, key),
					"%s: required", key);
		return def;
	}
	if (!json_is_string(v)) {
		b->rc = err_add(b->ei, b->rc, ERR_UNPROCESSABLE, path(b, ci, key),
				"%s: expected a string", key);
		return NULL;
	}
	n = utf8_len(json_string_value(v));
	if ((required && n == 0) || n > (size_t)maxchars) {
		b->rc = err_add(b->ei, b->rc, ERR_UNPROCESSABLE, path(b, ci, key),
				"%s: %d to %d characters", key, required ? 1 : 0, maxchars);
		return NULL;
	}
	return json_string_value(v);
}

/* A whole number in [lo, hi]; def when absent (and not required). */
static long long get_int(struct builder *b, const json_t *o, int ci, const char *key, int required,
			 long long lo, long long hi, long long def)
{
	const json_t *v = json_object_get(o, key);

	if (!v || json_is_null(v)) {
		if (required)
			b->rc = err_add(b->ei, b->rc, ERR_UNPROCESSABLE, path(b, ci, key),
					"%s: required", key);
		return def;
	}
	if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi) {
		b->rc = err_add(b->ei, b->rc, ERR_UNPROCESSABLE, path(b, ci, key),
				"%s: expected a whole number from %lld to %lld", key, lo, hi);
		return def;
	}
	return json_integer_value(v);
}

/* One of names; def when absent. */
static int get_enum(struct builder *b, const json_t *o, int ci, const char *key, int required,
		    const char *const *names, int n, const char *list, int def)
{
	const json_t *v = json_object_get(o, key);
	int i;

	if (!v || json_is_null(v)) {
		if (required)
			b->rc = err_add(b->ei, b->rc, ERR_UNPROCESSABLE, path(b, ci, key),
					"%s: required", key);
		return def;
	}
	if (!json_is_string(v) || (i = lookup(json_string_value(v), names, n)) < 0) {
		b->rc = err_add(b->ei, b->rc, ERR_UNPROCESSABLE, path(b, ci, key), "%s: one of %s",
				key, list);
		return def;
	}
	return i;
}

static int get_speaker(struct builder *b, const json_t *o, int ci, int def)
{
	static const char *sp[] = {"any", "agent", "customer"};

	return get_enum(b, o, ci, "speaker", 0, sp, 3, "agent, customer, any", def);
}

/* Normalises a word or phrase and adds it to the automaton with its use. */
static int add_word(struct builder *b, int ci, const char *key, int k, const char *w, int cond,
		    int role)
{
	char field[48];
	int pat;

	snprintf(field, sizeof(field), "%s[%d]", key, k);
	if (utf8_len(w) > QA_WORD_CHARS_MAX) {
		b->rc = err_add(b->ei, b->rc, ERR_UNPROCESSABLE, path(b, ci, field),
				"%s: %d to %d characters", field, 1, QA_WORD_CHARS_MAX);
		return 0;
	}
	if (qa_text_norm(&b->tmp, w) || b->tmp.n == 0) {
		b->rc = err_add(b->ei, b->rc, ERR_UNPROCESSABLE, path(b, ci, field), "%s: required",
				field);
		return 0;
	}
	pat = qa_ac_add(b->e->ac, b->tmp.cp, b->tmp.n);
	if (pat < 0)
		return pat;
	if (qa_grow((void **)&b->prefs, &b->pcap, b->nprefs + 1, sizeof(*b->prefs)))
		return ERR_NOMEM;
	b->prefs[b->nprefs].pattern = pat;
	b->prefs[b->nprefs].ref = (struct qa_ref){cond, role, k};
	b->nprefs++;
	return 0;
}

/* A list of words into the automaton; returns how many, -1 out of memory. */
static int get_words(struct builder *b, const json_t *o, int ci, const char *key, int required,
		     int cond, int role, char ***keep)
{
	const json_t *v = json_object_get(o, key), *w;
	size_t i;

	if (!v || json_is_null(v)) {
		if (required)
			b->rc = err_add(b->ei, b->rc, ERR_UNPROCESSABLE, path(b, ci, key),
					"%s: required", key);
		return 0;
	}
	if (!json_is_array(v) || (required && json_array_size(v) == 0)) {
		b->rc = err_add(b->ei, b->rc, ERR_UNPROCESSABLE, path(b, ci, key),
				"%s: expected an array", key);
		return 0;
	}
	if (json_array_size(v) > QA_WORDS_MAX) {
		b->rc = err_add(b->ei, b->rc, ERR_UNPROCESSABLE, path(b, ci, key),
				"%s: at most %zu", key, (size_t)QA_WORDS_MAX);
		return 0;
	}
	if (keep && !(*keep = calloc(json_array_size(v) + 1, sizeof(char *))))
		return -1;
	json_array_foreach(v, i, w)
	{
		char field[48];

		if (!json_is_string(w)) {
			snprintf(field, sizeof(field), "%s[%zu]", key, i);
			b->rc = err_add(b->ei, b->rc, ERR_UNPROCESSABLE, path(b, ci, field),
					"%s: expected a string", field);
			continue;
		}
		if (add_word(b, ci, key, (int)i, json_string_value(w), cond, role))
			return -1;
		if (keep && !((*keep)[i] = xstrdup(json_string_value(w))))
			return -1;
	}
	return (int)json_array_size(v);
}

/* A regular expression compiled by PCRE2 (UTF, Unicode properties,
 * caseless), its Han characters made simplified first: the text it is
 * matched against is (qa_text.c). */
static pcre2_code *get_regex(struct builder *b, const json_t *o, int ci, const char *key,
			     int required)
{
	const char *src = get_str(b, o, ci, key, required, QA_PATTERN_MAX, NULL);
	PCRE2_SIZE erroff;
	pcre2_code *re;
	char *pat;
	int errcode, i, k;

	if (!src)
		return NULL;
	if (strlen(src) > QA_PATTERN_MAX) {
		b->rc = err_add(b->ei, b->rc, ERR_UNPROCESSABLE, path(b, ci, key),
				"%s: %d to %d characters", key, 1, QA_PATTERN_MAX);
		return NULL;
	}
	pat = malloc(strlen(src) * 2 + 1);
	if (!pat) {
		b->rc = b->rc ? b->rc : ERR_NOMEM;
		return NULL;
	}
	for (i = 0, k = 0; src[i];) {
		utf8proc_int32_t c;
		utf8proc_ssize_t st = utf8proc_iterate((const utf8proc_uint8_t *)src + i, -1, &c);
		char one[8], norm[16];

		if (st <= 0)
			break;
		memcpy(one, src + i, (size_t)st);
		one[st] = '\0';
		/* Only Han characters: NFKC or case folding would change the
		 * pattern's syntax (full-width brackets, \D vs \d). */
		if (c >= 0x3400 && c <= 0x9FFF && qa_normalise(one, norm, sizeof(norm)) == 0 &&
		    norm[0]) {
			size_t m = strlen(norm);

			memcpy(pat + k, norm, m);
			k += (int)m;
		} else {
			memcpy(pat + k, one, (size_t)st);
			k += (int)st;
		}
		i += (int)st;
	}
	pat[k] = '\0';
	re = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED,
			   PCRE2_UTF | PCRE2_UCP | PCRE2_CASELESS, &errcode, &erroff, NULL);
	free(pat);
	if (!re) {
		PCRE2_UCHAR msg[160];

		pcre2_get_error_message(errcode, msg, sizeof(msg));
		b->rc = err_add(b->ei, b->rc, ERR_UNPROCESSABLE, path(b, ci, key),
				"%s: not a valid pattern at offset %d: %s", key, (int)erroff,
				(const char *)msg);
		return NULL;
	}
	/* JIT when the machine has it; the interpreter otherwise. */
	pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
	return re;
}

static const char *allowed_common[] = {"id", "type", "better"};
static const char *allowed_by_type[][8] = {
	[QA_C_KEYWORDS] = {"words", "mode", "n", "exclude", "speaker", "position", NULL},
	[QA_C_REGEX] = {"pattern", "exclude", "speaker", "position", NULL},
	[QA_C_ORDER] = {"cond", "relation", "other", "utterances", NULL},
	[QA_C_SILENCE] = {"over_ms", NULL},
	[QA_C_SPEECH_RATE] = {"speaker", "min", "max", "min_speech_ms", NULL},
	[QA_C_TALK_OVER] = {"over_ms", NULL},
	[QA_C_HOLD_SILENT] = {"over_ms", NULL},
	[QA_C_HOLD_TOTAL] = {"over_ms", NULL},
	[QA_C_HANGUP] = {"allow_ms", NULL},
	[QA_C_RINGS] = {"over", NULL},
	[QA_C_CLASS_F] = {"minutes", NULL},
	[QA_C_CONSENT] = {"event", "phrases", "utterances", "speaker", NULL},
	[QA_C_GUIDE] = {"prompt", "answers", "within_ms", NULL},
};

static void check_keys(struct builder *b, const json_t *o, int ci, int type)
{
	const char *key;
	const json_t *v;

	json_object_foreach((json_t *)o, key, v)
	{
		int ok = lookup(key, allowed_common, NELEM(allowed_common)) >= 0;

		for (int i = 0; !ok && type >= 0 && allowed_by_type[type][i]; i++)
			ok = strcmp(key, allowed_by_type[type][i]) == 0;
		if (!ok)
			b->rc = err_add(b->ei, b->rc, ERR_UNPROCESSABLE, path(b, ci, key),
					"%s: unknown field", key);
	}
}

static void get_position(struct builder *b, const json_t *o, int ci, struct qa_cond *c)
{
	static const char *from[] = {"first", "last"};
	const json_t *p = json_object_get(o, "position"), *u, *s;
	const char *key;
	const json_t *v;

	if (!p || json_is_null(p))
		return;
	if (!json_is_object(p)) {
		b->rc = err_add(b->ei, b->rc, ERR_UNPROCESSABLE, path(b, ci, "position"),
				"%s: expected an object", "position");
		return;
	}
	json_object_foreach((json_t *)p, key, v)
	{
		if (strcmp(key, "from") && strcmp(key, "utterances") && strcmp(key, "seconds")) {
			char f[48];

			snprintf(f, sizeof(f), "position.%s", key);
			b->rc = err_add(b->ei, b->rc, ERR_UNPROCESSABLE, path(b, ci, f),
					"%s: unknown field", f);
		}
	}
	b->within = "position";
	c->pos_from = 1 + get_enum(b, p, ci, "from", 1, from, 2, "first, last", 0);
	u = json_object_get(p, "utterances");
	s = json_object_get(p, "seconds");
	if (u && !s)
		c->pos_utts = (int)get_int(b, p, ci, "utterances", 1, 1, QA_UTT_MAX, 1);
	else if (s && !u)
		c->pos_ms = get_int(b, p, ci, "seconds", 1, 1, 86400, 1) * 1000;
	b->within = NULL;
	if ((u != NULL) == (s != NULL))
		b->rc = err_add(b->ei, b->rc, ERR_UNPROCESSABLE, path(b, ci, "position"),
				"%s: utterances or seconds", "position");
}

static int find_cond(const struct qa_engine *e, const struct qa_rule *r, const char *id)
{
	for (int i = 0; i < r->ncond; i++)
		if (strcmp(e->conds[r->cond0 + i].id, id) == 0)
			return r->cond0 + i;
	return -1;
}

static int valid_id(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > QA_ID_MAX ||
	    !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z') || s[0] == '_'))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return 0;
	return 1;
}

/* A step of the live guidance: lower-case letters and _, as call_guide names them. */
static int valid_step(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > QA_EVENT_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || s[i] == '_'))
			return 0;
	return 1;
}

/*
 * A guide condition (docs/qa.md): the prompt kefu showed and the agent's
 * steps that answer it. Steps are names, not words: they are kept as
 * written (c->event, c->words) and never go into the automaton.
 */
static int parse_guide(struct builder *b, const json_t *o, int ci, struct qa_cond *c)
{
	const char *prompt = get_str(b, o, ci, "prompt", 1, QA_EVENT_MAX, NULL);
	const json_t *a = json_object_get(o, "answers"), *v;
	size_t i;

	if (prompt && !valid_step(prompt))
		b->rc = err_add(b->ei, b->rc, ERR_UNPROCESSABLE, path(b, ci, "prompt"),
				"%s: a step of the live guidance", "prompt");
	else if (prompt)
		snprintf(c->event, sizeof(c->event), "%s", prompt);
	c->within_ms = get_int(b, o, ci, "within_ms", 0, 1, 86400000, 0);
	if (!a || json_is_null(a))
		return 0;
	if (!json_is_array(a) || json_array_size(a) > 16) {
		b->rc = err_add(b->ei, b->rc, ERR_UNPROCESSABLE, path(b, ci, "answers"),
				"%s: a list of at most %d steps", "answers", 16);
		return 0;
	}
	c->words = calloc(json_array_size(a) + 1, sizeof(*c->words));
	if (!c->words)
		return ERR_NOMEM;
	json_array_foreach(a, i, v)
	{
		char field[32];

		snprintf(field, sizeof(field), "answers[%d]", (int)i);
		if (!json_is_string(v) || !valid_step(json_string_value(v))) {
			b->rc = err_add(b->ei, b->rc, ERR_UNPROCESSABLE, path(b, ci, field),
					"%s: a step of the live guidance", field);
			continue;
		}
		c->words[c->nwords] = xstrdup(json_string_value(v));
		if (!c->words[c->nwords])
			return ERR_NOMEM;
		c->nwords++;
	}
	return 0;
}

/* Parses condition ci of rule r into e->conds[r->cond0 + ci]. */
static int parse_cond(struct builder *b, struct qa_rule *r, const json_t *o, int ci)
{
	struct qa_engine *e = b->e;
	int gi = r->cond0 + ci, n;
	struct qa_cond *c = &e->conds[gi];
	const char *id, *better;

	memset(c, 0, sizeof(*c));
	c->rule = (int)(r - e->rules);
	c->type = -1;
	if (!json_is_object(o)) {
		b->rc = err_add(b->ei, b->rc, ERR_UNPROCESSABLE, path(b, ci, ""),
				"%s: expected an object", "condition");
		return 0;
	}
	id = get_str(b, o, ci, "id", 1, QA_ID_MAX, NULL);
	if (id && !valid_id(id))
		b->rc = err_add(b->ei, b->rc, ERR_UNPROCESSABLE, path(b, ci, "id"),
				"%s: letters, digits and _, not starting with a digit", "id");
	else if (id && find_cond(e, &(struct qa_rule){.cond0 = r->cond0, .ncond = ci}, id) >= 0)
		b->rc = err_add(b->ei, b->rc, ERR_UNPROCESSABLE, path(b, ci, "id"),
				"%s: duplicate id %s", "id", id);
	else if (id)
		snprintf(c->id, sizeof(c->id), "%s", id);
	c->type = get_enum(b, o, ci, "type", 1, ctypes, NELEM(ctypes),
			   "keywords, regex, order, silence, speech_rate, talk_over, hold_silent, "
			   "hold_total, agent_hung_up_first, rings, class_f_over, consent, guide",
			   -1);
	check_keys(b, o, ci, c->type);
	better = get_str(b, o, ci, "better", 0, QA_BETTER_MAX, NULL);
	if (better && *better && !(c->better = xstrdup(better)))
		return ERR_NOMEM;
	switch (c->type) {
	case QA_C_KEYWORDS:
		c->speaker = get_speaker(b, o, ci, QA_ANY);
		get_position(b, o, ci, c);
		c->mode = get_enum(b, o, ci, "mode", 0, modes, NELEM(modes), "any, all, none, n_of",
				   QA_M_ANY);
		n = get_words(b, o, ci, "words", 1, gi, QA_W_WORD, &c->words);
		if (n < 0)
			return ERR_NOMEM;
		c->nwords = n;
		if (c->mode == QA_M_N_OF)
			c->n = (int)get_int(b, o, ci, "n", 1, 1, n > 0 ? n : 1, 1);
		else if (json_object_get(o, "n"))
			b->rc = err_add(b->ei, b->rc, ERR_UNPROCESSABLE, path(b, ci, "n"),
					"%s: only with mode n_of", "n");
		if (get_words(b, o, ci, "exclude", 0, gi, QA_W_EXCLUDE, NULL) < 0)
			return ERR_NOMEM;
		break;
	case QA_C_REGEX:
		c->speaker = get_speaker(b, o, ci, QA_ANY);
		get_position(b, o, ci, c);
		c->re = get_regex(b, o, ci, "pattern", 1);
		c->re_ex = get_regex(b, o, ci, "exclude", 0);
		break;
	case QA_C_ORDER:
		c->relation = get_enum(b, o, ci, "relation", 1, relations, 3,
				       "before, after, within", QA_R_BEFORE);
		c->order_utts = (int)get_int(b, o, ci, "utterances", c->relation == QA_R_WITHIN, 0,
					     QA_UTT_MAX, -1);
		/* cond and other are resolved once every condition has its id. */
		get_str(b, o, ci, "cond", 1, QA_ID_MAX, NULL);
		get_str(b, o, ci, "other", 1, QA_ID_MAX, NULL);
		break;
	case QA_C_SILENCE:
	case QA_C_TALK_OVER:
		c->over_ms = get_int(b, o, ci, "over_ms", 1, 1, 86400000, 0);
		break;
	case QA_C_SPEECH_RATE: {
		const json_t *mn = json_object_get(o, "min"), *mx = json_object_get(o, "max");

		c->speaker = get_speaker(b, o, ci, QA_AGENT);
		if (c->speaker == QA_ANY)
			b->rc = err_add(b->ei, b->rc, ERR_UNPROCESSABLE, path(b, ci, "speaker"),
					"%s: one of %s", "speaker", "agent, customer");
		c->rate_min = (double)get_int(b, o, ci, "min", 0, 1, 10000, 0);
		c->rate_max = (double)get_int(b, o, ci, "max", 0, 1, 10000, 0);
		if (!mn && !mx)
			b->rc = err_add(b->ei, b->rc, ERR_UNPROCESSABLE, path(b, ci, "min"),
					"%s: required", "min");
		else if (c->rate_min && c->rate_max && c->rate_min > c->rate_max)
			b->rc = err_add(b->ei, b->rc, ERR_UNPROCESSABLE, path(b, ci, "max"),
					"%s: must not be under %s", "max", "min");
		c->min_speech_ms = get_int(b, o, ci, "min_speech_ms", 0, 0, 3600000, 10000);
		break;
	}
	case QA_C_HOLD_SILENT:
		c->over_ms = get_int(b, o, ci, "over_ms", 0, 1, 86400000, 15000);
		break;
	case QA_C_HOLD_TOTAL:
		c->over_ms = get_int(b, o, ci, "over_ms", 0, 1, 86400000, 120000);
		break;
	case QA_C_HANGUP:
		c->allow_ms = get_int(b, o, ci, "allow_ms", 0, 0, 600000, 5000);
		break;
	case QA_C_RINGS:
		c->over = (int)get_int(b, o, ci, "over", 0, 0, 1000, 3);
		break;
	case QA_C_CLASS_F:
		c->minutes = (int)get_int(b, o, ci, "minutes", 0, 1, 1440, 10);
		break;
	case QA_C_CONSENT: {
		static const char *events[] = {"hold", "transfer"};
		int ev = get_enum(b, o, ci, "event", 1, events, 2, "hold, transfer", 0);

		snprintf(c->event, sizeof(c->event), "%s", events[ev]);
		c->speaker = get_speaker(b, o, ci, QA_AGENT);
		c->order_utts = (int)get_int(b, o, ci, "utterances", 0, 1, 100, 3);
		n = get_words(b, o, ci, "phrases", 1, gi, QA_W_PHRASE, &c->words);
		if (n < 0)
			return ERR_NOMEM;
		c->nphrases = n;
		c->nwords = n;
		break;
	}
	case QA_C_GUIDE:
		return parse_guide(b, o, ci, c);
	default:
		break;
	}
	return 0;
}

/* ---- the expression ---- */

struct expr {
	struct builder *b;
	struct qa_rule *r;
	const char *s;
	int pos;
	int bad;
	int depth;
};

static void skip_ws(struct expr *x)
{
	while (x->s[x->pos] == ' ' || x->s[x->pos] == '\t' || x->s[x->pos] == '\n')
		x->pos++;
}

static int node_new(struct expr *x, int op, int a, int bb)
{
	struct builder *b = x->b;
	struct qa_engine *e = b->e;

	if (qa_grow((void **)&e->nodes, &b->ncap, e->nnodes + 1, sizeof(*e->nodes)))
		return ERR_NOMEM;
	e->nodes[e->nnodes] = (struct qa_node){op, a, bb};
	return e->nnodes++;
}

static int parse_or(struct expr *x);

static void expr_error(struct expr *x)
{
	if (!x->bad)
		x->b->rc =
			err_add(x->b->ei, x->b->rc, ERR_UNPROCESSABLE, path(x->b, -1, "when"),
				"%s: not a valid expression at character %d", "when", x->pos + 1);
	x->bad = 1;
}

static int parse_unary(struct expr *x)
{
	int n;

	skip_ws(x);
	if (x->bad)
		return -1;
	if (++x->depth > 64) {
		expr_error(x);
		return -1;
	}
	if (x->s[x->pos] == '!') {
		x->pos++;
		n = parse_unary(x);
		x->depth--;
		return n < 0 ? n : node_new(x, QA_OP_NOT, n, -1);
	}
	if (x->s[x->pos] == '(') {
		x->pos++;
		n = parse_or(x);
		/* An error inside stops here: stepping over a ')' that is not
		 * there walked past the end of the text, one byte per open
		 * parenthesis (a heap overflow found by fuzz_qa). */
		if (n < 0)
			return n;
		skip_ws(x);
		if (x->s[x->pos] != ')') {
			expr_error(x);
			return -1;
		}
		x->pos++;
		x->depth--;
		return n;
	}
	{
		char id[QA_ID_MAX + 2];
		int k = 0, ci;

		while ((x->s[x->pos] >= 'a' && x->s[x->pos] <= 'z') ||
		       (x->s[x->pos] >= 'A' && x->s[x->pos] <= 'Z') ||
		       (x->s[x->pos] >= '0' && x->s[x->pos] <= '9') || x->s[x->pos] == '_') {
			if (k < QA_ID_MAX + 1)
				id[k++] = x->s[x->pos];
			x->pos++;
		}
		id[k] = '\0';
		if (k == 0) {
			expr_error(x);
			return -1;
		}
		x->depth--;
		ci = find_cond(x->b->e, x->r, id);
		if (ci < 0) {
			if (!x->bad)
				x->b->rc = err_add(x->b->ei, x->b->rc, ERR_UNPROCESSABLE,
						   path(x->b, -1, "when"),
						   "%s: unknown condition %s", "when", id);
			x->bad = 1;
			return -1;
		}
		return node_new(x, QA_OP_COND, ci, -1);
	}
}

static int parse_and(struct expr *x)
{
	int a = parse_unary(x);

	for (;;) {
		skip_ws(x);
		if (a < 0 || x->s[x->pos] != '&' || x->s[x->pos + 1] != '&')
			return a;
		x->pos += 2;
		int bb = parse_unary(x);

		if (bb < 0)
			return bb;
		a = node_new(x, QA_OP_AND, a, bb);
	}
}

static int parse_or(struct expr *x)
{
	int a = parse_and(x);

	for (;;) {
		skip_ws(x);
		if (a < 0 || x->s[x->pos] != '|' || x->s[x->pos + 1] != '|')
			return a;
		x->pos += 2;
		int bb = parse_and(x);

		if (bb < 0)
			return bb;
		a = node_new(x, QA_OP_OR, a, bb);
	}
}

/* ---- a rule ---- */

static int parse_rule(struct builder *b, const json_t *body, int64_t id, const char *code,
		      int version)
{
	static const char *rule_keys[] = {"name",  "dimension", "severity", "score",
					  "fatal", "kinds",	"when",	    "conditions"};
	struct qa_engine *e = b->e;
	struct qa_rule *r;
	const json_t *conds, *kinds, *v;
	const char *s, *key;
	int i, rc;

	if (!json_is_object(body)) {
		b->rc = err_add(b->ei, b->rc, ERR_UNPROCESSABLE, path(b, -1, ""),
				"the body must be a JSON object");
		return 0;
	}
	if (qa_grow((void **)&e->rules, &b->rcap, e->nrules + 1, sizeof(*e->rules)))
		return ERR_NOMEM;
	r = &e->rules[e->nrules++];
	memset(r, 0, sizeof(*r));
	r->id = id;
	r->version = version;
	r->root = -1;
	if (!(r->code = xstrdup(code ? code : "")))
		return ERR_NOMEM;
	json_object_foreach((json_t *)body, key, v)
	{
		if (lookup(key, rule_keys, NELEM(rule_keys)) < 0)
			b->rc = err_add(b->ei, b->rc, ERR_UNPROCESSABLE, path(b, -1, key),
					"%s: unknown field", key);
	}
	s = get_str(b, body, -1, "name", 1, QA_NAME_MAX, NULL);
	if (!(r->name = xstrdup(s ? s : "")))
		return ERR_NOMEM;
	i = get_enum(b, body, -1, "dimension", 0, dimensions, NELEM(dimensions),
		     "attitude, quality, skill, efficiency, satisfaction", 1);
	if (!(r->dimension = xstrdup(dimensions[i])))
		return ERR_NOMEM;
	r->severity =
		get_enum(b, body, -1, "severity", 0, severities, 3, "low, medium, high", QA_MEDIUM);
	r->score = (int)get_int(b, body, -1, "score", 0, -100, 100, 0);
	v = json_object_get(body, "fatal");
	if (v && !json_is_null(v) && !json_is_boolean(v))
		b->rc = err_add(b->ei, b->rc, ERR_UNPROCESSABLE, path(b, -1, "fatal"),
				"%s: expected true or false", "fatal");
	r->fatal = json_is_true(v);
	kinds = json_object_get(body, "kinds");
	if (!kinds || json_is_null(kinds)) {
		r->kinds = QA_KINDS_ALL;
	} else if (!json_is_array(kinds) || json_array_size(kinds) == 0) {
		b->rc = err_add(b->ei, b->rc, ERR_UNPROCESSABLE, path(b, -1, "kinds"),
				"%s: expected an array", "kinds");
	} else {
		size_t k;

		json_array_foreach(kinds, k, v)
		{
			int kk = json_is_string(v) ? lookup(json_string_value(v), kind_names, 5)
						   : -1;

			if (kk < 0)
				b->rc = err_add(b->ei, b->rc, ERR_UNPROCESSABLE,
						path(b, -1, "kinds"), "%s: one of %s", "kinds",
						"call, chat, email, message, summary");
			else
				r->kinds |= 1 << kk;
		}
	}
	conds = json_object_get(body, "conditions");
	if (!json_is_array(conds) || json_array_size(conds) == 0) {
		b->rc = err_add(b->ei, b->rc, ERR_UNPROCESSABLE, path(b, -1, "conditions"),
				"%s: expected an array", "conditions");
		return 0;
	}
	if (json_array_size(conds) > QA_RULE_CONDS_MAX) {
		b->rc = err_add(b->ei, b->rc, ERR_UNPROCESSABLE, path(b, -1, "conditions"),
				"%s: at most %zu", "conditions", (size_t)QA_RULE_CONDS_MAX);
		return 0;
	}
	r->cond0 = e->nconds;
	r->ncond = (int)json_array_size(conds);
	if (qa_grow((void **)&e->conds, &b->ccap, e->nconds + r->ncond, sizeof(*e->conds)))
		return ERR_NOMEM;
	memset(&e->conds[r->cond0], 0, (size_t)r->ncond * sizeof(*e->conds));
	e->nconds += r->ncond;
	for (i = 0; i < r->ncond; i++)
		if ((rc = parse_cond(b, r, json_array_get(conds, (size_t)i), i)))
			return rc;
	/* Order conditions name two others of the rule, with words or patterns. */
	for (i = 0; i < r->ncond; i++) {
		struct qa_cond *c = &e->conds[r->cond0 + i];
		const json_t *o = json_array_get(conds, (size_t)i);
		const char *keys[2] = {"cond", "other"};
		int *dst[2] = {&c->order_x, &c->order_y};

		if (c->type != QA_C_ORDER)
			continue;
		for (int k = 0; k < 2; k++) {
			const json_t *ov = json_object_get(o, keys[k]);
			int t;

			if (!json_is_string(ov))
				continue;
			t = find_cond(e, r, json_string_value(ov));
			if (t < 0)
				b->rc = err_add(b->ei, b->rc, ERR_UNPROCESSABLE,
						path(b, i, keys[k]), "%s: unknown condition %s",
						keys[k], json_string_value(ov));
			else if (e->conds[t].type != QA_C_KEYWORDS &&
				 e->conds[t].type != QA_C_REGEX)
				b->rc = err_add(b->ei, b->rc, ERR_UNPROCESSABLE,
						path(b, i, keys[k]),
						"%s: a keywords or regex condition", keys[k]);
			else
				*dst[k] = t;
		}
	}
	r->node0 = e->nnodes;
	v = json_object_get(body, "when");
	if (v && !json_is_null(v) && !json_is_string(v)) {
		b->rc = err_add(b->ei, b->rc, ERR_UNPROCESSABLE, path(b, -1, "when"),
				"%s: expected a string", "when");
	} else if (v && json_is_string(v) && json_string_value(v)[0]) {
		struct expr x = {b, r, json_string_value(v), 0, 0, 0};

		if (strlen(x.s) > QA_WHEN_MAX) {
			b->rc = err_add(b->ei, b->rc, ERR_UNPROCESSABLE, path(b, -1, "when"),
					"%s: at most %d characters", "when", QA_WHEN_MAX);
		} else {
			r->root = parse_or(&x);
			skip_ws(&x);
			if (r->root >= 0 && x.s[x.pos])
				expr_error(&x);
			if (x.bad)
				r->root = -1;
			else if (r->root < 0)
				return r->root;
		}
	} else {
		/* Default: every condition, ANDed. */
		for (i = 0; i < r->ncond; i++) {
			struct expr x = {b, r, "", 0, 0, 0};
			int n = node_new(&x, QA_OP_COND, r->cond0 + i, -1);

			if (n < 0)
				return n;
			r->root = r->root < 0 ? n : node_new(&x, QA_OP_AND, r->root, n);
			if (r->root < 0)
				return r->root;
		}
	}
	r->nnode = e->nnodes - r->node0;
	for (i = 0; i < r->ncond; i++) {
		int t = e->conds[r->cond0 + i].type;

		r->needs_text |= t == QA_C_KEYWORDS || t == QA_C_REGEX || t == QA_C_ORDER ||
				 t == QA_C_CONSENT;
	}
	return 0;
}

static int pref_cmp(const void *a, const void *b)
{
	const struct pref *x = a, *y = b;

	if (x->pattern != y->pattern)
		return x->pattern < y->pattern ? -1 : 1;
	if (x->ref.cond != y->ref.cond)
		return x->ref.cond < y->ref.cond ? -1 : 1;
	return x->ref.word < y->ref.word ? -1 : x->ref.word > y->ref.word;
}

static int finish(struct builder *b)
{
	struct qa_engine *e = b->e;
	int np, i;

	if (qa_ac_build(e->ac))
		return ERR_NOMEM;
	np = qa_ac_npatterns(e->ac);
	if (b->nprefs > 0)
		qsort(b->prefs, (size_t)b->nprefs, sizeof(*b->prefs), pref_cmp);
	e->nrefs = b->nprefs;
	e->refs = malloc((size_t)(b->nprefs + 1) * sizeof(*e->refs));
	e->ref0 = calloc((size_t)np + 1, sizeof(int));
	if (!e->refs || !e->ref0)
		return ERR_NOMEM;
	for (i = 0; i < b->nprefs; i++) {
		e->refs[i] = b->prefs[i].ref;
		e->ref0[b->prefs[i].pattern + 1]++;
	}
	for (i = 0; i < np; i++)
		e->ref0[i + 1] += e->ref0[i];
	return 0;
}

static int engine_new(struct builder *b, struct err_info *ei)
{
	memset(b, 0, sizeof(*b));
	b->ei = ei;
	b->prefix = "";
	if (!(b->e = calloc(1, sizeof(*b->e))) || !(b->e->ac = qa_ac_new())) {
		free(b->e);
		return ERR_NOMEM;
	}
	return 0;
}

static void builder_done(struct builder *b)
{
	free(b->prefs);
	qa_text_free(&b->tmp);
}

int qa_compile(const struct qa_rule_src *rules, int n, struct qa_engine **out, struct err_info *ei)
{
	struct builder b;
	int i, rc;

	*out = NULL;
	if ((rc = engine_new(&b, ei)))
		return rc;
	for (i = 0; i < n && !b.rc; i++) {
		char prefix[24];
		json_error_t jerr;
		json_t *body = json_loads(rules[i].body ? rules[i].body : "", 0, &jerr);

		snprintf(prefix, sizeof(prefix), "rules[%d].", i);
		b.prefix = prefix;
		if (!body) {
			b.rc = err_add(b.ei, b.rc, ERR_UNPROCESSABLE, path(&b, -1, ""),
				       "the body must be a JSON object");
			break;
		}
		rc = parse_rule(&b, body, rules[i].id, rules[i].code, rules[i].version);
		json_decref(body);
		if (rc)
			break;
	}
	b.prefix = "";
	if (!rc && !b.rc)
		rc = finish(&b);
	rc = rc ? rc : b.rc;
	builder_done(&b);
	if (rc) {
		qa_free(b.e);
		return rc;
	}
	*out = b.e;
	return 0;
}

int qa_rule_validate(const json_t *body, struct err_info *ei)
{
	struct builder b;
	int rc;

	if (!json_is_object(body))
		return err_set(ei, ERR_INVALID, NULL, "the body must be a JSON object");
	if ((rc = engine_new(&b, ei)))
		return rc;
	rc = parse_rule(&b, body, 0, "", 1);
	rc = rc ? rc : b.rc;
	builder_done(&b);
	qa_free(b.e);
	return rc;
}

void qa_free(struct qa_engine *e)
{
	int i;

	if (!e)
		return;
	for (i = 0; i < e->nconds; i++)
		qa_cond_free(&e->conds[i]);
	for (i = 0; i < e->nrules; i++) {
		free(e->rules[i].code);
		free(e->rules[i].name);
		free(e->rules[i].dimension);
	}
	free(e->rules);
	free(e->conds);
	free(e->nodes);
	free(e->refs);
	free(e->ref0);
	qa_ac_free(e->ac);
	free(e);
}

/* ---- transcripts ---- */

int qa_transcript_parse(const json_t *body, struct qa_contact *c, struct qa_utt **utts,
			struct err_info *ei)
{
	const json_t *list = json_is_object(body) ? json_object_get(body, "utterances") : NULL, *u;
	struct qa_utt *out;
	int64_t prev = 0;
	size_t i, n;
	int rc = 0;

	*utts = NULL;
	if (!json_is_array(list))
		return err_set(ei, ERR_INVALID, "utterances", "%s: expected an array",
			       "utterances");
	n = json_array_size(list);
	if (n > QA_UTT_MAX)
		return err_set(ei, ERR_UNPROCESSABLE, "utterances", "%s: at most %zu", "utterances",
			       (size_t)QA_UTT_MAX);
	out = calloc(n + 1, sizeof(*out));
	if (!out)
		return ERR_NOMEM;
	json_array_foreach(list, i, u)
	{
		char f[64];
		const json_t *sp = json_object_get(u, "speaker"),
			     *st = json_object_get(u, "start_ms"),
			     *en = json_object_get(u, "end_ms"), *tx = json_object_get(u, "text");
		const char *key;
		const json_t *v;

		if (!json_is_object(u)) {
			snprintf(f, sizeof(f), "utterances[%zu]", i);
			rc = err_add(ei, rc, ERR_UNPROCESSABLE, f, "%s: expected an object", f);
			continue;
		}
		json_object_foreach((json_t *)u, key, v)
		{
			/* field: the part of an agent's written summary (5W1H). */
			if (strcmp(key, "speaker") && strcmp(key, "start_ms") &&
			    strcmp(key, "end_ms") && strcmp(key, "text") && strcmp(key, "field")) {
				snprintf(f, sizeof(f), "utterances[%zu].%s", i, key);
				rc = err_add(ei, rc, ERR_UNPROCESSABLE, f, "%s: unknown field", f);
			}
		}
		snprintf(f, sizeof(f), "utterances[%zu].speaker", i);
		if (json_is_string(sp) && strcmp(json_string_value(sp), "agent") == 0)
			out[i].speaker = QA_AGENT;
		else if (json_is_string(sp) && strcmp(json_string_value(sp), "customer") == 0)
			out[i].speaker = QA_CUSTOMER;
		else
			rc = err_add(ei, rc, ERR_UNPROCESSABLE, f, "%s: one of %s", f,
				     "agent, customer");
		snprintf(f, sizeof(f), "utterances[%zu].start_ms", i);
		if (!json_is_integer(st) || json_integer_value(st) < 0 ||
		    json_integer_value(st) > 86400000LL * 7)
			rc = err_add(ei, rc, ERR_UNPROCESSABLE, f,
				     "%s: expected a whole number from %lld to %lld", f, 0LL,
				     86400000LL * 7);
		else
			out[i].start_ms = json_integer_value(st);
		snprintf(f, sizeof(f), "utterances[%zu].end_ms", i);
		if (!json_is_integer(en) || json_integer_value(en) < 0 ||
		    json_integer_value(en) > 86400000LL * 7)
			rc = err_add(ei, rc, ERR_UNPROCESSABLE, f,
				     "%s: expected a whole number from %lld to %lld", f, 0LL,
				     86400000LL * 7);
		else if (json_is_integer(st) && json_integer_value(en) < json_integer_value(st))
			rc = err_add(ei, rc, ERR_UNPROCESSABLE, f, "%s: must not be under %s", f,
				     "start_ms");
		else
			out[i].end_ms = json_integer_value(en);
		if (json_is_integer(st)) {
			snprintf(f, sizeof(f), "utterances[%zu].start_ms", i);
			if (i > 0 && json_integer_value(st) < prev)
				rc = err_add(ei, rc, ERR_UNPROCESSABLE, f,
					     "%s: utterances in order of start_ms", f);
			prev = json_integer_value(st);
		}
		snprintf(f, sizeof(f), "utterances[%zu].text", i);
		if (!json_is_string(tx))
			rc = err_add(ei, rc, ERR_UNPROCESSABLE, f, "%s: expected a string", f);
		else if (!utf8_valid(json_string_value(tx), json_string_length(tx)))
			rc = err_add(ei, rc, ERR_UNPROCESSABLE, f, "%s: not valid UTF-8", f);
		else if (utf8_len(json_string_value(tx)) > QA_UTT_CHARS_MAX)
			rc = err_add(ei, rc, ERR_UNPROCESSABLE, f, "%s: at most %d characters", f,
				     QA_UTT_CHARS_MAX);
		else
			out[i].text = json_string_value(tx);
	}
	if (rc) {
		free(out);
		return rc;
	}
	c->utt = out;
	c->nutt = (int)n;
	*utts = out;
	return 0;
}

/* ---- a call's facts ---- */

static int64_t int_or(const json_t *o, const char *key, int64_t def)
{
	const json_t *v = json_object_get(o, key);

	return json_is_integer(v) ? json_integer_value(v) : def;
}

int qa_facts_parse(const json_t *m, struct qa_contact *c, struct qa_facts_store *store)
{
	static const char *lists[3] = {"holds", "dead_air", "talk_over"};
	const json_t *v;
	size_t total = 0, i;
	int k, used = 0;
	const char *s;

	memset(store, 0, sizeof(*store));
	if (!json_is_object(m))
		return 0;
	c->rings = (int)int_or(m, "rings", c->rings);
	c->talk_ms = int_or(m, "talk_ms", c->talk_ms);
	c->end_ms = int_or(m, "end_ms", c->end_ms);
	v = json_object_get(m, "hangup_first");
	s = json_is_string(v) ? json_string_value(v) : "";
	if (strcmp(s, "agent") == 0)
		c->hangup = QA_HANGUP_AGENT;
	else if (strcmp(s, "caller") == 0 || strcmp(s, "customer") == 0)
		c->hangup = QA_HANGUP_CUSTOMER;
	else if (strcmp(s, "kefu") == 0)
		c->hangup = QA_HANGUP_SYSTEM;
	v = json_object_get(m, "class");
	if (json_is_string(v))
		snprintf(c->contact_class, sizeof(c->contact_class), "%s", json_string_value(v));
	for (k = 0; k < 3; k++)
		if (json_is_array(json_object_get(m, lists[k])))
			total += json_array_size(json_object_get(m, lists[k]));
	store->spans = calloc(total + 1, sizeof(*store->spans));
	v = json_object_get(m, "events");
	store->events =
		calloc((json_is_array(v) ? json_array_size(v) : 0) + 1, sizeof(*store->events));
	if (!store->spans || !store->events) {
		qa_facts_free(store);
		return ERR_NOMEM;
	}
	for (k = 0; k < 3; k++) {
		const json_t *list = json_object_get(m, lists[k]), *x;
		struct qa_span *first = store->spans + used;
		int n = 0;

		if (!json_is_array(list))
			continue;
		json_array_foreach(list, i, x)
		{
			struct qa_span sp = {int_or(x, k == 2 ? "at_ms" : "start_ms", -1),
					     int_or(x, "len_ms", -1), QA_AGENT};
			const json_t *by = json_object_get(x, "by");

			if (k == 2 && sp.start_ms < 0)
				sp.start_ms = int_or(x, "start_ms", -1);
			if (sp.start_ms < 0 || sp.len_ms < 0)
				continue;
			if (json_is_string(by) && strcmp(json_string_value(by), "agent") != 0)
				sp.by = QA_CUSTOMER;
			first[n++] = sp;
		}
		used += n;
		if (k == 0) {
			c->holds = first;
			c->nholds = n;
		} else if (k == 1) {
			c->dead_air = first;
			c->ndead_air = n;
		} else {
			c->talk_over = first;
			c->ntalk_over = n;
		}
	}
	v = json_object_get(m, "events");
	if (json_is_array(v)) {
		const json_t *x;
		int n = 0;

		json_array_foreach(v, i, x)
		{
			const json_t *kind = json_object_get(x, "kind");
			int64_t at = int_or(x, "at_ms", -1);

			if (!json_is_string(kind) || at < 0)
				continue;
			snprintf(store->events[n].kind, sizeof(store->events[n].kind), "%s",
				 json_string_value(kind));
			store->events[n++].at_ms = at;
		}
		c->events = store->events;
		c->nevents = n;
	}
	return 0;
}

void qa_facts_free(struct qa_facts_store *store)
{
	free(store->spans);
	free(store->events);
	memset(store, 0, sizeof(*store));
}

/* ---- a hit on the wire ---- */

json_t *qa_hit_json(const struct qa_engine *e, const struct qa_hit *h)
{
	const struct qa_rule *r = &e->rules[h->rule];
	int has_place = h->utterance >= 0;

	/* A missing phrase has no place: it is the words that were not said. */
	return json_pack("{s:{s:I,s:s,s:i,s:s},s:s,s:i,s:b,s:b,s:o,s:o,s:o,s:o,s:s,s:o}", "rule",
			 "id", (json_int_t)r->id, "code", r->code, "version", r->version, "name",
			 r->name, "severity", severities[r->severity], "score", r->score, "fatal",
			 r->fatal, "missing", h->missing, "utterance",
			 has_place ? json_integer(h->utterance) : json_null(), "offset",
			 has_place ? json_integer(h->offset) : json_null(), "len",
			 has_place ? json_integer(h->len) : json_null(), "at_ms",
			 h->at_ms >= 0 ? json_integer(h->at_ms) : json_null(), "text",
			 h->text ? h->text : "", "better",
			 h->better ? json_string(h->better) : json_null());
}
