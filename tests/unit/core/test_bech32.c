/*
 * test_bech32.c — bech32m (BIP-350) and yc1 addresses: BIP-350's valid and invalid
 * bech32m strings, its v1+ segwit addresses decoded and re-encoded exactly, bech32
 * (BIP-173) checksums refused, address round trips, every one-character typo and
 * adjacent swap of an address detected, and malformed addresses refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "yc/bech32.h"
#include "yc/err.h"
#include "yc/hash.h"
#include "yc/keys.h"

/* BIP-350, "Test vectors for Bech32m": valid strings. */
static const char *const valid_bech32m[] = {
    "A1LQFN3A",
    "a1lqfn3a",
    "an83characterlonghumanreadablepartthatcontainsthetheexcludedcharactersbioandnumber11sg7hg6",
    "abcdef1l7aum6echk45nj3s0wdvt2fg8x9yrzpqzd3ryx",
    "11llllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllludsr8",
    "split1checkupstagehandshakeupstreamerranterredcaperredlc445v",
    "?1v759aa",
};

/* BIP-350 invalid strings (reason in the comment). */
static const char *const invalid_bech32m[] = {
    "\x20"
    "1xj0phk", /* HRP character out of range */
    "\x7f"
    "1g6xzxy", /* HRP character out of range */
    "\x80"
    "1vctc34", /* HRP character out of range */
    "an84characterslonghumanreadablepartthatcontainsthetheexcludedcharactersbioandnumber11d6pts4",
    "qyrz8wqd2c9m",  /* no separator character */
    "1qyrz8wqd2c9m", /* empty HRP */
    "y1b0jsk6g",     /* invalid data character */
    "lt1igcx5c0",    /* invalid data character */
    "in1muywd",      /* too short checksum */
    "mm1crxm3i",     /* invalid character in checksum */
    "au1s5cgom",     /* invalid character in checksum */
    "M1VUXWEZ",      /* checksum calculated with uppercase form of HRP */
    "16plkw9",       /* empty HRP */
    "1p2gdwpf",      /* empty HRP */
    /* BIP-350 segwit vectors whose defect is the checksum or the characters: */
    "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd", /* bech32, not m */
    "tb1z0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqglt7rf", /* bech32, not m */
    "BC1S0XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ54WELL", /* bech32, not m */
    "bc1p38j9r5y49hruaue7wxjce0updqjuyyx0kh56v8s25huc6995vvpql3jow4", /* bad char */
    "tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq47Zagq", /* mixed case */
    /* BIP-173 valid bech32 strings: not bech32m. */
    "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4",
    "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7",
    "",
    "1",
};

static void test_bip350_valid(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof valid_bech32m / sizeof valid_bech32m[0]; i++) {
        const char *s = valid_bech32m[i];
        char hrp[100];
        uint8_t d5[100];
        size_t n = sizeof d5;
        print_message("valid: %s\n", s);
        assert_int_equal(yc_bech32m_decode5(s, hrp, sizeof hrp, d5, &n), YC_OK);
        /* Re-encoding gives the lowercase form of the same string. */
        char out[100], lower[100];
        assert_int_equal(yc_bech32m_encode5(out, sizeof out, hrp, d5, n), YC_OK);
        size_t k = 0;
        for (; s[k] != '\0'; k++) {
            lower[k] = (s[k] >= 'A' && s[k] <= 'Z') ? (char)(s[k] - 'A' + 'a') : s[k];
        }
        lower[k] = '\0';
        assert_string_equal(out, lower);
        /* Flipping a data or checksum character breaks it. */
        char bad[100];
        strcpy(bad, lower);
        size_t last = strlen(bad) - 1;
        bad[last] = bad[last] == 'q' ? 'p' : 'q';
        n = sizeof d5;
        assert_int_equal(yc_bech32m_decode5(bad, hrp, sizeof hrp, d5, &n), YC_EBADADDR);
    }
}

static void test_bip350_invalid(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof invalid_bech32m / sizeof invalid_bech32m[0]; i++) {
        char hrp[100];
        uint8_t d5[100];
        size_t n = sizeof d5;
        print_message("invalid #%zu\n", i);
        assert_int_equal(yc_bech32m_decode5(invalid_bech32m[i], hrp, sizeof hrp, d5, &n),
                         YC_EBADADDR);
        uint8_t d8[100];
        n = sizeof d8;
        assert_int_equal(yc_bech32m_decode(invalid_bech32m[i], hrp, sizeof hrp, d8, &n),
                         YC_EBADADDR);
    }
}

