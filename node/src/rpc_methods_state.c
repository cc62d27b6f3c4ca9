/*
 * rpc_methods_state.c — committed state: account, consents (by subject or processor)
 * and usage (by subject). docs/rpc.md.
 *
 * Lists come from the secondary indexes of core/include/yc/objects.h, scanned in key
 * order with a cap (`limit`), then each object is read and decoded. A consent's status
 * is computed by core (yc_consent_status) at the tip's block time, never a local
 * clock, so every node answers the same.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "rpc_impl.h"
#include "rpc_json.h"
#include "yc/alloc.h"
#include "yc/hash.h"
#include "yc/objects.h"
#include "yc/store.h"

/* Ids collected by an index scan. */
struct id_list {
    size_t n, cap;
    uint8_t (*ids)[YC_HASH_LEN];
    bool value_is_id; /* usage index: the value is the id; consent index: the key ends in it */
    bool bad;
};

int yc__rpc_read_obj(store *s, const uint8_t *key, size_t kl, uint8_t **val, yc_rpc_dec_fn dec,
                     void *obj)
{
    size_t vlen = 0;
    *val = NULL;
    int rc = store_get_state(s, key, kl, val, &vlen);
    if (rc == YC_OK && dec(obj, *val, vlen) != YC_OK)
        rc = YC_ECORRUPT;
    if (rc != YC_OK) {
        yc_free(*val);
        *val = NULL;
    }
    return rc;
}

static int collect_id(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen)
{
    struct id_list *l = ctx;
    const uint8_t *id = NULL;
    if (l->value_is_id && vlen == YC_HASH_LEN)
        id = val;
    else if (!l->value_is_id && klen >= YC_HASH_LEN)
        id = key + klen - YC_HASH_LEN;
    if (!id) {
        l->bad = true;
        return 1;
    }
    if (l->n >= l->cap)
        return 1;
    memcpy(l->ids[l->n++], id, YC_HASH_LEN);
    return 0;
}

static int scan_ids(store *s, const uint8_t *prefix, size_t plen, size_t limit, bool value_is_id,
                    struct id_list *l)
{
    l->n = 0;
    l->cap = limit;
    l->value_is_id = value_is_id;
    l->bad = false;
    l->ids = malloc(limit * YC_HASH_LEN);
    if (!l->ids)
        return YC_ENOMEM;
    int rc = store_scan_state(s, prefix, plen, limit, collect_id, l);
    if (rc > 0)
        rc = YC_OK; /* stopped by the callback */
    if (rc == YC_OK && l->bad)
        rc = YC_ECORRUPT;
    return rc;
}

/* ---- account ---- */

void yc__rpc_account(struct rpc_call *c, json_t *params)
{
    uint8_t pub[YC_PUBKEY_LEN];
    if (!yc__rpc_param_addr(c, params, "address", true, pub, NULL))
        return;
    store *s = yc_node_store(c->node);
    uint8_t key[YC_KEY_MAX];
    size_t kl = yc_key_account(key, pub);
    uint8_t *val = NULL;
    size_t vlen = 0;
    int rc = s ? store_get_state(s, key, kl, &val, &vlen) : YC_ENOTFOUND;
    if (rc == YC_ENOTFOUND) {
        yc__rpc_fail(c, RPC_NOT_FOUND, YC_ENOTFOUND, "account is not registered");
        return;
    }
    struct yc_account a;
    if (rc == YC_OK && yc_account_decode(&a, val, vlen) != YC_OK)
        rc = YC_ECORRUPT;
    if (rc != YC_OK) {
        yc_free(val);
        yc__rpc_fail(c, RPC_INTERNAL, rc, NULL);
        return;
    }
    const char *role = yc_role_name(a.role);
    json_t *o = json_object();
    if (o) {
        json_object_set_new(o, "address", yc_rjson_addr(pub));
        json_object_set_new(o, "role", role ? json_string(role) : json_null());
        json_object_set_new(o, "name", yc_rjson_slice(&a.name));
        json_object_set_new(o, "jurisdiction", yc_rjson_slice(&a.jurisdiction));
        json_object_set_new(o, "nonce", yc_rjson_u64(a.nonce));
        uint64_t committed = a.nonce, pending = a.nonce;
        yc_node_pending_nonce(c->node, pub, &committed, &pending);
        json_object_set_new(o, "pending_nonce",
                            yc_rjson_u64(pending < a.nonce ? a.nonce : pending));
        json_object_set_new(o, "balance", yc_rjson_u64(a.balance));
        json_object_set_new(o, "credit", yc_rjson_slice(&a.credit));
        json_object_set_new(o, "registered_at", yc_rjson_u64(a.registered_at));
    }
    yc_free(val);
    yc__rpc_ok(c, o);
}

