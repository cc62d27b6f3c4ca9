/*
 * helper_ledger.h — test support for the ledger: an in-memory state source, body
 * builders for every transaction type, and a one-validator test chain that signs,
 * decodes and executes transactions block by block.
 *
 * Failures inside helpers are test failures (cmocka asserts); the functions that
 * execute return the ledger's code so tests can check refusals.
 */
#ifndef YC_TEST_HELPER_LEDGER_H
#define YC_TEST_HELPER_LEDGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "yc/buf.h"
#include "yc/genesis.h"
#include "yc/keys.h"
#include "yc/ledger.h"
#include "yc/objects.h"
#include "yc/state.h"
#include "yc/tx.h"

#define TC_CHAIN "yc-test"

/* ---- in-memory state (a sorted array) ---- */

struct mem_state;
struct mem_state *mem_state_new(void);
void mem_state_free(struct mem_state *m);
struct yc_state_src mem_state_src(struct mem_state *m);
/* Applies sorted writes (puts and deletes). */
void mem_state_apply(struct mem_state *m, const struct yc_write *w, size_t n);
size_t mem_state_count(const struct mem_state *m);
/* Number of base reads served (to check the overlay's cache). */
size_t mem_state_reads(const struct mem_state *m);

/* ---- keys ---- */

/* A deterministic signer for test key number i (any i). */
yc_signer *h_signer(uint32_t i);
void h_pub(uint32_t i, uint8_t pub[YC_PUBKEY_LEN]);

/* ---- bodies through the schema: fields in any order, written by the core's encoder ---- */

/*
 * A body given field by field (hm_*), then written with yc_tx_body_encode from the schema
 * of its type (txschema.h): the core's one encoder writes every body it accepts. A body it
 * refuses — a test's deliberately malformed input (an unknown key, a value of the wrong
 * kind or size, a text over its limit, too many items, a rule across fields broken) — is
 * written by hand, keys sorted, so that a test can show the decoder refusing it.
 * Bytes and arrays are copied; a string (a text, a list's items) is kept by reference
 * and must live until hm_finish, which frees the copies.
 */
#define HM_MAX 24
struct hm_val {
    enum { HM_STR, HM_U64, HM_BOOL, HM_BIN, HM_LIST, HM_PUBS, HM_IDS, HM_SHARES } kind;
    const void *p; /* STR: the text; the others a copy: BIN: the bytes; LIST: const char *[n];
                    * PUBS, IDS: n keys or ids back to back; SHARES: struct yc_contributor[n] */
    size_t n;      /* BIN: bytes; PUBS, IDS, SHARES: items */
    uint64_t u;    /* U64, BOOL */
};
struct hm {
    size_t n;
    const char *key[HM_MAX];
    struct hm_val val[HM_MAX];
};
void hm_init(struct hm *m);
void hm_str(struct hm *m, const char *key, const char *v);
void hm_u64(struct hm *m, const char *key, uint64_t v);
void hm_bool(struct hm *m, const char *key, bool v);
void hm_bin(struct hm *m, const char *key, const uint8_t *p, size_t n);
/* An array of strings from a NULL-terminated list. */
void hm_list(struct hm *m, const char *key, const char *const *items);
/* An array of n 33-byte keys. */
void hm_pubs(struct hm *m, const char *key, const uint8_t (*pubs)[YC_PUBKEY_LEN], size_t n);
/* An array of n 32-byte ids. */
void hm_ids(struct hm *m, const char *key, const uint8_t (*ids)[YC_HASH_LEN], size_t n);
/* An array of n [key, basis points] pairs. */
void hm_shares(struct hm *m, const char *key, const struct yc_contributor *c, size_t n);
/* Writes the body of type `type` into out (reset first) and empties m. */
void hm_finish(struct hm *m, enum yc_tx_type type, struct yc_buf *out);

/* ---- body builders (on hm): reset `out`, write one canonical body map ---- */

void hb_register(struct yc_buf *out, const uint8_t *account, const char *role, const char *name,
                 const char *jurisdiction);
void hb_update(struct yc_buf *out, const uint8_t *account, const char *name,
               const char *jurisdiction);
void hb_token(struct yc_buf *out, const uint8_t *to, uint64_t amount);

struct hb_grant {
    const uint8_t *processor;
    const char *categories[YC_LIST_MAX + 2]; /* NULL-terminated */
    const char *purposes[YC_LIST_MAX + 2];
    const char *operations[YC_LIST_MAX + 2];
    const char *jurisdiction;
    uint64_t not_before, until, fee_per_use, max_uses, retention_days; /* 0: omitted */
    bool onward_transfer;
};
void hb_grant(struct yc_buf *out, const struct hb_grant *g);
void hb_revoke(struct yc_buf *out, const uint8_t id[YC_HASH_LEN]);

struct hb_usage {
    const uint8_t *consent, *license; /* NULL: omitted */
    const char *purpose, *operation, *category;
    const uint8_t *input, *output;
};
void hb_usage(struct yc_buf *out, const struct hb_usage *u);
void hb_anchor(struct yc_buf *out, const uint8_t *digest, size_t dlen, const char *kind,
               const char *note, const uint8_t *ref);

