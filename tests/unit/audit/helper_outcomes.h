/*
 * helper_outcomes.h — what the audit tests need beyond the storage tests' chain builder
 * (helper_chain.h): blocks whose transactions may fail (recorded as failed, DESIGN.md §3),
 * blocks that record a false outcome, and transactions with co-signatures added, changed
 * or stripped (TESTING.md F6).
 */
#ifndef YC_TEST_HELPER_OUTCOMES_H
#define YC_TEST_HELPER_OUTCOMES_H

#include "../storage/helper_chain.h"

/*
 * Executes txs[0..ntx) with yc_exec_tx_outcome on the store's state (each must stand in a
 * block; a failure is recorded as failed), seals, certifies and commits the block; with
 * `lie` not NULL the block records lie[0..ntx) instead of the real outcomes (its roots and
 * certificate still consistent with what it records). outcomes (if not NULL) gets the real
 * outcomes. Asserts on failure.
 */
void tout_commit(struct tchain *c, store *s, const struct yc_tx *txs, uint32_t ntx,
                 const int *lie, int *outcomes);

/* Alice revokes `consent`. */
void tout_tx_revoke(struct tchain *c, const uint8_t consent[YC_HASH_LEN], struct yc_tx *out);

/* Account key number `keyno` (family 'a', >= 2) registers itself as an individual,
 * co-signed by the exchange (a registrar). */
void tout_tx_register(struct tchain *c, uint32_t keyno, struct yc_tx *out);

/* `in` re-encoded with its co-signatures stripped (strip) and/or a co-signature by `add`
 * (NULL: none) over its id added; same id. */
void tout_tx_recosign(const struct yc_tx *in, bool strip, const yc_signer *add,
                      struct yc_tx *out);

#endif
