/*
 * replay.c — verification of one block after another from the genesis (replay.h).
 *
 * The replayed state lives only in the audit's memstate: block h executes on an
 * overlay over the state after h-1, and only a block that passed every check has
 * its writes applied. yc_exec_block re-derives every transaction's outcome (committed,
 * or failed with its code) and compares it with the block's record, so a block whose
 * recorded outcomes lie fails here even when its roots and certificate hold. Verdicts come from core; this file orders the checks so that
 * the first failure is the most specific one, and explains it.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "yc/alloc.h"
#include "yc/block.h"
#include "yc/ledger.h"
#include "yc/tx.h"

#include "diagnose.h"
#include "replay.h"

const char *audit_reason_name(enum audit_reason r)
{
    switch (r) {
#define AUDIT_REASON_NAME_(e, name)                                                        \
    case e:                                                                                \
        return name;
        AUDIT_REASONS(AUDIT_REASON_NAME_)
#undef AUDIT_REASON_NAME_
    }
    return "unknown";
}

static void failf(struct audit_result *res, uint64_t height, enum audit_reason r,
                  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void failf(struct audit_result *res, uint64_t height, enum audit_reason r,
                  const char *fmt, ...)
{
    va_list ap;
    res->ok = false;
    res->fail_height = height;
    res->reason = r;
    va_start(ap, fmt);
    vsnprintf(res->detail, sizeof res->detail, fmt, ap);
    va_end(ap);
}

static void hex32(char out[2 * YC_HASH_LEN + 1], const uint8_t h[YC_HASH_LEN])
{
    yc_hex(out, h, YC_HASH_LEN);
}

/* Explains why yc_cert_verify refused c: the first problem in the order an auditor
 * would look for it. */
static void explain_cert(struct audit_result *res, const struct yc_genesis *g,
                         const struct yc_block *b)
{
    const struct yc_cert *c = &b->cert;
    uint64_t h = b->hdr.height;
    uint32_t n = g->nvalidators, q = yc_quorum(n);
    if (c->nsigs == 0) {
        failf(res, h, AUDIT_BAD_CERTIFICATE, "the block carries no commit certificate");
        return;
    }
    for (uint32_t i = 0; i < c->nsigs && i < YC_MAX_VALIDATORS; i++) {
        uint32_t v = c->sigs[i].validator;
        if (v >= n) {
            failf(res, h, AUDIT_BAD_CERTIFICATE,
                  "signer %u is not in the genesis validator set (validators 0..%u)", v, n - 1);
            return;
        }
        for (uint32_t j = 0; j < i; j++) {
            if (c->sigs[j].validator == v) {
                failf(res, h, AUDIT_BAD_CERTIFICATE,
                      "validator %u (%s) signs twice: a duplicated signer counts once", v,
                      g->validators[v].name);
                return;
            }
        }
        if (i > 0 && v < c->sigs[i - 1].validator) {
            failf(res, h, AUDIT_BAD_CERTIFICATE, "signers are not in increasing order");
            return;
        }
    }
    if (c->nsigs < q) {
        failf(res, h, AUDIT_BAD_CERTIFICATE,
              "%u signature%s, a quorum of %u of %u validators is needed", c->nsigs,
              c->nsigs == 1 ? "" : "s", q, n);
        return;
    }
    uint8_t vote[YC_HASH_LEN];
    yc_vote_hash(vote, g->chain_id, "commit", h, c->view, b->hash);
    for (uint32_t i = 0; i < c->nsigs; i++) {
        uint32_t v = c->sigs[i].validator;
        if (!yc_sig_verify(c->sigs[i].sig, vote, g->validators[v].pub)) {
            failf(res, h, AUDIT_BAD_CERTIFICATE,
                  "the COMMIT signature of validator %u (%s) does not verify over this block "
                  "(view %llu)",
                  v, g->validators[v].name, (unsigned long long)c->view);
            return;
        }
    }
    failf(res, h, AUDIT_BAD_CERTIFICATE, "refused by the certificate check");
}

static const char *outcome_name(int outcome)
{
    return outcome == YC_OK ? "ok" : yc_err_name(outcome);
}

/* After yc_exec_block refused tx `bad` (YC_EBADBLOCK): re-runs the block up to it with
 * the function yc_exec_block uses, to say whether the tx cannot stand in a block at all
 * or ends otherwise than the block records, in the refusal's own words. */
