/*
 * subject.c — `yuchain-audit subject ADDRESS`: a data subject's consents (with their
 * status at the last verified block's time), every recorded use of their data, and every
 * failed attempt to use it (a usage.record under one of their consents that the ledger
 * recorded as failed: revoked, expired, out of scope, no uses left…), read from the
 * audit's own replay, never from the node's.
 *
 * The ledger keeps the indexes the listing needs (objects.h):
 *   idx/consent_subject/<pub33><id32>                  → ""
 *   idx/usage_subject/<pub33><u64be height><u32be idx> → usage id
 * so consents come in id order and uses in ledger order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "yc/alloc.h"
#include "yc/bech32.h"
#include "yc/cliutil.h"
#include "yc/objects.h"

#include "cli.h"
#include "names.h"

static const char SUBJECT_USAGE[] =
    "usage: yuchain-audit subject ADDRESS (--home DIR | --node URL | --db DIR)\n"
    "                             [--genesis FILE] [--json]\n"
    "\n"
    "Replays and verifies the whole ledger (as `replay` does), then lists, from the\n"
    "replayed state, the consents that the data subject ADDRESS (yc1…) granted, with\n"
    "their status at the last block's time, every recorded use of their data: when, by\n"
    "whom, for what purpose and operation, under which consent, and the fee paid; and\n"
    "every failed attempt to use it under one of their consents (refused by the ledger:\n"
    "revoked, expired, outside its scope, no uses left…), with the code and the reason.\n"
    "\n"
    "  --home DIR, --node URL, --genesis FILE   as for `replay`\n"
    "  --genesis-hash HEX, --require-anchor     as for `replay` (unanchored: a warning)\n"
    "  --db DIR  answer from the audit index kept by `sync` instead of replaying (the\n"
    "            same answer at its height; --genesis/--genesis-hash must match its anchor)\n"
    "  --json    print one JSON object {\"subject\",\"height\",\"time\",\"account\",\n"
    "            \"consents\",\"usage\",\"failed_attempts\"}\n"
    "  --quiet   no progress display\n"
    "\n"
    "Exit status: 0 listed, 1 the ledger failed verification, 2 usage, 65 bad address,\n"
    "69 node unreachable, 74 I/O error, 78 configuration error.\n";

static json_t *slice_json(const struct yc_slice *s)
{
    return json_stringn(s->p != NULL ? s->p : "", s->len);
}

static json_t *list_json(const struct yc_list *l)
{
    json_t *a = json_array();
    for (uint32_t i = 0; i < l->n; i++)
        json_array_append_new(a, slice_json(&l->items[i]));
    return a;
}

static json_t *u64_json(uint64_t v)
{
    char b[24];
    snprintf(b, sizeof b, "%llu", (unsigned long long)v);
    return json_string(b);
}

static json_t *hex_json(const uint8_t *p, size_t n)
{
    char h[2 * YC_HASH_LEN + 1];
    yc_hex(h, p, n);
    return json_string(h);
}

static json_t *addr_json(const uint8_t pub[YC_PUBKEY_LEN])
{
    char a[YC_ADDR_MAX];
    if (yc_addr_encode(a, pub) != YC_OK)
        return hex_json(pub, YC_PUBKEY_LEN);
    return json_string(a);
}

static json_t *time_json(uint64_t ms)
{
    char t[YC_TIME_STR_MAX];
    yc_time_format(t, ms);
    return json_string(t);
}

struct listing {
    const struct yc_state_src *st;
    size_t plen;     /* length of the index prefix */
    uint64_t now_ms; /* block time for consent status */
    json_t *items;
    int err;
};

