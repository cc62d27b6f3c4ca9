/*
 * test_rpc_ops.c — the operations listener (/metrics, /livez, /readyz, /version), the
 * admin cookie check (TESTING.md E6, at the unit level) and the JSON value helpers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>

#include <cmocka.h>
#include <jansson.h>

#include "rpcfake_node.c"

#include "rpc.h"
#include "rpc_impl.h"
#include "rpc_json.h"

struct env {
    uv_loop_t loop;
    struct yc_node node;
    yc_rpc *ops;
    yc_rpc *rpc;
};

static struct env *env_new(void)
{
    struct env *e = calloc(1, sizeof(*e));
    uv_loop_init(&e->loop);
    fk_init(&e->node, &e->loop);
    assert_int_equal(yc_ops_start(&e->ops, &e->node, "tcp://127.0.0.1:0", NULL), YC_OK);
    struct yc_rpc_config c;
    yc_rpc_config_default(&c);
    c.laddr = "127.0.0.1:0";
    assert_int_equal(yc_rpc_start(&e->rpc, &e->node, &c), YC_OK);
    return e;
}

static void env_free(struct env *e)
{
    yc_rpc_stop(e->ops);
    yc_rpc_stop(e->rpc);
    yc_rpc_stop(NULL);
    fk_pump(&e->loop, 10);
    fk_cleanup(&e->node);
    fk_pump(&e->loop, 5);
    assert_int_equal(uv_loop_close(&e->loop), 0);
    free(e);
}

static void test_metrics(void **state)
{
    (void)state;
    struct env *e = env_new();
    e->node.metrics.blocks_committed_total = 42;
    e->node.metrics.mempool_bytes = 1234;
    /* make some RPC traffic to count */
    struct fk_resp r;
    assert_int_equal(fk_http(&e->loop, yc_rpc_port(e->rpc), "GET", "/status", NULL, &r), 200);
    fk_resp_free(&r);
    assert_int_equal(fk_http(&e->loop, yc_rpc_port(e->ops), "GET", "/metrics", NULL, &r), 200);
    assert_non_null(strstr(r.head, "text/plain; version=0.0.4"));
    assert_non_null(strstr(r.body, "\nyuchain_blocks_committed_total 42\n"));
    assert_non_null(strstr(r.body, "# TYPE yuchain_blocks_committed_total counter\n"));
    assert_non_null(strstr(r.body, "\nyuchain_mempool_bytes 1234\n"));
    assert_non_null(strstr(r.body, "\nyuchain_block_height 5\n"));
    assert_non_null(strstr(r.body, "yuchain_rpc_calls_total{method=\"status\"} "));
    assert_non_null(strstr(r.body, "yuchain_rpc_http_errors_total{status=\"413\"} "));
    /* Every sample line: a yuchain_ name; counters end in _total; labels only from the
     * fixed vocabularies (method, status, reason, histogram bucket, version, p2p message
     * type): never an id or an address. */
    char *save = NULL;
    for (char *line = strtok_r(r.body, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (line[0] == '#') {
            if (strncmp(line, "# TYPE ", 7) == 0 && strstr(line, " counter"))
                assert_non_null(strstr(line, "_total counter"));
            continue;
        }
        /* process_*: the standard process family of Prometheus client libraries */
        assert_true(strncmp(line, "yuchain_", 8) == 0 || strncmp(line, "process_", 8) == 0);
        char *brace = strchr(line, '{');
        if (brace) {
            assert_true(
                strncmp(brace, "{method=\"", 9) == 0 || strncmp(brace, "{status=\"", 9) == 0 ||
                strncmp(brace, "{reason=\"", 9) == 0 || strncmp(brace, "{le=\"", 5) == 0 ||
                strncmp(brace, "{version=\"", 10) == 0 || strncmp(brace, "{type=\"", 7) == 0);
            assert_null(strstr(line, "yc1"));
        }
    }
    fk_resp_free(&r);
    env_free(e);
}

