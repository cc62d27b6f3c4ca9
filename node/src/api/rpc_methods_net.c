/*
 * rpc_methods_net.c — the consortium's view of itself: net_info (connected peers,
 * from the transport), validators (the set in force and the current primary), valset (the
 * set in force from state, the changes fixed to come, the open proposals) and
 * valset_proposal (one governance proposal).
 * Shapes in docs/rpc.md.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "rpc_impl.h"
#include "rpc_json.h"
#include "yc/alloc.h"
#include "yc/genesis.h"
#include "yc/gov.h"
#include "yc/store.h"

#define NET_INFO_MAX_PEERS 128

static json_t *peer_json(yc_node *n, const struct yc_node_peer *p)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    bool validator = p->validator != UINT32_MAX && p->validator < yc_node_valset(n)->n;
    json_object_set_new(o, "conn_id", yc_json_u64(p->id));
    json_object_set_new(o, "node_id", yc_json_addr(p->pub));
    json_object_set_new(o, "address", json_string(p->addr));
    json_object_set_new(o, "role",
                        json_string(validator   ? "validator"
                                    : p->member ? "joining"
                                                : "observer"));
    json_object_set_new(o, "validator_index",
                        validator ? json_integer((json_int_t)p->validator) : json_null());
    json_object_set_new(
        o, "name", validator ? json_string(yc_node_validator_name(n, p->validator)) : json_null());
    json_object_set_new(o, "direction", json_string(p->outbound ? "outbound" : "inbound"));
    json_object_set_new(o, "height", yc_json_u64(p->height));
    json_object_set_new(o, "msgs_in", yc_json_u64(p->msgs_in));
    json_object_set_new(o, "msgs_out", yc_json_u64(p->msgs_out));
    json_object_set_new(o, "bytes_in", yc_json_u64(p->bytes_in));
    json_object_set_new(o, "bytes_out", yc_json_u64(p->bytes_out));
    json_object_set_new(o, "queued_bytes", yc_json_u64(p->queued_bytes));
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
    struct yc_node_status st;
    memset(&st, 0, sizeof(st));
    yc_node_status(c->node, &st);
    json_t *o = json_object();
    json_t *a = json_array();
    bool ok = o && a;
    for (size_t i = 0; ok && i < shown; i++)
        ok = json_array_append_new(a, peer_json(c->node, &peers[i])) == 0;
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
    json_object_set_new(o, "n_peers", yc_json_u64(total));
    json_object_set_new(o, "peers", a);
    yc__rpc_ok(c, o);
}

void yc__rpc_validators(struct rpc_call *c, json_t *params)
{
    (void)params;
    const struct yc_valset *vs = yc_node_valset(c->node);
    struct yc_node_status st;
    memset(&st, 0, sizeof(st));
    yc_node_status(c->node, &st);
    json_t *o = json_object();
    json_t *a = json_array();
    if (!o || !a || !vs) {
        json_decref(o);
        json_decref(a);
        yc__rpc_ok(c, NULL);
        return;
    }
    for (uint32_t i = 0; i < vs->n; i++) {
        json_t *e = json_object();
        if (!e || json_array_append_new(a, e) != 0) {
            json_decref(o);
            json_decref(a);
            yc__rpc_ok(c, NULL);
            return;
        }
        json_object_set_new(e, "index", json_integer((json_int_t)i));
        json_object_set_new(e, "name", json_string(yc_node_validator_name(c->node, i)));
        json_object_set_new(e, "pub_key", yc_json_hex(vs->keys[i], YC_PUBKEY_LEN));
        json_object_set_new(e, "id", yc_json_addr(vs->keys[i]));
        json_object_set_new(e, "primary", json_boolean(i == st.primary));
        json_object_set_new(e, "self", json_boolean(i == st.validator_index));
    }
    json_object_set_new(o, "height", yc_json_u64(st.height));
    json_object_set_new(o, "view", yc_json_u64(st.view));
    json_object_set_new(o, "primary", json_integer((json_int_t)st.primary));
    json_object_set_new(o, "count", json_integer((json_int_t)vs->n));
    json_object_set_new(o, "quorum", json_integer((json_int_t)vs->quorum));
    json_object_set_new(o, "validators", a);
    yc__rpc_ok(c, o);
}

/* ---- validator-set governance (valset, valset_proposal) ---- */

