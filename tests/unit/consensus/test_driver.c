/*
 * test_driver.c — the pure consensus driver (yc/driver.h): the order of its effects and
 * when it proposes, with fake effects that record every call. Four drivers exchange
 * their messages through a FIFO queue; verdicts on proposals are given by the test,
 * after the effect that asked for them returned (the callback rule).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "helper_pbft.h"
#include "yc/alloc.h"
#include "yc/driver.h"

#define N 4
#define MAXLOG 512
#define MAXQ 1024

enum kind { K_PERSIST, K_SEND, K_CHECK, K_STORE, K_BUILD, K_ARM, K_PRUNE, K_NOTE };

struct entry {
    enum kind k;
    uint64_t height, view, at;
    uint8_t *bytes; /* persist, send: a copy */
    size_t len;
};

struct net;

struct node {
    struct net *net;
    uint32_t idx;
    yc_drv *d;
    struct entry log[MAXLOG];
    size_t nlog;
    int last_rc;                   /* of the last input */
    bool fail_persist, fail_store; /* the next such effect fails */
    bool batched;                  /* journals through persist_all, not persist */
    size_t most_per_call;          /* the most records one persist_all call held */
    bool reject;                   /* answers every proposal with ok = false */
    bool hold_checks;              /* leaves verdicts unanswered */
    bool late_preprepare;          /* PRE-PREPAREs to it wait in net->late */
    int build_rc;                  /* what build returns (YC_OK: a block) */
    uint64_t max_height;           /* build finds nothing above */
    uint8_t tip[YC_HASH_LEN];      /* hash of the last stored block */
    uint64_t stored;               /* its height */
    uint8_t *built;
};

struct qmsg {
    uint32_t from, to;
    uint8_t *bytes;
    size_t len;
};

struct qcheck {
    bool done;
    uint32_t node;
    uint64_t height, view;
    uint8_t digest[YC_HASH_LEN];
};

struct net {
    struct fx fx;
    uint32_t n;
    struct node nodes[N];
    struct qmsg q[MAXQ];
    size_t qhead, qtail;
    struct qcheck checks[MAXQ];
    size_t ctail;
    struct qmsg late[8]; /* PRE-PREPAREs held back for late_preprepare nodes */
    size_t nlate;
    uint64_t now;
};

static struct entry *logged(struct node *x, enum kind k)
{
    assert_true(x->nlog < MAXLOG);
    struct entry *e = &x->log[x->nlog++];
    memset(e, 0, sizeof *e);
    e->k = k;
    return e;
}

static int io_persist(void *ctx, uint64_t height, const uint8_t *rec, size_t len)
{
    struct node *x = ctx;
    if (x->fail_persist)
        return YC_EIO;
    struct entry *e = logged(x, K_PERSIST);
    e->height = height;
    e->bytes = yc_memdup(rec, len);
    e->len = len;
    return YC_OK;
}

static int io_persist_all(void *ctx, uint64_t height, const struct pbft_record *recs, size_t n)
{
    struct node *x = ctx;
    assert_true(n > 0);
    if (x->most_per_call < n)
        x->most_per_call = n;
    for (size_t i = 0; i < n; i++) {
        int rc = io_persist(ctx, height, recs[i].bytes, recs[i].len);
        if (rc != YC_OK)
            return rc;
    }
    return YC_OK;
}

/* Whether a message is a PRE-PREPARE: its "type" text is "preprepare". */
static bool is_preprepare(const uint8_t *msg, size_t len)
{
    static const char type[] = "preprepare";
    for (size_t i = 0; i + sizeof type - 1 <= len; i++)
        if (memcmp(msg + i, type, sizeof type - 1) == 0)
            return true;
    return false;
}

