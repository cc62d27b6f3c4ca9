/*
 * test_ledger_valset.c — validator-set governance (yc/gov.h, exec_valset.c): the set in
 * force at each height from state (yc_ledger_valset_at), validator.propose / approve /
 * withdraw with their quorum of organisations, the effect height H + valset_delay, expiry,
 * and every refusal with its words; the genesis link validator → organisation account.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "helper_ledger.h"
#include "yc/gov.h"
#include "yc/ledger.h"
#include "yc/txschema.h"

/* The four validators' organisations (genesis accounts of the test chain). */
static const uint32_t ORGS[4] = {TC_EXCHANGE, TC_AGENCY, TC_REGULATOR, TC_PROCESSOR};

/* Test keys of validators (not accounts). */
static void vkey(uint32_t i, uint8_t pub[YC_PUBKEY_LEN])
{
    h_pub(100 + i, pub);
}

/* The test chain with n validators v0..v(n-1) (keys vkey(i)), validator i's organisation
 * ORGS[i % 4], and the given delay and expiry. */
static void gov_init(struct tchain *tc, uint32_t n, uint64_t delay, uint64_t expiry)
{
    tc_init(tc);
    tc->g.nvalidators = n;
    for (uint32_t i = 0; i < n; i++) {
        struct yc_validator *v = &tc->g.validators[i];
        memset(v, 0, sizeof *v);
        snprintf(v->name, sizeof v->name, "v%u", i);
        vkey(i, v->pub);
        memcpy(v->org, tc->pub[ORGS[i % 4]], YC_PUBKEY_LEN);
    }
    tc->g.params.valset_delay = delay;
    tc->g.params.valset_expiry = expiry;
    assert_int_equal(yc_genesis_finalize(&tc->g), YC_OK);
    memcpy(tc->prev_hash, tc->g.hash, YC_HASH_LEN);
}

struct propose {
    const char *action;
    uint32_t pub;     /* vkey number */
    int new_pub;      /* vkey number, -1: none */
    int org;          /* account key number, -1: none */
    const char *name; /* NULL: none */
};

/* A propose body (action, name?, new_pub?, org?, pub) through the schema; one that breaks
 * its rules, for the decoder's refusals, hm writes by hand. */
static void hb_propose(struct tchain *tc, struct yc_buf *out, const struct propose *p)
{
    struct hm m;
    uint8_t k[YC_PUBKEY_LEN];

    hm_init(&m);
    hm_str(&m, "action", p->action);
    if (p->name != NULL) {
        hm_str(&m, "name", p->name);
    }
    if (p->new_pub >= 0) {
        vkey((uint32_t)p->new_pub, k);
        hm_bin(&m, "new_pub", k, YC_PUBKEY_LEN);
    }
    if (p->org >= 0) {
        hm_bin(&m, "org", tc->pub[p->org], YC_PUBKEY_LEN);
    }
    vkey(p->pub, k);
    hm_bin(&m, "pub", k, YC_PUBKEY_LEN);
    hm_finish(&m, YC_TX_VALIDATOR_PROPOSE, out);
}

static void hb_ref(struct yc_buf *out, enum yc_tx_type t, const uint8_t id[YC_HASH_LEN])
{
    union yc_tx_body b;
    memset(&b, 0, sizeof b);
    memcpy(b.validator_ref.proposal, id, YC_HASH_LEN);
    yc_buf_reset(out);
    assert_int_equal(yc_tx_body_encode(out, t, &b, 0), YC_OK);
}

/* Sends as `who` with words; the code, the words in why. */
static int send_why(struct tchain *tc, uint32_t who, enum yc_tx_type type,
                    const struct yc_buf *body, char *why, size_t whylen, uint8_t id[YC_HASH_LEN])
{
    struct yc_tx tx;
    why[0] = '\0';
    tc_make_tx(tc, who, type, tc_nonce(tc, who), body, &tx);
    if (id != NULL) {
        memcpy(id, tx.id, YC_HASH_LEN);
    }
    struct yc_exec_ctx ctx = {
        .g = &tc->g, .height = tc->height, .time_ms = tc->time_ms, .why = why, .whylen = whylen};
    int rc = yc_exec_tx(tc->blk, &ctx, &tx, tc->index);
    if (rc == YC_OK) {
        tc->index++;
    }
    yc_tx_cleanup(&tx);
    return rc;
}

