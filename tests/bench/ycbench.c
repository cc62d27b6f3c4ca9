/*
 * ycbench.c — load generator for a running node (DESIGN.md §11; run by scripts/bench).
 *
 * Everything is signed before the clock starts: accounts with keys derived from a seed
 * register themselves, processors are registered by the issuing key (the exchange),
 * the exchange issues tokens to all of them, then every account sends `--rounds`
 * transactions alternating token transfers and consent grants. Each phase is
 * submitted with `broadcast_txs` in batches (a msgpack body, or hex with --hex); a
 * poller thread follows the chain (`status`, then `block` for each new height) and
 * stamps each transaction with the time its block was seen, so latency is
 * submit-to-commit as a client sees it.
 *
 * The measured phase reports committed tx/s (committed / (last commit − first
 * submit)), p50/p99 latency and transactions per block. With --emit FILE the setup
 * phases are run and the measured transactions are written to FILE instead of being
 * sent (one line each: id type account nonce hex), for tests that submit on their own.
 *
 * --verify-bench SECONDS needs no node: it measures the bound scripts/bench compares
 * with, BIP-340 verifications per second on every core (one thread per online CPU, each
 * checking a signed transfer in a loop exactly as a node checks a known sender's tx:
 * yc_tx_verify_hinted with the key parsed once), and prints one line
 * "verify: T threads, S s, N verifications, R per second".
 *
 * Invariants: the poller only writes a transaction's commit fields and then its state
 * (release); the main thread reads them after an acquire load of the state. The id
 * table is built before the poller starts and never changes afterwards.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "yc/bech32.h"
#include "yc/buf.h"
#include "yc/cliutil.h"
#include "yc/codec.h"
#include "yc/hash.h"
#include "yc/httpc.h"
#include "yc/keys.h"
#include "yc/keystore.h"
#include "yc/tx.h"
#include "yc/txschema.h"

#define RPC_TIMEOUT_MS 60000
#define RPC_MAX_BYTES ((size_t)64 << 20)
#define MAX_ACCOUNTS 100000u
#define MAX_ROUNDS 10000u
#define ISSUE_AMOUNT 1000000u
#define JURISDICTION "CN-CQ"
#define MAX_NODES 16
/* Transactions of one sender admitted but not committed, at most: below the node's
 * mempool.max_nonce_gap and mempool.max_txs_per_sender (64 each by default), so the
 * issuing key's phases are never refused with bad_nonce or mempool_full. */
#define SENDER_WINDOW 60u

enum { ST_NEW = 0, ST_ADMITTED, ST_REJECTED, ST_COMMITTED };

struct btx {
    uint8_t id[YC_HASH_LEN];
    char *hex;    /* signed bytes in hex, malloc'ed */
    uint8_t *raw; /* the same bytes, malloc'ed */
    size_t rawlen;
    enum yc_tx_type type;
    uint32_t acct; /* index of the sender (UINT32_MAX: the issuing key) */
    uint64_t nonce;
    double t_submit, t_commit;
    uint64_t height;
    _Atomic int state;
    char code[40]; /* admission refusal */
};

struct account {
    yc_signer *s;
    uint8_t pub[YC_PUBKEY_LEN];
};

struct opts {
    const char *nodes[MAX_NODES];
    unsigned nnodes;
    double rate; /* load phase: transactions per second offered, 0 = as fast as admitted */
    const char *node, *wallet_dir, *password_file, *from, *emit, *chain_override, *out_json;
    uint32_t accounts, processors, rounds, batch, clients;
    uint64_t seed, timeout_s;
    uint32_t verify_secs; /* --verify-bench */
    bool hex;             /* --hex: submit JSON-RPC with hex instead of msgpack */
    bool quiet;
};

struct bench {
    struct opts o;
    char chain_id[YC_CHAIN_ID_MAX + 1];
    const char *sign_chain;
    yc_signer *issuer;
    uint8_t issuer_pub[YC_PUBKEY_LEN];
    uint64_t issuer_nonce;
    struct account *accts; /* accounts then processors */
    uint32_t nacct;
    struct btx *txs;
    size_t ntx, cap;
    size_t *slots; /* open-addressing id table: index+1, 0 = empty */
    size_t nslots;
    uint64_t start_height;
    _Atomic uint64_t seen_height;
    _Atomic size_t ncommitted;
    _Atomic int stop;
    _Atomic uint64_t blocks_seen, block_txs_seen;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, int err)
{
    fprintf(stderr, "ycbench: %s: %s (%s)\n", what, yc_strerror(err), yc_err_name(err));
    exit(1);
}

/* ---- the id table ---- */

static size_t slot_of(const struct bench *b, const uint8_t id[YC_HASH_LEN])
{
    uint64_t h;
    memcpy(&h, id, sizeof h);
    return (size_t)(h % b->nslots);
}

static void table_build(struct bench *b)
{
    b->nslots = b->ntx * 2 + 1;
    b->slots = calloc(b->nslots, sizeof *b->slots);
    if (b->slots == NULL)
        die("id table", YC_ENOMEM);
    for (size_t i = 0; i < b->ntx; i++) {
        size_t s = slot_of(b, b->txs[i].id);
        while (b->slots[s] != 0)
            s = (s + 1) % b->nslots;
        b->slots[s] = i + 1;
    }
}

