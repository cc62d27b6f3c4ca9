/*
 * test_ledger_consent.c — consent.grant, consent.revoke and usage.record: every rule
 * of issue 2 with its stable code, refusals leaving state and nonce unchanged, the
 * per-use fee moving from processor to subject, and a use after revocation refused
 * with consent_revoked.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "helper_ledger.h"
#include "yc/alloc.h"
#include "yc/objects.h"

#define HOUR_MS 3600000ull

struct fx {
    struct tchain tc;
    struct yc_buf body;
};

static int setup(void **st)
{
    struct fx *f = calloc(1, sizeof *f);
    tc_init(&f->tc);
    yc_buf_init(&f->body, 0);
    *st = f;
    return 0;
}

static int teardown(void **st)
{
    struct fx *f = *st;
    yc_buf_cleanup(&f->body);
    tc_cleanup(&f->tc);
    free(f);
    return 0;
}

/* A valid grant from alice to the processor, one hour long. */
static struct hb_grant grant_of(struct tchain *tc)
{
    struct hb_grant g = {
        .processor = tc->pub[TC_PROCESSOR],
        .categories = {"health.steps", "location:city", NULL},
        .purposes = {"research", "insurance", NULL},
        .operations = {"hold", "use", NULL},
        .jurisdiction = "CN-CQ",
        .until = tc->time_ms + HOUR_MS,
    };
    return g;
}

static void grant(struct fx *f, const struct hb_grant *g, int code, uint8_t id[32])
{
    hb_grant(&f->body, g);
    tc_expect(&f->tc, TC_ALICE, YC_TX_CONSENT_GRANT, &f->body, code, id);
}

static struct hb_usage use_of(const uint8_t *consent)
{
    struct hb_usage u = {.consent = consent, .purpose = "research", .operation = "use"};
    return u;
}

static void use(struct fx *f, uint32_t who, const struct hb_usage *u, int code, uint8_t id[32])
{
    hb_usage(&f->body, u);
    tc_expect(&f->tc, who, YC_TX_USAGE_RECORD, &f->body, code, id);
}

static bool key_exists(struct tchain *tc, const uint8_t *key, size_t klen)
{
    const uint8_t *v;
    size_t n;
    return yc_overlay_get(tc->blk, key, klen, &v, &n) == YC_OK;
}

/* ---- consent.grant ---- */

static void test_grant_creates_consent_and_indexes(void **st)
{
    struct fx *f = *st;
    struct tchain *tc = &f->tc;
    struct hb_grant g = grant_of(tc);
    g.fee_per_use = 25;
    g.max_uses = 3;
    g.retention_days = 30;
    g.onward_transfer = true;
    uint8_t id[32];
    grant(f, &g, YC_OK, id);

    struct yc_consent c;
    assert_int_equal(tc_consent(tc, id, &c), YC_OK);
    assert_memory_equal(c.subject, tc->pub[TC_ALICE], 33);
    assert_memory_equal(c.processor, tc->pub[TC_PROCESSOR], 33);
    assert_int_equal(c.categories.n, 2);
    assert_int_equal(c.purposes.n, 2);
    assert_int_equal(c.operations.n, 2);
    assert_int_equal(c.fee_per_use, 25);
    assert_int_equal(c.max_uses, 3);
    assert_int_equal(c.retention_days, 30);
    assert_true(c.onward_transfer);
    assert_int_equal(c.granted_at, tc->height);
    assert_int_equal(c.revoked_at, 0);
    assert_int_equal(c.uses, 0);
    assert_string_equal(yc_consent_status(&c, tc->time_ms), "active");
    assert_int_equal(tc_nonce(tc, TC_ALICE), 1);

    uint8_t key[YC_KEY_MAX];
    size_t n = yc_key_idx_consent_subject(key, tc->pub[TC_ALICE]);
    memcpy(key + n, id, 32);
    assert_true(key_exists(tc, key, n + 32));
    n = yc_key_idx_consent_processor(key, tc->pub[TC_PROCESSOR]);
    memcpy(key + n, id, 32);
    assert_true(key_exists(tc, key, n + 32));

    /* an enterprise may grant too */
    hb_grant(&f->body, &g);
    tc_expect(tc, TC_ENTERPRISE, YC_TX_CONSENT_GRANT, &f->body, YC_OK, NULL);
}