#define EXPECT_WORDS(rc, code, why, words)                        \
    do {                                                          \
        assert_int_equal((rc), (code));                           \
        if (strstr((why), (words)) == NULL) {                     \
            fail_msg("words \"%s\" lack \"%s\"", (why), (words)); \
        }                                                         \
    } while (0)

/* The set in force at height h as the open block sees it. */
static void set_at(struct tchain *tc, uint64_t h, struct yc_gov_set *s)
{
    struct yc_state_src src = yc_overlay_src(tc->blk);
    assert_int_equal(yc_gov_set_at(&src, &tc->g, h, s), YC_OK);
}

static void proposal(struct tchain *tc, const uint8_t id[YC_HASH_LEN], struct yc_proposal *p)
{
    uint8_t key[YC_KEY_MAX];
    size_t klen = yc_key_proposal(key, id);
    const uint8_t *v;
    size_t vlen;
    assert_int_equal(yc_overlay_get(tc->blk, key, klen, &v, &vlen), YC_OK);
    assert_int_equal(yc_proposal_decode(p, v, vlen), YC_OK);
}

static void test_genesis_org_link(void **state)
{
    (void)state;
    struct tchain tc;
    tc_init(&tc);
    /* no org given: the first exchange account approves for the validator */
    assert_memory_equal(tc.g.validators[0].org, tc.pub[TC_EXCHANGE], YC_PUBKEY_LEN);
    uint8_t h1[YC_HASH_LEN];
    memcpy(h1, tc.g.hash, YC_HASH_LEN);
    /* the org is hashed */
    memcpy(tc.g.validators[0].org, tc.pub[TC_AGENCY], YC_PUBKEY_LEN);
    assert_int_equal(yc_genesis_finalize(&tc.g), YC_OK);
    assert_memory_not_equal(h1, tc.g.hash, YC_HASH_LEN);
    /* and so are the governance parameters */
    memcpy(h1, tc.g.hash, YC_HASH_LEN);
    tc.g.params.valset_delay = 5;
    assert_int_equal(yc_genesis_finalize(&tc.g), YC_OK);
    assert_memory_not_equal(h1, tc.g.hash, YC_HASH_LEN);
    /* an org that is not a genesis account, a delay of 0: refused */
    memcpy(tc.g.validators[0].org, tc.pub[TC_CAROL], YC_PUBKEY_LEN);
    assert_int_equal(yc_genesis_finalize(&tc.g), YC_ECONFIG);
    memcpy(tc.g.validators[0].org, tc.pub[TC_AGENCY], YC_PUBKEY_LEN);
    tc.g.params.valset_delay = 0;
    assert_int_equal(yc_genesis_finalize(&tc.g), YC_ECONFIG);
    tc.g.params.valset_delay = 1001;
    assert_int_equal(yc_genesis_finalize(&tc.g), YC_ECONFIG);
    tc.g.params.valset_delay = 2;
    tc.g.params.valset_expiry = 0;
    assert_int_equal(yc_genesis_finalize(&tc.g), YC_ECONFIG);
    tc_cleanup(&tc);
}

