/*
 * build.c — the tail of every command that builds a transaction (its body: txcmd.c) and
 * the tx-file commands (tx sign, tx send, tx status).
 *
 * Order of work: parse and check every argument (pure, wallet_build_body), then ask the
 * node for chain id and nonce, and only then ask for the passphrase, so that a mistake
 * costs neither a KDF run nor a prompt.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "txfile.h"
#include "wallet.h"
#include "yc/bech32.h"

int wallet_parse_time(const char *what, const char *v, uint64_t now_ms, uint64_t *out)
{
    if (yc_time_parse(v, now_ms, out) != YC_OK) {
        wallet_err("%s: '%s' is not a time: use RFC 3339 (2026-12-31T00:00:00Z) or a "
                   "duration from now, + and a whole number above 0 of d, h, m or s (+30d, "
                   "+2h, +15m, +10s)",
                   what, v);
        return YC_EXIT_DATAERR;
    }
    return YC_EXIT_OK;
}

#define TRYX(x)                \
    do {                       \
        int ex_ = (x);         \
        if (ex_ != YC_EXIT_OK) \
            return ex_;        \
    } while (0)

static int write_txfile(const struct wallet *w, const char *path, const struct txfile *tf)
{
    char *text = txfile_render(tf);
    if (text == NULL) {
        wallet_err("out of memory");
        return YC_EXIT_FAIL;
    }
    int rc = yc_file_write_atomic(path, text, strlen(text), 0644, true);
    free(text);
    if (rc != YC_OK) {
        wallet_err("cannot write %s: %s", path, yc_strerror(rc));
        return YC_EXIT_IOERR;
    }
    char id[2 * YC_HASH_LEN + 1];
    yc_hex(id, tf->id, YC_HASH_LEN);
    if (w->json) {
        json_t *o = json_pack("{s:s, s:s, s:b, s:i}", "id", id, "file", path, "signed", tf->has_sig,
                              "cosigs", (int)tf->ncosigs);
        wallet_print_json(o);
        json_decref(o);
    } else {
        puts(id);
        fprintf(stderr, "wrote %s %s transaction to %s\n", tf->has_sig ? "signed" : "unsigned",
                yc_tx_type_name(tf->type), path);
    }
    return YC_EXIT_OK;
}

int wallet_send(const struct wallet *w, const struct wallet_args *a, const char *name,
                const uint8_t sender[YC_PUBKEY_LEN], enum yc_tx_type type,
                const struct yc_buf *body)
{
    bool to_file = a->set[O_OUT];
    if (a->set[O_UNSIGNED] && !to_file) {
        wallet_err("--unsigned only makes sense with --out FILE");
        return YC_EXIT_USAGE;
    }
    char chain[YC_CHAIN_ID_MAX + 1];
    if (a->set[O_CHAIN_ID]) {
        if (a->val[O_CHAIN_ID][0] == '\0' || strlen(a->val[O_CHAIN_ID]) > YC_CHAIN_ID_MAX) {
            wallet_err("--chain-id: bad chain id");
            return YC_EXIT_DATAERR;
        }
        strcpy(chain, a->val[O_CHAIN_ID]);
    } else {
        TRYX(wallet_chain_id(w, chain));
    }
    uint64_t nonce;
    if (a->set[O_NONCE])
        TRYX(wallet_parse_u64(a->val[O_NONCE], "--nonce", false, &nonce));
    else
        TRYX(wallet_next_nonce(w, sender, &nonce));

    struct txfile tf;
    int rc = txfile_init(&tf, chain, type, sender, nonce, body->data, body->len);
    if (rc != YC_OK) {
        wallet_err("the transaction does not encode: %s (%s)", yc_strerror(rc), yc_err_name(rc));
        return YC_EXIT_DATAERR;
    }
    int ex = YC_EXIT_OK;
    if (!a->set[O_UNSIGNED]) {
        yc_signer *s = NULL;
        ex = wallet_open_key(w, name, &s);
        if (ex == YC_EXIT_OK) {
            uint8_t aux[32];
            randombytes_buf(aux, sizeof aux);
            rc = txfile_sign(&tf, s, aux, NULL);
            yc_signer_destroy(s);
            if (rc != YC_OK) {
                wallet_err("signing failed: %s", yc_strerror(rc));
                ex = YC_EXIT_FAIL;
            }
        }
    }
    if (ex == YC_EXIT_OK) {
        if (to_file) {
            ex = write_txfile(w, a->val[O_OUT], &tf);
        } else {
            struct yc_buf signed_tx;
            yc_buf_init(&signed_tx, YC_TX_MAX_BYTES);
            rc = txfile_encode(&tf, &signed_tx);
            if (rc != YC_OK) {
                wallet_err("cannot encode the signed transaction: %s", yc_strerror(rc));
                ex = YC_EXIT_FAIL;
            } else {
                ex = wallet_submit(w, signed_tx.data, signed_tx.len, tf.id);
            }
            yc_buf_cleanup(&signed_tx);
        }
    }
    txfile_cleanup(&tf);
    return ex;
}

int cmd_build(struct wallet *w, const struct wallet_args *a)
{
    /* The arguments are checked before the key is looked for, so that a malformed one is
     * named first (`validator approve BADID` in a wallet without a key: 65, not 77): the
     * body is built once with a stand-in sender, whose name and key only fill the fields
     * that default to the sender's own, then again with the key that signs. The stand-in
     * key is valid and nobody's: scheme YC_SCHEME_BIP340, secp256k1's generator. */
    static const uint8_t STAND_IN[YC_PUBKEY_LEN] =
        "\x01\x79\xbe\x66\x7e\xf9\xdc\xbb\xac\x55\xa0\x62\x95\xce\x87\x0b\x07"
        "\x02\x9b\xfc\xdb\x2d\xce\x28\xd9\x59\xf2\x81\x5b\x16\xf8\x17\x98";
    char name[YC_KEYSTORE_NAME_MAX + 1];
    uint8_t pub[YC_PUBKEY_LEN];
    struct yc_buf body;
    yc_buf_init(&body, YC_TX_MAX_BYTES);
    enum yc_tx_type type = YC_TX_NONE;
    int ex = wallet_build_body(a, "key", STAND_IN, w->now_ms, &type, &body);
    if (ex == YC_EXIT_OK)
        ex = wallet_pick_key(w, name, pub);
    if (ex == YC_EXIT_OK) {
        yc_buf_reset(&body);
        ex = wallet_build_body(a, name, pub, w->now_ms, &type, &body);
    }
    if (ex == YC_EXIT_OK)
        ex = wallet_send(w, a, name, pub, type, &body);
    yc_buf_cleanup(&body);
    return ex;
}

