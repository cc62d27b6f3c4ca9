/*
 * test_codec.c — canonical MessagePack (codec.h, DESIGN.md §4, docs/formats.md).
 *
 * Every rejection class of yc_canon_check with its exact error code, the exact bytes
 * the writer emits at every header-width boundary, the pull-reader's bounds and type
 * checks, UTF-8 validation over every code point, a huge claimed length refused with
 * no allocation at all, and a seeded property: random canonical values encode, pass
 * the check, skip as one value and re-encode to the same bytes; random mutations of
 * them are either refused or still re-encode to themselves. The seed is printed;
 * YC_SEED=<n> replays a run.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "helper_codec.h"
#include "yc/alloc.h"
#include "yc/codec.h"

#define B(...) ((const uint8_t[]){__VA_ARGS__}), sizeof((const uint8_t[]){__VA_ARGS__})

static const struct yc_limits LIM = YC_LIMITS_DEFAULT;

static int check(const uint8_t *p, size_t n)
{
    return yc_canon_check(p, n, &LIM);
}

/* ---- writer: exact bytes at every boundary ---- */

static void expect_enc(struct yc_buf *b, const uint8_t *want, size_t n)
{
    assert_int_equal(b->len, n);
    assert_memory_equal(b->data, want, n);
    assert_int_equal(check(b->data, b->len), YC_OK);
    yc_buf_reset(b);
}

static void test_writer_shortest(void **state)
{
    (void)state;
    struct yc_buf b;
    struct yc_enc e;
    yc_buf_init(&b, 0);
    yc_enc_init(&e, &b);
#define UINT_IS(v, ...)                 \
    do {                                \
        yc_enc_uint(&e, v);             \
        expect_enc(&b, B(__VA_ARGS__)); \
    } while (0)
#define INT_IS(v, ...)                  \
    do {                                \
        yc_enc_int(&e, v);              \
        expect_enc(&b, B(__VA_ARGS__)); \
    } while (0)
    UINT_IS(0, 0x00);
    UINT_IS(127, 0x7f);
    UINT_IS(128, 0xcc, 0x80);
    UINT_IS(255, 0xcc, 0xff);
    UINT_IS(256, 0xcd, 0x01, 0x00);
    UINT_IS(65535, 0xcd, 0xff, 0xff);
    UINT_IS(65536, 0xce, 0x00, 0x01, 0x00, 0x00);
    UINT_IS(0xffffffffu, 0xce, 0xff, 0xff, 0xff, 0xff);
    UINT_IS(0x100000000ull, 0xcf, 0, 0, 0, 1, 0, 0, 0, 0);
    UINT_IS(UINT64_MAX, 0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff);
    INT_IS(5, 0x05);
    INT_IS(-1, 0xff);
    INT_IS(-32, 0xe0);
    INT_IS(-33, 0xd0, 0xdf);
    INT_IS(-128, 0xd0, 0x80);
    INT_IS(-129, 0xd1, 0xff, 0x7f);
    INT_IS(-32768, 0xd1, 0x80, 0x00);
    INT_IS(-32769, 0xd2, 0xff, 0xff, 0x7f, 0xff);
    INT_IS(INT32_MIN, 0xd2, 0x80, 0x00, 0x00, 0x00);
    INT_IS((int64_t)INT32_MIN - 1, 0xd3, 0xff, 0xff, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff);
    INT_IS(INT64_MIN, 0xd3, 0x80, 0, 0, 0, 0, 0, 0, 0);
#undef UINT_IS
#undef INT_IS
    yc_enc_nil(&e);
    expect_enc(&b, B(0xc0));
    yc_enc_bool(&e, false);
    expect_enc(&b, B(0xc2));
    yc_enc_bool(&e, true);
    expect_enc(&b, B(0xc3));

    char s[300];
    memset(s, 'x', sizeof s);
    yc_enc_str(&e, s, 0);
    expect_enc(&b, B(0xa0));
    yc_enc_str(&e, s, 31);
    assert_int_equal(b.data[0], 0xbf);
    assert_int_equal(b.len, 32);
    yc_buf_reset(&b);
    yc_enc_str(&e, s, 32);
    assert_memory_equal(b.data, ((const uint8_t[]){0xd9, 0x20}), 2);
    yc_buf_reset(&b);
    yc_enc_str(&e, s, 256);
    assert_memory_equal(b.data, ((const uint8_t[]){0xda, 0x01, 0x00}), 3);
    assert_int_equal(check(b.data, b.len), YC_OK);
    yc_buf_reset(&b);
    yc_enc_bin(&e, (const uint8_t *)s, 0);
    expect_enc(&b, B(0xc4, 0x00));
    yc_enc_bin(&e, (const uint8_t *)s, 256);
    assert_memory_equal(b.data, ((const uint8_t[]){0xc5, 0x01, 0x00}), 3);
    yc_buf_reset(&b);
    yc_enc_array(&e, 0);
    expect_enc(&b, B(0x90));
    yc_enc_map(&e, 0);
    expect_enc(&b, B(0x80));
    yc_enc_array(&e, 16);
    assert_memory_equal(b.data, ((const uint8_t[]){0xdc, 0x00, 0x10}), 3);
    yc_buf_reset(&b);
    yc_enc_map(&e, 65536);
    assert_memory_equal(b.data, ((const uint8_t[]){0xdf, 0x00, 0x01, 0x00, 0x00}), 5);
    yc_buf_reset(&b);
    yc_enc_cstr(&e, "ab");
    expect_enc(&b, B(0xa2, 'a', 'b'));
    yc_enc_raw(&e, B(0x93, 0x01, 0x02, 0x03));
    expect_enc(&b, B(0x93, 0x01, 0x02, 0x03));
    assert_int_equal(yc_enc_finish(&e), YC_OK);
    yc_buf_cleanup(&b);
}