/* 4 validators (quorum 3): an add needs three organisations; it takes effect at H + 2. */
static void test_add_by_quorum_takes_effect_later(void **state)
{
    (void)state;
    struct tchain tc;
    struct yc_buf b;
    struct yc_gov_set *s = malloc(sizeof *s);
    struct yc_proposal p;
    struct yc_valset vs;
    uint8_t id[YC_HASH_LEN];
    char why[512];

    gov_init(&tc, 4, 2, 100);
    yc_buf_init(&b, 0);
    struct yc_state_src src = yc_overlay_src(tc.blk);
    assert_int_equal(yc_ledger_valset_at(&src, &tc.g, 1, &vs), YC_OK);
    assert_int_equal(vs.n, 4);
    assert_int_equal(vs.quorum, 3);

    hb_propose(&tc, &b, &(struct propose){"add", 4, -1, TC_ENTERPRISE, "v4"});
    tc_expect(&tc, TC_EXCHANGE, YC_TX_VALIDATOR_PROPOSE, &b, YC_OK, id);
    proposal(&tc, id, &p);
    assert_string_equal(yc_proposal_status(&p, tc.height), "open");
    assert_int_equal(p.expires, tc.height + 100);
    tc_commit(&tc);

    hb_ref(&b, YC_TX_VALIDATOR_APPROVE, id);
    /* the same organisation twice: refused */
    EXPECT_WORDS(send_why(&tc, TC_EXCHANGE, YC_TX_VALIDATOR_APPROVE, &b, why, sizeof why, NULL),
                 YC_EAPPROVED, why, "already approved it");
    uint8_t approve_id[YC_HASH_LEN];
    tc_expect(&tc, TC_AGENCY, YC_TX_VALIDATOR_APPROVE, &b, YC_OK, approve_id);
    proposal(&tc, id, &p);
    assert_string_equal(yc_proposal_status(&p, tc.height), "open");
    assert_int_equal(p.napprovals, 2);
    assert_memory_equal(p.approvals[1], tc.pub[TC_AGENCY], YC_PUBKEY_LEN);
    assert_memory_equal(p.approval_txs[0], approve_id, YC_HASH_LEN); /* for receipts */
    tc_commit(&tc);

    uint64_t fixed = tc.height;
    tc_expect(&tc, TC_REGULATOR, YC_TX_VALIDATOR_APPROVE, &b, YC_OK, NULL);
    proposal(&tc, id, &p);
    assert_string_equal(yc_proposal_status(&p, tc.height), "applied");
    assert_int_equal(p.effect, fixed + 2);
    assert_int_equal(p.ended, fixed);
    /* a fourth approval of an applied proposal: closed */
    EXPECT_WORDS(send_why(&tc, TC_PROCESSOR, YC_TX_VALIDATOR_APPROVE, &b, why, sizeof why, NULL),
                 YC_ECLOSED, why, "was applied at height");
    tc_commit(&tc);

    /* heights up to fixed + 1 keep the four; from fixed + 2 the five */
    set_at(&tc, fixed + 1, s);
    assert_int_equal(s->n, 4);
    assert_int_equal(s->from, 1);
    set_at(&tc, fixed + 2, s);
    assert_int_equal(s->n, 5);
    assert_int_equal(s->from, fixed + 2);
    assert_string_equal(s->v[4].name, "v4");
    assert_memory_equal(s->v[4].org, tc.pub[TC_ENTERPRISE], YC_PUBKEY_LEN);
    set_at(&tc, 1000000, s);
    assert_int_equal(s->n, 5);
    src = yc_overlay_src(tc.blk);
    assert_int_equal(yc_ledger_valset_at(&src, &tc.g, fixed + 2, &vs), YC_OK);
    assert_int_equal(vs.n, 5);
    assert_int_equal(vs.quorum, 4);
    uint8_t k4[YC_PUBKEY_LEN];
    vkey(4, k4);
    assert_int_equal(yc_valset_index(&vs, k4), 4);
    /* the changes not yet in force after the tip */
    uint32_t n;
    assert_int_equal(yc_gov_sets_after(&src, &tc.g, fixed, s, 1, &n), YC_OK);
    assert_int_equal(n, 1);
    assert_int_equal(s->from, fixed + 2);
    assert_int_equal(yc_gov_sets_after(&src, &tc.g, fixed + 2, s, 1, &n), YC_OK);
    assert_int_equal(n, 0);
    /* the query reads committed state as well (the mem state below the block) */
    struct yc_state_src committed = mem_state_src(tc.ms);
    assert_int_equal(yc_ledger_valset_at(&committed, &tc.g, fixed + 2, &vs), YC_OK);
    assert_int_equal(vs.n, 5);
    assert_int_equal(yc_ledger_valset_at(&committed, &tc.g, 0, &vs), YC_OK);
    assert_int_equal(vs.n, 4);
    assert_int_equal(yc_ledger_valset_at(NULL, &tc.g, 1, &vs), YC_EINVAL);

    /* the enterprise approves only once its validator is in force */
    while (tc.height < fixed + 2) {
        tc_commit(&tc);
    }
    hb_propose(&tc, &b, &(struct propose){"remove", 0, -1, -1, NULL});
    tc_expect(&tc, TC_ENTERPRISE, YC_TX_VALIDATOR_PROPOSE, &b, YC_OK, id);
    proposal(&tc, id, &p);
    assert_string_equal(yc_proposal_status(&p, tc.height), "open");

    free(s);
    yc_buf_cleanup(&b);
    tc_cleanup(&tc);
}

