/*
 * test_txfile.c — transaction files: unsigned → signed by the sender → co-signed →
 * encoded, through text each time; the compact tx_hex form; every signature checked on
 * reading; a stated id that does not match, a changed field under signatures, unknown
 * fields, bad types and oversized files refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "yc/txschema.h"
#include "txfile.h"
#include "yc/bech32.h"

#define CHAIN "yuchain-test"

static yc_signer *alice, *bob, *carol;
static uint8_t alice_pub[YC_PUBKEY_LEN], bob_pub[YC_PUBKEY_LEN], carol_pub[YC_PUBKEY_LEN];

static yc_signer *mk(uint8_t last, uint8_t pub[YC_PUBKEY_LEN])
{
    uint8_t sec[32] = {0};
    sec[31] = last;
    yc_signer *s = NULL;
    if (yc_signer_create(&s, sec) != YC_OK)
        return NULL;
    yc_signer_pubkey(s, pub);
    return s;
}

static int setup(void **state)
{
    (void)state;
    if (sodium_init() < 0)
        return -1;
    alice = mk(1, alice_pub);
    bob = mk(2, bob_pub);
    carol = mk(3, carol_pub);
    return alice && bob && carol ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    yc_signer_destroy(alice);
    yc_signer_destroy(bob);
    yc_signer_destroy(carol);
    return 0;
}

/* An unsigned transfer from alice to bob. */
static void make(struct txfile *tf, uint64_t nonce)
{
    struct yc_buf body;
    yc_buf_init(&body, YC_TX_MAX_BYTES);
    union yc_tx_body b;
    memset(&b, 0, sizeof b);
    b.token.has_to = true;
    memcpy(b.token.to, bob_pub, YC_PUBKEY_LEN);
    b.token.amount = 100;
    assert_int_equal(yc_tx_body_encode(&body, YC_TX_TOKEN_TRANSFER, &b,
                                       yc_tx_body_present(YC_TX_TOKEN_TRANSFER, &b)),
                     YC_OK);
    assert_int_equal(
        txfile_init(tf, CHAIN, YC_TX_TOKEN_TRANSFER, alice_pub, nonce, body.data, body.len), YC_OK);
    yc_buf_cleanup(&body);
}

/* Renders and parses back (the text path every command takes). */
static int reparse(const struct txfile *in, struct txfile *out, char *err, size_t errlen)
{
    char *text = txfile_render(in);
    assert_non_null(text);
    int rc = txfile_parse(out, text, strlen(text), err, errlen);
    free(text);
    return rc;
}

static void sign(struct txfile *tf, yc_signer *s, bool want_sender)
{
    uint8_t aux[32];
    bool as_sender = !want_sender;
    randombytes_buf(aux, sizeof aux);
    assert_int_equal(txfile_sign(tf, s, aux, &as_sender), YC_OK);
    assert_true(as_sender == want_sender);
}

static void test_sign_flow(void **state)
{
    (void)state;
    struct txfile tf, back;
    char err[256];
    make(&tf, 4);
    assert_int_equal(reparse(&tf, &back, err, sizeof err), YC_OK);
    assert_memory_equal(back.id, tf.id, YC_HASH_LEN);
    assert_false(back.has_sig);
    struct yc_buf out;
    yc_buf_init(&out, YC_TX_MAX_BYTES);
    assert_int_equal(txfile_encode(&back, &out), YC_EBADSIG); /* not signed yet */

    /* co-signers first, in any order; then the sender */
    sign(&back, carol, false);
    sign(&back, bob, false);
    txfile_cleanup(&tf);
    assert_int_equal(reparse(&back, &tf, err, sizeof err), YC_OK);
    assert_int_equal(tf.ncosigs, 2);
    sign(&tf, alice, true);
    sign(&tf, bob, false); /* re-signing replaces, never duplicates */
    txfile_cleanup(&back);
    assert_int_equal(reparse(&tf, &back, err, sizeof err), YC_OK);
    assert_true(back.has_sig);
    assert_int_equal(back.ncosigs, 2);

    assert_int_equal(txfile_encode(&back, &out), YC_OK);
    struct yc_tx tx;
    assert_int_equal(yc_tx_decode(&tx, out.data, out.len), YC_OK);
    assert_int_equal(yc_tx_verify(&tx, CHAIN), YC_OK);
    assert_memory_equal(tx.id, tf.id, YC_HASH_LEN);
    assert_int_equal(tx.nonce, 4);
    assert_int_equal(tx.ncosigs, 2);
    assert_true(memcmp(tx.cosigs[0].pub, tx.cosigs[1].pub, YC_PUBKEY_LEN) < 0);

    /* the compact form of the same transaction reads back identically */
    char *hex = malloc(2 * out.len + 1);
    yc_hex(hex, out.data, out.len);
    char *text = malloc(2 * out.len + 64);
    sprintf(text, "{\"format\":\"yuchain-tx/1\",\"tx_hex\":\"%s\"}", hex);
    struct txfile c;
    assert_int_equal(txfile_parse(&c, text, strlen(text), err, sizeof err), YC_OK);
    assert_memory_equal(c.id, tf.id, YC_HASH_LEN);
    assert_true(c.has_sig);
    assert_int_equal(c.ncosigs, 2);
    struct yc_buf out2;
    yc_buf_init(&out2, YC_TX_MAX_BYTES);
    assert_int_equal(txfile_encode(&c, &out2), YC_OK);
    assert_int_equal(out2.len, out.len);
    assert_memory_equal(out2.data, out.data, out.len);
    /* the compact form allows nothing else */
    sprintf(text, "{\"tx_hex\":\"%s\",\"nonce\":\"1\"}", hex);
    txfile_cleanup(&c);
    assert_int_equal(txfile_parse(&c, text, strlen(text), err, sizeof err), YC_EBADFIELD);

    free(hex);
    free(text);
    yc_buf_cleanup(&out);
    yc_buf_cleanup(&out2);
    yc_tx_cleanup(&tx);
    txfile_cleanup(&c);
    txfile_cleanup(&tf);
    txfile_cleanup(&back);
}

