/*
 * log.c — leveled log lines on stderr with UTC timestamps, as text or JSON (see log.h).
 *
 * Each line is formatted into a bounded stack buffer and written with one write(2),
 * so lines from the loop thread and the worker pool never interleave; an over-long
 * message is cut and ends with "...".
 */
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

#define LOG_LINE_MAX 2048

static _Atomic int g_level = YC_LOG_INFO;
static _Atomic int g_format = YC_LOG_TEXT;

static const char *const level_names[] = {"ERROR", "WARN ", "INFO ", "DEBUG"};
static const char *const level_lower[] = {"error", "warn", "info", "debug"};

void yc_log_set_level(enum yc_log_level lvl)
{
    atomic_store(&g_level, (int)lvl);
}

enum yc_log_level yc_log_get_level(void)
{
    return (enum yc_log_level)atomic_load(&g_level);
}

bool yc_log_enabled(enum yc_log_level lvl)
{
    return (int)lvl <= atomic_load(&g_level);
}

void yc_log_set_format(enum yc_log_format f)
{
    atomic_store(&g_format, (int)f);
}

enum yc_log_format yc_log_get_format(void)
{
    return (enum yc_log_format)atomic_load(&g_format);
}

bool yc_log_format_parse(const char *s, enum yc_log_format *out)
{
    if (strcasecmp(s, "text") == 0) {
        *out = YC_LOG_TEXT;
        return true;
    }
    if (strcasecmp(s, "json") == 0) {
        *out = YC_LOG_JSON;
        return true;
    }
    return false;
}

const char *yc_log_level_name(enum yc_log_level lvl)
{
    return (unsigned)lvl < 4 ? level_lower[lvl] : "?";
}

const char *yc_log_format_name(enum yc_log_format f)
{
    return f == YC_LOG_JSON ? "json" : "text";
}

/* Appends s as the body of a JSON string (quotes, backslashes and controls escaped) to
 * out[*len..cap); stops before overflowing (the caller closes the line). */
static void json_body(char *out, size_t cap, size_t *len, const char *s)
{
    for (; *s != '\0'; s++) {
        unsigned char ch = (unsigned char)*s;
        char esc[8];
        size_t n;
        if (ch == '"' || ch == '\\') {
            esc[0] = '\\';
            esc[1] = (char)ch;
            n = 2;
        } else if (ch < 0x20 || ch == 0x7f) {
            n = (size_t)snprintf(esc, sizeof esc, "\\u%04x", ch);
        } else {
            esc[0] = (char)ch;
            n = 1;
        }
        if (*len + n >= cap)
            return;
        memcpy(out + *len, esc, n);
        *len += n;
    }
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

/* One write(2) per line (retried on a short write). */
static void write_line(const char *p, size_t len)
{
    while (len > 0) {
        ssize_t w = write(STDERR_FILENO, p, len);
        if (w <= 0)
            return;
        p += w;
        len -= (size_t)w;
    }
}

void yc_log(enum yc_log_level lvl, const char *mod, const char *fmt, ...)
{
    if ((int)lvl > atomic_load(&g_level))
        return;
    char line[LOG_LINE_MAX];
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    char when[64];
    snprintf(when, sizeof when, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000L);
    if (atomic_load(&g_format) == YC_LOG_JSON) {
        char msg[LOG_LINE_MAX - 256];
        va_list ap;
        va_start(ap, fmt);
        int m = vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        if (m < 0)
            msg[0] = '\0';
        size_t len = (size_t)snprintf(line, sizeof line,
                                      "{\"time\":\"%s\",\"level\":\"%s\",\"component\":\"", when,
                                      level_lower[lvl]);
        json_body(line, sizeof line - 16, &len, mod);
        memcpy(line + len, "\",\"msg\":\"", 9);
        len += 9;
        json_body(line, sizeof line - 8, &len, msg);
        memcpy(line + len, "\"}\n", 3);
        len += 3;
        write_line(line, len);
        return;
    }
    int n = snprintf(line, sizeof line, "%s %s %s: ", when, level_names[lvl], mod);
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
    write_line(line, len);
}