static struct btx *table_find(struct bench *b, const uint8_t id[YC_HASH_LEN])
{
    for (size_t s = slot_of(b, id); b->slots[s] != 0; s = (s + 1) % b->nslots) {
        struct btx *t = &b->txs[b->slots[s] - 1];
        if (memcmp(t->id, id, YC_HASH_LEN) == 0)
            return t;
    }
    return NULL;
}

/* ---- RPC ---- */

static json_t *rpc_at(const char *node, const char *method, json_t *params, char *code, size_t clen)
{
    json_t *res = NULL;
    char ecode[64] = "", emsg[256] = "";
    int rc = yc_rpc_call(node, method, params, &res, ecode, sizeof ecode, emsg, sizeof emsg);
    if (rc == YC_EREMOTE) {
        if (code != NULL)
            snprintf(code, clen, "%s", ecode);
        else
            fprintf(stderr, "ycbench: %s: %s (%s)\n", method, emsg, ecode);
        return NULL;
    }
    if (rc != YC_OK) {
        fprintf(stderr, "ycbench: %s: node %s: %s\n", method, node,
                rc == YC_EUNREACHABLE ? "unreachable" : yc_err_name(rc));
        exit(rc == YC_EUNREACHABLE ? YC_EXIT_UNAVAILABLE : 1);
    }
    return res;
}

/* Queries go to the first node (the one the poller follows). */
static json_t *rpc(struct bench *b, const char *method, json_t *params, char *code, size_t clen)
{
    return rpc_at(b->o.node, method, params, code, clen);
}

static uint64_t json_u64(json_t *v)
{
    if (json_is_integer(v))
        return (uint64_t)json_integer_value(v);
    uint64_t x = 0;
    if (json_is_string(v) && yc_parse_u64(json_string_value(v), &x) == YC_OK)
        return x;
    return 0;
}

static uint64_t node_height(struct bench *b)
{
    json_t *st = rpc(b, "status", json_object(), NULL, 0);
    if (st == NULL)
        exit(1);
    uint64_t h = json_u64(json_object_get(st, "height"));
    json_decref(st);
    return h;
}

/* Returns the account's nonce, or -1 if it is not registered. */
static int64_t account_nonce(struct bench *b, const uint8_t pub[YC_PUBKEY_LEN])
{
    char addr[YC_ADDR_MAX], code[64] = "";
    if (yc_addr_encode(addr, pub) != YC_OK)
        die("address", YC_EBADKEY);
    json_t *res = rpc(b, "account", json_pack("{s:s}", "address", addr), code, sizeof code);
    if (res == NULL)
        return -1;
    int64_t n = (int64_t)json_u64(json_object_get(res, "nonce"));
    json_decref(res);
    return n;
}

/* ---- keys and transactions ---- */

static void derive_key(struct bench *b, const char *tag, uint32_t i, struct account *a)
{
    uint8_t in[64], sk[YC_SECKEY_LEN];
    for (uint32_t attempt = 0;; attempt++) {
        size_t n = (size_t)snprintf((char *)in, sizeof in, "ycbench/v1/%s/%" PRIu64 "/%u/%u", tag,
                                    b->o.seed, i, attempt);
        yc_sha256(sk, in, n);
        int rc = yc_signer_create(&a->s, sk);
        if (rc == YC_OK)
            break;
        if (rc != YC_EBADKEY) /* not a key to retry: e.g. out of guarded memory mappings */
            die("signing key (each key takes 3 memory mappings: see vm.max_map_count)", rc);
    }
    sodium_memzero(sk, sizeof sk);
    yc_signer_pubkey(a->s, a->pub);
}

static struct btx *add_tx(struct bench *b, const char *chain, enum yc_tx_type type,
                          const yc_signer *s, uint32_t acct, uint64_t nonce,
                          const struct yc_buf *body)
{
    if (b->ntx == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 1024;
        b->txs = realloc(b->txs, b->cap * sizeof *b->txs);
        if (b->txs == NULL)
            die("tx array", YC_ENOMEM);
    }
    struct btx *t = &b->txs[b->ntx++];
    memset(t, 0, sizeof *t);
    t->type = type;
    t->acct = acct;
    t->nonce = nonce;
    uint8_t aux[32];
    randombytes_buf(aux, sizeof aux);
    struct yc_buf out;
    yc_buf_init(&out, YC_TX_MAX_BYTES);
    int rc = yc_tx_build_signed(&out, t->id, chain, type, s, nonce, body->data, body->len, aux);
    if (rc != YC_OK)
        die("signing", rc);
    /* Self-check: the node's own decoder must accept what we built. */
    struct yc_tx check;
    rc = yc_tx_decode(&check, out.data, out.len);
    if (rc != YC_OK)
        die(yc_tx_type_name(type), rc);
    yc_tx_cleanup(&check);
    t->hex = malloc(out.len * 2 + 1);
    if (t->hex == NULL)
        die("hex", YC_ENOMEM);
    yc_hex(t->hex, out.data, out.len);
    yc_buf_take(&out, &t->raw, &t->rawlen);
    return t;
}

/* Writes body u of `type` into body through the schema (txschema.h). */
static void body_encode(struct yc_buf *body, enum yc_tx_type type, const union yc_tx_body *u)
{
    yc_buf_reset(body);
    int rc = yc_tx_body_encode(body, type, u, yc_tx_body_present(type, u));
    if (rc != YC_OK)
        die(yc_tx_type_name(type), rc);
}

static struct yc_slice slice(const char *s)
{
    return (struct yc_slice){s, strlen(s)};
}

