/*
 * sync.c — `yuchain-audit sync`: keeps the audit index (index.h), the tool's own verified
 * copy of a ledger, up to date with a source.
 *
 * The first sync replays from the genesis given with every check `replay` makes (the same
 * audit_replay, so the same core rules), writing each verified block's state writes, its
 * block entry and its failed transactions into the index. A later sync checks the index
 * (with --verify-index, its whole state against its digest), checks that the source still
 * holds the block the index verified at its tip, and verifies and applies only the blocks
 * after it, on a memstate that reads the index's state as execution needs it. Blocks are
 * written in batches, each one synced LevelDB write with its tip record, so a sync killed
 * at any point leaves the index at the last batch written, from where the next resumes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "yc/alloc.h"
#include "yc/cliutil.h"

#include "cli.h"

/* A batch is written when it holds this many bytes or blocks, or is this old. */
#define BATCH_MAX_BYTES ((size_t)64 << 20)
#define BATCH_MAX_BLOCKS 1000u
#define BATCH_MAX_MS 2000u

static const char SYNC_USAGE[] =
    "usage: yuchain-audit sync (--home DIR | --node URL) (--genesis FILE | --genesis-hash HEX)\n"
    "                          --db DIR [--verify-index] [--threads N] [--json] [--quiet]\n"
    "\n"
    "Keeps the audit index in DIR: the tool's own verified copy of the ledger (LevelDB),\n"
    "anchored to the genesis given, from which subject, trace, violations and export\n"
    "answer with --db DIR without replaying. The first sync replays the ledger from that\n"
    "genesis with every check `replay` makes (heights and links, proposers and times,\n"
    "every signature and certificate, tx and result roots, every transaction re-executed,\n"
    "every state root; with --home, the node's stored state compared at its tip); a later\n"
    "sync checks the index (its tip record, genesis and block entries; with --verify-index\n"
    "its whole state against the digest its tip records), checks that the source still\n"
    "holds the block the index verified at its tip, and verifies and applies only the new\n"
    "blocks, reading from the index only the state they touch.\n"
    "\n"
    "  --home DIR, --node URL    the source, as for `replay` (a home is only read)\n"
    "  --genesis FILE            the genesis to trust; the index is anchored to it\n"
    "  --genesis-hash HEX        the published genesis hash the source's genesis must have\n"
    "  --db DIR                  the index (created with its directory when missing)\n"
    "  --verify-index            also read the index's whole state and check it against\n"
    "                            the digest of its tip record (refused if it differs)\n"
    "  --threads N               threads checking signatures, 1..64 (default: every core),\n"
    "                            a block ahead of execution\n"
    "  --json                    print one JSON object {\"ok\",\"db\",\"height\",\"hash\",\n"
    "                            \"from_height\",\"blocks\",\"txs\",…}\n"
    "  --quiet                   no progress display (shown on stderr when it is a terminal)\n"
    "\n"
    "Refused: an index anchored to another genesis (both hashes named, exit 78); a source\n"
    "whose block at the index's tip height differs from the verified one (a fork, or an\n"
    "altered source: diverged_source, exit 1; the index keeps its history). A block that\n"
    "fails verification stops the sync at its height (exit 1); the blocks before it stay.\n"
    "A sync interrupted at any point leaves the index at the last batch of blocks written\n"
    "(one synced write each); the next sync resumes from there.\n"
    "\n"
    "Exit status: 0 synced (or already up to date), 1 verification failed, a diverged\n"
    "source or a damaged index, 2 usage, 69 node unreachable, 74 I/O error or index in use,\n"
    "78 configuration error (another genesis, not an audit index).\n";

struct syncer {
    audit_index *idx;
    struct audit_attempts at; /* the failures of the block being applied */
    uint64_t last_commit_ms;
    unsigned pause_ms; /* test hook: commit every block and pause after it */
    char msg[600];
};

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int on_verified(void *ctx, const struct yc_genesis *g, const struct yc_block *b,
                       memstate *before)
{
    struct syncer *s = ctx;
    return audit_attempts_note(&s->at, g, b, before);
}

