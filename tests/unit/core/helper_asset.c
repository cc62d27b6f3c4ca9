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
#include "yc/codec.h"

static void begin(struct yc_buf *out, struct yc_enc *e, uint32_t npairs)
{
    yc_buf_reset(out);
    yc_enc_init(e, out);
    yc_enc_map(e, npairs);
}

static void enc_list(struct yc_enc *e, const char *const *items)
{
    uint32_t n = 0;
    while (items[n] != NULL) {
        n++;
    }
    yc_enc_array(e, n);
    for (uint32_t i = 0; i < n; i++) {
        yc_enc_cstr(e, items[i]);
    }
}

static void kv_str(struct yc_enc *e, const char *k, const char *v)
{
    yc_enc_cstr(e, k);
    yc_enc_cstr(e, v);
}

static void kv_bin(struct yc_enc *e, const char *k, const uint8_t *p, size_t n)
{
    yc_enc_cstr(e, k);
    yc_enc_bin(e, p, n);
}

void hb_asset_register(struct yc_buf *out, const struct hb_asset *a)
{
    struct yc_enc e;
    uint8_t digest[YC_HASH_LEN];
    memset(digest, a->digest_byte, sizeof digest);

    begin(out, &e, 8 + (a->nparents > 0) + (a->usage != NULL));
    kv_str(&e, "catalog", a->catalog ? a->catalog : "c01");
    yc_enc_cstr(&e, "contributors");
    if (a->ncontrib == 0) {
        yc_enc_array(&e, 1);
        yc_enc_array(&e, 2);
        yc_enc_bin(&e, a->self, YC_PUBKEY_LEN);
        yc_enc_uint(&e, 10000);
    } else {
        yc_enc_array(&e, a->ncontrib);
        for (uint32_t i = 0; i < a->ncontrib; i++) {
            yc_enc_array(&e, 2);
            yc_enc_bin(&e, a->contrib[i].pub, YC_PUBKEY_LEN);
            yc_enc_uint(&e, a->contrib[i].bps);
        }
    }
    kv_bin(&e, "digest", a->digest ? a->digest : digest, a->dlen ? a->dlen : YC_HASH_LEN);
    kv_str(&e, "grade", a->grade ? a->grade : "general");
    kv_str(&e, "openness", a->openness ? a->openness : "open");
    if (a->nparents > 0) {
        yc_enc_cstr(&e, "parents");
        yc_enc_array(&e, a->nparents);
        for (uint32_t i = 0; i < a->nparents; i++) {
            yc_enc_bin(&e, a->parents[i], YC_HASH_LEN);
        }
    }
    kv_str(&e, "sector", a->sector ? a->sector : "transport");
    kv_str(&e, "source", a->source ? a->source : "public");
    kv_str(&e, "title", a->title ? a->title : "Bus lines of Chongqing");
    if (a->usage != NULL) {
        kv_bin(&e, "usage", a->usage, YC_HASH_LEN);
    }
    assert_int_equal(yc_enc_finish(&e), YC_OK);
}

void hb_asset_object(struct yc_buf *out, const uint8_t asset[YC_HASH_LEN], const uint8_t *evidence,
                     size_t elen, const char *reason)
{
    struct yc_enc e;
    begin(out, &e, 3);
    kv_bin(&e, "asset", asset, YC_HASH_LEN);
    kv_bin(&e, "evidence", evidence, elen);
    kv_str(&e, "reason", reason);
    assert_int_equal(yc_enc_finish(&e), YC_OK);
}

void hb_asset_resolve(struct yc_buf *out, const uint8_t objection[YC_HASH_LEN], const char *outcome,
                      const char *note)
{
    struct yc_enc e;
    begin(out, &e, 2 + (note != NULL));
    if (note != NULL) {
        kv_str(&e, "note", note);
    }
    kv_bin(&e, "objection", objection, YC_HASH_LEN);
    kv_str(&e, "outcome", outcome);
    assert_int_equal(yc_enc_finish(&e), YC_OK);
}

void hb_asset_ref(struct yc_buf *out, const uint8_t asset[YC_HASH_LEN], const char *reason)
{
    struct yc_enc e;
    begin(out, &e, 1 + (reason != NULL));
    kv_bin(&e, "asset", asset, YC_HASH_LEN);
    if (reason != NULL) {
        kv_str(&e, "reason", reason);
    }
    assert_int_equal(yc_enc_finish(&e), YC_OK);
}

