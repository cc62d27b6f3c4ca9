/*
 * test_tx.c — the transaction envelope: round trips for every type, an id that never
 * changes with the signature or co-signatures (E3), signature checks, and the strict
 * schema: unknown or missing fields, bad sizes and types, unknown types, oversized
 * and non-canonical input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "helper_ledger.h"
#include "yc/alloc.h"
#include "yc/codec.h"
#include "yc/txschema.h"

/* ---- a hand encoder for envelopes, valid or not ---- */

enum fkind { F_RAW, F_STR, F_BIN, F_UINT };

struct fld {
    const char *key;
    enum fkind kind;
    const void *p;
    size_t len;
    uint64_t u;
};

static void enc_fields(struct yc_buf *out, const struct fld *f, size_t n)
{
    struct yc_enc e;
    yc_buf_reset(out);
    yc_enc_init(&e, out);
    yc_enc_map(&e, (uint32_t)n);
    for (size_t i = 0; i < n; i++) {
        yc_enc_cstr(&e, f[i].key);
        switch (f[i].kind) {
        case F_RAW:
            yc_enc_raw(&e, f[i].p, f[i].len);
            break;
        case F_STR:
            yc_enc_str(&e, f[i].p, f[i].len);
            break;
        case F_BIN:
            yc_enc_bin(&e, f[i].p, f[i].len);
            break;
        case F_UINT:
            yc_enc_uint(&e, f[i].u);
            break;
        }
    }
    assert_int_equal(yc_enc_finish(&e), YC_OK);
}

struct fx {
    struct tchain tc;
    struct yc_buf body, tx;
    uint8_t sig[YC_SIG_LEN];
    struct fld f[8]; /* a valid unsigned-looking envelope with a dummy sig */
    size_t nf;
};

static int setup(void **st)
{
    struct fx *x = calloc(1, sizeof *x);
    tc_init(&x->tc);
    yc_buf_init(&x->body, 0);
    yc_buf_init(&x->tx, 0);
    hb_token(&x->body, x->tc.pub[TC_BOB], 5);
    memset(x->sig, 0x01, sizeof x->sig);
    x->sig[0] = YC_SCHEME_BIP340;
    struct fld f[] = {
        {"body", F_RAW, x->body.data, x->body.len, 0},
        {"chain_id", F_STR, TC_CHAIN, strlen(TC_CHAIN), 0},
        {"nonce", F_UINT, NULL, 0, 7},
        {"sender", F_BIN, x->tc.pub[TC_ALICE], YC_PUBKEY_LEN, 0},
        {"sig", F_BIN, x->sig, YC_SIG_LEN, 0},
        {"type", F_STR, "token.transfer", 14, 0},
    };
    memcpy(x->f, f, sizeof f);
    x->nf = 6;
    *st = x;
    return 0;
}

static int teardown(void **st)
{
    struct fx *x = *st;
    yc_buf_cleanup(&x->body);
    yc_buf_cleanup(&x->tx);
    tc_cleanup(&x->tc);
    free(x);
    return 0;
}

static int decode_fields(struct fx *x, const struct fld *f, size_t n)
{
    struct yc_tx tx;
    enc_fields(&x->tx, f, n);
    int rc = yc_tx_decode(&tx, x->tx.data, x->tx.len);
    if (rc == YC_OK) {
        yc_tx_cleanup(&tx);
    } else {
        /* a refused decode leaves the struct cleared */
        assert_null(tx.bytes);
        assert_int_equal(tx.type, YC_TX_NONE);
    }
    return rc;
}

/* Decodes (which must succeed) and returns yc_tx_verify's verdict. */
static int verify_fields(struct fx *x, const struct fld *f, size_t n)
{
    struct yc_tx tx;
    enc_fields(&x->tx, f, n);
    assert_int_equal(yc_tx_decode(&tx, x->tx.data, x->tx.len), YC_OK);
    int rc = yc_tx_verify(&tx, TC_CHAIN);
    yc_tx_cleanup(&tx);
    return rc;
}

/* ---- round trips ---- */

