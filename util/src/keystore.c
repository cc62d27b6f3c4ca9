/*
 * keystore.c — encrypted key files: argon2id13 + XChaCha20-Poly1305 (libsodium), JSON
 * (jansson). The grammar and the associated-data form are in docs/wallet.md.
 *
 * Invariants: a file is parsed strictly (exactly the documented fields, lowercase hex,
 * KDF bounds) before any KDF work; every field except the ciphertext is bound as
 * associated data, so a changed byte anywhere either fails parsing or fails
 * authentication; the derived key and the plaintext secret exist only in
 * sodium_malloc'ed memory and are freed (wiped) on every path; files are written
 * through yc_file_write_atomic with mode 0600 and never overwrite an existing key.
 */
#include "yc/keystore.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "yc/bech32.h"
#include "yc/cliutil.h"
#include "yc/hash.h"
#include "yc/json.h"

/* KDF bounds: below libsodium's interactive limits is refused (too weak); above these
 * maxima is refused too, so that a crafted file cannot make us allocate gigabytes. */
#define KDF_OPS_MIN ((uint64_t)crypto_pwhash_OPSLIMIT_INTERACTIVE)
#define KDF_MEM_MIN ((uint64_t)crypto_pwhash_MEMLIMIT_INTERACTIVE)
#define KDF_OPS_MAX ((uint64_t)crypto_pwhash_OPSLIMIT_SENSITIVE * 4u)
#define KDF_MEM_MAX ((uint64_t)crypto_pwhash_MEMLIMIT_SENSITIVE)
#define AAD_MAX 512

bool yc_keystore_name_valid(const char *name)
{
    if (name == NULL || name[0] == '\0' || name[0] == '.' || name[0] == '-')
        return false;
    size_t n = 0;
    for (const char *p = name; *p != '\0'; p++, n++) {
        char c = *p;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == '-';
        if (!ok || n >= YC_KEYSTORE_NAME_MAX)
            return false;
    }
    return true;
}

static int key_path(char *out, size_t cap, const char *dir, const char *name)
{
    if (dir == NULL || !yc_keystore_name_valid(name))
        return YC_EINVAL;
    int k = snprintf(out, cap, "%s/%s.json", dir, name);
    return k < 0 || (size_t)k >= cap ? YC_EINVAL : YC_OK;
}

/* ---- parsing ---- */

static bool is_lower_hex(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
    }
    return true;
}

/* Decodes a JSON string member of exactly 2*n lowercase hex digits. */
static bool get_hex(json_t *obj, const char *key, uint8_t *out, size_t n)
{
    json_t *v = json_object_get(obj, key);
    if (!json_is_string(v))
        return false;
    const char *s = json_string_value(v);
    size_t len = json_string_length(v);
    return len == 2 * n && is_lower_hex(s, len) && yc_unhex(out, n, s, len) == YC_OK;
}

static bool get_str_eq(json_t *obj, const char *key, const char *want)
{
    json_t *v = json_object_get(obj, key);
    return json_is_string(v) && strlen(want) == json_string_length(v) &&
           strcmp(json_string_value(v), want) == 0;
}

static bool get_uint(json_t *obj, const char *key, uint64_t *out)
{
    json_t *v = json_object_get(obj, key);
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        return false;
    *out = (uint64_t)json_integer_value(v);
    return true;
}

static bool kdf_in_bounds(uint64_t ops, uint64_t mem)
{
    return ops >= KDF_OPS_MIN && ops <= KDF_OPS_MAX && mem >= KDF_MEM_MIN && mem <= KDF_MEM_MAX;
}