static int explain_tx(struct audit_result *res, const struct yc_genesis *g, memstate *state,
                      const struct yc_block *b, uint32_t bad, char *msg, size_t msglen)
{
    struct yc_state_src src = memstate_src(state);
    yc_overlay *o = NULL;
    int rc = yc_overlay_create(&o, &src);
    if (rc != YC_OK) {
        snprintf(msg, msglen, "out of memory");
        return rc;
    }
    char why[300] = "";
    struct yc_exec_ctx ctx = {.g = g, .height = b->hdr.height, .time_ms = b->hdr.time_ms};
    int code = YC_EBADBLOCK, outcome = YC_OK;
    uint32_t at = 0;
    for (; at < b->ntx && at <= bad; at++) {
        if (at == bad) {
            ctx.why = why;
            ctx.whylen = sizeof why;
        }
        code = yc_exec_tx_outcome(o, &ctx, &b->txs[at], at, &outcome);
        if (code != YC_OK || outcome != b->results[at])
            break;
    }
    yc_overlay_destroy(o);
    if (code == YC_ENOMEM || code == YC_EIO) {
        snprintf(msg, msglen, "re-executing block %llu: %s", (unsigned long long)b->hdr.height,
                 yc_strerror(code));
        return code;
    }
    if (at >= b->ntx) {
        failf(res, b->hdr.height, AUDIT_TX_REJECTED,
              "refused on re-execution (transaction %u), but re-running it alone finds no "
              "fault",
              bad);
        return YC_OK;
    }
    char id[2 * YC_HASH_LEN + 1];
    const char *type = yc_tx_type_name(b->txs[at].type);
    hex32(id, b->txs[at].id);
    if (code != YC_OK) {
        failf(res, b->hdr.height, AUDIT_TX_REJECTED,
              "transaction %u (%s, id %s) cannot stand in a block: %s%s%s", at,
              type != NULL ? type : "?", id, yc_err_name(code), why[0] ? ": " : "", why);
        return YC_OK;
    }
    failf(res, b->hdr.height, AUDIT_WRONG_OUTCOME,
          "transaction %u's recorded outcome %s differs from its execution: %s (%s, id %s)%s%s",
          at, outcome_name(b->results[at]), outcome_name(outcome), type != NULL ? type : "?", id,
          why[0] ? "; " : "", why);
    return YC_OK;
}

/* ---- signatures on every core ----
 * The transactions of a block are verified on up to `threads` threads (the calling one
 * included), each taking every threads-th transaction; yc_tx_verify is reentrant (it
 * verifies with libsecp256k1's static context). The verdicts land in rcs[] and are read
 * in block order afterwards, so the failure reported is the lowest index's, as with one
 * thread. Execution stays on the calling thread. */

#define AUDIT_MAX_THREADS 64
#define PARALLEL_MIN_TXS 8 /* fewer transactions are verified on the calling thread */

struct sigjob {
    const struct yc_block *b;
    const char *chain_id;
    int *rcs;
    uint32_t start, step;
};

static void *sig_worker(void *arg)
{
    struct sigjob *j = arg;
    for (uint32_t i = j->start; i < j->b->ntx; i += j->step)
        j->rcs[i] = yc_tx_verify(&j->b->txs[i], j->chain_id);
    return NULL;
}

static void verify_sigs(const struct yc_block *b, const char *chain_id, int *rcs,
                        unsigned threads)
{
    unsigned n = threads < 1 ? 1 : threads > AUDIT_MAX_THREADS ? AUDIT_MAX_THREADS : threads;
    if (b->ntx < PARALLEL_MIN_TXS)
        n = 1;
    if (n > b->ntx)
        n = b->ntx > 0 ? b->ntx : 1;
    struct sigjob jobs[AUDIT_MAX_THREADS];
    pthread_t th[AUDIT_MAX_THREADS];
    bool started[AUDIT_MAX_THREADS] = {false};
    for (unsigned w = 0; w < n; w++)
        jobs[w] = (struct sigjob){.b = b, .chain_id = chain_id, .rcs = rcs, .start = w,
                                  .step = n};
    for (unsigned w = 1; w < n; w++)
        started[w] = pthread_create(&th[w], NULL, sig_worker, &jobs[w]) == 0;
    sig_worker(&jobs[0]);
    for (unsigned w = 1; w < n; w++) {
        if (started[w])
            pthread_join(th[w], NULL);
        else
            sig_worker(&jobs[w]); /* no thread to be had: this share here */
    }
}