static int on_writes(void *ctx, const struct yc_block *b, memstate *before,
                     const struct yc_write *w, size_t n)
{
    struct syncer *s = ctx;
    int rc = audit_index_put_writes(s->idx, before, w, n);
    if (rc == YC_OK)
        rc = audit_index_put_block(s->idx, b, s->at.a, s->at.n);
    s->at.n = 0;
    return rc;
}

static int on_done(void *ctx, uint64_t height, uint64_t time_ms)
{
    struct syncer *s = ctx;
    (void)time_ms;
    uint64_t t = now_ms();
    if (s->pause_ms == 0 && audit_index_pending_bytes(s->idx) < BATCH_MAX_BYTES &&
        audit_index_pending_blocks(s->idx) < BATCH_MAX_BLOCKS &&
        t - s->last_commit_ms < BATCH_MAX_MS)
        return YC_OK;
    int rc = audit_index_commit(s->idx, s->msg, sizeof s->msg);
    s->last_commit_ms = t;
    if (rc == YC_OK && s->pause_ms > 0) {
        fprintf(stderr, "sync: test hook: committed height %llu\n", (unsigned long long)height);
        usleep(s->pause_ms * 1000u);
    }
    return rc;
}

static void hex32(char out[2 * YC_HASH_LEN + 1], const uint8_t h[YC_HASH_LEN])
{
    yc_hex(out, h, YC_HASH_LEN);
}

/* Prints a refusal: text on stderr, and with --json one object on stdout. */
static int refuse(const struct audit_common *c, const char *code, uint64_t height,
                  uint64_t index_height, const char *text, int ex)
{
    audit_errorf("%s", text);
    if (c->json) {
        char r[1200];
        snprintf(r, sizeof r, "%s: %s", code, text);
        json_t *o =
            json_pack("{s:b,s:s,s:s,s:s,s:I,s:i,s:b}", "ok", 0, "db", c->db, "code", code, "reason",
                      r, "index_height", (json_int_t)index_height, "exit", ex, "anchored", 1);
        json_object_set_new(o, "height",
                            height > 0 ? json_integer((json_int_t)height) : json_null());
        char *t = json_dumps(o, JSON_COMPACT);
        json_decref(o);
        if (t != NULL)
            printf("%s\n", t);
        free(t);
        fflush(stdout);
    }
    return ex;
}

/* The source's block at height h against the one the index verified there. Returns 0,
 * or the exit code after reporting a diverged source or an operational error. */
static int check_same(const struct audit_common *c, struct audit_src *src, audit_index *idx,
                      uint64_t h, uint64_t index_height)
{
    uint8_t want[YC_HASH_LEN];
    uint64_t t = 0;
    char msg[1000], why[300] = "";
    if (audit_index_block(idx, h, want, &t) != YC_OK) {
        snprintf(msg, sizeof msg,
                 "the audit index %s has no valid block entry at height %llu: "
                 "it was altered or damaged; sync into a new directory",
                 c->db, (unsigned long long)h);
        return refuse(c, "storage_corrupt", h, index_height, msg, YC_EXIT_FAIL);
    }
    uint8_t *bytes = NULL;
    size_t len = 0;
    int rc = src->src.get_block(src->src.ctx, h, &bytes, &len, why, sizeof why);
    if (rc != YC_OK && rc != YC_ENOTFOUND && rc != YC_ECORRUPT) {
        snprintf(msg, sizeof msg, "reading block %llu: %s", (unsigned long long)h, why);
        audit_errorf("%s", msg);
        audit_json_failure(c, yc_err_name(rc), msg, audit_exit_for(rc));
        return audit_exit_for(rc);
    }
    struct yc_block b;
    char got[2 * YC_HASH_LEN + 1] = "", exp[2 * YC_HASH_LEN + 1];
    hex32(exp, want);
    if (rc == YC_OK && yc_block_decode(&b, bytes, len) == YC_OK) {
        bool same = memcmp(b.hash, want, YC_HASH_LEN) == 0;
        hex32(got, b.hash);
        yc_block_cleanup(&b);
        yc_free(bytes);
        if (same)
            return 0;
    } else {
        yc_free(bytes);
    }
    char what[2 * YC_HASH_LEN + 8];
    if (got[0] != '\0')
        snprintf(what, sizeof what, "hash %s", got);
    else
        snprintf(what, sizeof what, "%s",
                 rc == YC_ENOTFOUND  ? "missing"
                 : rc == YC_ECORRUPT ? "unreadable"
                                     : "not a valid block");
    snprintf(msg, sizeof msg,
             "diverged source: the source's block at height %llu (%s) is not the block the "
             "index verified there (hash %s): the source is on a fork, or its stored block was "
             "altered. The index keeps its verified history up to height %llu; nothing was "
             "written",
             (unsigned long long)h, what, exp, (unsigned long long)index_height);
    return refuse(c, "diverged_source", h, index_height, msg, YC_EXIT_FAIL);
}

