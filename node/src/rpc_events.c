/*
 * rpc_events.c — GET /events: Server-Sent Events of new blocks and transaction
 * outcomes (docs/rpc.md). One node subscription per client; the client's queue is
 * bounded by httpd (a client that falls behind is dropped, never buffered without end).
 * The subscription ends in the stream's cancel callback, which httpd never runs from
 * inside yc_http_sse_send, so the node's event dispatch is never re-entered.
 */
#include <stdlib.h>
#include <string.h>

#include "httpd.h"
#include "rpc_impl.h"
#include "rpc_json.h"
#include "yc/err.h"

struct sse_client {
    yc_rpc *rpc;
    yc_http_conn *conn;
    yc_node_sub *sub;
};

static void on_event(void *ctx, const char *kind, const char *json)
{
    struct sse_client *s = ctx;
    struct yc__rpc_stats *st = yc__rpc_stats();
    int rc;
    if (strchr(json, '\n') || strchr(json, '\r')) {
        char *one = strdup(json);
        if (!one)
            return;
        yc_rjson_one_line(one);
        rc = yc_http_sse_send(s->conn, kind, one);
        free(one);
    } else {
        rc = yc_http_sse_send(s->conn, kind, json);
    }
    if (rc == YC_OK)
        st->events_sent_total++;
    else if (rc == YC_ELIMIT)
        st->events_dropped_total++;
}

static void on_stream_end(void *ctx)
{
    struct sse_client *s = ctx;
    yc_node_unsubscribe(s->rpc->node, s->sub);
    free(s);
}

void yc__rpc_events(yc_rpc *r, yc_http_conn *conn)
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
    s->sub = yc_node_subscribe(r->node, on_event, s);
    if (!s->sub) {
        free(s);
        static const char oom[] = "{\"error\":{\"code\":-32603,\"message\":\"cannot subscribe\","
                                  "\"data\":{\"code\":\"out_of_memory\"}}}";
        yc_http_respond(conn, 503, "application/json", oom, sizeof(oom) - 1, NULL);
        return;
    }
    if (yc_http_sse_begin(conn, on_stream_end, s) != YC_OK) {
        /* The connection is already closing: nothing will call on_stream_end. */
        yc_node_unsubscribe(r->node, s->sub);
        free(s);
    }
}
