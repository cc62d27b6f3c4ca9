/*
 * test_crash.c — kill -9 during load, and power cuts at every write (TESTING.md C3).
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
 *
 * The sync is shown through the storage seam (yc/kv.h): the store runs on a
 * fault-injecting backend over memory, which loses every write not synced when the power
 * is cut. A workload (per height: two journal records, as the votes persisted before they
 * are sent, then the block commit; every second height a journal prune) is cut at its
 * write N for N = 1, 2, ... until it completes without reaching N; after each cut the
 * store reopens on what survived with the tip at exactly the last acknowledged block and
 * consistent (as above), and every acknowledged journal record of an unpruned height is
 * there, in order, with nothing else. The same workload with its Nth write failing gets
 * YC_EIO from that call (the message says so) and reopens as consistent.
 */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
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
#include "yc/kv.h"
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

/* Tells the parent how far the child got: 'o' once the store is open, 'c' after its first
 * commit. The kill's delay counts from 'o', so a slow start (a loaded machine, ASan) is
 * not mistaken for a kill before the first commit. */
static void child_say(int fd, char what)
{
    if (write(fd, &what, 1) != 1)
        _exit(6);
}

/* The child: commit blocks until killed. Never returns into cmocka. */
static void child_loop(const char *dir, uint64_t seed, int fd)
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
    child_say(fd, 'o');
    for (bool first = true;; first = false) {
        uint8_t rec[32];
        memset(rec, (int)(c.height & 0xff), sizeof rec);
        if (store_journal_append(s, c.height + 1, rec, sizeof rec) != YC_OK)
            _exit(4);
        tchain_commit_next(&c, s, (uint32_t)(rng_next() % 5));
        if (first)
            child_say(fd, 'c');
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

/* Waits (up to 5 minutes: only a hung child takes that long) for the child's word. */
static void child_wait(int fd, char what, int round)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    for (;;) {
        int n = poll(&p, 1, 300000);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            fail_msg("round %d: the child did not say '%c' within 5 minutes", round, what);
        char got = 0;
        if (read(fd, &got, 1) != 1)
            fail_msg("round %d: the child ended before saying '%c'", round, what);
        if (got == what)
            return;
    }
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
        int fds[2];
        assert_int_equal(pipe(fds), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            close(fds[0]);
            child_loop(dir, child_seed, fds[1]);
        }
        close(fds[1]);
        child_wait(fds[0], 'o', round);
        usleep(delay_us);
        /* the last round, if no round has yet seen a commit: let one happen first, so
         * that the test shows progress however slow the machine is */
        if (round == ROUNDS - 1 && last == 0)
            child_wait(fds[0], 'c', round);
        assert_int_equal(kill(pid, SIGKILL), 0);
        int status = 0;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        close(fds[0]); /* after the child is gone: a word written to a closed pipe kills it */
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

#define PC_BLOCKS 6
#define PC_VOTES 2

/* What the workload was told was done: blocks committed, journal records appended per
 * height, the height below which a prune was acknowledged. */
struct acked {
    uint64_t blocks;
    uint32_t votes[PC_BLOCKS + 2];
    uint64_t pruned_below;
};

static void vote_record(uint8_t rec[16], uint64_t height, uint32_t i)
{
    memset(rec, 0, 16);
    memcpy(rec, "vote", 4);
    rec[4] = (uint8_t)height;
    rec[5] = (uint8_t)i;
}

/* Runs the workload on a store over `kv` (opened here, with the genesis: its first write)
 * until done or the first failure, whose code it returns (YC_OK: done). Closes the store. */
static int power_workload(struct tchain *c, yc_kv *kv, struct acked *a)
{
    store *s = NULL;
    char err[512];
    memset(a, 0, sizeof *a);
    int rc = store_open_kv(&s, kv, 0, &c->g, err, sizeof err);
    if (rc != YC_OK)
        return rc;
    assert_int_equal(store_state_cache(s, 1u << 20), YC_OK); /* as the node runs it */
    for (uint64_t h = 1; h <= PC_BLOCKS && rc == YC_OK; h++) {
        for (uint32_t i = 0; i < PC_VOTES && rc == YC_OK; i++) {
            uint8_t rec[16];
            vote_record(rec, h, i);
            rc = store_journal_append(s, h, rec, sizeof rec);
            if (rc == YC_OK)
                a->votes[h]++;
        }
        if (rc != YC_OK)
            break;
        struct yc_state_src src = store_state_src(s);
        struct tblock tb;
        tchain_next(c, &src, 2, &tb);
        const struct yc_write *w = NULL;
        size_t nw = 0;
        assert_int_equal(yc_overlay_writes(tb.o, &w, &nw), YC_OK);
        uint64_t before = yc_kv_fault_writes(kv);
        rc = store_commit_block(s, &tb.b, w, nw);
        tblock_cleanup(&tb);
        if (rc != YC_OK) {
            struct store_cache_stats st; /* the batch may or may not be on disk: */
            store_state_cache_stats(s, &st);
            assert_int_equal(st.entries, 0); /* the cache forgot everything */
            break;
        }
        assert_int_equal(yc_kv_fault_writes(kv) - before, 1); /* one synced write a block */
        a->blocks = h;
        if (h % 2 == 0) {
            rc = store_journal_prune(s, h);
            if (rc == YC_OK)
                a->pruned_below = h;
        }
    }
    if (rc != YC_OK) {
        assert_int_equal(rc, YC_EIO); /* a failed write is an I/O error, never anything else */
        assert_non_null(strstr(store_last_error(s), "fault injection"));
    }
    store_close(s);
    return rc;
}

/* Reopens a store on what survived in `mem` and checks it against what was acknowledged. */
static void check_survivor(const struct tchain *c, yc_kv *mem, const struct acked *a)
{
    store *s = NULL;
    char err[512];
    int rc = store_open_kv(&s, mem, 0, &c->g, err, sizeof err);
    if (rc != YC_OK)
        fail_msg("reopen after the cut: %s", err);
    uint64_t tip = 0;
    check_consistent(c, s, &tip);
    assert_int_equal(tip, a->blocks); /* the last acknowledged block, no half block */
    for (uint64_t h = 1; h <= PC_BLOCKS + 1; h++) {
        struct pbft_record_list l;
        assert_int_equal(store_journal_load(s, h, &l), YC_OK);
        if (h >= a->pruned_below)
            assert_int_equal(l.n, a->votes[h]); /* no vote reported persisted is lost */
        else
            assert_true(l.n <= a->votes[h]); /* a prune not yet synced may come undone */
        for (size_t i = 0; i < l.n; i++) {
            uint8_t rec[16];
            vote_record(rec, h, (uint32_t)i);
            assert_int_equal(l.lens[i], sizeof rec);
            assert_memory_equal(l.recs[i], rec, sizeof rec);
        }
        store_journal_free(&l);
    }
    store_close(s);
}

/* Runs the workload on a fault-injecting backend over memory that cuts the power at its
 * write n (cut) or fails it (!cut), then checks what survived in memory. Returns the
 * workload's code; *off says whether the power went off. */
static int run_faulted(bool cut, uint64_t n, bool *off, struct acked *a)
{
    struct tchain c, fresh;
    tchain_init(&c, 4);
    yc_kv *mem = NULL, *fault = NULL;
    assert_int_equal(yc_kv_mem_new(&mem), YC_OK);
    assert_int_equal(yc_kv_fault_new(&fault, mem), YC_OK);
    if (cut)
        yc_kv_fault_cut_at(fault, n);
    else
        yc_kv_fault_fail_at(fault, n);
    int rc = power_workload(&c, fault, a);
    *off = yc_kv_fault_power_off(fault);
    fault->ops->close(fault);
    tchain_init(&fresh, 4); /* the chain as the survivor holds it: replayed from genesis */
    check_survivor(&fresh, mem, a);
    tchain_cleanup(&fresh);
    mem->ops->close(mem);
    tchain_cleanup(&c);
    return rc;
}

/* The genesis, every vote and block, and the prunes that delete something. */
#define PC_WRITES (1 + PC_BLOCKS * (PC_VOTES + 1) + PC_BLOCKS / 2)

static void test_power_cut_at_every_write(void **state)
{
    (void)state;
    uint64_t cuts = 0;
    for (uint64_t n = 1;; n++) {
        struct acked a;
        bool off = false;
        int rc = run_faulted(true, n, &off, &a);
        if (!off) {
            assert_int_equal(rc, YC_OK);
            assert_int_equal(a.blocks, PC_BLOCKS);
            break;
        }
        assert_int_equal(rc, YC_EIO);
        cuts++;
    }
    assert_int_equal(cuts, PC_WRITES);
    printf("test_crash: power cut at each of %llu writes, each reopened consistent\n",
           (unsigned long long)cuts);
}

static void test_failed_write_is_an_io_error(void **state)
{
    (void)state;
    for (uint64_t n = 1; n <= PC_WRITES; n++) {
        struct acked a;
        bool off = true;
        assert_int_equal(run_faulted(false, n, &off, &a), YC_EIO);
        assert_false(off);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kill9_during_commits),
        cmocka_unit_test(test_power_cut_at_every_write),
        cmocka_unit_test(test_failed_write_is_an_io_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
