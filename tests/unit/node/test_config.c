/*
 * test_config.c — node.conf parsing, value checks, long lines (up to YC_CFG_LINE_MAX;
 * longer ones refused, never silently truncated), precedence (command line >
 * environment > file > default), the rendered node.conf parsing back to the same
 * values, and which listener addresses count as loopback.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"

static char err[512];

static int parse(struct yc_config *c, const char *text)
{
    err[0] = '\0';
    return yc_config_parse_text(c, text, strlen(text), "node.conf", err, sizeof err);
}

static void test_defaults(void **state)
{
    (void)state;
    struct yc_config c;
    yc_config_default(&c);
    assert_string_equal(c.rpc_laddr, "127.0.0.1:27700");
    assert_string_equal(c.p2p_laddr, "0.0.0.0:27600");
    assert_string_equal(c.prometheus_listen_addr, "127.0.0.1:27800");
    assert_int_equal(c.cons_batch_delay_ms, 20);
    assert_int_equal(c.cons_timeout_propose_ms, 3000);
    assert_false(c.cons_create_empty_blocks);
    assert_int_equal(c.rpc_max_body_bytes, 8u << 20);
    assert_string_equal(c.log_level, "info");
}

static void test_parse_values(void **state)
{
    (void)state;
    struct yc_config c;
    yc_config_default(&c);
    int rc = parse(&c, "# comment\n"
                       "[rpc]\n"
                       "laddr = \"tcp://0.0.0.0:1234\"   # trailing comment\n"
                       "max_body_bytes = 2048 ; ini comment\n"
                       "\n[consensus]\n"
                       "batch_delay = \"5ms\"\n"
                       "timeout_propose = \"2m\"\n"
                       "create_empty_blocks = true\n"
                       "[p2p]\n"
                       "persistent_peers = \"10.0.0.1:27600,10.0.0.2:27600\"\n"
                       "[log]\nlevel = debug\n");
    assert_int_equal(rc, YC_OK);
    assert_string_equal(c.rpc_laddr, "tcp://0.0.0.0:1234");
    assert_int_equal(c.rpc_max_body_bytes, 2048);
    assert_int_equal(c.cons_batch_delay_ms, 5);
    assert_int_equal(c.cons_timeout_propose_ms, 120000);
    assert_true(c.cons_create_empty_blocks);
    assert_string_equal(c.p2p_persistent_peers, "10.0.0.1:27600,10.0.0.2:27600");
    assert_string_equal(c.log_level, "debug");
}

static void test_refusals_name_the_line(void **state)
{
    (void)state;
    struct yc_config c;
    yc_config_default(&c);
    assert_int_equal(parse(&c, "[rpc]\nladdr = \"127.0.0.1:1\"\nlladdr = \"x\"\n"), YC_ECONFIG);
    assert_non_null(strstr(err, "node.conf:3:"));
    assert_non_null(strstr(err, "rpc.lladdr"));
    assert_int_equal(parse(&c, "[rpcx]\nladdr = \"127.0.0.1:1\"\n"), YC_ECONFIG);
    assert_non_null(strstr(err, "node.conf:2:"));
    assert_int_equal(parse(&c, "laddr = \"127.0.0.1:1\"\n"), YC_ECONFIG); /* no section */
    assert_int_equal(parse(&c, "[rpc]\nladdr = \"127.0.0.1:99999\"\n"), YC_ECONFIG);
    assert_int_equal(parse(&c, "[rpc]\nladdr = \"noport\"\n"), YC_ECONFIG);
    assert_int_equal(parse(&c, "[rpc]\nladdr = \"127.0.0.1:1\n"), YC_ECONFIG); /* quote */
    assert_int_equal(parse(&c, "[rpc]\nmax_body_bytes = 12x\n"), YC_ECONFIG);
    assert_int_equal(parse(&c, "[rpc]\nmax_body_bytes = 1\n"), YC_ECONFIG); /* below min */
    assert_int_equal(parse(&c, "[rpc]\nmax_body_bytes = 99999999999999999999999\n"),
                     YC_ECONFIG); /* overflow */
    assert_int_equal(parse(&c, "[consensus]\nbatch_delay = \"5 weeks\"\n"), YC_ECONFIG);
    assert_int_equal(parse(&c, "[consensus]\ncreate_empty_blocks = yes\n"), YC_ECONFIG);
    assert_int_equal(parse(&c, "[log]\nlevel = loud\n"), YC_ECONFIG);
    assert_int_equal(parse(&c, "[rpc]\nthis is not ini\n"), YC_ECONFIG);
    assert_non_null(strstr(err, "node.conf:2:"));
    /* nothing of the refused texts leaked into the values before the bad line */
    struct yc_config d;
    yc_config_default(&d);
    assert_string_equal(d.rpc_laddr, "127.0.0.1:27700");
}

