/*
 * test_view_change.c — view change (DESIGN.md §7, docs/design/pbft.md §3): a
 * prepared block survives into the next view (VIEW-CHANGE carries the certificate,
 * NEW-VIEW re-proposes it); the f+1 rule; one validator with a huge view moves no
 * one; timeouts double per view; a NEW-VIEW is checked in full.
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

/* Runs height 1 until everyone is prepared, losing every COMMIT. */
static void prepare_all_lose_commits(struct cluster *c, uint8_t digest[YC_HASH_LEN])
{
    size_t guard = 0;
    cl_pump(c);
    while (c->nq > 0 && guard++ < 10000) {
        struct cl_msg m = c->q[0];
        memmove(c->q, c->q + 1, (c->nq - 1) * sizeof *c->q);
        c->nq--;
        if (fx_msg_type(m.bytes, m.len, c->n, NULL) == PBFT_T_PREPREPARE) {
            struct pbft_wmsg *w = yc_malloc(sizeof *w);
            assert_int_equal(pbft__decode(w, m.bytes, m.len, c->n), YC_OK);
            memcpy(digest, w->digest, YC_HASH_LEN);
            yc_free(w);
        }
        if (fx_msg_type(m.bytes, m.len, c->n, NULL) != PBFT_T_COMMIT) {
            int rc = pbft_step(c->nodes[m.to], m.from, m.bytes, m.len, c->now);
            (void)rc;
        }
        yc_free(m.bytes);
        cl_pump(c);
    }
    for (uint32_t i = 0; i < c->n; i++) {
        assert_false(c->committed[i]);
    }
}

static void test_prepared_survives(void **state)
{
    struct cluster *c = yc_calloc(1, sizeof *c);
    uint8_t d[YC_HASH_LEN];
    (void)state;
    cl_init(c, 4);
    prepare_all_lose_commits(c, d);
    /* every node journaled a prepared certificate */
    for (uint32_t i = 0; i < 4; i++) {
        bool found = false;
        for (size_t k = 0; k < c->njournal[i]; k++) {
            found |=
                fx_msg_type(c->journal[i][k], c->journal_len[i][k], 4, NULL) == PBFT_T_PREPARED;
        }
        assert_true(found);
    }
    /* the timeout: view 1, whose primary (node 2) must re-propose d */
    cl_tick(c, 1000);
    for (size_t k = 0; k < c->nq; k++) {
        struct pbft_wmsg *w = yc_malloc(sizeof *w);
        assert_int_equal(pbft__decode(w, c->q[k].bytes, c->q[k].len, 4), YC_OK);
        assert_int_equal(w->type, PBFT_T_VIEWCHANGE);
        assert_true(w->has_pc);
        assert_memory_equal(w->pc.digest, d, YC_HASH_LEN);
        assert_true(w->block != NULL);
        yc_free(w);
    }
    c->autopropose = false; /* a new block would be a bug: none is asked for */
    cl_run(c);
    for (uint32_t i = 0; i < 4; i++) {
        assert_true(c->committed[i]);
        assert_memory_equal(c->commit[i].digest, d, YC_HASH_LEN);
        assert_int_equal(c->commit[i].cert.view, 1);
        assert_false(c->want[i]);
    }
    cl_cleanup(c);
    yc_free(c);
}

static void test_join_rule(void **state)
{
    struct cluster *c = yc_calloc(1, sizeof *c);
    struct fx_ready r;
    (void)state;
    cl_init(c, 4);
    c->mute[1] = true; /* silent primary: nobody commits in view 0 */
    cl_run(c);
    c->mute[1] = false;
    /* only nodes 0 and 3 time out */
    c->now += 1000;
    pbft_tick(c->nodes[0], c->now);
    pbft_tick(c->nodes[3], c->now);
    cl_pump(c);
    assert_int_equal(c->nq, 6); /* two VIEW-CHANGEs, to three peers each */
    /* node 2 has seen f+1 = 2 of them: it joins view 1 before its own timer */
    cl_run(c);
    for (uint32_t i = 0; i < 4; i++) {
        assert_true(c->committed[i]);
        assert_int_equal(c->commit[i].cert.view, 1);
    }
    (void)r;
    cl_cleanup(c);
    yc_free(c);
}