/* Every refusal of validator.propose names its field. */
static void test_propose_refusals(void **state)
{
    (void)state;
    struct tchain tc;
    struct yc_buf b;
    char why[512];

    gov_init(&tc, 4, 1, 100);
    yc_buf_init(&b, 0);
    /* not the organisation of a validator in force */
    hb_propose(&tc, &b, &(struct propose){"remove", 0, -1, -1, NULL});
    EXPECT_WORDS(send_why(&tc, TC_ALICE, YC_TX_VALIDATOR_PROPOSE, &b, why, sizeof why, NULL),
                 YC_ENOTAUTH, why, "is not the organisation account of a validator in force");
    /* adding a key already in the set */
    hb_propose(&tc, &b, &(struct propose){"add", 2, -1, TC_AGENCY, "again"});
    EXPECT_WORDS(send_why(&tc, TC_EXCHANGE, YC_TX_VALIDATOR_PROPOSE, &b, why, sizeof why, NULL),
                 YC_EVALSET, why, "is already validator \"v2\"");
    /* removing a key not in the set */
    hb_propose(&tc, &b, &(struct propose){"remove", 9, -1, -1, NULL});
    EXPECT_WORDS(send_why(&tc, TC_EXCHANGE, YC_TX_VALIDATOR_PROPOSE, &b, why, sizeof why, NULL),
                 YC_EVALSET, why, "pub: ");
    assert_non_null(strstr(why, "is not a validator of the set"));
    /* replacing with a key in use */
    hb_propose(&tc, &b, &(struct propose){"replace_key", 0, 1, -1, NULL});
    EXPECT_WORDS(send_why(&tc, TC_EXCHANGE, YC_TX_VALIDATOR_PROPOSE, &b, why, sizeof why, NULL),
                 YC_EVALSET, why, "new_pub: ");
    /* an organisation that is not registered */
    hb_propose(&tc, &b, &(struct propose){"add", 7, -1, TC_CAROL, "carol's"});
    EXPECT_WORDS(send_why(&tc, TC_EXCHANGE, YC_TX_VALIDATOR_PROPOSE, &b, why, sizeof why, NULL),
                 YC_EUNKNOWNACCT, why, "org");
    /* an unknown action */
    hb_propose(&tc, &b, &(struct propose){"promote", 0, -1, -1, NULL});
    EXPECT_WORDS(send_why(&tc, TC_EXCHANGE, YC_TX_VALIDATOR_PROPOSE, &b, why, sizeof why, NULL),
                 YC_EBADFIELD, why, "action: 'promote' is not one of add, remove, replace_key");
    /* the fields an action needs (the decoder's rule) */
    static const struct propose bad[] = {
        {"add", 5, -1, -1, "no org"},       {"add", 5, 6, TC_AGENCY, "x"},
        {"add", 5, -1, TC_AGENCY, NULL},    {"remove", 0, 5, -1, NULL},
        {"remove", 0, -1, TC_AGENCY, NULL}, {"remove", 0, -1, -1, "x"},
        {"replace_key", 0, -1, -1, NULL},   {"replace_key", 0, 5, TC_AGENCY, NULL},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        hb_propose(&tc, &b, &bad[i]);
        assert_int_equal(tc_decode_code(&tc, TC_EXCHANGE, YC_TX_VALIDATOR_PROPOSE, &b),
                         YC_EBADFIELD);
    }
    /* a name over 64 bytes */
    hb_propose(
        &tc, &b,
        &(struct propose){"add", 5, -1, TC_AGENCY,
                          "a-name-of-sixty-five-bytes-a-name-of-sixty-five-bytes-abcdefghijk"});
    assert_int_equal(tc_decode_code(&tc, TC_EXCHANGE, YC_TX_VALIDATOR_PROPOSE, &b), YC_EBADFIELD);
    yc_buf_cleanup(&b);
    tc_cleanup(&tc);
}

