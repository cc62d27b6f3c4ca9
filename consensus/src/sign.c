/*
 * sign.c — signing and verifying consensus messages.
 *
 * Aux randomness: BIP-340 mixes 32 "auxiliary random" bytes into the nonce only as a
 * side-channel hardening; the nonce stays secret-key dependent either way. Consensus
 * is pure (no randomness source), so the aux bytes are derived from the message:
 * aux = H("yuchain/pbft/aux/v1", chain_id, msg32). Signing the same vote twice thus
 * gives the same signature, which makes a re-sent vote byte-identical.
 *
 * Verified-signature cache: every node verifies each signature once (DESIGN.md §11);
 * a signature met again (a PREPARE inside a prepared certificate, a VIEW-CHANGE inside
 * a NEW-VIEW) hits the cache. An entry is H(validator ‖ msg32 ‖ sig) of a signature
 * that verified, so a hit proves exactly what a verification would; the validator is an
 * index into the set in force, so the cache is emptied when the set changes.
 */
#include <string.h>

#include "pbft_int.h"

#define AUX_TAG "yuchain/pbft/aux/v1"

int pbft__sign(pbft_node *n, uint8_t sig[YC_SIG_LEN], const uint8_t msg32[YC_HASH_LEN])
{
    uint8_t aux[YC_HASH_LEN];
    yc_hash_tagged(aux, AUX_TAG, n->g->chain_id, msg32, YC_HASH_LEN);
    return yc_sig_sign(n->signer, sig, msg32, aux);
}

static void cache_key(uint8_t out[YC_HASH_LEN], uint32_t v, const uint8_t msg32[YC_HASH_LEN],
                      const uint8_t sig[YC_SIG_LEN])
{
    uint8_t buf[4 + YC_HASH_LEN + YC_SIG_LEN];
    buf[0] = (uint8_t)(v >> 24);
    buf[1] = (uint8_t)(v >> 16);
    buf[2] = (uint8_t)(v >> 8);
    buf[3] = (uint8_t)v;
    memcpy(buf + 4, msg32, YC_HASH_LEN);
    memcpy(buf + 4 + YC_HASH_LEN, sig, YC_SIG_LEN);
    yc_sha256(out, buf, sizeof buf);
}

bool pbft__verify(pbft_node *n, uint32_t v, const uint8_t msg32[YC_HASH_LEN],
                  const uint8_t sig[YC_SIG_LEN])
{
    uint8_t key[YC_HASH_LEN];

    if (v >= n->n) {
        return false;
    }
    cache_key(key, v, msg32, sig);
    for (uint32_t i = 0; i < n->sigcache_len; i++) {
        if (memcmp(n->sigcache[i], key, YC_HASH_LEN) == 0) {
            return true;
        }
    }
    if (!yc_sig_verify(sig, msg32, n->vs.keys[v])) {
        return false;
    }
    memcpy(n->sigcache[n->sigcache_next], key, YC_HASH_LEN);
    n->sigcache_next = (n->sigcache_next + 1) % PBFT_SIGCACHE;
    if (n->sigcache_len < PBFT_SIGCACHE) {
        n->sigcache_len++;
    }
    return true;
}

void pbft__vote_hash(const pbft_node *n, uint8_t out[YC_HASH_LEN], enum pbft_phase ph, uint64_t v,
                     const uint8_t digest[YC_HASH_LEN])
{
    yc_vote_hash(out, n->g->chain_id, pbft__phase_name(ph), n->height, v, digest);
}

void pbft__body_hash(const pbft_node *n, uint8_t out[YC_HASH_LEN], const uint8_t *body, size_t len)
{
    yc_hash_tagged(out, YC_TAG_PBFT, n->g->chain_id, body, len);
}
