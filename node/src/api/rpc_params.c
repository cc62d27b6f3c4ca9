/*
 * rpc_params.c — reading method parameters: typed readers over the params object
 * (JSON-RPC) and the query string of GET /<method>?k=v turned into the same object.
 *
 * Every reader either yields a value or fails the call with -32602 and a message that
 * names the parameter; nothing here trusts its input.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "rpc_impl.h"
#include "rpc_json.h"
#include "yc/bech32.h"
#include "yc/err.h"
#include "yc/hash.h"

#define MAX_QUERY_PARAMS 16

/* ---- parameters ---- */

json_t *yc__rpc_param(json_t *params, const char *name)
{
    json_t *v = params ? json_object_get(params, name) : NULL;
    return (v && !json_is_null(v)) ? v : NULL;
}

bool yc__rpc_param_str(struct rpc_call *c, json_t *params, const char *name, bool required,
                       const char **out, size_t *len)
{
    json_t *v = yc__rpc_param(params, name);
    *out = NULL;
    if (len)
        *len = 0;
    if (!v) {
        if (required)
            yc__rpc_bad_param(c, name, "missing");
        return !required;
    }
    if (!json_is_string(v)) {
        yc__rpc_bad_param(c, name, "must be a string");
        return false;
    }
    *out = json_string_value(v);
    if (len)
        *len = json_string_length(v);
    return true;
}

bool yc__rpc_param_u64(struct rpc_call *c, json_t *params, const char *name, bool required,
                       uint64_t *out, bool *present)
{
    json_t *v = yc__rpc_param(params, name);
    if (present)
        *present = v != NULL;
    if (!v) {
        if (required)
            yc__rpc_bad_param(c, name, "missing");
        return !required;
    }
    if (json_is_integer(v) && json_integer_value(v) >= 0) {
        *out = (uint64_t)json_integer_value(v);
        return true;
    }
    if (json_is_string(v) &&
        yc_rjson_parse_u64(json_string_value(v), json_string_length(v), out) == YC_OK)
        return true;
    yc__rpc_bad_param(c, name, "must be a non-negative integer (decimal string)");
    return false;
}

bool yc__rpc_param_hash(struct rpc_call *c, json_t *params, const char *name, uint8_t out[32])
{
    const char *s;
    size_t len;
    if (!yc__rpc_param_str(c, params, name, true, &s, &len))
        return false;
    if (yc_unhex(out, 32, s, len) != YC_OK) {
        yc__rpc_bad_param(c, name, "must be 64 hex digits");
        return false;
    }
    return true;
}

bool yc__rpc_param_addr(struct rpc_call *c, json_t *params, const char *name, bool required,
                        uint8_t pub[33], bool *present)
{
    const char *s;
    size_t len;
    if (present)
        *present = false;
    if (!yc__rpc_param_str(c, params, name, required, &s, &len))
        return false;
    if (!s)
        return true;
    if (len >= YC_ADDR_MAX || yc_addr_decode(pub, s) != YC_OK) {
        yc__rpc_failf(c, RPC_INVALID_PARAMS, YC_EBADADDR, "%s: not a valid yc1 address", name);
        return false;
    }
    if (present)
        *present = true;
    return true;
}

int yc__rpc_unhex_alloc(json_t *v, size_t max, uint8_t **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    if (!v || !json_is_string(v))
        return YC_EBADFIELD;
    const char *s = json_string_value(v);
    size_t sl = json_string_length(v);
    if (sl % 2 != 0 || sl == 0)
        return YC_EBADFIELD;
    if (sl / 2 > max)
        return YC_ETOOLARGE;
    uint8_t *b = malloc(sl / 2);
    if (!b)
        return YC_ENOMEM;
    if (yc_unhex(b, sl / 2, s, sl) != YC_OK) {
        free(b);
        return YC_EBADFIELD;
    }
    *out = b;
    *len = sl / 2;
    return YC_OK;
}

bool yc__rpc_hex_bytes(struct rpc_call *c, const char *name, json_t *v, size_t max, uint8_t **out,
                       size_t *len)
{
    int rc = yc__rpc_unhex_alloc(v, max, out, len);
    if (rc == YC_ETOOLARGE)
        yc__rpc_failf(c, RPC_INVALID_PARAMS, rc, "%s: larger than %zu bytes", name, max);
    else if (rc == YC_ENOMEM)
        yc__rpc_fail(c, RPC_INTERNAL, rc, NULL);
    else if (rc != YC_OK)
        yc__rpc_bad_param(c, name,
                          v ? "must be an even, non-zero number of hex digits" : "missing");
    return rc == YC_OK;
}

bool yc__rpc_param_limit(struct rpc_call *c, json_t *params, size_t def, size_t max, size_t *out)
{
    uint64_t v = def;
    if (!yc__rpc_param_u64(c, params, "limit", false, &v, NULL))
        return false;
    if (v == 0 || v > max) {
        yc__rpc_failf(c, RPC_INVALID_PARAMS, YC_EBADFIELD, "limit: must be 1..%zu", max);
        return false;
    }
    *out = (size_t)v;
    return true;
}

static int hexval(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* URL-decodes s[0..len) ('+' is a space) into a malloc'ed NUL-terminated string.
 * Returns NULL on a bad escape, an encoded NUL or ENOMEM. */
static char *url_decode(const char *s, size_t len)
{
    char *out = malloc(len + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '%') {
            int hi = i + 2 < len ? hexval(s[i + 1]) : -1;
            int lo = i + 2 < len ? hexval(s[i + 2]) : -1;
            if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
                free(out);
                return NULL;
            }
            out[o++] = (char)(hi * 16 + lo);
            i += 2;
        } else {
            out[o++] = s[i] == '+' ? ' ' : s[i];
        }
    }
    out[o] = 0;
    return out;
}

json_t *yc__rpc_parse_query(const char *query, const char **why)
{
    json_t *o = json_object();
    if (!o) {
        *why = "out of memory";
        return NULL;
    }
    size_t count = 0;
    const char *p = query;
    while (*p) {
        const char *amp = strchr(p, '&');
        size_t plen = amp ? (size_t)(amp - p) : strlen(p);
        if (plen > 0) {
            if (++count > MAX_QUERY_PARAMS) {
                *why = "too many query parameters";
                goto fail;
            }
            const char *eq = memchr(p, '=', plen);
            size_t klen = eq ? (size_t)(eq - p) : plen;
            char *k = url_decode(p, klen);
            char *v = eq ? url_decode(eq + 1, plen - klen - 1) : strdup("");
            if (!k || !v || !*k) {
                free(k);
                free(v);
                *why = "bad query encoding";
                goto fail;
            }
            /* CometBFT-style quoted values ("abc") are accepted as well. */
            size_t vl = strlen(v);
            char *val = v;
            if (vl >= 2 && v[0] == '"' && v[vl - 1] == '"') {
                v[vl - 1] = 0;
                val = v + 1;
                vl -= 2;
            }
            json_t *js = json_stringn(val, vl);
            int dup = json_object_get(o, k) != NULL;
            int rc = -1;
            if (js && !dup)
                rc = json_object_set_new(o, k, js); /* steals js even on failure */
            else
                json_decref(js);
            if (rc != 0) {
                free(k);
                free(v);
                *why = dup ? "duplicate query parameter" : "query is not valid UTF-8";
                goto fail;
            }
            free(k);
            free(v);
        }
        if (!amp)
            break;
        p = amp + 1;
    }
    return o;
fail:
    json_decref(o);
    return NULL;
}
