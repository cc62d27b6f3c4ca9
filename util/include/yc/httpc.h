/*
 * httpc.h — a small blocking HTTP/1.1 client for the CLIs (wallet, audit --node, bench).
 * Plain TCP to http:// URLs only; responses capped at `max_bytes`; connect and total
 * timeouts. Not for use on the node's event loop.
 */
#ifndef YC_HTTPC_H
#define YC_HTTPC_H

#include <stddef.h>

#include <jansson.h>

/* Errors: YC_OK, YC_ECONFIG (bad URL), YC_EUNREACHABLE below (connect/timeout → exit 69),
 * YC_ELIMIT (response too large), YC_EDECODE (malformed HTTP or JSON). */
#define YC_EUNREACHABLE (-101)

struct yc_http_response {
    int status;
    char *body; /* malloc'ed, NUL-terminated */
    size_t len;
};

/* POSTs `body` (JSON) to url ("http://host:port/path"); fills *resp. */
int yc_http_post(const char *url, const char *body, size_t len, int timeout_ms,
                 size_t max_bytes, struct yc_http_response *resp);
int yc_http_get(const char *url, int timeout_ms, size_t max_bytes, struct yc_http_response *resp);
void yc_http_response_free(struct yc_http_response *r);

/*
 * Calls JSON-RPC 2.0 `method` with `params` (stolen reference) at node URL. On success
 * *result gets a new reference. On a JSON-RPC error returns YC_EREMOTE below and, if
 * err_code is not NULL, copies error.data.code (stable name) and error.message.
 */
#define YC_EREMOTE (-102)
int yc_rpc_call(const char *node_url, const char *method, json_t *params, json_t **result,
                char *err_code, size_t err_code_len, char *err_msg, size_t err_msg_len);

#endif