static int parse_obj(struct yc_keystore_file *f, json_t *root)
{
    if (!json_is_object(root) || json_object_size(root) != 6)
        return YC_EDECODE;
    uint64_t version;
    if (!get_uint(root, "version", &version) || version != YC_KEYSTORE_VERSION)
        return YC_EDECODE;
    f->version = (uint32_t)version;

    json_t *name = json_object_get(root, "name");
    if (!json_is_string(name) || strlen(json_string_value(name)) != json_string_length(name) ||
        !yc_keystore_name_valid(json_string_value(name)))
        return YC_EDECODE;
    strcpy(f->name, json_string_value(name));

    json_t *addr = json_object_get(root, "address");
    if (!json_is_string(addr) || json_string_length(addr) >= sizeof f->address)
        return YC_EDECODE;
    strcpy(f->address, json_string_value(addr));
    if (yc_addr_decode(f->pub, f->address) != YC_OK)
        return YC_EDECODE;
    /* Only the canonical (lowercase) spelling is accepted: the AAD binds the text. */
    char canon[YC_ADDR_MAX];
    if (yc_addr_encode(canon, f->pub) != YC_OK || strcmp(canon, f->address) != 0)
        return YC_EDECODE;

    json_t *kdf = json_object_get(root, "kdf");
    if (!json_is_object(kdf) || json_object_size(kdf) != 4 ||
        !get_str_eq(kdf, "alg", YC_KEYSTORE_KDF_ALG) || !get_uint(kdf, "opslimit", &f->opslimit) ||
        !get_uint(kdf, "memlimit", &f->memlimit) || !get_hex(kdf, "salt", f->salt, sizeof f->salt))
        return YC_EDECODE;
    if (!kdf_in_bounds(f->opslimit, f->memlimit))
        return YC_EDECODE;

    json_t *cipher = json_object_get(root, "cipher");
    if (!json_is_object(cipher) || json_object_size(cipher) != 2 ||
        !get_str_eq(cipher, "alg", YC_KEYSTORE_CIPHER_ALG) ||
        !get_hex(cipher, "nonce", f->nonce, sizeof f->nonce))
        return YC_EDECODE;
    if (!get_hex(root, "ciphertext", f->ciphertext, sizeof f->ciphertext))
        return YC_EDECODE;
    return YC_OK;
}

int yc_keystore_parse(struct yc_keystore_file *f, const char *text, size_t len)
{
    if (f == NULL || text == NULL)
        return YC_EINVAL;
    memset(f, 0, sizeof *f);
    if (len > YC_KEYSTORE_FILE_MAX)
        return YC_ELIMIT;
    json_error_t jerr;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL)
        return YC_EDECODE;
    int rc = parse_obj(f, root);
    json_decref(root);
    if (rc != YC_OK)
        memset(f, 0, sizeof *f);
    return rc;
}

/* ---- associated data ---- */

int yc_keystore_aad(const struct yc_keystore_file *f, char *out, size_t cap, size_t *outlen)
{
    if (f == NULL || out == NULL || outlen == NULL)
        return YC_EINVAL;
    char salt[2 * YC_KEYSTORE_SALT_LEN + 1];
    char nonce[2 * YC_KEYSTORE_NONCE_LEN + 1];
    yc_hex(salt, f->salt, sizeof f->salt);
    yc_hex(nonce, f->nonce, sizeof f->nonce);
    int k = snprintf(out, cap,
                     "yuchain-keystore\n"
                     "version=%u\n"
                     "name=%s\n"
                     "address=%s\n"
                     "kdf.alg=%s\n"
                     "kdf.opslimit=%llu\n"
                     "kdf.memlimit=%llu\n"
                     "kdf.salt=%s\n"
                     "cipher.alg=%s\n"
                     "cipher.nonce=%s\n",
                     f->version, f->name, f->address, YC_KEYSTORE_KDF_ALG,
                     (unsigned long long)f->opslimit, (unsigned long long)f->memlimit, salt,
                     YC_KEYSTORE_CIPHER_ALG, nonce);
    if (k < 0 || (size_t)k >= cap) {
        *outlen = 0;
        return YC_ELIMIT;
    }
    *outlen = (size_t)k;
    return YC_OK;
}

/* ---- crypto ---- */

