#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/clock.h"
#include "core/utf8.h"
#include "cust/cust.h"

/* Who calls the center (CUST-1): app users, merchants, the media, others. */
static const char *const kinds[] = {"app_user", "merchant", "media", "other"};

/* CALL-12: the channels a contact arrives through. */
static const char *const channels[] = {"phone", "wechat", "weibo", "web_chat",
				       "email", "sms",    "visit"};

const char *const cust_fivew_keys[CUST_FIVEW] = {"when", "who", "where", "what", "why", "how"};

static const char *const field_names[CUST_FIELD_COUNT] = {
	"name",  "surname", "title",    "kind",      "phones", "wechat",
	"weibo", "email",   "birthday", "vip_level", "tags",   "notes",
};

static int in_list(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(s, list[i]) == 0)
			return 1;
	return 0;
}

int cust_phone_normalize(const char *in, char *out, size_t size)
{
	char digits[64];
	const char *d = digits;
	size_t n = 0, len;
	int plus = 0;

	while (*in == ' ')
		in++;
	if (*in == '+') {
		plus = 1;
		in++;
	}
	for (; *in; in++) {
		if (*in >= '0' && *in <= '9') {
			if (n + 1 >= sizeof(digits))
				return ERR_UNPROCESSABLE;
			digits[n++] = *in;
		} else if (*in != ' ' && *in != '-' && *in != '(' && *in != ')' && *in != '.') {
			return ERR_UNPROCESSABLE;
		}
	}
	digits[n] = '\0';
	/*
	 * China's country code, written either way, is not part of the number
	 * we dial. 86 before an 11-digit mobile number (1xx xxxx xxxx) is the
	 * same code with its '+' lost, e.g. to a URL that turned it into a space.
	 */
	if (plus && n >= 2 && memcmp(digits, "86", 2) == 0)
		d += 2;
	else if (!plus && n >= 4 && memcmp(digits, "0086", 4) == 0)
		d += 4;
	else if (!plus && n == 13 && memcmp(digits, "861", 3) == 0)
		d += 2;
	len = strlen(d);
	if (len < CUST_PHONE_MIN_DIGITS || len > CUST_PHONE_DIGITS || len >= size)
		return ERR_UNPROCESSABLE;
	memcpy(out, d, len + 1);
	return 0;
}

/* Past an extension marker at p (转, ext, x or #), or NULL when there is none. */
static const char *ext_marker(const char *p)
{
	if (strncmp(p, "\xe8\xbd\xac", 3) == 0) /* 转 */
		return p + 3;
	if (strncasecmp(p, "ext", 3) == 0)
		return p + 3 + (p[3] == '.');
	if (*p == 'x' || *p == 'X' || *p == '#')
		return p + 1;
	return NULL;
}

/* Digits of s[0..n) (separators dropped) into out; -1 on any other character. */
static int digits_of(const char *s, size_t n, char *out, size_t size)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] >= '0' && s[i] <= '9') {
			if (k + 1 >= size)
				return -1;
			out[k++] = s[i];
		} else if (!strchr(" -().", s[i])) {
			return -1;
		}
	}
	out[k] = '\0';
	return (int)k;
}

/* The length of a Chinese area code at d ("010", "02x", "0xxx"), or 0. */
static size_t area_len(const char *d)
{
	if (d[0] != '0')
		return 0;
	if (d[1] == '1')
		return d[2] == '0' ? 3 : 0;
	if (d[1] == '2')
		return 3;
	return d[1] >= '3' && d[1] <= '9' ? 4 : 0;
}

/* 1 when the digits d (country code dropped) are a whole landline number. */
static int landline_ok(const char *d)
{
	size_t a = area_len(d), local = strlen(d) - a;

	return a && d[a] >= '2' && d[a] <= '9' && (local == 8 || (a == 4 && local == 7));
}

/* Drops China's country code (+86, 0086, or 86 before a mobile number). */
static const char *national(const char *d, int plus)
{
	size_t n = strlen(d);

	if (plus)
		return strncmp(d, "86", 2) == 0 ? d + 2 : NULL;
	if (strncmp(d, "0086", 4) == 0)
		return d + 4;
	if (n == 13 && strncmp(d, "861", 3) == 0)
		return d + 2;
	return d;
}

