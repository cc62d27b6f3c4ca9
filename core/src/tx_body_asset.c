/*
 * tx_body_asset.c — strict schema decoders of the issue-4 bodies: assets, rights,
 * licenses and carries (tx.h; tx.c's BODY table names them).
 *
 * As in tx.c: fields in sorted key order, unknown or missing required keys are
 * YC_EBADFIELD, a digest of the wrong size is YC_EBADDIGEST, a key off the curve
 * YC_EBADKEY, a list beyond its cap YC_ETOOMANY. Codes, roles, time windows and shares
 * are rules, checked in exec_asset.c / exec_right.c / exec_carry.c.
 */
#include <string.h>

#include "ledger_int.h"
#include "yc/keys.h"

#define TRY(x)                                                                                     \
    do {                                                                                           \
        int rc_ = (x);                                                                             \
        if (rc_ != YC_OK) {                                                                        \
            return rc_;                                                                            \
        }                                                                                          \
    } while (0)

/* 1 if the optional key is next (consumed), 0 if absent, < 0 on an unknown key. */
#define OPT_BEGIN(d, left, key, has)                                                               \
    do {                                                                                           \
        int r_ = yc__field_opt((d), (left), (key));                                                \
        if (r_ < 0) {                                                                              \
            return r_;                                                                             \
        }                                                                                          \
        *(has) = r_ == 1;                                                                          \
    } while (0)

static int req_id(struct yc_dec *d, uint32_t *left, const char *key, uint8_t out[YC_HASH_LEN])
{
    TRY(yc__field_req(d, left, key));
    return yc__dec_fixed(d, out, YC_HASH_LEN, YC_EBADFIELD);
}

static int req_digest(struct yc_dec *d, uint32_t *left, const char *key,
                      uint8_t out[YC_HASH_LEN])
{
    TRY(yc__field_req(d, left, key));
    return yc__dec_fixed(d, out, YC_HASH_LEN, YC_EBADDIGEST);
}

static int req_text(struct yc_dec *d, uint32_t *left, const char *key, struct yc_slice *s,
                    size_t maxlen)
{
    TRY(yc__field_req(d, left, key));
    return yc__dec_text(d, s, 0, maxlen);
}

/* An array of at most YC_PARENTS_MAX asset ids. */
static int dec_parents(struct yc_dec *d, uint8_t (*parents)[YC_HASH_LEN], uint32_t *np)
{
    uint32_t n;

    if (yc_dec_array(d, &n) != YC_OK) {
        return YC_EBADFIELD;
    }
    if (n > YC_PARENTS_MAX) {
        return YC_ETOOMANY;
    }
    for (uint32_t i = 0; i < n; i++) {
        TRY(yc__dec_fixed(d, parents[i], YC_HASH_LEN, YC_EBADFIELD));
    }
    *np = n;
    return YC_OK;
}

/* An array of 1..YC_CONTRIBUTORS_MAX pairs [pub, bps]. */
static int dec_contributors(struct yc_dec *d, struct yc_body_asset_register *b)
{
    uint32_t n;

    if (yc_dec_array(d, &n) != YC_OK) {
        return YC_EBADFIELD;
    }
    if (n > YC_CONTRIBUTORS_MAX) {
        return YC_ETOOMANY;
    }
    for (uint32_t i = 0; i < n; i++) {
        uint32_t two;
        if (yc_dec_array(d, &two) != YC_OK || two != 2) {
            return YC_EBADFIELD;
        }
        TRY(yc__dec_pub(d, b->contributors[i].pub));
        if (yc_dec_uint(d, &b->contributors[i].bps) != YC_OK) {
            return YC_EBADFIELD;
        }
    }
    b->ncontributors = n;
    return YC_OK;
}

int yc__body_asset_register(struct yc_dec *d, uint32_t *left, enum yc_tx_type t,
                            union yc_tx_body *u)
{
    struct yc_body_asset_register *b = &u->asset_register;
    bool has;
    (void)t;
    TRY(req_text(d, left, "catalog", &b->catalog, YC_CODE_MAX));
    TRY(yc__field_req(d, left, "contributors"));
    TRY(dec_contributors(d, b));
    TRY(req_digest(d, left, "digest", b->digest));
    TRY(req_text(d, left, "grade", &b->grade, YC_CODE_MAX));
    TRY(req_text(d, left, "openness", &b->openness, YC_CODE_MAX));
    OPT_BEGIN(d, left, "parents", &has);
    if (has) {
        TRY(dec_parents(d, b->parents, &b->nparents));
    }
    TRY(req_text(d, left, "sector", &b->sector, YC_CODE_MAX));
    TRY(req_text(d, left, "source", &b->source, YC_CODE_MAX));
    TRY(req_text(d, left, "title", &b->title, YC_NAME_MAX));
    OPT_BEGIN(d, left, "usage", &b->has_usage);
    if (b->has_usage) {
        TRY(yc__dec_fixed(d, b->usage, YC_HASH_LEN, YC_EBADFIELD));
    }
    return YC_OK;
}

int yc__body_asset_object(struct yc_dec *d, uint32_t *left, enum yc_tx_type t,
                          union yc_tx_body *u)
{
    struct yc_body_asset_object *b = &u->asset_object;
    (void)t;
    TRY(req_id(d, left, "asset", b->asset));
    TRY(req_digest(d, left, "evidence", b->evidence));
    return req_text(d, left, "reason", &b->reason, YC_CODE_MAX);
}

