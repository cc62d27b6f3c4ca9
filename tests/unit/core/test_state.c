/*
 * test_state.c — the write overlay and the state root: reads through the base and
 * its cache, puts, tombstones, child overlays merged or discarded, the sorted write
 * view, and a root that depends on the writes, never on the order they were made.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "helper_ledger.h"
#include "yc/arena.h"
#include "yc/state.h"

#define K(s) (const uint8_t *)(s), strlen(s)

static yc_overlay *over(struct mem_state *m)
{
    yc_overlay *o;
    struct yc_state_src src = mem_state_src(m);
    assert_int_equal(yc_overlay_create(&o, &src), YC_OK);
    return o;
}

static void seed_base(struct mem_state *m)
{
    struct yc_write w[2] = {
        {.key = (const uint8_t *)"a", .klen = 1, .val = (const uint8_t *)"base-a", .vlen = 6},
        {.key = (const uint8_t *)"b", .klen = 1, .val = (const uint8_t *)"base-b", .vlen = 6},
    };
    mem_state_apply(m, w, 2);
}

static void expect_val(yc_overlay *o, const char *key, const char *want)
{
    const uint8_t *v;
    size_t n;
    if (want == NULL) {
        assert_int_equal(yc_overlay_get(o, K(key), &v, &n), YC_ENOTFOUND);
        return;
    }
    assert_int_equal(yc_overlay_get(o, K(key), &v, &n), YC_OK);
    assert_int_equal(n, strlen(want));
    assert_memory_equal(v, want, n);
}

static void test_get_reads_base_once_and_caches(void **st)
{
    (void)st;
    struct mem_state *m = mem_state_new();
    seed_base(m);
    yc_overlay *o = over(m);

    expect_val(o, "a", "base-a");
    expect_val(o, "a", "base-a");
    expect_val(o, "zz", NULL);
    expect_val(o, "zz", NULL);
    assert_int_equal(mem_state_reads(m), 2); /* one per key, hits and misses cached */

    const struct yc_write *w;
    size_t n;
    assert_int_equal(yc_overlay_writes(o, &w, &n), YC_OK);
    assert_int_equal(n, 0); /* cached reads are not writes */
    yc_overlay_destroy(o);
    mem_state_free(m);
}

static void test_put_shadows_base_and_del_is_tombstone(void **st)
{
    (void)st;
    struct mem_state *m = mem_state_new();
    seed_base(m);
    yc_overlay *o = over(m);

    assert_int_equal(yc_overlay_put(o, K("a"), (const uint8_t *)"new", 3), YC_OK);
    expect_val(o, "a", "new");
    assert_int_equal(yc_overlay_del(o, K("b")), YC_OK);
    expect_val(o, "b", NULL);
    assert_int_equal(yc_overlay_put(o, K("c"), NULL, 0), YC_OK); /* empty value is a value */
    expect_val(o, "c", "");

    const struct yc_write *w;
    size_t n;
    assert_int_equal(yc_overlay_writes(o, &w, &n), YC_OK);
    assert_int_equal(n, 3);
    assert_memory_equal(w[0].key, "a", 1);
    assert_false(w[0].del);
    assert_memory_equal(w[1].key, "b", 1);
    assert_true(w[1].del);
    assert_null(w[1].val);
    assert_memory_equal(w[2].key, "c", 1);
    assert_int_equal(w[2].vlen, 0);

    /* the base is untouched until the writes are applied */
    yc_overlay *o2 = over(m);
    expect_val(o2, "b", "base-b");
    mem_state_apply(m, w, n);
    yc_overlay_destroy(o2);
    o2 = over(m);
    expect_val(o2, "b", NULL);
    expect_val(o2, "a", "new");
    yc_overlay_destroy(o2);
    yc_overlay_destroy(o);
    mem_state_free(m);
}