int cust_phone_check(const char *in, char *out, size_t size, const char *field, int rc,
		     struct err_info *ei)
{
	char all[64], ext[16] = "", area[8];
	const char *p = in, *mark = NULL, *d;
	size_t n, a;
	int plus = 0;

	while (*p == ' ')
		p++;
	if (*p == '+') {
		plus = 1;
		p++;
	}
	for (const char *q = p; *q && !mark; q++)
		if (ext_marker(q))
			mark = q;
	n = mark ? (size_t)(mark - p) : strlen(p);
	if (mark) {
		const char *e = ext_marker(mark);
		int k = digits_of(e, strlen(e), ext, sizeof(ext));

		if (k < 1 || k > CUST_PHONE_EXT_MAX)
			return err_add(ei, rc, ERR_UNPROCESSABLE, field,
				       "%s: an extension is 1 to %d digits", field, CUST_PHONE_EXT_MAX);
	}
	if (digits_of(p, n, all, sizeof(all)) < 0)
		return err_add(ei, rc, ERR_UNPROCESSABLE, field,
			       "%s: only digits, spaces, '-', '(' and ')', a leading '+' and an "
			       "extension after 转, ext or #",
			       field);
	/*
	 * Without a marker, a last "-group" after a whole landline number is
	 * its extension (010-12345678-123); anywhere else '-' only separates.
	 */
	if (!mark && memchr(p, '-', n)) {
		const char *last = p + n;
		char head[64];

		while (last > p && last[-1] != '-')
			last--;
		if (digits_of(p, (size_t)(last - 1 - p), head, sizeof(head)) > 0 &&
		    (d = national(head, plus)) != NULL && landline_ok(d) &&
		    digits_of(last, (size_t)(p + n - last), ext, sizeof(ext)) >= 1 &&
		    strlen(ext) <= CUST_PHONE_EXT_MAX)
			snprintf(all, sizeof(all), "%s", head);
		else
			ext[0] = '\0';
	}
	d = national(all, plus);
	if (!d)
		return err_add(ei, rc, ERR_UNPROCESSABLE, field,
			       "%s: only Chinese numbers: +86 or no country code", field);
	n = strlen(d);
	if (n == 0)
		return err_add(ei, rc, ERR_UNPROCESSABLE, field, "%s: no digits", field);
	if (d[0] == '1') {
		if (n != 11)
			return err_add(ei, rc, ERR_UNPROCESSABLE, field,
				       "%s: a mobile number has 11 digits, not %d", field, (int)n);
		if (d[1] < '3')
			return err_add(ei, rc, ERR_UNPROCESSABLE, field,
				       "%s: a mobile number starts with 13 to 19", field);
	} else if (strncmp(d, "400", 3) == 0 || strncmp(d, "800", 3) == 0) {
		if (n != 10)
			return err_add(ei, rc, ERR_UNPROCESSABLE, field,
				       "%s: a 400 or 800 number has 10 digits, not %d", field,
				       (int)n);
	} else if (d[0] == '0') {
		a = area_len(d);
		if (!a)
			return err_add(ei, rc, ERR_UNPROCESSABLE, field,
				       "%s: not an area code: 010, 02x or 0xxx (00 calls abroad)",
				       field);
		snprintf(area, sizeof(area), "%.*s", (int)a, d);
		if (a == 3 && n - a != 8)
			return err_add(ei, rc, ERR_UNPROCESSABLE, field,
				       "%s: after area code %s come 8 digits, not %d", field, area,
				       (int)(n - a));
		if (a == 4 && n - a != 7 && n - a != 8)
			return err_add(ei, rc, ERR_UNPROCESSABLE, field,
				       "%s: after area code %s come 7 or 8 digits, not %d", field,
				       area, (int)(n - a));
		if (d[a] < '2')
			return err_add(ei, rc, ERR_UNPROCESSABLE, field,
				       "%s: a local number starts with 2 to 9", field);
	} else if (n == 7 || n == 8) {
		return err_add(ei, rc, ERR_UNPROCESSABLE, field,
			       "%s: a landline number needs its area code, e.g. 010 or 0571", field);
	} else {
		return err_add(ei, rc, ERR_UNPROCESSABLE, field,
			       "%s: not a mobile (11 digits from 13), landline (area code and "
			       "number) or 400/800 number",
			       field);
	}
	if (n + (ext[0] ? 1 + strlen(ext) : 0) >= size)
		return err_add(ei, rc, ERR_UNPROCESSABLE, field, "%s: too long", field);
	snprintf(out, size, "%s%s%s", d, ext[0] ? "-" : "", ext);
	return rc;
}

