/*
 * test_hash.c — SHA-256 against FIPS 180-2 vectors, the tagged-hash construction of
 * hash.h byte for byte, sub-ids, hex encoding and strict hex parsing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "yc/err.h"
#include "yc/hash.h"

static void hex_of(char *out, const uint8_t h[YC_HASH_LEN])
{
    yc_hex(out, h, YC_HASH_LEN);
}

static void test_sha256_vectors(void **state)
{
    (void)state;
    uint8_t h[YC_HASH_LEN];
    char hex[2 * YC_HASH_LEN + 1];
    yc_sha256(h, "abc", 3);
    hex_of(hex, h);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    yc_sha256(h, "", 0);
    hex_of(hex, h);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    yc_sha256(h, m, strlen(m));
    hex_of(hex, h);
    assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void test_tagged_construction(void **state)
{
    (void)state;
    /* H(tag, chain, bytes) = SHA-256(u8(len tag) ‖ tag ‖ u8(len chain) ‖ chain ‖ bytes) */
    const char *tag = YC_TAG_TX;
    const char *chain = "yc-test-1";
    const uint8_t msg[] = {1, 2, 3, 0, 255};
    uint8_t pre[256];
    size_t n = 0;
    pre[n++] = (uint8_t)strlen(tag);
    memcpy(pre + n, tag, strlen(tag));
    n += strlen(tag);
    pre[n++] = (uint8_t)strlen(chain);
    memcpy(pre + n, chain, strlen(chain));
    n += strlen(chain);
    memcpy(pre + n, msg, sizeof msg);
    n += sizeof msg;
    uint8_t want[YC_HASH_LEN], got[YC_HASH_LEN];
    yc_sha256(want, pre, n);
    yc_hash_tagged(got, tag, chain, msg, sizeof msg);
    assert_memory_equal(got, want, YC_HASH_LEN);

    /* Empty chain id and empty message: two zero length bytes. */
    uint8_t pre2[64];
    n = 0;
    pre2[n++] = (uint8_t)strlen(YC_TAG_ID);
    memcpy(pre2 + n, YC_TAG_ID, strlen(YC_TAG_ID));
    n += strlen(YC_TAG_ID);
    pre2[n++] = 0;
    yc_sha256(want, pre2, n);
    yc_hash_tagged(got, YC_TAG_ID, "", NULL, 0);
    assert_memory_equal(got, want, YC_HASH_LEN);
    yc_hash_tagged(got, YC_TAG_ID, NULL, NULL, 0); /* NULL chain id means "" */
    assert_memory_equal(got, want, YC_HASH_LEN);
}

static void test_tagged_domain_separation(void **state)
{
    (void)state;
    uint8_t a[YC_HASH_LEN], b[YC_HASH_LEN];
    const uint8_t m[] = "x";
    /* Moving bytes across the tag/chain/message boundaries changes the hash. */
    yc_hash_tagged(a, "ab", "c", m, 1);
    yc_hash_tagged(b, "a", "bc", m, 1);
    assert_memory_not_equal(a, b, YC_HASH_LEN);
    yc_hash_tagged(a, "a", "bcx", NULL, 0);
    yc_hash_tagged(b, "a", "bc", m, 1);
    assert_memory_not_equal(a, b, YC_HASH_LEN);
    /* Different tags and chains give different hashes. */
    yc_hash_tagged(a, YC_TAG_TX, "chain-a", m, 1);
    yc_hash_tagged(b, YC_TAG_PBFT, "chain-a", m, 1);
    assert_memory_not_equal(a, b, YC_HASH_LEN);
    yc_hash_tagged(b, YC_TAG_TX, "chain-b", m, 1);
    assert_memory_not_equal(a, b, YC_HASH_LEN);
}

static void test_sub_id(void **state)
{
    (void)state;
    uint8_t txid[YC_HASH_LEN], a[YC_HASH_LEN], b[YC_HASH_LEN], want[YC_HASH_LEN];
    for (int i = 0; i < YC_HASH_LEN; i++) {
        txid[i] = (uint8_t)i;
    }
    uint8_t m[YC_HASH_LEN + 4];
    memcpy(m, txid, YC_HASH_LEN);
    m[32] = 0x01;
    m[33] = 0x02;
    m[34] = 0x03;
    m[35] = 0x04;
    yc_hash_tagged(want, YC_TAG_ID, "", m, sizeof m);
    yc_hash_sub_id(a, txid, 0x01020304u);
    assert_memory_equal(a, want, YC_HASH_LEN);
    yc_hash_sub_id(a, txid, 1);
    yc_hash_sub_id(b, txid, 2);
    assert_memory_not_equal(a, b, YC_HASH_LEN);
}

static void test_hex(void **state)
{
    (void)state;
    const uint8_t bytes[] = {0x00, 0x01, 0xab, 0xcd, 0xef, 0xff};
    char hex[2 * sizeof bytes + 1];
    yc_hex(hex, bytes, sizeof bytes);
    assert_string_equal(hex, "0001abcdefff");
    uint8_t back[sizeof bytes];
    assert_int_equal(yc_unhex(back, sizeof back, hex, strlen(hex)), YC_OK);
    assert_memory_equal(back, bytes, sizeof bytes);
    assert_int_equal(yc_unhex(back, sizeof back, "0001ABCDEFFF", 12), YC_OK);
    assert_memory_equal(back, bytes, sizeof bytes);
    yc_hex(hex, bytes, 0);
    assert_string_equal(hex, "");

    assert_int_equal(yc_unhex(back, 6, "0001abcdeff", 11), YC_EBADFIELD);    /* odd */
    assert_int_equal(yc_unhex(back, 6, "0001abcdefff00", 14), YC_EBADFIELD); /* long */
    assert_int_equal(yc_unhex(back, 6, "0001abcdefgf", 12), YC_EBADFIELD);   /* 'g' */
    assert_int_equal(yc_unhex(back, 6, "0001abcdef f", 12), YC_EBADFIELD);   /* space */
    assert_int_equal(yc_unhex(back, 6, "0x01abcdefff", 12), YC_EBADFIELD);   /* prefix */
    assert_int_equal(yc_unhex(back, 1, NULL, 2), YC_EBADFIELD);
    assert_int_equal(yc_unhex(back, 0, "", 0), YC_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sha256_vectors),
        cmocka_unit_test(test_tagged_construction),
        cmocka_unit_test(test_tagged_domain_separation),
        cmocka_unit_test(test_sub_id),
        cmocka_unit_test(test_hex),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
