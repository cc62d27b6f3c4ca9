/*
 * httpd.h — a small HTTP/1.1 server on a libuv loop (http-parser 2.9), shared by the
 * RPC and operations listeners (rpc.h).
 *
 * Connections are keep-alive and pipelining-safe: a connection handles one request at
 * a time, and the bytes of the next pipelined requests wait unparsed in the
 * connection's fixed read buffer until the response to the current one is queued.
 * When that buffer is full the server stops reading, so a client can never make it
 * hold more than one buffer, one request body (capped) and its own unread responses
 * (capped: parsing pauses until they drain).
 *
 * Limits, all fixed at start: header bytes (431), body bytes (413, stable code
 * `body_too_large`; refused from Content-Length before the body is read), bytes of
 * bodies held at once across all connections (503 `busy` with Retry-After, decided from
 * Content-Length before the body is read, chunked bodies as they grow; bodies of at
 * most YC_HTTPD_BODY_FREE_BYTES are not counted, so small calls always get through),
 * open connections and open connections per source address (an IPv4 address, an IPv6
 * /64), deadlines (the request head within header_timeout_ms of the connection opening
 * or of the request's first byte; a body that pauses longer than body_timeout_ms, or
 * after that much time has arrived slower than body_min_rate on average: 408), idle
 * time between requests, bytes queued for an event-stream client (a slow one is
 * dropped).
 *
 * At max_connections a newcomer is not refused while someone else can make room: the
 * server closes, in this order, a connection lingering after its last answer, the
 * keep-alive connection idle the longest, or the connection whose incomplete request
 * (or silent start) is nearest its deadline — the slowest or oldest, which a
 * reconnecting slowloris always is before a client that sends its request at once.
 * Only when every connection is being answered or streams events is it refused. A
 * source at its own limit may only displace its own lingering or idle connections.
 *
 * A handler answers at once with yc_http_respond, or defers (yc_http_defer) and
 * answers later. If the connection ends first (peer closed, timeout, server stopped),
 * the defer's cancel callback runs once instead and the connection must not be used
 * again by the handler's owner. Handle memory is freed only in close callbacks.
 *
 * Threading: every function runs on the loop thread; callbacks are invoked there.
 */
#ifndef YC_HTTPD_H
#define YC_HTTPD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "pump.h"
#include "yc/err.h"

/* Counters a server adds to (the owner reads them for /metrics). */
struct yc_httpd_counters {
    uint64_t connections_total;         /* accepted and served */
    uint64_t connections_refused_total; /* closed at once: over max_connections, none evictable */
    uint64_t connections_refused_per_source_total; /* closed at once: over the source's limit */
    uint64_t connections_evicted_total;            /* closed to make room for a newcomer */
    uint64_t requests_total;
    uint64_t errors_total[5];           /* 400, 408, 413, 431, 503 answered by the server */
    uint64_t bodies_refused_busy_total; /* of the 503s: bodies over max_body_bytes_in_flight */
    uint64_t body_bytes_in_flight;      /* gauge: counted bytes of bodies held now */
    uint64_t streams_dropped_total;     /* event-stream clients dropped for being slow */
    uint64_t tls_handshakes_total;      /* TLS handshakes completed */
    uint64_t tls_handshake_failures_total[5]; /* by reason, YC_HTTPD_TLS_FAIL_* */
};
#define YC_HTTPD_ERR_400 0
#define YC_HTTPD_ERR_408 1
#define YC_HTTPD_ERR_413 2
#define YC_HTTPD_ERR_431 3
#define YC_HTTPD_ERR_503 4

/* Why a TLS handshake failed (the index into tls_handshake_failures_total). */
#define YC_HTTPD_TLS_FAIL_CLIENT_CERT 0 /* no client certificate, or one that does not verify */
#define YC_HTTPD_TLS_FAIL_PROTOCOL 1    /* any other TLS error or alert */
#define YC_HTTPD_TLS_FAIL_NOT_TLS 2     /* the first byte is not a TLS record's (plain HTTP?) */
#define YC_HTTPD_TLS_FAIL_TIMEOUT 3     /* not finished within header_timeout_ms */
#define YC_HTTPD_TLS_FAIL_CLOSED 4      /* the client closed in the middle of it */
/* The reasons' names, for metrics labels ("client_cert", …), indexed as above. */
extern const char *const yc_httpd_tls_fail_names[5];

/* A body of at most this many bytes is not counted against max_body_bytes_in_flight
 * (together such bodies hold at most max_connections times this). */
