/*
 * httpc.c — blocking HTTP/1.1 client (libcurl: http:// and https://), and a JSON-RPC 2.0
 * call on top.
 *
 * Invariants: one deadline per request (libcurl's whole-transfer timeout; connect alone
 * also bounded by YC_HTTP_CONNECT_TIMEOUT_MS); bytes kept never exceed YC_HTTP_MAX_HEADER
 * for the head plus `max_bytes` for the decoded body (the callbacks stop the transfer
 * beyond either); a response that ends before its declared length is an error, never a
 * short success. No redirects, no proxies (the environment's http_proxy is ignored: a
 * node's address is used as given), TLS peers verified (system store, or the CA file of
 * the options), HTTP/0.9 refused.
 */
#include "yc/httpc.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

/* ---- URLs ---- */

int yc_url_parse(struct yc_url *u, const char *url)
{
    if (u == NULL || url == NULL)
        return YC_EINVAL;
    memset(u, 0, sizeof *u);
    if (strlen(url) >= YC_HTTP_URL_MAX)
        return YC_ECONFIG;
    const char *p;
    if (strncasecmp(url, "http://", 7) == 0) {
        p = url + 7;
    } else if (strncasecmp(url, "https://", 8) == 0) {
        p = url + 8;
        u->tls = true;
    } else {
        return YC_ECONFIG;
    }
    const char *host_end;
    const char *after;
    if (*p == '[') {
        const char *close = strchr(p, ']');
        if (close == NULL)
            return YC_ECONFIG;
        p++;
        host_end = close;
        after = close + 1;
    } else {
        host_end = p + strcspn(p, ":/?#");
        after = host_end;
    }
    size_t hlen = (size_t)(host_end - p);
    if (hlen == 0 || hlen >= sizeof u->host)
        return YC_ECONFIG;
    memcpy(u->host, p, hlen);
    u->host[hlen] = '\0';
    if (*after == ':') {
        after++;
        size_t plen = strspn(after, "0123456789");
        if (plen == 0 || plen > 5)
            return YC_ECONFIG;
        memcpy(u->port, after, plen);
        u->port[plen] = '\0';
        long port = strtol(u->port, NULL, 10);
        if (port < 1 || port > 65535)
            return YC_ECONFIG;
        after += plen;
    } else {
        strcpy(u->port, u->tls ? "443" : "80");
    }
    if (*after == '\0') {
        strcpy(u->path, "/");
    } else if (*after == '/' || *after == '?') {
        if (*after == '?')
            snprintf(u->path, sizeof u->path, "/%s", after);
        else
            snprintf(u->path, sizeof u->path, "%s", after);
        /* The path goes into the request line verbatim: no controls or spaces. */
        for (const char *q = u->path; *q != '\0'; q++)
            if ((unsigned char)*q <= ' ' || *q == 0x7f)
                return YC_ECONFIG;
        char *hash = strchr(u->path, '#');
        if (hash != NULL)
            *hash = '\0';
    } else {
        return YC_ECONFIG;
    }
    return YC_OK;
}

/* ---- options ---- */

/* Reads the first line of `path` into out (trailing CR/LF/space dropped). */
static int read_first_line(const char *path, char *out, size_t cap, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        snprintf(err, errlen, "cannot read the token file %s", path);
        return YC_EIO;
    }
    bool ok = fgets(out, (int)cap, f) != NULL;
    fclose(f);
    size_t n = ok ? strlen(out) : 0;
    while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == '\r' || out[n - 1] == ' '))
        out[--n] = '\0';
    if (n == 0 || n + 1 >= cap) {
        snprintf(err, errlen,
                 "the token file %s must hold the token on its first line (at "
                 "most %zu characters)",
                 path, cap - 2);
        return YC_ECONFIG;
    }
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)out[i] < 0x21 || out[i] == 0x7f) {
            snprintf(err, errlen, "the token in %s holds a space or control character", path);
            return YC_ECONFIG;
        }
    return YC_OK;
}