static void test_child_merge_moves_writes_to_parent(void **st)
{
    (void)st;
    struct mem_state *m = mem_state_new();
    seed_base(m);
    yc_overlay *p = over(m);
    assert_int_equal(yc_overlay_put(p, K("p"), (const uint8_t *)"parent", 6), YC_OK);

    yc_overlay *c;
    struct yc_state_src src = yc_overlay_src(p);
    assert_int_equal(yc_overlay_create(&c, &src), YC_OK);
    expect_val(c, "p", "parent"); /* the child reads through the parent */
    expect_val(c, "a", "base-a");
    assert_int_equal(yc_overlay_put(c, K("a"), (const uint8_t *)"child", 5), YC_OK);
    assert_int_equal(yc_overlay_del(c, K("p")), YC_OK);
    expect_val(p, "a", "base-a"); /* not yet visible to the parent */

    assert_int_equal(yc_overlay_merge(c, p), YC_OK);
    expect_val(p, "a", "child");
    expect_val(p, "p", NULL);
    const struct yc_write *w;
    size_t n;
    assert_int_equal(yc_overlay_writes(c, &w, &n), YC_OK);
    assert_int_equal(n, 0); /* the child is empty after a merge */
    assert_int_equal(yc_overlay_writes(p, &w, &n), YC_OK);
    assert_int_equal(n, 2);
    yc_overlay_destroy(c);
    yc_overlay_destroy(p);
    mem_state_free(m);
}

static void test_child_discarded_changes_nothing(void **st)
{
    (void)st;
    struct mem_state *m = mem_state_new();
    seed_base(m);
    yc_overlay *p = over(m);
    assert_int_equal(yc_overlay_put(p, K("x"), (const uint8_t *)"1", 1), YC_OK);

    yc_overlay *c;
    struct yc_state_src src = yc_overlay_src(p);
    assert_int_equal(yc_overlay_create(&c, &src), YC_OK);
    assert_int_equal(yc_overlay_put(c, K("x"), (const uint8_t *)"2", 1), YC_OK);
    assert_int_equal(yc_overlay_del(c, K("a")), YC_OK);
    yc_overlay_destroy(c);

    expect_val(p, "x", "1");
    expect_val(p, "a", "base-a");
    const struct yc_write *w;
    size_t n;
    assert_int_equal(yc_overlay_writes(p, &w, &n), YC_OK);
    assert_int_equal(n, 1);

    yc_overlay_clear(p);
    assert_int_equal(yc_overlay_writes(p, &w, &n), YC_OK);
    assert_int_equal(n, 0);
    expect_val(p, "x", NULL);
    yc_overlay_destroy(p);
    mem_state_free(m);
}

/* A child (yc_overlay_child) reads the parent's bytes in place and merges by moving its
 * writes; a value read stays readable after its key is written again, until the root is
 * cleared (one arena for the root and its children). */
static void test_arena_child_reads_in_place_and_merges(void **st)
{
    (void)st;
    struct mem_state *m = mem_state_new();
    seed_base(m);
    yc_overlay *p = over(m);
    const uint8_t *pv, *cv;
    size_t pn, cn;
    assert_int_equal(yc_overlay_get(p, K("a"), &pv, &pn), YC_OK);

    yc_overlay *c;
    assert_int_equal(yc_overlay_child(&c, p), YC_OK);
    assert_int_equal(yc_overlay_get(c, K("a"), &cv, &cn), YC_OK);
    assert_ptr_equal(cv, pv); /* not copied */
    expect_val(c, "b", "base-b");
    expect_val(c, "zz", NULL);
    assert_int_equal(mem_state_reads(m), 3); /* through the parent, which caches */
    assert_int_equal(yc_overlay_put(c, K("a"), (const uint8_t *)"child", 5), YC_OK);
    assert_int_equal(yc_overlay_del(c, K("b")), YC_OK);
    expect_val(p, "a", "base-a"); /* not yet visible to the parent */
    assert_int_equal(yc_overlay_merge(c, p), YC_OK);
    yc_overlay_destroy(c);
    expect_val(p, "a", "child");
    expect_val(p, "b", NULL);
    assert_memory_equal(pv, "base-a", 6); /* the old value's bytes are still there */

    /* a child discarded changes nothing; a second child reads the merged writes */
    assert_int_equal(yc_overlay_child(&c, p), YC_OK);
    expect_val(c, "a", "child");
    assert_int_equal(yc_overlay_put(c, K("a"), (const uint8_t *)"lost", 4), YC_OK);
    yc_overlay_destroy(c);
    expect_val(p, "a", "child");
    const struct yc_write *w;
    size_t n;
    assert_int_equal(yc_overlay_writes(p, &w, &n), YC_OK);
    assert_int_equal(n, 2);
    assert_int_equal(yc_overlay_child(&c, NULL), YC_EINVAL);
    assert_null(c);
    yc_overlay_destroy(p);
    mem_state_free(m);
}