static void test_live_ready_version(void **state)
{
    (void)state;
    struct env *e = env_new();
    uint16_t port = yc_rpc_port(e->ops);
    struct fk_resp r;
    assert_int_equal(fk_http(&e->loop, port, "GET", "/livez", NULL, &r), 200);
    assert_string_equal(r.body, "ok\n");
    fk_resp_free(&r);
    assert_int_equal(fk_http(&e->loop, port, "GET", "/readyz", NULL, &r), 200);
    fk_resp_free(&r);
    e->node.ready = false;
    e->node.status.catching_up = true;
    snprintf(e->node.why, sizeof(e->node.why), "catching up: height 5 of 9");
    assert_int_equal(fk_http(&e->loop, port, "GET", "/readyz", NULL, &r), 503);
    assert_non_null(strstr(r.body, "[-]sync failed"));
    assert_non_null(strstr(r.body, "catching up: height 5 of 9"));
    fk_resp_free(&r);
    assert_int_equal(fk_http(&e->loop, port, "GET", "/version", NULL, &r), 200);
    json_t *v = json_loads(r.body, 0, NULL);
    assert_string_equal(json_string_value(json_object_get(v, "version")), YC_VERSION);
    assert_string_equal(json_string_value(json_object_get(v, "chain_id")), "test-chain");
    json_decref(v);
    fk_resp_free(&r);
    assert_int_equal(fk_http(&e->loop, port, "GET", "/nothing", NULL, &r), 404);
    fk_resp_free(&r);
    assert_int_equal(fk_http(&e->loop, port, "POST", "/metrics", "x", &r), 405);
    fk_resp_free(&r);
    env_free(e);
}

static void test_admin_cookie(void **state)
{
    (void)state;
    const char *ck = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
    char good[128];
    snprintf(good, sizeof(good), "Bearer %s", ck);
    assert_true(yc__rpc_admin_ok(ck, good));
    snprintf(good, sizeof(good), "bearer   %s  ", ck);
    assert_true(yc__rpc_admin_ok(ck, good));
    assert_false(yc__rpc_admin_ok(ck, NULL));
    assert_false(yc__rpc_admin_ok(ck, ""));
    assert_false(yc__rpc_admin_ok(ck, ck));                   /* no scheme */
    assert_false(yc__rpc_admin_ok(ck, "Basic dXNlcjpwYXNz")); /* wrong scheme */
    char bad[128];
    snprintf(bad, sizeof(bad), "Bearer %s", ck);
    bad[strlen(bad) - 1] ^= 1; /* last byte differs */
    assert_false(yc__rpc_admin_ok(ck, bad));
    snprintf(bad, sizeof(bad), "Bearer %.63s", ck); /* one short */
    assert_false(yc__rpc_admin_ok(ck, bad));
    snprintf(bad, sizeof(bad), "Bearer %s0", ck); /* one long */
    assert_false(yc__rpc_admin_ok(ck, bad));
    /* no cookie (e.g. a read-only inspect node): nothing is admin */
    assert_false(yc__rpc_admin_ok(NULL, good));
    assert_false(yc__rpc_admin_ok("", "Bearer "));
}

static void test_rpc_json(void **state)
{
    (void)state;
    uint64_t v;
    assert_int_equal(yc_rjson_parse_u64("18446744073709551615", 20, &v), YC_OK);
    assert_true(v == UINT64_MAX);
    assert_int_equal(yc_rjson_parse_u64("18446744073709551616", 20, &v), YC_EBADFIELD);
    assert_int_equal(yc_rjson_parse_u64("0", 1, &v), YC_OK);
    assert_int_equal(yc_rjson_parse_u64("01", 2, &v), YC_EBADFIELD);
    assert_int_equal(yc_rjson_parse_u64("", 0, &v), YC_EBADFIELD);
    assert_int_equal(yc_rjson_parse_u64("-1", 2, &v), YC_EBADFIELD);
    assert_int_equal(yc_rjson_parse_u64("1 ", 2, &v), YC_EBADFIELD);
    char line[] = "{\"a\":\n1,\r\n\"b\":2}";
    yc_rjson_one_line(line);
    assert_null(strchr(line, '\n'));
    assert_null(strchr(line, '\r'));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_metrics),
        cmocka_unit_test(test_live_ready_version),
        cmocka_unit_test(test_admin_cookie),
        cmocka_unit_test(test_rpc_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
