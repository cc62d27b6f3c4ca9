/*
 * txfile.c — reading and writing transaction files (see txfile.h, docs/wallet.md).
 *
 * Invariant: a struct txfile that exists has a body valid for its type and an id that
 * is the id of its unsigned bytes; every signature it holds verifies against that id.
 */
#include "txfile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "yc/alloc.h"
#include "yc/bech32.h"
#include "yc/cliutil.h"
#include "yc/json.h"

/* Checks the body against its type's schema by decoding a signed envelope with a
 * placeholder signature (yc_tx_decode does not verify signatures). */
static int check_body(const struct txfile *tf)
{
    static const uint8_t zero_sig[YC_SIG_LEN] = {YC_SCHEME_BIP340};
    struct yc_buf b;
    yc_buf_init(&b, YC_TX_MAX_BYTES);
    int rc = yc_tx_encode_signed(&b, tf->chain_id, tf->type, tf->sender, tf->nonce, tf->body,
                                 tf->body_len, zero_sig, NULL, 0);
    if (rc == YC_OK) {
        struct yc_tx tx;
        rc = yc_tx_decode(&tx, b.data, b.len);
        yc_tx_cleanup(&tx);
    }
    yc_buf_cleanup(&b);
    return rc;
}

static int compute_id(struct txfile *tf)
{
    struct yc_buf b;
    yc_buf_init(&b, YC_TX_MAX_BYTES);
    int rc = yc_tx_encode_unsigned(&b, tf->chain_id, tf->type, tf->sender, tf->nonce, tf->body,
                                   tf->body_len);
    if (rc == YC_OK)
        yc_tx_id(tf->id, tf->chain_id, b.data, b.len);
    yc_buf_cleanup(&b);
    return rc;
}

int txfile_init(struct txfile *tf, const char *chain_id, enum yc_tx_type type,
                const uint8_t sender[YC_PUBKEY_LEN], uint64_t nonce, const uint8_t *body,
                size_t body_len)
{
    memset(tf, 0, sizeof *tf);
    if (chain_id == NULL || strlen(chain_id) > YC_CHAIN_ID_MAX || body == NULL || body_len == 0 ||
        yc_tx_type_name(type) == NULL)
        return YC_EINVAL;
    strcpy(tf->chain_id, chain_id);
    tf->type = type;
    memcpy(tf->sender, sender, YC_PUBKEY_LEN);
    tf->nonce = nonce;
    tf->body = yc_memdup(body, body_len);
    if (tf->body == NULL)
        return YC_ENOMEM;
    tf->body_len = body_len;
    int rc = check_body(tf);
    if (rc == YC_OK)
        rc = compute_id(tf);
    if (rc != YC_OK)
        txfile_cleanup(tf);
    return rc;
}

void txfile_cleanup(struct txfile *tf)
{
    if (tf == NULL)
        return;
    yc_free(tf->body);
    memset(tf, 0, sizeof *tf);
}

/* Inserts or replaces a cosig, keeping them sorted by key. */
static int put_cosig(struct txfile *tf, const uint8_t pub[YC_PUBKEY_LEN],
                     const uint8_t sig[YC_SIG_LEN])
{
    uint32_t i = 0;
    while (i < tf->ncosigs && memcmp(tf->cosigs[i].pub, pub, YC_PUBKEY_LEN) < 0)
        i++;
    if (i < tf->ncosigs && memcmp(tf->cosigs[i].pub, pub, YC_PUBKEY_LEN) == 0) {
        memcpy(tf->cosigs[i].sig, sig, YC_SIG_LEN);
        return YC_OK;
    }
    if (tf->ncosigs == YC_TX_MAX_COSIGS)
        return YC_ETOOMANY;
    memmove(&tf->cosigs[i + 1], &tf->cosigs[i], (tf->ncosigs - i) * sizeof tf->cosigs[0]);
    memcpy(tf->cosigs[i].pub, pub, YC_PUBKEY_LEN);
    memcpy(tf->cosigs[i].sig, sig, YC_SIG_LEN);
    tf->ncosigs++;
    return YC_OK;
}

/* Adds a signature read from a file after verifying it. */
static int add_sig(struct txfile *tf, const uint8_t pub[YC_PUBKEY_LEN],
                   const uint8_t sig[YC_SIG_LEN])
{
    bool sender = memcmp(pub, tf->sender, YC_PUBKEY_LEN) == 0;
    if (!yc_sig_verify(sig, tf->id, pub))
        return sender ? YC_EBADSIG : YC_EBADCOSIG;
    if (sender) {
        if (tf->has_sig)
            return YC_EBADFIELD;
        memcpy(tf->sig, sig, YC_SIG_LEN);
        tf->has_sig = true;
        return YC_OK;
    }
    for (uint32_t i = 0; i < tf->ncosigs; i++)
        if (memcmp(tf->cosigs[i].pub, pub, YC_PUBKEY_LEN) == 0)
            return YC_EBADFIELD; /* the same signer twice */
    return put_cosig(tf, pub, sig);
}