static void test_grant_refusals(void **st)
{
    struct fx *f = *st;
    struct tchain *tc = &f->tc;
    struct hb_grant g;

    /* only a data subject (individual or enterprise) grants */
    g = grant_of(tc);
    g.processor = tc->pub[TC_ALICE];
    hb_grant(&f->body, &g);
    tc_expect(tc, TC_PROCESSOR, YC_TX_CONSENT_GRANT, &f->body, YC_ENOTAUTH, NULL);
    tc_expect(tc, TC_EXCHANGE, YC_TX_CONSENT_GRANT, &f->body, YC_ENOTAUTH, NULL);
    /* an unregistered sender */
    tc_expect(tc, TC_CAROL, YC_TX_CONSENT_GRANT, &f->body, YC_EUNKNOWNACCT, NULL);

    g = grant_of(tc);
    g.processor = tc->pub[TC_CAROL];
    grant(f, &g, YC_EUNKNOWNACCT, NULL);
    g.processor = tc->pub[TC_ALICE];
    grant(f, &g, YC_EBADFIELD, NULL);

    const char *empty[] = {NULL};
    g = grant_of(tc);
    memcpy(g.categories, empty, sizeof empty);
    grant(f, &g, YC_EBADFIELD, NULL);
    g = grant_of(tc);
    g.categories[0] = "Health"; /* codes are lowercase */
    grant(f, &g, YC_EBADFIELD, NULL);
    g = grant_of(tc);
    g.categories[1] = "health.steps"; /* duplicate */
    grant(f, &g, YC_EBADFIELD, NULL);
    g = grant_of(tc);
    g.purposes[0] = "research purpose"; /* space */
    grant(f, &g, YC_EBADFIELD, NULL);
    g = grant_of(tc);
    memcpy(g.purposes, empty, sizeof empty);
    grant(f, &g, YC_EBADFIELD, NULL);

    g = grant_of(tc);
    memcpy(g.operations, empty, sizeof empty);
    grant(f, &g, YC_EBADFIELD, NULL);
    g = grant_of(tc);
    g.operations[1] = "delete";
    grant(f, &g, YC_EBADFIELD, NULL);
    g = grant_of(tc);
    g.operations[1] = "hold";
    grant(f, &g, YC_EBADFIELD, NULL);

    g = grant_of(tc);
    g.not_before = g.until;
    grant(f, &g, YC_EBADTIME, NULL);
    g = grant_of(tc);
    g.until = tc->time_ms;
    grant(f, &g, YC_EBADTIME, NULL);

    g = grant_of(tc);
    g.jurisdiction = "cn-cq";
    grant(f, &g, YC_EBADFIELD, NULL);
    g.jurisdiction = "CN-TOOLONG";
    grant(f, &g, YC_EBADFIELD, NULL);
    g.jurisdiction = "SG";
    grant(f, &g, YC_OK, NULL);

    /* every code above left alice's nonce at 0; the grant used it */
    assert_int_equal(tc_nonce(tc, TC_ALICE), 1);
}

static void test_grant_list_over_limit_is_too_many(void **st)
{
    struct fx *f = *st;
    struct tchain *tc = &f->tc;
    static const char *const many[] = {"c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8",
                                       "c9", "ca", "cb", "cc", "cd", "ce", "cf", "cg", NULL};
    struct hb_grant g = grant_of(tc);
    memcpy(g.categories, many, sizeof many);
    hb_grant(&f->body, &g);
    assert_int_equal(tc_decode_code(tc, TC_ALICE, YC_TX_CONSENT_GRANT, &f->body), YC_ETOOMANY);
}

/* ---- consent.revoke ---- */

