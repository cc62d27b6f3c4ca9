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

#include "exec_words.h"
#include "ledger_int.h"
#include "yc/timefmt.h"

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
    const struct yc_body_usage_record *b = &e->tx->b->usage_record;

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

    usage_init(&u, e, "license", e->tx->b->usage_record.license);
    u.has_asset = true;
    rc = yc__use_license(e, u.asset, u.subject, &u.fee);
    return rc == YC_OK ? write_usage(e, &u) : rc;
}

/* The rules of a consent as authority; on success c->uses is advanced and stored. */
static int use_consent(const struct yc__env *e, struct yc_consent *c)
{
    const struct yc_body_usage_record *b = &e->tx->b->usage_record;
    uint64_t t = e->ctx->time_ms;
    char h[YC__HEX_MAX], a[YC_ADDR_MAX], t1[32], t2[32];
    int rc = yc__consent_load(e->o, b->consent, c);

    if (rc != YC_OK) {
        return rc == YC_EUNKNOWNCONSENT ? yc__refuse_consent(e, "consent", b->consent) : rc;
    }
    yc__hex(h, b->consent, YC_HASH_LEN);
    if (memcmp(c->processor, e->tx->sender, YC_PUBKEY_LEN) != 0) {
        yc__addr(a, c->processor);
        return yc__refuse(e, YC_ENOTAUTH,
                          "consent %s: given to %s, not to the sender; only its processor uses it",
                          h, a);
    }
    if (c->revoked_at != 0) {
        return yc__refuse(e, YC_ECONSENTREVOKED, "consent %s: revoked at height %llu", h,
                          (unsigned long long)c->revoked_at);
    }
    if (t < c->not_before || t >= c->until) {
        if (!yc__wants_why(e)) {
            return YC_EEXPIRED;
        }
        yc_time_rfc3339(t1, t < c->not_before ? c->not_before : c->until);
        yc_time_rfc3339(t2, t);
        return yc__refuse(e, YC_EEXPIRED, "consent %s: %s %s (block time %s)", h,
                          t < c->not_before ? "valid only from" : "expired at", t1, t2);
    }
    char whose[16 + YC__HEX_MAX];
    memcpy(whose, "consent ", 8);
    memcpy(whose + 8, h, sizeof h);
    if ((rc = yc__need_in(e, YC_EOUTOFSCOPE, "purpose", &b->purpose, &c->purposes, whose)) !=
            YC_OK ||
        (rc = yc__need_in(e, YC_EOUTOFSCOPE, "operation", &b->operation, &c->operations, whose)) !=
            YC_OK ||
        (b->category.len > 0 && (rc = yc__need_in(e, YC_EOUTOFSCOPE, "category", &b->category,
                                                  &c->categories, whose)) != YC_OK)) {
        return rc;
    }
    if (c->max_uses != 0 && c->uses >= c->max_uses) {
        return yc__refuse(e, YC_ENOUSESLEFT, "consent %s: all %llu uses it allows are recorded", h,
                          (unsigned long long)c->max_uses);
    }
    c->uses++;
    return yc__consent_store(e->o, b->consent, c);
}

/* The purpose and category are codes of the chain's lists (checked after every other
 * rule, so that a use those refused keeps its code). */
static int known_codes(const struct yc__env *e)
{
    const struct yc_body_usage_record *b = &e->tx->b->usage_record;
    int rc = yc__need_known(e, YC_CODES_PURPOSE, "purpose", &b->purpose);

    if (rc == YC_OK && b->category.len > 0) {
        rc = yc__need_known(e, YC_CODES_CATEGORY, "category", &b->category);
    }
    return rc;
}

int yc__exec_usage_record(const struct yc__env *e)
{
    const struct yc_body_usage_record *b = &e->tx->b->usage_record;
    struct yc_consent c;
    int rc;

    if (b->has_consent == b->has_license) {
        return yc__refuse(e, YC_EBADFIELD, "body: name exactly one of consent, license");
    }
    if ((rc = yc__need_code(e, "purpose", &b->purpose)) != YC_OK ||
        (rc = yc__need_code(e, "operation", &b->operation)) != YC_OK ||
        (b->category.len > 0 && (rc = yc__need_code(e, "category", &b->category)) != YC_OK)) {
        return rc;
    }
    if (b->has_license) {
        rc = record_licensed(e);
        return rc == YC_OK ? known_codes(e) : rc;
    }
    rc = use_consent(e, &c);
    if (rc == YC_OK) {
        rc = known_codes(e);
    }
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
        rc = yc__debit(e, "fee_per_use", e->tx->sender, fee);
        if (rc == YC_OK) {
            rc = yc__credit(e, "fee_per_use", u.subject, fee);
        }
        if (rc != YC_OK) {
            return rc;
        }
    }
    return write_usage(e, &u);
}

int yc__exec_evidence_anchor(const struct yc__env *e)
{
    const struct yc_body_evidence_anchor *b = &e->tx->b->evidence_anchor;
    uint8_t key[YC_KEY_MAX];
    size_t klen;
    struct yc_buf buf;
    int rc;

    if ((rc = yc__need_code(e, "kind", &b->kind)) != YC_OK) {
        return rc;
    }
    if (b->has_ref) {
        /* the referenced object is a consent, a use, another anchor, an asset, a
         * license, a carry or an objection */
        size_t (*const kinds[])(uint8_t *, const uint8_t *) = {
            yc_key_consent, yc_key_usage, yc_key_evidence, yc_key_asset,
            yc_key_license, yc_key_carry, yc_key_objection};
        rc = YC_ENOTFOUND;
        for (size_t i = 0; i < sizeof kinds / sizeof kinds[0] && rc == YC_ENOTFOUND; i++) {
            klen = kinds[i](key, b->ref);
            rc = yc__key_exists(e->o, key, klen);
        }
        if (rc == YC_ENOTFOUND) {
            char h[YC__HEX_MAX];
            yc__hex(h, b->ref, YC_HASH_LEN);
            return yc__refuse(e, YC_EUNKNOWNOBJ,
                              "ref: %s names no consent, use, anchor, asset, license, carry or "
                              "objection",
                              h);
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
