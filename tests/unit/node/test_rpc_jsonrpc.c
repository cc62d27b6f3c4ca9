/*
 * test_rpc_jsonrpc.c — the JSON-RPC 2.0 and GET front ends of the RPC listener
 * (node/src/api/rpc.c) against the fake node: single and batch requests, notifications,
 * batch limits, unknown methods, parse errors, invalid UTF-8, deep JSON, duplicate
 * keys, positional params, GET/POST equivalence, GET query decoding, GET / listing,
 * HTTP status mapping, keep-alive with several requests (TESTING.md D4).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>

#include <cmocka.h>
#include <jansson.h>

#include "rpcfake_node.c"

#include "rpc.h"

struct env {
    uv_loop_t loop;
    struct yc_node node;
    yc_rpc *rpc;
    uint16_t port;
};

static struct env *env_new(uint32_t max_batch)
{
    struct env *e = calloc(1, sizeof(*e));
    uv_loop_init(&e->loop);
    fk_init(&e->node, &e->loop);
    struct yc_rpc_config c;
    yc_rpc_config_default(&c);
    c.laddr = "127.0.0.1:0";
    if (max_batch)
        c.max_batch = max_batch;
    c.max_body_bytes = 65536;
    assert_int_equal(yc_rpc_start(&e->rpc, &e->node, &c), YC_OK);
    e->port = yc_rpc_port(e->rpc);
    return e;
}

static void env_free(struct env *e)
{
    yc_rpc_stop(e->rpc);
    fk_pump(&e->loop, 10);
    fk_cleanup(&e->node);
    fk_pump(&e->loop, 5);
    assert_int_equal(uv_loop_close(&e->loop), 0);
    free(e);
}

/* POSTs body to / and parses the JSON answer (NULL if none). */
static json_t *post(struct env *e, const char *body, int *status)
{
    struct fk_resp r;
    *status = fk_http(&e->loop, e->port, "POST", "/", body, &r);
    json_t *j = r.body_len ? json_loads(r.body, 0, NULL) : NULL;
    fk_resp_free(&r);
    return j;
}

static json_t *get(struct env *e, const char *path, int *status)
{
    struct fk_resp r;
    *status = fk_http(&e->loop, e->port, "GET", path, NULL, &r);
    json_t *j = r.body_len ? json_loads(r.body, 0, NULL) : NULL;
    fk_resp_free(&r);
    return j;
}

static int err_code(json_t *resp)
{
    return (int)json_integer_value(json_object_get(json_object_get(resp, "error"), "code"));
}

static const char *err_name(json_t *resp)
{
    return json_string_value(
        json_object_get(json_object_get(json_object_get(resp, "error"), "data"), "code"));
}

static void test_status_post_and_get(void **state)
{
    (void)state;
    struct env *e = env_new(0);
    int st;
    json_t *p = post(e, "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"status\"}", &st);
    assert_int_equal(st, 200);
    assert_non_null(p);
    assert_int_equal(json_integer_value(json_object_get(p, "id")), 7);
    json_t *res = json_object_get(p, "result");
    assert_string_equal(json_string_value(json_object_get(res, "chain_id")), "test-chain");
    assert_string_equal(json_string_value(json_object_get(res, "height")), "5");
    assert_string_equal(json_string_value(json_object_get(res, "last_block_time")),
                        "2023-11-14T22:13:25.123Z");
    assert_true(json_is_false(json_object_get(res, "catching_up")));
    assert_true(json_is_integer(json_object_get(res, "primary")));
    json_t *g = get(e, "/status", &st);
    assert_int_equal(st, 200);
    assert_true(json_equal(g, res)); /* GET's body is POST's result */
    json_decref(p);
    json_decref(g);
    env_free(e);
}

