/*
 * wallet.h — yuchain-wallet internals shared by the command files: the resolved
 * configuration, key selection, talking to the node, reporting outcomes.
 *
 * Output discipline: data goes to stdout (one line of text, or exactly one JSON object
 * with --json), every message to stderr. Every command returns its exit code
 * (util/include/yc/cliutil.h).
 */
#ifndef YC_WALLET_H
#define YC_WALLET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "args.h"
#include "yc/buf.h"
#include "yc/cliutil.h"
#include "yc/httpc.h"
#include "yc/keystore.h"
#include "yc/tx.h"

#define WALLET_DEFAULT_NODE "http://127.0.0.1:27700"
#define WALLET_DEFAULT_DIR ".yuchain-wallet" /* under $HOME */
#define WALLET_DEFAULT_JURISDICTION "CN-CQ"
#define WALLET_COMMIT_WAIT_MS 30000 /* broadcast_tx_commit's bounded wait */

struct wallet_name;

struct wallet {
    char dir[4096];
    const char *node;
    const char *from;        /* --from, or NULL */
    struct yc_pass_src pass; /* --password-file / --password-stdin */
    bool json, no_wait;
    uint64_t now_ms;           /* wall clock at start, for relative TIME arguments */
    struct wallet_name *names; /* accounts' names looked up for text output (present.c) */
    struct yc_http_opts http;  /* --token-file, --cacert (or their environment) */
};

/* ---- text output for people (present.c); never used with --json ---- */

#define WALLET_WHO_MAX (YC_NAME_MAX + 64)
#define WALLET_YUAN_MAX 40
#define WALLET_USES_MAX 48

/* An account as people read it: "Name (yc1abcdefg…uvwxyz)" (yc_addr_short) when it is
 * registered with a name, else the shortened address. Asks the node once per address per run; the string
 * lives until wallet_names_free. Control characters of a name are shown as '?'. */
const char *wallet_who(struct wallet *w, const char *addr);
void wallet_names_free(struct wallet *w);
/* A decimal amount in fen as yuan with its unit: "100,000.00 yuan" (anything that is
 * not a decimal is copied as it is). Returns out. */
const char *wallet_yuan(const char *fen, char out[WALLET_YUAN_MAX]);
/* A use count against its limit: "3 of 10", or "3 of unlimited" when the limit is 0. */
const char *wallet_uses(const char *used, const char *max, char out[WALLET_USES_MAX]);
/* The address a read-only question is about: `given` (an argument or option, named
 * `what` in a message) when not NULL, else the wallet's key's. Returns an exit code. */
int wallet_query_addr(const struct wallet *w, const char *given, const char *what,
                      char addr[YC_ADDR_MAX]);
/* The string member k of a node's answer o, or dflt when it is absent or not a string. */
const char *wallet_str(json_t *o, const char *k, const char *dflt);
/* A read-only question: asks the node `method` (params stolen) and prints its answer as it
 * is with --json, else hands it to text(w, answer) (a summary for people). Returns an
 * exit code (wallet_rpc's on failure). */
int wallet_ask(struct wallet *w, const char *method, json_t *params,
               void (*text)(struct wallet *w, json_t *answer));

/* Resolves the global options (and environment, defaults) into *w. Returns an exit code
 * (0 ok, 78 when no wallet directory can be determined). */
int wallet_init(struct wallet *w, const struct wallet_args *a);

