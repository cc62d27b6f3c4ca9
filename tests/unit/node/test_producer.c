/*
 * test_producer.c — the producer's checks and execution on a node whose store runs on
 * the in-memory backend of the storage seam (yc/kv.h): the rule of a next block as the
 * node applies it (yc__check_next: to a proposal without certificate, to a commit and to
 * every block that block sync applies with YC_CHECK_CERT; sync before this rule checked
 * neither proposer nor time), the proposal check with its clock bound (yc__check_header),
 * executing a certified block to its state root (yc__execute_block), and the state cache
 * across a proposal executed and abandoned.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../storage/helper_chain.h"
#include "node_internal.h"
#include "producer.h"
#include "yc/kv.h"

struct fx {
    struct tchain c;
    yc_kv *mem;
    yc_node *n;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    assert_non_null(f);
    tchain_init(&f->c, 4);
    assert_int_equal(yc_kv_mem_new(&f->mem), YC_OK);
    f->n = calloc(1, sizeof *f->n);
    assert_non_null(f->n);
    f->n->genesis = f->c.g;
    char err[256];
    assert_int_equal(store_open_kv(&f->n->st, f->mem, 0, &f->c.g, err, sizeof err), YC_OK);
    tchain_commit_next(&f->c, f->n->st, 2);
    assert_int_equal(store_tip(f->n->st, &f->n->tip), YC_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    store_close(f->n->st);
    free(f->n);
    f->mem->ops->close(f->mem);
    tchain_cleanup(&f->c);
    free(f);
    return 0;
}

/* The next block, certified, built on the node's store (the chain does not move on). */
static void next_block(struct fx *f, struct tblock *tb)
{
    struct tchain keep = f->c;
    struct yc_state_src src = store_state_src(f->n->st);
    tchain_next(&f->c, &src, 2, tb);
    f->c = keep;
}

static void test_rule_as_sync_and_commit_apply_it(void **state)
{
    struct fx *f = *state;
    struct tblock tb;
    struct yc_block_verdict v;
    next_block(f, &tb);
    assert_int_equal(yc__check_next(f->n, &tb.b, YC_CHECK_CERT, &v), YC_OK);

    /* a wrong proposer: refused before its certificate is looked at */
    struct yc_block bad = tb.b;
    bad.hdr.proposer = (tb.b.hdr.proposer + 1) % f->c.nval;
    assert_int_equal(yc__check_next(f->n, &bad, YC_CHECK_CERT, &v), YC_EBADBLOCK);
    assert_int_equal(v.check, YC_NEXT_PROPOSER);
    assert_non_null(strstr(v.why, "proposer"));
    /* a time equal to the tip's, and before it */
    bad = tb.b;
    bad.hdr.time_ms = f->n->tip.time_ms;
    assert_int_equal(yc__check_next(f->n, &bad, YC_CHECK_CERT, &v), YC_EBADBLOCK);
    assert_int_equal(v.check, YC_NEXT_TIME);
    bad.hdr.time_ms = f->n->tip.time_ms - 1;
    assert_int_equal(yc__check_next(f->n, &bad, YC_CHECK_CERT, &v), YC_EBADBLOCK);
    assert_int_equal(v.check, YC_NEXT_TIME);
    /* not on the tip */
    bad = tb.b;
    bad.hdr.prev_hash[0] ^= 1;
    assert_int_equal(yc__check_next(f->n, &bad, YC_CHECK_CERT, &v), YC_EBADBLOCK);
    assert_int_equal(v.check, YC_NEXT_LINK);
    /* a certificate one signature short of the quorum of the set in force */
    bad = tb.b;
    bad.cert.nsigs = 2;
    assert_int_equal(yc__check_next(f->n, &bad, YC_CHECK_CERT, &v), YC_EBADCERT);
    assert_int_equal(v.check, YC_NEXT_CERT_QUORUM);
    /* a proposal carries none */
    bad.cert.nsigs = 0;
    assert_int_equal(yc__check_next(f->n, &bad, YC_CHECK_CERT, &v), YC_EBADCERT);
    assert_int_equal(v.check, YC_NEXT_CERT_MISSING);
    assert_int_equal(yc__check_next(f->n, &bad, 0, &v), YC_OK);
    tblock_cleanup(&tb);
}