static void test_writer_errors(void **state)
{
    (void)state;
    struct yc_buf b;
    struct yc_enc e;
    /* Cap: the first failing write sets a sticky YC_ELIMIT; later writes do nothing. */
    yc_buf_init(&b, 4);
    yc_enc_init(&e, &b);
    yc_enc_uint(&e, 1);
    yc_enc_str(&e, "abcdef", 6);
    assert_int_equal(yc_enc_finish(&e), YC_ELIMIT);
    yc_enc_uint(&e, 2);
    assert_int_equal(yc_enc_finish(&e), YC_ELIMIT);
    assert_true(b.len <= 4);
    yc_buf_cleanup(&b);

    /* Invalid UTF-8 is a caller error. */
    yc_buf_init(&b, 0);
    yc_enc_init(&e, &b);
    yc_enc_str(&e, "\xc0\x80", 2);
    assert_int_equal(yc_enc_finish(&e), YC_EINVAL);
    yc_buf_cleanup(&b);

    yc_enc_init(&e, NULL);
    yc_enc_nil(&e);
    assert_int_equal(yc_enc_finish(&e), YC_EINVAL);
    assert_int_equal(yc_enc_finish(NULL), YC_EINVAL);
}

static void *failing_realloc(void *ctx, void *ptr, size_t size)
{
    (void)ctx;
    if (size == 0) {
        free(ptr);
    }
    return NULL;
}

static void test_buf_limits_and_allocation_failure(void **state)
{
    (void)state;
    struct yc_buf b;
    yc_buf_init(&b, 10);
    assert_int_equal(yc_buf_append(&b, "0123456789", 10), YC_OK);
    assert_int_equal(yc_buf_append(&b, "x", 1), YC_ELIMIT); /* unchanged on error */
    assert_int_equal(b.len, 10);
    assert_int_equal(yc_buf_reserve(&b, SIZE_MAX), YC_ELIMIT);
    uint8_t *p = NULL;
    size_t n = 0;
    yc_buf_take(&b, &p, &n);
    assert_int_equal(n, 10);
    assert_memory_equal(p, "0123456789", 10);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    yc_free(p);

    /* Growth to the default cap boundary and an allocation failure. */
    yc_buf_init(&b, 0);
    yc_allocator fail = {failing_realloc, NULL};
    yc_alloc_set(&fail);
    assert_int_equal(yc_buf_append(&b, "a", 1), YC_ENOMEM);
    assert_int_equal(b.len, 0);
    assert_null(b.data);
    struct yc_enc e;
    yc_enc_init(&e, &b);
    yc_enc_uint(&e, 7);
    assert_int_equal(yc_enc_finish(&e), YC_ENOMEM);
    assert_null(yc_malloc(1));
    assert_null(yc_calloc(2, 2));
    yc_alloc_set(NULL);
    assert_null(yc_calloc(SIZE_MAX, 2)); /* overflow */
    void *z = yc_calloc(0, 0);           /* zero-size requests succeed */
    assert_non_null(z);
    yc_free(z);
    void *d = yc_memdup("abc", 3);
    assert_memory_equal(d, "abc", 3);
    yc_free(d);
    yc_free(NULL);
    yc_buf_cleanup(&b);
}

/* ---- checker: every rejection ---- */

