/*
 * cli.c — yuchain-audit's entry point, the subcommand table, the `replay` command and
 * what the commands share (opening the source, running the replay with progress).
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "yc/cliutil.h"
#include "yc/genesis_json.h"
#include "yc/timefmt.h"
#include "yc/tx.h"

#include "cli.h"

#define PROG "yuchain-audit"

/* The last message printed, for the JSON object of a usage error. */
static char last_error[1200];

void audit_errorf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_error, sizeof last_error, fmt, ap);
    va_end(ap);
    fprintf(stderr, PROG ": %s\n", last_error);
}

/* Prints the synopsis of a usage text (up to its first blank line) to stderr. */
static void synopsis(const char *usage_text)
{
    const char *end = strstr(usage_text, "\n\n");
    fprintf(stderr, "%.*s\n", end != NULL ? (int)(end - usage_text) : (int)strlen(usage_text),
            usage_text);
}

int audit_usage_errorf(const char *usage_text, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_error, sizeof last_error, fmt, ap);
    va_end(ap);
    fprintf(stderr, PROG ": %s\n", last_error);
    synopsis(usage_text);
    return YC_EXIT_USAGE;
}

int audit_exit_for(int rc)
{
    switch (rc) {
    case YC_OK:
        return YC_EXIT_OK;
    case YC_EIO:
    case YC_EBUSY:
        return YC_EXIT_IOERR;
    case YC_ECONFIG:
        return YC_EXIT_CONFIG;
    case YC_EUNREACHABLE:
    case YC_EREMOTE:
        return YC_EXIT_UNAVAILABLE;
    case YC_ENOTAUTH: /* a proxy in front of the node wants a token (YUCHAIN_NODE_TOKEN_FILE) */
        return YC_EXIT_NOPERM;
    default:
        return YC_EXIT_FAIL;
    }
}

/* ---- progress (terminal only, at most five updates a second) ---- */

static uint64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void audit_progress_init(struct audit_progress *p, const struct audit_common *c, const char *verb)
{
    memset(p, 0, sizeof *p);
    p->on = !c->quiet && !c->json && isatty(STDERR_FILENO);
    p->verb = verb;
}

void audit_progress_show(void *ctx, uint64_t height, uint64_t target)
{
    struct audit_progress *p = ctx;
    uint64_t now = mono_ms();
    if (!p->on)
        return;
    if (p->start_ms == 0) {
        p->start_ms = now;
        p->start_height = height - 1;
    }
    if (now - p->last_ms < 200 && height != target)
        return;
    p->last_ms = now;
    p->shown = true;
    uint64_t el = now - p->start_ms, done = height - p->start_height;
    uint64_t left = target > height && done > 0 ? (target - height) * el / done / 1000 : 0;
    fprintf(stderr, "\r%s block %llu of %llu (%3u%%), %llu s, about %llu s left\033[K", p->verb,
            (unsigned long long)height, (unsigned long long)target,
            (unsigned)(target > 0 ? height * 100 / target : 100), (unsigned long long)(el / 1000),
            (unsigned long long)left);
    fflush(stderr);
}

void audit_progress_end(struct audit_progress *p)
{
    if (p->shown)
        fputs("\r\033[K", stderr);
    p->shown = false;
}

static int note_time(void *ctx, uint64_t height, uint64_t time_ms)
{
    struct audit_times *t = ctx;
    if (height >= t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 1024;
        while (cap <= height)
            cap *= 2;
        uint64_t *n = realloc(t->t, cap * sizeof *n);
        if (n == NULL)
            return YC_ENOMEM;
        t->t = n;
        t->cap = cap;
    }
    t->t[height] = time_ms;
    t->n = height + 1;
    return YC_OK;
}

bool audit_anchored(const struct audit_common *c)
{
    return c->genesis != NULL || c->have_hash;
}

static const char *anchor_words(const struct audit_common *c)
{
    if (c->genesis != NULL && c->have_hash)
        return "the genesis file given (--genesis) and the published hash (--genesis-hash)";
    if (c->genesis != NULL)
        return "the genesis file given (--genesis)";
    if (c->have_hash)
        return "the published genesis hash given (--genesis-hash)";
    return NULL;
}

/* The one JSON object of a failure without a verdict object: height 0 = null, exit_code
 * < 0 = not written. */
static void json_failure(const struct audit_common *c, uint64_t blocks, uint64_t txs,
                         uint64_t height, const char *code, const char *reason, int exit_code)
{
    json_t *o = json_object();
    char r[1100];
    snprintf(r, sizeof r, "%s: %s", code, reason);
    json_object_set_new(o, "ok", json_false());
    json_object_set_new(o, "blocks", json_integer((json_int_t)blocks));
    json_object_set_new(o, "txs", json_integer((json_int_t)txs));
    json_object_set_new(o, "height", height > 0 ? json_integer((json_int_t)height) : json_null());
    json_object_set_new(o, "code", json_string(code));
    json_object_set_new(o, "reason", json_string(r));
    if (exit_code >= 0)
        json_object_set_new(o, "exit", json_integer(exit_code));
    json_object_set_new(o, "anchored", json_boolean(audit_anchored(c)));
    char *text = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    if (text != NULL)
        printf("%s\n", text);
    free(text);
    fflush(stdout);
}

