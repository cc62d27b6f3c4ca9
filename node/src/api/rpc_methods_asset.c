/*
 * rpc_methods_asset.c — data assets in committed state: `asset` (an asset with its
 * rights, certificate, objections, versions and licenses), `provenance`
 * (read/include/yc/provenance.h, the same answer as `yuchain-audit trace`), `usage` by
 * asset, `assets` by holder and `carries` by subject or holder. docs/rpc.md. Each object
 * is rendered by read/ (yc/json.h), as yuchain-audit renders it.
 *
 * Lists come from the secondary indexes of core/include/yc/objects.h, scanned in key
 * order with a cap (`limit`). Statuses are computed by core at the tip's height and
 * block time, never a local clock, so every node answers the same.
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
#include "yc/provenance.h"
#include "yc/store.h"

#define PROV_MAX_BYTES ((size_t)16 << 20) /* a rendered provenance graph */

/* ---- reading ---- */

static int dec_asset(void *o, const uint8_t *p, size_t n)
{
    return yc_asset_decode(o, p, n);
}
static int dec_license(void *o, const uint8_t *p, size_t n)
{
    return yc_license_decode(o, p, n);
}
static int dec_objection(void *o, const uint8_t *p, size_t n)
{
    return yc_objection_decode(o, p, n);
}
static int dec_version(void *o, const uint8_t *p, size_t n)
{
    return yc_asset_version_decode(o, p, n);
}
static int dec_right(void *o, const uint8_t *p, size_t n)
{
    return yc_right_decode(o, p, n);
}
static int dec_carry(void *o, const uint8_t *p, size_t n)
{
    return yc_carry_decode(o, p, n);
}

/* Keys (with values) collected by an index scan. */
struct kv_list {
    size_t n, cap;
    uint8_t (*tail)[YC_HASH_LEN + 1]; /* the last 33 bytes of each key */
    uint8_t (*val)[YC_HASH_LEN];      /* the value when it is an id */
    size_t plen;
    bool bad;
};

static int collect(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen)
{
    struct kv_list *l = ctx;
    if (l->n >= l->cap)
        return 1;
    /* an entry names its object by the key's tail (32 or 33 bytes) or by its value */
    if (klen < l->plen || (klen - l->plen < YC_HASH_LEN && vlen != YC_HASH_LEN)) {
        l->bad = true;
        return 1;
    }
    size_t t = klen - l->plen > YC_HASH_LEN + 1 ? YC_HASH_LEN + 1 : klen - l->plen;
    memset(l->tail[l->n], 0, YC_HASH_LEN + 1);
    memcpy(l->tail[l->n], key + l->plen, t);
    memset(l->val[l->n], 0, YC_HASH_LEN);
    if (vlen == YC_HASH_LEN)
        memcpy(l->val[l->n], val, YC_HASH_LEN);
    l->n++;
    return 0;
}

/* Scans prefix, keeping at most limit entries. */
static int scan(store *s, const uint8_t *prefix, size_t plen, size_t limit, struct kv_list *l)
{
    memset(l, 0, sizeof *l);
    l->cap = limit;
    l->plen = plen;
    l->tail = malloc(limit * sizeof *l->tail);
    l->val = malloc(limit * sizeof *l->val);
    if (!l->tail || !l->val)
        return YC_ENOMEM;
    int rc = store_scan_state(s, prefix, plen, limit, collect, l);
    if (rc > 0)
        rc = YC_OK;
    return rc == YC_OK && l->bad ? YC_ECORRUPT : rc;
}

static void kv_free(struct kv_list *l)
{
    free(l->tail);
    free(l->val);
}

/* The asset id of a request: `id` (also accepted as `asset`). */
static bool param_id(struct rpc_call *c, json_t *params, const char *name, uint8_t id[32])
{
    return yc__rpc_param_hash(c, params, name, id);
}

/* ---- asset ---- */

static int asset_rights(store *s, const uint8_t id[YC_HASH_LEN], json_t *o)
{
    json_t *r = json_object();
    if (!r)
        return YC_ENOMEM;
    json_object_set_new(o, "rights", r);
    for (unsigned k = 0; k < YC_RIGHT_COUNT; k++) {
        uint8_t key[YC_KEY_MAX];
        size_t kl = yc_key_right(key, id, (enum yc_right)k);
        uint8_t *val;
        struct yc_right_rec rec;
        int rc = yc__rpc_read_obj(s, key, kl, &val, dec_right, &rec);
        if (rc != YC_OK)
            return rc == YC_ENOTFOUND ? YC_ECORRUPT : rc;
        json_object_set_new(r, yc_right_name((enum yc_right)k), yc_json_right(&rec));
        yc_free(val);
    }
    return YC_OK;
}