static void body_register(struct yc_buf *body, const uint8_t *account, const char *name,
                          const char *role)
{
    union yc_tx_body u;
    memset(&u, 0, sizeof u);
    if (account) {
        u.account_register.has_account = true;
        memcpy(u.account_register.account, account, YC_PUBKEY_LEN);
    }
    u.account_register.jurisdiction = slice(JURISDICTION);
    u.account_register.name = slice(name);
    u.account_register.role = slice(role);
    body_encode(body, YC_TX_ACCOUNT_REGISTER, &u);
}

/* A token.issue or token.transfer body (the two are alike). */
static void body_token(struct yc_buf *body, enum yc_tx_type type, const uint8_t to[YC_PUBKEY_LEN],
                       uint64_t amount)
{
    union yc_tx_body u;
    memset(&u, 0, sizeof u);
    u.token.amount = amount;
    u.token.has_to = true;
    memcpy(u.token.to, to, YC_PUBKEY_LEN);
    body_encode(body, type, &u);
}

static void body_consent(struct yc_buf *body, const uint8_t processor[YC_PUBKEY_LEN],
                         uint64_t until_ms)
{
    union yc_tx_body u;
    struct yc_body_consent_grant *g = &u.consent_grant;
    memset(&u, 0, sizeof u);
    g->categories.items[g->categories.n++] = slice("health");
    g->fee_per_use = 1;
    g->jurisdiction = slice(JURISDICTION);
    g->operations.items[g->operations.n++] = slice("use");
    memcpy(g->processor, processor, YC_PUBKEY_LEN);
    g->purposes.items[g->purposes.n++] = slice("research");
    g->until = until_ms;
    body_encode(body, YC_TX_CONSENT_GRANT, &u);
}

/* Builds every transaction; returns the [start, end) of each phase in *ph. */
static void build_all(struct bench *b, size_t ph[4])
{
    struct yc_buf body;
    yc_buf_init(&body, YC_TX_MAX_BYTES);
    uint32_t na = b->o.accounts, np = b->o.processors;
    char name[64];

    ph[0] = b->ntx; /* registrations */
    for (uint32_t i = 0; i < na; i++) {
        snprintf(name, sizeof name, "bench-%" PRIu64 "-%u", b->o.seed, i);
        body_register(&body, NULL, name, "individual");
        add_tx(b, b->chain_id, YC_TX_ACCOUNT_REGISTER, b->accts[i].s, i, 0, &body);
    }
    uint64_t xn = b->issuer_nonce;
    for (uint32_t p = 0; p < np; p++) {
        snprintf(name, sizeof name, "bench-proc-%" PRIu64 "-%u", b->o.seed, p);
        body_register(&body, b->accts[na + p].pub, name, "processor");
        add_tx(b, b->chain_id, YC_TX_ACCOUNT_REGISTER, b->issuer, UINT32_MAX, xn++, &body);
    }
    ph[1] = b->ntx; /* token issues */
    for (uint32_t i = 0; i < na + np; i++) {
        body_token(&body, YC_TX_TOKEN_ISSUE, b->accts[i].pub, ISSUE_AMOUNT);
        add_tx(b, b->chain_id, YC_TX_TOKEN_ISSUE, b->issuer, UINT32_MAX, xn++, &body);
    }
    ph[2] = b->ntx; /* the measured load */
    uint64_t until = yc_time_now_ms() + 30ull * 86400 * 1000;
    for (uint32_t r = 0; r < b->o.rounds; r++) {
        for (uint32_t i = 0; i < na; i++) {
            if (np == 0 || (i + r) % 2 == 0) {
                body_token(&body, YC_TX_TOKEN_TRANSFER, b->accts[(i + 1) % na].pub, 1);
                add_tx(b, b->sign_chain, YC_TX_TOKEN_TRANSFER, b->accts[i].s, i, 1 + r, &body);
            } else {
                body_consent(&body, b->accts[na + (i % np)].pub, until);
                add_tx(b, b->sign_chain, YC_TX_CONSENT_GRANT, b->accts[i].s, i, 1 + r, &body);
            }
        }
    }
    ph[3] = b->ntx;
    yc_buf_cleanup(&body);
}

/* ---- following the chain ---- */

static void *poller(void *arg)
{
    struct bench *b = arg;
    uint64_t last = b->start_height;
    while (!atomic_load(&b->stop)) {
        json_t *st = rpc(b, "status", json_object(), NULL, 0);
        uint64_t h = st ? json_u64(json_object_get(st, "height")) : last;
        json_decref(st);
        for (uint64_t x = last + 1; x <= h; x++) {
            char hs[24];
            snprintf(hs, sizeof hs, "%" PRIu64, x);
            json_t *blk = rpc(b, "block", json_pack("{s:s}", "height", hs), NULL, 0);
            if (blk == NULL)
                break;
            double t = now_s();
            json_t *ids = json_object_get(blk, "txs");
            size_t i;
            json_t *v;
            json_array_foreach(ids, i, v)
            {
                uint8_t id[YC_HASH_LEN];
                const char *s = json_string_value(v);
                if (s == NULL || yc_unhex(id, sizeof id, s, strlen(s)) != YC_OK)
                    continue;
                struct btx *tx = table_find(b, id);
                if (tx != NULL && atomic_load(&tx->state) != ST_COMMITTED) {
                    tx->t_commit = t;
                    tx->height = x;
                    atomic_store_explicit(&tx->state, ST_COMMITTED, memory_order_release);
                    atomic_fetch_add(&b->ncommitted, 1);
                }
            }
            atomic_fetch_add(&b->blocks_seen, 1);
            atomic_fetch_add(&b->block_txs_seen, json_array_size(ids));
            json_decref(blk);
            last = x;
            atomic_store(&b->seen_height, x);
        }
        usleep(5000);
    }
    return NULL;
}