void audit_json_failure(const struct audit_common *c, const char *code, const char *reason,
                        int exit_code)
{
    if (c->json)
        json_failure(c, 0, 0, 0, code, reason, exit_code);
}

void audit_json_refused(const struct audit_common *c, const struct audit_result *res)
{
    if (c->json)
        json_failure(c, res->blocks, res->txs, res->fail_height, audit_reason_name(res->reason),
                     res->detail, -1);
}

int audit_run(const struct audit_common *c, uint64_t to, struct audit_src *src, memstate **state,
              struct audit_result *res)
{
    return audit_run_full(c, to, src, state, res, NULL, NULL);
}

static int note_attempts(void *ctx, const struct yc_genesis *g, const struct yc_block *b,
                         memstate *before)
{
    return audit_attempts_note(ctx, g, b, before);
}

int audit_run_full(const struct audit_common *c, uint64_t to, struct audit_src *src,
                   memstate **state, struct audit_result *res, struct audit_times *times,
                   struct audit_attempts *attempts)
{
    char msg[900] = "";
    int rc;
    *state = NULL;
    memset(res, 0, sizeof *res);
    memset(src, 0, sizeof *src);
    if (c->require_anchor && !audit_anchored(c)) {
        snprintf(msg, sizeof msg,
                 "NOT ANCHORED: no --genesis FILE or --genesis-hash HEX was given, so the "
                 "genesis would come from the %s being audited; --require-anchor refuses that",
                 c->home != NULL ? "home" : "node");
        audit_errorf("%s", msg);
        audit_json_failure(c, "not_anchored", msg, YC_EXIT_NOPERM);
        return YC_EXIT_NOPERM;
    }
    const uint8_t *hash = c->have_hash ? c->genesis_hash : NULL;
    if (c->home != NULL)
        rc = audit_src_open_home(src, c->home, c->genesis, hash, msg, sizeof msg);
    else
        rc = audit_src_open_node(src, c->node, c->genesis, hash, msg, sizeof msg);
    if (rc == YC_ECORRUPT) {
        res->ok = false;
        res->reason = AUDIT_STORAGE_CORRUPT;
        snprintf(res->detail, sizeof res->detail, "%s", msg);
        return 0;
    }
    if (rc != YC_OK) {
        audit_errorf("%s", msg);
        audit_json_failure(c, yc_err_name(rc), msg, audit_exit_for(rc));
        return audit_exit_for(rc);
    }
    if (!audit_anchored(c)) {
        char gh[2 * YC_HASH_LEN + 1];
        yc_hex(gh, src->genesis.hash, YC_HASH_LEN);
        audit_errorf("warning: NOT ANCHORED: the genesis comes from the %s being audited "
                     "(genesis hash %s); compare it with the published one, or pass --genesis "
                     "FILE or --genesis-hash HEX",
                     c->home != NULL ? "home" : "node", gh);
    }
    rc = memstate_create(state);
    if (rc != YC_OK) {
        audit_src_close(src);
        audit_errorf("out of memory");
        audit_json_failure(c, "out_of_memory", "out of memory", YC_EXIT_FAIL);
        return YC_EXIT_FAIL;
    }
    struct audit_progress pr;
    audit_progress_init(&pr, c, "replaying");
    struct audit_opts o = {.to = to,
                           .threads = c->threads,
                           .check_end = true,
                           .progress = audit_progress_show,
                           .progress_ctx = &pr};
    if (attempts != NULL) {
        o.block_verified = note_attempts;
        o.verified_ctx = attempts;
    }
    if (times != NULL) {
        rc = note_time(times, 0, src->genesis.genesis_time_ms);
        if (rc != YC_OK) {
            memstate_destroy(*state);
            *state = NULL;
            audit_src_close(src);
            audit_errorf("out of memory");
            audit_json_failure(c, "out_of_memory", "out of memory", YC_EXIT_FAIL);
            return YC_EXIT_FAIL;
        }
        o.block_done = note_time;
        o.block_ctx = times;
    }
    rc = audit_replay(&src->genesis, &src->src, &o, *state, res, msg, sizeof msg);
    audit_progress_end(&pr);
    if (rc != YC_OK) {
        char full[1000];
        snprintf(full, sizeof full, "%s (after %llu verified blocks)", msg,
                 (unsigned long long)res->blocks);
        audit_errorf("%s", full);
        audit_json_failure(c, yc_err_name(rc), full, audit_exit_for(rc));
        memstate_destroy(*state);
        *state = NULL;
        audit_src_close(src);
        return audit_exit_for(rc);
    }
    return 0;
}

/* ---- what the questions answer from ---- */

static int note_block_time(void *ctx, uint64_t height, const uint8_t hash[YC_HASH_LEN],
                           uint64_t time_ms)
{
    (void)hash;
    return note_time(ctx, height, time_ms);
}