/* ---- tx files ---- */

static int load_txfile(const char *path, struct txfile *tf)
{
    char *text = NULL;
    size_t len = 0;
    int rc = yc_file_read(path, TXFILE_MAX_BYTES, &text, &len);
    if (rc != YC_OK) {
        if (rc == YC_ELIMIT) {
            wallet_err("%s: larger than %u bytes", path, TXFILE_MAX_BYTES);
            return YC_EXIT_DATAERR;
        }
        wallet_err("cannot read %s: %s", path,
                   rc == YC_ENOTFOUND ? "no such file" : yc_strerror(rc));
        return YC_EXIT_IOERR;
    }
    char err[256];
    rc = txfile_parse(tf, text, len, err, sizeof err);
    free(text);
    if (rc != YC_OK) {
        wallet_err("%s: %s", path, err);
        return YC_EXIT_DATAERR;
    }
    return YC_EXIT_OK;
}

int cmd_tx_sign(struct wallet *w, const struct wallet_args *a)
{
    const char *path = a->pos[0];
    struct txfile tf;
    int ex = load_txfile(path, &tf);
    if (ex != YC_EXIT_OK)
        return ex;
    char name[YC_KEYSTORE_NAME_MAX + 1];
    uint8_t pub[YC_PUBKEY_LEN];
    ex = wallet_pick_key(w, name, pub);
    yc_signer *s = NULL;
    if (ex == YC_EXIT_OK)
        ex = wallet_open_key(w, name, &s);
    if (ex == YC_EXIT_OK) {
        uint8_t aux[32];
        bool as_sender = false;
        randombytes_buf(aux, sizeof aux);
        int rc = txfile_sign(&tf, s, aux, &as_sender);
        yc_signer_destroy(s);
        if (rc == YC_ETOOMANY) {
            wallet_err("%s already holds %d co-signatures", path, YC_TX_MAX_COSIGS);
            ex = YC_EXIT_DATAERR;
        } else if (rc != YC_OK) {
            wallet_err("signing failed: %s", yc_strerror(rc));
            ex = YC_EXIT_FAIL;
        } else {
            wallet_info(w, "%s with key '%s'", as_sender ? "signed as the sender" : "co-signed",
                        name);
            ex = write_txfile(w, path, &tf);
        }
    }
    txfile_cleanup(&tf);
    return ex;
}

