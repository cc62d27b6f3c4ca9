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
#define ORIGIN_MAX 255u /* longest Origin kept; a longer one gets no CORS headers */
enum hdr_kind { HDR_OTHER, HDR_AUTH, HDR_EXPECT, HDR_LAST_ID, HDR_ORIGIN };

struct yc_http_conn {
    uv_tcp_t tcp;
    uv_timer_t timer;
    uv_shutdown_t shutdown_req;
    http_parser parser;
    yc_httpd *srv;
    struct yc_http_conn *prev, *next; /* server's list of open connections */
    enum conn_state state;
    int handles_open;
    uint8_t src[16];  /* source key (src_key in httpd.c) */
    bool src_counted; /* holds one count in the server's source table */
    uint64_t since;   /* uv_now when the current stage began: accepted, request begun (on a
                        * kept-alive connection), idle after an answer */
    uint32_t served;  /* requests answered on this connection */

    char rbuf[RBUF_SIZE]; /* unparsed input is [roff, rlen) */
    size_t roff, rlen;
    bool reading;
    bool in_process;
    bool resume_pending;            /* later_item runs conn_process on the next turn */
    bool drop_pending;              /* later_item closes on the next turn (slow event client) */
    struct yc_pump_item later_item; /* posted for either (httpd_conn.c, conn_later) */

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
    char origin[ORIGIN_MAX + 1]; /* Origin (CORS), when allowed by cors_origins */
    size_t origin_len;
    bool has_origin, origin_bad;
    size_t expect_len;
    int err_status;      /* status chosen by a parser callback that stopped the parse */
    bool err_busy;       /* with 503: the body budget is spent (not memory) */
    bool in_body;        /* the head is complete; body bytes are being received */
    uint64_t body_start; /* uv_now when the head completed */
    uint64_t body_last;  /* uv_now when body bytes last arrived */
    size_t body_seen;    /* body bytes received so far */
    size_t budget;       /* bytes of max_body_bytes_in_flight this connection holds */
    bool keep_alive;
    bool head;

    /* current response */
    bool deferred;
    yc_http_cancel_cb cancel;
    void *cancel_ctx;
    size_t wq_bytes;    /* bytes handed to uv_write and not yet confirmed */
    size_t wq_at_timer; /* wq_bytes when the idle timer last fired */

    struct yc__tls_conn *tls; /* the TLS session (httpd_tls.c); NULL on a plain listener */
};

struct yc_httpd {
    uv_loop_t *loop;
    struct yc_pump *pump;
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
    size_t body_in_flight; /* sum of the connections' budgets */
    struct src_slot *srcs; /* open addressing, srcs_cap a power of two > max_connections */
    size_t srcs_cap;
    uint64_t src_seed;
    bool stopping;
    bool listener_closed;
    yc_httpd_closed_cb closed_cb;
    void *closed_ctx;
};

/* Open connections of one source; count 0 marks an empty slot. */
struct src_slot {
    uint8_t key[16];
    uint32_t count;
};

struct wreq {
    uv_write_t req;
    yc_http_conn *c;
    size_t len;
    char data[]; /* the bytes written */
};

/* Takes the first `len` bytes at w->data for writing (w from malloc, sized for at least
 * len; freed once written). Returns YC_OK, or YC_EIO after freeing w and closing (on a
 * later loop turn when defer_close) (httpd_conn.c). */
int yc__httpd_write_submit(yc_http_conn *c, struct wreq *w, size_t len, bool defer_close);
/* A write could not be made: closes (on a later loop turn when defer_close). Returns
 * YC_EIO. */
int yc__httpd_write_failed(yc_http_conn *c, bool defer_close);
/* After a final response: flush, FIN, discard input until EOF or LINGER_MS (httpd_conn.c). */
void yc__httpd_conn_linger(yc_http_conn *c);
/* Answers with a server-decided error and lingers (httpd_conn.c). */
void yc__httpd_conn_error(yc_http_conn *c, int status, int code, const char *msg);

/* ---- the TLS transport of a connection (httpd_tls.c); c->tls is non-NULL ---- */

/* Starts the session of a newly accepted connection. YC_OK or YC_ENOMEM. */
int yc__httpd_tls_accept(yc_http_conn *c, yc_httpd_tls *t);
/* Frees the session (the connection's memory is being freed). */
void yc__httpd_tls_free(yc_http_conn *c);
/* Whether writes go through TLS (false once a plain-HTTP client is being answered). */
bool yc__httpd_tls_on(const yc_http_conn *c);
/* Where the next encrypted bytes from the socket go. */
uv_buf_t yc__httpd_tls_read_buf(yc_http_conn *c);
/* Takes n encrypted bytes just read into that buffer. Returns false if the connection
 * ended or is being answered in plain text (nothing to parse). */
bool yc__httpd_tls_input(yc_http_conn *c, size_t n);
/* Decrypts into rbuf up to RBUF_SIZE and sends what TLS wants sent (handshake). Returns
 * the bytes added; 0 when more input is needed or the connection ended. */
size_t yc__httpd_tls_fill(yc_http_conn *c);
/* Whether input is held that has not been decrypted into rbuf: read no more until it is. */
bool yc__httpd_tls_holds_input(const yc_http_conn *c);
/* Encrypts a ‖ b and writes it; as yc__httpd_write_submit on failure. */
int yc__httpd_tls_write(yc_http_conn *c, const char *a, size_t alen, const void *b, size_t blen,
                        bool defer_close);
/* Sends close_notify before the connection's FIN (when the session is up). */
void yc__httpd_tls_close_notify(yc_http_conn *c);
/* Counts a failed handshake once: the deadline passed (timed_out) or the connection is
 * closing; nothing if the handshake completed or no byte came. */
void yc__httpd_tls_note_end(yc_http_conn *c, bool timed_out);

/* Closes now: runs a pending cancel callback, then closes both handles (httpd.c). */
void yc__httpd_conn_close(yc_http_conn *c);
/* When the connection's current stage times out: the head, the body or idleness
 * (httpd_conn.c); UINT64_MAX when no deadline applies (answering, streaming). */
uint64_t yc__httpd_conn_deadline(const yc_http_conn *c);
/* Frees the body buffer and returns its budget (httpd_conn.c). */
void yc__httpd_body_release(yc_http_conn *c);
/* Starts or stops reading as the connection's state and buffer allow (httpd_conn.c). */
void yc__httpd_conn_update_reading(yc_http_conn *c);
/* The connection timer: idle, request timeout, linger, ping (httpd_conn.c). */
void yc__httpd_on_timer(uv_timer_t *t);
/* The connection's next-turn work: a pending drop or resume (httpd_conn.c). */
void yc__httpd_conn_later(struct yc_pump_item *it);
/* The http-parser callbacks of a connection (httpd_conn.c). */
void yc__httpd_settings_init(http_parser_settings *out);

#endif
