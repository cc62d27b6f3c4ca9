/*
 * helper_asset.c — see helper_asset.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "helper_asset.h"

/* Bodies go through the core's encoder (hm_finish, helper_ledger.h); the sizes a test
 * passes (dlen, elen, plen) and the counts over their limits make deliberately malformed
 * ones, which hm_finish writes by hand. */

void hb_asset_register(struct yc_buf *out, const struct hb_asset *a)
{
    struct hm m;
    uint8_t digest[YC_HASH_LEN];
    struct yc_contributor contrib[YC_CONTRIBUTORS_MAX + 2];
    uint32_t n = a->ncontrib == 0 ? 1 : a->ncontrib;

    memset(digest, a->digest_byte, sizeof digest);
    assert_true(n <= YC_CONTRIBUTORS_MAX + 2);
    for (uint32_t i = 0; i < n; i++) {
        memcpy(contrib[i].pub, a->ncontrib == 0 ? a->self : a->contrib[i].pub, YC_PUBKEY_LEN);
        contrib[i].bps = a->ncontrib == 0 ? YC_SHARES_TOTAL : a->contrib[i].bps;
    }
    hm_init(&m);
    hm_str(&m, "catalog", a->catalog ? a->catalog : "c01");
    hm_shares(&m, "contributors", contrib, n);
    hm_bin(&m, "digest", a->digest ? a->digest : digest, a->dlen ? a->dlen : YC_HASH_LEN);
    hm_str(&m, "grade", a->grade ? a->grade : "general");
    hm_str(&m, "openness", a->openness ? a->openness : "open");
    if (a->nparents > 0) {
        hm_ids(&m, "parents", a->parents, a->nparents);
    }
    hm_str(&m, "sector", a->sector ? a->sector : "transport");
    hm_str(&m, "source", a->source ? a->source : "public");
    hm_str(&m, "title", a->title ? a->title : "Bus lines of Chongqing");
    if (a->usage != NULL) {
        hm_bin(&m, "usage", a->usage, YC_HASH_LEN);
    }
    hm_finish(&m, YC_TX_ASSET_REGISTER, out);
}

void hb_asset_object(struct yc_buf *out, const uint8_t asset[YC_HASH_LEN], const uint8_t *evidence,
                     size_t elen, const char *reason)
{
    struct hm m;
    hm_init(&m);
    hm_bin(&m, "asset", asset, YC_HASH_LEN);
    hm_bin(&m, "evidence", evidence, elen);
    hm_str(&m, "reason", reason);
    hm_finish(&m, YC_TX_ASSET_OBJECT, out);
}

void hb_asset_resolve(struct yc_buf *out, const uint8_t objection[YC_HASH_LEN], const char *outcome,
                      const char *note)
{
    struct hm m;
    hm_init(&m);
    if (note != NULL) {
        hm_str(&m, "note", note);
    }
    hm_bin(&m, "objection", objection, YC_HASH_LEN);
    hm_str(&m, "outcome", outcome);
    hm_finish(&m, YC_TX_ASSET_RESOLVE, out);
}

void hb_asset_ref(struct yc_buf *out, const uint8_t asset[YC_HASH_LEN], const char *reason)
{
    struct hm m;
    hm_init(&m);
    hm_bin(&m, "asset", asset, YC_HASH_LEN);
    if (reason != NULL) {
        hm_str(&m, "reason", reason);
    }
    /* certify and retire bodies are alike but for the reason only retire has */
    hm_finish(&m, reason != NULL ? YC_TX_ASSET_RETIRE : YC_TX_ASSET_CERTIFY, out);
}

void hb_asset_update(struct yc_buf *out, const uint8_t asset[YC_HASH_LEN],
                     const uint8_t digest[YC_HASH_LEN], const char *note,
                     const uint8_t (*parents)[YC_HASH_LEN], int nparents, const char *title)
{
    struct hm m;
    hm_init(&m);
    hm_bin(&m, "asset", asset, YC_HASH_LEN);
    hm_bin(&m, "digest", digest, YC_HASH_LEN);
    if (note != NULL) {
        hm_str(&m, "note", note);
    }
    if (nparents >= 0) {
        hm_ids(&m, "parents", parents, (size_t)nparents);
    }
    if (title != NULL) {
        hm_str(&m, "title", title);
    }
    hm_finish(&m, YC_TX_ASSET_UPDATE, out);
}

void hb_right_transfer(struct yc_buf *out, const uint8_t asset[YC_HASH_LEN], const char *right,
                       const uint8_t *to)
{
    struct hm m;
    hm_init(&m);
    hm_bin(&m, "asset", asset, YC_HASH_LEN);
    hm_str(&m, "right", right);
    hm_bin(&m, "to", to, YC_PUBKEY_LEN);
    hm_finish(&m, YC_TX_RIGHT_TRANSFER, out);
}

void hb_right_license(struct yc_buf *out, const struct hb_license *l)
{
    struct hm m;
    hm_init(&m);
    hm_bin(&m, "asset", l->asset, YC_HASH_LEN);
    if (l->fee != 0) {
        hm_u64(&m, "fee", l->fee);
    }
    hm_bin(&m, "licensee", l->licensee, YC_PUBKEY_LEN);
    if (l->max_uses != 0) {
        hm_u64(&m, "max_uses", l->max_uses);
    }
    if (l->not_before != 0) {
        hm_u64(&m, "not_before", l->not_before);
    }
    hm_list(&m, "operations", l->operations);
    hm_list(&m, "purposes", l->purposes);
    hm_u64(&m, "until", l->until);
    hm_str(&m, "visibility", l->visibility ? l->visibility : "invisible");
    hm_finish(&m, YC_TX_RIGHT_LICENSE, out);
}

