/*
 * test_block.c — blocks and commit certificates: encode/decode round trip, the tx
 * root and tx count checks, a decode taking txs already decoded (held to the same
 * checks), block execution (re-execution to the same root, a failing
 * tx, a diverged root), the vote hash's encoding, and certificate verification with
 * the F2 tampering cases (a signature short, a duplicated signer, a signer outside the
 * set, a bad signature).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "helper_ledger.h"
#include "yc/alloc.h"
#include "yc/block.h"
#include "yc/codec.h"

struct fx {
    struct tchain tc;
    struct yc_buf body;
};

/* A chain with two committed blocks holding a few transactions each. */
static int setup(void **st)
{
    struct fx *f = calloc(1, sizeof *f);
    struct tchain *tc = &f->tc;
    tc_init(tc);
    yc_buf_init(&f->body, 0);
    hb_token(&f->body, tc->pub[TC_BOB], 10);
    assert_int_equal(tc_send(tc, TC_ALICE, YC_TX_TOKEN_TRANSFER, &f->body, NULL), YC_OK);
    assert_int_equal(tc_send(tc, TC_ALICE, YC_TX_TOKEN_TRANSFER, &f->body, NULL), YC_OK);
    hb_register(&f->body, NULL, "individual", "Carol", "CN-CQ");
    assert_int_equal(tc_send(tc, TC_CAROL, YC_TX_ACCOUNT_REGISTER, &f->body, NULL), YC_OK);
    tc_commit(tc);
    hb_token(&f->body, tc->pub[TC_CAROL], 99);
    assert_int_equal(tc_send(tc, TC_EXCHANGE, YC_TX_TOKEN_ISSUE, &f->body, NULL), YC_OK);
    tc_commit(tc);
    *st = f;
    return 0;
}

static int teardown(void **st)
{
    struct fx *f = *st;
    yc_buf_cleanup(&f->body);
    tc_cleanup(&f->tc);
    free(f);
    return 0;
}

/* Genesis state over a fresh memory store; *root gets the genesis root. */
static struct mem_state *genesis_store(const struct yc_genesis *g, uint8_t root[32])
{
    struct mem_state *m = mem_state_new();
    struct yc_state_src src = mem_state_src(m);
    yc_overlay *o;
    const struct yc_write *w;
    size_t n;
    assert_int_equal(yc_overlay_create(&o, &src), YC_OK);
    assert_int_equal(yc_genesis_state(o, g, root), YC_OK);
    assert_int_equal(yc_overlay_writes(o, &w, &n), YC_OK);
    mem_state_apply(m, w, n);
    yc_overlay_destroy(o);
    return m;
}

static void reencode(const struct yc_block *b, struct yc_buf *out)
{
    yc_buf_reset(out);
    assert_int_equal(yc_block_encode(out, &b->hdr, b->txs, b->results, b->ntx, &b->cert), YC_OK);
}

static void test_block_round_trip(void **st)
{
    struct fx *f = *st;
    struct tchain *tc = &f->tc;
    struct yc_block b;
    struct yc_buf out;
    yc_buf_init(&out, 0);

    assert_int_equal(tc->nblocks, 2);
    assert_int_equal(yc_block_decode(&b, tc->blocks[0], tc->block_lens[0]), YC_OK);
    assert_int_equal(b.hdr.height, 1);
    assert_int_equal(b.ntx, 3);
    assert_int_equal(b.hdr.tx_count, 3);
    assert_string_equal(b.hdr.chain_id, TC_CHAIN);
    assert_memory_equal(b.hdr.prev_hash, tc->g.hash, 32);
    assert_int_equal(b.cert.nsigs, 1);
    assert_int_equal(yc_cert_verify(&b.cert, &tc->g, 1, b.hash), YC_OK);
    uint8_t h[32];
    assert_int_equal(yc_header_hash(&b.hdr, h), YC_OK);
    assert_memory_equal(h, b.hash, 32);
    reencode(&b, &out);
    assert_int_equal(out.len, tc->block_lens[0]);
    assert_memory_equal(out.data, tc->blocks[0], out.len);

    /* a proposal: no certificate, no `cert` key */
    yc_buf_reset(&out);
    assert_int_equal(yc_block_encode(&out, &b.hdr, b.txs, b.results, b.ntx, NULL), YC_OK);
    struct yc_block p;
    assert_int_equal(yc_block_decode(&p, out.data, out.len), YC_OK);
    assert_int_equal(p.cert.nsigs, 0);
    assert_memory_equal(p.hash, b.hash, 32); /* the certificate is not hashed */
    yc_block_cleanup(&p);

    /* the second block links to the first */
    struct yc_block b2;
    assert_int_equal(yc_block_decode(&b2, tc->blocks[1], tc->block_lens[1]), YC_OK);
    assert_memory_equal(b2.hdr.prev_hash, b.hash, 32);
    assert_true(b2.hdr.time_ms > b.hdr.time_ms);
    yc_block_cleanup(&b2);
    yc_block_cleanup(&b);
    yc_buf_cleanup(&out);
}

