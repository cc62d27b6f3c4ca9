/*
 * test_rpc_broadcast.c — submitting transactions through the RPC against the fake
 * node: broadcast_tx_sync / async / commit / broadcast_txs outcomes and error codes (its
 * msgpack body at POST /broadcast_txs too),
 * deferred answers (also inside a batch), a client leaving while its commit wait or its
 * admission is pending (the watch is cancelled, nothing is touched afterwards), the
 * decoded tx and the mempool views, and the event stream.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>

#include <cmocka.h>
#include <jansson.h>

#include "rpcfake_node.c"

#include "rpc.h"
#include "yc/codec.h"

struct env {
    uv_loop_t loop;
    struct yc_node node;
    yc_rpc *rpc;
    uint16_t port;
};

static struct env *env_new(void)
{
    struct env *e = calloc(1, sizeof(*e));
    uv_loop_init(&e->loop);
    fk_init(&e->node, &e->loop);
    struct yc_rpc_config c;
    yc_rpc_config_default(&c);
    c.laddr = "127.0.0.1:0";
    c.commit_timeout_ms = 2000;
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

static json_t *post(struct env *e, const char *body, int *status)
{
    struct fk_resp r;
    *status = fk_http(&e->loop, e->port, "POST", "/", body, &r);
    json_t *j = r.body_len ? json_loads(r.body, 0, NULL) : NULL;
    fk_resp_free(&r);
    return j;
}

static const char *rstr(json_t *resp, const char *key)
{
    return json_string_value(json_object_get(json_object_get(resp, "result"), key));
}

static const char *err_name(json_t *resp)
{
    return json_string_value(
        json_object_get(json_object_get(json_object_get(resp, "error"), "data"), "code"));
}

static int err_code(json_t *resp)
{
    return (int)json_integer_value(json_object_get(json_object_get(resp, "error"), "code"));
}

/* A signed tx as hex, and its id as hex. */
static void make_tx(struct env *e, uint8_t seed, char *hex, char *idhex)
{
    uint8_t buf[1024], id[YC_HASH_LEN];
    size_t n = fk_build_tx(&e->node, seed, 0, buf, sizeof(buf), id);
    fk_hex(hex, buf, n);
    fk_hex(idhex, id, YC_HASH_LEN);
}

static json_t *call_tx(struct env *e, const char *method, const char *hex, const char *extra,
                       int *st)
{
    char body[4096];
    snprintf(body, sizeof(body),
             "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"%s\",\"params\":{\"tx\":\"%s\"%s}}",
             method, hex, extra ? extra : "");
    return post(e, body, st);
}

static void test_sync(void **state)
{
    (void)state;
    struct env *e = env_new();
    char hex[2048], id[65];
    make_tx(e, 3, hex, id);
    int st;
    json_t *p = call_tx(e, "broadcast_tx_sync", hex, NULL, &st);
    assert_int_equal(st, 200);
    assert_string_equal(rstr(p, "id"), id);
    assert_string_equal(rstr(p, "status"), "pending");
    assert_string_equal(rstr(p, "code"), "pending"); /* never "ok" while pending */
    json_decref(p);
    /* refused with words: the message names the field and what is allowed */
    e->node.submit_code = YC_EBADFIELD;
    e->node.submit_why = "operations: 'compute' is not one of collect, hold, host, use";
    make_tx(e, 9, hex, id);
    p = call_tx(e, "broadcast_tx_sync", hex, NULL, &st);
    assert_int_equal(err_code(p), -32000);
    assert_string_equal(err_name(p), "bad_field");
    assert_string_equal(json_string_value(json_object_get(json_object_get(p, "error"), "message")),
                        "bad_field: operations: 'compute' is not one of collect, hold, host, use");
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(json_object_get(p, "error"), "data"), "why")),
                        "operations: 'compute' is not one of collect, hold, host, use");
    json_decref(p);
    e->node.submit_why = NULL;
    /* refused at admission: -32000 with the stable code and the id */
    e->node.submit_code = YC_EBADNONCE;
    make_tx(e, 4, hex, id);
    p = call_tx(e, "broadcast_tx_sync", hex, NULL, &st);
    assert_int_equal(err_code(p), -32000);
    assert_string_equal(err_name(p), "bad_nonce");
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(json_object_get(p, "error"), "data"), "id")),
                        id);
    json_decref(p);
    /* undecodable bytes */
    p = call_tx(e, "broadcast_tx_sync", "c0ffee", NULL, &st);
    assert_int_equal(err_code(p), -32000);
    json_decref(p);
    /* not hex, odd length, empty */
    p = call_tx(e, "broadcast_tx_sync", "abc", NULL, &st);
    assert_int_equal(err_code(p), -32602);
    json_decref(p);
    p = call_tx(e, "broadcast_tx_sync", "", NULL, &st);
    assert_int_equal(err_code(p), -32602);
    json_decref(p);
    /* the node refuses synchronously */
    e->node.submit_rc = YC_EMEMPOOLFULL;
    p = call_tx(e, "broadcast_tx_sync", hex, NULL, &st);
    assert_int_equal(err_code(p), -32000);
    assert_string_equal(err_name(p), "mempool_full");
    json_decref(p);
    env_free(e);
}

