/*
 * test_account_codec.c — the account's encoding (objects.h): yc_account_decode checks
 * canonical form in the same pass that reads the fields, and must accept exactly the
 * inputs that yc_canon_check followed by the schema's field readers accepts
 * (helper_account.c), with the same fields, and refuse every other with YC_ECORRUPT.
 *
 * Compared on encoded accounts at every header width (integers at each width's bounds,
 * strings at 0, 31, 32 and their field's limit, multi-byte UTF-8, every role), and on
 * every single-byte change of them (all 256 values at each position of the small ones,
 * a set of header and boundary values for the others), every truncation, every byte
 * deleted, a byte inserted at each position and appended; and refused by name: each
 * kind of non-canonical encoding the check refused before the decoder.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "helper_account.h"
#include "yc/buf.h"
#include "yc/objects.h"

#define MAXLEN 1024

/* Both decoders on p[0..n): the same verdict, and on YC_OK the same fields. */
static void same_verdict(const uint8_t *p, size_t n)
{
    struct yc_account a, b;
    int ra = yc_account_decode(&a, p, n);
    int rb = helper_account_decode_2step(&b, p, n);
    if (ra != rb) {
        print_error("decoders differ on %zu bytes: %d (one pass) vs %d (two steps)\n", n, ra, rb);
    }
    assert_int_equal(ra, rb);
    assert_true(ra == YC_OK || ra == YC_ECORRUPT);
    if (ra == YC_OK) {
        assert_true(helper_account_same(&a, &b));
    }
}

static size_t encode(const struct yc_account *a, uint8_t *out)
{
    struct yc_buf b;
    yc_buf_init(&b, MAXLEN);
    assert_int_equal(yc_account_encode(a, &b), YC_OK);
    size_t n = b.len;
    memcpy(out, b.data, n);
    yc_buf_cleanup(&b);
    return n;
}

static struct yc_slice sl(const char *s, size_t n)
{
    struct yc_slice r = {s, n};
    return r;
}

/* 'a' * 255 (filled by main) */
static char LONG[256];

/* The i-th seed account (false past the last). */
static bool seed(size_t i, struct yc_account *a)
{
    static const uint64_t ints[] = {
        0,     1,     127,         128,          255,   256,
        65535, 65536, 0xffffffffu, 0x100000000u, 12345, 0xfffffffffffffffful};
    static const size_t strs[] = {0, 1, 31, 32, 64};
    const size_t nints = sizeof ints / sizeof ints[0];
    const size_t nstrs = sizeof strs / sizeof strs[0];

    if (i >= nints + nstrs + 11 + 2) {
        return false;
    }
    memset(a, 0, sizeof *a);
    a->credit = sl("good", 4);
    a->jurisdiction = sl("CN-31", 5);
    a->name = sl("Alice", 5);
    a->role = YC_ROLE_INDIVIDUAL;
    if (i < nints) {
        a->balance = ints[i];
        a->nonce = ints[(i + 3) % nints];
        a->registered_at = ints[(i + 7) % nints];
        return true;
    }
    i -= nints;
    if (i < nstrs) {
        size_t n = strs[i];
        a->credit = sl(LONG, n > 0 ? n : 1);
        a->jurisdiction = sl(LONG, n);
        a->name = sl(LONG, n == 64 ? YC_NAME_MAX : n);
        return true;
    }
    i -= nstrs;
    if (i < 11) {
        a->role = (enum yc_role)(i + 1);
        return true;
    }
    i -= 11;
    /* multi-byte UTF-8: two, three and four-byte sequences */
    a->name = i == 0 ? sl("\xc3\xa9t\xc3\xa9 \xe5\x90\x8d\xe5\xad\x97", 12)
                     : sl("\xf0\x9f\x98\x80\xe2\x82\xac", 7);
    return true;
}

