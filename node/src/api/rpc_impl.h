/*
 * rpc_impl.h — internals shared by rpc.c (dispatch), the method files
 * (rpc_methods_*.c), rpc_events.c and ops.c. Not part of the node's contract.
 *
 * A method is a function `fn(call, params)`. It finishes the call with yc__rpc_ok or
 * yc__rpc_fail, either before returning (most methods) or later from a node callback
 * (broadcasts). In the second case it keeps the request alive while a node callback
 * that cannot be cancelled is outstanding (yc__rpc_hold / yc__rpc_release) and checks
 * yc__rpc_alive before doing more work: the client may have gone away. A watch
 * stored in call->watch is cancelled by the dispatcher when the client goes away.
 *
 * Threading: the node's loop thread only.
 */
#ifndef YC_RPC_IMPL_H
#define YC_RPC_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "histogram.h"
#include "httpd.h"
#include "node.h"
#include "rpc.h"
#include "yc/buf.h"

/* JSON-RPC error codes (docs/rpc.md). */
#define RPC_PARSE_ERROR (-32700)
#define RPC_INVALID_REQUEST (-32600)
#define RPC_METHOD_NOT_FOUND (-32601)
#define RPC_INVALID_PARAMS (-32602)
#define RPC_INTERNAL (-32603)
#define RPC_REFUSED (-32000)   /* the ledger refused the transaction */
#define RPC_ADMIN (-32001)     /* admin method without a valid cookie */
#define RPC_READ_ONLY (-32002) /* broadcast to a read-only node */
#define RPC_NOT_READY (-32003) /* node unhealthy (storage unwritable) */
#define RPC_NOT_FOUND (-32004) /* the named block, tx or account does not exist */

#define RPC_MAX_JSON_DEPTH 32 /* nesting of a request body */
#define RPC_LIST_DEFAULT 100  /* consents, usage: entries per answer by default */
#define RPC_LIST_MAX 1000

struct yc_rpc {
    yc_node *node;
    struct yc_rpc_config cfg;
    yc_httpd *httpd;
    bool ops; /* the operations listener */
};

struct rpc_req;

struct rpc_call;
typedef void (*rpc_method_fn)(struct rpc_call *c, json_t *params);

enum { RPC_F_ADMIN = 1u, RPC_F_BROADCAST = 2u };

struct rpc_method {
    const char *name;
    rpc_method_fn fn;
    unsigned flags;
    const char *params[4]; /* positional order; a trailing '?' marks an optional one */
};

/* One entry of broadcast_txs: its admission's outcome once answered. */
struct rpc_sub {
    struct rpc_call *call;
    bool answered;
    bool has_id;
    int code;
    uint8_t id[YC_HASH_LEN];
    char *why; /* a refusal's words (malloc'ed), or NULL */
};

struct rpc_call {
    struct rpc_req *req;
    yc_rpc *rpc;
    yc_node *node;
    const struct rpc_method *m;
    json_t *id; /* request id (owned), NULL for a notification */
    bool done;
    uint64_t t0_ns; /* when it started (uv_hrtime), for yuchain_rpc_request_seconds */
    json_t *result; /* owned, on success */
    /* or (data set) the result written as compact JSON, by yc__rpc_ok_text */
    struct yc_buf result_text;
    int err_rpc;       /* JSON-RPC code, 0 = none */
    int err_code;      /* yc error code: its name goes to error.data.code */
    char err_msg[512]; /* a refusal's words name the field, the value and what is allowed */
    json_t *err_data;  /* extra error.data fields (owned), or NULL */
    /* asynchronous state of the broadcast methods */
    yc_node_watch *watch;
    uint64_t timeout_ms;
    const uint8_t *bin; /* broadcast_txs at POST /broadcast_txs: the msgpack body,
                           * borrowed while the method runs (has_bin), else NULL */
    size_t bin_len;
    bool has_bin;
    size_t sub_pending;
    struct rpc_sub *subs; /* broadcast_txs: one per input, in order (malloc'ed) */
    size_t nsubs;
};

/* Finishes the call with `result` (reference stolen; NULL means out of memory). */
void yc__rpc_ok(struct rpc_call *c, json_t *result);
/* Finishes the call with a result written as compact JSON in *text (moved out: *text is
 * left empty; an empty *text means out of memory). The answer carries it as it is. */
