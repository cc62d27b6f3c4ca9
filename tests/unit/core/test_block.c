/*
 * test_block.c — blocks and commit certificates: encode/decode round trip, the tx
 * root and tx count checks, block execution (re-execution to the same root, a failing
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

static void test_exec_block_reaches_same_root(void **st)
{
    struct fx *f = *st;
    struct tchain *tc = &f->tc;
    uint8_t root[32];
    struct mem_state *m = genesis_store(&tc->g, root);
    struct yc_state_src src = mem_state_src(m);

    for (size_t i = 0; i < tc->nblocks; i++) {
        struct yc_block b;
        yc_overlay *o;
        uint32_t bad = 99;
        assert_int_equal(yc_block_decode(&b, tc->blocks[i], tc->block_lens[i]), YC_OK);
        assert_int_equal(yc_overlay_create(&o, &src), YC_OK);
        assert_int_equal(yc_exec_block(o, &tc->g, &b, root, &bad), YC_OK);
        const struct yc_write *w;
        size_t n;
        assert_int_equal(yc_overlay_writes(o, &w, &n), YC_OK);
        mem_state_apply(m, w, n);
        memcpy(root, b.hdr.state_root, 32);
        yc_overlay_destroy(o);
        yc_block_cleanup(&b);
    }
    assert_memory_equal(root, tc->root, 32);
    mem_state_free(m);
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
            snprintf(v->g.validators[i].addr, sizeof v->g.validators[i].addr, "127.0.0.1:%u",
                     27600 + i);
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
    char why[160];
    enum yc_next_check which;
    assert_int_equal(yc_block_decode(&b, tc->blocks[0], tc->block_lens[0]), YC_OK);
    struct yc_block_parent parent = {.height = 0, .time_ms = tc->g.genesis_time_ms};
    memcpy(parent.hash, tc->g.hash, YC_HASH_LEN);
    assert_int_equal(yc_block_check_next(&b, &tc->g, &parent, NULL, why, sizeof why), YC_OK);

    struct yc_block_parent p2 = parent;
    p2.height = 1;
    assert_int_equal(yc_block_check_next(&b, &tc->g, &p2, &which, why, sizeof why), YC_EBADBLOCK);
    assert_non_null(strstr(why, "height"));
    assert_int_equal(which, YC_NEXT_HEIGHT);
    p2 = parent;
    p2.hash[0] ^= 1;
    assert_int_equal(yc_block_check_next(&b, &tc->g, &p2, &which, why, sizeof why), YC_EBADBLOCK);
    assert_non_null(strstr(why, "prev_hash"));
    p2 = parent;
    p2.time_ms = b.hdr.time_ms;
    assert_int_equal(yc_block_check_next(&b, &tc->g, &p2, &which, why, sizeof why), YC_EBADBLOCK);
    assert_non_null(strstr(why, "time"));

    struct yc_genesis g2 = tc->g;
    g2.params.max_block_txs = b.ntx - 1;
    assert_int_equal(yc_block_check_next(&b, &g2, &parent, &which, why, sizeof why), YC_EBADBLOCK);
    assert_non_null(strstr(why, "limits"));
    assert_int_equal(which, YC_NEXT_LIMITS);
    g2 = tc->g;
    g2.params.max_block_bytes = 10;
    assert_int_equal(yc_block_check_next(&b, &g2, &parent, &which, why, sizeof why), YC_EBADBLOCK);
    g2 = tc->g;
    snprintf(g2.chain_id, sizeof g2.chain_id, "other");
    assert_int_equal(yc_block_check_next(&b, &g2, &parent, &which, why, sizeof why), YC_EBADBLOCK);
    assert_non_null(strstr(why, "chain"));

    b.hdr.proposer = 1; /* the test chain has one validator: index 0 is every primary */
    assert_int_equal(yc_block_check_next(&b, &tc->g, &parent, &which, why, sizeof why),
                     YC_EBADBLOCK);
    assert_non_null(strstr(why, "proposer"));
    assert_int_equal(which, YC_NEXT_PROPOSER);
    b.hdr.proposer = 0;
    b.hdr.view = b.cert.view + 1;
    assert_int_equal(yc_block_check_next(&b, &tc->g, &parent, &which, why, sizeof why),
                     YC_EBADBLOCK);
    assert_non_null(strstr(why, "certificate view"));
    yc_block_cleanup(&b);

    /* the primary rotates with height and view, without overflow */
    assert_int_equal(yc_block_primary(4, 1, 0), 1);
    assert_int_equal(yc_block_primary(4, 3, 2), 1);
    assert_int_equal(yc_block_primary(4, UINT64_MAX, UINT64_MAX), 2);
    assert_int_equal(yc_block_primary(0, 5, 5), 0);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_block_round_trip),
        T(test_tx_root_and_count_checked),
        T(test_check_next_rule),
        T(test_exec_block_reaches_same_root),
        T(test_exec_block_refuses_bad_tx_and_diverged_root),
        cmocka_unit_test(test_vote_hash_is_canonical_map),
        T(test_cert_verify_quorum_and_tampering),
        T(test_decode_and_exec_under_each_allocation_failure),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
