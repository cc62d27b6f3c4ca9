/*
 * gov.c — the validator set as ledger state (gov.h): set records, their index, the
 * proposal object, and the query of the set in force at a height.
 *
 * Encodings (sorted keys; docs/formats.md):
 *   set record:     {validators: [{name, org, pub}, …]}
 *   valset_heights: {from: [u64, …]}
 *   proposal:       {action, approval_txs: [bin32, …], approvals: [bin33, …], created,
 *                    effect?, ended?, expires, name?, new_pub?, org?, proposer, pub, status}
 */
#include <string.h>

#include "ledger_int.h"
#include "yc/alloc.h"
#include "yc/codec.h"
#include "yc/gov.h"
#include "yc/keys.h"

#define TRY(x) YC__TRY_AS((x), YC_ECORRUPT)

/* ---- sets ---- */

void yc_gov_set_genesis(struct yc_gov_set *s, const struct yc_genesis *g)
{
    memset(s, 0, sizeof *s);
    s->from = 1;
    s->n = g->nvalidators > YC_MAX_VALIDATORS ? YC_MAX_VALIDATORS : g->nvalidators;
    memcpy(s->v, g->validators, s->n * sizeof s->v[0]);
}

void yc_gov_set_keys(const struct yc_gov_set *s, struct yc_valset *out)
{
    memset(out, 0, sizeof *out);
    out->n = s->n > YC_MAX_VALIDATORS ? YC_MAX_VALIDATORS : s->n;
    out->quorum = yc_quorum(out->n);
    for (uint32_t i = 0; i < out->n; i++) {
        memcpy(out->keys[i], s->v[i].pub, YC_PUBKEY_LEN);
    }
}

uint32_t yc_gov_weight(const struct yc_gov_set *now, const uint8_t (*orgs)[YC_PUBKEY_LEN],
                       uint32_t n)
{
    uint32_t w = 0;
    for (uint32_t i = 0; i < now->n && i < YC_MAX_VALIDATORS; i++) {
        for (uint32_t j = 0; j < n; j++) {
            if (memcmp(now->v[i].org, orgs[j], YC_PUBKEY_LEN) == 0) {
                w++;
                break;
            }
        }
    }
    return w;
}

int yc_gov_set_index(const struct yc_gov_set *s, const uint8_t pub[YC_PUBKEY_LEN])
{
    for (uint32_t i = 0; i < s->n && i < YC_MAX_VALIDATORS; i++) {
        if (memcmp(s->v[i].pub, pub, YC_PUBKEY_LEN) == 0) {
            return (int)i;
        }
    }
    return -1;
}

bool yc_gov_set_has_org(const struct yc_gov_set *s, const uint8_t org[YC_PUBKEY_LEN])
{
    for (uint32_t i = 0; i < s->n && i < YC_MAX_VALIDATORS; i++) {
        if (memcmp(s->v[i].org, org, YC_PUBKEY_LEN) == 0) {
            return true;
        }
    }
    return false;
}

int yc_gov_set_encode(const struct yc_gov_set *s, struct yc_buf *out)
{
    struct yc_enc e;

    if (s == NULL || out == NULL || s->n < 1 || s->n > YC_MAX_VALIDATORS) {
        return YC_EINVAL;
    }
    yc_enc_init(&e, out);
    yc_enc_map(&e, 1);
    yc_enc_cstr(&e, "validators");
    yc_enc_array(&e, s->n);
    for (uint32_t i = 0; i < s->n; i++) {
        const struct yc_validator *v = &s->v[i];
        yc_enc_map(&e, 3);
        yc_enc_cstr(&e, "name");
        yc_enc_str(&e, v->name, strnlen(v->name, sizeof v->name));
        yc__put_bin(&e, "org", v->org, YC_PUBKEY_LEN);
        yc__put_bin(&e, "pub", v->pub, YC_PUBKEY_LEN);
    }
    return yc_enc_finish(&e);
}

int yc_gov_set_decode(struct yc_gov_set *s, const uint8_t *p, size_t len)
{
    struct yc_dec d;
    uint32_t left, n;
    uint64_t from = s->from;

    memset(s, 0, sizeof *s);
    s->from = from;
    TRY(yc__obj_open(&d, &left, p, len));
    TRY(yc__field_req(&d, &left, "validators"));
    TRY(yc_dec_array(&d, &n));
    if (n < 1 || n > YC_MAX_VALIDATORS) {
        return YC_ECORRUPT;
    }
    for (uint32_t i = 0; i < n; i++) {
        struct yc_validator *v = &s->v[i];
        struct yc_slice name;
        uint32_t vleft;
        TRY(yc_dec_map(&d, &vleft));
        TRY(yc__req_text(&d, &vleft, "name", &name, 1, YC_VALIDATOR_NAME_MAX));
        memcpy(v->name, name.p, name.len);
        TRY(yc__req_fixed(&d, &vleft, "org", v->org, YC_PUBKEY_LEN, YC_EBADFIELD));
        TRY(yc__req_fixed(&d, &vleft, "pub", v->pub, YC_PUBKEY_LEN, YC_EBADFIELD));
        if (vleft != 0 || yc_gov_set_index(s, v->pub) >= 0) {
            return YC_ECORRUPT; /* an unknown key, or a key twice */
        }
        s->n = i + 1;
    }
    return left == 0 ? YC_OK : YC_ECORRUPT;
}