static void io_send(void *ctx, uint32_t to, const uint8_t *msg, size_t len)
{
    struct node *x = ctx;
    struct net *net = x->net;
    struct entry *e = logged(x, K_SEND);
    e->bytes = yc_memdup(msg, len);
    e->len = len;
    for (uint32_t v = 0; v < net->n; v++) {
        if (v == x->idx || (to != PBFT_BROADCAST && to != v))
            continue;
        struct qmsg m = {.from = x->idx, .to = v, .bytes = yc_memdup(msg, len), .len = len};
        if (net->nodes[v].late_preprepare && is_preprepare(msg, len)) {
            assert_true(net->nlate < sizeof net->late / sizeof net->late[0]);
            net->late[net->nlate++] = m;
            continue;
        }
        assert_true(net->qtail < MAXQ);
        net->q[net->qtail++] = m;
    }
}

static void io_check(void *ctx, const struct pbft_proposal *p)
{
    struct node *x = ctx;
    struct net *net = x->net;
    struct entry *e = logged(x, K_CHECK);
    e->height = p->height;
    e->view = p->view;
    assert_true(net->ctail < MAXQ);
    struct qcheck *c = &net->checks[net->ctail++];
    c->node = x->idx;
    c->height = p->height;
    c->view = p->view;
    memcpy(c->digest, p->digest, YC_HASH_LEN);
}

static int io_store(void *ctx, const struct pbft_commit *c, const struct yc_valset **next)
{
    struct node *x = ctx;
    *next = NULL;
    if (x->fail_store)
        return YC_EIO;
    struct entry *e = logged(x, K_STORE);
    e->height = c->height;
    assert_int_equal(c->height, x->stored + 1);
    memcpy(x->tip, c->digest, YC_HASH_LEN);
    x->stored = c->height;
    return YC_OK;
}

static int io_build(void *ctx, uint64_t height, uint64_t view, bool allow_empty,
                    const uint8_t **block, size_t *len)
{
    struct node *x = ctx;
    (void)allow_empty;
    struct entry *e = logged(x, K_BUILD);
    e->height = height;
    e->view = view;
    if (x->build_rc != YC_OK)
        return x->build_rc;
    if (height > x->max_height)
        return YC_ENOTFOUND;
    uint8_t digest[YC_HASH_LEN];
    yc_free(x->built);
    x->built = fx_block(&x->net->fx, height, view, x->idx, x->tip, 1000 + height, len, digest);
    *block = x->built;
    return YC_OK;
}

static void io_arm(void *ctx, uint64_t at_ms)
{
    logged(ctx, K_ARM)->at = at_ms;
}

static int io_prune(void *ctx, uint64_t height)
{
    logged(ctx, K_PRUNE)->height = height;
    return YC_OK;
}

static void io_note(void *ctx, const struct yc_drv_note *n)
{
    struct entry *e = logged(ctx, K_NOTE);
    e->height = n->height;
    e->view = n->view;
}

static struct yc_drv_config config(struct net *net, uint32_t self)
{
    return (struct yc_drv_config){
        .pbft = fx_config(&net->fx, self),
        .batch_max_txs = 10,
        .batch_max_bytes = 1 << 20,
        .batch_delay_ms = 20,
        .create_empty_blocks = true,
        .empty_interval_ms = 0,
    };
}

static void start(struct net *net, uint32_t i, const struct yc_drv_config *cfg)
{
    struct node *x = &net->nodes[i];
    struct yc_drv_io io = {.ctx = x,
                           .persist = io_persist,
                           .send = io_send,
                           .check = io_check,
                           .store = io_store,
                           .build = io_build,
                           .arm = io_arm,
                           .prune = io_prune,
                           .note = io_note};
    if (x->batched) {
        io.persist = NULL;
        io.persist_all = io_persist_all;
    }
    x->last_rc = yc_drv_create(&x->d, cfg, &io, 1, net->fx.g.hash, NULL, 0, net->now);
}

static void net_init(struct net *net, uint32_t n, uint64_t max_height)
{
    memset(net, 0, sizeof *net);
    fx_init(&net->fx, n);
    net->n = n;
    for (uint32_t i = 0; i < n; i++) {
        struct node *x = &net->nodes[i];
        x->net = net;
        x->idx = i;
        x->max_height = max_height;
        memcpy(x->tip, net->fx.g.hash, YC_HASH_LEN);
    }
}