static int consent_cb(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen)
{
    struct listing *l = ctx;
    (void)val;
    (void)vlen;
    if (klen != l->plen + YC_HASH_LEN)
        return 0;
    const uint8_t *id = key + l->plen;
    uint8_t ck[YC_KEY_MAX];
    size_t cl = yc_key_consent(ck, id);
    uint8_t *cv = NULL;
    size_t cvl;
    struct yc_consent c;
    if (l->st->get(l->st->ctx, ck, cl, &cv, &cvl) != YC_OK ||
        yc_consent_decode(&c, cv, cvl) != YC_OK) {
        yc_free(cv);
        l->err = YC_ECORRUPT;
        return 1;
    }
    json_t *o = json_object();
    json_object_set_new(o, "id", hex_json(id, YC_HASH_LEN));
    json_object_set_new(o, "subject", addr_json(c.subject));
    json_object_set_new(o, "processor", addr_json(c.processor));
    json_object_set_new(o, "categories", list_json(&c.categories));
    json_object_set_new(o, "purposes", list_json(&c.purposes));
    json_object_set_new(o, "operations", list_json(&c.operations));
    json_object_set_new(o, "jurisdiction", slice_json(&c.jurisdiction));
    json_object_set_new(o, "not_before", time_json(c.not_before));
    json_object_set_new(o, "until", time_json(c.until));
    json_object_set_new(o, "fee_per_use", u64_json(c.fee_per_use));
    json_object_set_new(o, "max_uses", u64_json(c.max_uses));
    json_object_set_new(o, "uses", u64_json(c.uses));
    json_object_set_new(o, "retention_days", u64_json(c.retention_days));
    json_object_set_new(o, "onward_transfer", json_boolean(c.onward_transfer));
    json_object_set_new(o, "granted_at", u64_json(c.granted_at));
    json_object_set_new(o, "revoked_at", u64_json(c.revoked_at));
    json_object_set_new(o, "status", json_string(yc_consent_status(&c, l->now_ms)));
    json_array_append_new(l->items, o);
    yc_free(cv);
    return 0;
}

static int usage_cb(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen)
{
    struct listing *l = ctx;
    (void)key;
    (void)klen;
    if (vlen != YC_HASH_LEN)
        return 0;
    uint8_t uk[YC_KEY_MAX];
    size_t ul = yc_key_usage(uk, val);
    uint8_t *uv = NULL;
    size_t uvl;
    struct yc_usage u;
    if (l->st->get(l->st->ctx, uk, ul, &uv, &uvl) != YC_OK ||
        yc_usage_decode(&u, uv, uvl) != YC_OK) {
        yc_free(uv);
        l->err = YC_ECORRUPT;
        return 1;
    }
    json_t *o = json_object();
    json_object_set_new(o, "id", hex_json(val, YC_HASH_LEN));
    json_object_set_new(o, "authority", hex_json(u.authority, YC_HASH_LEN));
    json_object_set_new(o, "authority_kind", slice_json(&u.authority_kind));
    json_object_set_new(o, "user", addr_json(u.user));
    json_object_set_new(o, "subject", addr_json(u.subject));
    json_object_set_new(o, "purpose", slice_json(&u.purpose));
    json_object_set_new(o, "operation", slice_json(&u.operation));
    json_object_set_new(o, "category", slice_json(&u.category));
    json_object_set_new(o, "fee", u64_json(u.fee));
    json_object_set_new(o, "height", u64_json(u.height));
    json_object_set_new(o, "time", time_json(u.time_ms));
    json_object_set_new(o, "input", u.has_input ? hex_json(u.input, YC_HASH_LEN) : json_null());
    json_object_set_new(o, "output", u.has_output ? hex_json(u.output, YC_HASH_LEN) : json_null());
    json_array_append_new(l->items, o);
    yc_free(uv);
    return 0;
}

static json_t *account_json(const struct yc_state_src *st, const uint8_t pub[YC_PUBKEY_LEN])
{
    uint8_t k[YC_KEY_MAX];
    size_t kl = yc_key_account(k, pub);
    uint8_t *v = NULL;
    size_t vl;
    struct yc_account a;
    if (st->get(st->ctx, k, kl, &v, &vl) != YC_OK || yc_account_decode(&a, v, vl) != YC_OK) {
        yc_free(v);
        return json_null();
    }
    json_t *o = json_object();
    const char *role = yc_role_name(a.role);
    json_object_set_new(o, "role", json_string(role != NULL ? role : "?"));
    json_object_set_new(o, "name", slice_json(&a.name));
    json_object_set_new(o, "jurisdiction", slice_json(&a.jurisdiction));
    json_object_set_new(o, "balance", u64_json(a.balance));
    json_object_set_new(o, "registered_at", u64_json(a.registered_at));
    yc_free(v);
    return o;
}

