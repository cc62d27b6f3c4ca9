/*
 * test_store.c — the block store: commit and read back, reopen, refusal of another
 * genesis, the lock, read-only handles, prefix scans, and the consistency check at
 * open (a tip whose block is gone is YC_ECORRUPT naming the height).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <leveldb/c.h>

#include "yc/alloc.h"
#include "yc/objects.h"
#include "yc/store.h"

#include "helper_chain.h"
#include "store_keys.h"

static void test_genesis_tip(void **state)
{
    struct tfix *f = *state;
    store *s = tfix_open(f, true);
    struct store_tip tip;
    uint8_t root[YC_HASH_LEN], gh[YC_HASH_LEN];
    assert_int_equal(store_tip(s, &tip), YC_OK);
    assert_int_equal(tip.height, 0);
    assert_memory_equal(tip.hash, f->c.g.hash, YC_HASH_LEN);
    tchain_genesis_root(&f->c, root);
    assert_memory_equal(tip.state_root, root, YC_HASH_LEN);
    assert_int_equal(tip.time_ms, TCHAIN_GENESIS_MS);
    store_genesis_hash(s, gh);
    assert_memory_equal(gh, f->c.g.hash, YC_HASH_LEN);

    /* genesis accounts are in committed state */
    uint8_t key[YC_KEY_MAX], *val = NULL;
    size_t vlen = 0;
    size_t kl = yc_key_account(key, f->c.exchange_pub);
    assert_int_equal(store_get_state(s, key, kl, &val, &vlen), YC_OK);
    struct yc_account a;
    assert_int_equal(yc_account_decode(&a, val, vlen), YC_OK);
    assert_int_equal(a.balance, 1000000000000ull);
    yc_free(val);
    uint8_t *b = NULL;
    size_t bl = 0;
    assert_int_equal(store_get_block(s, 1, &b, &bl), YC_ENOTFOUND);
    store_close(s);
}

static void test_commit_roundtrip_and_reopen(void **state)
{
    struct tfix *f = *state;
    store *s = tfix_open(f, true);
    struct yc_state_src src = store_state_src(s);
    uint8_t hashes[6][YC_HASH_LEN], txid3[YC_HASH_LEN];
    for (uint32_t h = 1; h <= 5; h++) {
        struct tblock tb;
        tchain_next(&f->c, &src, h, &tb); /* h txs in block h */
        const struct yc_write *w;
        size_t nw;
        assert_int_equal(yc_overlay_writes(tb.o, &w, &nw), YC_OK);
        assert_true(nw > 0);
        assert_int_equal(store_commit_block(s, &tb.b, w, nw), YC_OK);
        memcpy(hashes[h], tb.b.hash, YC_HASH_LEN);
        if (h == 3)
            memcpy(txid3, tb.b.txs[2].id, YC_HASH_LEN);
        /* the stored bytes are exactly the block's */
        uint8_t *bytes = NULL;
        size_t len = 0;
        assert_int_equal(store_get_block(s, h, &bytes, &len), YC_OK);
        assert_int_equal(len, tb.b.len);
        assert_memory_equal(bytes, tb.b.bytes, len);
        yc_free(bytes);
        tblock_cleanup(&tb);
    }
    struct store_tip tip;
    assert_int_equal(store_tip(s, &tip), YC_OK);
    assert_int_equal(tip.height, 5);
    assert_memory_equal(tip.hash, hashes[5], YC_HASH_LEN);
    assert_memory_equal(tip.state_root, f->c.prev_root, YC_HASH_LEN);

    uint64_t height = 99;
    assert_int_equal(store_block_height(s, hashes[4], &height), YC_OK);
    assert_int_equal(height, 4);
    assert_int_equal(store_block_height(s, f->c.g.hash, &height), YC_OK);
    assert_int_equal(height, 0);
    struct store_txloc loc;
    assert_int_equal(store_get_txloc(s, txid3, &loc), YC_OK);
    assert_int_equal(loc.height, 3);
    assert_int_equal(loc.index, 2);
    uint8_t zero[YC_HASH_LEN] = {0};
    assert_int_equal(store_get_txloc(s, zero, &loc), YC_ENOTFOUND);
    assert_int_equal(store_block_height(s, zero, &height), YC_ENOTFOUND);

    /* a block that does not extend the tip is refused and changes nothing */
    struct tchain stale = f->c;
    stale.height = 3;
    memcpy(stale.prev_hash, hashes[3], YC_HASH_LEN);
    struct tblock tb;
    tchain_next(&stale, &src, 1, &tb);
    const struct yc_write *w;
    size_t nw;
    assert_int_equal(yc_overlay_writes(tb.o, &w, &nw), YC_OK);
    assert_int_equal(store_commit_block(s, &tb.b, w, nw), YC_EINVAL);
    tblock_cleanup(&tb);
    assert_int_equal(store_tip(s, &tip), YC_OK);
    assert_int_equal(tip.height, 5);
    store_close(s);

    /* reopen: same tip, and the chain continues */
    s = tfix_open(f, false);
    struct store_tip again;
    assert_int_equal(store_tip(s, &again), YC_OK);
    assert_memory_equal(&again, &tip, sizeof tip);
    tchain_resume(&f->c, s);
    tchain_commit_next(&f->c, s, 2);
    assert_int_equal(store_tip(s, &tip), YC_OK);
    assert_int_equal(tip.height, 6);
    store_close(s);
}