/* ---- submitting a phase ---- */

struct phase_result {
    size_t n, admitted, rejected, committed;
    double t_first, t_last_commit, secs;
    double offer_secs; /* from the first submission to the answer to the last one */
    double p50_ms, p99_ms;
    uint64_t first_height, last_height;
    char codes[256];
};

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void note_code(char *codes, size_t cap, const char *code)
{
    if (strstr(codes, code) == NULL && strlen(codes) + strlen(code) + 2 < cap) {
        if (codes[0] != '\0')
            strcat(codes, ",");
        strcat(codes, code);
    }
}

/* broadcast_txs with a msgpack body (POST /broadcast_txs): the result object, or NULL
 * with the refusal's code in `code`. */
static json_t *post_msgpack(const char *node, struct btx **batch, size_t n, char *code, size_t clen)
{
    struct yc_buf body;
    yc_buf_init(&body, RPC_MAX_BYTES);
    struct yc_enc e;
    yc_enc_init(&e, &body);
    yc_enc_array(&e, (uint32_t)n);
    for (size_t i = 0; i < n; i++)
        yc_enc_bin(&e, batch[i]->raw, batch[i]->rawlen);
    if (yc_enc_finish(&e) != YC_OK)
        die("msgpack body", YC_ENOMEM);
    char url[600];
    snprintf(url, sizeof url, "%s/broadcast_txs", node);
    struct yc_http_response resp;
    int rc = yc_http_post_type(url, "application/msgpack", body.data, body.len, RPC_TIMEOUT_MS,
                               RPC_MAX_BYTES, &resp);
    yc_buf_cleanup(&body);
    if (rc != YC_OK) {
        fprintf(stderr, "ycbench: POST %s: %s\n", url,
                rc == YC_EUNREACHABLE ? "unreachable" : yc_err_name(rc));
        exit(rc == YC_EUNREACHABLE ? YC_EXIT_UNAVAILABLE : 1);
    }
    json_t *res = json_loadb(resp.body, resp.len, 0, NULL);
    yc_http_response_free(&resp);
    json_t *err = res ? json_object_get(res, "error") : NULL;
    if (res == NULL || err != NULL) {
        const char *c = json_string_value(json_object_get(json_object_get(err, "data"), "code"));
        snprintf(code, clen, "%s", c ? c : "bad answer");
        json_decref(res);
        return NULL;
    }
    return res;
}

static void submit_batch(const char *node, bool hex, struct btx **batch, size_t n,
                         struct phase_result *r)
{
    json_t *arr = NULL;
    if (hex) {
        arr = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(arr, json_string(batch[i]->hex));
    }
    double t = now_s();
    for (size_t i = 0; i < n; i++)
        if (batch[i]->t_submit == 0)
            batch[i]->t_submit = t;
    char code[64] = "";
    json_t *res =
        hex ? rpc_at(node, "broadcast_txs", json_pack("{s:o}", "txs", arr), code, sizeof code)
            : post_msgpack(node, batch, n, code, sizeof code);
    json_t *results = res ? json_object_get(res, "results") : NULL;
    if (results == NULL || json_array_size(results) != n) {
        fprintf(stderr, "ycbench: broadcast_txs of %zu refused: %s\n", n, code);
        exit(1);
    }
    for (size_t i = 0; i < n; i++) {
        json_t *one = json_array_get(results, i);
        const char *c = json_string_value(json_object_get(one, "code"));
        const char *st = json_string_value(json_object_get(one, "status"));
        /* admitted: status pending (code "pending"); a duplicate is one we sent before */
        if ((c && (strcmp(c, "pending") == 0 || strcmp(c, "ok") == 0 ||
                   strcmp(c, "duplicate_tx") == 0)) ||
            (c == NULL && st && strcmp(st, "refused") != 0)) {
            int expect = ST_NEW;
            atomic_compare_exchange_strong(&batch[i]->state, &expect, ST_ADMITTED);
            r->admitted++;
        } else if (c && strcmp(c, "mempool_full") == 0) {
            batch[i]->code[0] = '!'; /* retry */
        } else {
            snprintf(batch[i]->code, sizeof batch[i]->code, "%s", c ? c : "?");
            int expect = ST_NEW;
            atomic_compare_exchange_strong(&batch[i]->state, &expect, ST_REJECTED);
            r->rejected++;
            note_code(r->codes, sizeof r->codes, batch[i]->code);
        }
    }
    json_decref(res);
}

static size_t committed_in(struct bench *b, size_t from, size_t to)
{
    size_t done = 0;
    for (size_t k = from; k < to; k++)
        if (atomic_load_explicit(&b->txs[k].state, memory_order_acquire) == ST_COMMITTED)
            done++;
    return done;
}

/* One submitting thread: takes the next batch of the phase, waits for its due time
 * (--rate) or for room in the sender's window, submits it to its node, and resends
 * what a full mempool refused until it is admitted or refused for good. */
struct submitter {
    struct bench *b;
    size_t from, to, cap, window;
    double rate, t_first;
    _Atomic size_t *next; /* offset of the next batch to take */
    unsigned node;
    struct phase_result part;
};