static void test_long_lines_accepted_over_long_refused_not_cut(void **state)
{
    (void)state;
    struct yc_config c;
    yc_config_default(&c);
    /* six DNS peers: far over libinih's default 200-byte line, accepted whole */
    static const char six[] = "validator-0.exchange.chongqing.example.gov.cn:27600,"
                              "validator-1.data-agency.chongqing.example.gov.cn:27600,"
                              "validator-2.data-agency.sichuan.example.gov.cn:27600,"
                              "validator-3.bigdata-bureau.chengdu.example.gov.cn:27600,"
                              "observer-0.regulator.chongqing.example.gov.cn:27600,"
                              "observer-1.regulator.sichuan.example.gov.cn:27600";
    char text[YC_CFG_LIST_MAX + 256];
    snprintf(text, sizeof text,
             "[p2p]\npersistent_peers = \"%s\"\n[rpc]\nladdr = "
             "\"127.0.0.1:2\"\n",
             six);
    assert_true(strlen(six) > 300);
    assert_int_equal(parse(&c, text), YC_OK);
    assert_string_equal(c.p2p_persistent_peers, six);
    assert_string_equal(c.rpc_laddr, "127.0.0.1:2");

    /* a list as long as its field allows (YC_CFG_LIST_MAX - 1 bytes) is accepted */
    char big[YC_CFG_LIST_MAX + 1];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    big[YC_CFG_LIST_MAX - 1] = '\0'; /* the longest that fits */
    big[YC_CFG_LIST_MAX - 7] = ':';
    memcpy(big + YC_CFG_LIST_MAX - 6, "27600", 5);
    char *t = malloc(YC_CFG_LINE_MAX + 256);
    assert_non_null(t);
    snprintf(t, YC_CFG_LINE_MAX + 256, "[p2p]\npersistent_peers = \"%s\"\n", big);
    assert_int_equal(parse(&c, t), YC_OK);
    assert_int_equal(strlen(c.p2p_persistent_peers), YC_CFG_LIST_MAX - 1);
    /* one byte more is refused, naming the option and its limit (never cut) */
    yc_config_default(&c);
    memset(big, 'a', YC_CFG_LIST_MAX);
    big[YC_CFG_LIST_MAX] = '\0';
    snprintf(t, YC_CFG_LINE_MAX + 256, "[p2p]\npersistent_peers = \"%s\"\n", big);
    assert_int_equal(parse(&c, t), YC_ECONFIG);
    assert_non_null(strstr(err, "node.conf:2:"));
    assert_non_null(strstr(err, "p2p.persistent_peers"));
    assert_string_equal(c.p2p_persistent_peers, "");

    /* a line of exactly YC_CFG_LINE_MAX bytes (a comment) is fine; one more is refused at
     * its line number, and nothing after it is read */
    memcpy(t, "[rpc]\n", 6);
    memset(t + 6, '#', YC_CFG_LINE_MAX);
    snprintf(t + 6 + YC_CFG_LINE_MAX, 64, "\nladdr = \"127.0.0.1:3\"\n");
    assert_int_equal(parse(&c, t), YC_OK);
    assert_string_equal(c.rpc_laddr, "127.0.0.1:3");
    yc_config_default(&c);
    memset(t + 6, '#', YC_CFG_LINE_MAX + 1);
    snprintf(t + 6 + YC_CFG_LINE_MAX + 1, 64, "\nladdr = \"127.0.0.1:4\"\n");
    assert_int_equal(parse(&c, t), YC_ECONFIG);
    assert_non_null(strstr(err, "node.conf:2:"));
    assert_non_null(strstr(err, "longer than 65536 bytes"));
    assert_string_equal(c.rpc_laddr, "127.0.0.1:27700"); /* parsing stopped there */
    free(t);

    /* a line that fits is fine, also without a final newline */
    assert_int_equal(parse(&c, "[p2p]\npersistent_peers = \"10.0.0.1:27600,10.0.0.2:27600\""),
                     YC_OK);
    assert_string_equal(c.p2p_persistent_peers, "10.0.0.1:27600,10.0.0.2:27600");
}

