/*
 * test_config.c — node.conf parsing, value checks, refusal of over-long lines (never
 * silently truncated), precedence (command line > environment > file > default),
 * and that the rendered node.conf parses back to the same values.
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

static void test_long_line_is_refused_not_cut(void **state)
{
    (void)state;
    struct yc_config c;
    yc_config_default(&c);
    /* a value that libinih's 200-byte buffer would cut: the head alone is valid */
    char text[1200];
    char peers[900] = "";
    for (int i = 0; i < 40; i++)
        strcat(peers, i ? ",10.0.0.1:27600" : "10.0.0.1:27600");
    snprintf(text, sizeof text, "[p2p]\nladdr = \"0.0.0.0:1\"\npersistent_peers = \"%s\"\n"
             "[rpc]\nladdr = \"127.0.0.1:2\"\n", peers);
    assert_int_equal(parse(&c, text), YC_ECONFIG);
    assert_non_null(strstr(err, "node.conf:3:"));
    assert_non_null(strstr(err, "longer than"));
    assert_string_equal(c.p2p_persistent_peers, ""); /* never a truncated value */
    assert_string_equal(c.rpc_laddr, "127.0.0.1:27700"); /* parsing stopped there */
    /* a long comment is refused too (the cut-off rest would be parsed as a line) */
    char comment[400];
    memset(comment, '#', 300);
    snprintf(comment + 300, sizeof comment - 300, "\n[rpc]\n");
    assert_int_equal(parse(&c, comment), YC_ECONFIG);
    assert_non_null(strstr(err, "node.conf:1:"));
    /* a line that fits is fine, also without a final newline */
    assert_int_equal(parse(&c, "[p2p]\npersistent_peers = \"10.0.0.1:27600,10.0.0.2:27600\""),
                     YC_OK);
    assert_string_equal(c.p2p_persistent_peers, "10.0.0.1:27600,10.0.0.2:27600");
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
    assert_int_equal(yc_config_set(&c, "rpc", "laddr", "127.0.0.1:31100", err, sizeof err),
                     YC_OK);
    assert_int_equal(yc_config_set(&c, "consensus", "batch_delay", "250", err, sizeof err),
                     YC_OK);
    assert_int_equal(yc_config_set(&c, "instrumentation", "prometheus", "false", err,
                                   sizeof err), YC_OK);
    char *text = yc_config_render(&c);
    assert_non_null(text);
    assert_non_null(strstr(text, "[mempool]"));
    assert_non_null(strstr(text, "# Default: \"127.0.0.1:27700\"")); /* default is shown */
    assert_non_null(strstr(text, "laddr = \"127.0.0.1:31100\""));
    for (char *line = text; *line != '\0';) { /* every line fits libinih's buffer */
        size_t len = strcspn(line, "\n");
        assert_true(len < 199);
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
        cmocka_unit_test(test_long_line_is_refused_not_cut),
        cmocka_unit_test(test_nul_byte_refused),
        cmocka_unit_test(test_precedence),
        cmocka_unit_test(test_render_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