static void *submit_loop(void *arg)
{
    struct submitter *s = arg;
    struct bench *b = s->b;
    struct btx **batch = malloc(s->cap * sizeof *batch);
    if (batch == NULL)
        die("batch", YC_ENOMEM);
    for (;;) {
        size_t off = atomic_fetch_add(s->next, s->cap);
        if (off >= s->to - s->from)
            break;
        size_t n = s->to - s->from - off < s->cap ? s->to - s->from - off : s->cap;
        for (size_t k = 0; k < n; k++)
            batch[k] = &b->txs[s->from + off + k];
        if (s->window > 0) /* one thread only: the phase's admitted count is ours */
            while (s->part.admitted + n > committed_in(b, s->from, s->to) + s->window)
                usleep(2000);
        if (s->rate > 0) {
            /* the batch that starts at offset off is due at t_first + off / rate */
            double due = s->t_first + (double)off / s->rate;
            for (double t = now_s(); t < due; t = now_s())
                usleep((useconds_t)((due - t) * 1e6) + 1);
        }
        for (;;) {
            submit_batch(b->o.nodes[s->node], b->o.hex, batch, n, &s->part);
            size_t m = 0;
            for (size_t k = 0; k < n; k++)
                if (batch[k]->code[0] == '!') { /* mempool_full */
                    batch[k]->code[0] = '\0';
                    batch[m++] = batch[k];
                }
            if (m == 0)
                break;
            n = m;
            usleep(20000);
        }
    }
    free(batch);
    return NULL;
}

/* Submits [from, to) in batches from --clients threads (one when window > 0: a phase
 * of one sender keeps at most `window` admitted transactions uncommitted), and waits
 * for the admitted ones to commit. rate > 0 offers the phase at that many
 * transactions per second. */
static void run_phase(struct bench *b, const char *name, size_t from, size_t to, size_t window,
                      double rate, struct phase_result *r)
{
    memset(r, 0, sizeof *r);
    r->n = to - from;
    size_t cap = b->o.batch;
    if (window > 0 && cap > window / 2)
        cap = window / 2;
    unsigned nthreads = window > 0 ? 1 : b->o.clients;
    struct submitter *subs = calloc(nthreads, sizeof *subs);
    pthread_t *th = calloc(nthreads, sizeof *th);
    if (subs == NULL || th == NULL)
        die("submitters", YC_ENOMEM);
    _Atomic size_t next = 0;
    r->t_first = now_s();
    r->first_height = atomic_load(&b->seen_height) + 1;
    for (unsigned t = 0; t < nthreads; t++) {
        subs[t] = (struct submitter){.b = b,
                                     .from = from,
                                     .to = to,
                                     .cap = cap,
                                     .window = window,
                                     .rate = rate,
                                     .t_first = r->t_first,
                                     .next = &next,
                                     .node = t % b->o.nnodes};
        if (pthread_create(&th[t], NULL, submit_loop, &subs[t]) != 0)
            die("submitter thread", YC_ENOMEM);
    }
    for (unsigned t = 0; t < nthreads; t++) {
        pthread_join(th[t], NULL);
        r->admitted += subs[t].part.admitted;
        r->rejected += subs[t].part.rejected;
        if (subs[t].part.codes[0] != '\0')
            note_code(r->codes, sizeof r->codes, subs[t].part.codes);
    }
    free(subs);
    free(th);
    r->offer_secs = now_s() - r->t_first;

    /* wait for every admitted tx to commit (or the timeout) */
    double deadline = now_s() + (double)b->o.timeout_s;
    for (;;) {
        size_t done = committed_in(b, from, to);
        r->committed = done;
        if (done >= r->admitted || now_s() > deadline)
            break;
        usleep(2000);
    }
    double *lat = malloc((r->committed + 1) * sizeof *lat);
    if (lat == NULL)
        die("latencies", YC_ENOMEM);
    size_t nl = 0;
    for (size_t k = from; k < to; k++) {
        struct btx *t = &b->txs[k];
        if (atomic_load_explicit(&t->state, memory_order_acquire) != ST_COMMITTED)
            continue;
        lat[nl++] = (t->t_commit - t->t_submit) * 1000.0;
        if (t->t_commit > r->t_last_commit)
            r->t_last_commit = t->t_commit;
        if (t->height > r->last_height)
            r->last_height = t->height;
    }
    qsort(lat, nl, sizeof *lat, cmp_double);
    if (nl > 0) {
        r->p50_ms = lat[(nl - 1) / 2];
        r->p99_ms = lat[(size_t)((double)(nl - 1) * 0.99)];
    }
    free(lat);
    r->secs = (r->t_last_commit > r->t_first ? r->t_last_commit : now_s()) - r->t_first;
    if (!b->o.quiet)
        fprintf(stderr,
                "ycbench: phase %-8s %6zu txs: admitted %zu, refused %zu%s%s%s (offered in "
                "%.2f s), committed %zu in %.2f s (%.0f tx/s), p50 %.0f ms, p99 %.0f ms\n",
                name, r->n, r->admitted, r->rejected, r->codes[0] ? " (" : "", r->codes,
                r->codes[0] ? ")" : "", r->offer_secs, r->committed, r->secs,
                r->secs > 0 ? (double)r->committed / r->secs : 0.0, r->p50_ms, r->p99_ms);
    if (r->committed < r->admitted) {
        /* Execution-time rejections: ask the node why, for a few of them. */
        int shown = 0;
        for (size_t k = from; k < to && shown < 5; k++) {
            struct btx *t = &b->txs[k];
            if (atomic_load(&t->state) != ST_ADMITTED)
                continue;
            char idhex[2 * YC_HASH_LEN + 1];
            yc_hex(idhex, t->id, YC_HASH_LEN);
            json_t *res = rpc(b, "tx", json_pack("{s:s}", "id", idhex), NULL, 0);
            fprintf(stderr, "ycbench:   not committed: %s %s: %s %s\n", idhex,
                    yc_tx_type_name(t->type),
                    res ? json_string_value(json_object_get(res, "status")) : "?",
                    res ? json_string_value(json_object_get(res, "code")) : "?");
            json_decref(res);
            shown++;
        }
    }
}