static const char *js(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s != NULL ? s : "";
}

static void join_list(char *out, size_t n, json_t *arr)
{
    size_t o = 0;
    out[0] = '\0';
    for (size_t i = 0; i < json_array_size(arr) && o + 1 < n; i++)
        o += (size_t)snprintf(out + o, n - o, "%s%s", i ? "," : "",
                              json_string_value(json_array_get(arr, i)));
}

static void print_text(json_t *doc)
{
    json_t *acct = json_object_get(doc, "account");
    printf("Data subject %s\n", js(doc, "subject"));
    if (json_is_object(acct))
        printf("  account         %s, %s, %s\n", js(acct, "name"), js(acct, "role"),
               js(acct, "jurisdiction"));
    else
        printf("  account         not registered\n");
    printf("  as of           height %s, %s (verified from the genesis)\n", js(doc, "height"),
           js(doc, "time"));
    json_t *cs = json_object_get(doc, "consents");
    printf("\nConsents granted (%zu)\n", json_array_size(cs));
    for (size_t i = 0; i < json_array_size(cs); i++) {
        json_t *c = json_array_get(cs, i);
        char cat[300], pur[300], ops[300];
        join_list(cat, sizeof cat, json_object_get(c, "categories"));
        join_list(pur, sizeof pur, json_object_get(c, "purposes"));
        join_list(ops, sizeof ops, json_object_get(c, "operations"));
        char who[AUDIT_WHO_MAX];
        printf("  %s  %s\n", js(c, "id"), js(c, "status"));
        printf("      to %s, categories %s, purposes %s, operations %s\n",
               audit_who(c, "processor", who), cat, pur, ops);
        printf("      granted at height %s, valid until %s, uses %s (max %s), fee %s fen/use%s\n",
               js(c, "granted_at"), js(c, "until"), js(c, "uses"),
               strcmp(js(c, "max_uses"), "0") == 0 ? "unlimited" : js(c, "max_uses"),
               js(c, "fee_per_use"), strcmp(js(c, "revoked_at"), "0") == 0 ? "" : ", revoked");
    }
    json_t *us = json_object_get(doc, "usage");
    printf("\nUses of their data (%zu)\n", json_array_size(us));
    for (size_t i = 0; i < json_array_size(us); i++) {
        json_t *u = json_array_get(us, i);
        char who[AUDIT_WHO_MAX];
        printf("  height %s  %s  by %s\n", js(u, "height"), js(u, "time"),
               audit_who(u, "user", who));
        printf("      purpose %s, operation %s%s%s, under %s %s, fee %s fen\n", js(u, "purpose"),
               js(u, "operation"), *js(u, "category") ? ", category " : "", js(u, "category"),
               js(u, "authority_kind"), js(u, "authority"), js(u, "fee"));
    }
    json_t *fa = json_object_get(doc, "failed_attempts");
    printf("\nFailed attempts to use their data, refused by the ledger (%zu)\n",
           json_array_size(fa));
    for (size_t i = 0; i < json_array_size(fa); i++) {
        json_t *u = json_array_get(fa, i);
        char who[AUDIT_WHO_MAX];
        printf("  height %s  %s  by %s: %s (%s)\n", js(u, "height"), js(u, "time"),
               audit_who(u, "sender", who), js(u, "code"), js(u, "message"));
        printf("      purpose %s, operation %s%s%s, under consent %s\n", js(u, "purpose"),
               js(u, "operation"), *js(u, "category") ? ", category " : "", js(u, "category"),
               js(u, "authority"));
        if (*js(u, "why"))
            printf("      %s\n", js(u, "why"));
    }
}

