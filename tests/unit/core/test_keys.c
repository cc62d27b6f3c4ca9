/*
 * test_keys.c — BIP-340 keys and signatures (TESTING.md E3): sign and verify, wrong
 * key, every flipped bit, malleated s (s >= n, n - s), r not on the curve or >= p,
 * public keys off the curve or >= p, bad secret keys, scheme bytes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "yc/err.h"
#include "yc/hash.h"
#include "yc/keys.h"

/* secp256k1 group order n and field size p, big-endian. */
static const char *ORDER_N = "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141";
static const char *FIELD_P = "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFC2F";

static void unhex32(uint8_t out[32], const char *hex)
{
    assert_int_equal(yc_unhex(out, 32, hex, strlen(hex)), YC_OK);
}

static yc_signer *make_signer(uint8_t fill)
{
    uint8_t sk[YC_SECKEY_LEN];
    memset(sk, fill, sizeof sk);
    yc_signer *s = NULL;
    assert_int_equal(yc_signer_create(&s, sk), YC_OK);
    assert_non_null(s);
    return s;
}

/* Big-endian 256-bit a - b (a >= b). */
static void sub256(uint8_t out[32], const uint8_t a[32], const uint8_t b[32])
{
    int borrow = 0;
    for (int i = 31; i >= 0; i--) {
        int d = a[i] - b[i] - borrow;
        borrow = d < 0;
        out[i] = (uint8_t)(d + (borrow ? 256 : 0));
    }
}

static void test_sign_verify(void **state)
{
    (void)state;
    yc_signer *s = make_signer(0x11);
    uint8_t pub[YC_PUBKEY_LEN], sig[YC_SIG_LEN], msg[32], aux[32];
    yc_signer_pubkey(s, pub);
    assert_int_equal(pub[0], YC_SCHEME_BIP340);
    assert_true(yc_pubkey_valid(pub));
    yc_sha256(msg, "hello", 5);
    memset(aux, 0x5a, sizeof aux);
    assert_int_equal(yc_sig_sign(s, sig, msg, aux), YC_OK);
    assert_int_equal(sig[0], YC_SCHEME_BIP340);
    assert_true(yc_sig_verify(sig, msg, pub));

    /* Same aux: same signature. Fresh aux: another signature, also valid. */
    uint8_t sig2[YC_SIG_LEN];
    assert_int_equal(yc_sig_sign(s, sig2, msg, aux), YC_OK);
    assert_memory_equal(sig, sig2, YC_SIG_LEN);
    aux[0] ^= 1;
    assert_int_equal(yc_sig_sign(s, sig2, msg, aux), YC_OK);
    assert_memory_not_equal(sig, sig2, YC_SIG_LEN);
    assert_true(yc_sig_verify(sig2, msg, pub));
    yc_signer_destroy(s);
    yc_signer_destroy(NULL);
}

static void test_wrong_key_and_message(void **state)
{
    (void)state;
    yc_signer *a = make_signer(0x22), *b = make_signer(0x33);
    uint8_t pa[YC_PUBKEY_LEN], pb[YC_PUBKEY_LEN], sig[YC_SIG_LEN], msg[32], aux[32] = {0};
    yc_signer_pubkey(a, pa);
    yc_signer_pubkey(b, pb);
    assert_memory_not_equal(pa, pb, YC_PUBKEY_LEN);
    yc_sha256(msg, "m", 1);
    assert_int_equal(yc_sig_sign(a, sig, msg, aux), YC_OK);
    assert_true(yc_sig_verify(sig, msg, pa));
    assert_false(yc_sig_verify(sig, msg, pb));
    uint8_t other[32];
    yc_sha256(other, "n", 1);
    assert_false(yc_sig_verify(sig, other, pa));
    yc_signer_destroy(a);
    yc_signer_destroy(b);
}

