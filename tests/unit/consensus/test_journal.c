/*
 * test_journal.c — the vote journal (DESIGN.md §7, TESTING.md B4): every vote is a
 * record handed out before the message carrying it; a node restarted from its journal
 * never signs another digest for a (height, view, phase) it voted, never votes again
 * in a view it left, and still carries its prepared certificate into a view change.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "helper_pbft.h"
#include "pbft_int.h"
#include "yc/alloc.h"

/* Every vote in a ready's messages has a record with the same signed vote in the
 * same ready or an earlier one. */
static void test_records_before_messages(void **state)
{
    struct cluster *c = yc_calloc(1, sizeof *c);
    struct pbft_wmsg *w = yc_malloc(sizeof *w), *x = yc_malloc(sizeof *x);
    (void)state;
    cl_init(c, 4);
    cl_run(c);
    for (uint32_t i = 0; i < 4; i++) {
        assert_true(c->committed[i]);
        /* node i's journal holds its PRE-PREPARE or PREPARE, its prepared
         * certificate, then its COMMIT, in that order */
        int seen_vote = 0, seen_pc = 0, seen_commit = 0;
        for (size_t k = 0; k < c->njournal[i]; k++) {
            assert_int_equal(pbft__decode(w, c->journal[i][k], c->journal_len[i][k], 4), YC_OK);
            if (w->type == PBFT_T_PREPARE || w->type == PBFT_T_PREPREPARE) {
                seen_vote = (int)k + 1;
            } else if (w->type == PBFT_T_PREPARED) {
                seen_pc = (int)k + 1;
            } else if (w->type == PBFT_T_COMMIT) {
                seen_commit = (int)k + 1;
            }
        }
        assert_true(seen_vote > 0 && seen_pc > seen_vote && seen_commit > seen_pc);
    }
    yc_free(w);
    yc_free(x);
    cl_cleanup(c);
    yc_free(c);
}

static bool sent_prepare_for(struct cluster *c, uint32_t from, const uint8_t d[YC_HASH_LEN])
{
    struct pbft_wmsg *w = yc_malloc(sizeof *w);
    bool found = false;
    for (size_t k = 0; k < c->nq; k++) {
        if (c->q[k].from == from && pbft__decode(w, c->q[k].bytes, c->q[k].len, c->n) == YC_OK &&
            w->type == PBFT_T_PREPARE && memcmp(w->digest, d, YC_HASH_LEN) == 0) {
            found = true;
        }
    }
    yc_free(w);
    return found;
}

static void test_restart_never_contradicts(void **state)
{
    struct cluster *c = yc_calloc(1, sizeof *c);
    uint8_t d1[YC_HASH_LEN], d2[YC_HASH_LEN];
    size_t l1, l2, m1len, m2len;
    uint8_t *b1, *b2, *m1, *m2;
    (void)state;
    cl_init(c, 4);
    c->autopropose = false;
    cl_pump(c);
    cl_drop_all(c);
    /* the primary (1) equivocates; node 2 gets block 1 first and prepares it */
    b1 = fx_block(&c->fx, 1, 0, 1, c->prev, 11, &l1, d1);
    b2 = fx_block(&c->fx, 1, 0, 1, c->prev, 22, &l2, d2);
    m1 = fx_vote_msg(&c->fx, PBFT_T_PREPREPARE, 1, 1, 0, d1, b1, l1, &m1len);
    m2 = fx_vote_msg(&c->fx, PBFT_T_PREPREPARE, 1, 1, 0, d2, b2, l2, &m2len);
    assert_int_equal(pbft_step(c->nodes[2], 1, m1, m1len, c->now), YC_OK);
    cl_pump(c);
    assert_true(sent_prepare_for(c, 2, d1));
    cl_drop_all(c);
    /* crash: memory lost, journal kept; now block 2 arrives first */
    for (int round = 0; round < 2; round++) {
        cl_restart(c, 2);
        cl_pump(c);
        cl_drop_all(c); /* the re-sent PREPARE for d1 */
        assert_int_equal(pbft_step(c->nodes[2], 1, m2, m2len, c->now), YC_OK);
        cl_pump(c);
        assert_false(sent_prepare_for(c, 2, d2));
        cl_drop_all(c);
    }
    yc_free(b1);
    yc_free(b2);
    yc_free(m1);
    yc_free(m2);
    cl_cleanup(c);
    yc_free(c);
}

