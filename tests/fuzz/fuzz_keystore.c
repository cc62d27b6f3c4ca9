/*
 * fuzz_keystore.c — the keystore file parser, yc_keystore_parse (util/include/yc/keystore.h;
 * TESTING.md D1 and the tampered files of E7, by mutation).
 *
 * A wallet reads key files from a directory others may write to. Argon2id is far too slow
 * to run per input, so the harness unseals with a fixed sealing key (FZ_SEAL_KEY); the
 * generator seals its seeds under that key, so their mutations reach the unsealing and the
 * key-matches-address check. Properties, any violation aborts:
 * - parsing never crashes, hangs or reads out of bounds (the text is not NUL-terminated);
 *   a refusal is YC_EDECODE or YC_ELIMIT and leaves the struct zeroed;
 * - when it accepts: the name is valid, the address is the canonical bech32m spelling of
 *   pub, the associated data can be written, and unsealing returns YC_OK (with a signer
 *   whose key is pub), YC_EPASSPHRASE or YC_ECORRUPT, never anything else.
 */
/* yc-fuzz-link: yc_util */
/* yc-fuzz-src: fixture.c */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "fixture.h"
#include "yc/bech32.h"
#include "yc/keystore.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (sodium_init() < 0) {
        abort();
    }
    return 0;
}

static bool all_zero(const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++) {
        if (b[i] != 0) {
            return false;
        }
    }
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char empty[1] = {0};
    struct yc_keystore_file f;
    char aad[1024];
    char canon[YC_ADDR_MAX];
    size_t aadlen;
    uint8_t key[32];
    uint8_t pub[YC_PUBKEY_LEN];
    yc_signer *s = NULL;

    int rc = yc_keystore_parse(&f, size > 0 ? (const char *)data : empty, size);
    if (rc != YC_OK) {
        if ((rc != YC_EDECODE && rc != YC_ELIMIT) || !all_zero(&f, sizeof f)) {
            abort();
        }
        return 0;
    }
    if (!yc_keystore_name_valid(f.name) || yc_addr_encode(canon, f.pub) != YC_OK ||
        strcmp(canon, f.address) != 0 || f.version != YC_KEYSTORE_VERSION ||
        yc_keystore_aad(&f, aad, sizeof aad, &aadlen) != YC_OK || aadlen >= sizeof aad) {
        abort();
    }
    memset(key, FZ_SEAL_KEY_BYTE, sizeof key);
    rc = yc_keystore_unseal(&f, key, &s);
    if (rc == YC_OK) {
        yc_signer_pubkey(s, pub);
        if (memcmp(pub, f.pub, YC_PUBKEY_LEN) != 0) {
            abort();
        }
        yc_signer_destroy(s);
    } else if ((rc != YC_EPASSPHRASE && rc != YC_ECORRUPT) || s != NULL) {
        abort();
    }
    return 0;
}
