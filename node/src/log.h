/*
 * log.h — leveled logs to stderr (error, warn, info, debug), one line per event:
 *
 *   2026-11-28T01:02:03.456Z INFO  driver: committed height 5 (3 txs)
 *
 * The level is process-wide, set once at start-up before the loop runs (config
 * [log] level, YUCHAIN_LOG_LEVEL, --log.level). Lines are written with one write(2)
 * each, so they never interleave with other threads' lines.
 */
#ifndef YC_LOG_H
#define YC_LOG_H

#include <stdbool.h>

enum yc_log_level { YC_LOG_ERROR = 0, YC_LOG_WARN = 1, YC_LOG_INFO = 2, YC_LOG_DEBUG = 3 };

/* Sets the threshold: messages above it are dropped. */
void yc_log_set_level(enum yc_log_level lvl);
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