void hb_asset_update(struct yc_buf *out, const uint8_t asset[YC_HASH_LEN],
                     const uint8_t digest[YC_HASH_LEN], const char *note,
                     const uint8_t (*parents)[YC_HASH_LEN], int nparents, const char *title)
{
    struct yc_enc e;
    begin(out, &e, 2 + (note != NULL) + (nparents >= 0) + (title != NULL));
    kv_bin(&e, "asset", asset, YC_HASH_LEN);
    kv_bin(&e, "digest", digest, YC_HASH_LEN);
    if (note != NULL) {
        kv_str(&e, "note", note);
    }
    if (nparents >= 0) {
        yc_enc_cstr(&e, "parents");
        yc_enc_array(&e, (uint32_t)nparents);
        for (int i = 0; i < nparents; i++) {
            yc_enc_bin(&e, parents[i], YC_HASH_LEN);
        }
    }
    if (title != NULL) {
        kv_str(&e, "title", title);
    }
    assert_int_equal(yc_enc_finish(&e), YC_OK);
}

void hb_right_transfer(struct yc_buf *out, const uint8_t asset[YC_HASH_LEN], const char *right,
                       const uint8_t *to)
{
    struct yc_enc e;
    begin(out, &e, 3);
    kv_bin(&e, "asset", asset, YC_HASH_LEN);
    kv_str(&e, "right", right);
    kv_bin(&e, "to", to, YC_PUBKEY_LEN);
    assert_int_equal(yc_enc_finish(&e), YC_OK);
}

void hb_right_license(struct yc_buf *out, const struct hb_license *l)
{
    struct yc_enc e;
    begin(out, &e, 6 + (l->fee != 0) + (l->max_uses != 0) + (l->not_before != 0));
    kv_bin(&e, "asset", l->asset, YC_HASH_LEN);
    if (l->fee != 0) {
        yc_enc_cstr(&e, "fee");
        yc_enc_uint(&e, l->fee);
    }
    kv_bin(&e, "licensee", l->licensee, YC_PUBKEY_LEN);
    if (l->max_uses != 0) {
        yc_enc_cstr(&e, "max_uses");
        yc_enc_uint(&e, l->max_uses);
    }
    if (l->not_before != 0) {
        yc_enc_cstr(&e, "not_before");
        yc_enc_uint(&e, l->not_before);
    }
    yc_enc_cstr(&e, "operations");
    enc_list(&e, l->operations);
    yc_enc_cstr(&e, "purposes");
    enc_list(&e, l->purposes);
    yc_enc_cstr(&e, "until");
    yc_enc_uint(&e, l->until);
    kv_str(&e, "visibility", l->visibility ? l->visibility : "invisible");
    assert_int_equal(yc_enc_finish(&e), YC_OK);
}

void hb_license_revoke(struct yc_buf *out, const uint8_t id[YC_HASH_LEN])
{
    struct yc_enc e;
    begin(out, &e, 1);
    kv_bin(&e, "license", id, YC_HASH_LEN);
    assert_int_equal(yc_enc_finish(&e), YC_OK);
}

void hb_carry_request(struct yc_buf *out, const char *const *categories, const uint8_t *holder,
                      const uint8_t *recipient)
{
    struct yc_enc e;
    begin(out, &e, 3);
    yc_enc_cstr(&e, "categories");
    enc_list(&e, categories);
    kv_bin(&e, "holder", holder, YC_PUBKEY_LEN);
    kv_bin(&e, "recipient", recipient, YC_PUBKEY_LEN);
    assert_int_equal(yc_enc_finish(&e), YC_OK);
}

void hb_carry_complete(struct yc_buf *out, const uint8_t carry[YC_HASH_LEN], const uint8_t *package,
                       size_t plen)
{
    struct yc_enc e;
    begin(out, &e, 2);
    kv_bin(&e, "carry", carry, YC_HASH_LEN);
    kv_bin(&e, "package", package, plen);
    assert_int_equal(yc_enc_finish(&e), YC_OK);
}

void hb_carry_reject(struct yc_buf *out, const uint8_t carry[YC_HASH_LEN], const char *reason)
{
    struct yc_enc e;
    begin(out, &e, 2);
    kv_bin(&e, "carry", carry, YC_HASH_LEN);
    kv_str(&e, "reason", reason);
    assert_int_equal(yc_enc_finish(&e), YC_OK);
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