/* Proposals a `valset` answer looks through for the open ones (oldest first). */
#define VALSET_PROPOSALS_SCAN 4096

static json_t *gov_set_json(const struct yc_gov_set *s)
{
    json_t *o = json_object(), *a = json_array();
    for (uint32_t i = 0; o && a && i < s->n; i++) {
        const struct yc_validator *v = &s->v[i];
        json_array_append_new(a,
                              json_pack("{s:i,s:s,s:o*,s:o*,s:o*}", "index", (int)i, "name",
                                        v->name, "pub_key", yc_json_hex(v->pub, YC_PUBKEY_LEN),
                                        "id", yc_json_addr(v->pub), "org", yc_json_addr(v->org)));
    }
    if (!o || !a) {
        json_decref(o);
        json_decref(a);
        return NULL;
    }
    json_object_set_new(o, "from", yc_json_u64(s->from));
    json_object_set_new(o, "count", json_integer((json_int_t)s->n));
    json_object_set_new(o, "quorum", json_integer((json_int_t)yc_quorum(s->n)));
    json_object_set_new(o, "validators", a);
    return o;
}

/* A proposal as a reader at `tip` sees it, with its weight in the set `now`. */
static json_t *proposal_json(const uint8_t id[YC_HASH_LEN], const struct yc_proposal *p,
                             uint64_t tip, const struct yc_gov_set *now)
{
    json_t *o = json_object(), *ap = json_array();
    uint32_t weight =
        yc_gov_weight(now, (const uint8_t(*)[YC_PUBKEY_LEN])p->approvals, p->napprovals);
    for (uint32_t i = 0; ap && i < p->napprovals; i++)
        json_array_append_new(ap, yc_json_addr(p->approvals[i]));
    if (!o || !ap) {
        json_decref(o);
        json_decref(ap);
        return NULL;
    }
    json_object_set_new(o, "id", yc_json_hex(id, YC_HASH_LEN));
    json_object_set_new(o, "action", yc_json_slice(&p->action));
    json_object_set_new(o, "pub_key", yc_json_addr(p->pub));
    if (p->name.len > 0)
        json_object_set_new(o, "name", yc_json_slice(&p->name));
    if (p->has_org)
        json_object_set_new(o, "org", yc_json_addr(p->org));
    if (p->has_new_pub)
        json_object_set_new(o, "new_pub_key", yc_json_addr(p->new_pub));
    json_object_set_new(o, "proposer", yc_json_addr(p->proposer));
    json_object_set_new(o, "approvals", ap);
    json_t *txs = json_array();
    for (uint32_t i = 0; txs && i + 1 < p->napprovals; i++)
        json_array_append_new(txs, yc_json_hex(p->approval_txs[i], YC_HASH_LEN));
    json_object_set_new(o, "approval_txs", txs ? txs : json_null());
    json_object_set_new(o, "weight", json_integer((json_int_t)weight));
    json_object_set_new(o, "quorum", json_integer((json_int_t)yc_quorum(now->n)));
    json_object_set_new(o, "created", yc_json_u64(p->created));
    json_object_set_new(o, "expires", yc_json_u64(p->expires));
    json_object_set_new(o, "status", json_string(yc_proposal_status(p, tip + 1)));
    json_object_set_new(o, "effect", yc_json_u64_or_null(p->effect));
    json_object_set_new(o, "ended", yc_json_u64_or_null(p->ended));
    return o;
}

/* Loads proposal id from committed state into *p (slices borrow *raw, which the caller
 * frees). YC_OK, YC_ENOTFOUND, YC_ECORRUPT, YC_EIO. */
static int proposal_load(store *s, const uint8_t id[YC_HASH_LEN], struct yc_proposal *p,
                         uint8_t **raw)
{
    uint8_t key[YC_KEY_MAX];
    size_t klen = yc_key_proposal(key, id), vlen;
    int rc = store_get_state(s, key, klen, raw, &vlen);
    if (rc == YC_OK) {
        rc = yc_proposal_decode(p, *raw, vlen);
        if (rc != YC_OK) {
            yc_free(*raw);
            *raw = NULL;
        }
    }
    return rc;
}

struct prop_ids {
    size_t n;
    uint8_t (*ids)[YC_HASH_LEN];
};

