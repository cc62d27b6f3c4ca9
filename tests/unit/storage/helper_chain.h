/*
 * helper_chain.h — builds real chains for the storage and audit tests: a genesis with
 * N test validators (deterministic keys), an exchange and an individual account; blocks
 * of signed token.transfer / evidence.anchor transactions executed by core's ledger,
 * with the state root core computes and a COMMIT certificate signed by validators.
 *
 * Shared by tests/unit/audit (its helper_chain.c includes this module's).
 */
#ifndef YC_TEST_HELPER_CHAIN_H
#define YC_TEST_HELPER_CHAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "yc/block.h"
#include "yc/genesis.h"
#include "yc/keys.h"
#include "yc/state.h"
#include "yc/store.h"
#include "yc/tx.h"

#define TCHAIN_CHAIN_ID "yc-test"
#define TCHAIN_GENESIS_MS 1700000000000ull

struct tchain {
    struct yc_genesis g;
    uint32_t nval;
    yc_signer *val[YC_MAX_VALIDATORS];
    yc_signer *exchange;
    yc_signer *alice;
    uint8_t exchange_pub[YC_PUBKEY_LEN];
    uint8_t alice_pub[YC_PUBKEY_LEN];
    /* the chain so far */
    uint64_t height;
    uint8_t prev_hash[YC_HASH_LEN];
    uint8_t prev_root[YC_HASH_LEN];
    uint64_t time_ms;
    uint64_t exchange_nonce;
    uint64_t alice_nonce;
    uint32_t signers; /* validators signing each certificate (default: quorum) */
};

/* A block just built: decoded (b.bytes = the encoded block with certificate) and the
 * overlay holding its writes (read them with yc_overlay_writes). */
struct tblock {
    struct yc_block b;
    yc_overlay *o;
};

/* Deterministic secret key number `i` of family `fam` (validators 'v', accounts 'a'). */
void tchain_seckey(uint8_t sk[YC_SECKEY_LEN], char fam, uint32_t i);
/* Genesis with `nval` validators; the chain at height 0. Asserts on failure. */
void tchain_init(struct tchain *c, uint32_t nval);
void tchain_cleanup(struct tchain *c);
/* Genesis state root (root of the genesis writes). */
void tchain_genesis_root(const struct tchain *c, uint8_t root[YC_HASH_LEN]);

/*
 * Builds block height+1 on state `base` (the state after the current tip) with `ntx`
 * transactions, certified by c->signers validators; advances the chain. Asserts on
 * failure. Free with tblock_cleanup.
 */
void tchain_next(struct tchain *c, const struct yc_state_src *base, uint32_t ntx,
                 struct tblock *out);
/* Same with given transactions (not consumed; each must execute). */
void tchain_next_txs(struct tchain *c, const struct yc_state_src *base, const struct yc_tx *txs,
                     uint32_t ntx, struct tblock *out);
/* Same, where a transaction may fail (recorded as failed; each must stand in the block):
 * outcomes[0..ntx) (may be NULL) gets each execution's outcome; the block records `lie`
 * instead when it is not NULL (a proposer that lies about outcomes, with roots to match). */
void tchain_next_outcomes(struct tchain *c, const struct yc_state_src *base,
                          const struct yc_tx *txs, uint32_t ntx, const int *lie, int *outcomes,
                          struct tblock *out);

/* Writes body b of `type` through the schema (yc_tx_body_encode, txschema.h), signs it by
 * `who` with `nonce` and decodes it into *out (yc_tx_cleanup). Asserts on failure. */
void tchain_sign(const struct tchain *c, enum yc_tx_type type, const yc_signer *who, uint64_t nonce,
                 const union yc_tx_body *b, struct yc_tx *out);
/* Alice grants the exchange (as processor) consent: categories "health", purposes
 * "research", operations "use", 5 fen per use, 10 uses, valid for a day of block time. */
void tchain_tx_consent(struct tchain *c, struct yc_tx *out);
/* The body of a use of Alice's data under `consent` (category "health", operation "use")
 * for `purpose` (a string that must outlive *b). */
void tchain_body_usage(union yc_tx_body *b, const uint8_t consent[YC_HASH_LEN],
                       const char *purpose);
/* The exchange records a use of Alice's data under `consent` for "research". */
void tchain_tx_usage(struct tchain *c, const uint8_t consent[YC_HASH_LEN], struct yc_tx *out);
/* The exchange (the organisation of every genesis validator, so its proposal alone is
 * fixed) proposes replacing validator idx's key by new_pub (validator.propose). */
void tchain_tx_replace_key(struct tchain *c, uint32_t idx, const uint8_t new_pub[YC_PUBKEY_LEN],
                           struct yc_tx *out);
/* Commits one block holding the given transactions. */
void tchain_commit_txs(struct tchain *c, store *s, const struct yc_tx *txs, uint32_t ntx);
/* tchain_next_outcomes on the store's state, committed to it. */
void tchain_commit_outcomes(struct tchain *c, store *s, const struct yc_tx *txs, uint32_t ntx,
                            const int *lie, int *outcomes);
void tblock_cleanup(struct tblock *t);

/* Builds the next block on the store's state and commits it. */
void tchain_commit_next(struct tchain *c, store *s, uint32_t ntx);

/* Sets the chain position from a store's tip and the exchange's nonce from its state. */
void tchain_resume(struct tchain *c, store *s);

/* Signs a COMMIT certificate for (height, hash) with the validators listed in idx. */
void tchain_cert(const struct tchain *c, struct yc_cert *cert, uint64_t height, uint64_t view,
                 const uint8_t hash[YC_HASH_LEN], const uint32_t *idx, uint32_t n);

/* Makes a fresh temporary directory (mkdtemp) into buf; removes a tree (rm -rf). */
void tdir_make(char *buf, size_t len);
void tdir_remove(const char *dir);

/* A test's fixture: a fresh directory and a chain of 4 validators, made by tfix_setup and
 * removed by tfix_teardown (cmocka's setup and teardown). tfix_open opens its store
 * (create: a new one with the genesis) and fails the test if it cannot. */
struct tfix {
    char dir[4096];
    struct tchain c;
};
int tfix_setup(void **state);
int tfix_teardown(void **state);
store *tfix_open(struct tfix *f, bool create);

/* Writes DIR/config/genesis.json and creates DIR/data with the genesis (store closed). */
void tchain_make_home(const struct tchain *c, const char *home);

#endif
