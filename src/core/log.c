#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static enum log_level min_level = LOG_INFO;

void log_set_level(enum log_level level)
{
	min_level = level;
}

int log_level_parse(const char *s)
{
	static const char *names[] = {"debug", "info", "warn", "error"};

	for (int i = 0; i < 4; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	static const char *tags[] = {"DEBUG", "INFO", "WARN", "ERROR"};
	char line[2048], stamp[32];
	struct timespec ts;
	struct tm tm;
	va_list ap;

	if (level < min_level)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s.%03ldZ %s %s\n", stamp, ts.tv_nsec / 1000000L, tags[level], line);
}

void log_limited(struct log_limit *lim, enum log_level level, const char *prefix, const char *fmt,
		 va_list ap)
{
	char line[1024];
	struct timespec ts;
	long dropped = 0;
	size_t len;
	int pass;

	if (level < min_level)
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	while (__atomic_test_and_set(&lim->lock, __ATOMIC_ACQUIRE))
		;
	if (ts.tv_sec - lim->window_start >= lim->window_s) {
		dropped = lim->dropped;
		lim->window_start = ts.tv_sec;
		lim->used = 0;
		lim->dropped = 0;
	}
	pass = lim->used < lim->burst;
	if (pass)
		lim->used++;
	else
		lim->dropped++;
	__atomic_clear(&lim->lock, __ATOMIC_RELEASE);
	if (dropped)
		log_msg(level, "%s%ld more messages were not logged in the last %d s", prefix,
			dropped, lim->window_s);
	if (!pass)
		return;
	vsnprintf(line, sizeof(line), fmt, ap);
	len = strlen(line);
	while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		line[--len] = '\0';
	/* One event, one line: a line break inside would start a line that is not ours. */
	for (size_t i = 0; i < len; i++)
		if (line[i] == '\n' || line[i] == '\r')
			line[i] = ' ';
	log_msg(level, "%s%s", prefix, line);
}
