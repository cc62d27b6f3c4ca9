/*
 * test_provenance.c — read/provenance: the graph of a product (ancestry,
 * descendants, licenses, uses) rendered as JSON, DOT, PROV-JSON and text; the same
 * bytes from the live state and from a replay of the sealed blocks (node and audit
 * answer alike); refusals for unknown assets, missing scans and output caps.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "helper_asset.h"
#include "yc/bech32.h"
#include "yc/block.h"
#include "yc/hash.h"
#include "yc/objects.h"
#include "yc/provenance.h"

/* The product's title: text from a transaction, with a control character and CJK. */
#define PRODUCT_TITLE "Credit model\t\u91cd\u5e86"

struct fx {
    struct tchain tc;
    struct yc_buf body;
    uint8_t a[32], b[32], p[32], q[32], lic_a[32], lic_p[32], use_a[32], use_p[32];
};

static void use(struct fx *f, uint32_t who, const uint8_t *license, const char *op,
                const uint8_t *out, uint8_t id[32])
{
    struct hb_usage u = {
        .license = license, .purpose = "credit_scoring", .operation = op, .output = out};
    hb_usage(&f->body, &u);
    tc_expect(&f->tc, who, YC_TX_USAGE_RECORD, &f->body, YC_OK, id);
}

static int setup(void **st)
{
    struct fx *f = calloc(1, sizeof *f);
    struct tchain *tc = &f->tc;
    tc_init(tc);
    tc->g.params.notice_blocks = TA_NOTICE;
    yc_buf_init(&f->body, 0);

    struct hb_asset a = {
        .digest_byte = 0xa1, .self = tc->pub[TC_AGENCY], .title = "Bus \"lines\" of Chongqing"};
    hb_asset_register(&f->body, &a);
    tc_expect(tc, TC_AGENCY, YC_TX_ASSET_REGISTER, &f->body, YC_OK, f->a);
    ta_register(tc, TC_ENTERPRISE, 0xb1, "important", NULL, 0, f->b);
    ta_pass_notice(tc);
    ta_certify(tc, f->a);
    ta_certify(tc, f->b);
    struct hb_license l = {.asset = f->a,
                           .licensee = tc->pub[TC_PROCESSOR],
                           .visibility = "invisible",
                           .fee = 5,
                           .until = tc->time_ms + 3600000,
                           .operations = {"compute", "model", NULL},
                           .purposes = {"credit_scoring", NULL}};
    hb_right_license(&f->body, &l);
    tc_expect(tc, TC_AGENCY, YC_TX_RIGHT_LICENSE, &f->body, YC_OK, f->lic_a);
    uint8_t out[32];
    memset(out, 0xc1, 32);
    use(f, TC_PROCESSOR, f->lic_a, "model", out, f->use_a);
    tc_commit(tc);

    /* the model's output becomes a product of A and B */
    uint8_t parents[2][32];
    memcpy(parents[0], f->a, 32);
    memcpy(parents[1], f->b, 32);
    struct hb_asset p = {.digest_byte = 0xc1,
                         .self = tc->pub[TC_PROCESSOR],
                         .grade = "important",
                         .title = PRODUCT_TITLE,
                         .parents = (const uint8_t(*)[32])parents,
                         .nparents = 2,
                         .usage = f->use_a};
    hb_asset_register(&f->body, &p);
    tc_expect(tc, TC_PROCESSOR, YC_TX_ASSET_REGISTER, &f->body, YC_OK, f->p);
    ta_pass_notice(tc);
    ta_certify(tc, f->p);
    uint8_t pp[1][32];
    memcpy(pp[0], f->p, 32);
    ta_register(tc, TC_PROCESSOR, 0xd1, "core", (const uint8_t(*)[32])pp, 1, f->q);
    struct hb_license lp = {.asset = f->p,
                            .licensee = tc->pub[TC_ENTERPRISE],
                            .visibility = "visible",
                            .until = tc->time_ms + 3600000,
                            .operations = {"query", NULL},
                            .purposes = {"credit_scoring", NULL}};
    hb_right_license(&f->body, &lp);
    tc_expect(tc, TC_PROCESSOR, YC_TX_RIGHT_LICENSE, &f->body, YC_OK, f->lic_p);
    use(f, TC_ENTERPRISE, f->lic_p, "query", NULL, f->use_p);
    tc_commit(tc);
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

/* Renders into a NUL-terminated malloc'ed string (asserts success). */
static char *render(struct mem_state *m, const uint8_t id[32], struct tchain *tc,
                    enum yc_prov_format fmt)
{
    struct yc_state_src src = mem_state_src(m);
    struct yc_buf b;
    yc_buf_init(&b, 0);
    assert_int_equal(yc_provenance_render(&src, id, tc->height - 1, tc->time_ms - 1000, fmt, &b),
                     YC_OK);
    char *s = calloc(1, b.len + 1);
    memcpy(s, b.data, b.len);
    yc_buf_cleanup(&b);
    return s;
}

static bool has_hex(const char *s, const char *prefix, const uint8_t id[32])
{
    char h[65], want[128];
    yc_hex(h, id, 32);
    snprintf(want, sizeof want, "%s%s", prefix, h);
    return strstr(s, want) != NULL;
}

/* One JSON document, a line: parsed by jansson (nothing may follow it but its newline). */
static json_t *parse_json(const char *s)
{
    json_error_t e;
    size_t n = strlen(s);
    assert_true(n > 0 && s[n - 1] == '\n');
    json_t *j = json_loadb(s, n - 1, 0, &e);
    if (j == NULL)
        fail_msg("not JSON (%s at %d): %s", e.text, e.position, s);
    return j;
}

static const char *hex_of(char h[65], const uint8_t id[32])
{
    yc_hex(h, id, 32);
    return h;
}

static void test_json_graph(void **st)
{
    struct fx *f = *st;
    char *s = render(f->tc.ms, f->p, &f->tc, YC_PROV_JSON);
    json_t *j = parse_json(s);
    char h[65];

    /* text from a transaction is carried as it is, control characters escaped */
    json_t *self = json_array_get(json_object_get(j, "assets"), 0);
    assert_string_equal(json_string_value(json_object_get(self, "id")), hex_of(h, f->p));
    assert_string_equal(json_string_value(json_object_get(self, "title")), PRODUCT_TITLE);
    assert_non_null(strstr(s, "\"title\":\"Credit model\\t\u91cd\u5e86\""));
    json_decref(j);
    assert_true(has_hex(s, "{\"id\":\"", f->p));
    assert_true(has_hex(s, "\"id\":\"", f->a));
    assert_true(has_hex(s, "\"id\":\"", f->b));
    assert_true(has_hex(s, "\"id\":\"", f->q));
    assert_true(has_hex(s, "\"id\":\"", f->lic_a));
    assert_true(has_hex(s, "\"id\":\"", f->lic_p));
    assert_true(has_hex(s, "\"id\":\"", f->use_a));
    assert_true(has_hex(s, "\"id\":\"", f->use_p));
    assert_true(has_hex(s, "\"usage\":\"", f->use_a));
    assert_non_null(strstr(s, "\"relation\":\"self\""));
    assert_non_null(strstr(s, "\"relation\":\"ancestor\""));
    assert_non_null(strstr(s, "\"relation\":\"descendant\""));
    assert_non_null(strstr(s, "\"truncated\":false"));
    assert_non_null(strstr(s, "Bus \\\"lines\\\" of Chongqing"));
    assert_non_null(strstr(s, "\"visibility\":\"invisible\""));
    assert_non_null(strstr(s, "\"until_time\":\"")); /* a license's, as the asset method's */
    assert_non_null(strstr(s, "\"status\":\"certified\""));
    free(s);
    /* from a raw source: its descendants P and Q are there, B (a co-parent) is not */
    s = render(f->tc.ms, f->a, &f->tc, YC_PROV_JSON);
    assert_true(has_hex(s, "\"id\":\"", f->q));
    assert_false(has_hex(s, "\"id\":\"", f->b));
    free(s);
}

static void test_dot_provjson_text(void **st)
{
    struct fx *f = *st;
    char *dot = render(f->tc.ms, f->p, &f->tc, YC_PROV_DOT);
    assert_int_equal(strncmp(dot, "digraph provenance {\n", 21), 0);
    assert_string_equal(dot + strlen(dot) - 2, "}\n");
    assert_non_null(strstr(dot, "wasDerivedFrom"));
    assert_non_null(strstr(dot, "wasGeneratedBy"));
    assert_non_null(strstr(dot, "Bus \\\"lines\\\" of Chongqing"));
    /* agents by name above a short address; a CJK-capable font for Chinese titles */
    char shrt[64], addr[YC_ADDR_MAX];
    assert_int_equal(yc_addr_encode(addr, f->tc.pub[TC_PROCESSOR]), YC_OK);
    snprintf(shrt, sizeof shrt, "label=\"Processor Ltd\\n%.10s\u2026%s\"", addr,
             addr + strlen(addr) - 6);
    assert_non_null(strstr(dot, shrt));
    assert_non_null(strstr(dot, "fontname=\"WenQuanYi Micro Hei\""));
    assert_true(has_hex(dot, "\"use_", f->use_a));
    free(dot);

    char *pj = render(f->tc.ms, f->p, &f->tc, YC_PROV_PROVJSON);
    json_t *j = parse_json(pj);
    char q[80], h[65];
    snprintf(q, sizeof q, "yc:asset_%s", hex_of(h, f->p));
    json_t *ent = json_object_get(json_object_get(j, "entity"), q);
    assert_string_equal(json_string_value(json_object_get(ent, "prov:label")), PRODUCT_TITLE);
    json_decref(j);
    const char *sections[] = {
        "\"prefix\"",         "\"entity\"", "\"activity\"",       "\"agent\"",
        "\"wasDerivedFrom\"", "\"used\"",   "\"wasGeneratedBy\"", "\"wasAssociatedWith\"",
        "\"wasAttributedTo\""};
    for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++) {
        assert_non_null(strstr(pj, sections[i]));
    }
    assert_true(has_hex(pj, "\"prov:generatedEntity\":\"yc:asset_", f->p));
    assert_true(has_hex(pj, "\"prov:usedEntity\":\"yc:asset_", f->a));
    assert_true(has_hex(pj, "\"prov:activity\":\"yc:use_", f->use_a));
    free(pj);

    char *txt = render(f->tc.ms, f->p, &f->tc, YC_PROV_TEXT);
    assert_non_null(strstr(txt, "self asset "));
    assert_non_null(strstr(txt, "derived from: "));
    assert_non_null(strstr(txt, "Credit model"));
    assert_non_null(strstr(txt, " by Processor Ltd (yc1"));
    assert_non_null(strstr(txt, " -> Enterprise Co (yc1")); /* licensor -> licensee */
    free(txt);
}

