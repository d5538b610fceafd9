/*
 * The rules of live guidance during the call (see call.h): plain C over a
 * call's inputs and now, no I/O. The rulebook's numbers are the defines in
 * call.h; CALL-2's allowance is the one the compliance metrics use (three
 * rings of China's 5 s ring-back cadence), so the prompt and the score
 * after the call agree.
 */
#include <stddef.h>
#include <string.h>

#include "call/call.h"

struct due_list {
	struct call_guide_prompt *out;
	int n, max;
};

static void add(struct due_list *d, const char *rule, const char *step, int hold, int n,
		int64_t due)
{
	int i;

	if (d->n >= d->max)
		return;
	/* Oldest first: the tick stores them in this order. */
	for (i = d->n; i > 0 && d->out[i - 1].due > due; i--)
		d->out[i] = d->out[i - 1];
	d->out[i] = (struct call_guide_prompt){rule, step, hold, n, due};
	d->n++;
}

static int late(const struct call_guide_input *in)
{
	return in->ring_ms > (int64_t)CALL_GUIDE_RINGS_MAX * CALL_GUIDE_RING_CYCLE_MS;
}

static int64_t hold_end_at(const struct call_guide_hold *h, int64_t now)
{
	return h->end && h->end < now ? h->end : now;
}

/* When the holds' running total reaches total (0: not by now). CALL-4's
 * limit is on the total of the agent's holds, however many there were. */
static int64_t total_reached(const struct call_guide_input *in, int64_t now, int64_t total)
{
	int64_t acc = 0;

	for (int i = 0; i < in->nholds; i++) {
		const struct call_guide_hold *h = &in->holds[i];
		int64_t len = hold_end_at(h, now) - h->start;

		if (len < 0)
			continue;
		if (acc + len >= total)
			return h->start + (total - acc);
		acc += len;
	}
	return 0;
}

static int64_t max64(int64_t a, int64_t b)
{
	return a > b ? a : b;
}

int call_guide_due(const struct call_guide_input *in, int64_t now, struct call_guide_prompt *out,
		   int max)
{
	struct due_list d = {out, 0, max};
	int64_t t;

	/* CALL-2: answered after the allowance: apologise first. */
	if (late(in) && in->connected_at <= now)
		add(&d, "CALL-2", "apologize", 0, 1, in->connected_at);
	/* CALL-4: in each hold, a reminder every 15 s and the callback after 60 s. */
	for (int i = 0; i < in->nholds; i++) {
		const struct call_guide_hold *h = &in->holds[i];
		int64_t end = hold_end_at(h, now);

		for (int k = 1; k <= CALL_GUIDE_SPEAK_MAX &&
				h->start + (int64_t)k * CALL_GUIDE_SPEAK_MS <= end;
		     k++)
			add(&d, "CALL-4", "speak", i + 1, k,
			    h->start + (int64_t)k * CALL_GUIDE_SPEAK_MS);
		if (h->start + CALL_GUIDE_CALLBACK_MS <= end)
			add(&d, "CALL-4", "callback", i + 1, 1, h->start + CALL_GUIDE_CALLBACK_MS);
	}
	t = total_reached(in, now, CALL_GUIDE_HOLD_WARN_MS);
	if (t)
		add(&d, "CALL-4", "hold_near", 0, 1, t);
	t = total_reached(in, now, CALL_GUIDE_HOLD_MAX_MS);
	if (t)
		add(&d, "CALL-4", "hold_over", 0, 1, t);
	/* CALL-6: greet again 5 s after the first greeting, goodbye 5 s later,
	 * unless the caller spoke (or the goodbye was said) before. */
	if (in->silent_at) {
		for (int k = 1; k <= 2; k++) {
			t = in->silent_at + (int64_t)k * CALL_GUIDE_SILENT_STEP_MS;
			if (t <= now && (!in->silent_end || in->silent_end > t))
				add(&d, "CALL-6", k == 1 ? "greet_again" : "goodbye", 0, k, t);
		}
	}
	/* CALL-7: from the moment the class is F, the limit; then its warning and its end. */
	if (in->class_f) {
		add(&d, "CALL-7", "limit", 0, 1, in->class_f_at);
		t = max64(in->connected_at + CALL_GUIDE_F_WARN_MS, in->class_f_at);
		if (t <= now)
			add(&d, "CALL-7", "limit_near", 0, 1, t);
		t = max64(in->connected_at + CALL_GUIDE_F_MAX_MS, in->class_f_at);
		if (t <= now)
			add(&d, "CALL-7", "limit_over", 0, 1, t);
	}
	return d.n;
}