static void test_tx_root_and_count_checked(void **st)
{
    struct fx *f = *st;
    struct tchain *tc = &f->tc;
    struct yc_block b, bad;
    struct yc_buf out;
    yc_buf_init(&out, 0);
    assert_int_equal(yc_block_decode(&b, tc->blocks[0], tc->block_lens[0]), YC_OK);

    struct yc_block_header h = b.hdr;
    h.tx_root[0] ^= 1;
    assert_int_equal(yc_block_encode(&out, &h, b.txs, b.results, b.ntx, NULL), YC_OK);
    assert_int_equal(yc_block_decode(&bad, out.data, out.len), YC_EBADBLOCK);

    h = b.hdr;
    h.tx_count = 2;
    yc_buf_reset(&out);
    assert_int_equal(yc_block_encode(&out, &h, b.txs, b.results, b.ntx, NULL), YC_OK);
    assert_int_equal(yc_block_decode(&bad, out.data, out.len), YC_EBADBLOCK);

    /* reordered transactions change the root */
    struct yc_tx swapped[3] = {b.txs[1], b.txs[0], b.txs[2]};
    yc_buf_reset(&out);
    assert_int_equal(yc_block_encode(&out, &b.hdr, swapped, NULL, 3, NULL), YC_OK);
    assert_int_equal(yc_block_decode(&bad, out.data, out.len), YC_EBADBLOCK);

    /* height 0 is genesis, never a block */
    h = b.hdr;
    h.height = 0;
    yc_buf_reset(&out);
    assert_int_equal(yc_block_encode(&out, &h, b.txs, b.results, b.ntx, NULL), YC_OK);
    assert_int_equal(yc_block_decode(&bad, out.data, out.len), YC_EBADBLOCK);

    /* a flipped byte anywhere is caught: refused by decoding, or a different block
     * hash, or a certificate or a tx signature that no longer verifies (F2) */
    uint8_t *copy = malloc(tc->block_lens[0]);
    for (size_t i = 0; i < tc->block_lens[0]; i++) {
        memcpy(copy, tc->blocks[0], tc->block_lens[0]);
        copy[i] ^= 0x20;
        if (yc_block_decode(&bad, copy, tc->block_lens[0]) != YC_OK) {
            continue;
        }
        bool caught = memcmp(bad.hash, b.hash, 32) != 0 ||
                      yc_cert_verify(&bad.cert, &tc->g, 1, bad.hash) != YC_OK;
        for (uint32_t k = 0; k < bad.ntx && !caught; k++) {
            caught = yc_tx_verify(&bad.txs[k], TC_CHAIN) != YC_OK;
        }
        if (!caught) {
            fail_msg("flipping byte %zu of block 1 went unnoticed", i);
        }
        yc_block_cleanup(&bad);
    }
    free(copy);
    yc_block_cleanup(&b);
    yc_buf_cleanup(&out);
}

/* A resolver over a few decoded txs: gives a copy of the one with these bytes, or (a
 * liar) of its first tx whatever the bytes. */
struct pool {
    const struct yc_tx *txs;
    uint32_t n;
    bool liar;
    unsigned asked, given;
};

static int pool_resolve(void *ctx, const uint8_t *p, size_t len, struct yc_tx *out)
{
    struct pool *pl = ctx;
    pl->asked++;
    for (uint32_t i = 0; i < pl->n; i++) {
        if (pl->liar || (pl->txs[i].len == len && memcmp(pl->txs[i].bytes, p, len) == 0)) {
            pl->given++;
            return yc_tx_copy(out, &pl->txs[i]);
        }
    }
    memset(out, 0, sizeof *out);
    return YC_ENOTFOUND;
}