static void test_one_huge_view_moves_nobody(void **state)
{
    struct fx fx;
    struct pbft_config cfg;
    pbft_node *node;
    struct fx_ready r;
    struct yc_buf body, msg;
    uint8_t h[YC_HASH_LEN], sig[YC_SIG_LEN], aux[32] = {0};
    (void)state;

    fx_init(&fx, 4);
    cfg = fx_config(&fx, 0);
    assert_int_equal(pbft_create(&node, &cfg, 1, fx.g.hash, NULL, 0, 0), YC_OK);
    while (fx_drain(node, &r)) {
        fx_ready_free(&r);
    }
    yc_buf_init(&body, 0);
    yc_buf_init(&msg, 0);
    assert_int_equal(pbft__enc_vc_body(&body, 1, (1ull << 31), NULL), YC_OK);
    yc_hash_tagged(h, YC_TAG_PBFT, fx.g.chain_id, body.data, body.len);
    assert_int_equal(yc_sig_sign(fx.signers[3], sig, h, aux), YC_OK);
    assert_int_equal(
        pbft__enc_msg(&msg, PBFT_T_VIEWCHANGE, 3, NULL, 0, body.data, body.len, sig, NULL), YC_OK);
    assert_int_equal(pbft_step(node, 3, msg.data, msg.len, 10), YC_OK);
    assert_false(pbft_has_ready(node)); /* one is not f+1 */
    /* the same VIEW-CHANGE again is a duplicate; an altered one is refused */
    assert_int_equal(pbft_step(node, 3, msg.data, msg.len, 10), YC_OK);
    msg.data[msg.len - 20] ^= 1;
    assert_int_not_equal(pbft_step(node, 3, msg.data, msg.len, 10), YC_OK);
    /* timeouts double with the view: 1000 at view 0, 2000 at view 1 */
    pbft_tick(node, 1000);
    assert_true(fx_drain(node, &r));
    assert_int_equal(r.view, 1);
    assert_int_equal(r.nmsgs, 1);
    uint8_t *first = yc_memdup(r.msgs[0], r.msg_len[0]);
    size_t first_len = r.msg_len[0];
    fx_ready_free(&r);
    pbft_tick(node, 2999);
    assert_false(pbft_has_ready(node));
    /* two VIEW-CHANGEs (its own, the huge one) for view 1 or later are not a quorum of
     * 3: it stays in view 1 and says so again, byte for byte, without a new record */
    pbft_tick(node, 3000);
    assert_true(fx_drain(node, &r));
    assert_int_equal(r.view, 1);
    assert_int_equal(r.nrecords, 0);
    assert_int_equal(r.nmsgs, 1);
    assert_int_equal(r.msg_len[0], first_len);
    assert_memory_equal(r.msgs[0], first, first_len);
    fx_ready_free(&r);
    yc_free(first);
    yc_buf_cleanup(&body);
    yc_buf_cleanup(&msg);
    pbft_destroy(node);
    fx_cleanup(&fx);
}

/* NEW-VIEW for view 1 (primary: node 2) built from the queued VIEW-CHANGEs. */
static uint8_t *craft_nv(struct cluster *c, uint32_t nvcs, bool with_digest, const uint8_t *digest,
                         uint32_t signer, size_t *len)
{
    struct pbft_vcent ents[8];
    const struct pbft_vcent *list[8];
    uint32_t from[8];
    uint32_t cnt = 0;
    struct yc_buf body, msg;
    uint8_t h[YC_HASH_LEN], sig[YC_SIG_LEN], vote[YC_SIG_LEN], aux[32] = {0};
    struct pbft_wmsg *w = yc_malloc(sizeof *w);
    uint8_t *out;
    const uint8_t *blk = NULL;
    size_t blen = 0;

    memset(ents, 0, sizeof ents);
    for (size_t k = 0; k < c->nq && cnt < nvcs; k++) {
        bool dup = false;
        if (pbft__decode(w, c->q[k].bytes, c->q[k].len, c->n) != YC_OK ||
            w->type != PBFT_T_VIEWCHANGE) {
            continue;
        }
        for (uint32_t j = 0; j < cnt; j++) {
            dup |= from[j] == w->from;
        }
        if (dup) {
            continue;
        }
        /* keep sorted by sender */
        uint32_t pos = cnt;
        while (pos > 0 && from[pos - 1] > w->from) {
            from[pos] = from[pos - 1];
            ents[pos] = ents[pos - 1];
            pos--;
        }
        from[pos] = w->from;
        ents[pos].body = (uint8_t *)w->body;
        ents[pos].body_len = w->body_len;
        memcpy(ents[pos].sig, w->sig, YC_SIG_LEN);
        if (w->block != NULL) {
            blk = w->block;
            blen = w->block_len;
        }
        cnt++;
    }
    for (uint32_t j = 0; j < cnt; j++) {
        list[j] = &ents[j];
    }
    yc_buf_init(&body, 0);
    yc_buf_init(&msg, 0);
    assert_int_equal(pbft__enc_nv_body(&body, 1, 1, with_digest ? digest : NULL, list, from, cnt),
                     YC_OK);
    yc_hash_tagged(h, YC_TAG_PBFT, c->fx.g.chain_id, body.data, body.len);
    assert_int_equal(yc_sig_sign(c->fx.signers[signer], sig, h, aux), YC_OK);
    if (with_digest) {
        yc_vote_hash(h, c->fx.g.chain_id, "prepare", 1, 1, digest);
        assert_int_equal(yc_sig_sign(c->fx.signers[signer], vote, h, aux), YC_OK);
    }
    assert_int_equal(pbft__enc_msg(&msg, PBFT_T_NEWVIEW, signer, with_digest ? blk : NULL, blen,
                                   body.data, body.len, sig, with_digest ? vote : NULL),
                     YC_OK);
    yc_free(w);
    yc_buf_cleanup(&body);
    yc_buf_take(&msg, &out, len);
    return out;
}

