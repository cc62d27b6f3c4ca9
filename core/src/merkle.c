/*
 * merkle.c — Merkle root over transaction ids, with inclusion proofs (merkle.h).
 *
 * leaf(id) = H(merkle tag, chain_id, 0x00 ‖ id); node(l, r) = H(merkle tag, chain_id,
 * 0x01 ‖ l ‖ r). Levels pair neighbours left to right; an odd last node is promoted
 * to the next level unchanged (never paired with itself), so no two different leaf
 * lists share a root the way Bitcoin's duplication allows (CVE-2012-2459). The prefix
 * bytes keep leaves and inner nodes apart (second-preimage resistance).
 *
 * A proof lists the siblings actually met on the way up; levels where the node is
 * promoted contribute none, which the verifier recomputes from (index, count).
 */
#include <string.h>

#include "yc/alloc.h"
#include "yc/merkle.h"

static void leaf_hash(uint8_t out[YC_HASH_LEN], const char *chain_id, const uint8_t id[YC_HASH_LEN])
{
    uint8_t b[1 + YC_HASH_LEN];
    b[0] = 0x00;
    memcpy(b + 1, id, YC_HASH_LEN);
    yc_hash_tagged(out, YC_TAG_MERKLE, chain_id, b, sizeof b);
}

static void node_hash(uint8_t out[YC_HASH_LEN], const char *chain_id, const uint8_t l[YC_HASH_LEN],
                      const uint8_t r[YC_HASH_LEN])
{
    uint8_t b[1 + 2 * YC_HASH_LEN];
    b[0] = 0x01;
    memcpy(b + 1, l, YC_HASH_LEN);
    memcpy(b + 1 + YC_HASH_LEN, r, YC_HASH_LEN);
    yc_hash_tagged(out, YC_TAG_MERKLE, chain_id, b, sizeof b);
}

/*
 * Computes the root of n leaves (n >= 1) in scratch (n hashes, overwritten); if
 * proof is not NULL, records the path of proof->index.
 */
static void tree_reduce(uint8_t (*h)[YC_HASH_LEN], size_t n, const char *chain_id,
                        struct yc_merkle_proof *proof)
{
    size_t idx = proof != NULL ? proof->index : 0;
    while (n > 1) {
        if (proof != NULL) {
            size_t sib = idx ^ 1u;
            if (sib < n) {
                memcpy(proof->siblings[proof->nsiblings++], h[sib], YC_HASH_LEN);
            }
            idx /= 2;
        }
        size_t m = 0;
        for (size_t i = 0; i < n; i += 2) {
            if (i + 1 < n) {
                node_hash(h[m], chain_id, h[i], h[i + 1]);
            } else {
                memmove(h[m], h[i], YC_HASH_LEN); /* odd node promoted */
            }
            m++;
        }
        n = m;
    }
}

static int tree_run(uint8_t root[YC_HASH_LEN], const char *chain_id,
                    const uint8_t (*ids)[YC_HASH_LEN], size_t n, struct yc_merkle_proof *proof)
{
    memset(root, 0, YC_HASH_LEN);
    if (n == 0) {
        return YC_OK;
    }
    if (ids == NULL) {
        return YC_EINVAL;
    }
    if (n > UINT32_MAX) {
        return YC_ELIMIT;
    }
    uint8_t(*h)[YC_HASH_LEN] = yc_calloc(n, YC_HASH_LEN);
    if (h == NULL) {
        return YC_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        leaf_hash(h[i], chain_id, ids[i]);
    }
    tree_reduce(h, n, chain_id, proof);
    memcpy(root, h[0], YC_HASH_LEN);
    yc_free(h);
    return YC_OK;
}

int yc_merkle_root(uint8_t root[YC_HASH_LEN], const char *chain_id,
                   const uint8_t (*ids)[YC_HASH_LEN], size_t n)
{
    if (root == NULL) {
        return YC_EINVAL;
    }
    return tree_run(root, chain_id, ids, n, NULL);
}

int yc_merkle_prove(struct yc_merkle_proof *proof, const char *chain_id,
                    const uint8_t (*ids)[YC_HASH_LEN], size_t n, uint32_t index)
{
    if (proof == NULL) {
        return YC_EINVAL;
    }
    memset(proof, 0, sizeof *proof);
    if (index >= n) {
        return YC_EINVAL;
    }
    uint8_t root[YC_HASH_LEN];
    proof->index = index;
    proof->count = (uint32_t)(n > UINT32_MAX ? UINT32_MAX : n);
    int rc = tree_run(root, chain_id, ids, n, proof);
    if (rc != YC_OK) {
        memset(proof, 0, sizeof *proof);
    }
    return rc;
}

bool yc_merkle_verify(const uint8_t root[YC_HASH_LEN], const char *chain_id,
                      const uint8_t id[YC_HASH_LEN], const struct yc_merkle_proof *proof)
{
    if (root == NULL || id == NULL || proof == NULL || proof->count == 0 ||
        proof->index >= proof->count || proof->nsiblings > YC_MERKLE_MAX_DEPTH) {
        return false;
    }
    uint8_t h[YC_HASH_LEN];
    leaf_hash(h, chain_id, id);
    uint32_t idx = proof->index;
    uint32_t n = proof->count;
    uint32_t used = 0;
    while (n > 1) {
        uint32_t sib = idx ^ 1u;
        if (sib < n) {
            if (used == proof->nsiblings) {
                return false;
            }
            const uint8_t *s = proof->siblings[used++];
            if (idx & 1u) {
                node_hash(h, chain_id, s, h);
            } else {
                node_hash(h, chain_id, h, s);
            }
        }
        idx /= 2;
        n = n / 2 + (n & 1u);
    }
    /* Roots are public: a plain comparison leaks nothing. */
    return used == proof->nsiblings && memcmp(h, root, YC_HASH_LEN) == 0;
}