static void test_reject_non_shortest_ints(void **state)
{
    (void)state;
    assert_int_equal(check(B(0xcc, 0x05)), YC_EDECODE);
    assert_int_equal(check(B(0xcc, 0x7f)), YC_EDECODE);
    assert_int_equal(check(B(0xcd, 0x00, 0xff)), YC_EDECODE);
    assert_int_equal(check(B(0xce, 0x00, 0x00, 0xff, 0xff)), YC_EDECODE);
    assert_int_equal(check(B(0xcf, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff)), YC_EDECODE);
    assert_int_equal(check(B(0xd0, 0xff)), YC_EDECODE);       /* -1: fixint */
    assert_int_equal(check(B(0xd0, 0xe0)), YC_EDECODE);       /* -32: fixint */
    assert_int_equal(check(B(0xd0, 0x05)), YC_EDECODE);       /* positive as int8 */
    assert_int_equal(check(B(0xd1, 0xff, 0x80)), YC_EDECODE); /* -128: int8 */
    assert_int_equal(check(B(0xd1, 0x00, 0x80)), YC_EDECODE); /* +128 as int16 */
    assert_int_equal(check(B(0xd2, 0xff, 0xff, 0x80, 0x00)), YC_EDECODE);
    assert_int_equal(check(B(0xd3, 0xff, 0xff, 0xff, 0xff, 0x80, 0, 0, 0)), YC_EDECODE);
    assert_int_equal(check(B(0xd3, 0, 0, 0, 0, 0, 0, 0, 1)), YC_EDECODE);
    /* The shortest forms pass. */
    assert_int_equal(check(B(0xcc, 0x80)), YC_OK);
    assert_int_equal(check(B(0xcd, 0x01, 0x00)), YC_OK);
    assert_int_equal(check(B(0xce, 0x00, 0x01, 0x00, 0x00)), YC_OK);
    assert_int_equal(check(B(0xcf, 0, 0, 0, 1, 0, 0, 0, 0)), YC_OK);
    assert_int_equal(check(B(0xd0, 0xdf)), YC_OK);
    assert_int_equal(check(B(0xd1, 0xff, 0x7f)), YC_OK);
    assert_int_equal(check(B(0xd2, 0xff, 0xff, 0x7f, 0xff)), YC_OK);
    assert_int_equal(check(B(0xd3, 0xff, 0xff, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff)), YC_OK);
    assert_int_equal(check(B(0xe0)), YC_OK);
    assert_int_equal(check(B(0x7f)), YC_OK);
}

static void test_reject_non_shortest_lengths(void **state)
{
    (void)state;
    assert_int_equal(check(B(0xd9, 0x03, 'a', 'b', 'c')), YC_EDECODE);
    assert_int_equal(check(B(0xd9, 0x1f, 'a')), YC_EDECODE); /* refused before reading */
    assert_int_equal(check(B(0xda, 0x00, 0x01, 'a')), YC_EDECODE);
    assert_int_equal(check(B(0xdb, 0x00, 0x00, 0x00, 0x01, 'a')), YC_EDECODE);
    assert_int_equal(check(B(0xc5, 0x00, 0x01, 0x00)), YC_EDECODE);
    assert_int_equal(check(B(0xc6, 0x00, 0x00, 0x00, 0x01, 0x00)), YC_EDECODE);
    assert_int_equal(check(B(0xdc, 0x00, 0x01, 0xc0)), YC_EDECODE);
    assert_int_equal(check(B(0xdc, 0x00, 0x0f, 0xc0)), YC_EDECODE);
    assert_int_equal(check(B(0xdd, 0x00, 0x00, 0x00, 0x01, 0xc0)), YC_EDECODE);
    assert_int_equal(check(B(0xde, 0x00, 0x01, 0xa1, 'a', 0xc0)), YC_EDECODE);
    assert_int_equal(check(B(0xdf, 0x00, 0x00, 0x00, 0x01, 0xa1, 'a', 0xc0)), YC_EDECODE);
    /* Non-shortest key header inside a map. */
    assert_int_equal(check(B(0x81, 0xd9, 0x01, 'a', 0xc0)), YC_EDECODE);
    /* Shortest forms. */
    assert_int_equal(check(B(0xc4, 0x01, 0x00)), YC_OK);
    assert_int_equal(check(B(0xc4, 0x00)), YC_OK);
    assert_int_equal(check(B(0xa1, 'a')), YC_OK);
}

static void test_reject_floats_ext_reserved(void **state)
{
    (void)state;
    assert_int_equal(check(B(0xca, 0, 0, 0, 0)), YC_EDECODE);
    assert_int_equal(check(B(0xcb, 0, 0, 0, 0, 0, 0, 0, 0)), YC_EDECODE);
    assert_int_equal(check(B(0xd4, 0x01, 0x00)), YC_EDECODE);
    assert_int_equal(check(B(0xd5, 0x01, 0x00, 0x00)), YC_EDECODE);
    assert_int_equal(check(B(0xd6, 0xff, 0, 0, 0, 0)), YC_EDECODE); /* timestamp 32 */
    assert_int_equal(check(B(0xd7, 0x01, 0, 0, 0, 0, 0, 0, 0, 0)), YC_EDECODE);
    assert_int_equal(check(B(0xd8, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)),
                     YC_EDECODE);
    assert_int_equal(check(B(0xc7, 0x01, 0x01, 0x00)), YC_EDECODE);
    assert_int_equal(check(B(0xc8, 0x00, 0x01, 0x01, 0x00)), YC_EDECODE);
    assert_int_equal(check(B(0xc9, 0x00, 0x00, 0x00, 0x01, 0x01, 0x00)), YC_EDECODE);
    assert_int_equal(check(B(0xc1)), YC_EDECODE);
    /* Inside containers too. */
    assert_int_equal(check(B(0x91, 0xca, 0, 0, 0, 0)), YC_EDECODE);
    assert_int_equal(check(B(0x81, 0xa1, 'a', 0xc1)), YC_EDECODE);
}

