/*
 * list.h — lists of ledger objects read through a secondary index (objects.h), over any
 * state source: the node's LevelDB state (store_state_src), the audit's replayed state
 * or its index. The node's `consents` and `usage` methods and `yuchain-audit subject`
 * list with these, so they walk the same entries, stop at the same point and render each
 * object alike (json.h).
 *
 * An index entry names its object either at the end of its key (idx/consent_subject/
 * <pub33><id32> → "") or in its value (idx/usage_subject/<pub33><u64be height><u32be
 * index> → id32). Entries are visited in key order, so consents come in id order and
 * uses in ledger order.
 *
 * Threading: as the source; no state of its own.
 */
#ifndef YC_LIST_H
#define YC_LIST_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "yc/err.h"
#include "yc/state.h"

/*
 * Appends to the array `out`, for each of the first `limit` entries under
 * prefix[0..plen) of an index of consents (idx/consent_subject/<pub33>,
 * idx/consent_processor/<pub33>), the consent as yc_json_consent shows it with its
 * status at block time now_ms. Returns YC_OK; YC_EINVAL (NULL argument, src->scan NULL);
 * YC_ECORRUPT (an entry of another shape, or naming a consent that is missing or does
 * not decode); YC_ENOMEM; the source's YC_EIO. On failure `out` may hold a part.
 */
YC_WUR int yc_list_consents(const struct yc_state_src *src, const uint8_t *prefix, size_t plen,
                            size_t limit, uint64_t now_ms, json_t *out);

/* The same for an index of uses (idx/usage_subject/<pub33>, idx/usage_asset/<id32>):
 * each use as yc_json_usage shows it. */
YC_WUR int yc_list_usage(const struct yc_state_src *src, const uint8_t *prefix, size_t plen,
                         size_t limit, json_t *out);

#endif
