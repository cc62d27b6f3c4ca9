/*
 * store_keys.c — builders for the key grammar of store_keys.h. Big-endian integers
 * keep LevelDB's bytewise order equal to numeric order (blocks and journal records
 * iterate by height, then sequence).
 */
#include <string.h>

#include "store_keys.h"

void sk_put_u64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--) {
        p[i] = (uint8_t)(v & 0xff);
        v >>= 8;
    }
}

void sk_put_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

uint64_t sk_get_u64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = (v << 8) | p[i];
    return v;
}

uint32_t sk_get_u32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

size_t sk_block(uint8_t *key, uint64_t height)
{
    memcpy(key, SK_BLOCK, SK_PREFIX_LEN);
    sk_put_u64(key + SK_PREFIX_LEN, height);
    return SK_PREFIX_LEN + 8;
}

size_t sk_hash(uint8_t *key, const uint8_t hash[YC_HASH_LEN])
{
    memcpy(key, SK_HASH, SK_PREFIX_LEN);
    memcpy(key + SK_PREFIX_LEN, hash, YC_HASH_LEN);
    return SK_PREFIX_LEN + YC_HASH_LEN;
}

size_t sk_tx(uint8_t *key, const uint8_t txid[YC_HASH_LEN])
{
    memcpy(key, SK_TX, SK_PREFIX_LEN);
    memcpy(key + SK_PREFIX_LEN, txid, YC_HASH_LEN);
    return SK_PREFIX_LEN + YC_HASH_LEN;
}

size_t sk_state(uint8_t *key, const uint8_t *skey, size_t klen)
{
    if (klen > YC_KEY_MAX)
        return 0;
    memcpy(key, SK_STATE, SK_PREFIX_LEN);
    if (klen > 0)
        memcpy(key + SK_PREFIX_LEN, skey, klen);
    return SK_PREFIX_LEN + klen;
}

size_t sk_journal(uint8_t *key, uint64_t height, uint64_t seq)
{
    size_t n = sk_journal_height(key, height);
    sk_put_u64(key + n, seq);
    return n + 8;
}

size_t sk_journal_height(uint8_t *key, uint64_t height)
{
    memcpy(key, SK_JOURNAL, SK_PREFIX_LEN);
    sk_put_u64(key + SK_PREFIX_LEN, height);
    return SK_PREFIX_LEN + 8;
}
