/*
 * test_ids.c — a PRE-PREPARE carried by tx ids (yc/pbft_ids.h): taken apart and put
 * back byte for byte, decodes that name what is wrong, and a backup's fetch of the txs
 * it does not hold (found, fetched, left out, timed out, another signature of one id).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "helper_pbft.h"
#include "yc/alloc.h"
#include "yc/codec.h"
#include "yc/pbft_ids.h"

#define NTX 3

struct env {
    struct fx fx;
    yc_signer *client;
    struct yc_tx txs[NTX]; /* the block's txs */
    struct yc_tx other;    /* txs[1] signed again: same id, other bytes */
    uint8_t *msg;          /* the primary's PRE-PREPARE */
    size_t msg_len;
    struct yc_buf ids; /* its ids-proposal */
    uint8_t digest[YC_HASH_LEN];
    /* the io seen by the fetch */
    bool held[NTX];
    bool held_other; /* txs[1] is held as `other` */
    uint32_t nstep, nreq;
    uint8_t *step_msg;
    size_t step_len;
    uint32_t step_from;
    uint8_t *req;
    size_t req_len;
    uint32_t req_to;
};

static void transfer(struct env *e, uint64_t nonce, uint8_t aux0, struct yc_tx *out)
{
    struct yc_buf body, b;
    struct yc_enc enc;
    uint8_t to[YC_PUBKEY_LEN] = {1, 2, 3}, id[YC_HASH_LEN], aux[32] = {aux0};
    yc_buf_init(&body, 0);
    yc_buf_init(&b, 0);
    to[0] = 0x01; /* scheme byte; the key is not checked by a decode */
    yc_enc_init(&enc, &body);
    yc_enc_map(&enc, 2);
    yc_enc_cstr(&enc, "amount");
    yc_enc_uint(&enc, 5 + nonce);
    yc_enc_cstr(&enc, "to");
    yc_enc_bin(&enc, to, YC_PUBKEY_LEN);
    assert_int_equal(yc_enc_finish(&enc), YC_OK);
    assert_int_equal(yc_tx_build_signed(&b, id, e->fx.g.chain_id, YC_TX_TOKEN_TRANSFER, e->client,
                                        nonce, body.data, body.len, aux),
                     YC_OK);
    assert_int_equal(yc_tx_decode(out, b.data, b.len), YC_OK);
    yc_buf_cleanup(&body);
    yc_buf_cleanup(&b);
}