/* The arena: aligned pieces that do not overlap across chunks, a piece larger than a
 * chunk, and a reset that frees them at once and serves again. */
static void test_arena_pieces(void **st)
{
    (void)st;
    struct yc_arena a;
    yc_arena_init(&a);
    uint8_t *prev = NULL;
    for (int round = 0; round < 2; round++) {
        for (size_t i = 0; i < 3000; i++) {
            size_t n = i % 97;
            uint8_t *q = yc_arena_alloc(&a, n);
            assert_non_null(q);
            assert_int_equal((uintptr_t)q % 16, 0);
            memset(q, (int)(i & 0xff), n);
            if (prev != NULL)
                assert_true(q != prev);
            prev = q;
        }
        uint8_t *big = yc_arena_alloc(&a, 3u << 20); /* over the largest chunk */
        assert_non_null(big);
        memset(big, 1, 3u << 20);
        uint8_t *d = yc_arena_dup(&a, "abc", 3);
        assert_memory_equal(d, "abc", 3);
        assert_true(a.bytes >= (3u << 20) + 3000);
        yc_arena_reset(&a);
        assert_int_equal(a.bytes, 0);
        prev = NULL;
    }
    yc_arena_cleanup(&a);
    assert_null(a.head);
}

/* Many keys force table growth; the write view must come out sorted bytewise with
 * shorter keys first on a common prefix. */
static void test_writes_sorted_through_growth(void **st)
{
    (void)st;
    yc_overlay *o;
    assert_int_equal(yc_overlay_create(&o, NULL), YC_OK);
    const uint8_t *first_val = NULL;
    size_t first_len;
    for (unsigned i = 0; i < 2000; i++) {
        char key[32];
        unsigned k = (i * 7919u) % 2000u;
        snprintf(key, sizeof key, "key/%u", k);
        assert_int_equal(yc_overlay_put(o, K(key), (const uint8_t *)key, strlen(key)), YC_OK);
        if (i == 0) {
            assert_int_equal(yc_overlay_get(o, K(key), &first_val, &first_len), YC_OK);
        }
    }
    /* a value pointer survives table growth */
    assert_memory_equal(first_val, "key/0", 5);
    assert_int_equal(yc_overlay_put(o, K("key"), (const uint8_t *)"p", 1), YC_OK);
    const struct yc_write *w;
    size_t n;
    assert_int_equal(yc_overlay_writes(o, &w, &n), YC_OK);
    assert_int_equal(n, 2001);
    assert_int_equal(w[0].klen, 3); /* "key" sorts before "key/…" */
    for (size_t i = 1; i < n; i++) {
        size_t l = w[i - 1].klen < w[i].klen ? w[i - 1].klen : w[i].klen;
        int c = memcmp(w[i - 1].key, w[i].key, l);
        assert_true(c < 0 || (c == 0 && w[i - 1].klen < w[i].klen));
    }
    yc_overlay_destroy(o);
}

