/*
 * test_keystore.c — keystore files (TESTING.md E7): round trip, wrong passphrase, every
 * byte of a file flipped, truncation, lowered or inflated KDF parameters, renamed files,
 * permissions (wallet directory 0700, files 0600), no overwrite, listing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "helper_tmp.h"
#include "yc/cliutil.h"
#include "yc/keystore.h"

#define PASS "correct horse battery staple"

static char *read_key_file(const char *dir, const char *name, size_t *len)
{
    char path[4096];
    int n = snprintf(path, sizeof path, "%s/%s.json", dir, name);
    assert_true(n > 0 && (size_t)n < sizeof path);
    char *text = NULL;
    assert_int_equal(yc_file_read(path, 1 << 20, &text, len), YC_OK);
    return text;
}

static void write_key_file(const char *dir, const char *name, const char *text, size_t len)
{
    char path[4096];
    int n = snprintf(path, sizeof path, "%s/%s.json", dir, name);
    assert_true(n > 0 && (size_t)n < sizeof path);
    assert_int_equal(yc_file_write_atomic(path, text, len, 0600, true), YC_OK);
}

static void test_round_trip(void **state)
{
    (void)state;
    char dir[4096];
    tmp_dir(dir, sizeof dir);
    char wdir[4200];
    snprintf(wdir, sizeof wdir, "%s/wallet/sub", dir); /* parents are created too */

    uint8_t pub[YC_PUBKEY_LEN];
    assert_int_equal(yc_keystore_create(wdir, "alice", PASS, strlen(PASS), true, pub), YC_OK);

    yc_signer *s = NULL;
    assert_int_equal(yc_keystore_open(wdir, "alice", PASS, strlen(PASS), &s), YC_OK);
    assert_non_null(s);
    uint8_t pub2[YC_PUBKEY_LEN];
    yc_signer_pubkey(s, pub2);
    assert_memory_equal(pub, pub2, YC_PUBKEY_LEN);

    /* the signer really signs for that key */
    uint8_t msg[32], aux[32], sig[YC_SIG_LEN];
    randombytes_buf(msg, sizeof msg);
    randombytes_buf(aux, sizeof aux);
    assert_int_equal(yc_sig_sign(s, sig, msg, aux), YC_OK);
    assert_true(yc_sig_verify(sig, msg, pub));
    yc_signer_destroy(s);

    uint8_t pub3[YC_PUBKEY_LEN];
    assert_int_equal(yc_keystore_pubkey(wdir, "alice", pub3), YC_OK);
    assert_memory_equal(pub, pub3, YC_PUBKEY_LEN);

    /* the file's address field is the bech32m address of the key */
    size_t len;
    char *text = read_key_file(wdir, "alice", &len);
    struct yc_keystore_file f;
    assert_int_equal(yc_keystore_parse(&f, text, len), YC_OK);
    char addr[YC_ADDR_MAX];
    assert_int_equal(yc_addr_encode(addr, pub), YC_OK);
    assert_string_equal(f.address, addr);
    assert_int_equal(f.opslimit, crypto_pwhash_OPSLIMIT_INTERACTIVE);
    assert_int_equal(f.memlimit, crypto_pwhash_MEMLIMIT_INTERACTIVE);
    free(text);
    tmp_dir_remove(dir);
}

static void test_import_known_key(void **state)
{
    (void)state;
    char dir[4096];
    tmp_dir(dir, sizeof dir);
    uint8_t sec[YC_SECKEY_LEN];
    memset(sec, 0, sizeof sec);
    sec[31] = 3;
    yc_signer *ref = NULL;
    assert_int_equal(yc_signer_create(&ref, sec), YC_OK);
    uint8_t want[YC_PUBKEY_LEN], pub[YC_PUBKEY_LEN];
    yc_signer_pubkey(ref, want);
    yc_signer_destroy(ref);

    assert_int_equal(yc_keystore_import(dir, "bob", sec, PASS, strlen(PASS), true, pub), YC_OK);
    assert_memory_equal(pub, want, YC_PUBKEY_LEN);
    yc_signer *s = NULL;
    assert_int_equal(yc_keystore_open(dir, "bob", PASS, strlen(PASS), &s), YC_OK);
    yc_signer_pubkey(s, pub);
    assert_memory_equal(pub, want, YC_PUBKEY_LEN);
    yc_signer_destroy(s);

    /* an invalid secret (zero) is refused and leaves no file */
    uint8_t zero[YC_SECKEY_LEN] = {0};
    assert_int_equal(yc_keystore_import(dir, "zero", zero, PASS, strlen(PASS), true, pub),
                     YC_EBADKEY);
    assert_int_equal(yc_keystore_pubkey(dir, "zero", pub), YC_ENOTFOUND);
    tmp_dir_remove(dir);
}

