/*
 * rpc_json.c — JSON forms of ledger values (see rpc_json.h).
 *
 * Field names follow the wire names of core/include/yc/tx.h and block.h, so a client
 * reading the JSON sees the same vocabulary as the canonical encoding. Optional body
 * fields that are absent on the wire are absent here too.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "rpc_json.h"
#include "yc/bech32.h"
#include "yc/hash.h"

json_t *yc_rjson_u64(uint64_t v)
{
    char s[24];
    snprintf(s, sizeof(s), "%" PRIu64, v);
    return json_string(s);
}

json_t *yc_rjson_u64_or_null(uint64_t v)
{
    return v != 0 ? yc_rjson_u64(v) : json_null();
}

json_t *yc_rjson_hex(const uint8_t *p, size_t len)
{
    if (len > (SIZE_MAX - 1) / 2)
        return NULL;
    char small[2 * 64 + 1];
    char *s = len <= 64 ? small : malloc(2 * len + 1);
    if (!s)
        return NULL;
    yc_hex(s, p, len);
    json_t *j = json_stringn_nocheck(s, 2 * len);
    if (s != small)
        free(s);
    return j;
}

json_t *yc_rjson_addr(const uint8_t pub[YC_PUBKEY_LEN])
{
    char a[YC_ADDR_MAX];
    if (yc_addr_encode(a, pub) != YC_OK)
        return yc_rjson_hex(pub, YC_PUBKEY_LEN);
    return json_string(a);
}

int yc_rjson_time_fmt(char out[YC_RJSON_TIME_MAX], uint64_t ms)
{
    out[0] = 0;
    /* 253402300799999 ms = 9999-12-31T23:59:59.999Z */
    if (ms > UINT64_C(253402300799999))
        return YC_ELIMIT;
    time_t secs = (time_t)(ms / 1000);
    struct tm tm;
    if (!gmtime_r(&secs, &tm))
        return YC_ELIMIT;
    int n = snprintf(out, YC_RJSON_TIME_MAX, "%04d-%02d-%02dT%02d:%02d:%02d.%03uZ",
                     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                     tm.tm_sec, (unsigned)(ms % 1000));
    if (n < 0 || n >= YC_RJSON_TIME_MAX) {
        out[0] = 0;
        return YC_ELIMIT;
    }
    return YC_OK;
}

json_t *yc_rjson_time(uint64_t ms)
{
    char s[YC_RJSON_TIME_MAX];
    if (yc_rjson_time_fmt(s, ms) != YC_OK)
        return json_null();
    return json_string(s);
}

json_t *yc_rjson_slice(const struct yc_slice *s)
{
    if (s->len == 0)
        return json_string("");
    json_t *j = json_stringn(s->p, s->len);
    return j ? j : json_null();
}

json_t *yc_rjson_list(const struct yc_list *l)
{
    json_t *a = json_array();
    if (!a)
        return NULL;
    for (uint32_t i = 0; i < l->n && i < YC_LIST_MAX; i++)
        json_array_append_new(a, yc_rjson_slice(&l->items[i]));
    return a;
}

/* Sets key only when the optional slice is present (non-empty). */
static void set_opt_slice(json_t *o, const char *key, const struct yc_slice *s)
{
    if (s->len > 0)
        json_object_set_new(o, key, yc_rjson_slice(s));
}

static void set_opt_hash(json_t *o, const char *key, bool has, const uint8_t h[YC_HASH_LEN])
{
    if (has)
        json_object_set_new(o, key, yc_rjson_hex(h, YC_HASH_LEN));
}