/* ---- --verify-bench ---- */

struct vworker {
    pthread_t th;
    const struct yc_tx *tx;
    double until;
    uint64_t count;
    int rc;
};

static void *verify_loop(void *arg)
{
    struct vworker *w = arg;
    struct yc_tx_keyhint h = {.body_valid = true};
    if (!yc_pubkey_parse(&h.sender, w->tx->sender)) {
        w->rc = YC_EBADKEY;
        return NULL;
    }
    h.sender_parsed = true;
    while (w->rc == YC_OK && now_s() < w->until) {
        for (int i = 0; i < 64 && w->rc == YC_OK; i++) {
            w->rc = yc_tx_verify_hinted(w->tx, "ycbench-verify", &h);
            w->count++;
        }
    }
    return NULL;
}

static int verify_bench(uint32_t secs)
{
    struct bench b = {.o = {.seed = 1}};
    struct account from, to;
    derive_key(&b, "verify-from", 0, &from);
    derive_key(&b, "verify-to", 0, &to);
    struct yc_buf body, signed_tx;
    yc_buf_init(&body, 0);
    yc_buf_init(&signed_tx, 0);
    body_token(&body, YC_TX_TOKEN_TRANSFER, to.pub, 1);
    uint8_t id[YC_HASH_LEN], aux[32] = {0};
    struct yc_tx tx;
    int rc = yc_tx_build_signed(&signed_tx, id, "ycbench-verify", YC_TX_TOKEN_TRANSFER, from.s, 1,
                                body.data, body.len, aux);
    if (rc == YC_OK)
        rc = yc_tx_decode(&tx, signed_tx.data, signed_tx.len);
    yc_buf_cleanup(&body);
    yc_buf_cleanup(&signed_tx);
    yc_signer_destroy(from.s);
    yc_signer_destroy(to.s);
    if (rc != YC_OK)
        die("signing the transfer to verify", rc);
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    size_t nth = ncpu > 0 && ncpu <= 1024 ? (size_t)ncpu : 1;
    struct vworker *w = calloc(nth, sizeof *w);
    if (w == NULL)
        die("threads", YC_ENOMEM);
    double t0 = now_s();
    for (size_t i = 0; i < nth; i++) {
        w[i] = (struct vworker){.tx = &tx, .until = t0 + secs};
        if (pthread_create(&w[i].th, NULL, verify_loop, &w[i]) != 0)
            die("verify thread", YC_ENOMEM);
    }
    uint64_t total = 0;
    for (size_t i = 0; i < nth; i++) {
        pthread_join(w[i].th, NULL);
        if (w[i].rc != YC_OK)
            die("verifying", w[i].rc);
        total += w[i].count;
    }
    double elapsed = now_s() - t0;
    printf("verify: %zu threads, %.2f s, %" PRIu64 " verifications, %.0f per second\n", nth,
           elapsed, total, (double)total / elapsed);
    free(w);
    yc_tx_cleanup(&tx);
    return 0;
}

/* ---- main ---- */

static void usage(FILE *f)
{
    fprintf(f,
            "usage: ycbench [--node URL]... --wallet-dir DIR --password-file FILE [--from NAME]\n"
            "               [--accounts N] [--processors P] [--rounds R] [--batch B]\n"
            "               [--clients C] [--rate TPS] [--seed S] [--timeout-s T] [--hex]\n"
            "               [--json FILE]\n"
            "               [--emit FILE] [--chain-id ID] [--quiet]\n"
            "       ycbench --verify-bench SECONDS\n"
            "Signs registrations, token issues, then R rounds of one transfer or consent\n"
            "grant per account; submits each phase with broadcast_txs (a msgpack body at\n"
            "POST /broadcast_txs; --hex: JSON-RPC with hex); prints committed tx/s\n"
            "and p50/p99 submit-to-commit latency of the last phase. C threads (default: one\n"
            "per --node) submit batches, thread i to node i mod N; the first node is\n"
            "followed for commits (default http://127.0.0.1:27700). --rate offers the\n"
            "last phase at TPS transactions per second (default: as fast as the nodes\n"
            "admit). --emit writes the last\n"
            "phase's signed transactions to FILE instead of sending them; --chain-id signs\n"
            "that phase for another chain (a test of wrong_chain).\n"
            "--verify-bench checks one signed transfer in a loop on one thread per online\n"
            "CPU for SECONDS and prints the verifications per second (no node needed).\n");
}

static uint32_t parse_u32(const char *flag, const char *v, uint32_t max)
{
    uint64_t x;
    if (v == NULL || yc_parse_u64(v, &x) != YC_OK || x > max) {
        fprintf(stderr, "ycbench: %s needs a number up to %u\n", flag, max);
        exit(YC_EXIT_USAGE);
    }
    return (uint32_t)x;
}