/* Validator 0 of 4 proposes a block of NTX txs at height 1: its PRE-PREPARE. */
static int setup(void **state)
{
    struct env *e = calloc(1, sizeof *e);
    fx_init(&e->fx, 4);
    uint8_t sk[YC_SECKEY_LEN] = {0};
    sk[31] = 77;
    assert_int_equal(yc_signer_create(&e->client, sk), YC_OK);
    for (uint32_t i = 0; i < NTX; i++) {
        transfer(e, i + 1, 0, &e->txs[i]);
    }
    transfer(e, 2, 9, &e->other);
    assert_memory_equal(e->other.id, e->txs[1].id, YC_HASH_LEN);
    assert_true(e->other.len != e->txs[1].len ||
                memcmp(e->other.bytes, e->txs[1].bytes, e->other.len) != 0);

    struct pbft_config cfg = fx_config(&e->fx, 0);
    pbft_node *n = NULL;
    uint8_t prev[YC_HASH_LEN];
    memcpy(prev, e->fx.g.hash, YC_HASH_LEN);
    /* height 1 view 0: primary (1 + 0) mod 4 = 1 */
    cfg.signer = e->fx.signers[1];
    assert_int_equal(pbft_create(&n, &cfg, 1, prev, NULL, 0, 1000), YC_OK);
    struct fx_ready r;
    while (fx_drain(n, &r)) {
        fx_ready_free(&r);
    }
    struct yc_block_header h;
    memset(&h, 0, sizeof h);
    snprintf(h.chain_id, sizeof h.chain_id, "%s", e->fx.g.chain_id);
    h.height = 1;
    h.proposer = 1;
    h.time_ms = e->fx.g.genesis_time_ms + 1000;
    memcpy(h.prev_hash, prev, YC_HASH_LEN);
    assert_int_equal(yc_block_header_seal(&h, e->txs, NULL, NTX), YC_OK);
    assert_int_equal(yc_header_hash(&h, e->digest), YC_OK);
    struct yc_buf blk;
    yc_buf_init(&blk, 0);
    assert_int_equal(yc_block_encode(&blk, &h, e->txs, NULL, NTX, NULL), YC_OK);
    assert_int_equal(pbft_propose(n, blk.data, blk.len, 1000), YC_OK);
    yc_buf_cleanup(&blk);
    assert_true(fx_drain(n, &r));
    for (size_t i = 0; i < r.nmsgs && e->msg == NULL; i++) {
        struct pbft_pp pp;
        if (pbft_pp_split(&pp, r.msgs[i], r.msg_len[i]) == YC_OK) {
            e->msg = malloc(r.msg_len[i]);
            memcpy(e->msg, r.msgs[i], r.msg_len[i]);
            e->msg_len = r.msg_len[i];
        }
    }
    fx_ready_free(&r);
    pbft_destroy(n);
    assert_non_null(e->msg);

    struct pbft_pp pp;
    uint8_t ids[NTX][YC_HASH_LEN];
    assert_int_equal(pbft_pp_split(&pp, e->msg, e->msg_len), YC_OK);
    assert_int_equal(pp.ntx, NTX);
    assert_int_equal(pp.from, 1);
    assert_memory_equal(pp.digest, e->digest, YC_HASH_LEN);
    for (uint32_t i = 0; i < NTX; i++) {
        memcpy(ids[i], e->txs[i].id, YC_HASH_LEN);
    }
    yc_buf_init(&e->ids, 0);
    assert_int_equal(pbft_ids_encode(&e->ids, &pp, (const uint8_t(*)[YC_HASH_LEN])ids), YC_OK);
    *state = e;
    return 0;
}

static int teardown(void **state)
{
    struct env *e = *state;
    for (uint32_t i = 0; i < NTX; i++) {
        yc_tx_cleanup(&e->txs[i]);
    }
    yc_tx_cleanup(&e->other);
    free(e->msg);
    free(e->step_msg);
    free(e->req);
    yc_buf_cleanup(&e->ids);
    yc_signer_destroy(e->client);
    fx_cleanup(&e->fx);
    free(e);
    return 0;
}

/* ---- the io of a fetch ---- */

static const struct yc_tx *lookup(void *ctx, const uint8_t id[YC_HASH_LEN])
{
    struct env *e = ctx;
    for (uint32_t i = 0; i < NTX; i++) {
        if (memcmp(e->txs[i].id, id, YC_HASH_LEN) == 0) {
            if (i == 1 && e->held_other) {
                return &e->other;
            }
            return e->held[i] ? &e->txs[i] : NULL;
        }
    }
    return NULL;
}

static void step(void *ctx, uint32_t from, const uint8_t *msg, size_t len)
{
    struct env *e = ctx;
    e->nstep++;
    e->step_from = from;
    free(e->step_msg);
    e->step_msg = malloc(len);
    memcpy(e->step_msg, msg, len);
    e->step_len = len;
}

static void request(void *ctx, uint32_t to, const uint8_t *req, size_t len)
{
    struct env *e = ctx;
    e->nreq++;
    e->req_to = to;
    free(e->req);
    e->req = malloc(len);
    memcpy(e->req, req, len);
    e->req_len = len;
}

static pbft_fetch *new_fetch(struct env *e, uint32_t max_pending)
{
    struct pbft_fetch_limits lim = {.max_pending = max_pending, .timeout_ms = 1000};
    struct pbft_fetch_io io = {.lookup = lookup, .step = step, .request = request, .ctx = e};
    pbft_fetch *f = NULL;
    assert_int_equal(pbft_fetch_create(&f, &lim, &io), YC_OK);
    return f;
}