int audit_cmd_subject(int argc, char **argv)
{
    struct audit_common c;
    bool help;
    int ex = audit_parse_common(argc, argv, SUBJECT_USAGE, &c, &help);
    if (ex != 0 || help) {
        if (help)
            fputs(SUBJECT_USAGE, stdout);
        return ex;
    }
    if (argc - optind != 1) {
        audit_errorf("subject: give exactly one ADDRESS");
        fprintf(stderr, "usage: yuchain-audit subject ADDRESS (--home DIR | --node URL | --db "
                        "DIR) [--genesis FILE] [--json]\n");
        return YC_EXIT_USAGE;
    }
    const char *address = argv[optind];
    uint8_t pub[YC_PUBKEY_LEN];
    if (yc_addr_decode(pub, address) != YC_OK) {
        audit_errorf("%s is not a valid yc1 address (bech32m); check it for typos", address);
        return YC_EXIT_DATAERR;
    }

    struct audit_ledger L = {.at = {.all = true}};
    ex = audit_ledger_open(&c, AUDIT_WANT_ATTEMPTS, &L);
    if (ex != 0)
        return ex;
    if (!L.res.ok) {
        audit_json_refused(&c, &L.res);
        if (L.res.fail_height > 0)
            audit_errorf("the ledger fails verification at height %llu: %s: %s; nothing "
                         "from it can be trusted",
                         (unsigned long long)L.res.fail_height, audit_reason_name(L.res.reason),
                         L.res.detail);
        else
            audit_errorf("the ledger fails verification: %s: %s", audit_reason_name(L.res.reason),
                         L.res.detail);
        audit_ledger_close(&L);
        return YC_EXIT_FAIL;
    }
    /* this subject's: uses under their consents that the ledger recorded as failed */
    json_t *fa = json_array();
    for (size_t i = 0; i < L.at.n; i++) {
        const struct audit_attempt *a = &L.at.a[i];
        if (a->type != YC_TX_USAGE_RECORD || !a->has_subject ||
            memcmp(a->subject, pub, YC_PUBKEY_LEN) != 0)
            continue;
        json_t *o = audit_attempt_json(a);
        json_object_set_new(o, "height", u64_json(a->height)); /* as "usage" has them */
        json_object_set_new(o, "index", u64_json(a->index));
        json_array_append_new(fa, o);
    }

    const struct yc_state_src *st = &L.st;
    json_t *doc = json_object();
    json_object_set_new(doc, "subject", addr_json(pub));
    json_object_set_new(doc, "height", u64_json(L.res.height));
    json_object_set_new(doc, "time", time_json(L.res.time_ms));
    json_object_set_new(doc, "account", account_json(st, pub));
    uint8_t prefix[YC_KEY_MAX];
    struct listing l = {.st = st, .now_ms = L.res.time_ms, .items = json_array()};
    l.plen = yc_key_idx_consent_subject(prefix, pub);
    int rc = st->scan(st->ctx, prefix, l.plen, consent_cb, &l);
    json_object_set_new(doc, "consents", l.items);
    if (rc == YC_OK && l.err == YC_OK) {
        l.items = json_array();
        l.plen = yc_key_idx_usage_subject(prefix, pub);
        rc = st->scan(st->ctx, prefix, l.plen, usage_cb, &l);
        json_object_set_new(doc, "usage", l.items);
    }
    json_object_set_new(doc, "failed_attempts", fa);
    static const char *const consent_keys[] = {"processor", NULL};
    static const char *const use_keys[] = {"user", NULL};
    static const char *const attempt_keys[] = {"sender", NULL};
    audit_add_names(json_object_get(doc, "consents"), st, consent_keys);
    audit_add_names(json_object_get(doc, "usage"), st, use_keys);
    audit_add_names(fa, st, attempt_keys);
    audit_ledger_close(&L);
    if (rc != YC_OK || l.err != YC_OK) {
        audit_errorf("%s", rc == YC_ENOMEM ? "out of memory"
                           : rc != YC_OK   ? "reading the verified state failed"
                                           : "an index entry names an object that does not "
                                             "decode (a ledger rule is broken)");
        json_decref(doc);
        return YC_EXIT_FAIL;
    }
    if (c.json) {
        char *text = json_dumps(doc, JSON_COMPACT);
        if (text != NULL)
            printf("%s\n", text);
        free(text);
    } else {
        print_text(doc);
    }
    json_decref(doc);
    return YC_EXIT_OK;
}
