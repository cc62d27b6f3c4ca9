/*
 * test_netmsg.c — the status, block-sync and tx-gossip payloads (node/src/net/netmsg.h):
 * round trips, and refusal of hostile input — wrong versions and lengths, counts and
 * item lengths over the caps or beyond the bytes present (without allocating what they
 * claim), truncation and trailing bytes; plus the proposal time bound
 * (yc__check_block_time, node/src/chain/producer.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "netmsg.h"
#include "producer.h"

static void test_status(void **state)
{
    (void)state;
    struct yc_netmsg_status a = {.height = 0x0102030405060708ull}, b;
    memset(a.hash, 0xab, sizeof a.hash);
    uint8_t buf[YC_NETMSG_STATUS_LEN];
    yc__netmsg_status_encode(buf, &a);
    assert_int_equal(buf[0], 1);
    assert_int_equal(buf[1], 0x01); /* big-endian */
    assert_int_equal(yc__netmsg_status_decode(&b, buf, sizeof buf), YC_OK);
    assert_int_equal(b.height, a.height);
    assert_memory_equal(b.hash, a.hash, sizeof a.hash);
    assert_int_equal(yc__netmsg_status_decode(&b, buf, sizeof buf - 1), YC_EDECODE);
    assert_int_equal(yc__netmsg_status_decode(&b, NULL, 0), YC_EDECODE);
    buf[0] = 2;
    assert_int_equal(yc__netmsg_status_decode(&b, buf, sizeof buf), YC_EDECODE);
}

static void test_blockreq(void **state)
{
    (void)state;
    uint8_t buf[YC_NETMSG_BLOCKREQ_LEN];
    uint64_t from;
    uint32_t count;
    yc__netmsg_blockreq_encode(buf, 77, 64);
    assert_int_equal(yc__netmsg_blockreq_decode(buf, sizeof buf, &from, &count), YC_OK);
    assert_int_equal(from, 77);
    assert_int_equal(count, 64);
    assert_int_equal(yc__netmsg_blockreq_decode(buf, sizeof buf + 0 - 1, &from, &count),
                     YC_EDECODE);
    yc__netmsg_blockreq_encode(buf, 0, 64); /* height 0 is genesis: never requested */
    assert_int_equal(yc__netmsg_blockreq_decode(buf, sizeof buf, &from, &count), YC_EDECODE);
    yc__netmsg_blockreq_encode(buf, 5, 0);
    assert_int_equal(yc__netmsg_blockreq_decode(buf, sizeof buf, &from, &count), YC_EDECODE);
}

static void test_blocks_round_trip(void **state)
{
    (void)state;
    struct yc_buf b;
    yc_buf_init(&b, 1 << 16);
    size_t at;
    assert_int_equal(yc__netmsg_blocks_begin(&b, 9, &at), YC_OK);
    const uint8_t one[] = {1, 2, 3}, two[] = {4};
    assert_int_equal(yc__netmsg_list_add(&b, one, sizeof one), YC_OK);
    assert_int_equal(yc__netmsg_list_add(&b, two, sizeof two), YC_OK);
    assert_int_equal(yc__netmsg_list_add(&b, NULL, 0), YC_OK);
    yc__netmsg_list_finish(&b, at, 3);
    uint64_t from;
    struct yc_netmsg_list it;
    assert_int_equal(yc__netmsg_blocks_parse(b.data, b.len, 8, 16, &from, &it), YC_OK);
    assert_int_equal(from, 9);
    assert_int_equal(it.n, 3);
    const uint8_t *p;
    size_t len;
    assert_true(yc__netmsg_list_next(&it, &p, &len));
    assert_int_equal(len, 3);
    assert_memory_equal(p, one, 3);
    assert_true(yc__netmsg_list_next(&it, &p, &len));
    assert_int_equal(len, 1);
    assert_int_equal(p[0], 4);
    assert_true(yc__netmsg_list_next(&it, &p, &len));
    assert_int_equal(len, 0);
    assert_false(yc__netmsg_list_next(&it, &p, &len));
    /* caps */
    assert_int_equal(yc__netmsg_blocks_parse(b.data, b.len, 2, 16, &from, &it), YC_ETOOLARGE);
    assert_int_equal(yc__netmsg_blocks_parse(b.data, b.len, 8, 2, &from, &it), YC_ETOOLARGE);
    /* every truncation is refused, and so is a trailing byte */
    for (size_t cut = 0; cut < b.len; cut++)
        assert_int_not_equal(yc__netmsg_blocks_parse(b.data, cut, 8, 16, &from, &it), YC_OK);
    uint8_t longer[64];
    memcpy(longer, b.data, b.len);
    longer[b.len] = 0;
    assert_int_equal(yc__netmsg_blocks_parse(longer, b.len + 1, 8, 16, &from, &it), YC_EDECODE);
    yc_buf_cleanup(&b);
}