/* The request last sent: its ids (copied out, at most NTX). */
static uint32_t last_request(struct env *e, uint8_t ids[NTX][YC_HASH_LEN])
{
    struct pbft_txreq r;
    char why[PBFT_IDS_WHY_MAX];
    assert_int_equal(pbft_txreq_decode(&r, e->req, e->req_len, why, sizeof why), YC_OK);
    assert_memory_equal(r.digest, e->digest, YC_HASH_LEN);
    assert_int_equal(r.height, 1);
    assert_true(r.nids <= NTX);
    for (uint32_t i = 0; i < r.nids; i++) {
        memcpy(ids[i], r.ids + (size_t)i * PBFT_IDS_ID_STRIDE + 2, YC_HASH_LEN);
    }
    return r.nids;
}

/* A tx-response of txs[idx[0..n)] (as `held` answers them: answer the request). */
static void respond(struct env *e, struct yc_buf *out, const bool answer[NTX])
{
    struct pbft_txreq r;
    char why[PBFT_IDS_WHY_MAX];
    bool saved[NTX];
    memcpy(saved, e->held, sizeof saved);
    memcpy(e->held, answer, sizeof e->held);
    assert_int_equal(pbft_txreq_decode(&r, e->req, e->req_len, why, sizeof why), YC_OK);
    assert_int_equal(pbft_txreq_answer(out, &r, lookup, e, 1u << 20), YC_OK);
    memcpy(e->held, saved, sizeof saved);
}

/* ---- tests ---- */

static void test_round_trip_is_byte_exact(void **state)
{
    struct env *e = *state;
    struct pbft_ids m;
    char why[PBFT_IDS_WHY_MAX] = "";
    assert_int_equal(pbft_ids_decode(&m, e->ids.data, e->ids.len, 4, why, sizeof why), YC_OK);
    assert_int_equal(m.pp.ntx, NTX);
    assert_int_equal(m.pp.from, 1);
    assert_int_equal(m.pp.height, 1);
    assert_memory_equal(m.pp.digest, e->digest, YC_HASH_LEN);
    for (uint32_t i = 0; i < NTX; i++) {
        assert_memory_equal(pbft_ids_id(&m, i), e->txs[i].id, YC_HASH_LEN);
    }
    const struct yc_tx *txs[NTX] = {&e->txs[0], &e->txs[1], &e->txs[2]};
    struct yc_buf out;
    yc_buf_init(&out, 0);
    assert_int_equal(pbft_ids_join(&out, &m, txs), YC_OK);
    assert_int_equal(out.len, e->msg_len);
    assert_memory_equal(out.data, e->msg, e->msg_len);
    /* what it saves: each tx's bytes for 34 bytes (the keys around them differ by a few) */
    size_t txbytes = 0;
    for (uint32_t i = 0; i < NTX; i++) {
        txbytes += e->txs[i].len;
    }
    assert_true(e->ids.len + txbytes - NTX * PBFT_IDS_ID_STRIDE < e->msg_len + 64);
    assert_true(e->ids.len + txbytes - NTX * PBFT_IDS_ID_STRIDE + 64 > e->msg_len);
    yc_buf_cleanup(&out);
}

static void test_other_messages_are_not_split(void **state)
{
    struct env *e = *state;
    struct pbft_pp pp;
    /* the ids-proposal itself, an empty message, a truncated PRE-PREPARE */
    assert_int_equal(pbft_pp_split(&pp, e->ids.data, e->ids.len), YC_EINVAL);
    assert_int_equal(pbft_pp_split(&pp, NULL, 0), YC_EINVAL);
    assert_int_equal(pbft_pp_split(&pp, e->msg, e->msg_len / 2), YC_EINVAL);
}

/* Decodes p with n validators; expects rc and words containing `want`. */
static void expect_refused(const uint8_t *p, size_t len, uint32_t n, int rc, const char *want)
{
    struct pbft_ids m;
    char why[PBFT_IDS_WHY_MAX] = "";
    assert_int_equal(pbft_ids_decode(&m, p, len, n, why, sizeof why), rc);
    if (strstr(why, want) == NULL) {
        fail_msg("words \"%s\" do not name \"%s\"", why, want);
    }
}