static void net_start(struct net *net)
{
    for (uint32_t i = 0; i < net->n; i++) {
        struct yc_drv_config cfg = config(net, i);
        start(net, i, &cfg);
        assert_int_equal(net->nodes[i].last_rc, YC_OK);
    }
}

static void net_free(struct net *net)
{
    for (uint32_t i = 0; i < net->n; i++) {
        struct node *x = &net->nodes[i];
        yc_drv_destroy(x->d);
        yc_free(x->built);
        for (size_t k = 0; k < x->nlog; k++)
            yc_free(x->log[k].bytes);
    }
    for (size_t k = net->qhead; k < net->qtail; k++)
        yc_free(net->q[k].bytes);
    for (size_t k = 0; k < net->nlate; k++)
        yc_free(net->late[k].bytes);
    fx_cleanup(&net->fx);
}

/* Delivers messages and verdicts until none is left; then ticks, up to `ticks` times. */
static void run(struct net *net, int ticks)
{
    for (int t = 0; t <= ticks; t++) {
        bool moved = true;
        while (moved) {
            moved = false;
            if (net->qhead < net->qtail) {
                struct qmsg m = net->q[net->qhead++];
                struct node *x = &net->nodes[m.to];
                int refused;
                if (x->d != NULL && x->last_rc == YC_OK)
                    x->last_rc = yc_drv_step(x->d, m.from, m.bytes, m.len, net->now, &refused);
                yc_free(m.bytes);
                moved = true;
            } else {
                for (size_t k = 0; k < net->ctail && !moved; k++) {
                    struct qcheck *c = &net->checks[k];
                    struct node *x = &net->nodes[c->node];
                    if (c->done || x->hold_checks)
                        continue;
                    c->done = true;
                    if (x->last_rc == YC_OK)
                        x->last_rc = yc_drv_checked(x->d, c->height, c->view, c->digest, !x->reject,
                                                    net->now);
                    moved = true;
                }
            }
        }
        if (t == ticks)
            break;
        net->now += 100;
        for (uint32_t i = 0; i < net->n; i++) {
            struct node *x = &net->nodes[i];
            if (x->d != NULL && x->last_rc == YC_OK)
                x->last_rc = yc_drv_tick(x->d, net->now);
        }
    }
}

/* Index of the first entry of kind k (and height h, unless h is 0) from `from`, or -1. */
static long find(const struct node *x, enum kind k, uint64_t h, size_t from)
{
    for (size_t i = from; i < x->nlog; i++)
        if (x->log[i].k == k && (h == 0 || x->log[i].height == h))
            return (long)i;
    return -1;
}

/* Every message a node sent was persisted by it before, byte for byte (a vote's record
 * is the message as sent). */
static void assert_persisted_before_sent(const struct node *x)
{
    for (size_t i = 0; i < x->nlog; i++) {
        if (x->log[i].k != K_SEND)
            continue;
        bool found = false;
        for (size_t j = 0; j < i && !found; j++)
            found = x->log[j].k == K_PERSIST && x->log[j].len == x->log[i].len &&
                    memcmp(x->log[j].bytes, x->log[i].bytes, x->log[i].len) == 0;
        assert_true(found);
    }
}