static void test_loopback_addresses(void **state)
{
    (void)state;
    assert_true(yc_config_addr_is_loopback("127.0.0.1:27700"));
    assert_true(yc_config_addr_is_loopback("tcp://127.0.0.1:27700"));
    assert_true(yc_config_addr_is_loopback("127.1.2.3:1"));
    assert_true(yc_config_addr_is_loopback("[::1]:27700"));
    assert_true(yc_config_addr_is_loopback("localhost:27700"));
    assert_false(yc_config_addr_is_loopback("0.0.0.0:27700"));
    assert_false(yc_config_addr_is_loopback("[::]:27700"));
    assert_false(yc_config_addr_is_loopback("10.0.0.5:27700"));
    assert_false(yc_config_addr_is_loopback("127.0.0.1.example.org:27700"));
    assert_false(yc_config_addr_is_loopback("127.0.0.256:1"));
    assert_false(yc_config_addr_is_loopback("1270.0.0.1:1"));
    assert_false(yc_config_addr_is_loopback("node.example.org:27700"));

    struct yc_config c;
    yc_config_default(&c);
    assert_int_equal(yc_config_warn_exposed(&c), 0); /* p2p on 0.0.0.0 is not warned about */
    assert_int_equal(yc_config_set(&c, "rpc", "laddr", "0.0.0.0:1", err, sizeof err), YC_OK);
    assert_int_equal(yc_config_set(&c, "instrumentation", "prometheus_listen_addr", "10.0.0.5:2",
                                   err, sizeof err),
                     YC_OK);
    assert_int_equal(yc_config_warn_exposed(&c), 2);
    assert_int_equal(yc_config_set(&c, "rpc", "public", "true", err, sizeof err), YC_OK);
    assert_int_equal(yc_config_warn_exposed(&c), 1);
    assert_int_equal(yc_config_set(&c, "instrumentation", "public", "true", err, sizeof err),
                     YC_OK);
    assert_int_equal(yc_config_warn_exposed(&c), 0);
    c.prometheus_public = false;
    c.prometheus = false; /* not served: nothing exposed */
    assert_int_equal(yc_config_warn_exposed(&c), 0);
}

static void test_nul_byte_refused(void **state)
{
    (void)state;
    struct yc_config c;
    yc_config_default(&c);
    const char text[] = "[rpc]\nladdr = \"127.0.0.1:1\0\"\n";
    assert_int_equal(yc_config_parse_text(&c, text, sizeof text - 1, "x", err, sizeof err),
                     YC_ECONFIG);
}

static char path[64];