static void mutations(const uint8_t *enc, size_t n, bool all_values)
{
    static const uint8_t vals[] = {0x00, 0x01, 0x05, 0x1f, 0x20, 0x7f, 0x80, 0x86, 0x87, 0x88,
                                   0x8f, 0x90, 0xa0, 0xa4, 0xa7, 0xbf, 0xc0, 0xc1, 0xc2, 0xc3,
                                   0xc4, 0xca, 0xcc, 0xcd, 0xce, 0xcf, 0xd0, 0xd9, 0xda, 0xdb,
                                   0xde, 0xdf, 0xe0, 0xed, 0xf0, 0xf4, 0xf5, 0xff};
    uint8_t m[MAXLEN + 1];

    same_verdict(enc, n);
    for (size_t i = 0; i < n; i++) {
        memcpy(m, enc, n);
        if (all_values) {
            for (unsigned v = 0; v < 256; v++) {
                m[i] = (uint8_t)v;
                same_verdict(m, n);
            }
        } else {
            for (size_t k = 0; k < sizeof vals; k++) {
                m[i] = vals[k];
                same_verdict(m, n);
            }
            m[i] = (uint8_t)(enc[i] + 1);
            same_verdict(m, n);
            m[i] = (uint8_t)(enc[i] - 1);
            same_verdict(m, n);
        }
        same_verdict(enc, i); /* truncated */
        memcpy(m, enc, i);    /* byte i deleted */
        memcpy(m + i, enc + i + 1, n - i - 1);
        same_verdict(m, n - 1);
        for (size_t k = 0; k < sizeof vals; k += 5) { /* a byte inserted before i */
            memcpy(m, enc, i);
            m[i] = vals[k];
            memcpy(m + i + 1, enc + i, n - i);
            same_verdict(m, n + 1);
        }
    }
    memcpy(m, enc, n);
    for (size_t k = 0; k < sizeof vals; k++) { /* a byte appended */
        m[n] = vals[k];
        same_verdict(m, n + 1);
    }
}

static void test_same_as_two_steps(void **state)
{
    (void)state;
    struct yc_account a;
    uint8_t enc[MAXLEN];

    for (size_t i = 0; seed(i, &a); i++) {
        size_t n = encode(&a, enc);
        struct yc_account back;
        assert_int_equal(yc_account_decode(&back, enc, n), YC_OK);
        assert_int_equal(back.balance, a.balance);
        assert_int_equal(back.nonce, a.nonce);
        assert_int_equal(back.registered_at, a.registered_at);
        assert_int_equal(back.role, a.role);
        assert_int_equal(back.name.len, a.name.len);
        assert_memory_equal(back.name.p, a.name.p, a.name.len);
        mutations(enc, n, n <= 96);
    }
}

/* Replaces enc[at..at+cut) with rep[0..rn) into out; returns the new length. */
static size_t splice(uint8_t *out, const uint8_t *enc, size_t n, size_t at, size_t cut,
                     const uint8_t *rep, size_t rn)
{
    memcpy(out, enc, at);
    memcpy(out + at, rep, rn);
    memcpy(out + at + rn, enc + at + cut, n - at - cut);
    return n - cut + rn;
}

static size_t find(const uint8_t *enc, size_t n, const char *s)
{
    size_t sl_ = strlen(s);
    for (size_t i = 0; i + sl_ <= n; i++) {
        if (memcmp(enc + i, s, sl_) == 0) {
            return i;
        }
    }
    fail_msg("%s not in the encoding", s);
    return 0;
}

static void refused(const uint8_t *p, size_t n)
{
    struct yc_account a;
    assert_int_equal(yc_account_decode(&a, p, n), YC_ECORRUPT);
    same_verdict(p, n);
}

