/*
 * rpc_events.c — GET /events: Server-Sent Events of transaction outcomes, committed
 * blocks and alerts (docs/rpc.md "Events"), filtered by kind and account, resumable.
 *
 * One node subscription per client; the client's queue is bounded by httpd (a client
 * that falls behind is dropped, never buffered without end). The subscription ends in
 * the stream's cancel callback, which httpd never runs from inside yc_http_sse_send, so
 * the node's event dispatch is never re-entered.
 *
 * Resuming: every event of a committed block carries the id "H:K" (node.h). A client
 * that gives one (the Last-Event-ID header, as browsers do when they reconnect, or
 * ?after=) first gets the later events of the blocks already committed, read from the
 * store, then the live ones. A replay reads at most REPLAY_BLOCKS blocks and queues at
 * most REPLAY_BYTES; beyond either it sends an `event: replay` whose id marks how far it
 * got and ends the stream, so the client reconnects from there (memory and time stay
 * bounded per connection; EventSource reconnects by itself). Live events at or below the
 * resume point are not sent again.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "httpd.h"
#include "rpc_impl.h"
#include "rpc_json.h"
#include "yc/bech32.h"
#include "yc/cliutil.h"
#include "yc/err.h"

#define REPLAY_BLOCKS 500
#define REPLAY_BYTES (256u << 10)
#define ORD_END UINT64_MAX /* "H:end": every event of block H */

enum { EV_TX = 1, EV_BLOCK = 2, EV_ALERT = 4, EV_ALL = 7 };

struct sse_client {
    yc_rpc *rpc;
    yc_http_conn *conn;
    yc_node_sub *sub;
    unsigned types;
    bool by_account;
    uint8_t account[YC_PUBKEY_LEN];
    bool dropped; /* a send failed: httpd closes the stream, on_stream_end frees */
    bool resume;  /* events at or below (res_h, res_k) are not sent */
    uint64_t res_h, res_k;
};

/* Parses "H:K" or "H:end". */
static bool parse_event_id(const char *s, uint64_t *h, uint64_t *k)
{
    const char *colon = strchr(s, ':');
    if (colon == NULL || colon == s || (size_t)(colon - s) > 20)
        return false;
    char hs[21];
    memcpy(hs, s, (size_t)(colon - s));
    hs[colon - s] = '\0';
    if (yc_parse_u64(hs, h) != YC_OK)
        return false;
    if (strcmp(colon + 1, "end") == 0) {
        *k = ORD_END;
        return true;
    }
    return yc_parse_u64(colon + 1, k) == YC_OK && *k < ORD_END;
}

static unsigned kind_bit(const char *kind)
{
    return strcmp(kind, "tx") == 0      ? EV_TX
           : strcmp(kind, "block") == 0 ? EV_BLOCK
           : strcmp(kind, "alert") == 0 ? EV_ALERT
                                        : 0;
}

/* Whether the client asked for this event (kind, account, not yet delivered). */
static bool wanted(const struct sse_client *s, const struct yc_node_event *ev)
{
    unsigned bit = kind_bit(ev->kind);
    if ((s->types & bit) == 0)
        return false;
    if (s->by_account && bit != EV_BLOCK) {
        const uint8_t *who = bit == EV_TX ? ev->sender : ev->account;
        if (who == NULL || memcmp(who, s->account, YC_PUBKEY_LEN) != 0)
            return false;
    }
    if (s->resume && ev->id != NULL) {
        uint64_t h, k;
        if (parse_event_id(ev->id, &h, &k) && (h < s->res_h || (h == s->res_h && k <= s->res_k)))
            return false;
    }
    return true;
}

static int send_event(struct sse_client *s, const struct yc_node_event *ev)
{
    if (!strchr(ev->json, '\n') && !strchr(ev->json, '\r'))
        return yc_http_sse_send_id(s->conn, ev->kind, ev->id, ev->json);
    char *one = strdup(ev->json);
    if (!one)
        return YC_ENOMEM;
    yc_rjson_one_line(one);
    int rc = yc_http_sse_send_id(s->conn, ev->kind, ev->id, one);
    free(one);
    return rc;
}

static void on_event(void *ctx, const struct yc_node_event *ev)
{
    struct sse_client *s = ctx;
    if (!wanted(s, ev))
        return;
    struct yc__rpc_stats *st = yc__rpc_stats();
    int rc = send_event(s, ev);
    if (rc == YC_OK)
        st->events_sent_total++;
    else if (rc == YC_ELIMIT)
        st->events_dropped_total++;
    if (rc != YC_OK)
        s->dropped = true;
}

static void on_stream_end(void *ctx)
{
    struct sse_client *s = ctx;
    yc_node_unsubscribe(s->rpc->node, s->sub);
    free(s);
}

static void refuse(yc_http_conn *conn, int status, int code, const char *msg)
{
    json_t *body = json_pack("{s:{s:i,s:s,s:{s:s}}}", "error", "code", -32602, "message", msg,
                             "data", "code", yc_err_name(code));
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    static const char oom[] = "{\"error\":{\"code\":-32603,\"message\":\"out of memory\"}}";
    if (text)
        yc_http_respond(conn, status, "application/json", text, strlen(text), NULL);
    else
        yc_http_respond(conn, 503, "application/json", oom, sizeof(oom) - 1, NULL);
    free(text);
    json_decref(body);
}

/* Reads ?types=, ?account=, ?after= and Last-Event-ID into s; on a bad one answers 400
 * naming it and returns false. */
