/*
 * exec_pledge.c — financing against data assets (DESIGN.md §5, finance; docs/domain.md):
 * pledge.create by the holder of an asset's `hold` right with the pledgee's
 * co-signature, pledge.release and pledge.enforce by the pledgee.
 *
 * Invariants kept here:
 *   - an asset has at most one active pledge, named by pledged/<asset>; while it exists
 *     the hold right cannot be transferred, listed, sold or retired (`pledged`, checked
 *     through yc__asset_unpledged by exec_right.c, exec_asset.c and exec_market.c);
 *   - the pledgee agreed: the transaction carries its co-signature over the same id
 *     (yc_tx_verify checked the signature itself; its presence is part of the envelope,
 *     ledger.c check_cosigners, so a pledge stripped of it cannot be in a block);
 *   - enforcement happens only at or after the due time (block time) and moves the hold
 *     right to the pledgee; a pledge is closed once, never deleted.
 */
#include <string.h>

#include "exec_words.h"
#include "ledger_int.h"
#include "yc/timefmt.h"
#include "yc/market.h"

static int dec_pledge(void *o, const uint8_t *p, size_t n)
{
    return yc_pledge_decode(o, p, n);
}
static int enc_pledge(const void *o, struct yc_buf *b)
{
    return yc_pledge_encode(o, b);
}

int yc__asset_unpledged(yc_overlay *o, const uint8_t asset[YC_HASH_LEN])
{
    uint8_t key[YC_KEY_MAX];
    int rc = yc__key_exists(o, key, yc_key_pledged(key, asset));

    if (rc == YC_OK) {
        return YC_EPLEDGED;
    }
    return rc == YC_ENOTFOUND ? YC_OK : rc;
}

int yc__exec_pledge_create(const struct yc__env *e)
{
    const struct yc_body_pledge_create *b = &e->tx->b->pledge_create;
    uint8_t holder[YC_PUBKEY_LEN], key[YC_KEY_MAX];
    struct yc_asset a;
    struct yc_account pa;
    int rc;

    if (b->amount == 0) {
        return yc__refuse(e, YC_EBADFIELD, "amount: 0 fen; a pledge secures more than 0");
    }
    if (memcmp(b->pledgee, e->tx->sender, YC_PUBKEY_LEN) == 0) {
        return yc__refuse(e, YC_EBADFIELD,
                          "pledgee: the sender itself; name the financial "
                          "institution");
    }
    rc = yc__load_asset(e, "asset", b->asset, &a);
    if (rc == YC_OK) {
        rc = yc__need_holder(e, b->asset, YC_RIGHT_HOLD, holder);
    }
    if (rc != YC_OK) {
        return rc;
    }
    if ((rc = yc__need_tradable(e, b->asset, &a)) != YC_OK ||
        (rc = yc__need_unpledged(e, b->asset)) != YC_OK ||
        (rc = yc__need_active(e, "sender", e->tx->sender, NULL)) != YC_OK) {
        return rc;
    }
    rc = yc__need_account(e, "pledgee", b->pledgee);
    if (rc == YC_OK) {
        rc = yc__acct_load(e->o, b->pledgee, &pa);
    }
    if (rc != YC_OK) {
        return rc;
    }
    if (pa.role != YC_ROLE_FINANCIAL) {
        return yc__refuse(e, YC_EBADROLE, "pledgee: a %s; a pledgee is a financial institution",
                          yc_role_name(pa.role));
    }
    if (b->due <= e->ctx->time_ms) {
        char t1[32], t2[32];
        yc_time_rfc3339(t1, b->due);
        yc_time_rfc3339(t2, e->ctx->time_ms);
        return yc__refuse(e, YC_EBADTIME, "due: %s is not after the block time %s", t1, t2);
    }
    struct yc_pledge p = {
        .amount = b->amount,
        .created_at = e->ctx->height,
        .due = b->due,
        .status = {"active", 6},
        .time_ms = e->ctx->time_ms,
    };
    memcpy(p.asset, b->asset, YC_HASH_LEN);
    memcpy(p.pledgee, b->pledgee, YC_PUBKEY_LEN);
    memcpy(p.pledgor, e->tx->sender, YC_PUBKEY_LEN);
    rc = yc__obj_put(e->o, key, yc_key_pledge(key, e->tx->id), &p, enc_pledge);
    if (rc == YC_OK) {
        rc = yc_overlay_put(e->o, key, yc_key_pledged(key, b->asset), e->tx->id, YC_HASH_LEN);
    }
    if (rc == YC_OK) {
        rc = yc__put_index(e->o, yc_key_idx_pledge_asset, b->asset, e->tx->id, YC_HASH_LEN);
    }
    if (rc == YC_OK) {
        rc = yc__put_index(e->o, yc_key_idx_pledge_party, e->tx->sender, e->tx->id, YC_HASH_LEN);
    }
    if (rc == YC_OK) {
        rc = yc__put_index(e->o, yc_key_idx_pledge_party, b->pledgee, e->tx->id, YC_HASH_LEN);
    }
    return rc;
}

