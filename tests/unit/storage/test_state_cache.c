/*
 * test_state_cache.c — committed state kept in memory across blocks (store_state_cache,
 * state_cache.h): every read through a cached store answers what the backend holds —
 * after a committed block (values and absences it changed), after a block executed on
 * the store's state and abandoned (a view change), after a failed commit, after a
 * restart —, the cache stays within its limit, a fill that raced a commit is
 * dropped, and a commit updates an entry in place when the new value fits its room.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "yc/alloc.h"
#include "yc/objects.h"
#include "yc/store.h"

#include "helper_chain.h"
#include "state_cache.h"

static store *open_cached(struct tfix *f, size_t cache_bytes)
{
    store *s = tfix_open(f, true);
    assert_int_equal(store_state_cache(s, cache_bytes), YC_OK);
    return s;
}

/* A read through the store (the cache when on): rc, and the value into buf. */
static int read_key(store *s, const uint8_t *key, size_t klen, uint8_t *buf, size_t cap,
                    size_t *len)
{
    uint8_t *v = NULL;
    *len = 0;
    int rc = store_get_state(s, key, klen, &v, len);
    if (rc == YC_OK) {
        assert_true(*len <= cap);
        memcpy(buf, v, *len);
    }
    yc_free(v);
    return rc;
}

/* Asserts that the cached read of key equals the backend's (the cache turned off for the
 * second read, then back on with `cache_bytes`: emptied). */
static void assert_read_exact(store *s, const uint8_t *key, size_t klen, size_t cache_bytes)
{
    uint8_t a[4096], b[4096];
    size_t alen = 0, blen = 0;
    int ra = read_key(s, key, klen, a, sizeof a, &alen);
    assert_int_equal(store_state_cache(s, 0), YC_OK);
    int rb = read_key(s, key, klen, b, sizeof b, &blen);
    assert_int_equal(store_state_cache(s, cache_bytes), YC_OK);
    assert_int_equal(ra, rb);
    assert_int_equal(alen, blen);
    if (ra == YC_OK)
        assert_memory_equal(a, b, alen);
}

static uint64_t balance_of(store *s, const uint8_t pub[YC_PUBKEY_LEN])
{
    uint8_t key[YC_KEY_MAX], v[4096];
    size_t kl = yc_key_account(key, pub), vl = 0;
    assert_int_equal(read_key(s, key, kl, v, sizeof v, &vl), YC_OK);
    struct yc_account a;
    assert_int_equal(yc_account_decode(&a, v, vl), YC_OK);
    return a.balance;
}

static struct store_cache_stats stats(store *s)
{
    struct store_cache_stats st;
    store_state_cache_stats(s, &st);
    return st;
}

/* A value read twice is answered from memory the second time; a block that changes it
 * and a block that writes a key read as absent are what the next reads answer. */
static void test_commit_updates_what_is_cached(void **state)
{
    struct tfix *f = *state;
    store *s = open_cached(f, 1u << 20);
    uint64_t before = balance_of(s, f->c.alice_pub);
    assert_int_equal(stats(s).misses, 1);
    assert_int_equal(balance_of(s, f->c.alice_pub), before);
    assert_int_equal(stats(s).hits, 1);

    /* the block's state writes: every key, read first so that each is cached */
    struct yc_state_src src = store_state_src(s);
    struct tblock tb;
    tchain_next(&f->c, &src, 4, &tb); /* two transfers to alice, two anchors */
    const struct yc_write *w = NULL;
    size_t nw = 0;
    assert_int_equal(yc_overlay_writes(tb.o, &w, &nw), YC_OK);
    size_t absent = 0;
    for (size_t i = 0; i < nw; i++) {
        uint8_t v[4096];
        size_t vl;
        absent += read_key(s, w[i].key, w[i].klen, v, sizeof v, &vl) == YC_ENOTFOUND;
    }
    assert_true(absent > 0); /* the anchors: new keys, cached as absent */
    assert_int_equal(store_commit_block(s, &tb.b, w, nw), YC_OK);
    for (size_t i = 0; i < nw; i++) {
        uint8_t v[4096];
        size_t vl;
        uint64_t hits = stats(s).hits;
        assert_int_equal(read_key(s, w[i].key, w[i].klen, v, sizeof v, &vl), YC_OK);
        assert_int_equal(stats(s).hits, hits + 1); /* from memory, */
        assert_int_equal(vl, w[i].vlen);           /* and what the block wrote */
        assert_memory_equal(v, w[i].val, vl);
    }
    for (size_t i = 0; i < nw; i++)
        assert_read_exact(s, w[i].key, w[i].klen, 1u << 20);
    tblock_cleanup(&tb);
    assert_true(balance_of(s, f->c.alice_pub) > before);
    store_close(s);
}

