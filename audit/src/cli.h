/*
 * cli.h — yuchain-audit's command line (DESIGN.md §10): a table of subcommands, option
 * parsing separate from acting, exit codes 0 ok, 1 verification failed, 2 usage,
 * 65 bad input, 69 node unreachable, 74 I/O, 77 not anchored under --require-anchor
 * (a missing trust credential), 78 configuration.
 *
 * Data goes to stdout (text, or one JSON object with --json); messages to stderr;
 * progress only when stderr is a terminal.
 */
#ifndef YC_AUDIT_CLI_H
#define YC_AUDIT_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include "attempts.h"
#include "index.h"
#include "memstate.h"
#include "replay.h"
#include "source.h"

/* Runs `yuchain-audit ARGS…`; returns the exit code. Reentrant enough for tests
 * (resets getopt). */
int audit_main(int argc, char **argv);

/* ---- shared by the subcommands (cli.c, subject.c) ---- */

struct audit_common {
    const char *home;    /* --home DIR */
    const char *node;    /* --node URL */
    const char *db;      /* --db DIR: the audit index (sync writes it, questions read it) */
    const char *genesis; /* --genesis FILE */
    bool have_hash;      /* --genesis-hash HEX given */
    uint8_t genesis_hash[YC_HASH_LEN];
    bool require_anchor; /* --require-anchor: refuse to run unanchored (exit 77) */
    bool json;           /* --json */
    bool quiet;          /* --quiet: no progress */
    unsigned threads;    /* --threads N: signature-checking threads; 0 = every core */
    uint64_t at;         /* --at H (replay --home): the copy's tip, compared there; 0 = none */
    bool verify_index;   /* --verify-index (sync): recompute the index's state digest */
};

/* With --json, prints the one JSON object of a command whose ledger failed verification
 * (nothing from it is reported): {"ok": false, "blocks", "txs", "height", "code",
 * "reason", "anchored"}. No-op without --json. */
void audit_json_refused(const struct audit_common *c, const struct audit_result *res);

/* True when the genesis the replay trusts comes from outside the source (source.h). */
bool audit_anchored(const struct audit_common *c);

/* With --json, prints the one JSON object of a command that failed before any verdict:
 * {"ok": false, "code", "reason", "exit", "anchored", …}. No-op without --json. */
void audit_json_failure(const struct audit_common *c, const char *code, const char *reason,
                        int exit_code);

/* Exit code for an operational error code. */
int audit_exit_for(int rc);

/*
 * Opens the source named by `c`, creates the state and replays up to `to` (0 = tip).
 * Returns 0 with *src open, *state created and *res filled (the verdict is res->ok),
 * or an exit code after printing the problem (with --json, also one JSON object on
 * stdout; everything released). Damaged storage (a file failing its checksums, a
 * database LevelDB refuses as corrupt) is a verdict: res->reason AUDIT_STORAGE_CORRUPT,
 * return 0 with *state NULL. Unanchored with --require-anchor: YC_EXIT_NOPERM (77)
 * before anything is read.
 */
int audit_run(const struct audit_common *c, uint64_t to, struct audit_src *src, memstate **state,
              struct audit_result *res);

/* Block times by height, collected while replaying (times[0] = genesis time). */
struct audit_times {
    uint64_t *t; /* malloc'ed; t[h] for h in 0..n-1 */
    size_t n, cap;
};
/* audit_run that also fills *times (NULL: not; freed by the caller with free(times->t))
 * and collects the failed attempts of the verified blocks into *attempts (NULL: none;
 * freed by the caller with audit_attempts_cleanup). */
int audit_run_full(const struct audit_common *c, uint64_t to, struct audit_src *src,
                   memstate **state, struct audit_result *res, struct audit_times *times,
                   struct audit_attempts *attempts);

/*
 * What a question (subject, trace, violations, export) answers from: the verified state
 * and what the replay collected, from a replay of the source (--home, --node) or from the
 * audit index (--db, index.h) after its checks. res.ok false: the ledger (or the index)
 * failed verification, and only res is meaningful.
 */
struct audit_ledger {
    const struct yc_genesis *g; /* the trusted genesis */
    struct yc_state_src st;     /* the verified state after res.height */
    struct audit_result res;
    struct audit_times times; /* with AUDIT_WANT_TIMES */
    struct audit_attempts at; /* with AUDIT_WANT_ATTEMPTS (set at.all before opening) */
    /* private */
    struct audit_src src;
    memstate *mem;
    audit_index *idx;
    struct yc_genesis ig;
};

#define AUDIT_WANT_TIMES 1u
#define AUDIT_WANT_ATTEMPTS 2u

/* Fills L (zeroed by it, but for L->at.all). Returns 0 (see res.ok) or an exit code after
 * printing the problem (with --json, one JSON object; everything released). */
int audit_ledger_open(const struct audit_common *c, unsigned want, struct audit_ledger *L);
void audit_ledger_close(struct audit_ledger *L);

/* The progress line on stderr (only when it is a terminal, and neither --json nor --quiet);
 * at most five updates a second. */
struct audit_progress {
    bool on, shown;
    const char *verb; /* "replaying", "syncing" */
    uint64_t last_ms, start_ms, start_height;
};
void audit_progress_init(struct audit_progress *p, const struct audit_common *c, const char *verb);
/* Shows the line: an audit_progress_cb. */
void audit_progress_show(void *ctx, uint64_t height, uint64_t target);
/* Erases the line if one was shown. */
void audit_progress_end(struct audit_progress *p);

/* Prints "yuchain-audit: " + message to stderr. */
void audit_errorf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A usage error: prints "yuchain-audit: " + message, then the synopsis of usage_text (up
 * to its first blank line), to stderr, as every subcommand does for arguments it cannot
 * take. Returns 2 (YC_EXIT_USAGE). */
int audit_usage_errorf(const char *usage_text, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Parses --home, --node, --db, --genesis, --genesis-hash, --require-anchor, --json,
 * --quiet, --threads, --help (exactly one of --home, --node, --db); leaves positional arguments
 * from optind. Returns 0, or 2 after printing the problem and `usage_text`. */
int audit_parse_common(int argc, char **argv, const char *usage_text, struct audit_common *c,
                       bool *help);

/* Parses the options of `sync`: --home or --node, --db, --genesis and/or --genesis-hash
 * (one is required), --verify-index, --json, --quiet, --threads, --help. Returns 0 or 2. */
int audit_parse_sync(int argc, char **argv, const char *usage_text, struct audit_common *c,
                     bool *help);

/* The `sync` subcommand (sync.c). */
int audit_cmd_sync(int argc, char **argv);
/* The `subject` subcommand (subject.c). */
int audit_cmd_subject(int argc, char **argv);
/* The `trace` subcommand (trace.c). */
int audit_cmd_trace(int argc, char **argv);
/* The `violations` and `export` subcommands (market.c). */
int audit_cmd_violations(int argc, char **argv);
int audit_cmd_export(int argc, char **argv);

#endif
