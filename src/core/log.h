/*
 * log — one line per event on standard error, for people and for fail2ban.
 *
 * Lines look like "2026-11-22T10:00:00.123Z INFO http: listening on ...".
 * Time is UTC so lines from several nodes sort together. The level is set
 * once at start (log_set_level) before threads exist; writing is thread-safe
 * because each line goes out in one fprintf to an unbuffered stream.
 *
 * Under systemd, with standard error connected to the journal
 * (JOURNAL_STREAM names it), each line starts with its syslog priority
 * ("<6>" for INFO, sd-daemon(3)), so journald keeps the level
 * (`journalctl -p warning`); the rest of the line is the same. SIGHUP's
 * reload may change the level while threads run (it is atomic).
 */
#ifndef KEFU_CORE_LOG_H
#define KEFU_CORE_LOG_H

#include <stdarg.h>

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

void log_set_level(enum log_level level);
/* Parses "debug", "info", "warn" or "error"; returns -1 for anything else. */
int log_level_parse(const char *s);
/* Whether lines go to the journal with a priority prefix (JOURNAL_STREAM). */
int log_to_journal(void);
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * A rate limit for a source of lines that an outsider can make talk (a
 * library's messages about connections a client aborted): at most `burst`
 * lines per `window_s` seconds; the rest are counted and reported in one
 * line when the next window lets a line through. Zero-initialise it with
 * the two limits set; it is safe to share between threads.
 */
struct log_limit {
	int burst;
	int window_s;
	long window_start; /* seconds, monotonic */
	int used;
	long dropped;
	unsigned char lock; /* a spin flag: lines are rare and short */
};

/* Writes prefix followed by the formatted line when the limit allows; a
 * trailing newline of fmt's output is dropped. */
void log_limited(struct log_limit *lim, enum log_level level, const char *prefix, const char *fmt,
		 va_list ap) __attribute__((format(printf, 4, 0)));

#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

#endif