#define YC_HTTPD_BODY_FREE_BYTES 65536u
/* Seconds a 503 for bodies in flight asks the client to wait (Retry-After). */
#define YC_HTTPD_RETRY_AFTER_S 1

struct yc_httpd_config {
    size_t max_body_bytes;               /* larger bodies get 413 */
    size_t max_body_bytes_in_flight;     /* counted body bytes held at once; beyond: 503 (raised
                                      * to max_body_bytes if lower) */
    size_t max_header_bytes;             /* request line + header bytes; more gets 431 */
    uint32_t max_connections;            /* beyond this a newcomer evicts someone or is refused */
    uint32_t max_connections_per_source; /* open connections from one address or /64 */
    uint64_t idle_timeout_ms;            /* keep-alive connection with no request is closed */
    uint64_t header_timeout_ms;          /* request head complete within this (408) */
    uint64_t body_timeout_ms;           /* longest pause in a body, and its grace before the rate */
    uint64_t body_min_rate;             /* bytes/s a body must average after body_timeout_ms */
    size_t max_write_queue_bytes;       /* unread responses beyond this pause request parsing */
    size_t sse_max_queue_bytes;         /* an event stream further behind than this is dropped */
    uint64_t sse_ping_ms;               /* comment line sent on a quiet event stream */
    const char *cors_origins;           /* Origins allowed to read answers from a browser page of
                                   * another origin: comma-separated, "*" for any; NULL or
                                   * "": none (no CORS headers). Not owned; outlives it. */
    struct yc_httpd_counters *counters; /* optional, not owned; must outlive the server */
    struct yc_httpd_tls *tls;           /* NULL: plain HTTP; else serve TLS with it (owned by the
                                   * server from yc_httpd_start on, even when it fails) */
};

/* Fills defaults: 8 MiB body, 64 MiB of bodies in flight, 16 KiB headers, 256
 * connections, 32 per source, 60 s idle, 10 s for the head, 10 s body pause / grace,
 * 32 KiB/s body rate, 4 MiB write queue, 1 MiB event queue, 15 s ping, no CORS origins. */
void yc_httpd_config_default(struct yc_httpd_config *c);

/*
 * TLS (httpd_tls.c, OpenSSL 3). A listener given a yc_httpd_tls speaks TLS 1.2 or 1.3
 * only, through memory BIOs on the loop (never a blocking socket call). The limits
 * above hold as they are: the handshake is part of the request head's deadline, header
 * and body limits count decrypted bytes, the write queues count encrypted bytes.
 * A first byte that cannot start a TLS record ends the connection; when it looks like
 * plain HTTP the client first gets a plain 400 saying the port speaks https
 * (error.data.code config_error).
 */
typedef struct yc_httpd yc_httpd;
typedef struct yc_httpd_tls yc_httpd_tls;

struct yc_httpd_tls_files {
    const char *section;        /* names the options in messages ("rpc" → rpc.tls_cert_file) */
    const char *cert_file;      /* PEM: the certificate, then any intermediates */
    const char *key_file;       /* PEM private key, unencrypted */
    const char *client_ca_file; /* NULL or "": no client certificates asked; else PEM CA
                                 * certificate(s): a client must show one they signed */
    const char *min_version;    /* "1.2" (NULL or "": the default) or "1.3" */
};

/*
 * Reads the certificate, the key and the client CA named in `f` into a new TLS setup:
 * TLS 1.2 at least (ECDHE with AES-GCM or ChaCha20-Poly1305), no compression, no
 * renegotiation, no session resumption. Logs a warning for a key file that group or
 * others may read, and for a certificate outside its validity period.
 * Returns YC_OK; YC_ECONFIG with a sentence naming the option and the file in err (a
 * file missing or unreadable, not PEM, an encrypted key, a key that does not match the
 * certificate); YC_ENOMEM. *out is NULL on failure.
 */
YC_WUR int yc_httpd_tls_load(yc_httpd_tls **out, const struct yc_httpd_tls_files *f, char *err,
                             size_t errlen);
/* Frees it (connections using it keep what they need). NULL is a no-op. */
void yc_httpd_tls_destroy(yc_httpd_tls *t);
/* Whether the server was started with TLS. */
bool yc_httpd_has_tls(const yc_httpd *h);
/* Replaces the server's TLS setup (a server started with TLS only; `t` is owned by the
 * server afterwards, the old one freed): new connections use it, open ones keep theirs.
 * Returns YC_OK, or YC_EINVAL (the server is plain HTTP; t is freed). */
YC_WUR int yc_httpd_set_tls(yc_httpd *h, yc_httpd_tls *t);

