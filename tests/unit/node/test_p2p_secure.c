/*
 * test_p2p_secure.c — the node-to-node handshake and frames (TESTING.md E5, D2 parts):
 * both sides agree on keys and identities; a flipped byte, a replayed frame, a swapped
 * ephemeral key, another chain, a low-order point and an oversized length all fail closed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "p2p_secure.h"

struct pair {
    yc_signer *a, *b;
    struct p2p_hs hi, hr;
    struct p2p_session si, sr;
};

static void make_signer(yc_signer **s, uint8_t fill)
{
    uint8_t sk[32];
    memset(sk, fill, sizeof sk);
    assert_int_equal(yc_signer_create(s, sk), YC_OK);
}

static void setup_pair(struct pair *p, const char *chain_i, const char *chain_r)
{
    uint8_t seed_i[32], seed_r[32];
    memset(seed_i, 0x11, 32);
    memset(seed_r, 0x22, 32);
    make_signer(&p->a, 0x05);
    make_signer(&p->b, 0x07);
    assert_int_equal(p2p_hs_init(&p->hi, true, chain_i, seed_i), YC_OK);
    assert_int_equal(p2p_hs_init(&p->hr, false, chain_r, seed_r), YC_OK);
}

static void teardown_pair(struct pair *p)
{
    yc_signer_destroy(p->a);
    yc_signer_destroy(p->b);
    p2p_hs_cleanup(&p->hi);
    p2p_hs_cleanup(&p->hr);
    p2p_session_cleanup(&p->si);
    p2p_session_cleanup(&p->sr);
}

static void handshake(struct pair *p)
{
    uint8_t hello[P2P_HELLO_LEN], reply[P2P_REPLY_LEN], auth[P2P_AUTH_LEN];
    assert_int_equal(p2p_hs_hello(&p->hi, hello), YC_OK);
    assert_int_equal(p2p_hs_on_hello(&p->hr, hello, sizeof hello, p->b, reply), YC_OK);
    assert_int_equal(p2p_hs_on_reply(&p->hi, reply, sizeof reply, p->a, auth, &p->si, 1024), YC_OK);
    assert_int_equal(p2p_hs_on_auth(&p->hr, auth, sizeof auth, &p->sr, 1024), YC_OK);
}

static void test_handshake_agrees_on_keys_and_identities(void **state)
{
    struct pair p;
    uint8_t pa[YC_PUBKEY_LEN], pb[YC_PUBKEY_LEN];
    (void)state;
    setup_pair(&p, "yc-test", "yc-test");
    handshake(&p);
    yc_signer_pubkey(p.a, pa);
    yc_signer_pubkey(p.b, pb);
    assert_memory_equal(p.si.peer_pub, pb, YC_PUBKEY_LEN);
    assert_memory_equal(p.sr.peer_pub, pa, YC_PUBKEY_LEN);
    assert_memory_equal(p.si.tx_key, p.sr.rx_key, sizeof p.si.tx_key);
    assert_memory_equal(p.si.rx_key, p.sr.tx_key, sizeof p.si.rx_key);
    teardown_pair(&p);
}

static void test_frames_round_trip_and_fail_closed(void **state)
{
    struct pair p;
    uint8_t frame[64 + P2P_FRAME_HDR + P2P_MAC_LEN], out[64], copy[sizeof frame];
    size_t outlen, clen;
    const char *msg = "PREPARE h=7 v=0";
    (void)state;
    setup_pair(&p, "yc-test", "yc-test");
    handshake(&p);
    size_t n = strlen(msg), flen = p2p_sealed_len(n);
    assert_int_equal(p2p_seal(&p.si, (const uint8_t *)msg, n, frame), YC_OK);
    memcpy(copy, frame, flen);
    assert_int_equal(p2p_frame_len(&p.sr, frame, &clen), YC_OK);
    assert_int_equal(clen + P2P_FRAME_HDR, flen);
    assert_int_equal(p2p_open(&p.sr, frame, flen, out, &outlen), YC_OK);
    assert_int_equal(outlen, n);
    assert_memory_equal(out, msg, n);
    /* the same frame again: the receive counter moved on, so a replay fails */
    assert_int_equal(p2p_open(&p.sr, copy, flen, out, &outlen), YC_EBADMSG);
    /* a flipped ciphertext byte fails */
    assert_int_equal(p2p_seal(&p.si, (const uint8_t *)msg, n, frame), YC_OK);
    frame[P2P_FRAME_HDR + 3] ^= 0x01;
    assert_int_equal(p2p_open(&p.sr, frame, flen, out, &outlen), YC_EBADMSG);
    /* too large for the session: refused before sealing */
    uint8_t big[2048] = {0};
    uint8_t bigout[2048 + 32];
    assert_int_equal(p2p_seal(&p.si, big, sizeof big, bigout), YC_ELIMIT);
    teardown_pair(&p);
}

