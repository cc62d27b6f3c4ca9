/*
 * args.h — the wallet's command line: one table of options, one table of commands, and a
 * parser that turns argv into a `struct wallet_args` without acting on anything.
 *
 * Global options may appear before or after the command words. Every option is
 * `--name VALUE`, `--name=VALUE` or a bare `--flag`; `--` ends the options. An option
 * given twice, an option the command does not take, a missing value, or a wrong count of
 * positional arguments is a usage error (exit 2) with a message naming it.
 */
#ifndef YC_WALLET_ARGS_H
#define YC_WALLET_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum wallet_opt {
    /* global */
    O_WALLET_DIR,
    O_NODE,
    O_TOKEN_FILE,
    O_CACERT,
    O_CERT,
    O_KEY,
    O_FROM,
    O_PASSWORD_FILE,
    O_PASSWORD_STDIN,
    O_JSON,
    O_NO_WAIT,
    O_HELP,
    O_VERSION,
    /* every command that builds a transaction */
    O_OUT,
    O_UNSIGNED,
    O_CHAIN_ID,
    O_NONCE,
    /* command specific */
    O_KDF,
    O_ROLE,
    O_NAME,
    O_JURISDICTION,
    O_FOR,
    O_TO,
    O_AMOUNT,
    O_MEMO,
    O_CATEGORIES,
    O_PURPOSES,
    O_OPERATIONS,
    O_UNTIL,
    O_NOT_BEFORE,
    O_FEE_PER_USE,
    O_MAX_USES,
    O_RETENTION_DAYS,
    O_ONWARD_TRANSFER,
    O_CONSENT,
    O_LICENSE,
    O_PURPOSE,
    O_OPERATION,
    O_CATEGORY,
    O_INPUT,
    O_OUTPUT,
    O_DIGEST,
    O_KIND,
    O_REF,
    O_NOTE,
    O_SUBJECT,
    O_PROCESSOR,
    /* assets, rights, licenses, carries */
    O_TITLE,
    O_CATALOG,
    O_SOURCE,
    O_GRADE,
    O_OPENNESS,
    O_SECTOR,
    O_PARENTS,
    O_CONTRIBUTORS,
    O_USAGE,
    O_REASON,
    O_EVIDENCE,
    O_OUTCOME,
    O_RIGHT,
    O_VISIBILITY,
    O_FEE,
    O_HOLDER,
    O_PACKAGE,
    O_FORMAT,
    O_ASSET,
    /* market, pledges, supervision */
    O_OFFER,
    O_PRICE,
    O_VALUE,
    O_METHOD,
    O_REPORT,
    O_EXPIRES,
    O_BID,
    O_LISTING,
    O_DUE,
    O_POLICY_VERSION,
    O_BANNED_CATEGORIES,
    O_BANNED_PREFIXES,
    O_BANNED_ACCOUNTS,
    O_BANNED_JURISDICTIONS,
    O_ALERT_AMOUNT,
    O_ALERT_CROSS_BORDER,
    O_ALERT_IMPORTANT,
    O_ALERT_ACCOUNTS,
    O_ADD_CATEGORIES,
    O_ADD_PURPOSES,
    O_DESTINATION,
    O_SEVERITY,
    /* validator-set governance */
    O_ORG,
    O_NEW_KEY,
    O_HEIGHT,
    /* receipts */
    O_GENESIS,
    O_GENESIS_HASH,
    O_COUNT
};

/* A set of options: one bit per enum wallet_opt (more than 64 of them). */
typedef unsigned __int128 wallet_optmask;
_Static_assert(O_COUNT <= 128, "widen wallet_optmask");
#define OPTBIT(o) ((wallet_optmask)1 << (o))
#define OPTS_GLOBAL                                                                    \
    (OPTBIT(O_WALLET_DIR) | OPTBIT(O_NODE) | OPTBIT(O_TOKEN_FILE) | OPTBIT(O_CACERT) | \
     OPTBIT(O_CERT) | OPTBIT(O_KEY) | OPTBIT(O_FROM) | OPTBIT(O_PASSWORD_FILE) |       \
     OPTBIT(O_PASSWORD_STDIN) | OPTBIT(O_JSON) | OPTBIT(O_NO_WAIT) | OPTBIT(O_HELP) |  \
     OPTBIT(O_VERSION))