static void round_trip(struct fx *x, uint32_t who, enum yc_tx_type type)
{
    struct yc_tx tx;
    struct yc_buf again;
    tc_make_tx(&x->tc, who, type, 3, &x->body, &tx);
    assert_int_equal(tx.type, type);
    assert_int_equal(tx.nonce, 3);
    assert_memory_equal(tx.sender, x->tc.pub[who], YC_PUBKEY_LEN);
    assert_int_equal(tx.chain_id.len, strlen(TC_CHAIN));
    assert_int_equal(tx.body_len, x->body.len);
    assert_memory_equal(tx.body, x->body.data, x->body.len);

    /* re-encoding the decoded fields gives the very same bytes */
    yc_buf_init(&again, 0);
    assert_int_equal(yc_tx_encode_signed(&again, TC_CHAIN, tx.type, tx.sender, tx.nonce, tx.body,
                                         tx.body_len, tx.sig, NULL, 0),
                     YC_OK);
    assert_int_equal(again.len, tx.len);
    assert_memory_equal(again.data, tx.bytes, tx.len);
    /* and the id is the tagged hash of the unsigned envelope */
    uint8_t id[32];
    yc_buf_reset(&again);
    assert_int_equal(
        yc_tx_encode_unsigned(&again, TC_CHAIN, tx.type, tx.sender, tx.nonce, tx.body, tx.body_len),
        YC_OK);
    yc_tx_id(id, TC_CHAIN, again.data, again.len);
    assert_memory_equal(id, tx.id, 32);

    /* a copy shares the decoded tx's allocation and outlives the original (ASan would
     * see a read of freed memory), and it re-encodes to the same body */
    struct yc_tx copy;
    uint8_t keys[YC_TX_MAX_BODY_KEYS][YC_PUBKEY_LEN];
    uint32_t nkeys = tx.body_keys.n;
    for (uint32_t i = 0; i < nkeys; i++) {
        memcpy(keys[i], yc_tx_body_key(&tx, i), YC_PUBKEY_LEN);
    }
    assert_int_equal(yc_tx_copy(&copy, &tx), YC_OK);
    assert_ptr_equal(copy.bytes, tx.bytes);
    assert_ptr_equal(copy.b, tx.b);
    /* the body lies in the allocation, after the bytes */
    assert_true((const uint8_t *)copy.b >= copy.bytes + copy.len);
    yc_tx_cleanup(&tx);
    assert_int_equal(copy.body_keys.n, nkeys);
    for (uint32_t i = 0; i < nkeys; i++) {
        assert_memory_equal(yc_tx_body_key(&copy, i), keys[i], YC_PUBKEY_LEN);
    }
    assert_int_equal(copy.type, type);
    assert_int_equal(copy.chain_id.len, strlen(TC_CHAIN));
    assert_memory_equal(copy.chain_id.p, TC_CHAIN, strlen(TC_CHAIN));
    assert_memory_equal(copy.id, id, 32);
    assert_int_equal(copy.body_len, x->body.len);
    assert_memory_equal(copy.body, x->body.data, x->body.len);
    yc_buf_reset(&again);
    assert_int_equal(yc_tx_body_encode(&again, copy.type, copy.b, copy.body_present), YC_OK);
    assert_int_equal(again.len, x->body.len);
    assert_memory_equal(again.data, x->body.data, x->body.len);
    yc_buf_cleanup(&again);
    yc_tx_cleanup(&copy);
}

