/*
 * exec_right.c — the rights of an asset (DESIGN.md §5, rights; docs/domain.md):
 * right.transfer, right.license, license.revoke, and the license rules of
 * usage.record.
 *
 * The three rights move separately. A license is granted under `process` for raw data
 * (an asset without parents) or under `operate` for a data product (an asset with
 * parents), by that right's holder, on a certified, live asset. "Usable but not
 * visible": an invisible license never covers `export`. A license is never deleted:
 * revocation stamps revoked_at, and every use counts against max_uses.
 *
 * The supervision rules: a pledged hold right does not move (`pledged`);
 * a transfer or license to or from a party outside CN is cross-border (core data never,
 * important data only with an export approval: exec_supervise.c); licenses obey the
 * negative list and raise the policy's alerts.
 */
#include <string.h>

#include "exec_words.h"
#include "ledger_int.h"
#include "yc/timefmt.h"
#include "yc/market.h"

/* Roles that may take a license: organisations that use data. */
bool yc__role_may_license(enum yc_role r)
{
    return yc__role_may_hold(r) || r == YC_ROLE_FINANCIAL || r == YC_ROLE_APPRAISER;
}

static int enc_license(const void *l, struct yc_buf *b)
{
    return yc_license_encode(l, b);
}

static int license_store(yc_overlay *o, const uint8_t id[YC_HASH_LEN], const struct yc_license *l)
{
    uint8_t key[YC_KEY_MAX];
    return yc__obj_put(o, key, yc_key_license(key, id), l, enc_license);
}

int yc__license_put(yc_overlay *o, const uint8_t id[YC_HASH_LEN], const struct yc_license *l)
{
    int rc = license_store(o, id, l);
    if (rc == YC_OK) {
        rc = yc__put_index(o, yc_key_idx_license_asset, l->asset, id, YC_HASH_LEN);
    }
    if (rc == YC_OK) {
        rc = yc__put_index(o, yc_key_idx_license_licensee, l->licensee, id, YC_HASH_LEN);
    }
    return rc;
}

static int license_load(yc_overlay *o, const uint8_t id[YC_HASH_LEN], struct yc_license *l)
{
    uint8_t key[YC_KEY_MAX];
    size_t klen = yc_key_license(key, id);
    const uint8_t *v;
    size_t vlen;
    int rc = yc_overlay_get(o, key, klen, &v, &vlen);

    if (rc == YC_ENOTFOUND) {
        return YC_EUNKNOWNLICENSE;
    }
    return rc == YC_OK ? yc_license_decode(l, v, vlen) : rc;
}

static int refuse_license(const struct yc__env *e, int rc, const uint8_t id[YC_HASH_LEN])
{
    char h[YC__HEX_MAX];

    if (rc != YC_EUNKNOWNLICENSE) {
        return rc;
    }
    yc__hex(h, id, YC_HASH_LEN);
    return yc__refuse(e, rc, "license: no such license %s", h);
}

int yc__asset_tradable(const struct yc_asset *a)
{
    if (a->voided_at != 0) {
        return YC_ECLOSED;
    }
    if (a->retired_at != 0) {
        return YC_ERETIRED;
    }
    return a->certified_at != 0 ? YC_OK : YC_ENOTCERTIFIED;
}

/* The counterparty of a transfer or license: registered (YC_EUNKNOWNACCT), not the
 * sender (YC_EBADFIELD), of a fitting role (YC_EBADROLE). */
static int check_counterparty(const struct yc__env *e, const char *field,
                              const uint8_t pub[YC_PUBKEY_LEN], bool (*fits)(enum yc_role),
                              const char *who)
{
    struct yc_account a;
    int rc = yc__need_account(e, field, pub);

    if (rc == YC_OK) {
        rc = yc__acct_load(e->o, pub, &a);
    }
    if (rc != YC_OK) {
        return rc;
    }
    if (memcmp(pub, e->tx->sender, YC_PUBKEY_LEN) == 0) {
        return yc__refuse(e, YC_EBADFIELD, "%s: the sender itself; name another account", field);
    }
    if (!fits(a.role)) {
        return yc__refuse(e, YC_EBADROLE, "%s: a %s; %s", field, yc_role_name(a.role), who);
    }
    return YC_OK;
}

