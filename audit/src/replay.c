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
#include <sys/mman.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "yc/alloc.h"
#include "yc/block.h"
#include "yc/ledger.h"
#include "yc/tx.h"
#include "yc/txschema.h"

#include "diagnose.h"
#include "replay.h"

const char *audit_reason_name(enum audit_reason r)
{
    switch (r) {
#define AUDIT_REASON_NAME_(e, name) \
    case e:                         \
        return name;
        AUDIT_REASONS(AUDIT_REASON_NAME_)
#undef AUDIT_REASON_NAME_
    }
    return "unknown";
}

static void failf(struct audit_result *res, uint64_t height, enum audit_reason r, const char *fmt,
                  ...) __attribute__((format(printf, 4, 5)));

static void failf(struct audit_result *res, uint64_t height, enum audit_reason r, const char *fmt,
                  ...)
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
          "transaction %u's recorded outcome %s differs from its execution: %s (%s, id %s)%s%s", at,
          outcome_name(b->results[at]), outcome_name(outcome), type != NULL ? type : "?", id,
          why[0] ? "; " : "", why);
    return YC_OK;
}

/* ---- signatures on every core, ahead of execution ----
 * The calling thread reads and decodes up to AHEAD_BLOCKS blocks ahead of the one it
 * executes (and at most AHEAD_MEM bytes of memory beyond that one: their stored bytes and
 * their decoded transactions: block_mem); `threads - 1` workers
 * verify their transactions, a chunk at a time, oldest block first, and the calling
 * thread verifies too whenever the block it is about to execute is not yet verified,
 * so that no core waits while a transaction is left to verify: the calling thread's
 * own work (decoding, the certificate, execution, the state) is a third of the whole,
 * and what it does not need of its core goes to signatures. yc_tx_verify_hinted is
 * reentrant (libsecp256k1's static context); each thread keeps its own cache of parsed
 * keys, senders' and bodies' (a hint is only ever this process's own parse of exactly
 * those 33 bytes). The verdicts land in each block's sigrc[] and are read in block
 * order once the whole block is verified, so the failure reported is the lowest
 * index's, as with one thread. Execution, state and callbacks stay on the calling
 * thread. With one thread there are no workers: the calling thread verifies each block
 * before executing it. */

#define AUDIT_MAX_THREADS 64
#define AHEAD_BLOCKS 8
#ifndef AHEAD_MEM
#define AHEAD_MEM ((size_t)12 << 20)
#endif
#define SIG_CHUNK 16         /* transactions a worker takes at a time */
#define MAIN_CHUNK 4         /* ... and the calling thread: it has a block to execute */
#define KEYCACHE_SLOTS 65536 /* per thread (6.5 MiB), direct-mapped by the key's bytes */

struct keyslot {
    bool used;
    uint8_t pub[YC_PUBKEY_LEN];
    struct yc_parsed_key key;
};

/* A thread's cache, mapped from the system with its pages populated at once (zeroed by
 * the kernel in bulk): cleared by calloc, or touched a page at a time in a lazy mapping
 * (a fault each and, in a threaded process, a copy of the zero page with a TLB flush of
 * every core: key_get was 9% of a replay's CPU so). NULL when it cannot be mapped. */
