/*
 * log.c — leveled log lines on stderr with UTC timestamps (see log.h).
 *
 * Each line is formatted into a bounded stack buffer and written with one write(2),
 * so lines from the loop thread and the worker pool never interleave; an over-long
 * message is cut and ends with "...".
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

#define LOG_LINE_MAX 2048

static enum yc_log_level g_level = YC_LOG_INFO;

static const char *const level_names[] = {"ERROR", "WARN ", "INFO ", "DEBUG"};

void yc_log_set_level(enum yc_log_level lvl)
{
    g_level = lvl;
}

enum yc_log_level yc_log_get_level(void)
{
    return g_level;
}

bool yc_log_enabled(enum yc_log_level lvl)
{
    return lvl <= g_level;
}

bool yc_log_level_parse(const char *s, enum yc_log_level *out)
{
    static const char *const names[] = {"error", "warn", "info", "debug"};
    for (int i = 0; i < 4; i++) {
        if (strcasecmp(s, names[i]) == 0) {
            *out = (enum yc_log_level)i;
            return true;
        }
    }
    if (strcasecmp(s, "warning") == 0) {
        *out = YC_LOG_WARN;
        return true;
    }
    return false;
}

void yc_log(enum yc_log_level lvl, const char *mod, const char *fmt, ...)
{
    if (lvl > g_level)
        return;
    char line[LOG_LINE_MAX];
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    int n = snprintf(line, sizeof line, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %s %s: ",
                     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                     tm.tm_sec, ts.tv_nsec / 1000000L, level_names[lvl], mod);
    if (n < 0)
        return;
    size_t len = (size_t)n < sizeof line ? (size_t)n : sizeof line - 1;
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(line + len, sizeof line - len, fmt, ap);
    va_end(ap);
    if (m < 0)
        m = 0;
    if ((size_t)m >= sizeof line - len) {
        len = sizeof line - 5;
        memcpy(line + len, "...", 3);
        len += 3;
    } else {
        len += (size_t)m;
    }
    line[len++] = '\n';
    const char *p = line;
    while (len > 0) {
        ssize_t w = write(STDERR_FILENO, p, len);
        if (w <= 0)
            return;
        p += w;
        len -= (size_t)w;
    }
}