void hb_license_revoke(struct yc_buf *out, const uint8_t id[YC_HASH_LEN])
{
    struct hm m;
    hm_init(&m);
    hm_bin(&m, "license", id, YC_HASH_LEN);
    hm_finish(&m, YC_TX_LICENSE_REVOKE, out);
}

void hb_carry_request(struct yc_buf *out, const char *const *categories, const uint8_t *holder,
                      const uint8_t *recipient)
{
    struct hm m;
    hm_init(&m);
    hm_list(&m, "categories", categories);
    hm_bin(&m, "holder", holder, YC_PUBKEY_LEN);
    hm_bin(&m, "recipient", recipient, YC_PUBKEY_LEN);
    hm_finish(&m, YC_TX_CARRY_REQUEST, out);
}

void hb_carry_complete(struct yc_buf *out, const uint8_t carry[YC_HASH_LEN], const uint8_t *package,
                       size_t plen)
{
    struct hm m;
    hm_init(&m);
    hm_bin(&m, "carry", carry, YC_HASH_LEN);
    hm_bin(&m, "package", package, plen);
    hm_finish(&m, YC_TX_CARRY_COMPLETE, out);
}

void hb_carry_reject(struct yc_buf *out, const uint8_t carry[YC_HASH_LEN], const char *reason)
{
    struct hm m;
    hm_init(&m);
    hm_bin(&m, "carry", carry, YC_HASH_LEN);
    hm_str(&m, "reason", reason);
    hm_finish(&m, YC_TX_CARRY_REJECT, out);
}

/* ---- shared steps ---- */

void ta_register(struct tchain *tc, uint32_t who, uint8_t d, const char *grade,
                 const uint8_t (*parents)[YC_HASH_LEN], uint32_t nparents, uint8_t id[YC_HASH_LEN])
{
    struct yc_buf b;
    struct hb_asset a = {.digest_byte = d,
                         .grade = grade,
                         .parents = parents,
                         .nparents = nparents,
                         .self = tc->pub[who]};
    yc_buf_init(&b, 0);
    hb_asset_register(&b, &a);
    tc_expect(tc, who, YC_TX_ASSET_REGISTER, &b, YC_OK, id);
    yc_buf_cleanup(&b);
}

void ta_pass_notice(struct tchain *tc)
{
    for (uint64_t i = 0; i <= tc->g.params.notice_blocks; i++) {
        tc_commit(tc);
    }
}

void ta_certify(struct tchain *tc, const uint8_t id[YC_HASH_LEN])
{
    struct yc_buf b;
    yc_buf_init(&b, 0);
    hb_asset_ref(&b, id, NULL);
    tc_expect(tc, TC_EXCHANGE, YC_TX_ASSET_CERTIFY, &b, YC_OK, NULL);
    yc_buf_cleanup(&b);
}

static int get(struct tchain *tc, const uint8_t *key, size_t klen, const uint8_t **v, size_t *vlen)
{
    return yc_overlay_get(tc->blk, key, klen, v, vlen);
}

int ta_asset(struct tchain *tc, const uint8_t id[YC_HASH_LEN], struct yc_asset *a)
{
    uint8_t key[YC_KEY_MAX];
    const uint8_t *v;
    size_t vlen;
    int rc = get(tc, key, yc_key_asset(key, id), &v, &vlen);
    return rc == YC_OK ? yc_asset_decode(a, v, vlen) : rc;
}

int ta_license(struct tchain *tc, const uint8_t id[YC_HASH_LEN], struct yc_license *l)
{
    uint8_t key[YC_KEY_MAX];
    const uint8_t *v;
    size_t vlen;
    int rc = get(tc, key, yc_key_license(key, id), &v, &vlen);
    return rc == YC_OK ? yc_license_decode(l, v, vlen) : rc;
}

int ta_carry(struct tchain *tc, const uint8_t id[YC_HASH_LEN], struct yc_carry *c)
{
    uint8_t key[YC_KEY_MAX];
    const uint8_t *v;
    size_t vlen;
    int rc = get(tc, key, yc_key_carry(key, id), &v, &vlen);
    return rc == YC_OK ? yc_carry_decode(c, v, vlen) : rc;
}

int ta_objection(struct tchain *tc, const uint8_t id[YC_HASH_LEN], struct yc_objection *o)
{
    uint8_t key[YC_KEY_MAX];
    const uint8_t *v;
    size_t vlen;
    int rc = get(tc, key, yc_key_objection(key, id), &v, &vlen);
    return rc == YC_OK ? yc_objection_decode(o, v, vlen) : rc;
}

void ta_holder(struct tchain *tc, const uint8_t id[YC_HASH_LEN], enum yc_right r,
               uint8_t pub[YC_PUBKEY_LEN])
{
    uint8_t key[YC_KEY_MAX];
    const uint8_t *v;
    size_t vlen;
    struct yc_right_rec rec;
    assert_int_equal(get(tc, key, yc_key_right(key, id, r), &v, &vlen), YC_OK);
    assert_int_equal(yc_right_decode(&rec, v, vlen), YC_OK);
    memcpy(pub, rec.holder, YC_PUBKEY_LEN);
}

bool ta_has_key(struct tchain *tc, const uint8_t *key, size_t klen)
{
    const uint8_t *v;
    size_t vlen;
    return get(tc, key, klen, &v, &vlen) == YC_OK;
}