int yc_gov_set_apply(const struct yc_gov_set *latest, const struct yc_gov_change *c,
                     struct yc_gov_set *out, enum yc_gov_refusal *why, int *at)
{
    enum yc_gov_refusal r = YC_GOV_APPLIES;
    int idx = c->pub != NULL ? yc_gov_set_index(latest, c->pub) : -1;
    bool add = yc__slice_eq(&c->action, "add"), remove = yc__slice_eq(&c->action, "remove"),
         replace = yc__slice_eq(&c->action, "replace_key");

    *out = *latest;
    if (c->pub == NULL || (!add && !remove && !replace) ||
        (add && (c->org == NULL || c->name.len < 1 || c->name.len > YC_VALIDATOR_NAME_MAX)) ||
        (replace && c->new_pub == NULL)) {
        r = YC_GOV_BAD_CHANGE;
    } else if (add && idx >= 0) {
        r = YC_GOV_KEY_IN_SET;
    } else if (add && latest->n >= YC_MAX_VALIDATORS) {
        r = YC_GOV_SET_FULL;
    } else if (add) {
        struct yc_validator *v = &out->v[out->n++];
        memset(v, 0, sizeof *v);
        memcpy(v->name, c->name.p, c->name.len);
        memcpy(v->pub, c->pub, YC_PUBKEY_LEN);
        memcpy(v->org, c->org, YC_PUBKEY_LEN);
    } else if (idx < 0) {
        r = YC_GOV_KEY_NOT_IN_SET;
    } else if (remove && latest->n <= 1) {
        r = YC_GOV_LAST;
    } else if (remove) {
        memmove(&out->v[idx], &out->v[idx + 1], (out->n - (uint32_t)idx - 1) * sizeof out->v[0]);
        out->n--;
        memset(&out->v[out->n], 0, sizeof out->v[0]);
    } else if ((idx = yc_gov_set_index(latest, c->new_pub)) >= 0) {
        r = YC_GOV_NEW_KEY_IN_SET;
    } else {
        memcpy(out->v[yc_gov_set_index(latest, c->pub)].pub, c->new_pub, YC_PUBKEY_LEN);
    }
    if (why != NULL) {
        *why = r;
    }
    if (at != NULL) {
        *at = idx;
    }
    return r == YC_GOV_APPLIES ? YC_OK : YC_EVALSET;
}

/* ---- keys ---- */

static size_t key_u64(uint8_t *key, const char *prefix, uint64_t v)
{
    uint8_t be[8];
    for (int i = 0; i < 8; i++) {
        be[i] = (uint8_t)(v >> (56 - 8 * i));
    }
    return yc__key_join(key, prefix, be, sizeof be);
}

size_t yc_key_valset(uint8_t *key, uint64_t from)
{
    return key_u64(key, "valset/", from);
}

size_t yc_key_valset_heights(uint8_t *key)
{
    return yc__key_join(key, "valset_heights", NULL, 0);
}

size_t yc_key_proposal(uint8_t *key, const uint8_t id[YC_HASH_LEN])
{
    return yc__key_join(key, "proposal/", id, YC_HASH_LEN);
}

size_t yc_key_idx_proposal_prefix(uint8_t *key)
{
    return yc__key_join(key, "idx/proposal/", NULL, 0);
}

size_t yc_key_idx_proposal(uint8_t *key, uint64_t height, uint32_t index)
{
    size_t n = key_u64(key, "idx/proposal/", height);
    for (int i = 0; i < 4; i++) {
        key[n + (size_t)i] = (uint8_t)(index >> (24 - 8 * i));
    }
    return n + 4;
}

/* ---- the query ---- */

/* Reads key through src: *val (yc_malloc'ed, caller frees) or YC_ENOTFOUND. */
static int src_get(const struct yc_state_src *src, const uint8_t *key, size_t klen, uint8_t **val,
                   size_t *vlen)
{
    *val = NULL;
    *vlen = 0;
    return src->get(src->ctx, key, klen, val, vlen);
}