static void test_wrong_passphrase(void **state)
{
    (void)state;
    char dir[4096];
    tmp_dir(dir, sizeof dir);
    assert_int_equal(yc_keystore_create(dir, "k", PASS, strlen(PASS), true, NULL), YC_OK);
    yc_signer *s = (yc_signer *)1;
    assert_int_equal(yc_keystore_open(dir, "k", "wrong", 5, &s), YC_EPASSPHRASE);
    assert_null(s);
    /* a prefix of the right passphrase is wrong too */
    assert_int_equal(yc_keystore_open(dir, "k", PASS, strlen(PASS) - 1, &s), YC_EPASSPHRASE);
    assert_int_equal(yc_keystore_open(dir, "k", "", 0, &s), YC_EPASSPHRASE);
    assert_int_equal(yc_keystore_open(dir, "nobody", PASS, strlen(PASS), &s), YC_ENOTFOUND);
    tmp_dir_remove(dir);
}

/*
 * Flips each byte of the file (with two masks: low bit, which mostly keeps hex and
 * digits valid so the change reaches the KDF and the AEAD, and high bit, which breaks
 * UTF-8/JSON) and requires every variant to fail. Variants whose KDF inputs are unchanged
 * reuse the derived key, so only the ones that change salt or limits pay for argon2.
 */
static void test_every_byte_flipped(void **state)
{
    (void)state;
    char dir[4096];
    tmp_dir(dir, sizeof dir);
    assert_int_equal(yc_keystore_create(dir, "k", PASS, strlen(PASS), true, NULL), YC_OK);
    size_t len;
    char *orig = read_key_file(dir, "k", &len);
    struct yc_keystore_file of;
    assert_int_equal(yc_keystore_parse(&of, orig, len), YC_OK);
    uint8_t *key = sodium_malloc(32);
    assert_non_null(key);
    assert_int_equal(yc_keystore_derive(&of, PASS, strlen(PASS), key), YC_OK);
    yc_signer *s = NULL;
    assert_int_equal(yc_keystore_unseal(&of, key, &s), YC_OK);
    yc_signer_destroy(s);

    const uint8_t masks[2] = {0x01, 0x80};
    size_t kdf_runs = 0, parse_fail = 0, auth_fail = 0;
    char *mut = malloc(len);
    assert_non_null(mut);
    for (size_t i = 0; i < len; i++) {
        for (int m = 0; m < 2; m++) {
            memcpy(mut, orig, len);
            mut[i] = (char)(mut[i] ^ masks[m]);
            struct yc_keystore_file f;
            int rc = yc_keystore_parse(&f, mut, len);
            if (rc != YC_OK) {
                parse_fail++;
                continue;
            }
            s = NULL;
            if (memcmp(f.salt, of.salt, sizeof f.salt) == 0 && f.opslimit == of.opslimit &&
                f.memlimit == of.memlimit) {
                rc = yc_keystore_unseal(&f, key, &s);
            } else {
                /* the full path, through the file */
                write_key_file(dir, "k", mut, len);
                rc = yc_keystore_open(dir, "k", PASS, strlen(PASS), &s);
                kdf_runs++;
            }
            if (rc == YC_OK)
                fail_msg("byte %zu flipped with 0x%02x still opens", i, masks[m]);
            assert_null(s);
            auth_fail++;
        }
    }
    printf("# %zu bytes: %zu variants refused by parsing, %zu by authentication "
           "(%zu with a fresh KDF)\n",
           len, parse_fail, auth_fail, kdf_runs);
    assert_true(auth_fail > 0);
    sodium_free(key);
    free(mut);
    free(orig);
    tmp_dir_remove(dir);
}

static void test_truncated(void **state)
{
    (void)state;
    char dir[4096];
    tmp_dir(dir, sizeof dir);
    assert_int_equal(yc_keystore_create(dir, "k", PASS, strlen(PASS), true, NULL), YC_OK);
    size_t len;
    char *orig = read_key_file(dir, "k", &len);
    for (size_t cut = 0; cut + 1 < len; cut++) { /* the final newline is optional */
        struct yc_keystore_file f;
        assert_int_not_equal(yc_keystore_parse(&f, orig, cut), YC_OK);
    }
    /* and through the file API, a few lengths */
    size_t cuts[3] = {0, len / 2, len - 3};
    for (int i = 0; i < 3; i++) {
        write_key_file(dir, "k", orig, cuts[i]);
        yc_signer *s = NULL;
        assert_int_equal(yc_keystore_open(dir, "k", PASS, strlen(PASS), &s), YC_EDECODE);
        assert_null(s);
    }
    free(orig);
    tmp_dir_remove(dir);
}