static void test_reject_map_keys(void **state)
{
    (void)state;
    assert_int_equal(check(B(0x82, 0xa1, 'a', 0xc0, 0xa1, 'b', 0xc0)), YC_OK);
    assert_int_equal(check(B(0x82, 0xa1, 'a', 0xc0, 0xa2, 'a', 'b', 0xc0)), YC_OK);
    assert_int_equal(check(B(0x82, 0xa0, 0xc0, 0xa1, 'a', 0xc0)), YC_OK); /* "" first */
    /* unsorted, duplicate, prefix after its extension */
    assert_int_equal(check(B(0x82, 0xa1, 'b', 0xc0, 0xa1, 'a', 0xc0)), YC_EDECODE);
    assert_int_equal(check(B(0x82, 0xa1, 'a', 0xc0, 0xa1, 'a', 0xc0)), YC_EDECODE);
    assert_int_equal(check(B(0x82, 0xa2, 'a', 'b', 0xc0, 0xa1, 'a', 0xc0)), YC_EDECODE);
    /* Bytewise order, not length-first: "b" > "aa". */
    assert_int_equal(check(B(0x82, 0xa1, 'b', 0xc0, 0xa2, 'a', 'a', 0xc0)), YC_EDECODE);
    assert_int_equal(check(B(0x82, 0xa2, 'a', 'a', 0xc0, 0xa1, 'b', 0xc0)), YC_OK);
    /* Bytes compare unsigned: "\xc3\xa9" (é) sorts after "z". */
    assert_int_equal(check(B(0x82, 0xa1, 'z', 0xc0, 0xa2, 0xc3, 0xa9, 0xc0)), YC_OK);
    assert_int_equal(check(B(0x82, 0xa2, 0xc3, 0xa9, 0xc0, 0xa1, 'z', 0xc0)), YC_EDECODE);
    /* non-string keys */
    assert_int_equal(check(B(0x81, 0x01, 0xc0)), YC_EDECODE);
    assert_int_equal(check(B(0x81, 0xc4, 0x01, 'a', 0xc0)), YC_EDECODE);
    assert_int_equal(check(B(0x81, 0xc0, 0xc0)), YC_EDECODE);
    assert_int_equal(check(B(0x81, 0x90, 0xc0)), YC_EDECODE);
    /* nested map with bad order deep inside */
    assert_int_equal(check(B(0x91, 0x81, 0xa1, 'k', 0x82, 0xa1, 'y', 0x01, 0xa1, 'x', 0x02)),
                     YC_EDECODE);
}

static void test_reject_bad_utf8(void **state)
{
    (void)state;
    assert_int_equal(check(B(0xa1, 0x80)), YC_EUTF8);                   /* lone continuation */
    assert_int_equal(check(B(0xa2, 0xc0, 0x80)), YC_EUTF8);             /* overlong NUL */
    assert_int_equal(check(B(0xa2, 0xc1, 0xbf)), YC_EUTF8);             /* overlong 2-byte */
    assert_int_equal(check(B(0xa3, 0xe0, 0x80, 0x80)), YC_EUTF8);       /* overlong 3-byte */
    assert_int_equal(check(B(0xa3, 0xe0, 0x9f, 0xbf)), YC_EUTF8);       /* overlong U+07FF */
    assert_int_equal(check(B(0xa4, 0xf0, 0x8f, 0xbf, 0xbf)), YC_EUTF8); /* overlong 4 */
    assert_int_equal(check(B(0xa3, 0xed, 0xa0, 0x80)), YC_EUTF8);       /* U+D800 */
    assert_int_equal(check(B(0xa3, 0xed, 0xbf, 0xbf)), YC_EUTF8);       /* U+DFFF */
    assert_int_equal(check(B(0xa6, 0xed, 0xa0, 0xbd, 0xed, 0xb8, 0x80)), YC_EUTF8); /* CESU */
    assert_int_equal(check(B(0xa4, 0xf4, 0x90, 0x80, 0x80)), YC_EUTF8);             /* > U+10FFFF */
    assert_int_equal(check(B(0xa4, 0xf5, 0x80, 0x80, 0x80)), YC_EUTF8);
    assert_int_equal(check(B(0xa1, 0xff)), YC_EUTF8);
    assert_int_equal(check(B(0xa1, 0xfe)), YC_EUTF8);
    assert_int_equal(check(B(0xa2, 0xe2, 0x82)), YC_EUTF8);       /* truncated */
    assert_int_equal(check(B(0xa2, 0xe2, 0x41)), YC_EUTF8);       /* bad continuation */
    assert_int_equal(check(B(0x81, 0xa1, 0x80, 0xc0)), YC_EUTF8); /* in a key */
    /* Valid boundaries. */
    assert_int_equal(check(B(0xa1, 0x00)), YC_OK);
    assert_int_equal(check(B(0xa2, 0xc2, 0x80)), YC_OK);
    assert_int_equal(check(B(0xa3, 0xe2, 0x82, 0xac)), YC_OK);
    assert_int_equal(check(B(0xa3, 0xed, 0x9f, 0xbf)), YC_OK); /* U+D7FF */
    assert_int_equal(check(B(0xa3, 0xee, 0x80, 0x80)), YC_OK); /* U+E000 */
    assert_int_equal(check(B(0xa3, 0xef, 0xbf, 0xbf)), YC_OK); /* U+FFFF */
    assert_int_equal(check(B(0xa4, 0xf0, 0x90, 0x80, 0x80)), YC_OK);
    assert_int_equal(check(B(0xa4, 0xf4, 0x8f, 0xbf, 0xbf)), YC_OK); /* U+10FFFF */
    /* Bin is bytes, not text. */
    assert_int_equal(check(B(0xc4, 0x02, 0xc0, 0x80)), YC_OK);
}