/* BIP-350 v1+ segwit addresses: version char, then the program in 5-bit groups. */
static void test_bip350_segwit_programs(void **state)
{
    (void)state;
    static const struct {
        const char *addr;
        const char *spk; /* scriptPubKey hex: OP_n, push length, program */
    } v[] = {
        {"bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
         "512079be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"},
        {"tb1pqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesf3hn0c",
         "5120000000c4a5cad46221b2a187905e5266362b99d5e91c6ce24d165dab93e86433"},
        {"BC1SW50QGDZ25J", "6002751e"},
        {"bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs", "5210751e76e8199196d454941c45d1b3a323"},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        char hrp[100];
        uint8_t d5[100];
        size_t n = sizeof d5;
        assert_int_equal(yc_bech32m_decode5(v[i].addr, hrp, sizeof hrp, d5, &n), YC_OK);
        uint8_t spk[64];
        size_t spklen = strlen(v[i].spk) / 2;
        assert_int_equal(yc_unhex(spk, spklen, v[i].spk, strlen(v[i].spk)), YC_OK);
        /* witness version: OP_1..OP_16 is 0x50 + v */
        assert_int_equal(d5[0], spk[0] - 0x50);
        /* 5-to-8 conversion of the rest (padding dropped) equals the program. */
        uint8_t prog[64];
        size_t np = 0;
        uint32_t acc = 0;
        unsigned bits = 0;
        for (size_t k = 1; k < n; k++) {
            acc = (acc << 5) | d5[k];
            bits += 5;
            if (bits >= 8) {
                bits -= 8;
                prog[np++] = (uint8_t)(acc >> bits);
            }
        }
        assert_int_equal(np, spk[1]);
        assert_memory_equal(prog, spk + 2, np);
    }
}

static void test_generic_8bit(void **state)
{
    (void)state;
    uint8_t data[40], back[40];
    for (size_t i = 0; i < sizeof data; i++) {
        data[i] = (uint8_t)(i * 37 + 11);
    }
    for (size_t len = 0; len <= sizeof data; len++) {
        char s[100], hrp[20];
        size_t n = sizeof back;
        int rc = yc_bech32m_encode(s, sizeof s, "test", data, len);
        if (len > 48) { /* 4 + 1 + ceil(8 len / 5) + 6 > 90 */
            assert_int_equal(rc, YC_ELIMIT);
            continue;
        }
        assert_int_equal(rc, YC_OK);
        assert_int_equal(yc_bech32m_decode(s, hrp, sizeof hrp, back, &n), YC_OK);
        assert_string_equal(hrp, "test");
        assert_int_equal(n, len);
        assert_memory_equal(back, data, len);
        /* Output buffer too small. */
        assert_int_equal(yc_bech32m_encode(s, strlen(s), "test", data, len), YC_ELIMIT);
        /* Data buffer too small on decode. */
        if (len > 0) {
            n = len - 1;
            assert_int_equal(yc_bech32m_decode(s, hrp, sizeof hrp, back, &n), YC_EBADADDR);
        }
        /* hrp buffer too small. */
        n = sizeof back;
        assert_int_equal(yc_bech32m_decode(s, hrp, 4, back, &n), YC_EBADADDR);
    }
    char s[100];
    assert_int_equal(yc_bech32m_encode(s, sizeof s, "UPPER", data, 1), YC_EINVAL);
    assert_int_equal(yc_bech32m_encode(s, sizeof s, "", data, 1), YC_EINVAL);
}

static void make_pub(uint8_t pub[YC_PUBKEY_LEN], uint8_t seed)
{
    uint8_t sk[32];
    yc_sha256(sk, &seed, 1);
    yc_signer *s = NULL;
    assert_int_equal(yc_signer_create(&s, sk), YC_OK);
    yc_signer_pubkey(s, pub);
    yc_signer_destroy(s);
}

static void test_address_round_trip(void **state)
{
    (void)state;
    for (unsigned i = 0; i < 32; i++) {
        uint8_t pub[YC_PUBKEY_LEN], back[YC_PUBKEY_LEN];
        char addr[YC_ADDR_MAX];
        make_pub(pub, (uint8_t)i);
        assert_int_equal(yc_addr_encode(addr, pub), YC_OK);
        assert_int_equal(strncmp(addr, "yc1", 3), 0);
        assert_int_equal(strlen(addr), 3 + 52 + 6);
        assert_int_equal(yc_addr_decode(back, addr), YC_OK);
        assert_memory_equal(back, pub, YC_PUBKEY_LEN);
        /* The all-uppercase form is the same address (BIP-173); mixed case is not. */
        char up[YC_ADDR_MAX];
        for (size_t k = 0; k <= strlen(addr); k++) {
            up[k] = (addr[k] >= 'a' && addr[k] <= 'z') ? (char)(addr[k] - 32) : addr[k];
        }
        assert_int_equal(yc_addr_decode(back, up), YC_OK);
        assert_memory_equal(back, pub, YC_PUBKEY_LEN);
        up[10] = addr[10];
        if (addr[10] >= 'a' && addr[10] <= 'z') {
            assert_int_equal(yc_addr_decode(back, up), YC_EBADADDR);
        }
    }
}