void call_guide_state(const struct call_guide_input *in, int64_t now, struct call_guide_state *out)
{
	int64_t t;

	memset(out, 0, sizeof(*out));
	out->late = late(in);
	out->rings = (int)((in->ring_ms + CALL_GUIDE_RING_CYCLE_MS - 1) / CALL_GUIDE_RING_CYCLE_MS);
	for (int i = 0; i < in->nholds; i++) {
		const struct call_guide_hold *h = &in->holds[i];
		int64_t len = hold_end_at(h, now) - h->start;

		if (len > 0)
			out->hold_total_ms += len;
		if (!h->end) {
			out->on_hold = 1;
			out->hold_since = h->start;
			out->hold_ms = len > 0 ? len : 0;
		}
	}
	if (out->on_hold) {
		out->speak_n = (int)(out->hold_ms / CALL_GUIDE_SPEAK_MS);
		out->next_speak_at =
			out->hold_since + (int64_t)(out->speak_n + 1) * CALL_GUIDE_SPEAK_MS;
		out->callback = out->hold_ms >= CALL_GUIDE_CALLBACK_MS;
	}
	out->hold_near = out->hold_total_ms >= CALL_GUIDE_HOLD_WARN_MS;
	out->hold_over = out->hold_total_ms >= CALL_GUIDE_HOLD_MAX_MS;
	if (in->silent_at && !in->silent_end) {
		t = now - in->silent_at;
		out->silent_step = t < CALL_GUIDE_SILENT_STEP_MS       ? 1
				   : t < 2 * CALL_GUIDE_SILENT_STEP_MS ? 2
								       : 3;
		out->silent_next_at = out->silent_step < 3
					      ? in->silent_at + (int64_t)out->silent_step *
									CALL_GUIDE_SILENT_STEP_MS
					      : 0;
	}
	if (in->class_f) {
		out->class_f = 1;
		out->f_limit_at = in->connected_at + CALL_GUIDE_F_MAX_MS;
		out->f_near = now >= in->connected_at + CALL_GUIDE_F_WARN_MS;
		out->f_over = now >= out->f_limit_at;
	}
	/* The wallboard's colour: over a limit, near one (or a step waiting
	 * for the agent), a timer running, or nothing to watch. */
	if (out->hold_over || out->f_over)
		out->level = CALL_GUIDE_OVER;
	else if (out->hold_near || out->f_near || out->callback || out->silent_step >= 2 ||
		 (out->on_hold && out->speak_n > 0) || (out->late && !in->apologized))
		out->level = CALL_GUIDE_WARN;
	else if (out->on_hold || out->silent_step || out->class_f)
		out->level = CALL_GUIDE_REMIND;
	else
		out->level = CALL_GUIDE_OK;
}

int call_guide_callback_proposed(const struct call_guide_input *in, int64_t now)
{
	for (int i = 0; i < in->nholds; i++)
		if (hold_end_at(&in->holds[i], now) - in->holds[i].start >= CALL_GUIDE_CALLBACK_MS)
			return 1;
	return 0;
}

const char *call_guide_level_name(enum call_guide_level l)
{
	static const char *const names[] = {"ok", "remind", "warn", "over"};

	return names[l];
}

int call_guide_agent_step(const char *rule, const char *step)
{
	static const char *const steps[][2] = {
		{"CALL-2", "apologized"},
		{"CALL-4", "spoke"},
		{"CALL-4", "callback_accepted"},
		{"CALL-4", "callback_declined"},
		{"CALL-6", "start"},
		{"CALL-6", "greeted_again"},
		{"CALL-6", "goodbye_said"},
		{"CALL-6", "caller_spoke"},
	};

	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		if (!strcmp(rule, steps[i][0]) && !strcmp(step, steps[i][1]))
			return 1;
	return 0;
}
