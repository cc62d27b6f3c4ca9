/*
 * role.h — the validator set in force and this node's role in it (docs/design/pbft.md
 * §3a, docs/operator.md "Changing the validator set").
 *
 * n->vs is the set of the height being decided (tip + 1), read from the committed chain
 * (yc__node_valset) at start and after every stored block; n->validator_index is this
 * node's position in it (UINT32_MAX: an observer). Everything that names validators by
 * index — the driver, the transport, block sync's certificate checks, the RPC — uses
 * n->vs. When the set of tip + 1 differs from the one before, this file logs the change,
 * renumbers the transport's peers (p2p_set_validators, with the keys that join at a
 * later height already approved: they are accepted as members before they vote), and
 * changes the node's role:
 *
 *   - its validator key left the set (removed, or replaced by another key): the driver
 *     stops (no vote for tip + 1 or later leaves the node) and the node follows the
 *     chain by block sync as an observer; broadcasts are refused from then on;
 *   - its validator key (configured in validator_key.json, kept while the node was an
 *     observer) joined the set: a driver starts at tip + 1 and the node votes from there.
 *
 * A stopped driver stays allocated (its timers closed, every input ignored) until the
 * node exits: it may be inside one of its own calls when the block that removes it is
 * stored. Loop thread only.
 */
#ifndef YC_ROLE_H
#define YC_ROLE_H

#include <stdint.h>

#include "node_internal.h"

/* Reads the set in force at tip + 1 and this node's position in it (at start, once the
 * tip is known; no driver or transport exists yet). */
void yc__role_init(yc_node *n);

/* A block was stored (n->tip moved): follows a change of the set at tip + 1 or of the
 * keys that join later, as described above. */
void yc__role_follow(yc_node *n);

/* A name for validator `index` of n->vs: the name the ledger records for it (given in
 * the genesis or when it was added; a replaced key keeps its validator's name), else the
 * start of its yc1 address; "?" for an index outside the set. */
const char *yc__role_name(const yc_node *n, uint32_t index);

/* Frees the drivers stopped when this node left the set (after the loop ran out). */
void yc__role_free(yc_node *n);

#endif