int yc_http_opts_load(struct yc_http_opts *o, const char *token_file, const char *cacert, char *err,
                      size_t errlen)
{
    memset(o, 0, sizeof *o);
    if (token_file == NULL || token_file[0] == '\0')
        token_file = getenv("YUCHAIN_NODE_TOKEN_FILE");
    if (cacert == NULL || cacert[0] == '\0')
        cacert = getenv("YUCHAIN_NODE_CACERT");
    if (token_file != NULL && token_file[0] != '\0') {
        int rc = read_first_line(token_file, o->token, sizeof o->token, err, errlen);
        if (rc != YC_OK)
            return rc;
    }
    if (cacert != NULL && cacert[0] != '\0') {
        if (strlen(cacert) >= sizeof o->cacert) {
            snprintf(err, errlen, "the CA file path is too long");
            return YC_ECONFIG;
        }
        FILE *f = fopen(cacert, "r");
        if (f == NULL) {
            snprintf(err, errlen, "cannot read the CA file %s", cacert);
            return YC_EIO;
        }
        fclose(f);
        strcpy(o->cacert, cacert);
    }
    return yc_http_opts_client_cert(o, NULL, NULL, err, errlen);
}

/* Copies a readable file's path into out (cap bytes); `what` names it in messages. */
static int take_file(char *out, size_t cap, const char *path, const char *what, char *err,
                     size_t errlen)
{
    if (strlen(path) >= cap) {
        snprintf(err, errlen, "%s: the path is too long", what);
        return YC_ECONFIG;
    }
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        snprintf(err, errlen, "%s: cannot read %s", what, path);
        return YC_EIO;
    }
    fclose(f);
    strcpy(out, path);
    return YC_OK;
}

int yc_http_opts_client_cert(struct yc_http_opts *o, const char *cert, const char *key, char *err,
                             size_t errlen)
{
    const char *cert_what = "--cert", *key_what = "--key";
    if ((cert == NULL || cert[0] == '\0') && (key == NULL || key[0] == '\0')) {
        cert = getenv("YUCHAIN_NODE_CERT");
        key = getenv("YUCHAIN_NODE_KEY");
        cert_what = "YUCHAIN_NODE_CERT";
        key_what = "YUCHAIN_NODE_KEY";
    }
    o->cert[0] = o->key[0] = '\0';
    bool has_cert = cert != NULL && cert[0] != '\0', has_key = key != NULL && key[0] != '\0';
    if (has_key && !has_cert) {
        snprintf(err, errlen, "%s needs a client certificate (%s FILE)", key_what, cert_what);
        return YC_ECONFIG;
    }
    int rc = YC_OK;
    if (has_cert)
        rc = take_file(o->cert, sizeof o->cert, cert, cert_what, err, errlen);
    if (rc == YC_OK && has_key)
        rc = take_file(o->key, sizeof o->key, key, key_what, err, errlen);
    if (rc != YC_OK)
        o->cert[0] = o->key[0] = '\0';
    return rc;
}

/* ---- transfer ---- */

struct sink {
    char *buf;
    size_t len, cap, max;
    size_t head_bytes;
    bool over_body, over_head;
};

static size_t on_body(char *p, size_t size, size_t n, void *ctx)
{
    struct sink *s = ctx;
    size_t k = size * n;
    if (k > s->max - s->len) {
        s->over_body = true;
        return 0; /* stops the transfer: CURLE_WRITE_ERROR */
    }
    if (s->len + k + 1 > s->cap) {
        size_t cap = s->cap == 0 ? 4096 : s->cap;
        while (cap < s->len + k + 1)
            cap *= 2;
        if (cap > s->max + 1)
            cap = s->max + 1;
        char *nb = realloc(s->buf, cap);
        if (nb == NULL)
            return 0;
        s->buf = nb;
        s->cap = cap;
    }
    memcpy(s->buf + s->len, p, k);
    s->len += k;
    s->buf[s->len] = '\0';
    return k;
}

static size_t on_header(char *p, size_t size, size_t n, void *ctx)
{
    (void)p;
    struct sink *s = ctx;
    s->head_bytes += size * n;
    if (s->head_bytes > YC_HTTP_MAX_HEADER) {
        s->over_head = true;
        return 0;
    }
    return size * n;
}

/* Maps a libcurl failure onto the ledger's error codes (httpc.h). */
static int curl_error(CURLcode cc, const struct sink *s)
{
    if (s->over_body)
        return YC_ELIMIT;
    if (s->over_head)
        return YC_EDECODE;
    switch (cc) {
    case CURLE_URL_MALFORMAT:
        return YC_ECONFIG;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_CRL_BADFILE:
        return YC_ECONFIG;           /* a certificate or CA problem: fixed by configuration */
    case CURLE_UNSUPPORTED_PROTOCOL: /* the scheme was checked: an HTTP/0.9 answer, say */
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_PARTIAL_FILE:
    case CURLE_BAD_CONTENT_ENCODING:
    case CURLE_HTTP2:
    case CURLE_RANGE_ERROR:
        return YC_EDECODE;
    case CURLE_OUT_OF_MEMORY:
        return YC_ENOMEM;
    default:
        return YC_EUNREACHABLE; /* resolve, connect, TLS handshake, timeout, reset, empty */
    }
}

