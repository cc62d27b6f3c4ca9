/*
 * test_names.c — the export's cache of account addresses and names (names.h): every
 * account answered with its own address and registered name however many share the
 * cache (growth past its first table, keys alike in the bytes it hashes), and each
 * account read from the state once.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "yc/bech32.h"
#include "yc/buf.h"
#include "yc/keys.h"
#include "yc/objects.h"

#include "memstate.h"
#include "names.h"

#define NACCOUNTS 3000
#define NALIKE 40 /* keys equal in the bytes the cache hashes */

struct counted {
    struct yc_state_src inner;
    unsigned gets;
};

static int counted_get(void *ctx, const uint8_t *key, size_t klen, uint8_t **val, size_t *vlen)
{
    struct counted *c = ctx;
    c->gets++;
    return c->inner.get(c->inner.ctx, key, klen, val, vlen);
}

/* Key i: scheme byte, then i spread so that keys i < NACCOUNTS differ in the hashed bytes
 * 1..8, while the last NALIKE keys share them and differ only further on. */
static void key_of(uint8_t pub[YC_PUBKEY_LEN], unsigned i)
{
    memset(pub, 0x5a, YC_PUBKEY_LEN);
    pub[0] = YC_SCHEME_BIP340;
    if (i < NACCOUNTS) {
        pub[1] = (uint8_t)(i * 7);
        pub[2] = (uint8_t)(i >> 8);
        pub[20] = (uint8_t)i;
    } else {
        pub[20] = (uint8_t)(i - NACCOUNTS);
        pub[21] = 0xee;
    }
}

/* Even accounts are registered with the name "account-<i>", odd ones not at all. */
static void expected_name(char out[32], unsigned i)
{
    if (i % 2 == 0)
        snprintf(out, 32, "account-%u", i);
    else
        out[0] = '\0';
}

static void test_namer_answers_each_account(void **state)
{
    (void)state;
    memstate *m = NULL;
    assert_int_equal(memstate_create(&m), YC_OK);
    for (unsigned i = 0; i < NACCOUNTS + NALIKE; i += 2) {
        uint8_t pub[YC_PUBKEY_LEN], key[YC_KEY_MAX];
        char name[32];
        key_of(pub, i);
        expected_name(name, i);
        struct yc_account a = {.balance = 1,
                               .credit = {"good", 4},
                               .name = {name, strlen(name)},
                               .role = YC_ROLE_INDIVIDUAL};
        struct yc_buf b;
        yc_buf_init(&b, 0);
        assert_int_equal(yc_account_encode(&a, &b), YC_OK);
        struct yc_write w = {
            .key = key, .klen = yc_key_account(key, pub), .val = b.data, .vlen = b.len};
        assert_int_equal(memstate_apply(m, &w, 1), YC_OK);
        yc_buf_cleanup(&b);
    }
    struct counted c = {.inner = memstate_src(m)};
    struct yc_state_src src = {.get = counted_get, .ctx = &c, .scan = c.inner.scan};
    struct audit_namer *n = audit_namer_create(&src);
    assert_non_null(n);
    for (int round = 0; round < 3; round++) {
        for (unsigned k = 0; k < NACCOUNTS + NALIKE; k++) {
            unsigned i = round == 1 ? NACCOUNTS + NALIKE - 1 - k : k;
            uint8_t pub[YC_PUBKEY_LEN];
            char want_addr[YC_ADDR_MAX], want_name[32];
            const char *addr = NULL, *name = NULL;
            key_of(pub, i);
            assert_int_equal(yc_addr_encode(want_addr, pub), YC_OK);
            expected_name(want_name, i);
            audit_namer_get(n, pub, &addr, &name);
            assert_string_equal(addr, want_addr);
            assert_string_equal(name, want_name);
        }
    }
    /* each account (registered or not) was read once, in the first round */
    assert_int_equal(c.gets, NACCOUNTS + NALIKE);
    audit_namer_destroy(n);
    memstate_destroy(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_namer_answers_each_account),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