static void test_revoke_rules(void **st)
{
    struct fx *f = *st;
    struct tchain *tc = &f->tc;
    struct hb_grant g = grant_of(tc);
    uint8_t id[32], other[32];
    grant(f, &g, YC_OK, id);

    memset(other, 0x5a, sizeof other);
    hb_revoke(&f->body, other);
    tc_expect(tc, TC_ALICE, YC_TX_CONSENT_REVOKE, &f->body, YC_EUNKNOWNCONSENT, NULL);
    hb_revoke(&f->body, id);
    tc_expect(tc, TC_BOB, YC_TX_CONSENT_REVOKE, &f->body, YC_ENOTAUTH, NULL);
    tc_expect(tc, TC_PROCESSOR, YC_TX_CONSENT_REVOKE, &f->body, YC_ENOTAUTH, NULL);
    tc_commit(tc);
    tc_expect(tc, TC_ALICE, YC_TX_CONSENT_REVOKE, &f->body, YC_OK, NULL);

    struct yc_consent c;
    assert_int_equal(tc_consent(tc, id, &c), YC_OK);
    assert_int_equal(c.revoked_at, tc->height);
    assert_string_equal(yc_consent_status(&c, tc->time_ms), "revoked");
    tc_expect(tc, TC_ALICE, YC_TX_CONSENT_REVOKE, &f->body, YC_ECONSENTREVOKED, NULL);
}

/* ---- usage.record ---- */

static void test_use_pays_fee_and_counts(void **st)
{
    struct fx *f = *st;
    struct tchain *tc = &f->tc;
    struct hb_grant g = grant_of(tc);
    g.fee_per_use = 120;
    uint8_t cid[32], uid[32];
    grant(f, &g, YC_OK, cid);
    tc_commit(tc);

    uint64_t alice = tc_balance(tc, TC_ALICE);
    uint64_t proc = tc_balance(tc, TC_PROCESSOR);
    uint64_t supply = tc_total_supply(tc);
    uint8_t in[32], out[32];
    memset(in, 1, sizeof in);
    memset(out, 2, sizeof out);
    struct hb_usage u = use_of(cid);
    u.category = "health.steps";
    u.input = in;
    u.output = out;
    use(f, TC_PROCESSOR, &u, YC_OK, uid);

    assert_int_equal(tc_balance(tc, TC_ALICE), alice + 120);
    assert_int_equal(tc_balance(tc, TC_PROCESSOR), proc - 120);
    assert_int_equal(tc_total_supply(tc), supply);
    struct yc_consent c;
    assert_int_equal(tc_consent(tc, cid, &c), YC_OK);
    assert_int_equal(c.uses, 1);

    /* the use record and both index entries */
    uint8_t key[YC_KEY_MAX];
    size_t n = yc_key_usage(key, uid);
    const uint8_t *v;
    size_t vlen;
    assert_int_equal(yc_overlay_get(tc->blk, key, n, &v, &vlen), YC_OK);
    struct yc_usage rec;
    assert_int_equal(yc_usage_decode(&rec, v, vlen), YC_OK);
    assert_memory_equal(rec.authority, cid, 32);
    assert_true(rec.authority_kind.len == 7 && memcmp(rec.authority_kind.p, "consent", 7) == 0);
    assert_memory_equal(rec.subject, tc->pub[TC_ALICE], 33);
    assert_memory_equal(rec.user, tc->pub[TC_PROCESSOR], 33);
    assert_int_equal(rec.fee, 120);
    assert_int_equal(rec.height, tc->height);
    assert_int_equal(rec.time_ms, tc->time_ms);
    assert_true(rec.has_input && rec.has_output);
    assert_memory_equal(rec.input, in, 32);

    n = yc_key_idx_usage_subject(key, tc->pub[TC_ALICE]);
    memset(key + n, 0, 12);
    key[n + 7] = (uint8_t)tc->height; /* u64be height, u32be index 0 */
    assert_int_equal(yc_overlay_get(tc->blk, key, n + 12, &v, &vlen), YC_OK);
    assert_int_equal(vlen, 32);
    assert_memory_equal(v, uid, 32);
    n = yc_key_idx_usage_authority(key, cid);
    memset(key + n, 0, 12);
    key[n + 7] = (uint8_t)tc->height;
    assert_int_equal(yc_overlay_get(tc->blk, key, n + 12, &v, &vlen), YC_OK);
    assert_memory_equal(v, uid, 32);

    /* a category is optional */
    u.category = NULL;
    use(f, TC_PROCESSOR, &u, YC_OK, NULL);
    assert_int_equal(tc_balance(tc, TC_ALICE), alice + 240);
}