static void parse_args(struct opts *o, int argc, char **argv)
{
    *o = (struct opts){.node = "http://127.0.0.1:27700",
                       .from = "exchange",
                       .accounts = 200,
                       .processors = 4,
                       .rounds = 5,
                       .batch = 500,
                       .seed = 1,
                       .timeout_s = 120};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        bool takes = true;
        if (strcmp(a, "--node") == 0) {
            if (o->nnodes == MAX_NODES) {
                fprintf(stderr, "ycbench: at most %d --node\n", MAX_NODES);
                exit(YC_EXIT_USAGE);
            }
            if (v != NULL)
                o->nodes[o->nnodes++] = v;
        } else if (strcmp(a, "--clients") == 0)
            o->clients = parse_u32(a, v, 64);
        else if (strcmp(a, "--rate") == 0)
            o->rate = parse_u32(a, v, 1000000);
        else if (strcmp(a, "--wallet-dir") == 0)
            o->wallet_dir = v;
        else if (strcmp(a, "--password-file") == 0)
            o->password_file = v;
        else if (strcmp(a, "--from") == 0)
            o->from = v;
        else if (strcmp(a, "--emit") == 0)
            o->emit = v;
        else if (strcmp(a, "--json") == 0)
            o->out_json = v;
        else if (strcmp(a, "--chain-id") == 0)
            o->chain_override = v;
        else if (strcmp(a, "--accounts") == 0)
            o->accounts = parse_u32(a, v, MAX_ACCOUNTS);
        else if (strcmp(a, "--processors") == 0)
            o->processors = parse_u32(a, v, 1000);
        else if (strcmp(a, "--rounds") == 0)
            o->rounds = parse_u32(a, v, MAX_ROUNDS);
        else if (strcmp(a, "--batch") == 0)
            o->batch = parse_u32(a, v, 100000);
        else if (strcmp(a, "--seed") == 0)
            o->seed = parse_u32(a, v, UINT32_MAX);
        else if (strcmp(a, "--timeout-s") == 0)
            o->timeout_s = parse_u32(a, v, 86400);
        else if (strcmp(a, "--verify-bench") == 0)
            o->verify_secs = parse_u32(a, v, 3600);
        else if (strcmp(a, "--hex") == 0)
            o->hex = true, takes = false;
        else if (strcmp(a, "--quiet") == 0)
            o->quiet = true, takes = false;
        else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            exit(0);
        } else {
            fprintf(stderr, "ycbench: unknown option %s\n", a);
            usage(stderr);
            exit(YC_EXIT_USAGE);
        }
        if (takes) {
            if (v == NULL) {
                fprintf(stderr, "ycbench: %s needs a value\n", a);
                exit(YC_EXIT_USAGE);
            }
            i++;
        }
    }
    if (o->nnodes == 0)
        o->nodes[o->nnodes++] = o->node;
    o->node = o->nodes[0];
    if (o->clients == 0)
        o->clients = o->nnodes;
    if (o->verify_secs > 0)
        return;
    if (o->wallet_dir == NULL || o->password_file == NULL || o->accounts < 2 || o->batch == 0) {
        usage(stderr);
        exit(YC_EXIT_USAGE);
    }
}

static void open_issuer(struct bench *b)
{
    struct yc_pass_src src = {.file = b->o.password_file};
    char *pass = NULL;
    size_t plen = 0;
    int rc = yc_pass_read(&src, "", false, true, &pass, &plen);
    if (rc != YC_OK)
        die("passphrase", rc);
    rc = yc_keystore_open(b->o.wallet_dir, b->o.from, pass, plen, &b->issuer);
    yc_pass_free(pass);
    if (rc != YC_OK) {
        fprintf(stderr, "ycbench: cannot open key %s in %s\n", b->o.from, b->o.wallet_dir);
        exit(rc == YC_EPASSPHRASE ? YC_EXIT_NOPERM : 1);
    }
    yc_signer_pubkey(b->issuer, b->issuer_pub);
}

static void emit(struct bench *b, size_t from, size_t to)
{
    FILE *f = fopen(b->o.emit, "w");
    if (f == NULL) {
        perror(b->o.emit);
        exit(YC_EXIT_IOERR);
    }
    for (size_t k = from; k < to; k++) {
        char idhex[2 * YC_HASH_LEN + 1];
        yc_hex(idhex, b->txs[k].id, YC_HASH_LEN);
        fprintf(f, "%s %s %u %" PRIu64 " %s\n", idhex, yc_tx_type_name(b->txs[k].type),
                b->txs[k].acct, b->txs[k].nonce, b->txs[k].hex);
    }
    if (fclose(f) != 0) {
        perror(b->o.emit);
        exit(YC_EXIT_IOERR);
    }
}

