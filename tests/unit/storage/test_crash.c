/*
 * test_crash.c — kill -9 during load (issue 2, TESTING.md C-series).
 *
 * A child process commits real blocks (signed txs executed by core, certified) in a
 * loop while appending journal records; the parent SIGKILLs it at a random moment
 * (seeded: YC_SEED replays a run, the seed is printed) and reopens. Each reopen must
 * give a consistent tip: the open's own check passes, every block 1..tip is present,
 * decodes and links to its parent, replaying them from the genesis in memory gives
 * exactly the stored state root and the stored state values, and the tip never goes
 * down from one round to the next.
 *
 * kill -9 leaves the page cache intact, so this shows atomicity of the batch, not
 * the sync; the sync is LevelDB's (WriteOptions.sync = true on every block batch).
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "yc/alloc.h"
#include "yc/ledger.h"
#include "yc/store.h"

#include "helper_chain.h"

#define ROUNDS 6

static uint64_t rng_state;

static uint64_t rng_next(void)
{
    /* splitmix64: small, seedable, good enough to pick kill moments */
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* The child: commit blocks until killed. Never returns into cmocka. */
static void child_loop(const char *dir, uint64_t seed)
{
    struct tchain c;
    tchain_init(&c, 4);
    store *s = NULL;
    char err[512];
    if (store_open(&s, dir, false, &c.g, err, sizeof err) != YC_OK) {
        fprintf(stderr, "child: %s\n", err);
        _exit(3);
    }
    tchain_resume(&c, s);
    rng_state = seed;
    for (;;) {
        uint8_t rec[32];
        memset(rec, (int)(c.height & 0xff), sizeof rec);
        if (store_journal_append(s, c.height + 1, rec, sizeof rec) != YC_OK)
            _exit(4);
        tchain_commit_next(&c, s, (uint32_t)(rng_next() % 5));
        if (c.height % 8 == 0 && store_journal_prune(s, c.height) != YC_OK)
            _exit(5);
    }
}

static int empty_get(void *ctx, const uint8_t *key, size_t klen, uint8_t **val, size_t *vlen)
{
    (void)ctx;
    (void)key;
    (void)klen;
    *val = NULL;
    *vlen = 0;
    return YC_ENOTFOUND;
}

/* Replays blocks 1..tip from genesis in memory and compares with the store. */
static void check_consistent(const struct tchain *c, store *s, uint64_t *tip_height)
{
    struct store_tip tip;
    assert_int_equal(store_tip(s, &tip), YC_OK);
    struct yc_state_src empty = {.get = empty_get, .ctx = NULL};
    yc_overlay *mem = NULL;
    uint8_t root[YC_HASH_LEN], prev_hash[YC_HASH_LEN];
    assert_int_equal(yc_overlay_create(&mem, &empty), YC_OK);
    assert_int_equal(yc_genesis_state(mem, &c->g, root), YC_OK);
    memcpy(prev_hash, c->g.hash, YC_HASH_LEN);
    struct yc_state_src memsrc = yc_overlay_src(mem);
    for (uint64_t h = 1; h <= tip.height; h++) {
        uint8_t *bytes = NULL;
        size_t len = 0;
        int rc = store_get_block(s, h, &bytes, &len);
        if (rc != YC_OK)
            fail_msg("block %llu of tip %llu: %s", (unsigned long long)h,
                     (unsigned long long)tip.height, yc_err_name(rc));
        struct yc_block b;
        assert_int_equal(yc_block_decode(&b, bytes, len), YC_OK);
        yc_free(bytes);
        assert_int_equal(b.hdr.height, h);
        assert_memory_equal(b.hdr.prev_hash, prev_hash, YC_HASH_LEN);
        yc_overlay *o = NULL;
        uint32_t bad = 0;
        assert_int_equal(yc_overlay_create(&o, &memsrc), YC_OK);
        rc = yc_exec_block(o, &c->g, &b, root, &bad);
        if (rc != YC_OK)
            fail_msg("replay of block %llu: %s", (unsigned long long)h, yc_err_name(rc));
        assert_int_equal(yc_overlay_merge(o, mem), YC_OK);
        yc_overlay_destroy(o);
        memcpy(root, b.hdr.state_root, YC_HASH_LEN);
        memcpy(prev_hash, b.hash, YC_HASH_LEN);
        yc_block_cleanup(&b);
    }
    assert_memory_equal(prev_hash, tip.hash, YC_HASH_LEN);
    assert_memory_equal(root, tip.state_root, YC_HASH_LEN);
    uint8_t *extra = NULL;
    size_t elen = 0;
    assert_int_equal(store_get_block(s, tip.height + 1, &extra, &elen), YC_ENOTFOUND);

    /* every replayed key holds the same value in the store */
    const struct yc_write *w = NULL;
    size_t nw = 0;
    assert_int_equal(yc_overlay_writes(mem, &w, &nw), YC_OK);
    for (size_t i = 0; i < nw; i++) {
        uint8_t *val = NULL;
        size_t vlen = 0;
        int rc = store_get_state(s, w[i].key, w[i].klen, &val, &vlen);
        if (w[i].del) {
            assert_int_equal(rc, YC_ENOTFOUND);
            continue;
        }
        assert_int_equal(rc, YC_OK);
        assert_int_equal(vlen, w[i].vlen);
        if (vlen > 0)
            assert_memory_equal(val, w[i].val, vlen);
        yc_free(val);
    }
    yc_overlay_destroy(mem);
    *tip_height = tip.height;
}

static void test_kill9_during_commits(void **state)
{
    (void)state;
    uint64_t seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 16);
    const char *env = getenv("YC_SEED");
    if (env != NULL && *env)
        seed = strtoull(env, NULL, 0);
    printf("test_crash: seed %llu (replay with YC_SEED=%llu)\n", (unsigned long long)seed,
           (unsigned long long)seed);
    fflush(stdout);
    rng_state = seed;

    char dir[4096];
    tdir_make(dir, sizeof dir);
    struct tchain c;
    tchain_init(&c, 4);
    store *s = NULL;
    char err[512];
    assert_int_equal(store_open(&s, dir, true, &c.g, err, sizeof err), YC_OK);
    store_close(s);

    uint64_t last = 0;
    for (int round = 0; round < ROUNDS; round++) {
        uint64_t child_seed = rng_next();
        /* 30..400 ms: from "before the first commit" to "many blocks in" */
        unsigned delay_us = (unsigned)(30000 + rng_next() % 370000);
        fflush(stdout);
        fflush(stderr);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0)
            child_loop(dir, child_seed);
        usleep(delay_us);
        assert_int_equal(kill(pid, SIGKILL), 0);
        int status = 0;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        if (!(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL))
            fail_msg("round %d: the child stopped by itself (status %d) before the kill", round,
                     status);

        int rc = store_open(&s, dir, false, &c.g, err, sizeof err);
        if (rc != YC_OK)
            fail_msg("round %d (seed %llu): reopen failed: %s", round, (unsigned long long)seed,
                     err);
        uint64_t h = 0;
        check_consistent(&c, s, &h);
        printf("test_crash: round %d killed after %u us, tip %llu\n", round, delay_us,
               (unsigned long long)h);
        assert_true(h >= last);
        last = h;
        store_close(s);
    }
    assert_true(last > 0); /* the child made progress at all */
    tchain_cleanup(&c);
    tdir_remove(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kill9_during_commits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