/* One parsed request; every pointer is valid only during the handler call. */
struct yc_http_req {
    int method;          /* enum http_method (HTTP_GET, HTTP_POST, …) */
    const char *path;    /* request path, not decoded, NUL-terminated ("/status") */
    const char *query;   /* raw query after '?', NUL-terminated; "" if none */
    const uint8_t *body; /* body bytes (NUL-terminated for convenience) */
    size_t body_len;
    const char *authorization; /* Authorization header value, or NULL */
    const char *last_event_id; /* Last-Event-ID header value (at most 64 bytes), or NULL */
    bool keep_alive;
};

typedef struct yc_http_conn yc_http_conn;

/* Called for each complete request. Must call yc_http_respond or yc_http_defer (or
 * yc_http_sse_begin) before returning; otherwise the server answers 500. */
typedef void (*yc_http_handler_cb)(void *ctx, yc_http_conn *c, const struct yc_http_req *req);
/* The connection of a deferred response or event stream went away. */
typedef void (*yc_http_cancel_cb)(void *ctx);
/* The server and all its connections are closed and freed. */
typedef void (*yc_httpd_closed_cb)(void *ctx);

/*
 * Binds `laddr` ("host:port", "tcp://host:port", "[v6]:port"; host an IP literal or
 * "localhost"; port 0 picks a free port) and listens on `loop`; what a connection leaves
 * for the next turn (a resume, a drop) goes through `pump` (pump.h), which must outlive
 * the server. `cfg` is copied; zero fields take the defaults. Returns YC_OK, YC_ECONFIG
 * (bad address), YC_EIO (bind/listen failed), YC_ENOMEM. *out is NULL on failure.
 */
int yc_httpd_start(yc_httpd **out, uv_loop_t *loop, struct yc_pump *pump, const char *laddr,
                   const struct yc_httpd_config *cfg, yc_http_handler_cb handler, void *ctx);

/* Port actually bound (useful with port 0). */
uint16_t yc_httpd_port(const yc_httpd *h);
/* Connections currently open (including those closing). */
uint32_t yc_httpd_connections(const yc_httpd *h);

/*
 * Stops listening and closes every connection (cancel callbacks run now, before this
 * returns). The server frees itself once every handle is closed, then calls `cb`
 * (may be NULL). NULL h is a no-op.
 */
void yc_httpd_stop(yc_httpd *h, yc_httpd_closed_cb cb, void *ctx);

/*
 * Answers the current request: status, Content-Type and the body (copied). `extra`
 * holds further header lines, each ending in "\r\n", or NULL. Keeps the connection
 * open if the client allows keep-alive; otherwise closes it after the response.
 * A no-op if the connection already went away (its cancel callback has then run).
 */
void yc_http_respond(yc_http_conn *c, int status, const char *content_type, const void *body,
                     size_t len, const char *extra);

/*
 * Frees the current request's body now (its bytes leave the in-flight count); the
 * request's `body` pointer is invalid afterwards. For a handler that has parsed the
 * body and keeps working on the request; the server does it anyway once the handler
 * returns.
 */
void yc_http_release_body(yc_http_conn *c);

/*
 * Announces that the current request will be answered later with yc_http_respond.
 * `cancel(ctx)` runs instead if the connection ends first.
 */
void yc_http_defer(yc_http_conn *c, yc_http_cancel_cb cancel, void *ctx);

/*
 * Turns the current request into a Server-Sent Events stream: writes the 200 headers;
 * the connection then carries only events until either side closes. `cancel(ctx)`
 * runs when it ends (never from inside yc_http_sse_send). Returns YC_OK or YC_EIO.
 */
int yc_http_sse_begin(yc_http_conn *c, yc_http_cancel_cb cancel, void *ctx);

/*
 * Queues one event ("event: <event>\ndata: <data>\n\n"; `data` must not contain a
 * newline). Returns YC_OK; YC_ELIMIT if the client is too far behind (it is being
 * dropped: its cancel callback runs on a later loop turn); YC_EIO if the stream is
 * closing.
 */
int yc_http_sse_send(yc_http_conn *c, const char *event, const char *data);
/* The same with an "id: <id>" line (id NULL: none; no newline in it). */
int yc_http_sse_send_id(yc_http_conn *c, const char *event, const char *id, const char *data);
/* Bytes of the stream handed to the socket and not yet written. */
size_t yc_http_sse_queued(const yc_http_conn *c);
/* Ends the stream once what is queued is written. The cancel callback given to
 * yc_http_sse_begin does NOT run: the caller releases its own state. */
void yc_http_sse_end(yc_http_conn *c);

#endif