/* Whether libcurl's message reports a TLS alert by which the server refused this
 * client's certificate, or its absence (TLS 1.3 sends it after the client's handshake,
 * so it may arrive on the first read). */
static bool client_cert_refused(const char *msg)
{
    return strstr(msg, "alert certificate required") != NULL ||
           strstr(msg, "alert unknown ca") != NULL ||
           strstr(msg, "alert bad certificate") != NULL ||
           strstr(msg, "alert certificate unknown") != NULL;
}

static int request(const char *url, const char *content_type, const char *body, size_t len,
                   int timeout_ms, size_t max_bytes, const struct yc_http_opts *o,
                   struct yc_http_response *resp, char *why, size_t whylen)
{
    memset(resp, 0, sizeof *resp);
    if (why != NULL && whylen > 0)
        why[0] = '\0';
    struct yc_url u;
    if (url == NULL || yc_url_parse(&u, url) != YC_OK)
        return YC_ECONFIG;
    if (timeout_ms <= 0 || max_bytes == 0 || max_bytes > SIZE_MAX / 2)
        return YC_EINVAL;
    CURL *c = curl_easy_init();
    if (c == NULL)
        return YC_ENOMEM;
    struct sink s = {.max = max_bytes};
    struct curl_slist *hdrs = NULL;
    char errbuf[CURL_ERROR_SIZE] = "";
    char auth[sizeof o->token + 32];
    bool ok = true;
    long connect_ms =
        timeout_ms < YC_HTTP_CONNECT_TIMEOUT_MS ? timeout_ms : YC_HTTP_CONNECT_TIMEOUT_MS;
    ok = ok && curl_easy_setopt(c, CURLOPT_URL, url) == CURLE_OK;
    ok = ok && curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https") == CURLE_OK;
    ok = ok && curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L) == CURLE_OK;
    ok = ok && curl_easy_setopt(c, CURLOPT_PROXY, "") == CURLE_OK;
    ok = ok && curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L) == CURLE_OK;
    ok = ok && curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)timeout_ms) == CURLE_OK;
    ok = ok && curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, connect_ms) == CURLE_OK;
    ok = ok && curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf) == CURLE_OK;
    ok = ok && curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body) == CURLE_OK;
    ok = ok && curl_easy_setopt(c, CURLOPT_WRITEDATA, &s) == CURLE_OK;
    ok = ok && curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header) == CURLE_OK;
    ok = ok && curl_easy_setopt(c, CURLOPT_HEADERDATA, &s) == CURLE_OK;
    ok = ok && curl_easy_setopt(c, CURLOPT_USERAGENT, "yuchain/" YC_VERSION) == CURLE_OK;
    ok = ok && curl_easy_setopt(c, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1) == CURLE_OK;
    if (body != NULL) {
        char ct[128];
        snprintf(ct, sizeof ct, "Content-Type: %s",
                 content_type != NULL ? content_type : "application/json");
        hdrs = curl_slist_append(hdrs, ct);
        ok = ok && hdrs != NULL;
        ok = ok && curl_easy_setopt(c, CURLOPT_POSTFIELDS, body) == CURLE_OK;
        ok = ok && curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len) == CURLE_OK;
    }
    if (o != NULL && o->token[0] != '\0') {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", o->token);
        struct curl_slist *h = curl_slist_append(hdrs, auth);
        ok = ok && h != NULL;
        hdrs = h != NULL ? h : hdrs;
    }
    if (hdrs != NULL)
        ok = ok && curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs) == CURLE_OK;
    if (o != NULL && o->cacert[0] != '\0')
        ok = ok && curl_easy_setopt(c, CURLOPT_CAINFO, o->cacert) == CURLE_OK;
    if (o != NULL && o->cert[0] != '\0') {
        ok = ok && curl_easy_setopt(c, CURLOPT_SSLCERT, o->cert) == CURLE_OK;
        ok = ok &&
             curl_easy_setopt(c, CURLOPT_SSLKEY, o->key[0] != '\0' ? o->key : o->cert) == CURLE_OK;
    }
    int rc = YC_OK;
    if (!ok) {
        rc = YC_ENOMEM;
    } else {
        CURLcode cc = curl_easy_perform(c);
        if (cc != CURLE_OK) {
            rc = curl_error(cc, &s);
            if (rc == YC_EUNREACHABLE && client_cert_refused(errbuf))
                rc = YC_ENOTAUTH;
            if (why != NULL && whylen > 0)
                snprintf(why, whylen, "%s", errbuf[0] != '\0' ? errbuf : curl_easy_strerror(cc));
        } else {
            long status = 0;
            curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
            resp->status = (int)status;
            if (s.buf == NULL) {
                s.buf = calloc(1, 1);
                if (s.buf == NULL)
                    rc = YC_ENOMEM;
            }
            if (rc == YC_OK) {
                resp->body = s.buf;
                resp->len = s.len;
                s.buf = NULL;
            }
        }
    }
    free(s.buf);
    curl_slist_free_all(hdrs);
    if (o != NULL && o->token[0] != '\0')
        memset(auth, 0, sizeof auth);
    curl_easy_cleanup(c);
    return rc;
}