static void test_other_genesis_refused(void **state)
{
    struct tfix *f = *state;
    store *s = tfix_open(f, true);
    store_close(s);

    struct tchain other;
    tchain_init(&other, 1); /* one validator: another chain */
    char err[512] = "";
    int rc = store_open(&s, f->dir, false, &other.g, err, sizeof err);
    assert_int_equal(rc, YC_ECONFIG);
    assert_null(s);
    assert_non_null(strstr(err, "another chain"));
    char hex[2 * YC_HASH_LEN + 1];
    yc_hex(hex, f->c.g.hash, YC_HASH_LEN);
    assert_non_null(strstr(err, hex)); /* names the stored genesis */
    tchain_cleanup(&other);

    /* without a genesis the stored one is accepted */
    rc = store_open_ex(&s, f->dir, 0, NULL, err, sizeof err);
    assert_int_equal(rc, YC_OK);
    store_close(s);
}

static void test_lock_and_missing(void **state)
{
    struct tfix *f = *state;
    store *s = tfix_open(f, true);
    store *t = NULL;
    char err[512] = "";
    assert_int_equal(store_open(&t, f->dir, false, &f->c.g, err, sizeof err), YC_EBUSY);
    assert_null(t);
    assert_non_null(strstr(err, "in use"));
    store_close(s);

    char missing[4200];
    snprintf(missing, sizeof missing, "%s/nope", f->dir);
    assert_int_equal(store_open(&t, missing, false, &f->c.g, err, sizeof err), YC_ENOTFOUND);
    assert_null(t);
    /* read-only never initialises a database */
    assert_int_equal(
        store_open_ex(&t, missing, STORE_CREATE | STORE_READ_ONLY, &f->c.g, err, sizeof err),
        YC_ECONFIG);
}

static void test_read_only(void **state)
{
    struct tfix *f = *state;
    store *s = tfix_open(f, true);
    tchain_commit_next(&f->c, s, 1);
    store_close(s);

    char err[512];
    assert_int_equal(store_open_ex(&s, f->dir, STORE_READ_ONLY, &f->c.g, err, sizeof err), YC_OK);
    struct yc_state_src src = store_state_src(s);
    struct tblock tb;
    tchain_next(&f->c, &src, 1, &tb);
    const struct yc_write *w;
    size_t nw;
    assert_int_equal(yc_overlay_writes(tb.o, &w, &nw), YC_OK);
    assert_int_equal(store_commit_block(s, &tb.b, w, nw), YC_EINVAL);
    tblock_cleanup(&tb);
    uint8_t rec[1] = {1};
    assert_int_equal(store_journal_append(s, 1, rec, 1), YC_EINVAL);
    assert_int_equal(store_journal_prune(s, 1), YC_EINVAL);
    store_close(s);
}

struct scan_ctx {
    size_t n;
    uint8_t last[YC_KEY_MAX];
    size_t lastlen;
    bool ordered;
};

static int scan_cb(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen)
{
    struct scan_ctx *c = ctx;
    (void)val;
    (void)vlen;
    if (c->n > 0) {
        size_t m = klen < c->lastlen ? klen : c->lastlen;
        int cmp = memcmp(c->last, key, m);
        c->ordered = c->ordered && (cmp < 0 || (cmp == 0 && c->lastlen < klen));
    }
    assert_true(klen <= YC_KEY_MAX);
    memcpy(c->last, key, klen);
    c->lastlen = klen;
    c->n++;
    return 0;
}