/* The audit index's genesis against the one the auditor gives, if any: 0 or 78. */
static int index_anchor(const struct audit_common *c, const struct yc_genesis *ig)
{
    char a[2 * YC_HASH_LEN + 1], b[2 * YC_HASH_LEN + 1], m[900];
    yc_hex(a, ig->hash, YC_HASH_LEN);
    if (c->have_hash && memcmp(c->genesis_hash, ig->hash, YC_HASH_LEN) != 0) {
        yc_hex(b, c->genesis_hash, YC_HASH_LEN);
        snprintf(m, sizeof m,
                 "the audit index %s is anchored to genesis %s, not to the "
                 "--genesis-hash %s",
                 c->db, a, b);
    } else if (c->genesis != NULL) {
        struct yc_genesis g;
        char err[600];
        int rc = yc_genesis_json_load(&g, c->genesis, err, sizeof err);
        if (rc != YC_OK) {
            snprintf(m, sizeof m, "genesis: %s", err);
            audit_errorf("%s", m);
            audit_json_failure(c, yc_err_name(rc), m, audit_exit_for(rc));
            return audit_exit_for(rc);
        }
        bool same = memcmp(g.hash, ig->hash, YC_HASH_LEN) == 0;
        yc_hex(b, g.hash, YC_HASH_LEN);
        yc_genesis_cleanup(&g);
        if (same)
            return 0;
        snprintf(m, sizeof m, "the audit index %s is anchored to genesis %s; %s hashes to %s",
                 c->db, a, c->genesis, b);
    } else {
        return 0;
    }
    audit_errorf("%s", m);
    audit_json_failure(c, "config_error", m, YC_EXIT_CONFIG);
    return YC_EXIT_CONFIG;
}

/* Opens the audit index for a question and checks it (index.h, audit_index_check). */
static int ledger_from_index(const struct audit_common *c, unsigned want, struct audit_ledger *L)
{
    char msg[900] = "";
    struct audit_index_tip tip;
    int rc = audit_index_open(&L->idx, c->db, false, msg, sizeof msg);
    if (rc == YC_OK)
        rc = audit_index_check(L->idx, &tip, &L->ig, msg, sizeof msg);
    if (rc == YC_ECORRUPT) {
        L->res.reason = AUDIT_STORAGE_CORRUPT;
        snprintf(L->res.detail, sizeof L->res.detail, "%s", msg);
        return 0;
    }
    if (rc != YC_OK) {
        int ex = rc == YC_ENOTFOUND ? YC_EXIT_CONFIG : audit_exit_for(rc);
        audit_errorf("%s", msg);
        audit_json_failure(c, yc_err_name(rc), msg, ex);
        audit_ledger_close(L);
        return ex;
    }
    L->g = &L->ig;
    int ex = index_anchor(c, L->g);
    if (ex != 0) {
        audit_ledger_close(L);
        return ex;
    }
    if (want & AUDIT_WANT_TIMES)
        rc = audit_index_blocks(L->idx, note_block_time, &L->times);
    if (rc == YC_OK && (want & AUDIT_WANT_ATTEMPTS))
        rc = audit_index_attempts(L->idx, &L->at);
    if (rc == YC_OK && (want & AUDIT_WANT_TIMES) && L->times.n != tip.height + 1)
        rc = YC_ECORRUPT;
    if (rc == YC_ECORRUPT) {
        L->res.reason = AUDIT_STORAGE_CORRUPT;
        snprintf(L->res.detail, sizeof L->res.detail,
                 "the audit index %s: a block or failed-transaction entry is malformed, or the "
                 "block entries do not run from the genesis to the tip: the index was altered "
                 "or damaged; sync into a new directory",
                 c->db);
        return 0;
    }
    if (rc != YC_OK) {
        snprintf(msg, sizeof msg, "reading the audit index %s: %s", c->db, yc_strerror(rc));
        audit_errorf("%s", msg);
        audit_json_failure(c, yc_err_name(rc), msg, audit_exit_for(rc));
        audit_ledger_close(L);
        return audit_exit_for(rc);
    }
    L->st = audit_index_state(L->idx);
    struct audit_result *r = &L->res;
    r->ok = true;
    r->target = r->source_tip = r->height = r->blocks = tip.height;
    r->txs = tip.txs;
    r->failed = tip.failed;
    memcpy(r->hash, tip.hash, YC_HASH_LEN);
    memcpy(r->state_root, tip.state_root, YC_HASH_LEN);
    r->time_ms = tip.time_ms;
    char h[2 * YC_HASH_LEN + 1], g[2 * YC_HASH_LEN + 1];
    yc_hex(h, tip.hash, YC_HASH_LEN);
    yc_hex(g, tip.genesis_hash, YC_HASH_LEN);
    fprintf(stderr,
            PROG ": answered from the audit index %s at height %llu, block hash %s, anchored to "
                 "genesis %s (every block verified from that genesis by `sync`; the index's "
                 "tip record, genesis and block entries checked, LevelDB checksums verified on "
                 "every read)\n",
            c->db, (unsigned long long)tip.height, h, g);
    return 0;
}

