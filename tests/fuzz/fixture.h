/*
 * fixture.h — fixed keys and a fixed chain shared by the fuzz harnesses and the corpus
 * generator (make_corpus.c), so that seeds signed by the generator carry signatures the
 * harnesses accept and mutations start from deep, valid states.
 *
 * Key number i has the secret key 0x00…00(i+1) (31 zero bytes, then i+1). The chain is
 * FZ_CHAIN with FZ_NVAL validators (keys 0..FZ_NVAL-1) and a few genesis accounts.
 * Failures here abort: they are bugs of the fixture, never of the input.
 */
#ifndef YC_FUZZ_FIXTURE_H
#define YC_FUZZ_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "yc/genesis.h"
#include "yc/keys.h"
#include "yc/tx.h"

#define FZ_CHAIN "fuzz-chain"
#define FZ_NVAL 4
#define FZ_TIME0 1700000000000ull /* genesis time, Unix ms */

/* p2p_frame: validator 0 dials validator 1 with these ephemeral seeds (each byte of the
 * 32-byte seed) and this frame limit. */
#define FZ_P2P_SEED_I 0x11
#define FZ_P2P_SEED_R 0x22
#define FZ_P2P_MAX_FRAME 4096u
/* keystore: the sealing key (each of its 32 bytes) the harness unseals with. */
#define FZ_SEAL_KEY_BYTE 0x5a

/* A signer for key number i (< 255); the caller destroys it. */
yc_signer *fz_signer(uint32_t i);
/* Public key of key number i. */
void fz_pub(uint32_t i, uint8_t pub[YC_PUBKEY_LEN]);
/* Fills and finalizes the fixed genesis (n validators, n <= YC_MAX_VALIDATORS); the
 * caller frees it with yc_genesis_cleanup. */
void fz_genesis(struct yc_genesis *g, uint32_t n);
/* The transactions of block 1 of the rpc harness's chain (genesis fz_genesis(g, 1)):
 * txs[0] a consent.grant by account key 103 (individual) to key 104 (processor),
 * txs[1] that processor's usage.record under it. Signed, decoded into out[0..1] (the
 * caller cleans them up). Their ids depend only on this code, so make_corpus.c can name
 * them in seeds. */
void fz_chain_txs(struct yc_tx out[2]);
/* 32 deterministic "random" bytes derived from a counter (aux randomness for seeds). */
void fz_aux(uint8_t out[32], uint64_t counter);

#endif
