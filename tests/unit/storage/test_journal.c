/*
 * test_journal.c — the consensus journal: records come back per height in append order
 * (also past 255 records, where a little-endian sequence would misorder), survive a
 * reopen and continue their sequence, and pruning drops exactly the lower heights (also a
 * record appended below the heights an earlier prune dropped). Several records appended
 * in one write come back in order among single ones, as a node's heights go (a vote, then
 * a certificate with its COMMIT, then the prune of the height: by known keys), across a
 * reopen that finds records of a height above the last one decided.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "yc/store.h"

#include "helper_chain.h"

struct fix {
    char dir[4096];
    struct tchain c;
    store *s;
};

static int setup(void **state)
{
    static struct fix f;
    memset(&f, 0, sizeof f);
    tdir_make(f.dir, sizeof f.dir);
    tchain_init(&f.c, 1);
    char err[512];
    assert_int_equal(store_open(&f.s, f.dir, true, &f.c.g, err, sizeof err), YC_OK);
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    struct fix *f = *state;
    store_close(f->s);
    tchain_cleanup(&f->c);
    tdir_remove(f->dir);
    return 0;
}

static void rec_of(uint8_t *buf, size_t *len, uint64_t height, uint32_t i)
{
    *len = (size_t)snprintf((char *)buf, 64, "vote h=%llu i=%u", (unsigned long long)height, i);
}

static void check_height(store *s, uint64_t height, uint32_t n)
{
    struct pbft_record_list l;
    assert_int_equal(store_journal_load(s, height, &l), YC_OK);
    assert_int_equal(l.n, n);
    for (uint32_t i = 0; i < n; i++) {
        uint8_t want[64];
        size_t wl;
        rec_of(want, &wl, height, i);
        assert_int_equal(l.lens[i], wl);
        assert_memory_equal(l.recs[i], want, wl);
    }
    store_journal_free(&l);
    assert_int_equal(l.n, 0);
}

static void test_append_load_order(void **state)
{
    struct fix *f = *state;
    uint8_t rec[64];
    size_t len;
    check_height(f->s, 5, 0);
    /* interleave heights, as a node deciding 5 may receive a record for 6 */
    for (uint32_t i = 0; i < 300; i++) {
        rec_of(rec, &len, 5, i);
        assert_int_equal(store_journal_append(f->s, 5, rec, len), YC_OK);
        if (i % 100 == 0) {
            rec_of(rec, &len, 6, i / 100);
            assert_int_equal(store_journal_append(f->s, 6, rec, len), YC_OK);
        }
    }
    check_height(f->s, 5, 300);
    check_height(f->s, 6, 3);
    check_height(f->s, 4, 0);
    assert_int_equal(store_journal_append(f->s, 5, rec, 0), YC_EINVAL);
    assert_int_equal(store_journal_append(f->s, 5, NULL, 3), YC_EINVAL);
}

static void test_reopen_continues(void **state)
{
    struct fix *f = *state;
    uint8_t rec[64];
    size_t len;
    for (uint32_t i = 0; i < 3; i++) {
        rec_of(rec, &len, 9, i);
        assert_int_equal(store_journal_append(f->s, 9, rec, len), YC_OK);
    }
    store_close(f->s);
    char err[512];
    assert_int_equal(store_open(&f->s, f->dir, false, &f->c.g, err, sizeof err), YC_OK);
    check_height(f->s, 9, 3);
    for (uint32_t i = 3; i < 5; i++) {
        rec_of(rec, &len, 9, i);
        assert_int_equal(store_journal_append(f->s, 9, rec, len), YC_OK);
    }
    check_height(f->s, 9, 5);
    /* a record for a height below the last one written still gets its own sequence */
    rec_of(rec, &len, 8, 0);
    assert_int_equal(store_journal_append(f->s, 8, rec, len), YC_OK);
    check_height(f->s, 8, 1);
    check_height(f->s, 9, 5);
}