int cust_kind_valid(const char *kind)
{
	return in_list(kind, kinds, sizeof(kinds) / sizeof(kinds[0]));
}

const char *cust_title_word(const char *title)
{
	if (strcmp(title, "mr") == 0)
		return "先生";
	if (strcmp(title, "ms") == 0)
		return "女士";
	return NULL;
}

void cust_address_as(const struct customer *c, char *out, size_t size)
{
	const char *word = cust_title_word(c->title);

	if (size == 0)
		return;
	/* CUST-5: 王先生 / 王女士 is how the rulebook wants a customer greeted. */
	if (word && c->surname[0])
		snprintf(out, size, "%s%s", c->surname, word);
	else if (c->name[0])
		snprintf(out, size, "%s", c->name);
	else if (word)
		snprintf(out, size, "%s", word);
	else
		snprintf(out, size, "%s", c->surname);
	utf8_trim_partial(out);
}

static int leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int two_digits(const char *s)
{
	if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
		return -1;
	return (s[0] - '0') * 10 + (s[1] - '0');
}

int cust_birthday_valid(const char *s, int64_t now)
{
	static const int days[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	size_t n = strlen(s);
	/* "Today" is the center's day, not UTC's: before 08:00 in Shanghai they differ. */
	int ymd = clock_local_ymd(now), ty = ymd / 10000, tm = ymd / 100 % 100, td = ymd % 100;
	int y = -1, m, d;

	if (n == 10) {
		int hi = two_digits(s), lo = two_digits(s + 2);

		if (hi < 0 || lo < 0 || s[4] != '-')
			return 0;
		y = hi * 100 + lo;
		s += 5;
	} else if (n != 5) {
		return 0;
	}
	m = two_digits(s);
	d = two_digits(s + 3);
	if (m < 1 || m > 12 || s[2] != '-' || d < 1 || d > days[m - 1])
		return 0;
	/* Without a year, 02-29 is a real birthday (greeted on leap years, CUST-4). */
	if (y < 0)
		return 1;
	if (m == 2 && d == 29 && !leap(y))
		return 0;
	if (y < 1900)
		return 0;
	/* Nobody is born tomorrow. */
	if (y != ty)
		return y < ty;
	return m < tm || (m == tm && d <= td);
}

int cust_email_valid(const char *s)
{
	const char *at = strchr(s, '@'), *dot;
	size_t n = strlen(s);

	if (n == 0 || n > CUST_EMAIL_MAX || !at || at == s || strchr(at + 1, '@'))
		return 0;
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return 0;
	dot = strrchr(at + 1, '.');
	/* A domain with a dot that neither starts nor ends it: enough to catch typos. */
	return dot && dot != at + 1 && dot[1] != '\0';
}

/* 1 if s is valid UTF-8 of at most max characters without control characters
 * (notes may hold line breaks and tabs). */
static int text_ok(const char *s, size_t max, int multiline)
{
	size_t n = strlen(s);

	if (!utf8_valid(s, n) || utf8_len(s) > max)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (multiline && (c == '\n' || c == '\t' || c == '\r'))
			continue;
		if (c < 0x20 || c == 0x7f)
			return 0;
	}
	return 1;
}

