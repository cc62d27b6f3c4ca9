/*
 * test_genesis_json.c — genesis.json: a valid file loads with defaults for absent params;
 * dump → parse gives the same genesis hash; whitespace never changes the hash; every
 * malformed field is refused with a message naming that field; save is atomic.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "yc/bech32.h"
#include "yc/genesis_json.h"

#include "helper_chain.h"

static char V0[YC_ADDR_MAX], V1[YC_ADDR_MAX], A0[YC_ADDR_MAX], A1[YC_ADDR_MAX];

static void addrs(void)
{
    struct tchain c;
    tchain_init(&c, 2);
    assert_int_equal(yc_addr_encode(V0, c.g.validators[0].pub), YC_OK);
    assert_int_equal(yc_addr_encode(V1, c.g.validators[1].pub), YC_OK);
    assert_int_equal(yc_addr_encode(A0, c.exchange_pub), YC_OK);
    assert_int_equal(yc_addr_encode(A1, c.alice_pub), YC_OK);
    tchain_cleanup(&c);
}

/* A valid document; `extra_top` and `acct_extra` are spliced in to break it. */
static char *doc(const char *top, const char *params, const char *val0, const char *acct0)
{
    char *out = malloc(8192);
    assert_non_null(out);
    char v0[512], a0[512];
    if (val0 == NULL) {
        snprintf(v0, sizeof v0, "{\"name\": \"v0\", \"pub_key\": \"%s\"}", V0);
        val0 = v0;
    }
    if (acct0 == NULL) {
        snprintf(a0, sizeof a0,
                 "{\"address\": \"%s\", \"role\": \"exchange\", \"name\": \"Ex\", "
                 "\"jurisdiction\": \"CN-CQ\", \"balance\": \"1000\"}",
                 A0);
        acct0 = a0;
    }
    snprintf(out, 8192,
             "{%s\"chain_id\": \"yc-json\", \"genesis_time\": \"2026-01-02T03:04:05.678Z\",%s"
             " \"validators\": [%s, {\"name\": \"v1\", \"pub_key\": \"%s\"}],"
             " \"accounts\": [%s, {\"address\": \"%s\", \"role\": \"individual\", \"name\": "
             "\"Alice\", \"jurisdiction\": \"CN-SC\", \"balance\": \"0\"}]}",
             top ? top : "", params ? params : "", val0, V1, acct0, A1);
    return out;
}

static int parse(const char *text, struct yc_genesis *g, char *err, size_t errlen)
{
    return yc_genesis_json_parse(g, text, strlen(text), err, errlen);
}

static void test_valid_and_defaults(void **state)
{
    (void)state;
    char *t = doc(NULL, NULL, NULL, NULL);
    struct yc_genesis g;
    char err[400] = "";
    int rc = parse(t, &g, err, sizeof err);
    if (rc != YC_OK)
        fail_msg("%s", err);
    assert_string_equal(g.chain_id, "yc-json");
    assert_int_equal(g.genesis_time_ms, 1767323045678ull);
    assert_int_equal(g.nvalidators, 2);
    assert_string_equal(g.validators[1].name, "v1");
    assert_int_equal(g.naccounts, 2);
    assert_int_equal(g.accounts[0].balance, 1000);
    struct yc_params def;
    yc_params_default(&def);
    assert_memory_equal(&g.params, &def, sizeof def);

    /* dump → parse: same hash; pretty or compact, the hash is the same */
    char *d = yc_genesis_json_dump(&g);
    assert_non_null(d);
    struct yc_genesis g2;
    assert_int_equal(parse(d, &g2, err, sizeof err), YC_OK);
    assert_memory_equal(g2.hash, g.hash, YC_HASH_LEN);
    json_t *j = json_loads(d, 0, NULL);
    char *compact = json_dumps(j, JSON_COMPACT);
    struct yc_genesis g3;
    assert_int_equal(parse(compact, &g3, err, sizeof err), YC_OK);
    assert_memory_equal(g3.hash, g.hash, YC_HASH_LEN);
    free(compact);
    json_decref(j);
    free(d);
    yc_genesis_cleanup(&g);
    yc_genesis_cleanup(&g2);
    yc_genesis_cleanup(&g3);
    free(t);

    /* params given, as numbers or decimal strings; time given only as ms */
    t = doc(NULL, " \"params\": {\"max_block_txs\": 10, \"notice_blocks\": \"5\"},", NULL, NULL);
    assert_int_equal(parse(t, &g, err, sizeof err), YC_OK);
    assert_int_equal(g.params.max_block_txs, 10);
    assert_int_equal(g.params.notice_blocks, 5);
    assert_int_equal(g.params.max_block_bytes, def.max_block_bytes);
    yc_genesis_cleanup(&g);
    free(t);
}