static void test_async(void **state)
{
    (void)state;
    struct env *e = env_new();
    char hex[2048], id[65];
    make_tx(e, 5, hex, id);
    int st;
    json_t *p = call_tx(e, "broadcast_tx_async", hex, NULL, &st);
    assert_string_equal(rstr(p, "id"), id);
    assert_string_equal(rstr(p, "status"), "pending");
    json_decref(p);
    fk_pump(&e->loop, 10);
    assert_int_equal(e->node.nmempool, 1);
    p = call_tx(e, "broadcast_tx_async", "c0ffee", NULL, &st);
    assert_int_equal(err_code(p), -32000);
    json_decref(p);
    env_free(e);
}

static void test_commit(void **state)
{
    (void)state;
    struct env *e = env_new();
    char hex[2048], id[65];
    make_tx(e, 6, hex, id);
    int st;
    e->node.commit_after_ms = 30;
    json_t *p = call_tx(e, "broadcast_tx_commit", hex, NULL, &st);
    assert_string_equal(rstr(p, "status"), "committed");
    assert_string_equal(rstr(p, "code"), "ok");
    assert_string_equal(rstr(p, "height"), "7");
    assert_string_equal(rstr(p, "id"), id);
    json_decref(p);
    /* bounded wait: still pending */
    e->node.commit_after_ms = 0;
    make_tx(e, 7, hex, id);
    p = call_tx(e, "broadcast_tx_commit", hex, ",\"timeout_ms\":\"50\"", &st);
    assert_string_equal(rstr(p, "status"), "pending");
    assert_string_equal(rstr(p, "code"), "pending");
    assert_null(json_object_get(json_object_get(p, "result"), "height"));
    json_decref(p);
    /* already committed (a resubmission): answered from the status at once */
    e->node.submit_code = YC_EDUPTX;
    e->node.has_known = true;
    e->node.known_status.state = YC_TXS_REFUSED;
    e->node.known_status.code = YC_ECONSENTREVOKED;
    uint8_t buf[1024];
    fk_build_tx(&e->node, 7, 0, buf, sizeof(buf), e->node.known_id);
    size_t watches_before = e->node.watch_fired;
    p = call_tx(e, "broadcast_tx_commit", hex, NULL, &st);
    assert_string_equal(rstr(p, "status"), "refused");
    assert_string_equal(rstr(p, "code"), "consent_revoked");
    assert_int_equal(e->node.watch_fired, watches_before);
    json_decref(p);
    /* failed in a block: final, with its code, height and index */
    e->node.known_status.state = YC_TXS_FAILED;
    e->node.known_status.code = YC_EBALANCE;
    e->node.known_status.height = 9;
    e->node.known_status.index = 2;
    p = call_tx(e, "broadcast_tx_commit", hex, NULL, &st);
    assert_string_equal(rstr(p, "status"), "failed");
    assert_string_equal(rstr(p, "code"), "insufficient_balance");
    assert_string_equal(rstr(p, "height"), "9");
    assert_string_equal(rstr(p, "index"), "2");
    assert_int_equal(e->node.watch_fired, watches_before);
    json_decref(p);
    /* expired: final too */
    memset(&e->node.known_status, 0, sizeof e->node.known_status);
    e->node.known_status.state = YC_TXS_EXPIRED;
    e->node.known_status.code = YC_EEXPIRED;
    p = call_tx(e, "broadcast_tx_commit", hex, NULL, &st);
    assert_string_equal(rstr(p, "status"), "expired");
    assert_string_equal(rstr(p, "code"), "expired");
    assert_null(json_object_get(json_object_get(p, "result"), "height"));
    assert_int_equal(e->node.watch_fired, watches_before);
    json_decref(p);
    env_free(e);
}

/* Runs the loop until the fake node holds `want` watches, or 10 s have passed (the
 * request and the close take a few turns; many more on a loaded machine). */