/* One validator (quorum 1): its organisation's proposal is fixed at once; the last one
 * cannot be removed; a full set cannot grow. */
static void test_bounds_of_the_set(void **state)
{
    (void)state;
    struct tchain tc;
    struct yc_buf b;
    struct yc_gov_set *s = malloc(sizeof *s);
    char why[512];
    uint8_t id[YC_HASH_LEN];
    struct yc_proposal p;

    gov_init(&tc, 1, 1, 100);
    yc_buf_init(&b, 0);
    hb_propose(&tc, &b, &(struct propose){"remove", 0, -1, -1, NULL});
    EXPECT_WORDS(send_why(&tc, TC_EXCHANGE, YC_TX_VALIDATOR_PROPOSE, &b, why, sizeof why, NULL),
                 YC_EVALSET, why, "a set keeps at least 1");
    hb_propose(&tc, &b, &(struct propose){"replace_key", 0, 3, -1, NULL});
    tc_expect(&tc, TC_EXCHANGE, YC_TX_VALIDATOR_PROPOSE, &b, YC_OK, id);
    proposal(&tc, id, &p);
    assert_string_equal(yc_proposal_status(&p, tc.height), "applied");
    assert_int_equal(p.effect, tc.height + 1);
    /* a second change in the same block shares the record: replace, then add */
    hb_propose(&tc, &b, &(struct propose){"add", 4, -1, TC_AGENCY, "v4"});
    tc_expect(&tc, TC_EXCHANGE, YC_TX_VALIDATOR_PROPOSE, &b, YC_OK, NULL);
    /* the first change is already counted: removing the replaced key is refused */
    hb_propose(&tc, &b, &(struct propose){"remove", 0, -1, -1, NULL});
    EXPECT_WORDS(send_why(&tc, TC_EXCHANGE, YC_TX_VALIDATOR_PROPOSE, &b, why, sizeof why, NULL),
                 YC_EVALSET, why, "is not a validator of the set from height 2");
    set_at(&tc, tc.height + 1, s);
    assert_int_equal(s->n, 2);
    uint8_t k[YC_PUBKEY_LEN];
    vkey(3, k);
    assert_memory_equal(s->v[0].pub, k, YC_PUBKEY_LEN);
    assert_string_equal(s->v[0].name, "v0");
    vkey(4, k);
    assert_memory_equal(s->v[1].pub, k, YC_PUBKEY_LEN);
    uint32_t n;
    struct yc_state_src src = yc_overlay_src(tc.blk);
    assert_int_equal(yc_gov_sets_after(&src, &tc.g, 0, s, 1, &n), YC_OK);
    assert_int_equal(n, 1); /* one record for the two changes */
    tc_commit(&tc);
    yc_buf_cleanup(&b);
    tc_cleanup(&tc);

    /* 64 validators: no more */
    gov_init(&tc, YC_MAX_VALIDATORS, 1, 100);
    yc_buf_init(&b, 0);
    hb_propose(&tc, &b, &(struct propose){"add", 200, -1, TC_AGENCY, "v64"});
    EXPECT_WORDS(send_why(&tc, TC_EXCHANGE, YC_TX_VALIDATOR_PROPOSE, &b, why, sizeof why, NULL),
                 YC_EVALSET, why, "the most a chain may have");
    free(s);
    yc_buf_cleanup(&b);
    tc_cleanup(&tc);
}

