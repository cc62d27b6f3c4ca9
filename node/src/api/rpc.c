/*
 * rpc.c — the RPC listener: one method table served as JSON-RPC 2.0 at POST / (single
 * and batch) and as GET /<method>?k=v; GET / lists the methods; GET /events streams
 * events (rpc_events.c). docs/rpc.md is the reference.
 *
 * A request (struct rpc_req) holds one call per JSON-RPC entry (one for GET). It is
 * answered when every call is done; calls may finish before dispatch returns or later
 * from node callbacks. Lifetime: one owner reference (released when the answer is
 * written or when the connection goes away) plus one per outstanding node callback
 * that cannot be cancelled (submissions). Watches are cancelled when the connection
 * goes away, so they need no reference.
 *
 * Untrusted input: the body is checked for nesting depth before jansson sees it, then
 * parsed with duplicate keys refused (jansson refuses invalid UTF-8 and NUL).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <http_parser.h>
#include <jansson.h>

#include "explorer.h"
#include "httpd.h"
#include "log.h"
#include "rpc.h"
#include "rpc_impl.h"
#include "rpc_json.h"
#include "yc/bech32.h"
#include "yc/err.h"
#include "yc/hash.h"

static const struct rpc_method g_methods[] = {
    {"status", yc__rpc_status, 0, {NULL}},
    {"health", yc__rpc_health, 0, {NULL}},
    {"genesis", yc__rpc_genesis, 0, {NULL}},
    {"net_info", yc__rpc_net_info, 0, {NULL}},
    {"validators", yc__rpc_validators, 0, {NULL}},
    {"valset", yc__rpc_valset, 0, {"height?"}},
    {"valset_proposal", yc__rpc_valset_proposal, 0, {"id"}},
    {"valset_history", yc__rpc_valset_history, 0, {"to?"}},
    {"broadcast_tx_async", yc__rpc_broadcast_tx_async, RPC_F_BROADCAST, {"tx"}},
    {"broadcast_tx_sync", yc__rpc_broadcast_tx_sync, RPC_F_BROADCAST, {"tx"}},
    {"broadcast_tx_commit", yc__rpc_broadcast_tx_commit, RPC_F_BROADCAST, {"tx", "timeout_ms?"}},
    {"broadcast_txs", yc__rpc_broadcast_txs, RPC_F_BROADCAST, {"txs"}},
    {"tx", yc__rpc_tx, 0, {"id"}},
    {"tx_proof", yc__rpc_tx_proof, 0, {"id"}},
    {"block", yc__rpc_block, 0, {"height?", "format?"}},
    {"blockchain", yc__rpc_blockchain, 0, {"min?", "max?"}},
    {"account", yc__rpc_account, 0, {"address"}},
    {"consents", yc__rpc_consents, 0, {"subject?", "processor?", "limit?"}},
    {"usage", yc__rpc_usage, 0, {"subject?", "asset?", "limit?"}},
    {"asset", yc__rpc_asset, 0, {"id"}},
    {"provenance", yc__rpc_provenance, 0, {"id", "format?"}},
    {"assets", yc__rpc_assets, 0, {"holder", "limit?"}},
    {"carries", yc__rpc_carries, 0, {"subject?", "holder?", "limit?"}},
    {"listings", yc__rpc_listings, 0, {"asset?", "limit?"}},
    {"listing", yc__rpc_listing, 0, {"id"}},
    {"price_index", yc__rpc_price_index, 0, {"sector?", "from?", "to?", "limit?"}},
    {"pledges", yc__rpc_pledges, 0, {"asset?", "party?"}},
    {"policy", yc__rpc_policy, 0, {"version?"}},
    {"credit", yc__rpc_credit, 0, {"address", "limit?"}},
    {"alerts", yc__rpc_alerts, 0, {"from_height?", "limit?"}},
    {"unconfirmed_txs", yc__rpc_unconfirmed_txs, 0, {"limit?"}},
    {"num_unconfirmed_txs", yc__rpc_num_unconfirmed_txs, 0, {NULL}},
    {"backup", yc__rpc_backup, RPC_F_ADMIN, {"out"}},
};
#define NMETHODS (sizeof(g_methods) / sizeof(g_methods[0]))
_Static_assert(NMETHODS <= RPC_STATS_METHODS, "raise RPC_STATS_METHODS");

/* Process-wide counters: see rpc_impl.h for why they are not per server. */
static struct yc__rpc_stats g_stats;
static struct yc_httpd_counters g_http_counters;

