/*
 * rpc_methods_net.c — the consortium's view of itself: net_info (connected peers,
 * from the transport) and validators (the genesis set and the current primary).
 * Shapes in docs/rpc.md.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "rpc_impl.h"
#include "rpc_json.h"
#include "yc/genesis.h"

#define NET_INFO_MAX_PEERS 128

static json_t *peer_json(const struct yc_node_peer *p, const struct yc_genesis *g)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    bool validator = p->validator != UINT32_MAX && g && p->validator < g->nvalidators;
    json_object_set_new(o, "conn_id", yc_rjson_u64(p->id));
    json_object_set_new(o, "node_id", yc_rjson_addr(p->pub));
    json_object_set_new(o, "address", json_string(p->addr));
    json_object_set_new(o, "role", json_string(validator ? "validator" : "observer"));
    json_object_set_new(o, "validator_index",
                        validator ? json_integer((json_int_t)p->validator) : json_null());
    json_object_set_new(o, "name",
                        validator ? json_string(g->validators[p->validator].name) : json_null());
    json_object_set_new(o, "direction", json_string(p->outbound ? "outbound" : "inbound"));
    json_object_set_new(o, "height", yc_rjson_u64(p->height));
    json_object_set_new(o, "msgs_in", yc_rjson_u64(p->msgs_in));
    json_object_set_new(o, "msgs_out", yc_rjson_u64(p->msgs_out));
    json_object_set_new(o, "bytes_in", yc_rjson_u64(p->bytes_in));
    json_object_set_new(o, "bytes_out", yc_rjson_u64(p->bytes_out));
    json_object_set_new(o, "queued_bytes", yc_rjson_u64(p->queued_bytes));
    return o;
}

void yc__rpc_net_info(struct rpc_call *c, json_t *params)
{
    (void)params;
    struct yc_node_peer *peers = calloc(NET_INFO_MAX_PEERS, sizeof *peers);
    if (!peers) {
        yc__rpc_ok(c, NULL);
        return;
    }
    size_t total = yc_node_peers(c->node, peers, NET_INFO_MAX_PEERS);
    size_t shown = total < NET_INFO_MAX_PEERS ? total : NET_INFO_MAX_PEERS;
    const struct yc_genesis *g = yc_node_genesis(c->node);
    struct yc_node_status st;
    memset(&st, 0, sizeof(st));
    yc_node_status(c->node, &st);
    json_t *o = json_object();
    json_t *a = json_array();
    bool ok = o && a;
    for (size_t i = 0; ok && i < shown; i++)
        ok = json_array_append_new(a, peer_json(&peers[i], g)) == 0;
    free(peers);
    if (!ok) {
        json_decref(o);
        json_decref(a);
        yc__rpc_ok(c, NULL);
        return;
    }
    json_object_set_new(o, "node_id", json_string(st.node_id));
    json_object_set_new(o, "role", json_string(st.role ? st.role : ""));
    json_object_set_new(o, "catching_up", json_boolean(st.catching_up));
    json_object_set_new(o, "n_peers", yc_rjson_u64(total));
    json_object_set_new(o, "peers", a);
    yc__rpc_ok(c, o);
}

void yc__rpc_validators(struct rpc_call *c, json_t *params)
{
    (void)params;
    const struct yc_genesis *g = yc_node_genesis(c->node);
    struct yc_node_status st;
    memset(&st, 0, sizeof(st));
    yc_node_status(c->node, &st);
    json_t *o = json_object();
    json_t *a = json_array();
    if (!o || !a || !g) {
        json_decref(o);
        json_decref(a);
        yc__rpc_ok(c, NULL);
        return;
    }
    for (uint32_t i = 0; i < g->nvalidators; i++) {
        const struct yc_validator *v = &g->validators[i];
        json_t *e = json_object();
        if (!e || json_array_append_new(a, e) != 0) {
            json_decref(o);
            json_decref(a);
            yc__rpc_ok(c, NULL);
            return;
        }
        json_object_set_new(e, "index", json_integer((json_int_t)i));
        json_object_set_new(e, "name", json_string(v->name));
        json_object_set_new(e, "pub_key", yc_rjson_hex(v->pub, YC_PUBKEY_LEN));
        json_object_set_new(e, "id", yc_rjson_addr(v->pub));
        json_object_set_new(e, "primary", json_boolean(i == st.primary));
        json_object_set_new(e, "self", json_boolean(i == st.validator_index));
    }
    json_object_set_new(o, "height", yc_rjson_u64(st.height));
    json_object_set_new(o, "view", yc_rjson_u64(st.view));
    json_object_set_new(o, "primary", json_integer((json_int_t)st.primary));
    json_object_set_new(o, "count", json_integer((json_int_t)g->nvalidators));
    json_object_set_new(o, "quorum", json_integer((json_int_t)yc_quorum(g->nvalidators)));
    json_object_set_new(o, "validators", a);
    yc__rpc_ok(c, o);
}