static void test_round_trip_every_type(void **st)
{
    struct fx *x = *st;
    struct tchain *tc = &x->tc;
    uint8_t h[32];
    memset(h, 0xab, sizeof h);

    hb_register(&x->body, tc->pub[TC_CAROL], "processor", "名字 Carol", "CN-SC");
    round_trip(x, TC_AGENCY, YC_TX_ACCOUNT_REGISTER);
    hb_update(&x->body, NULL, "Alice", "SG");
    round_trip(x, TC_ALICE, YC_TX_ACCOUNT_UPDATE);
    hb_token(&x->body, tc->pub[TC_BOB], 77);
    round_trip(x, TC_EXCHANGE, YC_TX_TOKEN_ISSUE);
    round_trip(x, TC_ALICE, YC_TX_TOKEN_TRANSFER);
    hb_token(&x->body, NULL, 77);
    round_trip(x, TC_EXCHANGE, YC_TX_TOKEN_REDEEM);
    struct hb_grant g = {.processor = tc->pub[TC_PROCESSOR],
                         .categories = {"a", NULL},
                         .purposes = {"b", NULL},
                         .operations = {"use", NULL},
                         .until = 5,
                         .fee_per_use = 1,
                         .max_uses = 2,
                         .not_before = 1,
                         .retention_days = 9,
                         .onward_transfer = true};
    hb_grant(&x->body, &g);
    round_trip(x, TC_ALICE, YC_TX_CONSENT_GRANT);
    hb_revoke(&x->body, h);
    round_trip(x, TC_ALICE, YC_TX_CONSENT_REVOKE);
    struct hb_usage u = {
        .consent = h, .purpose = "p", .operation = "use", .category = "c", .input = h, .output = h};
    hb_usage(&x->body, &u);
    round_trip(x, TC_PROCESSOR, YC_TX_USAGE_RECORD);
    hb_anchor(&x->body, h, 32, "k", "a note", h);
    round_trip(x, TC_BOB, YC_TX_EVIDENCE_ANCHOR);

    struct yc_tx tx;
    hb_grant(&x->body, &g);
    tc_make_tx(tc, TC_ALICE, YC_TX_CONSENT_GRANT, 0, &x->body, &tx);
    const struct yc_body_consent_grant *b = &tx.b->consent_grant;
    assert_int_equal(b->fee_per_use, 1);
    assert_int_equal(b->max_uses, 2);
    assert_int_equal(b->not_before, 1);
    assert_int_equal(b->retention_days, 9);
    assert_int_equal(b->until, 5);
    assert_true(b->onward_transfer);
    assert_int_equal(b->operations.n, 1);
    assert_memory_equal(b->operations.items[0].p, "use", 3);
    yc_tx_cleanup(&tx);
}

static void test_type_names_table(void **st)
{
    (void)st;
    assert_string_equal(yc_tx_type_name(YC_TX_CONSENT_GRANT), "consent.grant");
    assert_int_equal(yc_tx_type_from_name("usage.record", 12), YC_TX_USAGE_RECORD);
    assert_int_equal(yc_tx_type_from_name("usage.recor", 11), YC_TX_NONE);
    assert_int_equal(yc_tx_type_from_name("usage.recordx", 13), YC_TX_NONE);
    assert_null(yc_tx_type_name(YC_TX_NONE));
    assert_null(yc_tx_type_name((enum yc_tx_type)999));
}

/* ---- E3: signatures ---- */

