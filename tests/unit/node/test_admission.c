/*
 * test_admission.c — admission against state (node/src/chain/submit.c) on a real node core:
 * a LevelDB store at genesis, the verify pool, the mempool, no network. Checks that a
 * chain of one sender's dependent transactions is admitted before any block (a
 * registration and then a consent grant by the new key), that one that would fail is
 * refused before it enters the mempool (with its code, remembered, its words passed to
 * the callback), that a tx after a nonce gap gets the pre-check only, the per-sender cap
 * and the nonce gap with words naming the option, and expiry: the `tx` status says
 * expired, watchers are answered, gossip does not bring it back, a resubmission does;
 * that a proposal's tx is found by its bytes while in flight and once held; that
 * a tx in a block, committed or failed, is a duplicate when sent or gossiped again; and
 * that a block moves its senders' bases in the mempool (a pending tx whose nonce it used
 * refused, a later one kept, the block's txs duplicates while their sender holds one).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <uv.h>

#include "node_internal.h"
#include "producer.h"
#include "yc/alloc.h"
#include "yc/keys.h"
#include "yc/store.h"
#include "yc/txschema.h"

struct env {
    uv_loop_t loop;
    yc_node n;
    char dir[64];
    uint64_t t0; /* now, for validity windows */
};

struct answer {
    bool done;
    int code;
    char why[512];
};

static void signer(yc_signer **s, uint8_t seed)
{
    uint8_t sk[YC_SECKEY_LEN];
    memset(sk, seed, sizeof sk);
    assert_int_equal(yc_signer_create(s, sk), YC_OK);
}

static void pub_of(uint8_t seed, uint8_t pub[YC_PUBKEY_LEN])
{
    yc_signer *s;
    signer(&s, seed);
    yc_signer_pubkey(s, pub);
    yc_signer_destroy(s);
}

static void set_account(struct yc_genesis_account *a, uint8_t seed, const char *role,
                        const char *name, uint64_t balance)
{
    pub_of(seed, a->pub);
    snprintf(a->role, sizeof a->role, "%s", role);
    snprintf(a->name, sizeof a->name, "%s", name);
    snprintf(a->jurisdiction, sizeof a->jurisdiction, "CN-CQ");
    a->balance = balance;
}

static void env_init(struct env *e, uint64_t per_sender, uint64_t gap, uint64_t ttl_s)
{
    memset(e, 0, sizeof *e);
    assert_int_equal(uv_loop_init(&e->loop), 0);
    yc_node *n = &e->n;
    n->loop = &e->loop;
    yc_config_default(&n->cfg);
    n->cfg.mp_max_txs_per_sender = per_sender;
    n->cfg.mp_max_nonce_gap = gap;
    n->cfg.mp_ttl_seconds = ttl_s;
    struct yc_genesis *g = &n->genesis;
    snprintf(g->chain_id, sizeof g->chain_id, "admit-chain");
    g->genesis_time_ms = 1700000000000ull;
    yc_params_default(&g->params);
    g->params.open_registration = true;
    g->nvalidators = 1;
    snprintf(g->validators[0].name, sizeof g->validators[0].name, "v0");
    pub_of(1, g->validators[0].pub);
    g->accounts = yc_calloc(3, sizeof *g->accounts);
    g->naccounts = 3;
    set_account(&g->accounts[0], 2, "exchange", "Exchange", 1000);
    set_account(&g->accounts[1], 3, "individual", "Alice", 500);
    set_account(&g->accounts[2], 4, "processor", "Proc", 900);
    assert_int_equal(yc_genesis_finalize(g), YC_OK);

    snprintf(e->dir, sizeof e->dir, "/tmp/yc-admit-XXXXXX");
    assert_non_null(mkdtemp(e->dir));
    char err[256];
    assert_int_equal(store_open(&n->st, e->dir, true, g, err, sizeof err), YC_OK);
    assert_int_equal(store_tip(n->st, &n->tip), YC_OK);
    e->t0 = yc__wall_ms();
    n->validator_index = 0;
    struct yc_mempool_limits ml = {
        .max_txs = n->cfg.mp_size,
        .max_bytes = n->cfg.mp_max_txs_bytes,
        .max_nonce_gap = n->cfg.mp_max_nonce_gap,
        .max_rejected = n->cfg.mp_rejected_cache_size,
        .max_per_sender = n->cfg.mp_max_txs_per_sender,
    };
    assert_int_equal(yc_mempool_create(&n->mp, &ml), YC_OK);
    assert_int_equal(yc_pump_init(&n->pump, n->loop), 0);
    assert_int_equal(yc_verifier_create(&n->ver, n->loop, &n->pump, g->chain_id, 1000, 1000),
                     YC_OK);
    struct yc_state_src src = store_state_src(n->st);
    assert_int_equal(yc_overlay_create(&n->precheck, &src), YC_OK);
    assert_int_equal(yc_idmap_init(&n->inflight, YC_HASH_LEN), YC_OK);
    assert_int_equal(yc_idmap_init(&n->watches, YC_HASH_LEN), YC_OK);
    assert_int_equal(yc__submit_start(n), YC_OK);
}