static void test_order_of_effects(void **state)
{
    (void)state;
    struct net net;
    net_init(&net, N, 2);
    net_start(&net);
    run(&net, 5);
    for (uint32_t i = 0; i < N; i++) {
        struct node *x = &net.nodes[i];
        assert_int_equal(x->last_rc, YC_OK);
        assert_int_equal(x->stored, 2);
        assert_persisted_before_sent(x);
        for (uint64_t h = 1; h <= 2; h++) {
            long store = find(x, K_STORE, h, 0), prune = find(x, K_PRUNE, h, 0);
            assert_true(store >= 0);
            /* the journal of h goes only after h is stored */
            assert_true(prune > store);
            /* nothing of height h + 1 is journaled (so nothing of it is sent) before h is
             * stored: the next height is decided only after the store */
            long next = find(x, K_PERSIST, h + 1, 0);
            assert_true(next == -1 || next > store);
        }
        /* the other primaries' proposals went to check, the own one did not */
        uint32_t primary1 = pbft_primary(N, 1, 0);
        assert_true((find(x, K_CHECK, 1, 0) >= 0) == (i != primary1));
        assert_true((find(x, K_BUILD, 1, 0) >= 0) == (i == primary1));
        struct yc_drv_status st;
        yc_drv_status(x->d, &st);
        assert_int_equal(st.height, 3);
        assert_false(st.stopped);
    }
    net_free(&net);
}

/* persist_all: the records of one ready in one call, in order, each before anything
 * of its ready is sent */
static void test_persist_all(void **state)
{
    (void)state;
    struct net net;
    net_init(&net, N, 2);
    for (uint32_t i = 0; i < N; i++)
        net.nodes[i].batched = true;
    net_start(&net);
    run(&net, 5);
    size_t most = 0;
    for (uint32_t i = 0; i < N; i++) {
        struct node *x = &net.nodes[i];
        assert_int_equal(x->last_rc, YC_OK);
        assert_int_equal(x->stored, 2);
        assert_persisted_before_sent(x);
        if (most < x->most_per_call)
            most = x->most_per_call;
    }
    assert_true(most >= 2); /* a prepared certificate with its COMMIT */
    net_free(&net);
}

static void failed_persist_sends_nothing(bool batched)
{
    struct net net;
    net_init(&net, N, 2);
    uint32_t p = pbft_primary(N, 1, 0);
    for (uint32_t i = 0; i < N; i++) {
        net.nodes[i].batched = batched;
        struct yc_drv_config cfg = config(&net, i);
        cfg.empty_interval_ms = 100;
        start(&net, i, &cfg);
        assert_int_equal(net.nodes[i].last_rc, YC_OK);
    }
    struct node *x = &net.nodes[p];
    x->fail_persist = true;
    run(&net, 1); /* the primary builds at 100 ms */
    assert_int_equal(x->last_rc, YC_EIO);
    assert_true(find(x, K_BUILD, 1, 0) >= 0);
    assert_int_equal(find(x, K_SEND, 0, 0), -1); /* its PRE-PREPARE never left */
    assert_int_equal(net.qtail, 0);
    struct yc_drv_status st;
    yc_drv_status(x->d, &st);
    assert_true(st.stopped);
    /* stopped for good: every later input is refused and does nothing */
    size_t before = x->nlog;
    assert_int_equal(yc_drv_tick(x->d, 5000), YC_EBUSY);
    struct yc_drv_work w = {.count = 3, .bytes = 300, .oldest_ms = 0};
    assert_int_equal(yc_drv_work(x->d, &w, 5000), YC_EBUSY);
    assert_int_equal(x->nlog, before);
    net_free(&net);
}

static void test_failed_persist_sends_nothing(void **state)
{
    (void)state;
    failed_persist_sends_nothing(false);
}

static void test_failed_persist_all_sends_nothing(void **state)
{
    (void)state;
    failed_persist_sends_nothing(true);
}

static void test_failed_store_stops(void **state)
{
    (void)state;
    struct net net;
    net_init(&net, N, 2);
    uint32_t bad = (pbft_primary(N, 1, 0) + 2) % N; /* not a primary of heights 1, 2 */
    net.nodes[bad].fail_store = true;
    net_start(&net);
    run(&net, 5);
    struct node *x = &net.nodes[bad];
    assert_int_equal(x->last_rc, YC_EIO);
    assert_int_equal(x->stored, 0);
    assert_int_equal(find(x, K_PRUNE, 0, 0), -1);   /* nothing decided */
    assert_int_equal(find(x, K_PERSIST, 2, 0), -1); /* nor voted at the next height */
    struct yc_drv_status st;
    yc_drv_status(x->d, &st);
    assert_true(st.stopped);
    assert_int_equal(st.height, 1);
    /* the three others are a quorum: they go on */
    for (uint32_t i = 0; i < N; i++)
        if (i != bad)
            assert_int_equal(net.nodes[i].stored, 2);
    net_free(&net);
}