static void pump_until_watches(struct env *e, size_t want)
{
    for (int i = 0; i < 2000 && e->node.nwatches != want; i++)
        fk_pump(&e->loop, 5);
}

static void test_commit_client_leaves(void **state)
{
    (void)state;
    struct env *e = env_new();
    char hex[2048], id[65];
    make_tx(e, 8, hex, id);
    char body[4096];
    int n = snprintf(body, sizeof(body),
                     "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"broadcast_tx_commit\","
                     "\"params\":{\"tx\":\"%s\"}}",
                     hex);
    char req[4200];
    int rn = snprintf(req, sizeof(req), "POST / HTTP/1.1\r\nContent-Length: %d\r\n\r\n%s", n, body);
    /* Leaves while the watch is set. */
    int fd = fk_connect(e->port);
    assert_true(fk_send(&e->loop, fd, req, (size_t)rn));
    pump_until_watches(e, 1);
    assert_int_equal(e->node.nwatches, 1);
    close(fd);
    pump_until_watches(e, 0);
    assert_int_equal(e->node.nwatches, 0);
    assert_int_equal(e->node.unwatches, 1);
    assert_int_equal(e->node.watch_fired, 0);
    /* Leaves before admission finished: the late callback starts no watch. */
    make_tx(e, 9, hex, id);
    n = snprintf(body, sizeof(body),
                 "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"broadcast_tx_commit\","
                 "\"params\":{\"tx\":\"%s\"}}",
                 hex);
    rn = snprintf(req, sizeof(req), "POST / HTTP/1.1\r\nContent-Length: %d\r\n\r\n%s", n, body);
    fd = fk_connect(e->port);
    size_t submits = e->node.submits;
    /* deliver the request and the close in the same loop turn */
    assert_int_equal(send(fd, req, (size_t)rn, 0), rn);
    close(fd);
    fk_pump(&e->loop, 50);
    assert_true(e->node.submits == submits + 1 || e->node.submits == submits);
    assert_int_equal(e->node.nwatches, 0);
    env_free(e);
}

static void test_batch_of_commits(void **state)
{
    (void)state;
    struct env *e = env_new();
    e->node.commit_after_ms = 20;
    char hex[3][2048], id[3][65];
    for (int i = 0; i < 3; i++)
        make_tx(e, (uint8_t)(10 + i), hex[i], id[i]);
    char body[8192];
    snprintf(body, sizeof(body),
             "[{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"broadcast_tx_commit\",\"params\":"
             "{\"tx\":\"%s\"}},"
             "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"status\"},"
             "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"broadcast_tx_sync\",\"params\":"
             "[\"%s\"]},"
             "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"broadcast_tx_commit\",\"params\":"
             "{\"tx\":\"%s\"}}]",
             hex[0], hex[1], hex[2]);
    int st;
    json_t *p = post(e, body, &st);
    assert_int_equal(json_array_size(p), 4);
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(json_integer_value(json_object_get(json_array_get(p, i), "id")),
                         (json_int_t)i);
    assert_string_equal(rstr(json_array_get(p, 0), "status"), "committed");
    assert_string_equal(rstr(json_array_get(p, 0), "id"), id[0]);
    assert_string_equal(rstr(json_array_get(p, 2), "status"), "pending");
    assert_string_equal(rstr(json_array_get(p, 3), "id"), id[2]);
    json_decref(p);
    env_free(e);
}

static void test_broadcast_txs(void **state)
{
    (void)state;
    struct env *e = env_new();
    char a[2048], ida[65], b[2048], idb[65];
    make_tx(e, 20, a, ida);
    make_tx(e, 21, b, idb);
    char body[8192];
    snprintf(body, sizeof(body),
             "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"broadcast_txs\",\"params\":"
             "{\"txs\":[\"%s\",\"zz\",\"%s\",\"c0ffee\"]}}",
             a, b);
    int st;
    json_t *p = post(e, body, &st);
    json_t *res = json_object_get(json_object_get(p, "result"), "results");
    assert_int_equal(json_array_size(res), 4);
    assert_string_equal(json_string_value(json_object_get(json_array_get(res, 0), "id")), ida);
    assert_string_equal(json_string_value(json_object_get(json_array_get(res, 0), "status")),
                        "pending");
    assert_string_equal(json_string_value(json_object_get(json_array_get(res, 1), "code")),
                        "bad_field");
    assert_string_equal(json_string_value(json_object_get(json_array_get(res, 2), "id")), idb);
    assert_string_equal(json_string_value(json_object_get(json_array_get(res, 3), "status")),
                        "refused");
    json_decref(p);
    /* GET form: comma-separated */
    char path[4600];
    make_tx(e, 22, a, ida);
    snprintf(path, sizeof(path), "/broadcast_txs?txs=%s,00", a);
    struct fk_resp r;
    assert_int_equal(fk_http(&e->loop, e->port, "GET", path, NULL, &r), 200);
    assert_non_null(strstr(r.body, ida));
    fk_resp_free(&r);
    p = post(e,
             "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"broadcast_txs\",\"params\":"
             "{\"txs\":[]}}",
             &st);
    assert_int_equal(err_code(p), -32602);
    json_decref(p);
    env_free(e);
}