static int asset_objections(store *s, const uint8_t id[YC_HASH_LEN], json_t *o)
{
    uint8_t prefix[YC_KEY_MAX];
    size_t pl = yc_key_idx_objection_asset(prefix, id);
    struct kv_list l;
    int rc = scan(s, prefix, pl, RPC_LIST_MAX, &l);
    json_t *arr = json_array();
    if (rc == YC_OK && !arr)
        rc = YC_ENOMEM;
    for (size_t i = 0; rc == YC_OK && i < l.n; i++) {
        uint8_t key[YC_KEY_MAX], *val;
        struct yc_objection ob;
        size_t kl = yc_key_objection(key, l.tail[i]);
        rc = yc__rpc_read_obj(s, key, kl, &val, dec_objection, &ob);
        if (rc != YC_OK)
            break;
        json_array_append_new(arr, yc_json_objection(l.tail[i], &ob));
        yc_free(val);
    }
    kv_free(&l);
    json_object_set_new(o, "objections", arr);
    return rc;
}

static int asset_versions(store *s, const uint8_t id[YC_HASH_LEN], uint64_t n, json_t *o)
{
    json_t *arr = json_array();
    if (!arr)
        return YC_ENOMEM;
    json_object_set_new(o, "versions", arr);
    for (uint64_t v = 1; v <= n && v <= RPC_LIST_MAX; v++) {
        uint8_t key[YC_KEY_MAX], *val;
        struct yc_asset_version ver;
        size_t kl = yc_key_asset_version(key, id, v);
        int rc = yc__rpc_read_obj(s, key, kl, &val, dec_version, &ver);
        if (rc != YC_OK)
            return rc == YC_ENOTFOUND ? YC_ECORRUPT : rc;
        json_array_append_new(arr, yc_json_asset_version(v, &ver));
        yc_free(val);
    }
    return YC_OK;
}

static int asset_licenses(store *s, const uint8_t id[YC_HASH_LEN], uint64_t now, json_t *o)
{
    uint8_t prefix[YC_KEY_MAX];
    size_t pl = yc_key_idx_license_asset(prefix, id);
    struct kv_list l;
    int rc = scan(s, prefix, pl, RPC_LIST_MAX, &l);
    json_t *arr = json_array();
    if (rc == YC_OK && !arr)
        rc = YC_ENOMEM;
    for (size_t i = 0; rc == YC_OK && i < l.n; i++) {
        uint8_t key[YC_KEY_MAX], *val;
        struct yc_license lic;
        size_t kl = yc_key_license(key, l.tail[i]);
        rc = yc__rpc_read_obj(s, key, kl, &val, dec_license, &lic);
        if (rc == YC_OK)
            json_array_append_new(arr, yc_json_license(l.tail[i], &lic, now));
        yc_free(val);
    }
    kv_free(&l);
    json_object_set_new(o, "licenses", arr);
    return rc;
}

/* Children: idx/asset_parent/<id><child>. */
static int asset_children(store *s, const uint8_t id[YC_HASH_LEN], json_t *o)
{
    uint8_t prefix[YC_KEY_MAX];
    size_t pl = yc_key_idx_asset_parent(prefix, id);
    struct kv_list l;
    int rc = scan(s, prefix, pl, RPC_LIST_MAX, &l);
    json_t *arr = json_array();
    if (rc == YC_OK && !arr)
        rc = YC_ENOMEM;
    for (size_t i = 0; rc == YC_OK && i < l.n; i++)
        json_array_append_new(arr, yc_json_hex(l.tail[i], YC_HASH_LEN));
    kv_free(&l);
    json_object_set_new(o, "children", arr);
    return rc;
}