int yc__exec_pledge_close(const struct yc__env *e)
{
    const uint8_t *id = e->tx->b->pledge_ref.pledge;
    bool enforce = e->tx->type == YC_TX_PLEDGE_ENFORCE;
    uint8_t key[YC_KEY_MAX], holder[YC_PUBKEY_LEN];
    struct yc_pledge p;
    int rc = yc__obj_get(e->o, key, yc_key_pledge(key, id), dec_pledge, &p);

    char h[YC__HEX_MAX];

    yc__hex(h, id, YC_HASH_LEN);
    if (rc == YC_ENOTFOUND) {
        return yc__refuse(e, YC_EUNKNOWNOBJ, "pledge: no such pledge %s", h);
    }
    if (rc != YC_OK) {
        return rc;
    }
    if (memcmp(p.pledgee, e->tx->sender, YC_PUBKEY_LEN) != 0) {
        return yc__refuse(e, YC_ENOTAUTH, "pledge %s: only its pledgee releases or enforces it", h);
    }
    if (p.closed_at != 0) {
        return yc__refuse(e, YC_ECLOSED, "pledge %s: already %.*s at height %llu", h,
                          (int)p.status.len, p.status.p, (unsigned long long)p.closed_at);
    }
    if (enforce && e->ctx->time_ms < p.due) {
        char t1[32], t2[32];
        yc_time_rfc3339(t1, p.due);
        yc_time_rfc3339(t2, e->ctx->time_ms);
        return yc__refuse(e, YC_ENOTDUE,
                          "pledge %s: due at %s, enforceable from then (block "
                          "time %s)",
                          h, t1, t2);
    }
    p.closed_at = e->ctx->height;
    p.status = enforce ? (struct yc_slice){"enforced", 8} : (struct yc_slice){"released", 8};
    uint8_t asset[YC_HASH_LEN];
    memcpy(asset, p.asset, YC_HASH_LEN);
    rc = yc__obj_put(e->o, key, yc_key_pledge(key, id), &p, enc_pledge);
    if (rc == YC_OK) {
        rc = yc_overlay_del(e->o, key, yc_key_pledged(key, asset));
    }
    if (rc == YC_OK && enforce) {
        /* the hold right goes to the pledgee from whoever holds it now (the pledgor: a
         * pledged right cannot have moved) */
        rc = yc__right_holder(e->o, asset, YC_RIGHT_HOLD, holder);
        if (rc == YC_OK && memcmp(holder, e->tx->sender, YC_PUBKEY_LEN) != 0) {
            rc = yc__set_right(e->o, asset, YC_RIGHT_HOLD, holder, e->tx->sender, e->ctx->height);
        }
        if (rc == YC_EUNKNOWNASSET) {
            rc = YC_ECORRUPT;
        }
    }
    return rc;
}
