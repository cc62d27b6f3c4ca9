/*
 * rpc_methods_tx.c — submitting transactions (broadcast_tx_async|sync|commit,
 * broadcast_txs) and reading them back (tx, tx_proof). docs/rpc.md.
 *
 * Submission goes through yc_node_submit, whose callback cannot be cancelled: each
 * outstanding submission holds a reference on the request and, when it fires after
 * the client went away, only releases it. broadcast_tx_commit then watches the tx;
 * the watch is in call->watch so the dispatcher can cancel it if the client leaves.
 * Both callbacks may also come synchronously from inside the node call; the code
 * does not care which.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "rpc_impl.h"
#include "rpc_json.h"
#include "yc/block.h"
#include "yc/codec.h"
#include "yc/hash.h"
#include "yc/merkle.h"
#include "yc/store.h"
#include "yc/tx.h"

static bool id_known(const uint8_t *id)
{
    if (!id)
        return false;
    for (size_t i = 0; i < YC_HASH_LEN; i++) {
        if (id[i])
            return true;
    }
    return false;
}

/* JSON-RPC code for a submission failure: local trouble is internal, else a verdict. */
static int submit_rpc_code(int code)
{
    return (code == YC_ENOMEM || code == YC_EIO || code == YC_EINVAL) ? RPC_INTERNAL : RPC_REFUSED;
}

/* The error for a refused submission; `why` (the refusal in words, or NULL) becomes the
 * message after the code's name: "bad_field: operations: 'compute' is not one of …". */
static void fail_submit(struct rpc_call *c, int code, const uint8_t *id, const char *why)
{
    if (id_known(id))
        yc__rpc_err_data(c, "id", yc_json_hex(id, YC_HASH_LEN));
    if (why != NULL && why[0] != '\0') {
        /* the message is cut at 200 bytes; data.why keeps the words whole */
        yc__rpc_err_data(c, "why", json_string(why));
        yc__rpc_failf(c, submit_rpc_code(code), code, "%s: %s", yc_err_name(code), why);
    } else
        yc__rpc_fail(c, submit_rpc_code(code), code, NULL);
}

static bool tx_param(struct rpc_call *c, json_t *params, uint8_t **bytes, size_t *len)
{
    return yc__rpc_hex_bytes(c, "tx", yc__rpc_param(params, "tx"), YC_TX_MAX_BYTES, bytes, len);
}

/* {"id","status","code","message"[,"height","index"]} for a tx status. */
static json_t *outcome_json(const uint8_t id[YC_HASH_LEN], const struct yc_tx_status *st)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    json_object_set_new(o, "id", yc_json_hex(id, YC_HASH_LEN));
    json_object_set_new(o, "status", json_string(yc_tx_state_name(st->state)));
    json_object_set_new(o, "code", json_string(yc_tx_status_code(st)));
    json_object_set_new(o, "message", json_string(yc_tx_status_message(st)));
    if (st->state == YC_TXS_COMMITTED || st->state == YC_TXS_FAILED) {
        json_object_set_new(o, "height", yc_json_u64(st->height));
        json_object_set_new(o, "index", yc_json_u64(st->index));
    }
    return o;
}

/* ---- broadcast_tx_async ---- */

static void async_cb(void *ctx, int code, const uint8_t id[YC_HASH_LEN], const char *why)
{
    (void)ctx;
    (void)code;
    (void)why;
    (void)id; /* the outcome reaches the client through tx / events */
}

void yc__rpc_broadcast_tx_async(struct rpc_call *c, json_t *params)
{
    uint8_t *bytes;
    size_t len;
    if (!tx_param(c, params, &bytes, &len))
        return;
    /* Decode here so that the id can be answered before admission finishes. */
    struct yc_tx tx;
    int rc = yc_tx_decode(&tx, bytes, len);
    if (rc != YC_OK) {
        free(bytes);
        fail_submit(c, rc, NULL, NULL);
        return;
    }
    uint8_t id[YC_HASH_LEN];
    memcpy(id, tx.id, YC_HASH_LEN);
    yc_tx_cleanup(&tx);
    rc = yc_node_submit(c->node, bytes, len, async_cb, NULL);
    free(bytes);
    if (rc != YC_OK) {
        fail_submit(c, rc, id, NULL);
        return;
    }
    yc__rpc_ok(c, json_pack("{s:o,s:s}", "id", yc_json_hex(id, YC_HASH_LEN), "status", "pending"));
}

/* ---- broadcast_tx_sync ---- */

