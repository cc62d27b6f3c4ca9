/*
 * test_normal_case.c — PRE-PREPARE, PREPARE, COMMIT among n = 4, 5, 7 validators
 * (DESIGN.md §7): everyone commits the primary's block with a certificate that
 * yc_cert_verify accepts; a silent backup does not stop the others; records always
 * come before the messages that carry them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "helper_pbft.h"
#include "yc/alloc.h"

static void check_all_committed(struct cluster *c, uint64_t view, bool skip_muted)
{
    uint32_t first = UINT32_MAX;
    for (uint32_t i = 0; i < c->n; i++) {
        if (skip_muted && c->mute[i]) {
            continue;
        }
        assert_true(c->committed[i]);
        assert_int_equal(c->commit[i].height, 1);
        assert_int_equal(c->commit[i].cert.view, view);
        assert_true(c->commit[i].cert.nsigs >= yc_quorum(c->n));
        assert_int_equal(yc_cert_verify(&c->commit[i].cert, &c->fx.g, 1, c->commit[i].digest),
                         YC_OK);
        if (first == UINT32_MAX) {
            first = i;
        }
        assert_memory_equal(c->commit[i].digest, c->commit[first].digest, YC_HASH_LEN);
    }
}

static void test_commit_n(void **state)
{
    static const uint32_t sizes[] = {2, 3, 4, 5, 7};
    (void)state;
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        struct cluster *c = yc_calloc(1, sizeof *c);
        cl_init(c, sizes[k]);
        cl_run(c);
        check_all_committed(c, 0, false);
        /* the primary of (1, 0) proposed */
        assert_int_equal(pbft_primary(c->n, 1, 0), 1 % c->n);
        cl_cleanup(c);
        yc_free(c);
    }
}

static void test_silent_backup(void **state)
{
    struct cluster *c = yc_calloc(1, sizeof *c);
    (void)state;
    cl_init(c, 4);
    c->mute[3] = true; /* f = 1 */
    cl_run(c);
    check_all_committed(c, 0, false);
    cl_cleanup(c);
    yc_free(c);
}

static void test_two_silent_stall(void **state)
{
    struct cluster *c = yc_calloc(1, sizeof *c);
    (void)state;
    cl_init(c, 4);
    c->mute[2] = true;
    c->mute[3] = true; /* more than f: nothing may commit */
    cl_run(c);
    for (uint32_t i = 0; i < 4; i++) {
        assert_false(c->committed[i]);
    }
    cl_cleanup(c);
    yc_free(c);
}

static void test_silent_primary_view_change(void **state)
{
    struct cluster *c = yc_calloc(1, sizeof *c);
    (void)state;
    cl_init(c, 4);
    c->mute[1] = true; /* the primary of (1, 0) */
    cl_run(c);
    for (uint32_t i = 0; i < 4; i++) {
        assert_false(c->committed[i]);
    }
    c->mute[1] = false;
    cl_tick(c, 999);
    cl_run(c);
    assert_false(c->committed[0]);
    cl_tick(c, 1); /* base timeout 1000 ms at view 0 */
    cl_run(c);
    check_all_committed(c, 1, false);
    cl_cleanup(c);
    yc_free(c);
}

static void test_decided_moves_on(void **state)
{
    struct cluster *c = yc_calloc(1, sizeof *c);
    uint8_t d[YC_HASH_LEN];
    (void)state;
    cl_init(c, 4);
    cl_run(c);
    check_all_committed(c, 0, false);
    memcpy(d, c->commit[0].digest, YC_HASH_LEN);
    for (uint32_t i = 0; i < 4; i++) {
        assert_int_equal(pbft_decided(c->nodes[i], 1, d, NULL, c->now), YC_OK);
        yc_free((void *)c->commit[i].block);
        c->committed[i] = false;
        /* an old height is stale */
        assert_int_equal(pbft_decided(c->nodes[i], 0, d, NULL, c->now), YC_ESTALE);
    }
    c->height = 2;
    memcpy(c->prev, d, YC_HASH_LEN);
    cl_run(c);
    for (uint32_t i = 0; i < 4; i++) {
        assert_true(c->committed[i]);
        assert_int_equal(c->commit[i].height, 2);
    }
    cl_cleanup(c);
    yc_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_commit_n),         cmocka_unit_test(test_silent_backup),
        cmocka_unit_test(test_two_silent_stall), cmocka_unit_test(test_silent_primary_view_change),
        cmocka_unit_test(test_decided_moves_on),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