unsigned audit_default_threads(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1u : n > AUDIT_MAX_THREADS ? AUDIT_MAX_THREADS : (unsigned)n;
}

/* Checks that need no state: shape, link, proposer, time, signatures, tx root, result
 * root, certificate. Returns true if the block passed (else res holds the failure). */
static bool check_block(struct audit_result *res, const struct yc_genesis *g,
                        const struct yc_block *b, uint64_t h, const int *sigrc)
{
    const struct yc_block_header *hd = &b->hdr;
    char a[2 * YC_HASH_LEN + 1], x[2 * YC_HASH_LEN + 1];
    if (hd->height != h) {
        failf(res, h, AUDIT_WRONG_HEIGHT, "the block stored at height %llu says height %llu",
              (unsigned long long)h, (unsigned long long)hd->height);
        return false;
    }
    /* core's rule of a next block, the one the node applies to proposals and sync */
    struct yc_block_parent parent = {.height = h - 1, .time_ms = res->time_ms};
    memcpy(parent.hash, res->hash, YC_HASH_LEN);
    enum yc_next_check which;
    char why[256];
    if (yc_block_check_next(b, g, &parent, &which, why, sizeof why) != YC_OK) {
        static const enum audit_reason reasons[] = {
            [YC_NEXT_OK] = AUDIT_BAD_BLOCK,           [YC_NEXT_CHAIN] = AUDIT_WRONG_CHAIN,
            [YC_NEXT_HEIGHT] = AUDIT_WRONG_HEIGHT,    [YC_NEXT_LINK] = AUDIT_BAD_LINK,
            [YC_NEXT_PROPOSER] = AUDIT_BAD_PROPOSER,  [YC_NEXT_TIME] = AUDIT_BAD_TIME,
            [YC_NEXT_LIMITS] = AUDIT_OVER_LIMITS,     [YC_NEXT_CERT_VIEW] = AUDIT_BAD_CERTIFICATE,
        };
        enum audit_reason r = (size_t)which < sizeof reasons / sizeof reasons[0]
                                  ? reasons[which] : AUDIT_BAD_BLOCK;
        if (which == YC_NEXT_LINK) {
            hex32(a, hd->prev_hash);
            hex32(x, res->hash);
            failf(res, h, r, "prev_hash %s is not the hash of %s %llu (%s)", a,
                  h == 1 ? "the genesis, height" : "block", (unsigned long long)(h - 1), x);
        } else {
            failf(res, h, r, "%s", why);
        }
        return false;
    }
    for (uint32_t i = 0; i < b->ntx; i++) {
        int rc = sigrc[i];
        if (rc != YC_OK) {
            hex32(a, b->txs[i].id);
            failf(res, h, AUDIT_BAD_SIGNATURE, "tx %u (id %s): %s", i, a, yc_err_name(rc));
            return false;
        }
    }
    uint8_t root[YC_HASH_LEN];
    if (yc_block_tx_root(root, g->chain_id, b->txs, b->ntx) != YC_OK ||
        memcmp(root, hd->tx_root, YC_HASH_LEN) != 0) {
        hex32(a, hd->tx_root);
        hex32(x, root);
        failf(res, h, AUDIT_BAD_TX_ROOT,
              "tx_root does not match the signed transactions (a signature or co-signature "
              "was added, changed or stripped): the header says %s, they hash to %s",
              a, x);
        return false;
    }
    if (yc_block_result_root(root, g->chain_id, b->txs, b->results, b->ntx) != YC_OK ||
        memcmp(root, hd->result_root, YC_HASH_LEN) != 0) {
        hex32(a, hd->result_root);
        hex32(x, root);
        failf(res, h, AUDIT_BAD_RESULT_ROOT,
              "result_root does not match the recorded outcomes (an outcome was changed): the "
              "header says %s, they hash to %s",
              a, x);
        return false;
    }
    if (b->cert.nsigs > 0 && b->cert.view < hd->view) {
        failf(res, h, AUDIT_BAD_CERTIFICATE,
              "certificate of view %llu for a block proposed in view %llu",
              (unsigned long long)b->cert.view, (unsigned long long)hd->view);
        return false;
    }
    if (yc_cert_verify(&b->cert, g, h, b->hash) != YC_OK) {
        explain_cert(res, g, b);
        return false;
    }
    return true;
}

