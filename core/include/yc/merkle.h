/*
 * merkle.h — Merkle root over transaction ids, with inclusion proofs.
 *
 * Leaves are the 32-byte tx ids in block order. Node = H(merkle tag, chain_id,
 * 0x01 ‖ left ‖ right); leaf = H(merkle tag, chain_id, 0x00 ‖ id); an odd node at a
 * level is promoted unchanged (no duplication, so no CVE-2012-2459 ambiguity).
 * The root of zero leaves is 32 zero bytes. Grammar in docs/formats.md.
 */
#ifndef YC_MERKLE_H
#define YC_MERKLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "yc/err.h"
#include "yc/hash.h"

#define YC_MERKLE_MAX_DEPTH 32

struct yc_merkle_proof {
    uint32_t index;                                     /* leaf index */
    uint32_t count;                                     /* number of leaves */
    uint32_t nsiblings;                                 /* path length */
    uint8_t siblings[YC_MERKLE_MAX_DEPTH][YC_HASH_LEN]; /* bottom-up */
};

/*
 * Writes the root of ids[0..n) (n = 0 gives 32 zero bytes). Uses n*32 bytes of scratch
 * from yc_malloc. Returns YC_OK, YC_ENOMEM, YC_ELIMIT (n >= 2^32), YC_EINVAL (NULLs);
 * root is zeroed on failure.
 */
YC_WUR int yc_merkle_root(uint8_t root[YC_HASH_LEN], const char *chain_id,
                          const uint8_t (*ids)[YC_HASH_LEN], size_t n);
/*
 * Fills *proof for leaf `index` of ids[0..n). Returns YC_OK, YC_EINVAL (index >= n or
 * NULLs), YC_ENOMEM, YC_ELIMIT; *proof is zeroed on failure.
 */
YC_WUR int yc_merkle_prove(struct yc_merkle_proof *proof, const char *chain_id,
                           const uint8_t (*ids)[YC_HASH_LEN], size_t n, uint32_t index);
/* True iff the proof links `id` to `root` under chain_id, using every sibling in it. */
bool yc_merkle_verify(const uint8_t root[YC_HASH_LEN], const char *chain_id,
                      const uint8_t id[YC_HASH_LEN], const struct yc_merkle_proof *proof);

#endif
