/*
 * httpc.h — a small blocking HTTP/1.1 client for the CLIs (wallet, audit --node, bench).
 *
 * Plain TCP to http:// URLs only (no TLS, no redirects, no proxies); one request per
 * connection ("Connection: close"). A single deadline of `timeout_ms` covers name
 * resolution, connect, sending and receiving (poll on a non-blocking socket); connect
 * alone is further bounded by YC_HTTP_CONNECT_TIMEOUT_MS. Response headers are capped
 * at YC_HTTP_MAX_HEADER bytes and the body at `max_bytes`; bodies framed by
 * Content-Length, chunked transfer coding, or the end of the connection are read.
 * Not for use on the node's event loop.
 *
 * Errors (core/include/yc/err.h): YC_ECONFIG (bad URL), YC_EUNREACHABLE (name not
 * resolved, connect refused, timeout, connection reset: exit 69), YC_ELIMIT (response
 * too large), YC_EDECODE (malformed HTTP or JSON), YC_EREMOTE (JSON-RPC error),
 * YC_ENOMEM, YC_EINVAL.
 *
 * Thread-safety: no globals; SIGPIPE is avoided with MSG_NOSIGNAL.
 */
#ifndef YC_HTTPC_H
#define YC_HTTPC_H

#include <stddef.h>

#include <jansson.h>

#include "yc/err.h"

#define YC_HTTP_MAX_HEADER (16u * 1024)
#define YC_HTTP_CONNECT_TIMEOUT_MS 5000
#define YC_HTTP_URL_MAX 2048

struct yc_http_response {
    int status; /* HTTP status code */
    char *body; /* malloc'ed, NUL-terminated (NUL not counted in len); free with
                   yc_http_response_free */
    size_t len;
};

/* A parsed "http://host[:port][/path]" URL. host may be a [bracketed] IPv6 literal. */
struct yc_url {
    char host[256];
    char port[8];               /* default "80" */
    char path[YC_HTTP_URL_MAX]; /* default "/" */
};

/* Parses url into *u. Returns YC_OK or YC_ECONFIG (not http://, bad port, too long). */
YC_WUR int yc_url_parse(struct yc_url *u, const char *url);

/*
 * POSTs `body` (len bytes, Content-Type application/json) to url and reads the
 * response into *resp (any HTTP status is YC_OK: check resp->status).
 * Returns YC_OK or an error above; on error *resp is empty (body NULL).
 */
YC_WUR int yc_http_post(const char *url,
                        const char *body,
                        size_t len,
                        int timeout_ms,
                        size_t max_bytes,
                        struct yc_http_response *resp);
/* GETs url; same contract as yc_http_post. */
YC_WUR int
yc_http_get(const char *url, int timeout_ms, size_t max_bytes, struct yc_http_response *resp);
/* Frees resp->body and clears *resp; safe on a cleared response. */
void yc_http_response_free(struct yc_http_response *r);

/* Timeout and response cap used by yc_rpc_call. */
#define YC_RPC_TIMEOUT_MS 30000
#define YC_RPC_MAX_RESPONSE (16u * 1024 * 1024)

/*
 * Calls JSON-RPC 2.0 `method` with `params` (a JSON object; reference stolen, NULL for
 * none) at node URL (its path is used as is, default "/"), with a deadline of
 * `timeout_ms` (0: YC_RPC_TIMEOUT_MS).
 * On success *result gets a new reference to the "result" member. On a JSON-RPC error
 * returns YC_EREMOTE and copies error.data.code (the ledger's stable error name, or
 * "remote_error" if absent) into err_code and error.message into err_msg, when those
 * are not NULL (truncated to their lengths, always NUL-terminated). On any other
 * failure err_code gets the name of the returned code and err_msg a description.
 * *result is NULL on failure.
 */
YC_WUR int yc_rpc_call_timeout(const char *node_url,
                               const char *method,
                               json_t *params,
                               int timeout_ms,
                               json_t **result,
                               char *err_code,
                               size_t err_code_len,
                               char *err_msg,
                               size_t err_msg_len);

/* yc_rpc_call_timeout with the default timeout. */
YC_WUR int yc_rpc_call(const char *node_url,
                       const char *method,
                       json_t *params,
                       json_t **result,
                       char *err_code,
                       size_t err_code_len,
                       char *err_msg,
                       size_t err_msg_len);

#endif
