/*
 * test_merkle.c — Merkle root and proofs exactly as merkle.h documents: roots for 0..33
 * leaves against an independent recursive definition and hand-built small trees, odd
 * promotion (never duplication), every proof of every leaf verifies, and tampered
 * proofs (sibling bits, index, id, path length, chain id) fail.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "yc/alloc.h"
#include "yc/hash.h"
#include "yc/merkle.h"

#define CHAIN "yc-test"
#define MAXN 33

static void leaf(uint8_t out[32], const char *chain, const uint8_t id[32])
{
    uint8_t b[33];
    b[0] = 0x00;
    memcpy(b + 1, id, 32);
    yc_hash_tagged(out, YC_TAG_MERKLE, chain, b, sizeof b);
}

static void node(uint8_t out[32], const char *chain, const uint8_t l[32], const uint8_t r[32])
{
    uint8_t b[65];
    b[0] = 0x01;
    memcpy(b + 1, l, 32);
    memcpy(b + 33, r, 32);
    yc_hash_tagged(out, YC_TAG_MERKLE, chain, b, sizeof b);
}

/* Independent definition: split at the largest power of two below n (RFC 6962 shape),
 * which is what level-by-level pairing with odd promotion produces. */
static void ref_root(uint8_t out[32], const uint8_t (*ids)[32], size_t n)
{
    if (n == 1) {
        leaf(out, CHAIN, ids[0]);
        return;
    }
    size_t k = 1;
    while (k * 2 < n) {
        k *= 2;
    }
    uint8_t l[32], r[32];
    ref_root(l, ids, k);
    ref_root(r, ids + k, n - k);
    node(out, CHAIN, l, r);
}

static void make_ids(uint8_t (*ids)[32], size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint32_t v = (uint32_t)i;
        yc_sha256(ids[i], &v, sizeof v);
    }
}

static void test_small_trees(void **state)
{
    (void)state;
    uint8_t ids[4][32], root[32], want[32], a[32], b[32], c[32], ab[32];
    make_ids(ids, 4);
    uint8_t zero[32] = {0};
    assert_int_equal(yc_merkle_root(root, CHAIN, NULL, 0), YC_OK);
    assert_memory_equal(root, zero, 32);

    leaf(a, CHAIN, ids[0]);
    leaf(b, CHAIN, ids[1]);
    leaf(c, CHAIN, ids[2]);
    assert_int_equal(yc_merkle_root(root, CHAIN, ids, 1), YC_OK);
    assert_memory_equal(root, a, 32); /* one leaf: its leaf hash, not the raw id */
    assert_memory_not_equal(root, ids[0], 32);

    node(want, CHAIN, a, b);
    assert_int_equal(yc_merkle_root(root, CHAIN, ids, 2), YC_OK);
    assert_memory_equal(root, want, 32);

    /* Three leaves: c is promoted, not paired with itself. */
    memcpy(ab, want, 32);
    node(want, CHAIN, ab, c);
    assert_int_equal(yc_merkle_root(root, CHAIN, ids, 3), YC_OK);
    assert_memory_equal(root, want, 32);
    uint8_t dup[4][32], root4[32];
    memcpy(dup, ids, 3 * 32);
    memcpy(dup[3], ids[2], 32);
    assert_int_equal(yc_merkle_root(root4, CHAIN, dup, 4), YC_OK);
    assert_memory_not_equal(root, root4, 32); /* no CVE-2012-2459 ambiguity */

    /* A leaf and an inner node with the same bytes never collide (prefix bytes). */
    uint8_t inner_as_id[1][32];
    memcpy(inner_as_id[0], ab, 32);
    assert_int_equal(yc_merkle_root(root, CHAIN, inner_as_id, 1), YC_OK);
    assert_int_equal(yc_merkle_root(root4, CHAIN, ids, 2), YC_OK);
    assert_memory_not_equal(root, root4, 32);

    /* The chain id is part of every hash. */
    assert_int_equal(yc_merkle_root(root, "other-chain", ids, 2), YC_OK);
    assert_memory_not_equal(root, root4, 32);
}

static void test_roots_0_to_33(void **state)
{
    (void)state;
    uint8_t ids[MAXN][32], root[32], want[32];
    make_ids(ids, MAXN);
    for (size_t n = 1; n <= MAXN; n++) {
        assert_int_equal(yc_merkle_root(root, CHAIN, ids, n), YC_OK);
        ref_root(want, ids, n);
        assert_memory_equal(root, want, 32);
        /* Order matters. */
        if (n >= 2) {
            uint8_t sw[MAXN][32], r2[32];
            memcpy(sw, ids, n * 32);
            memcpy(sw[0], ids[1], 32);
            memcpy(sw[1], ids[0], 32);
            assert_int_equal(yc_merkle_root(r2, CHAIN, sw, n), YC_OK);
            assert_memory_not_equal(r2, root, 32);
        }
    }
}

