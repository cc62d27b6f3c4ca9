/*
 * query_asset.c — read-only questions about assets and carries: `asset show`,
 * `asset list`, `asset provenance`, `carry list` and `usage --asset`. With --json the
 * node's answer is printed as it is; otherwise a short summary per line (wallet_ask).
 */
#include <stdio.h>
#include <string.h>

#include "wallet.h"
#include "yc/bech32.h"

/* The hex id of positional 0, checked (exit code). */
static int id_arg(const struct wallet_args *a, const char *what, char hex[2 * YC_HASH_LEN + 1])
{
    uint8_t id[YC_HASH_LEN];
    int ex = wallet_parse_hash(a->pos[0], what, id);
    if (ex == YC_EXIT_OK)
        yc_hex(hex, id, YC_HASH_LEN);
    return ex;
}

static void show_asset(struct wallet *w, json_t *res)
{
    json_t *r = json_object_get(res, "rights");
    printf("%s \"%s\"\n  status %s, certificate %s, grade %s, source %s, version %s\n",
           wallet_str(res, "id", "?"), wallet_str(res, "title", "?"),
           wallet_str(res, "status", "?"), wallet_str(res, "certificate", "-"),
           wallet_str(res, "grade", "?"), wallet_str(res, "source", "?"),
           wallet_str(res, "version", "?"));
    static const char *const rights[] = {"hold", "process", "operate"};
    for (size_t k = 0; k < 3; k++)
        printf("  %-7s %s\n", rights[k],
               wallet_who(w, wallet_str(json_object_get(r, rights[k]), "holder", "?")));
    printf("  %zu objection(s), %zu license(s), %zu version(s), %zu derived product(s)\n",
           json_array_size(json_object_get(res, "objections")),
           json_array_size(json_object_get(res, "licenses")),
           json_array_size(json_object_get(res, "versions")),
           json_array_size(json_object_get(res, "children")));
}

int cmd_asset_show(struct wallet *w, const struct wallet_args *a)
{
    char hex[2 * YC_HASH_LEN + 1];
    int ex = id_arg(a, "asset id", hex);
    if (ex != YC_EXIT_OK)
        return ex;
    return wallet_ask(w, "asset", json_pack("{s:s}", "id", hex), show_asset);
}

static void show_assets(struct wallet *w, json_t *res)
{
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(res, "assets"), i, x)
    {
        json_t *r = json_object_get(x, "rights");
        printf("%s %s %s", wallet_str(x, "id", "?"), wallet_str(x, "status", "?"),
               wallet_str(x, "grade", "?"));
        for (size_t k = 0; k < json_array_size(r); k++)
            printf("%s%s", k == 0 ? " rights=" : ",", json_string_value(json_array_get(r, k)));
        printf(" \"%s\"\n", wallet_str(x, "title", ""));
    }
    if (json_array_size(json_object_get(res, "assets")) == 0)
        wallet_info(w, "%s holds no asset rights", wallet_str(res, "holder", "?"));
}

int cmd_asset_list(struct wallet *w, const struct wallet_args *a)
{
    char addr[YC_ADDR_MAX];
    int ex = wallet_query_addr(w, a->set[O_HOLDER] ? a->val[O_HOLDER] : NULL, "--holder", addr);
    if (ex != YC_EXIT_OK)
        return ex;
    return wallet_ask(w, "assets", json_pack("{s:s}", "holder", addr), show_assets);
}

int cmd_asset_provenance(struct wallet *w, const struct wallet_args *a)
{
    char hex[2 * YC_HASH_LEN + 1];
    const char *fmt = a->set[O_FORMAT] ? a->val[O_FORMAT] : "json";
    json_t *res = NULL;
    if (strcmp(fmt, "json") != 0 && strcmp(fmt, "dot") != 0 && strcmp(fmt, "prov-json") != 0) {
        wallet_err("--format: expected json, dot or prov-json");
        return YC_EXIT_USAGE;
    }
    int ex = id_arg(a, "asset id", hex);
    if (ex == YC_EXIT_OK)
        ex = wallet_rpc(w, "provenance", json_pack("{s:s,s:s}", "id", hex, "format", fmt), 0, &res,
                        NULL);
    if (ex != YC_EXIT_OK)
        return ex;
    if (strcmp(fmt, "dot") == 0 && !w->json)
        fputs(wallet_str(res, "dot", ""), stdout);
    else
        wallet_print_json(res);
    json_decref(res);
    return YC_EXIT_OK;
}

static void show_carries(struct wallet *w, json_t *res)
{
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(res, "carries"), i, x)
        printf("%s %s holder=%s recipient=%s requested_at=%s\n", wallet_str(x, "id", "?"),
               wallet_str(x, "status", "?"), wallet_who(w, wallet_str(x, "holder", "?")),
               wallet_who(w, wallet_str(x, "recipient", "?")), wallet_str(x, "requested_at", "?"));
    if (json_array_size(json_object_get(res, "carries")) == 0)
        wallet_info(w, "no carries");
}

int cmd_carry_list(struct wallet *w, const struct wallet_args *a)
{
    char addr[YC_ADDR_MAX];
    bool by_holder = a->set[O_HOLDER];
    if (by_holder && a->set[O_SUBJECT]) {
        wallet_err("give either --subject or --holder");
        return YC_EXIT_USAGE;
    }
    int ex = wallet_query_addr(w,
                               by_holder           ? a->val[O_HOLDER]
                               : a->set[O_SUBJECT] ? a->val[O_SUBJECT]
                                                   : NULL,
                               by_holder ? "--holder" : "--subject", addr);
    if (ex != YC_EXIT_OK)
        return ex;
    return wallet_ask(w, "carries", json_pack("{s:s}", by_holder ? "holder" : "subject", addr),
                      show_carries);
}

static void show_uses(struct wallet *w, json_t *res)
{
    size_t i;
    json_t *u;
    char fee[WALLET_YUAN_MAX];
    json_array_foreach(json_object_get(res, "usage"), i, u)
        printf("%s user=%s purpose=%s operation=%s license=%s fee=%s height=%s\n",
               wallet_str(u, "time", "?"), wallet_who(w, wallet_str(u, "user", "?")),
               wallet_str(u, "purpose", "?"), wallet_str(u, "operation", "?"),
               wallet_str(u, "authority", "?"), wallet_yuan(wallet_str(u, "fee", "0"), fee),
               wallet_str(u, "height", "?"));
    if (json_array_size(json_object_get(res, "usage")) == 0)
        wallet_info(w, "no recorded use of this asset (or no such asset: see `asset show ID`)");
}

int cmd_usage_asset(struct wallet *w, const struct wallet_args *a)
{
    uint8_t id[YC_HASH_LEN];
    char hex[2 * YC_HASH_LEN + 1];
    if (a->set[O_SUBJECT]) {
        wallet_err("give either --subject or --asset");
        return YC_EXIT_USAGE;
    }
    int ex = wallet_parse_hash(a->val[O_ASSET], "--asset", id);
    if (ex != YC_EXIT_OK)
        return ex;
    yc_hex(hex, id, YC_HASH_LEN);
    return wallet_ask(w, "usage", json_pack("{s:s}", "asset", hex), show_uses);
}