int yc_keystore_derive(const struct yc_keystore_file *f, const char *pass, size_t passlen,
                       uint8_t key32[32])
{
    if (f == NULL || key32 == NULL || (pass == NULL && passlen > 0))
        return YC_EINVAL;
    if (!kdf_in_bounds(f->opslimit, f->memlimit))
        return YC_EDECODE;
    if (sodium_init() < 0)
        return YC_ENOMEM;
    if (crypto_pwhash(key32, 32, pass != NULL ? pass : "", passlen, f->salt,
                      (unsigned long long)f->opslimit, (size_t)f->memlimit,
                      crypto_pwhash_ALG_ARGON2ID13) != 0)
        return YC_ENOMEM;
    return YC_OK;
}

int yc_keystore_unseal(const struct yc_keystore_file *f, const uint8_t key32[32], yc_signer **out)
{
    if (out == NULL)
        return YC_EINVAL;
    *out = NULL;
    if (f == NULL || key32 == NULL)
        return YC_EINVAL;
    char aad[AAD_MAX];
    size_t aadlen;
    int rc = yc_keystore_aad(f, aad, sizeof aad, &aadlen);
    if (rc != YC_OK)
        return rc;
    uint8_t *sec = sodium_malloc(YC_SECKEY_LEN);
    if (sec == NULL)
        return YC_ENOMEM;
    unsigned long long mlen = 0;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(sec, &mlen, NULL, f->ciphertext,
                                                   sizeof f->ciphertext, (const unsigned char *)aad,
                                                   aadlen, f->nonce, key32) != 0 ||
        mlen != YC_SECKEY_LEN) {
        sodium_free(sec);
        return YC_EPASSPHRASE;
    }
    yc_signer *s = NULL;
    rc = yc_signer_create(&s, sec);
    sodium_free(sec);
    if (rc != YC_OK)
        return rc == YC_ENOMEM ? YC_ENOMEM : YC_ECORRUPT;
    uint8_t pub[YC_PUBKEY_LEN];
    yc_signer_pubkey(s, pub);
    if (sodium_memcmp(pub, f->pub, YC_PUBKEY_LEN) != 0) {
        yc_signer_destroy(s);
        return YC_ECORRUPT;
    }
    *out = s;
    return YC_OK;
}

/* ---- files ---- */

static int read_file(const char *dir, const char *name, struct yc_keystore_file *f)
{
    char path[PATH_MAX];
    int rc = key_path(path, sizeof path, dir, name);
    if (rc != YC_OK)
        return rc;
    char *text = NULL;
    size_t len = 0;
    rc = yc_file_read(path, YC_KEYSTORE_FILE_MAX, &text, &len);
    if (rc == YC_ELIMIT)
        return YC_EDECODE;
    if (rc != YC_OK)
        return rc;
    rc = yc_keystore_parse(f, text, len);
    free(text);
    if (rc == YC_OK && strcmp(f->name, name) != 0)
        rc = YC_EDECODE; /* a file renamed by hand: its name is bound in the AAD */
    return rc;
}

int yc_keystore_open(const char *dir, const char *name, const char *pass, size_t passlen,
                     yc_signer **out)
{
    if (out == NULL)
        return YC_EINVAL;
    *out = NULL;
    struct yc_keystore_file f;
    int rc = read_file(dir, name, &f);
    if (rc != YC_OK)
        return rc;
    uint8_t *key = sodium_malloc(32);
    if (key == NULL)
        return YC_ENOMEM;
    rc = yc_keystore_derive(&f, pass, passlen, key);
    if (rc == YC_OK)
        rc = yc_keystore_unseal(&f, key, out);
    sodium_free(key);
    return rc;
}

int yc_keystore_pubkey(const char *dir, const char *name, uint8_t pub[YC_PUBKEY_LEN])
{
    if (pub == NULL)
        return YC_EINVAL;
    struct yc_keystore_file f;
    int rc = read_file(dir, name, &f);
    if (rc != YC_OK)
        return rc;
    memcpy(pub, f.pub, YC_PUBKEY_LEN);
    return YC_OK;
}

