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
        YC__TRY(yc__dec_pub(d, b->contributors[i].pub));
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
    YC__TRY(yc__req_text(d, left, "catalog", &b->catalog, 0, YC_CODE_MAX));
    YC__TRY(yc__field_req(d, left, "contributors"));
    YC__TRY(dec_contributors(d, b));
    YC__TRY(yc__req_fixed(d, left, "digest", b->digest, YC_HASH_LEN, YC_EBADDIGEST));
    YC__TRY(yc__req_text(d, left, "grade", &b->grade, 0, YC_CODE_MAX));
    YC__TRY(yc__req_text(d, left, "openness", &b->openness, 0, YC_CODE_MAX));
    YC__OPT(d, left, "parents", &has,
            yc__dec_bins(d, b->parents, YC_HASH_LEN, YC_PARENTS_MAX, &b->nparents));
    YC__TRY(yc__req_text(d, left, "sector", &b->sector, 0, YC_CODE_MAX));
    YC__TRY(yc__req_text(d, left, "source", &b->source, 0, YC_CODE_MAX));
    YC__TRY(yc__req_text(d, left, "title", &b->title, 0, YC_NAME_MAX));
    YC__TRY(yc__opt_fixed(d, left, "usage", &b->has_usage, b->usage, YC_HASH_LEN, YC_EBADFIELD));
    return YC_OK;
}

int yc__body_asset_object(struct yc_dec *d, uint32_t *left, enum yc_tx_type t,
                          union yc_tx_body *u)
{
    struct yc_body_asset_object *b = &u->asset_object;
    (void)t;
    YC__TRY(yc__req_fixed(d, left, "asset", b->asset, YC_HASH_LEN, YC_EBADFIELD));
    YC__TRY(yc__req_fixed(d, left, "evidence", b->evidence, YC_HASH_LEN, YC_EBADDIGEST));
    return yc__req_text(d, left, "reason", &b->reason, 0, YC_CODE_MAX);
}

int yc__body_asset_resolve(struct yc_dec *d, uint32_t *left, enum yc_tx_type t,
                           union yc_tx_body *u)
{
    struct yc_body_asset_resolve *b = &u->asset_resolve;
    (void)t;
    YC__TRY(yc__opt_text(d, left, "note", &b->note, YC_NAME_MAX));
    YC__TRY(yc__req_fixed(d, left, "objection", b->objection, YC_HASH_LEN, YC_EBADFIELD));
    return yc__req_text(d, left, "outcome", &b->outcome, 0, YC_CODE_MAX);
}

/* asset.certify {asset}; asset.retire {asset, reason?}. */
int yc__body_asset_ref(struct yc_dec *d, uint32_t *left, enum yc_tx_type t, union yc_tx_body *u)
{
    struct yc_body_asset_ref *b = &u->asset_ref;

    YC__TRY(yc__req_fixed(d, left, "asset", b->asset, YC_HASH_LEN, YC_EBADFIELD));
    if (t == YC_TX_ASSET_RETIRE) {
        YC__TRY(yc__opt_text(d, left, "reason", &b->reason, YC_CODE_MAX));
    }
    return YC_OK;
}

int yc__body_asset_update(struct yc_dec *d, uint32_t *left, enum yc_tx_type t,
                          union yc_tx_body *u)
{
    struct yc_body_asset_update *b = &u->asset_update;
    (void)t;
    YC__TRY(yc__req_fixed(d, left, "asset", b->asset, YC_HASH_LEN, YC_EBADFIELD));
    YC__TRY(yc__req_fixed(d, left, "digest", b->digest, YC_HASH_LEN, YC_EBADDIGEST));
    YC__TRY(yc__opt_text(d, left, "note", &b->note, YC_NAME_MAX));
    YC__OPT(d, left, "parents", &b->has_parents,
            yc__dec_bins(d, b->parents, YC_HASH_LEN, YC_PARENTS_MAX, &b->nparents));
    YC__TRY(yc__opt_text(d, left, "title", &b->title, YC_NAME_MAX));
    return YC_OK;
}

int yc__body_right_transfer(struct yc_dec *d, uint32_t *left, enum yc_tx_type t,
                            union yc_tx_body *u)
{
    struct yc_body_right_transfer *b = &u->right_transfer;
    (void)t;
    YC__TRY(yc__req_fixed(d, left, "asset", b->asset, YC_HASH_LEN, YC_EBADFIELD));
    YC__TRY(yc__req_text(d, left, "right", &b->right, 0, YC_CODE_MAX));
    return yc__req_pub(d, left, "to", b->to);
}

int yc__body_right_license(struct yc_dec *d, uint32_t *left, enum yc_tx_type t,
                           union yc_tx_body *u)
{
    struct yc_body_right_license *b = &u->right_license;
    bool has;
    (void)t;
    YC__TRY(yc__req_fixed(d, left, "asset", b->asset, YC_HASH_LEN, YC_EBADFIELD));
    YC__OPT(d, left, "fee", &has, yc_dec_uint(d, &b->fee));
    YC__TRY(yc__req_pub(d, left, "licensee", b->licensee));
    YC__OPT(d, left, "max_uses", &has, yc_dec_uint(d, &b->max_uses));
    YC__OPT(d, left, "not_before", &has, yc_dec_uint(d, &b->not_before));
    YC__TRY(yc__req_list(d, left, "operations", &b->operations, YC_CODE_MAX));
    YC__TRY(yc__req_list(d, left, "purposes", &b->purposes, YC_CODE_MAX));
    YC__TRY(yc__req_u64(d, left, "until", &b->until));
    return yc__req_text(d, left, "visibility", &b->visibility, 0, YC_CODE_MAX);
}

int yc__body_license_revoke(struct yc_dec *d, uint32_t *left, enum yc_tx_type t,
                            union yc_tx_body *u)
{
    (void)t;
    return yc__req_fixed(d, left, "license", u->license_revoke.license, YC_HASH_LEN, YC_EBADFIELD);
}

int yc__body_carry_request(struct yc_dec *d, uint32_t *left, enum yc_tx_type t,
                           union yc_tx_body *u)
{
    struct yc_body_carry_request *b = &u->carry_request;
    (void)t;
    /* the asset carried, if any */
    YC__TRY(yc__opt_fixed(d, left, "asset", &b->has_asset, b->asset, YC_HASH_LEN, YC_EBADFIELD));
    YC__TRY(yc__req_list(d, left, "categories", &b->categories, YC_CODE_MAX));
    YC__TRY(yc__req_pub(d, left, "holder", b->holder));
    return yc__req_pub(d, left, "recipient", b->recipient);
}

/* carry.complete {carry, package}; carry.reject {carry, reason}. */
int yc__body_carry_close(struct yc_dec *d, uint32_t *left, enum yc_tx_type t,
                         union yc_tx_body *u)
{
    struct yc_body_carry_close *b = &u->carry_close;

    YC__TRY(yc__req_fixed(d, left, "carry", b->carry, YC_HASH_LEN, YC_EBADFIELD));
    if (t == YC_TX_CARRY_COMPLETE) {
        b->has_package = true;
        return yc__req_fixed(d, left, "package", b->package, YC_HASH_LEN, YC_EBADDIGEST);
    }
    return yc__req_text(d, left, "reason", &b->reason, 0, YC_CODE_MAX);
}
