/*
 * valset.c — lookups in a validator set (struct yc_valset, core/include/yc/block.h).
 */
#include <string.h>

#include "yc/block.h"

int yc_valset_index(const struct yc_valset *vs, const uint8_t pub[YC_PUBKEY_LEN])
{
    if (vs == NULL || pub == NULL) {
        return -1;
    }
    for (uint32_t i = 0; i < vs->n && i < YC_MAX_VALIDATORS; i++) {
        if (memcmp(vs->keys[i], pub, YC_PUBKEY_LEN) == 0) {
            return (int)i;
        }
    }
    return -1;
}

bool yc_valset_same(const struct yc_valset *a, const struct yc_valset *b)
{
    if (a->n != b->n || a->quorum != b->quorum || a->n > YC_MAX_VALIDATORS) {
        return false;
    }
    return memcmp(a->keys, b->keys, a->n * sizeof a->keys[0]) == 0;
}