static void root_of(const char *const *keys, size_t nkeys, const char *chain, uint8_t out[32],
                    const char *override_val)
{
    static const uint8_t zero[32] = {0};
    yc_overlay *o;
    assert_int_equal(yc_overlay_create(&o, NULL), YC_OK);
    for (size_t i = 0; i < nkeys; i++) {
        const char *v = override_val != NULL && i == 0 ? override_val : keys[i];
        assert_int_equal(yc_overlay_put(o, K(keys[i]), (const uint8_t *)v, strlen(v)), YC_OK);
    }
    const struct yc_write *w;
    size_t n;
    assert_int_equal(yc_overlay_writes(o, &w, &n), YC_OK);
    yc_state_root_next(out, chain, zero, w, n);
    yc_overlay_destroy(o);
}

static void test_root_depends_on_writes_not_order(void **st)
{
    (void)st;
    const char *fwd[] = {"account/1", "account/2", "consent/9", "idx/x"};
    const char *rev[] = {"idx/x", "consent/9", "account/2", "account/1"};
    uint8_t a[32], b[32], c[32], d[32];
    root_of(fwd, 4, "chain", a, NULL);
    root_of(rev, 4, "chain", b, NULL);
    assert_memory_equal(a, b, 32);
    root_of(fwd, 4, "chain", c, "changed");
    assert_memory_not_equal(a, c, 32);
    root_of(fwd, 4, "other-chain", d, NULL);
    assert_memory_not_equal(a, d, 32);

    /* a put of an empty value differs from a delete */
    static const uint8_t zero[32] = {0};
    struct yc_write wp = {
        .key = (const uint8_t *)"k", .klen = 1, .val = (const uint8_t *)"", .vlen = 0};
    struct yc_write wd = {.key = (const uint8_t *)"k", .klen = 1, .del = true};
    yc_state_root_next(a, "chain", zero, &wp, 1);
    yc_state_root_next(b, "chain", zero, &wd, 1);
    assert_memory_not_equal(a, b, 32);
    /* the previous root is chained in */
    yc_state_root_next(c, "chain", a, &wd, 1);
    assert_memory_not_equal(b, c, 32);
}

/* The root is exactly H(tag, chain, prev ‖ W) with the documented write encoding. */
static void test_root_matches_documented_encoding(void **st)
{
    (void)st;
    uint8_t prev[32];
    memset(prev, 0x11, sizeof prev);
    struct yc_write w[2] = {
        {.key = (const uint8_t *)"ab", .klen = 2, .val = (const uint8_t *)"xyz", .vlen = 3},
        {.key = (const uint8_t *)"b", .klen = 1, .del = true},
    };
    uint8_t buf[128];
    size_t n = 0;
    memcpy(buf, prev, 32);
    n = 32;
    const uint8_t w0[] = {0, 0, 0, 2, 'a', 'b', 0, 0, 0, 0, 3, 'x', 'y', 'z'};
    const uint8_t w1[] = {0, 0, 0, 1, 'b', 1, 0, 0, 0, 0};
    memcpy(buf + n, w0, sizeof w0);
    n += sizeof w0;
    memcpy(buf + n, w1, sizeof w1);
    n += sizeof w1;
    uint8_t want[32], got[32];
    yc_hash_tagged(want, YC_TAG_STATE, "c1", buf, n);
    yc_state_root_next(got, "c1", prev, w, 2);
    assert_memory_equal(want, got, 32);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_get_reads_base_once_and_caches),
        cmocka_unit_test(test_put_shadows_base_and_del_is_tombstone),
        cmocka_unit_test(test_child_merge_moves_writes_to_parent),
        cmocka_unit_test(test_child_discarded_changes_nothing),
        cmocka_unit_test(test_arena_child_reads_in_place_and_merges),
        cmocka_unit_test(test_arena_pieces),
        cmocka_unit_test(test_writes_sorted_through_growth),
        cmocka_unit_test(test_root_depends_on_writes_not_order),
        cmocka_unit_test(test_root_matches_documented_encoding),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
