/*
 * helper_codec.c — re-encoder and random canonical value generator (helper_codec.h).
 */
#include <stdlib.h>
#include <string.h>

#include "helper_codec.h"

int helper_reencode(struct yc_dec *d, struct yc_enc *e, uint32_t max_depth)
{
    int rc = YC_OK;
    switch (yc_dec_peek(d)) {
    case YC_MT_NIL:
        rc = yc_dec_nil(d);
        yc_enc_nil(e);
        break;
    case YC_MT_BOOL: {
        bool b = false;
        rc = yc_dec_bool(d, &b);
        yc_enc_bool(e, b);
        break;
    }
    case YC_MT_UINT: {
        uint64_t v = 0;
        rc = yc_dec_uint(d, &v);
        yc_enc_uint(e, v);
        break;
    }
    case YC_MT_INT: {
        int64_t v = 0;
        rc = yc_dec_int(d, &v);
        yc_enc_int(e, v);
        break;
    }
    case YC_MT_STR: {
        const char *s = NULL;
        size_t n = 0;
        rc = yc_dec_str(d, &s, &n);
        if (rc == YC_OK) {
            yc_enc_str(e, s, n);
        }
        break;
    }
    case YC_MT_BIN: {
        const uint8_t *p = NULL;
        size_t n = 0;
        rc = yc_dec_bin(d, &p, &n);
        if (rc == YC_OK) {
            yc_enc_bin(e, p, n);
        }
        break;
    }
    case YC_MT_ARRAY:
    case YC_MT_MAP: {
        bool map = yc_dec_peek(d) == YC_MT_MAP;
        uint32_t n = 0;
        if (max_depth == 0) {
            return YC_ETOODEEP;
        }
        rc = map ? yc_dec_map(d, &n) : yc_dec_array(d, &n);
        if (rc != YC_OK) {
            return rc;
        }
        if (map) {
            yc_enc_map(e, n);
        } else {
            yc_enc_array(e, n);
        }
        uint64_t items = map ? 2 * (uint64_t)n : n;
        for (uint64_t i = 0; i < items && rc == YC_OK; i++) {
            rc = helper_reencode(d, e, max_depth - 1);
        }
        break;
    }
    default:
        return YC_EBADFIELD;
    }
    if (rc != YC_OK) {
        return rc;
    }
    return yc_enc_finish(e);
}

void helper_rng_seed(struct helper_rng *r, uint64_t seed)
{
    r->s = seed != 0 ? seed : 0x9e3779b97f4a7c15ull;
}

uint64_t helper_rng_next(struct helper_rng *r)
{
    r->s ^= r->s >> 12;
    r->s ^= r->s << 25;
    r->s ^= r->s >> 27;
    return r->s * 0x2545f4914f6cdd1dull;
}

uint64_t helper_rng_below(struct helper_rng *r, uint64_t n)
{
    return helper_rng_next(r) % n;
}

/* A length near one of the header-width boundaries, rarely a large one. */
static size_t gen_len(struct helper_rng *r)
{
    static const size_t edges[] = {0, 1, 15, 16, 31, 32, 255, 256, 65535, 65536};
    uint64_t k = helper_rng_below(r, 100);
    if (k < 60) {
        return (size_t)helper_rng_below(r, 12);
    }
    if (k < 97) {
        return (size_t)helper_rng_below(r, 300);
    }
    return edges[helper_rng_below(r, sizeof edges / sizeof edges[0])];
}