static void report(const struct audit_common *c, const struct yc_genesis *g, uint64_t from,
                   const struct audit_index_tip *tip, const struct audit_result *res, double secs,
                   bool behind, uint64_t source_tip)
{
    char h[2 * YC_HASH_LEN + 1], r[2 * YC_HASH_LEN + 1], gh[2 * YC_HASH_LEN + 1];
    hex32(h, tip->hash);
    hex32(r, tip->state_root);
    hex32(gh, g->hash);
    if (c->json) {
        json_t *o = json_object();
        json_object_set_new(o, "ok", json_boolean(res->ok));
        json_object_set_new(o, "db", json_string(c->db));
        json_object_set_new(o, "chain_id", json_string(g->chain_id));
        json_object_set_new(o, "genesis_hash", json_string(gh));
        json_object_set_new(o, "anchored", json_true());
        json_object_set_new(o, "from_height", json_integer((json_int_t)from));
        json_object_set_new(o, "height", json_integer((json_int_t)tip->height));
        json_object_set_new(o, "hash", json_string(h));
        json_object_set_new(o, "state_root", json_string(r));
        json_object_set_new(o, "source_tip", json_integer((json_int_t)source_tip));
        json_object_set_new(o, "blocks", json_integer((json_int_t)res->blocks));
        json_object_set_new(o, "txs", json_integer((json_int_t)res->txs));
        json_object_set_new(o, "total_txs", json_integer((json_int_t)tip->txs));
        json_object_set_new(o, "seconds", json_real(secs));
        if (res->ok) {
            json_object_set_new(o, "code", json_null());
            json_object_set_new(o, "reason", json_null());
        } else {
            char reason[1100];
            snprintf(reason, sizeof reason, "%s: %s", audit_reason_name(res->reason), res->detail);
            json_object_set_new(o, "code", json_string(audit_reason_name(res->reason)));
            json_object_set_new(o, "reason", json_string(reason));
            json_object_set_new(o, "fail_height", json_integer((json_int_t)res->fail_height));
        }
        char *t = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(6));
        json_decref(o);
        if (t != NULL)
            printf("%s\n", t);
        free(t);
    } else if (behind) {
        printf("The source is behind the audit index (its tip %llu, the index's %llu) and holds "
               "the same block at height %llu: nothing to sync.\n",
               (unsigned long long)source_tip, (unsigned long long)tip->height,
               (unsigned long long)source_tip);
    } else {
        printf("%s: the audit index %s holds the ledger verified from its genesis to height "
               "%llu\n",
               res->ok ? "OK" : "FAILED", c->db, (unsigned long long)tip->height);
        printf("  genesis     %s (%s), anchored by the %s given\n", gh, g->chain_id,
               c->genesis != NULL && c->have_hash ? "genesis file and hash"
               : c->genesis != NULL               ? "genesis file"
                                                  : "genesis hash");
        printf("  tip         height %llu, block hash %s\n  state root  %s\n",
               (unsigned long long)tip->height, h, r);
        printf("  this sync   %llu block%s after height %llu, %llu transaction%s verified in "
               "%.2f s%s\n",
               (unsigned long long)res->blocks, res->blocks == 1 ? "" : "s",
               (unsigned long long)from, (unsigned long long)res->txs, res->txs == 1 ? "" : "s",
               secs, res->blocks == 0 ? " (already up to date)" : "");
    }
    fflush(stdout);
    if (!res->ok)
        audit_errorf("verification failed at height %llu: %s: %s; the index keeps the blocks "
                     "verified before it (height %llu)",
                     (unsigned long long)res->fail_height, audit_reason_name(res->reason),
                     res->detail, (unsigned long long)tip->height);
}

