/*
 * hash.c — SHA-256 (libcrypto, see hash.h), the tagged hash of DESIGN.md §4, hex helpers.
 *
 * The tagged hash prefixes the tag and the chain id each with a one-byte length, so
 * no (tag, chain_id, bytes) triple can collide with another by moving bytes across a
 * boundary. Tags and chain ids longer than 255 bytes are a programming error (chain
 * ids are validated against YC_CHAIN_ID_MAX when genesis is loaded) and abort.
 */
#include <stdlib.h>
#include <string.h>

/* The low-level SHA256_* calls are deprecated in OpenSSL 3 in favour of EVP, whose
 * per-call algorithm fetch costs more than hashing a transaction; they are kept there. */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

#include "yc/err.h"
#include "yc/hash.h"

_Static_assert(sizeof(SHA256_CTX) <= sizeof(struct yc_sha256_ctx), "yc_sha256_ctx too small");
_Static_assert(_Alignof(SHA256_CTX) <= _Alignof(struct yc_sha256_ctx), "yc_sha256_ctx misaligned");

static SHA256_CTX *ctx_of(struct yc_sha256_ctx *c)
{
    return (SHA256_CTX *)(void *)c->opaque;
}

/* libcrypto's SHA-256 calls cannot fail for in-memory input and a valid context. */
void yc_sha256_init(struct yc_sha256_ctx *c)
{
    (void)SHA256_Init(ctx_of(c));
}

void yc_sha256_update(struct yc_sha256_ctx *c, const void *p, size_t len)
{
    if (len > 0) {
        (void)SHA256_Update(ctx_of(c), p, len);
    }
}

void yc_sha256_final(struct yc_sha256_ctx *c, uint8_t out[YC_HASH_LEN])
{
    (void)SHA256_Final(out, ctx_of(c));
}

void yc_sha256(uint8_t out[YC_HASH_LEN], const void *p, size_t len)
{
    struct yc_sha256_ctx c;
    yc_sha256_init(&c);
    yc_sha256_update(&c, p, len);
    yc_sha256_final(&c, out);
}

static void update_prefixed(struct yc_sha256_ctx *st, const char *s)
{
    size_t n = s == NULL ? 0 : strnlen(s, 256);
    if (n > 255) {
        abort(); /* caller error that would make the hash ambiguous: never hash it */
    }
    uint8_t len8 = (uint8_t)n;
    yc_sha256_update(st, &len8, 1);
    yc_sha256_update(st, s, n);
}

void yc_hash_tagged_init(struct yc_sha256_ctx *c, const char *tag, const char *chain_id)
{
    yc_sha256_init(c);
    update_prefixed(c, tag);
    update_prefixed(c, chain_id);
}

void yc_hash_tagged(uint8_t out[YC_HASH_LEN], const char *tag, const char *chain_id, const void *p,
                    size_t len)
{
    struct yc_sha256_ctx st;
    yc_hash_tagged_init(&st, tag, chain_id);
    yc_sha256_update(&st, p, len);
    yc_sha256_final(&st, out);
}

void yc_hash_sub_id(uint8_t out[YC_HASH_LEN], const uint8_t txid[YC_HASH_LEN], uint32_t i)
{
    uint8_t b[YC_HASH_LEN + 4];
    memcpy(b, txid, YC_HASH_LEN);
    b[YC_HASH_LEN] = (uint8_t)(i >> 24);
    b[YC_HASH_LEN + 1] = (uint8_t)(i >> 16);
    b[YC_HASH_LEN + 2] = (uint8_t)(i >> 8);
    b[YC_HASH_LEN + 3] = (uint8_t)i;
    yc_hash_tagged(out, YC_TAG_ID, "", b, sizeof b);
}

void yc_hex(char *out, const uint8_t *p, size_t len)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 0x0f];
    }
    out[2 * len] = '\0';
}

static int hex_val(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

int yc_unhex(uint8_t *out, size_t n, const char *hex, size_t hexlen)
{
    if (hex == NULL || n > SIZE_MAX / 2 || hexlen != 2 * n) {
        return YC_EBADFIELD;
    }
    for (size_t i = 0; i < n; i++) {
        int hi = hex_val(hex[2 * i]);
        int lo = hex_val(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            memset(out, 0, n);
            return YC_EBADFIELD;
        }
        out[i] = (uint8_t)((hi << 4) | lo);
    }
    return YC_OK;
}