void yc__rpc_ok_text(struct rpc_call *c, struct yc_buf *text);
/* Finishes the call with an error; `msg` NULL uses yc_strerror(yc_code). */
void yc__rpc_fail(struct rpc_call *c, int rpc_code, int yc_code, const char *msg);
/* Same with a printf-style message. */
void yc__rpc_failf(struct rpc_call *c, int rpc_code, int yc_code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* -32602 bad_field "name: why". */
void yc__rpc_bad_param(struct rpc_call *c, const char *name, const char *why);
/* Adds a field to error.data of a call that failed or will fail (reference stolen). */
void yc__rpc_err_data(struct rpc_call *c, const char *key, json_t *v);

/* Keeps the request memory alive for a node callback; returns it for yc__rpc_release. */
struct rpc_req *yc__rpc_hold(struct rpc_call *c);
void yc__rpc_release(struct rpc_req *q);
/* False once the client went away (the answer would be dropped). */
bool yc__rpc_alive(const struct rpc_call *c);

/*
 * Parameter readers. Each returns true with the value, or false after failing the call
 * with -32602 (missing when required, or malformed). JSON null counts as absent.
 * Integers accept a JSON integer >= 0 or a decimal string. Strings are borrowed from
 * params.
 */
json_t *yc__rpc_param(json_t *params, const char *name);
bool yc__rpc_param_str(struct rpc_call *c, json_t *params, const char *name, bool required,
                       const char **out, size_t *len);
bool yc__rpc_param_u64(struct rpc_call *c, json_t *params, const char *name, bool required,
                       uint64_t *out, bool *present);
bool yc__rpc_param_hash(struct rpc_call *c, json_t *params, const char *name, uint8_t out[32]);
bool yc__rpc_param_addr(struct rpc_call *c, json_t *params, const char *name, bool required,
                        uint8_t pub[33], bool *present);
/* Hex string v (at most max bytes) into a malloc'ed buffer (caller frees). Returns YC_OK,
 * YC_EBADFIELD (not a string of an even, non-zero number of hex digits), YC_ETOOLARGE,
 * YC_ENOMEM; does not touch any call. */
int yc__rpc_unhex_alloc(json_t *v, size_t max, uint8_t **out, size_t *len);
/* Same, failing the call on error. */
bool yc__rpc_hex_bytes(struct rpc_call *c, const char *name, json_t *v, size_t max, uint8_t **out,
                       size_t *len);
/* Optional `limit`: default def, at most max. */
bool yc__rpc_param_limit(struct rpc_call *c, json_t *params, size_t def, size_t max, size_t *out);

/*
 * Parses a query string "k=v&k2=v2" (URL-decoded, '+' as space, values optionally in
 * double quotes) into a new object of strings. Duplicate keys, bad escapes, encoded NUL,
 * invalid UTF-8 and more than 16 parameters are refused: NULL with a reason in *why.
 */
json_t *yc__rpc_parse_query(const char *query, const char **why);

/*
 * Reads and decodes the stored block at height (rpc_methods_chain.c). Returns YC_OK
 * (*b to be freed with yc_block_cleanup), YC_ENOTFOUND, or a storage/decode error.
 */
int yc__rpc_read_block(store *s, uint64_t height, struct yc_block *b);

/* Methods (rpc_methods_*.c). */
void yc__rpc_status(struct rpc_call *c, json_t *params);
void yc__rpc_health(struct rpc_call *c, json_t *params);
void yc__rpc_genesis(struct rpc_call *c, json_t *params);
void yc__rpc_unconfirmed_txs(struct rpc_call *c, json_t *params);
void yc__rpc_num_unconfirmed_txs(struct rpc_call *c, json_t *params);
void yc__rpc_broadcast_tx_async(struct rpc_call *c, json_t *params);
void yc__rpc_broadcast_tx_sync(struct rpc_call *c, json_t *params);
void yc__rpc_broadcast_tx_commit(struct rpc_call *c, json_t *params);
void yc__rpc_broadcast_txs(struct rpc_call *c, json_t *params);
void yc__rpc_tx(struct rpc_call *c, json_t *params);
void yc__rpc_tx_proof(struct rpc_call *c, json_t *params);
void yc__rpc_block(struct rpc_call *c, json_t *params);
void yc__rpc_blockchain(struct rpc_call *c, json_t *params);
void yc__rpc_account(struct rpc_call *c, json_t *params);
void yc__rpc_consents(struct rpc_call *c, json_t *params);
void yc__rpc_usage(struct rpc_call *c, json_t *params);
/* rpc_methods_asset.c: assets and their provenance; yc__rpc_usage hands `asset` queries to
 * yc__rpc_usage_asset. */
void yc__rpc_asset(struct rpc_call *c, json_t *params);
void yc__rpc_provenance(struct rpc_call *c, json_t *params);
void yc__rpc_usage_asset(struct rpc_call *c, json_t *params);
/* Answers {"usage": [...]}: at most `limit` uses listed under the index prefix[0..pl) of
 * the committed state (rpc_methods_state.c; usage by subject and by asset). */
void yc__rpc_usage_answer(struct rpc_call *c, const uint8_t *prefix, size_t pl, size_t limit);
void yc__rpc_assets(struct rpc_call *c, json_t *params);
void yc__rpc_carries(struct rpc_call *c, json_t *params);
/* rpc_methods_market.c: the market and its supervision. */
void yc__rpc_listings(struct rpc_call *c, json_t *params);
void yc__rpc_listing(struct rpc_call *c, json_t *params);
void yc__rpc_price_index(struct rpc_call *c, json_t *params);
void yc__rpc_pledges(struct rpc_call *c, json_t *params);
/* Decodes one stored object kind into obj (which borrows p). */
typedef int (*yc_rpc_dec_fn)(void *obj, const uint8_t *p, size_t len);
/* Reads state key[0..kl) and decodes it into obj; *val owns the bytes obj borrows (free
 * with yc_free; NULL on failure). YC_OK, YC_ENOTFOUND, YC_ECORRUPT, or the store's code.
 * rpc_methods_state.c. */
int yc__rpc_read_obj(store *s, const uint8_t *key, size_t kl, uint8_t **val, yc_rpc_dec_fn dec,
                     void *obj);
/* Sets "pledges" of o to the pledges of asset, rendered as `pledges` does; for `asset`. */
int yc__rpc_asset_pledges(store *s, const uint8_t asset[YC_HASH_LEN], uint64_t now_ms, json_t *o);
void yc__rpc_policy(struct rpc_call *c, json_t *params);
void yc__rpc_credit(struct rpc_call *c, json_t *params);
void yc__rpc_alerts(struct rpc_call *c, json_t *params);
/* rpc_methods_net.c: peers and the validator set. */
void yc__rpc_net_info(struct rpc_call *c, json_t *params);
void yc__rpc_validators(struct rpc_call *c, json_t *params);
void yc__rpc_valset(struct rpc_call *c, json_t *params);
void yc__rpc_valset_proposal(struct rpc_call *c, json_t *params);
void yc__rpc_valset_history(struct rpc_call *c, json_t *params);

/* Admin: a consistent copy of the running node's home (rpc_backup.c). */
void yc__rpc_backup(struct rpc_call *c, json_t *params);

/* Events: answers GET /events with a Server-Sent Events stream (rpc_events.c). */
void yc__rpc_events(yc_rpc *r, yc_http_conn *conn, const struct yc_http_req *hr);

/* Admin cookie check (rpc_admin.c): true iff `authorization` is "Bearer <cookie>" with
 * the node's current cookie (constant-time compare). NULL or empty cookie: false. */
bool yc__rpc_admin_ok(const char *cookie, const char *authorization);

/* Operations listener request handler (ops.c). */
void yc__ops_handle(yc_rpc *r, yc_http_conn *conn, const struct yc_http_req *req);

/*
 * Process-wide RPC counters for /metrics. The RPC and operations listeners are two
 * servers that do not know each other (rpc.h), so the counters live here; updated on
 * the loop thread only.
 */
#define RPC_STATS_METHODS 40
struct yc__rpc_stats {
    uint64_t http_requests_total;
    uint64_t method_calls_total[RPC_STATS_METHODS]; /* by method table index */
    uint64_t method_errors_total[RPC_STATS_METHODS];
    uint64_t unknown_method_total;
    uint64_t events_dropped_total; /* slow event-stream clients dropped */
    uint64_t events_sent_total;
    struct yc_hist method_seconds[RPC_STATS_METHODS]; /* call to answer, by method */
};
struct yc__rpc_stats *yc__rpc_stats(void);
/* Method table (rpc.c) for /metrics labels and GET /. */
const struct rpc_method *yc__rpc_methods(size_t *n);
/* The httpd counters of the RPC listener (protocol errors by status). */
struct yc_httpd_counters *yc__rpc_http_counters(void);

#endif