static void test_no_vote_before_verdict(void **state)
{
    (void)state;
    struct net net;
    net_init(&net, N, 1);
    uint32_t b = (pbft_primary(N, 1, 0) + 1) % N;
    struct node *x = &net.nodes[b];
    x->hold_checks = true;
    net_start(&net);
    run(&net, 0);
    /* the proposal went to check; with no verdict yet, no PREPARE left */
    assert_true(find(x, K_CHECK, 1, 0) >= 0);
    assert_int_equal(find(x, K_SEND, 0, 0), -1);
    assert_int_equal(find(x, K_PERSIST, 0, 0), -1);
    /* a refusal: still no vote */
    x->hold_checks = false;
    x->reject = true;
    run(&net, 0);
    assert_int_equal(find(x, K_PERSIST, 1, 0), -1);
    /* the three others prepare and commit without it; it learns the commit */
    for (uint32_t i = 0; i < N; i++)
        if (i != b)
            assert_int_equal(net.nodes[i].stored, 1);
    net_free(&net);
}

/* A backup that gets the quorum of COMMITs before the PRE-PREPARE commits the height in
 * the ready that hands out the proposal: the block is stored first and the proposal of
 * the height just decided is not checked (a check would be wasted work, its verdict
 * stale). */
static void test_commit_before_check(void **state)
{
    (void)state;
    struct net net;
    net_init(&net, N, 1);
    uint32_t b = (pbft_primary(N, 1, 0) + 1) % N;
    struct node *x = &net.nodes[b];
    x->late_preprepare = true;
    net_start(&net);
    run(&net, 0);
    for (uint32_t i = 0; i < N; i++)
        assert_int_equal(net.nodes[i].stored, i == b ? 0 : 1);
    /* the PREPAREs and COMMITs are in; the block comes last */
    assert_int_equal(net.nlate, 1);
    struct qmsg m = net.late[0];
    net.nlate = 0;
    int refused;
    x->last_rc = yc_drv_step(x->d, m.from, m.bytes, m.len, net.now, &refused);
    yc_free(m.bytes);
    assert_int_equal(x->last_rc, YC_OK);
    assert_int_equal(refused, YC_OK);
    assert_int_equal(x->stored, 1);
    assert_true(find(x, K_STORE, 1, 0) >= 0);
    assert_int_equal(find(x, K_CHECK, 1, 0), -1);
    assert_int_equal(find(x, K_SEND, 0, 0), -1); /* it never voted at height 1 */
    struct yc_drv_status st;
    yc_drv_status(x->d, &st);
    assert_int_equal(st.height, 2);
    net_free(&net);
}