int yc_http_post(const char *url, const char *body, size_t len, int timeout_ms, size_t max_bytes,
                 struct yc_http_response *resp)
{
    return request(url, NULL, body != NULL ? body : "", len, timeout_ms, max_bytes, NULL, resp,
                   NULL, 0);
}

int yc_http_post_type(const char *url, const char *content_type, const void *body, size_t len,
                      int timeout_ms, size_t max_bytes, struct yc_http_response *resp)
{
    return request(url, content_type, body != NULL ? (const char *)body : "", len, timeout_ms,
                   max_bytes, NULL, resp, NULL, 0);
}

int yc_http_get(const char *url, int timeout_ms, size_t max_bytes, struct yc_http_response *resp)
{
    return request(url, NULL, NULL, 0, timeout_ms, max_bytes, NULL, resp, NULL, 0);
}

void yc_http_response_free(struct yc_http_response *r)
{
    if (r == NULL)
        return;
    free(r->body);
    memset(r, 0, sizeof *r);
}

/* ---- JSON-RPC ---- */

static void set_err(char *code, size_t code_len, char *msg, size_t msg_len, const char *c,
                    const char *m)
{
    if (code != NULL && code_len > 0)
        snprintf(code, code_len, "%s", c);
    if (msg != NULL && msg_len > 0)
        snprintf(msg, msg_len, "%s", m);
}