static int collect_prop(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen)
{
    struct prop_ids *l = ctx;
    (void)key;
    (void)klen;
    if (vlen != YC_HASH_LEN)
        return YC_ECORRUPT;
    memcpy(l->ids[l->n++], val, YC_HASH_LEN);
    return l->n >= VALSET_PROPOSALS_SCAN ? 1 : 0;
}

/* The ids of the oldest VALSET_PROPOSALS_SCAN proposals into ids (ids->ids malloc'ed; the
 * caller frees it). YC_OK, YC_ENOMEM, YC_EIO, YC_ECORRUPT. */
static int scan_proposals(store *s, struct prop_ids *ids)
{
    uint8_t prefix[YC_KEY_MAX];
    size_t plen = yc_key_idx_proposal_prefix(prefix);
    ids->n = 0;
    ids->ids = malloc(VALSET_PROPOSALS_SCAN * sizeof *ids->ids);
    if (ids->ids == NULL)
        return YC_ENOMEM;
    int rc = store_scan_state(s, prefix, plen, VALSET_PROPOSALS_SCAN, collect_prop, ids);
    return rc > 0 ? YC_OK : rc;
}

void yc__rpc_valset(struct rpc_call *c, json_t *params)
{
    const struct yc_genesis *g = yc_node_genesis(c->node);
    store *s = yc_node_store(c->node);
    uint64_t at = 0;
    bool has_at = false;
    if (!yc__rpc_param_u64(c, params, "height", false, &at, &has_at))
        return;
    struct store_tip tip;
    int rc = s && g ? store_tip(s, &tip) : YC_EIO;
    if (rc == YC_OK && !has_at)
        at = tip.height + 1;
    if (rc == YC_OK && (at < 1 || at > tip.height + g->params.valset_delay)) {
        yc__rpc_failf(c, RPC_INVALID_PARAMS, YC_EINVAL,
                      "height: %llu is not one whose set is known (1..%llu: the tip %llu + "
                      "valset_delay %llu)",
                      (unsigned long long)at,
                      (unsigned long long)(tip.height + g->params.valset_delay),
                      (unsigned long long)tip.height, (unsigned long long)g->params.valset_delay);
        return;
    }
    enum { NCHANGES = 8 };
    struct yc_gov_set *sets = rc == YC_OK ? malloc((2 + NCHANGES) * sizeof *sets) : NULL;
    struct prop_ids ids = {0, NULL};
    json_t *o = NULL;
    uint32_t nchanges = 0;
    if (rc == YC_OK && sets == NULL)
        rc = YC_ENOMEM;
    struct yc_state_src src = rc == YC_OK ? store_state_src(s) : (struct yc_state_src){0};
    /* sets[0]: at `at`; sets[1]: at the next block (weights); sets[2..]: after the tip */
    if (rc == YC_OK)
        rc = yc_gov_set_at(&src, g, at, &sets[0]);
    if (rc == YC_OK)
        rc = yc_gov_set_at(&src, g, tip.height + 1, &sets[1]);
    if (rc == YC_OK)
        rc = yc_gov_sets_after(&src, g, tip.height + 1, &sets[2], NCHANGES, &nchanges);
    if (rc == YC_OK)
        rc = scan_proposals(s, &ids);
    json_t *props = rc == YC_OK ? json_array() : NULL;
    for (size_t i = 0; rc == YC_OK && props && i < ids.n; i++) {
        struct yc_proposal p;
        uint8_t *raw = NULL;
        rc = proposal_load(s, ids.ids[i], &p, &raw);
        if (rc == YC_OK && strcmp(yc_proposal_status(&p, tip.height + 1), "open") == 0)
            json_array_append_new(props, proposal_json(ids.ids[i], &p, tip.height, &sets[1]));
        yc_free(raw);
    }
    if (rc == YC_OK && props) {
        json_t *changes = json_array();
        for (uint32_t i = 0; changes && i < nchanges; i++)
            json_array_append_new(changes, gov_set_json(&sets[2 + i]));
        o = json_pack("{s:o*,s:o*,s:o*,s:o*,s:o*,s:o*,s:o*}", "height", yc_json_u64(tip.height),
                      "at", yc_json_u64(at), "set", gov_set_json(&sets[0]), "changes", changes,
                      "proposals", props, "valset_delay", yc_json_u64(g->params.valset_delay),
                      "valset_expiry", yc_json_u64(g->params.valset_expiry));
        props = NULL;
    }
    json_decref(props);
    free(ids.ids);
    free(sets);
    if (rc != YC_OK || o == NULL) {
        json_decref(o);
        yc__rpc_fail(c, RPC_INTERNAL, rc != YC_OK ? rc : YC_ENOMEM, NULL);
        return;
    }
    yc__rpc_ok(c, o);
}