/* POSTs a binary body as application/msgpack; returns the status. */
static int post_msgpack(struct env *e, const uint8_t *body, size_t len, struct fk_resp *r)
{
    int fd = fk_connect(e->port);
    assert_true(fd >= 0);
    char head[256];
    int hn = snprintf(head, sizeof(head),
                      "POST /broadcast_txs HTTP/1.1\r\nHost: x\r\nContent-Length: %zu\r\n"
                      "Content-Type: application/msgpack\r\n\r\n",
                      len);
    int st = 0;
    if (fk_send(&e->loop, fd, head, (size_t)hn) &&
        (len == 0 || fk_send(&e->loop, fd, (const char *)body, len)))
        st = fk_read_response(&e->loop, fd, r, 5000);
    close(fd);
    fk_pump(&e->loop, 2);
    return st;
}

static void test_broadcast_txs_msgpack(void **state)
{
    (void)state;
    struct env *e = env_new();
    uint8_t a[1024], b[1024], ida[YC_HASH_LEN], idb[YC_HASH_LEN];
    size_t na = fk_build_tx(&e->node, 30, 0, a, sizeof(a), ida);
    size_t nb = fk_build_tx(&e->node, 31, 0, b, sizeof(b), idb);
    char ha[65], hb[65];
    fk_hex(ha, ida, YC_HASH_LEN);
    fk_hex(hb, idb, YC_HASH_LEN);
    struct yc_buf body;
    yc_buf_init(&body, 0);
    struct yc_enc enc;
    yc_enc_init(&enc, &body);
    yc_enc_array(&enc, 3);
    yc_enc_bin(&enc, a, na);
    yc_enc_bin(&enc, (const uint8_t *)"\xc0", 1);
    yc_enc_bin(&enc, b, nb);
    assert_int_equal(yc_enc_finish(&enc), YC_OK);
    struct fk_resp r;
    assert_int_equal(post_msgpack(e, body.data, body.len, &r), 200);
    json_t *p = json_loads(r.body, 0, NULL);
    fk_resp_free(&r);
    json_t *res = json_object_get(p, "results"); /* answered as the GET form is */
    assert_int_equal(json_array_size(res), 3);
    assert_string_equal(json_string_value(json_object_get(json_array_get(res, 0), "id")), ha);
    assert_string_equal(json_string_value(json_object_get(json_array_get(res, 0), "status")),
                        "pending");
    assert_string_equal(json_string_value(json_object_get(json_array_get(res, 1), "status")),
                        "refused");
    assert_string_equal(json_string_value(json_object_get(json_array_get(res, 2), "id")), hb);
    json_decref(p);

    /* the answer is written as jansson writes it (keys in order, compact, a refusal's
     * words escaped as it escapes them); words that are not UTF-8 give the code's message */
    static const char *const words[] = {"amount: \"5\" \\ is more than the 余额 \x01",
                                        "name: \xff is not UTF-8"};
    for (size_t k = 0; k < 2; k++) {
        e->node.submit_code = YC_EBALANCE;
        e->node.submit_why = words[k];
        uint8_t c[1024], idc[YC_HASH_LEN];
        size_t nc = fk_build_tx(&e->node, (uint8_t)(32 + k), 0, c, sizeof(c), idc);
        yc_buf_reset(&body);
        yc_enc_init(&enc, &body);
        yc_enc_array(&enc, 2);
        yc_enc_bin(&enc, c, nc);
        yc_enc_bin(&enc, (const uint8_t *)"\xc0", 1);
        assert_int_equal(yc_enc_finish(&enc), YC_OK);
        assert_int_equal(post_msgpack(e, body.data, body.len, &r), 200);
        p = json_loads(r.body, 0, NULL);
        assert_non_null(p);
        char *again = json_dumps(p, JSON_COMPACT);
        assert_string_equal(r.body, again);
        free(again);
        fk_resp_free(&r);
        json_t *refused = json_array_get(json_object_get(p, "results"), 0);
        assert_string_equal(json_string_value(json_object_get(refused, "code")),
                            "insufficient_balance");
        assert_string_equal(json_string_value(json_object_get(refused, "message")),
                            k == 0 ? words[0] : yc_strerror(YC_EBALANCE));
        json_decref(p);
    }
    e->node.submit_code = YC_OK;
    e->node.submit_why = NULL;
    /* what is not one msgpack array of bin is refused whole, naming the body */
    /* JSON; an int, not bin; bytes after the array; a bin cut short; no entry */
    const char *junk[] = {"{\"txs\":[]}", "\x91\x01", "\x91\xc4\x01\x00\x00", "\x91\xc4\x05",
                          "\x90"};
    const size_t jlen[] = {10, 2, 5, 3, 1};
    const char *codes[] = {"bad_encoding", "bad_encoding", "bad_encoding", "bad_encoding",
                           "too_many"};
    for (size_t i = 0; i < 5; i++) {
        int st = post_msgpack(e, (const uint8_t *)junk[i], jlen[i], &r);
        assert_int_equal(st, 400);
        p = json_loads(r.body, 0, NULL);
        fk_resp_free(&r);
        assert_string_equal(err_name(p), codes[i]);
        json_decref(p);
    }
    yc_buf_cleanup(&body);
    env_free(e);
}

