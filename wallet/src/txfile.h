/*
 * txfile.h — the transaction file of `tx sign` / `tx send` / `--out` (grammar in
 * docs/wallet.md): JSON holding an unsigned, partially or fully signed transaction, so
 * that a transaction can be built on one machine, signed by its sender and co-signers
 * elsewhere, and submitted by anyone.
 *
 * Two shapes are read: the field form
 *   {"format":"yuchain-tx/1","chain_id","type","sender","nonce","body_hex","id","sigs":[…]}
 * and the compact form {"format":"yuchain-tx/1","tx_hex"} (a complete signed
 * transaction). The field form is always written. Reading checks everything: the
 * body's schema (through yc_tx_decode), the id (recomputed; a stated id must match), and
 * every signature against the id.
 */
#ifndef YC_WALLET_TXFILE_H
#define YC_WALLET_TXFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "yc/buf.h"
#include "yc/hash.h"
#include "yc/keys.h"
#include "yc/tx.h"

#define TXFILE_FORMAT "yuchain-tx/1"
#define TXFILE_MAX_BYTES (256u * 1024) /* larger files are refused */

struct txfile {
    char chain_id[YC_CHAIN_ID_MAX + 1];
    enum yc_tx_type type;
    uint8_t sender[YC_PUBKEY_LEN];
    uint64_t nonce;
    uint8_t *body; /* owned (yc_malloc) */
    size_t body_len;
    uint8_t id[YC_HASH_LEN]; /* derived */
    bool has_sig;            /* the sender's signature */
    uint8_t sig[YC_SIG_LEN];
    uint32_t ncosigs; /* co-signatures by others, sorted by key */
    struct yc_cosig cosigs[YC_TX_MAX_COSIGS];
};

/* Fills *tf from its parts (copies body), computing the id. Returns YC_OK, YC_EINVAL,
 * YC_EBADFIELD (body not valid for the type), YC_ENOMEM. */
int txfile_init(struct txfile *tf, const char *chain_id, enum yc_tx_type type,
                const uint8_t sender[YC_PUBKEY_LEN], uint64_t nonce, const uint8_t *body,
                size_t body_len);
/* Frees tf->body and clears *tf. */
void txfile_cleanup(struct txfile *tf);

/* Parses a file's text. Returns YC_OK or YC_EDECODE / YC_EBADFIELD / YC_EBADSIG /
 * YC_EBADCOSIG / YC_EUNKNOWNTYPE / YC_ELIMIT with a message in err. */
int txfile_parse(struct txfile *tf, const char *text, size_t len, char *err, size_t errlen);

/* Renders the field form (malloc'ed NUL-terminated JSON text ending in a newline). */
char *txfile_render(const struct txfile *tf);

/* Appends a newline to malloc'ed text (reallocated; freed on failure). NULL stays NULL. */
char *txfile_add_newline(char *text);

/* Adds the signature of `s`: the sender's signature if s holds the sender's key, else a
 * co-signature (replacing an earlier one by the same key). Returns YC_OK, YC_ETOOMANY,
 * or a signing error. *was_sender tells which. */
int txfile_sign(struct txfile *tf, const yc_signer *s, const uint8_t aux32[32], bool *was_sender);

/* Encodes the signed transaction (needs the sender's signature: else YC_EBADSIG). */
int txfile_encode(const struct txfile *tf, struct yc_buf *out);

#endif
