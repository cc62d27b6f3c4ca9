/*
 * httpd_int.h — internals shared by httpd.c (server: listening, accepting, closing,
 * stopping) and httpd_conn.c (one connection: reading, parsing, answering, timers).
 * The state machine and its invariants are described at the top of httpd_conn.c.
 */
#ifndef YC_HTTPD_INT_H
#define YC_HTTPD_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <http_parser.h>
#include <uv.h>

#include "httpd.h"
#include "yc/buf.h"

#define RBUF_SIZE 16384u
#define LINGER_MS 2000u
#define AUTH_MAX 512u
#define FIELD_MAX 32u

enum conn_state { ST_IDLE, ST_READING, ST_HANDLING, ST_STREAM, ST_LINGER, ST_CLOSING };

#define LAST_ID_MAX 64u /* longest Last-Event-ID kept; a longer one is ignored */
enum hdr_kind { HDR_OTHER, HDR_AUTH, HDR_EXPECT, HDR_LAST_ID };

struct yc_http_conn {
    uv_tcp_t tcp;
    uv_timer_t timer;
    uv_shutdown_t shutdown_req;
    http_parser parser;
    yc_httpd *srv;
    struct yc_http_conn *prev, *next; /* server's list of open connections */
    enum conn_state state;
    int handles_open;

    char rbuf[RBUF_SIZE]; /* unparsed input is [roff, rlen) */
    size_t roff, rlen;
    bool reading;
    bool in_process;
    bool resume_pending; /* timer fires at once to run conn_process */
    bool drop_pending;   /* timer fires at once to close (slow event client) */

    /* request being parsed */
    struct yc_buf url;
    struct yc_buf body;
    size_t header_bytes;
    char field[FIELD_MAX + 1];
    size_t field_len;
    bool in_value;
    enum hdr_kind hdr;
    char auth[AUTH_MAX + 1];
    size_t auth_len;
    bool has_auth, auth_bad;
    char expect[FIELD_MAX + 1];
    char last_id[LAST_ID_MAX + 1]; /* Last-Event-ID (event streams resume after it) */
    size_t last_id_len;
    bool has_last_id, last_id_bad;
    size_t expect_len;
    int err_status; /* status chosen by a parser callback that stopped the parse */
    bool keep_alive;
    bool head;

    /* current response */
    bool deferred;
    yc_http_cancel_cb cancel;
    void *cancel_ctx;
    size_t wq_bytes; /* bytes handed to uv_write and not yet confirmed */
    size_t wq_at_timer; /* wq_bytes when the idle timer last fired */
};

struct yc_httpd {
    uv_loop_t *loop;
    uv_tcp_t listener;
    struct yc_httpd_config cfg;
    yc_http_handler_cb handler;
    void *ctx;
    http_parser_settings settings;
    struct yc_httpd_counters own_counters; /* used when the config names none */
    uint16_t port;
    uint32_t nconns;   /* allocated connections, closing ones included */
    uint32_t nclosing; /* of which closing: their handles are on the way out */
    struct yc_http_conn *conns;
    bool stopping;
    bool listener_closed;
    yc_httpd_closed_cb closed_cb;
    void *closed_ctx;
};

struct wreq {
    uv_write_t req;
    yc_http_conn *c;
    size_t len;
    char data[]; /* the bytes written */
};

/* Closes now: runs a pending cancel callback, then closes both handles (httpd.c). */
void yc__httpd_conn_close(yc_http_conn *c);
/* Starts or stops reading as the connection's state and buffer allow (httpd_conn.c). */
void yc__httpd_conn_update_reading(yc_http_conn *c);
/* The connection timer: resume, drop, idle, request timeout, linger, ping (httpd_conn.c). */
void yc__httpd_on_timer(uv_timer_t *t);
/* The http-parser callbacks of a connection (httpd_conn.c). */
void yc__httpd_settings_init(http_parser_settings *out);

#endif
