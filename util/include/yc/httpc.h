/*
 * httpc.h — a small blocking HTTP/1.1 client for the CLIs (wallet, audit --node, bench),
 * on libcurl.
 *
 * http:// and https:// URLs (TLS peers verified against the system's CAs or a given CA
 * file; no redirects; no proxies: the environment's http_proxy is ignored). One request
 * per connection. A single deadline of `timeout_ms` covers name resolution, connect,
 * TLS, sending and receiving; connect alone is further bounded by
 * YC_HTTP_CONNECT_TIMEOUT_MS. Response headers are capped at YC_HTTP_MAX_HEADER bytes
 * and the body at `max_bytes`; bodies framed by Content-Length, chunked transfer coding,
 * or the end of the connection are read. Not for use on the node's event loop.
 *
 * Errors (core/include/yc/err.h): YC_ECONFIG (bad URL; a certificate or CA problem; for
 * JSON-RPC: the URL has no such method or answers 404, i.e. it is not a node's RPC
 * address), YC_ENOTAUTH (HTTP 401/403: a bearer token is wanted; the node refused the
 * TLS client certificate or wants one), YC_EUNREACHABLE (name
 * not resolved, connect refused, TLS handshake failed, timeout, connection reset: exit
 * 69), YC_ELIMIT (response too large), YC_EDECODE (malformed HTTP or JSON), YC_EREMOTE
 * (a JSON-RPC error of the ledger), YC_EIO (a named file unreadable), YC_ENOMEM,
 * YC_EINVAL.
 *
 * Thread-safety: no globals of its own (libcurl initialises itself once).
 */
#ifndef YC_HTTPC_H
#define YC_HTTPC_H

#include <stdbool.h>
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

/* A parsed "http[s]://host[:port][/path]" URL. host may be a [bracketed] IPv6 literal. */
struct yc_url {
    bool tls; /* https */
    char host[256];
    char port[8];               /* default "80", or "443" for https */
    char path[YC_HTTP_URL_MAX]; /* default "/" */
};

/* Parses url into *u. Returns YC_OK or YC_ECONFIG (neither http:// nor https://, bad
 * port, a control character or space in the path, too long). */
YC_WUR int yc_url_parse(struct yc_url *u, const char *url);

/*
 * POSTs `body` (len bytes, Content-Type application/json) to url and reads the
 * response into *resp (any HTTP status is YC_OK: check resp->status).
 * Returns YC_OK or an error above; on error *resp is empty (body NULL).
 */
YC_WUR int yc_http_post(const char *url, const char *body, size_t len, int timeout_ms,
                        size_t max_bytes, struct yc_http_response *resp);
/* yc_http_post with another Content-Type (e.g. "application/msgpack", at most 100
 * bytes) and a binary body. */
YC_WUR int yc_http_post_type(const char *url, const char *content_type, const void *body,
                             size_t len, int timeout_ms, size_t max_bytes,
                             struct yc_http_response *resp);
/* GETs url; same contract as yc_http_post. */
YC_WUR int yc_http_get(const char *url, int timeout_ms, size_t max_bytes,
                       struct yc_http_response *resp);
/* Frees resp->body and clears *resp; safe on a cleared response. */
void yc_http_response_free(struct yc_http_response *r);

/* How to reach a node beyond its URL: a bearer token sent as "Authorization: Bearer T"
 * (for a node behind an authenticating proxy), a CA file that verifies its TLS
 * certificate (a consortium's own CA), and a client certificate with its key (PEM) for
 * a node that asks for one; empty strings: none / the system's CAs / none. */
struct yc_http_opts {
    char token[512];
    char cacert[4096];
    char cert[4096];
    char key[4096];
};

/*
 * Fills *o: the token from the first line of `token_file`, else of the file named by
 * YUCHAIN_NODE_TOKEN_FILE; the CA file `cacert`, else YUCHAIN_NODE_CACERT (NULL or ""
 * arguments fall back to the environment; both absent is fine); the client certificate
 * of YUCHAIN_NODE_CERT and YUCHAIN_NODE_KEY (as yc_http_opts_client_cert). Returns
 * YC_OK, YC_EIO (a file unreadable) or YC_ECONFIG (an empty or malformed token, a key
 * without a certificate), with a sentence in err.
 */
YC_WUR int yc_http_opts_load(struct yc_http_opts *o, const char *token_file, const char *cacert,
                             char *err, size_t errlen);

/*
 * Sets the client certificate: the PEM certificate file `cert` and its key file `key`
 * (NULL or "": the key is in the certificate's file), replacing what *o held; both NULL
 * or "": those of YUCHAIN_NODE_CERT / YUCHAIN_NODE_KEY, or none. Returns YC_OK, YC_EIO
 * (a file unreadable) or YC_ECONFIG (a key without a certificate, a path too long), with
 * a sentence in err naming the option (--cert, --key) and the file.
 */
YC_WUR int yc_http_opts_client_cert(struct yc_http_opts *o, const char *cert, const char *key,
                                    char *err, size_t errlen);

/* Timeout and response cap used by yc_rpc_call. */
#define YC_RPC_TIMEOUT_MS 30000
#define YC_RPC_MAX_RESPONSE (16u * 1024 * 1024)

/*
 * Calls JSON-RPC 2.0 `method` with `params` (a JSON object; reference stolen, NULL for
 * none) at node URL (its path is used as is, default "/": a node behind a proxy at
 * https://host/yuchain/ is called there), with `opts` (NULL: none), with a deadline of
 * `timeout_ms` (0: YC_RPC_TIMEOUT_MS). A JSON-RPC "method not found" (-32601) or an HTTP
 * 404 without a JSON-RPC answer is YC_ECONFIG with err_code "method_not_found" /
 * "not_a_node" (a wrong URL: never to be read as "no such object"), and so is a JSON-RPC
 * error whose data.code is "config_error" (the node says the URL is wrong, e.g. plain
 * http:// to its https port); HTTP 401/403, and a TLS alert refusing the client
 * certificate (or its absence), are YC_ENOTAUTH.
 * On success *result gets a new reference to the "result" member. On a JSON-RPC error
 * returns YC_EREMOTE and copies error.data.code (the ledger's stable error name, or
 * "remote_error" if absent) into err_code and error.message into err_msg, when those
 * are not NULL (truncated to their lengths, always NUL-terminated). On any other
 * failure err_code gets the name of the returned code and err_msg a description.
 * *result is NULL on failure.
 */
YC_WUR int yc_rpc_call_opts(const char *node_url, const struct yc_http_opts *opts,
                            const char *method, json_t *params, int timeout_ms, json_t **result,
                            char *err_code, size_t err_code_len, char *err_msg, size_t err_msg_len);

/* yc_rpc_call_opts with the options of the environment (yc_http_opts_load(NULL, NULL));
 * a bad token file fails the call with its error. */
YC_WUR int yc_rpc_call_timeout(const char *node_url, const char *method, json_t *params,
                               int timeout_ms, json_t **result, char *err_code, size_t err_code_len,
                               char *err_msg, size_t err_msg_len);

/* yc_rpc_call_timeout with the default timeout. */
YC_WUR int yc_rpc_call(const char *node_url, const char *method, json_t *params, json_t **result,
                       char *err_code, size_t err_code_len, char *err_msg, size_t err_msg_len);

#endif
