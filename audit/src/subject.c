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
 * so consents come in id order and uses in ledger order. They are walked and rendered by
 * the read side (read/include/yc/list.h), as the node's `consents` and `usage` methods
 * walk and render them: the same fields, the same formats.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "yc/alloc.h"
#include "yc/bech32.h"
#include "yc/cliutil.h"
#include "yc/json.h"
#include "yc/list.h"
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
    json_t *o = yc_json_account(pub, &a, NULL);
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
               js(c, "granted_at"),
               json_is_null(json_object_get(c, "until_time")) ? "after 9999" : js(c, "until_time"),
               js(c, "uses"), strcmp(js(c, "max_uses"), "0") == 0 ? "unlimited" : js(c, "max_uses"),
               js(c, "fee_per_use"),
               json_is_null(json_object_get(c, "revoked_at")) ? "" : ", revoked");
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
        return audit_usage_errorf(SUBJECT_USAGE, "subject: give exactly one ADDRESS");
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
        json_array_append_new(fa, audit_attempt_json(a));
    }

    const struct yc_state_src *st = &L.st;
    json_t *doc = json_object();
    json_object_set_new(doc, "subject", yc_json_addr(pub));
    json_object_set_new(doc, "height", yc_json_u64(L.res.height));
    json_object_set_new(doc, "time", yc_json_time(L.res.time_ms));
    json_object_set_new(doc, "account", account_json(st, pub));
    uint8_t prefix[YC_KEY_MAX];
    json_t *consents = json_array(), *usage = json_array();
    json_object_set_new(doc, "consents", consents);
    json_object_set_new(doc, "usage", usage);
    int rc = yc_list_consents(st, prefix, yc_key_idx_consent_subject(prefix, pub), SIZE_MAX,
                              L.res.time_ms, consents);
    if (rc == YC_OK)
        rc = yc_list_usage(st, prefix, yc_key_idx_usage_subject(prefix, pub), SIZE_MAX, usage);
    json_object_set_new(doc, "failed_attempts", fa);
    static const char *const consent_keys[] = {"processor", NULL};
    static const char *const use_keys[] = {"user", NULL};
    static const char *const attempt_keys[] = {"sender", NULL};
    audit_add_names(json_object_get(doc, "consents"), st, consent_keys);
    audit_add_names(json_object_get(doc, "usage"), st, use_keys);
    audit_add_names(fa, st, attempt_keys);
    audit_ledger_close(&L);
    if (rc != YC_OK) {
        audit_errorf("%s", rc == YC_ENOMEM     ? "out of memory"
                           : rc == YC_ECORRUPT ? "an index entry names an object that is "
                                                 "missing or does not decode (a ledger rule "
                                                 "is broken)"
                                               : "reading the verified state failed");
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
