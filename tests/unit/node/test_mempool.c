/*
 * test_mempool.c — mempool ordering, limits (total, per sender), de-duplication, nonce
 * gaps, base moves after a block, expiry, finding a held tx by its bytes, the calls
 * taking keys hashed once by the caller, the refusal and expiry rings, and the
 * pressure counters with their rate-limited log lines (node/src/chain/mempool.h).
 *
 * Transactions are built by hand (id, sender, nonce, size): the mempool reads only
 * those fields and frees the bytes, so the tests need no signing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "mempool.h"
#include "yc/alloc.h"

static uint32_t next_id = 1;

/* A tx from sender `s` (one byte, repeated) with `nonce` and `len` bytes. */
static struct yc_tx mk(uint8_t s, uint64_t nonce, size_t len)
{
    struct yc_tx tx;
    memset(&tx, 0, sizeof tx);
    uint32_t id = next_id++;
    memcpy(tx.id, &id, sizeof id);
    memset(tx.sender, s, sizeof tx.sender);
    tx.nonce = nonce;
    tx.len = len;
    tx.bytes = yc_malloc(len);
    assert_non_null(tx.bytes);
    return tx;
}

static yc_mempool *mk_pool_per_sender(size_t max_txs, size_t max_bytes, uint64_t gap,
                                      size_t max_rej, size_t per_sender)
{
    struct yc_mempool_limits lim = {max_txs, max_bytes, gap, max_rej, per_sender};
    yc_mempool *mp = NULL;
    assert_int_equal(yc_mempool_create(&mp, &lim), YC_OK);
    return mp;
}

static yc_mempool *mk_pool(size_t max_txs, size_t max_bytes, uint64_t gap, size_t max_rej)
{
    struct yc_mempool_limits lim = {max_txs, max_bytes, gap, max_rej, 0};
    yc_mempool *mp = NULL;
    assert_int_equal(yc_mempool_create(&mp, &lim), YC_OK);
    return mp;
}

/* Records visits as "sender:nonce" pairs. */
struct trace {
    uint8_t s[64];
    uint64_t nonce[64];
    size_t n, stop_after;
};

static int trace_cb(void *ctx, const struct yc_tx *tx)
{
    struct trace *t = ctx;
    t->s[t->n] = tx->sender[0];
    t->nonce[t->n] = tx->nonce;
    t->n++;
    return t->stop_after != 0 && t->n >= t->stop_after;
}

static void add_ok(yc_mempool *mp, struct yc_tx tx, uint64_t base, uint64_t now)
{
    assert_int_equal(yc_mempool_add(mp, &tx, base, now), YC_OK);
    assert_null(tx.bytes); /* moved in */
}

static void test_order_within_and_across_senders(void **state)
{
    (void)state;
    yc_mempool *mp = mk_pool(100, 1 << 20, 10, 16);
    add_ok(mp, mk('A', 2, 10), 0, 1);
    add_ok(mp, mk('B', 0, 10), 0, 2);
    add_ok(mp, mk('A', 0, 10), 0, 3);
    add_ok(mp, mk('A', 1, 10), 0, 4);
    add_ok(mp, mk('C', 5, 10), 5, 5);
    struct trace t = {0};
    yc_mempool_each_ready(mp, trace_cb, &t);
    /* senders in the arrival order of their earliest-arrived ready tx (A2 came
     * first, and is ready once A0 and A1 are in); each run in nonce order */
    assert_int_equal(t.n, 5);
    uint8_t want_s[] = {'A', 'A', 'A', 'B', 'C'};
    uint64_t want_n[] = {0, 1, 2, 0, 5};
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(t.s[i], want_s[i]);
        assert_int_equal(t.nonce[i], want_n[i]);
    }
    uint64_t oldest;
    assert_true(yc_mempool_oldest_ready(mp, &oldest));
    assert_int_equal(oldest, 1); /* A2 is ready now, and arrived first */
    struct trace stop = {.stop_after = 2};
    yc_mempool_each_ready(mp, trace_cb, &stop);
    assert_int_equal(stop.n, 2);
    yc_mempool_destroy(mp);
}