static void test_prune(void **state)
{
    struct fix *f = *state;
    uint8_t rec[64];
    size_t len;
    for (uint64_t h = 1; h <= 20; h++) {
        for (uint32_t i = 0; i < 2; i++) {
            rec_of(rec, &len, h, i);
            assert_int_equal(store_journal_append(f->s, h, rec, len), YC_OK);
        }
    }
    /* a state key must survive pruning: the prefixes do not overlap */
    struct store_tip tip;
    assert_int_equal(store_tip(f->s, &tip), YC_OK);
    assert_int_equal(store_journal_prune(f->s, 15), YC_OK);
    for (uint64_t h = 1; h < 15; h++)
        check_height(f->s, h, 0);
    for (uint64_t h = 15; h <= 20; h++)
        check_height(f->s, h, 2);
    assert_int_equal(store_journal_prune(f->s, 15), YC_OK); /* idempotent */
    /* a prune starts at the lowest height that may hold a record: one appended below the
     * heights already pruned is still found by the next prune */
    rec_of(rec, &len, 3, 0);
    assert_int_equal(store_journal_append(f->s, 3, rec, len), YC_OK);
    check_height(f->s, 3, 1);
    assert_int_equal(store_journal_prune(f->s, 16), YC_OK);
    check_height(f->s, 3, 0);
    check_height(f->s, 15, 0);
    check_height(f->s, 16, 2);
    assert_int_equal(store_journal_prune(f->s, UINT64_MAX), YC_OK);
    check_height(f->s, 20, 0);
    /* appending after a prune restarts cleanly */
    rec_of(rec, &len, 20, 0);
    assert_int_equal(store_journal_append(f->s, 20, rec, len), YC_OK);
    check_height(f->s, 20, 1);
    struct store_tip after;
    assert_int_equal(store_tip(f->s, &after), YC_OK);
    assert_memory_equal(&tip, &after, sizeof tip);
}

/* Appends records i0 .. i0 + n - 1 of height h in one write. */
static int append_many(store *s, uint64_t h, uint32_t i0, uint32_t n)
{
    uint8_t buf[8][64];
    const uint8_t *recs[8];
    size_t lens[8];
    assert_true(n <= 8);
    for (uint32_t i = 0; i < n; i++) {
        rec_of(buf[i], &lens[i], h, i0 + i);
        recs[i] = buf[i];
    }
    return store_journal_append_many(s, h, recs, lens, n);
}

static void test_heights_as_a_node_goes(void **state)
{
    struct fix *f = *state;
    uint8_t rec[64];
    size_t len;
    for (uint64_t h = 1; h <= 30; h++) {
        rec_of(rec, &len, h, 0);
        assert_int_equal(store_journal_append(f->s, h, rec, len), YC_OK);
        assert_int_equal(append_many(f->s, h, 1, 2), YC_OK);
        check_height(f->s, h, 3);
        if (h % 10 == 0) { /* a record of the next height comes before this one is decided */
            rec_of(rec, &len, h + 1, 0);
            assert_int_equal(store_journal_append(f->s, h + 1, rec, len), YC_OK);
            check_height(f->s, h + 1, 1);
            /* the next appends of h + 1 continue after it */
            assert_int_equal(append_many(f->s, h + 1, 1, 2), YC_OK);
            check_height(f->s, h + 1, 3);
            assert_int_equal(store_journal_prune(f->s, h + 1), YC_OK);
            check_height(f->s, h, 0);
            check_height(f->s, h + 1, 3);
            h++;
        }
        assert_int_equal(store_journal_prune(f->s, h + 1), YC_OK);
        check_height(f->s, h, 0);
    }
    /* a node stopped after voting on 32 and 33 before deciding them */
    assert_int_equal(append_many(f->s, 32, 0, 2), YC_OK);
    assert_int_equal(append_many(f->s, 33, 0, 1), YC_OK);
    store_close(f->s);
    char err[512];
    assert_int_equal(store_open(&f->s, f->dir, false, &f->c.g, err, sizeof err), YC_OK);
    check_height(f->s, 31, 0);
    /* 33's records are found below the first new height's sequence */
    assert_int_equal(append_many(f->s, 33, 1, 2), YC_OK);
    check_height(f->s, 33, 3);
    rec_of(rec, &len, 32, 2);
    assert_int_equal(store_journal_append(f->s, 32, rec, len), YC_OK);
    check_height(f->s, 32, 3);
    assert_int_equal(store_journal_prune(f->s, 33), YC_OK);
    check_height(f->s, 32, 0);
    check_height(f->s, 33, 3);
    assert_int_equal(store_journal_prune(f->s, 34), YC_OK);
    check_height(f->s, 33, 0);
    assert_int_equal(append_many(f->s, 34, 0, 3), YC_OK);
    check_height(f->s, 34, 3);
    assert_int_equal(store_journal_prune(f->s, 35), YC_OK);
    check_height(f->s, 34, 0);
    /* refused whole: nothing of it written */
    const uint8_t *recs[2] = {rec, NULL};
    size_t lens[2] = {len, len};
    assert_int_equal(store_journal_append_many(f->s, 35, recs, lens, 2), YC_EINVAL);
    recs[1] = rec;
    lens[1] = 0;
    assert_int_equal(store_journal_append_many(f->s, 35, recs, lens, 2), YC_EINVAL);
    assert_int_equal(store_journal_append_many(f->s, 35, recs, lens, 0), YC_EINVAL);
    check_height(f->s, 35, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_append_load_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reopen_continues, setup, teardown),
        cmocka_unit_test_setup_teardown(test_prune, setup, teardown),
        cmocka_unit_test_setup_teardown(test_heights_as_a_node_goes, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
