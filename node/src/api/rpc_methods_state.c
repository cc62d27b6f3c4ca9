/*
 * rpc_methods_state.c — committed state: account, consents (by subject or processor)
 * and usage (by subject). docs/rpc.md.
 *
 * Lists come from the secondary indexes of core/include/yc/objects.h, walked and
 * rendered by the read side (read/include/yc/list.h, as `yuchain-audit subject` does)
 * in key order with a cap (`limit`). A consent's status is computed by core
 * (yc_consent_status) at the tip's block time, never a local clock, so every node
 * answers the same.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "rpc_impl.h"
#include "rpc_json.h"
#include "yc/alloc.h"
#include "yc/hash.h"
#include "yc/list.h"
#include "yc/objects.h"
#include "yc/store.h"

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
    uint64_t committed = a.nonce, pending = a.nonce;
    yc_node_pending_nonce(c->node, pub, &committed, &pending);
    json_t *o = yc_json_account(pub, &a, &pending);
    yc_free(val);
    yc__rpc_ok(c, o);
}

/* ---- consents ---- */

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
    json_t *arr = json_array();
    if (rc == YC_OK && !arr)
        rc = YC_ENOMEM;
    if (rc == YC_OK) {
        struct yc_state_src src = store_state_src(s);
        rc = yc_list_consents(&src, prefix, pl, limit, tip.time_ms, arr);
    }
    if (rc != YC_OK) {
        json_decref(arr);
        yc__rpc_fail(c, RPC_INTERNAL, rc, NULL);
        return;
    }
    yc__rpc_ok(c, json_pack("{s:o*,s:o*,s:o*}", "as_of", yc_json_u64(tip.height), "as_of_time",
                            yc_json_time(tip.time_ms), "consents", arr));
}

/* ---- usage ---- */

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
    uint8_t prefix[YC_KEY_MAX];
    yc__rpc_usage_answer(c, prefix, yc_key_idx_usage_subject(prefix, subj), limit);
}

void yc__rpc_usage_answer(struct rpc_call *c, const uint8_t *prefix, size_t pl, size_t limit)
{
    store *s = yc_node_store(c->node);
    json_t *arr = json_array();
    int rc = !s ? YC_EIO : !arr ? YC_ENOMEM : YC_OK;
    if (rc == YC_OK) {
        struct yc_state_src src = store_state_src(s);
        rc = yc_list_usage(&src, prefix, pl, limit, arr);
    }
    if (rc != YC_OK) {
        json_decref(arr);
        yc__rpc_fail(c, RPC_INTERNAL, rc, NULL);
        return;
    }
    yc__rpc_ok(c, json_pack("{s:o*}", "usage", arr));
}