static void test_decode_names_what_is_wrong(void **state)
{
    struct env *e = *state;
    expect_refused(NULL, 0, 4, YC_EBADMSG, "empty");
    expect_refused(e->ids.data, e->ids.len - 1, 4, YC_EBADMSG, "canonical");
    expect_refused(e->ids.data, e->ids.len, 1, YC_EBADMSG, "from: expected a validator index");

    /* one id fewer than the header's tx_count */
    struct pbft_pp pp;
    assert_int_equal(pbft_pp_split(&pp, e->msg, e->msg_len), YC_OK);
    uint8_t ids[NTX][YC_HASH_LEN] = {{0}};
    struct yc_buf b;
    yc_buf_init(&b, 0);
    pp.ntx = NTX - 1;
    assert_int_equal(pbft_ids_encode(&b, &pp, (const uint8_t(*)[YC_HASH_LEN])ids), YC_OK);
    expect_refused(b.data, b.len, 4, YC_EBADMSG, "header's tx_count is 3");

    /* an id of 31 bytes: the bin8 length byte of the first id lowered, one byte cut */
    yc_buf_reset(&b);
    assert_int_equal(yc_buf_append(&b, e->ids.data, e->ids.len), YC_OK);
    uint8_t *id0 = NULL;
    for (size_t i = 0; i + 2 < b.len; i++) {
        if (b.data[i] == 0xc4 && b.data[i + 1] == 0x20 &&
            memcmp(b.data + i + 2, e->txs[0].id, YC_HASH_LEN) == 0) {
            id0 = b.data + i;
        }
    }
    assert_non_null(id0);
    id0[1] = 31;
    memmove(id0 + 2 + 31, id0 + 2 + 32, (size_t)(b.data + b.len - (id0 + 2 + 32)));
    b.len--;
    expect_refused(b.data, b.len, 4, YC_EBADMSG, "ids[0]: expected a 32-byte bin");
    yc_buf_cleanup(&b);

    /* a tx-request with a height of 0, and one that is not a map */
    struct pbft_txreq r;
    char why[PBFT_IDS_WHY_MAX] = "";
    const uint8_t *one = e->txs[0].id;
    yc_buf_init(&b, 0);
    assert_int_equal(pbft_txreq_encode(&b, 0, e->digest, &one, 1), YC_OK);
    assert_int_equal(pbft_txreq_decode(&r, b.data, b.len, why, sizeof why), YC_EBADMSG);
    assert_non_null(strstr(why, "height"));
    assert_int_equal(pbft_txreq_decode(&r, (const uint8_t *)"\x01", 1, why, sizeof why),
                     YC_EBADMSG);
    assert_non_null(strstr(why, "map of 3 keys"));
    yc_buf_cleanup(&b);
}

static void test_all_held_steps_at_once(void **state)
{
    struct env *e = *state;
    pbft_fetch *f = new_fetch(e, 2);
    e->held[0] = e->held[1] = e->held[2] = true;
    char why[PBFT_IDS_WHY_MAX] = "";
    assert_int_equal(pbft_fetch_proposal(f, 1, 4, e->ids.data, e->ids.len, 0, why, sizeof why),
                     YC_OK);
    assert_int_equal(e->nstep, 1);
    assert_int_equal(e->nreq, 0);
    assert_int_equal(e->step_from, 1);
    assert_int_equal(e->step_len, e->msg_len);
    assert_memory_equal(e->step_msg, e->msg, e->msg_len);
    assert_int_equal(pbft_fetch_pending(f), 0);
    struct pbft_fetch_stats st;
    pbft_fetch_stats(f, &st);
    assert_int_equal(st.txs_resolved, NTX);
    assert_int_equal(st.txs_fetched, 0);
    /* another sender than the one named */
    assert_int_equal(pbft_fetch_proposal(f, 2, 4, e->ids.data, e->ids.len, 0, why, sizeof why),
                     YC_EBADMSG);
    assert_non_null(strstr(why, "from"));
    pbft_fetch_destroy(f);
}