#define HOLDERS "rights are held by an enterprise, processor, data_merchant, custodian or agency"
#define LICENSEES                                                                          \
    "a licensee is an enterprise, processor, data_merchant, custodian, agency, financial " \
    "institution or appraiser"

int yc__exec_right_transfer(const struct yc__env *e)
{
    const struct yc_body_right_transfer *b = &e->tx->b->right_transfer;
    enum yc_right r = yc_right_from_name(b->right.p, b->right.len);
    uint8_t holder[YC_PUBKEY_LEN];
    struct yc_asset a;
    int rc;

    if (r == YC_RIGHT_COUNT) {
        return yc__need_enum(e, "right", YC_ENUM_RIGHT, &b->right);
    }
    rc = yc__load_asset(e, "asset", b->asset, &a);
    if (rc == YC_OK) {
        rc = yc__need_holder(e, b->asset, r, holder);
    }
    if (rc != YC_OK) {
        return rc;
    }
    if ((rc = yc__need_tradable(e, b->asset, &a)) != YC_OK ||
        (r == YC_RIGHT_HOLD && (rc = yc__need_unpledged(e, b->asset)) != YC_OK) ||
        (rc = yc__need_active(e, "sender", e->tx->sender, NULL)) != YC_OK ||
        (rc = check_counterparty(e, "to", b->to, yc__role_may_hold, HOLDERS)) != YC_OK) {
        return rc;
    }
    /* a right held abroad is data abroad: the grade rules of the border apply */
    struct yc__border bd;
    rc = yc__border_check(e, b->asset, yc_grade_from_name(a.grade.p, a.grade.len), e->tx->sender,
                          b->to, &bd);
    if (rc != YC_OK) {
        return rc;
    }
    return yc__set_right(e->o, b->asset, r, holder, b->to, e->ctx->height);
}

