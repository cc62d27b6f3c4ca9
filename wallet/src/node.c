/*
 * node.c — what the wallet asks the node (docs/rpc.md): chain id, next nonce, submission
 * and the outcome report of a transaction.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wallet.h"
#include "yc/bech32.h"

int wallet_rpc(const struct wallet *w,
               const char *method,
               json_t *params,
               int timeout_ms,
               json_t **result,
               struct wallet_remote_err *remote)
{
    char code[64], msg[256];
    int rc = yc_rpc_call_timeout(w->node, method, params, timeout_ms, result, code, sizeof code,
                                 msg, sizeof msg);
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
                   "YUCHAIN_NODE)",
                   w->node);
        return YC_EXIT_UNAVAILABLE;
    }
    if (rc == YC_ECONFIG) {
        wallet_err("bad node URL '%s'", w->node);
        return YC_EXIT_CONFIG;
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
        json_decref(res);
        if (!ok) {
            wallet_err("the node's account answer has no valid nonce");
            return YC_EXIT_DATAERR;
        }
    }
    /* Transactions of ours still in the mempool hold the next nonces. Best effort: an
     * older node without the method leaves the account nonce. */
    res = NULL;
    int uex = wallet_rpc(w, "unconfirmed_txs", json_pack("{s:s}", "limit", "1000"), 0, &res, &re);
    if (uex == YC_EXIT_FAIL) /* a node that wants `limit` as a number: use its default */
        uex = wallet_rpc(w, "unconfirmed_txs", NULL, 0, &res, &re);
    if (uex == YC_EXIT_OK) {
        json_t *txs = json_object_get(res, "txs");
        size_t i;
        json_t *t;
        json_array_foreach (txs, i, t) {
            const char *s = json_string_value(json_object_get(t, "sender"));
            uint64_t n;
            if (s != NULL && strcmp(s, addr) == 0 && json_u64(t, "nonce", &n) && n >= *nonce &&
                n < UINT64_MAX)
                *nonce = n + 1;
        }
        json_decref(res);
    }
    return YC_EXIT_OK;
}

/* Prints the outcome of a submission and returns the exit code. */
static int report(const struct wallet *w,
                  const char *id,
                  const char *status,
                  const char *code,
                  const char *message,
                  json_t *height)
{
    if (w->json) {
        json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:O}", "id", id, "status", status, "code", code,
                              "message", message, "height", height != NULL ? height : json_null());
        wallet_print_json(o);
        json_decref(o);
    }
    const char *h = json_string_value(height);
    char hbuf[24] = "";
    if (h == NULL && json_is_integer(height)) {
        snprintf(hbuf, sizeof hbuf, "%lld", (long long)json_integer_value(height));
        h = hbuf;
    }
    if (strcmp(status, "committed") == 0) {
        if (!w->json) {
            puts(id);
            fprintf(stderr, "committed at height %s\n", h != NULL ? h : "?");
        }
        return YC_EXIT_OK;
    }
    if (strcmp(status, "pending") == 0) {
        if (!w->json)
            puts(id);
        if (w->no_wait) {
            wallet_info(w, "accepted, pending (check with `yuchain-wallet tx status %s`)", id);
            return YC_EXIT_OK;
        }
        wallet_err("not committed within the wait; still pending (check with "
                   "`yuchain-wallet tx status %s`)",
                   id);
        return YC_EXIT_FAIL;
    }
    if (!w->json)
        wallet_err("rejected: %s: %s", code, message);
    return YC_EXIT_FAIL;
}

int wallet_submit(const struct wallet *w,
                  const uint8_t *tx,
                  size_t len,
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
        return report(w, idhex, "rejected", re.code, re.message, NULL);
    if (ex != YC_EXIT_OK)
        return ex;
    const char *status = json_string_value(json_object_get(res, "status"));
    const char *code = json_string_value(json_object_get(res, "code"));
    const char *message = json_string_value(json_object_get(res, "message"));
    const char *rid = json_string_value(json_object_get(res, "id"));
    if (status == NULL || (strcmp(status, "committed") != 0 && strcmp(status, "rejected") != 0 &&
                           strcmp(status, "pending") != 0)) {
        json_decref(res);
        wallet_err("the node answered %s without a valid status", method);
        return YC_EXIT_DATAERR;
    }
    if (rid != NULL && strcmp(rid, idhex) != 0)
        wallet_err("warning: the node reports id %s, we computed %s", rid, idhex);
    if (code == NULL)
        code = strcmp(status, "rejected") == 0 ? "unknown_error" : "ok";
    if (message == NULL)
        message = yc_strerror(yc_err_from_name(code));
    json_t *height = strcmp(status, "committed") == 0 ? json_object_get(res, "height") : NULL;
    ex = report(w, idhex, status, code, message, height);
    json_decref(res);
    return ex;
}