/* issue 9: the code lists and open_registration, with and without them in the file */
static void test_codes_and_open_registration(void **state)
{
    (void)state;
    struct yc_genesis g, g2;
    char err[400] = "";
    char *t = doc(NULL, NULL, NULL, NULL);
    assert_int_equal(parse(t, &g, err, sizeof err), YC_OK);
    free(t);
    size_t n;
    (void)yc_codes_default(YC_CODES_CATEGORY, &n);
    assert_int_equal(g.codes.categories.n, n); /* omitted: the default list */
    assert_false(g.params.open_registration);
    /* written out explicitly, and the same chain when read back */
    char *d = yc_genesis_json_dump(&g);
    assert_non_null(strstr(d, "\"codes\""));
    assert_non_null(strstr(d, "\"open_registration\": false"));
    assert_int_equal(parse(d, &g2, err, sizeof err), YC_OK);
    assert_memory_equal(g2.hash, g.hash, YC_HASH_LEN);
    free(d);
    yc_genesis_cleanup(&g2);

    /* a list of its own, open registration */
    t = doc(" \"codes\": {\"categories\": [\"health\", \"vehicle\"]},",
            " \"params\": {\"open_registration\": true},", NULL, NULL);
    if (parse(t, &g2, err, sizeof err) != YC_OK)
        fail_msg("%s", err);
    free(t);
    assert_int_equal(g2.codes.categories.n, 2);
    assert_string_equal(g2.codes.categories.codes[1], "vehicle");
    assert_int_equal(g2.codes.purposes.n, g.codes.purposes.n); /* the default purposes */
    assert_true(g2.params.open_registration);
    assert_memory_not_equal(g2.hash, g.hash, YC_HASH_LEN);
    d = yc_genesis_json_dump(&g2);
    struct yc_genesis g3;
    assert_int_equal(parse(d, &g3, err, sizeof err), YC_OK);
    assert_memory_equal(g3.hash, g2.hash, YC_HASH_LEN);
    free(d);
    yc_genesis_cleanup(&g3);
    yc_genesis_cleanup(&g2);
    yc_genesis_cleanup(&g);

    /* refusals name the field */
    static const struct {
        const char *top, *params, *needle;
    } bad[] = {
        {" \"codes\": {\"categories\": [\"Health\"]},", NULL, "codes.categories[0]"},
        {" \"codes\": {\"categories\": [\"a\", \"a\"]},", NULL, "codes.categories[1]"},
        {" \"codes\": {\"categories\": []},", NULL, "codes.categories"},
        {" \"codes\": {\"colours\": []},", NULL, "unknown field \"colours\""},
        {" \"codes\": [],", NULL, "codes: must be an object"},
        {NULL, " \"params\": {\"open_registration\": 1},", "params.open_registration"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        t = doc(bad[i].top, bad[i].params, NULL, NULL);
        assert_int_equal(parse(t, &g, err, sizeof err), YC_ECONFIG);
        if (strstr(err, bad[i].needle) == NULL)
            fail_msg("case %zu: \"%s\" lacks \"%s\"", i, err, bad[i].needle);
        free(t);
    }
}

struct bad {
    const char *top, *params, *val0, *acct0;
    const char *needle; /* must appear in the message */
};

static void test_bad_fields_named(void **state)
{
    (void)state;
    char bad_val_key[512], bad_val_addr[512], dup_val[512], bal_num[512], bal_sign[512];
    char bad_role[512], bad_jur[512], dup_acct[512], no_name[512], extra_acct[512];
    snprintf(bad_val_key, sizeof bad_val_key, "{\"name\": \"v0\", \"pub_key\": \"yc1qqqq\"}");
    snprintf(bad_val_addr, sizeof bad_val_addr,
             "{\"name\": \"v0\", \"pub_key\": \"%s\", \"address\": \"10.0.0.1:27600\"}", V0);
    snprintf(dup_val, sizeof dup_val, "{\"name\": \"v0\", \"pub_key\": \"%s\"}", V1);
    snprintf(bal_num, sizeof bal_num,
             "{\"address\": \"%s\", \"role\": \"exchange\", \"name\": \"E\", \"jurisdiction\": "
             "\"CN\", \"balance\": 1000}",
             A0);
    snprintf(bal_sign, sizeof bal_sign,
             "{\"address\": \"%s\", \"role\": \"exchange\", \"name\": \"E\", \"jurisdiction\": "
             "\"CN\", \"balance\": \"-5\"}",
             A0);
    snprintf(bad_role, sizeof bad_role,
             "{\"address\": \"%s\", \"role\": \"king\", \"name\": \"E\", \"jurisdiction\": "
             "\"CN\"}",
             A0);
    snprintf(bad_jur, sizeof bad_jur,
             "{\"address\": \"%s\", \"role\": \"exchange\", \"name\": \"E\", \"jurisdiction\": "
             "\"chongqing\"}",
             A0);
    snprintf(dup_acct, sizeof dup_acct,
             "{\"address\": \"%s\", \"role\": \"exchange\", \"name\": \"E\", \"jurisdiction\": "
             "\"CN\"}",
             A1);
    snprintf(no_name, sizeof no_name,
             "{\"address\": \"%s\", \"role\": \"exchange\", \"jurisdiction\": \"CN\"}", A0);
    snprintf(extra_acct, sizeof extra_acct,
             "{\"address\": \"%s\", \"role\": \"exchange\", \"name\": \"E\", \"jurisdiction\": "
             "\"CN\", \"secret\": \"x\"}",
             A0);
    char not_exchange[512];
    snprintf(not_exchange, sizeof not_exchange,
             "{\"address\": \"%s\", \"role\": \"regulator\", \"name\": \"E\", \"jurisdiction\": "
             "\"CN\"}",
             A0);

    const struct bad cases[] = {
        {"\"colour\": \"red\", ", NULL, NULL, NULL, "unknown field \"colour\""},
        {NULL, " \"params\": {\"max_block_txs\": 0},", NULL, NULL, "params.max_block_txs"},
        {NULL, " \"params\": {\"exchange_fee_bps\": 10001},", NULL, NULL,
         "params.exchange_fee_bps"},
        {NULL, " \"params\": {\"speed\": 1},", NULL, NULL, "params: unknown field \"speed\""},
        {NULL, " \"params\": [],", NULL, NULL, "params: must be an object"},
        {NULL, " \"params\": {\"notice_blocks\": 1.5},", NULL, NULL, "params.notice_blocks"},
        {NULL, NULL, bad_val_key, NULL, "validators[0].pub_key"},
        {NULL, NULL, bad_val_addr, NULL,
         "validators[0].address: network addresses are not part of the genesis"},
        {"\"draft\": true, ", NULL, NULL, NULL, "draft: this genesis is still being assembled"},
        {"\"draft\": false, ", NULL, NULL, NULL, "draft: must be true when present"},
        {NULL, NULL, dup_val, NULL, "validators[1].pub_key: same key as validators[0]"},
        {NULL, NULL, NULL, bal_num, "accounts[0].balance: must be a decimal string"},
        {NULL, NULL, NULL, bal_sign, "accounts[0].balance"},
        {NULL, NULL, NULL, bad_role, "accounts[0].role: unknown role \"king\""},
        {NULL, NULL, NULL, bad_jur, "accounts[0].jurisdiction"},
        {NULL, NULL, NULL, dup_acct, "accounts[1].address: same account as accounts[0]"},
        {NULL, NULL, NULL, no_name, "accounts[0].name: missing"},
        {NULL, NULL, NULL, extra_acct, "accounts[0]: unknown field \"secret\""},
        {NULL, NULL, NULL, not_exchange, "role \"exchange\""},
        {"\"genesis_time_ms\": \"1\", ", NULL, NULL, NULL, "genesis_time_ms: 1 disagrees"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *t = doc(cases[i].top, cases[i].params, cases[i].val0, cases[i].acct0);
        struct yc_genesis g;
        char err[400] = "";
        int rc = parse(t, &g, err, sizeof err);
        if (rc != YC_ECONFIG || strstr(err, cases[i].needle) == NULL)
            fail_msg("case %zu: rc %s, message \"%s\", expected \"%s\"", i, yc_err_name(rc), err,
                     cases[i].needle);
        free(t);
    }

    const char *texts[][2] = {
        {"[1, 2]", "must be a JSON object"},
        {"{\"chain_id\": \"a b\"}", "chain_id"},
        {"{\"chain_id\": \"x\", \"genesis_time\": \"2026-02-30T00:00:00Z\"}", "genesis_time"},
        {"{\"chain_id\": \"x\", \"genesis_time\": \"2026-01-01 00:00:00\"}", "genesis_time"},
        {"{\"chain_id\": \"x\"}", "genesis_time: missing"},
        {"{\"chain_id\": \"x\", \"genesis_time_ms\": \"01\"}", "genesis_time_ms"},
        {"{\"chain_id\": \"x\", \"genesis_time_ms\": \"1\"}", "validators: missing"},
        {"{\"chain_id\": \"x\", \"chain_id\": \"y\"}", "not valid JSON"},
        {"{\"chain_id\": ", "not valid JSON at line 1"},
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        struct yc_genesis g;
        char err[400] = "";
        int rc = parse(texts[i][0], &g, err, sizeof err);
        if (rc != YC_ECONFIG || strstr(err, texts[i][1]) == NULL)
            fail_msg("text %zu: rc %s, message \"%s\", expected \"%s\"", i, yc_err_name(rc), err,
                     texts[i][1]);
    }
}

static void test_save_load(void **state)
{
    (void)state;
    char dir[4096], path[4200];
    tdir_make(dir, sizeof dir);
    struct tchain c;
    tchain_init(&c, 3);
    snprintf(path, sizeof path, "%s/genesis.json", dir);
    assert_int_equal(yc_genesis_json_save(&c.g, path), YC_OK);
    assert_int_equal(yc_genesis_json_save(&c.g, path), YC_OK); /* replaces atomically */
    struct yc_genesis g;
    char err[512];
    assert_int_equal(yc_genesis_json_load(&g, path, err, sizeof err), YC_OK);
    assert_memory_equal(g.hash, c.g.hash, YC_HASH_LEN);
    assert_int_equal(g.genesis_time_ms, c.g.genesis_time_ms);
    yc_genesis_cleanup(&g);

    snprintf(path, sizeof path, "%s/none.json", dir);
    assert_int_equal(yc_genesis_json_load(&g, path, err, sizeof err), YC_EIO);
    assert_non_null(strstr(err, "none.json"));
    /* no temporary file is left behind */
    char cmd[4300];
    snprintf(cmd, sizeof cmd, "test $(ls -A '%s' | wc -l) -eq 1", dir);
    assert_int_equal(system(cmd), 0);
    tchain_cleanup(&c);
    tdir_remove(dir);
}

/* A draft ("draft": true) is read only with YC_GJ_DRAFT: it may lack validators and
 * accounts, is not finalized, and round-trips through save_ex; without the flag it is
 * refused, and a final document read with the flag is finalized as usual. */
static void test_draft(void **state)
{
    (void)state;
    const char *text = "{\"draft\": true, \"chain_id\": \"yc-draft\", "
                       "\"genesis_time_ms\": \"1767225600000\", \"validators\": [], "
                       "\"accounts\": []}";
    struct yc_genesis g;
    bool draft = false;
    char err[400] = "";
    assert_int_equal(
        yc_genesis_json_parse_ex(&g, text, strlen(text), YC_GJ_DRAFT, &draft, err, sizeof err),
        YC_OK);
    assert_true(draft);
    assert_int_equal(g.nvalidators, 0);
    assert_int_equal(g.naccounts, 0);
    char *d = yc_genesis_json_dump_ex(&g, true);
    assert_non_null(d);
    assert_non_null(strstr(d, "\"draft\": true"));
    struct yc_genesis g2;
    draft = false;
    assert_int_equal(
        yc_genesis_json_parse_ex(&g2, d, strlen(d), YC_GJ_DRAFT, &draft, err, sizeof err), YC_OK);
    assert_true(draft);
    assert_string_equal(g2.chain_id, "yc-draft");
    assert_int_equal(g2.genesis_time_ms, 1767225600000ull);
    yc_genesis_cleanup(&g2);
    free(d);
    yc_genesis_cleanup(&g);
    assert_int_equal(parse(text, &g, err, sizeof err), YC_ECONFIG);
    assert_non_null(strstr(err, "genesis finalize"));

    char *t = doc(NULL, NULL, NULL, NULL);
    assert_int_equal(
        yc_genesis_json_parse_ex(&g, t, strlen(t), YC_GJ_DRAFT, &draft, err, sizeof err), YC_OK);
    assert_false(draft);
    struct yc_genesis g3;
    assert_int_equal(parse(t, &g3, err, sizeof err), YC_OK);
    assert_memory_equal(g.hash, g3.hash, YC_HASH_LEN);
    yc_genesis_cleanup(&g3);
    yc_genesis_cleanup(&g);
    free(t);
}

int main(void)
{
    addrs();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_and_defaults),
        cmocka_unit_test(test_bad_fields_named),
        cmocka_unit_test(test_save_load),
        cmocka_unit_test(test_codes_and_open_registration),
        cmocka_unit_test(test_draft),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