/* Replaces the first `from` in text by `to` (same buffer, enough room). */
static void subst(char *text, const char *from, const char *to)
{
    char *p = strstr(text, from);
    assert_non_null(p);
    size_t fl = strlen(from), tl = strlen(to);
    memmove(p + tl, p + fl, strlen(p + fl) + 1);
    memcpy(p, to, tl);
}

static void test_tampering(void **state)
{
    (void)state;
    struct txfile tf, back;
    char err[256];
    make(&tf, 4);
    sign(&tf, alice, true);
    char *orig = txfile_render(&tf);
    char buf[8192];

    /* a changed nonce under the sender's signature: the id moves, the stated id fails */
    strcpy(buf, orig);
    subst(buf, "\"nonce\": \"4\"", "\"nonce\": \"5\"");
    assert_int_equal(txfile_parse(&back, buf, strlen(buf), err, sizeof err), YC_EBADFIELD);
    assert_non_null(strstr(err, "id"));
    /* ... and without the stated id, the signature fails */
    char idline[128];
    char idhex[65];
    yc_hex(idhex, tf.id, 32);
    snprintf(idline, sizeof idline, "\"id\": \"%s\",", idhex);
    subst(buf, idline, "");
    assert_int_equal(txfile_parse(&back, buf, strlen(buf), err, sizeof err), YC_EBADSIG);

    /* other chain */
    strcpy(buf, orig);
    subst(buf, CHAIN, "other");
    subst(buf, idline, "");
    assert_int_equal(txfile_parse(&back, buf, strlen(buf), err, sizeof err), YC_EBADSIG);

    /* unknown field, unknown type, bad format, bad nonce, bad sender, not JSON */
    strcpy(buf, orig);
    subst(buf, "\"nonce\"", "\"extra\": 1, \"nonce\"");
    assert_int_equal(txfile_parse(&back, buf, strlen(buf), err, sizeof err), YC_EBADFIELD);
    strcpy(buf, orig);
    subst(buf, "token.transfer", "token.steal");
    assert_int_equal(txfile_parse(&back, buf, strlen(buf), err, sizeof err), YC_EUNKNOWNTYPE);
    strcpy(buf, orig);
    subst(buf, "token.transfer", "token.redeem"); /* body has "to": wrong for redeem */
    assert_int_not_equal(txfile_parse(&back, buf, strlen(buf), err, sizeof err), YC_OK);
    strcpy(buf, orig);
    subst(buf, "yuchain-tx/1", "yuchain-tx/2");
    assert_int_equal(txfile_parse(&back, buf, strlen(buf), err, sizeof err), YC_EDECODE);
    strcpy(buf, orig);
    subst(buf, "\"nonce\": \"4\"", "\"nonce\": 4");
    assert_int_equal(txfile_parse(&back, buf, strlen(buf), err, sizeof err), YC_EBADFIELD);
    strcpy(buf, orig);
    subst(buf, "\"sender\": \"yc1", "\"sender\": \"yc1q");
    assert_int_equal(txfile_parse(&back, buf, strlen(buf), err, sizeof err), YC_EBADADDR);
    assert_int_equal(txfile_parse(&back, "[]", 2, err, sizeof err), YC_EDECODE);
    assert_int_equal(txfile_parse(&back, "{", 1, err, sizeof err), YC_EDECODE);

    /* a signature by someone else claiming to be the sender */
    struct txfile other;
    make(&other, 5);
    sign(&other, alice, true);
    char sigother[200], sigmine[200];
    yc_hex(sigother, other.sig, YC_SIG_LEN);
    yc_hex(sigmine, tf.sig, YC_SIG_LEN);
    strcpy(buf, orig);
    subst(buf, sigmine, sigother);
    assert_int_equal(txfile_parse(&back, buf, strlen(buf), err, sizeof err), YC_EBADSIG);
    txfile_cleanup(&other);

    /* the same signer twice */
    strcpy(buf, orig);
    char dup[512];
    char addr[YC_ADDR_MAX];
    assert_int_equal(yc_addr_encode(addr, alice_pub), YC_OK);
    snprintf(dup, sizeof dup, "\"sigs\": [{\"signer\": \"%s\", \"sig\": \"%s\"}, ", addr, sigmine);
    subst(buf, "\"sigs\": [", dup);
    assert_int_equal(txfile_parse(&back, buf, strlen(buf), err, sizeof err), YC_EBADFIELD);

    /* too large */
    char *big = malloc(TXFILE_MAX_BYTES + 2);
    memset(big, ' ', TXFILE_MAX_BYTES + 1);
    big[TXFILE_MAX_BYTES + 1] = '\0';
    assert_int_equal(txfile_parse(&back, big, TXFILE_MAX_BYTES + 1, err, sizeof err), YC_ELIMIT);
    free(big);
    free(orig);
    txfile_cleanup(&tf);
}

static void test_init_checks_body(void **state)
{
    (void)state;
    struct txfile tf;
    static const uint8_t junk[] = {0x81, 0xa1, 'x', 0x01}; /* {"x":1}: unknown field */
    assert_int_not_equal(
        txfile_init(&tf, CHAIN, YC_TX_TOKEN_TRANSFER, alice_pub, 0, junk, sizeof junk), YC_OK);
    assert_null(tf.body);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sign_flow),
        cmocka_unit_test(test_tampering),
        cmocka_unit_test(test_init_checks_body),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