/* Each kind of non-canonical encoding, refused (the check did it before the decoder). */
static void test_non_canonical_refused(void **state)
{
    (void)state;
    struct yc_account a;
    uint8_t enc[MAXLEN], m[MAXLEN + 16];

    memset(&a, 0, sizeof a);
    a.balance = 5;
    a.credit = sl("good", 4);
    a.jurisdiction = sl("CN", 2);
    a.name = sl("Bob", 3);
    a.nonce = 300;
    a.registered_at = 70000;
    a.role = YC_ROLE_BROKER;
    size_t n = encode(&a, enc);
    same_verdict(enc, n);

    size_t bal = find(enc, n, "balance") + 7; /* the balance's value: 0x05 */
    assert_int_equal(enc[bal], 0x05);
    refused(m, splice(m, enc, n, bal, 1, (const uint8_t[]){0xcc, 0x05}, 2));
    refused(m, splice(m, enc, n, bal, 1, (const uint8_t[]){0xcd, 0x00, 0x05}, 3));
    refused(m, splice(m, enc, n, bal, 1, (const uint8_t[]){0xcf, 0, 0, 0, 0, 0, 0, 0, 5}, 9));
    size_t non = find(enc, n, "nonce") + 5; /* 300: cd 01 2c */
    assert_int_equal(enc[non], 0xcd);
    refused(m, splice(m, enc, n, non, 3, (const uint8_t[]){0xce, 0, 0, 0x01, 0x2c}, 5));
    refused(m, splice(m, enc, n, non, 3, (const uint8_t[]){0xd1, 0x01, 0x2c}, 3)); /* int16 */
    refused(m, splice(m, enc, n, non, 3, (const uint8_t[]){0xcb, 0x40, 0x72, 0xc0, 0, 0, 0, 0, 0},
                      9));                                                  /* float64 300.0 */
    size_t nm = find(enc, n, "Bob") - 1;                                    /* a3 "Bob" */
    refused(m, splice(m, enc, n, nm, 1, (const uint8_t[]){0xd9, 0x03}, 2)); /* str8 */
    refused(m, splice(m, enc, n, nm, 1, (const uint8_t[]){0xda, 0x00, 0x03}, 3)); /* str16 */
    refused(m, splice(m, enc, n, nm, 4, (const uint8_t[]){0xc4, 0x03, 'B', 'o', 'b'}, 5)); /* bin */
    refused(m, splice(m, enc, n, nm + 2, 1, (const uint8_t[]){0xff}, 1));       /* not UTF-8 */
    refused(m, splice(m, enc, n, nm + 1, 2, (const uint8_t[]){0xc0, 0xaf}, 2)); /* overlong */
    refused(m,
            splice(m, enc, n, nm + 1, 3, (const uint8_t[]){0xed, 0xa0, 0x80}, 3)); /* surrogate */
    size_t key = find(enc, n, "name") - 1; /* the key a4 "name" as str8 */
    refused(m, splice(m, enc, n, key, 1, (const uint8_t[]){0xd9, 0x04}, 2));
    refused(m, splice(m, enc, n, 0, 1, (const uint8_t[]){0xde, 0x00, 0x07}, 3)); /* map16 */
    refused(m, splice(m, enc, n, 0, 1, (const uint8_t[]){0x88}, 1));             /* 8 pairs */
    refused(m, splice(m, enc, n, 0, 1, (const uint8_t[]){0x86}, 1));             /* 6 pairs */
    refused(m, splice(m, enc, n, n, 0, (const uint8_t[]){0xc0}, 1));             /* trailing */
    size_t role = find(enc, n, "broker");
    refused(m, splice(m, enc, n, role, 6, (const uint8_t[]){'b', 'r', 'o', 'k', 'e', 's'}, 6));
    refused(m, splice(m, enc, n, role - 1, 7, (const uint8_t[]){0xa0}, 1)); /* empty role */
    size_t cr = find(enc, n, "good") - 1;
    refused(m, splice(m, enc, n, cr, 5, (const uint8_t[]){0xa0}, 1)); /* empty credit */
    refused(NULL, 0);
    refused(enc, 0);

    /* strings over their field's limit, written with the shortest header */
    uint8_t big[MAXLEN];
    a.name = sl(LONG, YC_NAME_MAX);
    size_t bn = encode(&a, big);
    same_verdict(big, bn);
    size_t at = find(big, bn, "name") + 4; /* d9 80 "aaa…" */
    assert_int_equal(big[at], 0xd9);
    uint8_t longer[YC_NAME_MAX + 3] = {0xd9, YC_NAME_MAX + 1};
    memset(longer + 2, 'a', YC_NAME_MAX + 1);
    refused(m, splice(m, big, bn, at, 2 + YC_NAME_MAX, longer, sizeof longer));
}

int main(void)
{
    memset(LONG, 'a', sizeof LONG);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_as_two_steps),
        cmocka_unit_test(test_non_canonical_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