/* ---- the test chain ---- */

/* Genesis accounts (key number = enum value) and two keys that start unregistered. */
enum {
    TC_EXCHANGE = 0, /* exchange, 1 000 000 fen */
    TC_AGENCY,       /* agency */
    TC_REGULATOR,    /* regulator */
    TC_ALICE,        /* individual, 10 000 */
    TC_BOB,          /* individual, 10 000 */
    TC_PROCESSOR,    /* processor, 50 000 */
    TC_ENTERPRISE,   /* enterprise, 5 000 */
    TC_NGENESIS,
    TC_CAROL = TC_NGENESIS, /* not registered */
    TC_DAVE,                /* not registered */
    TC_NKEYS
};

struct tchain {
    struct yc_genesis g;
    yc_signer *keys[TC_NKEYS];
    uint8_t pub[TC_NKEYS][YC_PUBKEY_LEN];
    struct mem_state *ms;
    yc_overlay *blk;           /* the open block's overlay over ms */
    uint8_t root[YC_HASH_LEN]; /* state root of the last committed block */
    uint64_t height;           /* height of the open block */
    uint64_t time_ms;          /* its time */
    uint32_t index;            /* next tx index in the open block */
    struct yc_tx *pending;     /* copies of the txs applied in the open block */
    uint32_t npending, pending_cap;
    uint8_t prev_hash[YC_HASH_LEN]; /* hash of the last sealed block (genesis hash at first) */
    uint8_t **blocks;               /* encoded blocks with certificate, heights 1..nblocks */
    size_t *block_lens;
    size_t nblocks;
};

void tc_init(struct tchain *tc);
void tc_cleanup(struct tchain *tc);
/* Signs and decodes a tx by key `who` (asserts success). */
void tc_make_tx(struct tchain *tc, uint32_t who, enum yc_tx_type type, uint64_t nonce,
                const struct yc_buf *body, struct yc_tx *out);
/* Executes a decoded tx in the open block; returns the ledger's code. */
int tc_exec(struct tchain *tc, const struct yc_tx *tx);
/* Builds, signs and executes with the sender's next nonce; *id (optional) gets the id. */
int tc_send(struct tchain *tc, uint32_t who, enum yc_tx_type type, const struct yc_buf *body,
            uint8_t id[YC_HASH_LEN]);
int tc_send_nonce(struct tchain *tc, uint32_t who, enum yc_tx_type type, uint64_t nonce,
                  const struct yc_buf *body, uint8_t id[YC_HASH_LEN]);
/*
 * Sends with the next nonce and asserts the outcome is `code` (names printed on a
 * mismatch). For a refusal, also asserts that nothing was written and the sender's
 * nonce did not move. Returns nothing; *id (optional) gets the tx id.
 */
void tc_expect(struct tchain *tc, uint32_t who, enum yc_tx_type type, const struct yc_buf *body,
               int code, uint8_t id[YC_HASH_LEN]);
/* Signs the body for `who` and returns yc_tx_decode's verdict (for schema refusals). */
int tc_decode_code(struct tchain *tc, uint32_t who, enum yc_tx_type type,
                   const struct yc_buf *body);
/* Closes the open block (root, apply to ms) and opens the next one 1 s later. The
 * closed block is also sealed: header, txs and a certificate signed by the single
 * validator (the exchange's key), encoded into tc->blocks. */
void tc_commit(struct tchain *tc);
/* Replays the chain's sealed blocks from genesis over a fresh memory store, as a restarted
 * node or the audit tool does: each block's parent, certificate and transaction
 * signatures checked, and the last state root the chain's (asserted). Returns the store
 * (mem_state_free it); root, if not NULL, gets the last state root. */
struct mem_state *tc_replay(const struct tchain *tc, uint8_t root[YC_HASH_LEN]);
/* Signs a COMMIT certificate for block `hash` at `height` by validators idx[0..n) whose
 * keys are signers[idx[i]] (signers indexed like g's validators). */
void h_cert(struct yc_cert *c, const struct yc_genesis *g, yc_signer *const *signers,
            const uint32_t *idx, uint32_t n, uint64_t height, uint64_t view,
            const uint8_t hash[YC_HASH_LEN]);
/* Reads from the open block's view. */
bool tc_registered(struct tchain *tc, uint32_t who);
uint64_t tc_balance(struct tchain *tc, uint32_t who);
uint64_t tc_nonce(struct tchain *tc, uint32_t who);
struct yc_account tc_account(struct tchain *tc, uint32_t who); /* slices borrow the overlay */
/* Decodes consent `id` into *c; returns the overlay's code. */
int tc_consent(struct tchain *tc, const uint8_t id[YC_HASH_LEN], struct yc_consent *c);
/* A digest of the open block's writes: equal before and after = nothing written. */
void tc_fingerprint(struct tchain *tc, uint8_t out[YC_HASH_LEN]);
/* Sum of the balances of every key's account. */
uint64_t tc_total_supply(struct tchain *tc);

#endif
