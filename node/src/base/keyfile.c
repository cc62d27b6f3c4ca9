/*
 * keyfile.c — node and validator key files (see keyfile.h).
 *
 * Secrets only pass through stack buffers and the JSON text, which are wiped before
 * they are released; the signer keeps its copy in sodium_malloc'ed memory.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "keyfile.h"
#include "yc/cliutil.h"
#include "yc/bech32.h"

#define KEYFILE_MAX 4096

void yc_keyfile_generate(uint8_t sk[YC_SECKEY_LEN])
{
    if (sodium_init() < 0)
        abort(); /* no randomness: nothing safe to do */
    for (;;) {
        randombytes_buf(sk, YC_SECKEY_LEN);
        yc_signer *s = NULL;
        if (yc_signer_create(&s, sk) == YC_OK) {
            yc_signer_destroy(s);
            return;
        }
    }
}

int yc_keyfile_write(const char *path, const char *kind, const uint8_t sk[YC_SECKEY_LEN])
{
    yc_signer *s = NULL;
    int rc = yc_signer_create(&s, sk);
    if (rc != YC_OK)
        return rc;
    uint8_t pub[YC_PUBKEY_LEN];
    yc_signer_pubkey(s, pub);
    yc_signer_destroy(s);
    char addr[YC_ADDR_MAX];
    if (yc_addr_encode(addr, pub) != YC_OK)
        return YC_EBADKEY;
    char hex[2 * YC_SECKEY_LEN + 1];
    sodium_bin2hex(hex, sizeof hex, sk, YC_SECKEY_LEN);
    json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "kind", kind, "scheme", "bip340", "address", addr,
                          "secret_key", hex);
    sodium_memzero(hex, sizeof hex);
    if (o == NULL)
        return YC_ENOMEM;
    char *text = json_dumps(o, JSON_INDENT(2) | JSON_SORT_KEYS);
    json_decref(o); /* jansson frees the copy of the hex without wiping: short-lived heap */
    if (text == NULL)
        return YC_ENOMEM;
    size_t len = strlen(text);
    char *withnl = malloc(len + 2);
    if (withnl == NULL) {
        sodium_memzero(text, len);
        free(text);
        return YC_ENOMEM;
    }
    memcpy(withnl, text, len);
    withnl[len] = '\n';
    rc = yc_file_write_atomic(path, withnl, len + 1, 0600, true);
    sodium_memzero(text, len);
    sodium_memzero(withnl, len + 1);
    free(text);
    free(withnl);
    return rc;
}

int yc_keyfile_load(const char *path, yc_signer **out, uint8_t pub[YC_PUBKEY_LEN], char *err,
                    size_t errlen)
{
    *out = NULL;
    struct stat st;
    if (stat(path, &st) != 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return errno == ENOENT ? YC_ENOTFOUND : YC_EIO;
    }
    if ((st.st_mode & 077) != 0) {
        snprintf(err, errlen,
                 "%s: permissions %03o are too open (a secret key); run chmod 600 "
                 "%s",
                 path, (unsigned)(st.st_mode & 0777), path);
        return YC_ECONFIG;
    }
    char *text = NULL;
    size_t len = 0;
    int rc = yc_file_read(path, KEYFILE_MAX, &text, &len);
    if (rc != YC_OK) {
        snprintf(err, errlen, "%s: cannot read (%s)", path, yc_err_name(rc));
        return rc == YC_ENOTFOUND ? YC_ENOTFOUND : rc == YC_ELIMIT ? YC_ECONFIG : YC_EIO;
    }
    json_error_t je;
    json_t *o = json_loadb(text, len, 0, &je);
    sodium_memzero(text, len);
    free(text);
    const char *hex = NULL, *addr = NULL;
    if (o == NULL || json_unpack(o, "{s:s, s:s}", "secret_key", &hex, "address", &addr) != 0) {
        snprintf(err, errlen, "%s: not a key file (need \"address\" and \"secret_key\")", path);
        json_decref(o);
        return YC_ECONFIG;
    }
    uint8_t sk[YC_SECKEY_LEN];
    size_t bin_len = 0;
    if (strlen(hex) != 2 * YC_SECKEY_LEN ||
        sodium_hex2bin(sk, sizeof sk, hex, strlen(hex), NULL, &bin_len, NULL) != 0 ||
        bin_len != YC_SECKEY_LEN) {
        snprintf(err, errlen, "%s: secret_key is not 64 hex digits", path);
        json_decref(o);
        return YC_ECONFIG;
    }
    rc = yc_signer_create(out, sk);
    sodium_memzero(sk, sizeof sk);
    if (rc != YC_OK) {
        snprintf(err, errlen, "%s: secret_key is not a valid key", path);
        json_decref(o);
        return rc == YC_ENOMEM ? YC_ENOMEM : YC_ECONFIG;
    }
    yc_signer_pubkey(*out, pub);
    char mine[YC_ADDR_MAX] = "";
    if (yc_addr_encode(mine, pub) != YC_OK || strcmp(mine, addr) != 0) {
        snprintf(err, errlen, "%s: address %s does not match the secret key (%s)", path, addr,
                 mine);
        json_decref(o);
        yc_signer_destroy(*out);
        *out = NULL;
        return YC_ECONFIG;
    }
    json_decref(o);
    return YC_OK;
}