static void test_every_proof_verifies_and_tampering_fails(void **state)
{
    (void)state;
    uint8_t ids[MAXN][32], root[32];
    make_ids(ids, MAXN);
    size_t proofs = 0;
    for (size_t n = 1; n <= MAXN; n++) {
        assert_int_equal(yc_merkle_root(root, CHAIN, ids, n), YC_OK);
        for (uint32_t i = 0; i < n; i++) {
            struct yc_merkle_proof p, t;
            assert_int_equal(yc_merkle_prove(&p, CHAIN, ids, n, i), YC_OK);
            assert_int_equal(p.index, i);
            assert_int_equal(p.count, n);
            assert_true(yc_merkle_verify(root, CHAIN, ids[i], &p));
            proofs++;
            /* Every bit of every sibling matters. */
            for (uint32_t s = 0; s < p.nsiblings; s++) {
                for (unsigned bit = 0; bit < 256; bit += 37) {
                    t = p;
                    t.siblings[s][bit / 8] ^= (uint8_t)(1u << (bit % 8));
                    assert_false(yc_merkle_verify(root, CHAIN, ids[i], &t));
                }
            }
            /* Another leaf's id, another index, a chain id, a path length. */
            if (n > 1) {
                assert_false(yc_merkle_verify(root, CHAIN, ids[(i + 1) % n], &p));
                t = p;
                t.index = (uint32_t)((i + 1) % n);
                assert_false(yc_merkle_verify(root, CHAIN, ids[i], &t));
            }
            assert_false(yc_merkle_verify(root, "other-chain", ids[i], &p));
            t = p;
            t.index = (uint32_t)n;
            assert_false(yc_merkle_verify(root, CHAIN, ids[i], &t));
            t = p;
            t.nsiblings++;
            assert_false(yc_merkle_verify(root, CHAIN, ids[i], &t));
            if (p.nsiblings > 0) {
                t = p;
                t.nsiblings--;
                assert_false(yc_merkle_verify(root, CHAIN, ids[i], &t));
            }
            t = p;
            t.nsiblings = YC_MERKLE_MAX_DEPTH + 1;
            assert_false(yc_merkle_verify(root, CHAIN, ids[i], &t));
            t = p;
            t.count = 0;
            assert_false(yc_merkle_verify(root, CHAIN, ids[i], &t));
            uint8_t bad_root[32];
            memcpy(bad_root, root, 32);
            bad_root[31] ^= 1;
            assert_false(yc_merkle_verify(bad_root, CHAIN, ids[i], &p));
        }
    }
    print_message("%zu proofs checked\n", proofs);
}

static void test_odd_promotion_proof_shape(void **state)
{
    (void)state;
    /* With 5 leaves, leaf 4 is promoted twice and meets one sibling (the root of the
     * first four); leaf 0 meets three. */
    uint8_t ids[5][32];
    make_ids(ids, 5);
    struct yc_merkle_proof p;
    assert_int_equal(yc_merkle_prove(&p, CHAIN, ids, 5, 4), YC_OK);
    assert_int_equal(p.nsiblings, 1);
    uint8_t left4[32];
    assert_int_equal(yc_merkle_root(left4, CHAIN, ids, 4), YC_OK);
    assert_memory_equal(p.siblings[0], left4, 32);
    assert_int_equal(yc_merkle_prove(&p, CHAIN, ids, 5, 0), YC_OK);
    assert_int_equal(p.nsiblings, 3);
    /* A one-leaf tree has an empty proof. */
    assert_int_equal(yc_merkle_prove(&p, CHAIN, ids, 1, 0), YC_OK);
    assert_int_equal(p.nsiblings, 0);
}

static void *failing_realloc(void *ctx, void *ptr, size_t size)
{
    (void)ctx;
    if (size == 0) {
        free(ptr);
    }
    return NULL;
}

static void test_errors(void **state)
{
    (void)state;
    uint8_t ids[3][32], root[32];
    make_ids(ids, 3);
    struct yc_merkle_proof p;
    assert_int_equal(yc_merkle_prove(&p, CHAIN, ids, 3, 3), YC_EINVAL);
    assert_int_equal(yc_merkle_prove(&p, CHAIN, ids, 0, 0), YC_EINVAL);
    assert_int_equal(yc_merkle_root(NULL, CHAIN, ids, 3), YC_EINVAL);
    assert_int_equal(yc_merkle_root(root, CHAIN, NULL, 3), YC_EINVAL);
    yc_allocator fail = {failing_realloc, NULL};
    yc_alloc_set(&fail);
    assert_int_equal(yc_merkle_root(root, CHAIN, ids, 3), YC_ENOMEM);
    assert_int_equal(yc_merkle_prove(&p, CHAIN, ids, 3, 1), YC_ENOMEM);
    yc_alloc_set(NULL);
    assert_int_equal(yc_merkle_root(root, CHAIN, ids, 3), YC_OK);
    assert_false(yc_merkle_verify(root, CHAIN, ids[0], NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_small_trees),
        cmocka_unit_test(test_roots_0_to_33),
        cmocka_unit_test(test_every_proof_verifies_and_tampering_fails),
        cmocka_unit_test(test_odd_promotion_proof_shape),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
