/*
 * The agents' work statistics, the rules (report.h tells the figures): a
 * status's column, a spell of the status log cut at the edges of a day,
 * occupancy. No I/O.
 */
#include <string.h>

#include "report/report.h"

/* The channels of a contact (CALL-12), in the order cust_channel_valid lists them. */
const char *const report_channels[REPORT_CHANNELS] = {"phone", "wechat", "weibo", "web_chat",
						      "email", "sms",	 "visit"};

int report_agent_status(const char *status)
{
	static const struct {
		const char *name;
		int col;
	} map[] = {{"ready", RAS_READY},  {"busy", RAS_AWAY},	 {"break", RAS_BREAK},
		   {"ringing", RAS_CALL}, {"talking", RAS_CALL}, {"wrap_up", RAS_WRAP}};

	for (size_t i = 0; status && i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(status, map[i].name) == 0)
			return map[i].col;
	return -1;
}

int report_channel_index(const char *channel)
{
	for (int i = 0; channel && i < REPORT_CHANNELS; i++)
		if (strcmp(channel, report_channels[i]) == 0)
			return i;
	return -1;
}

void report_agent_span(struct report_agent_fig *f, int status, int64_t from, int64_t to,
		       int64_t start, int64_t end)
{
	if (status < 0 || status >= RAS_COUNT)
		return;
	if (to <= 0 || to > end)
		to = end;
	if (from < start)
		from = start;
	if (to > from)
		f->status_ms[status] += to - from;
}

void report_agent_fig_add(struct report_agent_fig *dst, const struct report_agent_fig *src)
{
	const int64_t *s = (const int64_t *)src;
	int64_t *d = (int64_t *)dst;

	/* Every member is an int64_t figure that adds up. */
	for (size_t i = 0; i < sizeof(*src) / sizeof(int64_t); i++)
		d[i] += s[i];
}

int64_t report_agent_logged_in(const struct report_agent_fig *f)
{
	int64_t sum = 0;

	for (int i = 0; i < RAS_COUNT; i++)
		sum += f->status_ms[i];
	return sum;
}

double report_agent_occupancy(const struct report_agent_fig *f)
{
	int64_t used = f->status_ms[RAS_CALL] + f->status_ms[RAS_WRAP];
	int64_t avail = used + f->status_ms[RAS_READY];

	return avail > 0 ? 100.0 * (double)used / (double)avail : -1;
}
