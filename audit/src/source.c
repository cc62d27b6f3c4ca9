/*
 * source.c — the two ledger sources of the audit (source.h): a node home on disk and a
 * node's JSON-RPC. Neither is trusted: they only hand over bytes that replay.c checks
 * against the genesis. The genesis itself comes from a file the auditor names (or the
 * home's), or from the node, whose hash the report prints for comparison with the
 * published one.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "yc/alloc.h"
#include "yc/block.h"
#include "yc/cliutil.h"
#include "yc/genesis_json.h"
#include "yc/httpc.h"

#include "source.h"

static void msgf(char *msg, size_t msglen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void msgf(char *msg, size_t msglen, const char *fmt, ...)
{
    if (msg == NULL || msglen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, msglen, fmt, ap);
    va_end(ap);
}

/* ---- home ---- */

static int home_tip(void *ctx, uint64_t *height, char *msg, size_t msglen)
{
    struct audit_src *s = ctx;
    struct store_tip tip;
    int rc = store_tip(s->st, &tip);
    if (rc != YC_OK) {
        msgf(msg, msglen, "reading the tip: %s", yc_strerror(rc));
        return rc;
    }
    *height = tip.height;
    return YC_OK;
}

static int home_block(void *ctx, uint64_t height, uint8_t **bytes, size_t *len, char *msg,
                      size_t msglen)
{
    struct audit_src *s = ctx;
    int rc = store_get_block(s->st, height, bytes, len);
    if (rc == YC_ECORRUPT || rc == YC_EIO)
        msgf(msg, msglen, "%s", store_last_error(s->st));
    return rc;
}

struct cmp_ctx {
    memstate *m;
    size_t n;
    char *msg;
    size_t msglen;
};

static void key_text(char *out, size_t outlen, const uint8_t *key, size_t klen)
{
    /* printable prefix, then hex: "account/" + 66 hex digits */
    size_t i = 0, o = 0;
    while (i < klen && key[i] >= 0x20 && key[i] < 0x7f && key[i] != '\\' && o + 2 < outlen)
        out[o++] = (char)key[i++];
    for (; i < klen && o + 3 < outlen; i++)
        o += (size_t)snprintf(out + o, outlen - o, "%02x", key[i]);
    out[o] = '\0';
}

static int cmp_cb(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen)
{
    struct cmp_ctx *c = ctx;
    const uint8_t *mv;
    size_t ml;
    char kt[200];
    c->n++;
    if (memstate_get(c->m, key, klen, &mv, &ml) != YC_OK) {
        key_text(kt, sizeof kt, key, klen);
        msgf(c->msg, c->msglen, "the node's state holds %s, which the ledger never wrote", kt);
        return YC_EDIVERGED;
    }
    if (ml != vlen || (vlen > 0 && memcmp(mv, val, vlen) != 0)) {
        key_text(kt, sizeof kt, key, klen);
        msgf(c->msg, c->msglen, "the node's state value of %s differs from the replayed one",
             kt);
        return YC_EDIVERGED;
    }
    return 0;
}

/* The stored tip and every stored state key must be what the replay produced. */
static int home_check_end(void *ctx, memstate *state, uint64_t height,
                          const uint8_t hash[YC_HASH_LEN], const uint8_t root[YC_HASH_LEN],
                          char *msg, size_t msglen)
{
    struct audit_src *s = ctx;
    struct store_tip tip;
    int rc = store_tip(s->st, &tip);
    if (rc != YC_OK)
        return rc;
    if (tip.height != height || memcmp(tip.hash, hash, YC_HASH_LEN) != 0 ||
        memcmp(tip.state_root, root, YC_HASH_LEN) != 0) {
        msgf(msg, msglen, "the node's tip record (height %llu) disagrees with the replayed "
                          "tip's hash or state root",
             (unsigned long long)tip.height);
        return YC_EDIVERGED;
    }
    struct cmp_ctx c = {.m = state, .msg = msg, .msglen = msglen};
    rc = store_scan_state(s->st, (const uint8_t *)"", 0, 0, cmp_cb, &c);
    if (rc == YC_EIO)
        msgf(msg, msglen, "reading the node's state: %s", store_last_error(s->st));
    if (rc != YC_OK)
        return rc;
    if (c.n != memstate_count(state)) {
        msgf(msg, msglen, "the node's state holds %zu keys, the replay %zu: some are missing",
             c.n, memstate_count(state));
        return YC_EDIVERGED;
    }
    return YC_OK;
}