/* Re-executes a checked block on `state`; applies its writes if the root matches. */
static int execute(struct audit_result *res, const struct yc_genesis *g, memstate *state,
                   const struct yc_block *b, const struct audit_opts *opts, char *msg,
                   size_t msglen)
{
    struct yc_state_src src = memstate_src(state);
    yc_overlay *o = NULL;
    int rc = yc_overlay_create(&o, &src);
    if (rc != YC_OK) {
        snprintf(msg, msglen, "out of memory");
        return rc;
    }
    uint32_t bad = 0;
    rc = yc_exec_block(o, g, b, res->state_root, &bad);
    if (rc == YC_EBADBLOCK) {
        yc_overlay_destroy(o);
        return explain_tx(res, g, state, b, bad, msg, msglen);
    }
    if (rc == YC_EDIVERGED) {
        uint8_t got[YC_HASH_LEN];
        char a[2 * YC_HASH_LEN + 1], x[2 * YC_HASH_LEN + 1];
        rc = yc_exec_finish(o, g->chain_id, res->state_root, got);
        yc_overlay_destroy(o);
        if (rc != YC_OK) {
            snprintf(msg, msglen, "out of memory");
            return rc;
        }
        hex32(a, b->hdr.state_root);
        hex32(x, got);
        failf(res, b->hdr.height, AUDIT_DIVERGED,
              "the header's state_root is %s, re-execution gives %s", a, x);
        return YC_OK;
    }
    if (rc != YC_OK) {
        yc_overlay_destroy(o);
        snprintf(msg, msglen, "re-executing block %llu: %s", (unsigned long long)b->hdr.height,
                 yc_strerror(rc));
        return rc;
    }
    if (opts->block_verified != NULL) {
        rc = opts->block_verified(opts->verified_ctx, g, b, state);
        if (rc < 0) {
            yc_overlay_destroy(o);
            snprintf(msg, msglen, "after block %llu: %s", (unsigned long long)b->hdr.height,
                     yc_strerror(rc));
            return rc;
        }
    }
    const struct yc_write *w = NULL;
    size_t n = 0;
    rc = yc_overlay_writes(o, &w, &n);
    if (rc == YC_OK && opts->block_writes != NULL) {
        rc = opts->block_writes(opts->writes_ctx, b, state, w, n);
        if (rc < 0) {
            yc_overlay_destroy(o);
            snprintf(msg, msglen, "keeping block %llu: %s", (unsigned long long)b->hdr.height,
                     yc_strerror(rc));
            return rc;
        }
    }
    if (rc == YC_OK)
        rc = memstate_apply(state, w, n);
    yc_overlay_destroy(o);
    if (rc != YC_OK) {
        snprintf(msg, msglen, "holding the replayed state: %s", yc_strerror(rc));
        return rc;
    }
    return YC_OK;
}

int audit_genesis_state(const struct yc_genesis *g, memstate *state, uint8_t root[YC_HASH_LEN],
                        char *msg, size_t msglen)
{
    struct yc_state_src src = memstate_src(state);
    yc_overlay *o = NULL;
    int rc = yc_overlay_create(&o, &src);
    const struct yc_write *w = NULL;
    size_t n = 0;
    if (rc == YC_OK)
        rc = yc_genesis_state(o, g, root);
    if (rc == YC_OK)
        rc = yc_overlay_writes(o, &w, &n);
    if (rc == YC_OK)
        rc = memstate_apply(state, w, n);
    yc_overlay_destroy(o);
    if (rc != YC_OK)
        snprintf(msg, msglen, "building the genesis state: %s", yc_strerror(rc));
    return rc;
}