static void test_address_typos_detected(void **state)
{
    (void)state;
    static const char charset[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    uint8_t pub[YC_PUBKEY_LEN], back[YC_PUBKEY_LEN];
    char addr[YC_ADDR_MAX], typo[YC_ADDR_MAX];
    make_pub(pub, 200);
    assert_int_equal(yc_addr_encode(addr, pub), YC_OK);
    size_t len = strlen(addr);
    size_t tried = 0;
    /* Every single-character substitution after "yc1". */
    for (size_t pos = 3; pos < len; pos++) {
        for (size_t c = 0; c < 32; c++) {
            if (charset[c] == addr[pos]) {
                continue;
            }
            strcpy(typo, addr);
            typo[pos] = charset[c];
            assert_int_equal(yc_addr_decode(back, typo), YC_EBADADDR);
            tried++;
        }
    }
    /* Every adjacent swap of different characters, every deletion. */
    for (size_t pos = 3; pos + 1 < len; pos++) {
        if (addr[pos] == addr[pos + 1]) {
            continue;
        }
        strcpy(typo, addr);
        typo[pos] = addr[pos + 1];
        typo[pos + 1] = addr[pos];
        assert_int_equal(yc_addr_decode(back, typo), YC_EBADADDR);
        tried++;
    }
    for (size_t pos = 0; pos < len; pos++) {
        strcpy(typo, addr);
        memmove(typo + pos, typo + pos + 1, len - pos);
        assert_int_equal(yc_addr_decode(back, typo), YC_EBADADDR);
        tried++;
    }
    print_message("%zu typos of %s all detected\n", tried, addr);
}

static void test_address_refusals(void **state)
{
    (void)state;
    uint8_t pub[YC_PUBKEY_LEN], back[YC_PUBKEY_LEN];
    char s[YC_ADDR_MAX];
    make_pub(pub, 7);
    /* Another hrp with the same key. */
    assert_int_equal(yc_bech32m_encode(s, sizeof s, "bc", pub + 1, 32), YC_OK);
    assert_int_equal(yc_addr_decode(back, s), YC_EBADADDR);
    /* Wrong payload lengths. */
    assert_int_equal(yc_bech32m_encode(s, sizeof s, "yc", pub + 1, 31), YC_OK);
    assert_int_equal(yc_addr_decode(back, s), YC_EBADADDR);
    assert_int_equal(yc_bech32m_encode(s, sizeof s, "yc", pub, 33), YC_OK);
    assert_int_equal(yc_addr_decode(back, s), YC_EBADADDR);
    /* A key off the curve (BIP-340 vector 5's). */
    uint8_t off[32];
    assert_int_equal(
        yc_unhex(off, 32, "EEFDEA4CDB677750A420FEE807EACF21EB9898AE79B9768766E4FAA04A2D4A34", 64),
        YC_OK);
    assert_int_equal(yc_bech32m_encode(s, sizeof s, "yc", off, 32), YC_OK);
    assert_int_equal(yc_addr_decode(back, s), YC_EBADADDR);
    uint8_t zero[YC_PUBKEY_LEN] = {0};
    assert_memory_equal(back, zero, YC_PUBKEY_LEN);
    /* Unknown scheme byte cannot be encoded. */
    pub[0] = 0x02;
    assert_int_equal(yc_addr_encode(s, pub), YC_EINVAL);
    assert_int_equal(yc_addr_decode(back, NULL), YC_EBADADDR);
    assert_int_equal(yc_addr_decode(back, "yc1"), YC_EBADADDR);
    assert_int_equal(yc_addr_decode(back, "not an address"), YC_EBADADDR);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bip350_valid),
        cmocka_unit_test(test_bip350_invalid),
        cmocka_unit_test(test_bip350_segwit_programs),
        cmocka_unit_test(test_generic_8bit),
        cmocka_unit_test(test_address_round_trip),
        cmocka_unit_test(test_address_typos_detected),
        cmocka_unit_test(test_address_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