static void env_free(struct env *e)
{
    yc_node *n = &e->n;
    n->stopping = true;
    yc__events_stop(n);
    yc__submit_stop(n);
    uv_run(&e->loop, UV_RUN_DEFAULT);
    yc__events_free(n);
    yc__submit_free(n);
    yc_pump_close(&n->pump);
    uv_run(&e->loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&e->loop), 0);
    yc_verifier_destroy(n->ver);
    yc_mempool_destroy(n->mp);
    yc_overlay_destroy(n->precheck);
    yc_idmap_cleanup(&n->inflight);
    yc_idmap_cleanup(&n->watches);
    store_close(n->st);
    yc_genesis_cleanup(&n->genesis);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", e->dir);
    assert_int_equal(system(cmd), 0);
}

/* Signed bytes of a tx by key `seed` into out (a yc_buf the caller cleans up). */
static void build(struct env *e, uint8_t seed, uint64_t nonce, enum yc_tx_type type,
                  const struct yc_buf *body, struct yc_buf *out, uint8_t id[YC_HASH_LEN])
{
    yc_signer *s;
    signer(&s, seed);
    uint8_t aux[32] = {0};
    yc_buf_init(out, 0);
    assert_int_equal(yc_tx_build_signed(out, id, e->n.genesis.chain_id, type, s, nonce, body->data,
                                        body->len, aux),
                     YC_OK);
    yc_signer_destroy(s);
}

/* Writes body u of `type` into b (initialised here) through the schema. */
static void body_encode(struct yc_buf *b, enum yc_tx_type type, const union yc_tx_body *u)
{
    yc_buf_init(b, 0);
    assert_int_equal(yc_tx_body_encode(b, type, u, yc_tx_body_present(type, u)), YC_OK);
}

static void body_register(struct yc_buf *b, const char *name)
{
    union yc_tx_body u;
    memset(&u, 0, sizeof u);
    u.account_register.jurisdiction = (struct yc_slice){"CN-CQ", 5};
    u.account_register.name = (struct yc_slice){name, strlen(name)};
    u.account_register.role = (struct yc_slice){"individual", 10};
    body_encode(b, YC_TX_ACCOUNT_REGISTER, &u);
}

static void body_transfer(struct yc_buf *b, uint8_t to_seed, uint64_t amount)
{
    union yc_tx_body u;
    memset(&u, 0, sizeof u);
    u.token.amount = amount;
    u.token.has_to = true;
    pub_of(to_seed, u.token.to);
    body_encode(b, YC_TX_TOKEN_TRANSFER, &u);
}

static void body_grant(struct yc_buf *b, uint8_t proc_seed, const char *operation, uint64_t until)
{
    union yc_tx_body u;
    struct yc_body_consent_grant *g = &u.consent_grant;
    memset(&u, 0, sizeof u);
    g->categories.items[g->categories.n++] = (struct yc_slice){"health", 6};
    g->fee_per_use = 3;
    g->jurisdiction = (struct yc_slice){"CN-CQ", 5};
    g->operations.items[g->operations.n++] = (struct yc_slice){operation, strlen(operation)};
    pub_of(proc_seed, g->processor);
    g->purposes.items[g->purposes.n++] = (struct yc_slice){"research", 8};
    g->until = until;
    body_encode(b, YC_TX_CONSENT_GRANT, &u);
}