static void test_declared_length_over_maximum_is_refused(void **state)
{
    struct pair p;
    size_t clen = 99;
    uint8_t hdr[4] = {0x7f, 0xff, 0xff, 0xff};
    uint8_t tiny[4] = {0, 0, 0, 3};
    (void)state;
    setup_pair(&p, "yc-test", "yc-test");
    handshake(&p);
    assert_int_equal(p2p_frame_len(&p.sr, hdr, &clen), YC_ETOOLARGE);
    assert_int_equal(clen, 0);
    assert_int_equal(p2p_frame_len(&p.sr, tiny, &clen), YC_ETOOLARGE);
    teardown_pair(&p);
}

static void test_other_chain_is_refused(void **state)
{
    struct pair p;
    uint8_t hello[P2P_HELLO_LEN], reply[P2P_REPLY_LEN];
    (void)state;
    setup_pair(&p, "yc-a", "yc-b");
    assert_int_equal(p2p_hs_hello(&p.hi, hello), YC_OK);
    assert_int_equal(p2p_hs_on_hello(&p.hr, hello, sizeof hello, p.b, reply), YC_EBADMSG);
    assert_int_equal(p.hr.state, P2P_HS_FAILED);
    teardown_pair(&p);
}

static void test_swapped_ephemeral_key_breaks_signature(void **state)
{
    struct pair p;
    uint8_t hello[P2P_HELLO_LEN], reply[P2P_REPLY_LEN], auth[P2P_AUTH_LEN];
    (void)state;
    setup_pair(&p, "yc-test", "yc-test");
    assert_int_equal(p2p_hs_hello(&p.hi, hello), YC_OK);
    assert_int_equal(p2p_hs_on_hello(&p.hr, hello, sizeof hello, p.b, reply), YC_OK);
    /* a man in the middle substitutes his own ephemeral key in the reply */
    memset(reply, 0x33, 32);
    assert_int_equal(p2p_hs_on_reply(&p.hi, reply, sizeof reply, p.a, auth, &p.si, 1024),
                     YC_EBADSIG);
    teardown_pair(&p);
}

static void test_forged_auth_is_refused(void **state)
{
    struct pair p;
    uint8_t hello[P2P_HELLO_LEN], reply[P2P_REPLY_LEN], auth[P2P_AUTH_LEN];
    (void)state;
    setup_pair(&p, "yc-test", "yc-test");
    assert_int_equal(p2p_hs_hello(&p.hi, hello), YC_OK);
    assert_int_equal(p2p_hs_on_hello(&p.hr, hello, sizeof hello, p.b, reply), YC_OK);
    assert_int_equal(p2p_hs_on_reply(&p.hi, reply, sizeof reply, p.a, auth, &p.si, 1024), YC_OK);
    /* claim another identity with the same signature */
    auth[5] ^= 0x40;
    assert_int_equal(p2p_hs_on_auth(&p.hr, auth, sizeof auth, &p.sr, 1024), YC_EBADSIG);
    teardown_pair(&p);
}

static void test_low_order_ephemeral_point_fails(void **state)
{
    struct pair p;
    uint8_t hello[P2P_HELLO_LEN], reply[P2P_REPLY_LEN], auth[P2P_AUTH_LEN];
    (void)state;
    setup_pair(&p, "yc-test", "yc-test");
    /* a validly signing peer offers the identity point as its ephemeral key */
    memset(p.hi.eph_pk, 0, sizeof p.hi.eph_pk);
    assert_int_equal(p2p_hs_hello(&p.hi, hello), YC_OK);
    assert_int_equal(p2p_hs_on_hello(&p.hr, hello, sizeof hello, p.b, reply), YC_OK);
    assert_int_equal(p2p_hs_on_reply(&p.hi, reply, sizeof reply, p.a, auth, &p.si, 1024), YC_OK);
    /* the responder cannot derive keys from a low-order point: no session */
    assert_int_equal(p2p_hs_on_auth(&p.hr, auth, sizeof auth, &p.sr, 1024), YC_EBADMSG);
    assert_int_equal(p.hr.state, P2P_HS_FAILED);
    teardown_pair(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_handshake_agrees_on_keys_and_identities),
        cmocka_unit_test(test_frames_round_trip_and_fail_closed),
        cmocka_unit_test(test_declared_length_over_maximum_is_refused),
        cmocka_unit_test(test_other_chain_is_refused),
        cmocka_unit_test(test_swapped_ephemeral_key_breaks_signature),
        cmocka_unit_test(test_forged_auth_is_refused),
        cmocka_unit_test(test_low_order_ephemeral_point_fails),
    };
    if (sodium_init() < 0)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