static void test_use_refusals(void **st)
{
    struct fx *f = *st;
    struct tchain *tc = &f->tc;
    struct hb_grant g = grant_of(tc);
    uint8_t cid[32], none[32];
    grant(f, &g, YC_OK, cid);
    memset(none, 0x77, sizeof none);
    struct hb_usage u;

    /* exactly one authority: a schema rule */
    u = use_of(cid);
    u.license = none;
    hb_usage(&f->body, &u);
    assert_int_equal(tc_decode_code(tc, TC_PROCESSOR, YC_TX_USAGE_RECORD, &f->body), YC_EBADFIELD);
    u = use_of(NULL);
    hb_usage(&f->body, &u);
    assert_int_equal(tc_decode_code(tc, TC_PROCESSOR, YC_TX_USAGE_RECORD, &f->body), YC_EBADFIELD);

    u = use_of(NULL);
    u.license = none;
    use(f, TC_PROCESSOR, &u, YC_EUNKNOWNLICENSE, NULL);
    u = use_of(none);
    use(f, TC_PROCESSOR, &u, YC_EUNKNOWNCONSENT, NULL);
    u = use_of(cid);
    use(f, TC_BOB, &u, YC_ENOTAUTH, NULL);
    use(f, TC_ALICE, &u, YC_ENOTAUTH, NULL);

    u = use_of(cid);
    u.purpose = "marketing";
    use(f, TC_PROCESSOR, &u, YC_EOUTOFSCOPE, NULL);
    u = use_of(cid);
    u.operation = "collect";
    use(f, TC_PROCESSOR, &u, YC_EOUTOFSCOPE, NULL);
    u = use_of(cid);
    u.category = "health.heart";
    use(f, TC_PROCESSOR, &u, YC_EOUTOFSCOPE, NULL);
    u = use_of(cid);
    u.purpose = "Research";
    use(f, TC_PROCESSOR, &u, YC_EBADFIELD, NULL);

    u = use_of(cid);
    use(f, TC_PROCESSOR, &u, YC_OK, NULL);
}

static void test_use_outside_window_is_expired(void **st)
{
    struct fx *f = *st;
    struct tchain *tc = &f->tc;
    struct hb_grant g = grant_of(tc);
    g.not_before = tc->time_ms + 2000;
    g.until = tc->time_ms + 4000;
    uint8_t cid[32];
    grant(f, &g, YC_OK, cid);
    struct hb_usage u = use_of(cid);

    use(f, TC_PROCESSOR, &u, YC_EEXPIRED, NULL); /* t < not_before */
    tc_commit(tc);
    use(f, TC_PROCESSOR, &u, YC_EEXPIRED, NULL);
    tc_commit(tc); /* t = not_before */
    use(f, TC_PROCESSOR, &u, YC_OK, NULL);
    tc_commit(tc);
    use(f, TC_PROCESSOR, &u, YC_OK, NULL);
    tc_commit(tc); /* t = until */
    use(f, TC_PROCESSOR, &u, YC_EEXPIRED, NULL);

    struct yc_consent c;
    assert_int_equal(tc_consent(tc, cid, &c), YC_OK);
    assert_string_equal(yc_consent_status(&c, tc->time_ms), "expired");
    assert_string_equal(yc_consent_status(&c, g.not_before - 1), "pending");
}

static void test_use_limit_is_no_uses_left(void **st)
{
    struct fx *f = *st;
    struct tchain *tc = &f->tc;
    struct hb_grant g = grant_of(tc);
    g.max_uses = 2;
    uint8_t cid[32];
    grant(f, &g, YC_OK, cid);
    struct hb_usage u = use_of(cid);
    use(f, TC_PROCESSOR, &u, YC_OK, NULL);
    use(f, TC_PROCESSOR, &u, YC_OK, NULL);
    use(f, TC_PROCESSOR, &u, YC_ENOUSESLEFT, NULL);

    struct yc_consent c;
    assert_int_equal(tc_consent(tc, cid, &c), YC_OK);
    assert_int_equal(c.uses, 2);
    assert_string_equal(yc_consent_status(&c, tc->time_ms), "exhausted");
}

static void test_use_fee_beyond_balance_is_insufficient(void **st)
{
    struct fx *f = *st;
    struct tchain *tc = &f->tc;
    struct hb_grant g = grant_of(tc);
    g.fee_per_use = tc_balance(tc, TC_PROCESSOR) + 1;
    uint8_t cid[32];
    grant(f, &g, YC_OK, cid);
    struct hb_usage u = use_of(cid);
    use(f, TC_PROCESSOR, &u, YC_EBALANCE, NULL);
    struct yc_consent c;
    assert_int_equal(tc_consent(tc, cid, &c), YC_OK);
    assert_int_equal(c.uses, 0);
}

