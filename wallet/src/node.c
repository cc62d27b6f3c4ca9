/*
 * node.c — what the wallet asks the node (docs/rpc.md): chain id, next nonce, submission
 * and the outcome report of a transaction.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wallet.h"
#include "yc/bech32.h"

int wallet_rpc(const struct wallet *w, const char *method, json_t *params, int timeout_ms,
               json_t **result, struct wallet_remote_err *remote)
{
    char code[64], msg[512];
    int rc = yc_rpc_call_opts(w->node, &w->http, method, params, timeout_ms, result, code,
                              sizeof code, msg, sizeof msg);
    if (rc == YC_OK)
        return YC_EXIT_OK;
    if (rc == YC_EREMOTE) {
        if (remote != NULL) {
            snprintf(remote->code, sizeof remote->code, "%s", code);
            snprintf(remote->message, sizeof remote->message, "%s", msg);
        } else {
            wallet_err("the node refused %s: %s (%s)", method, msg, code);
        }
        return YC_EXIT_FAIL;
    }
    if (rc == YC_EUNREACHABLE) {
        wallet_err("node unreachable at %s: is yuchaind running? (give --node URL or set "
                   "YUCHAIN_NODE) [%s]",
                   w->node, msg);
        return YC_EXIT_UNAVAILABLE;
    }
    if (rc == YC_ECONFIG) { /* a wrong URL or path, or a certificate problem */
        wallet_err("%s", msg[0] != '\0' ? msg : "bad node URL");
        return YC_EXIT_CONFIG;
    }
    if (rc == YC_ENOTAUTH) {
        wallet_err("%s", msg);
        return YC_EXIT_NOPERM;
    }
    wallet_err("%s at %s: %s", method, w->node, msg[0] != '\0' ? msg : yc_strerror(rc));
    return rc == YC_ENOMEM ? YC_EXIT_FAIL : YC_EXIT_DATAERR;
}

int wallet_chain_id(const struct wallet *w, char *out)
{
    json_t *res = NULL;
    int ex = wallet_rpc(w, "status", NULL, 0, &res, NULL);
    if (ex != YC_EXIT_OK)
        return ex;
    const char *id = json_string_value(json_object_get(res, "chain_id"));
    if (id == NULL || id[0] == '\0' || strlen(id) > YC_CHAIN_ID_MAX) {
        json_decref(res);
        wallet_err("the node's status has no valid chain_id");
        return YC_EXIT_DATAERR;
    }
    strcpy(out, id);
    json_decref(res);
    return YC_EXIT_OK;
}

/* Reads a decimal-string (or, leniently, integer) JSON member as uint64. */
static bool json_u64(json_t *o, const char *key, uint64_t *out)
{
    json_t *v = json_object_get(o, key);
    if (json_is_string(v))
        return yc_parse_u64(json_string_value(v), out) == YC_OK;
    if (json_is_integer(v) && json_integer_value(v) >= 0) {
        *out = (uint64_t)json_integer_value(v);
        return true;
    }
    return false;
}

/* Marks the nonces of `addr`'s transactions listed by unconfirmed_txs in `mine` (bit k:
 * nonce base + k). Best effort: an older node without the method leaves it empty. */
static void own_pending(const struct wallet *w, const char *addr, uint64_t base, uint8_t *mine,
                        size_t nbits)
{
    json_t *res = NULL;
    struct wallet_remote_err re;
    int ex = wallet_rpc(w, "unconfirmed_txs", json_pack("{s:s}", "limit", "1000"), 0, &res, &re);
    if (ex == YC_EXIT_FAIL) /* a node that wants `limit` as a number: use its default */
        ex = wallet_rpc(w, "unconfirmed_txs", NULL, 0, &res, &re);
    if (ex != YC_EXIT_OK)
        return;
    json_t *txs = json_object_get(res, "txs");
    size_t i;
    json_t *t;
    json_array_foreach(txs, i, t)
    {
        const char *s = json_string_value(json_object_get(t, "sender"));
        uint64_t n;
        if (s != NULL && strcmp(s, addr) == 0 && json_u64(t, "nonce", &n) && n >= base &&
            n - base < nbits)
            mine[(n - base) / 8] |= (uint8_t)(1u << ((n - base) % 8));
    }
    json_decref(res);
}

int wallet_next_nonce(const struct wallet *w, const uint8_t pub[YC_PUBKEY_LEN], uint64_t *nonce)
{
    char addr[YC_ADDR_MAX];
    if (yc_addr_encode(addr, pub) != YC_OK)
        return YC_EXIT_DATAERR;
    json_t *res = NULL;
    struct wallet_remote_err re;
    int ex = wallet_rpc(w, "account", json_pack("{s:s}", "address", addr), 0, &res, &re);
    if (ex == YC_EXIT_FAIL && strcmp(re.code, "not_found") == 0) {
        *nonce = 0; /* not registered yet: its first transaction has nonce 0 */
    } else if (ex == YC_EXIT_FAIL) {
        wallet_err("the node refused account: %s (%s)", re.message, re.code);
        return ex;
    } else if (ex != YC_EXIT_OK) {
        return ex;
    } else {
        bool ok = json_u64(res, "nonce", nonce);
        uint64_t pending;
        /* the node's own count of our pending transactions in line, when it gives it */
        bool has_pending = ok && json_u64(res, "pending_nonce", &pending) && pending >= *nonce;
        json_decref(res);
        if (!ok) {
            wallet_err("the node's account answer has no valid nonce");
            return YC_EXIT_DATAERR;
        }
        if (has_pending) {
            *nonce = pending;
            return YC_EXIT_OK;
        }
    }
    /* Our transactions already in the mempool in line from the account's nonce hold the
     * next nonces: the next is the first one free after them. One waiting after a gap
     * does not count (it cannot be ordered until the gap is filled): filling the gap is
     * what the next transaction should do. So the answer does not depend on what else
     * is pending. */
    uint8_t mine[1024 / 8] = {0};
    own_pending(w, addr, *nonce, mine, sizeof mine * 8);
    uint64_t k = 0;
    while (k < sizeof mine * 8 && (mine[k / 8] & (1u << (k % 8))) != 0)
        k++;
    *nonce += k;
    return YC_EXIT_OK;
}