static void test_decode_resolved(void **st)
{
    struct fx *f = *st;
    struct tchain *tc = &f->tc;
    struct yc_block b, r;
    struct yc_buf out;
    yc_buf_init(&out, 0);
    assert_int_equal(yc_block_decode(&b, tc->blocks[0], tc->block_lens[0]), YC_OK);

    /* every tx resolved: the same block as decoded, its txs the pool's (shared) */
    struct pool pl = {.txs = b.txs, .n = b.ntx};
    assert_int_equal(
        yc_block_decode_resolved(&r, tc->blocks[0], tc->block_lens[0], pool_resolve, &pl), YC_OK);
    assert_int_equal(pl.asked, b.ntx);
    assert_int_equal(pl.given, b.ntx);
    assert_memory_equal(r.hash, b.hash, 32);
    assert_int_equal(r.ntx, b.ntx);
    for (uint32_t i = 0; i < b.ntx; i++) {
        assert_memory_equal(r.txs[i].id, b.txs[i].id, 32);
        assert_ptr_equal(r.txs[i].bytes, b.txs[i].bytes);
    }
    reencode(&r, &out);
    assert_memory_equal(out.data, tc->blocks[0], out.len);
    yc_block_cleanup(&r);

    /* some resolved, some not (a pool of the first tx only) */
    pl = (struct pool){.txs = b.txs, .n = 1};
    assert_int_equal(
        yc_block_decode_resolved(&r, tc->blocks[0], tc->block_lens[0], pool_resolve, &pl), YC_OK);
    assert_int_equal(pl.given, 1);
    for (uint32_t i = 0; i < b.ntx; i++)
        assert_memory_equal(r.txs[i].id, b.txs[i].id, 32);
    yc_block_cleanup(&r);

    /* a resolver that gives other bytes is not believed: the txs are decoded */
    pl = (struct pool){.txs = b.txs, .n = 1, .liar = true};
    assert_int_equal(
        yc_block_decode_resolved(&r, tc->blocks[0], tc->block_lens[0], pool_resolve, &pl), YC_OK);
    for (uint32_t i = 0; i < b.ntx; i++)
        assert_memory_equal(r.txs[i].id, b.txs[i].id, 32);
    yc_block_cleanup(&r);

    /* resolved txs are still held to the roots */
    struct yc_block_header h = b.hdr;
    h.tx_root[0] ^= 1;
    yc_buf_reset(&out);
    assert_int_equal(yc_block_encode(&out, &h, b.txs, b.results, b.ntx, NULL), YC_OK);
    pl = (struct pool){.txs = b.txs, .n = b.ntx};
    assert_int_equal(yc_block_decode_resolved(&r, out.data, out.len, pool_resolve, &pl),
                     YC_EBADBLOCK);
    assert_int_equal(pl.given, b.ntx);
    h = b.hdr;
    h.result_root[0] ^= 1;
    yc_buf_reset(&out);
    assert_int_equal(yc_block_encode(&out, &h, b.txs, b.results, b.ntx, NULL), YC_OK);
    assert_int_equal(yc_block_decode_resolved(&r, out.data, out.len, pool_resolve, &pl),
                     YC_EBADBLOCK);
    yc_block_cleanup(&b);
    yc_buf_cleanup(&out);
}

static void test_exec_block_reaches_same_root(void **st)
{
    struct fx *f = *st;
    /* every sealed block executed from genesis: the chain's roots (asserted) */
    mem_state_free(tc_replay(&f->tc, NULL));
}

static void test_exec_block_refuses_bad_tx_and_diverged_root(void **st)
{
    struct fx *f = *st;
    struct tchain *tc = &f->tc;
    uint8_t groot[32];
    struct mem_state *m = genesis_store(&tc->g, groot);
    struct yc_state_src src = mem_state_src(m);
    struct yc_block b;
    struct yc_buf out;
    yc_overlay *o;
    uint32_t bad;
    yc_buf_init(&out, 0);
    assert_int_equal(yc_block_decode(&b, tc->blocks[0], tc->block_lens[0]), YC_OK);

    /* the state root in the header differs */
    struct yc_block_header h = b.hdr;
    h.state_root[5] ^= 1;
    assert_int_equal(yc_block_encode(&out, &h, b.txs, b.results, b.ntx, NULL), YC_OK);
    struct yc_block b2;
    assert_int_equal(yc_block_decode(&b2, out.data, out.len), YC_OK);
    assert_int_equal(yc_overlay_create(&o, &src), YC_OK);
    assert_int_equal(yc_exec_block(o, &tc->g, &b2, groot, &bad), YC_EDIVERGED);
    yc_overlay_destroy(o);
    yc_block_cleanup(&b2);

    /* the previous root differs: the same writes chain to another root */
    uint8_t other[32];
    memcpy(other, groot, 32);
    other[0] ^= 1;
    assert_int_equal(yc_overlay_create(&o, &src), YC_OK);
    assert_int_equal(yc_exec_block(o, &tc->g, &b, other, &bad), YC_EDIVERGED);
    yc_overlay_destroy(o);

    /* a tx that fails (alice's first transfer twice: bad nonce at index 1) */
    struct yc_tx twice[2] = {b.txs[0], b.txs[0]};
    h = b.hdr;
    assert_int_equal(yc_block_header_seal(&h, twice, NULL, 2), YC_OK);
    yc_buf_reset(&out);
    assert_int_equal(yc_block_encode(&out, &h, twice, NULL, 2, NULL), YC_OK);
    assert_int_equal(yc_block_decode(&b2, out.data, out.len), YC_OK);
    assert_int_equal(yc_overlay_create(&o, &src), YC_OK);
    assert_int_equal(yc_exec_block(o, &tc->g, &b2, groot, &bad), YC_EBADBLOCK);
    assert_int_equal(bad, 1);
    yc_overlay_destroy(o);
    yc_block_cleanup(&b2);

    /* a block of another chain */
    struct yc_genesis g2 = tc->g;
    snprintf(g2.chain_id, sizeof g2.chain_id, "other");
    assert_int_equal(yc_overlay_create(&o, &src), YC_OK);
    assert_int_equal(yc_exec_block(o, &g2, &b, groot, &bad), YC_EBADBLOCK);
    yc_overlay_destroy(o);

    yc_block_cleanup(&b);
    yc_buf_cleanup(&out);
    mem_state_free(m);
}

