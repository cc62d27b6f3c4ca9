/*
 * netmsg.h — payloads of the node's p2p messages other than consensus (grammar in
 * docs/sync.md): the status carried by a PING, block-sync requests and responses, and
 * batches of gossiped transactions. The transport (p2p.h) only frames and encrypts them.
 *
 * Every integer is big-endian; every payload starts with a version byte (1). Decoders
 * take untrusted bytes with their length, check every declared length against what is
 * present and against fixed caps before anything is used, refuse trailing bytes, and
 * never allocate. Pure functions; any thread.
 */
#ifndef YC_NETMSG_H
#define YC_NETMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "yc/buf.h"
#include "yc/err.h"
#include "yc/hash.h"

#define YC_NETMSG_VERSION 1

/* status = version:u8 ‖ height:u64 ‖ tip_hash[32]  (payload of a PING) */
#define YC_NETMSG_STATUS_LEN 41
struct yc_netmsg_status {
    uint64_t height;           /* the sender's committed tip */
    uint8_t hash[YC_HASH_LEN]; /* its block hash */
};
/* Writes the 41 bytes of s into out. */
void yc__netmsg_status_encode(uint8_t out[YC_NETMSG_STATUS_LEN], const struct yc_netmsg_status *s);
/* Reads a status. Returns YC_OK or YC_EDECODE (wrong length or version); *s set on OK. */
YC_WUR int yc__netmsg_status_decode(struct yc_netmsg_status *s, const uint8_t *p, size_t len);

/* block request = version:u8 ‖ from:u64 ‖ count:u32   (blocks from..from+count-1) */
#define YC_NETMSG_BLOCKREQ_LEN 13
void yc__netmsg_blockreq_encode(uint8_t out[YC_NETMSG_BLOCKREQ_LEN], uint64_t from, uint32_t count);
/* Returns YC_OK, or YC_EDECODE (length, version, from = 0 or count = 0). */
YC_WUR int yc__netmsg_blockreq_decode(const uint8_t *p, size_t len, uint64_t *from,
                                      uint32_t *count);

/*
 * A list of byte strings: n:u32 ‖ n × (len:u32 ‖ bytes[len]).
 * block response = version:u8 ‖ from:u64 ‖ list   (blocks with certificates, heights
 *                                                  from, from+1, …; n may be 0)
 * tx batch       = version:u8 ‖ list              (signed transactions, n >= 1)
 */
struct yc_netmsg_list {
    uint32_t n;       /* items */
    const uint8_t *p; /* next item's length field */
    const uint8_t *end;
    uint32_t i; /* items returned so far */
};

/*
 * Checks a block response of at most max_items blocks each at most max_item bytes
 * (borrowed; the iterator points into it). Returns YC_OK with *from and *it ready, or
 * YC_EDECODE / YC_ETOOLARGE (a count or length beyond the caps or the bytes present,
 * trailing bytes).
 */
YC_WUR int yc__netmsg_blocks_parse(const uint8_t *p, size_t len, uint32_t max_items,
                                   size_t max_item, uint64_t *from, struct yc_netmsg_list *it);
/* Same for a tx batch (at least one tx). */
YC_WUR int yc__netmsg_txs_parse(const uint8_t *p, size_t len, uint32_t max_items, size_t max_item,
                                struct yc_netmsg_list *it);
/* The next item of a parsed list (borrowed); false after the last. */
bool yc__netmsg_list_next(struct yc_netmsg_list *it, const uint8_t **item, size_t *len);

/*
 * Building a block response or a tx batch in b (reset first): begin, then add items,
 * then finish (writes the count). Each returns YC_OK, YC_ELIMIT (b's cap), YC_ENOMEM;
 * b is unchanged by a failed add. `count_at` remembers where the count goes.
 */
YC_WUR int yc__netmsg_blocks_begin(struct yc_buf *b, uint64_t from, size_t *count_at);
YC_WUR int yc__netmsg_txs_begin(struct yc_buf *b, size_t *count_at);
YC_WUR int yc__netmsg_list_add(struct yc_buf *b, const uint8_t *item, size_t len);
void yc__netmsg_list_finish(struct yc_buf *b, size_t count_at, uint32_t n);
/* Bytes one item adds to a list. */
#define YC_NETMSG_ITEM_OVERHEAD 4u

#endif