int yc_rpc_call_opts(const char *node_url, const struct yc_http_opts *opts, const char *method,
                     json_t *params, int timeout_ms, json_t **result, char *err_code,
                     size_t err_code_len, char *err_msg, size_t err_msg_len)
{
    if (result != NULL)
        *result = NULL;
    set_err(err_code, err_code_len, err_msg, err_msg_len, "", "");
    if (node_url == NULL || method == NULL || result == NULL) {
        json_decref(params);
        return YC_EINVAL;
    }
    json_t *req = json_pack("{s:s, s:i, s:s, s:o}", "jsonrpc", "2.0", "id", 1, "method", method,
                            "params", params != NULL ? params : json_object());
    if (req == NULL)
        return YC_ENOMEM;
    char *text = json_dumps(req, JSON_COMPACT);
    json_decref(req);
    if (text == NULL)
        return YC_ENOMEM;
    struct yc_http_response resp;
    char why[CURL_ERROR_SIZE];
    int rc =
        request(node_url, NULL, text, strlen(text), timeout_ms > 0 ? timeout_ms : YC_RPC_TIMEOUT_MS,
                YC_RPC_MAX_RESPONSE, opts, &resp, why, sizeof why);
    free(text);
    if (rc == YC_ENOTAUTH) {
        char m[600];
        snprintf(m, sizeof m,
                 "%s refused this client's TLS certificate, or wants one (--cert "
                 "FILE --key FILE, or YUCHAIN_NODE_CERT and YUCHAIN_NODE_KEY): %s",
                 node_url, why);
        set_err(err_code, err_code_len, err_msg, err_msg_len, "not_authorized", m);
        return rc;
    }
    if (rc != YC_OK) {
        char m[400];
        snprintf(m, sizeof m, "%s (%s)%s%s", yc_strerror(rc), node_url, why[0] ? ": " : "", why);
        set_err(err_code, err_code_len, err_msg, err_msg_len, yc_err_name(rc), m);
        return rc;
    }
    json_error_t jerr;
    json_t *root = json_loadb(resp.body, resp.len, 0, &jerr);
    int status = resp.status;
    yc_http_response_free(&resp);
    if (!json_is_object(root)) {
        json_decref(root);
        char m[400];
        if (status == 401 || status == 403) {
            snprintf(m, sizeof m,
                     "%s answered HTTP %d: it wants a valid bearer token "
                     "(--token-file FILE or YUCHAIN_NODE_TOKEN_FILE)",
                     node_url, status);
            set_err(err_code, err_code_len, err_msg, err_msg_len, "not_authorized", m);
            return YC_ENOTAUTH;
        }
        if (status == 404 || status == 405) {
            snprintf(m, sizeof m,
                     "%s answered HTTP %d without a JSON-RPC answer: is it a "
                     "Yuchain node's RPC address, with the right path?",
                     node_url, status);
            set_err(err_code, err_code_len, err_msg, err_msg_len, "not_a_node", m);
            return YC_ECONFIG;
        }
        snprintf(m, sizeof m, "the node answered HTTP %d without a JSON-RPC object", status);
        set_err(err_code, err_code_len, err_msg, err_msg_len, yc_err_name(YC_EDECODE), m);
        return YC_EDECODE;
    }
    json_t *err = json_object_get(root, "error");
    if (err != NULL && !json_is_null(err) &&
        json_integer_value(json_object_get(err, "code")) == -32601) {
        /* The URL reaches something that speaks JSON-RPC but has no such method: a wrong
         * path or another service, never "no such object". */
        char m[400];
        snprintf(m, sizeof m,
                 "%s has no JSON-RPC method '%s': is it a Yuchain node's RPC "
                 "address, with the right path?",
                 node_url, method);
        set_err(err_code, err_code_len, err_msg, err_msg_len, "method_not_found", m);
        json_decref(root);
        return YC_ECONFIG;
    }
    const char *ecode = json_string_value(json_object_get(json_object_get(err, "data"), "code"));
    if (err != NULL && !json_is_null(err) && ecode != NULL && strcmp(ecode, "config_error") == 0) {
        /* The node says the call is wrong as addressed (plain http:// to its https port). */
        char m[400];
        const char *em = json_string_value(json_object_get(err, "message"));
        snprintf(m, sizeof m, "%s: %s", node_url, em != NULL ? em : "wrong address");
        set_err(err_code, err_code_len, err_msg, err_msg_len, "config_error", m);
        json_decref(root);
        return YC_ECONFIG;
    }
    if (err != NULL && !json_is_null(err)) {
        const char *code = ecode;
        const char *m = json_string_value(json_object_get(err, "message"));
        set_err(err_code, err_code_len, err_msg, err_msg_len,
                code != NULL ? code : yc_err_name(YC_EREMOTE), m != NULL ? m : "remote error");
        json_decref(root);
        return YC_EREMOTE;
    }
    json_t *res = json_object_get(root, "result");
    if (res == NULL) {
        json_decref(root);
        set_err(err_code, err_code_len, err_msg, err_msg_len, yc_err_name(YC_EDECODE),
                "JSON-RPC response without result or error");
        return YC_EDECODE;
    }
    *result = json_incref(res);
    json_decref(root);
    return YC_OK;
}

int yc_rpc_call_timeout(const char *node_url, const char *method, json_t *params, int timeout_ms,
                        json_t **result, char *err_code, size_t err_code_len, char *err_msg,
                        size_t err_msg_len)
{
    struct yc_http_opts o;
    char why[256];
    int rc = yc_http_opts_load(&o, NULL, NULL, why, sizeof why);
    if (rc != YC_OK) {
        if (result != NULL)
            *result = NULL;
        json_decref(params);
        set_err(err_code, err_code_len, err_msg, err_msg_len, yc_err_name(rc), why);
        return rc;
    }
    rc = yc_rpc_call_opts(node_url, &o, method, params, timeout_ms, result, err_code, err_code_len,
                          err_msg, err_msg_len);
    memset(&o, 0, sizeof o);
    return rc;
}

int yc_rpc_call(const char *node_url, const char *method, json_t *params, json_t **result,
                char *err_code, size_t err_code_len, char *err_msg, size_t err_msg_len)
{
    return yc_rpc_call_timeout(node_url, method, params, 0, result, err_code, err_code_len, err_msg,
                               err_msg_len);
}