/* A proposal ends: withdrawn by its proposer only, expired after valset_expiry blocks; a
 * change that no longer applies when its quorum arrives is refused then. */
static void test_withdraw_expire_and_stale_change(void **state)
{
    (void)state;
    struct tchain tc;
    struct yc_buf b, ref;
    char why[512];
    uint8_t id[YC_HASH_LEN], id2[YC_HASH_LEN], zero[YC_HASH_LEN] = {0};
    struct yc_proposal p;

    gov_init(&tc, 4, 1, 2);
    yc_buf_init(&b, 0);
    yc_buf_init(&ref, 0);
    hb_ref(&ref, YC_TX_VALIDATOR_APPROVE, zero);
    EXPECT_WORDS(send_why(&tc, TC_AGENCY, YC_TX_VALIDATOR_APPROVE, &ref, why, sizeof why, NULL),
                 YC_EUNKNOWNOBJ, why, "no validator-set proposal");

    hb_propose(&tc, &b, &(struct propose){"remove", 3, -1, -1, NULL});
    tc_expect(&tc, TC_EXCHANGE, YC_TX_VALIDATOR_PROPOSE, &b, YC_OK, id);
    hb_ref(&ref, YC_TX_VALIDATOR_WITHDRAW, id);
    EXPECT_WORDS(send_why(&tc, TC_AGENCY, YC_TX_VALIDATOR_WITHDRAW, &ref, why, sizeof why, NULL),
                 YC_ENOTAUTH, why, "only the organisation that proposed it");
    tc_expect(&tc, TC_EXCHANGE, YC_TX_VALIDATOR_WITHDRAW, &ref, YC_OK, NULL);
    proposal(&tc, id, &p);
    assert_string_equal(yc_proposal_status(&p, tc.height), "withdrawn");
    hb_ref(&ref, YC_TX_VALIDATOR_APPROVE, id);
    EXPECT_WORDS(send_why(&tc, TC_AGENCY, YC_TX_VALIDATOR_APPROVE, &ref, why, sizeof why, NULL),
                 YC_ECLOSED, why, "was withdrawn at height");

    /* made at height h, approvable until h + 2 */
    hb_propose(&tc, &b, &(struct propose){"remove", 3, -1, -1, NULL});
    tc_expect(&tc, TC_EXCHANGE, YC_TX_VALIDATOR_PROPOSE, &b, YC_OK, id);
    uint64_t made = tc.height;
    tc_commit(&tc);
    tc_commit(&tc);
    tc_commit(&tc);
    assert_int_equal(tc.height, made + 3);
    hb_ref(&ref, YC_TX_VALIDATOR_APPROVE, id);
    EXPECT_WORDS(send_why(&tc, TC_AGENCY, YC_TX_VALIDATOR_APPROVE, &ref, why, sizeof why, NULL),
                 YC_EEXPIRED, why, "expired after height");
    proposal(&tc, id, &p);
    assert_string_equal(yc_proposal_status(&p, tc.height), "expired");

    /* two proposals removing v3: the second to reach its quorum no longer applies */
    hb_propose(&tc, &b, &(struct propose){"remove", 3, -1, -1, NULL});
    tc_expect(&tc, TC_EXCHANGE, YC_TX_VALIDATOR_PROPOSE, &b, YC_OK, id);
    tc_expect(&tc, TC_AGENCY, YC_TX_VALIDATOR_PROPOSE, &b, YC_OK, id2);
    hb_ref(&ref, YC_TX_VALIDATOR_APPROVE, id);
    tc_expect(&tc, TC_REGULATOR, YC_TX_VALIDATOR_APPROVE, &ref, YC_OK, NULL);
    tc_expect(&tc, TC_PROCESSOR, YC_TX_VALIDATOR_APPROVE, &ref, YC_OK, NULL);
    proposal(&tc, id, &p);
    assert_string_equal(yc_proposal_status(&p, tc.height), "applied");
    hb_ref(&ref, YC_TX_VALIDATOR_APPROVE, id2);
    tc_expect(&tc, TC_EXCHANGE, YC_TX_VALIDATOR_APPROVE, &ref, YC_OK, NULL);
    EXPECT_WORDS(send_why(&tc, TC_REGULATOR, YC_TX_VALIDATOR_APPROVE, &ref, why, sizeof why, NULL),
                 YC_EVALSET, why, "is not a validator of the set from height");
    yc_buf_cleanup(&b);
    yc_buf_cleanup(&ref);
    tc_cleanup(&tc);
}