int yc__exec_right_license(const struct yc__env *e)
{
    const struct yc_body_right_license *b = &e->tx->b->right_license;
    uint8_t holder[YC_PUBKEY_LEN];
    struct yc_asset a;
    enum yc_right r;
    bool invisible = yc__slice_eq(&b->visibility, "invisible");
    struct yc_slice exp = {"export", 6};
    int rc = yc__load_asset(e, "asset", b->asset, &a);

    if (rc != YC_OK) {
        return rc;
    }
    /* raw data is licensed under `process`, a data product under `operate` */
    r = a.nparents > 0 ? YC_RIGHT_OPERATE : YC_RIGHT_PROCESS;
    rc = yc__need_holder(e, b->asset, r, holder);
    if (rc != YC_OK) {
        return rc;
    }
    if ((rc = yc__need_tradable(e, b->asset, &a)) != YC_OK ||
        (rc = yc__need_active(e, "sender", e->tx->sender, NULL)) != YC_OK ||
        (rc = check_counterparty(e, "licensee", b->licensee, yc__role_may_license, LICENSEES)) !=
            YC_OK) {
        return rc;
    }
    if ((rc = yc__need_enum_set(e, "operations", YC_ENUM_LICENSE_OP, &b->operations)) != YC_OK ||
        (rc = yc__need_code_set(e, "purposes", &b->purposes, true)) != YC_OK ||
        (rc = yc__need_enum(e, "visibility", YC_ENUM_VISIBILITY, &b->visibility)) != YC_OK) {
        return rc;
    }
    if (yc__list_has(&b->operations, &exp)) {
        if (invisible) {
            /* usable but not visible: never exported */
            return yc__refuse(e, YC_EBADFIELD,
                              "operations: 'export' with visibility invisible; an invisible "
                              "license is usable but never exported");
        }
        if (yc_grade_from_name(a.grade.p, a.grade.len) == YC_GRADE_CORE) {
            return yc__refuse(e, YC_ECOREDATA,
                              "operations: 'export' of core data is never licensed");
        }
    }
    if ((rc = yc__need_window(e, "until", b->not_before, b->until)) != YC_OK) {
        return rc;
    }
    /* supervision: the negative list, then the border; both read state the asset's
     * slices do not borrow */
    struct yc_policy pol;
    struct yc__border bd;
    enum yc_grade grade = yc_grade_from_name(a.grade.p, a.grade.len);
    const uint8_t *parties[2] = {e->tx->sender, b->licensee};
    rc = yc__policy_load(e->o, &pol);
    if (rc == YC_OK) {
        rc = yc__border_check(e, b->asset, grade, e->tx->sender, b->licensee, &bd);
    }
    if (rc == YC_OK) {
        struct yc_slice dest = {bd.dest, bd.dest_len};
        rc = yc__neglist_why(e, &pol, &a, NULL, parties, 2, bd.cross ? &dest : NULL);
    }
    if (rc == YC_OK) {
        rc = yc__alert_movement(e, &pol, bd.cross, grade, b->asset, b->licensee, 0);
    }
    if (rc == YC_OK) {
        /* the chain's purposes (after every other rule, so that older refusals keep their
         * codes) */
        rc = yc__need_known_set(e, YC_CODES_PURPOSE, "purposes", &b->purposes);
    }
    if (rc != YC_OK) {
        return rc;
    }
    struct yc_license l = {
        .fee = b->fee,
        .granted_at = e->ctx->height,
        .max_uses = b->max_uses,
        .not_before = b->not_before,
        .operations = b->operations,
        .purposes = b->purposes,
        .right = {yc_right_name(r), strlen(yc_right_name(r))},
        .until = b->until,
        .visibility = b->visibility,
    };
    memcpy(l.asset, b->asset, YC_HASH_LEN);
    memcpy(l.licensee, b->licensee, YC_PUBKEY_LEN);
    memcpy(l.licensor, e->tx->sender, YC_PUBKEY_LEN);
    return yc__license_put(e->o, e->tx->id, &l);
}

int yc__exec_license_revoke(const struct yc__env *e)
{
    const uint8_t *id = e->tx->b->license_revoke.license;
    struct yc_license l;
    uint8_t holder[YC_PUBKEY_LEN];
    char h[YC__HEX_MAX];
    int rc = license_load(e->o, id, &l);

    if (rc != YC_OK) {
        return refuse_license(e, rc, id);
    }
    yc__hex(h, id, YC_HASH_LEN);
    /* the licensor, or whoever holds the right the license was granted under now */
    if (memcmp(l.licensor, e->tx->sender, YC_PUBKEY_LEN) != 0) {
        enum yc_right r = yc_right_from_name(l.right.p, l.right.len);
        if (r == YC_RIGHT_COUNT) {
            return YC_ECORRUPT;
        }
        rc = yc__sender_holds(e, l.asset, r, holder);
        if (rc == YC_ENOTAUTH) {
            return yc__refuse(e, rc,
                              "license %s: only its licensor or the holder of the %s right "
                              "revokes it",
                              h, yc_right_name(r));
        }
        if (rc != YC_OK) {
            return rc == YC_EUNKNOWNASSET ? YC_ECORRUPT : rc;
        }
    }
    if (l.revoked_at != 0) {
        return yc__refuse(e, YC_ELICENSEREVOKED, "license %s: already revoked at height %llu", h,
                          (unsigned long long)l.revoked_at);
    }
    l.revoked_at = e->ctx->height;
    return license_store(e->o, id, &l);
}