static bool parse_request(struct sse_client *s, yc_http_conn *conn, const struct yc_http_req *hr)
{
    const char *why = NULL;
    json_t *q = yc__rpc_parse_query(hr->query, &why);
    if (q == NULL) {
        refuse(conn, 400, YC_EBADFIELD, why);
        return false;
    }
    bool ok = true;
    char msg[200];
    const char *key;
    json_t *v;
    s->types = EV_ALL;
    json_object_foreach(q, key, v)
    {
        const char *val = json_string_value(v);
        if (strcmp(key, "types") == 0 && val != NULL) {
            s->types = 0;
            char buf[64];
            snprintf(buf, sizeof buf, "%s", val);
            for (char *save = NULL, *t = strtok_r(buf, ",", &save); t != NULL;
                 t = strtok_r(NULL, ",", &save))
                s->types |= kind_bit(t) != 0 ? kind_bit(t) : 0x100;
            if (s->types == 0 || (s->types & 0x100) != 0 || strlen(val) >= sizeof buf) {
                snprintf(msg, sizeof msg,
                         "types: expected a comma-separated list of tx, block "
                         "and alert, got '%.40s'",
                         val);
                ok = false;
            }
        } else if (strcmp(key, "account") == 0 && val != NULL) {
            s->by_account = true;
            if (yc_addr_decode(s->account, val) != YC_OK) {
                snprintf(msg, sizeof msg, "account: expected a yc1 address, got '%.70s'", val);
                ok = false;
            }
        } else if (strcmp(key, "after") == 0 && val != NULL) {
            s->resume = true;
            if (!parse_event_id(val, &s->res_h, &s->res_k)) {
                snprintf(msg, sizeof msg,
                         "after: expected an event id HEIGHT:ORDINAL (or "
                         "HEIGHT:end), got '%.40s'",
                         val);
                ok = false;
            }
        } else {
            snprintf(msg, sizeof msg,
                     "%.40s: unknown parameter of /events (types, account, "
                     "after)",
                     key);
            ok = false;
        }
        if (!ok)
            break;
    }
    json_decref(q);
    /* The header wins: EventSource sends it when reconnecting to the first URL. */
    if (ok && hr->last_event_id != NULL && hr->last_event_id[0] != '\0') {
        s->resume = true;
        if (!parse_event_id(hr->last_event_id, &s->res_h, &s->res_k)) {
            snprintf(msg, sizeof msg,
                     "Last-Event-ID: expected an event id HEIGHT:ORDINAL (or "
                     "HEIGHT:end), got '%.40s'",
                     hr->last_event_id);
            ok = false;
        }
    }
    if (!ok)
        refuse(conn, 400, YC_EBADFIELD, msg);
    return ok;
}

/* Sends the stored events after the resume point. Returns true when it reached the tip,
 * false when it stopped at its budget (having sent the `replay` marker) or failed. */
static bool replay(struct sse_client *s)
{
    struct yc_node_status st;
    memset(&st, 0, sizeof st);
    yc_node_status(s->rpc->node, &st);
    uint64_t h = s->res_h, tip = st.height;
    int64_t after = s->res_k == ORD_END ? INT64_MAX : (int64_t)s->res_k;
    if (h == 0) { /* the genesis has no events */
        h = 1;
        after = -1;
    }
    if (h > tip)
        return true; /* nothing stored after it yet: live events only, older ones skipped */
    for (unsigned n = 0; h <= tip && !s->dropped; h++, n++, after = -1) {
        if (n == REPLAY_BLOCKS || yc_http_sse_queued(s->conn) > REPLAY_BYTES) {
            char id[48], json[96];
            snprintf(id, sizeof id, "%" PRIu64 ":end", h - 1);
            snprintf(json, sizeof json, "{\"replayed_to\":\"%" PRIu64 "\",\"tip\":\"%" PRIu64 "\"}",
                     h - 1, tip);
            (void)yc_http_sse_send_id(s->conn, "replay", id, json);
            return false;
        }
        int rc = yc_node_block_events(s->rpc->node, h, after, on_event, s);
        if (rc != YC_OK)
            return false; /* a store error: the stream ends; the client may retry */
    }
    if (s->dropped)
        return false;
    s->res_h = tip;
    s->res_k = ORD_END;
    return true;
}

void yc__rpc_events(yc_rpc *r, yc_http_conn *conn, const struct yc_http_req *hr)
{
    struct sse_client *s = calloc(1, sizeof(*s));
    if (!s) {
        static const char oom[] = "{\"error\":{\"code\":-32603,\"message\":\"out of memory\","
                                  "\"data\":{\"code\":\"out_of_memory\"}}}";
        yc_http_respond(conn, 503, "application/json", oom, sizeof(oom) - 1, NULL);
        return;
    }
    s->rpc = r;
    s->conn = conn;
    if (!parse_request(s, conn, hr)) {
        free(s);
        return;
    }
    if (yc_http_sse_begin(conn, on_stream_end, s) != YC_OK) {
        free(s); /* the connection is already closing: nothing will call on_stream_end */
        return;
    }
    if (s->resume && !replay(s)) {
        if (!s->dropped) {         /* else httpd closes it and on_stream_end frees s */
            yc_http_sse_end(conn); /* on_stream_end will not run */
            free(s);
        }
        return;
    }
    s->sub = yc_node_subscribe(r->node, on_event, s);
    if (!s->sub) { /* the node is stopping */
        yc_http_sse_end(conn);
        free(s);
    }
}