static int stop_cb(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen)
{
    (void)key;
    (void)klen;
    (void)val;
    (void)vlen;
    return ++*(int *)ctx == 2 ? 42 : 0;
}

static void test_scan_prefix(void **state)
{
    struct tfix *f = *state;
    store *s = tfix_open(f, true);
    for (int i = 0; i < 3; i++)
        tchain_commit_next(&f->c, s, 4); /* 2 transfers + 2 anchors per block */

    struct scan_ctx c = {.ordered = true};
    assert_int_equal(store_scan_state(s, (const uint8_t *)"account/", 8, 0, scan_cb, &c), YC_OK);
    assert_int_equal(c.n, 2); /* exchange, alice */
    assert_true(c.ordered);
    assert_memory_equal(c.last, "account/", 8);

    memset(&c, 0, sizeof c);
    c.ordered = true;
    assert_int_equal(store_scan_state(s, (const uint8_t *)"evidence/", 9, 0, scan_cb, &c), YC_OK);
    assert_int_equal(c.n, 6);
    assert_true(c.ordered);

    memset(&c, 0, sizeof c);
    assert_int_equal(store_scan_state(s, (const uint8_t *)"evidence/", 9, 4, scan_cb, &c), YC_OK);
    assert_int_equal(c.n, 4); /* limit */

    int count = 0;
    assert_int_equal(store_scan_state(s, (const uint8_t *)"", 0, 0, stop_cb, &count), 42);
    memset(&c, 0, sizeof c);
    assert_int_equal(store_scan_state(s, (const uint8_t *)"nothing/", 8, 0, scan_cb, &c), YC_OK);
    assert_int_equal(c.n, 0);
    store_close(s);
}

/* Deletes one raw key of a closed database. */
static void raw_delete(const char *dir, const uint8_t *key, size_t klen)
{
    leveldb_options_t *o = leveldb_options_create();
    char *err = NULL;
    leveldb_t *db = leveldb_open(o, dir, &err);
    assert_null(err);
    leveldb_writeoptions_t *wo = leveldb_writeoptions_create();
    leveldb_delete(db, wo, (const char *)key, klen, &err);
    assert_null(err);
    leveldb_writeoptions_destroy(wo);
    leveldb_close(db);
    leveldb_options_destroy(o);
}

static void test_missing_tip_block_is_corrupt(void **state)
{
    struct tfix *f = *state;
    store *s = tfix_open(f, true);
    for (int i = 0; i < 7; i++)
        tchain_commit_next(&f->c, s, 1);
    store_close(s);

    uint8_t key[SK_MAX];
    size_t kl = sk_block(key, 7);
    raw_delete(f->dir, key, kl);
    char err[512] = "";
    assert_int_equal(store_open(&s, f->dir, false, &f->c.g, err, sizeof err), YC_ECORRUPT);
    assert_null(s);
    assert_non_null(strstr(err, "height 7"));

    /* the audit's way in still opens it, to name the damage itself */
    assert_int_equal(
        store_open_ex(&s, f->dir, STORE_READ_ONLY | STORE_NO_CHECK, &f->c.g, err, sizeof err),
        YC_OK);
    uint8_t *b = NULL;
    size_t bl = 0;
    assert_int_equal(store_get_block(s, 7, &b, &bl), YC_ENOTFOUND);
    assert_int_equal(store_get_block(s, 6, &b, &bl), YC_OK);
    yc_free(b);
    store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_genesis_tip, tfix_setup, tfix_teardown),
        cmocka_unit_test_setup_teardown(test_commit_roundtrip_and_reopen, tfix_setup,
                                        tfix_teardown),
        cmocka_unit_test_setup_teardown(test_other_genesis_refused, tfix_setup, tfix_teardown),
        cmocka_unit_test_setup_teardown(test_lock_and_missing, tfix_setup, tfix_teardown),
        cmocka_unit_test_setup_teardown(test_read_only, tfix_setup, tfix_teardown),
        cmocka_unit_test_setup_teardown(test_scan_prefix, tfix_setup, tfix_teardown),
        cmocka_unit_test_setup_teardown(test_missing_tip_block_is_corrupt, tfix_setup,
                                        tfix_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
