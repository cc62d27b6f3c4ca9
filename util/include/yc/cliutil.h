/*
 * cliutil.h — helpers shared by the command-line programs (yuchain-wallet,
 * yuchain-audit, yuchaind's CLI side): exit codes, passphrase input, time arguments,
 * whole-file reads and atomic file writes.
 *
 * Nothing here is used by core/ or consensus/. Functions are blocking and use no
 * globals; the passphrase reader touches the controlling terminal's mode and always
 * restores it before returning.
 */
#ifndef YC_CLIUTIL_H
#define YC_CLIUTIL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "yc/err.h"

/* Exit codes of every Yuchain program (DESIGN.md §10; values from sysexits.h). */
#define YC_EXIT_OK 0           /* success */
#define YC_EXIT_FAIL 1         /* the operation failed: tx rejected, verification failed */
#define YC_EXIT_USAGE 2        /* bad command line */
#define YC_EXIT_DATAERR 65     /* bad input data (address, hex, file contents) */
#define YC_EXIT_UNAVAILABLE 69 /* node unreachable */
#define YC_EXIT_IOERR 74       /* file I/O error */
#define YC_EXIT_NOPERM 77      /* wrong passphrase or missing credential */
#define YC_EXIT_CONFIG 78      /* configuration error */

/*
 * Returns the exit code that a CLI uses for a failure with error `err`:
 * YC_OK → 0; I/O → 74; bad encodings, fields, addresses, keys, UTF-8 → 65;
 * node unreachable → 69; wrong passphrase → 77; configuration → 78; every other
 * code (a ledger refusal, a remote error) → 1.
 */
int yc_exit_code(int err);

/* Prints o as one compact JSON line on stdout and releases it (NULL counts as out of
 * memory). Returns YC_EXIT_OK, or YC_EXIT_FAIL when it could not be built or written. */
int yc_print_json_line(json_t *o);

/* Copies UTF-8 text from the ledger (a registered name) for a terminal: control
 * characters (C0, DEL, C1) and the bidirectional overrides and isolates become '?', so
 * the text cannot move the cursor or reorder the line; cut to fit cap bytes, never inside
 * a character. */
void yc_text_for_terminal(char *out, size_t cap, const char *s);

/* ---- passphrases ---- */

#define YC_PASS_MAX 1024 /* bytes; longer input is refused (YC_ELIMIT) */

/* Where a passphrase comes from. Exactly one source is used, in this order:
 * `file` if not NULL, else stdin if `use_stdin`, else the terminal. */
struct yc_pass_src {
    const char *file; /* --password-file: first line of this file */
    bool use_stdin;   /* --password-stdin: first line of standard input */
};

/*
 * Reads a passphrase. From a file or stdin: the first line, without its line ending
 * ("\n" or "\r\n"); an empty first line is accepted only if `allow_empty`. From the
 * terminal (/dev/tty): prints `prompt` to the terminal, reads with echo off (termios,
 * restored on every path, also after SIGINT is received), and if `confirm` is true asks
 * again and requires both entries to match.
 * Returns YC_OK; YC_EPASSPHRASE if no source is available (no file, no stdin flag and
 * no terminal), the entries differ, or the passphrase is empty and !allow_empty;
 * YC_EIO if the file cannot be read; YC_ELIMIT if longer than YC_PASS_MAX;
 * YC_ENOMEM. On success *out is a NUL-terminated sodium_malloc'ed buffer (free it
 * with yc_pass_free, which wipes it) and *len its length; on failure *out is NULL.
 */
YC_WUR int yc_pass_read(const struct yc_pass_src *src, const char *prompt, bool confirm,
                        bool allow_empty, char **out, size_t *len);

/* Wipes and frees a passphrase from yc_pass_read; NULL is a no-op. */
void yc_pass_free(char *pass);

/* ---- time arguments ---- */

/*
 * Parses a TIME argument into Unix milliseconds:
 *   - RFC 3339 date-time, "YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)" ("t"/"z" and a
 *     space for "T" accepted; fractions beyond milliseconds are truncated; second 60
 *     refused), years 1970..9999;
 *   - a duration relative to `now_ms`: "+N" followed by one unit d, h, m or s
 *     (e.g. "+30d", "+2h", "+15m", "+10s"), N a decimal integer > 0.
 * Returns YC_OK or YC_EBADFIELD (malformed, out of range, before 1970, overflow);
 * *out_ms is 0 on failure.
 */
YC_WUR int yc_time_parse(const char *s, uint64_t now_ms, uint64_t *out_ms);

/* The size of a time as text: core's yc_time_rfc3339 (yc/timefmt.h) writes at most this
 * many bytes, the NUL included. */
#define YC_TIME_STR_MAX 32

/* Current wall-clock time in Unix milliseconds (CLOCK_REALTIME). */
uint64_t yc_time_now_ms(void);

/* ---- numbers ---- */

/* Parses a decimal uint64 (digits only, no sign, no leading zeros except "0", no
 * overflow). Returns YC_OK or YC_EBADFIELD. */
YC_WUR int yc_parse_u64(const char *s, uint64_t *out);

/* ---- files ---- */

/*
 * Reads the whole regular file `path` into a malloc'ed buffer (NUL-terminated, the NUL not
 * counted in *len). Refuses files larger than `max` bytes (YC_ELIMIT).
 * Returns YC_OK, YC_ENOTFOUND (no such file), YC_EIO, YC_ELIMIT, YC_ENOMEM; on
 * failure *data is NULL. Free with free().
 */
YC_WUR int yc_file_read(const char *path, size_t max, char **data, size_t *len);

/*
 * Writes data[0..len) to `path` atomically and durably: a temporary file in the same
 * directory (created with `mode`, then fchmod'ed to it regardless of umask), write,
 * fsync, then rename over `path` (or, if !overwrite, link() so that an existing
 * `path` is never replaced: YC_EEXIST), then fsync of the directory. A crash at any
 * point leaves either the old file or the new one, never a partial one (a stray
 * temporary ".NAME.tmp.XXXXXX" may remain). Returns YC_OK, YC_EEXIST, YC_EIO.
 */
YC_WUR int yc_file_write_atomic(const char *path, const void *data, size_t len, mode_t mode,
                                bool overwrite);

/*
 * Creates directory `path` and any missing parents with mode 0700. If `path` already
 * exists, it must be a directory; if `private_dir` is true and it is accessible by
 * group or others, it is tightened to 0700 when owned by the caller, else refused
 * (YC_ECONFIG). Returns YC_OK, YC_ECONFIG (exists but not a directory / not ours),
 * YC_EIO.
 */
YC_WUR int yc_dir_ensure(const char *path, bool private_dir);

/* fsyncs the directory `path` (after a rename or link in it). Returns YC_OK or YC_EIO. */
YC_WUR int yc_dir_sync(const char *path);

#endif
