/*
 * helper_outcomes.h — what the audit tests need beyond the storage tests' chain builder
 * (helper_chain.h): blocks whose transactions may fail (recorded as failed, DESIGN.md §3),
 * blocks that record a false outcome, and transactions with co-signatures added, changed
 * or stripped (TESTING.md F6).
 */
#ifndef YC_TEST_HELPER_OUTCOMES_H
#define YC_TEST_HELPER_OUTCOMES_H

#include "../storage/helper_chain.h"

/* Blocks with failed (or falsely recorded) outcomes: tchain_commit_outcomes. */

/* Alice revokes `consent`. */
void tout_tx_revoke(struct tchain *c, const uint8_t consent[YC_HASH_LEN], struct yc_tx *out);

/* Account key number `keyno` (family 'a', >= 2) registers itself as an individual,
 * co-signed by the exchange (a registrar). */
void tout_tx_register(struct tchain *c, uint32_t keyno, struct yc_tx *out);

/* `in` re-encoded with its co-signatures stripped (strip) and/or a co-signature by `add`
 * (NULL: none) over its id added; same id. */
void tout_tx_recosign(const struct yc_tx *in, bool strip, const yc_signer *add, struct yc_tx *out);

#endif
