/*
 * json.c — the JSON forms of ledger values and of transactions, headers, certificates
 * and proofs (json.h).
 *
 * Field names follow the wire names of core/include/yc/tx.h and block.h, so a client
 * reading the JSON sees the same vocabulary as the canonical encoding. Optional body
 * fields that are absent on the wire are absent here too.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "yc/bech32.h"
#include "yc/hash.h"
#include "yc/json.h"
#include "yc/timefmt.h"
#include "yc/txschema.h"

json_t *yc_json_u64(uint64_t v)
{
    char s[24];
    snprintf(s, sizeof(s), "%" PRIu64, v);
    return json_string(s);
}

json_t *yc_json_u64_or_null(uint64_t v)
{
    return v != 0 ? yc_json_u64(v) : json_null();
}

json_t *yc_json_hex(const uint8_t *p, size_t len)
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

json_t *yc_json_addr(const uint8_t pub[YC_PUBKEY_LEN])
{
    char a[YC_ADDR_MAX];
    if (yc_addr_encode(a, pub) != YC_OK)
        return yc_json_hex(pub, YC_PUBKEY_LEN);
    return json_string(a);
}

json_t *yc_json_time(uint64_t ms)
{
    char s[32];
    if (ms > YC_JSON_TIME_LAST)
        return json_null();
    yc_time_rfc3339(s, ms);
    return json_string(s);
}

json_t *yc_json_slice(const struct yc_slice *s)
{
    if (s->len == 0)
        return json_string("");
    json_t *j = json_stringn(s->p, s->len);
    return j ? j : json_null();
}

json_t *yc_json_slice_or_null(const struct yc_slice *s)
{
    return s->len > 0 ? yc_json_slice(s) : json_null();
}

json_t *yc_json_id_or_null(bool has, const uint8_t id[YC_HASH_LEN])
{
    return has ? yc_json_hex(id, YC_HASH_LEN) : json_null();
}

json_t *yc_json_list(const struct yc_list *l)
{
    json_t *a = json_array();
    if (!a)
        return NULL;
    for (uint32_t i = 0; i < l->n && i < YC_LIST_MAX; i++)
        json_array_append_new(a, yc_json_slice(&l->items[i]));
    return a;
}

/* Whether the body shows field i of its schema (txschema.h, enum yc_field_show). */
static bool field_shown(const struct yc_tx *tx, uint32_t i, const struct yc_field *f)
{
    const uint8_t *v = (const uint8_t *)tx->b + f->off;

    if (f->required || f->show == YC_SHOW_ALWAYS)
        return true;
    if (f->show == YC_SHOW_PRESENT)
        return (tx->body_present >> i & 1u) != 0;
    if (f->count_off >= 0)
        return *(const uint32_t *)(const void *)((const uint8_t *)tx->b + f->count_off) > 0;
    switch ((enum yc_field_kind)f->kind) {
    case YC_FK_U64:
        return *(const uint64_t *)(const void *)v != 0;
    case YC_FK_BOOL:
        return *(const bool *)(const void *)v;
    case YC_FK_TEXT:
        return ((const struct yc_slice *)(const void *)v)->len > 0;
    case YC_FK_LIST:
        return ((const struct yc_list *)(const void *)v)->n > 0;
    default:
        return true;
    }
}

/* The JSON of one field's value: ids and digests in hex, keys as addresses, integers as
 * decimal strings. */
static json_t *field_json(const struct yc_tx *tx, const struct yc_field *f)
{
    const uint8_t *base = (const uint8_t *)tx->b;
    const void *v = base + f->off;
    uint32_t n = f->count_off >= 0 ? *(const uint32_t *)(const void *)(base + f->count_off) : 0;
    json_t *a;

    switch ((enum yc_field_kind)f->kind) {
    case YC_FK_TEXT:
        return yc_json_slice(v);
    case YC_FK_U64:
        return yc_json_u64(*(const uint64_t *)v);
    case YC_FK_BOOL:
        return json_boolean(*(const bool *)v);
    case YC_FK_ID:
    case YC_FK_DIGEST:
        return yc_json_hex(v, YC_HASH_LEN);
    case YC_FK_PUB:
        return yc_json_addr(v);
    case YC_FK_LIST:
        return yc_json_list(v);
    case YC_FK_IDS:
    case YC_FK_PUBS:
    case YC_FK_SHARES:
        break;
    }
    a = json_array();
    for (uint32_t i = 0; a && i < n && i < f->max; i++) {
        if (f->kind == YC_FK_IDS) {
            json_array_append_new(
                a, yc_json_hex((const uint8_t *)v + (size_t)i * YC_HASH_LEN, YC_HASH_LEN));
        } else if (f->kind == YC_FK_PUBS) {
            json_array_append_new(a, yc_json_addr((const uint8_t *)v + (size_t)i * YC_PUBKEY_LEN));
        } else {
            const struct yc_contributor *c = (const struct yc_contributor *)v + i;
            json_array_append_new(a, json_pack("{s:o*,s:o*}", "account", yc_json_addr(c->pub),
                                               "bps", yc_json_u64(c->bps)));
        }
    }
    return a;
}