static void test_flipped_bits(void **state)
{
    (void)state;
    yc_signer *s = make_signer(0x44);
    uint8_t pub[YC_PUBKEY_LEN], sig[YC_SIG_LEN], msg[32], aux[32] = {7};
    yc_signer_pubkey(s, pub);
    yc_sha256(msg, "flip", 4);
    assert_int_equal(yc_sig_sign(s, sig, msg, aux), YC_OK);
    for (size_t bit = 0; bit < 8 * YC_SIG_LEN; bit++) {
        sig[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        assert_false(yc_sig_verify(sig, msg, pub));
        sig[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    }
    for (size_t bit = 0; bit < 8 * 32; bit++) {
        msg[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        assert_false(yc_sig_verify(sig, msg, pub));
        msg[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    }
    for (size_t bit = 0; bit < 8 * YC_PUBKEY_LEN; bit++) {
        pub[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        assert_false(yc_sig_verify(sig, msg, pub));
        pub[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    }
    assert_true(yc_sig_verify(sig, msg, pub));
    yc_signer_destroy(s);
}

static void test_s_out_of_range(void **state)
{
    (void)state;
    yc_signer *s = make_signer(0x55);
    uint8_t pub[YC_PUBKEY_LEN], sig[YC_SIG_LEN], bad[YC_SIG_LEN], msg[32], aux[32] = {0};
    uint8_t n[32];
    unhex32(n, ORDER_N);
    yc_signer_pubkey(s, pub);
    yc_sha256(msg, "s", 1);
    assert_int_equal(yc_sig_sign(s, sig, msg, aux), YC_OK);

    /* s = n, s = n + 1, s = 2^256 - 1: all >= n. */
    memcpy(bad, sig, YC_SIG_LEN);
    memcpy(bad + 33, n, 32);
    assert_false(yc_sig_verify(bad, msg, pub));
    bad[64] = (uint8_t)(bad[64] + 1);
    assert_false(yc_sig_verify(bad, msg, pub));
    memset(bad + 33, 0xff, 32);
    assert_false(yc_sig_verify(bad, msg, pub));

    /* The negated scalar n - s is the classic malleation of a Schnorr s. */
    memcpy(bad, sig, YC_SIG_LEN);
    sub256(bad + 33, n, sig + 33);
    assert_false(yc_sig_verify(bad, msg, pub));

    /* s = 0 with a valid r. (s + n never fits in 256 bits for a real s: the s >= n
     * cases above are the range check that refuses it.) */
    memset(bad + 33, 0, 32);
    assert_false(yc_sig_verify(bad, msg, pub));
    yc_signer_destroy(s);
}

static void test_r_not_on_curve(void **state)
{
    (void)state;
    yc_signer *s = make_signer(0x66);
    uint8_t pub[YC_PUBKEY_LEN], sig[YC_SIG_LEN], bad[YC_SIG_LEN], msg[32], aux[32] = {0};
    yc_signer_pubkey(s, pub);
    yc_sha256(msg, "r", 1);
    assert_int_equal(yc_sig_sign(s, sig, msg, aux), YC_OK);
    memcpy(bad, sig, YC_SIG_LEN);
    /* x with no point on the curve (BIP-340 vector 11's r). */
    unhex32(bad + 1, "4A298DACAE57395A15D0795DDBFD1DCB564DA82B0F269BC70A74F8220429BA1D");
    assert_false(yc_sig_verify(bad, msg, pub));
    /* r = p and r = 2^256 - 1: not field elements. */
    unhex32(bad + 1, FIELD_P);
    assert_false(yc_sig_verify(bad, msg, pub));
    memset(bad + 1, 0xff, 32);
    assert_false(yc_sig_verify(bad, msg, pub));
    memset(bad + 1, 0, 32);
    assert_false(yc_sig_verify(bad, msg, pub));
    yc_signer_destroy(s);
}

static void test_pubkey_off_curve(void **state)
{
    (void)state;
    uint8_t pub[YC_PUBKEY_LEN];
    pub[0] = YC_SCHEME_BIP340;
    /* BIP-340 vector 5: not on the curve. */
    unhex32(pub + 1, "EEFDEA4CDB677750A420FEE807EACF21EB9898AE79B9768766E4FAA04A2D4A34");
    assert_false(yc_pubkey_valid(pub));
    /* Vector 14: exceeds the field size. */
    unhex32(pub + 1, "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFC30");
    assert_false(yc_pubkey_valid(pub));
    unhex32(pub + 1, FIELD_P);
    assert_false(yc_pubkey_valid(pub));
    memset(pub + 1, 0, 32);
    assert_false(yc_pubkey_valid(pub));

    /* A valid key with an unknown scheme byte is refused, by validity and by verify. */
    yc_signer *s = make_signer(0x77);
    uint8_t sig[YC_SIG_LEN], msg[32] = {1}, aux[32] = {0};
    yc_signer_pubkey(s, pub);
    assert_int_equal(yc_sig_sign(s, sig, msg, aux), YC_OK);
    assert_true(yc_sig_verify(sig, msg, pub));
    pub[0] = 0x02;
    assert_false(yc_pubkey_valid(pub));
    assert_false(yc_sig_verify(sig, msg, pub));
    pub[0] = YC_SCHEME_BIP340;
    sig[0] = 0x00;
    assert_false(yc_sig_verify(sig, msg, pub));
    assert_false(yc_pubkey_valid(NULL));
    yc_signer_destroy(s);
}

static void test_bad_secret_keys(void **state)
{
    (void)state;
    uint8_t sk[YC_SECKEY_LEN];
    yc_signer *s = (yc_signer *)&s; /* must be reset to NULL on failure */
    memset(sk, 0, sizeof sk);
    assert_int_equal(yc_signer_create(&s, sk), YC_EBADKEY);
    assert_null(s);
    unhex32(sk, ORDER_N);
    assert_int_equal(yc_signer_create(&s, sk), YC_EBADKEY);
    assert_null(s);
    memset(sk, 0xff, sizeof sk);
    assert_int_equal(yc_signer_create(&s, sk), YC_EBADKEY);
    assert_null(s);
    unhex32(sk, ORDER_N);
    sk[31] = (uint8_t)(sk[31] - 1); /* n - 1 is the largest valid key */
    assert_int_equal(yc_signer_create(&s, sk), YC_OK);
    assert_non_null(s);
    yc_signer_destroy(s);
    assert_int_equal(yc_signer_create(NULL, sk), YC_EINVAL);
}

static void test_raw_bip340_any_length(void **state)
{
    (void)state;
    yc_signer *s = make_signer(0x12);
    uint8_t pub[YC_PUBKEY_LEN], sig[YC_SIG64_LEN], aux[32] = {0};
    uint8_t msg[100];
    memset(msg, 0x99, sizeof msg);
    yc_signer_pubkey(s, pub);
    size_t lens[] = {0, 1, 31, 32, 33, 100};
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        assert_int_equal(yc_sig_sign_bip340(s, sig, msg, lens[i], aux), YC_OK);
        assert_true(yc_sig_verify_bip340(sig, msg, lens[i], pub + 1));
        if (lens[i] > 0) {
            assert_false(yc_sig_verify_bip340(sig, msg, lens[i] - 1, pub + 1));
        }
    }
    assert_int_equal(yc_sig_sign_bip340(NULL, sig, msg, 1, aux), YC_EINVAL);
    assert_int_equal(yc_sig_sign_bip340(s, sig, msg, 1, NULL), YC_EINVAL);
    yc_signer_destroy(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sign_verify),     cmocka_unit_test(test_wrong_key_and_message),
        cmocka_unit_test(test_flipped_bits),    cmocka_unit_test(test_s_out_of_range),
        cmocka_unit_test(test_r_not_on_curve),  cmocka_unit_test(test_pubkey_off_curve),
        cmocka_unit_test(test_bad_secret_keys), cmocka_unit_test(test_raw_bip340_any_length),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