static void answer_cb(void *ctx, int code, const uint8_t id[YC_HASH_LEN], const char *why)
{
    (void)id;
    struct answer *a = ctx;
    a->done = true;
    a->code = code;
    snprintf(a->why, sizeof a->why, "%s", why != NULL ? why : "");
}

/* Submits and waits for the answer; returns its code (why in a->why). */
static int submit(struct env *e, const struct yc_buf *tx, struct answer *a)
{
    memset(a, 0, sizeof *a);
    int rc = yc_node_submit(&e->n, tx->data, tx->len, answer_cb, a);
    if (rc != YC_OK)
        return rc;
    for (int i = 0; i < 5000 && !a->done; i++) {
        uv_run(&e->loop, UV_RUN_NOWAIT);
        if (!a->done)
            uv_sleep(1);
    }
    assert_true(a->done);
    return a->code;
}

/* Builds, submits, returns the code; id out. */
static int send_tx(struct env *e, uint8_t seed, uint64_t nonce, enum yc_tx_type type,
                   struct yc_buf *body, uint8_t id[YC_HASH_LEN], struct answer *a)
{
    struct yc_buf tx;
    build(e, seed, nonce, type, body, &tx, id);
    yc_buf_cleanup(body);
    int rc = submit(e, &tx, a);
    yc_buf_cleanup(&tx);
    return rc;
}

static enum yc_tx_state state_of(struct env *e, const uint8_t id[YC_HASH_LEN])
{
    struct yc_tx_status st;
    yc_node_tx_status(&e->n, id, &st);
    return st.state;
}

static void test_dependent_chain_admitted(void **state)
{
    (void)state;
    struct env e;
    env_init(&e, 64, 64, 120);
    struct yc_buf body;
    struct answer a;
    uint8_t reg[YC_HASH_LEN], grant[YC_HASH_LEN], grant2[YC_HASH_LEN];
    /* a new key registers itself and, before any block, grants a consent */
    body_register(&body, "Bob");
    assert_int_equal(send_tx(&e, 9, 0, YC_TX_ACCOUNT_REGISTER, &body, reg, &a), YC_OK);
    body_grant(&body, 4, "use", e.t0 + 86400000ull * 365);
    assert_int_equal(send_tx(&e, 9, 1, YC_TX_CONSENT_GRANT, &body, grant, &a), YC_OK);
    assert_int_equal(state_of(&e, reg), YC_TXS_PENDING);
    assert_int_equal(state_of(&e, grant), YC_TXS_PENDING);
    /* the next of the chain is checked in full too: a bad operation is refused here */
    body_grant(&body, 4, "compute", e.t0 + 86400000ull * 365);
    int rc = send_tx(&e, 9, 2, YC_TX_CONSENT_GRANT, &body, grant2, &a);
    assert_int_equal(rc, YC_EBADFIELD);
    if (a.why[0] != '\0') /* once core's rules give words, they name the field */
        assert_non_null(strstr(a.why, "operations"));
    struct yc_tx_status st;
    yc_node_tx_status(&e.n, grant2, &st);
    assert_int_equal(st.state, YC_TXS_REFUSED);
    assert_int_equal(st.code, YC_EBADFIELD);
    assert_null(yc_mempool_get(e.n.mp, grant2)); /* never entered: never gossiped */
    /* after a block the chain is rebuilt from the mempool: the same holds */
    yc__submit_block_committed(&e.n);
    body_grant(&body, 4, "use", e.t0 + 86400000ull * 30);
    assert_int_equal(send_tx(&e, 9, 2, YC_TX_CONSENT_GRANT, &body, grant2, &a), YC_OK);
    uint64_t committed, pending;
    uint8_t bob[YC_PUBKEY_LEN];
    pub_of(9, bob);
    yc_node_pending_nonce(&e.n, bob, &committed, &pending);
    assert_int_equal(committed, 0);
    assert_int_equal(pending, 3);
    env_free(&e);
}