/* A block of governance transactions replays to the same root (yc_exec_block). */
static void test_replay_of_a_set_change(void **state)
{
    (void)state;
    struct tchain tc;
    struct yc_buf b;
    uint8_t id[YC_HASH_LEN];

    gov_init(&tc, 4, 2, 100);
    yc_buf_init(&b, 0);
    hb_propose(&tc, &b, &(struct propose){"replace_key", 1, 8, -1, NULL});
    tc_expect(&tc, TC_EXCHANGE, YC_TX_VALIDATOR_PROPOSE, &b, YC_OK, id);
    hb_ref(&b, YC_TX_VALIDATOR_APPROVE, id);
    tc_expect(&tc, TC_AGENCY, YC_TX_VALIDATOR_APPROVE, &b, YC_OK, NULL);
    tc_expect(&tc, TC_REGULATOR, YC_TX_VALIDATOR_APPROVE, &b, YC_OK, NULL);
    uint8_t before[YC_HASH_LEN];
    memcpy(before, tc.root, YC_HASH_LEN);
    tc_commit(&tc);

    struct mem_state *ms = mem_state_new();
    struct yc_state_src src = mem_state_src(ms);
    yc_overlay *o;
    uint8_t root[YC_HASH_LEN];
    const struct yc_write *w;
    size_t nw;
    assert_int_equal(yc_overlay_create(&o, &src), YC_OK);
    assert_int_equal(yc_genesis_state(o, &tc.g, root), YC_OK);
    assert_memory_equal(root, before, YC_HASH_LEN);
    assert_int_equal(yc_overlay_writes(o, &w, &nw), YC_OK);
    mem_state_apply(ms, w, nw);
    yc_overlay_destroy(o);
    assert_int_equal(yc_overlay_create(&o, &src), YC_OK);
    struct yc_block blk;
    assert_int_equal(yc_block_decode(&blk, tc.blocks[0], tc.block_lens[0]), YC_OK);
    uint32_t bad;
    assert_int_equal(yc_exec_block(o, &tc.g, &blk, root, &bad), YC_OK);
    struct yc_state_src osrc = yc_overlay_src(o);
    struct yc_valset vs;
    assert_int_equal(yc_ledger_valset_at(&osrc, &tc.g, 3, &vs), YC_OK);
    uint8_t k8[YC_PUBKEY_LEN];
    vkey(8, k8);
    assert_int_equal(yc_valset_index(&vs, k8), 1);
    assert_int_equal(yc_ledger_valset_at(&osrc, &tc.g, 2, &vs), YC_OK);
    assert_int_equal(yc_valset_index(&vs, k8), -1);
    yc_block_cleanup(&blk);
    yc_overlay_destroy(o);
    mem_state_free(ms);
    yc_buf_cleanup(&b);
    tc_cleanup(&tc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_genesis_org_link),
        cmocka_unit_test(test_add_by_quorum_takes_effect_later),
        cmocka_unit_test(test_propose_refusals),
        cmocka_unit_test(test_bounds_of_the_set),
        cmocka_unit_test(test_withdraw_expire_and_stale_change),
        cmocka_unit_test(test_replay_of_a_set_change),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