void yc__rpc_asset(struct rpc_call *c, json_t *params)
{
    uint8_t id[YC_HASH_LEN];
    if (!param_id(c, params, "id", id))
        return;
    store *s = yc_node_store(c->node);
    struct store_tip tip;
    int rc = s ? store_tip(s, &tip) : YC_EIO;
    uint8_t key[YC_KEY_MAX], *val = NULL;
    struct yc_asset a;
    if (rc == YC_OK)
        rc = yc__rpc_read_obj(s, key, yc_key_asset(key, id), &val, dec_asset, &a);
    if (rc == YC_ENOTFOUND) {
        yc__rpc_fail(c, RPC_NOT_FOUND, YC_EUNKNOWNASSET, NULL);
        return;
    }
    json_t *o = NULL;
    if (rc == YC_OK) {
        o = yc_json_asset(id, &a, tip.height);
        if (!o)
            rc = YC_ENOMEM;
    }
    if (rc == YC_OK)
        rc = asset_rights(s, id, o);
    if (rc == YC_OK)
        rc = asset_objections(s, id, o);
    if (rc == YC_OK)
        rc = asset_versions(s, id, a.version, o);
    if (rc == YC_OK)
        rc = asset_licenses(s, id, tip.time_ms, o);
    if (rc == YC_OK)
        rc = asset_children(s, id, o);
    if (rc == YC_OK)
        rc = yc__rpc_asset_pledges(s, id, tip.time_ms, o);
    yc_free(val);
    if (rc != YC_OK) {
        json_decref(o);
        yc__rpc_fail(c, RPC_INTERNAL, rc, NULL);
        return;
    }
    json_object_set_new(o, "as_of", yc_json_u64(tip.height));
    yc__rpc_ok(c, o);
}

/* ---- provenance ---- */

void yc__rpc_provenance(struct rpc_call *c, json_t *params)
{
    uint8_t id[YC_HASH_LEN];
    const char *fname = "json";
    size_t flen;
    enum yc_prov_format f;
    if (!param_id(c, params, "id", id) ||
        !yc__rpc_param_str(c, params, "format", false, &fname, &flen))
        return;
    if (fname == NULL)
        fname = "json";
    if (yc_prov_format_from_name(fname, &f) != YC_OK || f == YC_PROV_TEXT) {
        yc__rpc_bad_param(c, "format", "expected json, dot or prov-json");
        return;
    }
    store *s = yc_node_store(c->node);
    struct store_tip tip;
    int rc = s ? store_tip(s, &tip) : YC_EIO;
    struct yc_buf b;
    yc_buf_init(&b, PROV_MAX_BYTES);
    if (rc == YC_OK) {
        struct yc_state_src src = store_state_src(s);
        rc = yc_provenance_render(&src, id, tip.height, tip.time_ms, f, &b);
    }
    if (rc == YC_EUNKNOWNASSET) {
        yc_buf_cleanup(&b);
        yc__rpc_fail(c, RPC_NOT_FOUND, rc, NULL);
        return;
    }
    json_t *res = NULL;
    if (rc == YC_OK && f == YC_PROV_DOT) {
        json_t *text = json_stringn((const char *)b.data, b.len);
        res = json_pack("{s:o*,s:s,s:o*}", "id", yc_json_hex(id, YC_HASH_LEN), "format", "dot",
                        "dot", text);
    } else if (rc == YC_OK) {
        json_error_t err;
        res = json_loadb((const char *)b.data, b.len, 0, &err);
        if (!res)
            rc = YC_ECORRUPT; /* core wrote something that is not JSON: a bug */
    }
    yc_buf_cleanup(&b);
    if (rc != YC_OK) {
        json_decref(res);
        yc__rpc_fail(c, rc == YC_ELIMIT ? RPC_INVALID_PARAMS : RPC_INTERNAL, rc, NULL);
        return;
    }
    yc__rpc_ok(c, res);
}

/* ---- usage by asset ---- */

void yc__rpc_usage_asset(struct rpc_call *c, json_t *params)
{
    uint8_t id[YC_HASH_LEN];
    size_t limit;
    if (!param_id(c, params, "asset", id) ||
        !yc__rpc_param_limit(c, params, RPC_LIST_DEFAULT, RPC_LIST_MAX, &limit))
        return;
    uint8_t prefix[YC_KEY_MAX];
    yc__rpc_usage_answer(c, prefix, yc_key_idx_usage_asset(prefix, id), limit);
}

/* ---- assets by holder ---- */