struct yc__rpc_stats *yc__rpc_stats(void)
{
    return &g_stats;
}

struct yc_httpd_counters *yc__rpc_http_counters(void)
{
    return &g_http_counters;
}

const struct rpc_method *yc__rpc_methods(size_t *n)
{
    *n = NMETHODS;
    return g_methods;
}

enum req_kind { REQ_GET, REQ_SINGLE, REQ_BATCH };

struct rpc_req {
    yc_rpc *rpc;
    yc_http_conn *conn; /* NULL once answered or once the client went away */
    int refs;
    enum req_kind kind;
    bool in_dispatch;
    const char *authorization; /* valid during dispatch only */
    size_t ncalls;
    size_t pending; /* calls not done */
    struct rpc_call calls[];
};

/* ---- request lifetime ---- */

static void call_cleanup(struct rpc_call *c)
{
    json_decref(c->id);
    json_decref(c->result);
    json_decref(c->err_data);
    yc_buf_cleanup(&c->result_text);
    for (size_t i = 0; c->subs != NULL && i < c->nsubs; i++)
        free(c->subs[i].why);
    free(c->subs);
}

static void req_unref(struct rpc_req *q)
{
    if (--q->refs > 0)
        return;
    for (size_t i = 0; i < q->ncalls; i++)
        call_cleanup(&q->calls[i]);
    free(q);
}

struct rpc_req *yc__rpc_hold(struct rpc_call *c)
{
    c->req->refs++;
    return c->req;
}

void yc__rpc_release(struct rpc_req *q)
{
    req_unref(q);
}

bool yc__rpc_alive(const struct rpc_call *c)
{
    return c->req->conn != NULL;
}

static struct rpc_req *req_new(yc_rpc *r, yc_http_conn *conn, enum req_kind kind, size_t n)
{
    struct rpc_req *q = calloc(1, sizeof(*q) + n * sizeof(struct rpc_call));
    if (!q)
        return NULL;
    q->rpc = r;
    q->conn = conn;
    q->refs = 1;
    q->kind = kind;
    q->ncalls = n;
    q->pending = n;
    for (size_t i = 0; i < n; i++) {
        q->calls[i].req = q;
        q->calls[i].rpc = r;
        q->calls[i].node = r->node;
    }
    return q;
}

static void req_finish(struct rpc_req *q);

static void call_done(struct rpc_call *c)
{
    if (c->done)
        return;
    c->done = true;
    struct rpc_req *q = c->req;
    q->pending--;
    if (c->m) {
        size_t idx = (size_t)(c->m - g_methods);
        if (idx < NMETHODS && c->err_rpc)
            g_stats.method_errors_total[idx]++;
        if (idx < NMETHODS && c->t0_ns != 0)
            YC_HIST_OBSERVE(&g_stats.method_seconds[idx], YC_HIST_RPC_S,
                            (double)(uv_hrtime() - c->t0_ns) / 1e9);
    }
    if (!q->in_dispatch && q->pending == 0 && q->conn)
        req_finish(q);
}

void yc__rpc_ok(struct rpc_call *c, json_t *result)
{
    if (c->done) {
        json_decref(result);
        return;
    }
    if (!result) {
        yc__rpc_fail(c, RPC_INTERNAL, YC_ENOMEM, NULL);
        return;
    }
    c->result = result;
    call_done(c);
}

void yc__rpc_ok_text(struct rpc_call *c, struct yc_buf *text)
{
    if (c->done || text->data == NULL) {
        yc_buf_cleanup(text);
        if (!c->done)
            yc__rpc_fail(c, RPC_INTERNAL, YC_ENOMEM, NULL);
        return;
    }
    c->result_text = *text;
    yc_buf_init(text, 0);
    call_done(c);
}

/* Messages may quote client bytes (a method name, a parser's excerpt): keep them
 * printable ASCII so that they always form a valid JSON string. */
static void scrub(char *s)
{
    for (; *s; s++) {
        if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
            *s = '?';
    }
}

