/*
 * log.h — leveled logs to stderr (error, warn, info, debug), one line per event, as text
 *
 *   2026-11-28T01:02:03.456Z INFO  driver: committed height 5 (3 txs)
 *
 * or as JSON (one object a line, for log collectors):
 *
 *   {"time":"2026-11-28T01:02:03.456Z","level":"info","component":"driver","msg":"committed height 5 (3 txs)"}
 *
 * Level and format are process-wide: config [log] level and format, YUCHAIN_LOG_LEVEL,
 * --log.level; a running node re-reads them on SIGHUP (run.c). They are read atomically,
 * so any thread may log while the loop thread changes them. Lines are written with one
 * write(2) each, so they never interleave with other threads' lines.
 */
#ifndef YC_LOG_H
#define YC_LOG_H

#include <stdbool.h>

enum yc_log_level { YC_LOG_ERROR = 0, YC_LOG_WARN = 1, YC_LOG_INFO = 2, YC_LOG_DEBUG = 3 };

enum yc_log_format { YC_LOG_TEXT = 0, YC_LOG_JSON = 1 };

/* Sets the threshold: messages above it are dropped. */
void yc_log_set_level(enum yc_log_level lvl);
void yc_log_set_format(enum yc_log_format f);
enum yc_log_format yc_log_get_format(void);
/* Parses "text" | "json" into *out. Returns false if unknown. */
bool yc_log_format_parse(const char *s, enum yc_log_format *out);
/* The name of a level ("info") or format ("json"). */
const char *yc_log_level_name(enum yc_log_level lvl);
const char *yc_log_format_name(enum yc_log_format f);
enum yc_log_level yc_log_get_level(void);
/* Parses "error" | "warn" | "info" | "debug" into *out. Returns false if unknown. */
bool yc_log_level_parse(const char *s, enum yc_log_level *out);
/* True if messages at `lvl` are written (to skip building costly arguments). */
bool yc_log_enabled(enum yc_log_level lvl);

/* Writes one line at `lvl` from component `mod` ("driver", "mempool", ...). */
void yc_log(enum yc_log_level lvl, const char *mod, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define yc_log_error(mod, ...) yc_log(YC_LOG_ERROR, mod, __VA_ARGS__)
#define yc_log_warn(mod, ...) yc_log(YC_LOG_WARN, mod, __VA_ARGS__)
#define yc_log_info(mod, ...) yc_log(YC_LOG_INFO, mod, __VA_ARGS__)
#define yc_log_debug(mod, ...) yc_log(YC_LOG_DEBUG, mod, __VA_ARGS__)

#endif