void yc__rpc_assets(struct rpc_call *c, json_t *params)
{
    uint8_t holder[YC_PUBKEY_LEN];
    size_t limit;
    if (!yc__rpc_param_addr(c, params, "holder", true, holder, NULL) ||
        !yc__rpc_param_limit(c, params, RPC_LIST_DEFAULT, RPC_LIST_MAX, &limit))
        return;
    store *s = yc_node_store(c->node);
    struct store_tip tip;
    int rc = s ? store_tip(s, &tip) : YC_EIO;
    uint8_t prefix[YC_KEY_MAX];
    size_t pl = yc_key_idx_asset_holder(prefix, holder);
    struct kv_list l = {0};
    /* up to three entries (rights) per asset */
    if (rc == YC_OK)
        rc = scan(s, prefix, pl, limit * YC_RIGHT_COUNT, &l);
    json_t *arr = json_array();
    if (rc == YC_OK && !arr)
        rc = YC_ENOMEM;
    json_t *cur = NULL;
    const uint8_t *cur_id = NULL;
    for (size_t i = 0; rc == YC_OK && i < l.n; i++) {
        const uint8_t *id = l.tail[i];
        enum yc_right r = (enum yc_right)l.tail[i][YC_HASH_LEN];
        if (!cur_id || memcmp(cur_id, id, YC_HASH_LEN) != 0) {
            if (json_array_size(arr) >= limit)
                break;
            uint8_t key[YC_KEY_MAX], *val;
            struct yc_asset a;
            rc = yc__rpc_read_obj(s, key, yc_key_asset(key, id), &val, dec_asset, &a);
            if (rc != YC_OK) {
                rc = rc == YC_ENOTFOUND ? YC_ECORRUPT : rc;
                break;
            }
            cur = yc_json_asset_held(id, &a, tip.height);
            yc_free(val);
            json_array_append_new(arr, cur);
            cur_id = id;
        }
        const char *rn = yc_right_name(r);
        if (cur && rn)
            json_array_append_new(json_object_get(cur, "rights"), json_string(rn));
    }
    kv_free(&l);
    if (rc != YC_OK) {
        json_decref(arr);
        yc__rpc_fail(c, RPC_INTERNAL, rc, NULL);
        return;
    }
    yc__rpc_ok(c, json_pack("{s:o*,s:o*}", "holder", yc_json_addr(holder), "assets", arr));
}

/* ---- carries ---- */

void yc__rpc_carries(struct rpc_call *c, json_t *params)
{
    uint8_t subj[YC_PUBKEY_LEN], hold[YC_PUBKEY_LEN];
    bool has_subj = false, has_hold = false;
    size_t limit;
    if (!yc__rpc_param_addr(c, params, "subject", false, subj, &has_subj) ||
        !yc__rpc_param_addr(c, params, "holder", false, hold, &has_hold) ||
        !yc__rpc_param_limit(c, params, RPC_LIST_DEFAULT, RPC_LIST_MAX, &limit))
        return;
    if (has_subj == has_hold) {
        yc__rpc_bad_param(c, "subject", "give exactly one of subject or holder");
        return;
    }
    store *s = yc_node_store(c->node);
    uint8_t prefix[YC_KEY_MAX];
    size_t pl =
        has_subj ? yc_key_idx_carry_subject(prefix, subj) : yc_key_idx_carry_holder(prefix, hold);
    struct kv_list l = {0};
    int rc = s ? scan(s, prefix, pl, limit, &l) : YC_EIO;
    json_t *arr = json_array();
    if (rc == YC_OK && !arr)
        rc = YC_ENOMEM;
    for (size_t i = 0; rc == YC_OK && i < l.n; i++) {
        uint8_t key[YC_KEY_MAX], *val;
        struct yc_carry k;
        rc = yc__rpc_read_obj(s, key, yc_key_carry(key, l.tail[i]), &val, dec_carry, &k);
        if (rc != YC_OK) {
            rc = rc == YC_ENOTFOUND ? YC_ECORRUPT : rc;
            break;
        }
        json_array_append_new(arr, yc_json_carry(l.tail[i], &k));
        yc_free(val);
    }
    kv_free(&l);
    if (rc != YC_OK) {
        json_decref(arr);
        yc__rpc_fail(c, RPC_INTERNAL, rc, NULL);
        return;
    }
    yc__rpc_ok(c, json_pack("{s:o*}", "carries", arr));
}
