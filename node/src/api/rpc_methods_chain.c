/*
 * rpc_methods_chain.c — blocks: block (json | raw) and blockchain (a range of
 * headers, newest first). docs/rpc.md.
 *
 * blockchain reads only each block's header out of the stored bytes
 * (yc_block_header_decode)
 * instead of decoding every transaction: listing 100 full blocks would otherwise
 * decode up to 800 MiB on the loop thread. A block read back from this node's store
 * was checked in full before it was stored, so it is decoded without hashing its
 * transactions again for the two roots (yc_block_decode_trusted, as events.c does).
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "rpc_impl.h"
#include "rpc_json.h"
#include "yc/alloc.h"
#include "yc/block.h"
#include "yc/hash.h"
#include "yc/store.h"

#define BLOCKCHAIN_SPAN 100 /* at most this many blocks per answer */
#define BLOCKCHAIN_DEFAULT 20

int yc__rpc_read_block(store *s, uint64_t height, struct yc_block *b)
{
    memset(b, 0, sizeof(*b));
    if (!s)
        return YC_ENOTFOUND;
    uint8_t *bytes = NULL;
    size_t len = 0;
    int rc = store_get_block(s, height, &bytes, &len);
    if (rc != YC_OK)
        return rc;
    rc = yc_block_decode_trusted(b, bytes, len); /* this node stored it */
    yc_free(bytes);
    return rc == YC_OK ? YC_OK : YC_ECORRUPT;
}

static uint64_t tip_height(yc_node *n)
{
    struct yc_node_status st;
    memset(&st, 0, sizeof(st));
    yc_node_status(n, &st);
    return st.height;
}

void yc__rpc_block(struct rpc_call *c, json_t *params)
{
    uint64_t height = 0;
    bool present = false;
    if (!yc__rpc_param_u64(c, params, "height", false, &height, &present))
        return;
    if (!present)
        height = tip_height(c->node);
    const char *format = "json";
    if (!yc__rpc_param_str(c, params, "format", false, &format, NULL))
        return;
    if (!format)
        format = "json";
    bool raw = strcmp(format, "raw") == 0;
    if (!raw && strcmp(format, "json") != 0) {
        yc__rpc_bad_param(c, "format", "must be json or raw");
        return;
    }
    if (height == 0) {
        yc__rpc_fail(c, RPC_NOT_FOUND, YC_ENOTFOUND,
                     "height 0 is the genesis state, not a block: see the genesis method");
        return;
    }
    store *s = yc_node_store(c->node);
    uint8_t *bytes = NULL;
    size_t len = 0;
    int rc = s ? store_get_block(s, height, &bytes, &len) : YC_ENOTFOUND;
    if (rc == YC_ENOTFOUND) {
        yc__rpc_failf(c, RPC_NOT_FOUND, YC_ENOTFOUND, "no block at height %llu",
                      (unsigned long long)height);
        return;
    }
    if (rc != YC_OK) {
        yc__rpc_fail(c, RPC_INTERNAL, rc, NULL);
        return;
    }
    json_t *o = json_object();
    if (raw) {
        struct yc_block_header h;
        uint8_t hash[YC_HASH_LEN];
        rc = yc_block_header_decode(bytes, len, &h);
        if (rc == YC_OK)
            rc = yc_header_hash(&h, hash);
        if (rc == YC_OK && o) {
            json_object_set_new(o, "height", yc_json_u64(height));
            json_object_set_new(o, "hash", yc_json_hex(hash, YC_HASH_LEN));
            json_object_set_new(o, "raw", yc_json_hex(bytes, len));
        }
    } else {
        struct yc_block b;
        rc = yc_block_decode_trusted(&b, bytes, len); /* this node stored it */
        if (rc == YC_OK && o) {
            json_t *ids = json_array();
            json_t *results = json_array();
            for (uint32_t i = 0; ids && i < b.ntx; i++)
                json_array_append_new(ids, yc_json_hex(b.txs[i].id, YC_HASH_LEN));
            for (uint32_t i = 0; results && i < b.ntx; i++)
                json_array_append_new(results, json_string(yc_err_name(b.results[i])));
            json_object_set_new(o, "height", yc_json_u64(b.hdr.height));
            json_object_set_new(o, "hash", yc_json_hex(b.hash, YC_HASH_LEN));
            json_object_set_new(o, "header", yc_json_header(&b.hdr));
            json_object_set_new(o, "txs", ids);
            json_object_set_new(o, "results", results);
            json_object_set_new(o, "certificate", yc_json_cert(&b.cert));
        }
        if (rc == YC_OK)
            yc_block_cleanup(&b);
    }
    yc_free(bytes);
    if (rc != YC_OK) {
        json_decref(o);
        yc__rpc_fail(c, RPC_INTERNAL, YC_ECORRUPT, "stored block does not decode");
        return;
    }
    yc__rpc_ok(c, o);
}

void yc__rpc_blockchain(struct rpc_call *c, json_t *params)
{
    uint64_t tip = tip_height(c->node);
    uint64_t max = tip, min = 0;
    bool has_min = false;
    if (!yc__rpc_param_u64(c, params, "max", false, &max, NULL) ||
        !yc__rpc_param_u64(c, params, "min", false, &min, &has_min))
        return;
    if (max > tip)
        max = tip;
    if (!has_min)
        min = max >= BLOCKCHAIN_DEFAULT ? max - BLOCKCHAIN_DEFAULT + 1 : 1;
    if (min == 0)
        min = 1;
    if (max >= min && max - min >= BLOCKCHAIN_SPAN)
        min = max - BLOCKCHAIN_SPAN + 1; /* keep the newest BLOCKCHAIN_SPAN */
    json_t *blocks = json_array();
    store *s = yc_node_store(c->node);
    int rc = YC_OK;
    for (uint64_t h = max; blocks && s && h >= min && h >= 1; h--) {
        uint8_t *bytes = NULL;
        size_t len = 0;
        struct yc_block_header hdr;
        uint8_t hash[YC_HASH_LEN];
        rc = store_get_block(s, h, &bytes, &len);
        if (rc == YC_OK)
            rc = yc_block_header_decode(bytes, len, &hdr);
        if (rc == YC_OK)
            rc = yc_header_hash(&hdr, hash);
        yc_free(bytes);
        if (rc != YC_OK)
            break;
        json_t *e = json_object();
        json_object_set_new(e, "height", yc_json_u64(h));
        json_object_set_new(e, "hash", yc_json_hex(hash, YC_HASH_LEN));
        json_object_set_new(e, "time", yc_json_time(hdr.time_ms));
        json_object_set_new(e, "time_ms", yc_json_u64(hdr.time_ms));
        json_object_set_new(e, "tx_count", yc_json_u64(hdr.tx_count));
        json_object_set_new(e, "proposer", json_integer((json_int_t)hdr.proposer));
        json_array_append_new(blocks, e);
    }
    if (rc != YC_OK) {
        json_decref(blocks);
        yc__rpc_fail(c, RPC_INTERNAL, rc, "stored block unreadable");
        return;
    }
    yc__rpc_ok(c, json_pack("{s:o,s:o*}", "last_height", yc_json_u64(tip), "blocks", blocks));
}