void yc__rpc_fail(struct rpc_call *c, int rpc_code, int yc_code, const char *msg)
{
    if (c->done)
        return;
    c->err_rpc = rpc_code;
    c->err_code = yc_code;
    snprintf(c->err_msg, sizeof(c->err_msg), "%s", msg ? msg : yc_strerror(yc_code));
    scrub(c->err_msg);
    call_done(c);
}

void yc__rpc_failf(struct rpc_call *c, int rpc_code, int yc_code, const char *fmt, ...)
{
    char msg[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    yc__rpc_fail(c, rpc_code, yc_code, msg);
}

void yc__rpc_bad_param(struct rpc_call *c, const char *name, const char *why)
{
    yc__rpc_failf(c, RPC_INVALID_PARAMS, YC_EBADFIELD, "%s: %s", name, why);
}

void yc__rpc_err_data(struct rpc_call *c, const char *key, json_t *v)
{
    if (!c->err_data)
        c->err_data = json_object();
    if (c->err_data)
        json_object_set_new(c->err_data, key, v);
    else
        json_decref(v);
}

/* ---- answers ---- */

static int http_status_of(int rpc_code)
{
    switch (rpc_code) {
    case RPC_PARSE_ERROR:
    case RPC_INVALID_REQUEST:
    case RPC_INVALID_PARAMS:
    case RPC_REFUSED:
        return 400;
    case RPC_METHOD_NOT_FOUND:
    case RPC_NOT_FOUND:
        return 404;
    case RPC_ADMIN:
        return 401;
    case RPC_READ_ONLY:
        return 403;
    case RPC_NOT_READY:
        return 503;
    default:
        return 500;
    }
}

static json_t *error_object(const struct rpc_call *c)
{
    json_t *data = c->err_data ? json_deep_copy(c->err_data) : json_object();
    if (data)
        json_object_set_new(data, "code", json_string(yc_err_name(c->err_code)));
    return json_pack("{s:i,s:s,s:o*}", "code", c->err_rpc, "message", c->err_msg, "data", data);
}

static json_t *response_object(const struct rpc_call *c)
{
    json_t *id = c->id ? json_incref(c->id) : json_null();
    if (c->err_rpc)
        return json_pack("{s:s,s:o,s:o*}", "jsonrpc", "2.0", "id", id, "error", error_object(c));
    return json_pack("{s:s,s:o,s:O}", "jsonrpc", "2.0", "id", id, "result", c->result);
}

static void send_oom(yc_http_conn *conn)
{
    static const char oom[] = "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32603,"
                              "\"message\":\"out of memory\",\"data\":"
                              "{\"code\":\"out_of_memory\"}}}";
    yc_http_respond(conn, 500, "application/json", oom, sizeof(oom) - 1, NULL);
}

static void send_json(yc_http_conn *conn, int status, json_t *body)
{
    char *s = body ? json_dumps(body, JSON_COMPACT) : NULL;
    if (!s) {
        send_oom(conn);
        return;
    }
    yc_http_respond(conn, status, "application/json", s, strlen(s),
                    status == 401 ? "WWW-Authenticate: Bearer\r\n" : NULL);
    free(s);
}

/* Appends j as compact JSON (a reference stolen; NULL: out of memory). */
static int append_json(struct yc_buf *out, json_t *j)
{
    char *s = j ? json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    json_decref(j);
    int rc = s ? yc_buf_append(out, s, strlen(s)) : YC_ENOMEM;
    free(s);
    return rc;
}

/* Appends the JSON-RPC response of call c, as response_object writes it. */
static int append_response(struct yc_buf *out, const struct rpc_call *c)
{
    if (c->err_rpc || c->result_text.data == NULL)
        return append_json(out, response_object(c));
    static const char head[] = "{\"jsonrpc\":\"2.0\",\"id\":", mid[] = ",\"result\":";
    int rc = yc_buf_append(out, head, sizeof head - 1);
    if (rc == YC_OK)
        rc = append_json(out, json_incref(c->id));
    if (rc == YC_OK)
        rc = yc_buf_append(out, mid, sizeof mid - 1);
    if (rc == YC_OK)
        rc = yc_buf_append(out, c->result_text.data, c->result_text.len);
    return rc == YC_OK ? yc_buf_append(out, "}", 1) : rc;
}

static void req_finish(struct rpc_req *q)
{
    yc_http_conn *conn = q->conn;
    q->conn = NULL;
    if (q->kind == REQ_GET) {
        struct rpc_call *c = &q->calls[0];
        json_t *body = NULL;
        if (c->err_rpc) {
            body = json_pack("{s:o*}", "error", error_object(c));
            send_json(conn, http_status_of(c->err_rpc), body);
        } else if (c->result_text.data != NULL) {
            yc_http_respond(conn, 200, "application/json", (const char *)c->result_text.data,
                            c->result_text.len, NULL);
        } else {
            body = json_incref(c->result);
            send_json(conn, 200, body);
        }
        json_decref(body);
        req_unref(q);
        return;
    }
    /* one response, or an array of them: each written in turn (as one json_dumps of the
     * array would), so that a result already written joins as it is */
    bool batch = q->kind == REQ_BATCH;
    struct yc_buf out;
    yc_buf_init(&out, 0);
    int rc = batch ? yc_buf_append(&out, "[", 1) : YC_OK;
    size_t answered = 0;
    for (size_t i = 0; rc == YC_OK && i < q->ncalls && (batch || i == 0); i++) {
        if (!q->calls[i].id)
            continue; /* a notification: no answer */
        if (answered++ > 0)
            rc = yc_buf_append(&out, ",", 1);
        if (rc == YC_OK)
            rc = append_response(&out, &q->calls[i]);
    }
    if (rc == YC_OK && batch)
        rc = yc_buf_append(&out, "]", 1);
    if (rc == YC_OK && answered == 0)
        yc_http_respond(conn, 204, "application/json", "", 0, NULL);
    else if (rc == YC_OK)
        yc_http_respond(conn, 200, "application/json", (const char *)out.data, out.len, NULL);
    else
        send_oom(conn);
    yc_buf_cleanup(&out);
    req_unref(q);
}

/* The connection went away before the answer: stop what can be stopped. */
static void req_cancel(void *ctx)
{
    struct rpc_req *q = ctx;
    q->conn = NULL;
    for (size_t i = 0; i < q->ncalls; i++) {
        struct rpc_call *c = &q->calls[i];
        if (c->watch) {
            yc_node_unwatch(c->node, c->watch);
            c->watch = NULL;
        }
    }
    req_unref(q);
}

/* ---- dispatch ---- */

static const struct rpc_method *find_method(const char *name, size_t len)
{
    for (size_t i = 0; i < NMETHODS; i++) {
        if (strlen(g_methods[i].name) == len && memcmp(g_methods[i].name, name, len) == 0)
            return &g_methods[i];
    }
    return NULL;
}

static void call_run(struct rpc_call *c, json_t *params)
{
    struct rpc_req *q = c->req;
    size_t idx = (size_t)(c->m - g_methods);
    if (idx < NMETHODS)
        g_stats.method_calls_total[idx]++;
    c->t0_ns = uv_hrtime();
    if ((c->m->flags & RPC_F_ADMIN) &&
        !yc__rpc_admin_ok(yc_node_cookie(c->node), q->authorization)) {
        yc__rpc_fail(c, RPC_ADMIN, YC_ENOTAUTH,
                     "admin method: send header 'Authorization: Bearer <HOME/.cookie>'");
        return;
    }
    if ((c->m->flags & RPC_F_BROADCAST) && yc_node_read_only(c->node)) {
        yc__rpc_fail(c, RPC_READ_ONLY, YC_ENOTAUTH,
                     "this node is read-only (observer or inspect): send transactions to a "
                     "validator");
        return;
    }
    c->m->fn(c, params);
}

/* Runs every call, then answers now or when the last deferred call finishes. */
static void req_run(struct rpc_req *q, json_t **params, const char *authorization)
{
    q->in_dispatch = true;
    q->authorization = authorization;
    for (size_t i = 0; i < q->ncalls; i++) {
        struct rpc_call *c = &q->calls[i];
        if (!c->done && q->conn)
            call_run(c, params[i]);
    }
    q->authorization = NULL;
    q->in_dispatch = false;
    if (q->pending == 0) {
        req_finish(q);
        return;
    }
    yc_http_defer(q->conn, req_cancel, q);
}

/* JSON items (containers, members, elements) a request may hold per allowed batch entry:
 * a JSON-RPC request object with four params is about 16. */
#define RPC_JSON_ITEMS_PER_ENTRY 32

/*
 * Checks the shape of a JSON text without parsing it (strings skipped): nesting depth at
 * most max_depth (else YC_ETOODEEP) and at most max_items of '[', '{', ',' and ':' (else
 * YC_ETOOMANY). The item count bounds what jansson allocates (some 130 bytes per item
 * at worst: "[{},{},…]" would otherwise cost some 80 times its size).
 */
static int json_shape_check(const uint8_t *p, size_t len, int max_depth, size_t max_items)
{
    int depth = 0;
    size_t items = 0;
    bool in_str = false;
    for (size_t i = 0; i < len; i++) {
        uint8_t ch = p[i];
        if (in_str) {
            if (ch == '\\')
                i++;
            else if (ch == '"')
                in_str = false;
            continue;
        }
        if (ch == '"') {
            in_str = true;
        } else if (ch == '[' || ch == '{') {
            if (++depth > max_depth)
                return YC_ETOODEEP;
            items++;
        } else if (ch == ']' || ch == '}') {
            depth--;
        } else if (ch == ',' || ch == ':') {
            items++;
        }
        if (items > max_items)
            return YC_ETOOMANY;
    }
    return YC_OK;
}

static void respond_single_error(yc_http_conn *conn, int rpc_code, int yc_code, const char *msg)
{
    json_t *body =
        json_pack("{s:s,s:n,s:{s:i,s:s,s:{s:s}}}", "jsonrpc", "2.0", "id", "error", "code",
                  rpc_code, "message", msg, "data", "code", yc_err_name(yc_code));
    send_json(conn, 200, body);
    json_decref(body);
}

/*
 * Validates one JSON-RPC request object into call c; *params gets a borrowed params
 * object (or NULL). Invalid entries finish c with an error.
 */
static void prepare_call(struct rpc_call *c, json_t *o, json_t **params, json_t **owned)
{
    *params = NULL;
    if (!json_is_object(o)) {
        yc__rpc_fail(c, RPC_INVALID_REQUEST, YC_EBADFIELD, "request must be an object");
        c->id = json_null();
        return;
    }
    json_t *id = json_object_get(o, "id");
    if (id) {
        if (!json_is_string(id) && !json_is_integer(id) && !json_is_null(id)) {
            yc__rpc_fail(c, RPC_INVALID_REQUEST, YC_EBADFIELD,
                         "id must be a string, an integer or null");
            c->id = json_null();
            return;
        }
        c->id = json_incref(id);
    }
    json_t *ver = json_object_get(o, "jsonrpc");
    if (!json_is_string(ver) || strcmp(json_string_value(ver), "2.0") != 0) {
        yc__rpc_fail(c, RPC_INVALID_REQUEST, YC_EBADFIELD, "jsonrpc must be \"2.0\"");
        if (!c->id)
            c->id = json_null();
        return;
    }
    json_t *method = json_object_get(o, "method");
    if (!json_is_string(method)) {
        yc__rpc_fail(c, RPC_INVALID_REQUEST, YC_EBADFIELD, "method must be a string");
        if (!c->id)
            c->id = json_null();
        return;
    }
    c->m = find_method(json_string_value(method), json_string_length(method));
    if (!c->m) {
        g_stats.unknown_method_total++;
        yc__rpc_failf(c, RPC_METHOD_NOT_FOUND, YC_ENOTFOUND, "method not found: %.64s",
                      json_string_value(method));
        return;
    }
    json_t *p = json_object_get(o, "params");
    if (!p || json_is_null(p) || json_is_object(p)) {
        *params = p;
        return;
    }
    if (!json_is_array(p)) {
        yc__rpc_fail(c, RPC_INVALID_PARAMS, YC_EBADFIELD, "params must be an object or array");
        return;
    }
    /* Positional: map onto the method's parameter names. */
    size_t np = 0;
    while (np < 4 && c->m->params[np])
        np++;
    if (json_array_size(p) > np) {
        yc__rpc_fail(c, RPC_INVALID_PARAMS, YC_EBADFIELD, "too many positional params");
        return;
    }
    json_t *obj = json_object();
    if (!obj) {
        yc__rpc_fail(c, RPC_INTERNAL, YC_ENOMEM, NULL);
        return;
    }
    for (size_t i = 0; i < json_array_size(p); i++) {
        char name[32];
        snprintf(name, sizeof(name), "%s", c->m->params[i]);
        size_t nl = strlen(name);
        if (nl > 0 && name[nl - 1] == '?')
            name[nl - 1] = 0;
        json_object_set(obj, name, json_array_get(p, i));
    }
    *params = obj;
    *owned = obj;
}

static void handle_post(yc_rpc *r, yc_http_conn *conn, const struct yc_http_req *hr)
{
    size_t max_items = 64 + (size_t)RPC_JSON_ITEMS_PER_ENTRY * r->cfg.max_batch;
    int shape = json_shape_check(hr->body, hr->body_len, RPC_MAX_JSON_DEPTH, max_items);
    if (shape == YC_ETOODEEP) {
        char msg[96];
        snprintf(msg, sizeof(msg), "JSON nested deeper than %d levels", RPC_MAX_JSON_DEPTH);
        respond_single_error(conn, RPC_PARSE_ERROR, YC_ETOODEEP, msg);
        return;
    }
    if (shape == YC_ETOOMANY) {
        char msg[160];
        snprintf(msg, sizeof(msg),
                 "JSON with more than %zu items (containers, members, "
                 "elements): at most %d per entry of max_batch (%u)",
                 max_items, RPC_JSON_ITEMS_PER_ENTRY, r->cfg.max_batch);
        respond_single_error(conn, RPC_INVALID_REQUEST, YC_ETOOMANY, msg);
        return;
    }
    json_error_t jerr;
    json_t *root = json_loadb((const char *)hr->body, hr->body_len,
                              JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
    /* jansson copied what it needs: the body's memory goes back now, not after the
     * calls (broadcast_txs then holds its strings, not also the text they came from). */
    yc_http_release_body(conn);
    if (!root) {
        enum json_error_code ec = json_error_code(&jerr);
        int code = ec == json_error_invalid_utf8    ? YC_EUTF8
                   : ec == json_error_out_of_memory ? YC_ENOMEM
                                                    : YC_EDECODE;
        char msg[200];
        snprintf(msg, sizeof(msg), "parse error: %s", jerr.text);
        scrub(msg);
        respond_single_error(conn, RPC_PARSE_ERROR, code, msg);
        return;
    }
    bool batch = json_is_array(root);
    size_t n = batch ? json_array_size(root) : 1;
    if (batch && n == 0) {
        respond_single_error(conn, RPC_INVALID_REQUEST, YC_EBADFIELD, "empty batch");
        json_decref(root);
        return;
    }
    if (batch && n > r->cfg.max_batch) {
        char msg[96];
        snprintf(msg, sizeof(msg), "batch of %zu requests; at most %u allowed", n,
                 r->cfg.max_batch);
        respond_single_error(conn, RPC_INVALID_REQUEST, YC_ETOOMANY, msg);
        json_decref(root);
        return;
    }
    struct rpc_req *q = req_new(r, conn, batch ? REQ_BATCH : REQ_SINGLE, n);
    json_t **params = calloc(n, sizeof(*params));
    json_t **owned = calloc(n, sizeof(*owned));
    if (!q || !params || !owned) {
        free(q);
        free(params);
        free(owned);
        json_decref(root);
        respond_single_error(conn, RPC_INTERNAL, YC_ENOMEM, "out of memory");
        return;
    }
    q->in_dispatch = true; /* entries failing validation must not answer early */
    for (size_t i = 0; i < n; i++)
        prepare_call(&q->calls[i], batch ? json_array_get(root, i) : root, &params[i], &owned[i]);
    q->in_dispatch = false;
    req_run(q, params, hr->authorization);
    for (size_t i = 0; i < n; i++)
        json_decref(owned[i]);
    free(params);
    free(owned);
    json_decref(root);
}

/* ---- GET ---- */

static void list_methods(yc_http_conn *conn)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < NMETHODS; i++) {
        json_t *ps = json_array();
        for (size_t k = 0; ps && k < 4 && g_methods[i].params[k]; k++)
            json_array_append_new(ps, json_string(g_methods[i].params[k]));
        json_array_append_new(a, json_pack("{s:s,s:o*,s:b}", "name", g_methods[i].name, "params",
                                           ps, "admin", (g_methods[i].flags & RPC_F_ADMIN) != 0));
    }
    json_t *body =
        json_pack("{s:o*,s:s,s:s}", "methods", a, "events", "/events", "doc", "docs/rpc.md");
    send_json(conn, 200, body);
    json_decref(body);
}

