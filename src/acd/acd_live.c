/*
 * The rules of the wallboard's live figures and of callback requests (see
 * acd.h for the definitions): ratios, the period asked for, and the checks
 * of what clients and the call engine send. No I/O; now is a parameter.
 */
#include <string.h>

#include "acd/acd.h"
#include "core/clock.h"
#include "core/utf8.h"

#define DAY_MS 86400000LL

int acd_ratio_bp(int64_t num, int64_t den)
{
	if (den <= 0)
		return -1;
	if (num < 0)
		num = 0;
	/* Counts of calls: num * 10000 stays far from overflow. */
	return (int)((num * 10000 + den / 2) / den);
}

void acd_live_add(struct acd_live_counts *sum, const struct acd_live_counts *c)
{
	sum->offered += c->offered;
	sum->answered += c->answered;
	sum->answered_in_sl += c->answered_in_sl;
	sum->answer_ms += c->answer_ms;
	sum->abandoned += c->abandoned;
	sum->callbacks += c->callbacks;
	sum->waiting_young += c->waiting_young;
	sum->waiting += c->waiting;
	sum->callbacks_open += c->callbacks_open;
	if (c->oldest_queued_at &&
	    (!sum->oldest_queued_at || c->oldest_queued_at < sum->oldest_queued_at))
		sum->oldest_queued_at = c->oldest_queued_at;
}

void acd_live_figures(const struct acd_live_counts *c, int64_t now, struct acd_live_figures *out)
{
	memset(out, 0, sizeof(*out));
	out->c = *c;
	/* Another node's clock may be a little ahead of ours: never a negative wait. */
	if (c->waiting && c->oldest_queued_at && now > c->oldest_queued_at)
		out->longest_wait_ms = now - c->oldest_queued_at;
	out->asa_ms = c->answered > 0 ? (c->answer_ms + c->answered / 2) / c->answered : -1;
	/*
	 * A call still waiting inside its target has neither met nor missed
	 * it yet, so it is left out of the denominator; one waiting longer has
	 * missed it already and stays in.
	 */
	out->service_level_bp = acd_ratio_bp(c->answered_in_sl, c->offered - c->waiting_young);
	out->abandon_rate_bp = acd_ratio_bp(c->abandoned, c->offered);
	out->answer_rate_bp = acd_ratio_bp(c->answered, c->offered);
}

int acd_live_period(int64_t now, int64_t from, int64_t to, int64_t *out_from, int64_t *out_to,
		    struct err_info *ei)
{
	if (!from && !to) {
		*out_from = clock_day_start(now);
		*out_to = clock_day_end(now);
		return 0;
	}
	if (!from || !to)
		return err_set(ei, ERR_INVALID, from ? "to" : "from",
			       "from and to: give both (ms, [from, to)) or neither (today)");
	if (to <= from)
		return err_set(ei, ERR_UNPROCESSABLE, "to", "to: after from");
	if (to - from > ACD_LIVE_DAYS_MAX * DAY_MS)
		return err_set(ei, ERR_UNPROCESSABLE, "to", "to: at most %d days after from",
			       ACD_LIVE_DAYS_MAX);
	*out_from = from;
	*out_to = to;
	return 0;
}

int acd_phone_valid(const char *phone)
{
	size_t n = phone ? strlen(phone) : 0;

	if (n < ACD_PHONE_MIN || n > ACD_PHONE_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (phone[i] < '0' || phone[i] > '9')
			return 0;
	return 1;
}

static int blank(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* The shared part of notes and reasons: trim, check, copy. */
static int text_clean(const char *in, const char *field, int min, int max, int lines, char *out,
		      size_t size, struct err_info *ei)
{
	size_t len, chars;

	out[0] = '\0';
	if (!in)
		in = "";
	while (blank((unsigned char)*in))
		in++;
	len = strlen(in);
	while (len > 0 && blank((unsigned char)in[len - 1]))
		len--;
	if (!utf8_valid(in, len))
		return err_set(ei, ERR_INVALID, field, "%s: not valid text", field);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];

		if ((c < 0x20 || c == 0x7f) && !(lines && (c == '\n' || c == '\r' || c == '\t')))
			return err_set(ei, ERR_UNPROCESSABLE, field, "%s: no control characters%s",
				       field, lines ? "" : " or line breaks");
	}
	if (len >= size)
		return err_set(ei, ERR_UNPROCESSABLE, field, "%s: at most %d characters", field,
			       max);
	memcpy(out, in, len);
	out[len] = '\0';
	chars = utf8_len(out);
	if (chars > (size_t)max || chars < (size_t)min) {
		out[0] = '\0';
		if (min > 0)
			return err_set(ei, ERR_UNPROCESSABLE, field, "%s: %d to %d characters",
				       field, min, max);
		return err_set(ei, ERR_UNPROCESSABLE, field, "%s: at most %d characters", field,
			       max);
	}
	return 0;
}

int acd_note_clean(const char *in, char *out, size_t size, struct err_info *ei)
{
	return text_clean(in, "note", 0, ACD_NOTE_MAX, 1, out, size, ei);
}

int acd_reveal_reason_clean(const char *in, char *out, size_t size, struct err_info *ei)
{
	return text_clean(in, "reason", ACD_REVEAL_MIN, ACD_REVEAL_MAX, 0, out, size, ei);
}