/*
 * The `from` heights recorded, through a callback per height in increasing order until it
 * returns non-zero (> 0: stop, < 0: that code). YC_OK when no record exists.
 */
static int each_from(const struct yc_state_src *src, int (*fn)(void *, uint64_t), void *ctx)
{
    uint8_t key[YC_KEY_MAX], *val;
    size_t klen = yc_key_valset_heights(key), vlen;
    struct yc_dec d;
    uint32_t left, n;
    uint64_t prev = 0;
    int rc = src_get(src, key, klen, &val, &vlen);

    if (rc == YC_ENOTFOUND) {
        return YC_OK;
    }
    if (rc != YC_OK) {
        return rc;
    }
    rc = yc__obj_open(&d, &left, val, vlen);
    if (rc == YC_OK &&
        (yc__field_req(&d, &left, "from") != YC_OK || yc_dec_array(&d, &n) != YC_OK || left != 0)) {
        rc = YC_ECORRUPT;
    }
    for (uint32_t i = 0; rc == YC_OK && i < n; i++) {
        uint64_t h;
        if (yc_dec_uint(&d, &h) != YC_OK || h <= prev || h < 2) {
            rc = YC_ECORRUPT;
            break;
        }
        prev = h;
        int r = fn(ctx, h);
        if (r != 0) {
            rc = r > 0 ? YC_OK : r;
            break;
        }
    }
    yc_free(val);
    return rc;
}

static int load_record(const struct yc_state_src *src, uint64_t from, struct yc_gov_set *out)
{
    uint8_t key[YC_KEY_MAX], *val;
    size_t klen = yc_key_valset(key, from), vlen;
    int rc = src_get(src, key, klen, &val, &vlen);

    if (rc == YC_ENOTFOUND) {
        return YC_ECORRUPT; /* indexed but absent */
    }
    if (rc != YC_OK) {
        return rc;
    }
    out->from = from;
    rc = yc_gov_set_decode(out, val, vlen);
    yc_free(val);
    return rc;
}

struct last_at {
    uint64_t height, best; /* best: the last from <= height, 0 if none */
};

static int pick_last(void *vctx, uint64_t from)
{
    struct last_at *c = vctx;
    if (from > c->height) {
        return 1;
    }
    c->best = from;
    return 0;
}

int yc_gov_set_at(const struct yc_state_src *state, const struct yc_genesis *g, uint64_t height,
                  struct yc_gov_set *out)
{
    struct last_at c = {.height = height, .best = 0};
    int rc;

    if (state == NULL || state->get == NULL || g == NULL || out == NULL) {
        return YC_EINVAL;
    }
    if ((rc = each_from(state, pick_last, &c)) != YC_OK) {
        return rc;
    }
    if (c.best == 0) {
        yc_gov_set_genesis(out, g);
        return YC_OK;
    }
    return load_record(state, c.best, out);
}

struct after {
    const struct yc_state_src *src;
    uint64_t after;
    struct yc_gov_set *out;
    uint32_t max, n;
};

static int collect_after(void *vctx, uint64_t from)
{
    struct after *c = vctx;
    if (from <= c->after) {
        return 0;
    }
    if (c->n >= c->max) {
        return 1;
    }
    int rc = load_record(c->src, from, &c->out[c->n]);
    if (rc != YC_OK) {
        return rc;
    }
    c->n++;
    return 0;
}

int yc_gov_sets_after(const struct yc_state_src *state, const struct yc_genesis *g, uint64_t after,
                      struct yc_gov_set *out, uint32_t max, uint32_t *n)
{
    struct after c = {.src = state, .after = after, .out = out, .max = max};
    int rc;

    if (state == NULL || state->get == NULL || g == NULL || n == NULL || (out == NULL && max > 0)) {
        return YC_EINVAL;
    }
    *n = 0;
    rc = each_from(state, collect_after, &c);
    *n = c.n;
    return rc;
}

int yc_ledger_valset_at(const struct yc_state_src *state, const struct yc_genesis *g,
                        uint64_t height, struct yc_valset *out)
{
    struct yc_gov_set *s;
    int rc;

    if (out == NULL) {
        return YC_EINVAL;
    }
    s = yc_malloc(sizeof *s);
    if (s == NULL) {
        return YC_ENOMEM;
    }
    rc = yc_gov_set_at(state, g, height, s);
    if (rc == YC_OK) {
        yc_gov_set_keys(s, out);
    }
    yc_free(s);
    return rc;
}

/* ---- proposals ---- */