#define OPTS_TX (OPTBIT(O_OUT) | OPTBIT(O_UNSIGNED) | OPTBIT(O_CHAIN_ID) | OPTBIT(O_NONCE))

struct wallet_opt_def {
    const char *name;    /* without the leading "--" */
    const char *metavar; /* NULL for a flag */
    const char *help;
};

/* The option table, indexed by enum wallet_opt. */
extern const struct wallet_opt_def WALLET_OPTS[O_COUNT];

struct wallet;
struct wallet_args;
typedef int (*wallet_cmd_fn)(struct wallet *w, const struct wallet_args *a);

struct wallet_cmd {
    const char *words;   /* "consent grant" */
    const char *posargs; /* usage of positionals, e.g. "NAME", "[ADDRESS]", "" */
    int min_pos, max_pos;
    wallet_optmask opts;     /* accepted options besides the global ones */
    wallet_optmask required; /* options that must be given */
    wallet_cmd_fn run;
    const char *summary;
    /* The transaction type (enum yc_tx_type) the command builds, 0 (YC_TX_NONE) for the
     * others. Its body's fields add their options to `opts` and `required`
     * (wallet_cmd_opts): the option named like the field's key, unless txcmd.c's
     * BINDINGS say otherwise. */
    int type;
};

/* The command table (NULL-terminated by words == NULL). */
extern const struct wallet_cmd WALLET_CMDS[];

#define WALLET_MAX_POS 4

struct wallet_args {
    const struct wallet_cmd *cmd; /* NULL: no command (only --help / --version) */
    const char *val[O_COUNT];     /* value, or "" for a flag that is set */
    bool set[O_COUNT];
    const char *pos[WALLET_MAX_POS];
    int npos;
};

/*
 * Parses argv (argv[0] is the program) into *a. Returns 0, or 2 (usage) with a message
 * in err (errlen bytes). When --help is given the command (if any) is identified and
 * positional/required checks are skipped, so that `CMD --help` always works.
 */
int wallet_args_parse(int argc, char **argv, struct wallet_args *a, char *err, size_t errlen);

/* Prints the usage of `cmd` (or of the whole program when cmd is NULL) to stdout. */
void wallet_usage(const struct wallet_cmd *cmd);

/* ---- the options of a transaction command, from its body's schema (txcmd.c) ---- */

struct yc_tx_schema;
struct yc_field;

/* The schema of the body cmd builds, or NULL when it builds none. */
const struct yc_tx_schema *wallet_cmd_schema(const struct wallet_cmd *cmd);

/* Where the field f of cmd's body comes from: an enum wallet_opt, or one of these. */
#define WALLET_SRC_POS (-1)     /* the command's positional argument */
#define WALLET_SRC_NONE (-2)    /* nowhere: the command leaves the field out */
#define WALLET_SRC_UNKNOWN (-3) /* no option is named like the key (a missing binding) */

/* The source of field f of cmd's body (above); *def (optional) gets the value used when
 * the option is absent, as typed (WALLET_SRC_NONE: the field's fixed value, if any), or
 * NULL; *shown (optional) the default as --help shows it, NULL for none (the positional:
 * its name); *required (optional) whether the command line must give it. */
int wallet_field_source(const struct wallet_cmd *cmd, const struct yc_field *f, const char **def,
                        const char **shown, bool *required);

/* The options cmd takes besides the global ones: its own `opts` and the options of its
 * body's fields; *required (optional) gets the ones it needs. */
wallet_optmask wallet_cmd_opts(const struct wallet_cmd *cmd, wallet_optmask *required);

/* The enumeration (yc/enums.h, enum yc_enum_id) the values of option o come from in
 * command cmd, or -1 when o is not enumeration-valued there: the allowed values of the
 * field the option gives in the body schema of the command's type (yc/txschema.h), so
 * --operations is consent or license operations and --outcome an objection's, an export
 * assessment's or a credit objection's outcome by command. */
int wallet_opt_enum(const struct wallet_cmd *cmd, int o);

/*
 * Checks the enumeration-valued options of a (each item of a list) against the table of
 * yc/enums.h, and the syntax of category and purpose codes, before anything is signed.
 * Returns 0, or YC_EXIT_DATAERR (65) with err naming the option, the value and what is
 * allowed ("--operations: 'compute' is not one of collect, hold, host, use").
 */
int wallet_check_values(const struct wallet_args *a, char *err, size_t errlen);

#endif