static void test_batch(void **state)
{
    (void)state;
    struct env *e = env_new(0);
    int st;
    json_t *p = post(e,
                     "[{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"method\":\"health\"},"
                     " {\"jsonrpc\":\"2.0\",\"method\":\"status\"},"
                     " {\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"nope\"},"
                     " 42,"
                     " {\"jsonrpc\":\"1.0\",\"id\":3,\"method\":\"status\"},"
                     " {\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"num_unconfirmed_txs\","
                     "  \"params\":{}}]",
                     &st);
    assert_int_equal(st, 200);
    assert_true(json_is_array(p));
    /* the notification gets no entry */
    assert_int_equal(json_array_size(p), 5);
    assert_string_equal(json_string_value(json_object_get(json_array_get(p, 0), "id")), "a");
    assert_non_null(json_object_get(json_array_get(p, 0), "result"));
    assert_int_equal(err_code(json_array_get(p, 1)), -32601);
    assert_string_equal(err_name(json_array_get(p, 1)), "not_found");
    assert_int_equal(err_code(json_array_get(p, 2)), -32600);
    assert_true(json_is_null(json_object_get(json_array_get(p, 2), "id")));
    assert_int_equal(err_code(json_array_get(p, 3)), -32600);
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(json_array_get(p, 4), "result"), "total")),
                        "0");
    json_decref(p);
    /* only notifications: nothing to say */
    p = post(e, "[{\"jsonrpc\":\"2.0\",\"method\":\"status\"}]", &st);
    assert_int_equal(st, 204);
    assert_null(p);
    p = post(e, "{\"jsonrpc\":\"2.0\",\"method\":\"status\"}", &st);
    assert_int_equal(st, 204);
    /* empty batch */
    p = post(e, "[]", &st);
    assert_int_equal(err_code(p), -32600);
    json_decref(p);
    env_free(e);
}

static void test_batch_limit(void **state)
{
    (void)state;
    struct env *e = env_new(3);
    int st;
    const char one[] = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"health\"}";
    char body[512];
    snprintf(body, sizeof(body), "[%s,%s,%s]", one, one, one);
    json_t *p = post(e, body, &st);
    assert_int_equal(json_array_size(p), 3);
    json_decref(p);
    snprintf(body, sizeof(body), "[%s,%s,%s,%s]", one, one, one, one);
    p = post(e, body, &st);
    assert_int_equal(st, 200);
    assert_int_equal(err_code(p), -32600);
    assert_string_equal(err_name(p), "too_many");
    json_decref(p);
    env_free(e);
}