static void get_error(yc_http_conn *conn, int status, int rpc_code, int yc_code, const char *msg)
{
    json_t *body = json_pack("{s:{s:i,s:s,s:{s:s}}}", "error", "code", rpc_code, "message", msg,
                             "data", "code", yc_err_name(yc_code));
    send_json(conn, status, body);
    json_decref(body);
}

static void handle_get(yc_rpc *r, yc_http_conn *conn, const struct yc_http_req *hr)
{
    if (yc_explorer_is_path(hr->path)) {
        yc_explorer_serve(conn, hr->path); /* the explorer's pages (explorer.c) */
        return;
    }
    const char *name = hr->path + 1;
    if (*name == 0) {
        list_methods(conn);
        return;
    }
    if (strcmp(name, "events") == 0) {
        yc__rpc_events(r, conn, hr);
        return;
    }
    const struct rpc_method *m = find_method(name, strlen(name));
    if (!m) {
        g_stats.unknown_method_total++;
        get_error(conn, 404, RPC_METHOD_NOT_FOUND, YC_ENOTFOUND, "method not found");
        return;
    }
    const char *why = NULL;
    json_t *params = yc__rpc_parse_query(hr->query, &why);
    if (!params) {
        get_error(conn, 400, RPC_INVALID_PARAMS, YC_EBADFIELD, why);
        return;
    }
    /* broadcast_txs over GET: txs=hex1,hex2 */
    json_t *txs = json_object_get(params, "txs");
    if (m->fn == yc__rpc_broadcast_txs && json_is_string(txs)) {
        json_t *arr = json_array();
        const char *s = json_string_value(txs);
        while (arr && *s) {
            const char *comma = strchr(s, ',');
            size_t l = comma ? (size_t)(comma - s) : strlen(s);
            json_array_append_new(arr, json_stringn(s, l));
            if (!comma)
                break;
            s = comma + 1;
        }
        json_object_set_new(params, "txs", arr);
    }
    struct rpc_req *q = req_new(r, conn, REQ_GET, 1);
    if (!q) {
        json_decref(params);
        get_error(conn, 500, RPC_INTERNAL, YC_ENOMEM, "out of memory");
        return;
    }
    q->calls[0].m = m;
    req_run(q, &params, hr->authorization);
    json_decref(params);
}