static int parse_compact(struct txfile *tf, const char *hex, size_t hexlen, char *err,
                         size_t errlen)
{
    if (hexlen % 2 != 0 || hexlen / 2 > YC_TX_MAX_BYTES) {
        snprintf(err, errlen, "tx_hex has a bad length");
        return YC_EBADFIELD;
    }
    size_t n = hexlen / 2;
    uint8_t *bytes = yc_malloc(n > 0 ? n : 1);
    if (bytes == NULL)
        return YC_ENOMEM;
    int rc = yc_unhex(bytes, n, hex, hexlen);
    struct yc_tx tx;
    memset(&tx, 0, sizeof tx);
    if (rc == YC_OK)
        rc = yc_tx_decode(&tx, bytes, n);
    yc_free(bytes);
    if (rc != YC_OK) {
        snprintf(err, errlen, "tx_hex is not a valid transaction: %s", yc_err_name(rc));
        return rc;
    }
    char chain[YC_CHAIN_ID_MAX + 1];
    memcpy(chain, tx.chain_id.p, tx.chain_id.len);
    chain[tx.chain_id.len] = '\0';
    rc = txfile_init(tf, chain, tx.type, tx.sender, tx.nonce, tx.body, tx.body_len);
    if (rc == YC_OK)
        rc = add_sig(tf, tx.sender, tx.sig);
    for (uint32_t i = 0; rc == YC_OK && i < tx.ncosigs; i++)
        rc = add_sig(tf, tx.cosigs[i].pub, tx.cosigs[i].sig);
    yc_tx_cleanup(&tx);
    if (rc != YC_OK)
        snprintf(err, errlen, "tx_hex: %s", yc_strerror(rc));
    return rc;
}

static const char *get_str(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static int parse_fields(struct txfile *tf, json_t *root, char *err, size_t errlen)
{
    const char *chain = get_str(root, "chain_id");
    const char *type = get_str(root, "type");
    const char *sender = get_str(root, "sender");
    const char *nonce = get_str(root, "nonce");
    const char *body_hex = get_str(root, "body_hex");
    const char *id_hex = get_str(root, "id");
    json_t *sigs = json_object_get(root, "sigs");
    if (chain == NULL || type == NULL || sender == NULL || nonce == NULL || body_hex == NULL) {
        snprintf(err, errlen, "missing one of chain_id, type, sender, nonce, body_hex");
        return YC_EBADFIELD;
    }
    size_t known = 6 + (id_hex != NULL) + (sigs != NULL);
    if (json_object_get(root, "format") == NULL)
        known--;
    if (json_object_size(root) != known) {
        snprintf(err, errlen, "unknown field in the transaction file");
        return YC_EBADFIELD;
    }
    enum yc_tx_type t = yc_tx_type_from_name(type, strlen(type));
    if (t == YC_TX_NONE) {
        snprintf(err, errlen, "unknown transaction type '%s'", type);
        return YC_EUNKNOWNTYPE;
    }
    uint8_t spub[YC_PUBKEY_LEN];
    if (yc_addr_decode(spub, sender) != YC_OK) {
        snprintf(err, errlen, "sender is not a valid yc1 address");
        return YC_EBADADDR;
    }
    uint64_t n;
    if (yc_parse_u64(nonce, &n) != YC_OK) {
        snprintf(err, errlen, "nonce must be a decimal string");
        return YC_EBADFIELD;
    }
    size_t hl = strlen(body_hex);
    if (hl == 0 || hl % 2 != 0 || hl / 2 > YC_TX_MAX_BYTES) {
        snprintf(err, errlen, "body_hex has a bad length");
        return YC_EBADFIELD;
    }
    uint8_t *body = yc_malloc(hl / 2);
    if (body == NULL)
        return YC_ENOMEM;
    int rc = yc_unhex(body, hl / 2, body_hex, hl);
    if (rc == YC_OK)
        rc = txfile_init(tf, chain, t, spub, n, body, hl / 2);
    yc_free(body);
    if (rc != YC_OK) {
        snprintf(err, errlen, "the body is not valid for %s: %s", type, yc_err_name(rc));
        return rc;
    }
    if (id_hex != NULL) {
        uint8_t id[YC_HASH_LEN];
        if (yc_unhex(id, sizeof id, id_hex, strlen(id_hex)) != YC_OK ||
            memcmp(id, tf->id, YC_HASH_LEN) != 0) {
            snprintf(err, errlen, "the stated id does not match the transaction");
            return YC_EBADFIELD;
        }
    }
    if (sigs != NULL) {
        if (!json_is_array(sigs) || json_array_size(sigs) > YC_TX_MAX_COSIGS + 1) {
            snprintf(err, errlen, "sigs must be an array of at most %d signatures",
                     YC_TX_MAX_COSIGS + 1);
            return YC_EBADFIELD;
        }
        size_t i;
        json_t *s;
        json_array_foreach(sigs, i, s)
        {
            const char *signer = get_str(s, "signer");
            const char *sig_hex = get_str(s, "sig");
            uint8_t pub[YC_PUBKEY_LEN], sig[YC_SIG_LEN];
            if (!json_is_object(s) || json_object_size(s) != 2 || signer == NULL ||
                sig_hex == NULL || yc_addr_decode(pub, signer) != YC_OK ||
                yc_unhex(sig, sizeof sig, sig_hex, strlen(sig_hex)) != YC_OK) {
                snprintf(err, errlen, "signature %zu is malformed", i);
                return YC_EBADFIELD;
            }
            rc = add_sig(tf, pub, sig);
            if (rc != YC_OK) {
                snprintf(err, errlen, "signature %zu by %s: %s", i, signer, yc_strerror(rc));
                return rc;
            }
        }
    }
    return YC_OK;
}

int txfile_parse(struct txfile *tf, const char *text, size_t len, char *err, size_t errlen)
{
    memset(tf, 0, sizeof *tf);
    err[0] = '\0';
    if (len > TXFILE_MAX_BYTES) {
        snprintf(err, errlen, "transaction file larger than %u bytes", TXFILE_MAX_BYTES);
        return YC_ELIMIT;
    }
    json_error_t jerr;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!json_is_object(root)) {
        snprintf(err, errlen, "not a JSON object (line %d: %s)", jerr.line, jerr.text);
        json_decref(root);
        return YC_EDECODE;
    }
    int rc;
    const char *format = get_str(root, "format");
    json_t *fv = json_object_get(root, "format");
    if (fv != NULL && (format == NULL || strcmp(format, TXFILE_FORMAT) != 0)) {
        snprintf(err, errlen, "unknown format (want \"%s\")", TXFILE_FORMAT);
        rc = YC_EDECODE;
    } else if (json_object_get(root, "tx_hex") != NULL) {
        const char *hex = get_str(root, "tx_hex");
        if (hex == NULL || json_object_size(root) != (fv != NULL ? 2u : 1u)) {
            snprintf(err, errlen, "a tx_hex file holds only format and tx_hex");
            rc = YC_EBADFIELD;
        } else {
            rc = parse_compact(tf, hex, strlen(hex), err, errlen);
        }
    } else {
        rc = parse_fields(tf, root, err, errlen);
    }
    json_decref(root);
    if (rc != YC_OK)
        txfile_cleanup(tf);
    return rc;
}