static void test_proposal_check_and_clock(void **state)
{
    struct fx *f = *state;
    struct tblock tb;
    char why[160];
    next_block(f, &tb);
    uint64_t h = tb.b.hdr.height, t = tb.b.hdr.time_ms;
    uint64_t drift = f->n->genesis.params.max_time_drift_ms;
    assert_int_equal(yc__check_header(f->n, &tb.b, h, 0, t, why, sizeof why), YC_OK);
    /* old by our clock is fine (a re-proposed prepared block); too far ahead is not */
    assert_int_equal(yc__check_header(f->n, &tb.b, h, 0, t + 3600000, why, sizeof why), YC_OK);
    assert_int_equal(yc__check_header(f->n, &tb.b, h, 0, t - drift, why, sizeof why), YC_OK);
    assert_int_equal(yc__check_header(f->n, &tb.b, h, 0, t - drift - 1, why, sizeof why),
                     YC_EBADBLOCK);
    assert_non_null(strstr(why, "ahead"));
    /* another height, or a header view above the one being decided */
    assert_int_equal(yc__check_header(f->n, &tb.b, h + 1, 0, t, why, sizeof why), YC_EBADBLOCK);
    struct yc_block later = tb.b;
    later.hdr.view = 1;
    later.hdr.proposer = yc_block_primary(f->c.nval, h, 1);
    later.cert.nsigs = 0; /* a proposal */
    assert_int_equal(yc__check_header(f->n, &later, h, 0, t, why, sizeof why), YC_EBADBLOCK);
    assert_int_equal(yc__check_header(f->n, &later, h, 1, t, why, sizeof why), YC_OK);
    tblock_cleanup(&tb);
}

static void test_execute_to_the_state_root(void **state)
{
    struct fx *f = *state;
    struct tblock tb;
    next_block(f, &tb);
    uint8_t hash[YC_HASH_LEN];
    memcpy(hash, tb.b.hash, YC_HASH_LEN);
    struct yc_exec_block *e = NULL;
    uint32_t bad = 0;
    assert_int_equal(yc__execute_block(f->n, &tb.b, 0, &e, &bad), YC_OK);
    assert_null(tb.b.bytes); /* taken */
    assert_memory_equal(e->digest, hash, YC_HASH_LEN);
    assert_int_equal(e->height, f->n->tip.height + 1);
    const struct yc_write *w = NULL;
    size_t nw = 0;
    assert_int_equal(yc_overlay_writes(e->ov, &w, &nw), YC_OK);
    assert_true(nw > 0);
    yc__exec_block_free(e);
    tblock_cleanup(&tb);

    /* a block whose header claims another state root diverges */
    next_block(f, &tb);
    tb.b.hdr.state_root[0] ^= 1;
    assert_int_equal(yc__execute_block(f->n, &tb.b, 0, &e, &bad), YC_EDIVERGED);
    assert_null(e);
    tblock_cleanup(&tb);
}

/* With the state cache on, as the node runs: a proposal executed and abandoned (a view
 * change) leaves nothing behind, and the blocks committed after it execute to the state
 * roots that a reader of the backend alone computes (a second store handle without a
 * cache builds them), the second one reading what the first committed from memory. */
static void test_cache_across_abandoned_proposal(void **state)
{
    struct fx *f = *state;
    assert_int_equal(store_state_cache(f->n->st, 1u << 20), YC_OK);
    store *plain = NULL;
    char err[256];
    assert_int_equal(store_open_kv(&plain, f->mem, 0, &f->c.g, err, sizeof err), YC_OK);
    struct yc_state_src ref = store_state_src(plain);
    struct tchain keep = f->c;
    struct tblock tb;
    struct yc_exec_block *e = NULL;
    uint32_t bad = 0;
    tchain_next(&f->c, &ref, 4, &tb);
    f->c = keep;
    assert_int_equal(yc__execute_block(f->n, &tb.b, 0, &e, &bad), YC_OK);
    yc__exec_block_free(e); /* abandoned: another block is committed at this height */
    tblock_cleanup(&tb);

    for (int i = 0; i < 2; i++) {
        tchain_next(&f->c, &ref, 2, &tb);
        assert_int_equal(yc__execute_block(f->n, &tb.b, 1, &e, &bad), YC_OK);
        const struct yc_write *w = NULL;
        size_t nw = 0;
        assert_int_equal(yc_overlay_writes(e->ov, &w, &nw), YC_OK);
        assert_int_equal(store_commit_block(f->n->st, &e->block, w, nw), YC_OK);
        assert_int_equal(store_tip(f->n->st, &f->n->tip), YC_OK);
        yc__exec_block_free(e);
        tblock_cleanup(&tb);
    }
    struct store_cache_stats st;
    store_state_cache_stats(f->n->st, &st);
    assert_true(st.hits > 0);
    store_close(plain);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_rule_as_sync_and_commit_apply_it, setup, teardown),
        cmocka_unit_test_setup_teardown(test_proposal_check_and_clock, setup, teardown),
        cmocka_unit_test_setup_teardown(test_execute_to_the_state_root, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cache_across_abandoned_proposal, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