/* Serializes f to its JSON text (malloc'ed, from json_dumps). */
static char *render(const struct yc_keystore_file *f)
{
    json_t *kdf = json_pack("{s:s, s:I, s:I, s:o}", "alg", YC_KEYSTORE_KDF_ALG, "opslimit",
                            (json_int_t)f->opslimit, "memlimit", (json_int_t)f->memlimit, "salt",
                            yc_json_hex(f->salt, sizeof f->salt));
    json_t *cipher = json_pack("{s:s, s:o}", "alg", YC_KEYSTORE_CIPHER_ALG, "nonce",
                               yc_json_hex(f->nonce, sizeof f->nonce));
    if (kdf == NULL || cipher == NULL) {
        json_decref(kdf);
        json_decref(cipher);
        return NULL;
    }
    json_t *root = json_pack("{s:i, s:s, s:s, s:o, s:o, s:o}", "version", (int)f->version, "name",
                             f->name, "address", f->address, "kdf", kdf, "cipher", cipher,
                             "ciphertext", yc_json_hex(f->ciphertext, sizeof f->ciphertext));
    if (root == NULL)
        return NULL;
    char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(root);
    return text;
}

/* Seals signer s under pass and writes NAME.json (never overwriting). */
static int seal_and_write(const char *dir, const char *name, const uint8_t *sec, const yc_signer *s,
                          const char *pass, size_t passlen, bool fast_kdf)
{
    struct yc_keystore_file f;
    memset(&f, 0, sizeof f);
    f.version = YC_KEYSTORE_VERSION;
    strcpy(f.name, name);
    yc_signer_pubkey(s, f.pub);
    if (yc_addr_encode(f.address, f.pub) != YC_OK)
        return YC_EBADKEY;
    f.opslimit = fast_kdf ? crypto_pwhash_OPSLIMIT_INTERACTIVE : crypto_pwhash_OPSLIMIT_MODERATE;
    f.memlimit = fast_kdf ? crypto_pwhash_MEMLIMIT_INTERACTIVE : crypto_pwhash_MEMLIMIT_MODERATE;
    randombytes_buf(f.salt, sizeof f.salt);
    randombytes_buf(f.nonce, sizeof f.nonce);

    char aad[AAD_MAX];
    size_t aadlen;
    int rc = yc_keystore_aad(&f, aad, sizeof aad, &aadlen);
    if (rc != YC_OK)
        return rc;
    uint8_t *key = sodium_malloc(32);
    if (key == NULL)
        return YC_ENOMEM;
    rc = yc_keystore_derive(&f, pass, passlen, key);
    if (rc == YC_OK) {
        unsigned long long clen = 0;
        crypto_aead_xchacha20poly1305_ietf_encrypt(f.ciphertext, &clen, sec, YC_SECKEY_LEN,
                                                   (const unsigned char *)aad, aadlen, NULL,
                                                   f.nonce, key);
        if (clen != sizeof f.ciphertext)
            rc = YC_EINVAL;
    }
    sodium_free(key);
    if (rc != YC_OK)
        return rc;

    char *text = render(&f);
    if (text == NULL)
        return YC_ENOMEM;
    size_t tlen = strlen(text);
    rc = yc_dir_ensure(dir, true);
    if (rc == YC_OK) {
        char path[PATH_MAX];
        rc = key_path(path, sizeof path, dir, name);
        if (rc == YC_OK) {
            /* A trailing newline makes the file friendlier to text tools. */
            char *withnl = malloc(tlen + 2);
            if (withnl == NULL) {
                rc = YC_ENOMEM;
            } else {
                memcpy(withnl, text, tlen);
                withnl[tlen] = '\n';
                rc = yc_file_write_atomic(path, withnl, tlen + 1, 0600, false);
                free(withnl);
            }
        }
    }
    free(text);
    return rc;
}

