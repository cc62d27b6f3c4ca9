/*
 * query.c — key management (new, list, address) and read-only questions to the node
 * (balance, consent list, usage).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wallet.h"
#include "yc/bech32.h"
#include "yc/timefmt.h"

int cmd_new(struct wallet *w, const struct wallet_args *a)
{
    const char *name = a->pos[0];
    if (!yc_keystore_name_valid(name)) {
        wallet_err("'%s' is not a valid key name: 1-%d letters, digits, '.', '_' or '-'", name,
                   YC_KEYSTORE_NAME_MAX);
        return YC_EXIT_USAGE;
    }
    bool fast = false;
    if (a->set[O_KDF]) {
        if (strcmp(a->val[O_KDF], "interactive") == 0) {
            fast = true;
        } else if (strcmp(a->val[O_KDF], "moderate") != 0) {
            wallet_err("--kdf: expected moderate or interactive");
            return YC_EXIT_USAGE;
        }
    }
    uint8_t pub[YC_PUBKEY_LEN];
    if (yc_keystore_pubkey(w->dir, name, pub) == YC_OK) {
        wallet_err("a key named '%s' already exists in %s", name, w->dir);
        return YC_EXIT_FAIL;
    }
    char *pass = NULL;
    size_t plen = 0;
    char prompt[128];
    snprintf(prompt, sizeof prompt, "New passphrase for key '%s': ", name);
    int rc = yc_pass_read(&w->pass, prompt, true, false, &pass, &plen);
    if (rc != YC_OK)
        return wallet_pass_failed(w, rc, true);
    rc = yc_keystore_create(w->dir, name, pass, plen, fast, pub);
    yc_pass_free(pass);
    if (rc != YC_OK) {
        if (rc == YC_EEXIST)
            wallet_err("a key named '%s' already exists in %s", name, w->dir);
        else
            wallet_err("cannot create key '%s' in %s: %s", name, w->dir, yc_strerror(rc));
        return rc == YC_EEXIST ? YC_EXIT_FAIL : yc_exit_code(rc);
    }
    char addr[YC_ADDR_MAX];
    if (yc_addr_encode(addr, pub) != YC_OK)
        return YC_EXIT_FAIL;
    if (w->json) {
        json_t *o = json_pack("{s:s, s:s}", "name", name, "address", addr);
        wallet_print_json(o);
        json_decref(o);
    } else {
        puts(addr);
        fprintf(stderr, "created key '%s' in %s; keep its passphrase: it cannot be recovered\n",
                name, w->dir);
    }
    return YC_EXIT_OK;
}

int cmd_list(struct wallet *w, const struct wallet_args *a)
{
    (void)a;
    char **names = NULL;
    size_t n = 0;
    int rc = yc_keystore_list(w->dir, &names, &n);
    if (rc != YC_OK) {
        wallet_err("cannot read wallet directory %s: %s", w->dir, yc_strerror(rc));
        return YC_EXIT_IOERR;
    }
    json_t *keys = json_array();
    for (size_t i = 0; i < n; i++) {
        uint8_t pub[YC_PUBKEY_LEN];
        char addr[YC_ADDR_MAX] = "";
        rc = yc_keystore_pubkey(w->dir, names[i], pub);
        if (rc != YC_OK || yc_addr_encode(addr, pub) != YC_OK) {
            wallet_err("key '%s' is unreadable: %s", names[i], yc_strerror(rc));
            continue;
        }
        if (w->json)
            json_array_append_new(keys, json_pack("{s:s, s:s}", "name", names[i], "address", addr));
        else
            printf("%-20s %s\n", names[i], addr);
    }
    if (w->json) {
        json_t *o = json_pack("{s:o}", "keys", keys);
        wallet_print_json(o);
        json_decref(o);
    } else {
        json_decref(keys);
        if (n == 0)
            wallet_info(w, "no keys in %s (create one with `yuchain-wallet new NAME`)", w->dir);
    }
    yc_keystore_free_list(names, n);
    return YC_EXIT_OK;
}

int cmd_address(struct wallet *w, const struct wallet_args *a)
{
    char name[YC_KEYSTORE_NAME_MAX + 1];
    uint8_t pub[YC_PUBKEY_LEN];
    if (a->npos == 1) {
        struct wallet w2 = *w;
        w2.from = a->pos[0];
        int ex = wallet_pick_key(&w2, name, pub);
        if (ex != YC_EXIT_OK)
            return ex;
    } else {
        int ex = wallet_pick_key(w, name, pub);
        if (ex != YC_EXIT_OK)
            return ex;
    }
    char addr[YC_ADDR_MAX];
    if (yc_addr_encode(addr, pub) != YC_OK)
        return YC_EXIT_DATAERR;
    if (w->json) {
        json_t *o = json_pack("{s:s, s:s}", "name", name, "address", addr);
        wallet_print_json(o);
        json_decref(o);
    } else {
        puts(addr);
    }
    return YC_EXIT_OK;
}

int wallet_query_addr(const struct wallet *w, const char *given, const char *what,
                      char addr[YC_ADDR_MAX])
{
    uint8_t pub[YC_PUBKEY_LEN];
    if (given != NULL) {
        int ex = wallet_parse_addr(given, what, pub);
        if (ex != YC_EXIT_OK)
            return ex;
    } else {
        char name[YC_KEYSTORE_NAME_MAX + 1];
        int ex = wallet_pick_key(w, name, pub);
        if (ex != YC_EXIT_OK)
            return ex;
    }
    return yc_addr_encode(addr, pub) == YC_OK ? YC_EXIT_OK : YC_EXIT_DATAERR;
}

int cmd_balance(struct wallet *w, const struct wallet_args *a)
{
    char addr[YC_ADDR_MAX];
    int ex = wallet_query_addr(w, a->npos == 1 ? a->pos[0] : NULL, "address", addr);
    if (ex != YC_EXIT_OK)
        return ex;
    json_t *res = NULL;
    struct wallet_remote_err re;
    ex = wallet_rpc(w, "account", json_pack("{s:s}", "address", addr), 0, &res, &re);
    if (ex == YC_EXIT_FAIL && strcmp(re.code, "not_found") == 0) {
        /* an unregistered account simply holds nothing */
        res = json_pack("{s:s, s:b, s:s, s:s}", "address", addr, "registered", 0, "balance", "0",
                        "nonce", "0");
        wallet_info(w, "%s is not registered", addr);
        ex = YC_EXIT_OK;
    } else if (ex == YC_EXIT_FAIL) {
        wallet_err("the node refused account: %s (%s)", re.message, re.code);
        return ex;
    } else if (ex != YC_EXIT_OK) {
        return ex;
    }
    const char *bal = json_string_value(json_object_get(res, "balance"));
    if (w->json) {
        wallet_print_json(res);
    } else if (bal != NULL) {
        char yuan[WALLET_YUAN_MAX];
        puts(wallet_yuan(bal, yuan));
    } else {
        wallet_err("the node's account answer has no balance");
        ex = YC_EXIT_DATAERR;
    }
    json_decref(res);
    return ex;
}