int yc__use_license(const struct yc__env *e, uint8_t asset[YC_HASH_LEN],
                    uint8_t licensor[YC_PUBKEY_LEN], uint64_t *fee)
{
    const struct yc_body_usage_record *b = &e->tx->b->usage_record;
    uint64_t t = e->ctx->time_ms;
    struct yc_license l;
    struct yc_asset a;
    char h[YC__HEX_MAX], whose[16 + YC__HEX_MAX];
    int rc = license_load(e->o, b->license, &l);

    if (rc != YC_OK) {
        return refuse_license(e, rc, b->license);
    }
    yc__hex(h, b->license, YC_HASH_LEN);
    if (memcmp(l.licensee, e->tx->sender, YC_PUBKEY_LEN) != 0) {
        return yc__refuse(e, YC_ENOTAUTH, "license %s: only its licensee uses it", h);
    }
    if (l.revoked_at != 0) {
        return yc__refuse(e, YC_ELICENSEREVOKED, "license %s: revoked at height %llu", h,
                          (unsigned long long)l.revoked_at);
    }
    if (t < l.not_before || t >= l.until) {
        char t1[32], t2[32];
        yc_time_rfc3339(t1, t < l.not_before ? l.not_before : l.until);
        yc_time_rfc3339(t2, t);
        return yc__refuse(e, YC_EEXPIRED, "license %s: %s %s (block time %s)", h,
                          t < l.not_before ? "valid only from" : "expired at", t1, t2);
    }
    memcpy(whose, "license ", 8);
    memcpy(whose + 8, h, sizeof h);
    if ((rc = yc__need_in(e, YC_EOUTOFSCOPE, "purpose", &b->purpose, &l.purposes, whose)) !=
            YC_OK ||
        (rc = yc__need_in(e, YC_EOUTOFSCOPE, "operation", &b->operation, &l.operations, whose)) !=
            YC_OK) {
        return rc;
    }
    if (yc__slice_eq(&l.visibility, "invisible") && yc__slice_eq(&b->operation, "export")) {
        return yc__refuse(e, YC_EOUTOFSCOPE,
                          "operation: 'export' under invisible license %s (usable, never "
                          "exported)",
                          h);
    }
    if (l.max_uses != 0 && l.uses >= l.max_uses) {
        return yc__refuse(e, YC_ENOUSESLEFT, "license %s: all %llu uses it allows are recorded", h,
                          (unsigned long long)l.max_uses);
    }
    rc = yc__asset_load(e->o, l.asset, &a);
    if (rc != YC_OK) {
        return rc == YC_EUNKNOWNASSET ? YC_ECORRUPT : rc;
    }
    if (a.voided_at != 0 || a.retired_at != 0) {
        yc__hex(h, l.asset, YC_HASH_LEN);
        return a.voided_at != 0
                   ? yc__refuse(e, YC_ECLOSED, "asset %s of the license is void", h)
                   : yc__refuse(e, YC_ERETIRED, "asset %s of the license was retired", h);
    }
    if (yc_grade_from_name(a.grade.p, a.grade.len) == YC_GRADE_IMPORTANT) {
        struct yc_policy pol;
        rc = yc__policy_load(e->o, &pol);
        if (rc == YC_OK && pol.alert_important) {
            rc = yc__alert(e, &pol, "important_data", e->tx->sender, l.asset, 0);
        }
        if (rc != YC_OK) {
            return rc;
        }
    }
    l.uses++;
    memcpy(asset, l.asset, YC_HASH_LEN);
    memcpy(licensor, l.licensor, YC_PUBKEY_LEN);
    *fee = l.fee;
    rc = license_store(e->o, b->license, &l);
    if (rc == YC_OK && *fee > 0) {
        rc = yc__debit(e, "fee", e->tx->sender, *fee);
        if (rc == YC_OK) {
            rc = yc__credit(e, "fee", licensor, *fee);
        }
    }
    return rc;
}
