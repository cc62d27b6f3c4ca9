/*
 * test_idmap.c — the open-addressed id map (node/src/base/idmap.h): put, get, replace,
 * delete; keys whose hashes collide (the *_h calls take a chosen hash, so collisions,
 * runs that wrap around the table's end and deletions inside them are aimed at
 * directly); growth keeping every entry; a key's hash taken once; delete-if-value; add
 * (a look-up and a store in one call); the visit; and a long random mix checked against
 * a plain list after every step, with hashes from a small range so that runs are long.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "idmap.h"

#define KLEN 32

static void key_of(uint8_t k[KLEN], uint32_t n)
{
    memset(k, 0xa5, KLEN);
    memcpy(k, &n, sizeof n);
}

static int vals[100000]; /* values: &vals[n] for key n */

static void test_put_get_replace_del(void **state)
{
    (void)state;
    struct yc_idmap m;
    assert_int_equal(yc_idmap_init(&m, KLEN), YC_OK);
    uint8_t k[KLEN];
    key_of(k, 7);
    assert_null(yc_idmap_get(&m, k));
    assert_int_equal(yc_idmap_put(&m, k, &vals[7]), YC_OK);
    assert_ptr_equal(yc_idmap_get(&m, k), &vals[7]);
    assert_int_equal(yc_idmap_put(&m, k, &vals[8]), YC_OK); /* replaces */
    assert_int_equal(m.count, 1);
    assert_ptr_equal(yc_idmap_get(&m, k), &vals[8]);
    assert_int_equal(yc_idmap_put(&m, k, NULL), YC_EINVAL); /* NULL marks an empty slot */
    assert_ptr_equal(yc_idmap_get(&m, k), &vals[8]);
    assert_ptr_equal(yc_idmap_del(&m, k), &vals[8]);
    assert_null(yc_idmap_del(&m, k));
    assert_null(yc_idmap_get(&m, k));
    assert_int_equal(m.count, 0);
    yc_idmap_cleanup(&m);
    /* a zeroed or cleaned-up map answers without crashing */
    struct yc_idmap z = {0};
    assert_null(yc_idmap_get(&z, k));
    assert_null(yc_idmap_del(&z, k));
    assert_int_equal(yc_idmap_put(&z, k, &vals[1]), YC_EINVAL);
    yc_idmap_cleanup(&z);
    assert_int_equal(yc_idmap_init(&z, 0), YC_EINVAL);
    assert_int_equal(yc_idmap_init(&z, YC_IDMAP_KEY_MAX + 1), YC_EINVAL);
}

/* Every key of [0, n) present with its value, and a few absent ones answered NULL. */
static void expect_present(const struct yc_idmap *m, uint32_t from, uint32_t n,
                           uint64_t (*h)(uint32_t))
{
    uint8_t k[KLEN];
    for (uint32_t i = from; i < n; i++) {
        key_of(k, i);
        assert_ptr_equal(yc_idmap_get_h(m, k, h(i)), &vals[i]);
    }
    key_of(k, 99999);
    assert_null(yc_idmap_get_h(m, k, h(99999)));
}

static uint64_t same_hash(uint32_t n)
{
    (void)n;
    return 0xfffffffeu; /* home: the table's last slots, so runs wrap around */
}

static void test_collisions_and_deletes_in_a_run(void **state)
{
    (void)state;
    struct yc_idmap m;
    assert_int_equal(yc_idmap_init(&m, KLEN), YC_OK);
    uint8_t k[KLEN];
    for (uint32_t i = 0; i < 40; i++) { /* one run across growths */
        key_of(k, i);
        assert_int_equal(yc_idmap_put_h(&m, k, same_hash(i), &vals[i]), YC_OK);
    }
    assert_int_equal(m.count, 40);
    expect_present(&m, 0, 40, same_hash);
    /* delete from the front, the middle and the end of the run */
    uint32_t gone[] = {0, 20, 39, 1, 21};
    for (size_t g = 0; g < sizeof gone / sizeof gone[0]; g++) {
        key_of(k, gone[g]);
        assert_ptr_equal(yc_idmap_del_h(&m, k, same_hash(gone[g])), &vals[gone[g]]);
        assert_null(yc_idmap_get_h(&m, k, same_hash(gone[g])));
    }
    assert_int_equal(m.count, 35);
    for (uint32_t i = 0; i < 40; i++) {
        bool deleted = i == 0 || i == 1 || i == 20 || i == 21 || i == 39;
        key_of(k, i);
        if (deleted)
            assert_null(yc_idmap_get_h(&m, k, same_hash(i)));
        else
            assert_ptr_equal(yc_idmap_get_h(&m, k, same_hash(i)), &vals[i]);
    }
    yc_idmap_cleanup(&m);
}