static void sync_cb(void *ctx, int code, const uint8_t id[YC_HASH_LEN], const char *why)
{
    struct rpc_call *c = ctx;
    struct rpc_req *q = c->req;
    if (yc__rpc_alive(c)) {
        if (code == YC_OK) {
            struct yc_tx_status st = {.state = YC_TXS_PENDING};
            yc__rpc_ok(c, outcome_json(id, &st));
        } else {
            fail_submit(c, code, id, why);
        }
    }
    yc__rpc_release(q);
}

void yc__rpc_broadcast_tx_sync(struct rpc_call *c, json_t *params)
{
    uint8_t *bytes;
    size_t len;
    if (!tx_param(c, params, &bytes, &len))
        return;
    struct rpc_req *q = yc__rpc_hold(c);
    int rc = yc_node_submit(c->node, bytes, len, sync_cb, c);
    free(bytes);
    if (rc != YC_OK) {
        yc__rpc_release(q);
        fail_submit(c, rc, NULL, NULL);
    }
}

/* ---- broadcast_tx_commit ---- */

static void commit_watch_cb(void *ctx, const uint8_t id[YC_HASH_LEN], const struct yc_tx_status *st)
{
    struct rpc_call *c = ctx;
    c->watch = NULL; /* the node is done with it */
    yc__rpc_ok(c, outcome_json(id, st));
}

static void commit_cb(void *ctx, int code, const uint8_t id[YC_HASH_LEN], const char *why)
{
    struct rpc_call *c = ctx;
    struct rpc_req *q = c->req;
    if (!yc__rpc_alive(c)) {
        yc__rpc_release(q);
        return;
    }
    if (code != YC_OK && code != YC_EDUPTX) {
        fail_submit(c, code, id, why);
        yc__rpc_release(q);
        return;
    }
    /* Admitted, or already known (a resubmission): report it once it is final. */
    struct yc_tx_status st;
    memset(&st, 0, sizeof(st));
    yc_node_tx_status(c->node, id, &st);
    if (yc_tx_state_is_final(st.state)) {
        yc__rpc_ok(c, outcome_json(id, &st));
    } else {
        yc_node_watch *w = yc_node_watch_tx(c->node, id, c->timeout_ms, commit_watch_cb, c);
        if (!c->done) {
            if (w)
                c->watch = w;
            else
                yc__rpc_fail(c, RPC_INTERNAL, YC_ENOMEM, NULL);
        }
    }
    yc__rpc_release(q);
}

void yc__rpc_broadcast_tx_commit(struct rpc_call *c, json_t *params)
{
    uint64_t timeout = c->rpc->cfg.commit_timeout_ms;
    if (!yc__rpc_param_u64(c, params, "timeout_ms", false, &timeout, NULL))
        return;
    /* The wait is bounded by the configured maximum whatever the client asks. */
    if (timeout > c->rpc->cfg.commit_timeout_ms)
        timeout = c->rpc->cfg.commit_timeout_ms;
    c->timeout_ms = timeout;
    uint8_t *bytes;
    size_t len;
    if (!tx_param(c, params, &bytes, &len))
        return;
    struct rpc_req *q = yc__rpc_hold(c);
    int rc = yc_node_submit(c->node, bytes, len, commit_cb, c);
    free(bytes);
    if (rc != YC_OK) {
        yc__rpc_release(q);
        fail_submit(c, rc, NULL, NULL);
    }
}

/* ---- broadcast_txs ---- */

/*
 * The answer is written as text once every entry is answered, instead of a JSON object
 * per entry: {"results":[entry, …]}, each entry (or null if it never was) as
 * outcome_json writes a pending tx — {"id","status":"pending","code":"pending","message"}
 * — or a refusal — {"id" (null if undecodable),"status":"refused","code","message"}.
 */

/* Appends s as a JSON string, as jansson writes it. */
static int append_str(struct yc_buf *b, const char *s)
{
    size_t n = strlen(s);
    bool plain = true;
    for (size_t i = 0; plain && i < n; i++)
        plain = s[i] >= 0x20 && s[i] < 0x7f && s[i] != '"' && s[i] != '\\';
    if (!plain) {
        json_t *j = json_string(s);
        char *t = j ? json_dumps(j, JSON_ENCODE_ANY) : NULL;
        json_decref(j);
        int rc = t ? yc_buf_append(b, t, strlen(t)) : YC_ENOMEM;
        free(t);
        return rc;
    }
    int rc = yc_buf_append(b, "\"", 1);
    if (rc == YC_OK)
        rc = yc_buf_append(b, s, n);
    return rc == YC_OK ? yc_buf_append(b, "\"", 1) : rc;
}