static void test_tx_and_mempool_views(void **state)
{
    (void)state;
    struct env *e = env_new();
    char hex[2048], id[65];
    make_tx(e, 30, hex, id);
    int st;
    json_t *p = call_tx(e, "broadcast_tx_sync", hex, NULL, &st);
    json_decref(p);
    char body[512];
    snprintf(body, sizeof(body),
             "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tx\",\"params\":{\"id\":\"%s\"}}", id);
    p = post(e, body, &st);
    json_t *res = json_object_get(p, "result");
    assert_string_equal(json_string_value(json_object_get(res, "status")), "pending");
    json_t *tx = json_object_get(res, "tx");
    assert_string_equal(json_string_value(json_object_get(tx, "type")), "evidence.anchor");
    assert_string_equal(json_string_value(json_object_get(tx, "nonce")), "0");
    assert_string_equal(json_string_value(json_object_get(tx, "chain_id")), "test-chain");
    assert_true(strncmp(json_string_value(json_object_get(tx, "sender")), "yc1", 3) == 0);
    json_t *bd = json_object_get(tx, "body");
    assert_string_equal(json_string_value(json_object_get(bd, "kind")), "test");
    char dig[65];
    uint8_t d[32];
    memset(d, 30, 32);
    fk_hex(dig, d, 32);
    assert_string_equal(json_string_value(json_object_get(bd, "digest")), dig);
    json_decref(p);
    p = post(e, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"unconfirmed_txs\"}", &st);
    res = json_object_get(p, "result");
    assert_string_equal(json_string_value(json_object_get(res, "total")), "1");
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(json_object_get(res, "txs"), 0), "id")),
        id);
    json_decref(p);
    env_free(e);
}

static void test_events(void **state)
{
    (void)state;
    struct env *e = env_new();
    int fd = fk_connect(e->port);
    const char req[] = "GET /events HTTP/1.1\r\n\r\n";
    assert_true(fk_send(&e->loop, fd, req, sizeof(req) - 1));
    fk_pump(&e->loop, 10);
    fk_emit(&e->node, "block", "{\"height\":\"8\",\n\"tx_count\":\"1\"}");
    char buf[1024] = {0};
    size_t got = 0;
    while (got < sizeof(buf) - 1 && !strstr(buf, "}\n\n"))
        got += fk_read_some(&e->loop, fd, buf + got, 1, 1000);
    assert_non_null(strstr(buf, "text/event-stream"));
    assert_non_null(strstr(buf, "event: block\ndata: {\"height\":\"8\", \"tx_count\""));
    close(fd);
    fk_pump(&e->loop, 20);
    assert_int_equal(e->node.unsubscribes, 1);
    env_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sync),
        cmocka_unit_test(test_async),
        cmocka_unit_test(test_commit),
        cmocka_unit_test(test_commit_client_leaves),
        cmocka_unit_test(test_batch_of_commits),
        cmocka_unit_test(test_broadcast_txs),
        cmocka_unit_test(test_broadcast_txs_msgpack),
        cmocka_unit_test(test_tx_and_mempool_views),
        cmocka_unit_test(test_events),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