int cust_validate_more(const struct customer *c, int64_t now, int rc, struct err_info *ei)
{
	if (!text_ok(c->name, CUST_NAME_MAX, 0))
		rc = err_add(ei, rc, ERR_UNPROCESSABLE, "name", "name: up to %d characters",
			     CUST_NAME_MAX);
	else if (c->name[0] && utf8_blank(c->name))
		rc = err_add(ei, rc, ERR_UNPROCESSABLE, "name", "name: only blanks");
	if (!text_ok(c->surname, CUST_SURNAME_MAX, 0) || (c->surname[0] && utf8_blank(c->surname)))
		rc = err_add(ei, rc, ERR_UNPROCESSABLE, "surname", "surname: up to %d characters",
			       CUST_SURNAME_MAX);
	if (c->title[0] && !cust_title_word(c->title))
		rc = err_add(ei, rc, ERR_UNPROCESSABLE, "title", "title: mr (先生) or ms (女士)");
	if (!cust_kind_valid(c->kind))
		rc = err_add(ei, rc, ERR_UNPROCESSABLE, "kind",
			       "kind: app_user, merchant, media or other");
	if (c->nphones < 0 || c->nphones > CUST_PHONES_MAX)
		rc = err_add(ei, rc, ERR_UNPROCESSABLE, "phones", "phones: at most %d numbers",
			       CUST_PHONES_MAX);
	for (int i = 0; i < c->nphones && i < CUST_PHONES_MAX; i++) {
		char norm[CUST_PHONE_DIGITS + 1];

		/* CUST-1: whole Chinese numbers, kept in the one form lookups use. */
		if (cust_phone_check(c->phones[i].phone, norm, sizeof(norm), "phones", 0, NULL) < 0)
			rc = cust_phone_check(c->phones[i].phone, norm, sizeof(norm), "phones", rc,
					      ei);
		else if (strcmp(norm, c->phones[i].phone) != 0)
			rc = err_add(ei, rc, ERR_UNPROCESSABLE, "phones",
				     "phones: numbers are stored as digits only");
		if (!text_ok(c->phones[i].label, CUST_LABEL_MAX, 0))
			rc = err_add(ei, rc, ERR_UNPROCESSABLE, "phones",
				       "phones: a label is up to %d characters", CUST_LABEL_MAX);
		for (int k = 0; k < i; k++)
			if (strcmp(c->phones[k].phone, c->phones[i].phone) == 0)
				rc = err_add(ei, rc, ERR_UNPROCESSABLE, "phones",
					       "phones: the same number twice");
	}
	if (!text_ok(c->wechat, CUST_HANDLE_MAX, 0) || (c->wechat[0] && utf8_blank(c->wechat)))
		rc = err_add(ei, rc, ERR_UNPROCESSABLE, "wechat", "wechat: up to %d characters",
			       CUST_HANDLE_MAX);
	if (!text_ok(c->weibo, CUST_HANDLE_MAX, 0) || (c->weibo[0] && utf8_blank(c->weibo)))
		rc = err_add(ei, rc, ERR_UNPROCESSABLE, "weibo", "weibo: up to %d characters",
			       CUST_HANDLE_MAX);
	if (c->email[0] && !cust_email_valid(c->email))
		rc = err_add(ei, rc, ERR_UNPROCESSABLE, "email", "email: not an email address");
	if (c->birthday[0] && !cust_birthday_valid(c->birthday, now))
		rc = err_add(ei, rc, ERR_UNPROCESSABLE, "birthday",
			       "birthday: MM-DD or YYYY-MM-DD, a real date in the past");
	if (c->vip_level < 0 || c->vip_level > CUST_VIP_MAX)
		rc = err_add(ei, rc, ERR_UNPROCESSABLE, "vip_level", "vip_level: 0 to %d",
			       CUST_VIP_MAX);
	if (c->ntags < 0 || c->ntags > CUST_TAGS_MAX)
		rc = err_add(ei, rc, ERR_UNPROCESSABLE, "tags", "tags: at most %d", CUST_TAGS_MAX);
	for (int i = 0; i < c->ntags && i < CUST_TAGS_MAX; i++)
		if (!c->tags[i][0] || utf8_blank(c->tags[i]) || !text_ok(c->tags[i], CUST_TAG_MAX, 0))
			rc = err_add(ei, rc, ERR_UNPROCESSABLE, "tags", "tags: 1 to %d characters each",
				       CUST_TAG_MAX);
	if (!text_ok(c->notes, CUST_NOTES_MAX, 1))
		rc = err_add(ei, rc, ERR_UNPROCESSABLE, "notes", "notes: up to %d characters",
			       CUST_NOTES_MAX);
	/* A record nobody can name or reach would only ever be a duplicate. */
	if (!c->name[0] && !c->surname[0] && !c->nphones && !c->wechat[0] && !c->weibo[0] &&
	    !c->email[0])
		rc = err_add(ei, rc, ERR_UNPROCESSABLE, "name",
			       "a customer needs a name, a surname or a way to reach them");
	return rc;
}