int audit_ledger_open(const struct audit_common *c, unsigned want, struct audit_ledger *L)
{
    bool all = L->at.all;
    memset(L, 0, sizeof *L);
    L->at.all = all;
    if (c->db != NULL)
        return ledger_from_index(c, want, L);
    int ex = audit_run_full(c, 0, &L->src, &L->mem, &L->res,
                            (want & AUDIT_WANT_TIMES) ? &L->times : NULL,
                            (want & AUDIT_WANT_ATTEMPTS) ? &L->at : NULL);
    if (ex != 0) {
        audit_ledger_close(L);
        return ex;
    }
    L->g = &L->src.genesis;
    if (L->mem != NULL)
        L->st = memstate_src(L->mem);
    return 0;
}

void audit_ledger_close(struct audit_ledger *L)
{
    memstate_destroy(L->mem);
    L->mem = NULL;
    audit_src_close(&L->src);
    audit_index_close(L->idx);
    L->idx = NULL;
    yc_genesis_cleanup(&L->ig);
    free(L->times.t);
    L->times = (struct audit_times){0};
    audit_attempts_cleanup(&L->at);
}

/* ---- replay: summary and report ---- */

static void hex32(char out[2 * YC_HASH_LEN + 1], const uint8_t h[YC_HASH_LEN])
{
    yc_hex(out, h, YC_HASH_LEN);
}

/* What the home source did to read without writing (nothing for a node). */
static void storage_text(FILE *f, const struct audit_src *src)
{
    if (src == NULL || src->st == NULL)
        return;
    const struct store_verify_stats *v = &src->verified;
    fprintf(f,
            "  storage         %u table%s, %u log%s and %u manifest%s checked against their "
            "checksums (%llu blocks, %llu records); read through a private copy (%u table%s "
            "hard-linked, %u file%s copied, removed after): nothing in the home was written\n",
            v->tables, v->tables == 1 ? "" : "s", v->logs, v->logs == 1 ? "" : "s", v->manifests,
            v->manifests == 1 ? "" : "s", (unsigned long long)v->blocks,
            (unsigned long long)v->records, src->snap.linked, src->snap.linked == 1 ? "" : "s",
            src->snap.copied, src->snap.copied == 1 ? "" : "s");
}

static void diffs_text(FILE *f, const struct audit_result *r)
{
    for (uint32_t i = 0; i < r->ndiffs; i++)
        fprintf(f, "  %s\n", r->diffs[i].text);
    if (r->diff_total > r->ndiffs)
        fprintf(f, "  … and %llu more\n", (unsigned long long)(r->diff_total - r->ndiffs));
}