static void test_failing_refused_gap_prechecked(void **state)
{
    (void)state;
    struct env e;
    env_init(&e, 64, 64, 120);
    struct yc_buf body;
    struct answer a;
    uint8_t t1[YC_HASH_LEN], t2[YC_HASH_LEN], t4[YC_HASH_LEN];
    /* alice holds 500: 400 goes, a second 400 would fail on her own pending state */
    body_transfer(&body, 2, 400);
    assert_int_equal(send_tx(&e, 3, 0, YC_TX_TOKEN_TRANSFER, &body, t1, &a), YC_OK);
    body_transfer(&body, 2, 400);
    assert_int_equal(send_tx(&e, 3, 1, YC_TX_TOKEN_TRANSFER, &body, t2, &a), YC_EBALANCE);
    assert_int_equal(state_of(&e, t2), YC_TXS_REFUSED);
    assert_int_equal(e.n.metrics.txs_rejected_total, 1);
    /* one after a nonce gap gets the pre-check only: admitted, waiting */
    body_transfer(&body, 2, 400);
    assert_int_equal(send_tx(&e, 3, 3, YC_TX_TOKEN_TRANSFER, &body, t4, &a), YC_OK);
    assert_int_equal(state_of(&e, t4), YC_TXS_PENDING);
    /* a nonce already used is refused with the next one named */
    body_transfer(&body, 2, 1);
    assert_int_equal(send_tx(&e, 3, 0, YC_TX_TOKEN_TRANSFER, &body, t2, &a), YC_EBADNONCE);
    assert_non_null(strstr(a.why, "nonce"));
    /* the same resubmitted while held: duplicate */
    body_transfer(&body, 2, 400);
    assert_int_equal(send_tx(&e, 3, 0, YC_TX_TOKEN_TRANSFER, &body, t1, &a), YC_EDUPTX);
    env_free(&e);
}

static void test_per_sender_cap_and_gap_words(void **state)
{
    (void)state;
    struct env e;
    env_init(&e, 3, 4, 120);
    struct yc_buf body;
    struct answer a;
    uint8_t id[YC_HASH_LEN];
    for (uint64_t k = 0; k < 3; k++) {
        body_transfer(&body, 2, 1);
        assert_int_equal(send_tx(&e, 3, k, YC_TX_TOKEN_TRANSFER, &body, id, &a), YC_OK);
    }
    body_transfer(&body, 2, 1);
    assert_int_equal(send_tx(&e, 3, 3, YC_TX_TOKEN_TRANSFER, &body, id, &a), YC_EMEMPOOLFULL);
    assert_non_null(strstr(a.why, "mempool.max_txs_per_sender"));
    assert_int_equal(state_of(&e, id), YC_TXS_UNKNOWN); /* retry later: not remembered */
    /* the processor's nonce 5 is beyond a gap of 4 */
    body_transfer(&body, 2, 1);
    assert_int_equal(send_tx(&e, 4, 5, YC_TX_TOKEN_TRANSFER, &body, id, &a), YC_EBADNONCE);
    assert_non_null(strstr(a.why, "mempool.max_nonce_gap"));
    env_free(&e);
}

static int watched;
static enum yc_tx_state watched_state;

static void watch_cb(void *ctx, const uint8_t id[YC_HASH_LEN], const struct yc_tx_status *st)
{
    (void)ctx;
    (void)id;
    watched++;
    watched_state = st->state;
}