/* ---- consents ---- */

static json_t *consent_json(const uint8_t id[YC_HASH_LEN], const struct yc_consent *k,
                            uint64_t now_ms)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    json_object_set_new(o, "id", yc_rjson_hex(id, YC_HASH_LEN));
    json_object_set_new(o, "subject", yc_rjson_addr(k->subject));
    json_object_set_new(o, "processor", yc_rjson_addr(k->processor));
    json_object_set_new(o, "categories", yc_rjson_list(&k->categories));
    json_object_set_new(o, "purposes", yc_rjson_list(&k->purposes));
    json_object_set_new(o, "operations", yc_rjson_list(&k->operations));
    json_object_set_new(o, "jurisdiction", yc_rjson_slice(&k->jurisdiction));
    json_object_set_new(o, "not_before", yc_rjson_u64(k->not_before));
    json_object_set_new(o, "not_before_time", yc_rjson_time(k->not_before));
    json_object_set_new(o, "until", yc_rjson_u64(k->until));
    json_object_set_new(o, "until_time", yc_rjson_time(k->until));
    json_object_set_new(o, "fee_per_use", yc_rjson_u64(k->fee_per_use));
    json_object_set_new(o, "max_uses", yc_rjson_u64(k->max_uses));
    json_object_set_new(o, "uses", yc_rjson_u64(k->uses));
    json_object_set_new(o, "retention_days", yc_rjson_u64(k->retention_days));
    json_object_set_new(o, "onward_transfer", json_boolean(k->onward_transfer));
    json_object_set_new(o, "granted_at", yc_rjson_u64(k->granted_at));
    json_object_set_new(o, "revoked_at", k->revoked_at ? yc_rjson_u64(k->revoked_at) : json_null());
    json_object_set_new(o, "status", json_string(yc_consent_status(k, now_ms)));
    return o;
}

/* Reads the consents named by l and appends their JSON to arr. */
static int consents_append(store *s, const struct id_list *l, uint64_t now, json_t *arr)
{
    for (size_t i = 0; i < l->n; i++) {
        uint8_t key[YC_KEY_MAX];
        size_t kl = yc_key_consent(key, l->ids[i]);
        uint8_t *val = NULL;
        size_t vlen = 0;
        int rc = store_get_state(s, key, kl, &val, &vlen);
        if (rc == YC_ENOTFOUND)
            continue; /* index ahead of a pruned object: nothing to show */
        if (rc != YC_OK)
            return rc;
        struct yc_consent k;
        rc = yc_consent_decode(&k, val, vlen);
        if (rc == YC_OK)
            json_array_append_new(arr, consent_json(l->ids[i], &k, now));
        yc_free(val);
        if (rc != YC_OK)
            return YC_ECORRUPT;
    }
    return YC_OK;
}

void yc__rpc_consents(struct rpc_call *c, json_t *params)
{
    uint8_t subj[YC_PUBKEY_LEN], proc[YC_PUBKEY_LEN];
    bool has_subj = false, has_proc = false;
    size_t limit;
    if (!yc__rpc_param_addr(c, params, "subject", false, subj, &has_subj) ||
        !yc__rpc_param_addr(c, params, "processor", false, proc, &has_proc) ||
        !yc__rpc_param_limit(c, params, RPC_LIST_DEFAULT, RPC_LIST_MAX, &limit))
        return;
    if (has_subj == has_proc) {
        yc__rpc_bad_param(c, "subject", "give exactly one of subject or processor");
        return;
    }
    store *s = yc_node_store(c->node);
    struct store_tip tip;
    int rc = s ? store_tip(s, &tip) : YC_EIO;
    uint8_t prefix[YC_KEY_MAX];
    size_t pl = has_subj ? yc_key_idx_consent_subject(prefix, subj)
                         : yc_key_idx_consent_processor(prefix, proc);
    struct id_list l = {0};
    if (rc == YC_OK)
        rc = scan_ids(s, prefix, pl, limit, false, &l);
    json_t *arr = json_array();
    if (rc == YC_OK && !arr)
        rc = YC_ENOMEM;
    if (rc == YC_OK)
        rc = consents_append(s, &l, tip.time_ms, arr);
    free(l.ids);
    if (rc != YC_OK) {
        json_decref(arr);
        yc__rpc_fail(c, RPC_INTERNAL, rc, NULL);
        return;
    }
    yc__rpc_ok(c, json_pack("{s:o,s:o*}", "as_of", yc_rjson_time(tip.time_ms), "consents", arr));
}