json_t *yc_rjson_tx_body(const struct yc_tx *tx)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    const union yc_tx_body *b = &tx->b;
    switch (tx->type) {
    case YC_TX_ACCOUNT_REGISTER:
        if (b->account_register.has_account)
            json_object_set_new(o, "account", yc_rjson_addr(b->account_register.account));
        json_object_set_new(o, "jurisdiction", yc_rjson_slice(&b->account_register.jurisdiction));
        json_object_set_new(o, "name", yc_rjson_slice(&b->account_register.name));
        json_object_set_new(o, "role", yc_rjson_slice(&b->account_register.role));
        break;
    case YC_TX_ACCOUNT_UPDATE:
        if (b->account_update.has_account)
            json_object_set_new(o, "account", yc_rjson_addr(b->account_update.account));
        if (b->account_update.has_jurisdiction)
            json_object_set_new(o, "jurisdiction",
                                yc_rjson_slice(&b->account_update.jurisdiction));
        if (b->account_update.has_name)
            json_object_set_new(o, "name", yc_rjson_slice(&b->account_update.name));
        break;
    case YC_TX_TOKEN_ISSUE:
    case YC_TX_TOKEN_TRANSFER:
    case YC_TX_TOKEN_REDEEM:
        json_object_set_new(o, "amount", yc_rjson_u64(b->token.amount));
        set_opt_slice(o, "memo", &b->token.memo);
        if (b->token.has_to)
            json_object_set_new(o, "to", yc_rjson_addr(b->token.to));
        break;
    case YC_TX_CONSENT_GRANT: {
        const struct yc_body_consent_grant *g = &b->consent_grant;
        json_object_set_new(o, "categories", yc_rjson_list(&g->categories));
        json_object_set_new(o, "fee_per_use", yc_rjson_u64(g->fee_per_use));
        json_object_set_new(o, "jurisdiction", yc_rjson_slice(&g->jurisdiction));
        json_object_set_new(o, "max_uses", yc_rjson_u64(g->max_uses));
        json_object_set_new(o, "not_before", yc_rjson_u64(g->not_before));
        json_object_set_new(o, "onward_transfer", json_boolean(g->onward_transfer));
        json_object_set_new(o, "operations", yc_rjson_list(&g->operations));
        json_object_set_new(o, "processor", yc_rjson_addr(g->processor));
        json_object_set_new(o, "purposes", yc_rjson_list(&g->purposes));
        json_object_set_new(o, "retention_days", yc_rjson_u64(g->retention_days));
        json_object_set_new(o, "until", yc_rjson_u64(g->until));
        json_object_set_new(o, "until_time", yc_rjson_time(g->until));
        break;
    }
    case YC_TX_CONSENT_REVOKE:
        json_object_set_new(o, "consent", yc_rjson_hex(b->consent_revoke.consent, YC_HASH_LEN));
        break;
    case YC_TX_USAGE_RECORD: {
        const struct yc_body_usage_record *u = &b->usage_record;
        set_opt_slice(o, "category", &u->category);
        set_opt_hash(o, "consent", u->has_consent, u->consent);
        set_opt_hash(o, "input", u->has_input, u->input);
        set_opt_hash(o, "license", u->has_license, u->license);
        json_object_set_new(o, "operation", yc_rjson_slice(&u->operation));
        set_opt_hash(o, "output", u->has_output, u->output);
        json_object_set_new(o, "purpose", yc_rjson_slice(&u->purpose));
        break;
    }
    case YC_TX_EVIDENCE_ANCHOR: {
        const struct yc_body_evidence_anchor *e = &b->evidence_anchor;
        json_object_set_new(o, "digest", yc_rjson_hex(e->digest, YC_HASH_LEN));
        json_object_set_new(o, "kind", yc_rjson_slice(&e->kind));
        set_opt_slice(o, "note", &e->note);
        set_opt_hash(o, "ref", e->has_ref, e->ref);
        break;
    }
    default:
        if (!yc__rjson_asset_body(tx, o)) /* rpc_methods_asset.c */
            yc__rjson_market_body(tx, o); /* rpc_methods_market.c */
        break;
    }
    return o;
}

