/*
 * present.c — how the wallet's text output shows people and money: an account as its
 * registered name beside a shortened address, an amount in yuan with its unit, a use
 * count against its limit; and the one way a read-only question prints the node's answer
 * (wallet_ask: as it is with --json, else a summary). --json output never goes through
 * the text helpers (full addresses, amounts in fen as decimal strings).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wallet.h"
#include "yc/bech32.h"
#include "yc/cliutil.h"

struct wallet_name {
    struct wallet_name *next;
    char addr[YC_ADDR_MAX];
    char who[WALLET_WHO_MAX];
};

/* Names looked up per run, at most: a listing of thousands of lines asks the node about
 * this many distinct accounts and shows the rest by address. */
#define NAMES_MAX 256

const char *wallet_who(struct wallet *w, const char *addr)
{
    size_t count = 0;
    for (struct wallet_name *e = w->names; e != NULL; e = e->next, count++)
        if (strcmp(e->addr, addr) == 0)
            return e->who;
    bool is_addr = strncmp(addr, "yc1", 3) == 0 && strlen(addr) < YC_ADDR_MAX;
    struct wallet_name *e = is_addr ? calloc(1, sizeof *e) : NULL;
    if (e == NULL)
        return addr; /* not an address, or out of memory: shown as it is */
    memcpy(e->addr, addr, strlen(addr) + 1);
    char shrt[YC_ADDR_SHORT_MAX];
    yc_addr_short(shrt, addr);
    snprintf(e->who, sizeof e->who, "%s", shrt);
    json_t *res = NULL;
    struct wallet_remote_err re;
    if (count < NAMES_MAX &&
        wallet_rpc(w, "account", json_pack("{s:s}", "address", addr), 0, &res, &re) == YC_EXIT_OK) {
        const char *name = json_string_value(json_object_get(res, "name"));
        if (name != NULL && name[0] != '\0') {
            char safe[YC_NAME_MAX + 1];
            yc_text_for_terminal(safe, sizeof safe, name);
            snprintf(e->who, sizeof e->who, "%s (%s)", safe, shrt);
        }
    }
    json_decref(res);
    e->next = w->names;
    w->names = e;
    return e->who;
}

void wallet_names_free(struct wallet *w)
{
    while (w->names != NULL) {
        struct wallet_name *e = w->names;
        w->names = e->next;
        free(e);
    }
}

const char *wallet_yuan(const char *fen, char out[WALLET_YUAN_MAX])
{
    uint64_t v;
    if (fen == NULL || yc_parse_u64(fen, &v) != YC_OK) {
        snprintf(out, WALLET_YUAN_MAX, "%s", fen != NULL ? fen : "?");
        return out;
    }
    char digits[24];
    int n = snprintf(digits, sizeof digits, "%llu", (unsigned long long)(v / 100));
    size_t k = 0;
    for (int i = 0; i < n; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            out[k++] = ',';
        out[k++] = digits[i];
    }
    snprintf(out + k, WALLET_YUAN_MAX - k, ".%02u yuan", (unsigned)(v % 100));
    return out;
}

const char *wallet_uses(const char *used, const char *max, char out[WALLET_USES_MAX])
{
    uint64_t m;
    bool unlimited = max == NULL || (yc_parse_u64(max, &m) == YC_OK && m == 0);
    snprintf(out, WALLET_USES_MAX, "%s of %s", used != NULL ? used : "0",
             unlimited ? "unlimited" : max);
    return out;
}

const char *wallet_str(json_t *o, const char *k, const char *dflt)
{
    const char *v = json_string_value(json_object_get(o, k));
    return v != NULL ? v : dflt;
}

int wallet_ask(struct wallet *w, const char *method, json_t *params,
               void (*text)(struct wallet *w, json_t *answer))
{
    json_t *res = NULL;
    int ex = wallet_rpc(w, method, params, 0, &res, NULL);
    if (ex != YC_EXIT_OK)
        return ex;
    if (w->json)
        wallet_print_json(res);
    else
        text(w, res);
    json_decref(res);
    return YC_EXIT_OK;
}