static void test_missing_txs_are_fetched(void **state)
{
    struct env *e = *state;
    pbft_fetch *f = new_fetch(e, 2);
    e->held[1] = true; /* txs 0 and 2 missing */
    char why[PBFT_IDS_WHY_MAX] = "";
    assert_int_equal(pbft_fetch_proposal(f, 1, 4, e->ids.data, e->ids.len, 0, why, sizeof why),
                     YC_OK);
    assert_int_equal(e->nstep, 0);
    assert_int_equal(e->nreq, 1);
    assert_int_equal(e->req_to, 1);
    uint8_t ids[NTX][YC_HASH_LEN];
    assert_int_equal(last_request(e, ids), 2);
    bool asked0 = false, asked2 = false;
    for (uint32_t i = 0; i < 2; i++) {
        asked0 |= memcmp(ids[i], e->txs[0].id, YC_HASH_LEN) == 0;
        asked2 |= memcmp(ids[i], e->txs[2].id, YC_HASH_LEN) == 0;
    }
    assert_true(asked0 && asked2);
    assert_int_equal(pbft_fetch_pending(f), 1);

    /* the primary answers from what it holds: all three */
    const bool primary[NTX] = {true, true, true};
    struct yc_buf resp;
    yc_buf_init(&resp, 0);
    respond(e, &resp, primary);
    /* a response from another validator is not taken for this one */
    assert_int_equal(pbft_fetch_response(f, 2, resp.data, resp.len, why, sizeof why), YC_OK);
    assert_int_equal(e->nstep, 0);
    assert_int_equal(pbft_fetch_pending(f), 1);
    assert_int_equal(pbft_fetch_response(f, 1, resp.data, resp.len, why, sizeof why), YC_OK);
    assert_int_equal(e->nstep, 1);
    assert_int_equal(e->step_len, e->msg_len);
    assert_memory_equal(e->step_msg, e->msg, e->msg_len);
    assert_int_equal(pbft_fetch_pending(f), 0);
    struct pbft_fetch_stats st;
    pbft_fetch_stats(f, &st);
    assert_int_equal(st.txs_resolved, 1);
    assert_int_equal(st.txs_fetched, 2);
    assert_int_equal(st.requests, 1);
    assert_int_equal(st.wholes, 0);
    /* the same response again: nothing waits for it */
    assert_int_equal(pbft_fetch_response(f, 1, resp.data, resp.len, why, sizeof why), YC_OK);
    assert_int_equal(e->nstep, 1);
    yc_buf_cleanup(&resp);
    pbft_fetch_destroy(f);
}

/* Expects the last request to ask for the whole PRE-PREPARE. */
static void expect_whole_asked(struct env *e, uint32_t nreq)
{
    uint8_t ids[NTX][YC_HASH_LEN];
    assert_int_equal(e->nreq, nreq);
    assert_int_equal(e->req_to, 1);
    assert_int_equal(last_request(e, ids), 0);
}

static void test_short_response_asks_whole(void **state)
{
    struct env *e = *state;
    pbft_fetch *f = new_fetch(e, 2);
    char why[PBFT_IDS_WHY_MAX] = "";
    assert_int_equal(pbft_fetch_proposal(f, 1, 4, e->ids.data, e->ids.len, 0, why, sizeof why),
                     YC_OK);
    const bool some[NTX] = {true, false, true}; /* the primary lost tx 1 */
    struct yc_buf resp;
    yc_buf_init(&resp, 0);
    respond(e, &resp, some);
    assert_int_equal(pbft_fetch_response(f, 1, resp.data, resp.len, why, sizeof why), YC_OK);
    assert_int_equal(e->nstep, 0);
    expect_whole_asked(e, 2);
    assert_int_equal(pbft_fetch_pending(f), 0);
    yc_buf_cleanup(&resp);

    /* a response whose tx does not decode is refused with its index */
    assert_int_equal(pbft_fetch_proposal(f, 1, 4, e->ids.data, e->ids.len, 0, why, sizeof why),
                     YC_OK);
    yc_buf_init(&resp, 0);
    struct yc_enc enc;
    yc_enc_init(&enc, &resp);
    yc_enc_map(&enc, 2);
    yc_enc_cstr(&enc, "digest");
    yc_enc_bin(&enc, e->digest, YC_HASH_LEN);
    yc_enc_cstr(&enc, "txs");
    yc_enc_array(&enc, 1);
    yc_enc_bin(&enc, (const uint8_t *)"junk", 4);
    assert_int_equal(yc_enc_finish(&enc), YC_OK);
    assert_int_equal(pbft_fetch_response(f, 1, resp.data, resp.len, why, sizeof why), YC_EBADMSG);
    assert_non_null(strstr(why, "txs[0]: not a transaction"));
    yc_buf_cleanup(&resp);
    pbft_fetch_destroy(f);
}