static void test_hostile_lengths(void **state)
{
    (void)state;
    /* version, from = 1, n = 0xffffffff: refused by the cap before anything else */
    const uint8_t huge_n[] = {1, 0, 0, 0, 0, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff};
    uint64_t from;
    struct yc_netmsg_list it;
    assert_int_equal(yc__netmsg_blocks_parse(huge_n, sizeof huge_n, 64, 1 << 20, &from, &it),
                     YC_ETOOLARGE);
    /* n = 1 and an item declaring 1 GiB with 2 bytes present */
    const uint8_t huge_item[] = {1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0x40, 0, 0, 0, 0xaa, 0xbb};
    assert_int_equal(
        yc__netmsg_blocks_parse(huge_item, sizeof huge_item, 64, (size_t)1 << 31, &from, &it),
        YC_EDECODE);
    assert_int_equal(yc__netmsg_blocks_parse(huge_item, sizeof huge_item, 64, 1 << 20, &from, &it),
                     YC_ETOOLARGE);
    /* from = 0 */
    const uint8_t zero_from[] = {1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    assert_int_equal(yc__netmsg_blocks_parse(zero_from, sizeof zero_from, 64, 16, &from, &it),
                     YC_EDECODE);
    /* an empty response is fine for blocks ... */
    const uint8_t empty[] = {1, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0};
    assert_int_equal(yc__netmsg_blocks_parse(empty, sizeof empty, 64, 16, &from, &it), YC_OK);
    assert_int_equal(it.n, 0);
    /* ... but not for a tx batch */
    const uint8_t no_txs[] = {1, 0, 0, 0, 0};
    assert_int_equal(yc__netmsg_txs_parse(no_txs, sizeof no_txs, 64, 16, &it), YC_EDECODE);
    const uint8_t bad_version[] = {2, 0, 0, 0, 1, 0, 0, 0, 1, 7};
    assert_int_equal(yc__netmsg_txs_parse(bad_version, sizeof bad_version, 64, 16, &it),
                     YC_EDECODE);
}

static void test_txs_round_trip_and_cap(void **state)
{
    (void)state;
    struct yc_buf b;
    yc_buf_init(&b, 64); /* small cap: an add past it fails and leaves the batch intact */
    size_t at;
    assert_int_equal(yc__netmsg_txs_begin(&b, &at), YC_OK);
    uint8_t tx[40];
    memset(tx, 7, sizeof tx);
    assert_int_equal(yc__netmsg_list_add(&b, tx, sizeof tx), YC_OK);
    size_t before = b.len;
    assert_int_equal(yc__netmsg_list_add(&b, tx, sizeof tx), YC_ELIMIT);
    assert_int_equal(b.len, before);
    yc__netmsg_list_finish(&b, at, 1);
    struct yc_netmsg_list it;
    assert_int_equal(yc__netmsg_txs_parse(b.data, b.len, 4, 64, &it), YC_OK);
    const uint8_t *p;
    size_t len;
    assert_true(yc__netmsg_list_next(&it, &p, &len));
    assert_int_equal(len, sizeof tx);
    assert_false(yc__netmsg_list_next(&it, &p, &len));
    yc_buf_cleanup(&b);
}

static void test_block_time_bound(void **state)
{
    (void)state;
    const uint64_t drift = 10000, parent = 1000000, now = 2000000;
    /* after the parent and not ahead of us */
    assert_null(yc__check_block_time(parent + 1, parent, now, drift));
    assert_null(yc__check_block_time(now, parent, now, drift));
    /* up to the drift ahead of our clock, not one millisecond more */
    assert_null(yc__check_block_time(now + drift, parent, now, drift));
    assert_non_null(yc__check_block_time(now + drift + 1, parent, now, drift));
    /* strictly after the parent */
    assert_non_null(yc__check_block_time(parent, parent, now, drift));
    assert_non_null(yc__check_block_time(parent - 1, parent, now, drift));
    /* behind our clock is fine (a re-proposed prepared block is old) */
    assert_null(yc__check_block_time(parent + 5, parent, now + 3600000, drift));
    /* no overflow near the top of the range */
    assert_null(yc__check_block_time(UINT64_MAX, UINT64_MAX - 1, UINT64_MAX, drift));
    assert_non_null(yc__check_block_time(UINT64_MAX, 0, 0, drift));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status),
        cmocka_unit_test(test_blockreq),
        cmocka_unit_test(test_blocks_round_trip),
        cmocka_unit_test(test_hostile_lengths),
        cmocka_unit_test(test_txs_round_trip_and_cap),
        cmocka_unit_test(test_block_time_bound),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