/* The story: grant, a paid use, revoke, a later use refused. */
static void test_use_after_revoke_is_consent_revoked(void **st)
{
    struct fx *f = *st;
    struct tchain *tc = &f->tc;
    struct hb_grant g = grant_of(tc);
    g.fee_per_use = 10;
    uint8_t cid[32];
    grant(f, &g, YC_OK, cid);
    tc_commit(tc);
    struct hb_usage u = use_of(cid);
    use(f, TC_PROCESSOR, &u, YC_OK, NULL);
    tc_commit(tc);
    hb_revoke(&f->body, cid);
    tc_expect(tc, TC_ALICE, YC_TX_CONSENT_REVOKE, &f->body, YC_OK, NULL);
    uint64_t alice = tc_balance(tc, TC_ALICE);
    use(f, TC_PROCESSOR, &u, YC_ECONSENTREVOKED, NULL);
    tc_commit(tc);
    use(f, TC_PROCESSOR, &u, YC_ECONSENTREVOKED, NULL);
    assert_int_equal(tc_balance(tc, TC_ALICE), alice);
}

/* ---- allocation failures ---- */

struct failing {
    long left; /* allocations still allowed; -1 = unlimited */
    long count;
};

static void *failing_realloc(void *ctx, void *ptr, size_t size)
{
    struct failing *f = ctx;
    if (size == 0) {
        free(ptr);
        return NULL;
    }
    if (f->left == 0) {
        return NULL;
    }
    if (f->left > 0) {
        f->left--;
    }
    f->count++;
    return realloc(ptr, size);
}

/* Every allocation of a paid use fails in turn: the result is out_of_memory with the
 * block's state untouched (never a verdict), until enough memory gives success. */
static void test_use_under_each_allocation_failure(void **st)
{
    struct fx *f = *st;
    struct tchain *tc = &f->tc;
    struct hb_grant g = grant_of(tc);
    g.fee_per_use = 7;
    uint8_t cid[32];
    grant(f, &g, YC_OK, cid);
    struct hb_usage u = use_of(cid);
    hb_usage(&f->body, &u);
    struct yc_tx tx;
    tc_make_tx(tc, TC_PROCESSOR, YC_TX_USAGE_RECORD, 0, &f->body, &tx);
    struct yc_exec_ctx ctx = {.g = &tc->g, .height = tc->height, .time_ms = tc->time_ms};

    int rc = YC_ENOMEM;
    long i;
    for (i = 0; rc == YC_ENOMEM && i < 10000; i++) {
        uint8_t before[32], after[32];
        tc_fingerprint(tc, before);
        struct failing fl = {.left = i};
        yc_allocator a = {.realloc_cb = failing_realloc, .ctx = &fl};
        yc_alloc_set(&a);
        rc = yc_exec_tx(tc->blk, &ctx, &tx, 0);
        yc_alloc_set(NULL);
        if (rc == YC_ENOMEM) {
            tc_fingerprint(tc, after);
            assert_memory_equal(before, after, 32);
        } else {
            assert_int_equal(rc, YC_OK);
        }
    }
    printf("# usage.record succeeded once %ld allocations were allowed\n", i - 1);
    assert_int_equal(rc, YC_OK);
    assert_int_equal(tc_balance(tc, TC_ALICE), 10007);
    yc_tx_cleanup(&tx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_grant_creates_consent_and_indexes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_grant_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_grant_list_over_limit_is_too_many, setup, teardown),
        cmocka_unit_test_setup_teardown(test_revoke_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_use_pays_fee_and_counts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_use_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_use_outside_window_is_expired, setup, teardown),
        cmocka_unit_test_setup_teardown(test_use_limit_is_no_uses_left, setup, teardown),
        cmocka_unit_test_setup_teardown(test_use_fee_beyond_balance_is_insufficient, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_use_after_revoke_is_consent_revoked, setup, teardown),
        cmocka_unit_test_setup_teardown(test_use_under_each_allocation_failure, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