/* Prints "yuchain-wallet: " + message to stderr. */
void wallet_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints a message to stderr unless --json (informational). */
void wallet_info(const struct wallet *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Prints a JSON value as one line on stdout (reference kept). */
void wallet_print_json(json_t *v);

/* Picks the key: --from, else the only key in the wallet. Writes its name into name
 * (YC_KEYSTORE_NAME_MAX+1 bytes) and its public key. Returns an exit code and reports
 * the problem (no key → 77, several keys without --from → 2, unreadable → 65/74). */
int wallet_pick_key(const struct wallet *w, char *name, uint8_t pub[YC_PUBKEY_LEN]);

/* Reads the passphrase and unseals key `name`. Returns an exit code (77 wrong or missing
 * passphrase). */
int wallet_open_key(const struct wallet *w, const char *name, yc_signer **out);
/* Reports why yc_pass_read failed with `rc`, naming the source (the --password-file and
 * what is wrong with it, an empty first line, no terminal); `new_key`: the passphrase of a
 * key being made, asked twice at a terminal. Returns the exit code (74 unreadable, else 77). */
int wallet_pass_failed(const struct wallet *w, int rc, bool new_key);

/* Parses an address argument (exit 65 with a message naming `what` when invalid). */
int wallet_parse_addr(const char *s, const char *what, uint8_t pub[YC_PUBKEY_LEN]);
/* Parses a 64-hex-digit id or digest argument (exit 65 when invalid). */
int wallet_parse_hash(const char *s, const char *what, uint8_t out[YC_HASH_LEN]);
/* Parses a decimal uint64 argument (exit 65 when invalid); `positive` refuses 0. */
int wallet_parse_u64(const char *s, const char *what, bool positive, uint64_t *out);

/* A JSON-RPC error the node answered with. */
struct wallet_remote_err {
    char code[64];     /* stable error name (error.data.code) */
    char message[512]; /* error.message */
};

/*
 * Calls `method` (params stolen) on the node with a deadline of timeout_ms (0: default);
 * on failure prints the problem and returns the exit code (69 unreachable, 1 a remote
 * error, 65 a malformed answer), else 0 with *result set (a new reference).
 * If `remote` is not NULL, a JSON-RPC error is copied there and not printed (the caller
 * decides; the exit code is still 1).
 */
int wallet_rpc(const struct wallet *w, const char *method, json_t *params, int timeout_ms,
               json_t **result, struct wallet_remote_err *remote);

/* Fetches the chain id from `status` into out (YC_CHAIN_ID_MAX+1 bytes). Exit code. */
int wallet_chain_id(const struct wallet *w, char *out);
/* The sender's next nonce: the account's nonce (0 if unregistered), past any of its
 * transactions already in the node's mempool. Exit code. */
int wallet_next_nonce(const struct wallet *w, const uint8_t pub[YC_PUBKEY_LEN], uint64_t *nonce);

/*
 * Submits signed bytes (broadcast_tx_commit, or broadcast_tx_sync with --no-wait) and
 * reports the outcome: with --json one object {"id","status","code","message","height"}
 * on stdout; else the id on stdout and the outcome on stderr. Returns 0 when committed
 * (or accepted as pending with --no-wait), 1 when rejected or still pending after the
 * wait, 69 when the node cannot be reached.
 */
int wallet_submit(const struct wallet *w, const uint8_t *tx, size_t len,
                  const uint8_t id[YC_HASH_LEN]);

/*
 * Shared tail of every command that builds a transaction, for key `name` (public key
 * `sender`, from wallet_pick_key): resolves chain id and nonce (or --chain-id/--nonce), then either
 * writes a tx file
 * (--out, signed unless --unsigned) or signs and submits. Returns an exit code.
 */
int wallet_send(const struct wallet *w, const struct wallet_args *a, const char *name,
                const uint8_t sender[YC_PUBKEY_LEN], enum yc_tx_type type,
                const struct yc_buf *body);

/* Builds the body of a transaction command from its parsed options through the body
 * schema (txcmd.c; pure: uses only `a`, the sender's name and key, and now_ms). On
 * failure prints the problem, naming the option and what it allows, and returns an exit
 * code (2 usage, 65 bad input). Used by wallet_send's callers and tests. */
int wallet_build_body(const struct wallet_args *a, const char *sender_name,
                      const uint8_t sender[YC_PUBKEY_LEN], uint64_t now_ms, enum yc_tx_type *type,
                      struct yc_buf *body);

/* Parses v (of `what`: "--until") as a time, RFC 3339 or +duration from now_ms, into
 * *out; prints the problem and returns 65 if it is not one, else 0. */
int wallet_parse_time(const char *what, const char *v, uint64_t now_ms, uint64_t *out);

/* The program: parses argv, dispatches, returns the exit code. */
int wallet_main(int argc, char **argv);

/* Command handlers (the command table in cli.c names them). */
int cmd_new(struct wallet *w, const struct wallet_args *a);
int cmd_list(struct wallet *w, const struct wallet_args *a);
int cmd_address(struct wallet *w, const struct wallet_args *a);
int cmd_balance(struct wallet *w, const struct wallet_args *a);
int cmd_build(struct wallet *w, const struct wallet_args *a);
int cmd_consent_list(struct wallet *w, const struct wallet_args *a);
int cmd_usage(struct wallet *w, const struct wallet_args *a);
int cmd_tx_sign(struct wallet *w, const struct wallet_args *a);
int cmd_tx_send(struct wallet *w, const struct wallet_args *a);
int cmd_tx_status(struct wallet *w, const struct wallet_args *a);
/* query_receipt.c */
int cmd_receipt(struct wallet *w, const struct wallet_args *a);
int cmd_verify_receipt(struct wallet *w, const struct wallet_args *a);
/* query_asset.c */
int cmd_asset_show(struct wallet *w, const struct wallet_args *a);
int cmd_asset_list(struct wallet *w, const struct wallet_args *a);
int cmd_asset_provenance(struct wallet *w, const struct wallet_args *a);
int cmd_carry_list(struct wallet *w, const struct wallet_args *a);
int cmd_usage_asset(struct wallet *w, const struct wallet_args *a);
/* query_market.c */
int cmd_market_show(struct wallet *w, const struct wallet_args *a);
int cmd_market_listings(struct wallet *w, const struct wallet_args *a);
int cmd_market_index(struct wallet *w, const struct wallet_args *a);
int cmd_pledge_list(struct wallet *w, const struct wallet_args *a);
int cmd_policy_show(struct wallet *w, const struct wallet_args *a);
int cmd_credit_show(struct wallet *w, const struct wallet_args *a);
/* `policy set` (txcmd.c): --policy-version defaults to the node's current version + 1. */
int cmd_policy_set(struct wallet *w, const struct wallet_args *a);
/* query_valset.c: `validator set` (the set in force, the changes to come, the open
 * proposals) and `validator proposal ID`. */
int cmd_validator_set(struct wallet *w, const struct wallet_args *a);
int cmd_validator_proposal(struct wallet *w, const struct wallet_args *a);

#endif