static void write_file(const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_precedence(void **state)
{
    (void)state;
    snprintf(path, sizeof path, "/tmp/yc_test_config_%ld.conf", (long)getpid());
    write_file("[rpc]\nladdr = \"127.0.0.1:1001\"\n[consensus]\nbatch_delay = \"7ms\"\n");
    struct yc_config c;
    unsetenv("YUCHAIN_RPC_LADDR");
    unsetenv("YUCHAIN_CONSENSUS_BATCH_DELAY");

    /* default < file */
    assert_int_equal(yc_config_resolve(&c, path, false, NULL, 0, err, sizeof err), YC_OK);
    assert_string_equal(c.rpc_laddr, "127.0.0.1:1001");
    assert_int_equal(c.cons_batch_delay_ms, 7);
    assert_string_equal(c.p2p_laddr, "0.0.0.0:27600"); /* untouched: default */

    /* file < environment */
    setenv("YUCHAIN_RPC_LADDR", "127.0.0.1:1002", 1);
    assert_int_equal(yc_config_resolve(&c, path, false, NULL, 0, err, sizeof err), YC_OK);
    assert_string_equal(c.rpc_laddr, "127.0.0.1:1002");
    assert_int_equal(c.cons_batch_delay_ms, 7);

    /* environment < command line */
    struct yc_config_override ov[] = {{"rpc.laddr", "127.0.0.1:1003"},
                                      {"consensus.batch_delay", "1s"}};
    assert_int_equal(yc_config_resolve(&c, path, false, ov, 2, err, sizeof err), YC_OK);
    assert_string_equal(c.rpc_laddr, "127.0.0.1:1003");
    assert_int_equal(c.cons_batch_delay_ms, 1000);

    /* errors name their origin */
    setenv("YUCHAIN_CONSENSUS_BATCH_DELAY", "soon", 1);
    assert_int_equal(yc_config_resolve(&c, path, false, NULL, 0, err, sizeof err), YC_ECONFIG);
    assert_non_null(strstr(err, "YUCHAIN_CONSENSUS_BATCH_DELAY"));
    unsetenv("YUCHAIN_CONSENSUS_BATCH_DELAY");
    struct yc_config_override bad[] = {{"rpc.nope", "1"}};
    assert_int_equal(yc_config_resolve(&c, path, false, bad, 1, err, sizeof err), YC_ECONFIG);
    assert_non_null(strstr(err, "rpc.nope"));
    unsetenv("YUCHAIN_RPC_LADDR");

    /* a missing file: fine when optional, a configuration error otherwise */
    unlink(path);
    assert_int_equal(yc_config_resolve(&c, path, true, NULL, 0, err, sizeof err), YC_OK);
    assert_string_equal(c.rpc_laddr, "127.0.0.1:27700");
    assert_int_equal(yc_config_resolve(&c, path, false, NULL, 0, err, sizeof err), YC_ECONFIG);
}

static void test_render_round_trip(void **state)
{
    (void)state;
    struct yc_config c, back;
    yc_config_default(&c);
    assert_int_equal(yc_config_set(&c, "rpc", "laddr", "127.0.0.1:31100", err, sizeof err), YC_OK);
    assert_int_equal(yc_config_set(&c, "consensus", "batch_delay", "250", err, sizeof err), YC_OK);
    assert_int_equal(yc_config_set(&c, "instrumentation", "prometheus", "false", err, sizeof err),
                     YC_OK);
    char *text = yc_config_render(&c);
    assert_non_null(text);
    assert_non_null(strstr(text, "[mempool]"));
    assert_non_null(strstr(text, "# Default: \"127.0.0.1:27700\"")); /* default is shown */
    assert_non_null(strstr(text, "laddr = \"127.0.0.1:31100\""));
    for (char *line = text; *line != '\0';) { /* comments wrap at 99 columns for people */
        size_t len = strcspn(line, "\n");
        assert_true(line[0] != '#' || len <= 99);
        assert_true(len <= YC_CFG_LINE_MAX);
        line += len + (line[len] == '\n');
    }
    yc_config_default(&back);
    assert_int_equal(parse(&back, text), YC_OK);
    free(text);
    assert_string_equal(back.rpc_laddr, "127.0.0.1:31100");
    assert_int_equal(back.cons_batch_delay_ms, 250);
    assert_false(back.prometheus);
    assert_memory_equal(&back, &c, sizeof c);
    assert_true(yc_config_has_option("mempool.size"));
    assert_false(yc_config_has_option("mempool.sizes"));
    assert_false(yc_config_has_option("nodot"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_parse_values),
        cmocka_unit_test(test_refusals_name_the_line),
        cmocka_unit_test(test_long_lines_accepted_over_long_refused_not_cut),
        cmocka_unit_test(test_loopback_addresses),
        cmocka_unit_test(test_nul_byte_refused),
        cmocka_unit_test(test_precedence),
        cmocka_unit_test(test_render_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