static char *summary_text(const struct audit_common *c, const struct yc_genesis *g,
                          const struct audit_result *r, const struct audit_src *src)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (f == NULL)
        return NULL;
    char h[2 * YC_HASH_LEN + 1], t[YC_TIME_STR_MAX];
    if (g != NULL) {
        hex32(h, g->hash);
        fprintf(f, "Yuchain audit of chain %s\n", g->chain_id);
        fprintf(f, "  genesis hash    %s\n", h);
        fprintf(f, "  validators      %u (quorum %u)\n", g->nvalidators, yc_quorum(g->nvalidators));
    }
    fprintf(f, "  source          %s %s\n", c->home != NULL ? "home" : "node",
            c->home != NULL ? c->home : c->node);
    if (audit_anchored(c))
        fprintf(f, "  anchored        yes: the genesis is %s\n", anchor_words(c));
    else
        fprintf(f,
                "  anchored        NOT ANCHORED: the genesis came from the %s being audited; "
                "the verification below only shows the ledger agrees with it. Compare the "
                "genesis hash with the published one, or pass --genesis FILE or "
                "--genesis-hash HEX\n",
                c->home != NULL ? "home" : "node");
    storage_text(f, src);
    if (r->blocks > 0)
        fprintf(f, "  blocks          %llu verified (heights 1..%llu)\n",
                (unsigned long long)r->blocks, (unsigned long long)r->height);
    else
        fprintf(f, "  blocks          0 verified\n");
    fprintf(f,
            "  transactions    %llu (%llu committed, %llu failed: outcome re-derived, only "
            "the nonce used)\n",
            (unsigned long long)r->txs, (unsigned long long)(r->txs - r->failed),
            (unsigned long long)r->failed);
    for (int i = 0; i < AUDIT_MAX_TYPE; i++) {
        const char *name = yc_tx_type_name((enum yc_tx_type)i);
        if (r->by_type[i] > 0 && name != NULL)
            fprintf(f, "    %-22s %llu\n", name, (unsigned long long)r->by_type[i]);
    }
    if (g != NULL) {
        hex32(h, r->hash);
        yc_time_rfc3339(t, r->time_ms);
        fprintf(f, "  last verified   height %llu, hash %s, time %s\n",
                (unsigned long long)r->height, h, t);
        hex32(h, r->state_root);
        fprintf(f, "  state root      %s\n", h);
    }
    if (r->ok && audit_anchored(c))
        fprintf(f,
                "OK: every block, signature, certificate, outcome, result root and state "
                "root up to height %llu verified against the genesis\n",
                (unsigned long long)r->height);
    else if (r->ok)
        fprintf(f,
                "OK (NOT ANCHORED): every block, signature, certificate, outcome, result "
                "root and state root up to height %llu verified against the genesis the %s "
                "supplied itself\n",
                (unsigned long long)r->height, c->home != NULL ? "home" : "node");
    else if (r->fail_height > 0)
        fprintf(f, "FAILED at height %llu: %s: %s\n", (unsigned long long)r->fail_height,
                audit_reason_name(r->reason), r->detail);
    else
        fprintf(f, "FAILED: %s: %s\n", audit_reason_name(r->reason), r->detail);
    diffs_text(f, r);
    if (fclose(f) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

static json_t *summary_json(const struct audit_common *c, const struct yc_genesis *g,
                            const struct audit_result *r, const struct audit_src *src)
{
    char h[2 * YC_HASH_LEN + 1], t[YC_TIME_STR_MAX];
    json_t *o = json_object();
    json_object_set_new(o, "anchored", json_boolean(audit_anchored(c)));
    json_object_set_new(o, "anchor",
                        audit_anchored(c) ? json_string(anchor_words(c)) : json_null());
    if (src != NULL && src->st != NULL) {
        const struct store_verify_stats *v = &src->verified;
        json_t *st =
            json_pack("{s:i, s:i, s:i, s:I, s:I, s:b, s:i, s:i}", "tables", (int)v->tables, "logs",
                      (int)v->logs, "manifests", (int)v->manifests, "blocks", (json_int_t)v->blocks,
                      "records", (json_int_t)v->records, "private_copy", 1, "tables_linked",
                      (int)src->snap.linked, "files_copied", (int)src->snap.copied);
        json_object_set_new(o, "storage", st);
    }
    if (r->reason == AUDIT_STATE_MISMATCH) {
        json_t *d = json_array();
        for (uint32_t i = 0; i < r->ndiffs; i++) {
            const struct audit_diff *x = &r->diffs[i];
            json_array_append_new(d, json_pack("{s:s, s:s, s:s, s:s, s:s}", "object", x->object,
                                               "field", x->field, "stored", x->stored, "replayed",
                                               x->replayed, "text", x->text));
        }
        json_object_set_new(o, "differences", d);
        json_object_set_new(o, "differences_total", json_integer((json_int_t)r->diff_total));
    }
    json_object_set_new(o, "ok", json_boolean(r->ok));
    json_object_set_new(o, "blocks", json_integer((json_int_t)r->blocks));
    json_object_set_new(o, "txs", json_integer((json_int_t)r->txs));
    json_object_set_new(o, "failed", json_integer((json_int_t)r->failed));
    if (r->ok) {
        json_object_set_new(o, "height", json_null());
        json_object_set_new(o, "reason", json_null());
        json_object_set_new(o, "code", json_null());
    } else {
        char reason[1100];
        snprintf(reason, sizeof reason, "%s: %s", audit_reason_name(r->reason), r->detail);
        json_object_set_new(o, "height",
                            r->fail_height > 0 ? json_integer((json_int_t)r->fail_height)
                                               : json_null());
        json_object_set_new(o, "reason", json_string(reason));
        json_object_set_new(o, "code", json_string(audit_reason_name(r->reason)));
    }
    json_t *types = json_object();
    for (int i = 0; i < AUDIT_MAX_TYPE; i++) {
        const char *name = yc_tx_type_name((enum yc_tx_type)i);
        if (r->by_type[i] > 0 && name != NULL)
            json_object_set_new(types, name, json_integer((json_int_t)r->by_type[i]));
    }
    json_object_set_new(o, "txs_by_type", types);
    if (g != NULL) {
        json_object_set_new(o, "chain_id", json_string(g->chain_id));
        hex32(h, g->hash);
        json_object_set_new(o, "genesis_hash", json_string(h));
        json_t *last = json_object();
        json_object_set_new(last, "height", json_integer((json_int_t)r->height));
        hex32(h, r->hash);
        json_object_set_new(last, "hash", json_string(h));
        hex32(h, r->state_root);
        json_object_set_new(last, "state_root", json_string(h));
        yc_time_rfc3339(t, r->time_ms);
        json_object_set_new(last, "time", json_string(t));
        json_object_set_new(o, "verified", last);
    }
    return o;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static const char REPLAY_USAGE[] =
    "usage: " PROG " replay (--home DIR | --node URL) [--genesis FILE] [--to H | --at H]\n"
    "                     [--genesis-hash HEX] [--require-anchor] [--threads N]\n"
    "                     [--report FILE] [--json] [--quiet]\n"
    "\n"
    "Replays the ledger from its genesis, trusting nothing but the genesis: every block's\n"
    "height and link, proposer and time, every transaction signature and co-signature, the\n"
    "tx root over the signed bytes, the result root over the recorded outcomes, the commit\n"
    "certificate against the genesis validators, and, by re-executing every transaction,\n"
    "each one's outcome (committed, or failed with its code) and the state root. Stops at\n"
    "the first failure, naming its height and the check.\n"
    "\n"
    "  --home DIR      a stopped node's home, or a copy (reads DIR/config/genesis.json\n"
    "                  and DIR/data, checks every data file against its checksums and\n"
    "                  opens the database in a private copy: no byte of DIR is written)\n"
    "  --node URL      a running node's RPC, e.g. http://127.0.0.1:27700\n"
    "  --genesis FILE  the genesis to trust (default: the home's; with --node, the node's\n"
    "                  genesis must equal this file's)\n"
    "  --genesis-hash HEX  the published genesis hash: the genesis used (the file's, the\n"
    "                  home's or the node's) must hash to it. Without --genesis or\n"
    "                  --genesis-hash the replay is NOT ANCHORED: the source supplies its own\n"
    "                  genesis, and the report says so (\"anchored\": false)\n"
    "  --require-anchor  refuse to run unanchored (exit 77)\n"
    "  --to H          stop after height H (default: the ledger's tip); the stored state is\n"
    "                  compared only when H is the tip\n"
    "  --at H          (--home) the home is a copy taken at height H: replay to H and compare\n"
    "                  its stored state there; refused (78) if its tip is not H\n"
    "  --report FILE   also write the report to FILE (JSON if FILE ends in .json)\n"
    "  --json          print one JSON object\n"
    "                  {\"ok\",\"blocks\",\"txs\",\"failed\",\"height\",\"reason\",\"code\",…}\n"
    "  --quiet         no progress display (shown on stderr when it is a terminal)\n"
    "  --threads N     threads checking signatures, 1..64 (default: every online core):\n"
    "                  N - 1 workers and the main thread, up to 8 blocks (12 MiB\n"
    "                  decoded) ahead of execution (execution stays on the main thread)\n"
    "\n"
    "With --home, after the tip every stored state key (objects and indexes) is compared\n"
    "with the replayed state; differences are named by object and field with both values\n"
    "(the first 10, and a count). Damaged data files are named as storage corruption.\n"
    "\n"
    "Exit status: 0 verified, 1 verification failed (or damaged storage), 2 usage,\n"
    "69 node unreachable, 74 I/O error or database in use, 77 not anchored under\n"
    "--require-anchor, 78 configuration error (bad genesis, one that does not match\n"
    "--genesis-hash, another chain's data). With --json every outcome prints one object.\n";

/* Which command the options are for: what each requires of --home, --node and --db. */
enum parse_mode { MODE_REPLAY, MODE_QUESTION, MODE_SYNC };

/* Parses the options every ledger command takes; returns 0, or 2 after a message. */
static int parse_options(int argc, char **argv, const char *usage, enum parse_mode mode,
                         struct audit_common *c, uint64_t *to, const char **report, bool *help);

/* parse_options; a usage error with --json anywhere on the line also prints its one JSON
 * object (code "usage", exit 2). */
static int parse_common(int argc, char **argv, const char *usage, enum parse_mode mode,
                        struct audit_common *c, uint64_t *to, const char **report, bool *help)
{
    last_error[0] = '\0';
    int ex = parse_options(argc, argv, usage, mode, c, to, report, help);
    if (ex == YC_EXIT_USAGE) {
        struct audit_common j = {.json = false};
        for (int i = 1; i < argc; i++)
            j.json = j.json || strcmp(argv[i], "--json") == 0;
        audit_json_failure(&j, "usage", last_error[0] ? last_error : "see --help", YC_EXIT_USAGE);
    }
    return ex;
}

static int parse_options(int argc, char **argv, const char *usage, enum parse_mode mode,
                         struct audit_common *c, uint64_t *to, const char **report, bool *help)
{
    enum {
        O_HOME = 1,
        O_NODE,
        O_GENESIS,
        O_GENESIS_HASH,
        O_REQUIRE_ANCHOR,
        O_TO,
        O_REPORT,
        O_JSON,
        O_QUIET,
        O_THREADS,
        O_AT,
        O_DB,
        O_VERIFY_INDEX,
        O_HELP
    };
    static const struct option opts[] = {{"home", required_argument, NULL, O_HOME},
                                         {"node", required_argument, NULL, O_NODE},
                                         {"db", required_argument, NULL, O_DB},
                                         {"verify-index", no_argument, NULL, O_VERIFY_INDEX},
                                         {"genesis", required_argument, NULL, O_GENESIS},
                                         {"genesis-hash", required_argument, NULL, O_GENESIS_HASH},
                                         {"require-anchor", no_argument, NULL, O_REQUIRE_ANCHOR},
                                         {"to", required_argument, NULL, O_TO},
                                         {"report", required_argument, NULL, O_REPORT},
                                         {"json", no_argument, NULL, O_JSON},
                                         {"quiet", no_argument, NULL, O_QUIET},
                                         {"threads", required_argument, NULL, O_THREADS},
                                         {"at", required_argument, NULL, O_AT},
                                         {"help", no_argument, NULL, O_HELP},
                                         {NULL, 0, NULL, 0}};
    memset(c, 0, sizeof *c);
    *help = false;
    optind = 0; /* full re-initialisation (glibc), so audit_main can run again */
    opterr = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (ch) {
        case O_HOME:
            c->home = optarg;
            break;
        case O_NODE:
            c->node = optarg;
            break;
        case O_DB:
            if (mode == MODE_REPLAY) {
                audit_errorf("--db is not an option of replay: `sync --db DIR` keeps the audit "
                             "index, and subject, trace, violations and export answer from it");
                return YC_EXIT_USAGE;
            }
            c->db = optarg;
            break;
        case O_VERIFY_INDEX:
            if (mode != MODE_SYNC) {
                audit_errorf("--verify-index is an option of sync only");
                return YC_EXIT_USAGE;
            }
            c->verify_index = true;
            break;
        case O_GENESIS:
            c->genesis = optarg;
            break;
        case O_GENESIS_HASH:
            if (strlen(optarg) != 2 * YC_HASH_LEN ||
                yc_unhex(c->genesis_hash, YC_HASH_LEN, optarg, 2 * YC_HASH_LEN) != YC_OK) {
                audit_errorf("--genesis-hash %s: expected the published genesis hash, 64 hex "
                             "digits",
                             optarg);
                return YC_EXIT_USAGE;
            }
            c->have_hash = true;
            break;
        case O_REQUIRE_ANCHOR:
            c->require_anchor = true;
            break;
        case O_AT:
            if (to == NULL) {
                audit_errorf("--at is not an option of this command; see --help");
                return YC_EXIT_USAGE;
            }
            if (yc_parse_u64(optarg, &c->at) != YC_OK || c->at == 0) {
                audit_errorf("--at %s: expected a height >= 1", optarg);
                return YC_EXIT_USAGE;
            }
            break;
        case O_TO:
            if (to == NULL) {
                audit_errorf("--to is not an option of this command; see --help");
                return YC_EXIT_USAGE;
            }
            if (yc_parse_u64(optarg, to) != YC_OK || *to == 0) {
                audit_errorf("--to %s: expected a height >= 1", optarg);
                return YC_EXIT_USAGE;
            }
            break;
        case O_REPORT:
            if (report == NULL) {
                audit_errorf("--report is not an option of this command; see --help");
                return YC_EXIT_USAGE;
            }
            *report = optarg;
            break;
        case O_JSON:
            c->json = true;
            break;
        case O_QUIET:
            c->quiet = true;
            break;
        case O_THREADS: {
            uint64_t n = 0;
            if (yc_parse_u64(optarg, &n) != YC_OK || n < 1 || n > 64) {
                audit_errorf("--threads %s: expected 1..64 (default: every online core)", optarg);
                return YC_EXIT_USAGE;
            }
            c->threads = (unsigned)n;
            break;
        }
        case 'h':
        case O_HELP:
            *help = true;
            return 0;
        default:
            if (ch == '?' && optopt > ' ' && optopt < 0x7f)
                audit_errorf("option -%c is unknown or needs a value; see --help", optopt);
            else
                audit_errorf("%s: unknown option, or it needs a value; see --help",
                             argv[optind - 1]);
            synopsis(usage);
            return YC_EXIT_USAGE;
        }
    }
    int sources = (c->home != NULL) + (c->node != NULL);
    if (mode == MODE_QUESTION && sources + (c->db != NULL) != 1) {
        audit_errorf("give exactly one of --home DIR, --node URL and --db DIR");
        synopsis(usage);
        return YC_EXIT_USAGE;
    }
    if (mode != MODE_QUESTION && sources != 1) {
        audit_errorf("give exactly one of --home DIR and --node URL");
        synopsis(usage);
        return YC_EXIT_USAGE;
    }
    if (mode == MODE_SYNC && (c->db == NULL || !audit_anchored(c))) {
        audit_errorf("sync needs --db DIR, and --genesis FILE or --genesis-hash HEX: the index "
                     "is anchored to the genesis you give");
        synopsis(usage);
        return YC_EXIT_USAGE;
    }
    if (c->at > 0 && (c->home == NULL || (to != NULL && *to != 0))) {
        audit_errorf("--at H compares a home's stored state at height H: it needs --home, and "
                     "not --to");
        return YC_EXIT_USAGE;
    }
    if (c->at > 0)
        *to = c->at;
    return 0;
}

static int cmd_replay(int argc, char **argv)
{
    struct audit_common c;
    uint64_t to = 0;
    const char *report = NULL;
    bool help;
    int ex = parse_common(argc, argv, REPLAY_USAGE, MODE_REPLAY, &c, &to, &report, &help);
    if (ex != 0 || help) {
        if (help)
            fputs(REPLAY_USAGE, stdout);
        return ex;
    }
    if (optind < argc) {
        return audit_usage_errorf(REPLAY_USAGE, "replay: unexpected argument \"%s\"", argv[optind]);
    }

    struct audit_src src;
    memstate *state = NULL;
    struct audit_result res;
    ex = audit_run(&c, to, &src, &state, &res);
    if (ex != 0)
        return ex;
    if (c.at > 0 && state != NULL && res.source_tip != c.at) {
        /* a home holds the state at its tip only: a copy taken at H compares at H */
        char m[400];
        snprintf(m, sizeof m,
                 "--at %llu: the home's tip is height %llu, and a node stores only the state at "
                 "its tip; audit a copy taken at height %llu, or use --to %llu (blocks only, no "
                 "state comparison)",
                 (unsigned long long)c.at, (unsigned long long)res.source_tip,
                 (unsigned long long)c.at, (unsigned long long)c.at);
        audit_errorf("%s", m);
        audit_json_failure(&c, "config_error", m, YC_EXIT_CONFIG);
        memstate_destroy(state);
        audit_src_close(&src);
        return YC_EXIT_CONFIG;
    }
    const struct yc_genesis *g = state != NULL ? &src.genesis : NULL;

    if (c.json) {
        json_t *o = summary_json(&c, g, &res, &src);
        char *text = json_dumps(o, JSON_COMPACT);
        json_decref(o);
        if (text != NULL)
            printf("%s\n", text);
        free(text);
        if (!res.ok && res.fail_height > 0)
            audit_errorf("verification failed at height %llu: %s: %s",
                         (unsigned long long)res.fail_height, audit_reason_name(res.reason),
                         res.detail);
        else if (!res.ok)
            audit_errorf("verification failed: %s: %s", audit_reason_name(res.reason), res.detail);
    } else {
        char *text = summary_text(&c, g, &res, &src);
        if (text != NULL)
            fputs(text, stdout);
        free(text);
    }
    fflush(stdout);

    ex = res.ok ? YC_EXIT_OK : YC_EXIT_FAIL;
    if (report != NULL) {
        char *text;
        if (ends_with(report, ".json")) {
            json_t *o = summary_json(&c, g, &res, &src);
            text = json_dumps(o, JSON_INDENT(2));
            json_decref(o);
        } else {
            text = summary_text(&c, g, &res, &src);
        }
        int rc =
            text != NULL ? yc_file_write_atomic(report, text, strlen(text), 0644, true) : YC_ENOMEM;
        free(text);
        if (rc != YC_OK) {
            audit_errorf("cannot write the report %s: %s", report, yc_strerror(rc));
            ex = YC_EXIT_IOERR;
        }
    }
    memstate_destroy(state);
    audit_src_close(&src);
    return ex;
}

/* ---- the table ---- */

struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
};