static int append_entry(struct yc_buf *b, const struct rpc_sub *s)
{
    if (!s->answered)
        return yc_buf_append(b, "null", 4);
    struct yc_tx_status st = {.state = YC_TXS_PENDING};
    bool pending = s->code == YC_OK && s->has_id;
    char hex[2 * YC_HASH_LEN + 3] = "null";
    if (s->has_id) {
        hex[0] = '"';
        yc_hex(hex + 1, s->id, YC_HASH_LEN);
        hex[2 * YC_HASH_LEN + 1] = '"';
        hex[2 * YC_HASH_LEN + 2] = '\0';
    }
    const char *message = pending                               ? yc_tx_status_message(&st)
                          : s->why != NULL && s->why[0] != '\0' ? s->why
                                                                : yc_strerror(s->code);
    int rc = yc_buf_append(b, "{\"id\":", 6);
    if (rc == YC_OK)
        rc = yc_buf_append(b, hex, strlen(hex));
    if (rc == YC_OK)
        rc = yc_buf_append(b, ",\"status\":", 10);
    if (rc == YC_OK)
        rc = append_str(b, pending ? yc_tx_state_name(st.state) : "refused");
    if (rc == YC_OK)
        rc = yc_buf_append(b, ",\"code\":", 8);
    if (rc == YC_OK)
        rc = append_str(b, pending ? yc_tx_status_code(&st) : yc_err_name(s->code));
    if (rc == YC_OK)
        rc = yc_buf_append(b, ",\"message\":", 11);
    if (rc != YC_OK)
        return rc;
    size_t at = b->len;
    rc = append_str(b, message);
    if (rc != YC_OK && message == s->why) { /* words that are not UTF-8 */
        b->len = at;
        rc = append_str(b, yc_strerror(s->code));
    }
    return rc == YC_OK ? yc_buf_append(b, "}", 1) : rc;
}

static void txs_entry_done(struct rpc_call *c)
{
    if (--c->sub_pending > 0)
        return;
    struct yc_buf b;
    yc_buf_init(&b, 0);
    int rc = yc_buf_reserve(&b, 16 + c->nsubs * 160);
    if (rc == YC_OK)
        rc = yc_buf_append(&b, "{\"results\":[", 12);
    for (size_t i = 0; rc == YC_OK && i < c->nsubs; i++) {
        if (i > 0)
            rc = yc_buf_append(&b, ",", 1);
        if (rc == YC_OK)
            rc = append_entry(&b, &c->subs[i]);
    }
    if (rc == YC_OK)
        rc = yc_buf_append(&b, "]}", 2);
    if (rc != YC_OK)
        yc_buf_cleanup(&b); /* answered as out of memory */
    yc__rpc_ok_text(c, &b);
}

/* Records entry s's outcome (id NULL or all zero: undecodable). */
static void txs_record(struct rpc_sub *s, int code, const uint8_t *id, const char *why)
{
    s->answered = true;
    s->code = code;
    s->has_id = id_known(id);
    if (s->has_id)
        memcpy(s->id, id, YC_HASH_LEN);
    if (code != YC_OK && why != NULL && why[0] != '\0')
        s->why = strdup(why); /* NULL on no memory: the code's message stands in */
}

static void txs_cb(void *ctx, int code, const uint8_t id[YC_HASH_LEN], const char *why)
{
    struct rpc_sub *s = ctx;
    struct rpc_call *c = s->call;
    struct rpc_req *q = c->req;
    txs_record(s, code, id, why);
    txs_entry_done(c);
    yc__rpc_release(q);
}

/* Sets up the results of n entries (1..max_batch); false once the call failed. */
static bool txs_begin(struct rpc_call *c, size_t n)
{
    if (n == 0 || n > c->rpc->cfg.max_batch) {
        yc__rpc_failf(c, RPC_INVALID_PARAMS, YC_ETOOMANY, "txs: 1..%u entries",
                      c->rpc->cfg.max_batch);
        return false;
    }
    c->subs = calloc(n, sizeof(*c->subs));
    if (!c->subs) {
        yc__rpc_fail(c, RPC_INTERNAL, YC_ENOMEM, NULL);
        return false;
    }
    c->nsubs = n;
    c->sub_pending = 1; /* held by the caller until every entry is started */
    return true;
}

/* Starts the admission of entry i (its signed bytes, copied by the node), or records
 * its refusal `rc`. */
static void txs_entry(struct rpc_call *c, size_t i, int rc, const uint8_t *bytes, size_t len)
{
    if (rc != YC_OK) {
        txs_record(&c->subs[i], rc, NULL, NULL);
        return;
    }
    c->subs[i].call = c;
    c->sub_pending++;
    struct rpc_req *q = yc__rpc_hold(c);
    rc = yc_node_submit(c->node, bytes, len, txs_cb, &c->subs[i]);
    if (rc != YC_OK) {
        txs_record(&c->subs[i], rc, NULL, NULL);
        c->sub_pending--;
        yc__rpc_release(q);
    }
}