int audit_src_open_home(struct audit_src *s, const char *home, const char *genesis_file,
                        char *msg, size_t msglen)
{
    memset(s, 0, sizeof *s);
    size_t n = strlen(home) + 64;
    char *path = malloc(n);
    if (path == NULL)
        return YC_ENOMEM;
    char err[600];
    int rc;
    if (genesis_file == NULL)
        snprintf(path, n, "%s/config/genesis.json", home);
    rc = yc_genesis_json_load(&s->genesis, genesis_file != NULL ? genesis_file : path, err,
                              sizeof err);
    if (rc != YC_OK) {
        msgf(msg, msglen, "genesis: %s", err);
        free(path);
        return rc;
    }
    snprintf(path, n, "%s/data", home);
    rc = store_open_ex(&s->st, path, STORE_READ_ONLY | STORE_NO_CHECK, &s->genesis, err,
                       sizeof err);
    free(path);
    if (rc != YC_OK) {
        msgf(msg, msglen, "%s", err);
        yc_genesis_cleanup(&s->genesis);
        return rc == YC_ENOTFOUND ? YC_ECONFIG : rc;
    }
    s->src.tip = home_tip;
    s->src.get_block = home_block;
    s->src.check_end = home_check_end;
    s->src.ctx = s;
    return YC_OK;
}

/* ---- node ---- */

static int rpc(struct audit_src *s, const char *method, json_t *params, json_t **result,
               char *msg, size_t msglen)
{
    char code[64] = "", text[256] = "";
    int rc = yc_rpc_call(s->node_url, method, params, result, code, sizeof code, text,
                         sizeof text);
    if (rc == YC_EREMOTE && strcmp(code, "not_found") == 0)
        return YC_ENOTFOUND;
    if (rc == YC_EUNREACHABLE)
        msgf(msg, msglen, "cannot reach the node at %s (%s); is it running, and is --node right?",
             s->node_url, text[0] ? text : yc_strerror(rc));
    else if (rc == YC_EREMOTE)
        msgf(msg, msglen, "the node at %s refused `%s`: %s (%s)", s->node_url, method,
             text[0] ? text : yc_strerror(rc), code);
    else if (rc != YC_OK)
        msgf(msg, msglen, "asking the node at %s for `%s`: %s", s->node_url, method,
             text[0] ? text : yc_strerror(rc));
    return rc;
}

/* A height in a result: a decimal string (the RPC convention) or a JSON integer. */
static bool json_u64(json_t *v, uint64_t *out)
{
    if (json_is_integer(v) && json_integer_value(v) >= 0) {
        *out = (uint64_t)json_integer_value(v);
        return true;
    }
    return json_is_string(v) && yc_parse_u64(json_string_value(v), out) == YC_OK;
}

static int node_tip(void *ctx, uint64_t *height, char *msg, size_t msglen)
{
    struct audit_src *s = ctx;
    json_t *res = NULL;
    int rc = rpc(s, "status", NULL, &res, msg, msglen);
    if (rc == YC_ENOTFOUND)
        rc = YC_EREMOTE;
    if (rc != YC_OK)
        return rc;
    bool ok = json_u64(json_object_get(res, "height"), height);
    json_decref(res);
    if (!ok) {
        msgf(msg, msglen, "%s: status has no height", s->node_url);
        return YC_EREMOTE;
    }
    return YC_OK;
}