int yc_keystore_import(const char *dir, const char *name, const uint8_t seckey[YC_SECKEY_LEN],
                       const char *pass, size_t passlen, bool fast_kdf, uint8_t pub[YC_PUBKEY_LEN])
{
    if (dir == NULL || seckey == NULL || !yc_keystore_name_valid(name) ||
        (pass == NULL && passlen > 0))
        return YC_EINVAL;
    if (sodium_init() < 0)
        return YC_ENOMEM;
    yc_signer *s = NULL;
    int rc = yc_signer_create(&s, seckey);
    if (rc != YC_OK)
        return rc;
    rc = seal_and_write(dir, name, seckey, s, pass, passlen, fast_kdf);
    if (rc == YC_OK && pub != NULL)
        yc_signer_pubkey(s, pub);
    yc_signer_destroy(s);
    return rc;
}

int yc_keystore_create(const char *dir, const char *name, const char *pass, size_t passlen,
                       bool fast_kdf, uint8_t pub[YC_PUBKEY_LEN])
{
    if (dir == NULL || !yc_keystore_name_valid(name) || (pass == NULL && passlen > 0))
        return YC_EINVAL;
    if (sodium_init() < 0)
        return YC_ENOMEM;
    uint8_t *sec = sodium_malloc(YC_SECKEY_LEN);
    if (sec == NULL)
        return YC_ENOMEM;
    yc_signer *s = NULL;
    int rc = YC_EBADKEY;
    /* A random 32-byte string is a valid secp256k1 scalar except with probability
     * ~2^-128; retry anyway rather than assume. */
    for (int i = 0; i < 8 && rc == YC_EBADKEY; i++) {
        randombytes_buf(sec, YC_SECKEY_LEN);
        rc = yc_signer_create(&s, sec);
    }
    if (rc == YC_OK) {
        rc = seal_and_write(dir, name, sec, s, pass, passlen, fast_kdf);
        if (rc == YC_OK && pub != NULL)
            yc_signer_pubkey(s, pub);
    }
    yc_signer_destroy(s);
    sodium_free(sec);
    return rc;
}

/* ---- listing ---- */

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void yc_keystore_free_list(char **names, size_t n)
{
    if (names == NULL)
        return;
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

int yc_keystore_list(const char *dir, char ***names, size_t *n)
{
    if (dir == NULL || names == NULL || n == NULL)
        return YC_EINVAL;
    *names = NULL;
    *n = 0;
    DIR *d = opendir(dir);
    if (d == NULL)
        return errno == ENOENT ? YC_OK : YC_EIO;
    char **list = NULL;
    size_t count = 0, cap = 0;
    int rc = YC_OK;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len <= 5 || strcmp(e->d_name + len - 5, ".json") != 0)
            continue;
        char name[YC_KEYSTORE_NAME_MAX + 1];
        if (len - 5 > YC_KEYSTORE_NAME_MAX)
            continue;
        memcpy(name, e->d_name, len - 5);
        name[len - 5] = '\0';
        if (!yc_keystore_name_valid(name))
            continue;
        if (count == cap) {
            size_t ncap = cap ? cap * 2 : 8;
            if (ncap > 100000) {
                rc = YC_ELIMIT;
                break;
            }
            char **nl = realloc(list, ncap * sizeof *nl);
            if (nl == NULL) {
                rc = YC_ENOMEM;
                break;
            }
            list = nl;
            cap = ncap;
        }
        list[count] = strdup(name);
        if (list[count] == NULL) {
            rc = YC_ENOMEM;
            break;
        }
        count++;
    }
    closedir(d);
    if (rc != YC_OK) {
        yc_keystore_free_list(list, count);
        return rc;
    }
    if (count > 0)
        qsort(list, count, sizeof *list, cmp_names);
    *names = list;
    *n = count;
    return YC_OK;
}