static void test_id_unchanged_when_signature_changes(void **st)
{
    struct fx *x = *st;
    struct yc_tx tx, tx2;
    struct yc_buf b;
    tc_make_tx(&x->tc, TC_ALICE, YC_TX_TOKEN_TRANSFER, 0, &x->body, &tx);
    assert_int_equal(yc_tx_verify(&tx, TC_CHAIN), YC_OK);

    /* a malleated signature: same id, refused by verify */
    uint8_t sig[YC_SIG_LEN];
    memcpy(sig, tx.sig, sizeof sig);
    sig[40] ^= 0x01;
    yc_buf_init(&b, 0);
    assert_int_equal(yc_tx_encode_signed(&b, TC_CHAIN, tx.type, tx.sender, tx.nonce, tx.body,
                                         tx.body_len, sig, NULL, 0),
                     YC_OK);
    assert_int_equal(yc_tx_decode(&tx2, b.data, b.len), YC_OK);
    assert_memory_equal(tx2.id, tx.id, 32);
    assert_int_equal(yc_tx_verify(&tx2, TC_CHAIN), YC_EBADSIG);
    yc_tx_cleanup(&tx2);

    /* s out of range (>= n): refused, same id */
    memset(sig + 33, 0xff, 32);
    yc_buf_reset(&b);
    assert_int_equal(yc_tx_encode_signed(&b, TC_CHAIN, tx.type, tx.sender, tx.nonce, tx.body,
                                         tx.body_len, sig, NULL, 0),
                     YC_OK);
    assert_int_equal(yc_tx_decode(&tx2, b.data, b.len), YC_OK);
    assert_memory_equal(tx2.id, tx.id, 32);
    assert_int_equal(yc_tx_verify(&tx2, TC_CHAIN), YC_EBADSIG);
    yc_tx_cleanup(&tx2);

    /* co-signatures do not change the id either; each must verify over it */
    struct yc_cosig cs[2];
    static const uint8_t aux[32] = {0};
    for (int i = 0; i < 2; i++) {
        uint32_t k = i == 0 ? TC_BOB : TC_PROCESSOR;
        memcpy(cs[i].pub, x->tc.pub[k], 33);
        assert_int_equal(yc_sig_sign(x->tc.keys[k], cs[i].sig, tx.id, aux), YC_OK);
    }
    yc_buf_reset(&b);
    assert_int_equal(yc_tx_encode_signed(&b, TC_CHAIN, tx.type, tx.sender, tx.nonce, tx.body,
                                         tx.body_len, tx.sig, cs, 2),
                     YC_OK);
    assert_int_equal(yc_tx_decode(&tx2, b.data, b.len), YC_OK);
    assert_memory_equal(tx2.id, tx.id, 32);
    assert_int_equal(tx2.ncosigs, 2);
    assert_true(memcmp(tx2.cosigs[0].pub, tx2.cosigs[1].pub, 33) < 0); /* written sorted */
    assert_int_equal(yc_tx_verify(&tx2, TC_CHAIN), YC_OK);
    /* a copy's cosigs verify after the original is gone */
    struct yc_tx cp;
    assert_int_equal(yc_tx_copy(&cp, &tx2), YC_OK);
    yc_tx_cleanup(&tx2);
    assert_int_equal(cp.ncosigs, 2);
    assert_int_equal(yc_tx_verify(&cp, TC_CHAIN), YC_OK);
    yc_tx_cleanup(&cp);
    cs[1].sig[10] ^= 1;
    yc_buf_reset(&b);
    assert_int_equal(yc_tx_encode_signed(&b, TC_CHAIN, tx.type, tx.sender, tx.nonce, tx.body,
                                         tx.body_len, tx.sig, cs, 2),
                     YC_OK);
    assert_int_equal(yc_tx_decode(&tx2, b.data, b.len), YC_OK);
    assert_int_equal(yc_tx_verify(&tx2, TC_CHAIN), YC_EBADCOSIG);
    yc_tx_cleanup(&tx2);

    /* a signature by another key over the same id */
    assert_int_equal(yc_sig_sign(x->tc.keys[TC_BOB], sig, tx.id, aux), YC_OK);
    yc_buf_reset(&b);
    assert_int_equal(yc_tx_encode_signed(&b, TC_CHAIN, tx.type, tx.sender, tx.nonce, tx.body,
                                         tx.body_len, sig, NULL, 0),
                     YC_OK);
    assert_int_equal(yc_tx_decode(&tx2, b.data, b.len), YC_OK);
    assert_int_equal(yc_tx_verify(&tx2, TC_CHAIN), YC_EBADSIG);
    yc_tx_cleanup(&tx2);

    yc_buf_cleanup(&b);
    yc_tx_cleanup(&tx);
}

/* ---- strict schema ---- */

static void test_envelope_is_accepted_as_built(void **st)
{
    struct fx *x = *st;
    assert_int_equal(decode_fields(x, x->f, x->nf), YC_OK);
}

static void test_unknown_envelope_field_refused(void **st)
{
    struct fx *x = *st;
    struct fld f[8];
    /* one that sorts last, and one that sorts in the middle */
    memcpy(f, x->f, sizeof x->f);
    f[6] = (struct fld){"zzz", F_UINT, NULL, 0, 1};
    assert_int_equal(decode_fields(x, f, 7), YC_EBADFIELD);
    struct fld g[7] = {x->f[0], x->f[1], {"memo", F_UINT, NULL, 0, 1}, x->f[2], x->f[3],
                       x->f[4], x->f[5]};
    assert_int_equal(decode_fields(x, g, 7), YC_EBADFIELD);
}

static void test_missing_envelope_field_refused(void **st)
{
    struct fx *x = *st;
    for (size_t skip = 0; skip < x->nf; skip++) {
        struct fld f[8];
        size_t n = 0;
        for (size_t i = 0; i < x->nf; i++) {
            if (i != skip) {
                f[n++] = x->f[i];
            }
        }
        assert_int_equal(decode_fields(x, f, n), YC_EBADFIELD);
    }
}