/* A block executed on the store's state and never committed (a proposal abandoned at a
 * view change) changes nothing that is read; the block committed instead is read. */
static void test_abandoned_block_changes_nothing(void **state)
{
    struct tfix *f = *state;
    store *s = open_cached(f, 1u << 20);
    uint8_t key[YC_KEY_MAX];
    size_t kl = yc_key_account(key, f->c.alice_pub);
    uint64_t before = balance_of(s, f->c.alice_pub);

    struct tchain saved = f->c; /* the chain position: the abandoned block does not count */
    struct yc_state_src src = store_state_src(s);
    struct tblock tb;
    tchain_next(&f->c, &src, 4, &tb);
    const struct yc_write *w = NULL;
    size_t nw = 0;
    assert_int_equal(yc_overlay_writes(tb.o, &w, &nw), YC_OK);
    assert_true(nw > 0);
    tblock_cleanup(&tb); /* executed, then abandoned */
    f->c.height = saved.height;
    f->c.exchange_nonce = saved.exchange_nonce;
    f->c.time_ms = saved.time_ms;
    memcpy(f->c.prev_hash, saved.prev_hash, YC_HASH_LEN);
    memcpy(f->c.prev_root, saved.prev_root, YC_HASH_LEN);

    assert_int_equal(balance_of(s, f->c.alice_pub), before);
    assert_read_exact(s, key, kl, 1u << 20);
    (void)balance_of(s, f->c.alice_pub); /* cached again */

    tchain_commit_next(&f->c, s, 2); /* another block at that height: one transfer */
    struct store_tip tip;
    assert_int_equal(store_tip(s, &tip), YC_OK);
    assert_int_equal(tip.height, 1);
    uint64_t hits = stats(s).hits;
    uint64_t after = balance_of(s, f->c.alice_pub);
    assert_int_equal(stats(s).hits, hits + 1);
    assert_int_equal(after, before + 100 + 1); /* make_tx: amount 100 + height */
    assert_read_exact(s, key, kl, 1u << 20);
    store_close(s);
}

/* After a restart the cache starts empty and reads what the blocks committed. */
static void test_restart_reads_committed_state(void **state)
{
    struct tfix *f = *state;
    store *s = open_cached(f, 1u << 20);
    (void)balance_of(s, f->c.alice_pub);
    tchain_commit_next(&f->c, s, 2);
    tchain_commit_next(&f->c, s, 2);
    uint64_t committed = balance_of(s, f->c.alice_pub);
    store_close(s);

    s = open_cached(f, 1u << 20);
    assert_int_equal(stats(s).entries, 0);
    assert_int_equal(balance_of(s, f->c.alice_pub), committed);
    assert_int_equal(stats(s).misses, 1);
    tchain_commit_next(&f->c, s, 2);
    assert_int_equal(balance_of(s, f->c.alice_pub), committed + 100 + 3);
    store_close(s);
}

/* A small cache keeps within its limit while blocks commit, and every read is exact. */
static void test_limit_holds(void **state)
{
    struct tfix *f = *state;
    const size_t limit = 2048; /* a few entries */
    store *s = open_cached(f, limit);
    for (int h = 0; h < 6; h++) {
        struct yc_state_src src = store_state_src(s);
        struct tblock tb;
        tchain_next(&f->c, &src, 6, &tb);
        const struct yc_write *w = NULL;
        size_t nw = 0;
        assert_int_equal(yc_overlay_writes(tb.o, &w, &nw), YC_OK);
        for (size_t i = 0; i < nw; i++) {
            uint8_t v[4096];
            size_t vl;
            int rc = read_key(s, w[i].key, w[i].klen, v, sizeof v, &vl);
            assert_true(rc == YC_OK || rc == YC_ENOTFOUND);
        }
        assert_true(stats(s).bytes <= limit);
        assert_int_equal(store_commit_block(s, &tb.b, w, nw), YC_OK);
        assert_true(stats(s).bytes <= limit);
        assert_true(stats(s).entries > 0);
        for (size_t i = 0; i < nw; i++) {
            uint8_t v[4096];
            size_t vl;
            assert_int_equal(read_key(s, w[i].key, w[i].klen, v, sizeof v, &vl), YC_OK);
            assert_int_equal(vl, w[i].vlen);
            assert_memory_equal(v, w[i].val, vl);
        }
        tblock_cleanup(&tb);
    }
    store_close(s);
}

/* The cache alone: a fill read before a commit is dropped, an entry over the limit is
 * not kept, a delete makes a cached key absent, a key not cached stays out at a commit. */