static json_t *sig_json(const uint8_t pub[YC_PUBKEY_LEN], const uint8_t sig[YC_SIG_LEN])
{
    char addr[YC_ADDR_MAX];
    if (yc_addr_encode(addr, pub) != YC_OK)
        return NULL;
    return json_pack("{s:s, s:o}", "signer", addr, "sig", yc_json_hex(sig, YC_SIG_LEN));
}

char *txfile_render(const struct txfile *tf)
{
    char sender[YC_ADDR_MAX], nonce[24];
    if (yc_addr_encode(sender, tf->sender) != YC_OK)
        return NULL;
    snprintf(nonce, sizeof nonce, "%llu", (unsigned long long)tf->nonce);
    json_t *sigs = json_array();
    if (sigs == NULL)
        return NULL;
    if (tf->has_sig)
        json_array_append_new(sigs, sig_json(tf->sender, tf->sig));
    for (uint32_t i = 0; i < tf->ncosigs; i++)
        json_array_append_new(sigs, sig_json(tf->cosigs[i].pub, tf->cosigs[i].sig));
    json_t *root =
        json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o}", "format", TXFILE_FORMAT, "chain_id",
                  tf->chain_id, "type", yc_tx_type_name(tf->type), "sender", sender, "nonce", nonce,
                  "body_hex", yc_json_hex(tf->body, tf->body_len), "id",
                  yc_json_hex(tf->id, YC_HASH_LEN), "sigs", sigs);
    if (root == NULL)
        return NULL;
    char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(root);
    return txfile_add_newline(text);
}

char *txfile_add_newline(char *text)
{
    if (text == NULL)
        return NULL;
    size_t n = strlen(text);
    char *out = realloc(text, n + 2);
    if (out == NULL) {
        free(text);
        return NULL;
    }
    out[n] = '\n';
    out[n + 1] = '\0';
    return out;
}

int txfile_sign(struct txfile *tf, const yc_signer *s, const uint8_t aux32[32], bool *was_sender)
{
    uint8_t pub[YC_PUBKEY_LEN], sig[YC_SIG_LEN];
    yc_signer_pubkey(s, pub);
    int rc = yc_sig_sign(s, sig, tf->id, aux32);
    if (rc != YC_OK)
        return rc;
    bool sender = memcmp(pub, tf->sender, YC_PUBKEY_LEN) == 0;
    if (was_sender != NULL)
        *was_sender = sender;
    if (sender) {
        memcpy(tf->sig, sig, YC_SIG_LEN);
        tf->has_sig = true;
        return YC_OK;
    }
    return put_cosig(tf, pub, sig);
}

int txfile_encode(const struct txfile *tf, struct yc_buf *out)
{
    if (!tf->has_sig)
        return YC_EBADSIG;
    return yc_tx_encode_signed(out, tf->chain_id, tf->type, tf->sender, tf->nonce, tf->body,
                               tf->body_len, tf->sig, tf->cosigs, tf->ncosigs);
}