static void test_bad_envelope_values_refused(void **st)
{
    struct fx *x = *st;
    struct fld f[8];
    char chain[80];

    memcpy(f, x->f, sizeof x->f);
    memset(chain, 'c', sizeof chain);
    f[1].p = chain;
    f[1].len = YC_CHAIN_ID_MAX + 1;
    assert_int_equal(decode_fields(x, f, x->nf), YC_EBADFIELD);
    f[1].len = 0;
    assert_int_equal(decode_fields(x, f, x->nf), YC_EBADFIELD);
    f[1].p = "bad chain";
    f[1].len = 9;
    assert_int_equal(decode_fields(x, f, x->nf), YC_EBADFIELD);
    f[1].len = YC_CHAIN_ID_MAX;
    f[1].p = chain;
    assert_int_equal(decode_fields(x, f, x->nf), YC_OK);

    memcpy(f, x->f, sizeof x->f);
    f[2] = (struct fld){"nonce", F_STR, "7", 1, 0};
    assert_int_equal(decode_fields(x, f, x->nf), YC_EBADFIELD);
    memcpy(f, x->f, sizeof x->f);
    f[3].len = 32; /* sender must be 33 bytes */
    assert_int_equal(decode_fields(x, f, x->nf), YC_EBADFIELD);
    uint8_t badkey[33];
    memset(badkey, 0xff, sizeof badkey);
    badkey[0] = YC_SCHEME_BIP340; /* x >= p: not on the curve */
    f[3].p = badkey;
    f[3].len = 33;
    /* the curve check is yc_tx_verify's, done once; decoding checks the scheme byte */
    assert_int_equal(verify_fields(x, f, x->nf), YC_EBADKEY);
    badkey[0] = YC_SCHEME_BIP340 + 1;
    assert_int_equal(decode_fields(x, f, x->nf), YC_EBADKEY);
    memcpy(f, x->f, sizeof x->f);
    f[4].len = 64;
    assert_int_equal(decode_fields(x, f, x->nf), YC_EBADFIELD);
    memcpy(f, x->f, sizeof x->f);
    f[0] = (struct fld){"body", F_STR, "x", 1, 0}; /* a body is a map */
    assert_int_equal(decode_fields(x, f, x->nf), YC_EBADFIELD);
}

static void test_unknown_type_refused(void **st)
{
    struct fx *x = *st;
    struct fld f[8];
    memcpy(f, x->f, sizeof x->f);
    f[5].p = "asset.fly";
    f[5].len = 9;
    assert_int_equal(decode_fields(x, f, x->nf), YC_EUNKNOWNTYPE);
    f[5].p = "";
    f[5].len = 0;
    assert_int_equal(decode_fields(x, f, x->nf), YC_EUNKNOWNTYPE);
}

static void test_body_schema_refusals(void **st)
{
    struct fx *x = *st;
    struct fld f[8];
    struct yc_buf body;
    yc_buf_init(&body, 0);
    memcpy(f, x->f, sizeof x->f);

    /* an unknown body field */
    struct fld b1[] = {{"amount", F_UINT, NULL, 0, 5},
                       {"to", F_BIN, x->tc.pub[TC_BOB], 33, 0},
                       {"zebra", F_UINT, NULL, 0, 1}};
    enc_fields(&body, b1, 3);
    f[0].p = body.data;
    f[0].len = body.len;
    assert_int_equal(decode_fields(x, f, x->nf), YC_EBADFIELD);
    /* a required body field missing */
    enc_fields(&body, b1 + 1, 1);
    f[0].p = body.data;
    f[0].len = body.len;
    assert_int_equal(decode_fields(x, f, x->nf), YC_EBADFIELD);
    /* a body key that is not a point of the curve: decodes, refused by verification */
    uint8_t offcurve[33];
    memset(offcurve, 0xff, sizeof offcurve);
    offcurve[0] = YC_SCHEME_BIP340;
    struct fld b0[] = {{"amount", F_UINT, NULL, 0, 5}, {"to", F_BIN, offcurve, 33, 0}};
    enc_fields(&body, b0, 2);
    f[0].p = body.data;
    f[0].len = body.len;
    assert_int_equal(verify_fields(x, f, x->nf), YC_EBADKEY);
    offcurve[0] = 0x02; /* an unknown scheme: refused by decoding */
    enc_fields(&body, b0, 2);
    f[0].p = body.data;
    f[0].len = body.len;
    assert_int_equal(decode_fields(x, f, x->nf), YC_EBADKEY);
    /* a wrong type */
    struct fld b2[] = {{"amount", F_STR, "5", 1, 0}, {"to", F_BIN, x->tc.pub[TC_BOB], 33, 0}};
    enc_fields(&body, b2, 2);
    f[0].p = body.data;
    f[0].len = body.len;
    assert_int_equal(decode_fields(x, f, x->nf), YC_EBADFIELD);
    /* a digest that is not 32 bytes */
    uint8_t d[33] = {0};
    hb_anchor(&body, d, 31, "kind", NULL, NULL);
    assert_int_equal(tc_decode_code(&x->tc, TC_ALICE, YC_TX_EVIDENCE_ANCHOR, &body), YC_EBADDIGEST);
    hb_anchor(&body, d, 33, "kind", NULL, NULL);
    assert_int_equal(tc_decode_code(&x->tc, TC_ALICE, YC_TX_EVIDENCE_ANCHOR, &body), YC_EBADDIGEST);
    yc_buf_cleanup(&body);
}