static void test_cache_rules(void **state)
{
    (void)state;
    struct state_cache *c = NULL;
    assert_int_equal(state_cache_create(&c, 1000), YC_OK);
    int rc;
    uint8_t *v = NULL;
    size_t vl = 0, entries, bytes;
    uint64_t gen, gen2;
    const uint8_t k1[] = "k1", k2[] = "k2", big[950] = {0};

    assert_false(state_cache_get(c, k1, 2, &rc, &v, &vl, &gen));
    struct yc_write w = {.key = k1, .klen = 2, .val = (const uint8_t *)"new", .vlen = 3};
    state_cache_commit(c, &w, 1);             /* k1 not cached: stays out */
    state_cache_fill(c, gen, k1, 2, NULL, 0); /* read before that commit: dropped */
    assert_false(state_cache_get(c, k1, 2, &rc, &v, &vl, &gen));
    state_cache_fill(c, gen, k1, 2, (const uint8_t *)"new", 3);
    assert_true(state_cache_get(c, k1, 2, &rc, &v, &vl, &gen));
    assert_int_equal(rc, YC_OK);
    assert_int_equal(vl, 3);
    assert_memory_equal(v, "new", 3);
    yc_free(v);

    w.del = true;
    w.val = NULL;
    w.vlen = 0;
    state_cache_commit(c, &w, 1);
    assert_true(state_cache_get(c, k1, 2, &rc, &v, &vl, &gen));
    assert_int_equal(rc, YC_ENOTFOUND);
    assert_null(v);

    assert_false(state_cache_get(c, k2, 2, &rc, &v, &vl, &gen2));
    state_cache_fill(c, gen2, k2, 2, big, sizeof big); /* over the limit with its overhead */
    assert_false(state_cache_get(c, k2, 2, &rc, &v, &vl, &gen2));
    state_cache_fill(c, gen2, k2, 2, big, 850); /* fits alone: k1 is evicted */
    state_cache_usage(c, &entries, &bytes);
    assert_int_equal(entries, 1);
    assert_true(bytes <= 1000);
    assert_false(state_cache_get(c, k1, 2, &rc, &v, &vl, &gen));
    state_cache_destroy(c);
}

/* A commit writes a key's new value where its old one was when it fits in the entry's
 * room (key and value rounded up to 16 bytes), and makes a new entry when it does not;
 * either way the value read back is the committed one and the count stays exact. */
static void test_update_in_place(void **state)
{
    (void)state;
    struct state_cache *c = NULL;
    assert_int_equal(state_cache_create(&c, 4096), YC_OK);
    int rc;
    uint8_t *v = NULL;
    size_t vl = 0, entries, bytes;
    uint64_t gen;
    const uint8_t k[] = "k1";
    uint8_t big[40];
    memset(big, 'b', sizeof big);

    assert_false(state_cache_get(c, k, 2, &rc, &v, &vl, &gen));
    state_cache_fill(c, gen, k, 2, (const uint8_t *)"abc", 3);
    state_cache_usage(c, &entries, &bytes);
    assert_int_equal(entries, 1);
    assert_int_equal(bytes, STATE_CACHE_ENTRY_OVERHEAD + 16);

    struct {
        const uint8_t *val;
        size_t vlen;
        bool del;
        size_t room; /* the entry's room after the commit */
    } steps[] = {
        {(const uint8_t *)"0123456789abc", 13, false, 16}, /* 2 + 13 <= 16: in place */
        {(const uint8_t *)"x", 1, false, 16},              /* shrinks in place */
        {NULL, 0, true, 16},                               /* absent, in place */
        {big, sizeof big, false, 48},                      /* 2 + 40 > 16: a new entry */
        {(const uint8_t *)"abc", 3, false, 48},            /* in the larger room */
    };
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        struct yc_write w = {
            .key = k, .klen = 2, .val = steps[i].val, .vlen = steps[i].vlen, .del = steps[i].del};
        state_cache_commit(c, &w, 1);
        assert_true(state_cache_get(c, k, 2, &rc, &v, &vl, &gen));
        if (steps[i].del) {
            assert_int_equal(rc, YC_ENOTFOUND);
            assert_null(v);
        } else {
            assert_int_equal(rc, YC_OK);
            assert_int_equal(vl, steps[i].vlen);
            assert_memory_equal(v, steps[i].val, vl);
            yc_free(v);
        }
        state_cache_usage(c, &entries, &bytes);
        assert_int_equal(entries, 1);
        assert_int_equal(bytes, STATE_CACHE_ENTRY_OVERHEAD + steps[i].room);
    }
    state_cache_destroy(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_commit_updates_what_is_cached, tfix_setup,
                                        tfix_teardown),
        cmocka_unit_test_setup_teardown(test_abandoned_block_changes_nothing, tfix_setup,
                                        tfix_teardown),
        cmocka_unit_test_setup_teardown(test_restart_reads_committed_state, tfix_setup,
                                        tfix_teardown),
        cmocka_unit_test_setup_teardown(test_limit_holds, tfix_setup, tfix_teardown),
        cmocka_unit_test(test_cache_rules),
        cmocka_unit_test(test_update_in_place),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
