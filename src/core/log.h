/*
 * log — one line per event on standard error, for people and for fail2ban.
 *
 * Lines look like "2026-11-22T10:00:00.123Z INFO http: listening on ...".
 * Time is UTC so lines from several nodes sort together. The level is set
 * once at start (log_set_level) before threads exist; writing is thread-safe
 * because each line goes out in one fprintf to an unbuffered stream.
 */
#ifndef KEFU_CORE_LOG_H
#define KEFU_CORE_LOG_H

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

void log_set_level(enum log_level level);
/* Parses "debug", "info", "warn" or "error"; returns -1 for anything else. */
int log_level_parse(const char *s);
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

#endif