static void test_oversized_refused(void **st)
{
    struct fx *x = *st;
    size_t n = YC_TX_MAX_BYTES;
    char *memo = malloc(n);
    memset(memo, 'm', n);
    struct yc_buf body;
    yc_buf_init(&body, 0);
    struct fld b[] = {{"amount", F_UINT, NULL, 0, 5},
                      {"memo", F_STR, memo, YC_NAME_MAX + 1, 0},
                      {"to", F_BIN, x->tc.pub[TC_BOB], 33, 0}};
    enc_fields(&body, b, 3);
    struct fld f[8];
    memcpy(f, x->f, sizeof x->f);
    f[0].p = body.data;
    f[0].len = body.len;
    assert_int_equal(decode_fields(x, f, x->nf), YC_EBADFIELD); /* memo over YC_NAME_MAX */
    b[1].len = n;
    enc_fields(&body, b, 3);
    f[0].p = body.data;
    f[0].len = body.len;
    assert_int_equal(decode_fields(x, f, x->nf), YC_ETOOLARGE);
    free(memo);
    yc_buf_cleanup(&body);
}

static void test_non_canonical_refused(void **st)
{
    struct fx *x = *st;
    struct fld f[8];
    memcpy(f, x->f, sizeof x->f);
    struct fld t = f[2];
    f[2] = f[3];
    f[3] = t; /* keys out of order */
    assert_int_equal(decode_fields(x, f, x->nf), YC_EDECODE);

    enc_fields(&x->tx, x->f, x->nf);
    uint8_t *p = malloc(x->tx.len + 1);
    memcpy(p, x->tx.data, x->tx.len);
    p[x->tx.len] = 0xc0;
    struct yc_tx tx;
    assert_int_equal(yc_tx_decode(&tx, p, x->tx.len + 1), YC_ETRAILING);
    assert_int_equal(yc_tx_decode(&tx, p, x->tx.len - 1), YC_EDECODE);
    assert_int_equal(yc_tx_decode(&tx, p, 0), YC_EDECODE);
    free(p);
}

static void test_cosigs_shape_refused(void **st)
{
    struct fx *x = *st;
    struct yc_buf cs;
    struct yc_enc e;
    yc_buf_init(&cs, 0);
    struct fld f[8] = {x->f[0], x->f[1], {"cosigs", F_RAW, NULL, 0, 0}, x->f[2], x->f[3],
                       x->f[4], x->f[5]};

    yc_enc_init(&e, &cs);
    yc_enc_array(&e, 0);
    assert_int_equal(yc_enc_finish(&e), YC_OK);
    f[2].p = cs.data;
    f[2].len = cs.len;
    assert_int_equal(decode_fields(x, f, 7), YC_EBADFIELD); /* empty: write none */

    /* two in descending key order */
    yc_buf_reset(&cs);
    yc_enc_init(&e, &cs);
    const uint8_t *a = x->tc.pub[TC_BOB], *b = x->tc.pub[TC_PROCESSOR];
    if (memcmp(a, b, 33) < 0) {
        const uint8_t *t = a;
        a = b;
        b = t;
    }
    yc_enc_array(&e, 2);
    yc_enc_array(&e, 2);
    yc_enc_bin(&e, a, 33);
    yc_enc_bin(&e, x->sig, 65);
    yc_enc_array(&e, 2);
    yc_enc_bin(&e, b, 33);
    yc_enc_bin(&e, x->sig, 65);
    assert_int_equal(yc_enc_finish(&e), YC_OK);
    f[2].p = cs.data;
    f[2].len = cs.len;
    assert_int_equal(decode_fields(x, f, 7), YC_EBADFIELD);
    yc_buf_cleanup(&cs);
}