/* yc_vote_hash encodes by hand: it must equal the codec's canonical map. */
static void test_vote_hash_is_canonical_map(void **st)
{
    (void)st;
    static const uint64_t nums[] = {
        0, 1, 127, 128, 255, 256, 65535, 65536, 0xffffffffull, 0x100000000ull, UINT64_MAX};
    static const char *const phases[] = {"prepare", "commit", "a-phase-name-of-exactly-32-b",
                                         "view-change-with-a-longer-phase-name-past-31"};
    uint8_t digest[32];
    memset(digest, 0xd1, sizeof digest);
    struct yc_buf b;
    yc_buf_init(&b, 0);
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
        for (size_t p = 0; p < sizeof phases / sizeof phases[0]; p++) {
            struct yc_enc e;
            uint64_t height = nums[i], view = nums[(i + 3) % 11];
            yc_buf_reset(&b);
            yc_enc_init(&e, &b);
            yc_enc_map(&e, 4);
            yc_enc_cstr(&e, "digest");
            yc_enc_bin(&e, digest, 32);
            yc_enc_cstr(&e, "height");
            yc_enc_uint(&e, height);
            yc_enc_cstr(&e, "phase");
            yc_enc_cstr(&e, phases[p]);
            yc_enc_cstr(&e, "view");
            yc_enc_uint(&e, view);
            assert_int_equal(yc_enc_finish(&e), YC_OK);
            uint8_t want[32], got[32];
            yc_hash_tagged(want, YC_TAG_PBFT, "chain-x", b.data, b.len);
            yc_vote_hash(got, "chain-x", phases[p], height, view, digest);
            assert_memory_equal(want, got, 32);
        }
    }
    yc_buf_cleanup(&b);
}

/* ---- certificates (F2) ---- */

struct vset {
    struct yc_genesis g;
    yc_signer *keys[5]; /* 4 validators and one outsider */
};

static void vset_init(struct vset *v, const struct yc_genesis *base)
{
    v->g = *base;
    v->g.accounts = NULL;
    v->g.naccounts = 0;
    v->g.nvalidators = 4;
    for (uint32_t i = 0; i < 5; i++) {
        v->keys[i] = h_signer(100 + i);
        if (i < 4) {
            yc_signer_pubkey(v->keys[i], v->g.validators[i].pub);
            snprintf(v->g.validators[i].name, sizeof v->g.validators[i].name, "v%u", i);
        }
    }
}

static void vset_cleanup(struct vset *v)
{
    for (uint32_t i = 0; i < 5; i++) {
        yc_signer_destroy(v->keys[i]);
    }
}

static void test_cert_verify_quorum_and_tampering(void **st)
{
    struct fx *f = *st;
    struct vset v;
    struct yc_cert c;
    uint8_t hash[32];
    memset(hash, 0x42, sizeof hash);
    vset_init(&v, &f->tc.g);
    assert_int_equal(yc_quorum(4), 3);

    static const uint32_t q3[] = {0, 1, 3};
    h_cert(&c, &v.g, v.keys, q3, 3, 9, 2, hash);
    assert_int_equal(yc_cert_verify(&c, &v.g, 9, hash), YC_OK);
    static const uint32_t all[] = {0, 1, 2, 3};
    h_cert(&c, &v.g, v.keys, all, 4, 9, 2, hash);
    assert_int_equal(yc_cert_verify(&c, &v.g, 9, hash), YC_OK);

    /* one signature short of a quorum */
    h_cert(&c, &v.g, v.keys, q3, 2, 9, 2, hash);
    assert_int_equal(yc_cert_verify(&c, &v.g, 9, hash), YC_EBADCERT);
    /* a duplicated signer standing in for the third */
    static const uint32_t dup[] = {0, 1, 1};
    h_cert(&c, &v.g, v.keys, dup, 3, 9, 2, hash);
    assert_int_equal(yc_cert_verify(&c, &v.g, 9, hash), YC_EBADCERT);
    /* unsorted */
    static const uint32_t unsorted[] = {1, 0, 3};
    h_cert(&c, &v.g, v.keys, unsorted, 3, 9, 2, hash);
    assert_int_equal(yc_cert_verify(&c, &v.g, 9, hash), YC_EBADCERT);
    /* a signer outside the validator set (index 4, a valid signature by a non-member) */
    static const uint32_t outside[] = {0, 1, 4};
    h_cert(&c, &v.g, v.keys, outside, 3, 9, 2, hash);
    assert_int_equal(yc_cert_verify(&c, &v.g, 9, hash), YC_EBADCERT);
    /* a bad signature */
    h_cert(&c, &v.g, v.keys, q3, 3, 9, 2, hash);
    c.sigs[2].sig[20] ^= 1;
    assert_int_equal(yc_cert_verify(&c, &v.g, 9, hash), YC_EBADCERT);
    /* a member's key signing in another member's slot */
    h_cert(&c, &v.g, v.keys, q3, 3, 9, 2, hash);
    memcpy(c.sigs[0].sig, c.sigs[1].sig, YC_SIG_LEN);
    assert_int_equal(yc_cert_verify(&c, &v.g, 9, hash), YC_EBADCERT);
    /* votes for another height, view, block, chain or phase */
    h_cert(&c, &v.g, v.keys, q3, 3, 9, 2, hash);
    assert_int_equal(yc_cert_verify(&c, &v.g, 10, hash), YC_EBADCERT);
    c.view = 3;
    assert_int_equal(yc_cert_verify(&c, &v.g, 9, hash), YC_EBADCERT);
    c.view = 2;
    hash[0] ^= 1;
    assert_int_equal(yc_cert_verify(&c, &v.g, 9, hash), YC_EBADCERT);
    hash[0] ^= 1;
    struct yc_genesis g2 = v.g;
    snprintf(g2.chain_id, sizeof g2.chain_id, "another");
    assert_int_equal(yc_cert_verify(&c, &g2, 9, hash), YC_EBADCERT);
    uint8_t vote[32];
    static const uint8_t aux[32] = {0};
    yc_vote_hash(vote, v.g.chain_id, "prepare", 9, 2, hash);
    for (uint32_t i = 0; i < 3; i++) {
        assert_int_equal(yc_sig_sign(v.keys[q3[i]], c.sigs[i].sig, vote, aux), YC_OK);
    }
    assert_int_equal(yc_cert_verify(&c, &v.g, 9, hash), YC_EBADCERT);

    /* a certificate survives the block encoding exactly */
    h_cert(&c, &v.g, v.keys, q3, 3, 9, 2, hash);
    struct yc_block b;
    assert_int_equal(yc_block_decode(&b, f->tc.blocks[0], f->tc.block_lens[0]), YC_OK);
    struct yc_buf out;
    yc_buf_init(&out, 0);
    assert_int_equal(yc_block_encode(&out, &b.hdr, b.txs, b.results, b.ntx, &c), YC_OK);
    struct yc_block b2;
    assert_int_equal(yc_block_decode(&b2, out.data, out.len), YC_OK);
    assert_int_equal(b2.cert.nsigs, 3);
    assert_int_equal(b2.cert.view, 2);
    assert_memory_equal(&b2.cert.sigs[0], &c.sigs[0], sizeof c.sigs[0] * 3);
    assert_int_equal(yc_cert_verify(&b2.cert, &v.g, 9, hash), YC_OK);
    yc_block_cleanup(&b2);
    yc_block_cleanup(&b);
    yc_buf_cleanup(&out);
    vset_cleanup(&v);
}