int yc__body_asset_resolve(struct yc_dec *d, uint32_t *left, enum yc_tx_type t,
                           union yc_tx_body *u)
{
    struct yc_body_asset_resolve *b = &u->asset_resolve;
    bool has;
    (void)t;
    OPT_BEGIN(d, left, "note", &has);
    if (has) {
        TRY(yc__dec_text(d, &b->note, 1, YC_NAME_MAX));
    }
    TRY(req_id(d, left, "objection", b->objection));
    return req_text(d, left, "outcome", &b->outcome, YC_CODE_MAX);
}

/* asset.certify {asset}; asset.retire {asset, reason?}. */
int yc__body_asset_ref(struct yc_dec *d, uint32_t *left, enum yc_tx_type t, union yc_tx_body *u)
{
    struct yc_body_asset_ref *b = &u->asset_ref;
    bool has;

    TRY(req_id(d, left, "asset", b->asset));
    if (t == YC_TX_ASSET_RETIRE) {
        OPT_BEGIN(d, left, "reason", &has);
        if (has) {
            TRY(yc__dec_text(d, &b->reason, 1, YC_CODE_MAX));
        }
    }
    return YC_OK;
}

int yc__body_asset_update(struct yc_dec *d, uint32_t *left, enum yc_tx_type t,
                          union yc_tx_body *u)
{
    struct yc_body_asset_update *b = &u->asset_update;
    bool has;
    (void)t;
    TRY(req_id(d, left, "asset", b->asset));
    TRY(req_digest(d, left, "digest", b->digest));
    OPT_BEGIN(d, left, "note", &has);
    if (has) {
        TRY(yc__dec_text(d, &b->note, 1, YC_NAME_MAX));
    }
    OPT_BEGIN(d, left, "parents", &b->has_parents);
    if (b->has_parents) {
        TRY(dec_parents(d, b->parents, &b->nparents));
    }
    OPT_BEGIN(d, left, "title", &has);
    if (has) {
        TRY(yc__dec_text(d, &b->title, 1, YC_NAME_MAX));
    }
    return YC_OK;
}

int yc__body_right_transfer(struct yc_dec *d, uint32_t *left, enum yc_tx_type t,
                            union yc_tx_body *u)
{
    struct yc_body_right_transfer *b = &u->right_transfer;
    (void)t;
    TRY(req_id(d, left, "asset", b->asset));
    TRY(req_text(d, left, "right", &b->right, YC_CODE_MAX));
    TRY(yc__field_req(d, left, "to"));
    return yc__dec_pub(d, b->to);
}

int yc__body_right_license(struct yc_dec *d, uint32_t *left, enum yc_tx_type t,
                           union yc_tx_body *u)
{
    struct yc_body_right_license *b = &u->right_license;
    bool has;
    (void)t;
    TRY(req_id(d, left, "asset", b->asset));
    OPT_BEGIN(d, left, "fee", &has);
    if (has && yc_dec_uint(d, &b->fee) != YC_OK) {
        return YC_EBADFIELD;
    }
    TRY(yc__field_req(d, left, "licensee"));
    TRY(yc__dec_pub(d, b->licensee));
    OPT_BEGIN(d, left, "max_uses", &has);
    if (has && yc_dec_uint(d, &b->max_uses) != YC_OK) {
        return YC_EBADFIELD;
    }
    OPT_BEGIN(d, left, "not_before", &has);
    if (has && yc_dec_uint(d, &b->not_before) != YC_OK) {
        return YC_EBADFIELD;
    }
    TRY(yc__field_req(d, left, "operations"));
    TRY(yc__dec_list(d, &b->operations, YC_CODE_MAX));
    TRY(yc__field_req(d, left, "purposes"));
    TRY(yc__dec_list(d, &b->purposes, YC_CODE_MAX));
    TRY(yc__field_req(d, left, "until"));
    if (yc_dec_uint(d, &b->until) != YC_OK) {
        return YC_EBADFIELD;
    }
    return req_text(d, left, "visibility", &b->visibility, YC_CODE_MAX);
}

int yc__body_license_revoke(struct yc_dec *d, uint32_t *left, enum yc_tx_type t,
                            union yc_tx_body *u)
{
    (void)t;
    return req_id(d, left, "license", u->license_revoke.license);
}

int yc__body_carry_request(struct yc_dec *d, uint32_t *left, enum yc_tx_type t,
                           union yc_tx_body *u)
{
    struct yc_body_carry_request *b = &u->carry_request;
    (void)t;
    OPT_BEGIN(d, left, "asset", &b->has_asset); /* issue 5: the asset carried, if any */
    if (b->has_asset) {
        TRY(yc__dec_fixed(d, b->asset, YC_HASH_LEN, YC_EBADFIELD));
    }
    TRY(yc__field_req(d, left, "categories"));
    TRY(yc__dec_list(d, &b->categories, YC_CODE_MAX));
    TRY(yc__field_req(d, left, "holder"));
    TRY(yc__dec_pub(d, b->holder));
    TRY(yc__field_req(d, left, "recipient"));
    return yc__dec_pub(d, b->recipient);
}

/* carry.complete {carry, package}; carry.reject {carry, reason}. */
int yc__body_carry_close(struct yc_dec *d, uint32_t *left, enum yc_tx_type t,
                         union yc_tx_body *u)
{
    struct yc_body_carry_close *b = &u->carry_close;

    TRY(req_id(d, left, "carry", b->carry));
    if (t == YC_TX_CARRY_COMPLETE) {
        b->has_package = true;
        return req_digest(d, left, "package", b->package);
    }
    return req_text(d, left, "reason", &b->reason, YC_CODE_MAX);
}
