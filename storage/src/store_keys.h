/*
 * store_keys.h — the database's key grammar (docs/storage.md), shared by store.c,
 * journal.c and the storage tests (which tamper with a database through raw LevelDB).
 *
 *   "b/" u64be(height)              → block bytes (canonical, with certificate)
 *   "h/" hash32                     → u64be(height)
 *   "t/" txid32                     → u64be(height) ‖ u32be(index)
 *   "s/" core state key             → value (core/include/yc/objects.h)
 *   "j/" u64be(height) u64be(seq)   → consensus journal record
 *   "m/genesis"                     → genesis hash (32 bytes)
 *   "m/tip"                         → tip record (STORE_TIP_LEN bytes)
 *   "m/version"                     → u32be(STORE_FORMAT_VERSION)
 *
 * Every integer is big-endian so that LevelDB's bytewise order is numeric order.
 */
#ifndef YC_STORE_KEYS_H
#define YC_STORE_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include "yc/hash.h"
#include "yc/objects.h"

#define STORE_FORMAT_VERSION 2u /* 2: tx index holds the outcome; block format 2 */

#define SK_BLOCK "b/"
#define SK_HASH "h/"
#define SK_TX "t/"
#define SK_STATE "s/"
#define SK_JOURNAL "j/"
#define SK_GENESIS "m/genesis"
#define SK_TIP "m/tip"
#define SK_VERSION "m/version"
#define SK_PREFIX_LEN 2

/* Largest key this module builds: "s/" + a state key of at most YC_KEY_MAX bytes. */
#define SK_MAX (SK_PREFIX_LEN + YC_KEY_MAX)

/* height ‖ hash ‖ state_root ‖ time_ms */
#define STORE_TIP_LEN (8 + YC_HASH_LEN + YC_HASH_LEN + 8)

void sk_put_u64(uint8_t *p, uint64_t v);
void sk_put_u32(uint8_t *p, uint32_t v);
uint64_t sk_get_u64(const uint8_t *p);
uint32_t sk_get_u32(const uint8_t *p);

/* Each builder writes into key (at least SK_MAX bytes) and returns the key length. */
size_t sk_block(uint8_t *key, uint64_t height);
size_t sk_hash(uint8_t *key, const uint8_t hash[YC_HASH_LEN]);
size_t sk_tx(uint8_t *key, const uint8_t txid[YC_HASH_LEN]);
/* Returns 0 if klen > YC_KEY_MAX (no key built). */
size_t sk_state(uint8_t *key, const uint8_t *skey, size_t klen);
size_t sk_journal(uint8_t *key, uint64_t height, uint64_t seq);
/* "j/" u64be(height): the prefix of one height's records. */
size_t sk_journal_height(uint8_t *key, uint64_t height);

#endif