static int node_block(void *ctx, uint64_t height, uint8_t **bytes, size_t *len, char *msg,
                      size_t msglen)
{
    struct audit_src *s = ctx;
    char hs[24];
    snprintf(hs, sizeof hs, "%llu", (unsigned long long)height);
    json_t *params = json_pack("{s:s, s:s}", "height", hs, "format", "raw");
    json_t *res = NULL;
    *bytes = NULL;
    *len = 0;
    if (params == NULL)
        return YC_ENOMEM;
    int rc = rpc(s, "block", params, &res, msg, msglen);
    if (rc != YC_OK)
        return rc;
    json_t *raw = json_object_get(res, "raw");
    if (!json_is_string(raw) || json_string_length(raw) % 2 != 0 ||
        json_string_length(raw) == 0 || json_string_length(raw) / 2 > YC_BLOCK_MAX_BYTES) {
        json_decref(res);
        msgf(msg, msglen, "the node's answer holds no raw block of acceptable size");
        return YC_ECORRUPT;
    }
    size_t n = json_string_length(raw) / 2;
    uint8_t *b = yc_malloc(n);
    if (b == NULL) {
        json_decref(res);
        return YC_ENOMEM;
    }
    if (yc_unhex(b, n, json_string_value(raw), 2 * n) != YC_OK) {
        yc_free(b);
        json_decref(res);
        msgf(msg, msglen, "the node's raw block is not hex");
        return YC_ECORRUPT;
    }
    json_decref(res);
    *bytes = b;
    *len = n;
    return YC_OK;
}

int audit_src_open_node(struct audit_src *s, const char *url, const char *genesis_file,
                        char *msg, size_t msglen)
{
    memset(s, 0, sizeof *s);
    struct yc_url u;
    if (yc_url_parse(&u, url) != YC_OK) {
        msgf(msg, msglen, "--node %s: not an http://host:port URL", url);
        return YC_ECONFIG;
    }
    s->node_url = strdup(url);
    if (s->node_url == NULL)
        return YC_ENOMEM;
    json_t *res = NULL;
    int rc = rpc(s, "genesis", NULL, &res, msg, msglen);
    if (rc == YC_ENOTFOUND)
        rc = YC_EREMOTE;
    if (rc != YC_OK) {
        audit_src_close(s);
        return rc;
    }
    char *text = json_dumps(res, JSON_COMPACT);
    json_decref(res);
    if (text == NULL) {
        audit_src_close(s);
        return YC_ENOMEM;
    }
    struct yc_genesis served;
    char err[600];
    rc = yc_genesis_json_parse(&served, text, strlen(text), err, sizeof err);
    free(text);
    if (rc != YC_OK) {
        msgf(msg, msglen, "the node's genesis is invalid: %s", err);
        audit_src_close(s);
        return rc;
    }
    if (genesis_file == NULL) {
        s->genesis = served;
    } else {
        rc = yc_genesis_json_load(&s->genesis, genesis_file, err, sizeof err);
        if (rc == YC_OK && memcmp(s->genesis.hash, served.hash, YC_HASH_LEN) != 0) {
            char a[2 * YC_HASH_LEN + 1], b[2 * YC_HASH_LEN + 1];
            yc_hex(a, served.hash, YC_HASH_LEN);
            yc_hex(b, s->genesis.hash, YC_HASH_LEN);
            snprintf(err, sizeof err, "the node serves genesis %s, %s hashes to %s", a,
                     genesis_file, b);
            rc = YC_ECONFIG;
        }
        yc_genesis_cleanup(&served);
        if (rc != YC_OK) {
            msgf(msg, msglen, "genesis: %s", err);
            audit_src_close(s);
            return rc;
        }
    }
    s->src.tip = node_tip;
    s->src.get_block = node_block;
    s->src.check_end = NULL;
    s->src.ctx = s;
    return YC_OK;
}

void audit_src_close(struct audit_src *s)
{
    if (s == NULL)
        return;
    store_close(s->st);
    free(s->node_url);
    yc_genesis_cleanup(&s->genesis);
    memset(s, 0, sizeof *s);
}