static void test_gap_waits(void **state)
{
    (void)state;
    yc_mempool *mp = mk_pool(100, 1 << 20, 10, 16);
    add_ok(mp, mk('A', 0, 10), 0, 1);
    add_ok(mp, mk('A', 2, 20), 0, 2);
    size_t n, bytes;
    yc_mempool_ready_size(mp, &n, &bytes);
    assert_int_equal(n, 1);
    assert_int_equal(bytes, 10);
    yc_mempool_size(mp, &n, &bytes);
    assert_int_equal(n, 2);
    assert_int_equal(bytes, 30);
    struct trace t = {0};
    yc_mempool_each(mp, 10, trace_cb, &t); /* ready first, then future */
    assert_int_equal(t.n, 2);
    assert_int_equal(t.nonce[0], 0);
    assert_int_equal(t.nonce[1], 2);
    add_ok(mp, mk('A', 1, 5), 0, 3); /* fills the gap */
    yc_mempool_ready_size(mp, &n, &bytes);
    assert_int_equal(n, 3);
    assert_int_equal(bytes, 35);
    struct trace lim = {0};
    yc_mempool_each(mp, 2, trace_cb, &lim);
    assert_int_equal(lim.n, 2);
    yc_mempool_destroy(mp);
}

static void test_dedup_and_nonce_conflicts(void **state)
{
    (void)state;
    yc_mempool *mp = mk_pool(100, 1 << 20, 3, 16);
    struct yc_tx a = mk('A', 0, 10);
    struct yc_tx dup = a;
    dup.bytes = yc_malloc(10);
    add_ok(mp, a, 0, 1);
    assert_int_equal(yc_mempool_add(mp, &dup, 0, 2), YC_EDUPTX);
    assert_non_null(dup.bytes); /* untouched on error */
    yc_tx_cleanup(&dup);
    struct yc_tx same_nonce = mk('A', 0, 10);
    assert_int_equal(yc_mempool_add(mp, &same_nonce, 0, 3), YC_EBADNONCE);
    yc_tx_cleanup(&same_nonce);
    struct yc_tx stale = mk('B', 4, 10);
    assert_int_equal(yc_mempool_add(mp, &stale, 5, 3), YC_EBADNONCE); /* below base */
    yc_tx_cleanup(&stale);
    struct yc_tx far = mk('B', 9, 10);
    assert_int_equal(yc_mempool_add(mp, &far, 5, 3), YC_EBADNONCE); /* gap 4 > 3 */
    yc_tx_cleanup(&far);
    add_ok(mp, mk('B', 8, 10), 5, 4); /* gap 3: allowed, waits */
    size_t n, bytes;
    yc_mempool_ready_size(mp, &n, &bytes);
    assert_int_equal(n, 1);
    yc_mempool_destroy(mp);
}

static void test_limits(void **state)
{
    (void)state;
    yc_mempool *mp = mk_pool(3, 100, 10, 16);
    add_ok(mp, mk('A', 0, 40), 0, 1);
    add_ok(mp, mk('B', 0, 40), 0, 1);
    struct yc_tx big = mk('C', 0, 30);
    assert_int_equal(yc_mempool_add(mp, &big, 0, 1), YC_EMEMPOOLFULL); /* 110 > 100 bytes */
    yc_tx_cleanup(&big);
    add_ok(mp, mk('C', 0, 20), 0, 1);
    struct yc_tx more = mk('D', 0, 1);
    assert_int_equal(yc_mempool_add(mp, &more, 0, 1), YC_EMEMPOOLFULL); /* 4 > 3 txs */
    yc_tx_cleanup(&more);
    size_t n, bytes;
    yc_mempool_size(mp, &n, &bytes);
    assert_int_equal(n, 3);
    assert_int_equal(bytes, 100);
    yc_mempool_destroy(mp);
}

static int drops;

static void drop_cb(void *ctx, const struct yc_tx *tx)
{
    (void)ctx;
    assert_true(tx->nonce < 2);
    drops++;
}

