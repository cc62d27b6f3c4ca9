/*
 * test_rpc_txjson.c — the JSON of a transaction body, rendered from the body schema
 * (txschema.h): values by kind (hex ids, yc1 addresses, decimal
 * strings); optional fields absent unless the schema shows their default (consent.grant's
 * terms) or shows them only when not 0 (a market listing's fee); a block time with its
 * "<key>_time".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "rpc_json.h"
#include "yc/buf.h"
#include "yc/tx.h"
#include "yc/txschema.h"

/* Encodes b as a tx of type t, decodes it into *tx and returns its body's JSON. */
static json_t *render(struct yc_tx *tx, enum yc_tx_type t, const union yc_tx_body *b,
                      uint64_t present)
{
    struct yc_buf body, out;
    uint8_t sender[YC_PUBKEY_LEN], sig[YC_SIG_LEN];

    memset(sender, 0x22, sizeof sender);
    sender[0] = YC_SCHEME_BIP340;
    memset(sig, 0x33, sizeof sig);
    yc_buf_init(&body, 0);
    yc_buf_init(&out, 0);
    assert_int_equal(yc_tx_body_encode(&body, t, b, present), YC_OK);
    assert_int_equal(
        yc_tx_encode_signed(&out, "json-test", t, sender, 1, body.data, body.len, sig, NULL, 0),
        YC_OK);
    assert_int_equal(yc_tx_decode(tx, out.data, out.len), YC_OK);
    yc_buf_cleanup(&body);
    yc_buf_cleanup(&out);
    json_t *o = yc_json_tx_body(tx);
    assert_non_null(o);
    return o;
}

static uint64_t bit(enum yc_tx_type t, const char *key)
{
    uint32_t i;
    assert_non_null(yc_tx_schema_field(yc_tx_schema(t), key, &i));
    return UINT64_C(1) << i;
}

static void test_consent_grant(void **state)
{
    (void)state;
    static union yc_tx_body b;
    struct yc_tx tx;
    memset(&b, 0, sizeof b);
    b.consent_grant.processor[0] = YC_SCHEME_BIP340;
    b.consent_grant.until = 1796644844893u;
    b.consent_grant.jurisdiction = (struct yc_slice){"CN-CQ", 5};
    b.consent_grant.operations.n = 1;
    b.consent_grant.operations.items[0] = (struct yc_slice){"use", 3};
    json_t *o = render(&tx, YC_TX_CONSENT_GRANT, &b, 0);
    /* absent terms show their defaults */
    assert_string_equal(json_string_value(json_object_get(o, "fee_per_use")), "0");
    assert_true(json_is_false(json_object_get(o, "onward_transfer")));
    assert_string_equal(json_string_value(json_object_get(o, "until")), "1796644844893");
    assert_string_equal(json_string_value(json_object_get(o, "until_time")),
                        "2026-12-07T12:00:44.893Z");
    assert_string_equal(json_string_value(json_array_get(json_object_get(o, "operations"), 0)),
                        "use");
    assert_int_equal(json_array_size(json_object_get(o, "categories")), 0);
    assert_true(strncmp(json_string_value(json_object_get(o, "processor")), "yc1", 3) == 0);
    assert_int_equal(json_object_size(o), 12);
    json_decref(o);
    yc_tx_cleanup(&tx);
}

static void test_optional_fields(void **state)
{
    (void)state;
    static union yc_tx_body b;
    struct yc_tx tx;

    /* a listing's fee shows only when not 0, even when on the wire */
    memset(&b, 0, sizeof b);
    b.market_list.asset[0] = 0xab;
    b.market_list.price = 7;
    json_t *o = render(&tx, YC_TX_MARKET_LIST, &b, bit(YC_TX_MARKET_LIST, "fee"));
    assert_null(json_object_get(o, "fee"));
    assert_null(json_object_get(o, "operations"));
    assert_string_equal(json_string_value(json_object_get(o, "asset")),
                        "ab00000000000000000000000000000000000000000000000000000000000000");
    json_decref(o);
    yc_tx_cleanup(&tx);
    b.market_list.fee = 3;
    o = render(&tx, YC_TX_MARKET_LIST, &b, bit(YC_TX_MARKET_LIST, "fee"));
    assert_string_equal(json_string_value(json_object_get(o, "fee")), "3");
    json_decref(o);
    yc_tx_cleanup(&tx);

    /* a carry request's asset when it names one */
    memset(&b, 0, sizeof b);
    b.carry_request.holder[0] = YC_SCHEME_BIP340;
    b.carry_request.recipient[0] = YC_SCHEME_BIP340;
    o = render(&tx, YC_TX_CARRY_REQUEST, &b, 0);
    assert_null(json_object_get(o, "asset"));
    json_decref(o);
    yc_tx_cleanup(&tx);
    o = render(&tx, YC_TX_CARRY_REQUEST, &b, bit(YC_TX_CARRY_REQUEST, "asset"));
    assert_non_null(json_object_get(o, "asset"));
    json_decref(o);
    yc_tx_cleanup(&tx);

    /* contributors as [{account, bps}] */
    memset(&b, 0, sizeof b);
    b.asset_register.ncontributors = 1;
    b.asset_register.contributors[0].pub[0] = YC_SCHEME_BIP340;
    b.asset_register.contributors[0].bps = 10000;
    o = render(&tx, YC_TX_ASSET_REGISTER, &b, 0);
    json_t *c = json_array_get(json_object_get(o, "contributors"), 0);
    assert_string_equal(json_string_value(json_object_get(c, "bps")), "10000");
    assert_null(json_object_get(o, "parents")); /* shown when not empty */
    json_decref(o);
    yc_tx_cleanup(&tx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_consent_grant),
        cmocka_unit_test(test_optional_fields),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
