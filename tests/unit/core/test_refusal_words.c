/*
 * test_refusal_words.c — issue 9 items 4 and 5: the one table of enumerations, refusals
 * that name the field and what is allowed (a sample per exec file), decode refusals that
 * name the key, the chain's code lists (genesis defaults, custom lists, policy.set
 * additions) and unknown codes refused with the nearest codes suggested.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "helper_ledger.h"
#include "helper_market.h"
#include "yc/enums.h"
#include "yc/genesis.h"
#include "yc/ledger.h"
#include "yc/objects.h"
#include "yc/tx.h"

/* Sends body as `who` with words; returns the code and leaves the words in why. */
static int send_why(struct tchain *tc, uint32_t who, enum yc_tx_type type,
                    const struct yc_buf *body, char *why, size_t whylen)
{
    struct yc_tx tx;
    why[0] = '\0';
    tc_make_tx(tc, who, type, tc_nonce(tc, who), body, &tx);
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

static struct hb_grant base_grant(struct tchain *tc)
{
    struct hb_grant g = {
        .processor = tc->pub[TC_PROCESSOR],
        .categories = {"health", NULL},
        .purposes = {"research", NULL},
        .operations = {"use", NULL},
        .jurisdiction = "CN-CQ",
        .until = tc->time_ms + 86400000,
    };
    return g;
}

/* ---- the table ---- */

static void test_enum_table_round_trips(void **state)
{
    (void)state;
    for (int id = 0; id < YC_ENUM_COUNT; id++) {
        const struct yc_enum *en = yc_enum_get((enum yc_enum_id)id);
        assert_non_null(en);
        assert_true(en->n > 0);
        char list[512];
        size_t need = yc_enum_list((enum yc_enum_id)id, list, sizeof list);
        assert_int_equal(need, strlen(list));
        for (size_t i = 0; i < en->n; i++) {
            const char *v = en->values[i];
            assert_int_equal(yc_enum_find((enum yc_enum_id)id, v, strlen(v)), (int)i);
            assert_non_null(strstr(list, v));
        }
        assert_int_equal(yc_enum_find((enum yc_enum_id)id, "nonsense", 8), -1);
    }
    /* the numbering of the core enums is the table's order */
    for (int r = YC_ROLE_INDIVIDUAL; r <= YC_ROLE_REGULATOR; r++) {
        const char *n = yc_role_name((enum yc_role)r);
        assert_int_equal(yc_enum_find(YC_ENUM_ROLE, n, strlen(n)), r - 1);
    }
    for (int r = 0; r < YC_RIGHT_COUNT; r++) {
        const char *n = yc_right_name((enum yc_right)r);
        assert_int_equal(yc_enum_find(YC_ENUM_RIGHT, n, strlen(n)), r);
    }
    assert_int_equal(yc_grade_from_name("core", 4), YC_GRADE_CORE);
    assert_int_equal(yc_enum_find(YC_ENUM_GRADE, "core", 4), YC_GRADE_CORE - 1);
    char list[64];
    yc_enum_list(YC_ENUM_CONSENT_OP, list, sizeof list);
    assert_string_equal(list, "collect, hold, host, use");
    /* truncation keeps a terminated prefix and reports the full length */
    assert_int_equal(yc_enum_list(YC_ENUM_CONSENT_OP, list, 8), 24);
    assert_string_equal(list, "collect");
    char w[200];
    yc_enum_refusal(w, sizeof w, "operations", YC_ENUM_CONSENT_OP, "compute", 7);
    assert_string_equal(w, "operations: 'compute' is not one of collect, hold, host, use");
    yc_enum_list(YC_ENUM_EXPORT_OUTCOME, list, sizeof list);
    assert_string_equal(list, "approved, denied");
}

static void test_suggestions_by_edit_distance(void **state)
{
    (void)state;
    struct yc_suggest sg;
    char out[128];
    size_t n;
    const struct yc_code_default *d = yc_codes_default(YC_CODES_CATEGORY, &n);

    yc_suggest_init(&sg, "heath", 5);
    for (size_t i = 0; i < n; i++) {
        yc_suggest_add(&sg, d[i].code, strlen(d[i].code));
    }
    assert_int_equal(yc_suggest_write(&sg, out, sizeof out), 1);
    assert_string_equal(out, "health");

    yc_suggest_init(&sg, "Health", 6); /* case-insensitive: distance 0 */
    for (size_t i = 0; i < n; i++) {
        yc_suggest_add(&sg, d[i].code, strlen(d[i].code));
    }
    assert_true(yc_suggest_write(&sg, out, sizeof out) >= 1);
    assert_string_equal(out, "health");

    yc_suggest_init(&sg, "zzzzzzzzzzzz", 12); /* nothing near */
    for (size_t i = 0; i < n; i++) {
        yc_suggest_add(&sg, d[i].code, strlen(d[i].code));
    }
    assert_int_equal(yc_suggest_write(&sg, out, sizeof out), 0);
    assert_string_equal(out, "");
    assert_int_equal(yc_edit_distance("kitten", 6, "sitting", 7), 3);
    /* every default code is a valid code, once */
    for (int k = 0; k < 2; k++) {
        struct yc_code_list l;
        memset(&l, 0, sizeof l);
        d = yc_codes_default((enum yc_code_kind)k, &n);
        for (size_t i = 0; i < n; i++) {
            assert_int_equal(yc_code_list_add(&l, d[i].code, strlen(d[i].code)), YC_OK);
        }
    }
    assert_true(yc_code_covers("health", 6, "health.steps", 12));
    assert_true(yc_code_covers("location", 8, "location:city", 13));
    assert_false(yc_code_covers("health", 6, "healthy", 7));
}

/* ---- refusals in words, a sample per exec file ---- */

static void test_consent_refusals_say_what_to_do(void **state)
{
    (void)state;
    struct tchain tc;
    struct yc_buf b;
    char why[512];
    tc_init(&tc);
    yc_buf_init(&b, 0);

    struct hb_grant g = base_grant(&tc);
    g.operations[0] = "compute";
    hb_grant(&b, &g);
    EXPECT_WORDS(send_why(&tc, TC_ALICE, YC_TX_CONSENT_GRANT, &b, why, sizeof why), YC_EBADFIELD,
                 why, "operations: 'compute' is not one of collect, hold, host, use");

    g = base_grant(&tc);
    g.until = tc.time_ms - 1;
    hb_grant(&b, &g);
    EXPECT_WORDS(send_why(&tc, TC_ALICE, YC_TX_CONSENT_GRANT, &b, why, sizeof why), YC_EBADTIME,
                 why, "is not after the block time");

    g = base_grant(&tc);
    g.categories[0] = "heath";
    hb_grant(&b, &g);
    EXPECT_WORDS(send_why(&tc, TC_ALICE, YC_TX_CONSENT_GRANT, &b, why, sizeof why), YC_EUNKNOWNCODE,
                 why, "categories: 'heath' is not a known category; did you mean health?");

    g = base_grant(&tc);
    g.categories[0] = "Health";
    hb_grant(&b, &g);
    EXPECT_WORDS(send_why(&tc, TC_ALICE, YC_TX_CONSENT_GRANT, &b, why, sizeof why), YC_EBADFIELD,
                 why, "did you mean health?");

    g = base_grant(&tc);
    g.purposes[0] = "resarch";
    hb_grant(&b, &g);
    EXPECT_WORDS(send_why(&tc, TC_ALICE, YC_TX_CONSENT_GRANT, &b, why, sizeof why), YC_EUNKNOWNCODE,
                 why, "did you mean research?");

    g = base_grant(&tc);
    g.processor = tc.pub[TC_ALICE];
    hb_grant(&b, &g);
    EXPECT_WORDS(send_why(&tc, TC_ALICE, YC_TX_CONSENT_GRANT, &b, why, sizeof why), YC_EBADFIELD,
                 why, "processor:");

    /* refinements of a listed code are known */
    g = base_grant(&tc);
    g.categories[0] = "health.steps";
    hb_grant(&b, &g);
    assert_int_equal(send_why(&tc, TC_ALICE, YC_TX_CONSENT_GRANT, &b, why, sizeof why), YC_OK);

    /* usage.record (exec_evidence.c): an unknown consent, a purpose out of scope */
    uint8_t nothing[YC_HASH_LEN] = {1};
    struct hb_usage u = {.consent = nothing, .purpose = "research", .operation = "use"};
    hb_usage(&b, &u);
    EXPECT_WORDS(send_why(&tc, TC_PROCESSOR, YC_TX_USAGE_RECORD, &b, why, sizeof why),
                 YC_EUNKNOWNCONSENT, why, ": no such consent");

    yc_buf_cleanup(&b);
    tc_cleanup(&tc);
}

static void test_token_and_account_refusals(void **state)
{
    (void)state;
    struct tchain tc;
    struct yc_buf b;
    char why[512];
    tc_init(&tc);
    yc_buf_init(&b, 0);

    hb_token(&b, tc.pub[TC_BOB], 50000); /* alice has 10 000 */
    EXPECT_WORDS(send_why(&tc, TC_ALICE, YC_TX_TOKEN_TRANSFER, &b, why, sizeof why), YC_EBALANCE,
                 why, "amount: 50000 fen exceeds the balance 10000 fen");

    hb_register(&b, tc.pub[TC_CAROL], "king", "K", "CN-CQ");
    EXPECT_WORDS(send_why(&tc, TC_EXCHANGE, YC_TX_ACCOUNT_REGISTER, &b, why, sizeof why),
                 YC_EBADROLE, why, "role: 'king' is not one of individual, enterprise");

    hb_register(&b, tc.pub[TC_CAROL], "processor", "P", "china");
    EXPECT_WORDS(send_why(&tc, TC_EXCHANGE, YC_TX_ACCOUNT_REGISTER, &b, why, sizeof why),
                 YC_EBADFIELD, why, "jurisdiction: 'china' is not a jurisdiction");

    /* no words asked: the same code */
    struct yc_tx tx;
    tc_make_tx(&tc, TC_EXCHANGE, YC_TX_ACCOUNT_REGISTER, tc_nonce(&tc, TC_EXCHANGE), &b, &tx);
    struct yc_exec_ctx ctx = {.g = &tc.g, .height = tc.height, .time_ms = tc.time_ms};
    assert_int_equal(yc_exec_tx(tc.blk, &ctx, &tx, tc.index), YC_EBADFIELD);
    yc_tx_cleanup(&tx);

    yc_buf_cleanup(&b);
    tc_cleanup(&tc);
}

static void test_supervision_refusals_and_policy_codes(void **state)
{
    (void)state;
    struct tchain tc;
    struct yc_buf b;
    struct hm h;
    char why[512];
    tc_init(&tc);
    yc_buf_init(&b, 0);

    /* export.assess (exec_supervise.c): the outcomes are approved and denied */
    uint8_t asset[YC_HASH_LEN] = {7}, report[YC_HASH_LEN] = {8};
    hm_init(&h);
    hm_bin(&h, "asset", asset, YC_HASH_LEN);
    hm_str(&h, "destination", "SG");
    hm_str(&h, "outcome", "upheld");
    hm_bin(&h, "report", report, YC_HASH_LEN);
    hm_u64(&h, "until", tc.time_ms + 1000);
    hm_finish(&h, YC_TX_EXPORT_ASSESS, &b);
    EXPECT_WORDS(send_why(&tc, TC_REGULATOR, YC_TX_EXPORT_ASSESS, &b, why, sizeof why),
                 YC_EBADFIELD, why, "outcome: 'upheld' is not one of approved, denied");

    /* policy.set: a wrong version names the next one */
    hm_init(&h);
    hm_u64(&h, "version", 5);
    hm_finish(&h, YC_TX_POLICY_SET, &b);
    EXPECT_WORDS(send_why(&tc, TC_REGULATOR, YC_TX_POLICY_SET, &b, why, sizeof why), YC_EBADVERSION,
                 why, "the next policy version is 1");

    /* a code unknown to genesis is refused until policy.set adds it */
    struct hb_grant g = base_grant(&tc);
    g.categories[0] = "vehicle_telemetry";
    hb_grant(&b, &g);
    assert_int_equal(send_why(&tc, TC_ALICE, YC_TX_CONSENT_GRANT, &b, why, sizeof why),
                     YC_EUNKNOWNCODE);
    hm_init(&h);
    hm_list(&h, "categories", (const char *const[]){"vehicle_telemetry", "health", NULL});
    hm_list(&h, "purposes", (const char *const[]){"road_safety", NULL});
    hm_u64(&h, "version", 1);
    hm_finish(&h, YC_TX_POLICY_SET, &b);
    assert_int_equal(send_why(&tc, TC_REGULATOR, YC_TX_POLICY_SET, &b, why, sizeof why), YC_OK);
    g.purposes[0] = "road_safety";
    hb_grant(&b, &g);
    assert_int_equal(send_why(&tc, TC_ALICE, YC_TX_CONSENT_GRANT, &b, why, sizeof why), YC_OK);
    tc_commit(&tc);
    /* a later version keeps the codes (they are never taken away) */
    hm_init(&h);
    hm_u64(&h, "version", 2);
    hm_finish(&h, YC_TX_POLICY_SET, &b);
    assert_int_equal(send_why(&tc, TC_REGULATOR, YC_TX_POLICY_SET, &b, why, sizeof why), YC_OK);
    g.categories[0] = "vehicle_telemetry.speed";
    hb_grant(&b, &g);
    assert_int_equal(send_why(&tc, TC_ALICE, YC_TX_CONSENT_GRANT, &b, why, sizeof why), YC_OK);
    /* a near miss of an added code is suggested */
    g.categories[0] = "vehicle_telemetri";
    hb_grant(&b, &g);
    EXPECT_WORDS(send_why(&tc, TC_ALICE, YC_TX_CONSENT_GRANT, &b, why, sizeof why), YC_EUNKNOWNCODE,
                 why, "did you mean vehicle_telemetry?");

    yc_buf_cleanup(&b);
    tc_cleanup(&tc);
}

/* ---- decode refusals ---- */

static void test_decode_names_the_key(void **state)
{
    (void)state;
    struct tchain tc;
    struct yc_buf b;
    struct hm h;
    struct yc_tx tx;
    char why[256];
    tc_init(&tc);
    yc_buf_init(&b, 0);

    /* a good body decodes the same with and without words */
    struct hb_grant g = base_grant(&tc);
    hb_grant(&b, &g);
    tc_make_tx(&tc, TC_ALICE, YC_TX_CONSENT_GRANT, 0, &b, &tx);
    struct yc_tx t2;
    assert_int_equal(yc_tx_decode_why(&t2, tx.bytes, tx.len, why, sizeof why), YC_OK);
    assert_string_equal(why, "");
    yc_tx_cleanup(&t2);
    yc_tx_cleanup(&tx);

    struct {
        const char *key, *str;
        int code;
        const char *words;
    } cases[] = {
        {"foo", "x", YC_EBADFIELD, "unknown field 'foo'"},
        {"until", "tomorrow", YC_EBADFIELD, "body.until: "},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        hm_init(&h);
        hm_list(&h, "categories", (const char *const[]){"health", NULL});
        hm_str(&h, "jurisdiction", "CN-CQ");
        hm_list(&h, "operations", (const char *const[]){"use", NULL});
        hm_bin(&h, "processor", tc.pub[TC_PROCESSOR], YC_PUBKEY_LEN);
        hm_list(&h, "purposes", (const char *const[]){"research", NULL});
        if (strcmp(cases[i].key, "until") != 0) {
            hm_u64(&h, "until", tc.time_ms + 1000);
        }
        hm_str(&h, cases[i].key, cases[i].str);
        hm_finish(&h, YC_TX_CONSENT_GRANT, &b);
        /* build the envelope by hand: tc_make_tx decodes and would fail */
        uint8_t id[YC_HASH_LEN];
        struct yc_buf out;
        static const uint8_t aux[32] = {0};
        yc_buf_init(&out, 0);
        assert_int_equal(yc_tx_build_signed(&out, id, tc.g.chain_id, YC_TX_CONSENT_GRANT,
                                            tc.keys[TC_ALICE], 0, b.data, b.len, aux),
                         YC_OK);
        assert_int_equal(yc_tx_decode_why(&t2, out.data, out.len, why, sizeof why), cases[i].code);
        if (strstr(why, cases[i].words) == NULL) {
            fail_msg("words \"%s\" lack \"%s\"", why, cases[i].words);
        }
        assert_int_equal(yc_tx_decode(&t2, out.data, out.len), cases[i].code);
        yc_buf_cleanup(&out);
    }
    yc_buf_cleanup(&b);
    tc_cleanup(&tc);
}

/* ---- genesis ---- */

static void test_genesis_code_lists(void **state)
{
    (void)state;
    struct tchain tc;
    tc_init(&tc); /* finalized without lists: the defaults were filled in */
    size_t n;
    (void)yc_codes_default(YC_CODES_CATEGORY, &n);
    assert_int_equal(tc.g.codes.categories.n, n);
    assert_true(yc_code_list_covers(&tc.g.codes.categories, "health", 6));
    assert_true(yc_code_list_covers(&tc.g.codes.purposes, "research", 8));
    uint8_t h_default[YC_HASH_LEN];
    memcpy(h_default, tc.g.hash, YC_HASH_LEN);

    /* a custom list changes the hash, and an invalid code is refused */
    memset(&tc.g.codes.purposes, 0, sizeof tc.g.codes.purposes);
    assert_int_equal(yc_code_list_add(&tc.g.codes.purposes, "research", 8), YC_OK);
    assert_int_equal(yc_code_list_add(&tc.g.codes.purposes, "research", 8), YC_ECONFIG);
    assert_int_equal(yc_code_list_add(&tc.g.codes.purposes, "Bad", 3), YC_ECONFIG);
    assert_int_equal(yc_genesis_finalize(&tc.g), YC_OK);
    assert_memory_not_equal(h_default, tc.g.hash, YC_HASH_LEN);
    snprintf(tc.g.codes.purposes.codes[0], YC_CODE_MAX + 1, "Research");
    assert_int_equal(yc_genesis_finalize(&tc.g), YC_ECONFIG);
    snprintf(tc.g.codes.purposes.codes[0], YC_CODE_MAX + 1, "research");

    /* open_registration is in the hash */
    uint8_t h1[YC_HASH_LEN];
    assert_int_equal(yc_genesis_finalize(&tc.g), YC_OK);
    memcpy(h1, tc.g.hash, YC_HASH_LEN);
    tc.g.params.open_registration = !tc.g.params.open_registration;
    assert_int_equal(yc_genesis_finalize(&tc.g), YC_OK);
    assert_memory_not_equal(h1, tc.g.hash, YC_HASH_LEN);
    tc.g.params.open_registration = !tc.g.params.open_registration;
    assert_int_equal(yc_genesis_finalize(&tc.g), YC_OK);

    /* the chain's purposes are now just research */
    struct yc_buf b;
    char why[512];
    yc_buf_init(&b, 0);
    struct hb_grant g = base_grant(&tc);
    g.purposes[0] = "marketing";
    hb_grant(&b, &g);
    EXPECT_WORDS(send_why(&tc, TC_ALICE, YC_TX_CONSENT_GRANT, &b, why, sizeof why), YC_EUNKNOWNCODE,
                 why, "'marketing' is not a known purpose");
    yc_buf_cleanup(&b);
    tc_cleanup(&tc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_enum_table_round_trips),
        cmocka_unit_test(test_suggestions_by_edit_distance),
        cmocka_unit_test(test_consent_refusals_say_what_to_do),
        cmocka_unit_test(test_token_and_account_refusals),
        cmocka_unit_test(test_supervision_refusals_and_policy_codes),
        cmocka_unit_test(test_decode_names_the_key),
        cmocka_unit_test(test_genesis_code_lists),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