/* POST /broadcast_txs: broadcast_txs with a msgpack body (an array of bin, the signed
 * transactions; docs/rpc.md), answered as the GET form is. The body is read while the
 * method runs: each entry is copied by the node as it is submitted. */
static void handle_post_txs(yc_rpc *r, yc_http_conn *conn, const struct yc_http_req *hr)
{
    const char *name = "broadcast_txs";
    struct rpc_req *q = req_new(r, conn, REQ_GET, 1);
    json_t *params = json_object();
    if (!q || !params) {
        free(q);
        json_decref(params);
        get_error(conn, 500, RPC_INTERNAL, YC_ENOMEM, "out of memory");
        return;
    }
    struct rpc_call *c = &q->calls[0];
    c->m = find_method(name, strlen(name));
    c->bin = hr->body;
    c->bin_len = hr->body_len;
    c->has_bin = true;
    req_run(q, &params, hr->authorization);
    json_decref(params);
}

/* ---- listener ---- */

static void on_http_request(void *ctx, yc_http_conn *conn, const struct yc_http_req *hr)
{
    yc_rpc *r = ctx;
    if (r->ops) {
        yc__ops_handle(r, conn, hr);
        return;
    }
    g_stats.http_requests_total++;
    if (hr->method == HTTP_GET || hr->method == HTTP_HEAD) {
        handle_get(r, conn, hr);
    } else if (hr->method == HTTP_POST) {
        if (strcmp(hr->path, "/broadcast_txs") == 0) {
            handle_post_txs(r, conn, hr);
            return;
        }
        if (strcmp(hr->path, "/") != 0) {
            get_error(conn, 404, RPC_METHOD_NOT_FOUND, YC_ENOTFOUND,
                      "JSON-RPC is served at POST /; signed transactions in msgpack at POST "
                      "/broadcast_txs");
            return;
        }
        handle_post(r, conn, hr);
    } else if (hr->method == HTTP_OPTIONS) {
        yc_http_respond(conn, 204, "text/plain", "", 0, "Allow: GET, HEAD, POST, OPTIONS\r\n");
    } else {
        get_error(conn, 405, RPC_INVALID_REQUEST, YC_EBADFIELD, "method not allowed");
    }
}