/* Replaces the first occurrence of `from` by `to` in text (to fits in the buffer). */
static size_t replace(char *text, size_t len, size_t cap, const char *from, const char *to)
{
    char *p = strstr(text, from);
    assert_non_null(p);
    size_t fl = strlen(from), tl = strlen(to);
    assert_true(len - fl + tl < cap);
    memmove(p + tl, p + fl, len - (size_t)(p - text) - fl + 1);
    memcpy(p, to, tl);
    return len - fl + tl;
}

static void test_kdf_bounds(void **state)
{
    (void)state;
    char dir[4096];
    tmp_dir(dir, sizeof dir);
    assert_int_equal(yc_keystore_create(dir, "k", PASS, strlen(PASS), true, NULL), YC_OK);
    size_t len;
    char *orig = read_key_file(dir, "k", &len);
    char buf[8192];
    char from[64], to[64];

    struct {
        const char *field;
        unsigned long long have, set;
    } cases[] = {
        {"opslimit", crypto_pwhash_OPSLIMIT_INTERACTIVE, 1},
        {"opslimit", crypto_pwhash_OPSLIMIT_INTERACTIVE, 0},
        {"memlimit", crypto_pwhash_MEMLIMIT_INTERACTIVE, 8192},
        {"memlimit", crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE - 1},
        {"memlimit", crypto_pwhash_MEMLIMIT_INTERACTIVE, 1ull << 40}, /* absurdly large */
        {"opslimit", crypto_pwhash_OPSLIMIT_INTERACTIVE, 1000000},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        memcpy(buf, orig, len + 1);
        snprintf(from, sizeof from, "\"%s\": %llu", cases[i].field, cases[i].have);
        snprintf(to, sizeof to, "\"%s\": %llu", cases[i].field, cases[i].set);
        size_t nl = replace(buf, len, sizeof buf, from, to);
        struct yc_keystore_file f;
        assert_int_equal(yc_keystore_parse(&f, buf, nl), YC_EDECODE);
        write_key_file(dir, "k", buf, nl);
        yc_signer *s = NULL;
        assert_int_equal(yc_keystore_open(dir, "k", PASS, strlen(PASS), &s), YC_EDECODE);
    }
    /* other structural changes: unknown field, other algorithms, uppercase hex */
    const char *swaps[][2] = {
        {"\"version\": 1", "\"version\": 2"},
        {"\"version\": 1", "\"version\": 1, \"extra\": 0"},
        {"argon2id13", "argon2i13"},
        {"xchacha20poly1305-ietf", "chacha20poly1305-ietf"},
        {"\"ciphertext\": \"", "\"ciphertext\": \"00"},
    };
    for (size_t i = 0; i < sizeof swaps / sizeof swaps[0]; i++) {
        memcpy(buf, orig, len + 1);
        size_t nl = replace(buf, len, sizeof buf, swaps[i][0], swaps[i][1]);
        struct yc_keystore_file f;
        assert_int_equal(yc_keystore_parse(&f, buf, nl), YC_EDECODE);
    }
    /* uppercase hex in the salt would decode to the same bytes: refused */
    memcpy(buf, orig, len + 1);
    char *salt = strstr(buf, "\"salt\": \"");
    assert_non_null(salt);
    salt += strlen("\"salt\": \"");
    bool changed = false;
    for (char *q = salt; *q != '"'; q++) {
        if (*q >= 'a' && *q <= 'f') {
            *q = (char)(*q - 'a' + 'A');
            changed = true;
            break;
        }
    }
    if (changed) {
        struct yc_keystore_file f;
        assert_int_equal(yc_keystore_parse(&f, buf, len), YC_EDECODE);
    }
    free(orig);
    tmp_dir_remove(dir);
}

static void test_renamed_file_refused(void **state)
{
    (void)state;
    char dir[4096];
    tmp_dir(dir, sizeof dir);
    assert_int_equal(yc_keystore_create(dir, "alice", PASS, strlen(PASS), true, NULL), YC_OK);
    char a[4200], b[4200];
    snprintf(a, sizeof a, "%s/alice.json", dir);
    snprintf(b, sizeof b, "%s/mallory.json", dir);
    assert_int_equal(rename(a, b), 0);
    yc_signer *s = NULL;
    assert_int_equal(yc_keystore_open(dir, "mallory", PASS, strlen(PASS), &s), YC_EDECODE);
    tmp_dir_remove(dir);
}