/* Opens (or starts: *fresh, *m then holds the whole genesis state) the index, and makes *m
 * the state at its tip (over the index when it existed); fills *tip. 0 or exit code. */
static int open_index(const struct audit_common *c, const struct yc_genesis *g, audit_index **idx,
                      memstate **m, struct audit_index_tip *tip, bool *fresh)
{
    char msg[900] = "";
    int rc = audit_index_open(idx, c->db, true, msg, sizeof msg);
    if (rc == YC_OK) {
        rc = audit_index_tip(*idx, tip, msg, sizeof msg);
        if (rc == YC_ENOTFOUND) {
            uint8_t root[YC_HASH_LEN];
            rc = memstate_create(m);
            if (rc == YC_OK)
                rc = audit_genesis_state(g, *m, root, msg, sizeof msg);
            if (rc == YC_OK)
                rc = audit_index_init(*idx, g, *m, root, msg, sizeof msg);
            if (rc == YC_OK)
                *tip = *audit_index_pending_tip(*idx);
            *fresh = true;
            return rc == YC_OK ? 0 : refuse(c, yc_err_name(rc), 0, 0, msg, audit_exit_for(rc));
        }
    }
    if (rc == YC_OK && memcmp(tip->genesis_hash, g->hash, YC_HASH_LEN) != 0) {
        char a[2 * YC_HASH_LEN + 1], b[2 * YC_HASH_LEN + 1];
        hex32(a, tip->genesis_hash);
        hex32(b, g->hash);
        snprintf(msg, sizeof msg,
                 "the audit index %s is anchored to genesis %s; this sync's genesis is %s: "
                 "another chain (or another genesis); sync it into another directory",
                 c->db, a, b);
        return refuse(c, "config_error", 0, tip->height, msg, YC_EXIT_CONFIG);
    }
    if (rc == YC_OK) {
        struct yc_genesis ig;
        rc = audit_index_check(*idx, tip, &ig, msg, sizeof msg);
        yc_genesis_cleanup(&ig);
    }
    if (rc == YC_OK && c->verify_index)
        rc = audit_index_verify_state(*idx, tip, msg, sizeof msg);
    if (rc == YC_OK) {
        /* the state is read from the index as execution needs it (through the snapshot
         * the check took, from before this sync's writes) */
        struct yc_state_src st = audit_index_state(*idx);
        rc = memstate_create_over(m, &st);
    }
    if (rc == YC_OK) {
        audit_index_begin(*idx, tip);
        return 0;
    }
    int ex = rc == YC_ECORRUPT ? YC_EXIT_FAIL : audit_exit_for(rc);
    return refuse(c, rc == YC_ECORRUPT ? "storage_corrupt" : yc_err_name(rc), 0, tip->height, msg,
                  ex);
}