void yc_rpc_config_default(struct yc_rpc_config *c)
{
    c->laddr = "127.0.0.1:27700";
    c->max_body_bytes = (size_t)8 << 20;
    c->max_header_bytes = 16384;
    c->max_connections = 256;
    c->max_batch = 1000;
    c->commit_timeout_ms = 10000;
    c->idle_timeout_ms = 60000;
    c->max_connections_per_source = 32;
    c->max_body_bytes_in_flight = (size_t)64 << 20;
    c->header_timeout_ms = 10000;
    c->body_timeout_ms = 10000;
    c->body_min_rate = 32768;
    c->cors_origins = NULL;
    c->tls = NULL;
}

static int start(yc_rpc **out, yc_node *n, const struct yc_rpc_config *c, bool ops)
{
    *out = NULL;
    yc_rpc *r = calloc(1, sizeof(*r));
    if (!r) {
        yc_httpd_tls_destroy(c->tls);
        return YC_ENOMEM;
    }
    r->node = n;
    r->cfg = *c;
    r->ops = ops;
    if (r->cfg.max_batch == 0)
        r->cfg.max_batch = 1000;
    if (r->cfg.commit_timeout_ms == 0)
        r->cfg.commit_timeout_ms = 10000;
    struct yc_httpd_config hc;
    yc_httpd_config_default(&hc);
    hc.max_body_bytes = c->max_body_bytes;
    hc.max_header_bytes = c->max_header_bytes;
    hc.max_connections = c->max_connections;
    hc.idle_timeout_ms = c->idle_timeout_ms;
    hc.max_connections_per_source = c->max_connections_per_source;
    hc.max_body_bytes_in_flight = c->max_body_bytes_in_flight;
    hc.header_timeout_ms = c->header_timeout_ms;
    hc.body_timeout_ms = c->body_timeout_ms;
    hc.body_min_rate = c->body_min_rate;
    hc.cors_origins = ops ? NULL : c->cors_origins;
    if (!ops && c->max_body_bytes_in_flight != 0 && c->max_body_bytes_in_flight < c->max_body_bytes)
        yc_log_warn("rpc",
                    "max_body_bytes_in_flight (%zu) is below max_body_bytes (%zu): "
                    "using %zu, so one largest body fits",
                    c->max_body_bytes_in_flight, c->max_body_bytes, c->max_body_bytes);
    hc.counters = ops ? NULL : &g_http_counters;
    hc.tls = c->tls; /* the server owns it now */
    r->cfg.tls = NULL;
    int rc = yc_httpd_start(&r->httpd, yc_node_loop(n), yc_node_pump(n), c->laddr, &hc,
                            on_http_request, r);
    if (rc != YC_OK) {
        free(r);
        return rc;
    }
    *out = r;
    return YC_OK;
}

int yc_rpc_start(yc_rpc **out, yc_node *n, const struct yc_rpc_config *c)
{
    struct yc_rpc_config d;
    if (!c) {
        yc_rpc_config_default(&d);
        c = &d;
    }
    return start(out, n, c, false);
}

int yc_ops_start(yc_rpc **out, yc_node *n, const char *laddr, yc_httpd_tls *tls)
{
    struct yc_rpc_config c;
    yc_rpc_config_default(&c);
    c.laddr = laddr;
    c.tls = tls;
    c.max_body_bytes = 4096; /* the operations listener takes no bodies */
    c.max_connections = 64;
    return start(out, n, &c, true);
}

uint16_t yc_rpc_port(const yc_rpc *r)
{
    return r ? yc_httpd_port(r->httpd) : 0;
}

static void on_httpd_closed(void *ctx)
{
    free(ctx);
}

void yc_rpc_stop(yc_rpc *r)
{
    if (!r)
        return;
    yc_httpd_stop(r->httpd, on_httpd_closed, r);
}