int cmd_tx_send(struct wallet *w, const struct wallet_args *a)
{
    struct txfile tf;
    int ex = load_txfile(a->pos[0], &tf);
    if (ex != YC_EXIT_OK)
        return ex;
    struct yc_buf b;
    yc_buf_init(&b, YC_TX_MAX_BYTES);
    int rc = txfile_encode(&tf, &b);
    if (rc == YC_EBADSIG) {
        char sender[YC_ADDR_MAX];
        if (yc_addr_encode(sender, tf.sender) != YC_OK)
            sender[0] = '\0';
        wallet_err("%s is not signed by its sender %s yet: run `yuchain-wallet --from NAME tx "
                   "sign %s` with the sender's key",
                   a->pos[0], sender, a->pos[0]);
        ex = YC_EXIT_DATAERR;
    } else if (rc != YC_OK) {
        wallet_err("cannot encode %s: %s", a->pos[0], yc_strerror(rc));
        ex = YC_EXIT_DATAERR;
    } else {
        ex = wallet_submit(w, b.data, b.len, tf.id);
    }
    yc_buf_cleanup(&b);
    txfile_cleanup(&tf);
    return ex;
}

int cmd_tx_status(struct wallet *w, const struct wallet_args *a)
{
    uint8_t id[YC_HASH_LEN];
    TRYX(wallet_parse_hash(a->pos[0], "transaction id", id));
    char hex[2 * YC_HASH_LEN + 1];
    yc_hex(hex, id, YC_HASH_LEN);
    json_t *res = NULL;
    TRYX(wallet_rpc(w, "tx", json_pack("{s:s}", "id", hex), 0, &res, NULL));
    const char *status = json_string_value(json_object_get(res, "status"));
    if (status == NULL)
        status = "unknown";
    if (w->json) {
        wallet_print_json(res);
    } else {
        const char *code = json_string_value(json_object_get(res, "code"));
        const char *height = json_string_value(json_object_get(res, "height"));
        const char *message = json_string_value(json_object_get(res, "message"));
        bool ended = strcmp(status, "failed") == 0 || strcmp(status, "refused") == 0 ||
                     strcmp(status, "rejected") == 0 || strcmp(status, "expired") == 0;
        printf("%s", status);
        if (height != NULL && (strcmp(status, "committed") == 0 || strcmp(status, "failed") == 0))
            printf(" at height %s", height);
        if (code != NULL && ended)
            printf(" (%s)", code);
        if (message != NULL && ended)
            printf(": %s", message);
        putchar('\n');
    }
    int ex = strcmp(status, "committed") == 0 || strcmp(status, "pending") == 0 ? YC_EXIT_OK
                                                                                : YC_EXIT_FAIL;
    json_decref(res);
    return ex;
}