/* Reference encoder for the exhaustive UTF-8 test: n bytes (1..4), possibly overlong. */
static size_t utf8_put(uint8_t *o, uint32_t cp, size_t n)
{
    if (n == 1) {
        o[0] = (uint8_t)cp;
    } else if (n == 2) {
        o[0] = (uint8_t)(0xc0 | (cp >> 6));
        o[1] = (uint8_t)(0x80 | (cp & 0x3f));
    } else if (n == 3) {
        o[0] = (uint8_t)(0xe0 | (cp >> 12));
        o[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
        o[2] = (uint8_t)(0x80 | (cp & 0x3f));
    } else {
        o[0] = (uint8_t)(0xf0 | (cp >> 18));
        o[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3f));
        o[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
        o[3] = (uint8_t)(0x80 | (cp & 0x3f));
    }
    return n;
}

static void test_utf8_every_code_point(void **state)
{
    (void)state;
    uint8_t b[4];
    for (uint32_t cp = 0; cp <= 0x10ffff; cp++) {
        size_t n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
        bool surrogate = cp >= 0xd800 && cp <= 0xdfff;
        utf8_put(b, cp, n);
        assert_int_equal(yc_utf8_valid(b, n), !surrogate);
        if (n < 4) { /* every overlong form of it is refused */
            for (size_t m = n + 1; m <= 4; m++) {
                utf8_put(b, cp, m);
                assert_false(yc_utf8_valid(b, m));
            }
        }
        if (n > 1) { /* and every truncation */
            utf8_put(b, cp, n);
            assert_false(yc_utf8_valid(b, n - 1));
        }
    }
    for (uint32_t cp = 0x110000; cp < 0x140000; cp += 0x1000) {
        utf8_put(b, cp, 4);
        assert_false(yc_utf8_valid(b, 4));
    }
}

static void test_reject_trailing_and_truncated(void **state)
{
    (void)state;
    assert_int_equal(check(B(0xc0, 0xc0)), YC_ETRAILING);
    assert_int_equal(check(B(0x01, 0x00)), YC_ETRAILING);
    assert_int_equal(check(B(0x91, 0x01, 0x02)), YC_ETRAILING);
    assert_int_equal(yc_canon_check(NULL, 0, &LIM), YC_EDECODE); /* no value at all */
    assert_int_equal(yc_canon_check(NULL, 1, &LIM), YC_EINVAL);
    assert_int_equal(check(B(0xcd, 0x01)), YC_EDECODE);
    assert_int_equal(check(B(0xcf, 0x01, 0, 0, 0, 0, 0, 0)), YC_EDECODE);
    assert_int_equal(check(B(0xa5, 'a', 'b')), YC_EDECODE);
    assert_int_equal(check(B(0xc4, 0x05, 0x00)), YC_EDECODE);
    assert_int_equal(check(B(0x92, 0x01)), YC_EDECODE);
    assert_int_equal(check(B(0x81, 0xa1, 'a')), YC_EDECODE);
    assert_int_equal(check(B(0xdc, 0x00)), YC_EDECODE);
    assert_int_equal(check(B(0xd9)), YC_EDECODE);
}

static void test_depth_limit(void **state)
{
    (void)state;
    uint8_t b[200];
    /* 16 nested arrays (the default limit) pass, 17 do not. */
    for (size_t depth = 1; depth <= 20; depth++) {
        memset(b, 0x91, depth - 1);
        b[depth - 1] = 0x90;
        int want = depth <= LIM.max_depth ? YC_OK : YC_ETOODEEP;
        assert_int_equal(check(b, depth), want);
    }
    /* Maps count as well; scalars add no depth. */
    struct yc_limits lim = LIM;
    lim.max_depth = 2;
    assert_int_equal(yc_canon_check(B(0x81, 0xa1, 'a', 0x91, 0x01), &lim), YC_OK);
    assert_int_equal(yc_canon_check(B(0x81, 0xa1, 'a', 0x91, 0x90), &lim), YC_ETOODEEP);
    lim.max_depth = 0;
    assert_int_equal(yc_canon_check(B(0x01), &lim), YC_OK);
    assert_int_equal(yc_canon_check(B(0x90), &lim), YC_ETOODEEP);
    /* A caller's huge max_depth is capped at the ceiling (no unbounded recursion). */
    lim.max_depth = UINT32_MAX;
    size_t n = YC_CODEC_DEPTH_CEILING + 1;
    memset(b, 0x91, n - 1);
    b[n - 1] = 0x90;
    assert_int_equal(yc_canon_check(b, n, &lim), YC_ETOODEEP);
    assert_int_equal(yc_canon_check(b + 1, n - 1, &lim), YC_OK);
}

static void test_length_limits(void **state)
{
    (void)state;
    struct yc_limits lim = {.max_depth = 4, .max_items = 3, .max_strlen = 4};
    assert_int_equal(yc_canon_check(B(0x93, 1, 2, 3), &lim), YC_OK);
    assert_int_equal(yc_canon_check(B(0x94, 1, 2, 3, 4), &lim), YC_ETOOLARGE);
    assert_int_equal(yc_canon_check(B(0x83, 0xa1, 'a', 1, 0xa1, 'b', 2, 0xa1, 'c', 3), &lim),
                     YC_OK);
    assert_int_equal(
        yc_canon_check(B(0x84, 0xa1, 'a', 1, 0xa1, 'b', 2, 0xa1, 'c', 3, 0xa1, 'd', 4), &lim),
        YC_ETOOLARGE);
    assert_int_equal(yc_canon_check(B(0xa4, 'a', 'b', 'c', 'd'), &lim), YC_OK);
    assert_int_equal(yc_canon_check(B(0xa5, 'a', 'b', 'c', 'd', 'e'), &lim), YC_ETOOLARGE);
    assert_int_equal(yc_canon_check(B(0xc4, 0x05, 1, 2, 3, 4, 5), &lim), YC_ETOOLARGE);
    /* Keys obey max_strlen too. */
    assert_int_equal(yc_canon_check(B(0x81, 0xa5, 'a', 'b', 'c', 'd', 'e', 0xc0), &lim),
                     YC_ETOOLARGE);
}

/* Counting allocator: proves the checker allocates nothing. */
static size_t alloc_calls;

static void *counting_realloc(void *ctx, void *ptr, size_t size)
{
    (void)ctx;
    alloc_calls++;
    if (size == 0) {
        free(ptr);
        return NULL;
    }
    return realloc(ptr, size);
}

static void test_huge_claims_without_allocation(void **state)
{
    (void)state;
    yc_allocator a = {counting_realloc, NULL};
    yc_alloc_set(&a);
    alloc_calls = 0;
    struct yc_limits open = {.max_depth = 16, .max_items = UINT32_MAX, .max_strlen = UINT32_MAX};
    /* dd ff 00 00 00: an array claiming 4278190080 elements in 5 bytes. */
    assert_int_equal(check(B(0xdd, 0xff, 0x00, 0x00, 0x00)), YC_ETOOLARGE);
    assert_int_equal(yc_canon_check(B(0xdd, 0xff, 0x00, 0x00, 0x00), &open), YC_EDECODE);
    assert_int_equal(check(B(0xdf, 0xff, 0xff, 0xff, 0xff)), YC_ETOOLARGE);
    assert_int_equal(yc_canon_check(B(0xdf, 0xff, 0xff, 0xff, 0xff), &open), YC_EDECODE);
    assert_int_equal(check(B(0xdb, 0xff, 0xff, 0xff, 0xff)), YC_ETOOLARGE);
    assert_int_equal(yc_canon_check(B(0xdb, 0xff, 0xff, 0xff, 0xff), &open), YC_EDECODE);
    assert_int_equal(check(B(0xc6, 0xff, 0xff, 0xff, 0xff, 0x00)), YC_ETOOLARGE);
    assert_int_equal(yc_canon_check(B(0xc6, 0xff, 0xff, 0xff, 0xff, 0x00), &open), YC_EDECODE);
    /* A map whose pairs could not fit: 3 pairs need at least 6 bytes. */
    assert_int_equal(yc_canon_check(B(0x83, 0xa0, 0xc0, 0xa0), &open), YC_EDECODE);
    /* Nested claims. */
    assert_int_equal(yc_canon_check(B(0x91, 0x91, 0xdd, 0x7f, 0xff, 0xff, 0xff), &open),
                     YC_EDECODE);
    assert_int_equal(alloc_calls, 0);
    yc_alloc_set(NULL);
}

/* ---- reader ---- */

static void test_reader(void **state)
{
    (void)state;
    /* {"a": 1, "b": [true, nil], "c": "xy", "d": bin(3), "e": -5} */
    const uint8_t in[] = {0x85, 0xa1, 'a',  0x01, 0xa1, 'b',  0x92, 0xc3, 0xc0, 0xa1, 'c', 0xa2,
                          'x',  'y',  0xa1, 'd',  0xc4, 0x03, 1,    2,    3,    0xa1, 'e', 0xfb};
    assert_int_equal(check(in, sizeof in), YC_OK);
    struct yc_dec d;
    yc_dec_init(&d, in, sizeof in);
    uint32_t left = 0, n = 0;
    uint64_t u = 0;
    assert_int_equal(yc_dec_peek(&d), YC_MT_MAP);
    assert_int_equal(yc_dec_uint(&d, &u), YC_EBADFIELD); /* wrong type: position kept */
    assert_int_equal(d.pos, 0);
    assert_int_equal(yc_dec_map(&d, &left), YC_OK);
    assert_int_equal(left, 5);
    assert_int_equal(yc_dec_field(&d, &left, "a"), 1);
    assert_int_equal(yc_dec_uint(&d, &u), YC_OK);
    assert_int_equal(u, 1);
    assert_int_equal(yc_dec_field(&d, &left, "aa"), 0); /* absent: "b" sorts after */
    assert_int_equal(yc_dec_field(&d, &left, "b"), 1);
    assert_int_equal(yc_dec_array(&d, &n), YC_OK);
    assert_int_equal(n, 2);
    bool bv = false;
    assert_int_equal(yc_dec_bool(&d, &bv), YC_OK);
    assert_true(bv);
    assert_int_equal(yc_dec_nil(&d), YC_OK);
    /* "c" is present but we ask for "d": unknown field "c" sorts before → refused. */
    assert_int_equal(yc_dec_field(&d, &left, "d"), YC_EBADFIELD);
    assert_int_equal(yc_dec_field(&d, &left, "c"), 1);
    const char *s = NULL;
    size_t sl = 0;
    assert_int_equal(yc_dec_str(&d, &s, &sl), YC_OK);
    assert_int_equal(sl, 2);
    assert_memory_equal(s, "xy", 2);
    assert_int_equal(yc_dec_field(&d, &left, "d"), 1);
    uint8_t fixed[4];
    size_t pos = d.pos;
    assert_int_equal(yc_dec_bin_fixed(&d, fixed, 4), YC_EBADFIELD);
    assert_int_equal(d.pos, pos);
    assert_int_equal(yc_dec_bin_fixed(&d, fixed, 3), YC_OK);
    assert_memory_equal(fixed, ((const uint8_t[]){1, 2, 3}), 3);
    assert_int_equal(yc_dec_field(&d, &left, "e"), 1);
    int64_t iv = 0;
    assert_int_equal(yc_dec_uint(&d, &u), YC_EBADFIELD);
    assert_int_equal(yc_dec_int(&d, &iv), YC_OK);
    assert_int_equal(iv, -5);
    assert_int_equal(left, 0);
    assert_int_equal(yc_dec_field(&d, &left, "z"), 0);
    assert_true(yc_dec_done(&d));
    assert_int_equal(yc_dec_peek(&d), YC_MT_NONE);
    assert_int_equal(yc_dec_nil(&d), YC_EBADFIELD);
}

static void test_reader_bounds_on_unchecked_input(void **state)
{
    (void)state;
    struct yc_dec d;
    const char *s;
    size_t n;
    const uint8_t *p;
    yc_dec_init(&d, B(0xa5, 'a'));
    assert_int_equal(yc_dec_str(&d, &s, &n), YC_EBADFIELD);
    yc_dec_init(&d, B(0xdb, 0xff, 0xff, 0xff, 0xff, 'a'));
    assert_int_equal(yc_dec_str(&d, &s, &n), YC_EBADFIELD);
    yc_dec_init(&d, B(0xc6, 0xff, 0xff));
    assert_int_equal(yc_dec_bin(&d, &p, &n), YC_EBADFIELD);
    assert_int_equal(yc_dec_peek(&d), YC_MT_OTHER); /* truncated header */
    yc_dec_init(&d, B(0xca, 0, 0, 0, 0));
    assert_int_equal(yc_dec_peek(&d), YC_MT_OTHER);
    assert_int_equal(yc_dec_skip(&d, NULL, NULL), YC_EBADFIELD);
    /* Skip: huge claims and truncation fail; hostile nesting does not recurse. */
    yc_dec_init(&d, B(0xdd, 0xff, 0xff, 0xff, 0xff, 0xc0));
    assert_int_equal(yc_dec_skip(&d, NULL, NULL), YC_EBADFIELD);
    assert_int_equal(d.pos, 0);
    size_t deep = 1000000;
    uint8_t *nest = malloc(deep + 1);
    memset(nest, 0x91, deep);
    nest[deep] = 0xc0;
    yc_dec_init(&d, nest, deep + 1);
    const uint8_t *start = NULL;
    size_t len = 0;
    assert_int_equal(yc_dec_skip(&d, &start, &len), YC_OK);
    assert_ptr_equal(start, nest);
    assert_int_equal(len, deep + 1);
    assert_true(yc_dec_done(&d));
    yc_dec_init(&d, nest, deep); /* missing the innermost value */
    assert_int_equal(yc_dec_skip(&d, NULL, NULL), YC_EBADFIELD);
    assert_int_equal(check(nest, deep + 1), YC_ETOODEEP);
    free(nest);
    /* yc_dec_int refuses uint values above INT64_MAX. */
    int64_t iv;
    yc_dec_init(&d, B(0xcf, 0x80, 0, 0, 0, 0, 0, 0, 0));
    assert_int_equal(yc_dec_int(&d, &iv), YC_EBADFIELD);
    yc_dec_init(&d, B(0xcf, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff));
    assert_int_equal(yc_dec_int(&d, &iv), YC_OK);
    assert_int_equal(iv, INT64_MAX);
}

static void test_key_cmp(void **state)
{
    (void)state;
    assert_true(yc_key_cmp("a", 1, "b", 1) < 0);
    assert_true(yc_key_cmp("b", 1, "a", 1) > 0);
    assert_true(yc_key_cmp("a", 1, "a", 1) == 0);
    assert_true(yc_key_cmp("a", 1, "ab", 2) < 0);
    assert_true(yc_key_cmp("ab", 2, "a", 1) > 0);
    assert_true(yc_key_cmp("", 0, "a", 1) < 0);
    assert_true(yc_key_cmp("", 0, "", 0) == 0);
    assert_true(yc_key_cmp("b", 1, "aa", 2) > 0);
    assert_true(yc_key_cmp("\xc3\xa9", 2, "z", 1) > 0); /* unsigned bytes */
    assert_true(yc_key_cmp("a\0b", 3, "a\0c", 3) < 0);  /* embedded NUL compared */
}

/* ---- property: random canonical values ---- */

static uint64_t test_seed(void)
{
    const char *env = getenv("YC_SEED");
    if (env != NULL && env[0] != '\0') {
        return strtoull(env, NULL, 0);
    }
    return (uint64_t)time(NULL) ^ ((uint64_t)clock() << 32);
}

static void roundtrip_one(const uint8_t *p, size_t n)
{
    struct yc_dec d;
    const uint8_t *start = NULL;
    size_t len = 0;
    yc_dec_init(&d, p, n);
    assert_int_equal(yc_dec_skip(&d, &start, &len), YC_OK);
    assert_int_equal(len, n);
    assert_true(yc_dec_done(&d));

    struct yc_buf out;
    struct yc_enc e;
    yc_buf_init(&out, 0);
    yc_enc_init(&e, &out);
    yc_dec_init(&d, p, n);
    assert_int_equal(helper_reencode(&d, &e, YC_CODEC_DEPTH_CEILING), YC_OK);
    assert_true(yc_dec_done(&d));
    assert_int_equal(out.len, n);
    assert_memory_equal(out.data, p, n);
    yc_buf_cleanup(&out);
}

static void test_random_round_trip(void **state)
{
    (void)state;
    uint64_t seed = test_seed();
    print_message("test_random_round_trip seed=%llu (replay: YC_SEED=%llu)\n",
                  (unsigned long long)seed, (unsigned long long)seed);
    struct helper_rng r;
    helper_rng_seed(&r, seed);
    struct yc_buf b;
    yc_buf_init(&b, 0);
    size_t accepted_mutants = 0, mutants = 0;
    for (int iter = 0; iter < 3000; iter++) {
        struct yc_enc e;
        yc_buf_reset(&b);
        yc_enc_init(&e, &b);
        helper_gen_value(&r, &e, 6);
        assert_int_equal(yc_enc_finish(&e), YC_OK);
        int rc = check(b.data, b.len);
        if (rc != YC_OK) {
            print_message("seed=%llu iter=%d: generated value refused: %s\n",
                          (unsigned long long)seed, iter, yc_err_name(rc));
        }
        assert_int_equal(rc, YC_OK);
        roundtrip_one(b.data, b.len);

        /* Mutants: one byte changed, or truncated, or one byte appended. */
        for (int m = 0; m < 4; m++) {
            uint8_t *c = malloc(b.len + 1);
            memcpy(c, b.data, b.len);
            size_t n = b.len;
            switch (helper_rng_below(&r, 3)) {
            case 0:
                c[helper_rng_below(&r, n)] = (uint8_t)helper_rng_next(&r);
                break;
            case 1:
                n = (size_t)helper_rng_below(&r, n);
                break;
            default:
                c[n++] = (uint8_t)helper_rng_next(&r);
                break;
            }
            mutants++;
            if (check(c, n) == YC_OK) {
                accepted_mutants++;
                roundtrip_one(c, n); /* accepted means canonical: re-encodes to itself */
            }
            free(c);
        }
    }
    print_message("3000 values, %zu mutants (%zu still canonical)\n", mutants, accepted_mutants);
    yc_buf_cleanup(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_writer_shortest),
        cmocka_unit_test(test_writer_errors),
        cmocka_unit_test(test_buf_limits_and_allocation_failure),
        cmocka_unit_test(test_reject_non_shortest_ints),
        cmocka_unit_test(test_reject_non_shortest_lengths),
        cmocka_unit_test(test_reject_floats_ext_reserved),
        cmocka_unit_test(test_reject_map_keys),
        cmocka_unit_test(test_reject_bad_utf8),
        cmocka_unit_test(test_utf8_every_code_point),
        cmocka_unit_test(test_reject_trailing_and_truncated),
        cmocka_unit_test(test_depth_limit),
        cmocka_unit_test(test_length_limits),
        cmocka_unit_test(test_huge_claims_without_allocation),
        cmocka_unit_test(test_reader),
        cmocka_unit_test(test_reader_bounds_on_unchecked_input),
        cmocka_unit_test(test_key_cmp),
        cmocka_unit_test(test_random_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