static void test_newview_checked(void **state)
{
    struct cluster *c = yc_calloc(1, sizeof *c);
    uint8_t d[YC_HASH_LEN];
    uint8_t other[YC_HASH_LEN] = {1};
    size_t len;
    uint8_t *nv;
    (void)state;
    cl_init(c, 4);
    prepare_all_lose_commits(c, d);
    /* node 1 alone stays behind in view 0; the others change views */
    c->now += 1000;
    pbft_tick(c->nodes[0], c->now);
    pbft_tick(c->nodes[2], c->now);
    pbft_tick(c->nodes[3], c->now);
    c->mute[1] = true;
    cl_pump(c);

    /* ignores the prepared certificates: refused */
    nv = craft_nv(c, 3, false, NULL, 2, &len);
    assert_int_equal(pbft_step(c->nodes[1], 2, nv, len, c->now), YC_EBADMSG);
    yc_free(nv);
    /* a block other than the certified one: refused */
    nv = craft_nv(c, 3, true, other, 2, &len);
    assert_int_not_equal(pbft_step(c->nodes[1], 2, nv, len, c->now), YC_OK);
    yc_free(nv);
    /* fewer than q VIEW-CHANGEs: refused */
    nv = craft_nv(c, 2, true, d, 2, &len);
    assert_int_equal(pbft_step(c->nodes[1], 2, nv, len, c->now), YC_EBADMSG);
    yc_free(nv);
    /* not from the primary of view 1 */
    nv = craft_nv(c, 3, true, d, 3, &len);
    assert_int_equal(pbft_step(c->nodes[1], 3, nv, len, c->now), YC_EBADMSG);
    yc_free(nv);
    /* the right one moves node 1 to view 1 */
    nv = craft_nv(c, 3, true, d, 2, &len);
    assert_int_equal(pbft_step(c->nodes[1], 2, nv, len, c->now), YC_OK);
    yc_free(nv);
    {
        struct pbft_ready rd;
        pbft_ready(c->nodes[1], &rd);
        assert_int_equal(rd.view, 1);
        pbft_advance(c->nodes[1]);
    }
    cl_cleanup(c);
    yc_free(c);
}

static void test_idle_holds_timer(void **state)
{
    struct cluster *c = yc_calloc(1, sizeof *c);
    (void)state;
    cl_init(c, 4);
    c->autopropose = false; /* no transactions: the primary has nothing to propose */
    cl_run(c);
    for (uint32_t i = 0; i < 4; i++) {
        pbft_set_idle(c->nodes[i], true, c->now);
    }
    cl_tick(c, 5000);
    cl_run(c);
    assert_int_equal(c->nq, 0); /* no view change while idle */
    for (uint32_t i = 0; i < 4; i++) {
        pbft_set_idle(c->nodes[i], false, c->now);
    }
    cl_tick(c, 999);
    assert_int_equal(c->nq, 0); /* a full timeout from the moment work arrived */
    c->autopropose = true;
    cl_tick(c, 1);
    cl_run(c);
    for (uint32_t i = 0; i < 4; i++) {
        assert_true(c->committed[i]);
        assert_int_equal(c->commit[i].cert.view, 1);
    }
    cl_cleanup(c);
    yc_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_prepared_survives),          cmocka_unit_test(test_join_rule),
        cmocka_unit_test(test_one_huge_view_moves_nobody), cmocka_unit_test(test_newview_checked),
        cmocka_unit_test(test_idle_holds_timer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