/* What the audit tool computes from a replay equals what the node computes live. */
static void test_replay_gives_the_same_bytes(void **st)
{
    struct fx *f = *st;
    struct tchain *tc = &f->tc;
    struct mem_state *m = tc_replay(tc, NULL);
    for (int fmt = YC_PROV_JSON; fmt <= YC_PROV_TEXT; fmt++) {
        char *live = render(tc->ms, f->p, tc, (enum yc_prov_format)fmt);
        char *again = render(m, f->p, tc, (enum yc_prov_format)fmt);
        assert_string_equal(live, again);
        free(live);
        free(again);
    }
    mem_state_free(m);
}

static void test_refusals(void **st)
{
    struct fx *f = *st;
    struct tchain *tc = &f->tc;
    struct yc_state_src src = mem_state_src(tc->ms);
    struct yc_buf b;
    uint8_t unknown[32];
    enum yc_prov_format fmt;

    memset(unknown, 0x12, 32);
    yc_buf_init(&b, 0);
    assert_int_equal(yc_provenance_render(&src, unknown, 1, 1, YC_PROV_JSON, &b), YC_EUNKNOWNASSET);
    assert_int_equal(b.len, 0);
    struct yc_state_src noscan = src;
    noscan.scan = NULL;
    assert_int_equal(yc_provenance_render(&noscan, f->p, 1, 1, YC_PROV_JSON, &b), YC_EINVAL);
    assert_int_equal(yc_provenance_render(&src, f->p, 1, 1, (enum yc_prov_format)9, &b), YC_EINVAL);
    yc_buf_cleanup(&b);
    yc_buf_init(&b, 100);
    assert_int_equal(yc_provenance_render(&src, f->p, 1, 1, YC_PROV_JSON, &b), YC_ELIMIT);
    yc_buf_cleanup(&b);

    assert_int_equal(yc_prov_format_from_name("prov-json", &fmt), YC_OK);
    assert_int_equal(fmt, YC_PROV_PROVJSON);
    assert_int_equal(yc_prov_format_from_name("dot", &fmt), YC_OK);
    assert_int_equal(fmt, YC_PROV_DOT);
    assert_int_equal(yc_prov_format_from_name("svg", &fmt), YC_EINVAL);

    char t[32];
    yc_time_rfc3339(t, 1700000001234ull);
    assert_string_equal(t, "2023-11-14T22:13:21.234Z");
    yc_time_rfc3339(t, 0);
    assert_string_equal(t, "1970-01-01T00:00:00.000Z");
    yc_time_rfc3339(t, UINT64_MAX);
    assert_string_equal(t, "9999-12-31T23:59:59.999Z");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_json_graph, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dot_provjson_text, setup, teardown),
        cmocka_unit_test_setup_teardown(test_replay_gives_the_same_bytes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