void yc__rpc_valset_proposal(struct rpc_call *c, json_t *params)
{
    const struct yc_genesis *g = yc_node_genesis(c->node);
    store *s = yc_node_store(c->node);
    uint8_t id[YC_HASH_LEN];
    if (!yc__rpc_param_hash(c, params, "id", id))
        return;
    struct store_tip tip;
    struct yc_gov_set *now = malloc(sizeof *now);
    struct yc_proposal p;
    uint8_t *raw = NULL;
    int rc = s && g && now ? store_tip(s, &tip) : (now ? YC_EIO : YC_ENOMEM);
    if (rc == YC_OK)
        rc = proposal_load(s, id, &p, &raw);
    if (rc == YC_ENOTFOUND) {
        free(now);
        yc__rpc_fail(c, RPC_NOT_FOUND, YC_EUNKNOWNOBJ, "no validator-set proposal with this id");
        return;
    }
    if (rc == YC_OK) {
        struct yc_state_src src = store_state_src(s);
        rc = yc_gov_set_at(&src, g, tip.height + 1, now);
    }
    json_t *o = rc == YC_OK ? proposal_json(id, &p, tip.height, now) : NULL;
    yc_free(raw);
    free(now);
    if (o == NULL) {
        yc__rpc_fail(c, RPC_INTERNAL, rc != YC_OK ? rc : YC_ENOMEM, NULL);
        return;
    }
    yc__rpc_ok(c, o);
}

void yc__rpc_valset_history(struct rpc_call *c, json_t *params)
{
    const struct yc_genesis *g = yc_node_genesis(c->node);
    store *s = yc_node_store(c->node);
    uint64_t to = 0;
    bool has_to = false;
    if (!yc__rpc_param_u64(c, params, "to", false, &to, &has_to))
        return;
    struct store_tip tip;
    int rc = s && g ? store_tip(s, &tip) : YC_EIO;
    if (rc == YC_OK && !has_to)
        to = tip.height + g->params.valset_delay;
    struct prop_ids ids = {0, NULL};
    if (rc == YC_OK)
        rc = scan_proposals(s, &ids);
    json_t *changes = rc == YC_OK ? json_array() : NULL;
    for (size_t i = 0; rc == YC_OK && changes && i < ids.n; i++) {
        struct yc_proposal p;
        uint8_t *raw = NULL;
        rc = proposal_load(s, ids.ids[i], &p, &raw);
        if (rc == YC_OK && strcmp(yc_proposal_status(&p, tip.height + 1), "applied") == 0 &&
            p.effect <= to) {
            json_t *txs = json_array();
            json_array_append_new(txs, yc_json_hex(ids.ids[i], YC_HASH_LEN));
            for (uint32_t k = 0; k + 1 < p.napprovals; k++)
                json_array_append_new(txs, yc_json_hex(p.approval_txs[k], YC_HASH_LEN));
            json_array_append_new(changes, json_pack("{s:o*,s:o*,s:o*,s:o*}", "proposal",
                                                     yc_json_hex(ids.ids[i], YC_HASH_LEN), "ended",
                                                     yc_json_u64(p.ended), "effect",
                                                     yc_json_u64(p.effect), "txs", txs));
        }
        yc_free(raw);
    }
    free(ids.ids);
    json_t *o = rc == YC_OK && changes
                    ? json_pack("{s:o*,s:o*,s:o*}", "height", yc_json_u64(tip.height), "to",
                                yc_json_u64(to), "changes", changes)
                    : NULL;
    if (o == NULL) {
        json_decref(changes);
        yc__rpc_fail(c, RPC_INTERNAL, rc != YC_OK ? rc : YC_ENOMEM, NULL);
        return;
    }
    yc__rpc_ok(c, o);
}