int cust_validate(const struct customer *c, int64_t now, struct err_info *ei)
{
	return cust_validate_more(c, now, 0, ei);
}

int cust_tag_add(struct customer *c, const char *tag)
{
	for (int i = 0; i < c->ntags; i++)
		if (strcmp(c->tags[i], tag) == 0)
			return 0;
	if (c->ntags >= CUST_TAGS_MAX || strlen(tag) >= sizeof(c->tags[0]))
		return ERR_UNPROCESSABLE;
	snprintf(c->tags[c->ntags++], sizeof(c->tags[0]), "%s", tag);
	return 1;
}

static int phones_equal(const struct customer *a, const struct customer *b)
{
	if (a->nphones != b->nphones)
		return 0;
	for (int i = 0; i < a->nphones; i++)
		if (strcmp(a->phones[i].phone, b->phones[i].phone) ||
		    strcmp(a->phones[i].label, b->phones[i].label))
			return 0;
	return 1;
}

static int tags_equal(const struct customer *a, const struct customer *b)
{
	if (a->ntags != b->ntags)
		return 0;
	for (int i = 0; i < a->ntags; i++)
		if (strcmp(a->tags[i], b->tags[i]))
			return 0;
	return 1;
}

unsigned cust_diff(const struct customer *a, const struct customer *b)
{
	unsigned d = 0;

	d |= strcmp(a->name, b->name) ? CF_NAME : 0;
	d |= strcmp(a->surname, b->surname) ? CF_SURNAME : 0;
	d |= strcmp(a->title, b->title) ? CF_TITLE : 0;
	d |= strcmp(a->kind, b->kind) ? CF_KIND : 0;
	d |= phones_equal(a, b) ? 0 : CF_PHONES;
	d |= strcmp(a->wechat, b->wechat) ? CF_WECHAT : 0;
	d |= strcmp(a->weibo, b->weibo) ? CF_WEIBO : 0;
	d |= strcmp(a->email, b->email) ? CF_EMAIL : 0;
	d |= strcmp(a->birthday, b->birthday) ? CF_BIRTHDAY : 0;
	d |= a->vip_level != b->vip_level ? CF_VIP : 0;
	d |= tags_equal(a, b) ? 0 : CF_TAGS;
	d |= strcmp(a->notes, b->notes) ? CF_NOTES : 0;
	return d;
}

const char *cust_field_name(unsigned bit)
{
	for (int i = 0; i < CUST_FIELD_COUNT; i++)
		if (bit == (1u << i))
			return field_names[i];
	return NULL;
}

/* Fills dst from src when dst is empty; notes the field. */
static void fill(char *dst, size_t size, const char *src, unsigned bit, unsigned *filled)
{
	if (dst[0] || !src[0])
		return;
	snprintf(dst, size, "%s", src);
	*filled |= bit;
}

int cust_merge_fields(struct customer *into, const struct customer *from,
		      struct cust_merge_result *res, struct err_info *ei)
{
	struct customer next = *into;
	unsigned filled = 0;
	int added = 0;

	fill(next.name, sizeof(next.name), from->name, CF_NAME, &filled);
	fill(next.surname, sizeof(next.surname), from->surname, CF_SURNAME, &filled);
	fill(next.title, sizeof(next.title), from->title, CF_TITLE, &filled);
	fill(next.wechat, sizeof(next.wechat), from->wechat, CF_WECHAT, &filled);
	fill(next.weibo, sizeof(next.weibo), from->weibo, CF_WEIBO, &filled);
	fill(next.email, sizeof(next.email), from->email, CF_EMAIL, &filled);
	/* A full date says more than a month and day. */
	if (strlen(next.birthday) < strlen(from->birthday)) {
		snprintf(next.birthday, sizeof(next.birthday), "%s", from->birthday);
		filled |= CF_BIRTHDAY;
	}
	fill(next.notes, sizeof(next.notes), from->notes, CF_NOTES, &filled);
	for (int i = 0; i < from->ntags; i++) {
		int rc = cust_tag_add(&next, from->tags[i]);

		if (rc < 0)
			return err_set(ei, ERR_UNPROCESSABLE, "from_id",
				       "together the two customers have more than %d tags",
				       CUST_TAGS_MAX);
		added += rc;
	}
	if (into->nphones + from->nphones > CUST_PHONES_MAX)
		return err_set(ei, ERR_UNPROCESSABLE, "from_id",
			       "together the two customers have more than %d phone numbers",
			       CUST_PHONES_MAX);
	res->old_vip = into->vip_level;
	/* CUST-3: a merge never demotes a VIP. */
	if (from->vip_level > next.vip_level)
		next.vip_level = from->vip_level;
	res->filled = filled;
	res->tags_added = added;
	*into = next;
	return 0;
}

