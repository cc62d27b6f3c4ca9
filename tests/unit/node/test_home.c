/*
 * test_home.c — the home directory: .lock refuses a second holder and names its pid,
 * .cookie is 0600 and new at each start, a new home has its files with the right
 * modes, a second init refuses to overwrite it, and key files readable by others are
 * refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "chain.h"
#include "config.h"
#include "home.h"
#include "keyfile.h"
#include "yc/cliutil.h"
#include "yc/genesis_json.h"

static char dir[128];
static char err[512];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/yc_test_home_XXXXXX");
    assert_non_null(mkdtemp(dir));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static mode_t mode_of(const char *p)
{
    struct stat st;
    assert_int_equal(stat(p, &st), 0);
    return st.st_mode & 0777;
}

static void test_lock_is_exclusive(void **state)
{
    (void)state;
    struct yc_home h;
    assert_int_equal(yc_home_paths(&h, dir), YC_OK);
    int fd1 = -1, fd2 = -1;
    assert_int_equal(yc_home_lock(&h, &fd1, err, sizeof err), YC_OK);
    assert_true(fd1 >= 0);
    /* a second holder, even in this process, is refused and told who holds it */
    assert_int_equal(yc_home_lock(&h, &fd2, err, sizeof err), YC_EBUSY);
    assert_int_equal(fd2, -1);
    char pid[32];
    snprintf(pid, sizeof pid, "pid %ld", (long)getpid());
    assert_non_null(strstr(err, pid));
    /* ... and in another process */
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        int fd = -1;
        _exit(yc_home_lock(&h, &fd, err, sizeof err) == YC_EBUSY ? 0 : 1);
    }
    int status = 0;
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    yc_home_unlock(fd1);
    assert_int_equal(yc_home_lock(&h, &fd2, err, sizeof err), YC_OK);
    yc_home_unlock(fd2);
}

static void test_cookie(void **state)
{
    (void)state;
    struct yc_home h;
    assert_int_equal(yc_home_paths(&h, dir), YC_OK);
    char a[65], b[65];
    assert_int_equal(yc_home_write_cookie(&h, a), YC_OK);
    assert_int_equal(strlen(a), 64);
    assert_int_equal(mode_of(h.cookie), 0600);
    char *text = NULL;
    size_t len = 0;
    assert_int_equal(yc_file_read(h.cookie, 1024, &text, &len), YC_OK);
    assert_int_equal(len, 64);
    assert_memory_equal(text, a, 64);
    free(text);
    chmod(h.cookie, 0644); /* a stale cookie from a crash, loosened: replaced, tight again */
    assert_int_equal(yc_home_write_cookie(&h, b), YC_OK);
    assert_string_not_equal(a, b);
    assert_int_equal(mode_of(h.cookie), 0600);
    yc_home_remove_cookie(&h);
    assert_int_equal(access(h.cookie, F_OK), -1);
}

static void test_init_home(void **state)
{
    (void)state;
    char sub[256];
    snprintf(sub, sizeof sub, "%s/node", dir);
    struct yc_home h;
    assert_int_equal(yc_home_paths(&h, sub), YC_OK);
    assert_false(yc_home_initialized(&h));
    struct yc_config cfg;
    yc_config_default(&cfg);
    yc_chain_set_ports(&cfg, 31000);
    struct yc_init_opts o = {.chain_id = "test-chain", .config = &cfg};
    int rc = yc_chain_init_home(&h, &o, err, sizeof err);
    if (rc != YC_OK)
        fprintf(stderr, "init: %s\n", err);
    assert_int_equal(rc, YC_OK);
    assert_true(yc_home_initialized(&h));
    assert_int_equal(mode_of(h.dir), 0700);
    assert_int_equal(mode_of(h.data), 0700);
    assert_int_equal(mode_of(h.node_key), 0600);
    assert_int_equal(mode_of(h.validator_key), 0600);
    assert_int_equal(mode_of(h.node_conf), 0600);

    /* node.conf holds the ports and parses */
    struct yc_config back;
    assert_int_equal(yc_config_resolve(&back, h.node_conf, false, NULL, 0, err, sizeof err), YC_OK);
    assert_string_equal(back.rpc_laddr, "127.0.0.1:31100");
    assert_string_equal(back.prometheus_listen_addr, "127.0.0.1:31200");

    /* the genesis names this node's validator key and an exchange account */
    struct yc_genesis g;
    assert_int_equal(yc_genesis_json_load(&g, h.genesis, err, sizeof err), YC_OK);
    assert_string_equal(g.chain_id, "test-chain");
    assert_int_equal(g.nvalidators, 1);
    yc_signer *s = NULL;
    uint8_t vpub[YC_PUBKEY_LEN];
    assert_int_equal(yc_keyfile_load(h.validator_key, &s, vpub, err, sizeof err), YC_OK);
    yc_signer_destroy(s);
    assert_int_equal(yc_genesis_validator_index(&g, vpub), 0);
    assert_int_equal(g.naccounts, 1);
    assert_string_equal(g.accounts[0].role, "exchange");
    yc_genesis_cleanup(&g);

    /* a second init never overwrites */
    assert_int_equal(yc_chain_init_home(&h, &o, err, sizeof err), YC_EEXIST);

    /* a key file readable by others is refused, with what to do */
    chmod(h.node_key, 0644);
    uint8_t pub[YC_PUBKEY_LEN];
    assert_int_equal(yc_keyfile_load(h.node_key, &s, pub, err, sizeof err), YC_ECONFIG);
    assert_non_null(strstr(err, "chmod 600"));
    assert_null(s);
}

static void test_keyfile_tamper(void **state)
{
    (void)state;
    char p[256];
    snprintf(p, sizeof p, "%s/k.json", dir);
    uint8_t sk[YC_SECKEY_LEN];
    yc_keyfile_generate(sk);
    assert_int_equal(yc_keyfile_write(p, "node", sk), YC_OK);
    yc_signer *s = NULL;
    uint8_t pub[YC_PUBKEY_LEN];
    assert_int_equal(yc_keyfile_load(p, &s, pub, err, sizeof err), YC_OK);
    yc_signer_destroy(s);
    /* another key's address: mismatch refused */
    char *text = NULL;
    size_t len = 0;
    assert_int_equal(yc_file_read(p, 4096, &text, &len), YC_OK);
    char *hex = strstr(text, "\"secret_key\": \"");
    assert_non_null(hex);
    hex += strlen("\"secret_key\": \"");
    hex[0] = hex[0] == '1' ? '2' : '1';
    assert_int_equal(yc_file_write_atomic(p, text, len, 0600, true), YC_OK);
    free(text);
    s = NULL;
    assert_int_equal(yc_keyfile_load(p, &s, pub, err, sizeof err), YC_ECONFIG);
    assert_null(s);
    snprintf(p, sizeof p, "%s/missing.json", dir);
    assert_int_equal(yc_keyfile_load(p, &s, pub, err, sizeof err), YC_ENOTFOUND);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_lock_is_exclusive, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cookie, setup, teardown),
        cmocka_unit_test_setup_teardown(test_init_home, setup, teardown),
        cmocka_unit_test_setup_teardown(test_keyfile_tamper, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
