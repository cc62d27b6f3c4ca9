/*
 * bech32.c — bech32m (BIP-350) strings and yc1 addresses.
 *
 * A string is hrp ‖ "1" ‖ data (5-bit groups) ‖ 6-character checksum, at most 90
 * characters, all lowercase or all uppercase. The checksum is BIP-173's BCH code
 * with BIP-350's constant 0x2bc830a3 (bech32m), which also detects insertions and
 * deletions near the end that bech32 missed. Addresses carry the 32-byte x-only key
 * as 8-to-5-bit converted data under hrp "yc"; decoding refuses non-zero padding and
 * padding of 5 bits or more, so every key has exactly one address.
 */
#include <stdio.h>
#include <string.h>

#include "yc/bech32.h"
#include "yc/keys.h"

#define BECH32M_CONST 0x2bc830a3u
#define BECH32_MAX_LEN 90

static const char charset[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

/* Value of a lowercase data character, or -1. */
static int charset_rev(char c)
{
    const char *p = c != '\0' ? strchr(charset, c) : NULL;
    return p != NULL ? (int)(p - charset) : -1;
}

static uint32_t polymod_step(uint32_t pre)
{
    uint32_t b = pre >> 25;
    return ((pre & 0x1ffffffu) << 5) ^ (-((b >> 0) & 1u) & 0x3b6a57b2u) ^
           (-((b >> 1) & 1u) & 0x26508e6du) ^ (-((b >> 2) & 1u) & 0x1ea119fau) ^
           (-((b >> 3) & 1u) & 0x3d4233ddu) ^ (-((b >> 4) & 1u) & 0x2a1462b3u);
}

/* Checksum state after the expanded hrp (lowercase). */
static uint32_t polymod_hrp(const char *hrp, size_t hrplen)
{
    uint32_t chk = 1;
    for (size_t i = 0; i < hrplen; i++) {
        chk = polymod_step(chk) ^ ((uint32_t)(unsigned char)hrp[i] >> 5);
    }
    chk = polymod_step(chk);
    for (size_t i = 0; i < hrplen; i++) {
        chk = polymod_step(chk) ^ ((uint32_t)(unsigned char)hrp[i] & 0x1fu);
    }
    return chk;
}

static char to_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

int yc_bech32m_encode5(char *out, size_t outlen, const char *hrp, const uint8_t *data5, size_t len)
{
    if (out == NULL || hrp == NULL || (data5 == NULL && len > 0)) {
        return YC_EINVAL;
    }
    size_t hrplen = strlen(hrp);
    if (hrplen < 1 || hrplen > 83 || len > BECH32_MAX_LEN) {
        return YC_EINVAL;
    }
    if (hrplen + 1 + len + 6 > BECH32_MAX_LEN) {
        return YC_ELIMIT;
    }
    if (outlen < hrplen + 1 + len + 6 + 1) {
        return YC_ELIMIT;
    }
    for (size_t i = 0; i < hrplen; i++) {
        char c = hrp[i];
        if (c < 33 || c > 126 || (c >= 'A' && c <= 'Z')) {
            return YC_EINVAL;
        }
    }
    uint32_t chk = polymod_hrp(hrp, hrplen);
    char *o = out;
    memcpy(o, hrp, hrplen);
    o += hrplen;
    *o++ = '1';
    for (size_t i = 0; i < len; i++) {
        if (data5[i] >> 5) {
            return YC_EINVAL;
        }
        chk = polymod_step(chk) ^ data5[i];
        *o++ = charset[data5[i]];
    }
    for (int i = 0; i < 6; i++) {
        chk = polymod_step(chk);
    }
    chk ^= BECH32M_CONST;
    for (int i = 0; i < 6; i++) {
        *o++ = charset[(chk >> (5 * (5 - i))) & 31u];
    }
    *o = '\0';
    return YC_OK;
}

int yc_bech32m_decode5(const char *s, char *hrp_out, size_t hrp_cap, uint8_t *data5, size_t *len)
{
    if (s == NULL || hrp_out == NULL || len == NULL || (data5 == NULL && *len > 0)) {
        return YC_EINVAL;
    }
    size_t n = strnlen(s, BECH32_MAX_LEN + 1);
    if (n > BECH32_MAX_LEN) {
        return YC_EBADADDR;
    }
    bool lower = false, upper = false;
    size_t sep = n; /* position of the last '1' */
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c < 33 || c > 126) {
            return YC_EBADADDR;
        }
        lower = lower || (c >= 'a' && c <= 'z');
        upper = upper || (c >= 'A' && c <= 'Z');
        if (c == '1') {
            sep = i;
        }
    }
    if ((lower && upper) || sep == n || sep < 1 || sep > 83 || n - sep - 1 < 6) {
        return YC_EBADADDR;
    }
    size_t ndata = n - sep - 1 - 6;
    if (sep + 1 > hrp_cap || ndata > *len) {
        return YC_EBADADDR;
    }
    for (size_t i = 0; i < sep; i++) {
        hrp_out[i] = to_lower(s[i]);
    }
    hrp_out[sep] = '\0';
    uint32_t chk = polymod_hrp(hrp_out, sep);
    for (size_t i = sep + 1; i < n; i++) {
        int v = charset_rev(to_lower(s[i]));
        if (v < 0) {
            return YC_EBADADDR;
        }
        chk = polymod_step(chk) ^ (uint32_t)v;
        if (i < n - 6) {
            data5[i - sep - 1] = (uint8_t)v;
        }
    }
    if (chk != BECH32M_CONST) {
        return YC_EBADADDR;
    }
    *len = ndata;
    return YC_OK;
}

