/*
 * exec_consent.c — consent.grant and consent.revoke (DESIGN.md §5, consent): the
 * essentials of an ISO/IEC TS 27560 consent record, kept under consent/<tx id> with
 * an index entry by subject and one by processor.
 *
 * A consent is never deleted: revocation stamps revoked_at with the block height, so
 * the history of who was allowed what, and until when, stays on the ledger.
 */
#include <string.h>

#include "ledger_int.h"

/* The operations a consent may allow (DESIGN.md §5). */
static const char *const OPERATIONS[] = {"collect", "hold", "host", "use"};

static bool is_operation(const struct yc_slice *s)
{
    for (size_t i = 0; i < sizeof OPERATIONS / sizeof OPERATIONS[0]; i++) {
        if (yc__slice_eq(s, OPERATIONS[i])) {
            return true;
        }
    }
    return false;
}

static bool operations_ok(const struct yc_list *l)
{
    if (l->n == 0 || !yc__is_code_set(l)) {
        return false;
    }
    for (uint32_t i = 0; i < l->n; i++) {
        if (!is_operation(&l->items[i])) {
            return false;
        }
    }
    return true;
}

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

int yc__check_consent_grant(const struct yc__env *e)
{
    return e->role == YC_ROLE_INDIVIDUAL || e->role == YC_ROLE_ENTERPRISE ? YC_OK : YC_ENOTAUTH;
}

int yc__exec_consent_grant(const struct yc__env *e)
{
    const struct yc_body_consent_grant *b = &e->tx->b.consent_grant;
    const uint8_t *id = e->tx->id;
    int rc = yc__acct_exists(e->o, b->processor);

    if (rc != YC_OK) {
        return rc;
    }
    if (memcmp(b->processor, e->tx->sender, YC_PUBKEY_LEN) == 0) {
        return YC_EBADFIELD; /* a consent is given to someone else */
    }
    if (b->categories.n == 0 || !yc__is_code_set(&b->categories) || b->purposes.n == 0 ||
        !yc__is_code_set(&b->purposes) || !operations_ok(&b->operations)) {
        return YC_EBADFIELD;
    }
    if (b->until <= b->not_before || b->until <= e->ctx->time_ms) {
        return YC_EBADTIME;
    }
    if (!yc__is_jurisdiction(&b->jurisdiction)) {
        return YC_EBADFIELD;
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
    const uint8_t *id = e->tx->b.consent_revoke.consent;
    struct yc_consent c;
    int rc = yc__consent_load(e->o, id, &c);

    if (rc != YC_OK) {
        return rc;
    }
    if (memcmp(c.subject, e->tx->sender, YC_PUBKEY_LEN) != 0) {
        return YC_ENOTAUTH;
    }
    if (c.revoked_at != 0) {
        return YC_ECONSENTREVOKED;
    }
    c.revoked_at = e->ctx->height;
    return yc__consent_store(e->o, id, &c);
}