/* Formats a decimal-string ms member as RFC 3339, or "-" when absent/zero. */
static void fmt_time(json_t *o, const char *key, char out[YC_TIME_STR_MAX])
{
    const char *s = json_string_value(json_object_get(o, key));
    uint64_t ms;
    if (s == NULL || yc_parse_u64(s, &ms) != YC_OK || ms == 0) {
        strcpy(out, "-");
        return;
    }
    yc_time_rfc3339(out, ms);
}

/* Joins a JSON array of strings with commas into out. */
static void join(json_t *arr, char *out, size_t cap)
{
    size_t i, n = 0;
    json_t *v;
    out[0] = '\0';
    json_array_foreach(arr, i, v)
    {
        const char *s = json_string_value(v);
        if (s == NULL)
            continue;
        int k = snprintf(out + n, cap - n, "%s%s", n > 0 ? "," : "", s);
        if (k < 0 || (size_t)k >= cap - n)
            break;
        n += (size_t)k;
    }
}

int cmd_consent_list(struct wallet *w, const struct wallet_args *a)
{
    if (a->set[O_SUBJECT] && a->set[O_PROCESSOR]) {
        wallet_err("give --subject or --processor, not both");
        return YC_EXIT_USAGE;
    }
    bool by_processor = a->set[O_PROCESSOR];
    char addr[YC_ADDR_MAX];
    int ex = wallet_query_addr(w,
                               by_processor        ? a->val[O_PROCESSOR]
                               : a->set[O_SUBJECT] ? a->val[O_SUBJECT]
                                                   : NULL,
                               by_processor ? "--processor" : "--subject", addr);
    if (ex != YC_EXIT_OK)
        return ex;
    json_t *res = NULL;
    ex = wallet_rpc(w, "consents", json_pack("{s:s}", by_processor ? "processor" : "subject", addr),
                    0, &res, NULL);
    if (ex != YC_EXIT_OK)
        return ex;
    if (w->json) {
        wallet_print_json(res);
        json_decref(res);
        return YC_EXIT_OK;
    }
    json_t *list = json_object_get(res, "consents");
    size_t i;
    json_t *c;
    json_array_foreach(list, i, c)
    {
        char until[YC_TIME_STR_MAX], cats[512], purps[512], ops[256], fee[WALLET_YUAN_MAX];
        char uses[WALLET_USES_MAX];
        fmt_time(c, "until", until);
        join(json_object_get(c, "categories"), cats, sizeof cats);
        join(json_object_get(c, "purposes"), purps, sizeof purps);
        join(json_object_get(c, "operations"), ops, sizeof ops);
        const char *party = wallet_str(c, by_processor ? "subject" : "processor", "?");
        printf("%s %-9s %s %s=%s categories=%s purposes=%s operations=%s until=%s uses=%s "
               "fee=%s per use\n",
               wallet_str(c, "id", "?"), wallet_str(c, "status", "?"), by_processor ? "from" : "to",
               by_processor ? "subject" : "processor", wallet_who(w, party), cats, purps, ops,
               until, wallet_uses(wallet_str(c, "uses", "0"), wallet_str(c, "max_uses", "0"), uses),
               wallet_yuan(wallet_str(c, "fee_per_use", "0"), fee));
    }
    if (json_array_size(list) == 0)
        wallet_info(w, "no consents");
    json_decref(res);
    return YC_EXIT_OK;
}

