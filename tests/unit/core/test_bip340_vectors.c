/*
 * test_bip340_vectors.c — every vector of BIP-340's test-vectors.csv (TESTING.md E1),
 * read from vectors/bip340.csv (the test runs in tests/): where a secret key is given,
 * our signer must derive the public key and produce the exact signature with the given
 * aux_rand; every vector's verification result must match, and public keys the
 * vectors call invalid must be refused by yc_pubkey_valid.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "yc/err.h"
#include "yc/hash.h"
#include "yc/keys.h"

#define CSV_PATH "vectors/bip340.csv"
#define MAX_FIELD 512

/* Splits line into n comma-separated fields (the last one takes the rest). */
static int split(char *line, char **f, int n)
{
    int k = 0;
    f[k++] = line;
    for (char *p = line; *p != '\0' && k < n; p++) {
        if (*p == ',') {
            *p = '\0';
            f[k++] = p + 1;
        }
    }
    return k;
}

static size_t unhex_var(uint8_t *out, size_t cap, const char *hex)
{
    size_t n = strlen(hex) / 2;
    assert_true(n <= cap);
    assert_int_equal(yc_unhex(out, n, hex, strlen(hex)), YC_OK);
    return n;
}

static void test_all_vectors(void **state)
{
    (void)state;
    FILE *fp = fopen(CSV_PATH, "r");
    assert_non_null(fp);
    char line[2048];
    assert_non_null(fgets(line, sizeof line, fp)); /* header */
    assert_non_null(strstr(line, "index,secret key,public key,aux_rand,message,signature"));
    int count = 0, signed_count = 0;
    while (fgets(line, sizeof line, fp) != NULL) {
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] == '\0') {
            continue;
        }
        char *f[8];
        assert_int_equal(split(line, f, 8), 8);
        uint8_t sk[32], pk[32], aux[32], msg[MAX_FIELD], sig[64];
        size_t msglen = unhex_var(msg, sizeof msg, f[4]);
        assert_int_equal(unhex_var(pk, sizeof pk, f[2]), 32);
        assert_int_equal(unhex_var(sig, sizeof sig, f[5]), 64);
        bool expect = strcmp(f[6], "TRUE") == 0;
        assert_true(expect || strcmp(f[6], "FALSE") == 0);
        print_message("vector %s: %s %s\n", f[0], f[6], f[7]);

        if (f[1][0] != '\0') {
            assert_int_equal(unhex_var(sk, sizeof sk, f[1]), 32);
            assert_int_equal(unhex_var(aux, sizeof aux, f[3]), 32);
            yc_signer *s = NULL;
            assert_int_equal(yc_signer_create(&s, sk), YC_OK);
            uint8_t pub[YC_PUBKEY_LEN], got[64];
            yc_signer_pubkey(s, pub);
            assert_memory_equal(pub + 1, pk, 32);
            assert_int_equal(yc_sig_sign_bip340(s, got, msg, msglen, aux), YC_OK);
            assert_memory_equal(got, sig, 64);
            if (msglen == 32) {
                uint8_t full[YC_SIG_LEN];
                assert_int_equal(yc_sig_sign(s, full, msg, aux), YC_OK);
                assert_memory_equal(full + 1, sig, 64);
            }
            yc_signer_destroy(s);
            signed_count++;
        }
        assert_int_equal(yc_sig_verify_bip340(sig, msg, msglen, pk), expect);
        if (msglen == 32) {
            uint8_t pub[YC_PUBKEY_LEN], full[YC_SIG_LEN];
            pub[0] = YC_SCHEME_BIP340;
            memcpy(pub + 1, pk, 32);
            full[0] = YC_SCHEME_BIP340;
            memcpy(full + 1, sig, 64);
            assert_int_equal(yc_sig_verify(full, msg, pub), expect);
            if (strstr(f[7], "public key") != NULL) {
                assert_false(yc_pubkey_valid(pub)); /* vectors 5 and 14 */
            }
        }
        count++;
    }
    fclose(fp);
    print_message("%d vectors, %d signed\n", count, signed_count);
    assert_true(count >= 19);
    assert_true(signed_count >= 8);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_all_vectors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