static void test_timeout_asks_whole(void **state)
{
    struct env *e = *state;
    pbft_fetch *f = new_fetch(e, 2);
    char why[PBFT_IDS_WHY_MAX] = "";
    assert_int_equal(pbft_fetch_proposal(f, 1, 4, e->ids.data, e->ids.len, 5000, why, sizeof why),
                     YC_OK);
    assert_int_equal(e->nreq, 1);
    pbft_fetch_tick(f, 5999);
    assert_int_equal(e->nreq, 1);
    assert_int_equal(pbft_fetch_pending(f), 1);
    pbft_fetch_tick(f, 6000);
    expect_whole_asked(e, 2);
    assert_int_equal(pbft_fetch_pending(f), 0);
    struct pbft_fetch_stats st;
    pbft_fetch_stats(f, &st);
    assert_int_equal(st.timeouts, 1);
    assert_int_equal(st.wholes, 1);
    /* a decided height drops what waits for it */
    assert_int_equal(pbft_fetch_proposal(f, 1, 4, e->ids.data, e->ids.len, 0, why, sizeof why),
                     YC_OK);
    pbft_fetch_prune(f, 1);
    assert_int_equal(pbft_fetch_pending(f), 1);
    pbft_fetch_prune(f, 2);
    assert_int_equal(pbft_fetch_pending(f), 0);
    pbft_fetch_destroy(f);
}

static void test_other_signature_asks_whole(void **state)
{
    struct env *e = *state;
    pbft_fetch *f = new_fetch(e, 2);
    e->held[0] = e->held[2] = true;
    e->held_other = true; /* tx 1's id, signed again */
    char why[PBFT_IDS_WHY_MAX] = "";
    assert_int_equal(pbft_fetch_proposal(f, 1, 4, e->ids.data, e->ids.len, 0, why, sizeof why),
                     YC_OK);
    assert_int_equal(e->nstep, 0);
    expect_whole_asked(e, 1);
    struct pbft_fetch_stats st;
    pbft_fetch_stats(f, &st);
    assert_int_equal(st.root_mismatch, 1);
    pbft_fetch_destroy(f);
}

static void test_pending_is_bounded(void **state)
{
    struct env *e = *state;
    pbft_fetch *f = new_fetch(e, 1);
    char why[PBFT_IDS_WHY_MAX] = "";
    /* one sender: a newer proposal replaces the one waiting */
    assert_int_equal(pbft_fetch_proposal(f, 1, 4, e->ids.data, e->ids.len, 0, why, sizeof why),
                     YC_OK);
    assert_int_equal(pbft_fetch_proposal(f, 1, 4, e->ids.data, e->ids.len, 1, why, sizeof why),
                     YC_OK);
    assert_int_equal(pbft_fetch_pending(f), 1);
    assert_int_equal(e->nreq, 2);
    /* the newer one's deadline counts: nothing times out at the first one's */
    pbft_fetch_tick(f, 1000);
    assert_int_equal(pbft_fetch_pending(f), 1);
    pbft_fetch_tick(f, 1001);
    assert_int_equal(pbft_fetch_pending(f), 0);
    struct pbft_fetch_limits bad = {.max_pending = 17, .timeout_ms = 1};
    struct pbft_fetch_io io = {.lookup = lookup, .step = step, .request = request, .ctx = e};
    pbft_fetch *g = NULL;
    assert_int_equal(pbft_fetch_create(&g, &bad, &io), YC_EINVAL);
    assert_null(g);
    pbft_fetch_destroy(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_round_trip_is_byte_exact, setup, teardown),
        cmocka_unit_test_setup_teardown(test_other_messages_are_not_split, setup, teardown),
        cmocka_unit_test_setup_teardown(test_decode_names_what_is_wrong, setup, teardown),
        cmocka_unit_test_setup_teardown(test_all_held_steps_at_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_txs_are_fetched, setup, teardown),
        cmocka_unit_test_setup_teardown(test_short_response_asks_whole, setup, teardown),
        cmocka_unit_test_setup_teardown(test_timeout_asks_whole, setup, teardown),
        cmocka_unit_test_setup_teardown(test_other_signature_asks_whole, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pending_is_bounded, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