int cmd_usage(struct wallet *w, const struct wallet_args *a)
{
    if (a->set[O_ASSET])
        return cmd_usage_asset(w, a); /* query_asset.c */
    char addr[YC_ADDR_MAX];
    int ex = wallet_query_addr(w, a->set[O_SUBJECT] ? a->val[O_SUBJECT] : NULL, "--subject", addr);
    if (ex != YC_EXIT_OK)
        return ex;
    json_t *res = NULL;
    ex = wallet_rpc(w, "usage", json_pack("{s:s}", "subject", addr), 0, &res, NULL);
    if (ex != YC_EXIT_OK)
        return ex;
    if (w->json) {
        wallet_print_json(res);
        json_decref(res);
        return YC_EXIT_OK;
    }
    json_t *list = json_object_get(res, "usage");
    size_t i;
    json_t *u;
    json_array_foreach(list, i, u)
    {
        const char *t = wallet_str(u, "time", NULL);
        char tbuf[YC_TIME_STR_MAX];
        if (t == NULL) {
            fmt_time(u, "time_ms", tbuf);
            t = tbuf;
        }
        char fee[WALLET_YUAN_MAX];
        printf("%s user=%s purpose=%s operation=%s category=%s %s=%s fee=%s height=%s\n", t,
               wallet_who(w, wallet_str(u, "user", "?")), wallet_str(u, "purpose", "?"),
               wallet_str(u, "operation", "?"), wallet_str(u, "category", "-"),
               wallet_str(u, "authority_kind", "authority"), wallet_str(u, "authority", "?"),
               wallet_yuan(wallet_str(u, "fee", "0"), fee), wallet_str(u, "height", "?"));
    }
    if (json_array_size(list) == 0)
        wallet_info(w, "no recorded use of data of %s", addr);
    json_decref(res);
    return YC_EXIT_OK;
}