json_t *yc_json_tx_body(const struct yc_tx *tx)
{
    const struct yc_tx_schema *s = yc_tx_schema(tx->type);
    json_t *o = json_object();

    for (uint32_t i = 0; o && s != NULL && i < s->nfields; i++) {
        const struct yc_field *f = &s->fields[i];
        if (!field_shown(tx, i, f))
            continue;
        json_object_set_new(o, f->key, field_json(tx, f));
        if (f->time) {
            char k[64];
            snprintf(k, sizeof k, "%s_time", f->key);
            json_object_set_new(
                o, k,
                yc_json_time(*(const uint64_t *)(const void *)((const uint8_t *)tx->b + f->off)));
        }
    }
    return o;
}

json_t *yc_json_tx(const struct yc_tx *tx)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    const char *type = yc_tx_type_name(tx->type);
    json_object_set_new(o, "id", yc_json_hex(tx->id, YC_HASH_LEN));
    json_object_set_new(o, "type", type ? json_string(type) : json_null());
    json_object_set_new(o, "chain_id", yc_json_slice(&tx->chain_id));
    json_object_set_new(o, "sender", yc_json_addr(tx->sender));
    json_object_set_new(o, "nonce", yc_json_u64(tx->nonce));
    json_object_set_new(o, "body", yc_json_tx_body(tx));
    json_object_set_new(o, "sig", yc_json_hex(tx->sig, YC_SIG_LEN));
    if (tx->ncosigs > 0) {
        json_t *a = json_array();
        for (uint32_t i = 0; a && i < tx->ncosigs && i < YC_TX_MAX_COSIGS; i++) {
            json_t *c = json_object();
            json_object_set_new(c, "signer", yc_json_addr(tx->cosigs[i].pub));
            json_object_set_new(c, "sig", yc_json_hex(tx->cosigs[i].sig, YC_SIG_LEN));
            json_array_append_new(a, c);
        }
        json_object_set_new(o, "cosigs", a);
    }
    return o;
}

json_t *yc_json_header(const struct yc_block_header *h)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    json_object_set_new(o, "chain_id", json_string(h->chain_id));
    json_object_set_new(o, "height", yc_json_u64(h->height));
    json_object_set_new(o, "view", yc_json_u64(h->view));
    json_object_set_new(o, "proposer", json_integer((json_int_t)h->proposer));
    json_object_set_new(o, "time", yc_json_time(h->time_ms));
    json_object_set_new(o, "time_ms", yc_json_u64(h->time_ms));
    json_object_set_new(o, "prev_hash", yc_json_hex(h->prev_hash, YC_HASH_LEN));
    json_object_set_new(o, "tx_root", yc_json_hex(h->tx_root, YC_HASH_LEN));
    json_object_set_new(o, "result_root", yc_json_hex(h->result_root, YC_HASH_LEN));
    json_object_set_new(o, "state_root", yc_json_hex(h->state_root, YC_HASH_LEN));
    json_object_set_new(o, "tx_count", yc_json_u64(h->tx_count));
    json_object_set_new(o, "version", json_integer((json_int_t)h->version));
    return o;
}

json_t *yc_json_cert(const struct yc_cert *c)
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
        json_object_set_new(s, "sig", yc_json_hex(c->sigs[i].sig, YC_SIG_LEN));
        json_array_append_new(a, s);
    }
    json_object_set_new(o, "view", yc_json_u64(c->view));
    json_object_set_new(o, "signatures", a);
    return o;
}

json_t *yc_json_proof(const struct yc_merkle_proof *p)
{
    json_t *o = json_object();
    json_t *a = json_array();
    if (!o || !a) {
        json_decref(o);
        json_decref(a);
        return NULL;
    }
    for (uint32_t i = 0; i < p->nsiblings && i < YC_MERKLE_MAX_DEPTH; i++)
        json_array_append_new(a, yc_json_hex(p->siblings[i], YC_HASH_LEN));
    json_object_set_new(o, "index", yc_json_u64(p->index));
    json_object_set_new(o, "count", yc_json_u64(p->count));
    json_object_set_new(o, "siblings", a);
    return o;
}
