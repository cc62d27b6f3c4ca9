/*
 * exec_consent.c — consent.grant and consent.revoke (DESIGN.md §5, consent): the
 * essentials of an ISO/IEC TS 27560 consent record, kept under consent/<tx id> with
 * an index entry by subject and one by processor.
 *
 * A consent is never deleted: revocation stamps revoked_at with the block height, so
 * the history of who was allowed what, and until when, stays on the ledger.
 */
#include <string.h>

#include "exec_words.h"
#include "ledger_int.h"

int yc__consent_load(yc_overlay *o, const uint8_t id[YC_HASH_LEN], struct yc_consent *c)
{
    uint8_t key[YC_KEY_MAX];
    size_t klen = yc_key_consent(key, id);
    const uint8_t *v;
    size_t vlen;
    int rc = yc_overlay_get(o, key, klen, &v, &vlen);

    if (rc == YC_ENOTFOUND) {
        return YC_EUNKNOWNCONSENT;
    }
    if (rc != YC_OK) {
        return rc;
    }
    return yc_consent_decode(c, v, vlen);
}

static int enc_consent(const void *c, struct yc_buf *b)
{
    return yc_consent_encode(c, b);
}

int yc__consent_store(yc_overlay *o, const uint8_t id[YC_HASH_LEN], const struct yc_consent *c)
{
    uint8_t key[YC_KEY_MAX];
    return yc__obj_put(o, key, yc_key_consent(key, id), c, enc_consent);
}

int yc__refuse_consent(const struct yc__env *e, const char *field, const uint8_t id[YC_HASH_LEN])
{
    char h[YC__HEX_MAX];

    yc__hex(h, id, YC_HASH_LEN);
    return yc__refuse(e, YC_EUNKNOWNCONSENT, "%s %s: no such consent", field, h);
}

int yc__check_consent_grant(const struct yc__env *e)
{
    if (e->role == YC_ROLE_INDIVIDUAL || e->role == YC_ROLE_ENTERPRISE) {
        return YC_OK;
    }
    return yc__refuse_role(e, "the data subject (an individual or an enterprise) grants "
                              "consent");
}

int yc__exec_consent_grant(const struct yc__env *e)
{
    const struct yc_body_consent_grant *b = &e->tx->b->consent_grant;
    const uint8_t *id = e->tx->id;
    int rc = yc__need_account(e, "processor", b->processor);

    if (rc != YC_OK) {
        return rc;
    }
    if (memcmp(b->processor, e->tx->sender, YC_PUBKEY_LEN) == 0) {
        /* a consent is given to someone else */
        return yc__refuse(e, YC_EBADFIELD,
                          "processor: the subject itself; a consent is given to another account");
    }
    if ((rc = yc__need_code_set(e, "categories", &b->categories, true)) != YC_OK ||
        (rc = yc__need_code_set(e, "purposes", &b->purposes, true)) != YC_OK ||
        (rc = yc__need_enum_set(e, "operations", YC_ENUM_CONSENT_OP, &b->operations)) != YC_OK ||
        (rc = yc__need_window(e, "until", b->not_before, b->until)) != YC_OK ||
        (rc = yc__need_jurisdiction(e, "jurisdiction", &b->jurisdiction)) != YC_OK) {
        return rc;
    }
    /* the codes of the chain's code lists (after every other rule, so that a consent
     * those refused keeps its code) */
    if ((rc = yc__need_known_set(e, YC_CODES_CATEGORY, "categories", &b->categories)) != YC_OK ||
        (rc = yc__need_known_set(e, YC_CODES_PURPOSE, "purposes", &b->purposes)) != YC_OK) {
        return rc;
    }
    struct yc_consent c = {
        .categories = b->categories,
        .fee_per_use = b->fee_per_use,
        .granted_at = e->ctx->height,
        .jurisdiction = b->jurisdiction,
        .max_uses = b->max_uses,
        .not_before = b->not_before,
        .onward_transfer = b->onward_transfer,
        .operations = b->operations,
        .purposes = b->purposes,
        .retention_days = b->retention_days,
        .revoked_at = 0,
        .until = b->until,
        .uses = 0,
    };
    memcpy(c.processor, b->processor, YC_PUBKEY_LEN);
    memcpy(c.subject, e->tx->sender, YC_PUBKEY_LEN);
    rc = yc__consent_store(e->o, id, &c);
    if (rc == YC_OK) {
        rc = yc__put_index(e->o, yc_key_idx_consent_subject, e->tx->sender, id, YC_HASH_LEN);
    }
    if (rc == YC_OK) {
        rc = yc__put_index(e->o, yc_key_idx_consent_processor, b->processor, id, YC_HASH_LEN);
    }
    return rc;
}

int yc__exec_consent_revoke(const struct yc__env *e)
{
    const uint8_t *id = e->tx->b->consent_revoke.consent;
    struct yc_consent c;
    char h[YC__HEX_MAX];
    int rc = yc__consent_load(e->o, id, &c);

    if (rc != YC_OK) {
        return rc == YC_EUNKNOWNCONSENT ? yc__refuse_consent(e, "consent", id) : rc;
    }
    yc__hex(h, id, YC_HASH_LEN);
    if (memcmp(c.subject, e->tx->sender, YC_PUBKEY_LEN) != 0) {
        return yc__refuse(e, YC_ENOTAUTH, "consent %s: only its subject revokes it", h);
    }
    if (c.revoked_at != 0) {
        return yc__refuse(e, YC_ECONSENTREVOKED, "consent %s: already revoked at height %llu", h,
                          (unsigned long long)c.revoked_at);
    }
    c.revoked_at = e->ctx->height;
    return yc__consent_store(e->o, id, &c);
}
