/*
 * netmsg.c — encoding and checking of the status, block-sync and tx-gossip payloads
 * (see netmsg.h, docs/sync.md).
 *
 * A list is checked whole before its first item is handed out: the declared count
 * must be within the cap and every item's declared length within the cap and the
 * bytes actually present, with nothing after the last item. So a peer that declares
 * huge lengths costs a loop over what it really sent, and nothing is allocated.
 */
#include <string.h>

#include "netmsg.h"

static void put_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static void put_u64(uint8_t *p, uint64_t v)
{
    put_u32(p, (uint32_t)(v >> 32));
    put_u32(p + 4, (uint32_t)v);
}

static uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static uint64_t get_u64(const uint8_t *p)
{
    return (uint64_t)get_u32(p) << 32 | get_u32(p + 4);
}

void yc__netmsg_status_encode(uint8_t out[YC_NETMSG_STATUS_LEN], const struct yc_netmsg_status *s)
{
    out[0] = YC_NETMSG_VERSION;
    put_u64(out + 1, s->height);
    memcpy(out + 9, s->hash, YC_HASH_LEN);
}

int yc__netmsg_status_decode(struct yc_netmsg_status *s, const uint8_t *p, size_t len)
{
    if (p == NULL || len != YC_NETMSG_STATUS_LEN || p[0] != YC_NETMSG_VERSION)
        return YC_EDECODE;
    s->height = get_u64(p + 1);
    memcpy(s->hash, p + 9, YC_HASH_LEN);
    return YC_OK;
}

void yc__netmsg_blockreq_encode(uint8_t out[YC_NETMSG_BLOCKREQ_LEN], uint64_t from, uint32_t count)
{
    out[0] = YC_NETMSG_VERSION;
    put_u64(out + 1, from);
    put_u32(out + 9, count);
}

int yc__netmsg_blockreq_decode(const uint8_t *p, size_t len, uint64_t *from, uint32_t *count)
{
    if (p == NULL || len != YC_NETMSG_BLOCKREQ_LEN || p[0] != YC_NETMSG_VERSION)
        return YC_EDECODE;
    uint64_t f = get_u64(p + 1);
    uint32_t c = get_u32(p + 9);
    if (f == 0 || c == 0)
        return YC_EDECODE;
    *from = f;
    *count = c;
    return YC_OK;
}

/* Checks the list at p[0..len) and sets up the iterator. */
static int list_parse(const uint8_t *p, size_t len, uint32_t max_items, size_t max_item,
                      struct yc_netmsg_list *it)
{
    memset(it, 0, sizeof *it);
    if (len < 4)
        return YC_EDECODE;
    uint32_t n = get_u32(p);
    if (n > max_items)
        return YC_ETOOLARGE;
    const uint8_t *q = p + 4, *end = p + len;
    for (uint32_t i = 0; i < n; i++) {
        if ((size_t)(end - q) < 4)
            return YC_EDECODE;
        uint32_t l = get_u32(q);
        q += 4;
        if (l > max_item)
            return YC_ETOOLARGE;
        if ((size_t)(end - q) < l)
            return YC_EDECODE;
        q += l;
    }
    if (q != end)
        return YC_EDECODE; /* trailing bytes */
    it->n = n;
    it->p = p + 4;
    it->end = end;
    return YC_OK;
}

int yc__netmsg_blocks_parse(const uint8_t *p, size_t len, uint32_t max_items, size_t max_item,
                            uint64_t *from, struct yc_netmsg_list *it)
{
    memset(it, 0, sizeof *it);
    if (p == NULL || len < 9 || p[0] != YC_NETMSG_VERSION)
        return YC_EDECODE;
    uint64_t f = get_u64(p + 1);
    if (f == 0)
        return YC_EDECODE;
    int rc = list_parse(p + 9, len - 9, max_items, max_item, it);
    if (rc == YC_OK)
        *from = f;
    return rc;
}

int yc__netmsg_txs_parse(const uint8_t *p, size_t len, uint32_t max_items, size_t max_item,
                         struct yc_netmsg_list *it)
{
    memset(it, 0, sizeof *it);
    if (p == NULL || len < 1 || p[0] != YC_NETMSG_VERSION)
        return YC_EDECODE;
    int rc = list_parse(p + 1, len - 1, max_items, max_item, it);
    if (rc == YC_OK && it->n == 0) {
        memset(it, 0, sizeof *it);
        return YC_EDECODE;
    }
    return rc;
}

bool yc__netmsg_list_next(struct yc_netmsg_list *it, const uint8_t **item, size_t *len)
{
    if (it->i >= it->n || (size_t)(it->end - it->p) < 4)
        return false;
    uint32_t l = get_u32(it->p);
    *item = it->p + 4;
    *len = l;
    it->p += 4 + (size_t)l;
    it->i++;
    return true;
}

int yc__netmsg_blocks_begin(struct yc_buf *b, uint64_t from, size_t *count_at)
{
    uint8_t head[13];
    head[0] = YC_NETMSG_VERSION;
    put_u64(head + 1, from);
    put_u32(head + 9, 0);
    yc_buf_reset(b);
    *count_at = 9;
    return yc_buf_append(b, head, sizeof head);
}

int yc__netmsg_txs_begin(struct yc_buf *b, size_t *count_at)
{
    uint8_t head[5] = {YC_NETMSG_VERSION, 0, 0, 0, 0};
    yc_buf_reset(b);
    *count_at = 1;
    return yc_buf_append(b, head, sizeof head);
}

int yc__netmsg_list_add(struct yc_buf *b, const uint8_t *item, size_t len)
{
    if (len > UINT32_MAX)
        return YC_ELIMIT;
    int rc = yc_buf_reserve(b, 4 + len);
    if (rc != YC_OK)
        return rc;
    uint8_t l[4];
    put_u32(l, (uint32_t)len);
    rc = yc_buf_append(b, l, 4); /* cannot fail after the reserve */
    if (rc == YC_OK && len > 0)
        rc = yc_buf_append(b, item, len);
    return rc;
}

void yc__netmsg_list_finish(struct yc_buf *b, size_t count_at, uint32_t n)
{
    if (b->data != NULL && b->len >= count_at + 4)
        put_u32(b->data + count_at, n);
}