struct failing {
    long left;
};

static void *failing_realloc(void *ctx, void *ptr, size_t size)
{
    struct failing *f = ctx;
    if (size == 0) {
        free(ptr);
        return NULL;
    }
    if (f->left == 0) {
        return NULL;
    }
    f->left--;
    return realloc(ptr, size);
}

static void test_decode_and_exec_under_each_allocation_failure(void **st)
{
    struct fx *f = *st;
    struct tchain *tc = &f->tc;
    uint8_t groot[32];
    struct mem_state *m = genesis_store(&tc->g, groot);
    struct yc_state_src src = mem_state_src(m);
    int rc = YC_ENOMEM;
    for (long i = 0; rc == YC_ENOMEM && i < 10000; i++) {
        struct failing fl = {.left = i};
        yc_allocator a = {.realloc_cb = failing_realloc, .ctx = &fl};
        struct yc_block b;
        yc_overlay *o = NULL;
        uint32_t bad;
        yc_alloc_set(&a);
        rc = yc_block_decode(&b, tc->blocks[0], tc->block_lens[0]);
        if (rc == YC_OK) {
            rc = yc_overlay_create(&o, &src);
            if (rc == YC_OK) {
                rc = yc_exec_block(o, &tc->g, &b, groot, &bad);
            }
            yc_overlay_destroy(o);
            yc_block_cleanup(&b);
        } else {
            assert_null(b.bytes);
        }
        yc_alloc_set(NULL);
        assert_true(rc == YC_OK || rc == YC_ENOMEM);
    }
    assert_int_equal(rc, YC_OK);
    mem_state_free(m);
}