static void test_expiry(void **state)
{
    (void)state;
    struct env e;
    env_init(&e, 64, 64, 1);
    struct yc_buf body, tx;
    struct answer a;
    uint8_t id[YC_HASH_LEN];
    /* waits after a gap that is never filled */
    body_transfer(&body, 2, 1);
    build(&e, 3, 2, YC_TX_TOKEN_TRANSFER, &body, &tx, id);
    yc_buf_cleanup(&body);
    assert_int_equal(submit(&e, &tx, &a), YC_OK);
    watched = 0;
    yc_node_watch *w = yc_node_watch_tx(&e.n, id, 60000, watch_cb, NULL);
    assert_non_null(w);
    uv_sleep(1100);
    uv_update_time(&e.loop);
    yc__submit_expire(&e.n);
    assert_int_equal(watched, 1);
    assert_int_equal(watched_state, YC_TXS_EXPIRED);
    struct yc_tx_status st;
    yc_node_tx_status(&e.n, id, &st);
    assert_int_equal(st.state, YC_TXS_EXPIRED);
    assert_string_equal(yc_tx_status_code(&st), "expired");
    assert_string_equal(yc_tx_state_name(st.state), "expired");
    assert_int_equal(e.n.metrics.txs_expired_total, 1);
    assert_null(yc_mempool_get(e.n.mp, id));
    /* a peer's copy does not bring it back */
    assert_int_equal(yc__node_submit_gossip(&e.n, tx.data, tx.len), YC_OK);
    for (int i = 0; i < 50; i++) {
        uv_run(&e.loop, UV_RUN_NOWAIT);
        uv_sleep(1);
    }
    assert_null(yc_mempool_get(e.n.mp, id));
    assert_int_equal(state_of(&e, id), YC_TXS_EXPIRED);
    /* its sender sending it again does */
    assert_int_equal(submit(&e, &tx, &a), YC_OK);
    assert_int_equal(state_of(&e, id), YC_TXS_PENDING);
    yc_buf_cleanup(&tx);
    env_free(&e);
}

/* A proposal's tx is found decoded where this node holds it: in flight (its signature
 * check queued), then in the mempool once admitted; other bytes are never found. */
static void test_found_by_bytes_in_flight_then_held(void **state)
{
    (void)state;
    struct env e;
    env_init(&e, 64, 64, 120);
    struct yc_buf body, tx;
    uint8_t id[YC_HASH_LEN];
    body_register(&body, "Bob");
    build(&e, 9, 0, YC_TX_ACCOUNT_REGISTER, &body, &tx, id);
    yc_buf_cleanup(&body);
    struct answer a = {0};
    assert_int_equal(yc_node_submit(&e.n, tx.data, tx.len, answer_cb, &a), YC_OK);
    const struct yc_tx *t = yc__submit_find(&e.n, tx.data, tx.len);
    assert_non_null(t); /* its check is queued: not admitted yet */
    assert_memory_equal(t->id, id, YC_HASH_LEN);
    assert_null(yc_mempool_find(e.n.mp, tx.data, tx.len));
    struct yc_tx copy;
    assert_int_equal(yc__tx_from_mempool(&e.n, tx.data, tx.len, &copy), YC_OK);
    assert_memory_equal(copy.id, id, YC_HASH_LEN);
    yc_tx_cleanup(&copy);
    tx.data[tx.len - 1] ^= 1;
    assert_null(yc__submit_find(&e.n, tx.data, tx.len));
    assert_int_not_equal(yc__tx_from_mempool(&e.n, tx.data, tx.len, &copy), YC_OK);
    assert_null(copy.bytes);
    tx.data[tx.len - 1] ^= 1;
    for (int i = 0; i < 5000 && !a.done; i++) {
        uv_run(&e.loop, UV_RUN_NOWAIT);
        if (!a.done)
            uv_sleep(1);
    }
    assert_true(a.done);
    assert_int_equal(a.code, YC_OK);
    assert_null(yc__submit_find(&e.n, tx.data, tx.len)); /* admitted: no longer in flight */
    t = yc_mempool_find(e.n.mp, tx.data, tx.len);
    assert_non_null(t);
    assert_memory_equal(t->id, id, YC_HASH_LEN);
    assert_int_equal(yc__tx_from_mempool(&e.n, tx.data, tx.len, &copy), YC_OK);
    assert_memory_equal(copy.id, id, YC_HASH_LEN);
    yc_tx_cleanup(&copy);
    yc_buf_cleanup(&tx);
    env_free(&e);
}

/* Runs the loop until the gossiped tx `id` is held or answered (a few turns at most). */
static void pump_gossip(struct env *e, const uint8_t id[YC_HASH_LEN])
{
    for (int i = 0; i < 5000 && yc_idmap_get(&e->n.inflight, id) != NULL; i++) {
        uv_run(&e->loop, UV_RUN_NOWAIT);
        uv_sleep(1);
    }
    uv_run(&e->loop, UV_RUN_NOWAIT); /* its answer: on the next turn */
    assert_null(yc_idmap_get(&e->n.inflight, id));
}