/* The msgpack body of POST /broadcast_txs: an array of bin, each the signed bytes of a
 * transaction. The whole body is checked before any entry is admitted. */
static void broadcast_txs_bin(struct rpc_call *c)
{
    struct yc_dec d;
    uint32_t n = 0;
    yc_dec_init(&d, c->bin, c->bin_len);
    bool ok = yc_dec_array(&d, &n) == YC_OK && n <= c->rpc->cfg.max_batch;
    for (uint32_t i = 0; ok && i < n; i++) {
        const uint8_t *p;
        size_t len;
        ok = yc_dec_bin(&d, &p, &len) == YC_OK;
    }
    if (ok && !yc_dec_done(&d))
        ok = false;
    if (!ok && n <= c->rpc->cfg.max_batch) {
        yc__rpc_failf(c, RPC_INVALID_PARAMS, YC_EDECODE,
                      "body: must be one msgpack array of 1..%u bin (the signed bytes of "
                      "each transaction), nothing after it",
                      c->rpc->cfg.max_batch);
        return;
    }
    if (!txs_begin(c, n))
        return;
    yc_dec_init(&d, c->bin, c->bin_len);
    if (yc_dec_array(&d, &n) != YC_OK)
        n = 0; /* checked above */
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *p = NULL;
        size_t len = 0;
        int rc = yc_dec_bin(&d, &p, &len);
        if (rc == YC_OK && len > YC_TX_MAX_BYTES)
            rc = YC_ETOOLARGE;
        txs_entry(c, i, rc, p, len);
    }
    txs_entry_done(c);
}

void yc__rpc_broadcast_txs(struct rpc_call *c, json_t *params)
{
    if (c->has_bin) {
        broadcast_txs_bin(c);
        return;
    }
    json_t *txs = yc__rpc_param(params, "txs");
    if (!json_is_array(txs)) {
        yc__rpc_bad_param(c, "txs", txs ? "must be an array of hex strings" : "missing");
        return;
    }
    size_t n = json_array_size(txs);
    if (!txs_begin(c, n))
        return;
    for (size_t i = 0; i < n; i++) {
        uint8_t *bytes = NULL;
        size_t len = 0;
        int rc = yc__rpc_unhex_alloc(json_array_get(txs, i), YC_TX_MAX_BYTES, &bytes, &len);
        /* The hex is not needed again: free it as we go, so the request holds its hex
         * or the decoded submissions, not both. */
        json_array_set_new(txs, i, json_null());
        txs_entry(c, i, rc, bytes, len);
        free(bytes);
    }
    txs_entry_done(c);
}

/* ---- tx ---- */

struct find_ctx {
    const uint8_t *id;
    json_t *tx;
};

static int find_pending(void *ctx, const struct yc_tx *tx)
{
    struct find_ctx *f = ctx;
    if (memcmp(tx->id, f->id, YC_HASH_LEN) != 0)
        return 0;
    f->tx = yc_json_tx(tx);
    return 1;
}

void yc__rpc_tx(struct rpc_call *c, json_t *params)
{
    uint8_t id[YC_HASH_LEN];
    if (!yc__rpc_param_hash(c, params, "id", id))
        return;
    struct yc_tx_status st;
    memset(&st, 0, sizeof(st));
    yc_node_tx_status(c->node, id, &st);
    json_t *o = outcome_json(id, &st);
    if (!o) {
        yc__rpc_ok(c, NULL);
        return;
    }
    if (st.state == YC_TXS_COMMITTED || st.state == YC_TXS_FAILED) {
        struct yc_block b;
        if (yc__rpc_read_block(yc_node_store(c->node), st.height, &b) == YC_OK) {
            if (st.index < b.ntx)
                json_object_set_new(o, "tx", yc_json_tx(&b.txs[st.index]));
            json_object_set_new(o, "block_hash", yc_json_hex(b.hash, YC_HASH_LEN));
            json_object_set_new(o, "time", yc_json_time(b.hdr.time_ms));
            yc_block_cleanup(&b);
        }
    } else if (st.state == YC_TXS_PENDING) {
        /* Linear in the mempool; the mempool is capped. */
        struct find_ctx f = {.id = id, .tx = NULL};
        yc_node_mempool_each(c->node, SIZE_MAX, find_pending, &f);
        if (f.tx)
            json_object_set_new(o, "tx", f.tx);
    }
    yc__rpc_ok(c, o);
}