static void test_when_to_propose(void **state)
{
    (void)state;
    struct net net;
    net_init(&net, 1, 100);
    struct node *x = &net.nodes[0];
    struct yc_drv_config cfg = config(&net, 0);
    cfg.create_empty_blocks = false;
    start(&net, 0, &cfg);
    assert_int_equal(x->last_rc, YC_OK);
    assert_int_equal(find(x, K_BUILD, 0, 0), -1); /* nothing waits: nothing built */
    /* one tx: the batch is due when it has waited batch_delay */
    struct yc_drv_work w = {.count = 1, .bytes = 100, .oldest_ms = 5};
    assert_int_equal(yc_drv_work(x->d, &w, 10), YC_OK);
    assert_int_equal(find(x, K_BUILD, 0, 0), -1);
    long a = find(x, K_ARM, 0, 0);
    assert_true(a >= 0);
    assert_int_equal(x->log[a].at, 25);
    assert_int_equal(yc_drv_tick(x->d, 25), YC_OK);
    long b = find(x, K_BUILD, 1, 0);
    assert_true(b >= 0);
    /* one validator: persisted, stored, then pruned, all in that call */
    long s = find(x, K_STORE, 1, 0);
    assert_true(find(x, K_PERSIST, 1, 0) > b && s > b && find(x, K_PRUNE, 1, 0) > s);
    /* a full batch goes at once */
    w = (struct yc_drv_work){.count = 10, .bytes = 1000, .oldest_ms = 30};
    assert_int_equal(yc_drv_work(x->d, &w, 30), YC_OK);
    assert_true(find(x, K_STORE, 2, 0) >= 0);
    /* nothing to propose (every candidate refused): not asked again until the work changes */
    x->max_height = 2;
    w.oldest_ms = 31;
    assert_int_equal(yc_drv_work(x->d, &w, 40), YC_OK);
    long first = find(x, K_BUILD, 3, 0);
    assert_true(first >= 0);
    assert_int_equal(yc_drv_work(x->d, &w, 41), YC_OK);
    assert_int_equal(yc_drv_tick(x->d, 100), YC_OK);
    assert_int_equal(find(x, K_BUILD, 3, (size_t)first + 1), -1);
    w.count = 11;
    assert_int_equal(yc_drv_work(x->d, &w, 110), YC_OK);
    first = find(x, K_BUILD, 3, (size_t)first + 1);
    assert_true(first >= 0);
    /* a failed build is tried again after 100 ms, then 200 ms */
    x->build_rc = YC_ENOMEM;
    w.count = 12;
    assert_int_equal(yc_drv_work(x->d, &w, 200), YC_OK);
    a = find(x, K_ARM, 0, x->nlog - 1);
    assert_true(a >= 0);
    assert_int_equal(x->log[a].at, 300);
    assert_int_equal(yc_drv_tick(x->d, 250), YC_OK); /* too early: no build */
    size_t nb = 0;
    for (size_t i = 0; i < x->nlog; i++)
        nb += x->log[i].k == K_BUILD;
    assert_int_equal(yc_drv_tick(x->d, 300), YC_OK);
    size_t nb2 = 0;
    for (size_t i = 0; i < x->nlog; i++)
        nb2 += x->log[i].k == K_BUILD;
    assert_int_equal(nb2, nb + 1);
    assert_int_equal(x->log[x->nlog - 1].k, K_ARM);
    assert_int_equal(x->log[x->nlog - 1].at, 500);
    net_free(&net);
}

static void test_startup_hold(void **state)
{
    (void)state;
    struct net net;
    net_init(&net, N, 1);
    uint32_t p = pbft_primary(N, 1, 0);
    struct node *x = &net.nodes[p];
    struct yc_drv_config cfg = config(&net, p);
    cfg.startup_hold_ms = 2000;
    start(&net, p, &cfg);
    assert_int_equal(x->last_rc, YC_OK);
    assert_int_equal(yc_drv_tick(x->d, 100), YC_OK);
    assert_int_equal(find(x, K_BUILD, 0, 0), -1); /* held: the peers are not connected */
    yc_drv_peers(x->d, true);
    assert_int_equal(yc_drv_tick(x->d, 150), YC_OK);
    long b = find(x, K_BUILD, 1, 0);
    assert_true(b >= 0);
    assert_true(find(x, K_SEND, 0, 0) > find(x, K_PERSIST, 1, 0));
    net_free(&net);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_order_of_effects),
        cmocka_unit_test(test_failed_persist_sends_nothing),
        cmocka_unit_test(test_persist_all),
        cmocka_unit_test(test_failed_persist_all_sends_nothing),
        cmocka_unit_test(test_failed_store_stops),
        cmocka_unit_test(test_no_vote_before_verdict),
        cmocka_unit_test(test_commit_before_check),
        cmocka_unit_test(test_when_to_propose),
        cmocka_unit_test(test_startup_hold),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