/* The one rule of a next block (yc_block_check_next), each check in turn. */
static void test_check_next_rule(void **st)
{
    struct fx *f = *st;
    struct tchain *tc = &f->tc;
    struct yc_block b;
    struct yc_block_verdict v;
    struct yc_valset vs;
    yc_valset_genesis(&vs, &tc->g);
    assert_int_equal(vs.n, 1);
    assert_int_equal(vs.quorum, 1);
    assert_int_equal(yc_block_decode(&b, tc->blocks[0], tc->block_lens[0]), YC_OK);
    struct yc_block_parent parent = {.height = 0, .time_ms = tc->g.genesis_time_ms};
    memcpy(parent.hash, tc->g.hash, YC_HASH_LEN);
    assert_int_equal(yc_block_check_next(&b, &tc->g, &vs, &parent, YC_CHECK_CERT, &v), YC_OK);
    assert_int_equal(v.check, YC_NEXT_OK);
    assert_string_equal(v.why, "");
    assert_int_equal(yc_block_check_next(&b, &tc->g, &vs, &parent, 0, NULL), YC_OK);

    /* wrong parent: height, hash */
    struct yc_block_parent p2 = parent;
    p2.height = 1;
    assert_int_equal(yc_block_check_next(&b, &tc->g, &vs, &p2, 0, &v), YC_EBADBLOCK);
    assert_non_null(strstr(v.why, "height"));
    assert_int_equal(v.check, YC_NEXT_HEIGHT);
    p2.height = UINT64_MAX;
    assert_int_equal(yc_block_check_next(&b, &tc->g, &vs, &p2, 0, &v), YC_EBADBLOCK);
    assert_int_equal(v.check, YC_NEXT_HEIGHT);
    p2 = parent;
    p2.hash[0] ^= 1;
    assert_int_equal(yc_block_check_next(&b, &tc->g, &vs, &p2, 0, &v), YC_EBADBLOCK);
    assert_non_null(strstr(v.why, "prev_hash"));
    assert_int_equal(v.check, YC_NEXT_LINK);
    /* time equal to the parent's, and earlier */
    p2 = parent;
    p2.time_ms = b.hdr.time_ms;
    assert_int_equal(yc_block_check_next(&b, &tc->g, &vs, &p2, 0, &v), YC_EBADBLOCK);
    assert_non_null(strstr(v.why, "time"));
    assert_int_equal(v.check, YC_NEXT_TIME);
    p2.time_ms = b.hdr.time_ms + 1;
    assert_int_equal(yc_block_check_next(&b, &tc->g, &vs, &p2, 0, &v), YC_EBADBLOCK);
    assert_int_equal(v.check, YC_NEXT_TIME);
    p2.time_ms = b.hdr.time_ms - 1;
    assert_int_equal(yc_block_check_next(&b, &tc->g, &vs, &p2, 0, &v), YC_OK);

    /* too big: one transaction over the count, one byte over the size */
    uint32_t bytes = 0;
    for (uint32_t i = 0; i < b.ntx; i++)
        bytes += (uint32_t)b.txs[i].len;
    struct yc_genesis g2 = tc->g;
    g2.params.max_block_txs = b.ntx;
    assert_int_equal(yc_block_check_next(&b, &g2, &vs, &parent, 0, &v), YC_OK);
    g2.params.max_block_txs = b.ntx - 1;
    assert_int_equal(yc_block_check_next(&b, &g2, &vs, &parent, 0, &v), YC_EBADBLOCK);
    assert_non_null(strstr(v.why, "limits"));
    assert_int_equal(v.check, YC_NEXT_LIMITS);
    g2 = tc->g;
    g2.params.max_block_bytes = bytes; /* the signed transactions' bytes, nothing else */
    assert_int_equal(yc_block_check_next(&b, &g2, &vs, &parent, 0, &v), YC_OK);
    g2.params.max_block_bytes = bytes - 1;
    assert_int_equal(yc_block_check_next(&b, &g2, &vs, &parent, 0, &v), YC_EBADBLOCK);
    assert_int_equal(v.check, YC_NEXT_LIMITS);
    g2 = tc->g;
    snprintf(g2.chain_id, sizeof g2.chain_id, "other");
    assert_int_equal(yc_block_check_next(&b, &g2, &vs, &parent, 0, &v), YC_EBADBLOCK);
    assert_non_null(strstr(v.why, "chain"));
    assert_int_equal(v.check, YC_NEXT_CHAIN);

    /* the proposer is the primary among the set in force, not the genesis set */
    b.hdr.proposer = 1; /* the test chain has one validator: index 0 is every primary */
    assert_int_equal(yc_block_check_next(&b, &tc->g, &vs, &parent, 0, &v), YC_EBADBLOCK);
    assert_non_null(strstr(v.why, "proposer"));
    assert_int_equal(v.check, YC_NEXT_PROPOSER);
    struct yc_valset vs4 = vs;
    vs4.n = 4; /* primary of height 1, view 0 among 4: index 1 */
    vs4.quorum = 3;
    assert_int_equal(yc_block_check_next(&b, &tc->g, &vs4, &parent, 0, &v), YC_OK);
    b.hdr.proposer = 0;
    assert_int_equal(yc_block_check_next(&b, &tc->g, &vs4, &parent, 0, &v), YC_EBADBLOCK);
    assert_int_equal(v.check, YC_NEXT_PROPOSER);

    b.hdr.view = b.cert.view + 1;
    assert_int_equal(yc_block_check_next(&b, &tc->g, &vs, &parent, 0, &v), YC_EBADBLOCK);
    assert_non_null(strstr(v.why, "certificate view"));
    assert_int_equal(v.check, YC_NEXT_CERT_VIEW);
    assert_int_equal(yc_block_check_next(&b, &tc->g, NULL, &parent, 0, &v), YC_EINVAL);
    yc_block_cleanup(&b);

    /* the primary rotates with height and view, without overflow */
    assert_int_equal(yc_block_primary(4, 1, 0), 1);
    assert_int_equal(yc_block_primary(4, 3, 2), 1);
    assert_int_equal(yc_block_primary(4, UINT64_MAX, UINT64_MAX), 2);
    assert_int_equal(yc_block_primary(0, 5, 5), 0);
}