static uint64_t spread_hash(uint32_t n)
{
    return (uint64_t)n * 0x9e3779b97f4a7c15ull;
}

static void test_growth_keeps_every_entry(void **state)
{
    (void)state;
    struct yc_idmap m;
    assert_int_equal(yc_idmap_init(&m, KLEN), YC_OK);
    uint8_t k[KLEN];
    for (uint32_t i = 0; i < 20000; i++) {
        key_of(k, i);
        assert_int_equal(yc_idmap_put(&m, k, &vals[i]), YC_OK);
    }
    assert_int_equal(m.count, 20000);
    assert_true(m.count * 4 <= m.cap * 3); /* at most 3/4 full */
    for (uint32_t i = 0; i < 20000; i++) {
        key_of(k, i);
        assert_ptr_equal(yc_idmap_get(&m, k), &vals[i]);
    }
    for (uint32_t i = 0; i < 20000; i += 2) {
        key_of(k, i);
        assert_ptr_equal(yc_idmap_del(&m, k), &vals[i]);
    }
    for (uint32_t i = 0; i < 20000; i++) {
        key_of(k, i);
        if (i % 2 == 0)
            assert_null(yc_idmap_get(&m, k));
        else
            assert_ptr_equal(yc_idmap_get(&m, k), &vals[i]);
    }
    yc_idmap_cleanup(&m);
    /* with chosen hashes too */
    assert_int_equal(yc_idmap_init(&m, KLEN), YC_OK);
    for (uint32_t i = 0; i < 5000; i++) {
        key_of(k, i);
        assert_int_equal(yc_idmap_put_h(&m, k, spread_hash(i), &vals[i]), YC_OK);
    }
    expect_present(&m, 0, 5000, spread_hash);
    yc_idmap_cleanup(&m);
}

static void test_hash_once_and_del_if(void **state)
{
    (void)state;
    struct yc_idmap a, c;
    assert_int_equal(yc_idmap_init(&a, KLEN), YC_OK);
    assert_int_equal(yc_idmap_init(&c, KLEN), YC_OK);
    uint8_t k[KLEN];
    key_of(k, 3);
    uint64_t h = yc_idmap_hash(&a, k);
    assert_true(h == yc_idmap_hash(&a, k));
    assert_true(h != yc_idmap_hash(&c, k)); /* another random key (2^-64 to fail) */
    assert_int_equal(yc_idmap_put_h(&a, k, h, &vals[3]), YC_OK);
    assert_ptr_equal(yc_idmap_get(&a, k), &vals[3]);     /* hashed by the map itself: found */
    assert_false(yc_idmap_del_if_h(&a, k, h, &vals[4])); /* holds another value */
    assert_ptr_equal(yc_idmap_get_h(&a, k, h), &vals[3]);
    assert_true(yc_idmap_del_if_h(&a, k, h, &vals[3]));
    assert_null(yc_idmap_get_h(&a, k, h));
    assert_false(yc_idmap_del_if_h(&a, k, h, &vals[3]));
    yc_idmap_cleanup(&a);
    yc_idmap_cleanup(&c);
}

static void test_add(void **state)
{
    (void)state;
    struct yc_idmap m;
    assert_int_equal(yc_idmap_init(&m, KLEN), YC_OK);
    uint8_t k[KLEN];
    key_of(k, 9);
    uint64_t h = yc_idmap_hash(&m, k);
    void *old = &vals[0];
    assert_int_equal(yc_idmap_add_h(&m, k, h, &vals[1], &old), YC_OK); /* absent: stored */
    assert_null(old);
    assert_int_equal(yc_idmap_add_h(&m, k, h, &vals[2], &old), YC_OK); /* present: kept */
    assert_ptr_equal(old, &vals[1]);
    assert_ptr_equal(yc_idmap_get(&m, k), &vals[1]);
    assert_int_equal(m.count, 1);
    for (uint32_t i = 100; i < 200; i++) { /* through growth */
        key_of(k, i);
        assert_int_equal(yc_idmap_add_h(&m, k, yc_idmap_hash(&m, k), &vals[i], &old), YC_OK);
        assert_null(old);
    }
    for (uint32_t i = 100; i < 200; i++) {
        key_of(k, i);
        assert_ptr_equal(yc_idmap_get(&m, k), &vals[i]);
    }
    assert_int_equal(yc_idmap_add_h(&m, k, yc_idmap_hash(&m, k), NULL, &old), YC_EINVAL);
    assert_null(old);
    yc_idmap_cleanup(&m);
    assert_int_equal(yc_idmap_add_h(&m, k, h, &vals[1], &old), YC_EINVAL); /* not initialized */
}