/* ---- tx_proof ---- */

/* Merkle path of leaf `index` of block b: over the signed-tx hashes (tx_root) when
 * `results` is false, over the (id, outcome) hashes (result_root) when true. */
static int prove_leaf(struct yc_merkle_proof *proof, const struct yc_block *b, uint32_t index,
                      bool results)
{
    uint8_t(*leaves)[YC_HASH_LEN] = malloc((size_t)b->ntx * YC_HASH_LEN);
    if (!leaves)
        return YC_ENOMEM;
    for (uint32_t i = 0; i < b->ntx; i++) {
        if (results)
            yc_result_hash(leaves[i], b->hdr.chain_id, b->txs[i].id, b->results[i]);
        else
            yc_signed_tx_hash(leaves[i], b->hdr.chain_id, &b->txs[i]);
    }
    int rc = yc_merkle_prove(proof, b->hdr.chain_id, (const uint8_t(*)[YC_HASH_LEN])leaves, b->ntx,
                             index);
    free(leaves);
    return rc;
}

/*
 * The proof of a transaction that ended in a block (committed or failed): its signed
 * bytes with the path of their signed-tx hash to tx_root, its outcome with the path of
 * its result hash to result_root, the raw header and the block's certificate.
 */
void yc__rpc_tx_proof(struct rpc_call *c, json_t *params)
{
    uint8_t id[YC_HASH_LEN];
    if (!yc__rpc_param_hash(c, params, "id", id))
        return;
    store *s = yc_node_store(c->node);
    struct store_txloc loc;
    int rc = s ? store_get_txloc(s, id, &loc) : YC_ENOTFOUND;
    if (rc == YC_ENOTFOUND) {
        yc__rpc_fail(c, RPC_NOT_FOUND, YC_ENOTFOUND, "transaction is not in a block");
        return;
    }
    struct yc_block b;
    if (rc == YC_OK)
        rc = yc__rpc_read_block(s, loc.height, &b);
    if (rc != YC_OK) {
        yc__rpc_fail(c, RPC_INTERNAL, rc, NULL);
        return;
    }
    if (loc.index >= b.ntx || memcmp(b.txs[loc.index].id, id, YC_HASH_LEN) != 0 ||
        b.results == NULL) {
        yc_block_cleanup(&b);
        yc__rpc_fail(c, RPC_INTERNAL, YC_ECORRUPT, "tx index does not match its block");
        return;
    }
    struct yc_merkle_proof *proof = malloc(sizeof(*proof));
    struct yc_merkle_proof *rproof = malloc(sizeof(*rproof));
    struct yc_buf hdr;
    yc_buf_init(&hdr, 4096);
    rc = (proof && rproof) ? YC_OK : YC_ENOMEM;
    if (rc == YC_OK)
        rc = prove_leaf(proof, &b, loc.index, false);
    if (rc == YC_OK)
        rc = prove_leaf(rproof, &b, loc.index, true);
    if (rc == YC_OK)
        rc = yc_header_encode(&b.hdr, &hdr);
    if (rc != YC_OK) {
        yc__rpc_fail(c, RPC_INTERNAL, rc, NULL);
    } else {
        const struct yc_tx *tx = &b.txs[loc.index];
        int outcome = b.results[loc.index]; /* the block's record, bound by result_root */
        json_t *o = json_object();
        if (o) {
            json_object_set_new(o, "id", yc_json_hex(id, YC_HASH_LEN));
            json_object_set_new(o, "chain_id", json_string(b.hdr.chain_id));
            json_object_set_new(o, "height", yc_json_u64(loc.height));
            json_object_set_new(o, "index", yc_json_u64(loc.index));
            json_object_set_new(o, "status",
                                json_string(outcome == YC_OK ? "committed" : "failed"));
            json_object_set_new(o, "code", json_string(yc_err_name(outcome)));
            json_object_set_new(o, "tx", yc_json_hex(tx->bytes, tx->len));
            json_object_set_new(o, "proof", yc_json_proof(proof));
            json_object_set_new(o, "result_proof", yc_json_proof(rproof));
            json_object_set_new(o, "header", yc_json_header(&b.hdr));
            json_object_set_new(o, "header_raw", yc_json_hex(hdr.data, hdr.len));
            json_object_set_new(o, "certificate", yc_json_cert(&b.cert));
            json_object_set_new(o, "block_hash", yc_json_hex(b.hash, YC_HASH_LEN));
        }
        yc__rpc_ok(c, o);
    }
    yc_buf_cleanup(&hdr);
    free(proof);
    free(rproof);
    yc_block_cleanup(&b);
}