/* A tx in a block, committed or failed, sent again or gossiped again is a duplicate: the
 * tx index is asked for a nonce below its sender's next (committed, after the block); a
 * new tx with such a nonce is refused naming the next one; the next one is admitted. */
static void test_in_a_block_is_duplicate(void **state)
{
    (void)state;
    struct env e;
    env_init(&e, 64, 64, 120);
    struct yc_buf body, tx1, tx2;
    struct answer a;
    uint8_t t1[YC_HASH_LEN], t2[YC_HASH_LEN], id[YC_HASH_LEN];
    /* alice holds 500: 400 goes; a second 400, gossiped (pre-checked only), fails */
    body_transfer(&body, 2, 400);
    build(&e, 3, 0, YC_TX_TOKEN_TRANSFER, &body, &tx1, t1);
    yc_buf_cleanup(&body);
    assert_int_equal(submit(&e, &tx1, &a), YC_OK);
    body_transfer(&body, 2, 400);
    build(&e, 3, 1, YC_TX_TOKEN_TRANSFER, &body, &tx2, t2);
    yc_buf_cleanup(&body);
    assert_int_equal(yc__node_submit_gossip(&e.n, tx2.data, tx2.len), YC_OK);
    pump_gossip(&e, t2);
    assert_int_equal(state_of(&e, t2), YC_TXS_PENDING);

    struct yc_build_limits lim = {.max_txs = 16, .max_bytes = 1u << 20};
    struct yc_exec_block *blk = NULL;
    assert_int_equal(yc__build_block(&e.n, e.n.tip.height + 1, 0, 0, &lim, &blk), YC_OK);
    assert_non_null(blk);
    assert_int_equal(blk->block.ntx, 2);
    assert_int_equal(blk->block.results[0], YC_OK);
    assert_int_equal(blk->block.results[1], YC_EBALANCE);
    struct yc_cert cert;
    memset(&cert, 0, sizeof cert);
    yc__store_block(&e.n, blk, &cert);
    yc__exec_block_free(blk);
    e.n.validator_index = 0; /* the commit found no validator key here (role.c) */
    assert_int_equal(state_of(&e, t1), YC_TXS_COMMITTED);
    assert_int_equal(state_of(&e, t2), YC_TXS_FAILED);

    assert_int_equal(submit(&e, &tx1, &a), YC_EDUPTX);
    assert_int_equal(submit(&e, &tx2, &a), YC_EDUPTX);
    uint64_t dup = e.n.metrics.gossip_txs_dropped_total[YC_GOSSIP_DROP_DUPLICATE];
    assert_int_equal(yc__node_submit_gossip(&e.n, tx1.data, tx1.len), YC_OK);
    pump_gossip(&e, t1);
    assert_int_equal(yc__node_submit_gossip(&e.n, tx2.data, tx2.len), YC_OK);
    pump_gossip(&e, t2);
    assert_int_equal(e.n.metrics.gossip_txs_dropped_total[YC_GOSSIP_DROP_DUPLICATE], dup + 2);
    assert_int_equal(state_of(&e, t1), YC_TXS_COMMITTED);
    assert_int_equal(state_of(&e, t2), YC_TXS_FAILED);

    body_transfer(&body, 2, 1);
    assert_int_equal(send_tx(&e, 3, 1, YC_TX_TOKEN_TRANSFER, &body, id, &a), YC_EBADNONCE);
    assert_string_equal(a.why, "nonce: 1 is already used; the sender's next nonce is 2");
    body_transfer(&body, 2, 1);
    assert_int_equal(send_tx(&e, 3, 2, YC_TX_TOKEN_TRANSFER, &body, id, &a), YC_OK);
    yc_buf_cleanup(&tx1);
    yc_buf_cleanup(&tx2);
    env_free(&e);
}

/* A block moves each of its senders' base in the mempool to the sender's last nonce in
 * it + 1: a pending tx of that sender whose nonce the block used is dropped, refused
 * with its words, a later one stays, ready. While the sender holds that later one, the
 * block's tx sent or gossiped again is a duplicate, answered before its signature is
 * checked (the mempool's base says its nonce is used, so the tx index is asked). */