int yc_proposal_encode(const struct yc_proposal *p, struct yc_buf *out)
{
    struct yc_enc e;
    uint32_t n =
        8u + (p->effect > 0) + (p->ended > 0) + (p->name.len > 0) + p->has_new_pub + p->has_org;

    if (p->napprovals < 1 || p->napprovals > YC_PROPOSAL_APPROVALS_MAX) {
        return YC_EINVAL;
    }
    yc_enc_init(&e, out);
    yc_enc_map(&e, n);
    yc__put_slice(&e, "action", &p->action);
    yc_enc_cstr(&e, "approval_txs");
    yc_enc_array(&e, p->napprovals - 1);
    for (uint32_t i = 0; i + 1 < p->napprovals; i++) {
        yc_enc_bin(&e, p->approval_txs[i], YC_HASH_LEN);
    }
    yc_enc_cstr(&e, "approvals");
    yc_enc_array(&e, p->napprovals);
    for (uint32_t i = 0; i < p->napprovals; i++) {
        yc_enc_bin(&e, p->approvals[i], YC_PUBKEY_LEN);
    }
    yc__put_u64(&e, "created", p->created);
    if (p->effect > 0) {
        yc__put_u64(&e, "effect", p->effect);
    }
    if (p->ended > 0) {
        yc__put_u64(&e, "ended", p->ended);
    }
    yc__put_u64(&e, "expires", p->expires);
    if (p->name.len > 0) {
        yc__put_slice(&e, "name", &p->name);
    }
    if (p->has_new_pub) {
        yc__put_bin(&e, "new_pub", p->new_pub, YC_PUBKEY_LEN);
    }
    if (p->has_org) {
        yc__put_bin(&e, "org", p->org, YC_PUBKEY_LEN);
    }
    yc__put_bin(&e, "proposer", p->proposer, YC_PUBKEY_LEN);
    yc__put_bin(&e, "pub", p->pub, YC_PUBKEY_LEN);
    yc__put_slice(&e, "status", &p->status);
    return yc_enc_finish(&e);
}

/* An optional unsigned integer (absent: *v stays 0). */
static int opt_u64(struct yc_dec *d, uint32_t *left, const char *key, uint64_t *v)
{
    bool has;
    YC__OPT(d, left, key, &has, yc_dec_uint(d, v));
    return YC_OK;
}

int yc_proposal_decode(struct yc_proposal *p, const uint8_t *bytes, size_t len)
{
    struct yc_dec d;
    uint32_t left;

    memset(p, 0, sizeof *p);
    TRY(yc__obj_open(&d, &left, bytes, len));
    uint32_t ntxs;
    TRY(yc__req_text(&d, &left, "action", &p->action, 1, YC_CODE_MAX));
    TRY(yc__field_req(&d, &left, "approval_txs"));
    TRY(yc__dec_bins(&d, p->approval_txs, YC_HASH_LEN, YC_PROPOSAL_APPROVALS_MAX, &ntxs));
    TRY(yc__field_req(&d, &left, "approvals"));
    TRY(yc__dec_bins(&d, p->approvals, YC_PUBKEY_LEN, YC_PROPOSAL_APPROVALS_MAX, &p->napprovals));
    if (p->napprovals < 1 || ntxs + 1 != p->napprovals) {
        return YC_ECORRUPT;
    }
    TRY(yc__req_u64(&d, &left, "created", &p->created));
    TRY(opt_u64(&d, &left, "effect", &p->effect));
    TRY(opt_u64(&d, &left, "ended", &p->ended));
    TRY(yc__req_u64(&d, &left, "expires", &p->expires));
    TRY(yc__opt_text(&d, &left, "name", &p->name, YC_VALIDATOR_NAME_MAX));
    TRY(yc__opt_fixed(&d, &left, "new_pub", &p->has_new_pub, p->new_pub, YC_PUBKEY_LEN,
                      YC_EBADFIELD));
    TRY(yc__opt_fixed(&d, &left, "org", &p->has_org, p->org, YC_PUBKEY_LEN, YC_EBADFIELD));
    TRY(yc__req_fixed(&d, &left, "proposer", p->proposer, YC_PUBKEY_LEN, YC_EBADFIELD));
    TRY(yc__req_fixed(&d, &left, "pub", p->pub, YC_PUBKEY_LEN, YC_EBADFIELD));
    TRY(yc__req_text(&d, &left, "status", &p->status, 1, YC_CODE_MAX));
    return left == 0 ? YC_OK : YC_ECORRUPT;
}

const char *yc_proposal_status(const struct yc_proposal *p, uint64_t height)
{
    if (yc__slice_eq(&p->status, "applied")) {
        return "applied";
    }
    if (yc__slice_eq(&p->status, "withdrawn")) {
        return "withdrawn";
    }
    return height > p->expires ? "expired" : "open";
}