/*
 * Regroups bits: inbits-wide values into outbits-wide ones. With pad, the last group
 * is zero-padded; without, leftover bits must be fewer than inbits and all zero.
 * Returns false if out is too small or the padding is invalid.
 */
static bool convert_bits(uint8_t *out, size_t outcap, size_t *outlen, const uint8_t *in,
                         size_t inlen, unsigned inbits, unsigned outbits, bool pad)
{
    uint32_t acc = 0;
    unsigned bits = 0;
    size_t o = 0;
    const uint32_t maxv = (1u << outbits) - 1;
    for (size_t i = 0; i < inlen; i++) {
        acc = ((acc << inbits) | in[i]) & 0xffffu;
        bits += inbits;
        while (bits >= outbits) {
            bits -= outbits;
            if (o == outcap) {
                return false;
            }
            out[o++] = (uint8_t)((acc >> bits) & maxv);
        }
    }
    if (pad) {
        if (bits > 0) {
            if (o == outcap) {
                return false;
            }
            out[o++] = (uint8_t)((acc << (outbits - bits)) & maxv);
        }
    } else if (bits >= inbits || ((acc << (outbits - bits)) & maxv) != 0) {
        return false;
    }
    *outlen = o;
    return true;
}

int yc_bech32m_encode(char *out, size_t outlen, const char *hrp, const uint8_t *data, size_t len)
{
    uint8_t d5[BECH32_MAX_LEN];
    size_t n5;
    if (data == NULL && len > 0) {
        return YC_EINVAL;
    }
    if (!convert_bits(d5, sizeof d5, &n5, data, len, 8, 5, true)) {
        return YC_ELIMIT;
    }
    return yc_bech32m_encode5(out, outlen, hrp, d5, n5);
}

int yc_bech32m_decode(const char *s, char *hrp_out, size_t hrp_cap, uint8_t *data, size_t *len)
{
    uint8_t d5[BECH32_MAX_LEN];
    size_t n5 = sizeof d5;
    if (len == NULL || (data == NULL && *len > 0)) {
        return YC_EINVAL;
    }
    int rc = yc_bech32m_decode5(s, hrp_out, hrp_cap, d5, &n5);
    if (rc != YC_OK) {
        return rc;
    }
    size_t n8;
    if (!convert_bits(data, *len, &n8, d5, n5, 5, 8, false)) {
        return YC_EBADADDR;
    }
    *len = n8;
    return YC_OK;
}

int yc_addr_encode(char out[YC_ADDR_MAX], const uint8_t pub[33])
{
    if (out == NULL || pub == NULL || pub[0] != YC_SCHEME_BIP340) {
        return YC_EINVAL;
    }
    return yc_bech32m_encode(out, YC_ADDR_MAX, YC_ADDR_HRP, pub + 1, YC_XONLY_LEN);
}

int yc_addr_decode(uint8_t pub[33], const char *s)
{
    char hrp[YC_ADDR_MAX];
    uint8_t key[YC_XONLY_LEN + 1];
    size_t n = sizeof key;
    if (pub == NULL) {
        return YC_EINVAL;
    }
    memset(pub, 0, YC_PUBKEY_LEN);
    if (s == NULL || yc_bech32m_decode(s, hrp, sizeof hrp, key, &n) != YC_OK ||
        strcmp(hrp, YC_ADDR_HRP) != 0 || n != YC_XONLY_LEN) {
        return YC_EBADADDR;
    }
    pub[0] = YC_SCHEME_BIP340;
    memcpy(pub + 1, key, YC_XONLY_LEN);
    if (!yc_pubkey_valid(pub)) {
        memset(pub, 0, YC_PUBKEY_LEN);
        return YC_EBADADDR;
    }
    return YC_OK;
}

void yc_addr_short(char out[YC_ADDR_SHORT_MAX], const char *addr)
{
    size_t n = strlen(addr);
    if (n <= 16)
        snprintf(out, YC_ADDR_SHORT_MAX, "%.16s", addr);
    else
        snprintf(out, YC_ADDR_SHORT_MAX, "%.10s\u2026%.6s", addr, addr + n - 6);
}