/* Checks b with certificate c (YC_CHECK_CERT) against vs; returns the code, v the verdict. */
static int check_cert(struct yc_block *b, const struct yc_cert *c, const struct yc_genesis *g,
                      const struct yc_valset *vs, const struct yc_block_parent *parent,
                      struct yc_block_verdict *v)
{
    b->cert = *c;
    return yc_block_check_next(b, g, vs, parent, YC_CHECK_CERT, v);
}

/* The certificate part of the rule: each refusal by its own check, against the set in
 * force (4 validators here) rather than the genesis. */
static void test_check_next_certificate(void **st)
{
    struct fx *f = *st;
    struct tchain *tc = &f->tc;
    struct vset set;
    struct yc_valset vs;
    struct yc_block b;
    struct yc_block_verdict v;
    struct yc_cert c;
    vset_init(&set, &tc->g);
    yc_valset_genesis(&vs, &set.g);
    assert_int_equal(vs.n, 4);
    assert_int_equal(vs.quorum, 3);
    assert_int_equal(yc_block_decode(&b, tc->blocks[0], tc->block_lens[0]), YC_OK);
    struct yc_block_parent parent = {.height = 0, .time_ms = tc->g.genesis_time_ms};
    memcpy(parent.hash, tc->g.hash, YC_HASH_LEN);
    b.hdr.view = 3; /* primary of height 1 view 3 among 4: index 0, the block's proposer */
    uint64_t h = b.hdr.height;

    static const uint32_t q3[] = {0, 1, 3};
    h_cert(&c, &set.g, set.keys, q3, 3, h, 3, b.hash);
    assert_int_equal(check_cert(&b, &c, &tc->g, &vs, &parent, &v), YC_OK);
    /* a proposal is checked without a certificate; a commit needs one */
    memset(&c, 0, sizeof c);
    assert_int_equal(check_cert(&b, &c, &tc->g, &vs, &parent, &v), YC_EBADCERT);
    assert_int_equal(v.check, YC_NEXT_CERT_MISSING);
    assert_int_equal(yc_block_check_next(&b, &tc->g, &vs, &parent, 0, &v), YC_OK);
    /* too few signatures */
    h_cert(&c, &set.g, set.keys, q3, 2, h, 3, b.hash);
    assert_int_equal(check_cert(&b, &c, &tc->g, &vs, &parent, &v), YC_EBADCERT);
    assert_int_equal(v.check, YC_NEXT_CERT_QUORUM);
    assert_non_null(strstr(v.why, "2 signatures, a quorum of 3 of 4"));
    /* the quorum is the set's */
    struct yc_valset all = vs;
    all.quorum = 4;
    h_cert(&c, &set.g, set.keys, q3, 3, h, 3, b.hash);
    assert_int_equal(check_cert(&b, &c, &tc->g, &all, &parent, &v), YC_EBADCERT);
    assert_int_equal(v.check, YC_NEXT_CERT_QUORUM);
    /* a duplicated signer standing in for the third */
    static const uint32_t dup[] = {0, 1, 1};
    h_cert(&c, &set.g, set.keys, dup, 3, h, 3, b.hash);
    assert_int_equal(check_cert(&b, &c, &tc->g, &vs, &parent, &v), YC_EBADCERT);
    assert_int_equal(v.check, YC_NEXT_CERT_DUPLICATE);
    assert_int_equal(v.validator, 1);
    assert_non_null(strstr(v.why, "validator 1 signs twice"));
    /* signers out of order */
    static const uint32_t unsorted[] = {1, 0, 3};
    h_cert(&c, &set.g, set.keys, unsorted, 3, h, 3, b.hash);
    assert_int_equal(check_cert(&b, &c, &tc->g, &vs, &parent, &v), YC_EBADCERT);
    assert_int_equal(v.check, YC_NEXT_CERT_ORDER);
    /* a signer index out of range (a valid signature by a non-member) */
    static const uint32_t outside[] = {0, 1, 4};
    h_cert(&c, &set.g, set.keys, outside, 3, h, 3, b.hash);
    assert_int_equal(check_cert(&b, &c, &tc->g, &vs, &parent, &v), YC_EBADCERT);
    assert_int_equal(v.check, YC_NEXT_CERT_SIGNER);
    assert_int_equal(v.validator, 4);
    assert_non_null(strstr(v.why, "signer 4 is not in the validator set"));
    /* wrong view: before the header's, or not the view the votes were cast in */
    h_cert(&c, &set.g, set.keys, q3, 3, h, 2, b.hash);
    assert_int_equal(check_cert(&b, &c, &tc->g, &vs, &parent, &v), YC_EBADBLOCK);
    assert_int_equal(v.check, YC_NEXT_CERT_VIEW);
    h_cert(&c, &set.g, set.keys, q3, 3, h, 3, b.hash);
    c.view = 4;
    assert_int_equal(check_cert(&b, &c, &tc->g, &vs, &parent, &v), YC_EBADCERT);
    assert_int_equal(v.check, YC_NEXT_CERT_SIG);
    assert_int_equal(v.validator, 0);
    /* signatures over other bytes: another block, another height, a PREPARE vote */
    uint8_t other[YC_HASH_LEN];
    memcpy(other, b.hash, YC_HASH_LEN);
    other[0] ^= 1;
    h_cert(&c, &set.g, set.keys, q3, 3, h, 3, other);
    assert_int_equal(check_cert(&b, &c, &tc->g, &vs, &parent, &v), YC_EBADCERT);
    assert_int_equal(v.check, YC_NEXT_CERT_SIG);
    h_cert(&c, &set.g, set.keys, q3, 3, h + 1, 3, b.hash);
    assert_int_equal(check_cert(&b, &c, &tc->g, &vs, &parent, &v), YC_EBADCERT);
    assert_int_equal(v.check, YC_NEXT_CERT_SIG);
    uint8_t vote[YC_HASH_LEN];
    static const uint8_t aux[32] = {0};
    h_cert(&c, &set.g, set.keys, q3, 3, h, 3, b.hash);
    yc_vote_hash(vote, set.g.chain_id, "prepare", h, 3, b.hash);
    assert_int_equal(yc_sig_sign(set.keys[3], c.sigs[2].sig, vote, aux), YC_OK);
    assert_int_equal(check_cert(&b, &c, &tc->g, &vs, &parent, &v), YC_EBADCERT);
    assert_int_equal(v.check, YC_NEXT_CERT_SIG);
    assert_int_equal(v.validator, 3);
    assert_non_null(strstr(v.why, "validator 3"));
    /* the keys are the set's: a set in force whose validator 3 has another key */
    struct yc_valset moved = vs;
    yc_signer_pubkey(set.keys[4], moved.keys[3]);
    h_cert(&c, &set.g, set.keys, q3, 3, h, 3, b.hash);
    assert_int_equal(check_cert(&b, &c, &tc->g, &moved, &parent, &v), YC_EBADCERT);
    assert_int_equal(v.check, YC_NEXT_CERT_SIG);
    assert_int_equal(v.validator, 3);
    /* ... where a certificate by that new key verifies */
    yc_signer *with_new[4] = {set.keys[0], set.keys[1], set.keys[2], set.keys[4]};
    h_cert(&c, &set.g, with_new, q3, 3, h, 3, b.hash);
    assert_int_equal(check_cert(&b, &c, &tc->g, &moved, &parent, &v), YC_OK);
    assert_int_equal(yc_cert_check(&c, &moved, set.g.chain_id, h, b.hash, NULL), YC_OK);
    struct yc_valset none = vs;
    none.n = 0;
    assert_int_equal(yc_cert_check(&c, &none, set.g.chain_id, h, b.hash, &v), YC_EINVAL);

    yc_block_cleanup(&b);
    vset_cleanup(&set);
}