/* Appends one random valid UTF-8 scalar of 1..4 bytes to s, returns its length. */
static size_t gen_utf8_char(struct helper_rng *r, char *s)
{
    uint32_t cp;
    switch (helper_rng_below(r, 4)) {
    case 0:
        cp = (uint32_t)helper_rng_below(r, 0x80);
        break;
    case 1:
        cp = 0x80 + (uint32_t)helper_rng_below(r, 0x800 - 0x80);
        break;
    case 2:
        do {
            cp = 0x800 + (uint32_t)helper_rng_below(r, 0x10000 - 0x800);
        } while (cp >= 0xd800 && cp <= 0xdfff);
        break;
    default:
        cp = 0x10000 + (uint32_t)helper_rng_below(r, 0x110000 - 0x10000);
        break;
    }
    if (cp < 0x80) {
        s[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        s[0] = (char)(0xc0 | (cp >> 6));
        s[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        s[0] = (char)(0xe0 | (cp >> 12));
        s[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        s[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    s[0] = (char)(0xf0 | (cp >> 18));
    s[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    s[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    s[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

/* Random UTF-8 string of exactly n bytes (n small enough for malloc). */
static char *gen_str(struct helper_rng *r, size_t n)
{
    char *s = malloc(n + 4);
    size_t i = 0;
    while (i < n) {
        char c[4];
        size_t k = gen_utf8_char(r, c);
        if (i + k > n) {
            k = 1;
            c[0] = (char)('a' + helper_rng_below(r, 26));
        }
        memcpy(s + i, c, k);
        i += k;
    }
    return s;
}

struct key {
    char *s;
    size_t n;
};

static int key_sort(const void *a, const void *b)
{
    const struct key *x = a, *y = b;
    return yc_key_cmp(x->s, x->n, y->s, y->n);
}

static void gen_int(struct helper_rng *r, struct yc_enc *e)
{
    unsigned bits = (unsigned)helper_rng_below(r, 65);
    uint64_t v = bits == 0 ? 0 : helper_rng_next(r) >> (64 - bits);
    if (helper_rng_below(r, 2) == 0) {
        yc_enc_uint(e, v);
    } else {
        /* Negative: -1 - (v >> 1) covers -1 .. INT64_MIN. */
        int64_t neg = -1 - (int64_t)(v >> 1);
        yc_enc_int(e, neg);
    }
}

void helper_gen_value(struct helper_rng *r, struct yc_enc *e, uint32_t max_depth)
{
    uint64_t kinds = max_depth > 0 ? 8 : 6;
    switch (helper_rng_below(r, kinds)) {
    case 0:
        yc_enc_nil(e);
        break;
    case 1:
        yc_enc_bool(e, helper_rng_below(r, 2) == 1);
        break;
    case 2:
    case 3:
        gen_int(r, e);
        break;
    case 4: {
        size_t n = gen_len(r);
        char *s = gen_str(r, n);
        yc_enc_str(e, s, n);
        free(s);
        break;
    }
    case 5: {
        size_t n = gen_len(r);
        uint8_t *p = malloc(n + 1);
        for (size_t i = 0; i < n; i++) {
            p[i] = (uint8_t)helper_rng_next(r);
        }
        yc_enc_bin(e, p, n);
        free(p);
        break;
    }
    case 6: {
        uint32_t n = helper_rng_below(r, 10) == 0 ? 16 + (uint32_t)helper_rng_below(r, 4)
                                                  : (uint32_t)helper_rng_below(r, 5);
        yc_enc_array(e, n);
        for (uint32_t i = 0; i < n; i++) {
            helper_gen_value(r, e, max_depth - 1);
        }
        break;
    }
    default: {
        uint32_t want = helper_rng_below(r, 10) == 0 ? 16 + (uint32_t)helper_rng_below(r, 4)
                                                     : (uint32_t)helper_rng_below(r, 5);
        struct key keys[20];
        uint32_t n = 0;
        for (uint32_t i = 0; i < want; i++) {
            size_t len = (size_t)helper_rng_below(r, 6);
            keys[n].s = gen_str(r, len);
            keys[n].n = len;
            n++;
        }
        qsort(keys, n, sizeof keys[0], key_sort);
        uint32_t m = 0; /* drop duplicates */
        for (uint32_t i = 0; i < n; i++) {
            if (m > 0 && yc_key_cmp(keys[m - 1].s, keys[m - 1].n, keys[i].s, keys[i].n) == 0) {
                free(keys[i].s);
                continue;
            }
            keys[m++] = keys[i];
        }
        yc_enc_map(e, m);
        for (uint32_t i = 0; i < m; i++) {
            yc_enc_str(e, keys[i].s, keys[i].n);
            helper_gen_value(r, e, max_depth - 1);
            free(keys[i].s);
        }
        break;
    }
    }
}
