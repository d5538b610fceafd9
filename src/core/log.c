#include "core/log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* Atomic: SIGHUP's reload (src/cli/serve.c) changes it while threads log. */
static _Atomic int min_level = LOG_INFO;
static pthread_once_t journal_once = PTHREAD_ONCE_INIT;
static int journal;

void log_set_level(enum log_level level)
{
	min_level = (int)level;
}

/*
 * systemd sets JOURNAL_STREAM to the device and inode ("dev:ino") of the
 * stream it connected to standard error. Only when standard error is still
 * that stream do lines carry the "<N>" prefix: a child of a service whose
 * standard error went elsewhere inherits the variable, not the journal.
 */
static void journal_detect(void)
{
	const char *v = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (v && sscanf(v, "%llu:%llu", &dev, &ino) == 2 && fstat(2, &st) == 0 &&
	    (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino)
		journal = 1;
}

int log_to_journal(void)
{
	pthread_once(&journal_once, journal_detect);
	return journal;
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
	/* syslog(3)'s priorities: debug, info, warning, err. */
	static const char *prio[] = {"<7>", "<6>", "<4>", "<3>"};
	char line[2048], stamp[32];
	struct timespec ts;
	struct tm tm;
	va_list ap;

	if ((int)level < min_level)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s%s.%03ldZ %s %s\n", log_to_journal() ? prio[level] : "", stamp,
		ts.tv_nsec / 1000000L, tags[level], line);
}

void log_limited(struct log_limit *lim, enum log_level level, const char *prefix, const char *fmt,
		 va_list ap)
{
	char line[1024];
	struct timespec ts;
	long dropped = 0;
	size_t len;
	int pass;

	if ((int)level < min_level)
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