static void test_restart_keeps_view_and_lock(void **state)
{
    struct cluster *c = yc_calloc(1, sizeof *c);
    struct pbft_wmsg *w = yc_malloc(sizeof *w);
    struct pbft_ready rd;
    uint8_t d[YC_HASH_LEN];
    bool vc_with_cert = false;
    (void)state;
    cl_init(c, 4);
    /* everyone prepares, every COMMIT is lost */
    cl_pump(c);
    while (c->nq > 0) {
        struct cl_msg m = c->q[0];
        memmove(c->q, c->q + 1, (c->nq - 1) * sizeof *c->q);
        c->nq--;
        if (fx_msg_type(m.bytes, m.len, 4, NULL) != PBFT_T_COMMIT) {
            int rc = pbft_step(c->nodes[m.to], m.from, m.bytes, m.len, c->now);
            (void)rc;
        }
        if (fx_msg_type(m.bytes, m.len, 4, NULL) == PBFT_T_PREPREPARE) {
            assert_int_equal(pbft__decode(w, m.bytes, m.len, 4), YC_OK);
            memcpy(d, w->digest, YC_HASH_LEN);
        }
        yc_free(m.bytes);
        cl_pump(c);
    }
    /* node 3 changes to view 1, then crashes and restarts */
    c->now += 1000;
    pbft_tick(c->nodes[3], c->now);
    cl_pump(c);
    cl_drop_all(c);
    cl_restart(c, 3);
    pbft_ready(c->nodes[3], &rd);
    assert_int_equal(rd.view, 1);
    assert_int_equal(rd.nrecords, 0);
    /* it sends its VIEW-CHANGE again, certificate included */
    for (size_t k = 0; k < rd.nmsgs; k++) {
        assert_int_equal(pbft__decode(w, rd.msgs[k].bytes, rd.msgs[k].len, 4), YC_OK);
        if (w->type == PBFT_T_VIEWCHANGE && w->has_pc &&
            memcmp(w->pc.digest, d, YC_HASH_LEN) == 0) {
            vc_with_cert = true;
        }
    }
    pbft_advance(c->nodes[3]);
    assert_true(vc_with_cert);
    /* view 0 is over for it: a PREPARE of view 0 gets no vote from it */
    {
        size_t len;
        uint8_t *m = fx_vote_msg(&c->fx, PBFT_T_COMMIT, 0, 1, 0, d, NULL, 0, &len);
        int rc = pbft_step(c->nodes[3], 0, m, len, c->now);
        (void)rc;
        cl_pump(c);
        for (size_t k = 0; k < c->nq; k++) {
            uint64_t view = 99;
            assert_int_equal(fx_msg_type(c->q[k].bytes, c->q[k].len, 4, &view) >= 0, 1);
            assert_int_not_equal(view, 0);
        }
        yc_free(m);
    }
    /* everyone else follows; the certified block is what view 1 commits */
    c->now += 1000;
    for (uint32_t i = 0; i < 3; i++) {
        pbft_tick(c->nodes[i], c->now);
    }
    cl_run(c);
    for (uint32_t i = 0; i < 4; i++) {
        assert_true(c->committed[i]);
        assert_memory_equal(c->commit[i].digest, d, YC_HASH_LEN);
    }
    yc_free(w);
    cl_cleanup(c);
    yc_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_records_before_messages),
        cmocka_unit_test(test_restart_never_contradicts),
        cmocka_unit_test(test_restart_keeps_view_and_lock),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