static void test_parse_errors(void **state)
{
    (void)state;
    struct env *e = env_new(0);
    int st;
    json_t *p = post(e, "{\"jsonrpc\":", &st);
    assert_int_equal(st, 200);
    assert_int_equal(err_code(p), -32700);
    assert_string_equal(err_name(p), "bad_encoding");
    assert_true(json_is_null(json_object_get(p, "id")));
    json_decref(p);
    /* invalid UTF-8 inside a string */
    p = post(e, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"st\xff\xfe\"}", &st);
    assert_int_equal(err_code(p), -32700);
    assert_string_equal(err_name(p), "bad_utf8");
    json_decref(p);
    /* overlong encoding of '/' */
    p = post(e, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"\xc0\xaf\"}", &st);
    assert_string_equal(err_name(p), "bad_utf8");
    json_decref(p);
    /* duplicate keys */
    p = post(e, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"status\",\"method\":\"health\"}", &st);
    assert_int_equal(err_code(p), -32700);
    json_decref(p);
    /* deep nesting: refused before parsing */
    char deep[4096];
    size_t n = 0;
    n += (size_t)snprintf(deep, sizeof(deep),
                          "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":"
                          "\"status\",\"params\":{\"x\":");
    for (int i = 0; i < 40; i++)
        deep[n++] = '[';
    for (int i = 0; i < 40; i++)
        deep[n++] = ']';
    deep[n++] = '}';
    deep[n++] = '}';
    deep[n] = 0;
    p = post(e, deep, &st);
    assert_int_equal(err_code(p), -32700);
    assert_string_equal(err_name(p), "too_deep");
    json_decref(p);
    /* brackets inside strings do not count */
    p = post(e,
             "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"health\",\"params\":{\"x\":"
             "\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\\\"[[[[[[[\"}}",
             &st);
    assert_non_null(json_object_get(p, "result"));
    json_decref(p);
    /* a NUL escape is refused by the parser */
    p = post(e, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"sta\\u0000tus\"}", &st);
    assert_int_equal(err_code(p), -32700);
    json_decref(p);
    /* bad id type, missing method */
    p = post(e, "{\"jsonrpc\":\"2.0\",\"id\":[1],\"method\":\"status\"}", &st);
    assert_int_equal(err_code(p), -32600);
    json_decref(p);
    p = post(e, "{\"jsonrpc\":\"2.0\",\"id\":1}", &st);
    assert_int_equal(err_code(p), -32600);
    json_decref(p);
    /* an unknown method whose quoted name would be cut inside a UTF-8 sequence */
    char longname[512];
    int ln = snprintf(longname, sizeof(longname), "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"x");
    for (int i = 0; i < 60; i++)
        ln += snprintf(longname + ln, sizeof(longname) - (size_t)ln, "\xc3\xa9");
    snprintf(longname + ln, sizeof(longname) - (size_t)ln, "\"}");
    p = post(e, longname, &st);
    assert_int_equal(st, 200);
    assert_int_equal(err_code(p), -32601);
    json_decref(p);
    p = post(e, "\"just a string\"", &st);
    assert_int_equal(err_code(p), -32600);
    json_decref(p);
    env_free(e);
}

static void test_params(void **state)
{
    (void)state;
    struct env *e = env_new(0);
    int st;
    /* missing required param */
    json_t *p = post(e, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tx\"}", &st);
    assert_int_equal(err_code(p), -32602);
    assert_string_equal(err_name(p), "bad_field");
    json_decref(p);
    /* bad hex */
    p = post(e, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tx\",\"params\":{\"id\":\"zz\"}}", &st);
    assert_int_equal(err_code(p), -32602);
    json_decref(p);
    /* positional params map onto the method's names */
    char body[512];
    char id[65];
    memset(id, 'a', 64);
    id[64] = 0;
    snprintf(body, sizeof(body),
             "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tx\",\"params\":[\"%s\"]}", id);
    p = post(e, body, &st);
    json_t *res = json_object_get(p, "result");
    assert_string_equal(json_string_value(json_object_get(res, "status")), "unknown");
    assert_string_equal(json_string_value(json_object_get(res, "id")), id);
    json_decref(p);
    snprintf(body, sizeof(body),
             "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tx\",\"params\":[\"%s\",1]}", id);
    p = post(e, body, &st);
    assert_int_equal(err_code(p), -32602);
    json_decref(p);
    /* bad address */
    p = post(e,
             "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"account\",\"params\":"
             "{\"address\":\"yc1notanaddress\"}}",
             &st);
    assert_int_equal(err_code(p), -32602);
    assert_string_equal(err_name(p), "bad_address");
    json_decref(p);
    /* limit range */
    p = post(e,
             "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"unconfirmed_txs\",\"params\":"
             "{\"limit\":\"0\"}}",
             &st);
    assert_int_equal(err_code(p), -32602);
    json_decref(p);
    p = post(e,
             "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"unconfirmed_txs\",\"params\":"
             "{\"limit\":\"-1\"}}",
             &st);
    assert_int_equal(err_code(p), -32602);
    json_decref(p);
    env_free(e);
}

static void test_get_forms(void **state)
{
    (void)state;
    struct env *e = env_new(0);
    int st;
    json_t *g = get(e, "/", &st);
    assert_int_equal(st, 200);
    json_t *ms = json_object_get(g, "methods");
    assert_true(json_array_size(ms) >= 15);
    bool found = false;
    for (size_t i = 0; i < json_array_size(ms); i++) {
        if (strcmp(json_string_value(json_object_get(json_array_get(ms, i), "name")),
                   "broadcast_tx_commit") == 0)
            found = true;
    }
    assert_true(found);
    json_decref(g);
    /* unknown method: 404 */
    g = get(e, "/nope", &st);
    assert_int_equal(st, 404);
    assert_int_equal(err_code(g), -32601);
    json_decref(g);
    /* bad params: 400 with an error object */
    g = get(e, "/tx?id=xyz", &st);
    assert_int_equal(st, 400);
    assert_int_equal(err_code(g), -32602);
    json_decref(g);
    /* URL-decoding, quoted values, + as space */
    char path[256];
    snprintf(path, sizeof(path), "/tx?id=%%22%s%%22",
             "00000000000000000000000000000000000000"
             "00000000000000000000000000");
    g = get(e, path, &st);
    assert_int_equal(st, 200);
    assert_string_equal(json_string_value(json_object_get(g, "status")), "unknown");
    json_decref(g);
    g = get(e, "/tx?id=%41%4", &st);
    assert_int_equal(st, 400);
    json_decref(g);
    g = get(e, "/tx?id=%00", &st);
    assert_int_equal(st, 400);
    json_decref(g);
    g = get(e, "/tx?id=a&id=b", &st);
    assert_int_equal(st, 400);
    json_decref(g);
    g = get(e, "/tx?id=%ff", &st);
    assert_int_equal(st, 400);
    json_decref(g);
    g = get(e, "/unconfirmed_txs?limit=2&unknown=ignored", &st);
    assert_int_equal(st, 200);
    json_decref(g);
    /* not found maps to 404 */
    g = get(e, "/block?height=99", &st);
    assert_int_equal(st, 404);
    assert_string_equal(err_name(g), "not_found");
    json_decref(g);
    /* POST elsewhere than / and other verbs */
    struct fk_resp r;
    assert_int_equal(fk_http(&e->loop, e->port, "POST", "/status", "{}", &r), 404);
    fk_resp_free(&r);
    assert_int_equal(fk_http(&e->loop, e->port, "PUT", "/", "{}", &r), 405);
    fk_resp_free(&r);
    env_free(e);
}

static void test_keepalive_many(void **state)
{
    (void)state;
    struct env *e = env_new(0);
    int fd = fk_connect(e->port);
    for (int i = 0; i < 20; i++) {
        char req[512];
        const char *body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"num_unconfirmed_txs\"}";
        int n = i % 2
                    ? snprintf(req, sizeof(req), "POST / HTTP/1.1\r\nContent-Length: %zu\r\n\r\n%s",
                               strlen(body), body)
                    : snprintf(req, sizeof(req), "GET /num_unconfirmed_txs HTTP/1.1\r\n\r\n");
        assert_true(fk_send(&e->loop, fd, req, (size_t)n));
        struct fk_resp r;
        assert_int_equal(fk_read_response(&e->loop, fd, &r, 2000), 200);
        assert_false(r.closed);
        json_t *j = json_loads(r.body, 0, NULL);
        assert_non_null(j);
        json_t *res = i % 2 ? json_object_get(j, "result") : j;
        assert_string_equal(json_string_value(json_object_get(res, "count")), "0");
        json_decref(j);
        fk_resp_free(&r);
    }
    close(fd);
    env_free(e);
}

static void test_health_and_readonly(void **state)
{
    (void)state;
    struct env *e = env_new(0);
    int st;
    e->node.ready = false;
    snprintf(e->node.why, sizeof(e->node.why), "storage unwritable");
    json_t *g = get(e, "/health", &st);
    assert_int_equal(st, 503);
    assert_int_equal(err_code(g), -32003);
    json_decref(g);
    e->node.status.catching_up = true; /* catching up is not ill health */
    g = get(e, "/health", &st);
    assert_int_equal(st, 200);
    json_decref(g);
    e->node.read_only = true;
    g = get(e, "/broadcast_tx_sync?tx=00", &st);
    assert_int_equal(st, 403);
    assert_int_equal(err_code(g), -32002);
    json_decref(g);
    env_free(e);
}

static void test_large_body(void **state)
{
    (void)state;
    struct env *e = env_new(0);
    size_t n = 70000;
    char *body = malloc(n + 1);
    memset(body, ' ', n);
    body[n] = 0;
    memcpy(body, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"status\"}", 42);
    struct fk_resp r;
    assert_int_equal(fk_http(&e->loop, e->port, "POST", "/", body, &r), 413);
    assert_non_null(strstr(r.body, "body_too_large"));
    fk_resp_free(&r);
    free(body);
    env_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status_post_and_get),
        cmocka_unit_test(test_batch),
        cmocka_unit_test(test_batch_limit),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_params),
        cmocka_unit_test(test_get_forms),
        cmocka_unit_test(test_keepalive_many),
        cmocka_unit_test(test_health_and_readonly),
        cmocka_unit_test(test_large_body),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