static void report(struct bench *b, const struct phase_result *r, double sign_secs)
{
    double tps = r->secs > 0 ? (double)r->committed / r->secs : 0.0;
    uint64_t blocks = r->last_height >= r->first_height ? r->last_height - r->first_height + 1 : 0;
    printf("result: committed_txs=%zu submitted=%zu refused=%zu seconds=%.3f "
           "committed_tx_per_s=%.1f p50_ms=%.1f p99_ms=%.1f blocks=%" PRIu64
           " txs_per_block=%.1f sign_us_per_tx=%.1f\n",
           r->committed, r->n, r->rejected, r->secs, tps, r->p50_ms, r->p99_ms, blocks,
           blocks ? (double)r->committed / (double)blocks : 0.0,
           b->ntx ? sign_secs * 1e6 / (double)b->ntx : 0.0);
    if (b->o.out_json == NULL)
        return;
    json_t *j = json_pack(
        "{s:s, s:s, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:f, s:f, s:f, s:f, "
        "s:i, s:f, s:s, s:i, s:f, s:f}",
        "node", b->o.node, "chain_id", b->chain_id, "accounts", (json_int_t)b->o.accounts,
        "processors", (json_int_t)b->o.processors, "rounds", (json_int_t)b->o.rounds, "batch",
        (json_int_t)b->o.batch, "submitted", (json_int_t)r->n, "refused", (json_int_t)r->rejected,
        "committed", (json_int_t)r->committed, "seconds", r->secs, "committed_tx_per_s", tps,
        "p50_ms", r->p50_ms, "p99_ms", r->p99_ms, "blocks", (json_int_t)blocks, "sign_us_per_tx",
        b->ntx ? sign_secs * 1e6 / (double)b->ntx : 0.0, "refusal_codes", r->codes, "nodes",
        (json_int_t)b->o.nnodes, "rate", b->o.rate, "offer_seconds", r->offer_secs);
    if (j == NULL || json_dump_file(j, b->o.out_json, JSON_INDENT(2) | JSON_SORT_KEYS) != 0) {
        fprintf(stderr, "ycbench: cannot write %s\n", b->o.out_json);
        exit(YC_EXIT_IOERR);
    }
    json_decref(j);
}

int main(int argc, char **argv)
{
    static struct bench b;
    parse_args(&b.o, argc, argv);
    if (sodium_init() < 0)
        die("libsodium", YC_EIO);
    if (b.o.verify_secs > 0)
        return verify_bench(b.o.verify_secs);

    json_t *st = rpc(&b, "status", json_object(), NULL, 0);
    const char *cid = st ? json_string_value(json_object_get(st, "chain_id")) : NULL;
    if (cid == NULL || strlen(cid) > YC_CHAIN_ID_MAX)
        die("status without chain_id", YC_EDECODE);
    snprintf(b.chain_id, sizeof b.chain_id, "%s", cid);
    json_decref(st);
    b.sign_chain = b.o.chain_override ? b.o.chain_override : b.chain_id;

    open_issuer(&b);
    int64_t xn = account_nonce(&b, b.issuer_pub);
    if (xn < 0) {
        fprintf(stderr, "ycbench: the key %s is not registered on %s\n", b.o.from, b.chain_id);
        return 1;
    }
    b.issuer_nonce = (uint64_t)xn;

    b.nacct = b.o.accounts + b.o.processors;
    b.accts = calloc(b.nacct, sizeof *b.accts);
    if (b.accts == NULL)
        die("accounts", YC_ENOMEM);
    for (uint32_t i = 0; i < b.nacct; i++)
        derive_key(&b, i < b.o.accounts ? "account" : "processor", i, &b.accts[i]);
    if (account_nonce(&b, b.accts[0].pub) >= 0) {
        fprintf(stderr,
                "ycbench: accounts of seed %" PRIu64 " already exist on %s: "
                "use another --seed\n",
                b.o.seed, b.chain_id);
        return 1;
    }

    double t0 = now_s();
    size_t ph[4];
    build_all(&b, ph);
    double sign_secs = now_s() - t0;
    table_build(&b);
    if (!b.o.quiet)
        fprintf(stderr,
                "ycbench: chain %s at %s: %u accounts, %u processors, %u rounds, batch %u, "
                "seed %" PRIu64 "; signed %zu txs in %.2f s\n",
                b.chain_id, b.o.node, b.o.accounts, b.o.processors, b.o.rounds, b.o.batch, b.o.seed,
                b.ntx, sign_secs);

    b.start_height = node_height(&b);
    atomic_store(&b.seen_height, b.start_height);
    pthread_t th;
    if (pthread_create(&th, NULL, poller, &b) != 0)
        die("poller thread", YC_ENOMEM);

    struct phase_result r[3];
    run_phase(&b, "register", ph[0], ph[1], 0, 0, &r[0]);
    run_phase(&b, "issue", ph[1], ph[2], SENDER_WINDOW, 0, &r[1]);
    int status = 0;
    if (r[0].committed != r[0].n || r[1].committed != r[1].n) {
        fprintf(stderr, "ycbench: set-up did not fully commit\n");
        status = 1;
    } else if (b.o.emit != NULL) {
        emit(&b, ph[2], ph[3]);
        if (!b.o.quiet)
            fprintf(stderr, "ycbench: wrote %zu signed txs to %s\n", ph[3] - ph[2], b.o.emit);
    } else {
        run_phase(&b, "load", ph[2], ph[3], 0, b.o.rate, &r[2]);
        report(&b, &r[2], sign_secs);
        if (r[2].committed != r[2].n)
            status = 1;
    }

    atomic_store(&b.stop, 1);
    pthread_join(th, NULL);
    for (size_t k = 0; k < b.ntx; k++) {
        free(b.txs[k].hex);
        free(b.txs[k].raw);
    }
    free(b.txs);
    free(b.slots);
    for (uint32_t i = 0; i < b.nacct; i++)
        yc_signer_destroy(b.accts[i].s);
    free(b.accts);
    yc_signer_destroy(b.issuer);
    return status;
}