static const struct command COMMANDS[] = {
    {"replay", cmd_replay, "verify the whole ledger from its genesis"},
    {"sync", audit_cmd_sync, "keep the audit index: a verified copy questions answer from"},
    {"subject", audit_cmd_subject, "a data subject's consents and every use of their data"},
    {"trace", audit_cmd_trace, "the provenance of a data asset: sources, products, uses"},
    {"violations", audit_cmd_violations,
     "re-check every market and supervision rule; list breaches, alerts, failed attempts"},
    {"export", audit_cmd_export,
     "deals, consents, uses, carries, credit, price index, failed attempts as CSV or JSONL"},
};

static void usage(FILE *f)
{
    fputs("usage: " PROG " [--version] [--help] COMMAND [OPTIONS]\n"
          "\n"
          "The regulator's tool: replays a Yuchain ledger from its genesis and checks every\n"
          "signature, certificate and state root, without trusting the node. `sync --db DIR`\n"
          "keeps a verified copy (the audit index) that the questions answer from (--db).\n"
          "\n"
          "Commands:\n",
          f);
    for (size_t i = 0; i < sizeof COMMANDS / sizeof COMMANDS[0]; i++)
        fprintf(f, "  %-10s %s\n", COMMANDS[i].name, COMMANDS[i].summary);
    fputs("\n'" PROG " COMMAND --help' describes a command. Guide: docs/audit.md.\n", f);
}