int cust_channel_valid(const char *channel)
{
	return in_list(channel, channels, sizeof(channels) / sizeof(channels[0]));
}

int cust_direction_valid(const char *direction)
{
	return strcmp(direction, "in") == 0 || strcmp(direction, "out") == 0;
}

int cust_class_valid(const char *cls)
{
	return cls[0] >= 'A' && cls[0] <= 'F' && cls[1] == '\0';
}

int cust_fivew_index(const char *key)
{
	for (int i = 0; i < CUST_FIVEW; i++)
		if (strcmp(key, cust_fivew_keys[i]) == 0)
			return i;
	return -1;
}

/* Clocks of agents' PCs drift; a contact is not recorded as starting later than this. */
#define CLOCK_SKEW_MS (5 * 60 * 1000)

int cust_contact_validate_more(const struct cust_contact *c, int64_t now, int rc,
			       struct err_info *ei)
{
	if (!cust_channel_valid(c->channel))
		rc = err_add(ei, rc, ERR_UNPROCESSABLE, "channel",
			       "channel: phone, wechat, weibo, web_chat, email, sms or visit");
	if (!cust_direction_valid(c->direction))
		rc = err_add(ei, rc, ERR_UNPROCESSABLE, "direction", "direction: in or out");
	if (c->phone[0]) {
		char norm[CUST_PHONE_DIGITS + 1];

		if (cust_phone_normalize(c->phone, norm, sizeof(norm)) < 0 ||
		    strcmp(norm, c->phone) != 0)
			rc = err_add(ei, rc, ERR_UNPROCESSABLE, "phone",
				       "phone: a phone number is 3 to 20 digits");
	}
	/* CALL-10: recorded truthfully, so not in the future. */
	if (c->started_at <= 0 || c->started_at > now + CLOCK_SKEW_MS)
		rc = err_add(ei, rc, ERR_UNPROCESSABLE, "started_at",
			       "started_at: a time that has come");
	if (c->ended_at && (c->ended_at < c->started_at || c->ended_at > now + CLOCK_SKEW_MS))
		rc = err_add(ei, rc, ERR_UNPROCESSABLE, "ended_at",
			       "ended_at: after started_at and not in the future");
	if (c->cls[0] && !cust_class_valid(c->cls))
		rc = err_add(ei, rc, ERR_UNPROCESSABLE, "class", "class: one of A, B, C, D, E, F");
	for (int i = 0; i < CUST_FIVEW; i++)
		if (!text_ok(c->fivew[i], CUST_FIVEW_MAX, 1))
			rc = err_add(ei, rc, ERR_UNPROCESSABLE, "fivew", "fivew.%s: up to %d characters",
				       cust_fivew_keys[i], CUST_FIVEW_MAX);
	if (!text_ok(c->summary, CUST_SUMMARY_MAX, 1))
		rc = err_add(ei, rc, ERR_UNPROCESSABLE, "summary", "summary: up to %d characters",
			     CUST_SUMMARY_MAX);
	else if (c->summary[0] && utf8_blank(c->summary))
		rc = err_add(ei, rc, ERR_UNPROCESSABLE, "summary", "%s: only blanks", "summary");
	if (c->satisfaction < 0 || c->satisfaction > 5)
		rc = err_add(ei, rc, ERR_UNPROCESSABLE, "satisfaction", "satisfaction: 1 to 5 or null");
	return rc;
}

int cust_contact_validate(const struct cust_contact *c, int64_t now, struct err_info *ei)
{
	return cust_contact_validate_more(c, now, 0, ei);
}