/* ---- usage ---- */

static json_t *usage_json(const uint8_t id[YC_HASH_LEN], const struct yc_usage *u)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    json_object_set_new(o, "id", yc_rjson_hex(id, YC_HASH_LEN));
    json_object_set_new(o, "authority", yc_rjson_hex(u->authority, YC_HASH_LEN));
    json_object_set_new(o, "authority_kind", yc_rjson_slice(&u->authority_kind));
    json_object_set_new(o, "user", yc_rjson_addr(u->user));
    json_object_set_new(o, "subject", yc_rjson_addr(u->subject));
    json_object_set_new(o, "purpose", yc_rjson_slice(&u->purpose));
    json_object_set_new(o, "operation", yc_rjson_slice(&u->operation));
    json_object_set_new(o, "category", yc_rjson_slice(&u->category));
    json_object_set_new(o, "fee", yc_rjson_u64(u->fee));
    json_object_set_new(o, "height", yc_rjson_u64(u->height));
    json_object_set_new(o, "time", yc_rjson_time(u->time_ms));
    json_object_set_new(o, "time_ms", yc_rjson_u64(u->time_ms));
    json_object_set_new(o, "input",
                        u->has_input ? yc_rjson_hex(u->input, YC_HASH_LEN) : json_null());
    json_object_set_new(o, "output",
                        u->has_output ? yc_rjson_hex(u->output, YC_HASH_LEN) : json_null());
    return o;
}

void yc__rpc_usage(struct rpc_call *c, json_t *params)
{
    uint8_t subj[YC_PUBKEY_LEN];
    bool has_subj = false;
    size_t limit;
    if (!yc__rpc_param_addr(c, params, "subject", false, subj, &has_subj) ||
        !yc__rpc_param_limit(c, params, RPC_LIST_DEFAULT, RPC_LIST_MAX, &limit))
        return;
    if (yc__rpc_param(params, "asset")) {
        if (has_subj)
            yc__rpc_bad_param(c, "asset", "give exactly one of subject or asset");
        else
            yc__rpc_usage_asset(c, params); /* rpc_methods_asset.c */
        return;
    }
    if (!has_subj) {
        yc__rpc_bad_param(c, "subject", "missing");
        return;
    }
    store *s = yc_node_store(c->node);
    uint8_t prefix[YC_KEY_MAX];
    size_t pl = yc_key_idx_usage_subject(prefix, subj);
    struct id_list l = {0};
    int rc = s ? scan_ids(s, prefix, pl, limit, true, &l) : YC_EIO;
    json_t *arr = json_array();
    if (rc == YC_OK && !arr)
        rc = YC_ENOMEM;
    for (size_t i = 0; rc == YC_OK && i < l.n; i++) {
        uint8_t key[YC_KEY_MAX];
        size_t kl = yc_key_usage(key, l.ids[i]);
        uint8_t *val = NULL;
        size_t vlen = 0;
        rc = store_get_state(s, key, kl, &val, &vlen);
        if (rc == YC_ENOTFOUND) {
            rc = YC_OK;
            continue;
        }
        struct yc_usage u;
        if (rc == YC_OK && yc_usage_decode(&u, val, vlen) != YC_OK)
            rc = YC_ECORRUPT;
        if (rc == YC_OK)
            json_array_append_new(arr, usage_json(l.ids[i], &u));
        yc_free(val);
    }
    free(l.ids);
    if (rc != YC_OK) {
        json_decref(arr);
        yc__rpc_fail(c, RPC_INTERNAL, rc, NULL);
        return;
    }
    yc__rpc_ok(c, json_pack("{s:o*}", "usage", arr));
}