int audit_main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return YC_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        printf("%s %s\n", PROG, YC_VERSION);
        return YC_EXIT_OK;
    }
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        usage(stdout);
        return YC_EXIT_OK;
    }
    if (strcmp(cmd, "help") == 0) {
        if (argc < 3) {
            usage(stdout);
            return YC_EXIT_OK;
        }
        static char help_opt[] = "--help";
        char *sub[] = {argv[2], help_opt, NULL};
        for (size_t i = 0; i < sizeof COMMANDS / sizeof COMMANDS[0]; i++) {
            if (strcmp(argv[2], COMMANDS[i].name) == 0)
                return COMMANDS[i].run(2, sub);
        }
        audit_errorf("no command \"%s\"", argv[2]);
        return YC_EXIT_USAGE;
    }
    for (size_t i = 0; i < sizeof COMMANDS / sizeof COMMANDS[0]; i++) {
        if (strcmp(cmd, COMMANDS[i].name) == 0)
            return COMMANDS[i].run(argc - 1, argv + 1);
    }
    audit_errorf("unknown command \"%s\"", cmd);
    usage(stderr);
    return YC_EXIT_USAGE;
}

int audit_parse_common(int argc, char **argv, const char *usage_text, struct audit_common *c,
                       bool *help)
{
    return parse_common(argc, argv, usage_text, MODE_QUESTION, c, NULL, NULL, help);
}

int audit_parse_sync(int argc, char **argv, const char *usage_text, struct audit_common *c,
                     bool *help)
{
    return parse_common(argc, argv, usage_text, MODE_SYNC, c, NULL, NULL, help);
}