/* The one header decoder: a header's own bytes (a receipt's header_raw), strictly. */
static void test_header_decode(void **st)
{
    struct fx *f = *st;
    struct yc_block b;
    struct yc_block_header h;
    struct yc_buf out;
    assert_int_equal(yc_block_decode(&b, f->tc.blocks[1], f->tc.block_lens[1]), YC_OK);
    yc_buf_init(&out, 0);
    assert_int_equal(yc_header_encode(&b.hdr, &out), YC_OK);
    assert_int_equal(yc_header_decode(out.data, out.len, &h), YC_OK);
    assert_memory_equal(&h, &b.hdr, sizeof h);
    assert_int_equal(yc_block_header_decode(f->tc.blocks[1], f->tc.block_lens[1], &h), YC_OK);
    assert_memory_equal(&h, &b.hdr, sizeof h);
    /* a byte after it, cut short, a block instead of a header, another version */
    assert_int_equal(yc_buf_append(&out, (const uint8_t *)"\0", 1), YC_OK);
    assert_int_equal(yc_header_decode(out.data, out.len, &h), YC_EBADBLOCK);
    assert_int_equal(h.height, 0);
    assert_int_equal(yc_header_decode(out.data, out.len - 2, &h), YC_EBADBLOCK);
    assert_int_equal(yc_header_decode(f->tc.blocks[1], f->tc.block_lens[1], &h), YC_EBADBLOCK);
    struct yc_block_header old = b.hdr;
    old.version = YC_BLOCK_VERSION - 1;
    out.len = 0;
    assert_int_equal(yc_header_encode(&old, &out), YC_OK);
    assert_int_equal(yc_header_decode(out.data, out.len, &h), YC_EBADBLOCK);
    yc_buf_cleanup(&out);
    yc_block_cleanup(&b);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_block_round_trip),
        T(test_tx_root_and_count_checked),
        T(test_decode_resolved),
        T(test_check_next_rule),
        T(test_check_next_certificate),
        T(test_header_decode),
        T(test_exec_block_reaches_same_root),
        T(test_exec_block_refuses_bad_tx_and_diverged_root),
        cmocka_unit_test(test_vote_hash_is_canonical_map),
        T(test_cert_verify_quorum_and_tampering),
        T(test_decode_and_exec_under_each_allocation_failure),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