struct failing {
    long left;
};

static void *failing_realloc(void *ctx, void *ptr, size_t size)
{
    struct failing *f = ctx;
    if (size == 0) {
        free(ptr);
        return NULL;
    }
    if (f->left == 0) {
        return NULL;
    }
    f->left--;
    return realloc(ptr, size);
}

/* Decoding under each allocation failure in turn: out_of_memory and a cleared struct
 * (the sanitizer build checks nothing leaks), then success. */
static void test_decode_under_each_allocation_failure(void **st)
{
    struct fx *x = *st;
    enc_fields(&x->tx, x->f, x->nf);
    int rc = YC_ENOMEM;
    for (long i = 0; rc == YC_ENOMEM && i < 1000; i++) {
        struct failing fl = {.left = i};
        yc_allocator a = {.realloc_cb = failing_realloc, .ctx = &fl};
        struct yc_tx tx;
        yc_alloc_set(&a);
        rc = yc_tx_decode(&tx, x->tx.data, x->tx.len);
        yc_alloc_set(NULL);
        if (rc == YC_ENOMEM) {
            assert_null(tx.bytes);
        } else {
            assert_int_equal(rc, YC_OK);
            yc_tx_cleanup(&tx);
        }
    }
    assert_int_equal(rc, YC_OK);
}

/* A copy of a decoded tx allocates nothing (it shares); a copy of a draft (fields
 * pointing into borrowed bytes) makes its own allocation, whose failure is YC_ENOMEM
 * with a cleared struct, and then reads its own bytes. */
static void test_copy_out_of_memory(void **st)
{
    struct fx *x = *st;
    struct yc_tx tx, copy, draft;
    enc_fields(&x->tx, x->f, x->nf);
    assert_int_equal(yc_tx_decode(&tx, x->tx.data, x->tx.len), YC_OK);
    struct failing fl = {.left = 0};
    yc_allocator a = {.realloc_cb = failing_realloc, .ctx = &fl};
    yc_alloc_set(&a);
    int rc = yc_tx_copy(&copy, &tx);
    yc_alloc_set(NULL);
    assert_int_equal(rc, YC_OK);
    assert_ptr_equal(copy.bytes, tx.bytes);
    yc_tx_cleanup(&copy);

    /* a draft over a scratch copy of the bytes: the tx's fields, nothing counted */
    uint8_t *scratch = malloc(tx.len);
    assert_non_null(scratch);
    memcpy(scratch, tx.bytes, tx.len);
    draft = tx;
    draft.mem = NULL;
    draft.bytes = scratch;
    draft.body = scratch + (tx.body - tx.bytes);
    draft.chain_id.p = (const char *)scratch + (tx.chain_id.p - (const char *)tx.bytes);
    draft.b = NULL; /* no typed body: bytes, chain id and body only */
    yc_alloc_set(&a);
    rc = yc_tx_copy(&copy, &draft);
    yc_alloc_set(NULL);
    assert_int_equal(rc, YC_ENOMEM);
    assert_null(copy.bytes);
    assert_int_equal(copy.type, YC_TX_NONE);
    assert_int_equal(yc_tx_copy(&copy, &draft), YC_OK);
    assert_ptr_not_equal(copy.bytes, scratch);
    memset(scratch, 0xee, tx.len);
    free(scratch);
    assert_memory_equal(copy.bytes, tx.bytes, tx.len);
    assert_memory_equal(copy.body, tx.body, tx.body_len);
    assert_memory_equal(copy.chain_id.p, tx.chain_id.p, tx.chain_id.len);
    yc_tx_cleanup(&copy);
    yc_tx_cleanup(&tx);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_round_trip_every_type),
        cmocka_unit_test(test_type_names_table),
        T(test_id_unchanged_when_signature_changes),
        T(test_envelope_is_accepted_as_built),
        T(test_unknown_envelope_field_refused),
        T(test_missing_envelope_field_refused),
        T(test_bad_envelope_values_refused),
        T(test_unknown_type_refused),
        T(test_body_schema_refusals),
        T(test_oversized_refused),
        T(test_non_canonical_refused),
        T(test_cosigs_shape_refused),
        T(test_decode_under_each_allocation_failure),
        T(test_copy_out_of_memory),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