static void test_permissions_and_no_overwrite(void **state)
{
    (void)state;
    char dir[4096];
    tmp_dir(dir, sizeof dir);
    char wdir[4200];
    snprintf(wdir, sizeof wdir, "%s/w", dir);
    mode_t old = umask(0); /* even with a permissive umask */
    uint8_t pub[YC_PUBKEY_LEN], pub2[YC_PUBKEY_LEN];
    int rc = yc_keystore_create(wdir, "k", PASS, strlen(PASS), true, pub);
    umask(old);
    assert_int_equal(rc, YC_OK);
    struct stat st;
    assert_int_equal(stat(wdir, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    char path[4300];
    snprintf(path, sizeof path, "%s/k.json", wdir);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);

    /* a second key with the same name never replaces the first */
    assert_int_equal(yc_keystore_create(wdir, "k", "other", 5, true, pub2), YC_EEXIST);
    assert_int_equal(yc_keystore_pubkey(wdir, "k", pub2), YC_OK);
    assert_memory_equal(pub, pub2, YC_PUBKEY_LEN);
    /* no temporary file is left behind */
    char **names = NULL;
    size_t n = 0;
    assert_int_equal(yc_keystore_list(wdir, &names, &n), YC_OK);
    assert_int_equal(n, 1);
    yc_keystore_free_list(names, n);

    /* an existing directory open to others is tightened */
    assert_int_equal(chmod(wdir, 0755), 0);
    assert_int_equal(yc_keystore_create(wdir, "k2", PASS, strlen(PASS), true, NULL), YC_OK);
    assert_int_equal(stat(wdir, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    tmp_dir_remove(dir);
}

static void test_names_and_list(void **state)
{
    (void)state;
    assert_true(yc_keystore_name_valid("alice"));
    assert_true(yc_keystore_name_valid("a.b_c-1"));
    assert_false(yc_keystore_name_valid(""));
    assert_false(yc_keystore_name_valid(".hidden"));
    assert_false(yc_keystore_name_valid("-x"));
    assert_false(yc_keystore_name_valid("a/b"));
    assert_false(yc_keystore_name_valid("../x"));
    assert_false(yc_keystore_name_valid("a b"));
    char longname[80];
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    assert_false(yc_keystore_name_valid(longname));

    char dir[4096];
    tmp_dir(dir, sizeof dir);
    assert_int_equal(yc_keystore_create(dir, "../evil", PASS, strlen(PASS), true, NULL), YC_EINVAL);
    char **names = NULL;
    size_t n = 99;
    char missing[4200];
    snprintf(missing, sizeof missing, "%s/none", dir);
    assert_int_equal(yc_keystore_list(missing, &names, &n), YC_OK);
    assert_int_equal(n, 0);
    const char *want[3] = {"alice", "bob", "carol"};
    assert_int_equal(yc_keystore_create(dir, "carol", PASS, strlen(PASS), true, NULL), YC_OK);
    assert_int_equal(yc_keystore_create(dir, "alice", PASS, strlen(PASS), true, NULL), YC_OK);
    assert_int_equal(yc_keystore_create(dir, "bob", PASS, strlen(PASS), true, NULL), YC_OK);
    char junk[4300];
    snprintf(junk, sizeof junk, "%s/notes.txt", dir);
    assert_int_equal(yc_file_write_atomic(junk, "x", 1, 0600, true), YC_OK);
    assert_int_equal(yc_keystore_list(dir, &names, &n), YC_OK);
    assert_int_equal(n, 3);
    for (size_t i = 0; i < 3; i++)
        assert_string_equal(names[i], want[i]);
    yc_keystore_free_list(names, n);
    tmp_dir_remove(dir);
}

static void test_aad_form(void **state)
{
    (void)state;
    struct yc_keystore_file f;
    memset(&f, 0, sizeof f);
    f.version = 1;
    strcpy(f.name, "alice");
    strcpy(f.address, "yc1example");
    f.opslimit = 2;
    f.memlimit = 67108864;
    for (size_t i = 0; i < sizeof f.salt; i++)
        f.salt[i] = (uint8_t)i;
    for (size_t i = 0; i < sizeof f.nonce; i++)
        f.nonce[i] = (uint8_t)(0xa0 + i);
    char aad[512];
    size_t n;
    assert_int_equal(yc_keystore_aad(&f, aad, sizeof aad, &n), YC_OK);
    const char *want = "yuchain-keystore\n"
                       "version=1\n"
                       "name=alice\n"
                       "address=yc1example\n"
                       "kdf.alg=argon2id13\n"
                       "kdf.opslimit=2\n"
                       "kdf.memlimit=67108864\n"
                       "kdf.salt=000102030405060708090a0b0c0d0e0f\n"
                       "cipher.alg=xchacha20poly1305-ietf\n"
                       "cipher.nonce=a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7\n";
    assert_int_equal(n, strlen(want));
    assert_memory_equal(aad, want, n);
    assert_int_equal(yc_keystore_aad(&f, aad, 10, &n), YC_ELIMIT);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_import_known_key),
        cmocka_unit_test(test_wrong_passphrase),
        cmocka_unit_test(test_every_byte_flipped),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_kdf_bounds),
        cmocka_unit_test(test_renamed_file_refused),
        cmocka_unit_test(test_permissions_and_no_overwrite),
        cmocka_unit_test(test_names_and_list),
        cmocka_unit_test(test_aad_form),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