int audit_cmd_sync(int argc, char **argv)
{
    struct audit_common c;
    bool help;
    int ex = audit_parse_sync(argc, argv, SYNC_USAGE, &c, &help);
    if (ex != 0 || help) {
        if (help)
            fputs(SYNC_USAGE, stdout);
        return ex;
    }
    if (optind < argc) {
        return audit_usage_errorf(SYNC_USAGE, "sync: unexpected argument \"%s\"", argv[optind]);
    }
    uint64_t t0 = now_ms();
    char msg[900] = "";
    struct audit_src src;
    const uint8_t *hash = c.have_hash ? c.genesis_hash : NULL;
    int rc = c.home != NULL ? audit_src_open_home(&src, c.home, c.genesis, hash, msg, sizeof msg)
                            : audit_src_open_node(&src, c.node, c.genesis, hash, msg, sizeof msg);
    if (rc != YC_OK) {
        audit_src_close(&src);
        if (rc == YC_ECORRUPT)
            return refuse(&c, "storage_corrupt", 0, 0, msg, YC_EXIT_FAIL);
        audit_errorf("%s", msg);
        audit_json_failure(&c, yc_err_name(rc), msg, audit_exit_for(rc));
        return audit_exit_for(rc);
    }
    memstate *m = NULL;
    struct syncer s = {.at = {.all = true}, .last_commit_ms = now_ms()};
#ifdef YC_TEST_HOOKS
    const char *pause = getenv("YC_TEST_AUDIT_SYNC_PAUSE_MS");
    if (pause != NULL)
        s.pause_ms = (unsigned)atoi(pause);
#endif
    struct audit_index_tip tip;
    bool fresh = false;
    ex = open_index(&c, &src.genesis, &s.idx, &m, &tip, &fresh);
    uint64_t source_tip = 0, from = tip.height;
    if (ex == 0) {
        rc = src.src.tip(src.src.ctx, &source_tip, msg, sizeof msg);
        if (rc != YC_OK) {
            audit_errorf("%s", msg);
            audit_json_failure(&c, yc_err_name(rc), msg, audit_exit_for(rc));
            ex = audit_exit_for(rc);
        }
    }
    bool behind = false;
    if (ex == 0 && tip.height > 0) {
        behind = source_tip < tip.height;
        ex = check_same(&c, &src, s.idx, behind ? source_tip : tip.height, tip.height);
    }
    struct audit_result res = {.ok = true};
    if (ex == 0 && !behind) {
        struct audit_resume at = {.height = tip.height, .time_ms = tip.time_ms};
        memcpy(at.hash, tip.hash, YC_HASH_LEN);
        memcpy(at.state_root, tip.state_root, YC_HASH_LEN);
        struct audit_progress pr;
        audit_progress_init(&pr, &c, "syncing");
        /* the home's stored state is compared (as `replay --home` does) by the first
         * sync, which holds the whole state; a later one reads only what it needs */
        struct audit_opts o = {.threads = c.threads,
                               .check_end = fresh,
                               .progress = audit_progress_show,
                               .progress_ctx = &pr,
                               .block_verified = on_verified,
                               .verified_ctx = &s,
                               .block_writes = on_writes,
                               .writes_ctx = &s,
                               .block_done = on_done,
                               .block_ctx = &s,
                               .from = &at};
        rc = audit_replay(&src.genesis, &src.src, &o, m, &res, msg, sizeof msg);
        audit_progress_end(&pr);
        /* every block in the batch passed every check: keep them, whatever came after */
        char cmsg[600] = "";
        int crc = audit_index_pending_blocks(s.idx) > 0
                      ? audit_index_commit(s.idx, cmsg, sizeof cmsg)
                      : YC_OK;
        if (rc == YC_OK && crc != YC_OK) {
            rc = crc;
            snprintf(msg, sizeof msg, "%s", cmsg);
        }
        if (rc != YC_OK) {
            if (s.msg[0] != '\0' && strstr(msg, "keeping") == NULL)
                snprintf(msg + strlen(msg), sizeof msg - strlen(msg), " (%s)", s.msg);
            const struct audit_index_tip *now = audit_index_pending_tip(s.idx);
            char full[1100];
            snprintf(full, sizeof full,
                     "%s; the index holds the blocks verified up to height "
                     "%llu",
                     msg, (unsigned long long)now->height);
            audit_errorf("%s", full);
            audit_json_failure(&c, yc_err_name(rc), full, audit_exit_for(rc));
            ex = audit_exit_for(rc);
        }
    }
    if (ex == 0) {
        const struct audit_index_tip *now = audit_index_pending_tip(s.idx);
        report(&c, &src.genesis, from, now, &res, (double)(now_ms() - t0) / 1000.0, behind,
               source_tip);
        ex = res.ok ? YC_EXIT_OK : YC_EXIT_FAIL;
    }
    audit_attempts_cleanup(&s.at);
    audit_index_close(s.idx);
    memstate_destroy(m);
    audit_src_close(&src);
    return ex;
}