static void test_remove_and_base_after_block(void **state)
{
    (void)state;
    yc_mempool *mp = mk_pool(100, 1 << 20, 10, 16);
    struct yc_tx a0 = mk('A', 0, 10);
    uint8_t id0[YC_HASH_LEN];
    memcpy(id0, a0.id, sizeof id0);
    add_ok(mp, a0, 0, 1);
    add_ok(mp, mk('A', 1, 10), 0, 2);
    add_ok(mp, mk('A', 2, 10), 0, 3);
    add_ok(mp, mk('A', 4, 10), 0, 4);
    assert_non_null(yc_mempool_get(mp, id0));
    /* a block committed A0 (this node's) and another A1 (not ours): */
    assert_true(yc_mempool_remove(mp, id0));
    assert_false(yc_mempool_remove(mp, id0));
    assert_null(yc_mempool_get(mp, id0));
    size_t n, bytes;
    yc_mempool_ready_size(mp, &n, &bytes);
    assert_int_equal(n, 0); /* base 0 is gone: nothing runs from it */
    drops = 0;
    yc_mempool_set_base(mp, (const uint8_t *)"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 2, drop_cb, NULL);
    assert_int_equal(drops, 1); /* our A1 is stale */
    yc_mempool_ready_size(mp, &n, &bytes);
    assert_int_equal(n, 1); /* A2 ready, A4 waits for A3 */
    struct yc_mempool_sender_info si;
    assert_true(yc_mempool_sender(mp, (const uint8_t *)"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", &si));
    assert_int_equal(si.base, 2);
    /* a lower base is ignored */
    yc_mempool_set_base(mp, (const uint8_t *)"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 1, drop_cb, NULL);
    assert_int_equal(drops, 1);
    yc_mempool_size(mp, &n, &bytes);
    assert_int_equal(n, 2);
    yc_mempool_destroy(mp);
}

/* A tx whose bytes are `len` copies of `fill`. */
static struct yc_tx mk_filled(uint8_t s, uint64_t nonce, size_t len, uint8_t fill)
{
    struct yc_tx tx = mk(s, nonce, len);
    memset(tx.bytes, fill, len);
    return tx;
}

static void test_find_by_bytes(void **state)
{
    (void)state;
    yc_mempool *mp = mk_pool(100, 1 << 20, 10, 16);
    uint8_t want[40];
    add_ok(mp, mk_filled('A', 0, 40, 0x11), 0, 1);
    add_ok(mp, mk_filled('A', 1, 40, 0x22), 0, 2);
    add_ok(mp, mk_filled('B', 0, 30, 0x33), 0, 3);
    memset(want, 0x22, sizeof want); /* the same bytes in another buffer */
    const struct yc_tx *t = yc_mempool_find(mp, want, 40);
    assert_non_null(t);
    assert_int_equal(t->sender[0], 'A');
    assert_int_equal(t->nonce, 1);
    assert_null(yc_mempool_find(mp, want, 39)); /* a prefix is other bytes */
    want[39] = 0x23;
    assert_null(yc_mempool_find(mp, want, 40)); /* one byte differs */
    memset(want, 0x33, sizeof want);
    assert_non_null(yc_mempool_find(mp, want, 30));

    /* gone with the tx, whichever way it leaves */
    uint8_t id[YC_HASH_LEN];
    memcpy(id, t->id, sizeof id);
    assert_true(yc_mempool_remove(mp, id));
    memset(want, 0x22, sizeof want);
    assert_null(yc_mempool_find(mp, want, 40));
    drops = 0;
    yc_mempool_set_base(mp, (const uint8_t *)"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 1, drop_cb, NULL);
    assert_int_equal(drops, 1);
    memset(want, 0x11, sizeof want);
    assert_null(yc_mempool_find(mp, want, 40));
    assert_int_equal(yc_mempool_expire(mp, 10, NULL, NULL), 1);
    memset(want, 0x33, sizeof want);
    assert_null(yc_mempool_find(mp, want, 30));

    /* two held txs of the same bytes (other ids): either is found; removing one leaves
     * the other held, found or not, never a freed one */
    add_ok(mp, mk_filled('C', 0, 20, 0x44), 0, 11);
    add_ok(mp, mk_filled('D', 0, 20, 0x44), 0, 12);
    memset(want, 0x44, sizeof want);
    t = yc_mempool_find(mp, want, 20);
    assert_non_null(t);
    memcpy(id, t->id, sizeof id);
    assert_true(yc_mempool_remove(mp, id));
    t = yc_mempool_find(mp, want, 20);
    if (t != NULL)
        assert_memory_equal(t->bytes, want, 20);
    yc_mempool_destroy(mp);
}

/* The *_k calls with keys hashed once by the caller answer as the plain ones: the held tx
 * handed back is the one get finds, found by its bytes under the bytes key passed in; a
 * duplicate id or a taken nonce is refused with the same codes; the sender's record and
 * its txs by nonce are the same; removal leaves nothing behind. */
static void test_keys_carried(void **state)
{
    (void)state;
    yc_mempool *mp = mk_pool(16, 1 << 20, 8, 4);
    struct yc_tx a = mk(1, 5, 40);
    memset(a.bytes, 0xa5, a.len);
    uint8_t id[YC_HASH_LEN];
    memcpy(id, a.id, sizeof id);
    struct yc_mempool_keys k = {.id_hash = yc_mempool_id_hash(mp, a.id),
                                .sender_hash = yc_mempool_sender_hash(mp, a.sender)};
    yc_mempool_bytes_key(mp, a.bytes, a.len, k.bkey);
    uint8_t bytes[40];
    memset(bytes, 0xa5, sizeof bytes);
    assert_null(yc_mempool_get_k(mp, id, &k));
    const struct yc_tx *held = NULL;
    assert_int_equal(yc_mempool_add_k(mp, &a, &k, 5, 1, &held), YC_OK);
    assert_null(a.bytes); /* moved in */
    assert_non_null(held);
    assert_ptr_equal(held, yc_mempool_get(mp, id));
    assert_ptr_equal(held, yc_mempool_get_k(mp, id, &k));
    assert_ptr_equal(held, yc_mempool_find(mp, bytes, sizeof bytes));
    assert_ptr_equal(held, yc_mempool_sender_tx_k(mp, held->sender, &k, 5));
    assert_null(yc_mempool_sender_tx_k(mp, held->sender, &k, 6));

    struct yc_tx again = mk(1, 6, 10);
    memcpy(again.id, id, sizeof again.id);
    struct yc_mempool_keys k2 = {.id_hash = yc_mempool_id_hash(mp, again.id),
                                 .sender_hash = yc_mempool_sender_hash(mp, again.sender)};
    yc_mempool_bytes_key(mp, again.bytes, again.len, k2.bkey);
    assert_int_equal(k2.id_hash, k.id_hash);
    assert_int_equal(k2.sender_hash, k.sender_hash);
    assert_int_equal(yc_mempool_add_k(mp, &again, &k2, 5, 2, &held), YC_EDUPTX);
    assert_null(held);
    assert_non_null(again.bytes); /* untouched */
    yc_tx_cleanup(&again);
    struct yc_tx taken = mk(1, 5, 10);
    struct yc_mempool_keys k3 = {.id_hash = yc_mempool_id_hash(mp, taken.id),
                                 .sender_hash = yc_mempool_sender_hash(mp, taken.sender)};
    yc_mempool_bytes_key(mp, taken.bytes, taken.len, k3.bkey);
    assert_int_equal(yc_mempool_add_k(mp, &taken, &k3, 5, 2, NULL), YC_EBADNONCE);
    yc_tx_cleanup(&taken);

    struct yc_mempool_sender_info si, si_k;
    uint8_t pub[YC_PUBKEY_LEN];
    memset(pub, 1, sizeof pub);
    assert_true(yc_mempool_sender(mp, pub, &si));
    assert_true(yc_mempool_sender_k(mp, pub, &k, &si_k));
    assert_memory_equal(&si, &si_k, sizeof si);
    assert_int_equal(si_k.base, 5);
    assert_int_equal(si_k.count, 1);
    assert_int_equal(si_k.nready, 1);

    assert_true(yc_mempool_remove(mp, id));
    assert_null(yc_mempool_get_k(mp, id, &k));
    assert_null(yc_mempool_find(mp, bytes, sizeof bytes));
    assert_false(yc_mempool_sender_k(mp, pub, &k, &si_k));
    assert_null(yc_mempool_sender_tx_k(mp, pub, &k, 5));
    yc_mempool_destroy(mp);
}

static void test_rejection_ring(void **state)
{
    (void)state;
    yc_mempool *mp = mk_pool(10, 1000, 10, 2);
    uint8_t a[YC_HASH_LEN] = {1}, b[YC_HASH_LEN] = {2}, c[YC_HASH_LEN] = {3};
    int code = 0;
    yc_mempool_note_rejected(mp, a, YC_EBADNONCE);
    yc_mempool_note_rejected(mp, b, YC_EBALANCE);
    assert_true(yc_mempool_rejected(mp, a, &code));
    assert_int_equal(code, YC_EBADNONCE);
    yc_mempool_note_rejected(mp, c, YC_ENOTAUTH); /* evicts a, the oldest */
    assert_false(yc_mempool_rejected(mp, a, &code));
    assert_true(yc_mempool_rejected(mp, b, &code));
    assert_int_equal(code, YC_EBALANCE);
    assert_true(yc_mempool_rejected(mp, c, &code));
    assert_int_equal(code, YC_ENOTAUTH);
    yc_mempool_destroy(mp);
}

static void test_many_senders(void **state)
{
    (void)state;
    yc_mempool *mp = mk_pool(10000, 1 << 24, 100, 16);
    for (int s = 0; s < 200; s++)
        for (int k = 9; k >= 0; k--)
            add_ok(mp, mk((uint8_t)s, (uint64_t)k, 100), 0, (uint64_t)(s * 10 + (9 - k)));
    size_t n, bytes;
    yc_mempool_ready_size(mp, &n, &bytes);
    assert_int_equal(n, 2000);
    assert_int_equal(bytes, 200000);
    struct trace t = {.stop_after = 30};
    yc_mempool_each_ready(mp, trace_cb, &t);
    for (size_t i = 0; i < 30; i++) { /* sender 0's run, then 1's, then 2's */
        assert_int_equal(t.s[i], i / 10);
        assert_int_equal(t.nonce[i], i % 10);
    }
    yc_mempool_destroy(mp);
}

static void test_per_sender_cap(void **state)
{
    (void)state;
    yc_mempool *mp = mk_pool_per_sender(100, 1 << 20, 10, 16, 3);
    add_ok(mp, mk('A', 0, 10), 0, 1);
    add_ok(mp, mk('A', 1, 10), 0, 2);
    add_ok(mp, mk('A', 5, 10), 0, 3); /* a waiting one counts too */
    struct yc_tx more = mk('A', 2, 10);
    assert_int_equal(yc_mempool_add(mp, &more, 0, 4), YC_ELIMIT);
    assert_non_null(more.bytes);
    yc_tx_cleanup(&more);
    add_ok(mp, mk('B', 0, 10), 0, 5); /* another sender is not held back */
    struct yc_mempool_sender_info si;
    assert_true(yc_mempool_sender(mp, (const uint8_t *)"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", &si));
    assert_int_equal(si.count, 3);
    assert_int_equal(si.nready, 2);
    assert_int_equal(si.base, 0);
    assert_non_null(
        yc_mempool_sender_tx(mp, (const uint8_t *)"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 5));
    assert_null(yc_mempool_sender_tx(mp, (const uint8_t *)"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 2));
    assert_false(yc_mempool_sender(mp, (const uint8_t *)"CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC", &si));
    assert_int_equal(si.count, 0);
    yc_mempool_destroy(mp);
}

static void test_gap_bound(void **state)
{
    (void)state;
    yc_mempool *mp = mk_pool(100, 1 << 20, 2, 16);
    add_ok(mp, mk('A', 2, 10), 0, 1); /* 2 ahead: held, waiting */
    struct yc_tx far = mk('A', 3, 10);
    assert_int_equal(yc_mempool_add(mp, &far, 0, 2), YC_EBADNONCE); /* 3 ahead */
    yc_tx_cleanup(&far);
    size_t n, bytes;
    yc_mempool_ready_size(mp, &n, &bytes);
    assert_int_equal(n, 0);
    yc_mempool_destroy(mp);
}

static int expired_seen;

static void expired_cb(void *ctx, const struct yc_tx *tx)
{
    (void)ctx;
    assert_non_null(tx);
    expired_seen++;
}

static void test_expiry(void **state)
{
    (void)state;
    yc_mempool *mp = mk_pool(100, 1 << 20, 10, 2);
    struct yc_tx a0 = mk('A', 0, 10), a2 = mk('A', 2, 10), b0 = mk('B', 0, 10);
    uint8_t ida0[YC_HASH_LEN], ida2[YC_HASH_LEN], idb0[YC_HASH_LEN];
    memcpy(ida0, a0.id, YC_HASH_LEN);
    memcpy(ida2, a2.id, YC_HASH_LEN);
    memcpy(idb0, b0.id, YC_HASH_LEN);
    add_ok(mp, a0, 0, 100);
    add_ok(mp, a2, 0, 200); /* waits for a gap never filled */
    add_ok(mp, b0, 0, 300);
    uint64_t oldest;
    assert_true(yc_mempool_oldest(mp, &oldest));
    assert_int_equal(oldest, 100);
    expired_seen = 0;
    assert_int_equal(yc_mempool_expire(mp, 100, expired_cb, NULL), 0); /* none before 100 */
    assert_int_equal(yc_mempool_expire(mp, 250, expired_cb, NULL), 2);
    assert_int_equal(expired_seen, 2);
    assert_null(yc_mempool_get(mp, ida0));
    assert_null(yc_mempool_get(mp, ida2));
    assert_non_null(yc_mempool_get(mp, idb0));
    assert_true(yc_mempool_expired(mp, ida0));
    assert_true(yc_mempool_expired(mp, ida2));
    assert_false(yc_mempool_expired(mp, idb0));
    int code;
    assert_false(yc_mempool_rejected(mp, ida0, &code)); /* expired is not refused */
    size_t n, bytes;
    yc_mempool_size(mp, &n, &bytes);
    assert_int_equal(n, 1);
    yc_mempool_ready_size(mp, &n, &bytes);
    assert_int_equal(n, 1);
    assert_true(yc_mempool_oldest(mp, &oldest));
    assert_int_equal(oldest, 300);
    /* A is gone: its sender entry too */
    struct yc_mempool_sender_info si;
    assert_false(yc_mempool_sender(mp, (const uint8_t *)"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", &si));
    /* the expiry ring is bounded (2 here): the oldest is forgotten */
    assert_int_equal(yc_mempool_expire(mp, 1000, NULL, NULL), 1);
    assert_false(yc_mempool_expired(mp, ida0));
    assert_true(yc_mempool_expired(mp, ida2));
    assert_true(yc_mempool_expired(mp, idb0));
    assert_false(yc_mempool_oldest(mp, &oldest));
    /* an expired id may be admitted again (a deliberate resubmission) */
    struct yc_tx again = mk('B', 0, 10);
    memcpy(again.id, idb0, YC_HASH_LEN);
    add_ok(mp, again, 0, 2000);
    assert_non_null(yc_mempool_get(mp, idb0));
    yc_mempool_destroy(mp);
}

static void test_refusal_words(void **state)
{
    (void)state;
    yc_mempool *mp = mk_pool(10, 1000, 10, 2);
    uint8_t a[YC_HASH_LEN] = {1}, b[YC_HASH_LEN] = {2}, c[YC_HASH_LEN] = {3};
    int code = 0;
    const char *why = "x";
    yc_mempool_note_rejected_why(mp, a, YC_EBADFIELD,
                                 "operations: 'compute' is not one of "
                                 "collect, hold, host, use");
    yc_mempool_note_rejected_why(mp, b, YC_EBALANCE, NULL);
    assert_true(yc_mempool_rejected_why(mp, a, &code, &why));
    assert_int_equal(code, YC_EBADFIELD);
    assert_string_equal(why, "operations: 'compute' is not one of collect, hold, host, use");
    assert_true(yc_mempool_rejected_why(mp, b, &code, &why));
    assert_null(why);
    /* a later note replaces code and words */
    yc_mempool_note_rejected_why(mp, b, YC_EBADNONCE, "nonce: 4 is used");
    assert_true(yc_mempool_rejected_why(mp, b, &code, &why));
    assert_int_equal(code, YC_EBADNONCE);
    assert_string_equal(why, "nonce: 4 is used");
    yc_mempool_note_rejected_why(mp, c, YC_ENOTAUTH, "role: x"); /* evicts a */
    assert_false(yc_mempool_rejected_why(mp, a, &code, &why));
    assert_null(why);
    /* long words are cut, never overflow */
    char longw[1000];
    memset(longw, 'w', sizeof longw - 1);
    longw[sizeof longw - 1] = '\0';
    yc_mempool_note_rejected_why(mp, a, YC_EBADFIELD, longw);
    assert_true(yc_mempool_rejected_why(mp, a, &code, &why));
    assert_int_equal(strlen(why), 255);
    yc_mempool_destroy(mp);
}

/* Runs `fn` with stderr sent to a temporary file; returns how many lines of it contain
 * `needle`. */
static int count_stderr_lines(void (*fn)(void *), void *ctx, const char *needle)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/yc_test_mempool_%ld.log", (long)getpid());
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    assert_true(saved >= 0);
    FILE *f = fopen(path, "w+");
    assert_non_null(f);
    assert_true(dup2(fileno(f), STDERR_FILENO) >= 0);
    fn(ctx);
    fflush(stderr);
    assert_true(dup2(saved, STDERR_FILENO) >= 0);
    close(saved);
    rewind(f);
    char line[4096];
    int n = 0;
    while (fgets(line, sizeof line, f) != NULL)
        n += strstr(line, needle) != NULL;
    fclose(f);
    unlink(path);
    return n;
}

/* 25 s of refusals, one every 10 ms, with the tick every 50 ms: a full mempool and a
 * sender at its cap. */
static void flood(void *ctx)
{
    yc_mempool *mp = ctx;
    for (uint64_t t = 1000; t < 26000; t += 10) {
        struct yc_tx a = mk('Z', 0, 10); /* a new sender: the mempool is full */
        assert_int_equal(yc_mempool_add(mp, &a, 0, t), YC_EMEMPOOLFULL);
        yc_tx_cleanup(&a);
        struct yc_tx b = mk('A', 7, 10); /* A holds its cap */
        assert_int_equal(yc_mempool_add(mp, &b, 0, t), YC_ELIMIT);
        yc_tx_cleanup(&b);
        if (t % 50 == 0)
            yc_mempool_log_pressure(mp, t);
    }
    yc_mempool_log_pressure(mp, 40000); /* the tail of the flood */
    yc_mempool_log_pressure(mp, 80000); /* nothing new: no line */
}

static void test_pressure_counted_and_logged_rate_limited(void **state)
{
    (void)state;
    yc_mempool *mp = mk_pool_per_sender(3, 1 << 20, 10, 16, 2);
    add_ok(mp, mk('A', 0, 10), 0, 1);
    add_ok(mp, mk('A', 1, 10), 0, 1);
    add_ok(mp, mk('B', 0, 10), 0, 1);
    struct yc_mempool_pressure pr;
    yc_mempool_pressure(mp, &pr);
    assert_int_equal(pr.full_total, 0);
    assert_int_equal(pr.sender_full_total, 0);
    int full = count_stderr_lines(flood, mp, "mempool full: ");
    yc_mempool_pressure(mp, &pr);
    assert_int_equal(pr.full_total, 2500);
    assert_int_equal(pr.sender_full_total, 2500);
    /* 5000 refusals in 25 s: a line at 1 s, 11 s, 21 s, and the tail at 40 s */
    assert_int_equal(full, 4);
    yc_mempool_destroy(mp);

    mp = mk_pool_per_sender(3, 1 << 20, 10, 16, 2);
    add_ok(mp, mk('A', 0, 10), 0, 1);
    add_ok(mp, mk('A', 1, 10), 0, 1);
    add_ok(mp, mk('B', 0, 10), 0, 1);
    /* the two kinds share one window: the 1 s line was the full one's */
    assert_int_equal(count_stderr_lines(flood, mp, "sender cap: "), 3);
    yc_mempool_destroy(mp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_order_within_and_across_senders),
        cmocka_unit_test(test_gap_waits),
        cmocka_unit_test(test_dedup_and_nonce_conflicts),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_remove_and_base_after_block),
        cmocka_unit_test(test_rejection_ring),
        cmocka_unit_test(test_many_senders),
        cmocka_unit_test(test_per_sender_cap),
        cmocka_unit_test(test_gap_bound),
        cmocka_unit_test(test_expiry),
        cmocka_unit_test(test_find_by_bytes),
        cmocka_unit_test(test_keys_carried),
        cmocka_unit_test(test_refusal_words),
        cmocka_unit_test(test_pressure_counted_and_logged_rate_limited),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
