/*
 * rpc_methods_info.c — node information methods: status, health, genesis, and the
 * mempool views unconfirmed_txs and num_unconfirmed_txs (docs/rpc.md).
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "rpc_impl.h"
#include "rpc_json.h"
#include "yc/genesis.h"
#include "yc/genesis_json.h"
#include "yc/hash.h"

#define UNCONFIRMED_DEFAULT 30
#define UNCONFIRMED_MAX 1000

void yc__rpc_status(struct rpc_call *c, json_t *params)
{
    (void)params;
    struct yc_node_status st;
    memset(&st, 0, sizeof(st));
    yc_node_status(c->node, &st);
    const struct yc_genesis *g = yc_node_genesis(c->node);
    json_t *o = json_object();
    if (!o) {
        yc__rpc_ok(c, NULL);
        return;
    }
    json_object_set_new(o, "chain_id", json_string(st.chain_id ? st.chain_id : ""));
    json_object_set_new(o, "node_id", json_string(st.node_id));
    json_object_set_new(o, "role", json_string(st.role ? st.role : ""));
    json_object_set_new(o, "height", yc_json_u64(st.height));
    json_object_set_new(o, "view", yc_json_u64(st.view));
    json_object_set_new(o, "primary", json_integer((json_int_t)st.primary));
    json_object_set_new(o, "last_block_hash", yc_json_hex(st.last_block_hash, YC_HASH_LEN));
    json_object_set_new(o, "last_block_time", yc_json_time(st.last_block_time_ms));
    json_object_set_new(o, "last_block_time_ms", yc_json_u64(st.last_block_time_ms));
    json_object_set_new(o, "state_root", yc_json_hex(st.state_root, YC_HASH_LEN));
    json_object_set_new(o, "catching_up", json_boolean(st.catching_up));
    json_object_set_new(o, "peers", json_integer((json_int_t)st.peers));
    json_object_set_new(o, "validator_index",
                        st.validator_index == UINT32_MAX
                            ? json_null()
                            : json_integer((json_int_t)st.validator_index));
    if (g)
        json_object_set_new(o, "genesis_hash", yc_json_hex(g->hash, YC_HASH_LEN));
    json_object_set_new(o, "version", json_string(YC_VERSION));
    yc__rpc_ok(c, o);
}

void yc__rpc_health(struct rpc_call *c, json_t *params)
{
    (void)params;
    char why[200] = "";
    if (!yc_node_ready(c->node, why, sizeof(why))) {
        /* Catching up is not ill health (readyz reports it); anything else is. */
        struct yc_node_status st;
        memset(&st, 0, sizeof(st));
        yc_node_status(c->node, &st);
        if (!st.catching_up) {
            yc__rpc_failf(c, RPC_NOT_READY, YC_EIO, "unhealthy: %s", why[0] ? why : "not ready");
            return;
        }
    }
    yc__rpc_ok(c, json_object());
}

void yc__rpc_genesis(struct rpc_call *c, json_t *params)
{
    (void)params;
    const struct yc_genesis *g = yc_node_genesis(c->node);
    char *text = g ? yc_genesis_json_dump(g) : NULL;
    if (!text) {
        yc__rpc_fail(c, RPC_INTERNAL, YC_ENOMEM, "genesis unavailable");
        return;
    }
    json_error_t err;
    json_t *doc = json_loads(text, 0, &err);
    free(text);
    if (!doc) {
        yc__rpc_fail(c, RPC_INTERNAL, YC_ECORRUPT, "genesis document does not parse");
        return;
    }
    yc__rpc_ok(c, doc);
}

static json_t *mempool_counts(yc_node *n)
{
    size_t count = 0, bytes = 0;
    yc_node_mempool_size(n, &count, &bytes);
    json_t *o = json_object();
    if (!o)
        return NULL;
    json_object_set_new(o, "count", yc_json_u64(count));
    json_object_set_new(o, "total", yc_json_u64(count));
    json_object_set_new(o, "total_bytes", yc_json_u64(bytes));
    return o;
}

void yc__rpc_num_unconfirmed_txs(struct rpc_call *c, json_t *params)
{
    (void)params;
    yc__rpc_ok(c, mempool_counts(c->node));
}

static int visit_pending(void *ctx, const struct yc_tx *tx)
{
    json_t *a = ctx;
    const char *type = yc_tx_type_name(tx->type);
    json_t *e = json_object();
    if (!e)
        return 1;
    json_object_set_new(e, "id", yc_json_hex(tx->id, YC_HASH_LEN));
    json_object_set_new(e, "type", type ? json_string(type) : json_null());
    json_object_set_new(e, "sender", yc_json_addr(tx->sender));
    json_object_set_new(e, "nonce", yc_json_u64(tx->nonce));
    json_object_set_new(e, "bytes", yc_json_u64(tx->len));
    return json_array_append_new(a, e) == 0 ? 0 : 1;
}

void yc__rpc_unconfirmed_txs(struct rpc_call *c, json_t *params)
{
    size_t limit;
    if (!yc__rpc_param_limit(c, params, UNCONFIRMED_DEFAULT, UNCONFIRMED_MAX, &limit))
        return;
    json_t *o = mempool_counts(c->node);
    json_t *a = json_array();
    if (!o || !a) {
        json_decref(o);
        json_decref(a);
        yc__rpc_ok(c, NULL);
        return;
    }
    yc_node_mempool_each(c->node, limit, visit_pending, a);
    json_object_set_new(o, "count", yc_json_u64(json_array_size(a)));
    json_object_set_new(o, "txs", a);
    yc__rpc_ok(c, o);
}
