/*
 * exec_evidence.c — usage.record and evidence.anchor (DESIGN.md §5, evidence).
 *
 * A use is recorded only under an authority that allows it at block time: a license
 * (rules in exec_right.c, yc__use_license; the fee goes to the licensor) or a consent
 * that exists, is the sender's (as processor), is not revoked, is inside its validity
 * window, covers the purpose, operation and (if named) category, and has uses left
 * (the per-use fee moves from processor to subject). Each use is kept under
 * usage/<tx id> with index entries (by subject, by authority, and by asset for a
 * licensed use) whose keys end in (height, index), so a range scan lists uses in
 * ledger order.
 */
#include <string.h>

#include "ledger_int.h"

static void put_u64be(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--) {
        p[7 - i] = (uint8_t)(v >> (8 * i));
    }
}

static void put_u32be(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* prefix(who) ‖ u64be(height) ‖ u32be(index) → usage id */
static int put_usage_index(const struct yc__env *e, size_t (*prefix)(uint8_t *, const uint8_t *),
                           const uint8_t *who)
{
    uint8_t key[YC_KEY_MAX];
    size_t klen = prefix(key, who);

    put_u64be(key + klen, e->ctx->height);
    put_u32be(key + klen + 8, e->index);
    return yc_overlay_put(e->o, key, klen + 12, e->tx->id, YC_HASH_LEN);
}

static int enc_usage(const void *u, struct yc_buf *b)
{
    return yc_usage_encode(u, b);
}

static int write_usage(const struct yc__env *e, const struct yc_usage *u)
{
    uint8_t key[YC_KEY_MAX];
    int rc = yc__obj_put(e->o, key, yc_key_usage(key, e->tx->id), u, enc_usage);

    if (rc == YC_OK) {
        rc = put_usage_index(e, yc_key_idx_usage_subject, u->subject);
    }
    if (rc == YC_OK) {
        rc = put_usage_index(e, yc_key_idx_usage_authority, u->authority);
    }
    if (rc == YC_OK && u->has_asset) {
        rc = put_usage_index(e, yc_key_idx_usage_asset, u->asset);
    }
    return rc;
}

/* The usage record of e as far as the transaction and the block tell it: the authority
 * (`kind` "consent" or "license", its id), what was used and how, by whom, when; the
 * rest (asset, subject, fee) zero. */
static void usage_init(struct yc_usage *u, const struct yc__env *e, const char *kind,
                       const uint8_t authority[YC_HASH_LEN])
{
    const struct yc_body_usage_record *b = &e->tx->b.usage_record;

    *u = (struct yc_usage){
        .authority_kind = {kind, strlen(kind)},
        .category = b->category,
        .height = e->ctx->height,
        .has_input = b->has_input,
        .has_output = b->has_output,
        .operation = b->operation,
        .purpose = b->purpose,
        .time_ms = e->ctx->time_ms,
    };
    memcpy(u->authority, authority, YC_HASH_LEN);
    memcpy(u->input, b->input, YC_HASH_LEN);
    memcpy(u->output, b->output, YC_HASH_LEN);
    memcpy(u->user, e->tx->sender, YC_PUBKEY_LEN);
}

/* A use under a license (exec_right.c holds its rules): the fee went to the licensor,
 * who is the use's `subject`; the asset is recorded and indexed. */
static int record_licensed(const struct yc__env *e)
{
    struct yc_usage u;
    int rc;

    usage_init(&u, e, "license", e->tx->b.usage_record.license);
    u.has_asset = true;
    rc = yc__use_license(e, u.asset, u.subject, &u.fee);
    return rc == YC_OK ? write_usage(e, &u) : rc;
}

/* The rules of a consent as authority; on success c->uses is advanced and stored. */
static int use_consent(const struct yc__env *e, struct yc_consent *c)
{
    const struct yc_body_usage_record *b = &e->tx->b.usage_record;
    uint64_t t = e->ctx->time_ms;
    int rc = yc__consent_load(e->o, b->consent, c);

    if (rc != YC_OK) {
        return rc;
    }
    if (memcmp(c->processor, e->tx->sender, YC_PUBKEY_LEN) != 0) {
        return YC_ENOTAUTH;
    }
    if (c->revoked_at != 0) {
        return YC_ECONSENTREVOKED;
    }
    if (t < c->not_before || t >= c->until) {
        return YC_EEXPIRED;
    }
    if (!yc__list_has(&c->purposes, &b->purpose) || !yc__list_has(&c->operations, &b->operation) ||
        (b->category.len > 0 && !yc__list_has(&c->categories, &b->category))) {
        return YC_EOUTOFSCOPE;
    }
    if (c->max_uses != 0 && c->uses >= c->max_uses) {
        return YC_ENOUSESLEFT;
    }
    c->uses++;
    return yc__consent_store(e->o, b->consent, c);
}

int yc__exec_usage_record(const struct yc__env *e)
{
    const struct yc_body_usage_record *b = &e->tx->b.usage_record;
    struct yc_consent c;
    int rc;

    if (b->has_consent == b->has_license || !yc__is_code(&b->purpose) ||
        !yc__is_code(&b->operation) || (b->category.len > 0 && !yc__is_code(&b->category))) {
        return YC_EBADFIELD;
    }
    if (b->has_license) {
        return record_licensed(e);
    }
    rc = use_consent(e, &c);
    if (rc != YC_OK) {
        return rc;
    }
    /* c's slices now point at a freed value: keep only its fixed-size fields */
    uint64_t fee = c.fee_per_use;
    struct yc_usage u;
    usage_init(&u, e, "consent", b->consent);
    u.fee = fee;
    memcpy(u.subject, c.subject, YC_PUBKEY_LEN);
    if (fee > 0) {
        rc = yc__acct_debit(e->o, e->tx->sender, fee);
        if (rc == YC_OK) {
            rc = yc__acct_credit(e->o, u.subject, fee);
        }
        if (rc != YC_OK) {
            return rc;
        }
    }
    return write_usage(e, &u);
}

int yc__exec_evidence_anchor(const struct yc__env *e)
{
    const struct yc_body_evidence_anchor *b = &e->tx->b.evidence_anchor;
    uint8_t key[YC_KEY_MAX];
    size_t klen;
    struct yc_buf buf;
    int rc;

    if (!yc__is_code(&b->kind)) {
        return YC_EBADFIELD;
    }
    if (b->has_ref) {
        /* the referenced object is a consent, a use, another anchor, an asset, a
         * license, a carry or an objection */
        size_t (*const kinds[])(uint8_t *, const uint8_t *) = {
            yc_key_consent, yc_key_usage,   yc_key_evidence, yc_key_asset,
            yc_key_license, yc_key_carry, yc_key_objection};
        rc = YC_ENOTFOUND;
        for (size_t i = 0; i < sizeof kinds / sizeof kinds[0] && rc == YC_ENOTFOUND; i++) {
            klen = kinds[i](key, b->ref);
            rc = yc__key_exists(e->o, key, klen);
        }
        if (rc == YC_ENOTFOUND) {
            return YC_EUNKNOWNOBJ;
        }
        if (rc != YC_OK) {
            return rc;
        }
    }
    struct yc_evidence ev = {
        .height = e->ctx->height,
        .kind = b->kind,
        .note = b->note,
        .has_ref = b->has_ref,
        .time_ms = e->ctx->time_ms,
    };
    memcpy(ev.digest, b->digest, YC_HASH_LEN);
    memcpy(ev.ref, b->ref, YC_HASH_LEN);
    memcpy(ev.sender, e->tx->sender, YC_PUBKEY_LEN);
    klen = yc_key_evidence(key, e->tx->id);
    yc_buf_init(&buf, YC_TX_MAX_BYTES);
    rc = yc_evidence_encode(&ev, &buf);
    if (rc == YC_OK) {
        rc = yc_overlay_put(e->o, key, klen, buf.data, buf.len);
    }
    yc_buf_cleanup(&buf);
    return rc;
}