json_t *yc_rjson_tx(const struct yc_tx *tx)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    const char *type = yc_tx_type_name(tx->type);
    json_object_set_new(o, "id", yc_rjson_hex(tx->id, YC_HASH_LEN));
    json_object_set_new(o, "type", type ? json_string(type) : json_null());
    json_object_set_new(o, "chain_id", yc_rjson_slice(&tx->chain_id));
    json_object_set_new(o, "sender", yc_rjson_addr(tx->sender));
    json_object_set_new(o, "nonce", yc_rjson_u64(tx->nonce));
    json_object_set_new(o, "body", yc_rjson_tx_body(tx));
    json_object_set_new(o, "sig", yc_rjson_hex(tx->sig, YC_SIG_LEN));
    if (tx->ncosigs > 0) {
        json_t *a = json_array();
        for (uint32_t i = 0; a && i < tx->ncosigs && i < YC_TX_MAX_COSIGS; i++) {
            json_t *c = json_object();
            json_object_set_new(c, "signer", yc_rjson_addr(tx->cosigs[i].pub));
            json_object_set_new(c, "sig", yc_rjson_hex(tx->cosigs[i].sig, YC_SIG_LEN));
            json_array_append_new(a, c);
        }
        json_object_set_new(o, "cosigs", a);
    }
    return o;
}

json_t *yc_rjson_header(const struct yc_block_header *h)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    json_object_set_new(o, "chain_id", json_string(h->chain_id));
    json_object_set_new(o, "height", yc_rjson_u64(h->height));
    json_object_set_new(o, "view", yc_rjson_u64(h->view));
    json_object_set_new(o, "proposer", json_integer((json_int_t)h->proposer));
    json_object_set_new(o, "time", yc_rjson_time(h->time_ms));
    json_object_set_new(o, "time_ms", yc_rjson_u64(h->time_ms));
    json_object_set_new(o, "prev_hash", yc_rjson_hex(h->prev_hash, YC_HASH_LEN));
    json_object_set_new(o, "tx_root", yc_rjson_hex(h->tx_root, YC_HASH_LEN));
    json_object_set_new(o, "result_root", yc_rjson_hex(h->result_root, YC_HASH_LEN));
    json_object_set_new(o, "state_root", yc_rjson_hex(h->state_root, YC_HASH_LEN));
    json_object_set_new(o, "tx_count", yc_rjson_u64(h->tx_count));
    json_object_set_new(o, "version", json_integer((json_int_t)h->version));
    return o;
}

json_t *yc_rjson_cert(const struct yc_cert *c)
{
    json_t *o = json_object();
    json_t *a = json_array();
    if (!o || !a) {
        json_decref(o);
        json_decref(a);
        return NULL;
    }
    for (uint32_t i = 0; i < c->nsigs && i < YC_MAX_VALIDATORS; i++) {
        json_t *s = json_object();
        json_object_set_new(s, "validator", json_integer((json_int_t)c->sigs[i].validator));
        json_object_set_new(s, "sig", yc_rjson_hex(c->sigs[i].sig, YC_SIG_LEN));
        json_array_append_new(a, s);
    }
    json_object_set_new(o, "view", yc_rjson_u64(c->view));
    json_object_set_new(o, "signatures", a);
    return o;
}

json_t *yc_rjson_proof(const struct yc_merkle_proof *p)
{
    json_t *o = json_object();
    json_t *a = json_array();
    if (!o || !a) {
        json_decref(o);
        json_decref(a);
        return NULL;
    }
    for (uint32_t i = 0; i < p->nsiblings && i < YC_MERKLE_MAX_DEPTH; i++)
        json_array_append_new(a, yc_rjson_hex(p->siblings[i], YC_HASH_LEN));
    json_object_set_new(o, "index", yc_rjson_u64(p->index));
    json_object_set_new(o, "count", yc_rjson_u64(p->count));
    json_object_set_new(o, "siblings", a);
    return o;
}

int yc_rjson_parse_u64(const char *s, size_t len, uint64_t *out)
{
    if (len == 0 || len > 20 || (len > 1 && s[0] == '0'))
        return YC_EBADFIELD;
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return YC_EBADFIELD;
        uint64_t d = (uint64_t)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return YC_EBADFIELD;
        v = v * 10 + d;
    }
    *out = v;
    return YC_OK;
}

void yc_rjson_one_line(char *s)
{
    for (; *s; s++) {
        if (*s == '\n' || *s == '\r')
            *s = ' ';
    }
}