int audit_replay(const struct yc_genesis *g, const struct audit_source *src,
                 const struct audit_opts *opts, memstate *state, struct audit_result *res,
                 char *msg, size_t msglen)
{
    memset(res, 0, sizeof *res);
    if (msglen > 0)
        msg[0] = '\0';
    if (g == NULL || src == NULL || opts == NULL || state == NULL || g->nvalidators == 0)
        return YC_EINVAL;
    int rc = YC_OK;
    if (opts->from != NULL) {
        res->height = opts->from->height;
        memcpy(res->hash, opts->from->hash, YC_HASH_LEN);
        memcpy(res->state_root, opts->from->state_root, YC_HASH_LEN);
        res->time_ms = opts->from->time_ms;
    } else {
        memcpy(res->hash, g->hash, YC_HASH_LEN);
        res->time_ms = g->genesis_time_ms;
        rc = audit_genesis_state(g, state, res->state_root, msg, msglen);
        if (rc != YC_OK)
            return rc;
    }

    unsigned threads = audit_default_threads();
    uint64_t tip = 0;
    rc = src->tip(src->ctx, &tip, msg, msglen);
    if (rc != YC_OK)
        return rc;
    res->source_tip = tip;
    res->target = opts->to > 0 ? opts->to : tip;

    for (uint64_t h = res->height + 1; h <= res->target; h++) {
        uint8_t *bytes = NULL;
        size_t len = 0;
        char why[256] = "";
        rc = src->get_block(src->ctx, h, &bytes, &len, why, sizeof why);
        if (rc == YC_ENOTFOUND) {
            failf(res, h, AUDIT_BLOCK_MISSING, "block %llu is not in the ledger (tip %llu)",
                  (unsigned long long)h, (unsigned long long)tip);
            return YC_OK;
        }
        if (rc == YC_ECORRUPT) {
            failf(res, h, AUDIT_BLOCK_UNREADABLE, "block %llu cannot be read back: %s",
                  (unsigned long long)h, why);
            return YC_OK;
        }
        if (rc != YC_OK) {
            snprintf(msg, msglen, "reading block %llu: %s", (unsigned long long)h, why);
            return rc;
        }
        struct yc_block b;
        rc = yc_block_decode(&b, bytes, len);
        if (rc == YC_ENOMEM) {
            yc_free(bytes);
            snprintf(msg, msglen, "decoding block %llu: out of memory", (unsigned long long)h);
            return rc;
        }
        if (rc != YC_OK) {
            char diag[sizeof res->detail];
            enum audit_reason r = audit_diagnose_block(bytes, len, rc, diag, sizeof diag);
            yc_free(bytes);
            failf(res, h, r, "%s", diag);
            return YC_OK;
        }
        yc_free(bytes);
        int *sigrc = yc_malloc((b.ntx > 0 ? b.ntx : 1) * sizeof *sigrc);
        if (sigrc == NULL) {
            yc_block_cleanup(&b);
            snprintf(msg, msglen, "verifying block %llu: out of memory", (unsigned long long)h);
            return YC_ENOMEM;
        }
        verify_sigs(&b, g->chain_id, sigrc, opts->threads > 0 ? opts->threads : threads);
        bool passed = check_block(res, g, &b, h, sigrc);
        yc_free(sigrc);
        if (!passed) {
            yc_block_cleanup(&b);
            return YC_OK;
        }
        rc = execute(res, g, state, &b, opts, msg, msglen);
        if (rc != YC_OK || res->reason != AUDIT_OK) {
            yc_block_cleanup(&b);
            return rc;
        }
        if (opts->check_end && src->check_block != NULL && res->target == tip) {
            rc = src->check_block(src->ctx, &b, res, msg, msglen);
            if (rc != YC_OK) {
                yc_block_cleanup(&b);
                return rc;
            }
        }
        res->blocks++;
        res->txs += b.ntx;
        for (uint32_t i = 0; i < b.ntx; i++) {
            if ((unsigned)b.txs[i].type < AUDIT_MAX_TYPE)
                res->by_type[b.txs[i].type]++;
            if (b.results[i] != YC_OK)
                res->failed++;
        }
        res->height = h;
        memcpy(res->hash, b.hash, YC_HASH_LEN);
        memcpy(res->state_root, b.hdr.state_root, YC_HASH_LEN);
        res->time_ms = b.hdr.time_ms;
        yc_block_cleanup(&b);
        if (opts->block_done != NULL) {
            rc = opts->block_done(opts->block_ctx, h, res->time_ms);
            if (rc < 0) {
                snprintf(msg, msglen, "after block %llu: %s", (unsigned long long)h,
                         yc_strerror(rc));
                return rc;
            }
        }
        if (opts->progress != NULL)
            opts->progress(opts->progress_ctx, h, res->target);
    }

    if (opts->check_end && src->check_end != NULL && res->target == tip) {
        char why[400] = "";
        rc = src->check_end(src->ctx, state, res->height, res->hash, res->state_root, res, why,
                            sizeof why);
        if (rc == YC_EDIVERGED) {
            failf(res, res->height, AUDIT_STATE_MISMATCH, "%s", why);
            return YC_OK;
        }
        if (rc != YC_OK) {
            snprintf(msg, msglen, "%s", why);
            return rc;
        }
    }
    res->ok = true;
    return YC_OK;
}