static int count_cb(void *ctx, const uint8_t *key, void *val)
{
    uint32_t n;
    memcpy(&n, key, sizeof n);
    assert_ptr_equal(val, &vals[n]);
    int *seen = ctx;
    seen[n]++;
    return 0;
}

static int stop_cb(void *ctx, const uint8_t *key, void *val)
{
    (void)key;
    (void)val;
    return ++*(int *)ctx == 3;
}

static void test_each_visits_every_entry_once(void **state)
{
    (void)state;
    struct yc_idmap m;
    assert_int_equal(yc_idmap_init(&m, KLEN), YC_OK);
    uint8_t k[KLEN];
    for (uint32_t i = 0; i < 300; i++) {
        key_of(k, i);
        assert_int_equal(yc_idmap_put(&m, k, &vals[i]), YC_OK);
    }
    for (uint32_t i = 0; i < 300; i += 3) {
        key_of(k, i);
        assert_non_null(yc_idmap_del(&m, k));
    }
    static int seen[300];
    yc_idmap_each(&m, count_cb, seen);
    for (uint32_t i = 0; i < 300; i++)
        assert_int_equal(seen[i], i % 3 == 0 ? 0 : 1);
    int calls = 0;
    yc_idmap_each(&m, stop_cb, &calls);
    assert_int_equal(calls, 3);
    yc_idmap_cleanup(&m);
}

static uint64_t small_hash(uint32_t n)
{
    return (n * 2654435761u) % 7; /* seven homes: long runs, many wrap-arounds */
}

static uint64_t rng_state;

static uint32_t rnd(uint32_t below)
{
    rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(rng_state >> 33) % below;
}

static void test_random_mix_against_a_list(void **state)
{
    (void)state;
    uint64_t seed = 0x5eed1d5ull;
    const char *env = getenv("YC_TEST_SEED");
    if (env != NULL)
        seed = strtoull(env, NULL, 0);
    printf("test_idmap: seed %llu (YC_TEST_SEED to repeat)\n", (unsigned long long)seed);
    rng_state = seed;
    struct yc_idmap m;
    assert_int_equal(yc_idmap_init(&m, KLEN), YC_OK);
    enum { UNIVERSE = 200 };
    static int *model[UNIVERSE];
    memset(model, 0, sizeof model);
    size_t count = 0;
    uint8_t k[KLEN];
    for (int step = 0; step < 20000; step++) {
        uint32_t n = rnd(UNIVERSE);
        key_of(k, n);
        uint32_t op = rnd(10);
        if (op < 5) {
            int *v = &vals[n + UNIVERSE * rnd(3)];
            assert_int_equal(yc_idmap_put_h(&m, k, small_hash(n), v), YC_OK);
            count += model[n] == NULL;
            model[n] = v;
        } else if (op < 9) {
            assert_ptr_equal(yc_idmap_del_h(&m, k, small_hash(n)), model[n]);
            count -= model[n] != NULL;
            model[n] = NULL;
        } else {
            assert_int_equal(yc_idmap_del_if_h(&m, k, small_hash(n), &vals[n]),
                             model[n] == &vals[n]);
            if (model[n] == &vals[n]) {
                model[n] = NULL;
                count--;
            }
        }
        assert_int_equal(m.count, count);
        if (step % 97 == 0 || count == 0) {
            for (uint32_t i = 0; i < UNIVERSE; i++) {
                key_of(k, i);
                assert_ptr_equal(yc_idmap_get_h(&m, k, small_hash(i)), model[i]);
            }
        }
    }
    yc_idmap_cleanup(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_put_get_replace_del),
        cmocka_unit_test(test_collisions_and_deletes_in_a_run),
        cmocka_unit_test(test_growth_keeps_every_entry),
        cmocka_unit_test(test_hash_once_and_del_if),
        cmocka_unit_test(test_add),
        cmocka_unit_test(test_each_visits_every_entry_once),
        cmocka_unit_test(test_random_mix_against_a_list),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