static struct keyslot *keycache_new(void)
{
    void *c = mmap(NULL, KEYCACHE_SLOTS * sizeof(struct keyslot), PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    return c != MAP_FAILED ? c : NULL;
}

static void keycache_free(struct keyslot *c)
{
    if (c != NULL)
        munmap(c, KEYCACHE_SLOTS * sizeof *c);
}

/* The cache's entry for pub, parsed now if it is not there; NULL if pub is not a valid
 * key (nothing is cached then). */
static const struct keyslot *key_get(struct keyslot *cache, const uint8_t pub[YC_PUBKEY_LEN])
{
    uint32_t k = (uint32_t)pub[1] | (uint32_t)pub[2] << 8 | (uint32_t)pub[3] << 16;
    struct keyslot *s = &cache[k % KEYCACHE_SLOTS];
    if (s->used && memcmp(s->pub, pub, YC_PUBKEY_LEN) == 0)
        return s;
    struct yc_parsed_key parsed;
    if (!yc_pubkey_parse(&parsed, pub))
        return NULL;
    s->used = true;
    memcpy(s->pub, pub, YC_PUBKEY_LEN);
    s->key = parsed;
    return s;
}

/* Verifies tx with every key it names parsed once per thread: the sender's key for its
 * signature, and the keys of its body, whose validity the check then takes as known (a
 * consent grant's processor, a registration's account). A key that does not parse is
 * left to yc_tx_verify_hinted, which then gives the verdict and the code it gives
 * without hints. */
static int verify_tx(const struct yc_tx *tx, const char *chain_id, struct keyslot *cache)
{
    struct yc_tx_keyhint h = {.body_valid = true};
    for (uint32_t i = 0; i < tx->body_keys.n && h.body_valid; i++) {
        const uint8_t *k = yc_tx_body_key(tx, i);
        h.body_valid = k != NULL && key_get(cache, k) != NULL;
    }
    const struct keyslot *s = key_get(cache, tx->sender);
    if (s != NULL) {
        h.sender_parsed = true;
        h.sender = s->key;
    }
    return yc_tx_verify_hinted(tx, chain_id, &h);
}

/* A block fetched and decoded ahead of its turn, or why it could not be. */
struct fetched {
    int rc;       /* YC_OK: b and sigrc hold the block; else a verdict or an error */
    bool verdict; /* rc != YC_OK: a verdict on the ledger (reason, detail), not an
                    * operational error (detail is then the message) */
    enum audit_reason reason;
    char detail[1000];
    struct yc_block b;
    size_t mem;    /* the memory it holds: stored bytes and decoded transactions */
    int *sigrc;    /* each transaction's verdict */
    uint32_t next; /* the next transaction to hand out for verification */
    uint32_t done; /* transactions verified */
};

struct pipeline {
    pthread_mutex_t mu;
    pthread_cond_t work, done;
    pthread_t th[AUDIT_MAX_THREADS];
    unsigned n; /* workers running */
    struct worker_arg {
        struct pipeline *p;
        struct keyslot *cache;
    } args[AUDIT_MAX_THREADS];
    const char *chain_id;
    /* the blocks read and not yet executed: ring[k % AHEAD_BLOCKS] for k in [head, tail),
     * head the next to execute; the calling thread alone moves head and tail (under mu),
     * and fills ring[tail % AHEAD_BLOCKS] before moving tail */
    struct fetched ring[AHEAD_BLOCKS];
    uint64_t head, tail;
    size_t bytes; /* memory held by the blocks after head (fetched.mem) */
    bool waiting; /* the calling thread waits on `done` */
    bool quit;
};

/* Hands out the next chunk of at most max transactions, from the oldest block that has
 * some not handed out; false if there is none. Under p->mu. */
static bool take(struct pipeline *p, uint32_t max, struct fetched **out, uint32_t *from,
                 uint32_t *end)
{
    for (uint64_t k = p->head; k < p->tail; k++) {
        struct fetched *f = &p->ring[k % AHEAD_BLOCKS];
        if (f->rc == YC_OK && f->next < f->b.ntx) {
            *out = f;
            *from = f->next;
            *end = f->b.ntx - f->next > max ? f->next + max : f->b.ntx;
            f->next = *end;
            return true;
        }
    }
    return false;
}

/* Verifies a chunk taken with take(), without p->mu, and counts it done under it. */
static void verify_chunk(struct pipeline *p, struct fetched *f, uint32_t from, uint32_t end,
                         struct keyslot *cache)
{
    pthread_mutex_unlock(&p->mu);
    for (uint32_t i = from; i < end; i++)
        f->sigrc[i] = verify_tx(&f->b.txs[i], p->chain_id, cache);
    pthread_mutex_lock(&p->mu);
    f->done += end - from;
    if (p->waiting)
        pthread_cond_signal(&p->done);
}

static void *sig_worker(void *arg)
{
    struct worker_arg *wa = arg;
    struct pipeline *p = wa->p;
    pthread_mutex_lock(&p->mu);
    while (!p->quit) {
        struct fetched *f;
        uint32_t from, end;
        if (take(p, SIG_CHUNK, &f, &from, &end))
            verify_chunk(p, f, from, end, wa->cache);
        else
            pthread_cond_wait(&p->work, &p->mu);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

/* Starts up to `workers` workers (fewer if threads cannot be started: the calling thread
 * then verifies what they do not). */
static void pipeline_start(struct pipeline *p, unsigned workers, const char *chain_id)
{
    p->chain_id = chain_id;
    for (unsigned k = 0; k < AHEAD_BLOCKS; k++)
        p->ring[k].rc = YC_ENOTFOUND;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->work, NULL);
    pthread_cond_init(&p->done, NULL);
    for (unsigned w = 0; w < workers && w < AUDIT_MAX_THREADS; w++) {
        p->args[w].p = p;
        p->args[w].cache = keycache_new();
        if (p->args[w].cache == NULL ||
            pthread_create(&p->th[w], NULL, sig_worker, &p->args[w]) != 0) {
            keycache_free(p->args[w].cache);
            break;
        }
        p->n++;
    }
}

static void fetched_free(struct fetched *f);

/* Stops the workers (each ends its chunk) and frees the blocks still read ahead. */
static void pipeline_stop(struct pipeline *p)
{
    pthread_mutex_lock(&p->mu);
    p->quit = true;
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->mu);
    for (unsigned w = 0; w < p->n; w++) {
        pthread_join(p->th[w], NULL);
        keycache_free(p->args[w].cache);
    }
    for (; p->head < p->tail; p->head++)
        fetched_free(&p->ring[p->head % AHEAD_BLOCKS]);
    pthread_cond_destroy(&p->done);
    pthread_cond_destroy(&p->work);
    pthread_mutex_destroy(&p->mu);
}

/* Returns when every transaction of the oldest block read (head) is verified, verifying
 * on this thread meanwhile whatever is not yet handed out. */
static void pipeline_ready(struct pipeline *p, struct keyslot *cache)
{
    struct fetched *h = &p->ring[p->head % AHEAD_BLOCKS];
    pthread_mutex_lock(&p->mu);
    while (h->rc == YC_OK && h->done < h->b.ntx) {
        struct fetched *f;
        uint32_t from, end;
        if (take(p, p->n > 0 ? MAIN_CHUNK : SIG_CHUNK, &f, &from, &end)) {
            verify_chunk(p, f, from, end, cache);
        } else {
            p->waiting = true;
            pthread_cond_wait(&p->done, &p->mu);
            p->waiting = false;
        }
    }
    pthread_mutex_unlock(&p->mu);
}

unsigned audit_default_threads(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1u : n > AUDIT_MAX_THREADS ? AUDIT_MAX_THREADS : (unsigned)n;
}

/* Fails with core's words `why`, which name "validator <index>", followed by its name:
 * "validator 1 (v1) signs twice". */
static void name_validator(struct audit_result *res, uint64_t h, enum audit_reason r,
                           const char *why, uint32_t index, const char *name)
{
    char token[32];
    snprintf(token, sizeof token, "validator %u", index);
    const char *at = strstr(why, token);
    if (at == NULL) {
        failf(res, h, r, "%s", why);
        return;
    }
    size_t end = (size_t)(at - why) + strlen(token);
    failf(res, h, r, "%.*s (%s)%s", (int)end, why, name, why + end);
}

/* Checks that need no state: core's rule of a next block, certificate included (the one
 * the node applies to proposals, commits and sync; the roots were checked by the decode),
 * then the transactions' signatures. Returns true if the block passed (else res holds
 * the failure). */
static bool check_block(struct audit_result *res, const struct yc_genesis *g,
                        const struct yc_valset *vs, const struct yc_block *b, uint64_t h,
                        const int *sigrc)
{
    const struct yc_block_header *hd = &b->hdr;
    char a[2 * YC_HASH_LEN + 1], x[2 * YC_HASH_LEN + 1];
    if (hd->height != h) {
        failf(res, h, AUDIT_WRONG_HEIGHT, "the block stored at height %llu says height %llu",
              (unsigned long long)h, (unsigned long long)hd->height);
        return false;
    }
    struct yc_block_parent parent = {.height = h - 1, .time_ms = res->time_ms};
    memcpy(parent.hash, res->hash, YC_HASH_LEN);
    struct yc_block_verdict v;
    if (yc_block_check_next(b, g, vs, &parent, YC_CHECK_CERT, &v) != YC_OK) {
        static const enum audit_reason reasons[] = {
            [YC_NEXT_OK] = AUDIT_BAD_BLOCK,
            [YC_NEXT_CHAIN] = AUDIT_WRONG_CHAIN,
            [YC_NEXT_HEIGHT] = AUDIT_WRONG_HEIGHT,
            [YC_NEXT_LINK] = AUDIT_BAD_LINK,
            [YC_NEXT_PROPOSER] = AUDIT_BAD_PROPOSER,
            [YC_NEXT_TIME] = AUDIT_BAD_TIME,
            [YC_NEXT_LIMITS] = AUDIT_OVER_LIMITS,
            [YC_NEXT_CERT_VIEW] = AUDIT_BAD_CERTIFICATE,
            [YC_NEXT_CERT_MISSING] = AUDIT_BAD_CERTIFICATE,
            [YC_NEXT_CERT_SIGNER] = AUDIT_BAD_CERTIFICATE,
            [YC_NEXT_CERT_DUPLICATE] = AUDIT_BAD_CERTIFICATE,
            [YC_NEXT_CERT_ORDER] = AUDIT_BAD_CERTIFICATE,
            [YC_NEXT_CERT_QUORUM] = AUDIT_BAD_CERTIFICATE,
            [YC_NEXT_CERT_SIG] = AUDIT_BAD_CERTIFICATE,
        };
        enum audit_reason r = (size_t)v.check < sizeof reasons / sizeof reasons[0]
                                  ? reasons[v.check]
                                  : AUDIT_BAD_BLOCK;
        if (v.check == YC_NEXT_LINK) {
            hex32(a, hd->prev_hash);
            hex32(x, res->hash);
            failf(res, h, r, "prev_hash %s is not the hash of %s %llu (%s)", a,
                  h == 1 ? "the genesis, height" : "block", (unsigned long long)(h - 1), x);
        } else if (v.validator < g->nvalidators) {
            name_validator(res, h, r, v.why, v.validator, g->validators[v.validator].name);
        } else {
            failf(res, h, r, "%s", v.why);
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

/* The memory a decoded block holds beyond its stored bytes: each transaction's
 * struct and its own allocation (its signed bytes, its body as its type's schema sizes
 * it, its cosigs and body keys, tx.h). */
static size_t block_mem(const struct yc_block *b)
{
    size_t n = b->ntx * (sizeof *b->txs + sizeof *b->results);
    for (uint32_t i = 0; i < b->ntx; i++) {
        const struct yc_tx_schema *sc = yc_tx_schema(b->txs[i].type);
        n += b->txs[i].len + (sc != NULL ? sc->size : 0) +
             b->txs[i].ncosigs * sizeof(struct yc_cosig) + b->txs[i].body_keys.n * sizeof(uint16_t);
    }
    return n;
}

static void fetch(const struct audit_source *src, uint64_t h, uint64_t tip, struct fetched *f)
{
    uint8_t *bytes = NULL;
    size_t len = 0;
    char why[256] = "";
    f->verdict = false;
    f->detail[0] = '\0';
    f->sigrc = NULL;
    f->mem = 0;
    f->next = f->done = 0;
    int rc = src->get_block(src->ctx, h, &bytes, &len, why, sizeof why);
    if (rc == YC_ENOTFOUND || rc == YC_ECORRUPT) {
        f->verdict = true;
        f->reason = rc == YC_ENOTFOUND ? AUDIT_BLOCK_MISSING : AUDIT_BLOCK_UNREADABLE;
        if (rc == YC_ENOTFOUND)
            snprintf(f->detail, sizeof f->detail, "block %llu is not in the ledger (tip %llu)",
                     (unsigned long long)h, (unsigned long long)tip);
        else
            snprintf(f->detail, sizeof f->detail, "block %llu cannot be read back: %s",
                     (unsigned long long)h, why);
    } else if (rc != YC_OK) {
        snprintf(f->detail, sizeof f->detail, "reading block %llu: %s", (unsigned long long)h, why);
    } else {
        rc = yc_block_decode(&f->b, bytes, len);
        f->mem = len + (rc == YC_OK ? block_mem(&f->b) : 0);
        if (rc == YC_ENOMEM) {
            snprintf(f->detail, sizeof f->detail, "decoding block %llu: out of memory",
                     (unsigned long long)h);
        } else if (rc != YC_OK) {
            f->verdict = true;
            f->reason = audit_diagnose_block(bytes, len, rc, f->detail, sizeof f->detail);
        } else {
            f->sigrc = yc_malloc((f->b.ntx > 0 ? f->b.ntx : 1) * sizeof *f->sigrc);
            if (f->sigrc == NULL) {
                yc_block_cleanup(&f->b);
                rc = YC_ENOMEM;
                snprintf(f->detail, sizeof f->detail, "verifying block %llu: out of memory",
                         (unsigned long long)h);
            }
        }
        yc_free(bytes);
    }
    f->rc = rc;
}

static void fetched_free(struct fetched *f)
{
    if (f->rc == YC_OK) {
        yc_block_cleanup(&f->b);
        yc_free(f->sigrc);
    }
    f->rc = YC_ENOTFOUND;
    f->verdict = false;
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

    /* the validator set in force at each height: read from the replayed state before the
     * block (yc_ledger_valset_at: a change fixed at H is in force from H + valset_delay, so
     * the state after h - 1 knows the set of h) */
    struct yc_valset vs;
    uint64_t tip = 0;
    rc = src->tip(src->ctx, &tip, msg, msglen);
    if (rc != YC_OK)
        return rc;
    res->source_tip = tip;
    res->target = opts->to > 0 ? opts->to : tip;

    unsigned threads = opts->threads > 0 ? opts->threads : audit_default_threads();
    struct pipeline *p = yc_calloc(1, sizeof *p);
    struct keyslot *cache = keycache_new();
    if (p == NULL || cache == NULL) {
        yc_free(p);
        keycache_free(cache);
        snprintf(msg, msglen, "out of memory");
        return YC_ENOMEM;
    }
    pipeline_start(p, res->height < res->target ? threads - 1 : 0, g->chain_id);
    uint64_t next = res->height + 1; /* the next height to read */
    bool ended = false;              /* a verdict or an error ended the replay before the target */
    for (uint64_t h = res->height + 1; h <= res->target && !ended; h++) {
        /* read ahead while the workers verify what is read; a block that could not be
         * read or decoded ends the reading (its verdict is given in its turn) */
        while (next <= res->target && p->tail - p->head < AHEAD_BLOCKS &&
               (p->tail == p->head || p->bytes < AHEAD_MEM) &&
               (p->tail == p->head || p->ring[(p->tail - 1) % AHEAD_BLOCKS].rc == YC_OK)) {
            struct fetched *f = &p->ring[p->tail % AHEAD_BLOCKS];
            fetch(src, next++, tip, f);
            pthread_mutex_lock(&p->mu);
            p->tail++;
            if (p->tail - p->head > 1)
                p->bytes += f->mem;
            pthread_cond_broadcast(&p->work);
            pthread_mutex_unlock(&p->mu);
        }
        struct fetched *cur = &p->ring[p->head % AHEAD_BLOCKS];
        if (cur->rc != YC_OK) {
            if (cur->verdict)
                failf(res, h, cur->reason, "%s", cur->detail);
            else
                snprintf(msg, msglen, "%s", cur->detail);
            rc = cur->verdict ? YC_OK : cur->rc;
            ended = true;
            break;
        }
        pipeline_ready(p, cache);
        const struct yc_block *b = &cur->b;
        struct yc_state_src ssrc = memstate_src(state);
        rc = yc_ledger_valset_at(&ssrc, g, h, &vs);
        if (rc != YC_OK) {
            snprintf(msg, msglen, "reading the validator set in force at height %llu: %s",
                     (unsigned long long)h, yc_strerror(rc));
            ended = true;
            break;
        }
        if (!check_block(res, g, &vs, b, h, cur->sigrc)) {
            ended = true;
            break;
        }
        rc = execute(res, g, state, b, opts, msg, msglen);
        if (rc != YC_OK || res->reason != AUDIT_OK) {
            ended = true;
            break;
        }
        if (opts->check_end && src->check_block != NULL && res->target == tip) {
            rc = src->check_block(src->ctx, b, res, msg, msglen);
            if (rc != YC_OK) {
                ended = true;
                break;
            }
        }
        res->blocks++;
        res->txs += b->ntx;
        for (uint32_t i = 0; i < b->ntx; i++) {
            if ((unsigned)b->txs[i].type < AUDIT_MAX_TYPE)
                res->by_type[b->txs[i].type]++;
            if (b->results[i] != YC_OK)
                res->failed++;
        }
        res->height = h;
        memcpy(res->hash, b->hash, YC_HASH_LEN);
        memcpy(res->state_root, b->hdr.state_root, YC_HASH_LEN);
        res->time_ms = b->hdr.time_ms;
        /* every chunk of the block is done: no worker holds it */
        pthread_mutex_lock(&p->mu);
        p->head++;
        if (p->tail > p->head)
            p->bytes -= p->ring[p->head % AHEAD_BLOCKS].mem;
        pthread_mutex_unlock(&p->mu);
        fetched_free(cur);
        if (opts->block_done != NULL) {
            rc = opts->block_done(opts->block_ctx, h, res->time_ms);
            if (rc < 0) {
                snprintf(msg, msglen, "after block %llu: %s", (unsigned long long)h,
                         yc_strerror(rc));
                ended = true;
                break;
            }
        }
        if (opts->progress != NULL)
            opts->progress(opts->progress_ctx, h, res->target);
    }
    pipeline_stop(p);
    yc_free(p);
    keycache_free(cache);
    if (ended)
        return rc;

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