/* The words of a node's message without a leading "code: " (the RPC error repeats it). */
static const char *strip_code(const char *message, const char *code)
{
    size_t n = strlen(code);
    if (n > 0 && strncmp(message, code, n) == 0 && message[n] == ':' && message[n + 1] == ' ')
        return message + n + 2;
    return message;
}

/* Prints the outcome of a submission and returns the exit code (DESIGN.md §10). */
static int report(const struct wallet *w, const char *id, const char *status, const char *code,
                  const char *message, json_t *height)
{
    message = strip_code(message, code);
    bool ended_in_block = strcmp(status, "committed") == 0 || strcmp(status, "failed") == 0;
    if (!ended_in_block)
        height = NULL;
    if (w->json) {
        json_t *o =
            json_pack("{s:s, s:s, s:O, s:s, s:s}", "id", id, "status", status, "height",
                      height != NULL ? height : json_null(), "code", code, "message", message);
        wallet_print_json(o);
        json_decref(o);
    }
    const char *h = json_string_value(height);
    char hbuf[24] = "";
    if (h == NULL && json_is_integer(height)) {
        snprintf(hbuf, sizeof hbuf, "%lld", (long long)json_integer_value(height));
        h = hbuf;
    }
    if (!w->json)
        puts(id);
    if (strcmp(status, "committed") == 0) {
        if (!w->json)
            fprintf(stderr, "committed at height %s\n", h != NULL ? h : "?");
        return YC_EXIT_OK;
    }
    if (strcmp(status, "pending") == 0) {
        if (w->no_wait) {
            wallet_info(w, "accepted, pending (check with `yuchain-wallet tx status %s`)", id);
            return YC_EXIT_OK;
        }
        wallet_err("not in a block within the wait; still pending (check later with "
                   "`yuchain-wallet tx status %s`)",
                   id);
        return YC_EXIT_FAIL;
    }
    if (w->json)
        return YC_EXIT_FAIL;
    if (strcmp(status, "failed") == 0)
        wallet_err("failed at height %s: %s: %s (recorded in the block; only its nonce was used)",
                   h != NULL ? h : "?", code, message);
    else if (strcmp(status, "expired") == 0)
        wallet_err("expired: %s", message);
    else
        wallet_err("refused: %s: %s", code, message);
    return YC_EXIT_FAIL;
}

int wallet_submit(const struct wallet *w, const uint8_t *tx, size_t len,
                  const uint8_t id[YC_HASH_LEN])
{
    char idhex[2 * YC_HASH_LEN + 1];
    yc_hex(idhex, id, YC_HASH_LEN);
    char *hex = malloc(2 * len + 1);
    if (hex == NULL) {
        wallet_err("out of memory");
        return YC_EXIT_FAIL;
    }
    yc_hex(hex, tx, len);
    json_t *params = json_pack("{s:s}", "tx", hex);
    free(hex);
    const char *method = w->no_wait ? "broadcast_tx_sync" : "broadcast_tx_commit";
    json_t *res = NULL;
    struct wallet_remote_err re;
    int ex = wallet_rpc(w, method, params, WALLET_COMMIT_WAIT_MS + 15000, &res, &re);
    if (ex == YC_EXIT_FAIL) /* refused at admission */
        return report(w, idhex, "refused", re.code, re.message, NULL);
    if (ex != YC_EXIT_OK)
        return ex;
    const char *status = json_string_value(json_object_get(res, "status"));
    const char *code = json_string_value(json_object_get(res, "code"));
    const char *message = json_string_value(json_object_get(res, "message"));
    const char *rid = json_string_value(json_object_get(res, "id"));
    static const char *const known[] = {"committed", "failed",   "refused", "expired",
                                        "pending",   "rejected", "unknown"};
    bool valid = false;
    for (size_t i = 0; status != NULL && i < sizeof known / sizeof known[0]; i++)
        valid = valid || strcmp(status, known[i]) == 0;
    if (!valid) {
        json_decref(res);
        wallet_err("the node answered %s without a valid status", method);
        return YC_EXIT_DATAERR;
    }
    if (strcmp(status, "rejected") == 0) /* an older node's word for refused */
        status = "refused";
    else if (strcmp(status, "unknown") == 0) /* not seen yet at the end of the wait */
        status = "pending";
    if (rid != NULL && strcmp(rid, idhex) != 0)
        wallet_err("warning: the node reports id %s, we computed %s", rid, idhex);
    if (strcmp(status, "pending") == 0)
        code = "pending"; /* an older node says "ok" of a pending tx */
    else if (code == NULL)
        code = strcmp(status, "committed") == 0 ? "ok" : "unknown_error";
    if (message == NULL)
        message = yc_strerror(yc_err_from_name(code));
    ex = report(w, idhex, status, code, message, json_object_get(res, "height"));
    json_decref(res);
    return ex;
}