static void test_block_moves_held_sender(void **state)
{
    (void)state;
    struct env e;
    env_init(&e, 64, 64, 120);
    uint8_t alice[YC_PUBKEY_LEN];
    pub_of(3, alice);
    struct yc_buf body, txa, txa2;
    struct answer a;
    uint8_t ta[YC_HASH_LEN], ta2[YC_HASH_LEN], tb[YC_HASH_LEN];
    body_transfer(&body, 2, 10);
    build(&e, 3, 0, YC_TX_TOKEN_TRANSFER, &body, &txa, ta);
    yc_buf_cleanup(&body);
    assert_int_equal(submit(&e, &txa, &a), YC_OK);
    struct yc_build_limits lim = {.max_txs = 16, .max_bytes = 1u << 20};
    struct yc_exec_block *blk = NULL;
    assert_int_equal(yc__build_block(&e.n, e.n.tip.height + 1, 0, 0, &lim, &blk), YC_OK);
    assert_non_null(blk);
    assert_int_equal(blk->block.ntx, 1);

    /* as if the block came from elsewhere: this node holds another tx of nonce 0 */
    assert_true(yc_mempool_remove(e.n.mp, ta));
    yc__submit_forget_sender(&e.n, alice);
    body_transfer(&body, 2, 20);
    build(&e, 3, 0, YC_TX_TOKEN_TRANSFER, &body, &txa2, ta2);
    yc_buf_cleanup(&body);
    assert_int_equal(submit(&e, &txa2, &a), YC_OK);
    body_transfer(&body, 2, 30);
    assert_int_equal(send_tx(&e, 3, 1, YC_TX_TOKEN_TRANSFER, &body, tb, &a), YC_OK);

    struct yc_cert cert;
    memset(&cert, 0, sizeof cert);
    yc__store_block(&e.n, blk, &cert);
    yc__exec_block_free(blk);
    e.n.validator_index = 0; /* the commit found no validator key here (role.c) */
    assert_int_equal(state_of(&e, ta), YC_TXS_COMMITTED);
    struct yc_tx_status st;
    yc_node_tx_status(&e.n, ta2, &st);
    assert_int_equal(st.state, YC_TXS_REFUSED);
    assert_int_equal(st.code, YC_EBADNONCE);
    assert_string_equal(st.why, "nonce: used by another transaction of its sender, now in a block");
    assert_int_equal(state_of(&e, tb), YC_TXS_PENDING);
    struct yc_mempool_sender_info si;
    assert_true(yc_mempool_sender(e.n.mp, alice, &si));
    assert_int_equal(si.base, 1);
    assert_int_equal(si.count, 1);
    assert_int_equal(si.nready, 1);

    uint64_t verified, hits, verified2, hits2;
    yc_verifier_counters(e.n.ver, &verified, &hits);
    assert_int_equal(submit(&e, &txa, &a), YC_EDUPTX);
    uint64_t dup = e.n.metrics.gossip_txs_dropped_total[YC_GOSSIP_DROP_DUPLICATE];
    assert_int_equal(yc__node_submit_gossip(&e.n, txa.data, txa.len), YC_OK);
    pump_gossip(&e, ta);
    assert_int_equal(e.n.metrics.gossip_txs_dropped_total[YC_GOSSIP_DROP_DUPLICATE], dup + 1);
    yc_verifier_counters(e.n.ver, &verified2, &hits2);
    assert_int_equal(verified2, verified);
    assert_int_equal(hits2, hits);
    assert_int_equal(state_of(&e, tb), YC_TXS_PENDING);
    yc_buf_cleanup(&txa);
    yc_buf_cleanup(&txa2);
    env_free(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dependent_chain_admitted),
        cmocka_unit_test(test_failing_refused_gap_prechecked),
        cmocka_unit_test(test_per_sender_cap_and_gap_words),
        cmocka_unit_test(test_expiry),
        cmocka_unit_test(test_found_by_bytes_in_flight_then_held),
        cmocka_unit_test(test_in_a_block_is_duplicate),
        cmocka_unit_test(test_block_moves_held_sender),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
